package analysis

import (
	"cmp"
	"context"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// principalEval evaluates the methods of one principal, caching requests.
type principalEval struct {
	w      *escalationWorld
	p      index.NodeView
	cache  map[string]Decision // by action, resource and service
	allows map[string]bool     // by action: some identity statement may allow it
}

// mayHold reports whether every permission of m may be allowed by the
// principal's identity policies: a cheap filter before any request. It
// looks only at actions whose allow can come from identity policies alone
// (IAM has no resource policies; "*" and new resources have none).
func (pe *principalEval) mayHold(m *EscalationMethod) bool {
	for _, c := range m.Requires {
		if isSTS(c.Action) {
			continue // a trust policy naming the principal suffices in its account
		}
		ok, seen := pe.allows[c.Action]
		if !seen {
			ok = pe.identityMayAllow(c.Action)
			pe.allows[c.Action] = ok
		}
		if !ok && (strings.HasPrefix(c.Action, "iam:") || c.Resource == "*" || c.Resource == resNewRole) {
			return false
		}
	}
	return true
}

func (pe *principalEval) identityMayAllow(action string) bool {
	pr := pe.w.e.byARN[cmp.Or(pe.p.ARN, pe.p.ID)]
	if pr == nil {
		return true
	}
	for _, c := range pr.identity {
		for _, s := range c.Source.Statements {
			if s.Effect != policy.Allow {
				continue
			}
			if s.NotAction != nil {
				if !matchesAny(s.NotAction, action) {
					return true
				}
				continue
			}
			if matchesAny(s.Action, action) {
				return true
			}
		}
	}
	return false
}

// method evaluates m for target c; ok is false when it does not hold.
func (pe *principalEval) method(ctx context.Context, m *EscalationMethod, c candidate) (Edge, bool, error) {
	from := pe.p.ID
	edge := Edge{From: from, To: c.node.ID, Kind: CanEscalate, Method: m.ID, Decision: policy.Allowed}
	var pre []Evidence
	for _, p := range m.Prerequisites {
		d, what := pe.targetFact(p, c.node)
		switch {
		case d == policy.ImplicitDeny:
			return Edge{}, false, nil
		case d == policy.Conditional:
			edge.Decision = policy.Conditional
			pre = append(pre, prerequisite(from, cmp.Or(c.node.ARN, c.node.ID), what))
		}
	}
	items := pe.items(m.existential(), c.node)
	var best []Evidence
	bestD := policy.ImplicitDeny
	for _, item := range items {
		ev, d, err := pe.checks(ctx, m, c, item)
		if err != nil {
			return Edge{}, false, err
		}
		if !passes(d) || (bestD == policy.Allowed) || (bestD == policy.Conditional && d == policy.Conditional) {
			continue
		}
		best, bestD = ev, d
		if d == policy.Allowed {
			break
		}
	}
	if !passes(bestD) {
		return Edge{}, false, nil
	}
	edge.Decision = worse(edge.Decision, bestD)
	edge.Evidence = append(append(best, c.evidence...), pre...)
	for _, ev := range c.evidence {
		if ev.Decision == policy.Conditional.String() {
			edge.Decision = policy.Conditional
		}
	}
	return edge, true, nil
}

// item is one policy or group a ranging resource pattern stands for; the
// zero item stands for none.
type item struct {
	view index.NodeView
	ok   bool
}

// items lists what a ranging pattern stands for: customer managed
// policies attached to the principal (and its groups) or to the target,
// the principal's groups, or every group of its account.
func (pe *principalEval) items(pattern string, target index.NodeView) []item {
	ix := pe.w.ix
	var out []item
	policiesOf := func(n index.NodeID) {
		for _, pol := range ix.Out(n, index.Attached) {
			v := ix.Node(pol)
			if a := arnPart(v.ARN, 4); strings.Contains(v.ARN, ":policy/") && a != "" && a != "aws" {
				out = append(out, item{view: v, ok: true})
			}
		}
	}
	switch pattern {
	case "":
		return []item{{}}
	case resPolicyOfSelf:
		policiesOf(pe.p.N)
		for _, g := range ix.Out(pe.p.N, index.MemberOf) {
			policiesOf(g)
		}
	case resPolicyOfTarget:
		policiesOf(target.N)
	case resGroupOfSelf:
		for _, g := range ix.Out(pe.p.N, index.MemberOf) {
			out = append(out, item{view: ix.Node(g), ok: true})
		}
	case resGroup:
		for _, g := range pe.w.groups[pe.p.Account] {
			out = append(out, item{view: g, ok: true})
		}
	}
	return out
}

// checks evaluates every permission of m for target c and item it, and
// the prerequisites on the item.
func (pe *principalEval) checks(ctx context.Context, m *EscalationMethod, c candidate, it item) ([]Evidence, policy.Decision, error) {
	var ev []Evidence
	dec := policy.Allowed
	for _, ck := range m.Requires {
		res := pe.resource(ck.Resource, c.node, it)
		d, err := pe.can(ctx, ck, res, c.service)
		if err != nil {
			return nil, 0, err
		}
		if !passes(d.Decision) {
			return nil, d.Decision, nil
		}
		dec = worse(dec, d.Decision)
		ev = append(ev, evidence(pe.p.ID, ck.Action, res, d))
	}
	if !it.ok {
		return ev, dec, nil
	}
	for _, p := range m.Prerequisites {
		d, what, err := pe.itemFact(ctx, p, it.view)
		if err != nil {
			return nil, 0, err
		}
		switch d {
		case policy.ImplicitDeny:
			return nil, d, nil
		case policy.Conditional:
			dec = policy.Conditional
			ev = append(ev, prerequisite(pe.p.ID, cmp.Or(it.view.ARN, it.view.ID), what))
		}
	}
	return ev, dec, nil
}

// resource resolves a check's resource pattern to the ARN requested.
func (pe *principalEval) resource(pattern string, target index.NodeView, it item) string {
	switch pattern {
	case resSelf:
		return cmp.Or(pe.p.ARN, pe.p.ID)
	case resTarget:
		return cmp.Or(target.ARN, target.ID)
	case resNewRole:
		return "arn:" + cmp.Or(arnPart(pe.p.ARN, 1), "aws") + ":iam::" + pe.p.Account + ":role/permgraph-escalation-probe"
	case resPolicyOfSelf, resPolicyOfTarget, resGroupOfSelf, resGroup:
		return cmp.Or(it.view.ARN, it.view.ID)
	}
	return pattern
}

// can decides one check, cached.
func (pe *principalEval) can(ctx context.Context, ck PermissionCheck, res, service string) (Decision, error) {
	key := ck.Action + "\x00" + res
	if len(ck.Context) > 0 {
		key += "\x00" + service + "\x00" + ck.Resource
	}
	if d, ok := pe.cache[key]; ok {
		return d, nil
	}
	qctx := pe.w.base
	if len(ck.Context) > 0 {
		qctx = make(map[string][]string, len(pe.w.base)+len(ck.Context))
		for k, v := range pe.w.base {
			qctx[k] = v
		}
		for k, vs := range ck.Context {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = strings.ReplaceAll(v, ctxService, service)
			}
			qctx[k] = out
		}
	}
	d, err := Can(ctx, pe.w.e, CanQuery{Principal: pe.p.ID, Action: ck.Action, Resource: res, Context: qctx})
	if err != nil {
		return Decision{}, err
	}
	pe.cache[key] = d
	return d, nil
}

