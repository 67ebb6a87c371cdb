package analysis_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

var resUpdate = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Principals and resources of the residual-*.json fixture graphs.
const (
	resAcct    = "arn:aws:iam::111122223333:"
	resAlice   = resAcct + "user/alice"
	resBob     = resAcct + "user/bob"
	resCarol   = resAcct + "user/carol"
	resDan     = resAcct + "user/dan"
	resErin    = resAcct + "user/erin"
	resFrank   = resAcct + "user/frank"
	resJump    = resAcct + "role/jump"
	resReader  = resAcct + "role/reader"
	resOrders  = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
	resObject  = "arn:aws:s3:::assets/logo.png"
	resGetObj  = "s3:GetObject"
	resGetItem = "dynamodb:GetItem"
)

func resGraphPath(name string) string { return "testdata/graphs/residual-" + name + ".json" }

type resResidualCase struct {
	name, graph                 string
	revoke                      []string
	principal, action, resource string
	wantStill                   bool
	wantDecision                string
	// wantPaths summarises each path (see summarise), in order.
	wantPaths []string
}

// residualCases show revocations that leave another path and revocations
// that really remove access.
var resResidualCases = []resResidualCase{
	{"group: detached policy, the group still grants", "group",
		[]string{"policy-attachment:" + resAlice + "," + resAcct + "policy/reports-read"},
		resAlice, resGetObj, "arn:aws:s3:::reports/q1.csv", true, "allow",
		[]string{"alice -direct-> q1.csv [analysts-read]"}},
	{"group: policy detached from the group, alice's own remains", "group",
		[]string{"policy-attachment:" + resAcct + "group/analysts," + resAcct + "policy/analysts-read"},
		resAlice, resGetObj, "arn:aws:s3:::reports/q1.csv", true, "allow",
		[]string{"alice -direct-> q1.csv [reports-read]"}},
	{"group: detached policy and membership removed", "group",
		[]string{"policy-attachment:" + resAlice + "," + resAcct + "policy/reports-read", "group-membership:" + resAlice + "," + resAcct + "group/analysts"},
		resAlice, resGetObj, "arn:aws:s3:::reports/q1.csv", false, "implicit-deny", nil},

	{"role chain: nothing revoked, three paths", "role-chain", nil,
		resBob, resGetItem, resOrders, true, "allow",
		[]string{
			"bob -direct-> orders [table-read]",
			"bob -CanAssume-> reader -direct-> orders [orders-read]",
			"bob -CanAssume-> jump -CanAssume-> reader -direct-> orders [orders-read]",
		}},
	{"role chain: inline policy deleted, roles still grant", "role-chain",
		[]string{"inline-policy:" + resBob + ",table-read"},
		resBob, resGetItem, resOrders, true, "allow",
		[]string{
			"bob -CanAssume-> reader -direct-> orders [orders-read]",
			"bob -CanAssume-> jump -CanAssume-> reader -direct-> orders [orders-read]",
		}},
	{"role chain: trust statement by index cuts one chain", "role-chain",
		[]string{"inline-policy:" + resBob + ",table-read", "trust-statement:" + resReader + ",0"},
		resBob, resGetItem, resOrders, true, "allow",
		[]string{"bob -CanAssume-> jump -CanAssume-> reader -direct-> orders [orders-read]"}},
	{"role chain: trust statements by index and Sid cut every chain", "role-chain",
		[]string{"inline-policy:" + resBob + ",table-read", "trust-statement:" + resReader + ",0", "trust-statement:" + resJump + ",TrustBob"},
		resBob, resGetItem, resOrders, false, "implicit-deny", nil},
	{"role chain: trust statement by Sid cuts the two-hop chain", "role-chain",
		[]string{"inline-policy:" + resBob + ",table-read", "trust-statement:" + resReader + ",TrustJump"},
		resBob, resGetItem, resOrders, true, "allow",
		[]string{"bob -CanAssume-> reader -direct-> orders [orders-read]"}},

	{"resource policy: membership removed, the bucket still names carol", "resource-policy",
		[]string{"group-membership:" + resCarol + "," + resAcct + "group/finance"},
		resCarol, resGetObj, "arn:aws:s3:::ledger/2026.csv", true, "allow",
		[]string{"carol -direct-> 2026.csv [ledger#policy]"}},
	{"resource policy: membership and bucket statement removed", "resource-policy",
		[]string{"group-membership:" + resCarol + "," + resAcct + "group/finance", "resource-policy-statement:arn:aws:s3:::ledger,CarolDirect"},
		resCarol, resGetObj, "arn:aws:s3:::ledger/2026.csv", false, "implicit-deny", nil},

	{"wildcard: s3:* in another policy survives", "wildcard",
		[]string{"policy-attachment:" + resDan + "," + resAcct + "policy/s3-get-object"},
		resDan, resGetObj, resObject, true, "allow", []string{"dan -direct-> logo.png [s3-full]"}},
	{"wildcard: both policies detached", "wildcard",
		[]string{"policy-attachment:" + resDan + "," + resAcct + "policy/s3-get-object", "policy-attachment:" + resDan + "," + resAcct + "policy/s3-full"},
		resDan, resGetObj, resObject, false, "implicit-deny", nil},

	{"conditional: only the MFA path survives", "conditional",
		[]string{"policy-attachment:" + resErin + "," + resAcct + "policy/s3-get-object"},
		resErin, resGetObj, resObject, true, "conditional",
		[]string{"erin -direct-> logo.png [s3-mfa] if aws:MultiFactorAuthPresent"}},

	{"boundary: bounded admin cannot list users", "boundary", nil,
		resFrank, "iam:ListUsers", "*", false, "implicit-deny", nil},
	{"boundary: removing it widens access", "boundary",
		[]string{"boundary:" + resFrank},
		resFrank, "iam:ListUsers", "*", true, "allow", []string{"frank -direct-> * [AdministratorAccess]"}},
}

