package graph

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTally(t *testing.T) {
	t.Parallel()
	want := Counts{Accounts: 2, OUs: 1, Users: 1, Roles: 2, Groups: 1, ManagedPolicies: 2,
		InlinePolicies: 1, Resources: 1, SCPs: 1}
	if diff := cmp.Diff(want, sampleSnapshot().Tally()); diff != "" {
		t.Errorf("Tally mismatch (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*Snapshot)
		wantErr string // substring; "" means valid
	}{
		{"sample", func(*Snapshot) {}, ""},
		{"empty", func(s *Snapshot) { *s = Snapshot{} }, ""},
		{"empty id", func(s *Snapshot) { s.Nodes[3].ID = "" }, "nodes[3] \"\": empty id"},
		{"duplicate id", func(s *Snapshot) { s.Nodes[4].ID = s.Nodes[3].ID }, "duplicate id"},
		{"unknown node kind", func(s *Snapshot) { s.Nodes[0].Kind = "Planet" }, `unknown kind "Planet"`},
		{"unknown class", func(s *Snapshot) { s.Nodes[5].Class = "robot" }, `unknown class "robot"`},
		{"policy without policy", func(s *Snapshot) { s.Nodes[9].Policy = nil }, "policy node without policy"},
		{"unknown edge kind", func(s *Snapshot) { s.Edges[0].Kind = "Likes" }, `edges[0] Likes`},
		{"dangling to", func(s *Snapshot) { s.Edges[1].To = "ou/missing" }, "to: no such node"},
		{"dangling from", func(s *Snapshot) { s.Edges[1].From = "ou/missing" }, "from: no such node"},
		{"wrong endpoint kinds", func(s *Snapshot) {
			s.Edges = append(s.Edges, Edge{From: prod, To: "arn:aws:iam::" + prod + ":group/admins", Kind: EdgeMemberOf})
		}, "cannot link Account to Group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sampleSnapshot()
			tt.edit(s)
			err := s.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSnapshot) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want ErrInvalidSnapshot containing %q", err, tt.wantErr)
			}
		})
	}
}
