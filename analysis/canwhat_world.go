package analysis

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/bits-and-blooms/bitset"
	actioncatalog "github.com/permgraph/permgraph/analysis/catalog"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// permWorld is what CanWhat, BlastRadius and Inventory compute once per
// Env and share between principals: the catalog actions each distinct
// policy's Allow statements may grant, the actions that apply to each
// resource pattern, the resource-policy statements by the principal they
// name, and the snapshot's resources. It is safe for concurrent use.
type permWorld struct {
	e   *Env
	cat *actioncatalog.Catalog

	mu       sync.Mutex
	policies map[*policy.Policy][]stmtGrant
	patterns map[string]*bitset.BitSet // action pattern (lower-cased) → matching ids
	compat   map[string]*bitset.BitSet // resource pattern → ids of the actions that apply to it
	matched  map[matchKey][]int32      // (account, resource pattern) → indexes into resources

	resOnce   sync.Once
	byGrantee map[string][]resourceGrant // see grantees
	resources []resourceNode
	resIndex  map[string]int32   // by ARN: index into resources
	byAccount map[string][]int32 // indexes into resources

	allTyped *bitset.BitSet // the actions with at least one resource type
	names    []string       // by catalog id: "service:Action"
}

// stmtGrant is what one Allow statement of an identity policy may grant:
// its catalog actions and its resource patterns ("*" for NotResource,
// whose exceptions are left to the evaluation).
type stmtGrant struct {
	actions   *bitset.BitSet
	resources []string
}

// resourceGrant is an Allow statement of a resource policy (or trust
// policy) that names a principal: the resource and the actions.
type resourceGrant struct {
	arn, account string
	actions      *bitset.BitSet
}

// resourceNode is a Resource node of the snapshot, for counting what
// permissions reach.
type resourceNode struct {
	arn, account string
	actions      *bitset.BitSet // the catalog actions that apply to its type; nil if its type is unknown
	service      string         // the ARN's service, for unknown types
}

type matchKey struct{ account, pattern string }

func newPermWorld(e *Env) *permWorld {
	w := &permWorld{e: e, cat: actioncatalog.Embedded(),
		policies: map[*policy.Policy][]stmtGrant{}, patterns: map[string]*bitset.BitSet{},
		compat: map[string]*bitset.BitSet{}, matched: map[matchKey][]int32{}}
	w.allTyped = bitset.New(uint(w.cat.Len()))
	w.names = make([]string, w.cat.Len())
	for id := range w.cat.Len() {
		w.names[id] = w.cat.ActionByID(id).String()
		if !w.cat.ActionByID(id).WildcardOnly() {
			w.allTyped.Set(uint(id))
		}
	}
	return w
}

// policyGrants returns what the Allow statements of p may grant, computed
// once per distinct document.
func (w *permWorld) policyGrants(p *policy.Policy) []stmtGrant {
	w.mu.Lock()
	defer w.mu.Unlock()
	if g, ok := w.policies[p]; ok {
		return g
	}
	var out []stmtGrant
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != policy.Allow {
			continue
		}
		g := stmtGrant{actions: w.actionsLocked(s.Action, s.NotAction), resources: s.Resource}
		if len(s.Resource) == 0 {
			g.resources = []string{"*"}
		}
		if g.actions.Any() {
			out = append(out, g)
		}
	}
	w.policies[p] = out
	return out
}

// actionsLocked returns the catalog actions an Action or NotAction element
// matches. w.mu is held.
func (w *permWorld) actionsLocked(action, notAction []string) *bitset.BitSet {
	out := bitset.New(uint(w.cat.Len()))
	for _, a := range action {
		out.InPlaceUnion(w.patternLocked(a))
	}
	if len(notAction) > 0 {
		for _, a := range notAction {
			out.InPlaceUnion(w.patternLocked(a))
		}
		out = out.Complement()
	}
	return out
}

func (w *permWorld) patternLocked(a string) *bitset.BitSet {
	a = strings.ToLower(strings.TrimSpace(a))
	if b, ok := w.patterns[a]; ok {
		return b
	}
	b := bitset.New(uint(w.cat.Len()))
	for _, id := range w.cat.MatchIDs(a) {
		b.Set(uint(id))
	}
	w.patterns[a] = b
	return b
}

