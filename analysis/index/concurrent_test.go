package index

import (
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/graph/topo"
)

// TestConcurrentReads runs every kind of query from many goroutines at once
// against one index, checking each answer against one computed alone. Run
// it with -race.
func TestConcurrentReads(t *testing.T) {
	t.Parallel()
	snap, _, _ := randomSnapshot(2_000, 8_000, 3)
	snap.Nodes = append(snap.Nodes, fixture().Nodes...) // policies too
	ix, err := Build(snap, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		ID      string
		Out, In []NodeID
		Reached int
		Path    []NodeID
		Policy  bool
	}
	query := func(v NodeID) answer {
		id := ix.Node(v).ID
		n, _ := ix.Lookup(id)
		r := ix.Reach(n, Forward, MemberOf, Trusts, Attached)
		return answer{
			ID: id, Out: ix.Out(n, Trusts), In: ix.In(n, MemberOf),
			Reached: r.Len(), Path: r.Path(r.Order[len(r.Order)-1]), Policy: ix.Compiled(n) != nil,
		}
	}
	want := make([]answer, ix.Len())
	for v := range want {
		want[v] = query(NodeID(v))
	}
	sccs := len(topo.TarjanSCC(ix.Directed(Trusts)))

	const goroutines = 16
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			if g%4 == 0 { // some run gonum over a shared view
				if got := len(topo.TarjanSCC(ix.Directed(Trusts))); got != sccs {
					errs <- "TarjanSCC differs"
				}
			}
			for i := range 400 {
				v := NodeID((g*7919 + i*104729) % ix.Len())
				if diff := cmp.Diff(want[v], query(v)); diff != "" {
					errs <- diff
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if !slices.ContainsFunc(want, func(a answer) bool { return a.Policy }) {
		t.Error("no policy node was queried")
	}
}
