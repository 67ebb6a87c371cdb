package analysis

// The reference implementation of Derive: the straightforward version,
// which evaluates every candidate pair the first implementation did (per
// principal, every role or function of its account), kept to check that
// the pruned, optimized Derive gives exactly the same edges.

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// DeriveReference derives e's edges the straightforward way and returns
// them sorted and merged, as Derived.Edges holds them.
func DeriveReference(ctx context.Context, e *Env, opts DeriveOptions) ([]Edge, error) {
	kinds := opts.Kinds
	if kinds == nil {
		kinds = []EdgeKind{CanAssume, CanPassRole, CanInvoke}
	}
	dv := &refDeriver{e: e, opts: opts, a: newActors(e), workers: cmp.Or(max(opts.Workers, 0), runtime.GOMAXPROCS(0))}
	dv.results = make([]policy.Result, dv.workers)
	var edges []Edge
	for _, k := range kinds {
		var (
			got []Edge
			err error
		)
		switch k {
		case CanAssume:
			got, err = dv.assume(ctx)
		case CanPassRole:
			got, err = dv.passRole(ctx)
		case CanInvoke:
			got, err = dv.invoke(ctx)
		default:
			return nil, fmt.Errorf("analysis: DeriveReference: edge kind %q is not derived here", k)
		}
		if err != nil {
			return nil, err
		}
		edges = append(edges, got...)
	}
	return refMergeEdges(edges), nil
}

// refMergeEdges sorts edges and merges those with the same From, To, Kind and
// Method: the evidence is concatenated and the decision is the best one.
func refMergeEdges(edges []Edge) []Edge {
	slices.SortStableFunc(edges, refCompareEdges)
	out := edges[:0]
	for _, ed := range edges {
		if n := len(out); n > 0 && refCompareEdges(out[n-1], ed) == 0 {
			last := &out[n-1]
			last.Evidence = append(last.Evidence, ed.Evidence...)
			if ed.Decision == policy.Allowed {
				last.Decision = policy.Allowed
			}
			continue
		}
		out = append(out, ed)
	}
	return slices.Clip(out)
}

func refCompareEdges(a, b Edge) int {
	return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To),
		cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), strings.Compare(a.Method, b.Method))
}

// deriver holds what Derive needs while it runs.
type refDeriver struct {
	e       *Env
	opts    DeriveOptions
	a       *actors
	workers int
	results []policy.Result // one per worker
}

// evaluate decides one request, reusing worker w's Result, and returns its
// evidence; ok is false when the decision is neither allow nor conditional.
func (dv *refDeriver) refEvaluate(w int, principal, action, resource string) (Evidence, policy.Decision, bool, error) {
	req, set, err := dv.e.Request(principal, action, resource, dv.opts.Context, dv.opts.Complete)
	if err != nil {
		return Evidence{}, 0, false, err
	}
	res := &dv.results[w]
	policy.EvaluateInto(res, req, set)
	if res.Decision != policy.Allowed && res.Decision != policy.Conditional {
		return Evidence{}, res.Decision, false, nil
	}
	return refEvidenceOf(principal, action, resource, res), res.Decision, true, nil
}

// evidenceOf copies res, whose slices are reused, into an Evidence.
func refEvidenceOf(principal, action, resource string, res *policy.Result) Evidence {
	return Evidence{Principal: principal, Action: action, Resource: resource, Decision: res.Decision.String(),
		MissingContext: slices.Clone(res.MissingContext), Reasons: slices.Clone(res.Explanation)}
}

// refAssumeJob is one role a trust policy lets an actor try to assume.
type refAssumeJob struct {
	role   index.NodeID
	arn    string
	action string
}

// refActorJobs are the roles one actor may assume, in NodeID order.
type refActorJobs struct {
	actor
	jobs []refAssumeJob
}

