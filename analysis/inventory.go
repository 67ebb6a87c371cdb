package analysis

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
)

// InventoryOptions tune [Inventory].
type InventoryOptions struct {
	BlastOptions
	// Class keeps only the identities of this class ("ai-agent"); "" keeps
	// all.
	Class string
	// Sort orders the identities: "score" (the default, highest first),
	// "privileged" (highest first), "arn", "class" or "account"; ties are
	// broken by ARN.
	Sort string
}

// InventoryResult lists identities, printed as {"identities":[...]}.
type InventoryResult struct {
	Identities []InventoryIdentity `json:"identities"`
}

// InventoryIdentity is one user or role with what its blast radius says.
type InventoryIdentity struct {
	ARN     string `json:"arn"`
	Kind    string `json:"kind"` // "User" or "Role"
	Class   string `json:"class"`
	Account string `json:"account"`
	// PrivilegedActions counts the privileged actions ([BlastPrivileged])
	// the identity itself is allowed, or allowed under conditions.
	PrivilegedActions int `json:"privileged_actions"`
	// Reachable counts the identities it reaches; Admin is "allow" or
	// "conditional" when it holds or reaches admin-equivalent power.
	Reachable int     `json:"reachable"`
	Admin     string  `json:"admin"`
	Score     float64 `json:"score"` // BlastResult.Score
}

// ErrBadSort is returned by [Inventory] for an unknown sort key.
var ErrBadSort = errors.New("analysis: inventory: sort must be score, privileged, arn, class or account")

// Inventory computes the blast radius of every user and role of the
// snapshot (service-linked roles included), in parallel, sharing the
// effective permissions of each identity between the radii that reach
// it. When d has no CanEscalate edges they are computed once, org-wide
// ([Escalations]), and added with [Derived.With].
func Inventory(ctx context.Context, e *Env, d *Derived, opts InventoryOptions) (InventoryResult, error) {
	if d == nil {
		return InventoryResult{}, ErrNoDerived
	}
	less, err := inventoryOrder(opts.Sort)
	if err != nil {
		return InventoryResult{}, err
	}
	if id, ok := d.Layer(CanEscalate); !ok || d.Index.NumEdges(id) == 0 {
		edges, err := Escalations(ctx, e, EscalationOptions{Snapshot: opts.Snapshot, Now: opts.Now, Workers: opts.Workers})
		if err != nil {
			return InventoryResult{}, err
		}
		if d, err = d.With(edges); err != nil {
			return InventoryResult{}, err
		}
	}
	b := newBlaster(e, d, newPermWorld(e), opts.BlastOptions)
	b.lazyEscalations = false // computed above: none is no escalation
	b.shared = true
	ix := e.ix
	var ids []index.NodeID
	for n := range index.NodeID(ix.Len()) {
		if k := ix.Kind(n); k != graph.KindUser && k != graph.KindRole {
			continue
		}
		if opts.Class != "" && string(ix.Node(n).Class) != opts.Class {
			continue
		}
		ids = append(ids, n)
	}
	out := make([]InventoryIdentity, len(ids))
	errs := make([]error, len(ids))
	workers := cmp.Or(max(opts.Workers, 0), runtime.GOMAXPROCS(0))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(ids), 1)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = b.inventoryEntry(ctx, ids[i])
			}
		})
	}
	for i := range ids {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return InventoryResult{}, err
	}
	if err := errors.Join(errs...); err != nil {
		return InventoryResult{}, err
	}
	slices.SortFunc(out, less)
	return InventoryResult{Identities: out}, nil
}

// inventoryEntry computes the entry of identity n.
func (b *blaster) inventoryEntry(ctx context.Context, n index.NodeID) (InventoryIdentity, error) {
	nv := b.e.ix.Node(n)
	res, err := b.radius(ctx, nv.ID)
	if err != nil {
		return InventoryIdentity{}, err
	}
	ps, err := b.perms.do(nv.ID, func() (*permSet, error) { return b.w.permissions(ctx, nv.ID, CanWhatOptions{}, false, nil) })
	if err != nil {
		return InventoryIdentity{}, err
	}
	return InventoryIdentity{ARN: res.Principal, Kind: string(nv.Kind), Class: res.Class, Account: res.Account,
		PrivilegedActions: ps.privileged(b.w), Reachable: len(res.Reachable), Admin: res.Admin, Score: res.Score}, nil
}

// privileged counts the distinct privileged actions of ps.
func (ps *permSet) privileged(w *permWorld) int {
	seen := map[uint]bool{}
	for _, g := range ps.groups {
		acts := g.allowed
		if g.cond != nil {
			acts = acts.Union(g.cond)
		}
		for id, ok := acts.NextSet(0); ok; id, ok = acts.NextSet(id + 1) {
			if !seen[id] && BlastPrivileged(w.cat.ActionByID(int(id))) {
				seen[id] = true
			}
		}
	}
	return len(seen)
}

// inventoryOrder returns the comparison of a sort key.
func inventoryOrder(key string) (func(a, b InventoryIdentity) int, error) {
	byARN := func(a, b InventoryIdentity) int { return strings.Compare(a.ARN, b.ARN) }
	switch key {
	case "", "score":
		return func(a, b InventoryIdentity) int { return cmp.Or(cmp.Compare(b.Score, a.Score), byARN(a, b)) }, nil
	case "privileged":
		return func(a, b InventoryIdentity) int {
			return cmp.Or(cmp.Compare(b.PrivilegedActions, a.PrivilegedActions), byARN(a, b))
		}, nil
	case "arn":
		return byARN, nil
	case "class":
		return func(a, b InventoryIdentity) int { return cmp.Or(strings.Compare(a.Class, b.Class), byARN(a, b)) }, nil
	case "account":
		return func(a, b InventoryIdentity) int { return cmp.Or(strings.Compare(a.Account, b.Account), byARN(a, b)) }, nil
	}
	return nil, ErrBadSort
}
