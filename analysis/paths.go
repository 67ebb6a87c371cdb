package analysis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
)

// PathsResult is the answer of [Paths]: the shortest path from From to To
// and up to limit simple paths, shortest first.
type PathsResult struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Shortest *DerivedPath  `json:"shortest"` // null when To cannot be reached
	Paths    []DerivedPath `json:"paths"`
	// Truncated says that the search for simple paths stopped at its
	// bounds (MaxHops hops or its visit budget): longer paths may exist.
	Truncated bool `json:"truncated,omitempty"`
}

// DerivedPath is a chain of derived edges. It is conditional when an edge of it
// is, or when it ends at a holder of the target permission whose grant is;
// Conditions lists the context keys it depends on.
type DerivedPath struct {
	Decision   string   `json:"decision"` // "allow" or "conditional"
	Conditions []string `json:"conditions"`
	// Target is the principal the path ends at: To, or a direct holder of
	// To's permission.
	Target string `json:"target"`
	Steps  []Edge `json:"steps"`
}

// MaxHops bounds the length of the simple paths [Paths] enumerates.
const MaxHops = 8

// pathBudget bounds the nodes the simple-path search visits.
const pathBudget = 1 << 20

// ErrBadTarget is returned by [Paths] for a TO that is neither a principal
// of the snapshot nor ACTION:RESOURCE.
var ErrBadTarget = errors.New("analysis: paths: target must be a principal ARN or ACTION:RESOURCE")

// Paths finds how principal from comes to act as to over d's derived edges
// (CanAssume, CanInvoke, CanEscalate): the shortest path in hops, and up to
// max simple paths of at most [MaxHops] hops, sorted by length and then by
// the ARNs along them. to is a principal, or "ACTION:RESOURCE"
// ("s3:GetObject:arn:aws:s3:::bucket/key"): then every principal that can
// do the action directly (as [WhoCan] finds them) is a target, and a path
// ends at the first one it meets. A path of no steps means from is the
// target.
func Paths(ctx context.Context, e *Env, d *Derived, from, to string, limit int) (PathsResult, error) {
	if d == nil {
		return PathsResult{}, ErrNoDerived
	}
	src, err := resolveNode(e, from)
	if err != nil {
		return PathsResult{}, err
	}
	targets, err := pathTargets(ctx, e, d, to)
	if err != nil {
		return PathsResult{}, err
	}
	out := PathsResult{From: from, To: to, Paths: []DerivedPath{}}
	pf := &pathFinder{d: d, kinds: d.traversal(), targets: targets, budget: pathBudget}
	if r := d.Index.Reach(src, index.Forward, pf.kinds...); r != nil {
		for _, n := range r.Order {
			if _, ok := targets[n]; ok {
				p := pf.path(r.Path(n))
				out.Shortest = &p
				break
			}
		}
	}
	if limit <= 0 || out.Shortest == nil {
		return out, ctx.Err()
	}
	var found [][]index.NodeID
	for hops := 0; hops <= MaxHops && len(found) < limit; hops++ {
		if err := ctx.Err(); err != nil {
			return PathsResult{}, err
		}
		onPath := map[index.NodeID]bool{src: true}
		found = pf.dfs([]index.NodeID{src}, onPath, hops, found)
		if pf.budget <= 0 {
			out.Truncated = true
			break
		}
	}
	paths := make([]DerivedPath, len(found))
	for i, f := range found {
		paths[i] = pf.path(f)
	}
	slices.SortStableFunc(paths, comparePaths)
	out.Paths = paths[:min(limit, len(paths))]
	return out, nil
}

// pathFinder holds one Paths search.
type pathFinder struct {
	d       *Derived
	kinds   []index.EdgeKindID
	targets map[index.NodeID]holder
	budget  int
}

