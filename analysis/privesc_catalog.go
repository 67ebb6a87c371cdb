package analysis

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// methodsJSON is the privilege-escalation catalog: data, not code. Its
// note says where its facts come from and what each field may hold.
//
//go:embed privesc/methods.json
var methodsJSON []byte

// EscalationMethod is one privilege-escalation method of the catalog.
type EscalationMethod struct {
	// ID names the method in CanEscalate edges and findings: its actions
	// joined by "+", e.g. "iam:PassRole+ec2:RunInstances".
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"` // self-escalation, principal-access, new-passrole, existing-passrole
	// Principals limits the method to users or roles ("User", "Role");
	// empty for both.
	Principals []string `json:"principals,omitempty"`
	// Target is what the method gains: "admin" (any permission, for the
	// principal itself), "$target-user", "$target-role", or
	// "$role-trusted-by:SERVICE[,SERVICE…]" (each such identity of the
	// principal's account).
	Target   string            `json:"target"`
	Requires []PermissionCheck `json:"requires"`
	// Prerequisites are facts beyond permissions: "instance-profile",
	// "login-profile", "no-login-profile", "other-policy-version",
	// "not-member", "group-grants-admin", or "existing:WHAT" for a resource
	// the graph does not show (the edge is then conditional).
	Prerequisites []string `json:"prerequisites,omitempty"`
	// DominatedBy names a method that gains the same target with a subset
	// of these permissions: no edge is emitted when that one holds.
	DominatedBy string `json:"dominated_by,omitempty"`
	// Edge names the derived edge kind another analysis computes for this
	// method (sts:AssumeRole is a CanAssume edge); Escalations skips it.
	Edge          EdgeKind `json:"edge,omitempty"`
	Pathfinding   []string `json:"pathfinding"`
	Rhino         int      `json:"rhino,omitempty"`
	IAMVulnerable []string `json:"iam_vulnerable,omitempty"`
	Note          string   `json:"note,omitempty"`
}

// PermissionCheck is one request a method needs allowed. Resource is "*",
// "$self", "$target", "$new-role", "$policy-attached-to-self",
// "$policy-attached-to-target", "$group-of-self" or "$group"; a Context
// value "$service" stands for the service the target role trusts.
type PermissionCheck struct {
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context,omitempty"`
}

// The targets, resource patterns and prerequisites of the catalog.
const (
	targetAdmin        = "admin"
	targetUser         = "$target-user"
	targetRole         = "$target-role"
	targetTrustedBy    = "$role-trusted-by:"
	resSelf            = "$self"
	resTarget          = "$target"
	resNewRole         = "$new-role"
	resPolicyOfSelf    = "$policy-attached-to-self"
	resPolicyOfTarget  = "$policy-attached-to-target"
	resGroupOfSelf     = "$group-of-self"
	resGroup           = "$group"
	ctxService         = "$service"
	prereqExisting     = "existing:"
	prereqProfile      = "instance-profile"
	prereqLogin        = "login-profile"
	prereqNoLogin      = "no-login-profile"
	prereqOtherVersion = "other-policy-version"
	prereqNotMember    = "not-member"
	prereqGroupAdmin   = "group-grants-admin"
)

// Services returns the services of a "$role-trusted-by:" target, nil for
// other targets.
func (m *EscalationMethod) Services() []string {
	s, ok := strings.CutPrefix(m.Target, targetTrustedBy)
	if !ok {
		return nil
	}
	return strings.Split(s, ",")
}

// appliesTo reports whether the method applies to a principal of kind
// ("User" or "Role").
func (m *EscalationMethod) appliesTo(kind string) bool {
	return len(m.Principals) == 0 || slices.Contains(m.Principals, kind)
}

// ranging reports whether a resource pattern stands for several policies
// or groups, of which one must pass.
func ranging(pattern string) bool {
	switch pattern {
	case resPolicyOfSelf, resPolicyOfTarget, resGroupOfSelf, resGroup:
		return true
	}
	return false
}

// existential returns the method's ranging resource pattern, "" if none.
func (m *EscalationMethod) existential() string {
	for _, c := range m.Requires {
		if ranging(c.Resource) {
			return c.Resource
		}
	}
	return ""
}

var catalog = sync.OnceValues(func() ([]EscalationMethod, error) {
	var doc struct {
		Methods []EscalationMethod `json:"methods"`
	}
	if err := json.Unmarshal(methodsJSON, &doc); err != nil {
		return nil, fmt.Errorf("analysis: privesc/methods.json: %w", err)
	}
	if err := checkCatalog(doc.Methods); err != nil {
		return nil, fmt.Errorf("analysis: privesc/methods.json: %w", err)
	}
	return doc.Methods, nil
})

// EscalationCatalog returns the privilege-escalation catalog, in its
// file's order. The slice is the caller's; the methods' slices are shared.
func EscalationCatalog() []EscalationMethod {
	ms, err := catalog()
	if err != nil {
		panic(err) // a broken invariant: the embedded file is checked by the tests
	}
	return slices.Clone(ms)
}

// checkCatalog rejects what Escalations could not apply.
func checkCatalog(ms []EscalationMethod) error {
	ids := map[string]bool{}
	for i, m := range ms {
		at := fmt.Sprintf("methods[%d] %q", i, m.ID)
		if m.ID == "" || ids[m.ID] {
			return fmt.Errorf("%s: empty or repeated id", at)
		}
		ids[m.ID] = true
		switch {
		case m.Target == targetAdmin, m.Target == targetUser, m.Target == targetRole:
		case strings.HasPrefix(m.Target, targetTrustedBy) && len(m.Target) > len(targetTrustedBy):
		default:
			return fmt.Errorf("%s: unknown target %q", at, m.Target)
		}
		if len(m.Requires) == 0 {
			return fmt.Errorf("%s: requires no permission", at)
		}
		for j, c := range m.Requires {
			if !strings.Contains(c.Action, ":") {
				return fmt.Errorf("%s: requires[%d]: action %q", at, j, c.Action)
			}
			switch {
			case c.Resource == "*", c.Resource == resSelf, c.Resource == resNewRole, c.Resource == resPolicyOfSelf,
				c.Resource == resGroupOfSelf, c.Resource == resGroup:
			case c.Resource == resTarget || c.Resource == resPolicyOfTarget:
				if m.Target == targetAdmin {
					return fmt.Errorf("%s: requires[%d]: %s with target admin", at, j, c.Resource)
				}
			default:
				return fmt.Errorf("%s: requires[%d]: unknown resource %q", at, j, c.Resource)
			}
			if ranging(c.Resource) && c.Resource != m.existential() {
				return fmt.Errorf("%s: requires[%d]: a second ranging resource pattern", at, j)
			}
		}
		for _, p := range m.Prerequisites {
			switch {
			case p == prereqProfile, p == prereqLogin, p == prereqNoLogin, p == prereqOtherVersion,
				p == prereqNotMember, p == prereqGroupAdmin, strings.HasPrefix(p, prereqExisting):
			default:
				return fmt.Errorf("%s: unknown prerequisite %q", at, p)
			}
		}
	}
	for _, m := range ms {
		if m.DominatedBy != "" && !ids[m.DominatedBy] {
			return fmt.Errorf("method %q: dominated_by names no method: %q", m.ID, m.DominatedBy)
		}
	}
	return nil
}
