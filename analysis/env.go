package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// Env is what every analysis of one snapshot needs to assemble a request
// quickly: per principal its identity policies, boundary and the SCP levels
// of its account, per resource its resource policy, and the condition keys
// the graph knows. It is built once by [NewEnv], never changes, and is safe
// for concurrent use.
//
// Policies are named by their graph node ID in explanations. A role's trust
// policy, which is no node of its own, is named "<role-arn>#trust".
type Env struct {
	ix *index.Index

	users, roles map[nameKey]*principal // by account and name: ARNs may differ in path
	byARN        map[string]*principal  // users, roles and external principals by ARN
	services     map[string]*principal  // service and federated principals by name
	accounts     map[string]*account    // by 12-digit id
	resources    map[string]*resource   // by ARN: resources, roles, users

	management string // the organization's management account, "" without one
	warnings   []string
}

// ErrUnknownPrincipal is returned by [Env.Request] and [Can] for a
// principal that is neither in the snapshot nor an external or service
// principal it names.
var ErrUnknownPrincipal = errors.New("analysis: unknown principal")

// nameKey finds a user or role by account and name, whatever its path.
type nameKey struct{ account, name string }

// kv is a condition key (lower-cased) with its values.
type kv struct {
	key  string
	vals []string
}

// principal is what a request needs to know of its caller.
type principal struct {
	id       string // graph node ID
	caller   string // the principal string handed to the engine
	identity []*policy.Compiled
	boundary []*policy.Compiled // nil without a boundary
	acct     *account           // nil outside the snapshot's accounts
	ctx      []kv               // aws:PrincipalArn (roles), org keys, principal tags
}

// account holds an account's organization data.
type account struct {
	id         string
	orgID      string // "" without Organizations data
	orgPath    string // "o-…/r-…/ou-…/"
	scps, rcps [][]*policy.Compiled
	ctxPrin    []kv // aws:PrincipalOrgID and aws:PrincipalOrgPaths
	ctxRes     []kv // aws:ResourceOrgID and aws:ResourceOrgPaths
}

// resource is what a request needs to know of its resource.
type resource struct {
	account string
	acct    *account
	policy  *policy.Compiled // resource policy; for a role, its trust policy
	trust   bool             // policy is a trust policy: it applies to sts actions only
	ctx     []kv             // aws:ResourceTag/…, then the account's org keys
}

// NewEnv builds the Env of snap, whose index is ix (built from snap). It
// fails only when the two do not match; policies that cannot be used
// (unresolved managed policies, invalid documents) are left out and listed
// by [Env.Warnings].
func NewEnv(snap *graph.Snapshot, ix *index.Index) (*Env, error) {
	if snap == nil || ix == nil {
		return nil, errors.New("analysis: NewEnv: nil snapshot or index")
	}
	if len(snap.Nodes) != ix.Len() {
		return nil, fmt.Errorf("analysis: NewEnv: snapshot has %d nodes, index %d: not built from it", len(snap.Nodes), ix.Len())
	}
	b := &builder{ix: ix, nodes: make([]*graph.Node, ix.Len()), named: make([]*policy.Compiled, ix.Len()),
		docs: map[string]*policy.Compiled{}, unusable: map[index.NodeID]bool{}, levelCache: map[graph.PolicyKind]map[index.NodeID][]*policy.Compiled{}}
	for i := range snap.Nodes {
		n, ok := ix.Lookup(snap.Nodes[i].ID)
		if !ok {
			return nil, fmt.Errorf("analysis: NewEnv: node %q is not in the index", snap.Nodes[i].ID)
		}
		b.nodes[n] = &snap.Nodes[i]
	}
	b.env = &Env{ix: ix,
		users: map[nameKey]*principal{}, roles: map[nameKey]*principal{},
		byARN: map[string]*principal{}, services: map[string]*principal{},
		accounts: map[string]*account{}, resources: map[string]*resource{}}
	b.scanPolicyKinds()
	for n := range b.nodes {
		if b.nodes[n].Kind == graph.KindAccount {
			b.account(index.NodeID(n))
		}
	}
	for n, nd := range b.nodes {
		switch nd.Kind {
		case graph.KindUser, graph.KindRole:
			b.identity(index.NodeID(n))
		case graph.KindExternalPrincipal, graph.KindServicePrincipal:
			b.external(nd)
		case graph.KindResource:
			b.resource(index.NodeID(n))
		}
	}
	return b.env, nil
}

