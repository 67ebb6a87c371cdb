package index

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

func TestCompiled(t *testing.T) {
	t.Parallel()
	ix := buildFixture(t)
	alice, bob := ix.Compiled(must(t, ix, aliceInl)), ix.Compiled(must(t, ix, bobInl))
	if alice == nil || alice != bob {
		t.Fatalf("identical documents: Compiled = %p and %p, want one shared pointer", alice, bob)
	}
	// The shared form is named after the first node holding the document.
	if alice.Name != aliceInl {
		t.Errorf("shared Compiled.Name = %q, want %q", alice.Name, aliceInl)
	}
	// Seven policy nodes, six distinct documents (bucketDoc is only on the
	// policy node; the Resource field is not compiled here).
	if got := ix.NumCompiled(); got != 6 {
		t.Errorf("NumCompiled = %d, want 6", got)
	}
	seen := map[*policy.Compiled]string{}
	for n := range ix.Len() {
		c := ix.Compiled(NodeID(n))
		if (c != nil) != (ix.Kind(NodeID(n)) == graph.KindPolicy) {
			t.Errorf("Compiled(%q) = %v: want non-nil exactly for policy nodes", ix.Node(NodeID(n)).ID, c)
		}
		if c == nil {
			continue
		}
		if prev, dup := seen[c]; dup && c != alice {
			t.Errorf("%q and %q share a Compiled but have different documents", prev, ix.Node(NodeID(n)).ID)
		}
		seen[c] = ix.Node(NodeID(n)).ID
	}

	// The default version is compiled, not the first.
	deploy := ix.Compiled(must(t, ix, deployPol))
	if got := deploy.Source.Statements[0].Sid; got != "Lambda" {
		t.Errorf("deploy policy compiled statement Sid %q, want Lambda (version v2)", got)
	}
	// Evaluation works on what the index compiled.
	d := policy.Evaluate(&policy.Request{Principal: aliceID, Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/a"},
		&policy.Set{Identity: []*policy.Compiled{ix.Compiled(must(t, ix, readOnlyID))}})
	if d.Decision != policy.Allowed {
		t.Errorf("ReadOnlyAccess allows s3:GetObject: got %v", d.Decision)
	}
	if ix.Compiled(-1) != nil || ix.Compiled(NodeID(ix.Len())) != nil {
		t.Error("Compiled of a node out of range should be nil")
	}
}

func TestInvalidPolicies(t *testing.T) {
	t.Parallel()
	snap := fixture()
	bad := func(id string, p *graph.Policy) graph.Node {
		return graph.Node{ID: id, Kind: graph.KindPolicy, Policy: p}
	}
	snap.Nodes = append(snap.Nodes,
		bad("p/bad-json", &graph.Policy{Versions: []graph.PolicyVersion{{Document: `{"Statement":[`}}}),
		bad("p/bad-effect", &graph.Policy{Versions: []graph.PolicyVersion{{Document: `{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`}}}),
		bad("p/bad-effect-copy", &graph.Policy{Versions: []graph.PolicyVersion{{Document: `{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`}}}),
		bad("p/no-policy", nil),
		bad("p/no-version", &graph.Policy{Kind: graph.PolicyManaged}),
		bad("p/missing-default", &graph.Policy{DefaultVersionID: "v9", Versions: []graph.PolicyVersion{{ID: "v1", Document: readOnlyDoc}}}),
		bad("p/ambiguous", &graph.Policy{Versions: []graph.PolicyVersion{{ID: "v1", Document: readOnlyDoc}, {ID: "v2", Document: readOnlyDoc}}}),
	)

	_, err := Build(snap, DefaultOptions())
	if !errors.Is(err, ErrInvalidPolicy) {
		t.Fatalf("Build error = %v, want one wrapping ErrInvalidPolicy", err)
	}
	var pe *policy.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("Build error %v does not carry the *policy.ParseError", err)
	}

	ix, err := Build(snap, DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		t.Fatalf("Build with SkipInvalid: %v", err)
	}
	var got []string
	for _, w := range ix.Warnings() {
		var pe *PolicyError
		if !errors.As(w, &pe) || !errors.Is(w, ErrInvalidPolicy) {
			t.Errorf("warning %v is not a *PolicyError wrapping ErrInvalidPolicy", w)
			continue
		}
		got = append(got, pe.Node)
		if ix.Compiled(must(t, ix, pe.Node)) != nil {
			t.Errorf("Compiled(%q) is set for an invalid policy", pe.Node)
		}
	}
	want := []string{"p/ambiguous", "p/bad-effect", "p/bad-effect-copy", "p/bad-json",
		"p/missing-default", "p/no-policy", "p/no-version"} // in NodeID order
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
	if ix.Compiled(must(t, ix, readOnlyID)) == nil {
		t.Error("valid policies must still compile under SkipInvalid")
	}
}

// TestPolicyTemplates checks that the benchmark's documents are valid and
// that copies share their compiled form.
func TestPolicyTemplates(t *testing.T) {
	t.Parallel()
	ix, err := Build(policySnapshot(200, 50, 30), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.NumCompiled(); got != 50 {
		t.Errorf("NumCompiled = %d, want 50 distinct documents", got)
	}
	if a, b := ix.Compiled(must(t, ix, "arn:aws:iam::123456789012:policy/p000000")),
		ix.Compiled(must(t, ix, "arn:aws:iam::123456789012:policy/p000050")); a == nil || a != b {
		t.Errorf("p000000 and its copy p000050: %p, %p", a, b)
	}
}
