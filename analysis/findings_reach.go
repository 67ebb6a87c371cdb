package analysis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// findingReacher answers, for the findings over derived edges, whether an
// identity is admin or may use privileged actions, caching each answer.
// It is not safe for concurrent use.
type findingReacher struct {
	e     *Env
	d     *Derived
	kinds []index.EdgeKindID
	admin map[index.NodeID]policy.Decision
	priv  map[index.NodeID][]PrivilegedGrant
	// selfEscalation says that d holds CanEscalate edges, so that a
	// self-loop among them settles the self-escalation half of IsAdmin.
	selfEscalation bool
}

func newFindingReacher(e *Env, d *Derived) *findingReacher {
	r := &findingReacher{e: e, d: d, kinds: d.traversal(), admin: map[index.NodeID]policy.Decision{},
		priv: map[index.NodeID][]PrivilegedGrant{}}
	if id, ok := d.Layer(CanEscalate); ok {
		r.selfEscalation = d.Index.NumEdges(id) > 0
	}
	return r
}

// isIdentity reports whether n is a user or role.
func (r *findingReacher) isIdentity(n index.NodeID) bool {
	k := r.d.Index.Kind(n)
	return k == graph.KindUser || k == graph.KindRole
}

// adminOf returns whether identity n holds admin-equivalent power, as
// [IsAdmin] decides; with CanEscalate edges in d, full access or a
// CanEscalate edge from n to itself. Other nodes are never admin.
func (r *findingReacher) adminOf(ctx context.Context, n index.NodeID) (policy.Decision, error) {
	if d, ok := r.admin[n]; ok {
		return d, nil
	}
	if !r.isIdentity(n) {
		r.admin[n] = policy.ImplicitDeny
		return policy.ImplicitDeny, nil
	}
	id := principalARN(r.d.Index.Node(n))
	var d policy.Decision
	var err error
	if r.selfEscalation {
		d, err = HasFullAccess(ctx, r.e, id)
		for _, ed := range r.d.between(n, n) {
			if ed.Kind == CanEscalate {
				d = bestOf(d, ed.Decision)
			}
		}
	} else {
		d, _, err = IsAdmin(ctx, r.e, id)
	}
	if err != nil {
		return 0, fmt.Errorf("analysis: admin check of %s: %w", id, err)
	}
	r.admin[n] = d
	return d, nil
}

// privilegedOf returns the privileged actions identity n may use.
func (r *findingReacher) privilegedOf(ctx context.Context, n index.NodeID) ([]PrivilegedGrant, error) {
	if g, ok := r.priv[n]; ok {
		return g, nil
	}
	var g []PrivilegedGrant
	if r.isIdentity(n) {
		var err error
		if g, err = PrivilegedAllowed(ctx, r.e, principalARN(r.d.Index.Node(n))); err != nil {
			return nil, err
		}
	}
	r.priv[n] = g
	return g, nil
}

// reachGoal decides whether a node ends a search, and how well: Allowed,
// Conditional, or anything else for no.
type reachGoal func(n index.NodeID) (policy.Decision, error)

// reachHit is the nearest goal a search found: the node, the edges that
// lead there, and the decision of the whole (the worst of the edges and
// the goal's own).
type reachHit struct {
	n        index.NodeID
	path     []Edge
	decision policy.Decision
}

// nearest finds the goal nearest to src over the traversal kinds, src
// itself included: over allowed edges to an allowed goal if there is one,
// else over any edge to any goal. ok is false when no goal is reachable.
func (r *findingReacher) nearest(src index.NodeID, g reachGoal) (reachHit, bool, error) {
	for _, strict := range []bool{true, false} {
		prev := map[index.NodeID]index.NodeID{src: index.None}
		for queue := []index.NodeID{src}; len(queue) > 0; queue = queue[1:] {
			u := queue[0]
			gd, err := g(u)
			if err != nil {
				return reachHit{}, false, err
			}
			if gd == policy.Allowed || !strict && gd == policy.Conditional {
				return r.pathTo(prev, u, gd), true, nil
			}
			for _, k := range r.kinds {
				for _, v := range r.d.Index.Out(u, k) {
					if _, seen := prev[v]; seen {
						continue
					}
					if ed, ok := r.d.step(u, v); !ok || strict && ed.Decision != policy.Allowed {
						continue
					}
					prev[v] = u
					queue = append(queue, v)
				}
			}
		}
	}
	return reachHit{}, false, nil
}

func (r *findingReacher) pathTo(prev map[index.NodeID]index.NodeID, t index.NodeID, gd policy.Decision) reachHit {
	out := reachHit{n: t, decision: gd}
	for v := t; prev[v] != index.None; v = prev[v] {
		ed, _ := r.d.step(prev[v], v)
		out.path = append(out.path, ed)
		out.decision = worse(out.decision, ed.Decision)
	}
	slices.Reverse(out.path)
	return out
}