// assume computes the CanAssume edges: per role, the actors its trust
// policy names; then, per actor in parallel, one request per role.
func (dv *refDeriver) assume(ctx context.Context) ([]Edge, error) {
	ix := dv.e.ix
	byActor := map[index.NodeID]*refActorJobs{}
	externals := dv.externalAWS()
	for n := range index.NodeID(ix.Len()) {
		if ix.Kind(n) != graph.KindRole {
			continue
		}
		arn := nodeARN(ix, n)
		r := dv.e.resources[arn]
		if r == nil || r.policy == nil || !r.trust {
			continue
		}
		seen := map[index.NodeID]bool{n: true} // no self-edges
		add := func(a actor, action string) {
			if seen[a.n] {
				return
			}
			seen[a.n] = true
			aj := byActor[a.n]
			if aj == nil {
				aj = &refActorJobs{actor: a}
				byActor[a.n] = aj
			}
			aj.jobs = append(aj.jobs, refAssumeJob{role: n, arn: arn, action: action})
		}
		dv.trusted(r.policy.Source, externals, add)
	}
	work := make([]*refActorJobs, 0, len(byActor))
	for _, aj := range byActor {
		work = append(work, aj)
	}
	slices.SortFunc(work, func(a, b *refActorJobs) int { return cmp.Compare(a.n, b.n) })
	return dv.run(ctx, len(work), func(w, i int, out []Edge) ([]Edge, error) {
		aj := work[i]
		from := ix.Node(aj.n).ID
		for _, j := range aj.jobs {
			ev, dec, ok, err := dv.refEvaluate(w, aj.name, j.action, j.arn)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, Edge{From: from, To: ix.Node(j.role).ID, Kind: CanAssume, Decision: dec, Evidence: []Evidence{ev}})
			}
		}
		return out, nil
	})
}

// trusted calls add for every actor an Allow statement of trust names,
// with the action that actor would call.
func (dv *refDeriver) trusted(trust *policy.Policy, externals []actor, add func(actor, string)) {
	everyone := func() {
		for _, s := range dv.a.subjects {
			add(s, "sts:AssumeRole")
		}
		for _, x := range externals {
			add(x, "sts:AssumeRole")
		}
	}
	for i := range trust.Statements {
		st := &trust.Statements[i]
		if st.Effect != policy.Allow {
			continue
		}
		if st.NotPrincipal != nil {
			everyone()
			continue
		}
		p := st.Principal
		if p == nil {
			continue
		}
		if p.Wildcard {
			everyone()
		}
		for _, v := range p.AWS {
			if v == "*" {
				everyone()
				continue
			}
			dv.namedAWS(v, add)
		}
		for _, s := range p.Service {
			if x, ok := dv.named(dv.e.services[strings.ToLower(s)], s); ok {
				add(x, "sts:AssumeRole")
			}
		}
		for _, f := range p.Federated {
			action := "sts:AssumeRoleWithWebIdentity"
			if strings.Contains(f, ":saml-provider/") {
				action = "sts:AssumeRoleWithSAML"
			}
			q := dv.e.byARN[f]
			if q == nil {
				q = dv.e.services[strings.ToLower(f)]
			}
			if x, ok := dv.named(q, f); ok {
				add(x, action)
			}
		}
	}
}

// namedAWS adds the actors an AWS principal element value names: an
// account (every user and role of it, or the external account), a user or
// role, a session of a role, an external ARN.
func (dv *refDeriver) namedAWS(v string, add func(actor, string)) {
	acct := ""
	switch {
	case isAccountID(v):
		acct = v
	case arnPart(v, 2) == "iam" && arnPart(v, 5) == "root":
		acct = arnPart(v, 4)
	}
	if acct != "" {
		for _, i := range dv.a.byAccount[acct] {
			add(dv.a.subjects[i], "sts:AssumeRole")
		}
		if n, ok := dv.e.ix.Lookup("account/" + acct); ok && dv.e.ix.Kind(n) == graph.KindExternalPrincipal {
			add(actor{n: n, name: "arn:aws:iam::" + acct + ":root", account: acct, p: dv.e.byARN["arn:aws:iam::"+acct+":root"]}, "sts:AssumeRole")
		}
		return
	}
	p, _, err := dv.e.principal(v)
	if err != nil {
		return
	}
	n, ok := dv.e.ix.Lookup(p.id)
	if !ok {
		return
	}
	if i, ok := dv.a.byNode[n]; ok {
		add(dv.a.subjects[i], "sts:AssumeRole")
		return
	}
	if x, ok := dv.named(p, p.caller); ok {
		add(x, "sts:AssumeRole")
	}
}

