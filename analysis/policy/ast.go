package policy

// Effect is a statement's Effect element.
type Effect uint8

const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Invalid"
}

// Policy is a parsed IAM policy document. It keeps what was written (case,
// order) so that it can be written back; [Compile] normalises.
type Policy struct {
	Version    string // "" when absent
	ID         string // the Id element
	Statements []Statement
	// SingleStatement records that Statement was written as an object,
	// not a list, so that the document re-serialises in the same shape.
	SingleStatement bool
}

// Statement is one element of a policy's Statement list. Of each pair
// (Principal/NotPrincipal, Action/NotAction, Resource/NotResource) at most
// one is set; a nil slice means the element is absent.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // sorted by operator, then key (JSON objects are unordered)
}

// Principal is a Principal or NotPrincipal element. Wildcard is the bare
// string "*"; the slices hold the typed forms ({"AWS": ...}).
type Principal struct {
	Wildcard      bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one (operator, key) pair of a Condition block with its values.
// Operator and Key are kept as written; matching of both is case-insensitive
// for the key and exact for the operator, as AWS does.
type Condition struct {
	Operator string   // e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // e.g. "aws:PrincipalTag/team"
	Values   []string // JSON numbers and booleans are kept as their literal text
}
