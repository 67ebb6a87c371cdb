package analysis

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
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
	ends   []nodePair // by edge: its endpoints, sorted as Edges are
	actors *actors
	base   *index.Index // the Env's index, without derived layers
}

type nodePair struct{ from, to index.NodeID }

func (p nodePair) key() uint64 { return uint64(p.from)<<32 | uint64(uint32(p.to)) }

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
// A pair is not evaluated when neither side could allow it: when no Allow
// statement of P's identity policies names the action and a Resource
// pattern that may match (see [actors.grant]), and the resource policy, if
// any, may not name P itself within its account (see [principalNames]);
// across accounts, when either side cannot. The engine would deny it, so
// the edges are those of evaluating every candidate pair, only found
// faster (a reference implementation in the tests checks this on synth
// orgs).
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
	dv.reasons = make([]reasonTable, dv.workers)
	dv.scratch = make([]requestScratch, dv.workers)
	for w := range dv.scratch {
		dv.scratch[w].keys.reads = dv.a.reads
	}
	var sinks []*edgeSink
	for _, k := range kinds {
		var (
			got []*edgeSink
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
		sinks = append(sinks, got...)
	}
	dv.reasons, dv.scratch = nil, nil
	var chunks [][]sinkEdge
	for _, s := range sinks {
		chunks = append(chunks, s.chunks...)
	}
	return newDerived(e.ix, dv.a, chunks)
}

// With returns a new Derived holding d's edges and edges (CanEscalate
// edges from the privilege-escalation rules, say), merged and re-layered;
// d is unchanged.
func (d *Derived) With(edges []Edge) (*Derived, error) {
	all := make([]sinkEdge, 0, len(d.Edges)+len(edges))
	for i := range d.Edges {
		all = append(all, sinkEdge{d.Edges[i], d.ends[i]})
	}
	for _, ed := range edges {
		f, ok1 := d.base.Lookup(ed.From)
		t, ok2 := d.base.Lookup(ed.To)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("analysis: derived edge %s %s → %s: endpoint is not a node of the snapshot", ed.Kind, ed.From, ed.To)
		}
		all = append(all, sinkEdge{ed, nodePair{f, t}})
	}
	return newDerived(d.base, d.actors, [][]sinkEdge{all})
}

