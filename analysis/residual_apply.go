package analysis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// Apply returns the counterfactual snapshot in which every revocation of
// revs has been made, in order. snap is never modified: the result shares
// its Meta, and its node and edge slices too unless a revocation changes
// them, in which case they are new slices (changed nodes get their own
// Identity, Policy or Resource). A revocation naming something snap (or
// the snapshot left by the revocations before it) does not hold fails with
// an error wrapping [ErrRevocationTarget] that names it.
//
// A trust statement revoked is dropped from the role's trust policy
// document, which is written back canonically ([policy.Policy.MarshalJSON]);
// a role left without statements trusts nobody. The role's Trusts edges are
// left as they were: they record whom the document named, and analyses
// decide with the document.
func Apply(snap *graph.Snapshot, revs []Revocation) (*graph.Snapshot, error) {
	return applyRevocations(snap, revs, false)
}

// applyRevocations is Apply; with lenient, a revocation already in effect (the link
// or statement it removes is absent) is skipped rather than an error.
func applyRevocations(snap *graph.Snapshot, revs []Revocation, lenient bool) (*graph.Snapshot, error) {
	c, err := makeChanges(snap, revs, lenient)
	if err != nil {
		return nil, err
	}
	return c.snapshot(), nil
}

// makeChanges records what revs change in snap, without building the
// counterfactual snapshot.
func makeChanges(snap *graph.Snapshot, revs []Revocation, lenient bool) (*counterfactual, error) {
	if snap == nil {
		return nil, errors.New("analysis: Apply: nil snapshot")
	}
	c := &counterfactual{src: snap, changed: map[int]*graph.Node{}, dropped: map[string]bool{}, removed: map[int]bool{}}
	for _, r := range revs {
		err := c.revoke(r)
		var ae *absentError
		if lenient && errors.As(err, &ae) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("revoke %s: %w", r, err)
		}
	}
	return c, nil
}

// absentError says that what a revocation removes is not there: the
// revocation is already in effect, or names the wrong link.
type absentError struct{ msg string }

func (e *absentError) Error() string { return ErrRevocationTarget.Error() + ": " + e.msg }
func (e *absentError) Unwrap() error { return ErrRevocationTarget }

func absent(format string, args ...any) error {
	return &absentError{msg: fmt.Sprintf(format, args...)}
}

// counterfactual records the changes made to src: nodes replaced (by
// index), nodes dropped (by ID) and edges removed (by index).
type counterfactual struct {
	src     *graph.Snapshot
	changed map[int]*graph.Node
	dropped map[string]bool
	removed map[int]bool
}

func (c *counterfactual) revoke(r Revocation) error {
	switch r.Kind {
	case RevokePolicyAttachment:
		return c.detach(r)
	case RevokeInlinePolicy:
		return c.deleteInline(r)
	case RevokeGroupMembership:
		u, err := c.find(r.Target, graph.KindUser)
		if err != nil {
			return err
		}
		g, err := c.find(r.Object, graph.KindGroup)
		if err != nil {
			return err
		}
		if c.removeEdges(u.ID, g.ID, graph.EdgeMemberOf) == 0 {
			return absent("user %s is not a member of group %s", u.ID, g.ID)
		}
		return nil
	case RevokeBoundary:
		p, err := c.find(r.Target, graph.KindUser, graph.KindRole)
		if err != nil {
			return err
		}
		if c.removeEdges(p.ID, "", graph.EdgeBoundary) == 0 {
			return absent("%s has no permissions boundary", p.ID)
		}
		return nil
	case RevokeTrustStatement:
		return c.revokeTrust(r)
	case RevokeResourcePolicyStatement:
		return c.revokeResourceStatement(r)
	}
	return fmt.Errorf("%w: unknown kind %q", ErrInvalidRevocation, r.Kind)
}

func (c *counterfactual) detach(r Revocation) error {
	p, err := c.find(r.Target, graph.KindUser, graph.KindGroup, graph.KindRole)
	if err != nil {
		return err
	}
	pol, err := c.find(r.Object, graph.KindPolicy)
	if err != nil {
		return err
	}
	if c.removeEdges(p.ID, pol.ID, graph.EdgeAttached) == 0 {
		return absent("policy %s is not attached to %s", pol.ID, p.ID)
	}
	return nil
}

