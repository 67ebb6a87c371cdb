package analysis_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/internal/testutil"
)

// escalationWant is one CanEscalate edge expected on a fixture graph.
type escalationWant struct {
	From, To, Method, Decision string
	Missing                    []string // context keys and prerequisites the edge depends on
}

// adminWant is one expected path to admin: its principal, decision and
// the methods along it.
type adminWant struct {
	Principal, Decision string
	Methods             []string
}

const acct = "arn:aws:iam::111122223333:"

// TestEscalationsGraphs runs Escalations and EscalationPaths on the
// privesc-* fixture graphs and compares every edge and path.
func TestEscalationsGraphs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		edges []escalationWant
		paths []adminWant
	}{
		{"privesc-passrole-lambda.json",
			[]escalationWant{
				{acct + "user/dev", acct + "role/deploy-admin", "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", "allow", nil},
				{acct + "user/dev", acct + "role/reader", "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", "allow", nil},
			},
			[]adminWant{{acct + "user/dev", "allow", []string{"iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"}}}},
		{"privesc-mfa-policy-version.json",
			[]escalationWant{
				{acct + "user/helpdesk", acct + "user/auditor", "iam:CreateAccessKey", "allow", nil},
				{acct + "user/helpdesk", acct + "user/ops", "iam:CreateAccessKey", "allow", nil},
				{acct + "user/ops", acct + "user/ops", "iam:CreatePolicyVersion", "conditional", []string{"aws:MultiFactorAuthPresent"}},
			},
			[]adminWant{
				{acct + "user/helpdesk", "conditional", []string{"iam:CreateAccessKey", "iam:CreatePolicyVersion"}},
				{acct + "user/ops", "conditional", []string{"iam:CreatePolicyVersion"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			snap, _ := loadGraph(t, "testdata/graphs/"+tt.file)
			e := snapshotEnv(t, snap)
			edges, err := analysis.Escalations(t.Context(), e, analysis.EscalationOptions{Snapshot: snap, Now: privescNow})
			if err != nil {
				t.Fatal(err)
			}
			var got []escalationWant
			for _, ed := range edges {
				w := escalationWant{From: ed.From, To: ed.To, Method: ed.Method, Decision: ed.Decision.String()}
				for _, ev := range ed.Evidence {
					w.Missing = append(w.Missing, ev.MissingContext...)
				}
				got = append(got, w)
				if ed.Kind != analysis.CanEscalate || len(ed.Evidence) == 0 {
					t.Errorf("%s: edge %+v: kind %s with %d evidence", tt.file, w, ed.Kind, len(ed.Evidence))
				}
			}
			if diff := cmp.Diff(tt.edges, got, cmpEmpty); diff != "" {
				t.Errorf("%s: Escalations mismatch (-want +got):\n%s", tt.file, diff)
			}
			paths, err := analysis.EscalationPaths(t.Context(), e, edges)
			if err != nil {
				t.Fatal(err)
			}
			var gotPaths []adminWant
			for _, p := range paths {
				w := adminWant{Principal: p.Principal, Decision: p.Decision.String()}
				for _, ed := range p.Path {
					w.Methods = append(w.Methods, ed.Method)
				}
				gotPaths = append(gotPaths, w)
			}
			if diff := cmp.Diff(tt.paths, gotPaths); diff != "" {
				t.Errorf("%s: EscalationPaths mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// TestEscalationCatalog checks the embedded catalog against the shared
// reference lists: every Rhino method, iam-vulnerable path and
// pathfinding.cloud path has a method.
func TestEscalationCatalog(t *testing.T) {
	t.Parallel()
	ms := analysis.EscalationCatalog()
	cases := readPrivescCases(t)
	for _, r := range cases.Rhino {
		if !slices.ContainsFunc(ms, func(m analysis.EscalationMethod) bool { return m.Rhino == r.N }) {
			t.Errorf("Rhino method %d: not in the catalog", r.N)
		}
	}
	for _, p := range cases.Paths {
		if ids, _ := catalogMethods(p.Profile, p.Rhino, p.Pathfinding); len(ids) == 0 {
			t.Errorf("iam-vulnerable %s: not in the catalog", p.Profile)
		}
	}
	ids := readPathfindingIDs(t)
	for _, id := range ids {
		if !slices.ContainsFunc(ms, func(m analysis.EscalationMethod) bool { return slices.Contains(m.Pathfinding, id) }) {
			t.Errorf("pathfinding.cloud %s: not in the catalog", id)
		}
	}
	t.Logf("catalog: %d methods; covers %d Rhino methods, %d iam-vulnerable paths, %d pathfinding.cloud paths",
		len(ms), len(cases.Rhino), len(cases.Paths), len(ids))
}

func readPathfindingIDs(t *testing.T) []string {
	t.Helper()
	path := testutil.SharedData(t, "privesc/pathfinding-cloud/paths.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var paths []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(data, &paths); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var ids []string
	for _, p := range paths {
		ids = append(ids, p.ID)
	}
	return ids
}
