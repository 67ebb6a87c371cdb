package analysis_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/graph"
)

const chokeAcct = "arn:aws:iam::444444444444:"

// hubGraph builds, in account 444444444444, roles r01…rN each allowed
// sts:AssumeRole on every hub; the hubs trust the account and may each
// assume role admin (AdministratorAccess), which trusts them all.
func hubGraph(t *testing.T, roles int, hubs ...string) *graph.Snapshot {
	t.Helper()
	snap := &graph.Snapshot{Meta: graph.Meta{Source: "test:hubs"}}
	node := func(n graph.Node) { snap.Nodes = append(snap.Nodes, n) }
	edge := func(from, to string, k graph.EdgeKind) {
		snap.Edges = append(snap.Edges, graph.Edge{From: from, To: to, Kind: k})
	}
	trust := func(principals ...string) *graph.Identity {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[`
		for i, p := range principals {
			if i > 0 {
				doc += ","
			}
			doc += `"` + p + `"`
		}
		return &graph.Identity{TrustPolicy: doc + `]},"Action":"sts:AssumeRole"}]}`}
	}
	role := func(name string, id *graph.Identity, assume ...string) {
		arn := chokeAcct + "role/" + name
		node(graph.Node{ID: arn, Kind: graph.KindRole, ARN: arn, Name: name, Account: "444444444444", Identity: id})
		if len(assume) == 0 {
			return
		}
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":[`
		for i, a := range assume {
			if i > 0 {
				doc += ","
			}
			doc += `"` + chokeAcct + "role/" + a + `"`
		}
		pol := arn + "/inline/assume"
		node(graph.Node{ID: pol, Kind: graph.KindPolicy, Name: "assume", Account: "444444444444",
			Policy: &graph.Policy{Kind: graph.PolicyInline, Versions: []graph.PolicyVersion{{Document: doc + `]}]}`}}}})
		edge(arn, pol, graph.EdgeAttached)
	}
	node(graph.Node{ID: "account/444444444444", Kind: graph.KindAccount, Name: "apps", Account: "444444444444"})
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	node(graph.Node{ID: admin, Kind: graph.KindPolicy, ARN: admin, Name: "AdministratorAccess",
		Policy: &graph.Policy{Kind: graph.PolicyManaged, Versions: []graph.PolicyVersion{{Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}}})
	var hubARNs []string
	for _, h := range hubs {
		hubARNs = append(hubARNs, chokeAcct+"role/"+h)
		role(h, trust("arn:aws:iam::444444444444:root"), "admin")
	}
	role("admin", trust(hubARNs...))
	edge(chokeAcct+"role/admin", admin, graph.EdgeAttached)
	for i := 1; i <= roles; i++ {
		role(fmt.Sprintf("r%02d", i), nil, hubs...)
	}
	if err := snap.Validate(); err != nil {
		t.Fatal(err)
	}
	return snap
}

