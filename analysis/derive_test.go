package analysis_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
)

// edgeLine is a derived edge without its evidence.
type edgeLine struct {
	From, To string
	Kind     analysis.EdgeKind
	Method   string
	Decision string
}

func edgeLines(edges []analysis.Edge) []edgeLine {
	out := make([]edgeLine, len(edges))
	for i, ed := range edges {
		out[i] = edgeLine{ed.From, ed.To, ed.Kind, ed.Method, ed.Decision.String()}
	}
	return out
}

// fixtureDerived loads a testdata/graphs file and derives its edges.
func fixtureDerived(t *testing.T, path string) (*analysis.Env, *analysis.Derived) {
	t.Helper()
	snap, _ := loadGraph(t, path)
	e := snapshotEnv(t, snap)
	d, err := analysis.Derive(t.Context(), e, analysis.DeriveOptions{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, ed := range d.Edges {
		checkEdge(t, e, ed, nil, false)
	}
	return e, d
}

const (
	dvAlice    = "arn:aws:iam::111111111111:user/alice"
	dvBob      = "arn:aws:iam::111111111111:user/bob"
	dvLocal    = "arn:aws:iam::111111111111:role/local"
	dvHop      = "arn:aws:iam::222222222222:role/hop"
	dvTarget   = "arn:aws:iam::333333333333:role/target"
	dvMFAAdmin = "arn:aws:iam::333333333333:role/mfa-admin"

	dvFrontdesk  = "arn:aws:iam::555555555555:role/service-role/frontdesk"
	dvRemediator = "arn:aws:iam::555555555555:role/service-role/remediator"
	dvHelperSvc  = "arn:aws:iam::555555555555:role/helper-svc"
	dvOps        = "arn:aws:iam::555555555555:user/ops"
)

func TestDeriveCrossAccountChain(t *testing.T) {
	t.Parallel()
	const path = "testdata/graphs/derive-cross-account-chain.json"
	e, d := fixtureDerived(t, path)
	// Not there: dvBob → dvBob-only (trust side only, across accounts), dan →
	// dvHop (the OU's SCP), anyone → dvTarget but dvHop (its trust names dvHop).
	want := []edgeLine{
		{dvAlice, dvHop, analysis.CanAssume, "", "allow"},
		{dvAlice, dvMFAAdmin, analysis.CanAssume, "", "conditional"},
		{dvBob, dvLocal, analysis.CanAssume, "", "allow"},
		{dvHop, dvTarget, analysis.CanAssume, "", "allow"},
	}
	if diff := cmp.Diff(want, edgeLines(d.Edges)); diff != "" {
		t.Errorf("%s: derived edges (-want +got):\n%s", path, diff)
	}
	ed := d.Between(dvAlice, dvMFAAdmin)
	if len(ed) != 1 || !slices.Equal(ed[0].Evidence[0].MissingContext, []string{"aws:MultiFactorAuthPresent"}) {
		t.Errorf("%s: dvAlice → mfa-admin evidence lacks the MFA condition: %+v", path, ed)
	}
	if ev := d.Between(dvAlice, dvHop)[0].Evidence[0]; !slices.ContainsFunc(ev.Reasons, func(r policy.Reason) bool { return r.Policy == dvHop+"#trust" }) ||
		!slices.ContainsFunc(ev.Reasons, func(r policy.Reason) bool { return r.Policy == dvAlice+"/inline/assume" }) {
		t.Errorf("%s: dvAlice → dvHop evidence does not name both sides: %+v", path, ev.Reasons)
	}

	tests := []struct {
		name, from, to string
		wantSteps      []string // the To of each step of the shortest path; nil: no path
		wantDecision   string
		wantConditions []string
	}{
		{"chain A→B→C", dvAlice, dvTarget, []string{dvHop, dvTarget}, "allow", nil},
		{"conditional trust", dvAlice, dvMFAAdmin, []string{dvMFAAdmin}, "conditional", []string{"aws:MultiFactorAuthPresent"}},
		// The boundary on dvTarget keeps IAM out of reach through it; only
		// mfa-admin, under MFA, can create users.
		{"boundary on the dvTarget role", dvAlice, "iam:CreateUser:*", []string{dvMFAAdmin}, "conditional", []string{"aws:MultiFactorAuthPresent"}},
		{"boundary lets S3 through", dvAlice, "s3:GetObject:arn:aws:s3:::c-data/k", []string{dvMFAAdmin}, "conditional", []string{"aws:MultiFactorAuthPresent"}},
		{"no edge from trust side only", dvBob, "arn:aws:iam::222222222222:role/bob-only", nil, "", nil},
		{"SCP denies at the OU", "arn:aws:iam::444444444444:user/dan", dvTarget, nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := analysis.Paths(t.Context(), e, d, tt.from, tt.to, 10)
			if err != nil {
				t.Fatal(err)
			}
			checkPathsResult(t, e, res, tt.wantSteps, tt.wantDecision, tt.wantConditions)
		})
	}

	// The chain through dvTarget does reach S3 without conditions: it is one
	// of the simple paths.
	res, err := analysis.Paths(t.Context(), e, d, dvAlice, "s3:GetObject:arn:aws:s3:::c-data/k", 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Paths, func(p analysis.DerivedPath) bool { return p.Target == dvTarget && p.Decision == "allow" }) {
		t.Errorf("%s: no allowed path to S3 through dvTarget: %+v", path, res.Paths)
	}
}

// checkPathsResult checks the shortest path's steps, decision and
// conditions, and that every path is a valid chain.
func checkPathsResult(t *testing.T, e *analysis.Env, res analysis.PathsResult, wantSteps []string, wantDecision string, wantConditions []string) {
	t.Helper()
	if wantSteps == nil {
		if res.Shortest != nil || len(res.Paths) != 0 {
			t.Errorf("%s → %s: want no path, got %+v", res.From, res.To, res)
		}
		return
	}
	if res.Shortest == nil {
		t.Fatalf("%s → %s: no path", res.From, res.To)
	}
	var got []string
	for _, s := range res.Shortest.Steps {
		got = append(got, s.To)
	}
	if diff := cmp.Diff(wantSteps, got); diff != "" {
		t.Errorf("%s → %s: shortest path (-want +got):\n%s", res.From, res.To, diff)
	}
	if res.Shortest.Decision != wantDecision {
		t.Errorf("%s → %s: decision %s, want %s", res.From, res.To, res.Shortest.Decision, wantDecision)
	}
	if diff := cmp.Diff(wantConditions, res.Shortest.Conditions, cmpEmpty); diff != "" {
		t.Errorf("%s → %s: conditions (-want +got):\n%s", res.From, res.To, diff)
	}
	for _, p := range res.Paths {
		checkChain(t, e, res.From, p.Target, p.Steps)
	}
}

func TestDeriveAgentInvokesAgent(t *testing.T) {
	t.Parallel()
	const path = "testdata/graphs/derive-agent-invokes-agent.json"
	e, d := fixtureDerived(t, path)
	want := []edgeLine{
		{dvFrontdesk, dvHelperSvc, analysis.CanInvoke, "bedrock:InvokeAgent", "allow"},
		{dvFrontdesk, dvRemediator, analysis.CanInvoke, "lambda:InvokeFunction", "allow"},
		// remediator is an admin: it may pass and invoke everything.
		{dvRemediator, dvHelperSvc, analysis.CanPassRole, "", "allow"},
		{dvRemediator, dvHelperSvc, analysis.CanInvoke, "bedrock:InvokeAgent", "allow"},
		{dvRemediator, dvFrontdesk, analysis.CanPassRole, "", "allow"},
		{dvOps, dvFrontdesk, analysis.CanPassRole, "", "allow"},
		{dvOps, dvRemediator, analysis.CanPassRole, "", "allow"},
		{"service/bedrock.amazonaws.com", dvHelperSvc, analysis.CanAssume, "", "allow"},
		{"service/bedrock.amazonaws.com", dvFrontdesk, analysis.CanAssume, "", "allow"},
		{"service/bedrock.amazonaws.com", dvRemediator, analysis.CanAssume, "", "allow"},
		{"service/lambda.amazonaws.com", dvRemediator, analysis.CanAssume, "", "allow"},
	}
	if diff := cmp.Diff(want, edgeLines(d.Edges)); diff != "" {
		t.Errorf("%s: derived edges (-want +got):\n%s", path, diff)
	}
	var services []string
	for _, ev := range d.Between(dvOps, dvRemediator)[0].Evidence[1:] {
		services = append(services, ev.Principal)
	}
	if diff := cmp.Diff([]string{"bedrock.amazonaws.com", "lambda.amazonaws.com"}, services); diff != "" {
		t.Errorf("%s: PassRole evidence of the services dvRemediator trusts (-want +got):\n%s", path, diff)
	}
	res, err := analysis.Paths(t.Context(), e, d, dvFrontdesk, "iam:CreateUser:*", 5)
	if err != nil {
		t.Fatal(err)
	}
	checkPathsResult(t, e, res, []string{dvRemediator}, "allow", nil)

	who, err := analysis.WhoCan(t.Context(), e, d, analysis.WhoCanQuery{Action: "iam:CreateUser", Resource: "*", Transitive: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range who.Principals {
		got = append(got, p.ARN+" "+p.Class+" "+p.Decision+" "+p.Holder)
	}
	// PassRole alone is no path: ops does not appear.
	wantWho := []string{dvFrontdesk + " ai-agent allow " + dvRemediator, dvRemediator + " ai-agent allow " + dvRemediator}
	if diff := cmp.Diff(wantWho, got); diff != "" {
		t.Errorf("%s: who-can iam:CreateUser --transitive (-want +got):\n%s", path, diff)
	}
}
