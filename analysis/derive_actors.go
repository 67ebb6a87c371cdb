package analysis

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// actor is a principal derived edges start from: a user or role of the
// snapshot (a subject), or an external, federated or service principal a
// trust policy names.
type actor struct {
	n       index.NodeID
	name    string // what Env.Request takes: the ARN, or a service or provider name
	account string
	p       *principal
}

// actors indexes the users and roles of an Env by account and by the
// services their identity policies may allow, so that derive and who-can
// evaluate only principals whose policies could matter.
type actors struct {
	subjects  []actor // users and roles, in NodeID order
	byNode    map[index.NodeID]int32
	byAccount map[string][]int32 // indexes into subjects
	// byService lists, per lower-cased service prefix, the subjects one of
	// whose identity policies has an Allow statement naming that service;
	// anyService those with a wildcard service or NotAction.
	byService  map[string][]int32
	anyService []int32
	patterns   map[*policy.Policy]*allowPatterns
}

// allowPatterns are the action patterns of a policy's Allow statements,
// lower-cased.
type allowPatterns struct {
	actions   []string
	notAction bool // some Allow statement uses NotAction: it may allow anything
	services  []string
	any       bool // a wildcard service or NotAction
}

func newAllowPatterns(p *policy.Policy) *allowPatterns {
	ap := &allowPatterns{}
	seen := map[string]bool{}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow {
			continue
		}
		if len(s.NotAction) > 0 {
			ap.notAction, ap.any = true, true
		}
		for _, a := range s.Action {
			a = strings.ToLower(a)
			ap.actions = append(ap.actions, a)
			svc, _, ok := strings.Cut(a, ":")
			if !ok || strings.ContainsAny(svc, "*?") {
				ap.any = true
				continue
			}
			if !seen[svc] {
				seen[svc] = true
				ap.services = append(ap.services, svc)
			}
		}
	}
	return ap
}

// matches reports whether an Allow statement may allow action (lower-cased).
func (ap *allowPatterns) matches(action string) bool {
	if ap.notAction {
		return true
	}
	for _, p := range ap.actions {
		if actionGlob(p, action) {
			return true
		}
	}
	return false
}

// actionGlob matches s against pattern with * and ? (both lower-cased).
func actionGlob(pattern, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

func newActors(e *Env) *actors {
	ix := e.ix
	a := &actors{byNode: map[index.NodeID]int32{}, byAccount: map[string][]int32{}, byService: map[string][]int32{},
		patterns: map[*policy.Policy]*allowPatterns{}}
	for n := range index.NodeID(ix.Len()) {
		k := ix.Kind(n)
		if k != graph.KindUser && k != graph.KindRole {
			continue
		}
		nv := ix.Node(n)
		arn := cmp.Or(nv.ARN, nv.ID)
		p := e.byARN[arn]
		if p == nil {
			continue
		}
		i := int32(len(a.subjects))
		a.subjects = append(a.subjects, actor{n: n, name: arn, account: nv.Account, p: p})
		a.byNode[n] = i
		a.byAccount[nv.Account] = append(a.byAccount[nv.Account], i)
		var svcs []string
		anySvc := false
		for _, c := range p.identity {
			ap := a.allow(c)
			anySvc = anySvc || ap.any
			for _, s := range ap.services {
				if !slices.Contains(svcs, s) {
					svcs = append(svcs, s)
				}
			}
		}
		if anySvc {
			a.anyService = append(a.anyService, i)
			continue
		}
		for _, s := range svcs {
			a.byService[s] = append(a.byService[s], i)
		}
	}
	return a
}

func (a *actors) allow(c *policy.Compiled) *allowPatterns {
	ap := a.patterns[c.Source]
	if ap == nil {
		ap = newAllowPatterns(c.Source)
		a.patterns[c.Source] = ap
	}
	return ap
}

// mayAllow reports whether some identity policy of s may allow action
// (lower-cased). It reads a.patterns only: safe for concurrent use.
func (a *actors) mayAllow(s *actor, action string) bool {
	for _, c := range s.p.identity {
		if a.patterns[c.Source].matches(action) {
			return true
		}
	}
	return false
}

// candidates returns, in NodeID order, the subjects that might be allowed
// action on resource: those whose identity policies may allow it, and,
// when the resource has a policy that applies, every subject of the
// resource's account (a same-account resource policy can allow alone).
// always says that the action needs no policy at all (every subject).
func (a *actors) candidates(e *Env, action, resource string, always bool) []int32 {
	if always {
		out := make([]int32, len(a.subjects))
		for i := range out {
			out[i] = int32(i)
		}
		return out
	}
	lower := strings.ToLower(action)
	svc, _, _ := strings.Cut(lower, ":")
	mark := make([]bool, len(a.subjects))
	var out []int32
	add := func(i int32) {
		if !mark[i] {
			mark[i] = true
			out = append(out, i)
		}
	}
	for _, list := range [][]int32{a.byService[svc], a.anyService} {
		for _, i := range list {
			if !mark[i] && a.mayAllow(&a.subjects[i], lower) {
				add(i)
			}
		}
	}
	if r, acct := e.resource(resource); r != nil && r.policy != nil && (!r.trust || isSTS(action)) {
		for _, i := range a.byAccount[acct] {
			add(i)
		}
	}
	slices.Sort(out)
	return out
}

// alwaysAllowed reports whether action on resource is allowed with no
// policy at all (sts:GetCallerIdentity and the like): then no subject can
// be pruned.
func alwaysAllowed(action, resource string) (bool, error) {
	req, err := policy.NewRequest(policy.Request{Principal: "arn:aws:iam::000000000000:user/permgraph-probe",
		Action: action, Resource: resource})
	if err != nil {
		return false, err
	}
	return policy.Evaluate(req, &policy.Set{}).Decision != policy.ImplicitDeny, nil
}

// parallelEach runs fn(w, i) for i in [0, n) on at most workers goroutines; w
// is the worker's number, for per-worker state. It stops early and returns
// ctx.Err() when ctx is done.
func parallelEach(ctx context.Context, workers, n int, fn func(w, i int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(min(workers, n), 1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(w, i)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}
