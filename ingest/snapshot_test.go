package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func readBundle(t *testing.T, path string) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Read(path, bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func build(t *testing.T, b *bundle.Bundle, opts Options) *graph.Snapshot {
	t.Helper()
	snap, err := Build(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestBuildGolden maps the bundle package's fixture bundle (two accounts,
// an org with an SCP and an RCP, a credential report, resources and
// last-accessed data) and compares the whole snapshot with a golden file.
func TestBuildGolden(t *testing.T) {
	t.Parallel()
	snap := build(t, readBundle(t, "bundle/testdata/bundle"), Options{Source: "bundle:testdata"})
	got, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/bundle.golden.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
	}
	again := build(t, readBundle(t, "bundle/testdata/bundle"), Options{Source: "bundle:testdata"})
	if diff := cmp.Diff(snap, again); diff != "" {
		t.Errorf("second Build differs (-first +second):\n%s", diff)
	}
}

// TestBuildSharedData maps every real authorization-details file and checks
// the counts against the file itself.
func TestBuildSharedData(t *testing.T) {
	t.Parallel()
	dir := testutil.SharedData(t, "account-authorization-details")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in %s (%v)", dir, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			var b *bundle.Bundle
			if strings.Contains(file, "merged") {
				b = splitByAccount(t, file) // bundle.Read rejects a file naming two accounts
			} else {
				b = readBundle(t, file)
			}
			snap := build(t, b, Options{})
			var want graph.Counts
			awsPolicies := map[string]bool{}
			for _, a := range b.Accounts {
				g := a.AuthorizationDetails
				want.Accounts++
				want.Users += len(g.UserDetailList)
				want.Groups += len(g.GroupDetailList)
				want.Roles += len(g.RoleDetailList)
				for _, p := range g.Policies {
					if strings.HasPrefix(p.Arn, "arn:aws:iam::aws:") {
						awsPolicies[p.Arn] = true
					} else {
						want.ManagedPolicies++
					}
				}
				for _, u := range g.UserDetailList {
					want.InlinePolicies += len(u.UserPolicyList)
				}
				for _, x := range g.GroupDetailList {
					want.InlinePolicies += len(x.GroupPolicyList)
				}
				for _, r := range g.RoleDetailList {
					want.InlinePolicies += len(r.RolePolicyList)
				}
			}
			want.ManagedPolicies += len(awsPolicies)
			if diff := cmp.Diff(want, snap.Meta.Counts); diff != "" {
				t.Errorf("counts (-from the file +snapshot):\n%s", diff)
			}
			for _, n := range snap.Nodes {
				if (n.Kind == graph.KindUser || n.Kind == graph.KindRole) && n.Class == "" {
					t.Errorf("%s has no class", n.ID)
				}
			}
		})
	}
}

// splitByAccount assembles a bundle from a file holding several accounts'
// principals, each under its own account; AWS managed policies go to all.
func splitByAccount(t *testing.T, file string) *bundle.Bundle {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	g, err := bundle.DecodeGAAD(file, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{Accounts: map[string]*bundle.Account{}, Warnings: g.Warnings}
	acct := func(arn string) *bundle.GAAD {
		id := accountOf(arn)
		if b.Accounts[id] == nil {
			b.Accounts[id] = &bundle.Account{ID: id, AuthorizationDetails: &bundle.GAAD{}}
		}
		return b.Accounts[id].AuthorizationDetails
	}
	for _, u := range g.UserDetailList {
		a := acct(u.Arn)
		a.UserDetailList = append(a.UserDetailList, u)
	}
	for _, x := range g.GroupDetailList {
		a := acct(x.Arn)
		a.GroupDetailList = append(a.GroupDetailList, x)
	}
	for _, r := range g.RoleDetailList {
		a := acct(r.Arn)
		a.RoleDetailList = append(a.RoleDetailList, r)
	}
	var aws []bundle.ManagedPolicy
	for _, p := range g.Policies {
		if accountOf(p.Arn) == "aws" {
			aws = append(aws, p)
			continue
		}
		a := acct(p.Arn)
		a.Policies = append(a.Policies, p)
	}
	if len(b.Accounts) < 2 {
		t.Fatalf("%s names %d accounts, want several", file, len(b.Accounts))
	}
	for _, a := range b.Accounts {
		a.AuthorizationDetails.Policies = append(a.AuthorizationDetails.Policies, aws...)
	}
	return b
}

// TestClassifyIAMVulnerable spot-checks the built-in rules on a real account.
func TestClassifyIAMVulnerable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(testutil.SharedData(t, "account-authorization-details"), "cloudsplaining-iam-vulnerable-200611803367.json")
	snap := build(t, readBundle(t, file), Options{})
	const role = "arn:aws:iam::200611803367:role/"
	tests := []struct {
		id   string
		want graph.Class
	}{
		{role + "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc", graph.ClassHuman},
		{role + "aws-reserved/sso.amazonaws.com/AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8", graph.ClassHuman},
		{role + "aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM", graph.ClassServiceLinked},
		{role + "aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO", graph.ClassServiceLinked},
		// Trusted by 072528804237, outside the ingested accounts: the
		// external-account rule.
		{role + "OrganizationAccountAccessRole", graph.ClassThirdParty},
		// Trusted by its own account only: no rule applies.
		{role + "privesc-permissive-role-trust", graph.ClassUnknown},
	}
	nodes := map[string]graph.Node{}
	for _, n := range snap.Nodes {
		nodes[n.ID] = n
	}
	for _, tt := range tests {
		n, ok := nodes[tt.id]
		if !ok {
			t.Errorf("no node %s", tt.id)
			continue
		}
		if n.Class != tt.want {
			t.Errorf("%s: class %q, want %q", tt.id, n.Class, tt.want)
		}
	}
	// Every service-linked path is classified service-linked.
	for _, n := range snap.Nodes {
		if n.Kind == graph.KindRole && strings.HasPrefix(n.Path, "/aws-service-role/") && n.Class != graph.ClassServiceLinked {
			t.Errorf("%s: class %q, want service-linked", n.ID, n.Class)
		}
	}
	hasEdge := func(e graph.Edge) bool { return slices.Contains(snap.Edges, e) }
	for _, e := range []graph.Edge{
		{From: role + "OrganizationAccountAccessRole", To: "account/072528804237", Kind: graph.EdgeTrusts},
		{From: role + "privesc-permissive-role-trust", To: "account/200611803367", Kind: graph.EdgeTrusts},
		{From: role + "privesc-sre-role", To: "arn:aws:iam::200611803367:user/privesc-sre-user", Kind: graph.EdgeTrusts},
	} {
		if !hasEdge(e) {
			t.Errorf("no edge %+v", e)
		}
	}
	if n := nodes["account/072528804237"]; n.Kind != graph.KindExternalPrincipal {
		t.Errorf("account/072528804237 is a %q node, want ExternalPrincipal", n.Kind)
	}
}
