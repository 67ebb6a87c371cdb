package bundle

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/permgraph/permgraph/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func TestReadGolden(t *testing.T) {
	b, err := Read(filepath.Join("testdata", "bundle"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	golden := filepath.Join("testdata", "bundle.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Read(testdata/bundle) mismatch (-want +got):\n%s", diff)
	}
}

// TestReadFixture checks, beyond the golden file, what the fixture is for.
func TestReadFixture(t *testing.T) {
	b, err := Read(filepath.Join("testdata", "bundle"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Roots, OUs, Accounts, SCPs, RCPs   int
		AccountDirs                        []string
		Credentials, Resources, Principals int
		Warnings                           []string
	}
	got := summary{Roots: len(b.Org.Roots), OUs: len(b.Org.OrganizationalUnits), Accounts: len(b.Org.Accounts), Warnings: b.Warnings}
	for _, p := range b.Org.Policies {
		switch p.PolicySummary.Type {
		case ServiceControlPolicy:
			got.SCPs++
		case ResourceControlPolicy:
			got.RCPs++
		}
	}
	for id, a := range b.Accounts {
		got.AccountDirs = append(got.AccountDirs, id)
		got.Credentials += len(a.CredentialReport)
		got.Resources += len(a.Resources)
		got.Principals += len(a.LastAccessed)
	}
	want := summary{Roots: 1, OUs: 2, Accounts: 2, SCPs: 1, RCPs: 1, AccountDirs: []string{"111111111111", "222222222222"},
		Credentials: 2, Resources: 2, Principals: 1}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("fixture (-want +got):\n%s", diff)
	}
	alice := b.Accounts["111111111111"].CredentialReport[1]
	if !alice.PasswordEnabled || alice.MFAActive || !alice.AccessKeys[0].Active || alice.AccessKeys[0].LastUsedService != "s3" {
		t.Errorf("alice's credentials: %+v", alice)
	}
}

const gaad1 = `{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::111111111111:role/r","AssumeRolePolicyDocument":` + goodTrust + `}]}`

// writeBundle writes files (by slash-separated path) under a new directory.
func writeBundle(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const csvHeader = "user,arn,password_enabled,mfa_active,access_key_1_active,access_key_1_last_used_date\n"

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"account dir mismatch", map[string]string{"accounts/222222222222/authorization-details.json": gaad1},
			`accounts/222222222222/authorization-details.json: RoleDetailList[0].Arn: account "111111111111" does not match the directory's account 222222222222`},
		{"account dir not an id", map[string]string{"accounts/prod/authorization-details.json": gaad1},
			`accounts/prod: directory name is not a 12-digit account id`},
		{"no authorization details", map[string]string{"accounts/111111111111/resources.json": `{"Resources":[]}`},
			`open accounts/111111111111/authorization-details.json: no such file or directory`},
		{"empty bundle", map[string]string{"README": "hi"}, `: no organization.json and no accounts/<account-id>/`},
		{"bad CSV bool", map[string]string{
			"accounts/111111111111/authorization-details.json": gaad1,
			"accounts/111111111111/credential-report.csv": csvHeader +
				"alice,arn:aws:iam::111111111111:user/alice,true,false,true,2024-01-01T00:00:00+00:00\n" +
				"bob,arn:aws:iam::111111111111:user/bob,yes,false,false,N/A\n"},
			`accounts/111111111111/credential-report.csv: line 3, column password_enabled: "yes" is not true or false`},
		{"bad CSV date", map[string]string{
			"accounts/111111111111/authorization-details.json": gaad1,
			"accounts/111111111111/credential-report.csv":      csvHeader + "bob,arn:aws:iam::111111111111:user/bob,false,false,true,last week\n"},
			`accounts/111111111111/credential-report.csv: line 2, column access_key_1_last_used_date: "last week" is not an ISO 8601 date`},
		{"CSV short line", map[string]string{
			"accounts/111111111111/authorization-details.json": gaad1,
			"accounts/111111111111/credential-report.csv":      csvHeader + "bob,arn:aws:iam::111111111111:user/bob\n"},
			`accounts/111111111111/credential-report.csv: line 2, column 1: wrong number of fields`},
		{"CSV without arn", map[string]string{
			"accounts/111111111111/authorization-details.json": gaad1,
			"accounts/111111111111/credential-report.csv":      "user,mfa_active\nbob,true\n"},
			`accounts/111111111111/credential-report.csv: line 1: no "arn" column`},
		{"bad resource policy", map[string]string{
			"accounts/111111111111/authorization-details.json": gaad1,
			"accounts/111111111111/resources.json":             `{"Resources":[{"Arn":"arn:aws:s3:::b","Policy":{"Statement":[{"Effect":"Alow","Action":"s3:*"}]}}]}`},
			`accounts/111111111111/resources.json: Resources[0].Policy: Statement[0].Effect: must be "Allow" or "Deny"`},
		{"bad last-accessed", map[string]string{
			"accounts/111111111111/authorization-details.json": gaad1,
			"accounts/111111111111/last-accessed.json":         `{"Principals":[{"Arn":"a","ServicesLastAccessed":[{"ServiceNamespace":"s3","LastAuthenticated":"soon"}]}]}`},
			`accounts/111111111111/last-accessed.json: Principals[0].ServicesLastAccessed[0].LastAuthenticated: "soon" is not an ISO 8601 or Python datetime date`},
		{"bad org", map[string]string{"organization.json": `{"Organization":{"Id":"o-1"},"Accounts":[{"Id":"111111111111","ParentId":"r-1"}]}`},
			`organization.json: Accounts[0].ParentId: "r-1" is not a root or OU in the file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeBundle(t, tt.files)
			_, err := Read(dir, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			got = strings.ReplaceAll(got, dir, "")
			if diff := cmp.Diff(tt.want, filepath.ToSlash(got)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadWarnings(t *testing.T) {
	dir := writeBundle(t, map[string]string{
		"organization.json": `{"Organization":{"Id":"o-1"},"Roots":[{"Id":"r-1"}],"Accounts":[{"Id":"222222222222","ParentId":"r-1"}]}`,
		"accounts/111111111111/authorization-details.json": gaad1,
		"accounts/111111111111/notes.txt":                  "x",
		"accounts/111111111111/credential-report.csv":      "user,arn,shoe_size\nbob,arn:aws:iam::111111111111:user/bob,44\n",
		"accounts/README":                                  "x",
	})
	b, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range b.Warnings {
		got = append(got, filepath.ToSlash(strings.ReplaceAll(w, dir+string(filepath.Separator), "")))
	}
	want := []string{
		"accounts/111111111111/credential-report.csv: line 1: unknown column \"shoe_size\" ignored",
		"accounts/111111111111/notes.txt: unknown file ignored",
		"accounts/111111111111: account 111111111111 is not in organization.json",
		"accounts/README: not an account directory; ignored",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestReadSingleFile(t *testing.T) {
	dir := testutil.SharedData(t, "account-authorization-details")
	b, err := Read(filepath.Join(dir, "cloudsplaining-iam-vulnerable-200611803367.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := b.Accounts["200611803367"]
	if len(b.Accounts) != 1 || a == nil || len(a.AuthorizationDetails.RoleDetailList) != 75 {
		t.Fatalf("accounts: %v", b.Accounts)
	}
	// The merged fixture mixes two accounts' principals: no single account.
	merged := filepath.Join(dir, "cloudsplaining-example-merged-2026.json")
	_, err = Read(merged, Options{})
	want := merged + ": the ARNs name 2 accounts (012345678901, 200611803367), want one: put each account in accounts/<account-id>/"
	if err == nil || err.Error() != want {
		t.Errorf("Read(merged) error = %v, want %s", err, want)
	}
}
