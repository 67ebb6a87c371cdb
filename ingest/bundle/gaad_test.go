package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/internal/testutil"
)

// TestDecodeGAADSharedData decodes every real GAAD in the shared data set
// and checks the counts against the file, read independently.
func TestDecodeGAADSharedData(t *testing.T) {
	dir := testutil.SharedData(t, "account-authorization-details")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no GAAD files in %s (%v)", dir, err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g, err := DecodeGAAD(filepath.Base(path), strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(countJSON(t, data), countGAAD(g)); diff != "" {
				t.Errorf("counts (-file +decoded):\n%s", diff)
			}
		})
	}
}

type counts struct{ Users, Groups, Roles, Policies, Documents int }

func countJSON(t *testing.T, data []byte) counts {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	var c counts
	lists := map[string]*int{"UserDetailList": &c.Users, "GroupDetailList": &c.Groups, "RoleDetailList": &c.Roles, "Policies": &c.Policies}
	docs := []string{"UserPolicyList", "GroupPolicyList", "RolePolicyList", "PolicyVersionList"}
	for key, n := range lists {
		var entries []map[string]any
		_ = json.Unmarshal(top[key], &entries)
		*n = len(entries)
		for _, e := range entries {
			if _, ok := e["AssumeRolePolicyDocument"]; ok {
				c.Documents++
			}
			for _, d := range docs {
				l, _ := e[d].([]any)
				c.Documents += len(l)
			}
		}
	}
	return c
}

func countGAAD(g *GAAD) counts {
	c := counts{Users: len(g.UserDetailList), Groups: len(g.GroupDetailList), Roles: len(g.RoleDetailList), Policies: len(g.Policies)}
	for _, u := range g.UserDetailList {
		c.Documents += len(u.UserPolicyList)
	}
	for _, x := range g.GroupDetailList {
		c.Documents += len(x.GroupPolicyList)
	}
	for _, r := range g.RoleDetailList {
		c.Documents += 1 + len(r.RolePolicyList)
	}
	for _, p := range g.Policies {
		c.Documents += len(p.PolicyVersionList)
	}
	return c
}

func TestDecodeGAADIAMVulnerable(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t, "account-authorization-details"), "cloudsplaining-iam-vulnerable-200611803367.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := DecodeGAAD("iam-vulnerable.json", f)
	if err != nil {
		t.Fatal(err)
	}
	want := counts{Users: 41, Groups: 3, Roles: 75, Policies: 56}
	got := countGAAD(g)
	got.Documents = 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if len(g.Warnings) != 0 {
		t.Errorf("warnings: %q", g.Warnings)
	}
	p := g.Policies[0]
	if got, want := p.CreateDate, time.Date(2023, 3, 9, 10, 41, 34, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Policies[0].CreateDate = %v, want %v (Python str(datetime))", got, want)
	}
	if v := p.DefaultVersion(); v == nil || v.Document.Policy.Statements[0].Action[0] != "iam:AttachGroupPolicy" {
		t.Errorf("Policies[0] default version = %+v", v)
	}
	if ids := accountsIn(g); !cmp.Equal(ids, []string{"200611803367"}) {
		t.Errorf("accountsIn = %q", ids)
	}
}