// deleteInline removes the inline policy node and every edge touching it.
func (c *counterfactual) deleteInline(r Revocation) error {
	p, err := c.find(r.Target, graph.KindUser, graph.KindGroup, graph.KindRole)
	if err != nil {
		return err
	}
	var id string
	c.edges(func(_ int, e *graph.Edge) bool {
		if e.From != p.ID || e.Kind != graph.EdgeAttached {
			return true
		}
		n := c.node(e.To)
		if n != nil && n.Policy != nil && n.Policy.Kind == graph.PolicyInline &&
			(n.Name == r.Object || n.ID == p.ID+"/inline/"+r.Object) {
			id = n.ID
			return false
		}
		return true
	})
	if id == "" {
		return absent("%s has no inline policy %q", p.ID, r.Object)
	}
	c.dropNode(id)
	return nil
}

func (c *counterfactual) revokeTrust(r Revocation) error {
	i, role, err := c.findIndex(r.Target, graph.KindRole)
	if err != nil {
		return err
	}
	if role.Identity == nil || role.Identity.TrustPolicy == "" {
		return absent("role %s has no trust policy", role.ID)
	}
	doc, err := dropStatement(role.Identity.TrustPolicy, r.Object)
	if err != nil {
		return fmt.Errorf("role %s: trust policy: %w", role.ID, err)
	}
	n := *role
	id := *role.Identity
	id.TrustPolicy = doc
	n.Identity = &id
	c.changed[i] = &n
	return nil
}

// revokeResourceStatement drops a statement from a resource's policy: the
// policy node it has (HasPolicy) and the copy on the resource node.
func (c *counterfactual) revokeResourceStatement(r Revocation) error {
	i, res, err := c.findIndex(r.Target, graph.KindResource)
	if err != nil {
		return err
	}
	var polID string
	c.edges(func(_ int, e *graph.Edge) bool {
		if e.From == res.ID && e.Kind == graph.EdgeHasPolicy {
			polID = e.To
			return false
		}
		return true
	})
	doc := ""
	if res.Resource != nil {
		doc = res.Resource.Policy
	}
	pi, pol := -1, (*graph.Node)(nil)
	if polID != "" {
		pi, pol, _ = c.findIndex(polID, graph.KindPolicy)
		if pol != nil {
			if doc, err = documentInForce(pol.Policy); err != nil {
				return fmt.Errorf("resource %s: policy %s: %w", res.ID, pol.ID, err)
			}
		}
	}
	if doc == "" {
		return absent("resource %s has no resource policy", res.ID)
	}
	out, err := dropStatement(doc, r.Object)
	if err != nil {
		return fmt.Errorf("resource %s: resource policy: %w", res.ID, err)
	}
	if res.Resource != nil && res.Resource.Policy != "" {
		n := *res
		rr := *res.Resource
		rr.Policy = out
		n.Resource = &rr
		c.changed[i] = &n
	}
	if pol == nil {
		return nil
	}
	if out == "" {
		c.dropNode(pol.ID)
		return nil
	}
	n := *pol
	p := *pol.Policy
	p.Versions = []graph.PolicyVersion{{ID: p.DefaultVersionID, Document: out}}
	n.Policy = &p
	c.changed[pi] = &n
	return nil
}

// dropStatement returns doc without statement which (a Sid, else a 0-based
// index), re-marshalled; "" when no statement is left.
func dropStatement(doc, which string) (string, error) {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return "", err
	}
	at := -1
	for i, s := range p.Statements {
		if s.Sid == which {
			at = i
			break
		}
	}
	if at < 0 {
		if i, err := strconv.Atoi(which); err == nil && i >= 0 && i < len(p.Statements) {
			at = i
		}
	}
	if at < 0 {
		return "", absent("no statement with Sid %q or index %s among %d", which, which, len(p.Statements))
	}
	q := *p
	q.Statements = append(append([]policy.Statement(nil), p.Statements[:at]...), p.Statements[at+1:]...)
	if len(q.Statements) == 0 {
		return "", nil
	}
	out, err := q.MarshalJSON()
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// defaultDocument returns the document of the version in force, as the
// index reads it.
func documentInForce(p *graph.Policy) (string, error) {
	switch {
	case p == nil || len(p.Versions) == 0:
		return "", fmt.Errorf("no document")
	case p.DefaultVersionID == "":
		return p.Versions[0].Document, nil
	}
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersionID {
			return v.Document, nil
		}
	}
	return "", fmt.Errorf("default version %q not among the versions", p.DefaultVersionID)
}

