package analysis

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// BlastOptions tune [BlastRadius] and [Inventory].
type BlastOptions struct {
	// Since is the lookback window of last-accessed data: a privileged
	// action not used within it is unused. Zero means 90 days.
	Since time.Duration
	// Now is when the window ends. Zero means the snapshot's creation
	// time, or time.Now() without a snapshot.
	Now time.Time
	// Snapshot supplies the last-accessed data (Identity.LastAccessed) and
	// the facts the escalation rules read. Without it every privileged
	// action's use is unknown.
	Snapshot *graph.Snapshot
	// Workers bounds the goroutines of Inventory and of the escalation
	// analysis; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// DefaultSince is the lookback window when BlastOptions.Since is zero.
const DefaultSince = 90 * 24 * time.Hour

// BlastResult is the blast radius of one principal.
type BlastResult struct {
	Principal string `json:"principal"`
	Class     string `json:"class"`
	Account   string `json:"account"`
	// Admin says whether the principal holds, or reaches, admin-equivalent
	// power: "allow", "conditional" or "" (no).
	Admin string `json:"admin"`
	// Reachable are the identities the principal comes to act as, over
	// CanAssume, CanInvoke and CanEscalate edges, nearest first.
	Reachable []Reachable `json:"reachable"`
	// Actions counts the distinct catalog actions of the union of the
	// effective permissions of the principal and every reachable identity.
	Actions ActionCounts `json:"actions"`
	// Resources counts the Resource nodes of the snapshot those permissions
	// reach (see BlastRadius).
	Resources int `json:"resources"`
	// PrivilegedUnused counts the privileged actions allowed and not used
	// within the window by any identity of the reach holding them;
	// PrivilegedUsageUnknown those for which some holder has no
	// last-accessed data and none used them.
	PrivilegedUnused       int `json:"privileged_unused"`
	PrivilegedUsageUnknown int `json:"privileged_usage_unknown"`
	// LastAccessed says how much of the reach has last-accessed data:
	// "complete", "partial" or "none".
	LastAccessed string `json:"last_accessed"`
	// Since is the lookback window, in days ("90d").
	Since string `json:"since"`
	// Score grows with the privileged, write and read actions, the
	// resources and the identities reached, from 0 to 100: 100 is about
	// an administrator of a mid-sized account. The formula is blastScore's.
	Score float64 `json:"score"`
	// Top are the critical findings, most severe first.
	Top []BlastFinding `json:"top"`
}

// Reachable is an identity the principal reaches, with the path.
type Reachable struct {
	ARN     string `json:"arn"`
	Class   string `json:"class"`
	Account string `json:"account"`
	// Decision is "conditional" when some edge of the path holds only
	// under conditions, listed by MissingContext.
	Decision       string   `json:"decision"`
	MissingContext []string `json:"missing_context"`
	// Admin is "allow" or "conditional" for an admin-equivalent identity.
	Admin string `json:"admin,omitempty"`
	Path  []Edge `json:"path"`
}

// ActionCounts partitions a set of catalog actions (see [BlastPrivileged]).
// Conditional counts those of them allowed only under conditions.
type ActionCounts struct {
	Privileged  int `json:"privileged"`
	Write       int `json:"write"`
	Read        int `json:"read"`
	Conditional int `json:"conditional"`
}

// BlastFinding is one critical finding of a blast radius.
type BlastFinding struct {
	Kind     string      `json:"kind"`     // see the Blast* kinds
	Severity string      `json:"severity"` // "critical", "high" or "medium"
	Detail   string      `json:"detail"`
	Path     []BlastStep `json:"path"`
}

// BlastStep is one edge of a finding's path, without its evidence (the
// reachable entry of the path's end has it).
type BlastStep struct {
	From        string   `json:"from"`
	To          string   `json:"to"`
	Edge        EdgeKind `json:"edge"`
	Method      string   `json:"method,omitempty"`
	Conditional bool     `json:"conditional,omitempty"`
}

// The kinds of BlastFinding, in the order they are reported.
const (
	BlastAdminReach      = "admin-reach"
	BlastManagementReach = "management-account-reach"
	BlastCrossAccount    = "cross-account-reach"
	BlastUnusedPrivilege = "privileged-unused"
)

// BlastRadius returns everything principal can reach and do.
//
// Reach is a breadth-first search from principal over d's CanAssume,
// CanInvoke and CanEscalate edges, first over allowed edges only, then
// over every edge, so that an identity with an allowed path is reported
// with one; a path through a conditional edge is conditional. When d has
// no CanEscalate edge, the escalations of the identities met are computed
// as the search goes ([Escalations], one call per level), with
// opts.Snapshot's facts.
//
// Permissions are the union of [CanWhat] over the principal and every
// reachable identity, a permission of an identity reached conditionally
// being conditional. An identity that can escalate to admin-equivalent
// power by itself (a CanEscalate edge to itself) holds every catalog
// action on "*".
//
// Resources counts the Resource nodes of the snapshot that the union
// reaches: for a grant on a pattern of an identity policy, the resources
// of the identity's own account whose ARN the pattern matches and to
// whose type (by the catalog) one of the allowed actions applies; for a
// grant of a resource policy, that resource. Another account's resources
// need their own policy's consent, which shows as a grant of its own.
//
// Two shortcuts keep large reaches fast, at the cost of precision on
// resources and usage, never on actions: an identity evaluates only the
// actions no identity before it is allowed (the others count as allowed
// to it when its resources are counted); and once an admin of an account
// is reached over allowed edges, the other identities of that account are
// not evaluated (every action is allowed, every resource of the account
// touched), except for grants of other accounts' resource policies, and
// their last-accessed data counts only as uses. An admin reached under
// conditions stands for every action, conditional.
//
// See [BlastPrivileged] for what is privileged, blastScore (blast_union.go)
// for the score, and BlastResult for the rest.
func BlastRadius(ctx context.Context, e *Env, d *Derived, principal string, opts BlastOptions) (BlastResult, error) {
	if d == nil {
		return BlastResult{}, ErrNoDerived
	}
	b := newBlaster(e, d, newPermWorld(e), opts)
	return b.radius(ctx, principal)
}

// blaster holds what blast radii of one snapshot share.
type blaster struct {
	e     *Env
	d     *Derived
	w     *permWorld
	opts  BlastOptions
	now   time.Time
	usage map[string][]graph.ServiceAccess // by identity node ID; nil without a snapshot
	kinds []index.EdgeKindID
	// lazyEscalations says that d has no CanEscalate edges: they are
	// computed per identity met.
	lazyEscalations bool
	// shared says that permissions are computed in full and kept, for
	// the many radii of Inventory.
	shared      bool
	perms       *onceMap[*permSet]
	named       *onceMap[*permSet] // the grants of resource policies alone
	full        *onceMap[policy.Decision]
	escalations *onceMap[[]Edge]
}

func newBlaster(e *Env, d *Derived, w *permWorld, opts BlastOptions) *blaster {
	if opts.Since <= 0 {
		opts.Since = DefaultSince
	}
	b := &blaster{e: e, d: d, w: w, opts: opts, now: opts.Now,
		perms: newOnceMap[*permSet](), named: newOnceMap[*permSet](), full: newOnceMap[policy.Decision](), escalations: newOnceMap[[]Edge]()}
	if b.now.IsZero() {
		b.now = time.Now()
		if opts.Snapshot != nil && !opts.Snapshot.Meta.Created.IsZero() {
			b.now = opts.Snapshot.Meta.Created
		}
	}
	if opts.Snapshot != nil {
		b.usage = map[string][]graph.ServiceAccess{}
		for i := range opts.Snapshot.Nodes {
			n := &opts.Snapshot.Nodes[i]
			if n.Identity != nil && len(n.Identity.LastAccessed) > 0 {
				b.usage[n.ID] = n.Identity.LastAccessed
			}
		}
	}
	for _, k := range blastKinds {
		if id, ok := d.Layer(k); ok {
			b.kinds = append(b.kinds, id)
		}
	}
	id, ok := d.Layer(CanEscalate)
	b.lazyEscalations = !ok || d.Index.NumEdges(id) == 0
	return b
}

// blastKinds are the edges along which a principal comes to act as
// another identity.
var blastKinds = []EdgeKind{CanAssume, CanInvoke, CanEscalate}

// reached is one identity of a reach: its node, how it was reached and
// whether it is admin-equivalent.
type reached struct {
	n        index.NodeID
	id       string
	parent   int // index into the reach; -1 for the principal
	via      Edge
	decision policy.Decision
	admin    policy.Decision // ImplicitDeny when not admin
	selfEsc  policy.Decision // a CanEscalate edge to itself; ImplicitDeny without
}

func (b *blaster) radius(ctx context.Context, principal string) (BlastResult, error) {
	src, err := resolveNode(b.e, principal)
	if err != nil {
		return BlastResult{}, err
	}
	if k := b.e.ix.Kind(src); k != graph.KindUser && k != graph.KindRole {
		return BlastResult{}, fmt.Errorf("%w: %q is no user or role", ErrUnknownPrincipal, principal)
	}
	reach, err := b.reach(ctx, src)
	if err != nil {
		return BlastResult{}, err
	}
	for i := range reach {
		if err := b.markAdmin(ctx, &reach[i]); err != nil {
			return BlastResult{}, err
		}
	}
	nv := b.e.ix.Node(src)
	res := BlastResult{Principal: principalARN(nv), Class: string(nv.Class), Account: nv.Account,
		Reachable: []Reachable{}, Top: []BlastFinding{}, Since: daysText(b.opts.Since)}
	for i := range reach[1:] {
		res.Reachable = append(res.Reachable, b.reachable(reach, i+1))
	}
	u, err := b.union(ctx, reach)
	if err != nil {
		return BlastResult{}, err
	}
	res.Admin = adminString(u.admin)
	res.Actions = u.counts
	res.Resources = u.resources
	res.PrivilegedUnused, res.PrivilegedUsageUnknown = len(u.unused), u.unknown
	res.LastAccessed = u.coverage
	res.Score = blastScore(u.weighted, res.Resources, len(res.Reachable))
	res.Top = b.top(reach, &res, u)
	return res, nil
}

// reach runs the two-phase search from src, level by level.
func (b *blaster) reach(ctx context.Context, src index.NodeID) ([]reached, error) {
	ix := b.d.Index
	reach := []reached{{n: src, id: ix.Node(src).ID, parent: -1, decision: policy.Allowed}}
	seen := map[index.NodeID]bool{src: true}
	for _, allowedOnly := range []bool{true, false} {
		level := make([]int, len(reach))
		for i := range reach {
			level[i] = i
		}
		for len(level) > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := b.prefetchEscalations(ctx, reach, level); err != nil {
				return nil, err
			}
			var next []int
			for _, i := range level {
				for _, ed := range b.out(reach[i].n, reach[i].id) {
					if allowedOnly && ed.Decision != policy.Allowed {
						continue
					}
					t, ok := ix.Lookup(ed.To)
					if !ok || seen[t] {
						continue
					}
					if k := ix.Kind(t); k != graph.KindUser && k != graph.KindRole {
						continue
					}
					seen[t] = true
					dec := worse(reach[i].decision, ed.Decision)
					reach = append(reach, reached{n: t, id: ed.To, parent: i, via: ed, decision: dec})
					next = append(next, len(reach)-1)
				}
			}
			level = next
		}
	}
	return reach, nil
}

