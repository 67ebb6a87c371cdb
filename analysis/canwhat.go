package analysis

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/bits-and-blooms/bitset"
	actioncatalog "github.com/permgraph/permgraph/analysis/catalog"
	"github.com/permgraph/permgraph/analysis/policy"
)

// CanWhatOptions tune [CanWhat].
type CanWhatOptions struct {
	// Context and Complete are passed to every request, as in [CanQuery].
	// With Complete false (the default) a grant that depends on a key the
	// graph does not know is conditional, and lists the key.
	Context  map[string][]string
	Complete bool
}

// CanWhatResult is a principal's effective permissions, printed as
// {"principal","permissions":[{"service","access_level","resource",
// "actions","decision","missing_context"}]}.
type CanWhatResult struct {
	Principal   string       `json:"principal"`
	Permissions []Permission `json:"permissions"`
}

// Permission is one group of effective permissions: the actions of one
// service and access level allowed on one resource (an ARN pattern of an
// identity policy, or the ARN of a resource whose policy names the
// principal), all with the same decision and missing context.
type Permission struct {
	Service        string   `json:"service"`
	AccessLevel    string   `json:"access_level"` // AWS's level: List, Read, Write, Permissions management, Tagging
	Resource       string   `json:"resource"`
	Actions        []string `json:"actions"`
	Decision       string   `json:"decision"` // "allow" or "conditional"
	MissingContext []string `json:"missing_context"`
}

// CanWhat returns what principal can do: every catalog action its
// identity policies' Allow statements may grant, on each Resource pattern
// of those statements, and every action a resource policy (or a role's
// trust policy) grants it by its ARN, its account or "*", each decided
// by the engine as [Can] decides it (SCPs, boundary, denies, resource
// policy), grouped by service, access level and resource.
//
// Candidates come from the Allow statements, expanded through the catalog
// once per distinct policy: Action patterns, or every action but the
// NotAction ones. A wildcard-only action is tried on "*" alone (AWS
// authorizes it against "*", which no ARN pattern matches); an action with
// resource types only on the patterns that can be one of its types.
//
// A pattern is evaluated as the request's resource: a statement allows it
// when its own pattern covers it, and a Deny on part of it (one object of
// a bucket) does not show; the answer is what the principal can do on some
// resources the pattern names. A pattern whose account is a wildcard is
// evaluated, and shown, in the principal's own account: another account's
// resources need that account's resource policy too, which shows as its
// own row when it names the principal. ${aws:username} is resolved.
func CanWhat(ctx context.Context, e *Env, principal string, opts CanWhatOptions) (CanWhatResult, error) {
	w := newPermWorld(e)
	ps, err := w.permissions(ctx, principal, opts, false, nil)
	if err != nil {
		return CanWhatResult{}, err
	}
	return CanWhatResult{Principal: ps.arn, Permissions: ps.grouped(w.cat)}, nil
}

// permSet is what one principal is allowed, per resource.
type permSet struct {
	id, arn, account string
	groups           []permGroup // sorted by resource
}

// permGroup holds the actions allowed on one resource: allowed outright,
// or under conditions (with the keys each depends on).
type permGroup struct {
	resource string
	// named says that resource is the ARN of a resource whose policy names
	// the principal, not a pattern of an identity policy.
	named   bool
	allowed *bitset.BitSet
	cond    *bitset.BitSet // nil when none
	missing map[uint][]string
}

