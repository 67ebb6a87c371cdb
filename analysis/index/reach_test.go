package index

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReach(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	alice, devs, ro := must(t, ix, aliceID), must(t, ix, devsID), must(t, ix, readOnlyID)

	r := ix.Reach(alice, Forward, MemberOf, Attached)
	got := ids(ix, r.Order)
	slices.Sort(got)
	if diff := cmp.Diff([]string{devsID, aliceID, aliceInl, readOnlyID}, got); diff != "" {
		t.Errorf("reached from alice (-want +got):\n%s", diff)
	}
	if r.Len() != 4 || int(r.Set.Count()) != 4 || r.Order[0] != alice {
		t.Errorf("Len %d, Count %d, Order[0] %d", r.Len(), r.Set.Count(), r.Order[0])
	}
	if diff := cmp.Diff([]string{aliceID, devsID, readOnlyID}, ids(ix, r.Path(ro))); diff != "" {
		t.Errorf("Path(ReadOnlyAccess) (-want +got):\n%s", diff)
	}
	if p, k, ok := r.Parent(ro); !ok || p != devs || k != Attached {
		t.Errorf("Parent(ReadOnlyAccess) = %d, %s, %v; want devs, Attached", p, ix.KindName(k), ok)
	}
	if _, _, ok := r.Parent(alice); ok {
		t.Error("the start has no parent")
	}
	if bob := must(t, ix, bobID); r.Has(bob) || r.Path(bob) != nil || r.Has(-1) {
		t.Error("bob is not reachable from alice")
	}

	// Reverse: who reaches ReadOnlyAccess through groups and attachments.
	back := ix.Reach(ro, Reverse, Attached, MemberOf)
	got = ids(ix, back.Order)
	slices.Sort(got)
	if diff := cmp.Diff([]string{devsID, aliceID, bobID, readOnlyID}, got); diff != "" {
		t.Errorf("reaching ReadOnlyAccess (-want +got):\n%s", diff)
	}

	// No kinds means all kinds: from the SCP, the whole org above its target.
	all := ix.Reach(must(t, ix, scpID), Forward)
	if diff := cmp.Diff([]string{scpID, rootID, orgID}, ids(ix, all.Order)); diff != "" {
		t.Errorf("reached from the SCP (-want +got):\n%s", diff)
	}
}
