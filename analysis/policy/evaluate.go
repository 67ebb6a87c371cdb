package policy

// Evaluate decides req against set. It follows the IAM User Guide's "Policy
// evaluation logic" (reference_policies_evaluation-logic.html): an explicit
// deny anywhere wins; then every SCP level must allow; then identity-based
// and resource-based policies are combined by the same-account and
// cross-account rules, limited by the permissions boundary and session
// policies.
func Evaluate(req *Request, set *Set) Result {
	var res Result
	EvaluateInto(&res, req, set)
	return res
}

// EvaluateInto is Evaluate writing into res, reusing its slices, so that a
// caller evaluating many requests does not allocate.
func EvaluateInto(res *Result, req *Request, set *Set) {
	if !req.prep.ok {
		r, err := NewRequest(*req)
		if err != nil {
			*res = Result{Decision: ImplicitDeny, Explanation: []Reason{{Statement: -1, Message: err.Error()}}}
			return
		}
		req = r
	}
	res.Decision = ImplicitDeny
	res.MissingContext = res.MissingContext[:0]
	res.Explanation = res.Explanation[:0]
	// The state lives in res so that handing it to matchers as a resolver
	// does not move it to the heap on every call.
	ev := &res.scratch
	*ev = evalState{req: req, res: res, hasBoundary: set.Boundary != nil}
	ev.run(set)
	ev.req, ev.res = nil, nil
}

// verdict is what one layer says about the request.
type verdict struct {
	allow, deny tri
	// For resource policies, the allow split by how the principal was named.
	direct, role, account tri
}

type evalState struct {
	req          *Request
	res          *Result
	missingStart int
	hasBoundary  bool
}

func (ev *evalState) resolve(t *token) (string, tri) {
	if vals, ok := ev.req.lookup(t.key); ok && len(vals) > 0 {
		return vals[0], triTrue
	}
	if t.hasDef {
		return t.def, triTrue
	}
	if ev.req.Context.Complete {
		return "", triFalse
	}
	ev.noteMissing(t.lit)
	return "", triUnknown
}

func (ev *evalState) noteMissing(key string) {
	for _, k := range ev.res.MissingContext {
		if k == key {
			return
		}
	}
	ev.res.MissingContext = append(ev.res.MissingContext, key)
}

// policies evaluates every policy of a layer into one verdict.
func (ev *evalState) policies(ps []*Compiled, layer Layer, level int, withPrincipal bool) verdict {
	var v verdict
	for _, p := range ps {
		ev.policy(p, layer, level, withPrincipal, &v)
	}
	return v
}

func (ev *evalState) policy(c *Compiled, layer Layer, level int, withPrincipal bool, v *verdict) {
	if c == nil {
		return
	}
	for _, i := range c.byService[ev.req.prep.service] {
		ev.statement(c, &c.stmts[i], layer, level, withPrincipal, v)
	}
	for _, i := range c.anyService {
		ev.statement(c, &c.stmts[i], layer, level, withPrincipal, v)
	}
}

func (ev *evalState) statement(c *Compiled, cs *cstmt, layer Layer, level int, withPrincipal bool, v *verdict) {
	ev.missingStart = len(ev.res.MissingContext)
	st, g := ev.applies(cs, layer, withPrincipal)
	if st != triUnknown {
		ev.res.MissingContext = ev.res.MissingContext[:ev.missingStart]
	}
	if st == triFalse {
		return
	}
	ev.res.Explanation = append(ev.res.Explanation, Reason{
		Layer: layer, Level: level, Policy: c.Name, Sid: cs.sid, Statement: cs.index,
		Effect: cs.effect, Conditional: st == triUnknown,
	})
	if cs.effect == Deny {
		v.deny = or(v.deny, st)
		return
	}
	v.allow = or(v.allow, st)
	switch g {
	case grantDirect:
		v.direct = or(v.direct, st)
	case grantRole:
		v.role = or(v.role, st)
	case grantAccount:
		v.account = or(v.account, st)
	}
}

// applies reports whether a statement matches the request, and for
// statements with a Principal element, how it names the caller.
func (ev *evalState) applies(cs *cstmt, layer Layer, withPrincipal bool) (tri, grant) {
	if !cs.matchAction(ev.req.prep.action) {
		return triFalse, grantNone
	}
	g := grantDirect
	if withPrincipal {
		g = cs.matchPrincipal(&ev.req.prep.call, ev, layer)
		if g == grantNone {
			return triFalse, grantNone
		}
	}
	st := cs.matchResource(ev)
	for i := 0; i < len(cs.conds) && st != triFalse; i++ {
		st = and(st, cs.conds[i].eval(ev))
	}
	return st, g
}

func (cs *cstmt) matchAction(action string) bool {
	for i := range cs.actions {
		// Both sides are lower-cased already, so no folding is needed.
		if cs.actions[i].match(action, false, nil) == triTrue {
			return !cs.notAction
		}
	}
	return cs.notAction
}

func (cs *cstmt) matchPrincipal(c *caller, ev *evalState, layer Layer) grant {
	switch {
	case cs.principal == nil && layer == LayerResource:
		return grantNone // a resource-policy statement must name a principal
	case cs.principal == nil:
		return grantDirect // RCPs and endpoint policies apply to every principal
	case !cs.notPrincipal:
		return cs.principal.match(c)
	case ev.hasBoundary && (c.kind == pkUser || c.kind == pkRole || c.kind == pkSession):
		// "The NotPrincipal element with a Deny effect will always deny any
		// IAM principal that has a permissions boundary policy attached."
		return grantDirect
	case cs.principal.excludedBy(c):
		return grantNone
	}
	return grantDirect
}

func (cs *cstmt) matchResource(ev *evalState) tri {
	if cs.anyResource {
		return triTrue
	}
	pr := &ev.req.prep
	res := triFalse
	if cs.resourceVars {
		// As for conditions, an unresolved variable makes the statement not
		// apply, also under NotResource.
		for i := range cs.resources {
			if st := cs.resources[i].resolveAll(ev); st != triTrue {
				return st
			}
		}
	}
	for i := range cs.resources {
		res = or(res, cs.resources[i].match(ev.req.Resource, &pr.resParts, pr.resIsARN, ev))
		if res == triTrue {
			break
		}
	}
	if cs.notResource {
		return not(res)
	}
	return res
}