// permissions evaluates every candidate of principal.
//
// With namedOnly, only the grants of resource policies of other accounts
// are evaluated.
// Actions of assume (nil for none) are taken as allowed without being
// evaluated: BlastRadius passes those another identity of the reach is
// already allowed, since they cannot change the union's actions.
func (w *permWorld) permissions(ctx context.Context, principal string, opts CanWhatOptions, namedOnly bool, assume *bitset.BitSet) (*permSet, error) {
	n, err := resolveNode(w.e, principal)
	if err != nil {
		return nil, err
	}
	nv := w.e.ix.Node(n)
	ps := &permSet{id: nv.ID, arn: principalARN(nv), account: nv.Account}
	p, _, err := w.e.principal(ps.arn)
	if err != nil {
		return nil, err
	}
	cands := map[string]*bitset.BitSet{}
	named := map[string]bool{}
	add := func(r string, acts *bitset.BitSet) {
		if cb := w.compatible(r); cb != nil {
			acts = acts.Intersection(cb)
		}
		if !acts.Any() {
			return
		}
		if c := cands[r]; c != nil {
			c.InPlaceUnion(acts)
			return
		}
		cands[r] = acts.Clone()
	}
	for _, c := range p.identity {
		if namedOnly {
			break
		}
		for _, g := range w.policyGrants(c.Source) {
			for _, r := range g.resources {
				add(w.evalResource(r, ps.account, nv.Name), g.actions)
			}
		}
	}
	for _, rg := range w.grantees(ps.arn, ps.account) {
		if namedOnly && rg.account == ps.account {
			continue
		}
		add(rg.arn, rg.actions)
		named[rg.arn] = true
	}
	var res policy.Result
	steps := 0
	for _, r := range slices.Sorted(maps.Keys(cands)) {
		g := permGroup{resource: r, named: named[r], allowed: bitset.New(uint(w.cat.Len()))}
		reqs := requests{e: w.e, principal: ps.arn, resource: r, opts: &opts}
		todo := cands[r]
		if assume != nil {
			g.allowed.InPlaceUnion(todo.Intersection(assume))
			todo = todo.Difference(assume)
		}
		for id, ok := todo.NextSet(0); ok; id, ok = todo.NextSet(id + 1) {
			if steps++; steps%512 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			req, set, err := reqs.request(w.names[id])
			if err != nil {
				return nil, err
			}
			policy.EvaluateInto(&res, req, set)
			switch res.Decision {
			case policy.Allowed:
				g.allowed.Set(id)
			case policy.Conditional:
				if g.cond == nil {
					g.cond, g.missing = bitset.New(uint(w.cat.Len())), map[uint][]string{}
				}
				g.cond.Set(id)
				g.missing[id] = slices.Compact(slices.Sorted(slices.Values(res.MissingContext)))
			}
		}
		if g.allowed.Any() || g.cond != nil {
			ps.groups = append(ps.groups, g)
		}
	}
	return ps, nil
}

// requests builds the requests of one principal on one resource, which
// differ only by action: the context is assembled once (twice for a role,
// whose trust policy applies to sts actions alone).
type requests struct {
	e                   *Env
	principal, resource string
	opts                *CanWhatOptions
	base                [2]*policy.Request // by isSTS
	sets                [2]*policy.Set
}

func (q *requests) request(action string) (*policy.Request, *policy.Set, error) {
	i := 0
	if isSTS(action) {
		i = 1
	}
	if q.base[i] == nil {
		req, set, err := q.e.Request(q.principal, action, q.resource, q.opts.Context, q.opts.Complete)
		if err != nil {
			return nil, nil, err
		}
		q.base[i], q.sets[i] = req, set
		return req, set, nil
	}
	r := *q.base[i]
	r.Action = action
	req, err := policy.NewRequest(r)
	return req, q.sets[i], err
}

// evalResource is the resource to evaluate for an identity policy's
// pattern r: r with a wildcard account replaced by the principal's own,
// and ${aws:username} by its name.
func (w *permWorld) evalResource(r, account, name string) string {
	if r == "*" || !strings.HasPrefix(r, "arn:") {
		return r
	}
	r = strings.ReplaceAll(r, "${aws:username}", name)
	parts := strings.SplitN(r, ":", 6)
	if len(parts) == 6 && strings.ContainsAny(parts[4], "*?") && account != "" {
		parts[4] = account
		r = strings.Join(parts, ":")
	}
	return r
}

// grouped returns ps as Permissions, sorted by service, access level,
// resource and decision.
func (ps *permSet) grouped(cat *actioncatalog.Catalog) []Permission {
	type key struct {
		service  string
		level    actioncatalog.AccessLevel
		resource string
		decision policy.Decision
		missing  string
	}
	groups := map[key]*Permission{}
	add := func(k key, action string, missing []string) {
		p := groups[k]
		if p == nil {
			p = &Permission{Service: k.service, AccessLevel: k.level.String(), Resource: k.resource,
				Decision: k.decision.String(), MissingContext: missing}
			if p.MissingContext == nil {
				p.MissingContext = []string{}
			}
			groups[k] = p
		}
		p.Actions = append(p.Actions, action)
	}
	for _, g := range ps.groups {
		for id, ok := g.allowed.NextSet(0); ok; id, ok = g.allowed.NextSet(id + 1) {
			a := cat.ActionByID(int(id))
			add(key{a.Service, a.Level, g.resource, policy.Allowed, ""}, a.String(), nil)
		}
		if g.cond == nil {
			continue
		}
		for id, ok := g.cond.NextSet(0); ok; id, ok = g.cond.NextSet(id + 1) {
			a := cat.ActionByID(int(id))
			m := g.missing[id]
			add(key{a.Service, a.Level, g.resource, policy.Conditional, strings.Join(m, "\x00")}, a.String(), m)
		}
	}
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b key) int {
		return cmp.Or(strings.Compare(a.service, b.service), cmp.Compare(a.level, b.level),
			strings.Compare(a.resource, b.resource), cmp.Compare(a.decision, b.decision), strings.Compare(a.missing, b.missing))
	})
	out := make([]Permission, 0, len(keys))
	for _, k := range keys {
		out = append(out, *groups[k])
	}
	return out
}
