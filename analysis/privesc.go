package analysis

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// EscalationOptions tune [Escalations].
type EscalationOptions struct {
	// Snapshot supplies facts the Env does not keep: roles' instance
	// profiles, users' console passwords, policies' versions. Without it
	// the prerequisites on those facts are unknown and make edges
	// conditional.
	Snapshot *graph.Snapshot
	// Principals limits the analysis to these users and roles (graph node
	// IDs); nil means every user and role of the snapshot.
	Principals []string
	// Methods limits the analysis to these catalog methods; nil means all.
	Methods []string
	// Now is the time requests are made at: aws:CurrentTime,
	// aws:EpochTime and aws:TokenIssueTime. Zero means time.Now().
	Now time.Time
	// Context holds condition keys every request gets (aws:RequestedRegion,
	// say), over the time keys.
	Context map[string][]string
	// Workers bounds the goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Escalations returns the CanEscalate edges of the snapshot: for each user
// and role (but service-linked roles, and those with full access already, even under conditions,
// which have nothing to gain: see [HasFullAccess]) and each method of [EscalationCatalog], every
// target the method reaches, with one Evidence per request the method
// needs (in the catalog's order), then the trust of a service-trusted
// target role, then any prerequisite the graph cannot settle. An edge to
// the principal itself means it can give itself any permission (the
// method's target is "admin"). Edges are sorted by From, To and Method.
//
// Requests are evaluated with Complete false: a condition on a key the
// graph does not know (MFA, source IP, tags of a resource not yet created)
// makes the edge conditional, never absent, and the Evidence lists the
// keys. The time keys are known: aws:TokenIssueTime is Now, as for any
// fresh session (a user with long-term keys gets one from
// sts:GetSessionToken, which needs no permission). Targets are identities
// of the principal's account: IAM has no resource policies, and roles are
// passed within their account.
//
// Methods whose catalog entry names another edge kind (sts:AssumeRole is
// CanAssume) are left to the analysis computing that kind.
func Escalations(ctx context.Context, e *Env, opts EscalationOptions) ([]Edge, error) {
	methods, err := selectMethods(opts.Methods)
	if err != nil {
		return nil, err
	}
	w, err := newEscalationWorld(ctx, e, opts, methods)
	if err != nil {
		return nil, err
	}
	principals, err := w.principals(opts.Principals)
	if err != nil {
		return nil, err
	}
	out := make([][]Edge, len(principals))
	errs := make([]error, len(principals))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range cmp.Or(opts.Workers, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range jobs {
				out[i], errs[i] = w.escalate(ctx, principals[i], methods)
			}
		})
	}
	for i := range principals {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var edges []Edge
	for i := range out {
		if errs[i] != nil {
			return nil, fmt.Errorf("analysis: escalations of %s: %w", principals[i].ID, errs[i])
		}
		edges = append(edges, out[i]...)
	}
	slices.SortFunc(edges, func(a, b Edge) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), strings.Compare(a.Method, b.Method))
	})
	return edges, nil
}

// selectMethods returns the catalog methods named (all when ids is nil)
// that Escalations computes.
func selectMethods(ids []string) ([]*EscalationMethod, error) {
	all, err := catalog()
	if err != nil {
		return nil, err
	}
	var out []*EscalationMethod
	for i := range all {
		m := &all[i]
		if m.Edge != "" || (ids != nil && !slices.Contains(ids, m.ID)) {
			continue
		}
		out = append(out, m)
	}
	if ids != nil && len(out) == 0 {
		return nil, fmt.Errorf("analysis: escalations: no catalog method among %q", ids)
	}
	return out, nil
}

// escalationWorld is what Escalations resolves once per snapshot.
type escalationWorld struct {
	e     *Env
	ix    *index.Index
	facts map[string]*graph.Node // users, roles and policies by ID; nil without a snapshot
	base  map[string][]string    // the time keys
	// per account: its users, roles (no service-linked ones) and groups
	users, roles, groups map[string][]index.NodeView
	// trusted holds per service the roles whose trust lets it assume them,
	// with the evidence.
	trusted map[string][]trustedRole
	full    sync.Map // principal ID → policy.Decision of HasFullAccess
}