func chokepointsOf(t *testing.T, snap *graph.Snapshot) (*analysis.Derived, analysis.ChokepointsResult) {
	t.Helper()
	e := snapshotEnv(t, snap)
	d, err := analysis.Derive(t.Context(), e, analysis.DeriveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	esc, err := analysis.Escalations(t.Context(), e, analysis.EscalationOptions{Snapshot: snap, Now: privescNow})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = d.With(esc); err != nil {
		t.Fatal(err)
	}
	res, err := analysis.Chokepoints(t.Context(), e, d, analysis.ChokepointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkCuts(t, e, d, res)
	return d, res
}

// TestChokepointsOneTrust: 49 roles reach admin only through hub, which
// reaches it only through admin's trust in hub: that edge cuts all fifty
// (source, admin) pairs; hub itself cuts the other 49.
func TestChokepointsOneTrust(t *testing.T) {
	t.Parallel()
	_, res := chokepointsOf(t, hubGraph(t, 49, "hub"))
	if res.TierZero != 1 || res.Sources != 50 || res.Pairs != 50 {
		t.Fatalf("tier zero %d, sources %d, pairs %d; want 1, 50, 50", res.TierZero, res.Sources, res.Pairs)
	}
	first := res.Chokepoints[0]
	if first.Kind != analysis.ChokepointEdge || first.From != chokeAcct+"role/hub" || first.To != chokeAcct+"role/admin" ||
		first.Edge != "CanAssume" || first.Cuts != 50 || first.PathsThrough != 50 {
		t.Errorf("first chokepoint %+v, want the edge hub -CanAssume-> admin cutting 50", first)
	}
	if want := []string{chokeAcct + "role/hub", chokeAcct + "role/r01", chokeAcct + "role/r02", chokeAcct + "role/r03", chokeAcct + "role/r04"}; !slices.Equal(first.Sources, want) {
		t.Errorf("sources %v, want %v", first.Sources, want)
	}
	second := res.Chokepoints[1]
	if second.Kind != analysis.ChokepointIdentity || second.Identity != chokeAcct+"role/hub" || second.Cuts != 49 {
		t.Errorf("second chokepoint %+v, want identity hub cutting 49", second)
	}
}

// TestChokepointsTwoRoutes: with two disjoint hubs no single edge or
// identity cuts a role's pair; each hub's edge to admin cuts only the
// hub's own.
func TestChokepointsTwoRoutes(t *testing.T) {
	t.Parallel()
	_, res := chokepointsOf(t, hubGraph(t, 10, "hub-a", "hub-b"))
	if res.Pairs != 12 {
		t.Fatalf("pairs %d, want 12", res.Pairs)
	}
	for _, c := range res.Chokepoints {
		if c.Cuts > 1 {
			t.Errorf("chokepoint %+v cuts %d pairs; no element should cut more than its hub's own", c, c.Cuts)
		}
	}
	if c := res.Chokepoints[0]; c.Cuts != 1 || c.Kind != analysis.ChokepointEdge || c.To != chokeAcct+"role/admin" {
		t.Errorf("first chokepoint %+v, want a hub's edge to admin cutting 1", c)
	}
}

// TestChokepointsSynth checks every chokepoint of synth S by recomputation,
// and that the planted release chain is the top edge.
func TestChokepointsSynth(t *testing.T) {
	if testing.Short() {
		t.Skip("synth S: not in -short")
	}
	t.Parallel()
	s, err := synthS()
	if err != nil {
		t.Fatal(err)
	}
	esc, err := analysis.Escalations(t.Context(), s.env, analysis.EscalationOptions{Snapshot: s.snap, Now: s.snap.Meta.Created})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.derived.With(esc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := analysis.Chokepoints(t.Context(), s.env, d, analysis.ChokepointOptions{Top: 25})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Chokepoints) == 0 || res.Pairs == 0 {
		t.Fatalf("no chokepoints on synth S: %+v", res)
	}
	checkCuts(t, s.env, d, res)
}

// checkCuts recomputes, for every chokepoint, the (source, tier-zero)
// pairs that lose every path when it is removed, by brute force over the
// derived edges, and compares with Cuts.
func checkCuts(t *testing.T, e *analysis.Env, d *analysis.Derived, res analysis.ChokepointsResult) {
	t.Helper()
	tier, err := analysis.TierZero(t.Context(), e, d)
	if err != nil {
		t.Fatal(err)
	}
	isTier := map[string]bool{}
	for _, id := range tier {
		isTier[id] = true
	}
	adj := map[string][]string{}
	for _, ed := range d.Edges {
		if ed.Kind == analysis.CanPassRole || ed.From == ed.To || isTier[ed.From] || slices.Contains(adj[ed.From], ed.To) {
			continue
		}
		adj[ed.From] = append(adj[ed.From], ed.To)
	}
	// reach returns the tier-zero identities src reaches without node
	// skip or edge skipFrom → skipTo.
	reach := func(src, skip, skipFrom, skipTo string) map[string]bool {
		seen := map[string]bool{src: true}
		out := map[string]bool{}
		for queue := []string{src}; len(queue) > 0; queue = queue[1:] {
			u := queue[0]
			for _, v := range adj[u] {
				if seen[v] || v == skip || u == skipFrom && v == skipTo {
					continue
				}
				seen[v] = true
				if isTier[v] {
					out[v] = true
					continue
				}
				queue = append(queue, v)
			}
		}
		return out
	}
	base := map[string]map[string]bool{}
	pairs := 0
	for src := range adj {
		if isTier[src] || mustLookup(t, d, src) == graph.KindServicePrincipal {
			continue
		}
		if r := reach(src, "", "", ""); len(r) > 0 {
			base[src] = r
			pairs += len(r)
		}
	}
	if pairs != res.Pairs {
		t.Errorf("pairs: brute force %d, Chokepoints %d", pairs, res.Pairs)
	}
	for _, c := range res.Chokepoints {
		cuts := 0
		for src, r := range base {
			if src == c.Identity {
				continue
			}
			after := reach(src, c.Identity, c.From, c.To)
			for tz := range r {
				if !after[tz] {
					cuts++
				}
			}
		}
		if cuts != c.Cuts {
			t.Errorf("chokepoint %s %s%s→%s: Cuts %d, recomputed %d", c.Kind, c.Identity, c.From, c.To, c.Cuts, cuts)
		}
	}
}

func mustLookup(t *testing.T, d *analysis.Derived, id string) graph.NodeKind {
	t.Helper()
	n, ok := d.Index.Lookup(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return d.Index.Kind(n)
}
