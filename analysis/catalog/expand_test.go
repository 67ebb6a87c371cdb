package catalog

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/permgraph/permgraph/internal/testutil"
)

func names(as []Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// TestExpandCorpus checks Expand against iam-expand's expansion of every
// wildcard pattern in the shared policy corpus, made from the same data.
func TestExpandCorpus(t *testing.T) {
	t.Parallel()
	path := testutil.SharedData(t, "iam-catalog/action-expansions-iam-expand.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var corpus struct {
		Expansions map[string][]string `json:"expansions"`
	}
	if err := json.Unmarshal(b, &corpus); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(corpus.Expansions) < 1000 {
		t.Fatalf("%s: only %d patterns", path, len(corpus.Expansions))
	}
	c := mustLoad(t)
	lower := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return out
	}
	for pattern, want := range corpus.Expansions {
		got := names(c.Expand(pattern))
		if diff := cmp.Diff(lower(want), lower(got)); diff != "" {
			t.Errorf("%s: Expand(%q) mismatch (-want +got):\n%s", path, pattern, diff)
		}
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	s3, _ := c.Service("s3")
	tests := []struct {
		pattern string
		want    []string // nil with n set: compare the count only
		n       int
	}{
		{"s3:GetObject", []string{"s3:GetObject"}, 0},
		{"S3:gEtObJeCt", []string{"s3:GetObject"}, 0},
		{"iam:?ass*", []string{"iam:PassRole"}, 0},
		{"iam:PassRol?", []string{"iam:PassRole"}, 0},
		{"?3:GetObject", []string{"s3:GetObject"}, 0},
		{"s3:GetObject?", []string{}, 0},
		{"sts:AssumeRole*", []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"}, 0},
		{"kms:*crypt*", []string{"kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"}, 0},
		{"iam:*Role*Policy", []string{"iam:AttachRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
			"iam:GetRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"}, 0},
		{"*:GetObject", []string{"mediapackagev2:GetObject", "mediastore:GetObject",
			"s3-object-lambda:GetObject", "s3-outposts:GetObject", "s3:GetObject"}, 0},
		{"s3:PutBuc\u212aetTagging", []string{"s3:PutBucketTagging"}, 0}, // Kelvin sign folds to k
		{"\u017f3:GetObject", []string{"s3:GetObject"}, 0},               // long s folds to s
		{"s3:GetObjéct", []string{}, 0},
		{" s3:GetObject\t", []string{"s3:GetObject"}, 0}, // trimmed, as iam-expand does
		{"*", nil, c.Len()},
		{"*:*", nil, c.Len()},
		{"**", nil, c.Len()},
		{"s3:*", nil, len(s3.Actions)},
		{"S3:*", nil, len(s3.Actions)},
		{"s3*", nil, len(unionIDs(c, "s3:*", "s3?*:*"))},
		{"nosuch:*", []string{}, 0},
		{"s3", []string{}, 0},
		{"", []string{}, 0},
		{":", []string{}, 0},
	}
	for _, tt := range tests {
		got := names(c.Expand(tt.pattern))
		if tt.want == nil {
			if len(got) != tt.n {
				t.Errorf("Expand(%q) gave %d actions, want %d", tt.pattern, len(got), tt.n)
			}
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Expand(%q) mismatch (-want +got):\n%s", tt.pattern, diff)
		}
		if ids := c.MatchIDs(tt.pattern); len(ids) != len(got) || !slices.IsSorted(ids) {
			t.Errorf("MatchIDs(%q) = %v, want %d sorted ids", tt.pattern, ids, len(got))
		}
	}
}

func TestExpandNot(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	size := func(p string) int { return len(c.MatchIDs(p)) }
	n := c.Len()
	tests := []struct {
		patterns []string
		want     int
	}{
		{nil, n},
		{[]string{"*"}, 0},
		{[]string{"nosuch:*"}, n},
		{[]string{"iam:*"}, n - size("iam:*")},
		{[]string{"iam:*", "organizations:*"}, n - size("iam:*") - size("organizations:*")},
		{[]string{"s3:*", "s3:Get*", "S3:GetObject"}, n - size("s3:*")},
		{[]string{"iam:*", "sts:*", "*:Get*"}, n - len(unionIDs(c, "iam:*", "sts:*", "*:Get*"))},
	}
	for _, tt := range tests {
		got := c.ExpandNot(tt.patterns)
		if len(got) != tt.want {
			t.Errorf("ExpandNot(%q) gave %d actions, want %d", tt.patterns, len(got), tt.want)
		}
		matched := unionIDs(c, tt.patterns...)
		for _, a := range got {
			if _, in := slices.BinarySearch(matched, a.ID); in {
				t.Fatalf("ExpandNot(%q) holds %v, which one of the patterns matches", tt.patterns, a)
			}
		}
	}
}

func unionIDs(c *Catalog, patterns ...string) []int {
	var ids []int
	for _, p := range patterns {
		ids = append(ids, c.MatchIDs(p)...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// oracle is the obvious regexp reading of an IAM action pattern, with
// the surrounding white space trimmed as Expand documents.
func oracle(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	for _, r := range strings.TrimSpace(pattern) {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func FuzzExpand(f *testing.F) {
	for _, p := range []string{"s3:Get*", "iam:?ass*", "*", "*:*Object*", "ec2:Describe*s", "s3:*Obj?ct*",
		"kms:*crypt*", "sts:AssumeRole*", "?3:*", "s3:PutBuc\u212aetTagging", " s3:Get* ", "a*b*c*d", "*?*?*"} {
		f.Add(p)
	}
	c := mustLoad(f)
	// Every 29th action, plus neighbours of a few popular ones, keeps an
	// iteration fast while still covering every service's naming style.
	var sample []int
	for id := 0; id < c.Len(); id += 29 {
		sample = append(sample, id)
	}
	for _, name := range []string{"s3:GetObject", "iam:PassRole", "sts:AssumeRole", "kms:Decrypt"} {
		a, _ := c.Lookup(name)
		sample = append(sample, a.ID)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		if !utf8.ValidString(pattern) {
			t.Skip("regexp rejects invalid UTF-8")
		}
		if len(pattern) > 256 {
			// Longer than any action name twice over; such patterns only
			// slow the oracle down without reaching new code.
			t.Skip("pattern too long to be useful")
		}
		re := oracle(pattern)
		got := c.MatchIDs(pattern)
		for _, id := range sample {
			name := c.ActionByID(id).String()
			if _, in := slices.BinarySearch(got, id); in != re.MatchString(name) {
				t.Fatalf("pattern %q on %s: Expand says %v, oracle says %v", pattern, name, in, !in)
			}
		}
	})
}

func BenchmarkExpand(b *testing.B) {
	c := mustLoad(b)
	for _, p := range []string{"s3:GetObject", "s3:Get*", "iam:*Role*Policy", "*:Get*", "*"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(c.MatchIDs(p)) == 0 {
					b.Fatal("no match")
				}
			}
		})
	}
}

func BenchmarkExpandNot(b *testing.B) {
	c := mustLoad(b)
	// PowerUserAccess's NotAction.
	patterns := []string{"iam:*", "organizations:*", "account:*"}
	b.ReportAllocs()
	for b.Loop() {
		if len(c.NotMatchIDs(patterns)) == 0 {
			b.Fatal("no match")
		}
	}
}
