package index

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/permgraph/permgraph/graph"
)

func TestBuildNodes(t *testing.T) {
	t.Parallel()
	snap := fixture()
	ix := buildFixture(t)
	if ix.Len() != len(snap.Nodes) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(snap.Nodes))
	}
	if got := ix.Meta().ID; got != "s1" {
		t.Errorf("Meta().ID = %q, want s1", got)
	}
	for _, src := range snap.Nodes {
		n := must(t, ix, src.ID)
		want := NodeView{N: n, Kind: src.Kind, ID: src.ID, ARN: src.ARN, Name: src.Name,
			Account: src.Account, Class: src.Class}
		if diff := cmp.Diff(want, ix.Node(n)); diff != "" {
			t.Errorf("Node(%q) mismatch (-want +got):\n%s", src.ID, diff)
		}
		if ix.Kind(n) != src.Kind {
			t.Errorf("Kind(%q) = %q, want %q", src.ID, ix.Kind(n), src.Kind)
		}
	}
	// NodeIDs follow the order of graph IDs.
	for n := 1; n < ix.Len(); n++ {
		if a, b := ix.Node(NodeID(n-1)).ID, ix.Node(NodeID(n)).ID; a >= b {
			t.Errorf("node %d %q not before node %d %q", n-1, a, n, b)
		}
	}
	for _, id := range []string{"", "arn:aws:iam::111111111111:user/carol", "zzz", "0"} {
		if n, ok := ix.Lookup(id); ok {
			t.Errorf("Lookup(%q) = %d, want not found", id, n)
		}
	}
}

func TestBuildDeterministic(t *testing.T) {
	t.Parallel()
	a := buildFixture(t)
	snap := fixture()
	slices.Reverse(snap.Nodes)
	slices.Reverse(snap.Edges)
	b, err := Build(snap, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for n := range a.Len() {
		if a.Node(NodeID(n)).ID != b.Node(NodeID(n)).ID {
			t.Fatalf("node %d: %q vs %q after reordering the input", n, a.Node(NodeID(n)).ID, b.Node(NodeID(n)).ID)
		}
		for _, k := range a.Kinds() {
			if !slices.Equal(a.Out(NodeID(n), k), b.Out(NodeID(n), k)) {
				t.Fatalf("Out(%d, %s) differs after reordering the input", n, a.KindName(k))
			}
		}
	}
}

func TestAdjacency(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	tests := []struct {
		node string
		kind EdgeKindID
		dir  Direction
		want []string
	}{
		{bobID, MemberOf, Forward, []string{devsID}}, // the duplicate edge is kept once
		{devsID, MemberOf, Reverse, []string{aliceID, bobID}},
		{devsID, Attached, Forward, []string{readOnlyID}},
		{deployID, Trusts, Forward, []string{adminID, aliceID}},
		{deployID, Trusts, Reverse, []string{adminID}},
		{auditID, Trusts, Forward, []string{acct1, lambdaID}},
		{acct1, InAccount, Reverse, []string{devsID, adminID, deployID, aliceID, bobID}},
		{acct1, ChildOf, Forward, []string{ouID}},
		{rootID, PolicyTarget, Reverse, []string{scpID}},
		{bucketID, HasPolicy, Forward, []string{bucketPol}},
		{bobID, Boundary, Forward, []string{boundaryID}},
		{aliceID, Boundary, Forward, []string{}},
	}
	for _, tt := range tests {
		n := must(t, ix, tt.node)
		var got []NodeID
		if tt.dir == Forward {
			got = ix.Out(n, tt.kind)
		} else {
			got = ix.In(n, tt.kind)
		}
		if diff := cmp.Diff(tt.want, ids(ix, got)); diff != "" {
			t.Errorf("%s %s dir %d mismatch (-want +got):\n%s", tt.node, ix.KindName(tt.kind), tt.dir, diff)
		}
	}
	if got := ix.NumEdges(MemberOf); got != 2 {
		t.Errorf("NumEdges(MemberOf) = %d, want 2", got)
	}
	if ix.Out(0, 200) != nil || ix.Out(-1, MemberOf) != nil || ix.In(NodeID(ix.Len()), MemberOf) != nil {
		t.Error("Out/In of an unknown kind or node should be nil")
	}
}

func TestKindNames(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	for i, k := range graph.EdgeKinds {
		if got := ix.KindName(EdgeKindID(i)); got != string(k) {
			t.Errorf("KindName(%d) = %q, want %q", i, got, k)
		}
		if got, ok := ix.KindByName(string(k)); !ok || got != EdgeKindID(i) {
			t.Errorf("KindByName(%q) = %d, %v", k, got, ok)
		}
	}
	if len(ix.Kinds()) != len(graph.EdgeKinds) {
		t.Errorf("Kinds() = %v, want %d kinds", ix.Kinds(), len(graph.EdgeKinds))
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*graph.Snapshot)
		substr string
	}{
		{"duplicate id", func(s *graph.Snapshot) { s.Nodes = append(s.Nodes, graph.Node{ID: aliceID, Kind: graph.KindUser}) }, "duplicate id"},
		{"empty id", func(s *graph.Snapshot) { s.Nodes = append(s.Nodes, graph.Node{Kind: graph.KindUser}) }, "empty id"},
		{"unknown node kind", func(s *graph.Snapshot) { s.Nodes[0].Kind = "Robot" }, `unknown kind "Robot"`},
		{"unknown edge kind", func(s *graph.Snapshot) { s.Edges[3].Kind = "CanAssume" }, `edges[3] CanAssume`},
		{"dangling from", func(s *graph.Snapshot) { s.Edges[5].From = "nobody" }, "edges[5]"},
		{"dangling to", func(s *graph.Snapshot) { s.Edges[len(s.Edges)-1].To = "nowhere" }, "to: no such node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			snap := fixture()
			tt.edit(snap)
			_, err := Build(snap, DefaultOptions())
			if !errors.Is(err, graph.ErrInvalidSnapshot) {
				t.Fatalf("Build error = %v, want one wrapping graph.ErrInvalidSnapshot", err)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("Build error %q does not mention %q", err, tt.substr)
			}
		})
	}
	if _, err := Build(nil, DefaultOptions()); err == nil {
		t.Error("Build(nil) succeeded")
	}
}

