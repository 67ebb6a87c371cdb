package analysis_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/catalog"
)

const (
	blAgent  = "arn:aws:iam::111111111111:role/agent"
	blDeploy = "arn:aws:iam::111111111111:role/deploy"
	blAudit  = "arn:aws:iam::999999999999:role/org-audit"
)

// blastNow is when the blast fixture's window ends.
var blastNow = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

// catalogCounts counts the catalog's actions as BlastRadius does.
func catalogCounts(keep func(catalog.Action) bool) analysis.ActionCounts {
	var c analysis.ActionCounts
	cat := catalog.Embedded()
	for id := range cat.Len() {
		a := cat.ActionByID(id)
		if !keep(a) {
			continue
		}
		switch {
		case analysis.BlastPrivileged(a):
			c.Privileged++
		case a.Level == catalog.Write || a.Level == catalog.Tagging:
			c.Write++
		default:
			c.Read++
		}
	}
	return c
}

func TestBlastRadiusAgentReachesAdmin(t *testing.T) {
	t.Parallel()
	const path = "testdata/graphs/blast-agent-reaches-admin.json"
	snap, _ := loadGraph(t, path)
	e := snapshotEnv(t, snap)
	d, err := analysis.Derive(t.Context(), e, analysis.DeriveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := analysis.BlastRadius(t.Context(), e, d, blAgent, analysis.BlastOptions{Snapshot: snap, Now: blastNow})
	if err != nil {
		t.Fatal(err)
	}

	type reach struct {
		ARN, Decision, Admin string
		Steps                []string
		Missing              []string
	}
	var gotReach []reach
	for _, r := range res.Reachable {
		var steps []string
		for _, ed := range r.Path {
			steps = append(steps, ed.From+" -"+string(ed.Kind)+"-> "+ed.To)
			if len(ed.Evidence) == 0 {
				t.Errorf("%s: step %s → %s has no evidence", path, ed.From, ed.To)
			}
		}
		gotReach = append(gotReach, reach{r.ARN, r.Decision, r.Admin, steps, r.MissingContext})
	}
	wantReach := []reach{
		{blDeploy, "allow", "allow", []string{blAgent + " -CanAssume-> " + blDeploy}, []string{}},
		{blAudit, "conditional", "", []string{blAgent + " -CanAssume-> " + blAudit}, []string{"aws:MultiFactorAuthPresent"}},
	}
	if diff := cmp.Diff(wantReach, gotReach); diff != "" {
		t.Errorf("%s: reachable (-want +got):\n%s", path, diff)
	}
	if res.Admin != "allow" {
		t.Errorf("%s: admin = %q, want allow", path, res.Admin)
	}

	// deploy holds every action on "*": the union is the catalog.
	want := catalogCounts(func(catalog.Action) bool { return true })
	if diff := cmp.Diff(want, res.Actions); diff != "" {
		t.Errorf("%s: actions (-want +got):\n%s", path, diff)
	}
	if res.Resources != 3 {
		t.Errorf("%s: resources = %d, want 3 (those of account 111111111111)", path, res.Resources)
	}

	// deploy alone holds privileged actions. Within 90 days it used ec2
	// and iam (service level), and of the iam actions tracked, PassRole
	// but not AttachRolePolicy; s3 long ago, other services never.
	used := catalogCounts(func(a catalog.Action) bool {
		return a.Service == "ec2" || a.Service == "iam" && a.Name != "AttachRolePolicy"
	})
	if want := want.Privileged - used.Privileged; res.PrivilegedUnused != want {
		t.Errorf("%s: privileged_unused = %d, want %d", path, res.PrivilegedUnused, want)
	}
	if res.PrivilegedUsageUnknown != 0 || res.LastAccessed != "partial" || res.Since != "90d" {
		t.Errorf("%s: unknown %d, last_accessed %q, since %q; want 0, partial, 90d", path,
			res.PrivilegedUsageUnknown, res.LastAccessed, res.Since)
	}

	var kinds []string
	for _, f := range res.Top {
		kinds = append(kinds, f.Kind+"/"+f.Severity)
	}
	wantKinds := []string{"admin-reach/critical", "management-account-reach/high", "cross-account-reach/medium", "privileged-unused/medium"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("%s: top (-want +got):\n%s", path, diff)
	}
	if len(res.Top) > 0 && (len(res.Top[0].Path) != 1 || res.Top[0].Path[0].To != blDeploy) {
		t.Errorf("%s: admin-reach path = %+v, want agent → deploy", path, res.Top[0].Path)
	}
	if res.Score < 90 || res.Score > 100 {
		t.Errorf("%s: score = %v, want in [90, 100] for admin reach", path, res.Score)
	}

	// org-audit alone: conditional nothing, no reach, read-only.
	au, err := analysis.BlastRadius(t.Context(), e, d, blAudit, analysis.BlastOptions{Snapshot: snap, Now: blastNow})
	if err != nil {
		t.Fatal(err)
	}
	if au.Admin != "" || len(au.Reachable) != 0 || au.Actions.Privileged != 0 || au.LastAccessed != "none" {
		t.Errorf("%s: org-audit: %+v", path, au)
	}
	if au.Score >= res.Score {
		t.Errorf("%s: org-audit scores %v, not below the agent's %v", path, au.Score, res.Score)
	}
}

func TestCanWhatAgent(t *testing.T) {
	t.Parallel()
	const path = "testdata/graphs/blast-agent-reaches-admin.json"
	snap, _ := loadGraph(t, path)
	e := snapshotEnv(t, snap)
	res, err := analysis.CanWhat(t.Context(), e, blAgent, analysis.CanWhatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []analysis.Permission{
		{Service: "s3", AccessLevel: "Read", Resource: "arn:aws:s3:::agent-data/*", Actions: []string{"s3:GetObject"}, Decision: "allow", MissingContext: []string{}},
		{Service: "s3", AccessLevel: "Write", Resource: "arn:aws:s3:::agent-data/*", Actions: []string{"s3:PutObject"}, Decision: "allow", MissingContext: []string{}},
		{Service: "sts", AccessLevel: "Write", Resource: blDeploy, Actions: []string{"sts:AssumeRole"}, Decision: "allow", MissingContext: []string{}},
		{Service: "sts", AccessLevel: "Write", Resource: blAudit, Actions: []string{"sts:AssumeRole"}, Decision: "conditional",
			MissingContext: []string{"aws:MultiFactorAuthPresent"}},
	}
	if diff := cmp.Diff(want, res.Permissions); diff != "" {
		t.Errorf("%s: CanWhat(agent) (-want +got):\n%s", path, diff)
	}
	if !slices.ContainsFunc(res.Permissions, func(p analysis.Permission) bool { return p.Decision == "conditional" }) {
		t.Errorf("%s: no conditional grant marked", path)
	}
}

func TestInventoryBlastFixture(t *testing.T) {
	t.Parallel()
	const path = "testdata/graphs/blast-agent-reaches-admin.json"
	snap, _ := loadGraph(t, path)
	e := snapshotEnv(t, snap)
	d, err := analysis.Derive(t.Context(), e, analysis.DeriveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := analysis.InventoryOptions{BlastOptions: analysis.BlastOptions{Snapshot: snap, Now: blastNow}}
	inv, err := analysis.Inventory(t.Context(), e, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range inv.Identities {
		got = append(got, id.ARN+" "+id.Class+" "+id.Admin)
	}
	// deploy and the agent both wield AdministratorAccess; the agent
	// reaches two identities, so it scores higher.
	want := []string{blAgent + " ai-agent allow", blDeploy + " workload allow", blAudit + " third-party "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: inventory by score (-want +got):\n%s", path, diff)
	}
	all := catalogCounts(func(catalog.Action) bool { return true })
	for _, id := range inv.Identities {
		wantPriv := 0
		if id.ARN == blDeploy {
			wantPriv = all.Privileged
		}
		if id.PrivilegedActions != wantPriv {
			t.Errorf("%s: %s: privileged_actions = %d, want %d", path, id.ARN, id.PrivilegedActions, wantPriv)
		}
		br, err := analysis.BlastRadius(t.Context(), e, d, id.ARN, opts.BlastOptions)
		if err != nil {
			t.Fatal(err)
		}
		if br.Score != id.Score {
			t.Errorf("%s: %s: inventory score %v, blast-radius score %v", path, id.ARN, id.Score, br.Score)
		}
	}
	opts.Class, opts.Sort = "ai-agent", "arn"
	inv, err = analysis.Inventory(t.Context(), e, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Identities) != 1 || inv.Identities[0].ARN != blAgent {
		t.Errorf("%s: --class ai-agent: %+v", path, inv.Identities)
	}
	opts.Sort = "size"
	if _, err := analysis.Inventory(t.Context(), e, d, opts); !errors.Is(err, analysis.ErrBadSort) {
		t.Errorf("sort size: err = %v, want ErrBadSort", err)
	}
}