// steps returns a path's steps and its "how" for a detail:
// "lambda:InvokeFunction → X, then sts:AssumeRole → Y".
func findingSteps(path []Edge) ([]Step, string) {
	out := make([]Step, 0, len(path))
	how := make([]string, 0, len(path))
	for _, ed := range path {
		out = append(out, Step{From: ed.From, To: ed.To, Edge: string(ed.Kind)})
		how = append(how, cmpOrMethod(ed)+" → "+ed.To)
	}
	return out, strings.Join(how, ", then ")
}

// severity returns sev when the decision is Allowed, else the next lower.
func severityFor(sev string, d policy.Decision) string {
	if d == policy.Allowed {
		return sev
	}
	if i := slices.Index(severityOrder, sev); i >= 0 && i+1 < len(severityOrder) {
		return severityOrder[i+1]
	}
	return sev
}

// The methods of agent-privileged-reach findings: what the agent reaches.
const (
	ReachAdmin        = "admin-equivalent"
	ReachPrivileged   = "privileged-actions"
	ReachCrossAccount = "cross-account"
)

// AgentReachFindings reports every identity of class ai-agent that
// reaches, by itself or over d's CanAssume, CanInvoke and CanEscalate
// edges, admin-equivalent power (method [ReachAdmin], critical), an
// identity allowed privileged actions ([ReachPrivileged], high; not
// reported when admin is), or an identity of another account
// ([ReachCrossAccount], medium): one finding per agent and method, with
// the path to the nearest such identity. A path or grant that holds only
// under conditions lowers the severity by one. d should hold the
// CanEscalate edges of [Escalations] (see [Derived.With]).
func AgentReachFindings(ctx context.Context, e *Env, d *Derived) ([]Finding, error) {
	if d == nil {
		return nil, ErrNoDerived
	}
	r := newFindingReacher(e, d)
	ix := d.Index
	var out []Finding
	for n := range index.NodeID(ix.Len()) {
		if !r.isIdentity(n) || ix.Node(n).Class != graph.ClassAIAgent {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		agent := ix.Node(n)
		id := principalARN(agent)
		admin, ok, err := r.nearest(n, func(v index.NodeID) (policy.Decision, error) { return r.adminOf(ctx, v) })
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, agentFinding(id, ReachAdmin, SeverityCritical, principalARN(ix.Node(admin.n)), admin, "reaches admin-equivalent power"))
		} else {
			priv, ok, err := r.nearest(n, func(v index.NodeID) (policy.Decision, error) {
				g, err := r.privilegedOf(ctx, v)
				if err != nil || len(g) == 0 {
					return policy.ImplicitDeny, err
				}
				best := policy.Conditional
				if slices.ContainsFunc(g, func(x PrivilegedGrant) bool { return x.Decision == policy.Allowed }) {
					best = policy.Allowed
				}
				return best, nil
			})
			if err != nil {
				return nil, err
			}
			if ok {
				grants, _ := r.privilegedOf(ctx, priv.n) // cached
				names := make([]string, 0, len(grants))
				for _, g := range grants {
					names = append(names, g.Action)
				}
				what := fmt.Sprintf("can use %d privileged actions (%s)", len(names), findingSample(names, unusedSample))
				out = append(out, agentFinding(id, ReachPrivileged, SeverityHigh, principalARN(ix.Node(priv.n)), priv, what))
			}
		}
		xacct, ok, err := r.nearest(n, func(v index.NodeID) (policy.Decision, error) {
			if a := ix.Node(v).Account; r.isIdentity(v) && a != "" && agent.Account != "" && a != agent.Account {
				return policy.Allowed, nil
			}
			return policy.ImplicitDeny, nil
		})
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, agentFinding(id, ReachCrossAccount, SeverityMedium, principalARN(ix.Node(xacct.n)), xacct,
				"reaches account "+ix.Node(xacct.n).Account))
		}
	}
	SortFindings(out)
	return out, nil
}

func agentFinding(agent, method, sev, target string, r reachHit, what string) Finding {
	path, how := findingSteps(r.path)
	detail := "AI agent " + what
	if how != "" {
		detail += " as " + target + ": " + how
	} else {
		detail += " itself"
	}
	if missing := findingMissing(r.path); len(missing) > 0 {
		detail += "; only if: " + strings.Join(missing, "; ")
	}
	return Finding{Kind: FindingAgentPrivilegedReach, Severity: severityFor(sev, r.decision), Principal: agent,
		Method: method, Target: target, Path: path, Detail: detail}
}

