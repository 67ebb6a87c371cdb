package analysis

import (
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
)

// condKeys tells [Env.request] which condition keys the policies of a
// request's set may read: their Condition keys and the policy variables
// of their Resource, NotResource and condition values. The engine reads no
// other key, so a context holding only those decides every request the
// same way as the full one, and costs far less to build than the ten or
// twenty keys a principal and a resource bring. One condKeys per worker:
// keys is reused from request to request.
type condKeys struct {
	reads map[*policy.Policy][]string // per policy, what it may read; shared and read-only
	all   bool                        // the current set may read anything
	// What the current set may read, lower-cased: the identity policies
	// and boundary of principal p (pall: one was not read beforehand), the
	// resource policy, the SCPs and RCPs.
	p        *principal
	pkeys    []string
	pall     bool
	reskeys  []string
	scp, rcp levelKeys
}

// newPolicyReads reads every policy e's principals, accounts and
// resources hold.
func newPolicyReads(e *Env) map[*policy.Policy][]string {
	out := map[*policy.Policy][]string{}
	add := func(cs ...*policy.Compiled) {
		for _, c := range cs {
			if c == nil || c.Source == nil {
				continue
			}
			if _, ok := out[c.Source]; !ok {
				out[c.Source] = readsOf(c.Source)
			}
		}
	}
	for _, p := range e.byARN {
		add(p.identity...)
		add(p.boundary...)
	}
	for _, a := range e.accounts {
		for _, l := range a.scps {
			add(l...)
		}
		for _, l := range a.rcps {
			add(l...)
		}
	}
	for _, r := range e.resources {
		add(r.policy)
	}
	return out
}

// readsOf lists the condition keys p may read, lower-cased.
func readsOf(p *policy.Policy) []string {
	var keys []string
	vars := func(ss []string) {
		for _, s := range ss {
			keys = appendVars(keys, s)
		}
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		vars(st.Resource)
		vars(st.NotResource)
		for _, c := range st.Condition {
			keys = append(keys, strings.ToLower(c.Key))
			vars(c.Values)
		}
	}
	slices.Sort(keys)
	return slices.Clip(slices.Compact(keys))
}

// appendVars appends the keys of the policy variables in s ("${key}" or
// "${key, 'default'}"), lower-cased, as the engine reads them.
func appendVars(keys []string, s string) []string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return keys
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return keys
		}
		inner := s[i+2 : i+end]
		s = s[i+end+1:]
		switch inner {
		case "*", "?", "$":
			continue
		}
		key, _, _ := strings.Cut(inner, ",")
		keys = append(keys, strings.ToLower(strings.TrimSpace(key)))
	}
}

// prepare records what the policies of p's set may read: p's identity
// policies and boundary, kept from the previous call when p is the same;
// the SCPs and RCPs, kept while their levels are the same; and the
// resource policy.
func (ck *condKeys) prepare(p *principal, set *policy.Set) {
	ck.all = set.Session != nil || set.Endpoint != nil // not read beforehand (Env sets neither)
	if p != ck.p {
		ck.p = p
		ck.pkeys, ck.pall = ck.addAll(ck.pkeys[:0], false, set.Identity)
		ck.pkeys, ck.pall = ck.addAll(ck.pkeys, ck.pall, set.Boundary)
	}
	ck.scp.prepare(ck, set.SCPs)
	ck.rcp.prepare(ck, set.RCPs)
	ck.all = ck.all || ck.scp.all || ck.rcp.all
	ck.reskeys = nil
	if set.Resource != nil {
		var ok bool
		ck.reskeys, ok = ck.reads[set.Resource.Source]
		ck.all = ck.all || !ok
	}
	ck.all = ck.all || ck.pall
}

// levelKeys are what the policies of organization levels (an account's
// SCPs or RCPs) may read, kept while the levels are the same.
type levelKeys struct {
	levels [][]*policy.Compiled
	keys   []string
	all    bool
}

func (lk *levelKeys) prepare(ck *condKeys, levels [][]*policy.Compiled) {
	if len(levels) > 0 && len(lk.levels) == len(levels) && &lk.levels[0] == &levels[0] {
		return
	}
	lk.levels, lk.keys, lk.all = levels, lk.keys[:0], false
	for _, l := range levels {
		lk.keys, lk.all = ck.addAll(lk.keys, lk.all, l)
	}
}

// addAll appends what cs may read to keys; all becomes true when one of
// them was not read beforehand, so that any key must be kept.
func (ck *condKeys) addAll(keys []string, all bool, cs []*policy.Compiled) ([]string, bool) {
	for _, c := range cs {
		if c == nil {
			continue
		}
		reads, ok := ck.reads[c.Source]
		all = all || !ok
		keys = append(keys, reads...)
	}
	return keys, all
}

// has reports whether the current set may read key (lower-cased).
func (ck *condKeys) has(key string) bool {
	return ck.all || slices.Contains(ck.pkeys, key) || slices.Contains(ck.reskeys, key) ||
		slices.Contains(ck.scp.keys, key) || slices.Contains(ck.rcp.keys, key)
}

// requestScratch is what [Env.assemble] reuses from one request to the
// next: one per worker.
type requestScratch struct {
	set  policy.Set
	keys condKeys
	// The last context built from a principal's keys alone, which the
	// next request of that principal reuses when it would hold the same
	// keys: it is never written to once built.
	ctx       policy.Context
	ctxP      *principal
	ctxMask   uint64 // which of ctxP's keys it holds
	ctxValid  bool
	cacheable bool // the request being assembled may keep its context
	mask      uint64
}

// context returns the context of the last request when this one, with no
// extra keys, from the same principal, would hold the same of its keys
// and none of the resource's. sc may be nil.
func (sc *requestScratch) context(p *principal, resKVs []kv, extra map[string][]string, complete bool) (policy.Context, bool) {
	if sc == nil {
		return policy.Context{}, false
	}
	sc.cacheable = false
	if len(extra) > 0 || len(p.ctx) > 64 {
		return policy.Context{}, false
	}
	for _, x := range resKVs {
		if sc.keys.has(x.key) {
			return policy.Context{}, false
		}
	}
	sc.cacheable, sc.mask = true, 0
	for i, x := range p.ctx {
		if sc.keys.has(x.key) {
			sc.mask |= 1 << i
		}
	}
	if sc.ctxValid && sc.ctxP == p && sc.ctxMask == sc.mask && sc.ctx.Complete == complete {
		return sc.ctx, true
	}
	sc.ctxP = p
	return policy.Context{}, false
}

// keep records ctx, just built, for the next requests when it may be
// reused. sc may be nil.
func (sc *requestScratch) keep(ctx policy.Context) {
	if sc == nil {
		return
	}
	sc.ctxValid = sc.cacheable
	if sc.cacheable {
		sc.ctx, sc.ctxMask = ctx, sc.mask
	}
}
