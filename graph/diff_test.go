package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	managed := func(def string, docs ...string) *Policy {
		p := &Policy{Kind: PolicyManaged, DefaultVersionID: def}
		for i, d := range docs {
			p.Versions = append(p.Versions, PolicyVersion{ID: "v" + string(rune('1'+i)), Document: d})
		}
		return p
	}
	const doc = `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	tests := []struct {
		name   string
		a, b   Node
		fields []string
	}{
		{"same", Node{ID: "u", Kind: KindUser, Class: ClassHuman}, Node{ID: "u", Kind: KindUser, Class: ClassHuman}, nil},
		{"class and tags", Node{ID: "u", Kind: KindUser, Class: ClassHuman, Tags: []Tag{{"a", "1"}}},
			Node{ID: "u", Kind: KindUser, Class: ClassCI, Tags: []Tag{{"a", "2"}}}, []string{"tags", "class"}},
		{"tag order does not count", Node{ID: "u", Kind: KindUser, Tags: []Tag{{"a", "1"}, {"b", "2"}}},
			Node{ID: "u", Kind: KindUser, Tags: []Tag{{"b", "2"}, {"a", "1"}}}, nil},
		{"activity does not count", Node{ID: "r", Kind: KindRole, Identity: &Identity{LastAccessed: []ServiceAccess{{Service: "s3"}}}},
			Node{ID: "r", Kind: KindRole, Identity: &Identity{}}, nil},
		{"trust policy formatting does not count", Node{ID: "r", Kind: KindRole, Identity: &Identity{TrustPolicy: doc}},
			Node{ID: "r", Kind: KindRole, Identity: &Identity{TrustPolicy: " {\"Statement\": [{\"Resource\":\"*\",\"Effect\":\"Allow\",\"Action\":\"s3:*\"}]}"}}, nil},
		{"trust policy", Node{ID: "r", Kind: KindRole, Identity: &Identity{TrustPolicy: doc}},
			Node{ID: "r", Kind: KindRole, Identity: &Identity{TrustPolicy: `{}`}}, []string{"trust_policy"}},
		{"console password and keys", Node{ID: "u", Kind: KindUser},
			Node{ID: "u", Kind: KindUser, Identity: &Identity{ConsolePassword: true, AccessKeys: []AccessKey{{Active: true}}}},
			[]string{"console_password", "access_keys"}},
		{"new non-default version", Node{ID: "p", Kind: KindPolicy, Policy: managed("v1", doc)},
			Node{ID: "p", Kind: KindPolicy, Policy: managed("v1", doc, `{}`)}, nil},
		{"new default version", Node{ID: "p", Kind: KindPolicy, Policy: managed("v1", doc)},
			Node{ID: "p", Kind: KindPolicy, Policy: managed("v2", doc, `{}`)}, []string{"default_version_id", "document"}},
		{"resolved", Node{ID: "p", Kind: KindPolicy, Policy: &Policy{Kind: PolicyManaged, Unresolved: true}},
			Node{ID: "p", Kind: KindPolicy, Policy: managed("v1", doc)}, []string{"unresolved", "default_version_id", "document"}},
		{"inline document", Node{ID: "p", Kind: KindPolicy, Policy: &Policy{Kind: PolicyInline, Versions: []PolicyVersion{{Document: doc}}}},
			Node{ID: "p", Kind: KindPolicy, Policy: &Policy{Kind: PolicyInline, Versions: []PolicyVersion{{Document: `{}`}}}}, []string{"document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := Compare(&Snapshot{Nodes: []Node{tt.a}}, &Snapshot{Nodes: []Node{tt.b}})
			want := []Change{}
			if tt.fields != nil {
				want = []Change{{Kind: string(tt.a.Kind), ID: tt.a.ID, Fields: tt.fields}}
			}
			if diff := cmp.Diff(want, d.Changed); diff != "" {
				t.Errorf("Changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareAddedRemoved(t *testing.T) {
	t.Parallel()
	a := &Snapshot{Meta: Meta{ID: "0000000001"},
		Nodes: []Node{{ID: "u", Kind: KindUser}, {ID: "g", Kind: KindGroup}, {ID: "old", Kind: KindRole},
			{ID: "account/1", Kind: KindAccount}},
		Edges: []Edge{{From: "u", To: "g", Kind: EdgeMemberOf}, {From: "u", To: "account/1", Kind: EdgeInAccount}}}
	b := &Snapshot{Meta: Meta{ID: "0000000002"},
		Nodes: []Node{{ID: "u", Kind: KindUser}, {ID: "g", Kind: KindGroup}, {ID: "new", Kind: KindRole},
			{ID: "service/x", Kind: KindServicePrincipal}},
		Edges: []Edge{{From: "new", To: "service/x", Kind: EdgeTrusts}}}
	want := Diff{From: "0000000001", To: "0000000002",
		Added: []Change{{Kind: "Role", ID: "new"},
			{Kind: "Trusts", ID: "new → service/x", From: "new", To: "service/x"}},
		Removed: []Change{{Kind: "Role", ID: "old"},
			{Kind: "MemberOf", ID: "u → g", From: "u", To: "g"}},
		Changed: []Change{},
	}
	if diff := cmp.Diff(want, Compare(a, b)); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
}
