package analysis_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/internal/testutil"
)

const iamVulnerable = "account-authorization-details/cloudsplaining-iam-vulnerable-200611803367.json"

// bundleEnv ingests the bundle at path (a directory or a single
// authorization-details file) and builds its Env.
func bundleEnv(tb testing.TB, path string) *analysis.Env {
	tb.Helper()
	b, err := bundle.Read(path, bundle.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := ingest.Build(b, ingest.Options{Source: "test", Created: time.Unix(0, 0).UTC()})
	if err != nil {
		tb.Fatal(err)
	}
	return snapshotEnv(tb, snap)
}

func snapshotEnv(tb testing.TB, snap *graph.Snapshot) *analysis.Env {
	tb.Helper()
	ix, err := index.Build(snap, index.DefaultOptions())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := analysis.NewEnv(snap, ix)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// singleStep is one check of privesc/single-step-checks.json.
type singleStep struct {
	ID        string            `json:"id"`
	Principal string            `json:"principal"`
	Action    string            `json:"action"`
	Resource  string            `json:"resource"`
	Context   map[string]string `json:"context"`
	Expected  string            `json:"expected"`
}

var expectedDecision = map[string]string{
	"Allowed": "allow", "ImplicitlyDenied": "implicit-deny", "ExplicitlyDenied": "explicit-deny",
}

// TestSingleStepChecks runs every request of the shared privilege-escalation
// checks against the iam-vulnerable snapshot, with a complete context: no
// Organizations data (the checks assume FullAWSAccess, which is the same),
// the target role's trust policy as resource policy for sts:AssumeRole.
func TestSingleStepChecks(t *testing.T) {
	t.Parallel()
	checksPath := testutil.SharedData(t, "privesc/single-step-checks.json")
	e := bundleEnv(t, testutil.SharedData(t, iamVulnerable))
	data, err := os.ReadFile(checksPath)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Fixture string       `json:"fixture"`
		Checks  []singleStep `json:"checks"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", checksPath, err)
	}
	if file.Fixture != iamVulnerable || len(file.Checks) != 23 {
		t.Fatalf("%s: fixture %q with %d checks; want %q with 23", checksPath, file.Fixture, len(file.Checks), iamVulnerable)
	}
	for _, c := range file.Checks {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			want, ok := expectedDecision[c.Expected]
			if !ok {
				t.Fatalf("%s: check %s: unknown expected %q", checksPath, c.ID, c.Expected)
			}
			ctx := map[string][]string{}
			for k, v := range c.Context {
				ctx[k] = []string{v}
			}
			d, err := analysis.Can(t.Context(), e, analysis.CanQuery{Principal: c.Principal, Action: c.Action,
				Resource: c.Resource, Context: ctx, Complete: true})
			if err != nil {
				t.Fatalf("%s: check %s: %v", checksPath, c.ID, err)
			}
			if got := d.Decision.String(); got != want {
				out, _ := json.MarshalIndent(d, "", "  ")
				t.Errorf("%s: check %s: %s %s %s = %s, want %s\n%s", checksPath, c.ID,
					c.Principal, c.Action, c.Resource, got, want, out)
			}
		})
	}
}