func TestResidual(t *testing.T) {
	t.Parallel()
	for _, tt := range resResidualCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := resGraphPath(tt.graph)
			snap, _ := loadGraph(t, path)
			revs := resParseRevocations(t, tt.revoke)
			got, err := analysis.Residual(t.Context(), snap, revs, analysis.CanQuery{Principal: tt.principal, Action: tt.action, Resource: tt.resource})
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			out, _ := json.MarshalIndent(got, "", "  ")
			if got.StillAllowed != tt.wantStill || got.Decision.String() != tt.wantDecision {
				t.Errorf("%s: still_allowed %v, decision %s; want %v, %s\n%s", path, got.StillAllowed, got.Decision, tt.wantStill, tt.wantDecision, out)
			}
			var paths []string
			for _, p := range got.Paths {
				paths = append(paths, resSummarise(p))
			}
			if diff := cmp.Diff(tt.wantPaths, paths); diff != "" {
				t.Errorf("%s: paths (-want +got):\n%s\n%s", path, diff, out)
			}
			if !got.StillAllowed && !strings.Contains(string(out), `"paths": []`) {
				t.Errorf("%s: access gone, but paths is not an empty list:\n%s", path, out)
			}
		})
	}
}

func resParseRevocations(t *testing.T, ss []string) []analysis.Revocation {
	t.Helper()
	var revs []analysis.Revocation
	for _, s := range ss {
		r, err := analysis.ParseRevocation(s)
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, r)
	}
	return revs
}