// targetFact settles a prerequisite on the target: ImplicitDeny when it
// fails, Conditional (with what is assumed) when the graph cannot tell.
func (pe *principalEval) targetFact(p string, target index.NodeView) (policy.Decision, string) {
	var id *graph.Identity
	if n := pe.w.facts[target.ID]; n != nil {
		id = n.Identity
	}
	switch {
	case strings.HasPrefix(p, prereqExisting):
		return policy.Conditional, p
	case p == prereqProfile:
		switch {
		case pe.w.facts == nil:
			return policy.Conditional, "the role has an instance profile (no snapshot facts)"
		case id == nil || len(id.InstanceProfiles) == 0:
			return policy.ImplicitDeny, ""
		}
	case p == prereqLogin:
		if id == nil || !id.ConsolePassword {
			return policy.Conditional, "the user has a console password (login profile)"
		}
	case p == prereqNoLogin:
		// Without a credential report the graph cannot tell; as in
		// iam-vulnerable's expectations, a user not known to have a
		// password is taken to have none.
		if id != nil && id.ConsolePassword {
			return policy.ImplicitDeny, ""
		}
	}
	return policy.Allowed, ""
}

// itemFact settles a prerequisite on a policy or group of a ranging
// pattern; others pass.
func (pe *principalEval) itemFact(ctx context.Context, p string, it index.NodeView) (policy.Decision, string, error) {
	switch p {
	case prereqOtherVersion:
		n := pe.w.facts[it.ID]
		switch {
		case pe.w.facts == nil:
			return policy.Conditional, "the policy has a non-default version (no snapshot facts)", nil
		case n == nil || n.Policy == nil || len(n.Policy.Versions) < 2:
			return policy.ImplicitDeny, "", nil
		}
	case prereqNotMember:
		for _, g := range pe.w.ix.Out(pe.p.N, index.MemberOf) {
			if g == it.N {
				return policy.ImplicitDeny, "", nil
			}
		}
	case prereqGroupAdmin:
		var extra []*policy.Compiled
		for _, pol := range pe.w.ix.Out(it.N, index.Attached) {
			if c := pe.w.ix.Compiled(pol); c != nil {
				extra = append(extra, c.Renamed(pe.w.ix.Node(pol).ID))
			}
		}
		d, err := groupAdmin(ctx, pe.w.e, pe.p, extra, pe.w.base)
		return d, "the group's policies give admin", err
	}
	return policy.Allowed, "", nil
}

// matchesAny reports whether one of the action patterns (with * and ?,
// in any case) matches action.
func matchesAny(patterns []string, action string) bool {
	for _, p := range patterns {
		if globFold(p, action) {
			return true
		}
	}
	return false
}

// globFold matches s against pattern with * and ?, ignoring ASCII case.
func globFold(pattern, s string) bool {
	return glob(strings.ToLower(pattern), strings.ToLower(s))
}
