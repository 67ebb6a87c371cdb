package analysis_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/ingest/synth"
)

// checkEdge re-decides every request an edge rests on with Can and
// compares the decision and missing context with the evidence.
func checkEdge(t *testing.T, e *analysis.Env, ed analysis.Edge, ctx map[string][]string, complete bool) {
	t.Helper()
	if len(ed.Evidence) == 0 {
		t.Errorf("edge %s %s → %s has no evidence", ed.Kind, ed.From, ed.To)
	}
	best := policy.ImplicitDeny
	for i, ev := range ed.Evidence {
		d, err := analysis.Can(context.Background(), e, analysis.CanQuery{Principal: ev.Principal, Action: ev.Action,
			Resource: ev.Resource, Context: ctx, Complete: complete})
		if err != nil {
			t.Errorf("edge %s %s → %s: evidence %d: %v", ed.Kind, ed.From, ed.To, i, err)
			continue
		}
		if got := d.Decision.String(); got != ev.Decision {
			t.Errorf("edge %s %s → %s: evidence %d (%s %s %s) says %s, Can says %s",
				ed.Kind, ed.From, ed.To, i, ev.Principal, ev.Action, ev.Resource, ev.Decision, got)
		}
		if diff := cmp.Diff(ev.MissingContext, d.MissingContext, cmpEmpty); diff != "" {
			t.Errorf("edge %s %s → %s: evidence %d missing context (-evidence +Can):\n%s", ed.Kind, ed.From, ed.To, i, diff)
		}
		if ed.Kind != analysis.CanPassRole || i == 0 { // PassRole's later evidence is the services' trust
			if d.Decision == policy.Allowed || best != policy.Allowed && d.Decision == policy.Conditional {
				best = d.Decision
			}
		}
	}
	if best != ed.Decision {
		t.Errorf("edge %s %s → %s is %s, its evidence says %s", ed.Kind, ed.From, ed.To, ed.Decision, best)
	}
}

// checkChain checks that steps form a chain from from to to, each edge
// re-checked.
func checkChain(t *testing.T, e *analysis.Env, from, to string, steps []analysis.Edge) {
	t.Helper()
	cur := from
	for _, ed := range steps {
		if ed.From != cur {
			t.Errorf("path %s → %s: step %s → %s does not start at %s", from, to, ed.From, ed.To, cur)
		}
		checkEdge(t, e, ed, nil, false)
		cur = ed.To
	}
	if cur != to {
		t.Errorf("path %s → %s ends at %s", from, to, cur)
	}
}

// TestDerivedEdgesValid re-checks every derived edge of synth S.
func TestDerivedEdgesValid(t *testing.T) {
	t.Parallel()
	o := synthSOrg(t)
	for _, ed := range o.derived.Edges {
		checkEdge(t, o.env, ed, nil, false)
	}
}

// TestWhoCanTransitivePathsValid checks every path WhoCan --transitive
// returns on synth S: a chain of re-checked edges ending at a direct
// holder, conditional if any part is.
func TestWhoCanTransitivePathsValid(t *testing.T) {
	t.Parallel()
	o := synthSOrg(t)
	withPath := 0
	for _, q := range whoCanPairs(o) {
		q.Transitive = true
		res, err := analysis.WhoCan(t.Context(), o.env, o.derived, q)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := analysis.WhoCan(t.Context(), o.env, o.derived, analysis.WhoCanQuery{Action: q.Action, Resource: q.Resource})
		if err != nil {
			t.Fatal(err)
		}
		holders := map[string]string{}
		for _, p := range direct.Principals {
			holders[p.ARN] = p.Decision
		}
		for _, p := range res.Principals {
			if len(p.Path) == 0 {
				if holders[p.ARN] != p.Decision {
					t.Errorf("%s %s: %s direct %s, WhoCan non-transitive says %q", q.Action, q.Resource, p.ARN, p.Decision, holders[p.ARN])
				}
				continue
			}
			withPath++
			if _, ok := holders[p.Holder]; !ok {
				t.Errorf("%s %s: %s's path ends at %s, no direct holder", q.Action, q.Resource, p.ARN, p.Holder)
			}
			checkChain(t, o.env, p.ARN, p.Holder, p.Path)
			cond := holders[p.Holder] == "conditional" || slices.ContainsFunc(p.Path, func(ed analysis.Edge) bool { return ed.Conditional() })
			if want := map[bool]string{true: "conditional", false: "allow"}[cond]; p.Decision != want {
				t.Errorf("%s %s: %s is %s, its path says %s", q.Action, q.Resource, p.ARN, p.Decision, want)
			}
		}
	}
	if withPath == 0 {
		t.Error("no transitive principal on synth S")
	}
	t.Logf("%d transitive answers checked", withPath)
}

