package graph

import (
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
)

// Diff is what changed between two snapshots of an organization: the
// identities and policies ([DiffNodeKinds]) and the memberships,
// attachments, boundaries and trusts ([DiffEdgeKinds]) added, removed or
// changed. The lists are sorted (nodes before edges, then by kind and ID)
// and never nil.
type Diff struct {
	From    SnapshotID `json:"from"`
	To      SnapshotID `json:"to"`
	Added   []Change   `json:"added"`
	Removed []Change   `json:"removed"`
	Changed []Change   `json:"changed"`
}

// Change is one node or edge of a [Diff]. For a node, Kind is its node kind
// and ID its ID; for an edge, Kind is the edge kind, ID is "from → to", and
// From and To are set. Fields lists, for a changed node, the JSON names of
// the fields that differ ("class", "trust_policy", "document", …).
type Change struct {
	Kind   string   `json:"kind"`
	ID     string   `json:"id"`
	From   string   `json:"from,omitempty"`
	To     string   `json:"to,omitempty"`
	Fields []string `json:"fields,omitempty"`
}

// DiffNodeKinds are the node kinds a [Diff] compares.
var DiffNodeKinds = []NodeKind{KindUser, KindGroup, KindRole, KindPolicy}

// DiffEdgeKinds are the edge kinds a [Diff] compares. Edges cannot change,
// only appear or disappear.
var DiffEdgeKinds = []EdgeKind{EdgeMemberOf, EdgeAttached, EdgeBoundary, EdgeTrusts}

// Compare returns the differences from snapshot a to snapshot b. A node is
// changed when a field that says who it is or what it may do differs;
// activity (last used, last accessed) and non-default policy versions are
// not compared, and policy documents are compared as JSON values, so that
// formatting does not count.
func Compare(a, b *Snapshot) Diff {
	d := Diff{From: a.Meta.ID, To: b.Meta.ID, Added: []Change{}, Removed: []Change{}, Changed: []Change{}}
	before, after := diffNodes(a), diffNodes(b)
	for id, n := range before {
		m, ok := after[id]
		switch {
		case !ok:
			d.Removed = append(d.Removed, Change{Kind: string(n.Kind), ID: id})
		case n.Kind != m.Kind:
			d.Removed = append(d.Removed, Change{Kind: string(n.Kind), ID: id})
			d.Added = append(d.Added, Change{Kind: string(m.Kind), ID: id})
		default:
			if f := nodeFields(n, m); len(f) > 0 {
				d.Changed = append(d.Changed, Change{Kind: string(n.Kind), ID: id, Fields: f})
			}
		}
	}
	for id, m := range after {
		if _, ok := before[id]; !ok {
			d.Added = append(d.Added, Change{Kind: string(m.Kind), ID: id})
		}
	}
	edgesBefore, edgesAfter := diffEdges(a), diffEdges(b)
	for e := range edgesBefore {
		if !edgesAfter[e] {
			d.Removed = append(d.Removed, edgeChange(e))
		}
	}
	for e := range edgesAfter {
		if !edgesBefore[e] {
			d.Added = append(d.Added, edgeChange(e))
		}
	}
	for _, l := range [][]Change{d.Added, d.Removed, d.Changed} {
		slices.SortFunc(l, compareChanges)
	}
	return d
}

func diffNodes(s *Snapshot) map[string]*Node {
	m := map[string]*Node{}
	for i := range s.Nodes {
		if slices.Contains(DiffNodeKinds, s.Nodes[i].Kind) {
			m[s.Nodes[i].ID] = &s.Nodes[i]
		}
	}
	return m
}

func diffEdges(s *Snapshot) map[Edge]bool {
	m := map[Edge]bool{}
	for _, e := range s.Edges {
		if slices.Contains(DiffEdgeKinds, e.Kind) {
			m[e] = true
		}
	}
	return m
}

func edgeChange(e Edge) Change {
	return Change{Kind: string(e.Kind), ID: e.From + " → " + e.To, From: e.From, To: e.To}
}

// compareChanges orders node changes before edge changes, each in the order
// of their kinds, then by ID.
func compareChanges(a, b Change) int {
	return cmp.Or(cmp.Compare(changeRank(a.Kind), changeRank(b.Kind)), cmp.Compare(a.ID, b.ID))
}

func changeRank(kind string) int {
	if i := slices.Index(NodeKinds, NodeKind(kind)); i >= 0 {
		return i
	}
	return len(NodeKinds) + slices.Index(EdgeKinds, EdgeKind(kind))
}

// nodeFields returns the JSON names of the compared fields that differ.
func nodeFields(a, b *Node) []string {
	var f []string
	diff := func(name string, differ bool) {
		if differ {
			f = append(f, name)
		}
	}
	diff("arn", a.ARN != b.ARN)
	diff("name", a.Name != b.Name)
	diff("account", a.Account != b.Account)
	diff("path", a.Path != b.Path)
	diff("tags", !sameTags(a.Tags, b.Tags))
	diff("class", a.Class != b.Class)
	ia, ib := deref(a.Identity), deref(b.Identity)
	diff("console_password", ia.ConsolePassword != ib.ConsolePassword)
	diff("mfa", ia.MFA != ib.MFA)
	diff("access_keys", !slices.EqualFunc(ia.AccessKeys, ib.AccessKeys, func(x, y AccessKey) bool {
		return x.Active == y.Active && x.LastRotated.Equal(y.LastRotated)
	}))
	diff("trust_policy", !sameJSON(ia.TrustPolicy, ib.TrustPolicy))
	pa, pb := deref(a.Policy), deref(b.Policy)
	diff("policy_kind", pa.Kind != pb.Kind)
	diff("unresolved", pa.Unresolved != pb.Unresolved)
	diff("default_version_id", pa.DefaultVersionID != pb.DefaultVersionID)
	diff("document", !sameJSON(pa.DefaultDocument(), pb.DefaultDocument()))
	return f
}

// DefaultDocument returns the document of the version in force: the one
// DefaultVersionID names, or the only version of a policy without versions.
// It is "" for an unresolved policy.
func (p *Policy) DefaultDocument() string {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersionID {
			return v.Document
		}
	}
	if p.DefaultVersionID == "" && len(p.Versions) > 0 {
		return p.Versions[0].Document
	}
	return ""
}

func deref[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// sameTags compares tags as sets: their order carries no meaning.
func sameTags(a, b []Tag) bool {
	order := func(x, y Tag) int { return cmp.Or(cmp.Compare(x.Key, y.Key), cmp.Compare(x.Value, y.Value)) }
	return slices.Equal(slices.SortedFunc(slices.Values(a), order), slices.SortedFunc(slices.Values(b), order))
}

// sameJSON compares two documents as JSON values, or as text if either is
// not JSON.
func sameJSON(a, b string) bool {
	if a == b {
		return true
	}
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
