package analysis_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// whoCanPairs draws (action, resource) pairs from the synth org: the
// actions its policies name literally, each on "*" and on resources of its
// service, and the pairs the issue names (sts:AssumeRole and iam:PassRole
// on roles, s3:GetObject on objects, kms:Decrypt,
// secretsmanager:GetSecretValue, lambda:InvokeFunction).
func whoCanPairs(o *synthOrg) []analysis.WhoCanQuery {
	var qs []analysis.WhoCanQuery
	add := func(action, resource string) {
		qs = append(qs, analysis.WhoCanQuery{Action: action, Resource: resource})
	}
	every := func(xs []string, n int) []string { // n spread out, deterministic
		if len(xs) <= n {
			return xs
		}
		out := make([]string, 0, n)
		for i := range n {
			out = append(out, xs[i*len(xs)/n])
		}
		return out
	}
	for _, r := range every(o.nodesOf(graph.KindRole, ":role/"), 60) {
		add("sts:AssumeRole", r)
	}
	for _, r := range every(o.nodesOf(graph.KindRole, ":role/"), 30) {
		add("iam:PassRole", r)
	}
	for _, b := range every(o.nodesOf(graph.KindResource, "arn:aws:s3:::"), 30) {
		add("s3:GetObject", b+"/reports/2026.csv")
		add("s3:ListBucket", b)
	}
	for _, k := range every(o.nodesOf(graph.KindResource, ":kms:"), 20) {
		add("kms:Decrypt", k)
	}
	for _, s := range every(o.nodesOf(graph.KindResource, ":secretsmanager:"), 20) {
		add("secretsmanager:GetSecretValue", s)
	}
	for _, f := range every(o.nodesOf(graph.KindResource, ":lambda:"), 20) {
		add("lambda:InvokeFunction", f)
	}
	// Literal actions of the policies, on "*" and on one resource of their
	// service.
	seen := map[string]bool{}
	var actions []string
	for _, n := range o.snap.Nodes {
		if n.Kind != graph.KindPolicy || n.Policy == nil || len(n.Policy.Versions) == 0 {
			continue
		}
		doc := n.Policy.Versions[len(n.Policy.Versions)-1].Document
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			continue
		}
		for _, s := range p.Statements {
			for _, a := range s.Action {
				if !strings.ContainsAny(a, "*?") && !seen[strings.ToLower(a)] {
					seen[strings.ToLower(a)] = true
					actions = append(actions, a)
				}
			}
		}
	}
	slices.Sort(actions)
	for _, a := range every(actions, 80) {
		add(a, "*")
		svc, _, _ := strings.Cut(a, ":")
		if rs := o.nodesOf(graph.KindResource, ":"+strings.ToLower(svc)+":"); len(rs) > 0 {
			add(a, rs[len(rs)/2])
		}
	}
	return qs
}

type verdict struct{ ARN, Decision string }

// TestWhoCanDifferential checks, on synth S, that WhoCan (not transitive)
// finds exactly the principals a brute-force Can over every user and role
// allows, with the same decisions.
func TestWhoCanDifferential(t *testing.T) {
	t.Parallel()
	o := synthSOrg(t)
	all := o.principals()
	qs := whoCanPairs(o)
	if len(qs) < 200 {
		t.Fatalf("only %d pairs", len(qs))
	}
	nonEmpty := 0
	for _, complete := range []bool{false, true} {
		for _, q := range qs {
			q.Complete = complete
			name := fmt.Sprintf("%s %s complete=%v", q.Action, q.Resource, complete)
			var want []verdict
			for _, p := range all {
				d, err := analysis.Can(t.Context(), o.env, analysis.CanQuery{Principal: p, Action: q.Action,
					Resource: q.Resource, Complete: complete})
				if err != nil {
					t.Fatalf("%s: Can(%s): %v", name, p, err)
				}
				if d.Decision == policy.Allowed || d.Decision == policy.Conditional {
					want = append(want, verdict{p, d.Decision.String()})
				}
			}
			for _, d := range []*analysis.Derived{o.derived, nil} {
				res, err := analysis.WhoCan(t.Context(), o.env, d, q)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var got []verdict
				for _, p := range res.Principals {
					if len(p.Path) != 0 {
						t.Errorf("%s: %s has a path without Transitive", name, p.ARN)
					}
					got = append(got, verdict{p.ARN, p.Decision})
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: WhoCan differs from brute force (-want +got):\n%s", name, diff)
				}
			}
			if len(want) > 0 {
				nonEmpty++
			}
		}
	}
	t.Logf("%d pairs × 2 context modes, %d with holders, %d principals", len(qs), nonEmpty, len(all))
	if nonEmpty < len(qs)/4 {
		t.Errorf("only %d of %d queries have holders: the pairs test little", nonEmpty, 2*len(qs))
	}
}
