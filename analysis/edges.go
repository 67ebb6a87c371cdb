package analysis

import "github.com/permgraph/permgraph/analysis/policy"

// EdgeKind names a derived edge: a fact computed from policies, never
// stored in a snapshot (DESIGN.md §1).
type EdgeKind string

// The derived edge kinds.
const (
	// CanAssume: From can obtain a session of role To (sts:AssumeRole,
	// AssumeRoleWithWebIdentity or AssumeRoleWithSAML), allowed on the
	// identity side and by To's trust policy.
	CanAssume EdgeKind = "CanAssume"
	// CanPassRole: From can pass role To to a service (iam:PassRole), the
	// first half of most PassRole escalations.
	CanPassRole EdgeKind = "CanPassRole"
	// CanEscalate: From can gain To's power by a privilege-escalation
	// method of the catalog (Edge.Method names it).
	CanEscalate EdgeKind = "CanEscalate"
	// CanInvoke: From can make To act (lambda:InvokeFunction on a function
	// whose execution role is To, bedrock:InvokeAgent on an agent whose
	// service role is To, ssm:SendCommand to an instance whose profile
	// holds To).
	CanInvoke EdgeKind = "CanInvoke"
)

// Edge is one derived edge with the evidence that proves it. From and To
// are graph node IDs (ARNs for identities).
type Edge struct {
	From string   `json:"from"`
	To   string   `json:"to"`
	Kind EdgeKind `json:"edge"`
	// Method names how, for CanEscalate ("iam:CreatePolicyVersion") and
	// CanInvoke ("lambda:InvokeFunction"); empty otherwise.
	Method string `json:"method,omitempty"`
	// Decision is policy.Allowed, or policy.Conditional when some request
	// behind the edge depends on context the graph does not know; a
	// conditional edge keeps every path through it conditional.
	Decision policy.Decision `json:"-"`
	Evidence []Evidence      `json:"evidence"`
}

// Conditional reports whether the edge holds only under conditions.
func (e *Edge) Conditional() bool { return e.Decision == policy.Conditional }

// Evidence is one request that an edge rests on, with its decision and the
// statements that decided it (each Reason.Policy is a graph node ID).
type Evidence struct {
	Principal      string          `json:"principal"`
	Action         string          `json:"action"`
	Resource       string          `json:"resource"`
	Decision       string          `json:"decision"`
	MissingContext []string        `json:"missing_context,omitempty"`
	Reasons        []policy.Reason `json:"reasons"`
}