type trustedRole struct {
	role     index.NodeView
	service  string
	evidence Evidence
}

func newEscalationWorld(ctx context.Context, e *Env, opts EscalationOptions, methods []*EscalationMethod) (*escalationWorld, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	ts := now.UTC().Format(time.RFC3339)
	w := &escalationWorld{e: e, ix: e.Index(),
		base:  map[string][]string{"aws:CurrentTime": {ts}, "aws:TokenIssueTime": {ts}, "aws:EpochTime": {strconv.FormatInt(now.Unix(), 10)}},
		users: map[string][]index.NodeView{}, roles: map[string][]index.NodeView{}, groups: map[string][]index.NodeView{},
		trusted: map[string][]trustedRole{}}
	for k, v := range opts.Context {
		w.base[k] = v
	}
	if opts.Snapshot != nil {
		w.facts = map[string]*graph.Node{}
		for i := range opts.Snapshot.Nodes {
			n := &opts.Snapshot.Nodes[i]
			switch n.Kind {
			case graph.KindUser, graph.KindRole, graph.KindPolicy:
				w.facts[n.ID] = n
			}
		}
	}
	for n := range w.ix.Len() {
		v := w.ix.Node(index.NodeID(n))
		switch v.Kind {
		case graph.KindUser:
			w.users[v.Account] = append(w.users[v.Account], v)
		case graph.KindRole:
			if !serviceLinked(v) {
				w.roles[v.Account] = append(w.roles[v.Account], v)
			}
		case graph.KindGroup:
			w.groups[v.Account] = append(w.groups[v.Account], v)
		}
	}
	for _, m := range methods {
		for _, svc := range m.Services() {
			if _, done := w.trusted[svc]; done {
				continue
			}
			rs, err := w.trustedBy(ctx, svc)
			if err != nil {
				return nil, err
			}
			w.trusted[svc] = rs
		}
	}
	return w, nil
}

// trustedBy returns the roles whose trust policy lets service assume them
// (allowed or conditional), found from the Trusts edges and checked by
// the engine.
func (w *escalationWorld) trustedBy(ctx context.Context, service string) ([]trustedRole, error) {
	sp, ok := w.ix.Lookup("service/" + service)
	if !ok {
		return nil, nil
	}
	var out []trustedRole
	for _, r := range w.ix.In(sp, index.Trusts) {
		role := w.ix.Node(r)
		if role.Kind != graph.KindRole {
			continue
		}
		arn := cmp.Or(role.ARN, role.ID)
		d, err := Can(ctx, w.e, CanQuery{Principal: service, Action: "sts:AssumeRole", Resource: arn, Context: w.base})
		if err != nil {
			return nil, err
		}
		if passes(d.Decision) {
			out = append(out, trustedRole{role: role, service: service, evidence: evidence(service, "sts:AssumeRole", arn, d)})
		}
	}
	return out, nil
}

// principals resolves the principals to analyse.
func (w *escalationWorld) principals(ids []string) ([]index.NodeView, error) {
	var out []index.NodeView
	if ids == nil {
		for n := range w.ix.Len() {
			k := w.ix.Kind(index.NodeID(n))
			if k != graph.KindUser && k != graph.KindRole {
				continue
			}
			// A service-linked role acts only for its service, as AWS
			// defines: no one can start a path from it.
			if v := w.ix.Node(index.NodeID(n)); !serviceLinked(v) {
				out = append(out, v)
			}
		}
		return out, nil
	}
	for _, id := range ids {
		n, ok := w.ix.Lookup(id)
		if !ok || (w.ix.Kind(n) != graph.KindUser && w.ix.Kind(n) != graph.KindRole) {
			return nil, fmt.Errorf("%w: %q is no user or role of the snapshot", ErrUnknownPrincipal, id)
		}
		out = append(out, w.ix.Node(n))
	}
	return out, nil
}