// named returns the actor of principal p (nil: none), called name.
func (dv *refDeriver) named(p *principal, name string) (actor, bool) {
	if p == nil {
		return actor{}, false
	}
	n, ok := dv.e.ix.Lookup(p.id)
	if !ok {
		return actor{}, false
	}
	return actor{n: n, name: name, account: dv.e.ix.Node(n).Account, p: p}, true
}

// externalAWS lists the external AWS principals of the snapshot (account
// roots and ARNs outside it), which a trust of "*" names too.
func (dv *refDeriver) externalAWS() []actor {
	var out []actor
	ix := dv.e.ix
	for n := range index.NodeID(ix.Len()) {
		if ix.Kind(n) != graph.KindExternalPrincipal {
			continue
		}
		nv := ix.Node(n)
		name := nv.ARN
		if strings.HasPrefix(nv.ID, "account/") && nv.Account != "" {
			name = "arn:aws:iam::" + nv.Account + ":root"
		}
		// Identity providers are federated: only a Federated element
		// names them.
		if p := dv.e.byARN[name]; p != nil && name != "" && !strings.Contains(arnPart(name, 5), "-provider/") {
			out = append(out, actor{n: n, name: name, account: nv.Account, p: p})
		}
	}
	return out
}

// refPassRoleTarget is a role that trusts a service, with the evidence that
// each service it trusts may assume it.
type refPassRoleTarget struct {
	n        index.NodeID
	arn      string
	services []Evidence
}

// passRole computes the CanPassRole edges: per user or role whose policies
// may allow iam:PassRole, one request per role of its account that trusts
// a service principal.
func (dv *refDeriver) passRole(ctx context.Context) ([]Edge, error) {
	ix := dv.e.ix
	byAccount := map[string][]refPassRoleTarget{}
	for n := range index.NodeID(ix.Len()) {
		if ix.Kind(n) != graph.KindRole {
			continue
		}
		arn := nodeARN(ix, n)
		r := dv.e.resources[arn]
		if r == nil || r.policy == nil || !r.trust {
			continue
		}
		t := refPassRoleTarget{n: n, arn: arn}
		var svcs []string
		for i := range r.policy.Source.Statements {
			st := &r.policy.Source.Statements[i]
			if st.Effect == policy.Allow && st.Principal != nil {
				for _, s := range st.Principal.Service {
					if !slices.Contains(svcs, s) {
						svcs = append(svcs, s)
					}
				}
			}
		}
		if len(svcs) == 0 {
			continue
		}
		slices.Sort(svcs)
		for _, s := range svcs {
			ev, _, ok, err := dv.refEvaluate(0, s, "sts:AssumeRole", arn)
			if err != nil {
				return nil, err
			}
			if ok {
				t.services = append(t.services, ev)
			}
		}
		byAccount[r.account] = append(byAccount[r.account], t)
	}
	subjects := dv.a.subjects
	return dv.run(ctx, len(subjects), func(w, i int, out []Edge) ([]Edge, error) {
		s := &subjects[i]
		if !dv.a.mayAllow(s, "iam:passrole") {
			return out, nil
		}
		for _, t := range byAccount[s.account] {
			if t.n == s.n {
				continue
			}
			ev, dec, ok, err := dv.refEvaluate(w, s.name, "iam:PassRole", t.arn)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, Edge{From: s.name, To: ix.Node(t.n).ID, Kind: CanPassRole, Decision: dec,
					Evidence: append([]Evidence{ev}, t.services...)})
			}
		}
		return out, nil
	})
}

// refInvokeTarget is a resource that runs as a role: a Lambda function, a
// Bedrock agent, an EC2 instance.
type refInvokeTarget struct {
	arn, action, account string
	role                 index.NodeID
	policy               bool // the resource has a policy
}

