package analysis

import (
	"context"

	"github.com/permgraph/permgraph/analysis/policy"
)

// CanQuery is one request: can Principal do Action on Resource?
type CanQuery struct {
	Principal string // an ARN or service principal name; see [Env.Request]
	Action    string // "service:Action"
	Resource  string // an ARN, or "*"
	// Context holds condition keys (any case) with their values; keys the
	// graph knows are added unless given here.
	Context map[string][]string
	// Complete says that keys not in Context are absent, as in a real
	// request, rather than unknown: the answer is then never conditional.
	Complete bool
}

// Can decides q against the snapshot of e, the way AWS would, with the
// statements that decided. It fails with [ErrUnknownPrincipal] for a
// principal the snapshot does not know and with policy.ErrInvalidRequest
// for a malformed action or resource.
func Can(ctx context.Context, e *Env, q CanQuery) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, err
	}
	req, set, err := e.Request(q.Principal, q.Action, q.Resource, q.Context, q.Complete)
	if err != nil {
		return Decision{}, err
	}
	res := policy.Evaluate(req, set)
	return Decision{Decision: res.Decision, MissingContext: res.MissingContext, Explanation: res.Explanation}, nil
}
