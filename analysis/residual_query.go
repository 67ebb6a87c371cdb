package analysis

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// DirectGrant is the edge of a path's last step: the principal at its
// start makes the request itself, and its evidence is the request's
// decision. It is no derived edge between nodes: To is the resource.
const DirectGrant EdgeKind = "direct"

// Bounds of the path search of [AccessPaths].
const (
	maxChainDepth = 5     // role assumptions in one path
	maxPaths      = 50    // paths listed
	maxExpansions = 10000 // partial paths examined
)

// Path is one way a principal makes a request: zero or more CanAssume
// steps, then a [DirectGrant] step. A path is conditional when one of its
// steps is.
type Path struct {
	Steps []Edge `json:"steps"`
}

// Conditional reports whether some step holds only under conditions.
func (p Path) Conditional() bool {
	for i := range p.Steps {
		if p.Steps[i].Conditional() {
			return true
		}
	}
	return false
}

// ResidualResult answers "can the principal still make the request?":
// whether some path survives, the best decision over the surviving paths
// (allow if one path holds unconditionally, conditional if all depend on
// conditions) or, with none, the decision of the direct request, and every
// surviving path, shortest first.
type ResidualResult struct {
	StillAllowed bool
	Decision     policy.Decision
	Paths        []Path
}

// MarshalJSON writes {"still_allowed","decision","paths"}; paths is a list,
// empty rather than null.
func (r ResidualResult) MarshalJSON() ([]byte, error) {
	paths := r.Paths
	if paths == nil {
		paths = []Path{}
	}
	return json.Marshal(struct {
		StillAllowed bool   `json:"still_allowed"`
		Decision     string `json:"decision"`
		Paths        []Path `json:"paths"`
	}{r.StillAllowed, r.Decision.String(), paths})
}

// Residual answers q on the counterfactual copy of snap in which revs have
// been made ([Apply]), with every path by which the access survives (see
// [AccessPaths]). snap is not modified. It builds an index and an [Env] for
// the whole counterfactual snapshot, which on a large organization costs
// about as much as loading it.
func Residual(ctx context.Context, snap *graph.Snapshot, revs []Revocation, q CanQuery) (ResidualResult, error) {
	cf, err := Apply(snap, revs)
	if err != nil {
		return ResidualResult{}, err
	}
	e, err := counterfactualEnv(cf)
	if err != nil {
		return ResidualResult{}, err
	}
	return AccessPaths(ctx, e, q)
}

// buildEnv indexes snap and builds its Env, leaving invalid policies out
// as the CLI does.
func counterfactualEnv(snap *graph.Snapshot) (*Env, error) {
	ix, err := index.Build(snap, index.DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		return nil, fmt.Errorf("counterfactual snapshot: %w", err)
	}
	return NewEnv(snap, ix)
}

// AccessPaths lists every way q.Principal can make the request of q in e:
// the direct request, when it is allowed or conditional, and each chain of
// role assumptions (at most 5 hops) that ends in a role whose own request
// is allowed or conditional. It lists at most 50 paths, shortest first.
// Each assumption is decided with q's context, as is the final request.
func AccessPaths(ctx context.Context, e *Env, q CanQuery) (ResidualResult, error) {
	direct, err := Can(ctx, e, q)
	if err != nil {
		return ResidualResult{}, err
	}
	s := newChainSearch(e, q)
	from := q.Principal
	if p, _, err := e.principal(q.Principal); err == nil && p.id != "" {
		from = p.id
	}
	var res ResidualResult
	if grantsAccess(direct.Decision) {
		res.Paths = append(res.Paths, Path{Steps: []Edge{directStep(from, q, direct)}})
	}
	chains, err := s.paths(ctx, from)
	if err != nil {
		return ResidualResult{}, err
	}
	res.Paths = append(res.Paths, chains...)
	res.Decision = direct.Decision
	for _, p := range res.Paths {
		switch {
		case !p.Conditional():
			res.Decision = policy.Allowed
		case res.Decision != policy.Allowed:
			res.Decision = policy.Conditional
		}
	}
	res.StillAllowed = len(res.Paths) > 0
	return res, nil
}

// grants reports whether a decision lets the request through, at least
// under conditions.
func grantsAccess(d policy.Decision) bool { return d == policy.Allowed || d == policy.Conditional }

// directStep is the last step of a path: principal from makes q.
func directStep(from string, q CanQuery, d Decision) Edge {
	return Edge{From: from, To: q.Resource, Kind: DirectGrant, Decision: d.Decision,
		Evidence: []Evidence{stepEvidence(from, q.Action, q.Resource, d)}}
}

func stepEvidence(principal, action, resource string, d Decision) Evidence {
	reasons := d.Explanation
	if reasons == nil {
		reasons = []policy.Reason{}
	}
	return Evidence{Principal: principal, Action: action, Resource: resource, Decision: d.Decision.String(),
		MissingContext: d.MissingContext, Reasons: reasons}
}