// summarise writes a path as "from -edge-> to ... [allowing policies] if
// missing-context", naming nodes by the last segment of their IDs.
func resSummarise(p analysis.Path) string {
	if len(p.Steps) == 0 {
		return "(empty)"
	}
	var b strings.Builder
	b.WriteString(resShort(p.Steps[0].From))
	for _, s := range p.Steps {
		fmt.Fprintf(&b, " -%s-> %s", s.Kind, resShort(s.To))
	}
	last := p.Steps[len(p.Steps)-1]
	var pols, missing []string
	for _, ev := range last.Evidence {
		for _, r := range ev.Reasons {
			if r.Effect == policy.Allow {
				pols = append(pols, resShort(r.Policy))
			}
		}
		missing = append(missing, ev.MissingContext...)
	}
	slices.Sort(pols)
	fmt.Fprintf(&b, " [%s]", strings.Join(slices.Compact(pols), ","))
	if len(missing) > 0 {
		b.WriteString(" if " + strings.Join(missing, ","))
	}
	return b.String()
}

func resShort(id string) string { return id[strings.LastIndexAny(id, "/:")+1:] }

func TestResidualLeavesSnapshotUnchanged(t *testing.T) {
	t.Parallel()
	snap, _ := loadGraph(t, resGraphPath("role-chain"))
	before := resDeepCopy(t, snap)
	revs := resParseRevocations(t, []string{
		"inline-policy:" + resBob + ",table-read", "trust-statement:" + resReader + ",0", "policy-attachment:" + resJump + "," + resAcct + "policy/assume-any",
	})
	cf, err := analysis.Apply(snap, revs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, snap); diff != "" {
		t.Fatalf("Apply changed its input (-before +after):\n%s", diff)
	}
	if _, err := analysis.Residual(t.Context(), snap, revs, analysis.CanQuery{Principal: resBob, Action: resGetItem, Resource: resOrders}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, snap); diff != "" {
		t.Fatalf("Residual changed its input (-before +after):\n%s", diff)
	}
	// The counterfactual lost the inline policy node, its edge and jump's
	// attachment, and reader trusts only jump.
	if got, want := len(cf.Nodes), len(snap.Nodes)-1; got != want {
		t.Errorf("counterfactual has %d nodes, want %d", got, want)
	}
	if got, want := len(cf.Edges), len(snap.Edges)-2; got != want {
		t.Errorf("counterfactual has %d edges, want %d", got, want)
	}
	const wantTrust = `{"Version":"2012-10-17","Statement":[{"Sid":"TrustJump","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/jump"},"Action":"sts:AssumeRole"}]}`
	for _, n := range cf.Nodes {
		if n.ID == resReader && n.Identity.TrustPolicy != wantTrust {
			t.Errorf("reader's trust policy:\n got %s\nwant %s", n.Identity.TrustPolicy, wantTrust)
		}
	}
}

func TestResidualApplySharesSlices(t *testing.T) {
	t.Parallel()
	snap, _ := loadGraph(t, resGraphPath("boundary"))
	cf, err := analysis.Apply(snap, resParseRevocations(t, []string{"boundary:" + resFrank}))
	if err != nil {
		t.Fatal(err)
	}
	if &cf.Nodes[0] != &snap.Nodes[0] {
		t.Error("removing an edge copied the nodes")
	}
	if len(cf.Edges) != len(snap.Edges)-1 || &cf.Edges[0] == &snap.Edges[0] {
		t.Errorf("removing an edge: %d edges of %d, shared %v", len(cf.Edges), len(snap.Edges), &cf.Edges[0] == &snap.Edges[0])
	}
	cf, err = analysis.Apply(snap, nil)
	if err != nil || cf == snap || &cf.Nodes[0] != &snap.Nodes[0] || &cf.Edges[0] != &snap.Edges[0] {
		t.Errorf("Apply with no revocation: %v, copied a slice", err)
	}
}

