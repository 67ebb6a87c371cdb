package graph

import "time"

// NodeKind names what a [Node] stands for.
type NodeKind string

// The node kinds of the permission graph (DESIGN.md §1).
const (
	KindOrganization      NodeKind = "Organization"
	KindRoot              NodeKind = "Root"
	KindOU                NodeKind = "OU"
	KindAccount           NodeKind = "Account"
	KindUser              NodeKind = "User"
	KindGroup             NodeKind = "Group"
	KindRole              NodeKind = "Role"
	KindPolicy            NodeKind = "Policy"
	KindResource          NodeKind = "Resource"
	KindServicePrincipal  NodeKind = "ServicePrincipal"
	KindExternalPrincipal NodeKind = "ExternalPrincipal"
)

// NodeKinds lists every node kind, in a stable order.
var NodeKinds = []NodeKind{
	KindOrganization, KindRoot, KindOU, KindAccount, KindUser, KindGroup,
	KindRole, KindPolicy, KindResource, KindServicePrincipal, KindExternalPrincipal,
}

// EdgeKind names a stored fact linking two nodes. Derived edges (CanAssume,
// CanEscalate, …) belong to analysis and are never stored in a snapshot.
type EdgeKind string

// The stored edge kinds (DESIGN.md §1). The comment gives From → To.
const (
	EdgeMemberOf     EdgeKind = "MemberOf"     // User → Group
	EdgeAttached     EdgeKind = "Attached"     // User, Group, Role → Policy (managed or inline)
	EdgeBoundary     EdgeKind = "Boundary"     // User, Role → Policy used as permissions boundary
	EdgeInAccount    EdgeKind = "InAccount"    // User, Group, Role, Policy, Resource → Account
	EdgeChildOf      EdgeKind = "ChildOf"      // OU, Account → Root, OU; Root → Organization
	EdgePolicyTarget EdgeKind = "PolicyTarget" // SCP or RCP Policy → Root, OU, Account
	EdgeTrusts       EdgeKind = "Trusts"       // Role → any principal named in its trust policy
	EdgeHasPolicy    EdgeKind = "HasPolicy"    // Resource → its resource Policy
)

// EdgeKinds lists every stored edge kind, in a stable order.
var EdgeKinds = []EdgeKind{
	EdgeMemberOf, EdgeAttached, EdgeBoundary, EdgeInAccount,
	EdgeChildOf, EdgePolicyTarget, EdgeTrusts, EdgeHasPolicy,
}

// PolicyKind tells how a [Policy] applies.
type PolicyKind string

// Policy kinds. A permissions boundary is a managed policy reached through a
// [EdgeBoundary] edge, not a kind of its own.
const (
	PolicyManaged  PolicyKind = "managed"  // AWS or customer managed identity policy
	PolicyInline   PolicyKind = "inline"   // embedded in one user, group or role
	PolicySCP      PolicyKind = "scp"      // service control policy
	PolicyRCP      PolicyKind = "rcp"      // resource control policy
	PolicyResource PolicyKind = "resource" // a resource's own policy (bucket, key, queue, …)
)

// Node is one vertex of the graph. ID is unique within a snapshot and stable
// across snapshots of the same org: the ARN where there is one, otherwise a
// prefixed id such as "ou/ou-ab12-cdef5678", "root/r-ab12", "org/o-abc",
// "service/lambda.amazonaws.com".
//
// The fields after Class are set only for the kinds they concern. Empty and
// nil collections are equivalent: a stored snapshot loads them as nil.
type Node struct {
	ID      string   `json:"id"`
	Kind    NodeKind `json:"kind"`
	ARN     string   `json:"arn,omitempty"`
	Name    string   `json:"name,omitempty"`
	Account string   `json:"account,omitempty"` // the 12-digit account holding it
	Path    string   `json:"path,omitempty"`    // IAM path of users, groups, roles, policies
	Tags    []Tag    `json:"tags,omitempty"`
	Class   Class    `json:"class,omitempty"` // users and roles; see [Classifier]

	Identity *Identity `json:"identity,omitempty"` // User, Role
	Policy   *Policy   `json:"policy,omitempty"`   // Policy
	Resource *Resource `json:"resource,omitempty"` // Resource
}

// Tag is an AWS tag. Tags keep their source order.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Identity holds what users and roles carry beyond the common fields.
type Identity struct {
	// ConsolePassword is true for a user that can sign in to the console.
	ConsolePassword bool `json:"console_password,omitempty"`
	// TrustPolicy is a role's trust policy document as raw JSON.
	TrustPolicy string `json:"trust_policy,omitempty"`
	// MFA is true for a user with an active MFA device.
	MFA bool `json:"mfa,omitempty"`
	// AccessKeys are a user's access keys (at most two), active or not.
	AccessKeys []AccessKey `json:"access_keys,omitempty"`
	// LastUsed is when the identity last authenticated, as far as the source
	// says: a role's RoleLastUsed; a user's latest password or key use.
	LastUsed time.Time `json:"last_used,omitzero"`
	// LastAccessed is IAM's service last accessed data for the identity:
	// per service, and per tracked action, when it was last used.
	LastAccessed []ServiceAccess `json:"last_accessed,omitempty"`
	// InstanceProfiles are the ARNs of a role's instance profiles: an EC2
	// instance launched with one acts as the role.
	InstanceProfiles []string `json:"instance_profiles,omitempty"`
}

