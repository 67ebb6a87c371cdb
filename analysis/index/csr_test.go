package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/permgraph/permgraph/graph"
)

// naive is the adjacency oracle: per kind, per node, the set of neighbours.
type naive map[EdgeKindID]map[NodeID]map[NodeID]bool

func (a naive) add(k EdgeKindID, f, t NodeID) {
	if a[k] == nil {
		a[k] = map[NodeID]map[NodeID]bool{}
	}
	if a[k][f] == nil {
		a[k][f] = map[NodeID]bool{}
	}
	a[k][f][t] = true
}

func (a naive) row(k EdgeKindID, v NodeID) []NodeID {
	var out []NodeID
	for w := range a[k][v] {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

func (a naive) count(k EdgeKindID) int {
	n := 0
	for _, row := range a[k] {
		n += len(row)
	}
	return n
}

// checkRows compares every row of c with the oracle.
func checkRows(t *testing.T, what string, c CSR, n int, want func(NodeID) []NodeID) {
	t.Helper()
	if c.NumNodes() != n {
		t.Fatalf("%s: NumNodes = %d, want %d", what, c.NumNodes(), n)
	}
	for v := range NodeID(n) {
		if got, w := c.Row(v), want(v); !slices.Equal(got, w) {
			t.Fatalf("%s: row %d = %v, want %v", what, v, got, w)
		}
	}
}

func TestCSRRandom(t *testing.T) {
	t.Parallel()
	const n, m = 10_000, 50_000
	rng := rand.New(rand.NewPCG(1, 2))
	from, to := make([]NodeID, m), make([]NodeID, m)
	fwd, rev := naive{}, naive{}
	for i := range m {
		f, t := NodeID(rng.IntN(n)), NodeID(rng.IntN(n))
		if i%10 == 0 && i > 0 { // duplicates and self-loops too
			f, t = from[i-1], to[i-1]
		}
		if i%97 == 0 {
			t = f
		}
		from[i], to[i] = f, t
		fwd.add(0, f, t)
		rev.add(0, t, f)
	}
	c, err := NewCSR(n, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if c.NumEdges() != fwd.count(0) {
		t.Errorf("NumEdges = %d, want %d distinct", c.NumEdges(), fwd.count(0))
	}
	checkRows(t, "forward", c, n, func(v NodeID) []NodeID { return fwd.row(0, v) })
	checkRows(t, "transpose", c.Transpose(), n, func(v NodeID) []NodeID { return rev.row(0, v) })
	for range 1000 {
		f, w := NodeID(rng.IntN(n)), NodeID(rng.IntN(n))
		if c.Has(f, w) != fwd[0][f][w] {
			t.Fatalf("Has(%d, %d) = %v", f, w, c.Has(f, w))
		}
	}
}

func TestNewCSRErrors(t *testing.T) {
	t.Parallel()
	if _, err := NewCSR(3, []NodeID{0}, nil); err == nil {
		t.Error("mismatched lists accepted")
	}
	if _, err := NewCSR(3, []NodeID{0, -1}, []NodeID{1, 2}); err == nil {
		t.Error("negative node accepted")
	}
	if _, err := NewCSR(3, []NodeID{0}, []NodeID{3}); err == nil {
		t.Error("node out of range accepted")
	}
	c, err := NewCSR(0, nil, nil)
	if err != nil || c.NumNodes() != 0 || c.Row(0) != nil || c.Has(0, 0) {
		t.Errorf("empty CSR: %v, %+v", err, c)
	}
	var zero CSR
	if zero.NumNodes() != 0 || zero.Row(0) != nil {
		t.Error("zero CSR should have no rows")
	}
}

// randomSnapshot returns a snapshot of n nodes and m edges of random stored
// kinds between random nodes, with its oracle keyed by the NodeIDs that
// Build will assign (node i has graph ID fmt.Sprintf("n%07d", i)).
func randomSnapshot(n, m int, seed uint64) (*graph.Snapshot, naive, naive) {
	rng := rand.New(rand.NewPCG(seed, seed))
	snap := &graph.Snapshot{Nodes: make([]graph.Node, n), Edges: make([]graph.Edge, m)}
	for i, p := range rng.Perm(n) { // input order differs from NodeID order
		snap.Nodes[i] = graph.Node{ID: fmt.Sprintf("n%07d", p), Kind: graph.KindRole}
	}
	fwd, rev := naive{}, naive{}
	for i := range m {
		k := EdgeKindID(rng.IntN(int(numStored)))
		f, t := NodeID(rng.IntN(n)), NodeID(rng.IntN(n))
		snap.Edges[i] = graph.Edge{From: fmt.Sprintf("n%07d", f), To: fmt.Sprintf("n%07d", t), Kind: graph.EdgeKinds[k]}
		fwd.add(k, f, t)
		rev.add(k, t, f)
	}
	return snap, fwd, rev
}

func TestBuildRandom(t *testing.T) {
	t.Parallel()
	const n, m = 10_000, 50_000
	snap, fwd, rev := randomSnapshot(n, m, 7)
	ix, err := Build(snap, DefaultOptions().WithWorkers(3))
	if err != nil {
		t.Fatal(err)
	}
	for v := range NodeID(n) {
		if id := ix.Node(v).ID; id != fmt.Sprintf("n%07d", v) {
			t.Fatalf("node %d is %q", v, id)
		}
	}
	for _, k := range ix.Kinds() {
		if ix.NumEdges(k) != fwd.count(k) {
			t.Errorf("%s: %d edges, want %d", ix.KindName(k), ix.NumEdges(k), fwd.count(k))
		}
		checkRows(t, ix.KindName(k)+" out", ix.CSR(k, Forward), n, func(v NodeID) []NodeID { return fwd.row(k, v) })
		checkRows(t, ix.KindName(k)+" in", ix.CSR(k, Reverse), n, func(v NodeID) []NodeID { return rev.row(k, v) })
	}

	// Reach agrees with a naive BFS over the union of kinds.
	start := NodeID(17)
	seen := map[NodeID]bool{start: true}
	queue := []NodeID{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, k := range ix.Kinds() {
			for w := range fwd[k][v] {
				if !seen[w] {
					seen[w] = true
					queue = append(queue, w)
				}
			}
		}
	}
	r := ix.Reach(start, Forward)
	if r.Len() != len(seen) {
		t.Fatalf("Reach: %d nodes, naive BFS %d", r.Len(), len(seen))
	}
	for v := range seen {
		p := r.Path(v)
		if len(p) == 0 || p[0] != start || p[len(p)-1] != v {
			t.Fatalf("Path(%d) = %v", v, p)
		}
		for i := 1; i < len(p); i++ {
			_, k, _ := r.Parent(p[i])
			if !fwd[k][p[i-1]][p[i]] {
				t.Fatalf("Path(%d): no %s edge %d → %d", v, ix.KindName(k), p[i-1], p[i])
			}
		}
	}
}