// findingMissing lists the context keys the conditional edges of a path
// depend on, sorted and without repeats.
func findingMissing(path []Edge) []string {
	var out []string
	for i := range path {
		out = append(out, edgeMissing(&path[i])...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// findingSample joins up to n items, saying how many more there are.
func findingSample(items []string, n int) string {
	s := strings.Join(items[:min(len(items), n)], ", ")
	if len(items) > n {
		s += fmt.Sprintf(", … (%d more)", len(items)-n)
	}
	return s
}

// ManagementAccessRole is the role Organizations creates in accounts it
// creates; in the management account it is where a member account's
// automation would land. [ManagementReachFindings] probes it.
const ManagementAccessRole = "OrganizationAccountAccessRole"

// ManagementReachFindings reports the identities outside the
// organization's management account (users, roles and external
// principals; not services) that reach an identity in it over d's
// CanAssume, CanInvoke and CanEscalate edges: critical when an admin of
// the management account is reachHit, high for any other identity there,
// one step lower when the path holds only under conditions. The target is
// the nearest admin there, else the nearest identity. It also reports, at
// medium, users and roles whose own policies allow sts:AssumeRole on
// the management account's [ManagementAccessRole] when that role is not
// in the snapshot (its trust policy unknown, so no CanAssume edge can be
// derived). Without Organizations data there is no management account
// and no finding.
func ManagementReachFindings(ctx context.Context, e *Env, d *Derived) ([]Finding, error) {
	if d == nil {
		return nil, ErrNoDerived
	}
	mgmt := e.ManagementAccount()
	if mgmt == "" {
		return nil, nil
	}
	r := newFindingReacher(e, d)
	ix := d.Index
	inMgmt := func(v index.NodeID) bool { return r.isIdentity(v) && ix.Node(v).Account == mgmt }
	probe := "arn:aws:iam::" + mgmt + ":role/" + ManagementAccessRole
	_, probeKnown := e.roles[nameKey{mgmt, ManagementAccessRole}]
	var out []Finding
	for n := range index.NodeID(ix.Len()) {
		nv := ix.Node(n)
		if nv.Kind != graph.KindUser && nv.Kind != graph.KindRole && nv.Kind != graph.KindExternalPrincipal || nv.Account == mgmt {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id := principalARN(nv)
		admin, ok, err := r.nearest(n, func(v index.NodeID) (policy.Decision, error) {
			if !inMgmt(v) {
				return policy.ImplicitDeny, nil
			}
			return r.adminOf(ctx, v)
		})
		if err != nil {
			return nil, err
		}
		sev, what := SeverityCritical, "reaches an admin of the management account "+mgmt
		if !ok {
			sev, what = SeverityHigh, "reaches an identity of the management account "+mgmt
			admin, ok, err = r.nearest(n, func(v index.NodeID) (policy.Decision, error) {
				if inMgmt(v) {
					return policy.Allowed, nil
				}
				return policy.ImplicitDeny, nil
			})
			if err != nil {
				return nil, err
			}
		}
		if ok {
			target := principalARN(ix.Node(admin.n))
			path, how := findingSteps(admin.path)
			detail := what + ": " + how
			if missing := findingMissing(admin.path); len(missing) > 0 {
				detail += "; only if: " + strings.Join(missing, "; ")
			}
			out = append(out, Finding{Kind: FindingManagementAccountReach, Severity: severityFor(sev, admin.decision),
				Principal: id, Method: cmpOrMethod(admin.path[0]), Target: target, Path: path, Detail: detail})
			continue
		}
		if probeKnown || nv.Kind == graph.KindExternalPrincipal {
			continue
		}
		f, ok, err := managementProbe(ctx, e, id, probe)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, f)
		}
	}
	SortFindings(out)
	return out, nil
}

// anyoneMayAssume is a trust policy that trusts every principal: with it
// as the resource side, a request decides the identity side alone.
var anyoneMayAssume = policy.MustCompile("trust policy not in the snapshot (assumed to allow)",
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`)

// managementProbe decides whether principal's own policies (with SCPs and
// boundary) allow sts:AssumeRole on role, whose trust policy is unknown.
func managementProbe(ctx context.Context, e *Env, principal, role string) (Finding, bool, error) {
	if err := ctx.Err(); err != nil {
		return Finding{}, false, err
	}
	req, set, err := e.Request(principal, "sts:AssumeRole", role, nil, false)
	if errors.Is(err, ErrUnknownPrincipal) {
		return Finding{}, false, nil
	}
	if err != nil {
		return Finding{}, false, err
	}
	s := *set
	s.Resource = anyoneMayAssume
	res := policy.Evaluate(req, &s)
	if !passes(res.Decision) {
		return Finding{}, false, nil
	}
	detail := "its policies allow sts:AssumeRole on " + role + " in the management account; that role is not in the snapshot, so its trust policy decides"
	if len(res.MissingContext) > 0 {
		detail += "; only if: " + strings.Join(res.MissingContext, "; ")
	}
	return Finding{Kind: FindingManagementAccountReach, Severity: severityFor(SeverityMedium, res.Decision), Principal: principal,
		Method: "sts:AssumeRole", Target: role, Path: []Step{}, Detail: detail}, true, nil
}
