package analysis

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
)

// DeriveOptions tune [Derive].
type DeriveOptions struct {
	// Workers bounds the goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Kinds lists the edge kinds to compute; nil means CanAssume,
	// CanPassRole and CanInvoke. A kind not computed still gets its (empty)
	// layer. CanEscalate is added by [Derived.With].
	Kinds []EdgeKind
	// Context and Complete are passed to every request, as in [CanQuery].
	Context  map[string][]string
	Complete bool
}

// Derived holds the derived edges of one snapshot: the edges with their
// evidence, sorted, and an index that adds one layer per edge kind to the
// Env's index, so that traversals run on CSR arrays. It never changes once
// built and is safe for concurrent use.
type Derived struct {
	// Index is the Env's index with the derived layers added; node IDs are
	// the same.
	Index *index.Index
	// Edges are sorted by From, To, Kind and Method. Each (From, To, Kind,
	// Method) appears once; its Evidence lists every request it rests on.
	Edges []Edge

	layers map[EdgeKind]index.EdgeKindID
	pairs  map[nodePair][]int32 // by endpoints: indexes into Edges
	actors *actors
	base   *index.Index // the Env's index, without derived layers
}

type nodePair struct{ from, to index.NodeID }

// Execution-role tags: a resource tagged with one of them runs as the role
// the tag's value names. resources.json and most inventories have no field
// for a Lambda function's execution role or a Bedrock agent's service role,
// so ingest sources record it as a tag: synth writes "synth:execution-role";
// "permgraph:execution-role" is the convention for everything else.
const (
	ExecutionRoleTag      = "permgraph:execution-role"
	SynthExecutionRoleTag = "synth:execution-role"
)

// traversalKinds are the kinds along which one principal comes to act as
// another: paths and transitive who-can follow them. CanPassRole alone
// does not (it takes a service to act on it; CanEscalate says when).
var traversalKinds = []EdgeKind{CanAssume, CanInvoke, CanEscalate}

var allKinds = []EdgeKind{CanAssume, CanPassRole, CanInvoke, CanEscalate}

// Derive computes the derived edges of e's snapshot, org-wide, with the
// evidence for each edge: the requests it rests on and the statements that
// decided them, identity and resource side together.
//
//   - CanAssume P → R: Env.Request(P, sts:AssumeRole, R) (the trust policy is
//     the resource policy, so the identity side, SCPs, boundary and trust
//     policy are decided together, with AWS's same- and cross-account
//     rules); sts:AssumeRoleWithSAML or AssumeRoleWithWebIdentity for a
//     federated principal. Only pairs whose trust policy names P (its ARN,
//     its account, "*", a session of it, or a service or provider) are
//     evaluated.
//   - CanPassRole P → R: iam:PassRole on R, for roles R of P's account that
//     trust at least one service principal; the evidence adds, per service
//     R trusts, that service's sts:AssumeRole on R.
//   - CanInvoke P → X: lambda:InvokeFunction on a function, bedrock:InvokeAgent
//     on an agent (or agent alias), ssm:SendCommand on an EC2 instance,
//     whose resource node carries an execution-role tag naming role X (see
//     [ExecutionRoleTag]). Edge.Method names the action.
//
// Edges are kept when the decision is allow or conditional; a conditional
// edge keeps its evidence's missing context. Users, roles and the external
// principals a trust policy names are sources; external principals have no
// identity policies in the snapshot, so the engine allows them only what a
// resource policy alone allows.
func Derive(ctx context.Context, e *Env, opts DeriveOptions) (*Derived, error) {
	kinds := opts.Kinds
	if kinds == nil {
		kinds = []EdgeKind{CanAssume, CanPassRole, CanInvoke}
	}
	dv := &deriver{e: e, opts: opts, a: newActors(e), workers: cmp.Or(max(opts.Workers, 0), runtime.GOMAXPROCS(0))}
	dv.results = make([]policy.Result, dv.workers)
	var edges []Edge
	for _, k := range kinds {
		var (
			got []Edge
			err error
		)
		switch k {
		case CanAssume:
			got, err = dv.assume(ctx)
		case CanPassRole:
			got, err = dv.passRole(ctx)
		case CanInvoke:
			got, err = dv.invoke(ctx)
		default:
			return nil, fmt.Errorf("analysis: Derive: edge kind %q is not derived here", k)
		}
		if err != nil {
			return nil, err
		}
		edges = append(edges, got...)
	}
	return newDerived(e.ix, dv.a, edges)
}

// With returns a new Derived holding d's edges and edges (CanEscalate
// edges from the privilege-escalation rules, say), merged and re-layered;
// d is unchanged.
func (d *Derived) With(edges []Edge) (*Derived, error) {
	return newDerived(d.base, d.actors, append(slices.Clone(d.Edges), edges...))
}