func resDeepCopy(t *testing.T, s *graph.Snapshot) *graph.Snapshot {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var c graph.Snapshot
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestParseRevocation(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want analysis.Revocation
	}{
		{"policy-attachment:" + resAlice + ",arn:aws:iam::aws:policy/ReadOnlyAccess",
			analysis.Revocation{Kind: analysis.RevokePolicyAttachment, Target: resAlice, Object: "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		{"inline-policy:" + resBob + ",table-read", analysis.Revocation{Kind: analysis.RevokeInlinePolicy, Target: resBob, Object: "table-read"}},
		{"group-membership:" + resAlice + "," + resAcct + "group/analysts",
			analysis.Revocation{Kind: analysis.RevokeGroupMembership, Target: resAlice, Object: resAcct + "group/analysts"}},
		{"trust-statement:" + resReader + ",0", analysis.Revocation{Kind: analysis.RevokeTrustStatement, Target: resReader, Object: "0"}},
		{"boundary:" + resFrank, analysis.Revocation{Kind: analysis.RevokeBoundary, Target: resFrank}},
		{"resource-policy-statement:arn:aws:s3:::ledger, CarolDirect",
			analysis.Revocation{Kind: analysis.RevokeResourcePolicyStatement, Target: "arn:aws:s3:::ledger", Object: "CarolDirect"}},
	}
	for _, tt := range ok {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := analysis.ParseRevocation(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRevocation(%q) (-want +got):\n%s", tt.in, diff)
			}
			if again, _ := analysis.ParseRevocation(got.String()); again != got {
				t.Errorf("String %q does not parse back: %+v", got.String(), again)
			}
		})
	}
	bad := []struct{ in, wantErr string }{
		{"", "want KIND:TARGET[,OBJECT]"},
		{"detach:" + resAlice + ",x", `unknown kind "detach"`},
		{"policy-attachment:" + resAlice, "policy-attachment takes PRINCIPAL_ARN,POLICY_ARN"},
		{"policy-attachment:" + resAlice + ",", "policy-attachment: empty POLICY_ARN"},
		{"inline-policy:,table-read", "inline-policy: empty PRINCIPAL_ARN"},
		{"group-membership:" + resAlice, "group-membership takes USER_ARN,GROUP_ARN"},
		{"trust-statement:" + resReader + ", ", "trust-statement: empty SID"},
		{"boundary:", "boundary: empty PRINCIPAL_ARN"},
		{"boundary:" + resFrank + ",x", "boundary takes only PRINCIPAL_ARN"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := analysis.ParseRevocation(tt.in)
			if !errors.Is(err, analysis.ErrInvalidRevocation) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRevocation(%q) = %v, want ErrInvalidRevocation saying %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestResidualApplyErrors(t *testing.T) {
	t.Parallel()
	snap, _ := loadGraph(t, resGraphPath("role-chain"))
	tests := []struct{ revoke, wantErr string }{
		{"policy-attachment:" + resAcct + "user/nobody," + resAcct + "policy/assume-any", `no user or group or role "arn:aws:iam::111122223333:user/nobody"`},
		{"policy-attachment:" + resBob + "," + resAcct + "policy/missing", `no policy "arn:aws:iam::111122223333:policy/missing"`},
		{"policy-attachment:" + resBob + "," + resAcct + "policy/orders-read", "policy " + resAcct + "policy/orders-read is not attached to " + resBob},
		{"inline-policy:" + resBob + ",nope", `has no inline policy "nope"`},
		{"group-membership:" + resBob + "," + resAcct + "group/admins", `no group "arn:aws:iam::111122223333:group/admins"`},
		{"group-membership:" + resReader + "," + resAcct + "group/admins", `no user "arn:aws:iam::111122223333:role/reader"`},
		{"trust-statement:" + resReader + ",NoSuchSid", `no statement with Sid "NoSuchSid" or index NoSuchSid among 2`},
		{"trust-statement:" + resReader + ",2", `no statement with Sid "2" or index 2 among 2`},
		{"trust-statement:" + resBob + ",0", `no role "arn:aws:iam::111122223333:user/bob"`},
		{"boundary:" + resBob, resBob + " has no permissions boundary"},
		{"resource-policy-statement:" + resOrders + ",0", "resource " + resOrders + " has no resource policy"},
	}
	for _, tt := range tests {
		t.Run(tt.revoke, func(t *testing.T) {
			t.Parallel()
			_, err := analysis.Apply(snap, resParseRevocations(t, []string{tt.revoke}))
			if !errors.Is(err, analysis.ErrRevocationTarget) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Apply(%s) = %v, want ErrRevocationTarget saying %q", tt.revoke, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "revoke "+tt.revoke) {
				t.Errorf("error does not name the revocation: %v", err)
			}
		})
	}
	// The same revocation twice: the second finds nothing left to take.
	r := resParseRevocations(t, []string{"inline-policy:" + resBob + ",table-read"})
	if _, err := analysis.Apply(snap, append(r, r...)); !errors.Is(err, analysis.ErrRevocationTarget) {
		t.Errorf("revoking twice: %v, want ErrRevocationTarget", err)
	}
}

func TestResidualAudit(t *testing.T) {
	t.Parallel()
	snap, _ := loadGraph(t, resGraphPath("role-chain"))
	data, err := os.ReadFile("testdata/residual/grants.json")
	if err != nil {
		t.Fatal(err)
	}
	var grants []analysis.Grant
	if err := json.Unmarshal(data, &grants); err != nil {
		t.Fatalf("testdata/residual/grants.json: %v", err)
	}
	res, err := analysis.Audit(t.Context(), snap, grants)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Grants); got != len(grants) {
		t.Fatalf("%d grants audited, want %d", got, len(grants))
	}
	var effective []int
	for _, g := range res.Grants {
		effective = append(effective, len(g.StillEffective))
	}
	// jit-1 survives through both role chains; jit-2 is gone; jit-3's
	// revocation was already in effect, and its access survives.
	if diff := cmp.Diff([]int{1, 0, 1}, effective); diff != "" {
		t.Errorf("still effective per grant (-want +got):\n%s", diff)
	}
	got, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	resCheckGolden(t, "testdata/residual/audit.golden.json", append(got, '\n'))

	grants[1].Principal = resAcct + "role/ghost"
	if _, err := analysis.Audit(t.Context(), snap, grants); !errors.Is(err, analysis.ErrUnknownPrincipal) || !strings.Contains(err.Error(), `grants[1] "jit-2"`) {
		t.Errorf("unknown principal: %v, want ErrUnknownPrincipal naming the grant", err)
	}
}

func resCheckGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *resUpdate {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analysis -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestResidualEnvMatchesRebuild checks Env.Revoked, which reassembles only
// what the revocations touch, against a full rebuild of the counterfactual
// snapshot on every residual case.
func TestResidualEnvMatchesRebuild(t *testing.T) {
	t.Parallel()
	for _, tt := range resResidualCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			snap, _ := loadGraph(t, resGraphPath(tt.graph))
			revs := resParseRevocations(t, tt.revoke)
			q := analysis.CanQuery{Principal: tt.principal, Action: tt.action, Resource: tt.resource}
			want, err := analysis.Residual(t.Context(), snap, revs, q)
			if err != nil {
				t.Fatal(err)
			}
			e := snapshotEnv(t, snap)
			got, err := analysis.ResidualEnv(t.Context(), snap, e, revs, q)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.MarshalIndent(want, "", "  ")
			gotJSON, _ := json.MarshalIndent(got, "", "  ")
			if diff := cmp.Diff(string(wantJSON), string(gotJSON)); diff != "" {
				t.Errorf("ResidualEnv differs from Residual (-rebuild +revoked):\n%s", diff)
			}
			// e itself still answers for the snapshot as it is.
			again, err := analysis.AccessPaths(t.Context(), e, q)
			if err != nil {
				t.Fatal(err)
			}
			orig, err := analysis.Residual(t.Context(), snap, nil, q)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := resMustJSON(t, again), resMustJSON(t, orig); a != b {
				t.Errorf("Revoked changed the Env it started from:\n%s\nwant\n%s", a, b)
			}
		})
	}
}

func resMustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