func TestDecodeGAADAWSCLIExample(t *testing.T) {
	path := filepath.Join(testutil.SharedData(t, "account-authorization-details"), "aws-cli-example-get-account-authorization-details.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := DecodeGAAD("cli.json", f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cli.json: GroupDetailList[0].AttachedManagedPolicies: an object, not a list: read as a one-element list",
		"cli.json: GroupDetailList[1].AttachedManagedPolicies: an object, not a list: read as a one-element list",
		"cli.json: truncated output (IsTruncated is true); re-run without pagination limits",
	}
	if diff := cmp.Diff(want, g.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	wantAttached := []AttachedPolicy{{PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess"}}
	if diff := cmp.Diff(wantAttached, g.GroupDetailList[0].AttachedManagedPolicies); diff != "" {
		t.Errorf("GroupDetailList[0].AttachedManagedPolicies (-want +got):\n%s", diff)
	}
	if !g.UserDetailList[1].UserPolicyList[0].PolicyDocument.Policy.SingleStatement {
		t.Error("Bob's inline policy: Statement as an object not recorded")
	}
	if g.Marker == "" || !g.IsTruncated {
		t.Errorf("IsTruncated, Marker = %v, %q", g.IsTruncated, g.Marker)
	}
}

const (
	goodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	badTrust  = `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

func role(name, trust string) string {
	return fmt.Sprintf(`{"RoleName":%q,"Arn":"arn:aws:iam::111111111111:role/%s","AssumeRolePolicyDocument":%s}`, name, name, trust)
}

// fourRoles has a bad trust policy in RoleDetailList[3].
var fourRoles = `{"RoleDetailList":[` + role("a", goodTrust) + "," + role("b", goodTrust) + "," +
	role("c", goodTrust) + "," + role("d", badTrust) + `]}`

func TestDecodeGAADErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bad JSON with line and column", "{\n  \"UserDetailList\": [\n    {\"UserName\": \"a\",}\n  ]\n}",
			`f.json:3:22: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"truncated JSON", `{"UserDetailList": [`, `f.json:1:21: invalid JSON: unexpected end of JSON input`},
		{"bad policy document", fourRoles,
			`f.json: RoleDetailList[3].AssumeRolePolicyDocument: Statement[0].Effect: must be "Allow" or "Deny"`},
		{"bad URL-encoded document", `{"RoleDetailList":[` + role("a", `"%7B%22Statement"`) + `]}`,
			`f.json: RoleDetailList[0].AssumeRolePolicyDocument: policy: invalid JSON at line 1, column 12: unexpected end of JSON input`},
		{"bad managed policy version", `{"Policies":[{"PolicyName":"p","Arn":"arn:aws:iam::111111111111:policy/p","PolicyVersionList":[{"Document":{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},"VersionId":"v1"},{"Document":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Bogus":1}]}}]}]}`,
			`f.json: Policies[0].PolicyVersionList[1].Document: Statement[0]: unknown element "Bogus"`},
		{"bad date", `{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::111111111111:user/a","CreateDate":"09/03/2023"}]}`,
			`f.json: UserDetailList[0].CreateDate: "09/03/2023" is not an ISO 8601 or Python datetime date`},
		{"wrong type", `{"UserDetailList":[{"UserName":7,"Arn":"x"}]}`,
			`f.json: UserDetailList[0].UserName: want a string, got number`},
		{"missing Arn", `{"GroupDetailList":[{"GroupName":"g"}]}`, `f.json: GroupDetailList[0].Arn: missing`},
		{"missing trust policy", `{"RoleDetailList":[{"RoleName":"r","Arn":"x"}]}`,
			`f.json: RoleDetailList[0].AssumeRolePolicyDocument: missing`},
		{"list is an object", `{"UserDetailList":{}}`, `f.json: UserDetailList: want a list, got object`},
		{"top level is a list", `[]`, `f.json: want an object, got list`},
		{"document is a number", `{"RoleDetailList":[` + role("a", `5`) + `]}`,
			`f.json: RoleDetailList[0].AssumeRolePolicyDocument: want a policy document (object or string), got number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeGAAD("f.json", strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeGAADErrorTypes(t *testing.T) {
	_, err := DecodeGAAD("f.json", strings.NewReader(fourRoles))
	var pe *policy.ParseError
	if !errors.As(err, &pe) || pe.Path != "Statement[0].Effect" {
		t.Errorf("errors.As(%v, *policy.ParseError): %+v", err, pe)
	}
	if de, ok := errors.AsType[*DocumentError](err); !ok || de.Path != "RoleDetailList[3].AssumeRolePolicyDocument" {
		t.Errorf("errors.As(%v, *DocumentError): %+v", err, de)
	}
	_, err = DecodeGAAD("f.json", strings.NewReader("{"))
	if !errors.Is(err, ErrSyntax) {
		t.Errorf("errors.Is(%v, ErrSyntax) = false", err)
	}
}

func TestDecodeGAADSkipInvalid(t *testing.T) {
	g, err := Options{SkipInvalid: true}.DecodeGAAD("f.json", strings.NewReader(fourRoles))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range g.RoleDetailList {
		names = append(names, r.RoleName)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, names); diff != "" {
		t.Errorf("roles kept (-want +got):\n%s", diff)
	}
	want := []string{`f.json: RoleDetailList[3].AssumeRolePolicyDocument: Statement[0].Effect: must be "Allow" or "Deny" (RoleDetailList[3] dropped)`}
	if diff := cmp.Diff(want, g.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// Only policy documents are skippable: a bad date still fails.
	_, err = Options{SkipInvalid: true}.DecodeGAAD("f.json", strings.NewReader(`{"RoleDetailList":[{"RoleName":"r","Arn":"x","CreateDate":"never","AssumeRolePolicyDocument":`+goodTrust+`}]}`))
	if err == nil {
		t.Error("bad date skipped under SkipInvalid")
	}
}

func TestDecodeGAADWarnings(t *testing.T) {
	in := `{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::111111111111:user/a","Shiny":true,"Tags":[{"Key":"k","Value":"v","Extra":1}]}],"NewTopLevel":[]}`
	g, err := DecodeGAAD("f.json", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"f.json: UserDetailList[0].Tags[0].Extra: unknown field ignored",
		"f.json: UserDetailList[0].Shiny: unknown field ignored",
		"f.json: NewTopLevel: unknown field ignored",
	}
	if diff := cmp.Diff(want, g.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2023-03-09T10:41:34Z", time.Date(2023, 3, 9, 10, 41, 34, 0, time.UTC)},
		{"2023-03-09 10:41:34+00:00", time.Date(2023, 3, 9, 10, 41, 34, 0, time.UTC)},
		{"2023-03-09 10:41:34.250000+00:00", time.Date(2023, 3, 9, 10, 41, 34, 250e6, time.UTC)},
		{"2023-03-09T12:41:34+02:00", time.Date(2023, 3, 9, 10, 41, 34, 0, time.UTC)},
		{"2024-01-15T09:30:00.123000+00:00", time.Date(2024, 1, 15, 9, 30, 0, 123e6, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseDate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzDecodeGAAD(f *testing.F) {
	f.Add([]byte(fourRoles))
	f.Add([]byte(`{"GroupDetailList":[{"GroupName":"g","Arn":"x","AttachedManagedPolicies":{"PolicyArn":"p"}}],"IsTruncated":true}`))
	f.Add([]byte(`{"UserDetailList":[{"UserName":"a","Arn":"x","CreateDate":"2023-03-09 10:41:34+00:00","UserPolicyList":[{"PolicyName":"p","PolicyDocument":"%7B%7D"}]}]}`))
	if data, err := os.ReadFile("testdata/bundle/accounts/111111111111/authorization-details.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range []Options{{}, {SkipInvalid: true}} {
			g, err := o.DecodeGAAD("f.json", strings.NewReader(string(data)))
			if (g == nil) == (err == nil) {
				t.Fatalf("DecodeGAAD = %v, %v: want exactly one", g, err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "f.json") {
				t.Fatalf("error %q does not name the file", err)
			}
		}
	})
}