// newDerived sorts and merges edges and builds one layer per kind on ix.
func newDerived(ix *index.Index, a *actors, edges []Edge) (*Derived, error) {
	edges = mergeEdges(edges)
	d := &Derived{Edges: edges, layers: map[EdgeKind]index.EdgeKindID{}, pairs: map[nodePair][]int32{}, actors: a, base: ix}
	from := map[EdgeKind][]index.NodeID{}
	to := map[EdgeKind][]index.NodeID{}
	for i := range edges {
		ed := &edges[i]
		f, ok1 := ix.Lookup(ed.From)
		t, ok2 := ix.Lookup(ed.To)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("analysis: derived edge %s %s → %s: endpoint is not a node of the snapshot", ed.Kind, ed.From, ed.To)
		}
		from[ed.Kind] = append(from[ed.Kind], f)
		to[ed.Kind] = append(to[ed.Kind], t)
		p := nodePair{f, t}
		d.pairs[p] = append(d.pairs[p], int32(i))
	}
	cur := ix
	for _, k := range allKinds {
		next, id, err := cur.WithLayer(string(k), from[k], to[k])
		if err != nil {
			return nil, fmt.Errorf("analysis: derived layer %s: %w", k, err)
		}
		cur, d.layers[k] = next, id
	}
	d.Index = cur
	return d, nil
}

// mergeEdges sorts edges and merges those with the same From, To, Kind and
// Method: the evidence is concatenated and the decision is the best one.
func mergeEdges(edges []Edge) []Edge {
	slices.SortStableFunc(edges, compareEdges)
	out := edges[:0]
	for _, ed := range edges {
		if n := len(out); n > 0 && compareEdges(out[n-1], ed) == 0 {
			last := &out[n-1]
			last.Evidence = append(last.Evidence, ed.Evidence...)
			if ed.Decision == policy.Allowed {
				last.Decision = policy.Allowed
			}
			continue
		}
		out = append(out, ed)
	}
	return slices.Clip(out)
}

func compareEdges(a, b Edge) int {
	return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To),
		cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), strings.Compare(a.Method, b.Method))
}

func kindOrder(k EdgeKind) int {
	if i := slices.Index(allKinds, k); i >= 0 {
		return i
	}
	return len(allKinds)
}

// Layer returns the index edge kind holding the derived edges of kind k.
func (d *Derived) Layer(k EdgeKind) (index.EdgeKindID, bool) {
	id, ok := d.layers[k]
	return id, ok
}

// Between returns the derived edges from node from to node to (graph node
// IDs), in kind order; nil if none.
func (d *Derived) Between(from, to string) []Edge {
	f, ok1 := d.Index.Lookup(from)
	t, ok2 := d.Index.Lookup(to)
	if !ok1 || !ok2 {
		return nil
	}
	return d.between(f, t)
}

func (d *Derived) between(f, t index.NodeID) []Edge {
	ids := d.pairs[nodePair{f, t}]
	if len(ids) == 0 {
		return nil
	}
	out := make([]Edge, len(ids))
	for i, id := range ids {
		out[i] = d.Edges[id]
	}
	return out
}

// step returns the edge a path takes from f to t along traversal kinds:
// an allowed one if any, else the first conditional one.
func (d *Derived) step(f, t index.NodeID) (Edge, bool) {
	var best *Edge
	for _, id := range d.pairs[nodePair{f, t}] {
		ed := &d.Edges[id]
		if !slices.Contains(traversalKinds, ed.Kind) {
			continue
		}
		if best == nil || ed.Decision == policy.Allowed && best.Decision != policy.Allowed {
			best = ed
		}
	}
	if best == nil {
		return Edge{}, false
	}
	return *best, true
}

// traversal returns the index kinds of traversalKinds.
func (d *Derived) traversal() []index.EdgeKindID {
	out := make([]index.EdgeKindID, 0, len(traversalKinds))
	for _, k := range traversalKinds {
		if id, ok := d.layers[k]; ok {
			out = append(out, id)
		}
	}
	return out
}

// deriver holds what Derive needs while it runs.
type deriver struct {
	e       *Env
	opts    DeriveOptions
	a       *actors
	workers int
	results []policy.Result // one per worker
}

// evaluate decides one request, reusing worker w's Result, and returns its
// evidence; ok is false when the decision is neither allow nor conditional.
func (dv *deriver) evaluate(w int, principal, action, resource string) (Evidence, policy.Decision, bool, error) {
	req, set, err := dv.e.Request(principal, action, resource, dv.opts.Context, dv.opts.Complete)
	if err != nil {
		return Evidence{}, 0, false, err
	}
	res := &dv.results[w]
	policy.EvaluateInto(res, req, set)
	if res.Decision != policy.Allowed && res.Decision != policy.Conditional {
		return Evidence{}, res.Decision, false, nil
	}
	return evidenceOf(principal, action, resource, res), res.Decision, true, nil
}

// evidenceOf copies res, whose slices are reused, into an Evidence.
func evidenceOf(principal, action, resource string, res *policy.Result) Evidence {
	return Evidence{Principal: principal, Action: action, Resource: resource, Decision: res.Decision.String(),
		MissingContext: slices.Clone(res.MissingContext), Reasons: slices.Clone(res.Explanation)}
}
