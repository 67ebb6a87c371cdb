package analysis

import (
	"context"
	"errors"
	"slices"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// fullAccessProbes are privileged actions of unrelated services: an
// identity allowed all of them on "*" holds full access (Allow * on * or
// near enough), and gains nothing by escalating.
var fullAccessProbes = []string{"iam:CreateUser", "iam:PutRolePolicy", "ec2:RunInstances", "s3:PutBucketPolicy",
	"lambda:CreateFunction", "kms:ScheduleKeyDeletion", "dynamodb:DeleteTable", "secretsmanager:GetSecretValue"}

// adminMethods are the catalog methods of PMapper's admin checks: an
// identity that can use one already holds admin-equivalent power.
var adminMethods = []string{"iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy",
	"iam:CreatePolicyVersion", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
	"iam:CreateRole+iam:AttachRolePolicy", "iam:CreateRole+iam:PutRolePolicy"}

// HasFullAccess reports whether principal is allowed every one of a set of
// privileged actions of unrelated services on "*": Allowed, Conditional
// (some only under conditions) or ImplicitDeny.
func HasFullAccess(ctx context.Context, e *Env, principal string) (policy.Decision, error) {
	return evalFullAccess(ctx, e, principal, nil, nil)
}

// IsAdmin reports whether principal holds admin-equivalent power, as
// PMapper defines it: full access, or one of the self-escalation methods
// of its admin checks (an inline or managed policy on itself, a new
// version of a customer managed policy attached to it or its groups, a
// policy on one of its groups, a new role with an admin policy). MFA-only
// grants count, as conditional. The edges returned are the evidence of
// the self-escalation methods (none for full access).
func IsAdmin(ctx context.Context, e *Env, principal string) (policy.Decision, []Edge, error) {
	d, err := HasFullAccess(ctx, e, principal)
	if err != nil || d == policy.Allowed {
		return d, nil, err
	}
	edges, err := Escalations(ctx, e, EscalationOptions{Principals: []string{principal}, Methods: adminMethods, Workers: 1})
	if err != nil {
		return policy.ImplicitDeny, nil, err
	}
	for _, ed := range edges {
		d = bestOf(d, ed.Decision)
	}
	return d, edges, nil
}

// bestOf returns the more favourable of two decisions for "allowed".
func bestOf(a, b policy.Decision) policy.Decision {
	switch {
	case a == policy.Allowed || b == policy.Allowed:
		return policy.Allowed
	case a == policy.Conditional || b == policy.Conditional:
		return policy.Conditional
	}
	return policy.ImplicitDeny
}

// fullAccess is HasFullAccess, cached per principal.
func (w *escalationWorld) fullAccess(ctx context.Context, id string) (policy.Decision, error) {
	if d, ok := w.full.Load(id); ok {
		return d.(policy.Decision), nil
	}
	d, err := evalFullAccess(ctx, w.e, id, nil, w.base)
	if err != nil {
		return 0, err
	}
	w.full.Store(id, d)
	return d, nil
}

// evalFullAccess decides the full-access probes for principal with extra
// identity policies added (a group it would join).
func evalFullAccess(ctx context.Context, e *Env, principal string, extra []*policy.Compiled, base map[string][]string) (policy.Decision, error) {
	d := policy.Allowed
	for _, a := range fullAccessProbes {
		r, err := evalWith(ctx, e, principal, a, "*", base, extra)
		if err != nil {
			return 0, err
		}
		if !passes(r) {
			return policy.ImplicitDeny, nil
		}
		d = worse(d, r)
	}
	return d, nil
}

// groupAdmin decides whether user p, once in a group with policies extra,
// holds admin-equivalent power: full access, or an inline or managed
// policy on itself.
func groupAdmin(ctx context.Context, e *Env, p index.NodeView, extra []*policy.Compiled, base map[string][]string) (policy.Decision, error) {
	d, err := evalFullAccess(ctx, e, p.ID, extra, base)
	if err != nil || d == policy.Allowed {
		return d, err
	}
	self := p.ARN
	if self == "" {
		self = p.ID
	}
	for _, a := range []string{"iam:PutUserPolicy", "iam:AttachUserPolicy"} {
		r, err := evalWith(ctx, e, p.ID, a, self, base, extra)
		if err != nil {
			return 0, err
		}
		d = bestOf(d, r)
	}
	return d, nil
}

// evalWith decides one request of principal with extra identity policies.
func evalWith(ctx context.Context, e *Env, principal, action, resource string, base map[string][]string, extra []*policy.Compiled) (policy.Decision, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	req, set, err := e.Request(principal, action, resource, base, false)
	if err != nil {
		return 0, err
	}
	if len(extra) > 0 {
		s := *set
		s.Identity = append(slices.Clip(set.Identity), extra...)
		set = &s
	}
	return policy.Evaluate(req, set).Decision, nil
}

// AdminPath is how one identity reaches admin-equivalent power over
// derived edges.
type AdminPath struct {
	Principal string
	// Path starts at Principal. Its last edge is a self-escalation (a
	// CanEscalate edge from an identity to itself) or ends at an identity
	// with full access.
	Path     []Edge
	Decision policy.Decision // Conditional when some edge on the path is
}

// EscalationPaths finds, for every identity that starts an edge of edges
// (CanEscalate edges, and any CanAssume or CanInvoke edges the caller
// adds), is no service principal and does not have full access already
// (even under conditions), a shortest path to
// admin-equivalent power: over allowed edges if there is one, else over
// allowed and conditional edges. The result is sorted by principal.
func EscalationPaths(ctx context.Context, e *Env, edges []Edge) ([]AdminPath, error) {
	adj := map[string][]int{}
	for i, ed := range edges {
		adj[ed.From] = append(adj[ed.From], i)
	}
	starts := make([]string, 0, len(adj))
	for from := range adj {
		starts = append(starts, from)
	}
	slices.Sort(starts)
	full := map[string]policy.Decision{}
	fullAccess := func(id string) (policy.Decision, error) {
		if d, ok := full[id]; ok {
			return d, nil
		}
		d, err := HasFullAccess(ctx, e, id)
		if err != nil {
			return 0, err
		}
		full[id] = d
		return d, nil
	}
	var out []AdminPath
	for _, s := range starts {
		if n, ok := e.Index().Lookup(s); ok && e.Index().Kind(n) == graph.KindServicePrincipal {
			continue // a service acts as the roles it is given; it starts no attack
		}
		d, err := fullAccess(s)
		if err != nil {
			return nil, err
		}
		if passes(d) {
			continue
		}
		for _, onlyAllowed := range []bool{true, false} {
			path, err := shortestToAdmin(s, edges, adj, onlyAllowed, fullAccess)
			if err != nil {
				return nil, err
			}
			if path == nil {
				continue
			}
			dec := policy.Allowed
			for _, ed := range path {
				dec = worse(dec, ed.Decision)
			}
			out = append(out, AdminPath{Principal: s, Path: path, Decision: dec})
			break
		}
	}
	return out, nil
}

// shortestToAdmin runs a breadth-first search from start.
func shortestToAdmin(start string, edges []Edge, adj map[string][]int, onlyAllowed bool,
	fullAccess func(string) (policy.Decision, error)) ([]Edge, error) {
	prev := map[string]int{start: -1}
	queue := []string{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, i := range adj[u] {
			ed := &edges[i]
			if onlyAllowed && ed.Decision != policy.Allowed {
				continue
			}
			goal := ed.From == ed.To && ed.Kind == CanEscalate
			if !goal && ed.To != start {
				d, err := fullAccess(ed.To)
				if err != nil && !errors.Is(err, ErrUnknownPrincipal) {
					return nil, err
				}
				goal = d == policy.Allowed || (!onlyAllowed && d == policy.Conditional)
			}
			if goal {
				path := []Edge{*ed}
				for j := prev[u]; j >= 0; j = prev[edges[j].From] {
					path = append(path, edges[j])
				}
				slices.Reverse(path)
				return path, nil
			}
			if _, seen := prev[ed.To]; !seen {
				prev[ed.To] = i
				queue = append(queue, ed.To)
			}
		}
	}
	return nil, nil
}
