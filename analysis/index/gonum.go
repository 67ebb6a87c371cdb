package index

import (
	"fmt"

	"gonum.org/v1/gonum/graph"
)

// Graph is a view of some edge kinds of an [Index] as a gonum
// graph.Directed, so that gonum's algorithms (topo.TarjanSCC,
// path.DijkstraFrom, traverse.BreadthFirst, network.Betweenness, …) run on
// the index unchanged. Gonum node IDs are NodeIDs. An edge u → v exists if
// the index has an edge u → v of any chosen kind. A Graph is read-only and
// safe for concurrent use.
type Graph struct {
	n       int
	out, in CSR
}

var _ graph.Directed = (*Graph)(nil)

// Directed returns the gonum view of the edge kinds given, or of every kind
// if none is given. With one kind the view reads that kind's CSR directly;
// with several it first merges them into one CSR pair, in O(V+E).
// It panics on a kind the index does not have, as that is a programming
// error: kinds come from the constants or from [Index.WithLayer].
func (ix *Index) Directed(kinds ...EdgeKindID) *Graph {
	if len(kinds) == 0 {
		kinds = ix.Kinds()
	}
	for _, k := range kinds {
		if int(k) >= len(ix.layers) {
			panic(fmt.Sprintf("index: Directed: no edge kind %d", k))
		}
	}
	g := &Graph{n: ix.Len()}
	if len(kinds) == 1 {
		g.out, g.in = ix.layers[kinds[0]].out, ix.layers[kinds[0]].in
		return g
	}
	var total int
	for _, k := range kinds {
		total += ix.layers[k].out.NumEdges()
	}
	from, to := make([]NodeID, 0, total), make([]NodeID, 0, total)
	for _, k := range kinds {
		c := ix.layers[k].out
		for v := range g.n {
			for _, t := range c.Row(NodeID(v)) {
				from, to = append(from, NodeID(v)), append(to, t)
			}
		}
	}
	g.out, g.in = buildPair(g.n, from, to)
	return g
}

// Node is a gonum node standing for an index node.
type Node NodeID

// ID returns the NodeID as an int64.
func (n Node) ID() int64 { return int64(n) }

// Edge is a gonum edge between two index nodes.
type Edge struct{ F, T Node }

// From returns the source node.
func (e Edge) From() graph.Node { return e.F }

// To returns the target node.
func (e Edge) To() graph.Node { return e.T }

// ReversedEdge returns the edge with its ends swapped.
func (e Edge) ReversedEdge() graph.Edge { return Edge{F: e.T, T: e.F} }

func (g *Graph) has(id int64) bool { return id >= 0 && id < int64(g.n) }

// Node returns the node with the given id, or nil.
func (g *Graph) Node(id int64) graph.Node {
	if !g.has(id) {
		return nil
	}
	return Node(id)
}

// Nodes returns all nodes, in NodeID order.
func (g *Graph) Nodes() graph.Nodes {
	if g.n == 0 {
		return graph.Empty
	}
	return &rangeNodes{n: g.n, cur: -1}
}

// From returns the nodes id links to.
func (g *Graph) From(id int64) graph.Nodes { return g.row(g.out, id) }

// To returns the nodes linking to id.
func (g *Graph) To(id int64) graph.Nodes { return g.row(g.in, id) }

func (g *Graph) row(c CSR, id int64) graph.Nodes {
	if !g.has(id) {
		return graph.Empty
	}
	r := c.Row(NodeID(id))
	if len(r) == 0 {
		return graph.Empty
	}
	return &sliceNodes{s: r, cur: -1}
}

// HasEdgeBetween reports whether an edge links x and y either way.
func (g *Graph) HasEdgeBetween(xid, yid int64) bool {
	return g.HasEdgeFromTo(xid, yid) || g.HasEdgeFromTo(yid, xid)
}

// HasEdgeFromTo reports whether the edge u → v exists.
func (g *Graph) HasEdgeFromTo(uid, vid int64) bool {
	return g.has(uid) && g.has(vid) && g.out.Has(NodeID(uid), NodeID(vid))
}

// Edge returns the edge u → v, or nil if there is none.
func (g *Graph) Edge(uid, vid int64) graph.Edge {
	if !g.HasEdgeFromTo(uid, vid) {
		return nil
	}
	return Edge{F: Node(uid), T: Node(vid)}
}

// sliceNodes iterates a CSR row without copying it.
type sliceNodes struct {
	s   []NodeID
	cur int
}

func (it *sliceNodes) Next() bool {
	if it.cur+1 >= len(it.s) {
		it.cur = len(it.s)
		return false
	}
	it.cur++
	return true
}
func (it *sliceNodes) Len() int         { return max(len(it.s)-it.cur-1, 0) }
func (it *sliceNodes) Reset()           { it.cur = -1 }
func (it *sliceNodes) Node() graph.Node { return nodeAt(it.s, it.cur) }

func nodeAt(s []NodeID, i int) graph.Node {
	if i < 0 || i >= len(s) {
		return nil
	}
	return Node(s[i])
}

// rangeNodes iterates NodeIDs 0 … n-1.
type rangeNodes struct{ n, cur int }

func (it *rangeNodes) Next() bool {
	if it.cur+1 >= it.n {
		it.cur = it.n
		return false
	}
	it.cur++
	return true
}
func (it *rangeNodes) Len() int { return max(it.n-it.cur-1, 0) }
func (it *rangeNodes) Reset()   { it.cur = -1 }
func (it *rangeNodes) Node() graph.Node {
	if it.cur < 0 || it.cur >= it.n {
		return nil
	}
	return Node(it.cur)
}
