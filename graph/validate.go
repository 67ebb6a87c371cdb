package graph

import (
	"errors"
	"fmt"
	"slices"
)

// ErrInvalidSnapshot is returned (wrapped, with the offending node or edge)
// when a snapshot breaks the model: duplicate or empty node IDs, unknown
// kinds, edges to missing nodes, or edges between kinds that cannot be linked.
var ErrInvalidSnapshot = errors.New("graph: invalid snapshot")

// endpoints lists, per edge kind, the node kinds allowed at each end.
var endpoints = map[EdgeKind]struct{ from, to []NodeKind }{
	EdgeMemberOf: {[]NodeKind{KindUser}, []NodeKind{KindGroup}},
	EdgeAttached: {[]NodeKind{KindUser, KindGroup, KindRole}, []NodeKind{KindPolicy}},
	EdgeBoundary: {[]NodeKind{KindUser, KindRole}, []NodeKind{KindPolicy}},
	EdgeInAccount: {
		[]NodeKind{KindUser, KindGroup, KindRole, KindPolicy, KindResource},
		[]NodeKind{KindAccount},
	},
	EdgeChildOf: {
		[]NodeKind{KindOU, KindAccount, KindRoot},
		[]NodeKind{KindRoot, KindOU, KindOrganization},
	},
	EdgePolicyTarget: {[]NodeKind{KindPolicy}, []NodeKind{KindRoot, KindOU, KindAccount}},
	EdgeTrusts: {
		[]NodeKind{KindRole},
		[]NodeKind{KindServicePrincipal, KindExternalPrincipal, KindAccount, KindRole, KindUser},
	},
	EdgeHasPolicy: {[]NodeKind{KindResource}, []NodeKind{KindPolicy}},
}

// Validate checks that the snapshot is a well-formed graph. The error wraps
// [ErrInvalidSnapshot] and names the first offending node or edge.
func (s *Snapshot) Validate() error {
	kinds := make(map[string]NodeKind, len(s.Nodes))
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if err := validateNode(n, kinds); err != nil {
			return fmt.Errorf("%w: nodes[%d] %q: %w", ErrInvalidSnapshot, i, n.ID, err)
		}
		kinds[n.ID] = n.Kind
	}
	for i, e := range s.Edges {
		if err := validateEdge(e, kinds); err != nil {
			return fmt.Errorf("%w: edges[%d] %s %q → %q: %w", ErrInvalidSnapshot, i, e.Kind, e.From, e.To, err)
		}
	}
	return nil
}

func validateNode(n *Node, seen map[string]NodeKind) error {
	switch {
	case n.ID == "":
		return errors.New("empty id")
	case !slices.Contains(NodeKinds, n.Kind):
		return fmt.Errorf("unknown kind %q", n.Kind)
	case n.Kind == KindPolicy && n.Policy == nil:
		return errors.New("policy node without policy")
	case n.Class != "" && !slices.Contains(Classes, n.Class):
		return fmt.Errorf("unknown class %q", n.Class)
	}
	if _, dup := seen[n.ID]; dup {
		return errors.New("duplicate id")
	}
	return nil
}

func validateEdge(e Edge, kinds map[string]NodeKind) error {
	ends, ok := endpoints[e.Kind]
	if !ok {
		return fmt.Errorf("unknown edge kind %q", e.Kind)
	}
	from, ok := kinds[e.From]
	if !ok {
		return errors.New("from: no such node")
	}
	to, ok := kinds[e.To]
	if !ok {
		return errors.New("to: no such node")
	}
	if !slices.Contains(ends.from, from) || !slices.Contains(ends.to, to) {
		return fmt.Errorf("cannot link %s to %s", from, to)
	}
	return nil
}
