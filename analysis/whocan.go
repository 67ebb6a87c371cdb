package analysis

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// WhoCanQuery asks who can do Action on Resource.
type WhoCanQuery struct {
	Action   string // "service:Action"
	Resource string // an ARN, or "*"
	// Transitive adds the principals that reach a direct holder through
	// derived edges (CanAssume, CanInvoke, CanEscalate), with the path.
	Transitive bool
	// Context and Complete are passed to every request, as in [CanQuery].
	Context  map[string][]string
	Complete bool
	// Workers bounds the goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// WhoCanResult is the answer to a [WhoCanQuery], printed as
// {"principals":[{"arn","class","decision","path"}]}.
type WhoCanResult struct {
	Principals []WhoCanPrincipal `json:"principals"`
}

// WhoCanPrincipal is one principal that can do the action: directly (an
// empty path) or through the derived edges of Path, the last of which
// reaches a direct holder.
type WhoCanPrincipal struct {
	ARN      string `json:"arn"`
	Class    string `json:"class"`
	Decision string `json:"decision"` // "allow" or "conditional"
	Path     []Edge `json:"path"`
	// MissingContext lists, for a conditional answer, the context keys it
	// depends on: the holder's and those of every conditional edge.
	MissingContext []string `json:"-"`
	// Holder is the direct holder the path ends at (ARN itself when direct).
	Holder string `json:"-"`
}

// ErrNoDerived is returned by [WhoCan] with Transitive and by [Paths] when
// they are given no derived edges.
var ErrNoDerived = errors.New("analysis: derived edges are needed (Derive)")

// holder is a direct holder found by whoCanDirect.
type holder struct {
	n        index.NodeID
	decision policy.Decision
	missing  []string
}

// WhoCan returns every user and role that can do q.Action on q.Resource,
// decided as [Can] decides it, sorted by ARN; with q.Transitive also the
// principals that reach one of them through d's derived edges, each with
// its path (allowed paths preferred; a path through a conditional edge or
// to a conditional holder is conditional). d may be nil unless
// q.Transitive.
//
// Only principals whose identity policies may allow the action (by its
// patterns), or that are in the account of a resource whose policy applies,
// are evaluated; the others cannot be allowed.
func WhoCan(ctx context.Context, e *Env, d *Derived, q WhoCanQuery) (WhoCanResult, error) {
	if q.Transitive && d == nil {
		return WhoCanResult{}, ErrNoDerived
	}
	holders, err := whoCanDirect(ctx, e, d, q)
	if err != nil {
		return WhoCanResult{}, err
	}
	ix := e.ix
	out := WhoCanResult{Principals: make([]WhoCanPrincipal, 0, len(holders))}
	for _, h := range holders {
		out.Principals = append(out.Principals, principalEntry(ix, h.n, h.decision, h.missing, nil, h.n))
	}
	if q.Transitive {
		out.Principals = append(out.Principals[:0], reachHolders(d, holders)...)
	}
	slices.SortFunc(out.Principals, func(a, b WhoCanPrincipal) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}

// whoCanDirect evaluates the candidates in parallel and returns the
// holders in NodeID order.
func whoCanDirect(ctx context.Context, e *Env, d *Derived, q WhoCanQuery) ([]holder, error) {
	always, err := alwaysAllowed(q.Action, q.Resource)
	if err != nil {
		return nil, err
	}
	var a *actors
	if d != nil {
		a = d.actors
	} else {
		a = newActors(e)
	}
	cands := a.candidates(e, q.Action, q.Resource, always)
	workers := cmp.Or(max(q.Workers, 0), runtime.GOMAXPROCS(0))
	workers = max(min(workers, len(cands)/32), 1) // small lists: no goroutines to speak of
	results := make([]policy.Result, workers)
	scratch := make([]requestScratch, workers)
	for w := range scratch {
		scratch[w].keys.reads = a.reads
	}
	r, resAcct := e.resource(q.Resource)
	found := make([]holder, len(cands))
	errs := make([]error, workers)
	err = parallelEach(ctx, workers, len(cands), func(w, i int) {
		s := &a.subjects[cands[i]]
		req, set, err := e.assemble(s.p, s.p.caller, q.Action, q.Resource, r, resAcct, q.Context, q.Complete, &scratch[w])
		if err != nil {
			errs[w] = err
			return
		}
		res := &results[w]
		policy.EvaluateInto(res, req, set)
		found[i] = holder{n: s.n, decision: res.Decision}
		if res.Decision == policy.Conditional {
			found[i].missing = slices.Clone(res.MissingContext)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := found[:0]
	for _, h := range found {
		if h.decision == policy.Allowed || h.decision == policy.Conditional {
			out = append(out, h)
		}
	}
	return out, nil
}

// principalEntry builds the entry of node n.
func principalEntry(ix *index.Index, n index.NodeID, dec policy.Decision, missing []string, path []Edge, h index.NodeID) WhoCanPrincipal {
	nv := ix.Node(n)
	class := string(nv.Class)
	if class == "" && nv.Kind == graph.KindExternalPrincipal {
		class = "external"
	}
	if path == nil {
		path = []Edge{}
	}
	return WhoCanPrincipal{ARN: principalARN(nv), Class: class, Decision: dec.String(), Path: path,
		MissingContext: missing, Holder: principalARN(ix.Node(h))}
}

// principalARN names a principal node in answers: its ARN, else its ID.
func principalARN(nv index.NodeView) string { return cmp.Or(nv.ARN, nv.ID) }

// reachHolders searches backwards from the holders along d's traversal
// kinds. It first follows allowed edges from allowed holders only, then
// every edge from every node found, so that a principal with an allowed
// path is reported with one. Service principals are passed over.
func reachHolders(d *Derived, holders []holder) []WhoCanPrincipal {
	ix := d.Index
	kinds := d.traversal()
	type state struct {
		dec     policy.Decision
		parent  index.NodeID // next node towards the holder; None for a holder
		holder  index.NodeID
		missing []string
	}
	st := map[index.NodeID]*state{}
	var queue []index.NodeID
	for _, h := range holders {
		if h.decision == policy.Allowed {
			st[h.n] = &state{dec: policy.Allowed, parent: index.None, holder: h.n}
			queue = append(queue, h.n)
		}
	}
	bfs := func(allowedOnly bool, dec policy.Decision) {
		for head := 0; head < len(queue); head++ {
			v := queue[head]
			for _, k := range kinds {
				for _, u := range ix.In(v, k) {
					if st[u] != nil || ix.Kind(u) == graph.KindServicePrincipal {
						continue
					}
					ed, ok := d.step(u, v)
					if !ok || allowedOnly && ed.Decision != policy.Allowed {
						continue
					}
					st[u] = &state{dec: dec, parent: v, holder: st[v].holder}
					queue = append(queue, u)
				}
			}
		}
	}
	bfs(true, policy.Allowed)
	for _, h := range holders {
		if st[h.n] == nil {
			st[h.n] = &state{dec: policy.Conditional, parent: index.None, holder: h.n, missing: h.missing}
			queue = append(queue, h.n)
		}
	}
	bfs(false, policy.Conditional)

	out := make([]WhoCanPrincipal, 0, len(st))
	for n, s := range st {
		var path []Edge
		missing := slices.Clone(s.missing)
		for v := n; st[v].parent != index.None; v = st[v].parent {
			ed, _ := d.step(v, st[v].parent)
			path = append(path, ed)
			missing = append(missing, edgeMissing(&ed)...)
		}
		missing = append(missing, st[s.holder].missing...)
		slices.Sort(missing)
		out = append(out, principalEntry(ix, n, s.dec, slices.Compact(missing), path, s.holder))
	}
	return out
}

// edgeMissing returns the missing context of a conditional edge's evidence.
func edgeMissing(ed *Edge) []string {
	if ed.Decision != policy.Conditional {
		return nil
	}
	var out []string
	for _, ev := range ed.Evidence {
		out = append(out, ev.MissingContext...)
	}
	return out
}
