package analysis

import (
	"context"
	"slices"
	"strings"
	"sync"

	actioncatalog "github.com/permgraph/permgraph/analysis/catalog"
	"github.com/permgraph/permgraph/analysis/policy"
)

// privilegedIDs are the ids of the catalog's privileged actions, as
// [BlastPrivileged] defines them (the one definition the analyses share:
// Permissions management, destructive writes, iam:PassRole), computed once.
var privilegedIDs = sync.OnceValue(func() map[int]bool {
	c := actioncatalog.Embedded()
	ids := map[int]bool{}
	for id := range c.Len() {
		if BlastPrivileged(c.ActionByID(id)) {
			ids[id] = true
		}
	}
	return ids
})

// PrivilegedGrant is one privileged action an identity may use, with the
// best decision over the resources tried.
type PrivilegedGrant struct {
	Action   string          // "iam:AttachRolePolicy", in the catalog's case
	Decision policy.Decision // Allowed or Conditional
	Resource string          // the resource it was allowed on: "*" or a pattern of the allowing statement
}

// privilegedProbes bounds the resources tried per action.
const privilegedProbes = 3

// PrivilegedAllowed returns the privileged actions ([BlastPrivileged])
// principal (a user or role ARN) may use, sorted by action. Candidates are the privileged
// actions that an Allow statement of its identity policies names (Action
// patterns expanded through the catalog; NotAction as everything else it
// does not name), less those an identity-policy Deny on Resource "*"
// without conditions names. Each candidate is then decided by the engine,
// with SCPs and the boundary, on "*" and on the Resource patterns of the
// statements that allow it (a pattern stands for the resources it
// matches; patterns with policy variables are left out): a few
// representative resources, not every resource of the snapshot.
func PrivilegedAllowed(ctx context.Context, e *Env, principal string) ([]PrivilegedGrant, error) {
	p, _, err := e.principal(principal)
	if err != nil {
		return nil, err
	}
	probes, denied := privilegedCandidates(p.identity)
	ids := make([]int, 0, len(probes))
	for id := range probes {
		if !denied[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	c := actioncatalog.Embedded()
	var out []PrivilegedGrant
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a := c.ActionByID(id).String()
		g := PrivilegedGrant{Action: a, Decision: policy.ImplicitDeny}
		for _, r := range probes[id] {
			req, set, err := e.Request(principal, a, r, nil, false)
			if err != nil {
				return nil, err
			}
			if d := policy.Evaluate(req, set).Decision; passes(d) && g.Decision != policy.Allowed {
				g.Decision, g.Resource = d, r
			}
		}
		if passes(g.Decision) {
			out = append(out, g)
		}
	}
	return out, nil
}

// privilegedCandidates returns, per privileged action id some Allow
// statement of ps grants, the resources to try it on, and the ids an
// unconditional Deny on "*" takes away.
func privilegedCandidates(ps []*policy.Compiled) (map[int][]string, map[int]bool) {
	c := actioncatalog.Embedded()
	priv := privilegedIDs()
	probes := map[int][]string{}
	denied := map[int]bool{}
	for _, cp := range ps {
		if cp == nil || cp.Source == nil {
			continue
		}
		for i := range cp.Source.Statements {
			s := &cp.Source.Statements[i]
			var ids []int
			if len(s.NotAction) > 0 {
				ids = c.NotMatchIDs(s.NotAction)
			} else {
				for _, pat := range s.Action {
					ids = append(ids, c.MatchIDs(pat)...)
				}
			}
			if s.Effect == policy.Deny {
				if len(s.Condition) == 0 && slices.Contains(s.Resource, "*") {
					for _, id := range ids {
						denied[id] = true
					}
				}
				continue
			}
			res := privilegedProbeResources(s)
			for _, id := range ids {
				if !priv[id] {
					continue
				}
				for _, r := range res {
					if len(probes[id]) < privilegedProbes && !slices.Contains(probes[id], r) {
						probes[id] = append(probes[id], r)
					}
				}
			}
		}
	}
	return probes, denied
}

// privilegedProbeResources returns the resources an Allow statement is tried on.
func privilegedProbeResources(s *policy.Statement) []string {
	out := []string{"*"}
	for _, r := range s.Resource {
		if r != "*" && !strings.Contains(r, "${") && len(out) < privilegedProbes {
			out = append(out, r)
		}
	}
	return out
}
