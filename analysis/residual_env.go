package analysis

import (
	"cmp"
	"context"
	"fmt"
	"maps"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// Revoked returns the Env of the counterfactual snapshot [Apply](snap,
// revs) without indexing it again: e must be the Env of snap, and only the
// principals and resources the revocations touch are assembled anew (the
// members of a group losing a policy, a role whose trust policy loses a
// statement, …). The result answers every request as an Env built from the
// counterfactual snapshot would; its [Env.Index] is e's, which still holds
// the revoked edges and nodes. e is not changed.
//
// This is what makes a residual query cheap once a snapshot is loaded: a
// full rebuild costs as much as loading the snapshot.
func (e *Env) Revoked(snap *graph.Snapshot, revs []Revocation) (*Env, error) {
	return e.revoked(snap, revs, false)
}

// ResidualEnv is [Residual] on a loaded snapshot: e is snap's Env, and the
// counterfactual Env comes from [Env.Revoked].
func ResidualEnv(ctx context.Context, snap *graph.Snapshot, e *Env, revs []Revocation, q CanQuery) (ResidualResult, error) {
	cf, err := e.Revoked(snap, revs)
	if err != nil {
		return ResidualResult{}, err
	}
	return AccessPaths(ctx, cf, q)
}

func (e *Env) revoked(snap *graph.Snapshot, revs []Revocation, lenient bool) (*Env, error) {
	if len(snap.Nodes) != e.ix.Len() {
		return nil, fmt.Errorf("analysis: Revoked: snapshot has %d nodes, index %d: not the Env's snapshot", len(snap.Nodes), e.ix.Len())
	}
	c, err := makeChanges(snap, revs, lenient)
	if err != nil {
		return nil, err
	}
	r := &reassembly{e: e, c: c, removed: map[revokedEdge]bool{}, principals: map[index.NodeID]bool{}, resources: map[index.NodeID]bool{}}
	if err := r.collect(); err != nil {
		return nil, err
	}
	out := *e
	out.byARN, out.users, out.roles = maps.Clone(e.byARN), maps.Clone(e.users), maps.Clone(e.roles)
	out.resources = maps.Clone(e.resources)
	r.out = &out
	for n := range r.principals {
		r.principal(n)
	}
	for n := range r.resources {
		if err := r.resource(n); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

type revokedEdge struct {
	from, to index.NodeID
	kind     index.EdgeKindID
}

// reassembly holds what Revoked needs: the changes, the stored edges they
// remove and the principals and resources to assemble anew.
type reassembly struct {
	e, out     *Env
	c          *counterfactual
	removed    map[revokedEdge]bool
	principals map[index.NodeID]bool // users and roles whose policies changed
	resources  map[index.NodeID]bool // roles (trust) and resources whose policy changed
}

var revokedEdgeKinds = map[graph.EdgeKind]index.EdgeKindID{
	graph.EdgeMemberOf: index.MemberOf, graph.EdgeAttached: index.Attached,
	graph.EdgeBoundary: index.Boundary, graph.EdgeHasPolicy: index.HasPolicy,
}

// collect turns the changes into removed index edges and the principals
// and resources they touch.
func (r *reassembly) collect() error {
	ix := r.e.ix
	lookup := func(id string) (index.NodeID, error) {
		n, ok := ix.Lookup(id)
		if !ok {
			return 0, fmt.Errorf("analysis: Revoked: node %q is not in the Env's index", id)
		}
		return n, nil
	}
	for i := range r.c.removed {
		ge := &r.c.src.Edges[i]
		k, ok := revokedEdgeKinds[ge.Kind]
		if !ok {
			continue
		}
		from, err := lookup(ge.From)
		if err != nil {
			return err
		}
		to, err := lookup(ge.To)
		if err != nil {
			return err
		}
		r.removed[revokedEdge{from, to, k}] = true
		switch {
		case k == index.HasPolicy:
			r.resources[from] = true
		case ix.Kind(from) == graph.KindGroup:
			for _, u := range ix.In(from, index.MemberOf) {
				r.principals[u] = true
			}
		default:
			r.principals[from] = true
		}
	}
	for i, nd := range r.c.changed {
		n, err := lookup(r.c.src.Nodes[i].ID)
		if err != nil {
			return err
		}
		switch nd.Kind {
		case graph.KindRole, graph.KindResource:
			r.resources[n] = true
		case graph.KindPolicy:
			for _, res := range ix.In(n, index.HasPolicy) {
				r.resources[res] = true
			}
		}
	}
	return nil
}

// outEdges returns the targets of n's edges of kind k that are not removed.
func (r *reassembly) outEdges(n index.NodeID, k index.EdgeKindID) []index.NodeID {
	var out []index.NodeID
	for _, m := range r.e.ix.Out(n, k) {
		if !r.removed[revokedEdge{n, m, k}] {
			out = append(out, m)
		}
	}
	return out
}

// named returns policy node p compiled under its own ID, as NewEnv names
// it; nil if it has no usable document.
func (r *reassembly) named(p index.NodeID) *policy.Compiled {
	c := r.e.ix.Compiled(p)
	if c == nil {
		return nil
	}
	if id := r.e.ix.Node(p).ID; c.Name != id {
		return c.Renamed(id)
	}
	return c
}

// principal assembles user or role n anew from its remaining edges, as
// NewEnv's identity does, and puts it in every map that names it.
func (r *reassembly) principal(n index.NodeID) {
	v := r.e.ix.Node(n)
	arn := cmp.Or(v.ARN, v.ID)
	old := r.e.byARN[arn]
	if old == nil {
		return
	}
	p := *old
	p.identity = nil
	attached := func(of index.NodeID) {
		for _, pol := range r.outEdges(of, index.Attached) {
			if c := r.named(pol); c != nil {
				p.identity = append(p.identity, c)
			}
		}
	}
	attached(n)
	if v.Kind == graph.KindUser {
		for _, g := range r.outEdges(n, index.MemberOf) {
			attached(g)
		}
	}
	p.boundary = nil
	if bs := r.outEdges(n, index.Boundary); len(bs) > 0 {
		p.boundary = []*policy.Compiled{}
		for _, b := range bs {
			if c := r.named(b); c != nil {
				p.boundary = append(p.boundary, c)
			}
		}
	}
	r.out.byARN[arn] = &p
	key := nameKey{account: v.Account, name: v.Name}
	switch {
	case v.Kind == graph.KindUser && r.out.users[key] == old:
		r.out.users[key] = &p
	case v.Kind == graph.KindRole && r.out.roles[key] == old:
		r.out.roles[key] = &p
	}
}

// resource assembles the policy of role n (its trust policy) or resource n
// anew from the counterfactual node.
func (r *reassembly) resource(n index.NodeID) error {
	v := r.e.ix.Node(n)
	key := cmp.Or(v.ARN, v.ID)
	old := r.e.resources[key]
	if old == nil {
		return nil
	}
	res := *old
	nd := r.c.node(v.ID)
	doc, name := "", v.ID+"#policy"
	switch {
	case nd == nil:
	case nd.Kind == graph.KindRole:
		name = v.ID + "#trust"
		if nd.Identity != nil {
			doc = nd.Identity.TrustPolicy
		}
	default:
		if ps := r.outEdges(n, index.HasPolicy); len(ps) > 0 {
			pv := r.e.ix.Node(ps[0])
			pn := r.c.node(pv.ID)
			if pn == nil {
				break
			}
			d, err := documentInForce(pn.Policy)
			if err != nil {
				return fmt.Errorf("resource %s: policy %s: %w", v.ID, pv.ID, err)
			}
			doc, name = d, pv.ID
		} else if nd.Resource != nil {
			doc = nd.Resource.Policy
		}
	}
	res.policy = nil
	if doc != "" {
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if res.policy, err = policy.Compile(name, p); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	r.out.resources[key] = &res
	return nil
}