// compatible returns the actions a statement with Resource pattern r can
// grant: every action for "*"; else the actions listing one of the
// resource types r can be, or, when r names no known type (a wildcard
// service, a policy variable in the wrong place), every action that has a
// resource type. A wildcard-only action is granted only by "*": AWS
// authorizes it against the resource "*", which no ARN pattern matches.
func (w *permWorld) compatible(r string) *bitset.BitSet {
	if r == "*" {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if b, ok := w.compat[r]; ok {
		return b
	}
	b := w.allTyped
	if acts := w.cat.ActionsOn(patternARN(r)); len(acts) > 0 {
		b = bitset.New(uint(w.cat.Len()))
		for _, a := range acts {
			b.Set(uint(a.ID))
		}
	}
	w.compat[r] = b
	return b
}

// patternARN turns a resource pattern into an ARN the catalog's templates
// can type: policy variables become "x", so that "…:user/${aws:username}"
// is a user.
func patternARN(r string) string {
	for {
		i := strings.Index(r, "${")
		if i < 0 {
			return r
		}
		j := strings.IndexByte(r[i:], '}')
		if j < 0 {
			return r
		}
		r = r[:i] + "x" + r[i+j+1:]
	}
}

// loadResources indexes, once, the resource-policy statements by the
// principals they name and the Resource nodes by account.
func (w *permWorld) loadResources() {
	w.resOnce.Do(func() {
		w.byGrantee = map[string][]resourceGrant{}
		w.byAccount = map[string][]int32{}
		w.resIndex = map[string]int32{}
		ix := w.e.ix
		for arn, r := range w.e.resources {
			if r.policy == nil {
				continue
			}
			w.indexResourcePolicy(arn, r)
		}
		for _, list := range w.byGrantee {
			slices.SortFunc(list, func(a, b resourceGrant) int { return strings.Compare(a.arn, b.arn) })
		}
		for n := range index.NodeID(ix.Len()) {
			if ix.Kind(n) != graph.KindResource {
				continue
			}
			nv := ix.Node(n)
			arn := cmp.Or(nv.ARN, nv.ID)
			rn := resourceNode{arn: arn, account: cmp.Or(nv.Account, arnPart(arn, 4)), service: arnPart(arn, 2)}
			if acts := w.cat.ActionsOn(arn); len(acts) > 0 {
				rn.actions = bitset.New(uint(w.cat.Len()))
				for _, a := range acts {
					rn.actions.Set(uint(a.ID))
				}
			}
			w.resIndex[arn] = int32(len(w.resources))
			w.byAccount[rn.account] = append(w.byAccount[rn.account], int32(len(w.resources)))
			w.resources = append(w.resources, rn)
		}
	})
}

// indexResourcePolicy records the Allow statements of r's policy under
// each principal they name (see grantees). A trust policy grants only sts
// actions.
func (w *permWorld) indexResourcePolicy(arn string, r *resource) {
	for i := range r.policy.Source.Statements {
		s := &r.policy.Source.Statements[i]
		if s.Effect != policy.Allow || s.Principal == nil {
			continue
		}
		w.mu.Lock()
		acts := w.actionsLocked(s.Action, s.NotAction)
		if r.trust {
			acts.InPlaceIntersection(w.patternLocked("sts:*"))
		}
		w.mu.Unlock()
		if !acts.Any() {
			continue
		}
		var keys []string
		if s.Principal.Wildcard {
			keys = append(keys, "*")
		}
		for _, a := range s.Principal.AWS {
			switch {
			case a == "*":
				keys = append(keys, "*")
			case accountLike(a):
				keys = append(keys, a)
			case arnPart(a, 5) == "root":
				keys = append(keys, arnPart(a, 4))
			default:
				keys = append(keys, granteeKey(a))
			}
		}
		for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
			w.byGrantee[k] = append(w.byGrantee[k], resourceGrant{arn: arn, account: r.account, actions: acts})
		}
	}
}

// granteeKey names a principal in byGrantee: "ACCOUNT/user/NAME" or
// "ACCOUNT/role/NAME", whatever the path; sessions of a role count as the
// role.
func granteeKey(arn string) string {
	svc, acct, res := arnPart(arn, 2), arnPart(arn, 4), arnPart(arn, 5)
	switch {
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		return acct + "/user/" + lastSegment(res)
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		return acct + "/role/" + lastSegment(res)
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		role, _, _ := strings.Cut(res[len("assumed-role/"):], "/")
		return acct + "/role/" + role
	}
	return arn
}

// grantees returns the resource-policy statements that name principal arn
// (of account acct): by its ARN; by its account or "*" when the resource
// is in another account. In its own account, a statement naming the
// account delegates to identity policies, whose rows cover it, and one
// naming "*" grants everyone, not this principal.
func (w *permWorld) grantees(arn, acct string) []resourceGrant {
	w.loadResources()
	out := slices.Clone(w.byGrantee[granteeKey(arn)])
	for _, k := range []string{acct, "*"} {
		for _, g := range w.byGrantee[k] {
			if g.account != acct {
				out = append(out, g)
			}
		}
	}
	return out
}

// resourcesMatching returns the resources of account acct whose ARN
// pattern matches, computed once per pair.
func (w *permWorld) resourcesMatching(acct, pattern string) []int32 {
	w.loadResources()
	key := matchKey{acct, pattern}
	w.mu.Lock()
	got, ok := w.matched[key]
	w.mu.Unlock()
	if ok {
		return got
	}
	glob := patternARN(pattern)
	var out []int32
	for _, i := range w.byAccount[acct] {
		if pattern == "*" || arnGlob(glob, w.resources[i].arn) {
			out = append(out, i)
		}
	}
	w.mu.Lock()
	w.matched[key] = out
	w.mu.Unlock()
	return out
}

// arnGlob matches an ARN against a Resource pattern with * and ?, segment
// wildcards included, ignoring case as the catalog's resource names do not
// (an approximation good enough for counting).
func arnGlob(pattern, s string) bool {
	return glob(strings.ToLower(pattern), strings.ToLower(s))
}

// accountLike reports whether s is a 12-digit account ID.
func accountLike(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// applies reports whether some action of acts can be done on resource rn:
// acts holds one of its type's actions, or, for a type the catalog does
// not know, an action of its service.
func (w *permWorld) applies(rn *resourceNode, acts *bitset.BitSet) bool {
	if rn.actions != nil {
		return rn.actions.IntersectionCardinality(acts) > 0
	}
	svc, ok := w.cat.Service(rn.service)
	if !ok || len(svc.Actions) == 0 {
		return false
	}
	next, found := acts.NextSet(uint(svc.Actions[0].ID))
	return found && next <= uint(svc.Actions[len(svc.Actions)-1].ID)
}
