package analysis_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	actioncatalog "github.com/permgraph/permgraph/analysis/catalog"
)

// findingWant is a finding with its path written "from -Edge-> to".
type findingWant struct {
	Kind, Severity, Principal, Method, Target string
	Path                                      []string
}

func wantOf(fs []analysis.Finding, kind string) []findingWant {
	var out []findingWant
	for _, f := range fs {
		if kind != "" && f.Kind != kind {
			continue
		}
		w := findingWant{Kind: f.Kind, Severity: f.Severity, Principal: f.Principal, Method: f.Method, Target: f.Target}
		for _, s := range f.Path {
			w.Path = append(w.Path, s.From+" -"+s.Edge+"-> "+s.To)
		}
		out = append(out, w)
	}
	return out
}

// findingsNow is the time the findings fixtures are judged at.
var findingsNow = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

// TestFindingsGraphs runs Findings on the findings-* fixture graphs and
// compares the findings of the kind each shows.
func TestFindingsGraphs(t *testing.T) {
	t.Parallel()
	const (
		a5   = "arn:aws:iam::555555555555:"
		m1   = "arn:aws:iam::111111111111:"
		m2   = "arn:aws:iam::222222222222:"
		t3   = "arn:aws:iam::333333333333:"
		role = "role/"
	)
	tests := []struct {
		file, kind string
		want       []findingWant
	}{
		{"findings-agent-lambda-admin.json", analysis.FindingAgentPrivilegedReach, []findingWant{
			{analysis.FindingAgentPrivilegedReach, "critical", a5 + "role/service-role/support-agent", analysis.ReachAdmin, a5 + "role/platform-admin",
				[]string{a5 + "role/service-role/support-agent -CanInvoke-> " + a5 + "role/ops-tool-exec", a5 + "role/ops-tool-exec -CanAssume-> " + a5 + "role/platform-admin"}},
			{analysis.FindingAgentPrivilegedReach, "high", a5 + "role/policy-agent", analysis.ReachPrivileged, a5 + "role/policy-agent", nil},
			{analysis.FindingAgentPrivilegedReach, "medium", a5 + "role/xacct-agent", analysis.ReachCrossAccount, "arn:aws:iam::666666666666:role/reader",
				[]string{a5 + "role/xacct-agent -CanAssume-> arn:aws:iam::666666666666:role/reader"}},
		}},
		{"findings-member-to-management.json", analysis.FindingManagementAccountReach, []findingWant{
			{analysis.FindingManagementAccountReach, "critical", m2 + "role/deployer", "sts:AssumeRole", m1 + "role/org-automation",
				[]string{m2 + "role/deployer -CanAssume-> " + m1 + "role/org-automation"}},
			{analysis.FindingManagementAccountReach, "critical", m2 + "user/dev", "sts:AssumeRole", m1 + "role/org-automation",
				[]string{m2 + "user/dev -CanAssume-> " + m2 + "role/deployer", m2 + "role/deployer -CanAssume-> " + m1 + "role/org-automation"}},
			{analysis.FindingManagementAccountReach, "high", m2 + "role/auditor", "sts:AssumeRole", m1 + "role/audit-reader",
				[]string{m2 + "role/auditor -CanAssume-> " + m1 + "role/audit-reader"}},
			{analysis.FindingManagementAccountReach, "medium", m2 + "role/scripts", "sts:AssumeRole", m1 + role + analysis.ManagementAccessRole, nil},
		}},
		{"findings-unused-privilege.json", analysis.FindingUnusedPrivilege, []findingWant{
			{analysis.FindingUnusedPrivilege, "high", t3 + "user/dan", "", "", nil},
			{analysis.FindingUnusedPrivilege, "low", t3 + "user/alice", "", "", nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			snap, _ := loadGraph(t, "testdata/graphs/"+tt.file)
			e := snapshotEnv(t, snap)
			rep, err := analysis.Findings(t.Context(), e, analysis.FindingsOptions{Snapshot: snap, Now: findingsNow})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, wantOf(rep.Findings, tt.kind)); diff != "" {
				t.Errorf("%s: %s findings mismatch (-want +got):\n%s", tt.file, tt.kind, diff)
			}
			for i := 1; i < len(rep.Findings); i++ {
				if sev := []string{"critical", "high", "medium", "low"}; slices.Index(sev, rep.Findings[i-1].Severity) > slices.Index(sev, rep.Findings[i].Severity) {
					t.Errorf("%s: findings not sorted by severity at %d: %s before %s", tt.file, i, rep.Findings[i-1].Severity, rep.Findings[i].Severity)
				}
			}
		})
	}
}

