package index

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/permgraph/permgraph/graph"
)

// ErrDuplicateKind is returned by [Index.WithLayer] for a name the index
// already has.
var ErrDuplicateKind = errors.New("index: edge kind already exists")

// buildStoredLayers resolves the snapshot's edges to NodeIDs (in parallel:
// two map lookups per edge dominate) and builds one layer per stored kind.
func (ix *Index) buildStoredLayers(edges []graph.Edge, ids map[string]NodeID, workers int) error {
	kinds := make([]EdgeKindID, len(edges))
	from := make([]NodeID, len(edges))
	to := make([]NodeID, len(edges))
	chunk := max((len(edges)+workers-1)/workers, 1)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(w*chunk, len(edges)), min((w+1)*chunk, len(edges))
		wg.Go(func() { errs[w] = resolveEdges(edges[lo:hi], lo, ids, kinds[lo:hi], from[lo:hi], to[lo:hi]) })
	}
	wg.Wait()
	for _, err := range errs { // chunks are in edge order: the first error is the earliest
		if err != nil {
			return err
		}
	}

	// Counting sort by kind splits the list into one contiguous run per kind.
	var start [numStored + 1]int
	for _, k := range kinds {
		start[k+1]++
	}
	for k := range numStored {
		start[k+1] += start[k]
	}
	pos := start
	kf, kt := make([]NodeID, len(edges)), make([]NodeID, len(edges))
	for i, k := range kinds {
		kf[pos[k]], kt[pos[k]] = from[i], to[i]
		pos[k]++
	}

	ix.layers = make([]layer, numStored)
	sem := make(chan struct{}, workers)
	for k := range numStored {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			lo, hi := start[k], start[k+1]
			out, in := buildPair(len(ix.nodes), kf[lo:hi], kt[lo:hi])
			ix.layers[k] = layer{name: string(graph.EdgeKinds[k]), out: out, in: in}
		})
	}
	wg.Wait()
	return nil
}

func resolveEdges(edges []graph.Edge, base int, ids map[string]NodeID, kinds []EdgeKindID, from, to []NodeID) error {
	for i := range edges {
		e := &edges[i]
		k, ok := storedKind(e.Kind)
		if !ok {
			return edgeError(base+i, e, fmt.Sprintf("unknown edge kind %q", e.Kind))
		}
		f, ok := ids[e.From]
		if !ok {
			return edgeError(base+i, e, "from: no such node")
		}
		t, ok := ids[e.To]
		if !ok {
			return edgeError(base+i, e, "to: no such node")
		}
		kinds[i], from[i], to[i] = k, f, t
	}
	return nil
}

func edgeError(i int, e *graph.Edge, msg string) error {
	return fmt.Errorf("%w: edges[%d] %s %q → %q: %s", graph.ErrInvalidSnapshot, i, e.Kind, e.From, e.To, msg)
}

// WithLayer returns a new index that shares everything with ix and adds the
// edge kind name with the edges from[i] → to[i] (duplicates kept once).
// This is how analysis adds derived edges (CanAssume, CanEscalate, …); ix
// itself is unchanged, so readers of it are undisturbed.
func (ix *Index) WithLayer(name string, from, to []NodeID) (*Index, EdgeKindID, error) {
	if _, dup := ix.KindByName(name); dup {
		return nil, 0, fmt.Errorf("index: WithLayer %q: %w", name, ErrDuplicateKind)
	}
	if len(ix.layers) > math.MaxUint8 {
		return nil, 0, fmt.Errorf("index: WithLayer %q: more than %d edge kinds", name, math.MaxUint8+1)
	}
	if _, err := NewCSR(len(ix.nodes), from, to); err != nil { // validates the list
		return nil, 0, fmt.Errorf("index: WithLayer %q: %w", name, err)
	}
	out, in := buildPair(len(ix.nodes), from, to)
	cp := *ix
	cp.layers = append(slices.Clip(ix.layers), layer{name: name, out: out, in: in})
	return &cp, EdgeKindID(len(cp.layers) - 1), nil
}

// Kinds returns every edge kind of the index, stored kinds first.
func (ix *Index) Kinds() []EdgeKindID {
	ks := make([]EdgeKindID, len(ix.layers))
	for i := range ks {
		ks[i] = EdgeKindID(i)
	}
	return ks
}

// KindName returns the name of edge kind k ("MemberOf", "CanAssume", …), or
// "" if the index has no such kind.
func (ix *Index) KindName(k EdgeKindID) string {
	if int(k) >= len(ix.layers) {
		return ""
	}
	return ix.layers[k].name
}

// KindByName returns the edge kind called name.
func (ix *Index) KindByName(name string) (EdgeKindID, bool) {
	i := slices.IndexFunc(ix.layers, func(l layer) bool { return l.name == name })
	return EdgeKindID(max(i, 0)), i >= 0
}

// Out returns the nodes n links to by edges of kind k, sorted. The slice
// aliases the index: do not modify it. An unknown kind or node has none.
func (ix *Index) Out(n NodeID, k EdgeKindID) []NodeID { return ix.CSR(k, Forward).Row(n) }

// In returns the nodes linking to n by edges of kind k, sorted. The slice
// aliases the index: do not modify it.
func (ix *Index) In(n NodeID, k EdgeKindID) []NodeID { return ix.CSR(k, Reverse).Row(n) }

// CSR returns the adjacency of kind k in direction d; the zero CSR (no
// nodes) if the index has no such kind.
func (ix *Index) CSR(k EdgeKindID, d Direction) CSR {
	if int(k) >= len(ix.layers) {
		return CSR{}
	}
	if d == Reverse {
		return ix.layers[k].in
	}
	return ix.layers[k].out
}

// NumEdges returns the number of distinct edges of kind k.
func (ix *Index) NumEdges(k EdgeKindID) int { return ix.CSR(k, Forward).NumEdges() }