// find returns the current node named s (its ID or ARN; for an IAM ARN,
// also the node of that account and name whatever its path) of one of kinds.
func (c *counterfactual) find(s string, kinds ...graph.NodeKind) (*graph.Node, error) {
	_, n, err := c.findIndex(s, kinds...)
	return n, err
}

func (c *counterfactual) findIndex(s string, kinds ...graph.NodeKind) (int, *graph.Node, error) {
	kindOK := func(k graph.NodeKind) bool {
		for _, want := range kinds {
			if k == want {
				return true
			}
		}
		return false
	}
	acct, name := arnPart(s, 4), lastSegment(arnPart(s, 5))
	byName := -1
	for i := range c.src.Nodes {
		n := c.at(i)
		if n == nil || !kindOK(n.Kind) {
			continue
		}
		if n.ID == s || n.ARN == s {
			return i, n, nil
		}
		if byName < 0 && arnPart(s, 2) == "iam" && acct != "" && n.Account == acct && n.Name == name {
			byName = i
		}
	}
	if byName >= 0 {
		return byName, c.at(byName), nil
	}
	what := make([]string, len(kinds))
	for i, k := range kinds {
		what[i] = strings.ToLower(string(k))
	}
	return -1, nil, fmt.Errorf("%w: no %s %q", ErrRevocationTarget, strings.Join(what, " or "), s)
}

// at returns node i as changed so far, nil if dropped.
func (c *counterfactual) at(i int) *graph.Node {
	n := &c.src.Nodes[i]
	if c.dropped[n.ID] {
		return nil
	}
	if m := c.changed[i]; m != nil {
		return m
	}
	return n
}

// node returns the current node with ID id, nil if none.
func (c *counterfactual) node(id string) *graph.Node {
	for i := range c.src.Nodes {
		if c.src.Nodes[i].ID == id {
			return c.at(i)
		}
	}
	return nil
}

// edges calls f on every edge not removed, until f returns false.
func (c *counterfactual) edges(f func(i int, e *graph.Edge) bool) {
	for i := range c.src.Edges {
		if !c.removed[i] && !f(i, &c.src.Edges[i]) {
			return
		}
	}
}

// removeEdges removes the edges of kind from → to (any to when to is "")
// and returns how many.
func (c *counterfactual) removeEdges(from, to string, kind graph.EdgeKind) int {
	n := 0
	c.edges(func(i int, e *graph.Edge) bool {
		if e.Kind == kind && e.From == from && (to == "" || e.To == to) {
			c.removed[i] = true
			n++
		}
		return true
	})
	return n
}

// dropNode removes node id and every edge touching it.
func (c *counterfactual) dropNode(id string) {
	c.dropped[id] = true
	c.edges(func(i int, e *graph.Edge) bool {
		if e.From == id || e.To == id {
			c.removed[i] = true
		}
		return true
	})
}

// snapshot assembles the result, copying a slice only if it changed.
func (c *counterfactual) snapshot() *graph.Snapshot {
	out := &graph.Snapshot{Meta: c.src.Meta, Nodes: c.src.Nodes, Edges: c.src.Edges}
	if len(c.changed) > 0 || len(c.dropped) > 0 {
		out.Nodes = make([]graph.Node, 0, len(c.src.Nodes)-len(c.dropped))
		for i := range c.src.Nodes {
			if n := c.at(i); n != nil {
				out.Nodes = append(out.Nodes, *n)
			}
		}
		out.Meta.Counts = out.Tally()
	}
	if len(c.removed) > 0 {
		out.Edges = make([]graph.Edge, 0, len(c.src.Edges)-len(c.removed))
		c.edges(func(_ int, e *graph.Edge) bool {
			out.Edges = append(out.Edges, *e)
			return true
		})
	}
	return out
}