// Warnings lists what NewEnv left out, in node order.
func (e *Env) Warnings() []string { return append([]string(nil), e.warnings...) }

// Index returns the index the Env was built on.
func (e *Env) Index() *index.Index { return e.ix }

// ManagementAccount returns the organization's management account, or ""
// when the snapshot has no Organizations data.
func (e *Env) ManagementAccount() string { return e.management }

// builder holds what NewEnv needs while it runs.
type builder struct {
	ix       *index.Index
	nodes    []*graph.Node               // by NodeID
	named    []*policy.Compiled          // by NodeID: policy nodes compiled under their own ID
	docs     map[string]*policy.Compiled // trust and resource documents by text
	unusable map[index.NodeID]bool       // policy nodes warned about
	env      *Env
	hasSCP   bool // the snapshot holds SCPs: Organizations applies them
	hasRCP   bool
	// levelCache holds per policy kind the policies of each level seen.
	levelCache map[graph.PolicyKind]map[index.NodeID][]*policy.Compiled
}

func (b *builder) warnf(format string, args ...any) {
	b.env.warnings = append(b.env.warnings, fmt.Sprintf(format, args...))
}

func (b *builder) scanPolicyKinds() {
	for _, nd := range b.nodes {
		if nd.Kind != graph.KindPolicy || nd.Policy == nil {
			continue
		}
		b.hasSCP = b.hasSCP || nd.Policy.Kind == graph.PolicySCP
		b.hasRCP = b.hasRCP || nd.Policy.Kind == graph.PolicyRCP
	}
}

// policy returns policy node n compiled under its own node ID, or nil when
// it has no usable document (warned once, naming user, the first to use it).
//
// The index compiles each distinct document once and names it after the
// first node holding it. Nodes sharing a document get their own renamed
// copy here, so that explanations name the node a principal reached.
func (b *builder) policy(n index.NodeID, user string) *policy.Compiled {
	if c := b.named[n]; c != nil {
		return c
	}
	id := b.nodes[n].ID
	shared := b.ix.Compiled(n)
	if shared == nil {
		if !b.unusable[n] {
			b.unusable[n] = true
			b.warnf("%s: policy %s has no usable document (unresolved or invalid); left out of every layer", user, id)
		}
		return nil
	}
	c := shared
	if shared.Name != id {
		c = shared.Renamed(id)
	}
	b.named[n] = c
	return c
}

