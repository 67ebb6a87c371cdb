package policy

import (
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/analysis/catalog"
)

// unknownActions lists actions and services the catalog does not know, as
// AWS's policy validator warns about them: such a statement is legal but
// grants or denies nothing today.
func unknownActions(p *Policy) []string {
	cat := catalog.Embedded()
	var warns []string
	for i := range p.Statements {
		s := &p.Statements[i]
		elem, acts := "Action", s.Action
		if s.NotAction != nil {
			elem, acts = "NotAction", s.NotAction
		}
		for _, a := range acts {
			if a == "*" {
				continue
			}
			svc, _, _ := strings.Cut(a, ":")
			switch {
			case strings.ContainsAny(svc, "*?"):
			case !cat.ServiceExists(svc):
				warns = append(warns, fmt.Sprintf("Statement[%d].%s: unknown service %q", i, elem, svc))
			case !strings.ContainsAny(a, "*?") && !cat.Exists(a):
				warns = append(warns, fmt.Sprintf("Statement[%d].%s: unknown action %q", i, elem, a))
			}
		}
	}
	return warns
}