// newDerived sorts and merges the edges of chunks, taken in order, and
// builds one layer per kind on ix. Each edge's endpoints must be the nodes
// its From and To name.
func newDerived(ix *index.Index, a *actors, chunks [][]sinkEdge) (*Derived, error) {
	edges, ends := mergeEdges(chunks)
	d := &Derived{Edges: edges, ends: ends, layers: map[EdgeKind]index.EdgeKindID{}, actors: a, base: ix}
	count := map[EdgeKind]int{}
	for i := range edges {
		count[edges[i].Kind]++
	}
	from := map[EdgeKind][]index.NodeID{}
	to := map[EdgeKind][]index.NodeID{}
	for k, n := range count {
		from[k], to[k] = make([]index.NodeID, 0, n), make([]index.NodeID, 0, n)
	}
	for i := range edges {
		k := edges[i].Kind
		from[k] = append(from[k], ends[i].from)
		to[k] = append(to[k], ends[i].to)
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

// edgeRef points at an edge of mergeEdges' chunks, with its endpoints as
// the first sort key.
type edgeRef struct {
	ends     uint64 // nodePair.key
	chunk, i int32
}

// mergeEdges sorts the edges of chunks, stably, by From, To, Kind and
// Method, and merges those equal on all four: the evidence is concatenated
// and the decision is the best one. Node IDs are in ID order, so comparing
// endpoints compares From and To. It sorts small references, with the
// position as the last key (stable, without moving the edges around), and
// returns the merged edges with their endpoints.
func mergeEdges(chunks [][]sinkEdge) ([]Edge, []nodePair) {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	refs := make([]edgeRef, 0, n)
	for ci, c := range chunks {
		for i := range c {
			refs = append(refs, edgeRef{c[i].ends.key(), int32(ci), int32(i)})
		}
	}
	at := func(r edgeRef) *Edge { return &chunks[r.chunk][r.i].Edge }
	same := func(a, b edgeRef) int {
		if a.ends != b.ends {
			return cmp.Compare(a.ends, b.ends)
		}
		ea, eb := at(a), at(b)
		return cmp.Or(cmp.Compare(kindOrder(ea.Kind), kindOrder(eb.Kind)), strings.Compare(ea.Method, eb.Method))
	}
	slices.SortFunc(refs, func(a, b edgeRef) int {
		return cmp.Or(same(a, b), cmp.Compare(a.chunk, b.chunk), cmp.Compare(a.i, b.i))
	})
	n = 0
	for k := range refs {
		if k == 0 || same(refs[k-1], refs[k]) != 0 {
			n++
		}
	}
	out := make([]Edge, 0, n)
	ends := make([]nodePair, 0, n)
	for k, r := range refs {
		ed := at(r)
		if k > 0 && same(refs[k-1], r) == 0 {
			last := &out[len(out)-1]
			last.Evidence = append(slices.Clip(last.Evidence), ed.Evidence...)
			if ed.Decision == policy.Allowed {
				last.Decision = policy.Allowed
			}
			continue
		}
		out = append(out, *ed)
		ends = append(ends, chunks[r.chunk][r.i].ends)
	}
	return out, ends
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
	i, j := d.span(f, t)
	if i == j {
		return nil
	}
	return slices.Clone(d.Edges[i:j])
}

// span returns the range of Edges from f to t.
func (d *Derived) span(f, t index.NodeID) (int, int) {
	k := nodePair{f, t}.key()
	i, _ := slices.BinarySearchFunc(d.ends, k, func(p nodePair, k uint64) int { return cmp.Compare(p.key(), k) })
	j := i
	for j < len(d.ends) && d.ends[j].key() == k {
		j++
	}
	return i, j
}

// step returns the edge a path takes from f to t along traversal kinds:
// an allowed one if any, else the first conditional one.
func (d *Derived) step(f, t index.NodeID) (Edge, bool) {
	var best *Edge
	i, j := d.span(f, t)
	for ; i < j; i++ {
		ed := &d.Edges[i]
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
	// One per worker:
	results []policy.Result
	reasons []reasonTable
	scratch []requestScratch
}

// evaluate decides one request, reusing worker w's Result and scratch,
// and returns its evidence; ok is false when the decision is neither allow
// nor conditional. r is resource as Env.resource resolves it, or nil to
// look it up.
func (dv *deriver) evaluate(w int, principal, action, resource string, r *resource) (Evidence, policy.Decision, bool, error) {
	p, caller, err := dv.e.principal(principal)
	if err != nil {
		return Evidence{}, 0, false, err
	}
	resAcct := ""
	if r != nil {
		resAcct = r.account
	} else {
		r, resAcct = dv.e.resource(resource)
	}
	req, set, err := dv.e.assemble(p, caller, action, resource, r, resAcct, dv.opts.Context, dv.opts.Complete, &dv.scratch[w])
	if err != nil {
		return Evidence{}, 0, false, err
	}
	res := &dv.results[w]
	policy.EvaluateInto(res, req, set)
	if res.Decision != policy.Allowed && res.Decision != policy.Conditional {
		return Evidence{}, res.Decision, false, nil
	}
	ev := Evidence{Principal: principal, Action: action, Resource: resource, Decision: res.Decision.String(),
		Reasons: dv.reasons[w].intern(res.Explanation)}
	if len(res.MissingContext) > 0 {
		ev.MissingContext = slices.Clone(res.MissingContext)
	}
	return ev, res.Decision, true, nil
}

// edgeSink collects one worker's edges with their endpoints. A worker
// adds the edges of one source at a time, then flushes: the sink merges
// them there, so that each merged edge gets its evidence list once, of
// the right size, carved from a slab; it keeps them in chunks, so that
// growing it never copies them.
type edgeSink struct {
	chunks  [][]sinkEdge
	slab    []Evidence
	pending []pendingEdge // the current source's, not merged yet
	order   []int32       // scratch for flush
}

type sinkEdge struct {
	Edge
	ends nodePair
}

// pendingEdge is an edge as found: one request's evidence, and extra
// evidence that every edge to To shares (the services a role trusts).
type pendingEdge struct {
	ed    Edge // without Evidence
	ends  nodePair
	ev    Evidence
	extra []Evidence
}

const sinkChunk = 4096

// add records an edge resting on ev, then extra.
func (s *edgeSink) add(ed Edge, from, to index.NodeID, ev Evidence, extra []Evidence) {
	s.pending = append(s.pending, pendingEdge{ed, nodePair{from, to}, ev, extra})
}

// flush merges the pending edges, which share their From, as mergeEdges
// does, and moves them to the chunks.
func (s *edgeSink) flush() {
	p := s.pending
	if len(p) == 0 {
		return
	}
	s.order = s.order[:0]
	for i := range p {
		s.order = append(s.order, int32(i))
	}
	same := func(i, j int32) int {
		a, b := &p[i], &p[j]
		return cmp.Or(cmp.Compare(a.ends.key(), b.ends.key()), cmp.Compare(kindOrder(a.ed.Kind), kindOrder(b.ed.Kind)),
			strings.Compare(a.ed.Method, b.ed.Method))
	}
	slices.SortFunc(s.order, func(i, j int32) int { return cmp.Or(same(i, j), cmp.Compare(i, j)) })
	for k := 0; k < len(s.order); {
		first := s.order[k]
		end, n := k, 0
		for ; end < len(s.order) && same(first, s.order[end]) == 0; end++ {
			n += 1 + len(p[s.order[end]].extra)
		}
		ed := p[first].ed
		ed.Evidence = s.evidence(n)
		for _, i := range s.order[k:end] {
			ed.Evidence = append(append(ed.Evidence, p[i].ev), p[i].extra...)
			if p[i].ed.Decision == policy.Allowed {
				ed.Decision = policy.Allowed
			}
		}
		if c := len(s.chunks); c == 0 || len(s.chunks[c-1]) == cap(s.chunks[c-1]) {
			s.chunks = append(s.chunks, make([]sinkEdge, 0, sinkChunk))
		}
		c := &s.chunks[len(s.chunks)-1]
		*c = append(*c, sinkEdge{ed, p[first].ends})
		k = end
	}
	clear(p) // drop the references the scratch would keep alive
	s.pending = p[:0]
}

// evidence returns an empty list with room for n, carved from the slab.
func (s *edgeSink) evidence(n int) []Evidence {
	if n > sinkChunk/8 {
		return make([]Evidence, 0, n)
	}
	if cap(s.slab)-len(s.slab) < n {
		s.slab = make([]Evidence, 0, sinkChunk)
	}
	k := len(s.slab)
	s.slab = s.slab[:k+n]
	return s.slab[k : k : k+n]
}

// reasonTable interns explanations: many requests are decided by the same
// statements (one principal's policy on many functions of its account), and
// their evidence can share one copy. Shared slices are never written to:
// Evidence is read-only.
type reasonTable struct {
	seed maphash.Seed
	m    map[uint64][][]policy.Reason
}

// intern returns a copy of rs, which the caller reuses, shared with every
// equal explanation seen before.
func (t *reasonTable) intern(rs []policy.Reason) []policy.Reason {
	if len(rs) == 0 {
		return nil
	}
	if t.m == nil {
		t.seed, t.m = maphash.MakeSeed(), map[uint64][][]policy.Reason{}
	}
	var h maphash.Hash
	h.SetSeed(t.seed)
	for i := range rs {
		r := &rs[i]
		h.WriteString(r.Policy)
		h.WriteString(r.Sid)
		h.WriteString(r.Message)
		h.WriteByte(byte(r.Statement))
	}
	k := h.Sum64()
	for _, c := range t.m[k] {
		if slices.Equal(c, rs) {
			return c
		}
	}
	c := slices.Clone(rs)
	t.m[k] = append(t.m[k], c)
	return c
}