// TestUnusedPrivileges checks, on findings-unused-privilege.json, which
// privileged actions each identity may use and which are unused, and the
// count of identities without last-accessed data.
func TestUnusedPrivileges(t *testing.T) {
	t.Parallel()
	snap, _ := loadGraph(t, "testdata/graphs/findings-unused-privilege.json")
	e := snapshotEnv(t, snap)
	rep, err := analysis.UnusedPrivileges(t.Context(), e, analysis.UnusedOptions{Snapshot: snap, Now: findingsNow, Since: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Assessed != 3 || rep.WithoutData != 1 {
		t.Errorf("assessed %d, without data %d; want 3 and 1 (bob)", rep.Assessed, rep.WithoutData)
	}
	var iamPriv []string
	iam, _ := actioncatalog.Embedded().Service("iam")
	for _, a := range iam.Actions {
		if analysis.BlastPrivileged(a) {
			iamPriv = append(iamPriv, a.String())
		}
	}
	type got struct{ Principal, Allowed, Unused string }
	var have []got
	for _, u := range rep.Identities {
		var allowed []string
		for _, g := range u.Allowed {
			allowed = append(allowed, g.Action)
		}
		have = append(have, got{u.Principal, strings.Join(allowed, ","), strings.Join(u.Unused, ",")})
	}
	want := []got{
		{"arn:aws:iam::333333333333:user/alice", "iam:AttachRolePolicy,iam:CreatePolicyVersion,s3:PutBucketPolicy", "iam:CreatePolicyVersion,s3:PutBucketPolicy"},
		{"arn:aws:iam::333333333333:user/dan", strings.Join(iamPriv, ","), strings.Join(iamPriv, ",")},
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("UnusedPrivileges mismatch (-want +got):\n%s", diff)
	}
	fs := analysis.UnusedFindings(rep, 90*24*time.Hour)
	if len(fs) != 2 || !strings.HasPrefix(fs[0].Detail, "2 of 3 allowed privileged actions unused in 90d: iam:CreatePolicyVersion, s3:PutBucketPolicy") {
		t.Errorf("UnusedFindings: %+v", fs)
	}
	// A window reaching back before 2025-06-01 makes CreatePolicyVersion used.
	rep, err = analysis.UnusedPrivileges(t.Context(), e, analysis.UnusedOptions{Snapshot: snap, Now: findingsNow, Since: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Identities[0]; got.Principal != want[0].Principal || strings.Join(got.Unused, ",") != "s3:PutBucketPolicy" {
		t.Errorf("365d: alice unused %v, want [s3:PutBucketPolicy]", got.Unused)
	}
}

func TestParseLookback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * 24 * time.Hour},
		{"1d", 24 * time.Hour},
		{"720h", 720 * time.Hour},
		{"36h30m", 36*time.Hour + 30*time.Minute},
		{"0d", 0}, {"-3d", 0}, {"d", 0}, {"90", 0}, {"3x", 0}, {"", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			t.Parallel()
			got, err := analysis.ParseLookback(tt.in)
			if tt.want == 0 {
				if !errors.Is(err, analysis.ErrBadLookback) {
					t.Errorf("ParseLookback(%q) = %v, %v; want ErrBadLookback", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseLookback(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}
