package analysis

import (
	"cmp"
	"context"
	"fmt"
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
	trust  *assumeTrust
}

// assumeTrust is what pruning needs to know of a role's trust policy.
type assumeTrust struct {
	r       *resource      // the role as a resource
	account string         // the role's
	names   principalNames // whom its Allow statements for sts:AssumeRole may name
}

// actorJobs are the roles one actor may assume, in NodeID order.
type actorJobs struct {
	actor
	jobs []assumeJob
}

// assume computes the CanAssume edges: per role, the actors its trust
// policy names; then, per actor in parallel, one request per role, except
// where neither side can allow: a user or role of the snapshot whose
// identity policies cannot allow the action on the role is skipped unless
// the trust policy names it itself within its account (the only case in
// which the trust policy alone allows).
func (dv *deriver) assume(ctx context.Context) ([]*edgeSink, error) {
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
		trust := &assumeTrust{r: r, account: r.account, names: resourceNames(r.policy.Source, "sts:assumerole")}
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
			aj.jobs = append(aj.jobs, assumeJob{role: n, arn: arn, action: action, trust: trust})
		}
		dv.trusted(r.policy.Source, externals, add)
	}
	work := make([]*actorJobs, 0, len(byActor))
	for _, aj := range byActor {
		work = append(work, aj)
	}
	slices.SortFunc(work, func(a, b *actorJobs) int { return cmp.Compare(a.n, b.n) })
	return dv.run(ctx, len(work), func(w, i int, out *edgeSink) error {
		aj := work[i]
		from := ix.Node(aj.n).ID
		_, subject := dv.a.byNode[aj.n]
		var grants []actionGrant
		for _, j := range aj.jobs {
			if subject && !dv.mayAssume(&aj.actor, j, &grants) {
				continue
			}
			ev, dec, ok, err := dv.evaluate(w, aj.name, j.action, j.arn, j.trust.r)
			if err != nil {
				return err
			}
			if ok {
				out.add(Edge{From: from, To: ix.Node(j.role).ID, Kind: CanAssume, Decision: dec}, aj.n, j.role, ev, nil)
			}
		}
		return nil
	})
}

// actionGrant is an identityGrant with its action (lower-cased).
type actionGrant struct {
	action string
	g      identityGrant
}

// mayAssume reports whether subject s may be allowed j: its identity
// policies may allow the action on the role, or, within its account, the
// trust policy may name it itself. The engine allows a trust policy's
// account-wide grant only with an identity allow, and across accounts
// needs both sides. grants caches s's grants by action.
func (dv *deriver) mayAssume(s *actor, j assumeJob, grants *[]actionGrant) bool {
	lower := strings.ToLower(j.action)
	k := slices.IndexFunc(*grants, func(ag actionGrant) bool { return ag.action == lower })
	if k < 0 {
		*grants = append(*grants, actionGrant{lower, dv.a.grant(s, lower)})
		k = len(*grants) - 1
	}
	if g := &(*grants)[k].g; g.mayAllowOn(strings.ToLower(j.arn)) {
		return true
	}
	same := s.account == j.trust.account || arnPart(s.p.caller, 4) == j.trust.account
	return same && j.trust.names.direct(s)
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
	r        *resource
	arn      string
	lower    string // arn, lower-cased
	services []Evidence
}

// passRole computes the CanPassRole edges: per user or role whose policies
// may allow iam:PassRole, one request per role of its account that trusts
// a service principal and that a Resource pattern of those policies may
// match. (A trust policy is no resource policy for iam:PassRole: the
// identity side alone decides.)
func (dv *deriver) passRole(ctx context.Context) ([]*edgeSink, error) {
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
		t := passRoleTarget{n: n, r: r, arn: arn, lower: strings.ToLower(arn)}
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
			ev, _, ok, err := dv.evaluate(0, s, "sts:AssumeRole", arn, r)
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
	return dv.run(ctx, len(subjects), func(w, i int, out *edgeSink) error {
		s := &subjects[i]
		g := dv.a.grant(s, "iam:passrole")
		if !g.some {
			return nil
		}
		for _, t := range byAccount[s.account] {
			if t.n == s.n || !g.mayAllowOn(t.lower) {
				continue
			}
			ev, dec, ok, err := dv.evaluate(w, s.name, "iam:PassRole", t.arn, t.r)
			if err != nil {
				return err
			}
			if ok {
				if err := dv.checkName(s, CanPassRole); err != nil {
					return err
				}
				out.add(Edge{From: s.name, To: ix.Node(t.n).ID, Kind: CanPassRole, Decision: dec}, s.n, t.n, ev, t.services)
			}
		}
		return nil
	})
}

// invokeTarget is a resource that runs as a role: a Lambda function, a
// Bedrock agent, an EC2 instance.
type invokeTarget struct {
	arn, action, account string
	r                    *resource
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
			out = append(out, invokeTarget{arn: arn, action: action, account: r.account, r: r, role: role, policy: r.policy != nil})
			break
		}
	}
	return out
}

// invokeActions are the actions CanInvoke knows, as invokeAction names
// them.
var invokeActions = [...]string{"lambda:InvokeFunction", "bedrock:InvokeAgent", "ssm:SendCommand"}

