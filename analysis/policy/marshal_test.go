package policy

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
)

// NOTE: this is the package's one -update flag; other golden tests in the
// package should use it rather than declare their own.
var update = flag.Bool("update", false, "rewrite testdata/**/*.golden.json")

func TestMarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   *Policy
		want string
	}{
		{"single statement as object",
			&Policy{Version: "2012-10-17", Statements: []Statement{allowAllStmt()}, SingleStatement: true},
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
		{"statement list, no version",
			&Policy{Statements: []Statement{allowAllStmt()}},
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"single flag ignored for two statements",
			&Policy{ID: "x", Statements: []Statement{allowAllStmt(), allowAllStmt()}, SingleStatement: true},
			`{"Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"element order and lists",
			onePolicy(Statement{
				Condition:   []Condition{{"Bool", "aws:SecureTransport", []string{"false"}}},
				NotResource: []string{"a", "b"}, NotAction: []string{"iam:*"},
				NotPrincipal: &Principal{Service: []string{"s"}, AWS: []string{"1", "2"}},
				Effect:       Deny, Sid: "S"}),
			`{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Deny","NotPrincipal":{"AWS":["1","2"],"Service":"s"},` +
				`"NotAction":"iam:*","NotResource":["a","b"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
		{"nil policy", nil, "null"},
		{"wildcard principal",
			withStmt(func(s *Statement) { s.Principal = &Principal{Wildcard: true} }),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
		{"conditions grouped by operator whatever their order",
			withStmt(func(s *Statement) {
				s.Condition = []Condition{
					{"StringLike", "b", []string{"1", "2"}},
					{"Null", "k", []string{"true"}},
					{"StringLike", "a", []string{}}}
			}),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",` +
				`"Condition":{"Null":{"k":"true"},"StringLike":{"a":[],"b":["1","2"]}}}]}`},
		{"escaping without HTML escapes",
			withStmt(func(s *Statement) { s.Sid = "a\"b\\c\n\x01<&>\u2028é\xff" }),
			`{"Version":"2012-10-17","Statement":[{"Sid":"a\"b\\c\n\u0001<&>\u2028é\ufffd","Effect":"Allow","Action":"*","Resource":"*"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.in.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON:\n got %s\nwant %s", got, tt.want)
			}
			// encoding/json must accept the output as valid JSON too.
			if _, err := json.Marshal(tt.in); err != nil {
				t.Errorf("json.Marshal: %v", err)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := tt.want.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(%s): %v", out, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(MarshalJSON(p)) mismatch (-p +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   *Policy
		want string
	}{
		{"no effect", onePolicy(Statement{Action: []string{"*"}}), "policy: Statement[0]: invalid Effect 0"},
		{"wildcard with typed principals",
			withStmt(func(s *Statement) { s.NotPrincipal = &Principal{Wildcard: true, AWS: []string{"1"}} }),
			"policy: Statement[0]: NotPrincipal: wildcard together with typed principals"},
		{"repeated condition key",
			withStmt(func(s *Statement) {
				s.Condition = []Condition{{"Bool", "k", []string{"true"}}, {"Bool", "k", []string{"false"}}}
			}),
			`policy: Statement[0]: Condition.Bool: key "k" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := tt.in.MarshalJSON()
			if err == nil {
				t.Fatalf("MarshalJSON = %s, want error %q", out, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("MarshalJSON error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestMarshalGolden writes each testdata/parse/*.json document in canonical
// form (indented for review) and compares it with its .golden.json file.
func TestMarshalGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "parse", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	inputs = slices.DeleteFunc(inputs, func(p string) bool { return strings.HasSuffix(p, ".golden.json") })
	if len(inputs) == 0 {
		t.Fatal("no testdata/parse/*.json inputs")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			out, err := p.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			golden := strings.TrimSuffix(in, ".json") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
			checkRoundTrip(t, in, raw, p)
		})
	}
}