// policies returns the policies n reaches by edges of kind k, nil if none.
func (b *builder) policies(n index.NodeID, k index.EdgeKindID, out []*policy.Compiled) []*policy.Compiled {
	for _, p := range b.ix.Out(n, k) {
		if c := b.policy(p, b.nodes[n].ID); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// compileDoc compiles doc as name, parsing and compiling each distinct
// text once.
func (b *builder) compileDoc(name, doc string) (*policy.Compiled, error) {
	if c, ok := b.docs[doc]; ok {
		return c.Renamed(name), nil
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return nil, err
	}
	c, err := policy.Compile(name, p)
	if err != nil {
		return nil, err
	}
	b.docs[doc] = c
	return c, nil
}

// identity records user or role n: its policies, its account and the
// condition keys it brings.
func (b *builder) identity(n index.NodeID) {
	nd := b.nodes[n]
	p := &principal{id: nd.ID, caller: nd.ID, acct: b.env.accounts[nd.Account]}
	p.identity = b.policies(n, index.Attached, nil)
	if nd.Kind == graph.KindUser {
		for _, g := range b.ix.Out(n, index.MemberOf) {
			p.identity = b.policies(g, index.Attached, p.identity)
		}
	}
	if len(b.ix.Out(n, index.Boundary)) > 0 {
		// A boundary that cannot be read still bounds: an empty, non-nil
		// layer allows nothing.
		p.boundary = b.policies(n, index.Boundary, []*policy.Compiled{})
	}
	arn := cmp.Or(nd.ARN, nd.ID)
	key := nameKey{account: nd.Account, name: nd.Name}
	if nd.Kind == graph.KindRole {
		// A role acts through a session; aws:PrincipalArn of a session is
		// the role's ARN with its path, which the session ARN lacks.
		p.caller = "arn:" + arnPart(arn, 1) + ":sts::" + nd.Account + ":assumed-role/" + nd.Name + "/permgraph"
		p.ctx = append(p.ctx, kv{"aws:principalarn", []string{arn}})
		b.env.roles[key] = p
		b.trust(n, arn)
	} else {
		b.env.users[key] = p
		b.env.resources[arn] = &resource{account: nd.Account, acct: p.acct, ctx: b.resourceCtx(nd, p.acct)}
	}
	if p.acct != nil {
		p.ctx = append(p.ctx, p.acct.ctxPrin...)
	}
	for _, t := range nd.Tags {
		p.ctx = append(p.ctx, kv{strings.ToLower("aws:PrincipalTag/" + t.Key), []string{t.Value}})
	}
	b.env.byARN[arn] = p
}

// trust records role n as the resource of sts:AssumeRole*, its trust
// policy as the resource policy.
func (b *builder) trust(n index.NodeID, arn string) {
	nd := b.nodes[n]
	r := &resource{account: nd.Account, acct: b.env.accounts[nd.Account], trust: true}
	r.ctx = b.resourceCtx(nd, r.acct)
	if nd.Identity != nil && nd.Identity.TrustPolicy != "" {
		c, err := b.compileDoc(nd.ID+"#trust", nd.Identity.TrustPolicy)
		if err != nil {
			b.warnf("%s: trust policy: %v; no one can assume the role", nd.ID, err)
		}
		r.policy = c
	}
	b.env.resources[arn] = r
}

// resource records resource node n with its resource policy: the policy
// node it has (HasPolicy), else the document on the node itself.
func (b *builder) resource(n index.NodeID) {
	nd := b.nodes[n]
	acct := cmp.Or(nd.Account, arnPart(nd.ID, 4))
	r := &resource{account: acct, acct: b.env.accounts[acct]}
	r.ctx = b.resourceCtx(nd, r.acct)
	if ps := b.ix.Out(n, index.HasPolicy); len(ps) > 0 {
		r.policy = b.policy(ps[0], nd.ID)
	} else if nd.Resource != nil && nd.Resource.Policy != "" {
		c, err := b.compileDoc(nd.ID+"#policy", nd.Resource.Policy)
		if err != nil {
			b.warnf("%s: resource policy: %v; left out", nd.ID, err)
		}
		r.policy = c
	}
	b.env.resources[cmp.Or(nd.ARN, nd.ID)] = r
}

func (b *builder) resourceCtx(nd *graph.Node, acct *account) []kv {
	var ctx []kv
	for _, t := range nd.Tags {
		ctx = append(ctx, kv{strings.ToLower("aws:ResourceTag/" + t.Key), []string{t.Value}})
	}
	if acct != nil {
		ctx = append(ctx, acct.ctxRes...)
	}
	return ctx
}

// external records a principal outside the snapshot's identities that the
// snapshot names: an external ARN or account, a service, an identity
// provider. Its identity side is empty.
func (b *builder) external(nd *graph.Node) {
	p := &principal{id: nd.ID}
	switch {
	case nd.Kind == graph.KindServicePrincipal:
		p.caller = nd.Name
		b.env.services[strings.ToLower(nd.Name)] = p
	case strings.HasPrefix(nd.ID, "federated/"):
		p.caller = nd.Name
		b.env.services[strings.ToLower(nd.Name)] = p
	case strings.HasPrefix(nd.ID, "account/") && nd.Account != "":
		p.caller = "arn:aws:iam::" + nd.Account + ":root"
		b.env.byARN[p.caller] = p
	case nd.ARN != "":
		p.caller = nd.ARN
		b.env.byARN[nd.ARN] = p
	}
}

// arnPart returns field i (0 "arn", 1 partition, 2 service, 3 region,
// 4 account, 5 resource) of an ARN, or "" if s has no such field.
func arnPart(s string, i int) string {
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	for range i {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if i == 5 {
		return s
	}
	if j := strings.IndexByte(s, ':'); j >= 0 {
		return s[:j]
	}
	return ""
}
