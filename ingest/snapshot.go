package ingest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// Options control [Build].
type Options struct {
	// Rules are the user's classification rules, tried before
	// [graph.DefaultRules].
	Rules []graph.Rule
	// Source and Created become the snapshot's Meta.Source and Meta.Created.
	Source  string
	Created time.Time
	// Progress, if set, is called after each account is mapped, with the
	// account id, how many accounts are done and how many there are.
	Progress func(account string, done, total int)
}

// Build maps b to a snapshot: nodes sorted by kind then ID, edges by kind,
// from and to; Meta.Counts from the nodes; Meta.Warnings the bundle's and the
// mapping's, sorted. The snapshot is validated; Meta.ID is left to the store.
func Build(b *bundle.Bundle, opts Options) (*graph.Snapshot, error) {
	cls, err := graph.NewClassifier(opts.Rules)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	m := newMapper(b, cls)
	m.mapOrg()
	ids := slices.Sorted(maps.Keys(b.Accounts))
	for _, id := range ids {
		m.accountNode(id)
	}
	for i, id := range ids {
		m.mapAccount(b.Accounts[id])
		if opts.Progress != nil {
			opts.Progress(id, i+1, len(ids))
		}
	}
	m.resolveTrusts()
	m.resolvePolicies()

	snap := m.snapshot()
	snap.Meta.Source = opts.Source
	snap.Meta.Created = opts.Created
	snap.Meta.Warnings = slices.Sorted(slices.Values(slices.Concat(b.Warnings, m.warnings)))
	if err := snap.Validate(); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return snap, nil
}

// mapper accumulates the nodes and edges of one snapshot.
type mapper struct {
	b        *bundle.Bundle
	cls      *graph.Classifier
	nodes    map[string]*graph.Node
	edges    map[graph.Edge]bool
	warnings []string
	// inOrg holds the account ids of the organization and of the bundle;
	// any other account is external.
	inOrg map[string]bool
	// trusts are the principals each role's trust policy allows, resolved
	// to nodes once every account is mapped.
	trusts []trust
	// referrers names, per managed policy ARN attached or used as a
	// boundary, the first principal referring to it (for warnings).
	referrers map[string]string
}

func newMapper(b *bundle.Bundle, cls *graph.Classifier) *mapper {
	m := &mapper{
		b: b, cls: cls,
		nodes:     map[string]*graph.Node{},
		edges:     map[graph.Edge]bool{},
		inOrg:     map[string]bool{},
		referrers: map[string]string{},
	}
	for id := range b.Accounts {
		m.inOrg[id] = true
	}
	if b.Org != nil {
		for _, a := range b.Org.Accounts {
			m.inOrg[a.Id] = true
		}
	}
	return m
}

func (m *mapper) warnf(format string, args ...any) {
	m.warnings = append(m.warnings, fmt.Sprintf(format, args...))
}

// add adds n unless a node with its ID exists, and reports whether it did.
func (m *mapper) add(n *graph.Node) bool {
	if _, dup := m.nodes[n.ID]; dup {
		return false
	}
	m.nodes[n.ID] = n
	return true
}

func (m *mapper) link(from, to string, kind graph.EdgeKind) {
	m.edges[graph.Edge{From: from, To: to, Kind: kind}] = true
}

// snapshot returns the nodes and edges in their stable order, with counts.
func (m *mapper) snapshot() *graph.Snapshot {
	snap := &graph.Snapshot{
		Nodes: make([]graph.Node, 0, len(m.nodes)),
		Edges: make([]graph.Edge, 0, len(m.edges)),
	}
	for _, n := range m.nodes {
		snap.Nodes = append(snap.Nodes, *n)
	}
	for e := range m.edges {
		snap.Edges = append(snap.Edges, e)
	}
	slices.SortFunc(snap.Nodes, func(a, b graph.Node) int {
		return cmp.Or(cmp.Compare(slices.Index(graph.NodeKinds, a.Kind), slices.Index(graph.NodeKinds, b.Kind)),
			cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(snap.Edges, func(a, b graph.Edge) int {
		return cmp.Or(cmp.Compare(slices.Index(graph.EdgeKinds, a.Kind), slices.Index(graph.EdgeKinds, b.Kind)),
			cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	snap.Meta.Counts = snap.Tally()
	return snap
}

// resolvePolicies adds an unresolved Policy node, with a warning, for every
// managed policy referenced but not in the bundle.
func (m *mapper) resolvePolicies() {
	for _, arn := range slices.Sorted(maps.Keys(m.referrers)) {
		if _, ok := m.nodes[arn]; ok {
			continue
		}
		n := &graph.Node{ID: arn, Kind: graph.KindPolicy, ARN: arn, Name: arnName(arn),
			Policy: &graph.Policy{Kind: graph.PolicyManaged, Unresolved: true}}
		if acct := accountOf(arn); acct != "aws" {
			n.Account = acct
		}
		m.add(n)
		m.warnf("%s: managed policy referenced by %s is in no authorization details; kept as unresolved",
			arn, m.referrers[arn])
	}
}

func tags(ts []bundle.Tag) []graph.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]graph.Tag, len(ts))
	for i, t := range ts {
		out[i] = graph.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}