// dfs appends to found every simple path extending path by exactly hops
// steps that ends at its first target.
func (pf *pathFinder) dfs(path []index.NodeID, onPath map[index.NodeID]bool, hops int, found [][]index.NodeID) [][]index.NodeID {
	v := path[len(path)-1]
	if _, ok := pf.targets[v]; ok {
		if hops == 0 {
			found = append(found, slices.Clone(path))
		}
		return found // a path ends at the first target it meets
	}
	if hops == 0 || pf.budget <= 0 {
		return found
	}
	for _, k := range pf.kinds {
		for _, w := range pf.d.Index.Out(v, k) {
			if onPath[w] || pf.budget <= 0 {
				continue
			}
			if k != pf.kinds[0] && pf.seenEarlier(v, w, k) {
				continue // the same hop by another kind is one path
			}
			pf.budget--
			onPath[w] = true
			found = pf.dfs(append(path, w), onPath, hops-1, found)
			onPath[w] = false
		}
	}
	return found
}

// seenEarlier reports whether v → w is also an edge of a kind before k.
func (pf *pathFinder) seenEarlier(v, w index.NodeID, k index.EdgeKindID) bool {
	for _, j := range pf.kinds {
		if j == k {
			return false
		}
		if pf.d.Index.CSR(j, index.Forward).Has(v, w) {
			return true
		}
	}
	return false
}

// path turns a node sequence into a DerivedPath.
func (pf *pathFinder) path(nodes []index.NodeID) DerivedPath {
	ix := pf.d.Index
	last := nodes[len(nodes)-1]
	p := DerivedPath{Decision: policy.Allowed.String(), Target: principalARN(ix.Node(last)), Steps: []Edge{}}
	conditional := false
	var conds []string
	for i := 0; i+1 < len(nodes); i++ {
		ed, _ := pf.d.step(nodes[i], nodes[i+1])
		p.Steps = append(p.Steps, ed)
		if ed.Decision == policy.Conditional {
			conditional = true
			conds = append(conds, edgeMissing(&ed)...)
		}
	}
	if h := pf.targets[last]; h.decision == policy.Conditional {
		conditional = true
		conds = append(conds, h.missing...)
	}
	if conditional {
		p.Decision = policy.Conditional.String()
	}
	slices.Sort(conds)
	p.Conditions = slices.Compact(conds)
	if p.Conditions == nil {
		p.Conditions = []string{}
	}
	return p
}

func comparePaths(a, b DerivedPath) int {
	if c := len(a.Steps) - len(b.Steps); c != 0 {
		return c
	}
	for i := range a.Steps {
		if c := strings.Compare(a.Steps[i].To, b.Steps[i].To); c != 0 {
			return c
		}
	}
	return strings.Compare(a.Target, b.Target)
}

// resolveNode finds a principal's node: by graph node ID, else as
// Env.Request resolves principals (a role ARN without its path, a session,
// a service name).
func resolveNode(e *Env, s string) (index.NodeID, error) {
	if n, ok := e.ix.Lookup(s); ok {
		return n, nil
	}
	p, _, err := e.principal(s)
	if err != nil {
		return index.None, err
	}
	if n, ok := e.ix.Lookup(p.id); ok {
		return n, nil
	}
	return index.None, fmt.Errorf("%w: %q has no node", ErrUnknownPrincipal, s)
}

// pathTargets resolves to: a principal, or ACTION:RESOURCE to its direct
// holders.
func pathTargets(ctx context.Context, e *Env, d *Derived, to string) (map[index.NodeID]holder, error) {
	if strings.HasPrefix(to, "arn:") || !strings.Contains(to, ":") || isServiceName(to) {
		n, err := resolveNode(e, to)
		if err != nil {
			return nil, err
		}
		return map[index.NodeID]holder{n: {n: n, decision: policy.Allowed}}, nil
	}
	svc, rest, _ := strings.Cut(to, ":")
	name, resource, ok := strings.Cut(rest, ":")
	if !ok || svc == "" || name == "" || resource == "" {
		return nil, fmt.Errorf("%w: %q", ErrBadTarget, to)
	}
	hs, err := whoCanDirect(ctx, e, d, WhoCanQuery{Action: svc + ":" + name, Resource: resource})
	if err != nil {
		return nil, err
	}
	out := make(map[index.NodeID]holder, len(hs))
	for _, h := range hs {
		out[h.n] = h
	}
	return out, nil
}
