package policy

import "slices"

// Messages of layer reasons; constants so that explanations never allocate.
const (
	msgNoIdentity    = "no identity-based policy allows the action"
	msgNoBoundary    = "the permissions boundary does not allow the action"
	msgNoSession     = "the session policy does not allow the action"
	msgNoSCP         = "no SCP at this level allows the action"
	msgNoResource    = "the resource-based policy does not allow the principal"
	msgNeedsResource = "the resource-based policy must allow the principal (role trust policy or KMS key policy)"
	msgCrossAccount  = "cross-account access needs both an identity-based and a resource-based allow"
	msgNoEndpoint    = "no VPC endpoint policy allows the request"
	msgNoPrincipal   = "anonymous and service principals are allowed only by a resource-based policy"
	msgAlways        = "AWS allows this action to every authenticated caller"
	msgOwned         = "the resource is owned by AWS and cannot be changed by any policy"
	msgRoot          = "the root user holds every permission in its own account"
)

// run combines the layers. Each quantity is three-valued: the final answer
// is conditional when an unknown could change it.
func (ev *evalState) run(set *Set) {
	switch pr := &ev.req.prep; {
	case pr.always && pr.call.kind != pkAnonymous:
		ev.res.Decision = Allowed
		ev.layerReason(0, 0, msgAlways)
		return
	}
	id := ev.policies(set.Identity, LayerIdentity, 0, false)
	bound := verdict{allow: triTrue}
	if set.Boundary != nil {
		bound = ev.policies(set.Boundary, LayerBoundary, 0, false)
	}
	sess := verdict{allow: triTrue}
	if set.Session != nil {
		sess = ev.policies(set.Session, LayerSession, 0, false)
	}
	var rp verdict
	if set.Resource != nil {
		ev.policy(set.Resource, LayerResource, 0, true, &rp)
	}
	deny := or(or(id.deny, bound.deny), or(sess.deny, rp.deny))

	scpOK := triTrue
	if ev.scpApplies(set) {
		for lvl, ps := range set.SCPs {
			v := ev.policies(ps, LayerSCP, lvl, false)
			deny = or(deny, v.deny)
			if v.allow == triFalse {
				ev.layerReason(LayerSCP, lvl, msgNoSCP)
			}
			scpOK = and(scpOK, v.allow)
		}
	}
	if ev.rcpApplies(set) {
		// RCPFullAWSAccess is attached at every level and cannot be
		// detached, so only the RCPs' denies can change the outcome.
		for lvl, ps := range set.RCPs {
			deny = or(deny, ev.policies(ps, LayerRCP, lvl, true).deny)
		}
	}
	endOK := triTrue
	if set.Endpoint != nil {
		v := ev.policies(set.Endpoint, LayerEndpoint, 0, true)
		deny = or(deny, v.deny)
		endOK = v.allow
		if endOK == triFalse {
			ev.layerReason(LayerEndpoint, 0, msgNoEndpoint)
		}
	}

	allowed := and(and(scpOK, endOK), ev.combine(set, id, bound, sess, rp))
	if ev.req.prep.owned {
		ev.layerReason(LayerResource, 0, msgOwned)
		allowed = triFalse
	}
	ev.finish(deny, allowed)
}

// combine applies the identity/resource rules of "Policy evaluation logic"
// and "Cross-account policy evaluation logic".
func (ev *evalState) combine(set *Set, id, bound, sess, rp verdict) tri {
	pr := &ev.req.prep
	c := &pr.call
	limits := and(bound.allow, sess.allow)
	idPath := and(id.allow, limits)
	if c.kind == pkRoot && c.account == pr.resAccount {
		idPath = triTrue
		ev.layerReason(LayerIdentity, 0, msgRoot)
	}
	// A grant to the role ARN is limited by the boundary and the session
	// policy; a grant to the user or session itself is not.
	resPath := or(rp.direct, and(rp.role, limits))
	resAny := or(or(rp.direct, rp.role), rp.account)

	switch {
	case c.kind == pkAnonymous || c.kind == pkService || c.kind == pkFederated:
		if rp.direct == triFalse {
			ev.layerReason(LayerResource, 0, msgNoPrincipal)
		}
		return rp.direct
	case c.account != pr.resAccount:
		ev.explainMissing(id.allow, bound.allow, sess.allow)
		if resAny == triFalse {
			ev.layerReason(LayerResource, 0, msgCrossAccount)
		}
		return and(idPath, resAny)
	case pr.trustPolicy || pr.keyPolicy:
		// Role trust policies and KMS key policies must allow even within
		// the account; naming the account delegates to identity policies.
		if resAny == triFalse {
			ev.layerReason(LayerResource, 0, msgNeedsResource)
		} else if resPath != triTrue {
			ev.explainMissing(id.allow, bound.allow, sess.allow)
		}
		return and(resAny, or(idPath, resPath))
	}
	out := or(idPath, resPath)
	if out != triTrue {
		ev.explainMissing(id.allow, bound.allow, sess.allow)
	}
	return out
}

// explainMissing adds a reason for each identity-side layer without an
// allow.
func (ev *evalState) explainMissing(id, bound, sess tri) {
	if id == triFalse {
		ev.layerReason(LayerIdentity, 0, msgNoIdentity)
	}
	if bound == triFalse {
		ev.layerReason(LayerBoundary, 0, msgNoBoundary)
	}
	if sess == triFalse {
		ev.layerReason(LayerSession, 0, msgNoSession)
	}
}

func (ev *evalState) layerReason(l Layer, level int, msg string) {
	ev.res.Explanation = append(ev.res.Explanation, Reason{Layer: l, Level: level, Statement: -1, Message: msg})
}

func (ev *evalState) finish(deny, allowed tri) {
	res := ev.res
	switch {
	case deny == triTrue:
		res.Decision = ExplicitDeny
		ev.keep(func(r *Reason) bool { return r.Effect == Deny && !r.Conditional })
	case allowed == triFalse:
		res.Decision = ImplicitDeny
		ev.keep(func(r *Reason) bool { return r.Effect != Allow || r.Conditional })
	case allowed == triTrue && deny == triFalse:
		res.Decision = Allowed
		ev.keep(func(r *Reason) bool { return r.Effect == Allow || r.Message == msgRoot })
	default:
		res.Decision = Conditional
	}
	if res.Decision != Conditional {
		res.MissingContext = res.MissingContext[:0]
	}
	slices.Sort(res.MissingContext) // stable output for people and golden files
}

// keep filters the explanation in place to the reasons that decided.
func (ev *evalState) keep(f func(*Reason) bool) {
	out := ev.res.Explanation[:0]
	for i := range ev.res.Explanation {
		if f(&ev.res.Explanation[i]) {
			out = append(out, ev.res.Explanation[i])
		}
	}
	ev.res.Explanation = out
}

func (ev *evalState) scpApplies(set *Set) bool {
	c := &ev.req.prep.call
	switch c.kind {
	case pkUser, pkRole, pkSession, pkFederatedUser, pkRoot:
	default:
		return false
	}
	return set.SCPs != nil && !c.serviceLinked &&
		(ev.req.ManagementAccount == "" || c.account != ev.req.ManagementAccount)
}

func (ev *evalState) rcpApplies(set *Set) bool {
	pr := &ev.req.prep
	return set.RCPs != nil && pr.rcpService && pr.call.kind != pkService && !pr.call.serviceLinked &&
		(ev.req.ManagementAccount == "" || pr.resAccount != ev.req.ManagementAccount)
}
