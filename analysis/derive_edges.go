package analysis

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// assumeJob is one role a trust policy lets an actor try to assume.
type assumeJob struct {
	role   index.NodeID
	arn    string
	action string
}

// actorJobs are the roles one actor may assume, in NodeID order.
type actorJobs struct {
	actor
	jobs []assumeJob
}

// assume computes the CanAssume edges: per role, the actors its trust
// policy names; then, per actor in parallel, one request per role.
func (dv *deriver) assume(ctx context.Context) ([]Edge, error) {
	ix := dv.e.ix
	byActor := map[index.NodeID]*actorJobs{}
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
				aj = &actorJobs{actor: a}
				byActor[a.n] = aj
			}
			aj.jobs = append(aj.jobs, assumeJob{role: n, arn: arn, action: action})
		}
		dv.trusted(r.policy.Source, externals, add)
	}
	work := make([]*actorJobs, 0, len(byActor))
	for _, aj := range byActor {
		work = append(work, aj)
	}
	slices.SortFunc(work, func(a, b *actorJobs) int { return cmp.Compare(a.n, b.n) })
	return dv.run(ctx, len(work), func(w, i int, out []Edge) ([]Edge, error) {
		aj := work[i]
		from := ix.Node(aj.n).ID
		for _, j := range aj.jobs {
			ev, dec, ok, err := dv.evaluate(w, aj.name, j.action, j.arn)
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
func (dv *deriver) trusted(trust *policy.Policy, externals []actor, add func(actor, string)) {
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
func (dv *deriver) namedAWS(v string, add func(actor, string)) {
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
func (dv *deriver) named(p *principal, name string) (actor, bool) {
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
func (dv *deriver) externalAWS() []actor {
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

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// passRoleTarget is a role that trusts a service, with the evidence that
// each service it trusts may assume it.
type passRoleTarget struct {
	n        index.NodeID
	arn      string
	services []Evidence
}

// passRole computes the CanPassRole edges: per user or role whose policies
// may allow iam:PassRole, one request per role of its account that trusts
// a service principal.
func (dv *deriver) passRole(ctx context.Context) ([]Edge, error) {
	ix := dv.e.ix
	byAccount := map[string][]passRoleTarget{}
	for n := range index.NodeID(ix.Len()) {
		if ix.Kind(n) != graph.KindRole {
			continue
		}
		arn := nodeARN(ix, n)
		r := dv.e.resources[arn]
		if r == nil || r.policy == nil || !r.trust {
			continue
		}
		t := passRoleTarget{n: n, arn: arn}
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
			ev, _, ok, err := dv.evaluate(0, s, "sts:AssumeRole", arn)
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
			ev, dec, ok, err := dv.evaluate(w, s.name, "iam:PassRole", t.arn)
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

// invokeTarget is a resource that runs as a role: a Lambda function, a
// Bedrock agent, an EC2 instance.
type invokeTarget struct {
	arn, action, account string
	role                 index.NodeID
	policy               bool // the resource has a policy
}

// invokeAction returns the action that makes the resource arn act, or ""
// when it is none of the kinds CanInvoke knows.
func invokeAction(arn string) string {
	svc, res := arnPart(arn, 2), arnPart(arn, 5)
	switch {
	case svc == "lambda" && strings.HasPrefix(res, "function:"):
		return "lambda:InvokeFunction"
	case svc == "bedrock" && (strings.HasPrefix(res, "agent/") || strings.HasPrefix(res, "agent-alias/")):
		return "bedrock:InvokeAgent"
	case svc == "ec2" && strings.HasPrefix(res, "instance/"):
		return "ssm:SendCommand"
	}
	return ""
}

// invokeTargets lists the resources with an execution-role tag naming a
// role of the snapshot.
func (dv *deriver) invokeTargets() []invokeTarget {
	ix := dv.e.ix
	keys := []string{strings.ToLower("aws:ResourceTag/" + ExecutionRoleTag), strings.ToLower("aws:ResourceTag/" + SynthExecutionRoleTag)}
	var out []invokeTarget
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
			out = append(out, invokeTarget{arn: arn, action: action, account: r.account, role: role, policy: r.policy != nil})
			break
		}
	}
	return out
}

// invoke computes the CanInvoke edges: per user or role, one request per
// target of its account its policies may allow (or that has a policy of
// its own), and per target of another account that has a policy.
func (dv *deriver) invoke(ctx context.Context) ([]Edge, error) {
	ix := dv.e.ix
	targets := dv.invokeTargets()
	byAccount := map[string][]invokeTarget{}
	var withPolicy []invokeTarget
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
		try := func(t invokeTarget) error {
			if t.role == s.n {
				return nil
			}
			ev, dec, ok, err := dv.evaluate(w, s.name, t.action, t.arn)
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
func (dv *deriver) run(ctx context.Context, n int, fn func(w, i int, out []Edge) ([]Edge, error)) ([]Edge, error) {
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

// nodeARN returns node n's ARN, or its ID when it has none.
func nodeARN(ix *index.Index, n index.NodeID) string {
	nv := ix.Node(n)
	return cmp.Or(nv.ARN, nv.ID)
}
