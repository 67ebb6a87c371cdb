package analysis

import (
	"cmp"
	"context"
	"math/bits"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
	"gonum.org/v1/gonum/graph/flow"
	"gonum.org/v1/gonum/graph/simple"
)

// ChokepointOptions tune [Chokepoints].
type ChokepointOptions struct {
	// Top bounds the chokepoints returned; 0 means all.
	Top int
	// Sample bounds the sources listed per chokepoint; 0 means 5.
	Sample int
}

// Chokepoint is an edge or an identity of the derived graph whose removal
// cuts paths from non-admin identities to tier zero.
type Chokepoint struct {
	Kind string `json:"kind"` // "edge" or "identity"
	// From, To and Edge name an edge: its endpoints and its derived kinds
	// ("CanAssume", or "CanAssume+CanEscalate" when several join the same
	// two identities; removing the edge removes them all).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	Edge string `json:"edge,omitempty"`
	// Identity names an identity.
	Identity string `json:"identity,omitempty"`
	// Cuts counts the (source, tier-zero) pairs that lose every path when
	// the element is removed.
	Cuts int `json:"cuts"`
	// PathsThrough counts the pairs with a shortest path through the
	// element.
	PathsThrough int `json:"paths_through"`
	// Sources are a sample of the sources whose pairs it cuts (else of
	// those with a shortest path through it), sorted.
	Sources []string `json:"sources"`
}

// ChokepointsResult is the answer of [Chokepoints].
type ChokepointsResult struct {
	Chokepoints []Chokepoint `json:"chokepoints"`
	TierZero    int          `json:"tier_zero"` // identities with admin-equivalent power
	Sources     int          `json:"sources"`   // non-admin identities that reach one
	Pairs       int          `json:"pairs"`     // (source, tier-zero) pairs with a path
}

// The kinds of chokepoints.
const (
	ChokepointEdge     = "edge"
	ChokepointIdentity = "identity"
)

// TierZero returns the identities of d's snapshot that hold
// admin-equivalent power ([IsAdmin] allowed or conditional), sorted. With
// CanEscalate edges in d (see [Derived.With]) IsAdmin's self-escalation
// half is read from them: full access or a CanEscalate edge to itself.
func TierZero(ctx context.Context, e *Env, d *Derived) ([]string, error) {
	if d == nil {
		return nil, ErrNoDerived
	}
	r := newFindingReacher(e, d)
	var out []string
	for n := range index.NodeID(d.Index.Len()) {
		if !r.isIdentity(n) {
			continue
		}
		dec, err := r.adminOf(ctx, n)
		if err != nil {
			return nil, err
		}
		if passes(dec) {
			out = append(out, principalARN(d.Index.Node(n)))
		}
	}
	slices.Sort(out)
	return out, nil
}