// candidate is one target of a method with what it brings to the edge.
type candidate struct {
	node     index.NodeView
	service  string     // the service a trusted role trusts
	evidence []Evidence // its trust
}

// escalate returns the edges of one principal.
func (w *escalationWorld) escalate(ctx context.Context, p index.NodeView, methods []*EscalationMethod) ([]Edge, error) {
	if d, err := w.fullAccess(ctx, p.ID); err != nil || passes(d) {
		return nil, err
	}
	pe := &principalEval{w: w, p: p, cache: map[string]Decision{}, allows: map[string]bool{}}
	var edges []Edge
	for _, m := range methods {
		if !m.appliesTo(string(p.Kind)) || !pe.mayHold(m) {
			continue
		}
		for _, c := range w.candidates(m, p) {
			edge, ok, err := pe.method(ctx, m, c)
			if err != nil {
				return nil, err
			}
			if ok {
				edges = append(edges, edge)
			}
		}
	}
	return dropDominated(edges), nil
}

// candidates lists a method's targets for principal p.
func (w *escalationWorld) candidates(m *EscalationMethod, p index.NodeView) []candidate {
	var out []candidate
	switch m.Target {
	case targetAdmin:
		return []candidate{{node: p}}
	case targetUser:
		for _, u := range w.users[p.Account] {
			if u.N != p.N {
				out = append(out, candidate{node: u})
			}
		}
	case targetRole:
		for _, r := range w.roles[p.Account] {
			if r.N != p.N {
				out = append(out, candidate{node: r})
			}
		}
	default:
		seen := map[index.NodeID]bool{}
		for _, svc := range m.Services() {
			for _, t := range w.trusted[svc] {
				if t.role.N == p.N || t.role.Account != p.Account || seen[t.role.N] {
					continue
				}
				seen[t.role.N] = true
				out = append(out, candidate{node: t.role, service: t.service, evidence: []Evidence{t.evidence}})
			}
		}
	}
	return out
}

// dropDominated removes the edges whose method is dominated by another
// edge to the same target that is at least as certain.
func dropDominated(edges []Edge) []Edge {
	all, _ := catalog()
	dom := map[string]string{}
	for _, m := range all {
		if m.DominatedBy != "" {
			dom[m.ID] = m.DominatedBy
		}
	}
	best := map[[3]string]policy.Decision{}
	for _, e := range edges {
		best[[3]string{e.From, e.To, e.Method}] = e.Decision
	}
	return slices.DeleteFunc(edges, func(e Edge) bool {
		by := dom[e.Method]
		d, ok := best[[3]string{e.From, e.To, by}]
		return by != "" && ok && (d == policy.Allowed || e.Decision == policy.Conditional)
	})
}

// serviceLinked reports whether v is a service-linked role, which only its
// service assumes and whose trust policy cannot be changed.
func serviceLinked(v index.NodeView) bool { return strings.Contains(v.ARN, ":role/aws-service-role/") }

func passes(d policy.Decision) bool { return d == policy.Allowed || d == policy.Conditional }

func evidence(principal, action, resource string, d Decision) Evidence {
	return Evidence{Principal: principal, Action: action, Resource: resource, Decision: d.Decision.String(),
		MissingContext: d.MissingContext, Reasons: d.Explanation}
}

// prerequisite returns the evidence of a fact beyond permissions that the
// graph cannot settle: the edge holds only if it is true.
func prerequisite(principal, resource, what string) Evidence {
	return Evidence{Principal: principal, Action: "prerequisite", Resource: resource,
		Decision: policy.Conditional.String(), MissingContext: []string{what}}
}

// worse combines two decisions of which both pass.
func worse(a, b policy.Decision) policy.Decision {
	if a == policy.Conditional || b == policy.Conditional {
		return policy.Conditional
	}
	return policy.Allowed
}
