package analysis_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/internal/testutil"
)

// privescNow is when the escalation tests make their requests.
var privescNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// privescCases is the part of privesc/cases.json the tests read.
type privescCases struct {
	Paths []struct {
		Name       string `json:"name"`
		Profile    string `json:"iam_vulnerable_profile"`
		Rhino      int    `json:"rhino_method"`
		Principals map[string]struct {
			ARN      string `json:"arn"`
			Expected string `json:"expected"`
		} `json:"fixture_principals"`
		RequiredActions []string `json:"required_actions"`
		Pathfinding     []string `json:"pathfinding_ids"`
	} `json:"iam_vulnerable_paths"`
	Tools []struct {
		Principals []string `json:"principals"`
		Expected   string   `json:"expected"`
		Kind       string   `json:"kind"`
	} `json:"tool_testing_cases"`
	Others []struct {
		ARN      string `json:"arn"`
		Expected string `json:"expected"`
	} `json:"other_fixture_principals"`
	Rhino []struct {
		N int `json:"n"`
	} `json:"rhino_part1_methods"`
}

func readPrivescCases(t *testing.T) *privescCases {
	t.Helper()
	path := testutil.SharedData(t, "privesc/cases.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c privescCases
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &c
}

// bundleSnapshot ingests the bundle at path and builds its Env, keeping
// the snapshot for the facts Escalations reads from it.
func bundleSnapshot(tb testing.TB, path string) (*graph.Snapshot, *analysis.Env) {
	tb.Helper()
	b, err := bundle.Read(path, bundle.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := ingest.Build(b, ingest.Options{Source: "test", Created: time.Unix(0, 0).UTC()})
	if err != nil {
		tb.Fatal(err)
	}
	return snap, snapshotEnv(tb, snap)
}

// escalationResult is what Escalations and EscalationPaths found.
type escalationResult struct {
	edges []analysis.Edge
	from  map[string][]analysis.Edge
	paths map[string]analysis.AdminPath
	full  map[string]policy.Decision
}

func escalate(t *testing.T, snap *graph.Snapshot, e *analysis.Env) *escalationResult {
	t.Helper()
	edges, err := analysis.Escalations(t.Context(), e, analysis.EscalationOptions{Snapshot: snap, Now: privescNow})
	if err != nil {
		t.Fatal(err)
	}
	paths, err := analysis.EscalationPaths(t.Context(), e, edges)
	if err != nil {
		t.Fatal(err)
	}
	r := &escalationResult{edges: edges, from: map[string][]analysis.Edge{}, paths: map[string]analysis.AdminPath{},
		full: map[string]policy.Decision{}}
	for _, ed := range edges {
		r.from[ed.From] = append(r.from[ed.From], ed)
	}
	for _, p := range paths {
		r.paths[p.Principal] = p
	}
	return r
}

func (r *escalationResult) fullAccess(t *testing.T, e *analysis.Env, id string) policy.Decision {
	t.Helper()
	if d, ok := r.full[id]; ok {
		return d
	}
	d, err := analysis.HasFullAccess(t.Context(), e, id)
	if err != nil {
		t.Fatal(err)
	}
	r.full[id] = d
	return d
}

// reachesAdmin reports how id reaches admin: by full access, or by its
// path (ImplicitDeny if not at all).
func (r *escalationResult) reachesAdmin(t *testing.T, e *analysis.Env, id string) policy.Decision {
	if r.fullAccess(t, e, id) == policy.Allowed {
		return policy.Allowed
	}
	if p, ok := r.paths[id]; ok {
		return p.Decision
	}
	return policy.ImplicitDeny
}

// edgeVia returns the best edge from p by one of methods that gains admin
// (to p itself, or to an identity that reaches admin), whose requests of p
// are all among actions (all when actions is nil).
func (r *escalationResult) edgeVia(t *testing.T, e *analysis.Env, p string, methods, actions []string) (analysis.Edge, policy.Decision, bool) {
	var best analysis.Edge
	bestD := policy.ImplicitDeny
	for _, ed := range r.from[p] {
		if !slices.Contains(methods, ed.Method) || !requestsAmong(ed, actions) {
			continue
		}
		d := ed.Decision
		if ed.To != p {
			reach := r.reachesAdmin(t, e, ed.To)
			if reach == policy.ImplicitDeny {
				continue
			}
			if reach == policy.Conditional {
				d = policy.Conditional
			}
		}
		if bestD != policy.Allowed && (bestD == policy.ImplicitDeny || d == policy.Allowed) {
			best, bestD = ed, d
		}
	}
	return best, bestD, bestD != policy.ImplicitDeny
}

// requestsAmong reports whether the requests the edge's principal makes
// are all among actions.
func requestsAmong(ed analysis.Edge, actions []string) bool {
	if actions == nil {
		return true
	}
	for _, ev := range ed.Evidence {
		if ev.Principal == ed.From && ev.Action != "prerequisite" && !slices.Contains(actions, ev.Action) {
			return false
		}
	}
	return true
}

// catalogMethods returns the ids of the catalog methods that implement an
// iam-vulnerable path: by profile, Rhino number or pathfinding id, and
// whether one of them is derived by another analysis (its edge kind).
func catalogMethods(profile string, rhino int, pathfinding []string) (ids []string, elsewhere analysis.EdgeKind) {
	for _, m := range analysis.EscalationCatalog() {
		if slices.Contains(m.IAMVulnerable, profile) || (rhino > 0 && m.Rhino == rhino) ||
			slices.ContainsFunc(m.Pathfinding, func(id string) bool { return slices.Contains(pathfinding, id) }) {
			ids = append(ids, m.ID)
			if m.Edge != "" {
				elsewhere = m.Edge
			}
		}
	}
	return ids, elsewhere
}

func describe(ed analysis.Edge, d policy.Decision) string {
	var missing []string
	for _, ev := range ed.Evidence {
		missing = append(missing, ev.MissingContext...)
	}
	s := fmt.Sprintf("%s %s → %s", d, ed.Method, shortARN(ed.To))
	if len(missing) > 0 {
		s += " [" + strings.Join(missing, "; ") + "]"
	}
	return s
}

func shortARN(s string) string { return s[strings.LastIndexByte(s, ':')+1:] }

// TestEscalationsIAMVulnerable checks every case of privesc/cases.json on
// the iam-vulnerable fixture: each iam-vulnerable path's principals are
// found (admin), found as conditional, or not reported for the path's
// methods, as expected; the false-negative traps are found and the
// false-positive traps reported not at all. It logs a table of them.
func TestEscalationsIAMVulnerable(t *testing.T) {
	t.Parallel()
	cases := readPrivescCases(t)
	snap, e := bundleSnapshot(t, testutil.SharedData(t, iamVulnerable))
	r := escalate(t, snap, e)

	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "path\tprincipal\texpected\tfound")
	var counts struct{ want, found, skipped int }
	row := func(path, principal, want, got string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", path, shortARN(principal), want, got)
	}

	for _, p := range cases.Paths {
		methods, elsewhere := catalogMethods(p.Profile, p.Rhino, p.Pathfinding)
		if len(methods) == 0 {
			t.Errorf("%s (%s): no catalog method", p.Profile, p.Name)
			continue
		}
		for _, role := range slices.Sorted(maps.Keys(p.Principals)) {
			fp := p.Principals[role]
			counts.want++
			if elsewhere != "" {
				counts.skipped++
				row(p.Profile, fp.ARN, fp.Expected, "skipped: a "+string(elsewhere)+" path, derived by derive.go")
				continue
			}
			ed, d, ok := r.edgeVia(t, e, fp.ARN, methods, p.RequiredActions)
			got := "not reported"
			if ok {
				got = describe(ed, d)
			}
			row(p.Profile, fp.ARN, fp.Expected, got)
			switch want := fp.Expected; {
			case strings.HasPrefix(want, "admin"):
				if !ok || d != policy.Allowed {
					t.Errorf("%s: %s: want admin via %q using %q, got %s", p.Profile, fp.ARN, methods, p.RequiredActions, got)
					continue
				}
			case strings.HasPrefix(want, "conditional"):
				if !ok || d != policy.Conditional {
					t.Errorf("%s: %s: want conditional via %q, got %s", p.Profile, fp.ARN, methods, got)
					continue
				}
			default: // no self-escalation, not exploitable
				if _, _, any := r.edgeVia(t, e, fp.ARN, methods, nil); any {
					t.Errorf("%s: %s: %s, yet reported: %s", p.Profile, fp.ARN, want, got)
					continue
				}
			}
			counts.found++
		}
	}
	for _, tc := range cases.Tools {
		for _, arn := range tc.Principals {
			counts.want++
			reach := r.reachesAdmin(t, e, arn)
			got := "not reported"
			if p, ok := r.paths[arn]; ok {
				got = describe(p.Path[0], p.Decision)
			}
			row(tc.Kind, arn, tc.Expected, got)
			switch {
			case strings.HasPrefix(tc.Expected, "escalates"):
				if reach == policy.ImplicitDeny {
					t.Errorf("%s: %s: want escalation to admin, got none", tc.Kind, arn)
					continue
				}
			default: // no escalation: no edge at all, and not admin
				if n := len(r.from[arn]); n > 0 || reach != policy.ImplicitDeny {
					t.Errorf("%s: %s: %s, yet %d edge(s) and %s", tc.Kind, arn, tc.Expected, n, got)
					continue
				}
				if d, _, err := analysis.IsAdmin(t.Context(), e, arn); err != nil || d != policy.ImplicitDeny {
					t.Errorf("%s: %s: IsAdmin = %v, %v; want implicit-deny", tc.Kind, arn, d, err)
					continue
				}
			}
			counts.found++
		}
	}
	for _, o := range cases.Others {
		counts.want++
		reach := r.reachesAdmin(t, e, o.ARN)
		switch o.Expected {
		case "admin", "already admin":
			row("other", o.ARN, o.Expected, reach.String())
			if reach != policy.Allowed {
				t.Errorf("%s: want %s, got %s", o.ARN, o.Expected, reach)
				continue
			}
		default:
			counts.skipped++
			row("other", o.ARN, o.Expected, "skipped: a CanAssume path, derived by derive.go")
			continue
		}
		counts.found++
	}
	tw.Flush()
	t.Logf("iam-vulnerable: %d of %d principals as expected, %d skipped (CanAssume), %d CanEscalate edges\n%s",
		counts.found, counts.want-counts.skipped, counts.skipped, len(r.edges), table.String())
}