// TestPathsPlanted finds every planted role chain and agent-tool
// invocation of synth S with Paths, and checks the paths returned.
func TestPathsPlanted(t *testing.T) {
	t.Parallel()
	o := synthSOrg(t)
	checked := 0
	for _, esc := range o.manifest.Escalations {
		if esc.Method != synth.MethodAssumeRoleChain && esc.Method != synth.MethodInvokeAgentLambda {
			continue
		}
		res, err := analysis.Paths(t.Context(), o.env, o.derived, esc.Principal, esc.Target, 5)
		if err != nil {
			t.Fatal(err)
		}
		if res.Shortest == nil {
			t.Errorf("planted %s %s → %s (via %v): no path", esc.Method, esc.Principal, esc.Target, esc.Via)
			continue
		}
		checked++
		if len(res.Paths) == 0 || !cmp.Equal(res.Paths[0].Steps, res.Shortest.Steps, cmpEdges) && len(res.Paths[0].Steps) != len(res.Shortest.Steps) {
			t.Errorf("planted %s: first simple path is not a shortest one", esc.Principal)
		}
		for _, p := range append([]analysis.DerivedPath{*res.Shortest}, res.Paths...) {
			checkChain(t, o.env, esc.Principal, esc.Target, p.Steps)
		}
		for i := 1; i < len(res.Paths); i++ {
			if len(res.Paths[i].Steps) < len(res.Paths[i-1].Steps) {
				t.Errorf("planted %s: paths not sorted by length", esc.Principal)
			}
		}
		t.Logf("%s %s → %s: %d hops, %d paths", esc.Method, esc.Principal, esc.Target, len(res.Shortest.Steps), len(res.Paths))
	}
	if checked == 0 {
		t.Error("no planted chain in synth S")
	}
}

// TestPathsToPermission asks for paths to a permission on synth S: every
// path ends at a direct holder.
func TestPathsToPermission(t *testing.T) {
	t.Parallel()
	o := synthSOrg(t)
	found := 0
	for _, esc := range o.manifest.Escalations {
		if esc.Method != synth.MethodAssumeRoleChain {
			continue
		}
		to := "iam:CreateUser:*"
		res, err := analysis.Paths(t.Context(), o.env, o.derived, esc.Principal, to, 3)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := analysis.WhoCan(t.Context(), o.env, o.derived, analysis.WhoCanQuery{Action: "iam:CreateUser", Resource: "*"})
		if err != nil {
			t.Fatal(err)
		}
		holders := map[string]bool{}
		for _, p := range direct.Principals {
			holders[p.ARN] = true
		}
		for _, p := range res.Paths {
			found++
			if !holders[p.Target] {
				t.Errorf("%s → %s: path ends at %s, not a holder", esc.Principal, to, p.Target)
			}
			checkChain(t, o.env, esc.Principal, p.Target, p.Steps)
		}
	}
	if found == 0 {
		t.Error("no path to iam:CreateUser from a planted chain's start")
	}
}

var cmpEdges = cmp.Comparer(func(a, b analysis.Edge) bool {
	return a.From == b.From && a.To == b.To && a.Kind == b.Kind && a.Method == b.Method
})
