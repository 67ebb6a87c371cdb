package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/permgraph/permgraph/graph"
)

// The organization of residualStore: bob reads table orders through his
// inline policy table-read and through group readers; he may assume role
// reader (trust statement 0, no Sid), which reads orders too.
const (
	rAcct    = "arn:aws:iam::111122223333:"
	rBob     = rAcct + "user/bob"
	rReader  = rAcct + "role/reader"
	rReaders = rAcct + "group/readers"
	rOrders  = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
	rDir     = "testdata/residual/"
)

const ordersRead = `{"Version":"2012-10-17","Statement":[{"Sid":"OrdersRead","Effect":"Allow","Action":"dynamodb:GetItem","Resource":"` + rOrders + `"}]}`

// residualStore writes the organization above as the only snapshot of a
// new store and returns its directory.
func residualStore(t *testing.T) string {
	t.Helper()
	policyNode := func(id, name string, kind graph.PolicyKind, doc string) graph.Node {
		return graph.Node{ID: id, Kind: graph.KindPolicy, Name: name, Account: "111122223333",
			Policy: &graph.Policy{Kind: kind, Versions: []graph.PolicyVersion{{Document: doc}}}}
	}
	snap := &graph.Snapshot{
		Meta: graph.Meta{Created: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Source: "test:residual"},
		Nodes: []graph.Node{
			{ID: "account/111122223333", Kind: graph.KindAccount, Name: "data", Account: "111122223333"},
			{ID: rBob, Kind: graph.KindUser, ARN: rBob, Name: "bob", Account: "111122223333"},
			{ID: rReaders, Kind: graph.KindGroup, ARN: rReaders, Name: "readers", Account: "111122223333"},
			{ID: rReader, Kind: graph.KindRole, ARN: rReader, Name: "reader", Account: "111122223333",
				Identity: &graph.Identity{TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + rBob + `"},"Action":"sts:AssumeRole"}]}`}},
			policyNode(rBob+"/inline/table-read", "table-read", graph.PolicyInline, ordersRead),
			policyNode(rAcct+"policy/orders-read", "orders-read", graph.PolicyManaged, ordersRead),
			policyNode(rAcct+"policy/assume-reader", "assume-reader", graph.PolicyManaged,
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+rReader+`"}]}`),
			{ID: rOrders, Kind: graph.KindResource, ARN: rOrders, Name: "orders", Account: "111122223333",
				Resource: &graph.Resource{Type: "dynamodb:table"}},
		},
		Edges: []graph.Edge{
			{From: rBob, To: rBob + "/inline/table-read", Kind: graph.EdgeAttached},
			{From: rBob, To: rAcct + "policy/assume-reader", Kind: graph.EdgeAttached},
			{From: rBob, To: rReaders, Kind: graph.EdgeMemberOf},
			{From: rReaders, To: rAcct + "policy/orders-read", Kind: graph.EdgeAttached},
			{From: rReader, To: rAcct + "policy/orders-read", Kind: graph.EdgeAttached},
			{From: rReader, To: rBob, Kind: graph.EdgeTrusts},
		},
	}
	dir := t.TempDir()
	st, err := graph.Open(graph.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(t.Context(), snap); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestResidualJSON(t *testing.T) {
	t.Parallel()
	dir := residualStore(t)
	query := []string{rBob, "dynamodb:GetItem", rOrders}
	tests := []struct {
		name      string
		args      []string
		wantStill bool
		wantPaths int
	}{
		{"residual nothing revoked", nil, true, 2},
		// Two --revoke flags whose values hold commas: each stays whole.
		{"residual inline and membership revoked role chain survives", []string{
			"--revoke", "inline-policy:" + rBob + ",table-read",
			"--revoke", "group-membership:" + rBob + "," + rReaders}, true, 1},
		{"residual trust statement revoked too access gone", []string{
			"--revoke", "inline-policy:" + rBob + ",table-read",
			"--revoke", "group-membership:" + rBob + "," + rReaders,
			"--revoke", "trust-statement:" + rReader + ",0"}, false, 0},
	}
	for _, tt := range tests { // not parallel: a store admits one open at a time
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"residual", "--data", dir, "-o", "json"}, query...), tt.args...)
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			var got struct {
				StillAllowed *bool             `json:"still_allowed"`
				Decision     string            `json:"decision"`
				Paths        []json.RawMessage `json:"paths"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if got.StillAllowed == nil || *got.StillAllowed != tt.wantStill || len(got.Paths) != tt.wantPaths || got.Paths == nil {
				t.Errorf("still_allowed %v with %d paths, want %v with %d\n%s", got.StillAllowed, len(got.Paths), tt.wantStill, tt.wantPaths, stdout)
			}
			checkGolden(t, residualGolden(tt.name, ".json"), []byte(stdout))
		})
	}
}

func residualGolden(name, ext string) string {
	return filepath.Join(rDir, "golden", strings.ReplaceAll(name, " ", "-")+ext)
}

func TestResidualAudit(t *testing.T) {
	t.Parallel()
	dir := residualStore(t)
	code, stdout, stderr := runArgs(t, "residual", "--data", dir, "--audit", "--grants", rDir+"grants.json", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	checkGolden(t, residualGolden("audit", ".json"), []byte(stdout))
	var got struct {
		Grants []struct {
			ID             string            `json:"id"`
			StillEffective []json.RawMessage `json:"still_effective"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Grants) != 2 || len(got.Grants[0].StillEffective) != 1 || got.Grants[1].StillEffective == nil || len(got.Grants[1].StillEffective) != 0 {
		t.Errorf("want jit-1 still effective and jit-2 gone (an empty list):\n%s", stdout)
	}

	tt := canCase{wantStdout: []string{"GRANT", "jit-1", "dynamodb:GetItem", "allow", "jit-2", "gone"}}
	checkRun(t, tt, "residual", "--data", dir, "--audit", "--grants", rDir+"grants.json")
}