func TestBuildEmpty(t *testing.T) {
	t.Parallel()
	ix, err := Build(&graph.Snapshot{}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 0 || ix.NumCompiled() != 0 || ix.Compiled(0) != nil {
		t.Errorf("empty index: Len %d, NumCompiled %d", ix.Len(), ix.NumCompiled())
	}
	if _, ok := ix.Lookup("x"); ok {
		t.Error("Lookup in an empty index succeeded")
	}
	if g := ix.Directed(); g.Nodes().Len() != 0 {
		t.Errorf("Directed().Nodes().Len() = %d", g.Nodes().Len())
	}
}

func TestWithLayer(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	alice, deploy, admin := must(t, ix, aliceID), must(t, ix, deployID), must(t, ix, adminID)
	derived, canAssume, err := ix.WithLayer("CanAssume",
		[]NodeID{alice, deploy, admin, alice}, []NodeID{deploy, admin, deploy, deploy})
	if err != nil {
		t.Fatal(err)
	}
	if canAssume != numStored {
		t.Errorf("first derived kind = %d, want %d", canAssume, numStored)
	}
	if diff := cmp.Diff([]string{adminID, aliceID}, ids(derived, derived.In(deploy, canAssume))); diff != "" {
		t.Errorf("In(deploy, CanAssume) mismatch (-want +got):\n%s", diff)
	}
	if k, ok := derived.KindByName("CanAssume"); !ok || k != canAssume {
		t.Errorf("KindByName(CanAssume) = %d, %v", k, ok)
	}
	if _, ok := ix.KindByName("CanAssume"); ok || len(ix.Kinds()) != int(numStored) {
		t.Error("WithLayer changed the original index")
	}
	// Stored layers and policies are shared, not copied.
	if &derived.nodes[0] != &ix.nodes[0] || derived.Compiled(must(t, ix, readOnlyID)) != ix.Compiled(must(t, ix, readOnlyID)) {
		t.Error("WithLayer copied what it should share")
	}
	// Two layers derived from the same index do not clobber each other.
	d2, k2, err := ix.WithLayer("CanPassRole", []NodeID{deploy}, []NodeID{admin})
	if err != nil {
		t.Fatal(err)
	}
	if derived.KindName(canAssume) != "CanAssume" || d2.KindName(k2) != "CanPassRole" {
		t.Errorf("sibling layers clobbered: %q, %q", derived.KindName(canAssume), d2.KindName(k2))
	}

	if _, _, err := derived.WithLayer("CanAssume", nil, nil); !errors.Is(err, ErrDuplicateKind) {
		t.Errorf("duplicate kind: err = %v, want ErrDuplicateKind", err)
	}
	if _, _, err := ix.WithLayer("Bad", []NodeID{0}, []NodeID{NodeID(ix.Len())}); err == nil {
		t.Error("WithLayer accepted a node out of range")
	}
}