// invokeTargets lists the resources with an execution-role tag naming a
// role of the snapshot.
func (dv *refDeriver) invokeTargets() []refInvokeTarget {
	ix := dv.e.ix
	keys := []string{strings.ToLower("aws:ResourceTag/" + ExecutionRoleTag), strings.ToLower("aws:ResourceTag/" + SynthExecutionRoleTag)}
	var out []refInvokeTarget
	for n := range index.NodeID(ix.Len()) {
		if ix.Kind(n) != graph.KindResource {
			continue
		}
		arn := nodeARN(ix, n)
		action := invokeAction(arn)
		r := dv.e.resources[arn]
		if action == "" || r == nil {
			continue
		}
		for _, x := range r.ctx {
			if !slices.Contains(keys, x.key) || len(x.vals) == 0 {
				continue
			}
			p, _, err := dv.e.principal(x.vals[0])
			if err != nil {
				continue
			}
			role, ok := ix.Lookup(p.id)
			if !ok || ix.Kind(role) != graph.KindRole {
				continue
			}
			out = append(out, refInvokeTarget{arn: arn, action: action, account: r.account, role: role, policy: r.policy != nil})
			break
		}
	}
	return out
}

// invoke computes the CanInvoke edges: per user or role, one request per
// target of its account its policies may allow (or that has a policy of
// its own), and per target of another account that has a policy.
func (dv *refDeriver) invoke(ctx context.Context) ([]Edge, error) {
	ix := dv.e.ix
	targets := dv.invokeTargets()
	byAccount := map[string][]refInvokeTarget{}
	var withPolicy []refInvokeTarget
	for _, t := range targets {
		byAccount[t.account] = append(byAccount[t.account], t)
		if t.policy {
			withPolicy = append(withPolicy, t)
		}
	}
	subjects := dv.a.subjects
	return dv.run(ctx, len(subjects), func(w, i int, out []Edge) ([]Edge, error) {
		s := &subjects[i]
		may := map[string]bool{}
		for _, a := range []string{"lambda:InvokeFunction", "bedrock:InvokeAgent", "ssm:SendCommand"} {
			may[a] = dv.a.mayAllow(s, strings.ToLower(a))
		}
		try := func(t refInvokeTarget) error {
			if t.role == s.n {
				return nil
			}
			ev, dec, ok, err := dv.refEvaluate(w, s.name, t.action, t.arn)
			if err != nil || !ok {
				return err
			}
			out = append(out, Edge{From: s.name, To: ix.Node(t.role).ID, Kind: CanInvoke, Method: t.action,
				Decision: dec, Evidence: []Evidence{ev}})
			return nil
		}
		for _, t := range byAccount[s.account] {
			if may[t.action] || t.policy {
				if err := try(t); err != nil {
					return out, err
				}
			}
		}
		for _, t := range withPolicy {
			// Across accounts both sides must allow: the target's policy
			// and the identity side.
			if t.account != s.account && may[t.action] {
				if err := try(t); err != nil {
					return out, err
				}
			}
		}
		return out, nil
	})
}

// run calls fn for i in [0, n) on dv's workers, each appending to its own
// edge list, and returns the lists joined. The first error wins.
func (dv *refDeriver) run(ctx context.Context, n int, fn func(w, i int, out []Edge) ([]Edge, error)) ([]Edge, error) {
	outs := make([][]Edge, dv.workers)
	errs := make([]error, dv.workers)
	err := parallelEach(ctx, dv.workers, n, func(w, i int) {
		if errs[w] != nil {
			return
		}
		outs[w], errs[w] = fn(w, i, outs[w])
	})
	if err != nil {
		return nil, err
	}
	var all []Edge
	for w := range outs {
		if errs[w] != nil {
			return nil, errs[w]
		}
		all = append(all, outs[w]...)
	}
	return all, nil
}

// matches reports whether an Allow statement may allow action (lower-cased).
func (ap *allowPatterns) matches(action string) bool {
	if ap.notAction {
		return true
	}
	for _, p := range ap.actions {
		if glob(p, action) {
			return true
		}
	}
	return false
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
