package index

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// NodeID is a node's dense id in an [Index]: 0 … Len()-1, in the order of
// the nodes' graph IDs, so that the same snapshot always yields the same ids.
type NodeID int32

// None is the NodeID of no node.
const None NodeID = -1

// EdgeKindID names an edge kind (a layer of adjacency) in an [Index]. The
// stored kinds come first, in the order of [graph.EdgeKinds]; derived kinds
// added with [Index.WithLayer] follow.
type EdgeKindID uint8

// The stored edge kinds.
const (
	MemberOf EdgeKindID = iota
	Attached
	Boundary
	InAccount
	ChildOf
	PolicyTarget
	Trusts
	HasPolicy
	numStored
)

// Direction selects forward (From → To) or reverse adjacency.
type Direction uint8

// Directions.
const (
	Forward Direction = iota
	Reverse
)

// Options tune [Build].
type Options struct {
	// SkipInvalid keeps building when a policy document is missing or cannot
	// be parsed or compiled: the policy node then has no compiled form and
	// the failure is listed by [Index.Warnings]. Otherwise Build fails.
	SkipInvalid bool
	// Workers bounds the goroutines Build uses; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// DefaultOptions returns the options Build uses unless told otherwise.
func DefaultOptions() Options { return Options{} }

// WithSkipInvalid sets [Options.SkipInvalid].
func (o Options) WithSkipInvalid(skip bool) Options { o.SkipInvalid = skip; return o }

// WithWorkers sets [Options.Workers].
func (o Options) WithWorkers(n int) Options { o.Workers = n; return o }

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Index is the read-only in-memory form of one snapshot. It never changes
// once built and is safe for concurrent use.
type Index struct {
	meta     graph.Meta
	str      strtab
	nodes    []node // by NodeID, sorted by graph ID
	layers   []layer
	polRef   []uint32           // per node: 0, or 1 + index into compiled
	compiled []*policy.Compiled // one per distinct policy document
	warnings []error
}

// node is one node's record: its kind and the string ids of its fields.
type node struct {
	id, arn, name, account, class uint32
	kind                          uint8 // index into graph.NodeKinds
}

// layer is the adjacency of one edge kind.
type layer struct {
	name    string
	out, in CSR
}

// NodeView is what the index knows of a node. Its strings alias the index's
// arena; holding one keeps the arena alive.
type NodeView struct {
	N       NodeID
	Kind    graph.NodeKind
	ID      string // the graph node ID
	ARN     string
	Name    string
	Account string
	Class   graph.Class
}

// Build loads snap into a new Index. Nodes must have unique, non-empty IDs
// and known kinds, and every edge must have a stored kind and name existing
// nodes; otherwise the error wraps [graph.ErrInvalidSnapshot] and names the
// node or edge. Policy documents are compiled as described by
// [Index.Compiled]; an invalid one fails Build (the error wraps
// [ErrInvalidPolicy]) unless opts.SkipInvalid.
func Build(snap *graph.Snapshot, opts Options) (*Index, error) {
	if snap == nil {
		return nil, errors.New("index: Build: nil snapshot")
	}
	if len(snap.Nodes) > math.MaxInt32 || len(snap.Edges) > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d nodes, %d edges", ErrTooLarge, len(snap.Nodes), len(snap.Edges))
	}
	order, err := sortNodes(snap.Nodes)
	if err != nil {
		return nil, err
	}
	ix := &Index{meta: snap.Meta}
	ix.meta.Warnings = slices.Clone(snap.Meta.Warnings)
	ix.meta.MissingAccounts = slices.Clone(snap.Meta.MissingAccounts)

	ids := make(map[string]NodeID, len(order))
	if err := ix.fillNodes(snap.Nodes, order, ids); err != nil {
		return nil, err
	}
	// Edges and policies are independent: build them side by side.
	var (
		wg     sync.WaitGroup
		polErr error
	)
	wg.Go(func() { polErr = ix.compilePolicies(snap.Nodes, order, opts) })
	layerErr := ix.buildStoredLayers(snap.Edges, ids, opts.workers())
	wg.Wait()
	if err := cmp.Or(layerErr, polErr); err != nil {
		return nil, err
	}
	return ix, nil
}

