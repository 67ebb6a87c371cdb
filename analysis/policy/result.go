package policy

// Decision is the outcome of an evaluation.
type Decision uint8

const (
	ImplicitDeny Decision = iota
	Allowed
	ExplicitDeny
	// Conditional means the outcome depends on context keys the request did
	// not supply; Result.MissingContext lists them.
	Conditional
)

// String returns the decision as the CLI and API print it.
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allow"
	case ExplicitDeny:
		return "explicit-deny"
	case Conditional:
		return "conditional"
	}
	return "implicit-deny"
}

// Layer names where a policy sits in the evaluation.
type Layer uint8

const (
	LayerIdentity Layer = iota + 1
	LayerBoundary
	LayerSession
	LayerResource
	LayerSCP
	LayerRCP
	LayerEndpoint
)

func (l Layer) String() string {
	switch l {
	case LayerIdentity:
		return "identity"
	case LayerBoundary:
		return "boundary"
	case LayerSession:
		return "session"
	case LayerResource:
		return "resource"
	case LayerSCP:
		return "scp"
	case LayerRCP:
		return "rcp"
	case LayerEndpoint:
		return "endpoint"
	}
	return "unknown"
}

// Reason is one line of an explanation: a statement that decided, or a layer
// that lacked an allow (then Policy, Sid and Statement are empty / -1).
type Reason struct {
	Layer     Layer
	Level     int    // SCP/RCP level, 0 = root; 0 elsewhere
	Policy    string // the policy's name as given to Compile
	Sid       string
	Statement int    // index in the policy's Statement list, -1 for a layer reason
	Effect    Effect // 0 for a layer reason
	// Conditional is set when the statement applies only if its conditions
	// on missing context keys hold.
	Conditional bool
	Message     string // e.g. "no statement allows the action", constant strings only
}

// Result is an evaluation's answer with its explanation.
type Result struct {
	Decision       Decision
	MissingContext []string // keys (as written in the policies) the outcome depends on
	Explanation    []Reason

	scratch evalState
}