// Chokepoints finds the edges and identities whose removal cuts the most
// paths from non-admin identities to tier zero ([TierZero]) over d's
// CanAssume, CanInvoke and CanEscalate edges (allowed or conditional
// alike), so that one trust policy can be fixed instead of fifty roles.
//
// Sources are the users, roles and external principals (not services)
// outside tier zero that reach it; a path ends at the first tier-zero
// identity it meets. The subgraph of the nodes on some source-to-tier-zero
// path is copied into a gonum graph with each edge split by a node of its
// own; per source, gonum's dominator tree (flow.Dominators) of that graph
// says exactly which identities and edges every path to each tier-zero
// identity goes through: removing one of those cuts the pair. An
// identity's own pairs are not counted against it. Paths-through comes
// from the breadth-first shortest-path DAG of each source.
//
// Chokepoints are sorted by cuts, then paths through, edges before
// identities, then by name; those with neither are left out.
func Chokepoints(ctx context.Context, e *Env, d *Derived, opts ChokepointOptions) (ChokepointsResult, error) {
	tier, err := TierZero(ctx, e, d)
	if err != nil {
		return ChokepointsResult{}, err
	}
	cg := newChokeGraph(d, tier)
	res := ChokepointsResult{Chokepoints: []Chokepoint{}, TierZero: len(tier)}
	sample := cmp.Or(opts.Sample, 5)
	acc := map[int64]*Chokepoint{} // by node of the split graph
	cutSrc, thruSrc := map[int64][]string{}, map[int64][]string{}
	note := func(m map[int64][]string, el int64, src string) {
		if l := m[el]; len(l) < sample && (len(l) == 0 || l[len(l)-1] != src) {
			m[el] = append(l, src)
		}
	}
	for _, s := range cg.sources { // sorted by ARN: the samples are the first ones
		if err := ctx.Err(); err != nil {
			return ChokepointsResult{}, err
		}
		src := principalARN(d.Index.Node(s))
		pairs := cg.cuts(s, func(el int64) {
			acc[el] = cmp.Or(acc[el], cg.chokepoint(el))
			acc[el].Cuts++
			note(cutSrc, el, src)
		})
		if pairs == 0 {
			continue
		}
		res.Sources++
		res.Pairs += pairs
		cg.through(s, func(el int64, n int) {
			acc[el] = cmp.Or(acc[el], cg.chokepoint(el))
			acc[el].PathsThrough += n
			note(thruSrc, el, src)
		})
	}
	for el, c := range acc {
		c.Sources = cutSrc[el]
		if c.Cuts == 0 {
			c.Sources = thruSrc[el]
		}
		if c.Sources == nil {
			c.Sources = []string{}
		}
		res.Chokepoints = append(res.Chokepoints, *c)
	}
	slices.SortFunc(res.Chokepoints, compareChokepoints)
	if opts.Top > 0 && len(res.Chokepoints) > opts.Top {
		res.Chokepoints = res.Chokepoints[:opts.Top]
	}
	return res, nil
}

func compareChokepoints(a, b Chokepoint) int {
	return cmp.Or(cmp.Compare(b.Cuts, a.Cuts), cmp.Compare(b.PathsThrough, a.PathsThrough),
		strings.Compare(a.Kind, b.Kind), strings.Compare(a.From, b.From), strings.Compare(a.To, b.To),
		strings.Compare(a.Identity, b.Identity))
}

// chokeGraph is the part of the derived graph between sources and tier
// zero, as a gonum graph in which edge u → v is u → x → v for a node x of
// its own (id n + index of the edge), so that dominators name edges too.
type chokeGraph struct {
	n       int64 // nodes of the index; split nodes have ids from n on
	g       *simple.DirectedGraph
	out     map[index.NodeID][]index.NodeID // the edges kept, by source node
	edges   []nodePair                      // by split node id - n
	edgeID  map[nodePair]int64              // split node id by edge
	tier    map[index.NodeID]int            // tier-zero node → its bit
	sources []index.NodeID                  // sorted by ARN
	d       *Derived
}

func newChokeGraph(d *Derived, tier []string) *chokeGraph {
	ix := d.Index
	cg := &chokeGraph{n: int64(ix.Len()), g: simple.NewDirectedGraph(), out: map[index.NodeID][]index.NodeID{},
		edgeID: map[nodePair]int64{}, tier: map[index.NodeID]int{}, d: d}
	kinds := d.traversal()
	// Nodes that reach tier zero: a backward search from it that does not
	// pass through it (a path ends at the first tier-zero identity).
	onPath := map[index.NodeID]bool{}
	var queue []index.NodeID
	for _, id := range tier {
		if n, ok := ix.Lookup(id); ok {
			cg.tier[n] = len(cg.tier)
			onPath[n] = true
			queue = append(queue, n)
		}
	}
	for ; len(queue) > 0; queue = queue[1:] {
		for _, k := range kinds {
			for _, u := range ix.In(queue[0], k) {
				if _, isTier := cg.tier[u]; !isTier && !onPath[u] {
					onPath[u] = true
					queue = append(queue, u)
				}
			}
		}
	}
	for u := range index.NodeID(ix.Len()) {
		if !onPath[u] {
			continue
		}
		if _, isTier := cg.tier[u]; isTier {
			continue
		}
		if k := ix.Kind(u); k == graph.KindUser || k == graph.KindRole || k == graph.KindExternalPrincipal {
			cg.sources = append(cg.sources, u)
		}
		var outs []index.NodeID
		for _, k := range kinds {
			for _, v := range ix.Out(u, k) {
				if !onPath[v] || v == u || slices.Contains(outs, v) {
					continue
				}
				outs = append(outs, v)
			}
		}
		slices.Sort(outs)
		for _, v := range outs {
			x := cg.n + int64(len(cg.edges))
			cg.edges = append(cg.edges, nodePair{u, v})
			cg.edgeID[nodePair{u, v}] = x
			cg.g.SetEdge(simple.Edge{F: simple.Node(u), T: simple.Node(x)})
			cg.g.SetEdge(simple.Edge{F: simple.Node(x), T: simple.Node(v)})
		}
		cg.out[u] = outs
	}
	slices.SortFunc(cg.sources, func(a, b index.NodeID) int {
		return strings.Compare(principalARN(ix.Node(a)), principalARN(ix.Node(b)))
	})
	return cg
}