// AccessKey is the state of one of a user's access keys.
type AccessKey struct {
	Active      bool      `json:"active"`
	LastRotated time.Time `json:"last_rotated,omitzero"`
	LastUsed    time.Time `json:"last_used,omitzero"`
}

// ServiceAccess is when an identity last used a service, zero if not within
// IAM's tracking period, with the same for the service's tracked actions.
type ServiceAccess struct {
	Service string         `json:"service"` // namespace: "s3"
	Last    time.Time      `json:"last,omitzero"`
	Actions []ActionAccess `json:"actions,omitempty"`
}

// ActionAccess is when an identity last used an action ("s3:GetObject").
type ActionAccess struct {
	Action string    `json:"action"`
	Last   time.Time `json:"last,omitzero"`
}

// Policy holds a policy's kind and documents.
type Policy struct {
	Kind PolicyKind `json:"kind"`
	// DefaultVersionID names the version in force ("v3"); empty for policies
	// without versions (inline, SCP, RCP, resource), which have one version.
	DefaultVersionID string          `json:"default_version_id,omitempty"`
	Versions         []PolicyVersion `json:"versions,omitempty"`
	// Unresolved marks a managed policy that is attached or used as a
	// boundary but missing from the source: its documents are unknown.
	Unresolved bool `json:"unresolved,omitempty"`
}

// PolicyVersion is one version of a policy document.
type PolicyVersion struct {
	ID       string `json:"id,omitempty"`
	Document string `json:"document"` // raw JSON, decoded from URL encoding if needed
}

// Resource holds a resource's type and, if it has one, its resource policy.
// An ingest that also wants the policy as a node (to attach evidence to it)
// adds a [Policy] node of kind [PolicyResource] with the same document and a
// [EdgeHasPolicy] edge from the resource.
type Resource struct {
	Type   string `json:"type"`             // "s3:bucket", "kms:key", …
	Policy string `json:"policy,omitempty"` // raw JSON resource policy
}

// Edge is a stored fact: From and To are node IDs.
type Edge struct {
	From string   `json:"from"`
	To   string   `json:"to"`
	Kind EdgeKind `json:"kind"`
}

// SnapshotID names a committed snapshot in a [Store]. IDs increase with each
// write, so that ordering them orders snapshots by age.
type SnapshotID string

// Snapshot is one complete ingest: nodes, edges and what is known about how
// they were gathered. It is a plain value; a [Store] keeps snapshots.
type Snapshot struct {
	Meta  Meta   `json:"meta"`
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Meta describes a snapshot.
type Meta struct {
	ID              SnapshotID `json:"id"` // set by [Store.Write]
	Created         time.Time  `json:"created"`
	Source          string     `json:"source"` // "bundle:/path", "aws:o-abc", …
	Counts          Counts     `json:"counts"`
	Warnings        []string   `json:"warnings,omitempty"`
	MissingAccounts []string   `json:"missing_accounts,omitempty"` // accounts the ingest could not read
}

// Counts summarises a snapshot's contents.
type Counts struct {
	Accounts        int `json:"accounts"`
	OUs             int `json:"ous"`
	Users           int `json:"users"`
	Roles           int `json:"roles"`
	Groups          int `json:"groups"`
	ManagedPolicies int `json:"managed_policies"`
	InlinePolicies  int `json:"inline_policies"`
	Resources       int `json:"resources"`
	SCPs            int `json:"scps"`
	RCPs            int `json:"rcps"`
}

// Tally counts the snapshot's nodes by kind; unresolved managed policies
// are not counted. Ingest sets Meta.Counts with it.
func (s *Snapshot) Tally() Counts {
	var c Counts
	for i := range s.Nodes {
		n := &s.Nodes[i]
		switch n.Kind {
		case KindAccount:
			c.Accounts++
		case KindOU:
			c.OUs++
		case KindUser:
			c.Users++
		case KindRole:
			c.Roles++
		case KindGroup:
			c.Groups++
		case KindResource:
			c.Resources++
		case KindPolicy:
			c.tallyPolicy(n.Policy)
		}
	}
	return c
}

func (c *Counts) tallyPolicy(p *Policy) {
	if p == nil || p.Unresolved {
		return
	}
	switch p.Kind {
	case PolicyManaged:
		c.ManagedPolicies++
	case PolicyInline:
		c.InlinePolicies++
	case PolicySCP:
		c.SCPs++
	case PolicyRCP:
		c.RCPs++
	}
}
