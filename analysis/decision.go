package analysis

import "github.com/permgraph/permgraph/analysis/policy"

// Decision is the answer to one request: allow, explicit-deny,
// implicit-deny or conditional, the context keys a conditional answer
// depends on, and the reasons. Each reason's Policy is the graph node ID
// of the policy that decided ("<role-arn>#trust" for a trust policy).
type Decision struct {
	Decision       policy.Decision
	MissingContext []string
	Explanation    []policy.Reason
}

// MarshalJSON writes {"decision","missing_context","explanation"}, the
// shape "permgraph can" prints for policy files.
func (d Decision) MarshalJSON() ([]byte, error) {
	return policy.Result{Decision: d.Decision, MissingContext: d.MissingContext, Explanation: d.Explanation}.MarshalJSON()
}

// Result returns d as a policy.Result, for code that prints results.
func (d Decision) Result() policy.Result {
	return policy.Result{Decision: d.Decision, MissingContext: d.MissingContext, Explanation: d.Explanation}
}
