package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
)

// Finding is one problem the findings report lists, in the shape of
// "permgraph findings -o json".
type Finding struct {
	Kind      string `json:"kind"`     // FindingPrivilegeEscalation, …
	Severity  string `json:"severity"` // critical, high, medium, low
	Principal string `json:"principal"`
	Method    string `json:"method,omitempty"`
	Target    string `json:"target,omitempty"`
	Path      []Step `json:"path"`
	Detail    string `json:"detail"`
}

// Step is one edge of a finding's path.
type Step struct {
	From string `json:"from"`
	To   string `json:"to"`
	Edge string `json:"edge"`
}

// The kinds of findings.
const (
	// FindingPrivilegeEscalation is a path from an identity to
	// admin-equivalent power ([EscalationFindings]).
	FindingPrivilegeEscalation = "privilege-escalation"
	// FindingAgentPrivilegedReach is an AI agent that reaches
	// admin-equivalent power, privileged actions or another account
	// ([AgentReachFindings]).
	FindingAgentPrivilegedReach = "agent-privileged-reach"
	// FindingUnusedPrivilege is an identity allowed privileged actions that
	// last-accessed data shows unused ([UnusedFindings]).
	FindingUnusedPrivilege = "unused-privilege"
	// FindingManagementAccountReach is an identity outside the management
	// account that reaches an identity in it, or may assume a role there
	// ([ManagementReachFindings]).
	FindingManagementAccountReach = "management-account-reach"
)

// The severities of findings, most severe first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
)

var severityOrder = []string{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// SortFindings sorts findings by severity (critical first), then kind,
// principal, target and method.
func SortFindings(fs []Finding) {
	rank := func(s string) int {
		if i := slices.Index(severityOrder, s); i >= 0 {
			return i
		}
		return len(severityOrder)
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(rank(a.Severity), rank(b.Severity)), strings.Compare(a.Kind, b.Kind),
			strings.Compare(a.Principal, b.Principal), strings.Compare(a.Target, b.Target), strings.Compare(a.Method, b.Method))
	})
}

// EscalationFindings turns paths to admin into findings: the principal
// starts the path, the method is the catalog method of its first
// CanEscalate edge (or the first edge's method or kind when it has none),
// the target is where the path ends. A path over allowed edges only is
// critical, a conditional one high.
func EscalationFindings(paths []AdminPath) []Finding {
	out := make([]Finding, 0, len(paths))
	for _, p := range paths {
		f := Finding{Kind: FindingPrivilegeEscalation, Severity: SeverityCritical, Principal: p.Principal,
			Target: p.Path[len(p.Path)-1].To, Path: make([]Step, 0, len(p.Path))}
		if p.Decision == policy.Conditional {
			f.Severity = SeverityHigh
		}
		var how, missing []string
		for _, ed := range p.Path {
			f.Path = append(f.Path, Step{From: ed.From, To: ed.To, Edge: string(ed.Kind)})
			m := ed.Method
			if m == "" {
				m = string(ed.Kind)
			}
			if f.Method == "" && ed.Kind == CanEscalate {
				f.Method = ed.Method
			}
			how = append(how, m+" → "+ed.To)
			for _, ev := range ed.Evidence {
				for _, k := range ev.MissingContext {
					if !slices.Contains(missing, k) {
						missing = append(missing, k)
					}
				}
			}
		}
		if f.Method == "" {
			f.Method = cmpOrMethod(p.Path[0])
		}
		f.Detail = "gains admin-equivalent power: " + strings.Join(how, ", then ")
		if len(missing) > 0 {
			f.Detail += "; only if: " + strings.Join(missing, "; ")
		}
		out = append(out, f)
	}
	return out
}

func cmpOrMethod(ed Edge) string {
	if ed.Method != "" {
		return ed.Method
	}
	if ed.Kind == CanAssume {
		return "sts:AssumeRole"
	}
	return string(ed.Kind)
}