func TestResidualErrorsAndTable(t *testing.T) {
	t.Parallel()
	dir := residualStore(t)
	q := []string{"residual", "--data", dir, rBob, "dynamodb:GetItem", rOrders}
	tests := []canCase{
		{name: "table", args: append(q, "--revoke", "inline-policy:"+rBob+",table-read"),
			wantStdout: []string{"still allowed: yes (allow)", "PATH", rBob + " -direct-> " + rOrders, "OrdersRead@" + rAcct + "policy/orders-read",
				rBob + " -CanAssume-> " + rReader + " -direct-> " + rOrders}},
		{name: "bad revocation kind", wantCode: exitUsage, args: append(q, "--revoke", "detach:"+rBob+",x"),
			wantStderr: []string{`--revoke: analysis: invalid revocation "detach:` + rBob + `,x": unknown kind "detach"`}},
		{name: "revocation without its second field", wantCode: exitUsage, args: append(q, "--revoke", "policy-attachment:"+rBob),
			wantStderr: []string{"policy-attachment takes PRINCIPAL_ARN,POLICY_ARN"}},
		{name: "unknown policy", wantCode: exitUsage, args: append(q, "--revoke", "policy-attachment:"+rBob+","+rAcct+"policy/nope"),
			wantStderr: []string{`revoke policy-attachment:` + rBob + `,` + rAcct + `policy/nope: analysis: revocation names nothing in the snapshot: no policy "` + rAcct + `policy/nope"`}},
		{name: "unknown trust statement", wantCode: exitUsage, args: append(q, "--revoke", "trust-statement:"+rReader+",Gone"),
			wantStderr: []string{`no statement with Sid "Gone" or index Gone among 1`}},
		{name: "unknown principal", wantCode: exitUsage, args: []string{"residual", "--data", dir, rAcct + "user/nobody", "s3:GetObject", "*"},
			wantStderr: []string{"unknown principal"}},
		{name: "two arguments", wantCode: exitUsage, args: []string{"residual", "--data", dir, rBob, "s3:GetObject"},
			wantStderr: []string{"residual takes PRINCIPAL ACTION RESOURCE, got 2 argument(s)"}},
		{name: "audit without grants", wantCode: exitUsage, args: []string{"residual", "--data", dir, "--audit"},
			wantStderr: []string{"residual --audit needs --grants FILE"}},
		{name: "audit with arguments", wantCode: exitUsage, args: []string{"residual", "--data", dir, "--audit", "--grants", rDir + "grants.json", rBob},
			wantStderr: []string{"residual --audit takes no arguments, got 1"}},
		{name: "audit with revoke", wantCode: exitUsage, args: []string{"residual", "--data", dir, "--audit", "--grants", rDir + "grants.json", "--revoke", "boundary:" + rBob},
			wantStderr: []string{"remove --revoke and --context"}},
		{name: "grants without audit", wantCode: exitUsage, args: append(q, "--grants", rDir+"grants.json"),
			wantStderr: []string{"--grants goes with --audit"}},
		{name: "grants file with an unknown field", wantCode: exitUsage, args: []string{"residual", "--data", dir, "--audit", "--grants", rDir + "grants-bad.json"},
			wantStderr: []string{"grants-bad.json", `unknown field "expires"`}},
	}
	for _, tt := range tests { // not parallel: see TestResidualJSON
		t.Run(tt.name, func(t *testing.T) { checkRun(t, tt, tt.args...) })
	}
}
