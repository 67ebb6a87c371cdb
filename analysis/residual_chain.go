package analysis

import (
	"cmp"
	"context"
	"slices"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
)

// chainSearch finds the role chains by which a principal makes a request:
// breadth first over CanAssume edges, each decided by the engine when first
// needed.
//
// NOTE(residual): this is a local stand-in for the derived CanAssume edges
// of Derive, which did not exist when residual access was written. Once
// Derive lands, paths should walk its edges (with their two-sided evidence)
// instead. Candidates are the roles whose Trusts edges name the caller,
// its account or "*", as ingest records them; a role trusting the caller
// only by unique id (AROA…) is missed.
type chainSearch struct {
	e      *Env
	q      CanQuery
	assume map[index.NodeID][]assumeEdge
	grant  map[index.NodeID]*Edge // nil value: the role's own request is denied
}

type assumeEdge struct {
	to   index.NodeID
	edge Edge
}

func newChainSearch(e *Env, q CanQuery) *chainSearch {
	return &chainSearch{e: e, q: q, assume: map[index.NodeID][]assumeEdge{}, grant: map[index.NodeID]*Edge{}}
}

// partial is a path being extended: the nodes so far and its steps.
type partialPath struct {
	nodes []index.NodeID
	steps []Edge
}

// paths returns the chains from node from (a graph node ID) that end in a
// role making the request, shortest first, within the search's bounds.
func (s *chainSearch) paths(ctx context.Context, from string) ([]Path, error) {
	ix := s.e.ix
	start, ok := ix.Lookup(from)
	if !ok || !isUserOrRole(ix.Kind(start)) {
		return nil, nil
	}
	var out []Path
	queue := []partialPath{{nodes: []index.NodeID{start}}}
	for n := 0; len(queue) > 0 && len(out) < maxPaths && n < maxExpansions; n++ {
		cur := queue[0]
		queue = queue[1:]
		last := cur.nodes[len(cur.nodes)-1]
		if len(cur.steps) > 0 {
			g, err := s.grantOf(ctx, last)
			if err != nil {
				return nil, err
			}
			if g != nil {
				out = append(out, Path{Steps: append(slices.Clip(cur.steps), *g)})
			}
		}
		if len(cur.steps) == maxChainDepth {
			continue
		}
		next, err := s.assumable(ctx, last)
		if err != nil {
			return nil, err
		}
		for _, a := range next {
			if slices.Contains(cur.nodes, a.to) {
				continue
			}
			queue = append(queue, partialPath{nodes: append(slices.Clip(cur.nodes), a.to), steps: append(slices.Clip(cur.steps), a.edge)})
		}
	}
	return out, nil
}

func isUserOrRole(k graph.NodeKind) bool { return k == graph.KindUser || k == graph.KindRole }

// arn returns the ARN of node n, its ID if it has none.
func (s *chainSearch) arn(n index.NodeID) string {
	v := s.e.ix.Node(n)
	return cmp.Or(v.ARN, v.ID)
}

// grantOf returns the direct step of role n making the request, nil if
// its request is denied.
func (s *chainSearch) grantOf(ctx context.Context, n index.NodeID) (*Edge, error) {
	if g, ok := s.grant[n]; ok {
		return g, nil
	}
	q := s.q
	q.Principal = s.arn(n)
	d, err := Can(ctx, s.e, q)
	if err != nil {
		return nil, err
	}
	var g *Edge
	if grantsAccess(d.Decision) {
		step := directStep(s.e.ix.Node(n).ID, q, d)
		g = &step
	}
	s.grant[n] = g
	return g, nil
}

// assumable returns the CanAssume edges from identity n, by role ID.
func (s *chainSearch) assumable(ctx context.Context, n index.NodeID) ([]assumeEdge, error) {
	if a, ok := s.assume[n]; ok {
		return a, nil
	}
	var out []assumeEdge
	caller := s.arn(n)
	for _, r := range s.candidates(n) {
		res := s.arn(r)
		q := CanQuery{Principal: caller, Action: "sts:AssumeRole", Resource: res, Context: s.q.Context, Complete: s.q.Complete}
		d, err := Can(ctx, s.e, q)
		if err != nil {
			return nil, err
		}
		if !grantsAccess(d.Decision) {
			continue
		}
		from, to := s.e.ix.Node(n).ID, s.e.ix.Node(r).ID
		out = append(out, assumeEdge{to: r, edge: Edge{From: from, To: to, Kind: CanAssume, Decision: d.Decision,
			Evidence: []Evidence{stepEvidence(from, q.Action, res, d)}}})
	}
	s.assume[n] = out
	return out, nil
}

// candidates returns the roles whose trust policy may admit identity n:
// those with a Trusts edge to n, to n's account or to "*", in ID order.
func (s *chainSearch) candidates(n index.NodeID) []index.NodeID {
	ix := s.e.ix
	v := ix.Node(n)
	var out []index.NodeID
	for _, id := range []string{v.ID, "account/" + v.Account, "aws/*"} {
		t, ok := ix.Lookup(id)
		if !ok {
			continue
		}
		for _, r := range ix.In(t, index.Trusts) {
			if r != n && ix.Kind(r) == graph.KindRole {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out) // NodeIDs follow graph IDs
	return slices.Compact(out)
}
