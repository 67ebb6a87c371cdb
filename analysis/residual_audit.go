package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// Grant is a just-in-time grant that has expired: the access it gave
// (every action on every resource) and the revocations that were to take
// it away.
type Grant struct {
	ID          string       `json:"id"`
	Principal   string       `json:"principal"`
	Actions     []string     `json:"actions"`
	Resources   []string     `json:"resources"`
	Expired     time.Time    `json:"expired"`
	Revocations []Revocation `json:"revocations"`
}

// AuditResult lists, per grant in input order, the access that survives
// its revocations.
type AuditResult struct {
	Grants []GrantAudit `json:"grants"`
}

// GrantAudit is one grant's access still effective: empty when the grant
// is really gone.
type GrantAudit struct {
	ID             string            `json:"id"`
	StillEffective []EffectiveAccess `json:"still_effective"`
}

// EffectiveAccess is one (action, resource) of a grant still allowed or
// conditional after its revocations, with the paths that keep it.
type EffectiveAccess struct {
	Action   string
	Resource string
	Decision policy.Decision
	Paths    []Path
}

// MarshalJSON writes {"action","resource","decision","paths"}.
func (a EffectiveAccess) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Action   string `json:"action"`
		Resource string `json:"resource"`
		Decision string `json:"decision"`
		Paths    []Path `json:"paths"`
	}{a.Action, a.Resource, a.Decision.String(), a.Paths})
}

// Audit checks expired grants against snap: for each, it makes the grant's
// revocations on a counterfactual copy ([Apply]) and lists every (action,
// resource) the principal can still make, with the paths ([AccessPaths]).
// A revocation already in effect in snap (the policy no longer attached,
// the statement already gone) is skipped, since that is what a revoked
// grant looks like; one naming an unknown principal, policy, group or
// resource is an error naming the grant. snap is indexed once; each grant's
// Env is derived from it by [Env.Revoked].
func Audit(ctx context.Context, snap *graph.Snapshot, grants []Grant) (AuditResult, error) {
	base, err := counterfactualEnv(snap)
	if err != nil {
		return AuditResult{}, err
	}
	res := AuditResult{Grants: make([]GrantAudit, 0, len(grants))}
	for i, g := range grants {
		ga, err := auditGrant(ctx, snap, base, g)
		if err != nil {
			return AuditResult{}, fmt.Errorf("grants[%d] %q: %w", i, g.ID, err)
		}
		res.Grants = append(res.Grants, ga)
	}
	return res, nil
}

// auditGrant checks one grant on base, the Env of snap.
func auditGrant(ctx context.Context, snap *graph.Snapshot, base *Env, g Grant) (GrantAudit, error) {
	ga := GrantAudit{ID: g.ID, StillEffective: []EffectiveAccess{}}
	e, err := base.revoked(snap, g.Revocations, true)
	if err != nil {
		return ga, err
	}
	for _, action := range g.Actions {
		for _, resource := range g.Resources {
			r, err := AccessPaths(ctx, e, CanQuery{Principal: g.Principal, Action: action, Resource: resource})
			if err != nil {
				return ga, fmt.Errorf("%s on %s: %w", action, resource, err)
			}
			if r.StillAllowed {
				ga.StillEffective = append(ga.StillEffective, EffectiveAccess{Action: action, Resource: resource,
					Decision: r.Decision, Paths: r.Paths})
			}
		}
	}
	return ga, nil
}
