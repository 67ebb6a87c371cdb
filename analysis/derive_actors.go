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
// trust policy names. For a subject, Env.principal(name) is p, calling as
// p.caller.
type actor struct {
	n       index.NodeID
	name    string // what Env.Request takes: the ARN, or a service or provider name
	account string
	lname   string  // users and roles: the name, lower-cased
	pids    []int32 // users and roles: their identity policies, as indexes into actors.pols
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
	pols       []*allowPatterns // by id
	// reads are the condition keys each policy of the Env may read (see
	// condKeys).
	reads map[*policy.Policy][]string
}

// allowPatterns are the action patterns of a policy's Allow statements,
// lower-cased, and the statements themselves.
type allowPatterns struct {
	id        int32 // index into actors.pols
	actions   []string
	notAction bool // some Allow statement uses NotAction: it may allow anything
	services  []string
	any       bool // a wildcard service or NotAction
	stmts     []allowStmt
}

// allowStmt is an Allow statement, lower-cased: which actions it may allow
// and on which resources.
type allowStmt struct {
	actions   []string
	notAction bool
	// resources are the Resource patterns; anyResource says the statement
	// may apply to any resource: NotResource, no Resource element, or a
	// pattern with a policy variable or "?" (which [mayMatchARN] does not
	// decide).
	resources   []string
	anyResource bool
}

func newAllowPatterns(p *policy.Policy) *allowPatterns {
	ap := &allowPatterns{}
	seen := map[string]bool{}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow {
			continue
		}
		st := allowStmt{notAction: s.NotAction != nil, anyResource: s.NotResource != nil || s.Resource == nil}
		for _, r := range s.Resource {
			if strings.Contains(r, "${") || strings.Contains(r, "?") {
				st.anyResource = true
			}
			st.resources = append(st.resources, strings.ToLower(r))
		}
		if len(s.NotAction) > 0 {
			ap.notAction, ap.any = true, true
		}
		for _, a := range s.NotAction {
			st.actions = append(st.actions, strings.ToLower(a))
		}
		for _, a := range s.Action {
			a = strings.ToLower(a)
			st.actions = append(st.actions, a)
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
		ap.stmts = append(ap.stmts, st)
	}
	return ap
}

// mayAllowOn reports whether an Allow statement may allow action on
// resource (both lower-cased).
func (ap *allowPatterns) mayAllowOn(action, resource string) bool {
	for i := range ap.stmts {
		st := &ap.stmts[i]
		if !st.mayMatch(action) {
			continue
		}
		if st.anyResource {
			return true
		}
		for _, p := range st.resources {
			if mayMatchARN(p, resource) {
				return true
			}
		}
	}
	return false
}

// mayMatch reports whether the statement may allow action (lower-cased):
// NotAction statements may, unless they name it.
func (st *allowStmt) mayMatch(action string) bool {
	for _, p := range st.actions {
		if glob(p, action) {
			return !st.notAction
		}
	}
	return st.notAction
}

// identityGrant is what a subject's identity policies may allow for one
// action: nothing, any resource, or the resources one of patterns matches.
// It over-approximates: a pair it rules out is denied by the engine, as no
// Allow statement of the identity side can apply.
type identityGrant struct {
	some     bool // some Allow statement may allow the action
	any      bool // on any resource
	patterns []string
}

// grant returns what s's identity policies may allow for action
// (lower-cased). It reads a.patterns only: safe for concurrent use.
func (a *actors) grant(s *actor, action string) identityGrant {
	var g identityGrant
	for _, c := range s.p.identity {
		ap := a.patterns[c.Source]
		for i := range ap.stmts {
			st := &ap.stmts[i]
			if !st.mayMatch(action) {
				continue
			}
			g.some = true
			if st.anyResource || slices.Contains(st.resources, "*") {
				return identityGrant{some: true, any: true}
			}
			g.patterns = append(g.patterns, st.resources...)
		}
	}
	return g
}

// mayAllowOn reports whether g may allow the action on arn (lower-cased).
func (g *identityGrant) mayAllowOn(arn string) bool {
	if g.any {
		return true
	}
	for _, p := range g.patterns {
		if mayMatchARN(p, arn) {
			return true
		}
	}
	return false
}

// mayMatchARN reports whether a Resource pattern without variables or "?"
// (lower-cased) may match arn (lower-cased). The engine matches ARN
// segments one by one, case-sensitively; one glob over the whole string,
// case-insensitive, matches whenever it does (and sometimes more).
func mayMatchARN(pattern, arn string) bool { return glob(pattern, arn) }

// principalNames says whom the Allow statements of a resource policy that
// may apply to an action can name: everyone, accounts (a delegation: the
// identity side must allow too), or users and roles by account and
// lower-cased name. It over-approximates, as identityGrant does.
type principalNames struct {
	all      bool
	accounts []string
	named    []nameKey
}

