package analysis

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/bits-and-blooms/bitset"
	actioncatalog "github.com/permgraph/permgraph/analysis/catalog"
	"github.com/permgraph/permgraph/analysis/policy"
)

// BlastPrivileged reports whether a counts as privileged in a blast
// radius: an action that changes who may do what, or destroys.
//
//   - AWS's access level is (or includes) Permissions management;
//   - or it is a Write action named Delete*, Terminate*, Destroy*, Purge*,
//     Put*Policy or Schedule*Deletion (kms:ScheduleKeyDeletion), whose
//     effect cannot be undone by the caller;
//   - or it is iam:PassRole, the first step of most escalations.
//
// Everything else is write (Write and Tagging) or read (Read and List).
func BlastPrivileged(a actioncatalog.Action) bool {
	if a.PermissionsManagement || a.Level == actioncatalog.PermissionsManagement {
		return true
	}
	if a.Service == "iam" && a.Name == "PassRole" {
		return true
	}
	if a.Level != actioncatalog.Write {
		return false
	}
	n := a.Name
	for _, p := range []string{"Delete", "Terminate", "Destroy", "Purge"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return strings.HasPrefix(n, "Put") && strings.HasSuffix(n, "Policy") ||
		strings.HasPrefix(n, "Schedule") && strings.HasSuffix(n, "Deletion")
}

// actionClass is what BlastPrivileged and the access level make of an
// action: 0 read, 1 write, 2 privileged.
func actionClass(a actioncatalog.Action) int {
	switch {
	case BlastPrivileged(a):
		return 2
	case a.Level == actioncatalog.Write || a.Level == actioncatalog.Tagging:
		return 1
	}
	return 0
}

// classWeights weigh read, write and privileged actions in the score.
var classWeights = [3]float64{1, 3, 10}

// scoreRef is the raw score of every catalog action allowed on 1,000
// resources, reaching no one.
var scoreRef = sync.OnceValue(func() float64 {
	cat := actioncatalog.Embedded()
	w := 0.0
	for id := range cat.Len() {
		w += classWeights[actionClass(cat.ActionByID(id))]
	}
	return rawScore(w, 1000, 0)
})

func rawScore(weighted float64, resources, reachable int) float64 {
	return weighted * (1 + math.Log1p(float64(resources))/10) * (1 + math.Log1p(float64(reachable))/4)
}

// blastScore is the score of a blast radius, from 0 to 100:
//
//	weighted = 10·privileged + 3·write + 1·read   (distinct actions; one held
//	                                               only under conditions counts half)
//	raw      = weighted × (1 + ln(1+resources)/10) × (1 + ln(1+reachable identities)/4)
//	score    = 100 × ln(1+raw) / ln(1+ref), at most 100, to one decimal
//
// where ref is raw for every catalog action allowed on 1,000 resources,
// reaching no one: the administrator of a mid-sized account scores 100,
// an identity that can read one bucket about 20.
func blastScore(weighted float64, resources, reachable int) float64 {
	s := 100 * math.Log1p(rawScore(weighted, resources, reachable)) / math.Log1p(scoreRef())
	return math.Round(min(s, 100)*10) / 10
}

// union is the union of the permissions along a reach.
type blastUnion struct {
	admin     policy.Decision
	counts    ActionCounts
	weighted  float64
	resources int
	unused    []string // privileged actions unused in the window, in catalog order
	unknown   int      // privileged actions whose use is unknown
	coverage  string   // last-accessed data: "complete", "partial", "none"
}

// union computes the union of the effective permissions of reach.
func (b *blaster) union(ctx context.Context, reach []reached) (*blastUnion, error) {
	w := b.w
	w.loadResources()
	cat := w.cat
	best := make([]policy.Decision, cat.Len()) // ImplicitDeny: not held
	holders := map[uint][]int{}                // privileged action → reach indexes
	touched := bitset.New(uint(len(w.resources)))
	all := bitset.New(uint(cat.Len())).Complement()
	u := &blastUnion{admin: policy.ImplicitDeny}
	allowedSoFar := bitset.New(uint(cat.Len()))
	mark := func(i int, acts *bitset.BitSet, d policy.Decision) {
		for id, ok := acts.NextSet(0); ok; id, ok = acts.NextSet(id + 1) {
			if best[id] != policy.Allowed {
				best[id] = d
				if d == policy.Allowed {
					allowedSoFar.Set(id)
				}
			}
			if BlastPrivileged(cat.ActionByID(int(id))) {
				if h := holders[id]; len(h) == 0 || h[len(h)-1] != i {
					holders[id] = append(h, i)
				}
			}
		}
	}
	touch := func(acct string, g *permGroup, acts *bitset.BitSet) {
		if g != nil && g.named {
			if ri, ok := w.resIndex[g.resource]; ok && w.applies(&w.resources[ri], acts) {
				touched.Set(uint(ri))
			}
			return
		}
		pattern := "*"
		if g != nil {
			pattern = g.resource
		}
		for _, ri := range w.resourcesMatching(acct, pattern) {
			if !touched.Test(uint(ri)) && w.applies(&w.resources[ri], acts) {
				touched.Set(uint(ri))
			}
		}
	}
	withData := 0
	// An account where an admin is reached, over allowed edges, is
	// saturated: every action is allowed and every resource of it touched,
	// so the other identities of the account (but the principal) add only
	// the resources of other accounts whose policies name them. Admins
	// allowed go first; admins under conditions last, each standing for
	// every action, conditional. The other identities evaluate only the
	// actions no identity before them is allowed (see permissions).
	var order []int
	for _, pass := range []int{0, 1, 2} {
		for i := range reach {
			switch r := &reach[i]; {
			case r.admin == policy.Allowed && pass == 0,
				!passes(r.admin) && pass == 1,
				r.admin == policy.Conditional && pass == 2:
				order = append(order, i)
			}
		}
	}
	saturated := map[string]bool{}
	var dominated []int
	for _, i := range order {
		r := &reach[i]
		if _, ok := b.usage[r.id]; ok {
			withData++
		}
		if passes(r.admin) {
			u.admin = bestOf(u.admin, r.admin)
		}
		acct := b.e.ix.Node(r.n).Account
		skip := saturated[acct] && i > 0 // the principal's own permissions are always computed
		if skip {
			dominated = append(dominated, i)
		}
		switch {
		case skip:
		case passes(r.selfEsc) || r.admin == policy.Conditional:
			mark(i, all, worse(r.decision, bestOf(r.selfEsc, r.admin)))
			touch(acct, nil, all)
		default:
			ps, err := b.permsOf(ctx, r.id, allowedSoFar)
			if err != nil {
				return nil, err
			}
			b.markGroups(ps, i, r.decision, mark, func(g *permGroup, acts *bitset.BitSet) { touch(acct, g, acts) })
		}
		if r.admin == policy.Allowed {
			saturated[acct] = true
			continue
		}
		if skip {
			ps, err := b.named.do(r.id, func() (*permSet, error) { return w.permissions(ctx, r.id, CanWhatOptions{}, true, nil) })
			if err != nil {
				return nil, err
			}
			b.markGroups(ps, i, r.decision, mark, func(g *permGroup, acts *bitset.BitSet) { touch(acct, g, acts) })
		}
	}
	for id, d := range best {
		if d == policy.ImplicitDeny {
			continue
		}
		c := actionClass(cat.ActionByID(id))
		wt := classWeights[c]
		if d == policy.Conditional {
			u.counts.Conditional++
			wt /= 2
		}
		u.weighted += wt
		switch c {
		case 2:
			u.counts.Privileged++
		case 1:
			u.counts.Write++
		default:
			u.counts.Read++
		}
	}
	u.resources = int(touched.Count())
	u.coverage = "partial"
	switch withData {
	case 0:
		u.coverage = "none"
	case len(reach):
		u.coverage = "complete"
	}
	b.usageOf(reach, holders, dominated, u)
	return u, nil
}

// permsOf returns the permissions of identity id: computed in full once
// and shared when b.shared (Inventory), else evaluating only the actions
// not in assume.
func (b *blaster) permsOf(ctx context.Context, id string, assume *bitset.BitSet) (*permSet, error) {
	if b.shared {
		return b.perms.do(id, func() (*permSet, error) { return b.w.permissions(ctx, id, CanWhatOptions{}, false, nil) })
	}
	return b.w.permissions(ctx, id, CanWhatOptions{}, false, assume)
}

// markGroups marks the actions of ps for reach index i, reached with
// decision dec, and touches the resources of each group.
func (b *blaster) markGroups(ps *permSet, i int, dec policy.Decision, mark func(int, *bitset.BitSet, policy.Decision),
	touch func(*permGroup, *bitset.BitSet)) {
	for gi := range ps.groups {
		g := &ps.groups[gi]
		acts := g.allowed
		mark(i, g.allowed, worse(dec, policy.Allowed))
		if g.cond != nil {
			mark(i, g.cond, policy.Conditional)
			acts = acts.Union(g.cond)
		}
		touch(g, acts)
	}
}

// usageOf counts the privileged actions of holders that no holder used
// within the window. The identities of dominated, whose permissions were
// not computed one by one, count when their data shows a use.
func (b *blaster) usageOf(reach []reached, holders map[uint][]int, dominated []int, u *blastUnion) {
	cat := b.w.cat
	cutoff := b.now.Add(-b.opts.Since)
	for id := range uint(cat.Len()) {
		hs, ok := holders[id]
		if !ok {
			continue
		}
		a := cat.ActionByID(int(id))
		state := usageUnused
		for _, i := range hs {
			switch b.used(reach[i].id, a, cutoff) {
			case usageUsed:
				state = usageUsed
			case usageUnknown:
				if state == usageUnused {
					state = usageUnknown
				}
			}
			if state == usageUsed {
				break
			}
		}
		for _, i := range dominated {
			if state == usageUsed {
				break
			}
			if b.used(reach[i].id, a, cutoff) == usageUsed {
				state = usageUsed
			}
		}
		switch state {
		case usageUnused:
			u.unused = append(u.unused, a.String())
		case usageUnknown:
			u.unknown++
		}
	}
}

type usageState uint8

const (
	usageUnused usageState = iota
	usageUnknown
	usageUsed
)

// used says whether identity id used action a since cutoff, by its
// last-accessed data: action-level where the service tracks actions and
// lists a, service-level otherwise. A service the data does not list was
// not used; an identity without data is unknown.
func (b *blaster) used(id string, a actioncatalog.Action, cutoff time.Time) usageState {
	la, ok := b.usage[id]
	if !ok {
		return usageUnknown
	}
	since := func(t time.Time) usageState {
		if !t.IsZero() && !t.Before(cutoff) {
			return usageUsed
		}
		return usageUnused
	}
	name := a.String()
	for _, sa := range la {
		if !strings.EqualFold(sa.Service, a.Service) {
			continue
		}
		for _, x := range sa.Actions {
			if strings.EqualFold(x.Action, name) {
				return since(x.Last)
			}
		}
		return since(sa.Last)
	}
	return usageUnused
}

// memo computes a value per key once, for concurrent callers.
type onceMap[V any] struct {
	mu sync.Mutex
	m  map[string]*onceEntry[V]
}

type onceEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func newOnceMap[V any]() *onceMap[V] { return &onceMap[V]{m: map[string]*onceEntry[V]{}} }

// do returns the value of key, computing it with f if no one has.
func (m *onceMap[V]) do(key string, f func() (V, error)) (V, error) {
	m.mu.Lock()
	if e, ok := m.m[key]; ok {
		m.mu.Unlock()
		<-e.done
		return e.v, e.err
	}
	e := &onceEntry[V]{done: make(chan struct{})}
	m.m[key] = e
	m.mu.Unlock()
	e.v, e.err = f()
	close(e.done)
	return e.v, e.err
}

// get returns the value of key if it is computed.
func (m *onceMap[V]) get(key string) (V, bool) {
	m.mu.Lock()
	e, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.v, e.err == nil
		default:
		}
	}
	var zero V
	return zero, false
}

// put records the value of key, unless it has one.
func (m *onceMap[V]) put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[key]; !ok {
		e := &onceEntry[V]{done: make(chan struct{}), v: v}
		close(e.done)
		m.m[key] = e
	}
}