// cuts computes the dominator tree from source s, calls cut for every
// element (identity or split edge node) that some (s, t) pair cannot
// avoid, once per pair, and returns the number of pairs.
func (cg *chokeGraph) cuts(s index.NodeID, cut func(el int64)) int {
	if cg.g.Node(int64(s)) == nil {
		return 0
	}
	dom := flow.Dominators(simple.Node(s), cg.g)
	pairs := 0
	for t := range cg.tier {
		if cg.g.Node(int64(t)) == nil || dom.DominatorOf(int64(t)) == nil {
			continue
		}
		pairs++
		for x := dom.DominatorOf(int64(t)); x != nil && x.ID() != int64(s); x = dom.DominatorOf(x.ID()) {
			cut(x.ID())
		}
	}
	return pairs
}

// through calls add for every element on a shortest path from s to a
// tier-zero node, with the number of tier-zero nodes whose shortest paths
// from s it is on.
func (cg *chokeGraph) through(s index.NodeID, add func(el int64, n int)) {
	dist := map[index.NodeID]int{s: 0}
	order := []index.NodeID{s}
	for i := 0; i < len(order); i++ {
		u := order[i]
		if _, isTier := cg.tier[u]; isTier {
			continue
		}
		for _, v := range cg.out[u] {
			if _, seen := dist[v]; !seen {
				dist[v] = dist[u] + 1
				order = append(order, v)
			}
		}
	}
	words := (len(cg.tier) + 63) / 64
	reach := map[index.NodeID][]uint64{}
	count := func(b []uint64) int {
		n := 0
		for _, w := range b {
			n += bits.OnesCount64(w)
		}
		return n
	}
	for i := len(order) - 1; i >= 0; i-- {
		u := order[i]
		b := make([]uint64, words)
		if bit, isTier := cg.tier[u]; isTier {
			b[bit/64] |= 1 << (bit % 64)
		} else {
			for _, v := range cg.out[u] {
				if dist[v] != dist[u]+1 || reach[v] == nil {
					continue
				}
				if c := count(reach[v]); c > 0 {
					add(cg.edgeID[nodePair{u, v}], c)
				}
				for w := range b {
					b[w] |= reach[v][w]
				}
			}
		}
		reach[u] = b
		if _, isTier := cg.tier[u]; !isTier && u != s {
			if c := count(b); c > 0 {
				add(int64(u), c)
			}
		}
	}
}

// chokepoint returns an empty Chokepoint naming element el.
func (cg *chokeGraph) chokepoint(el int64) *Chokepoint {
	ix := cg.d.Index
	if el < cg.n {
		return &Chokepoint{Kind: ChokepointIdentity, Identity: principalARN(ix.Node(index.NodeID(el)))}
	}
	p := cg.edges[el-cg.n]
	var kinds []string
	for _, ed := range cg.d.between(p.from, p.to) {
		if slices.Contains(traversalKinds, ed.Kind) && !slices.Contains(kinds, string(ed.Kind)) {
			kinds = append(kinds, string(ed.Kind))
		}
	}
	return &Chokepoint{Kind: ChokepointEdge, From: principalARN(ix.Node(p.from)), To: principalARN(ix.Node(p.to)),
		Edge: strings.Join(kinds, "+")}
}
