package analysis_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// fixtureNode is a node of a testdata/graphs file: a graph.Node with its
// documents written as JSON objects. document is a Policy node's document
// (of kind policy_kind, default managed) or a Resource node's policy; trust
// is a Role's trust policy. arn defaults to an ARN id, name to the id's
// last segment, account to the ARN's account.
type fixtureNode struct {
	graph.Node
	PolicyKind   graph.PolicyKind `json:"policy_kind"`
	ResourceType string           `json:"resource_type"`
	Document     json.RawMessage  `json:"document"`
	Trust        json.RawMessage  `json:"trust"`
}

// fixtureCase is one request of a fixture file and its expected answer.
type fixtureCase struct {
	Name         string              `json:"name"`
	Principal    string              `json:"principal"`
	Action       string              `json:"action"`
	Resource     string              `json:"resource"`
	Context      map[string][]string `json:"context"`
	Incomplete   bool                `json:"incomplete"` // leave keys not given unknown
	Want         string              `json:"want"`
	WantMissing  []string            `json:"want_missing"`
	WantPolicies []string            `json:"want_policies"` // each must be named by the explanation
}

type fixtureFile struct {
	Note  string        `json:"note"`
	Nodes []fixtureNode `json:"nodes"`
	Edges []graph.Edge  `json:"edges"`
	Cases []fixtureCase `json:"cases"`
}

// loadGraph reads a testdata/graphs file into a validated snapshot and its
// cases. Errors name the file.
func loadGraph(t testing.TB, path string) (*graph.Snapshot, []fixtureCase) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fixtureFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if f.Note == "" {
		t.Fatalf("%s: no note saying what the graph shows", path)
	}
	snap := &graph.Snapshot{Meta: graph.Meta{Source: "fixture:" + filepath.Base(path)}, Edges: f.Edges}
	for i, fn := range f.Nodes {
		n, err := fn.node()
		if err != nil {
			t.Fatalf("%s: nodes[%d] %q: %v", path, i, fn.ID, err)
		}
		snap.Nodes = append(snap.Nodes, n)
	}
	if err := snap.Validate(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return snap, f.Cases
}

func (fn *fixtureNode) node() (graph.Node, error) {
	n := fn.Node
	if strings.HasPrefix(n.ID, "arn:") {
		n.ARN = cmpOr(n.ARN, n.ID)
		if parts := strings.SplitN(n.ID, ":", 6); len(parts) == 6 && len(parts[4]) == 12 {
			n.Account = cmpOr(n.Account, parts[4])
		}
	}
	n.Name = cmpOr(n.Name, n.ID[strings.LastIndexAny(n.ID, "/:")+1:])
	doc := func(raw json.RawMessage) (string, error) {
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		return b.String(), err
	}
	switch {
	case n.Kind == graph.KindPolicy:
		d, err := doc(fn.Document)
		if err != nil {
			return n, err
		}
		kind := fn.PolicyKind
		if kind == "" {
			kind = graph.PolicyManaged
		}
		n.Policy = &graph.Policy{Kind: kind, Versions: []graph.PolicyVersion{{Document: d}}}
	case n.Kind == graph.KindResource:
		n.Resource = &graph.Resource{Type: fn.ResourceType}
		if fn.Document != nil {
			d, err := doc(fn.Document)
			if err != nil {
				return n, err
			}
			n.Resource.Policy = d
		}
	case n.Kind == graph.KindRole && fn.Trust != nil:
		d, err := doc(fn.Trust)
		if err != nil {
			return n, err
		}
		n.Identity = &graph.Identity{TrustPolicy: d}
	}
	return n, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestGraphs runs the cases of every testdata/graphs file through Can.
func TestGraphs(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/graphs/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture graphs (%v)", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			snap, cases := loadGraph(t, path)
			e := snapshotEnv(t, snap)
			if w := e.Warnings(); len(w) > 0 {
				t.Errorf("%s: warnings: %q", path, w)
			}
			for _, c := range cases {
				t.Run(c.Name, func(t *testing.T) {
					t.Parallel()
					runCase(t, e, path, c)
				})
			}
		})
	}
}

func runCase(t *testing.T, e *analysis.Env, path string, c fixtureCase) {
	d, err := analysis.Can(t.Context(), e, analysis.CanQuery{Principal: c.Principal, Action: c.Action,
		Resource: c.Resource, Context: c.Context, Complete: !c.Incomplete})
	if err != nil {
		t.Fatalf("%s: case %q: %v", path, c.Name, err)
	}
	out, _ := json.MarshalIndent(d, "", "  ")
	if got := d.Decision.String(); got != c.Want {
		t.Errorf("%s: case %q: decision %s, want %s\n%s", path, c.Name, got, c.Want, out)
	}
	if diff := cmp.Diff(c.WantMissing, d.MissingContext, cmpEmpty); diff != "" {
		t.Errorf("%s: case %q: missing context (-want +got):\n%s", path, c.Name, diff)
	}
	for _, p := range c.WantPolicies {
		if !slices.ContainsFunc(d.Explanation, func(r policyReason) bool { return r.Policy == p }) {
			t.Errorf("%s: case %q: explanation does not name %s\n%s", path, c.Name, p, out)
		}
	}
}

type policyReason = policy.Reason

// cmpEmpty makes nil and empty slices equal.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })
