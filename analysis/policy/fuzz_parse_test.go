package policy

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, that it accepts JSON exactly
// when encoding/json does (bar nesting depth), and that whatever it accepts
// survives MarshalJSON and parses back to the same policy.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "parse", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tt := range parseCases {
		f.Add([]byte(tt.in))
	}
	f.Add([]byte(url.PathEscape(stmtDoc(`{"Effect":"Deny","NotAction":"iam:*","NotResource":"*"}`))))
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"a":"1","a":"2"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		// The tree decoder must agree with encoding/json on what is JSON.
		if text, uerr := unwrap(data); uerr == nil {
			if valid := json.Valid(text); err == nil && !valid {
				t.Fatalf("Parse accepted invalid JSON %q", text)
			} else if valid && errors.Is(err, ErrSyntax) && !errors.Is(err, errTooDeep) {
				t.Fatalf("Parse(%q) = %v, but it is valid JSON", text, err)
			}
		}
		if err != nil {
			return
		}
		out, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a parsed policy: %v\ninput: %q", err, data)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(MarshalJSON(p)): %v\ninput:  %q\noutput: %s", err, data, out)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("Parse(MarshalJSON(p)) differs from p (-p +again):\n%s\ninput: %q", diff, data)
		}
	})
}