// resourceNames reads p's Allow statements that may apply to action
// (lower-cased).
func resourceNames(p *policy.Policy, action string) principalNames {
	var pn principalNames
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow {
			continue
		}
		st := allowStmt{notAction: s.NotAction != nil}
		for _, a := range slices.Concat(s.Action, s.NotAction) {
			st.actions = append(st.actions, strings.ToLower(a))
		}
		if !st.mayMatch(action) {
			continue
		}
		if s.NotPrincipal != nil || s.Principal == nil || s.Principal.Wildcard {
			return principalNames{all: true}
		}
		for _, v := range s.Principal.AWS {
			switch {
			case strings.Contains(v, "*"):
				return principalNames{all: true}
			case isAccountID(v):
				pn.accounts = append(pn.accounts, v)
			case arnPart(v, 2) == "iam" && arnPart(v, 5) == "root":
				pn.accounts = append(pn.accounts, arnPart(v, 4))
			case arnPart(v, 2) == "iam" && (strings.HasPrefix(arnPart(v, 5), "user/") || strings.HasPrefix(arnPart(v, 5), "role/")):
				pn.named = append(pn.named, nameKey{arnPart(v, 4), strings.ToLower(lastSegment(v))})
			case arnPart(v, 2) == "sts" && strings.HasPrefix(arnPart(v, 5), "assumed-role/"):
				role, _, _ := strings.Cut(strings.TrimPrefix(arnPart(v, 5), "assumed-role/"), "/")
				pn.named = append(pn.named, nameKey{arnPart(v, 4), strings.ToLower(role)})
			default:
				return principalNames{all: true}
			}
		}
	}
	return pn
}

// direct reports whether the policy may name s itself (or everyone): a
// grant that needs no identity-side allow within the account.
func (pn *principalNames) direct(s *actor) bool {
	return pn.all || slices.Contains(pn.named, nameKey{s.account, s.lname})
}

// names reports whether the policy may name s, itself or by its account.
func (pn *principalNames) names(s *actor) bool {
	return pn.direct(s) || slices.Contains(pn.accounts, s.account)
}

func newActors(e *Env) *actors {
	ix := e.ix
	a := &actors{byNode: map[index.NodeID]int32{}, byAccount: map[string][]int32{}, byService: map[string][]int32{},
		patterns: map[*policy.Policy]*allowPatterns{}, reads: newPolicyReads(e)}
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
		s := actor{n: n, name: arn, account: nv.Account, lname: strings.ToLower(lastSegment(arn)), p: p}
		a.byNode[n] = i
		a.byAccount[nv.Account] = append(a.byAccount[nv.Account], i)
		var svcs []string
		anySvc := false
		for _, c := range p.identity {
			ap := a.allow(c)
			s.pids = append(s.pids, ap.id)
			anySvc = anySvc || ap.any
			for _, s := range ap.services {
				if !slices.Contains(svcs, s) {
					svcs = append(svcs, s)
				}
			}
		}
		a.subjects = append(a.subjects, s)
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
		ap.id = int32(len(a.pols))
		a.patterns[c.Source] = ap
		a.pols = append(a.pols, ap)
	}
	return ap
}

// candidates returns, in NodeID order, the subjects that might be allowed
// action on resource: those whose identity policies may allow it there
// (by action and Resource patterns), and, when the resource has a policy
// that applies, the subjects of the resource's account it may name
// directly (within an account, a resource policy allows alone only what
// it grants the principal itself; across accounts, and for a grant to the
// account, the identity side must allow too). always says that the action
// needs no policy at all (every subject).
func (a *actors) candidates(e *Env, action, resource string, always bool) []int32 {
	if always {
		out := make([]int32, len(a.subjects))
		for i := range out {
			out[i] = int32(i)
		}
		return out
	}
	lower, lowerRes := strings.ToLower(action), strings.ToLower(resource)
	svc, _, _ := strings.Cut(lower, ":")
	// What each identity policy may allow, decided once per policy.
	const unknown, no, yes = 0, 1, 2
	verdict := make([]uint8, len(a.pols))
	may := func(s *actor) bool {
		for _, id := range s.pids {
			if verdict[id] == unknown {
				verdict[id] = no
				if a.pols[id].mayAllowOn(lower, lowerRes) {
					verdict[id] = yes
				}
			}
			if verdict[id] == yes {
				return true
			}
		}
		return false
	}
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
			if !mark[i] && may(&a.subjects[i]) {
				add(i)
			}
		}
	}
	if r, acct := e.resource(resource); r != nil && r.policy != nil && (!r.trust || isSTS(action)) {
		pn := resourceNames(r.policy.Source, lower)
		for _, i := range a.byAccount[acct] {
			if pn.direct(&a.subjects[i]) {
				add(i)
			}
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