// invokeSet is the invoke targets, indexed for pruning. A target is tried
// for a user or role of its account when the identity side may allow the
// action on it or its policy may name the principal itself; for one of
// another account when the identity side may allow it and its policy may
// name the principal or its account (the engine's same- and cross-account
// rules).
type invokeSet struct {
	targets   []invokeTarget
	lower     []string         // ARNs, lower-cased
	action    []int8           // index into invokeActions
	names     []principalNames // by target: whom its policy may name
	byAccount map[string][]int32
	// open lists the targets with a policy that may name anyone;
	// byNamed, per account, those whose policy may name that account or
	// one of its principals.
	open    []int32
	byNamed map[string][]int32
}

func (dv *deriver) newInvokeSet() *invokeSet {
	ts := dv.invokeTargets()
	is := &invokeSet{targets: ts, lower: make([]string, len(ts)), action: make([]int8, len(ts)),
		names: make([]principalNames, len(ts)), byAccount: map[string][]int32{}, byNamed: map[string][]int32{}}
	for i, t := range ts {
		is.lower[i] = strings.ToLower(t.arn)
		is.action[i] = int8(slices.Index(invokeActions[:], t.action))
		is.byAccount[t.account] = append(is.byAccount[t.account], int32(i))
		if !t.policy {
			continue
		}
		pn := resourceNames(t.r.policy.Source, strings.ToLower(t.action))
		is.names[i] = pn
		if pn.all {
			is.open = append(is.open, int32(i))
			continue
		}
		var accts []string
		for _, a := range pn.accounts {
			accts = append(accts, a)
		}
		for _, k := range pn.named {
			accts = append(accts, k.account)
		}
		slices.Sort(accts)
		for _, a := range slices.Compact(accts) {
			is.byNamed[a] = append(is.byNamed[a], int32(i))
		}
	}
	return is
}

// invoke computes the CanInvoke edges: per user or role, one request per
// target of its account, then per target of another account, that the
// invokeSet's rules keep.
func (dv *deriver) invoke(ctx context.Context) ([]*edgeSink, error) {
	ix := dv.e.ix
	is := dv.newInvokeSet()
	subjects := dv.a.subjects
	return dv.run(ctx, len(subjects), func(w, i int, out *edgeSink) error {
		s := &subjects[i]
		var grants [len(invokeActions)]identityGrant
		for k, a := range invokeActions {
			grants[k] = dv.a.grant(s, strings.ToLower(a))
		}
		try := func(ti int32) error {
			t := &is.targets[ti]
			if t.role == s.n {
				return nil
			}
			ev, dec, ok, err := dv.evaluate(w, s.name, t.action, t.arn, t.r)
			if err != nil || !ok {
				return err
			}
			if err := dv.checkName(s, CanInvoke); err != nil {
				return err
			}
			out.add(Edge{From: s.name, To: ix.Node(t.role).ID, Kind: CanInvoke, Method: t.action, Decision: dec},
				s.n, t.role, ev, nil)
			return nil
		}
		for _, ti := range is.byAccount[s.account] {
			g := &grants[is.action[ti]]
			if g.mayAllowOn(is.lower[ti]) || is.targets[ti].policy && is.names[ti].direct(s) {
				if err := try(ti); err != nil {
					return err
				}
			}
		}
		// Across accounts both sides must allow: the target's policy and
		// the identity side. Targets in NodeID order, as within the account.
		var cross []int32
		for _, list := range [][]int32{is.open, is.byNamed[s.account]} {
			for _, ti := range list {
				if is.targets[ti].account != s.account && grants[is.action[ti]].mayAllowOn(is.lower[ti]) && is.names[ti].names(s) {
					cross = append(cross, ti)
				}
			}
		}
		slices.Sort(cross)
		for _, ti := range slices.Compact(cross) {
			if err := try(ti); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkName checks that s's ARN, which edges from it name it by, is its
// node ID, as the endpoints of every edge must be.
func (dv *deriver) checkName(s *actor, k EdgeKind) error {
	if id := dv.e.ix.Node(s.n).ID; id != s.name {
		return fmt.Errorf("analysis: derived edge %s from %s: endpoint is not a node of the snapshot (its node is %s)", k, s.name, id)
	}
	return nil
}

// run calls fn for i in [0, n) on dv's workers, each adding edges to its
// own sink, and returns the sinks. The first error wins.
func (dv *deriver) run(ctx context.Context, n int, fn func(w, i int, out *edgeSink) error) ([]*edgeSink, error) {
	outs := make([]*edgeSink, dv.workers)
	for w := range outs {
		outs[w] = &edgeSink{}
	}
	errs := make([]error, dv.workers)
	err := parallelEach(ctx, dv.workers, n, func(w, i int) {
		if errs[w] != nil {
			return
		}
		errs[w] = fn(w, i, outs[w])
		outs[w].flush()
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// nodeARN returns node n's ARN, or its ID when it has none.
func nodeARN(ix *index.Index, n index.NodeID) string {
	nv := ix.Node(n)
	return cmp.Or(nv.ARN, nv.ID)
}
