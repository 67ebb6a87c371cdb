package analysis_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

const orgFixture = "testdata/graphs/org-two-accounts.json"

func orgEnv(t *testing.T) *analysis.Env {
	t.Helper()
	snap, _ := loadGraph(t, orgFixture)
	return snapshotEnv(t, snap)
}

func TestCanErrors(t *testing.T) {
	t.Parallel()
	e := orgEnv(t)
	tests := []struct {
		name string
		q    analysis.CanQuery
		want error
	}{
		{"user not in the snapshot", analysis.CanQuery{Principal: "arn:aws:iam::222222222222:user/mallory",
			Action: "s3:GetObject", Resource: "*"}, analysis.ErrUnknownPrincipal},
		{"session of an unknown role", analysis.CanQuery{Principal: "arn:aws:sts::222222222222:assumed-role/nobody/s",
			Action: "s3:GetObject", Resource: "*"}, analysis.ErrUnknownPrincipal},
		{"root of an account outside the snapshot", analysis.CanQuery{Principal: "arn:aws:iam::999999999999:root",
			Action: "s3:GetObject", Resource: "*"}, analysis.ErrUnknownPrincipal},
		{"not a principal", analysis.CanQuery{Principal: "alice", Action: "s3:GetObject", Resource: "*"},
			analysis.ErrUnknownPrincipal},
		{"malformed action", analysis.CanQuery{Principal: "arn:aws:iam::222222222222:user/alice",
			Action: "GetObject", Resource: "*"}, policy.ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := analysis.Can(t.Context(), e, tt.q); !errors.Is(err, tt.want) {
				t.Errorf("Can(%+v) error = %v, want %v", tt.q, err, tt.want)
			}
		})
	}
}

func TestCanCancelled(t *testing.T) {
	t.Parallel()
	e := orgEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := analysis.Can(ctx, e, analysis.CanQuery{Principal: "arn:aws:iam::222222222222:user/alice",
		Action: "s3:GetObject", Resource: "*"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Can on a cancelled context: %v, want context.Canceled", err)
	}
}

// TestRequestAssembly checks the set and context Env.Request hands the
// engine: the SCP levels root first, the management account, the keys the
// graph knows and that the caller's keys win.
func TestRequestAssembly(t *testing.T) {
	t.Parallel()
	e := orgEnv(t)
	req, set, err := e.Request("arn:aws:iam::333333333333:role/ops/data-reader", "s3:GetObject", "arn:aws:s3:::data-lake/k",
		map[string][]string{"aws:ResourceTag/data": {"override"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.Principal, "arn:aws:sts::333333333333:assumed-role/data-reader/permgraph"; got != want {
		t.Errorf("principal %q, want %q", got, want)
	}
	if req.ManagementAccount != "111111111111" || req.ResourceAccount != "333333333333" {
		t.Errorf("management %q, resource account %q; want 111111111111, 333333333333", req.ManagementAccount, req.ResourceAccount)
	}
	var levels [][]string
	for _, l := range set.SCPs {
		var names []string
		for _, c := range l {
			names = append(names, c.Name)
		}
		levels = append(levels, names)
	}
	wantLevels := [][]string{{"scp/FullAWSAccess"}, {"scp/DenyDeleteBucket", "scp/FullAWSAccess"}, {"scp/FullAWSAccess"}}
	if diff := cmp.Diff(wantLevels, levels); diff != "" {
		t.Errorf("SCP levels (-want +got):\n%s", diff)
	}
	if set.RCPs != nil {
		t.Errorf("RCPs = %v, want nil: the snapshot has none", set.RCPs)
	}
	if set.Resource == nil || set.Resource.Name != "arn:aws:s3:::data-lake#policy" {
		t.Errorf("resource policy = %v, want the bucket's", set.Resource)
	}
	want := map[string][]string{
		"aws:PrincipalArn":      {"arn:aws:iam::333333333333:role/ops/data-reader"},
		"aws:PrincipalOrgID":    {"o-test"},
		"aws:PrincipalOrgPaths": {"o-test/r-root/ou-root-prod/"},
		"aws:ResourceOrgID":     {"o-test"},
		"aws:ResourceOrgPaths":  {"o-test/r-root/ou-root-prod/"},
		"aws:ResourceTag/data":  {"override"}, // the caller's value, not the graph's "lake"
	}
	for k, v := range want {
		got, ok := req.Context.Lookup(k)
		if !ok || !cmp.Equal(got, v) {
			t.Errorf("context %s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	if !req.Context.Complete {
		t.Error("context not complete")
	}
}

// TestRequestOutsideOrg: a principal of an account without Organizations
// data has no SCPs; a service principal has no identity side.
func TestRequestOutsideOrg(t *testing.T) {
	t.Parallel()
	snap := &graph.Snapshot{Nodes: []graph.Node{
		{ID: "account/444444444444", Kind: graph.KindAccount, Account: "444444444444"},
		{ID: "arn:aws:iam::444444444444:user/solo", Kind: graph.KindUser, ARN: "arn:aws:iam::444444444444:user/solo",
			Name: "solo", Account: "444444444444"},
		{ID: "arn:aws:iam::444444444444:user/solo/inline/all", Kind: graph.KindPolicy, Name: "all",
			Policy: &graph.Policy{Kind: graph.PolicyInline, Versions: []graph.PolicyVersion{{
				Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}}},
	}, Edges: []graph.Edge{
		{From: "arn:aws:iam::444444444444:user/solo", To: "account/444444444444", Kind: graph.EdgeInAccount},
		{From: "arn:aws:iam::444444444444:user/solo", To: "arn:aws:iam::444444444444:user/solo/inline/all", Kind: graph.EdgeAttached},
	}}
	e := snapshotEnv(t, snap)
	_, set, err := e.Request("arn:aws:iam::444444444444:user/solo", "iam:CreateUser", "*", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if set.SCPs != nil || len(set.Identity) != 1 || set.Identity[0].Name != "arn:aws:iam::444444444444:user/solo/inline/all" {
		t.Errorf("set = %+v; want no SCPs and the inline policy", set)
	}
	_, set, err = e.Request("lambda.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::444444444444:role/none", nil, true)
	if err != nil || set.Identity != nil || set.Resource != nil {
		t.Errorf("service principal: set %+v, err %v; want an empty set", set, err)
	}
	if e.ManagementAccount() != "" {
		t.Errorf("management account %q, want none", e.ManagementAccount())
	}
}

func TestNewEnvMismatch(t *testing.T) {
	t.Parallel()
	snap, _ := loadGraph(t, orgFixture)
	ix, err := index.Build(snap, index.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	other := *snap
	other.Nodes = snap.Nodes[:len(snap.Nodes)-1]
	if _, err := analysis.NewEnv(&other, ix); err == nil {
		t.Error("NewEnv with an index of another snapshot: no error")
	}
}

// TestDecisionJSON: a Decision prints as policy.Result does.
func TestDecisionJSON(t *testing.T) {
	t.Parallel()
	e := orgEnv(t)
	d, err := analysis.Can(t.Context(), e, analysis.CanQuery{Principal: "arn:aws:iam::222222222222:user/alice",
		Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::data-lake", Complete: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"decision":"explicit-deny","missing_context":[],"explanation":[` +
		`{"layer":"scp","level":1,"policy":"scp/DenyDeleteBucket","sid":"NoBucketDeletion","statement":0,"effect":"Deny"}]}`
	if string(got) != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
}
