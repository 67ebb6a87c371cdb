package analysis

import (
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
)

// Request assembles the engine's request and policy set for principal
// doing action on resource.
//
// principal is an ARN: a user or role of the snapshot (with or without its
// path), a session of one of its roles (arn:aws:sts::A:assumed-role/R/S),
// an account root, or an external principal the snapshot names; or a
// service principal name ("lambda.amazonaws.com"). Anything else fails with
// [ErrUnknownPrincipal]. A role is evaluated as its session
// "arn:aws:sts::A:assumed-role/R/permgraph". External and service principals
// have no identity policies.
//
// resource is an ARN, or "*". A resource the snapshot does not hold has no
// resource policy, and its account is the one in its ARN; an S3 object is
// governed by its bucket's policy.
//
// extra holds condition keys set by the caller. The keys the graph knows
// are added unless extra has them: aws:PrincipalArn (a role's ARN with its
// path), aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalTag/*,
// aws:ResourceOrgID, aws:ResourceOrgPaths, aws:ResourceTag/*. The engine
// derives aws:PrincipalAccount, aws:PrincipalIsAWSService, aws:username and
// aws:ResourceAccount itself. complete says that keys not given are absent
// rather than unknown.
//
// The returned set shares its slices with the Env: do not modify them.
func (e *Env) Request(principal, action, resource string, extra map[string][]string, complete bool) (*policy.Request, *policy.Set, error) {
	p, caller, err := e.principal(principal)
	if err != nil {
		return nil, nil, err
	}
	r, resAcct := e.resource(resource)
	return e.assemble(p, caller, action, resource, r, resAcct, extra, complete, nil)
}

// assemble builds the request of p, calling as caller, doing action on
// resource, which e.resource resolved to r and resAcct. With sc, it fills
// in, besides extra, only the keys the policies of the set may read (the
// engine reads no other, so the decision and explanation are the same),
// reuses a context that holds the same keys, and returns sc's Set, valid
// until the next call with sc.
func (e *Env) assemble(p *principal, caller, action, resource string, r *resource, resAcct string, extra map[string][]string, complete bool, sc *requestScratch) (*policy.Request, *policy.Set, error) {
	set := &policy.Set{}
	if sc != nil {
		set = &sc.set
	}
	*set = policy.Set{Identity: p.identity, Boundary: p.boundary}
	if p.acct != nil {
		set.SCPs = p.acct.scps
	}
	if r != nil && r.policy != nil && (!r.trust || isSTS(action)) {
		set.Resource = r.policy
	}
	a := e.accounts[resAcct]
	if a != nil {
		set.RCPs = a.rcps
	}
	resKVs := r.ctxOr(a)
	var keys *condKeys
	if sc != nil {
		keys = &sc.keys
		keys.prepare(p, set)
	}
	ctx, ok := sc.context(p, resKVs, extra, complete)
	if !ok {
		for k, v := range extra {
			ctx.Set(k, v...)
		}
		ctx.Complete = complete
		fill(&ctx, p.ctx, keys)
		fill(&ctx, resKVs, keys)
		sc.keep(ctx)
	}
	req, err := policy.NewRequest(policy.Request{Principal: caller, Action: action, Resource: resource,
		ResourceAccount: resAcct, ManagementAccount: e.management, Context: ctx})
	if err != nil {
		return nil, nil, err
	}
	return req, set, nil
}

// ctxOr returns the condition keys r brings, or without r those of the
// resource account a (nil for none).
func (r *resource) ctxOr(a *account) []kv {
	if r != nil {
		return r.ctx
	}
	return a.resCtx()
}

// fill adds the keys of kvs that ctx does not have; with keys, only
// those the set may read.
func fill(ctx *policy.Context, kvs []kv, keys *condKeys) {
	for _, x := range kvs {
		if keys != nil && !keys.has(x.key) {
			continue
		}
		if _, ok := ctx.Lookup(x.key); !ok {
			ctx.Set(x.key, x.vals...)
		}
	}
}

func isSTS(action string) bool {
	return len(action) > 4 && strings.EqualFold(action[:4], "sts:")
}

// principal resolves a principal string to what the snapshot knows of it
// and the principal string to evaluate.
func (e *Env) principal(s string) (*principal, string, error) {
	if p := e.byARN[s]; p != nil {
		return p, p.caller, nil
	}
	if !strings.HasPrefix(s, "arn:") {
		if p := e.services[strings.ToLower(s)]; p != nil {
			return p, p.caller, nil
		}
		if isServiceName(s) {
			return &principal{id: s, caller: s}, s, nil
		}
		return nil, "", fmt.Errorf("%w: %q", ErrUnknownPrincipal, s)
	}
	svc, acct, res := arnPart(s, 2), arnPart(s, 4), arnPart(s, 5)
	switch {
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		if p := e.users[nameKey{acct, lastSegment(res)}]; p != nil {
			return p, p.caller, nil
		}
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		if p := e.roles[nameKey{acct, lastSegment(res)}]; p != nil {
			return p, p.caller, nil
		}
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		role, _, _ := strings.Cut(res[len("assumed-role/"):], "/")
		if p := e.roles[nameKey{acct, role}]; p != nil {
			return p, s, nil // keep the caller's session name
		}
	case svc == "iam" && res == "root":
		if a := e.accounts[acct]; a != nil {
			return &principal{id: "account/" + acct, caller: s, acct: a, ctx: a.ctxPrin}, s, nil
		}
	}
	return nil, "", fmt.Errorf("%w: %q is not in the snapshot", ErrUnknownPrincipal, s)
}

// resource returns what the snapshot knows of an ARN (nil if nothing) and
// the account owning it.
func (e *Env) resource(arn string) (*resource, string) {
	if r := e.resources[arn]; r != nil {
		return r, r.account
	}
	if arnPart(arn, 2) == "s3" {
		// An object is governed by its bucket's policy.
		res := arnPart(arn, 5)
		if i := strings.IndexByte(res, '/'); i > 0 {
			if r := e.resources[arn[:len(arn)-len(res)+i]]; r != nil {
				return &resource{account: r.account, acct: r.acct, policy: r.policy, ctx: r.acct.resCtx()}, r.account
			}
		}
	}
	return nil, arnPart(arn, 4)
}

// resCtx returns the resource keys of the account a (nil for none).
func (a *account) resCtx() []kv {
	if a == nil {
		return nil
	}
	return a.ctxRes
}

func isServiceName(s string) bool {
	return strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn") ||
		strings.HasSuffix(s, ".amazon.com")
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }
