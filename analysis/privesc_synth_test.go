package analysis_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/ingest/synth"
)

// privescPlanted says, per planted method, how Escalations must show it:
// the catalog method, and whether the planted target is the edge's To
// (else a resource the edge's evidence names, as a policy of the
// principal's own). skip gives the reason a method is no CanEscalate edge.
var privescPlanted = map[string]struct {
	method, skip string
	targetIsTo   bool
}{
	synth.MethodCreatePolicyVersion:    {method: "iam:CreatePolicyVersion"},
	synth.MethodPassRoleLambda:         {method: "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", targetIsTo: true},
	synth.MethodAttachRolePolicy:       {method: "iam:AttachRolePolicy", targetIsTo: true},
	synth.MethodUpdateAssumeRolePolicy: {method: "iam:UpdateAssumeRolePolicy", targetIsTo: true},
	synth.MethodCreateAccessKey:        {method: "iam:CreateAccessKey", targetIsTo: true},
	synth.MethodAssumeRoleChain:        {skip: "a chain of CanAssume edges, derived by derive.go"},
	synth.MethodInvokeAgentLambda:      {skip: "a CanInvoke edge (the function runs as its role), derived by derive.go"},
}

// TestEscalationsSynth checks that every privilege-escalation method
// planted in synth S (seed 1) is found with its method, principal and
// target, and that its principal reaches admin.
func TestEscalationsSynth(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("synth S bundle: not in -short")
	}
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := synth.Write(t.Context(), out, synth.Options{Size: synth.S, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m synth.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", synth.ManifestFile, err)
	}
	snap, e := bundleSnapshot(t, out)
	start := time.Now()
	r := escalate(t, snap, e)
	t.Logf("synth S: %d identities, %d CanEscalate edges, %d principals reach admin, in %v",
		snap.Meta.Counts.Users+snap.Meta.Counts.Roles, len(r.edges), len(r.paths), time.Since(start).Round(time.Millisecond))

	checked := 0
	for _, p := range m.Escalations {
		want, ok := privescPlanted[p.Method]
		switch {
		case !ok:
			t.Errorf("planted %s: method unknown to this test", p.Method)
			continue
		case want.skip != "":
			t.Logf("skipped: planted %s %s → %s: %s", p.Method, p.Principal, p.Target, want.skip)
			continue
		}
		checked++
		i := slices.IndexFunc(r.from[p.Principal], func(ed analysis.Edge) bool {
			if ed.Method != want.method {
				return false
			}
			if want.targetIsTo {
				return ed.To == p.Target
			}
			return ed.To == p.Principal && slices.ContainsFunc(ed.Evidence, func(ev analysis.Evidence) bool { return ev.Resource == p.Target })
		})
		if i < 0 {
			t.Errorf("planted %s: %s → %s not found; edges from it: %v", p.Method, p.Principal, p.Target, r.from[p.Principal])
			continue
		}
		ed := r.from[p.Principal][i]
		reach := r.reachesAdmin(t, e, p.Principal)
		t.Logf("found: planted %s %s → %s: %s edge, %s to admin (%d step(s))", p.Method, p.Principal, p.Target,
			ed.Decision, reach, len(r.paths[p.Principal].Path))
		if reach == policy.ImplicitDeny {
			t.Errorf("planted %s: %s does not reach admin", p.Method, p.Principal)
		}
	}
	if checked < 5 {
		t.Errorf("checked %d planted escalations, want the 5 CanEscalate methods", checked)
	}
}
