package index

import (
	"errors"
	"fmt"
	"math"
)

// CSR is the adjacency of one edge kind in one direction, in compressed
// sparse row form: the neighbours of node v are
// Targets[Offsets[v]:Offsets[v+1]], sorted by NodeID and without duplicates.
// A CSR is read-only once built.
type CSR struct {
	offsets []int32  // len NumNodes()+1, offsets[0] == 0
	targets []NodeID // len NumEdges()
}

// ErrTooLarge is returned when a graph does not fit the int32 ids and
// offsets of the index.
var ErrTooLarge = errors.New("index: graph too large for int32 ids")

// NewCSR builds the forward adjacency of n nodes from an edge list (from[i]
// → to[i]) by counting sort, in O(n + len(from)) time. Duplicate edges are
// kept once. It fails if the lists differ in length or name a node outside
// [0, n).
func NewCSR(n int, from, to []NodeID) (CSR, error) {
	if len(from) != len(to) {
		return CSR{}, fmt.Errorf("index: NewCSR: %d sources but %d targets", len(from), len(to))
	}
	if n > math.MaxInt32 || len(from) > math.MaxInt32 {
		return CSR{}, fmt.Errorf("%w: %d nodes, %d edges", ErrTooLarge, n, len(from))
	}
	for i := range from {
		if uint(from[i]) >= uint(n) || uint(to[i]) >= uint(n) {
			return CSR{}, fmt.Errorf("index: NewCSR: edge %d (%d → %d) outside [0, %d)", i, from[i], to[i], n)
		}
	}
	fwd, _ := buildPair(n, from, to)
	return fwd, nil
}

// buildPair returns the forward and reverse CSR of a valid edge list, both
// with sorted, deduplicated rows. Three counting passes: scatter by source
// (rows unsorted), transpose (reverse rows come out sorted because sources
// are visited in order), deduplicate, transpose back.
func buildPair(n int, from, to []NodeID) (fwd, rev CSR) {
	off := make([]int32, n+1)
	for _, f := range from {
		off[f+1]++
	}
	for v := range n {
		off[v+1] += off[v]
	}
	pos := make([]int32, n)
	copy(pos, off[:n])
	tg := make([]NodeID, len(from))
	for i, f := range from {
		tg[pos[f]] = to[i]
		pos[f]++
	}
	unsorted := CSR{offsets: off, targets: tg}
	rev = unsorted.transpose(pos)
	rev.dedupe()
	fwd = rev.transpose(pos)
	return fwd, rev
}

// Transpose returns the CSR with every edge reversed.
func (c CSR) Transpose() CSR { return c.transpose(nil) }

// transpose reverses every edge; rows of the result are sorted. scratch, if
// long enough, is used for the write positions.
func (c CSR) transpose(scratch []int32) CSR {
	n := c.NumNodes()
	off := make([]int32, n+1)
	for _, t := range c.targets {
		off[t+1]++
	}
	for v := range n {
		off[v+1] += off[v]
	}
	pos := scratch
	if len(pos) < n {
		pos = make([]int32, n)
	}
	copy(pos, off[:n])
	tg := make([]NodeID, len(c.targets))
	for v := range n {
		for _, t := range c.targets[c.offsets[v]:c.offsets[v+1]] {
			tg[pos[t]] = NodeID(v)
			pos[t]++
		}
	}
	return CSR{offsets: off, targets: tg}
}

// dedupe removes repeated targets from sorted rows, in place.
func (c *CSR) dedupe() {
	w, start := int32(0), int32(0)
	for v := range c.NumNodes() {
		end, row := c.offsets[v+1], w
		for _, t := range c.targets[start:end] {
			if w > row && c.targets[w-1] == t {
				continue
			}
			c.targets[w] = t
			w++
		}
		c.offsets[v+1], start = w, end
	}
	if int(w) < len(c.targets) {
		c.targets = append([]NodeID(nil), c.targets[:w]...)
	}
}

// Row returns the neighbours of v, sorted. The slice aliases the CSR and
// must not be modified; its capacity is clipped so that appending to it
// copies. A node outside the CSR has no neighbours.
func (c CSR) Row(v NodeID) []NodeID {
	if uint(v) >= uint(c.NumNodes()) {
		return nil
	}
	lo, hi := c.offsets[v], c.offsets[v+1]
	return c.targets[lo:hi:hi]
}

// Has reports whether the edge v → w is in the CSR, by binary search.
func (c CSR) Has(v, w NodeID) bool {
	row := c.Row(v)
	lo, hi := 0, len(row)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if row[m] < w {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(row) && row[lo] == w
}

// NumNodes returns the number of rows.
func (c CSR) NumNodes() int { return max(len(c.offsets)-1, 0) }

// NumEdges returns the number of edges.
func (c CSR) NumEdges() int { return len(c.targets) }

// bytes returns the memory held by the arrays.
func (c CSR) bytes() int { return 4 * (len(c.offsets) + len(c.targets)) }