// out returns the traversal edges leaving node n (graph ID id), one per
// target (an allowed one if any), in target order; a CanEscalate edge to
// n itself is left out.
func (b *blaster) out(n index.NodeID, id string) []Edge {
	best := map[string]Edge{}
	consider := func(ed Edge) {
		if ed.From == ed.To || !slices.Contains(blastKinds, ed.Kind) {
			return
		}
		if cur, ok := best[ed.To]; !ok || ed.Decision == policy.Allowed && cur.Decision != policy.Allowed {
			best[ed.To] = ed
		}
	}
	for _, k := range b.kinds {
		for _, t := range b.d.Index.Out(n, k) {
			for _, ed := range b.d.Between(id, b.d.Index.Node(t).ID) {
				consider(ed)
			}
		}
	}
	if b.lazyEscalations {
		if eds, ok := b.escalations.get(id); ok {
			for _, ed := range eds {
				consider(ed)
			}
		}
	}
	out := make([]Edge, 0, len(best))
	for _, to := range slices.Sorted(maps.Keys(best)) {
		out = append(out, best[to])
	}
	return out
}

// prefetchEscalations computes, in one call, the escalations of the
// identities of level that have none cached, when d lacks them.
func (b *blaster) prefetchEscalations(ctx context.Context, reach []reached, level []int) error {
	if !b.lazyEscalations {
		return nil
	}
	var ids []string
	for _, i := range level {
		if _, ok := b.escalations.get(reach[i].id); !ok && !serviceLinked(b.e.ix.Node(reach[i].n)) {
			ids = append(ids, reach[i].id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	edges, err := Escalations(ctx, b.e, EscalationOptions{Snapshot: b.opts.Snapshot, Principals: ids, Now: b.now, Workers: b.opts.Workers})
	if err != nil {
		return err
	}
	by := map[string][]Edge{}
	for _, ed := range edges {
		by[ed.From] = append(by[ed.From], ed)
	}
	for _, id := range ids {
		b.escalations.put(id, by[id])
	}
	return nil
}

// markAdmin decides whether r is admin-equivalent: full access, or a
// CanEscalate edge to itself.
func (b *blaster) markAdmin(ctx context.Context, r *reached) error {
	full, err := b.full.do(r.id, func() (policy.Decision, error) { return HasFullAccess(ctx, b.e, r.id) })
	if err != nil {
		return err
	}
	r.selfEsc = policy.ImplicitDeny
	var self []Edge
	if b.lazyEscalations {
		self, _ = b.escalations.get(r.id)
	} else {
		self = b.d.Between(r.id, r.id)
	}
	for _, ed := range self {
		if ed.Kind == CanEscalate && ed.From == ed.To {
			r.selfEsc = bestOf(r.selfEsc, ed.Decision)
		}
	}
	if !passes(full) {
		full = policy.ImplicitDeny
	}
	r.admin = bestOf(full, r.selfEsc)
	if passes(r.admin) {
		r.admin = worse(r.admin, r.decision)
	}
	return nil
}

// reachable builds the entry of reach[i].
func (b *blaster) reachable(reach []reached, i int) Reachable {
	r := &reach[i]
	nv := b.e.ix.Node(r.n)
	out := Reachable{ARN: principalARN(nv), Class: string(nv.Class), Account: nv.Account,
		Decision: r.decision.String(), Admin: adminString(r.admin), Path: pathTo(reach, i)}
	var missing []string
	for _, ed := range out.Path {
		missing = append(missing, edgeMissing(&ed)...)
	}
	out.MissingContext = slices.Compact(slices.Sorted(slices.Values(missing)))
	if out.MissingContext == nil {
		out.MissingContext = []string{}
	}
	return out
}

// pathTo returns the edges from the principal to reach[i].
func pathTo(reach []reached, i int) []Edge {
	var path []Edge
	for ; reach[i].parent >= 0; i = reach[i].parent {
		path = append(path, reach[i].via)
	}
	slices.Reverse(path)
	if path == nil {
		path = []Edge{}
	}
	return path
}

func adminString(d policy.Decision) string {
	if passes(d) {
		return d.String()
	}
	return ""
}

// days writes a window in days when it is a whole number of them.
func daysText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// top returns the critical findings of a blast radius, by severity, then
// in this order: admin reach, management-account reach, cross-account
// reach (one per account), unused privilege. Each names the best path:
// an allowed one if there is one.
func (b *blaster) top(reach []reached, res *BlastResult, u *blastUnion) []BlastFinding {
	out := []BlastFinding{}
	sev := func(d policy.Decision, allowed, conditional string) string {
		if d == policy.Allowed {
			return allowed
		}
		return conditional
	}
	first := func(match func(r *reached) bool) int {
		best := -1
		for i := range reach {
			if match(&reach[i]) && (best < 0 || reach[i].decision == policy.Allowed && reach[best].decision != policy.Allowed) {
				best = i
			}
		}
		return best
	}
	if i := first(func(r *reached) bool { return passes(r.admin) }); i >= 0 {
		r := &reach[i]
		how := "full access"
		if r.selfEsc != policy.ImplicitDeny {
			how = "can grant itself any permission"
		}
		detail := "holds admin-equivalent power (" + how + ")"
		if i > 0 {
			detail = fmt.Sprintf("reaches admin-equivalent %s (%s) in %d step(s)", reach[i].id, how, len(pathTo(reach, i)))
		}
		out = append(out, BlastFinding{Kind: BlastAdminReach, Severity: sev(r.admin, "critical", "high"), Detail: detail + conditionNote(r.admin), Path: steps(pathTo(reach, i))})
	}
	if mgmt := b.e.ManagementAccount(); mgmt != "" && res.Account != mgmt {
		if i := first(func(r *reached) bool { return b.e.ix.Node(r.n).Account == mgmt }); i >= 0 {
			out = append(out, BlastFinding{Kind: BlastManagementReach, Severity: sev(reach[i].decision, "critical", "high"),
				Detail: fmt.Sprintf("reaches %s in the management account %s%s", reach[i].id, mgmt, conditionNote(reach[i].decision)),
				Path:   steps(pathTo(reach, i))})
		}
	}
	seen := map[string]bool{res.Account: true}
	for i := 1; i < len(reach); i++ {
		acct := b.e.ix.Node(reach[i].n).Account
		if seen[acct] {
			continue
		}
		seen[acct] = true
		j := first(func(r *reached) bool { return b.e.ix.Node(r.n).Account == acct })
		out = append(out, BlastFinding{Kind: BlastCrossAccount, Severity: sev(reach[j].decision, "high", "medium"),
			Detail: fmt.Sprintf("reaches %s in account %s%s", reach[j].id, acct, conditionNote(reach[j].decision)),
			Path:   steps(pathTo(reach, j))})
	}
	if n := len(u.unused); n > 0 {
		names := u.unused[:min(n, 10)]
		more := ""
		if n > len(names) {
			more = fmt.Sprintf(", … (%d more)", n-len(names))
		}
		out = append(out, BlastFinding{Kind: BlastUnusedPrivilege, Severity: "medium",
			Detail: fmt.Sprintf("%d privileged action(s) allowed but not used in the last %s: %s%s", n, res.Since, strings.Join(names, ", "), more),
			Path:   []BlastStep{}})
	}
	rank := map[string]int{"critical": 0, "high": 1, "medium": 2}
	slices.SortStableFunc(out, func(a, b BlastFinding) int { return rank[a.Severity] - rank[b.Severity] })
	return out
}

func conditionNote(d policy.Decision) string {
	if d == policy.Conditional {
		return ", under conditions"
	}
	return ""
}

func steps(path []Edge) []BlastStep {
	out := make([]BlastStep, len(path))
	for i, ed := range path {
		out[i] = BlastStep{From: ed.From, To: ed.To, Edge: ed.Kind, Method: ed.Method, Conditional: ed.Decision == policy.Conditional}
	}
	return out
}