// sortNodes returns the snapshot indices of nodes in graph ID order.
func sortNodes(nodes []graph.Node) ([]int32, error) {
	order := make([]int32, len(nodes))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(nodes[a].ID, nodes[b].ID) })
	for i, o := range order {
		switch {
		case nodes[o].ID == "":
			return nil, fmt.Errorf("%w: nodes[%d]: empty id", graph.ErrInvalidSnapshot, o)
		case i > 0 && nodes[order[i-1]].ID == nodes[o].ID:
			return nil, fmt.Errorf("%w: nodes[%d] %q: duplicate id", graph.ErrInvalidSnapshot, o, nodes[o].ID)
		}
	}
	return order, nil
}

func (ix *Index) fillNodes(nodes []graph.Node, order []int32, ids map[string]NodeID) error {
	sb := newStrtabBuilder(2 * len(order))
	ix.nodes = make([]node, len(order))
	for i, o := range order {
		src := &nodes[o]
		k, ok := nodeKindIndex(src.Kind)
		if !ok {
			return fmt.Errorf("%w: nodes[%d] %q: unknown kind %q", graph.ErrInvalidSnapshot, o, src.ID, src.Kind)
		}
		nd := &ix.nodes[i]
		nd.kind = k
		nd.id = sb.add(src.ID) // unique: no need to look it up
		nd.arn = nd.id         // the ID is the ARN where there is one
		if src.ARN != src.ID {
			nd.arn = sb.intern(src.ARN)
		}
		nd.name = sb.intern(src.Name)
		nd.account = sb.intern(src.Account)
		nd.class = sb.intern(string(src.Class))
		ids[src.ID] = NodeID(i)
	}
	var err error
	ix.str, err = sb.finish()
	return err
}

func nodeKindIndex(k graph.NodeKind) (uint8, bool) {
	i := slices.Index(graph.NodeKinds, k)
	return uint8(i), i >= 0
}

// storedKind maps a stored edge kind to its EdgeKindID. A switch rather
// than a search of graph.EdgeKinds: it runs once per edge.
func storedKind(k graph.EdgeKind) (EdgeKindID, bool) {
	switch k {
	case graph.EdgeMemberOf:
		return MemberOf, true
	case graph.EdgeAttached:
		return Attached, true
	case graph.EdgeBoundary:
		return Boundary, true
	case graph.EdgeInAccount:
		return InAccount, true
	case graph.EdgeChildOf:
		return ChildOf, true
	case graph.EdgePolicyTarget:
		return PolicyTarget, true
	case graph.EdgeTrusts:
		return Trusts, true
	case graph.EdgeHasPolicy:
		return HasPolicy, true
	}
	return 0, false
}

// Len returns the number of nodes.
func (ix *Index) Len() int { return len(ix.nodes) }

// Meta returns the snapshot's metadata.
func (ix *Index) Meta() graph.Meta { return ix.meta }

// Lookup returns the NodeID of the node with graph ID id. Node IDs are
// sorted, so this is a binary search over the arena: the index keeps no
// map of ids (it would cost more than the nodes themselves).
func (ix *Index) Lookup(id string) (NodeID, bool) {
	i, ok := slices.BinarySearchFunc(ix.nodes, id, func(n node, id string) int {
		return strings.Compare(ix.str.get(n.id), id)
	})
	if !ok {
		return None, false
	}
	return NodeID(i), true
}

// Node returns what the index knows of node n. It panics if n is not a node
// of the index.
func (ix *Index) Node(n NodeID) NodeView {
	nd := &ix.nodes[n]
	return NodeView{
		N:       n,
		Kind:    graph.NodeKinds[nd.kind],
		ID:      ix.str.get(nd.id),
		ARN:     ix.str.get(nd.arn),
		Name:    ix.str.get(nd.name),
		Account: ix.str.get(nd.account),
		Class:   graph.Class(ix.str.get(nd.class)),
	}
}

// Kind returns the kind of node n without building a NodeView.
func (ix *Index) Kind(n NodeID) graph.NodeKind { return graph.NodeKinds[ix.nodes[n].kind] }
