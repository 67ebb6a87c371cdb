package index

import (
	"fmt"
	"slices"

	"github.com/bits-and-blooms/bitset"
)

// Reach is the result of a breadth-first search from one node: the set of
// nodes reached and, for each, the node and edge kind it was first reached
// from, so that [Reach.Path] gives a shortest path in hops.
type Reach struct {
	From  NodeID
	Set   *bitset.BitSet // bit v is set if v was reached; From is always reached
	Order []NodeID       // reached nodes in BFS order, From first
	// parent[v] and via[v] hold for reached v only; parent[From] is None.
	parent []NodeID
	via    []EdgeKindID
}

// Reach searches breadth-first from node from, following edges of the given
// kinds in direction dir (Reverse answers "who reaches from"), or of every
// kind if none is given. It shares no mutable state: concurrent calls are
// safe. It panics on a node or kind the index does not have.
func (ix *Index) Reach(from NodeID, dir Direction, kinds ...EdgeKindID) *Reach {
	if uint(from) >= uint(ix.Len()) {
		panic(fmt.Sprintf("index: Reach: no node %d", from))
	}
	if len(kinds) == 0 {
		kinds = ix.Kinds()
	}
	csrs := make([]CSR, len(kinds))
	for i, k := range kinds {
		if int(k) >= len(ix.layers) {
			panic(fmt.Sprintf("index: Reach: no edge kind %d", k))
		}
		csrs[i] = ix.CSR(k, dir)
	}
	n := ix.Len()
	r := &Reach{
		From:   from,
		Set:    bitset.New(uint(n)),
		Order:  make([]NodeID, 0, 64),
		parent: make([]NodeID, n),
		via:    make([]EdgeKindID, n),
	}
	r.Set.Set(uint(from))
	r.parent[from] = None
	r.Order = append(r.Order, from)
	for head := 0; head < len(r.Order); head++ {
		v := r.Order[head]
		for i, c := range csrs {
			for _, w := range c.Row(v) {
				if r.Set.Test(uint(w)) {
					continue
				}
				r.Set.Set(uint(w))
				r.parent[w], r.via[w] = v, kinds[i]
				r.Order = append(r.Order, w)
			}
		}
	}
	return r
}

// Has reports whether n was reached.
func (r *Reach) Has(n NodeID) bool { return n >= 0 && r.Set.Test(uint(n)) }

// Len returns the number of nodes reached, From included.
func (r *Reach) Len() int { return len(r.Order) }

// Parent returns the node n was first reached from and the kind of that
// edge; ok is false if n was not reached or is From.
func (r *Reach) Parent(n NodeID) (p NodeID, kind EdgeKindID, ok bool) {
	if !r.Has(n) || n == r.From {
		return None, 0, false
	}
	return r.parent[n], r.via[n], true
}

// Path returns a shortest path in hops from From to to, both included, or
// nil if to was not reached. In a Reverse search the path runs against the
// edges: each node is reached by an edge from the next one.
func (r *Reach) Path(to NodeID) []NodeID {
	if !r.Has(to) {
		return nil
	}
	var p []NodeID
	for v := to; v != None; v = r.parent[v] {
		p = append(p, v)
	}
	slices.Reverse(p)
	return p
}
