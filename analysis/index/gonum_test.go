package index

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/topo"
	"gonum.org/v1/gonum/graph/traverse"
)

// gids turns gonum nodes into graph IDs.
func gids(ix *Index, ns []gonum.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = ix.Node(NodeID(n.ID())).ID
	}
	return out
}

func TestGonumTarjanSCC(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	sccs := topo.TarjanSCC(ix.Directed(Trusts))
	var cyclic [][]string
	total := 0
	for _, c := range sccs {
		total += len(c)
		if len(c) > 1 {
			ids := gids(ix, c)
			slices.Sort(ids)
			cyclic = append(cyclic, ids)
		}
	}
	if total != ix.Len() {
		t.Errorf("components cover %d nodes, want %d", total, ix.Len())
	}
	if diff := cmp.Diff([][]string{{adminID, deployID}}, cyclic); diff != "" {
		t.Errorf("roles that trust each other (-want +got):\n%s", diff)
	}
}

func TestGonumDijkstra(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	g := ix.Directed(MemberOf, Attached)
	alice := g.Node(int64(must(t, ix, aliceID)))
	sp := path.DijkstraFrom(alice, g)

	p, w := sp.To(int64(must(t, ix, readOnlyID)))
	if diff := cmp.Diff([]string{aliceID, devsID, readOnlyID}, gids(ix, p)); diff != "" {
		t.Errorf("path alice → ReadOnlyAccess (-want +got):\n%s", diff)
	}
	if w != 2 {
		t.Errorf("weight = %v, want 2", w)
	}
	if p, w := sp.To(int64(must(t, ix, bobInl))); p != nil || !math.IsInf(w, 1) {
		t.Errorf("alice → bob's inline policy: path %v weight %v, want none", gids(ix, p), w)
	}
}

func TestGonumBreadthFirst(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	var got []string
	var depth []int
	bf := traverse.BreadthFirst{Visit: func(n gonum.Node) { got = append(got, ix.Node(NodeID(n.ID())).ID) }}
	bf.Walk(ix.Directed(ChildOf), Node(must(t, ix, acct1)), func(_ gonum.Node, d int) bool {
		depth = append(depth, d)
		return false
	})
	if diff := cmp.Diff([]string{acct1, ouID, rootID, orgID}, got); diff != "" {
		t.Errorf("BFS up the OU tree (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 1, 2, 3}, depth); diff != "" {
		t.Errorf("BFS depths (-want +got):\n%s", diff)
	}
}

func TestGonumView(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	g := ix.Directed() // every kind, merged
	deploy, acct, alice, devs := int64(must(t, ix, deployID)), int64(must(t, ix, acct1)), int64(must(t, ix, aliceID)), int64(must(t, ix, devsID))

	if !g.HasEdgeFromTo(deploy, acct) || g.HasEdgeFromTo(acct, deploy) || !g.HasEdgeBetween(acct, deploy) {
		t.Error("InAccount edge deploy → account: wrong HasEdge answers")
	}
	if e := g.Edge(deploy, alice); e == nil || e.From().ID() != deploy || e.To().ID() != alice ||
		e.ReversedEdge().From().ID() != alice {
		t.Errorf("Edge(deploy, alice) = %v", e)
	}
	if e := g.Edge(alice, deploy); e != nil {
		t.Errorf("Edge(alice, deploy) = %v, want nil", e)
	}
	if g.Node(-1) != nil || g.Node(int64(ix.Len())) != nil || g.Node(alice).ID() != alice {
		t.Error("Node: wrong answer at or inside the bounds")
	}
	if g.From(-5) != gonum.Empty || g.To(1<<40) != gonum.Empty {
		t.Error("From/To of unknown ids should be graph.Empty")
	}
	if g.HasEdgeFromTo(-1, alice) || g.HasEdgeFromTo(alice, 1<<40) {
		t.Error("HasEdgeFromTo with unknown ids should be false")
	}

	// Iterator protocol: Len counts what is left, Reset starts again.
	it := g.To(devs)
	if it.Len() != 2 || it.Node() != nil {
		t.Fatalf("To(devs) before Next: Len %d, Node %v", it.Len(), it.Node())
	}
	var first []string
	for it.Next() {
		first = append(first, ix.Node(NodeID(it.Node().ID())).ID)
	}
	if it.Len() != 0 || it.Node() != nil || it.Next() {
		t.Error("exhausted iterator still yields")
	}
	it.Reset()
	if diff := cmp.Diff(first, gids(ix, gonum.NodesOf(it))); diff != "" || len(first) != 2 {
		t.Errorf("after Reset (-first +again):\n%s", diff)
	}
	all := g.Nodes()
	if all.Len() != ix.Len() || len(gonum.NodesOf(all)) != ix.Len() {
		t.Errorf("Nodes(): Len %d, want %d", all.Len(), ix.Len())
	}

	// The merged view has each pair once, even when several kinds link it.
	for u := range ix.Len() {
		var want []NodeID
		for _, k := range ix.Kinds() {
			want = append(want, ix.Out(NodeID(u), k)...)
		}
		slices.Sort(want)
		want = slices.Compact(want)
		got := gonum.NodesOf(g.From(int64(u)))
		if diff := cmp.Diff(ids(ix, want), gids(ix, got)); diff != "" {
			t.Errorf("From(%s) (-want +got):\n%s", ix.Node(NodeID(u)).ID, diff)
		}
	}
}

func TestDirectedPanicsOnUnknownKind(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	defer func() {
		if recover() == nil {
			t.Error("Directed(99) did not panic")
		}
	}()
	ix.Directed(99)
}
