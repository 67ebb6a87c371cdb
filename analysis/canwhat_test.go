package analysis_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/catalog"
	"github.com/permgraph/permgraph/internal/testutil"
)

const (
	ivSRE      = "arn:aws:iam::200611803367:user/privesc-sre-user"
	ivSRERole  = "arn:aws:iam::200611803367:role/privesc-sre-role"
	ivPrivesc1 = "arn:aws:iam::200611803367:user/privesc1-CreateNewPolicyVersion-user"
)

// TestCanWhatIAMVulnerable checks CanWhat on principals of the
// iam-vulnerable fixture against what their policies say.
func TestCanWhatIAMVulnerable(t *testing.T) {
	t.Parallel()
	snap, e := bundleSnapshot(t, testutil.SharedData(t, iamVulnerable))

	t.Run("sre user: iam:*, ec2:*, s3:* through its group", func(t *testing.T) {
		t.Parallel()
		res, err := analysis.CanWhat(t.Context(), e, ivSRE, analysis.CanWhatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, p := range res.Permissions {
			if p.Decision != "allow" {
				t.Errorf("%s: %s on %s is %s, want allow", ivSRE, p.Actions, p.Resource, p.Decision)
			}
			if p.Service == "sts" {
				if p.Resource != ivSRERole || len(p.Actions) != 1 || p.Actions[0] != "sts:AssumeRole" {
					t.Errorf("%s: unexpected sts grant %+v", ivSRE, p)
				}
				continue
			}
			if p.Resource != "*" {
				t.Errorf("%s: grant on %s, want *", ivSRE, p.Resource)
			}
			got[p.Service] += len(p.Actions)
		}
		cat := catalog.Embedded()
		want := map[string]int{}
		for _, svc := range []string{"iam", "ec2", "s3"} {
			want[svc] = len(cat.Expand(svc + ":*"))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: actions per service (-want +got):\n%s", ivSRE, diff)
		}
	})

	t.Run("privesc1: iam:CreatePolicyVersion only", func(t *testing.T) {
		t.Parallel()
		res, err := analysis.CanWhat(t.Context(), e, ivPrivesc1, analysis.CanWhatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []analysis.Permission{{Service: "iam", AccessLevel: "Permissions management", Resource: "*",
			Actions: []string{"iam:CreatePolicyVersion"}, Decision: "allow", MissingContext: []string{}}}
		if diff := cmp.Diff(want, res.Permissions); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ivPrivesc1, diff)
		}
	})

	t.Run("privesc1 blast radius: admin by a new policy version", func(t *testing.T) {
		t.Parallel()
		d, err := analysis.Derive(t.Context(), e, analysis.DeriveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := analysis.BlastRadius(t.Context(), e, d, ivPrivesc1, analysis.BlastOptions{Snapshot: snap, Now: privescNow})
		if err != nil {
			t.Fatal(err)
		}
		if res.Admin == "" || len(res.Top) == 0 || res.Top[0].Kind != analysis.BlastAdminReach {
			t.Fatalf("%s: admin %q, top %+v: want admin-reach first", ivPrivesc1, res.Admin, res.Top)
		}
		// It can grant itself anything: the union is the whole catalog.
		if all := catalogCounts(func(catalog.Action) bool { return true }); res.Actions.Privileged != all.Privileged {
			t.Errorf("%s: privileged = %d, want %d", ivPrivesc1, res.Actions.Privileged, all.Privileged)
		}
		if res.LastAccessed != "none" || res.PrivilegedUnused != 0 || res.PrivilegedUsageUnknown != res.Actions.Privileged {
			t.Errorf("%s: no last-accessed data: got %q, unused %d, unknown %d", ivPrivesc1, res.LastAccessed,
				res.PrivilegedUnused, res.PrivilegedUsageUnknown)
		}
	})
}
