package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const canWhatLong = `can-what lists what PRINCIPAL can do in a stored snapshot (the current one
unless --snapshot says otherwise): every action its identity policies may
allow, on the Resource patterns that allow it, and every action a resource
policy or a role's trust policy grants it, each decided the way
"permgraph can" decides one request (SCPs, boundary, denies). Grants that
depend on context keys the graph does not know are conditional and list the
keys (pass --context and --context-complete to decide them).

A pattern stands for the resources it names: a Deny on part of them does not
show. A pattern whose account is a wildcard is shown in the principal's own
account.

-o json prints {"principal","permissions":[{"service","access_level",
"resource","actions","decision","missing_context"}]}, sorted by service,
access level, resource and decision.`

// canWhatFlags are the flags of "can-what".
type canWhatFlags struct {
	snap            canSnapshotFlags
	context         []string
	contextComplete bool
}

func newCanWhatCmd(g *globals) *cobra.Command {
	var f canWhatFlags
	cmd := &cobra.Command{
		Use:   "can-what [--data DIR] [--snapshot ID] PRINCIPAL",
		Short: "List a principal's effective permissions by service, access level and resource",
		Long:  canWhatLong,
		Example: `  permgraph can-what arn:aws:iam::111122223333:role/agent
  permgraph can-what -o json arn:aws:iam::111122223333:user/alice`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCanWhat(cmd.Context(), g, &f, args[0])
		},
	}
	addSnapshotQueryFlags(cmd, &f.snap)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.context, "context", nil, "condition key as KEY=VALUE (repeat a key for several values)")
	fl.BoolVar(&f.contextComplete, "context-complete", false, "treat context keys not given as absent rather than unknown")
	return cmd
}

func runCanWhat(ctx context.Context, g *globals, f *canWhatFlags, principal string) error {
	extra, err := contextMapFlags(f.context)
	if err != nil {
		return err
	}
	e, err := loadEnv(g, &f.snap)
	if err != nil {
		return err
	}
	res, err := analysis.CanWhat(ctx, e, principal, analysis.CanWhatOptions{Context: extra, Complete: f.contextComplete})
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	t := newTable(g.stdout, "SERVICE", "ACCESS LEVEL", "RESOURCE", "DECISION", "ACTIONS")
	for _, p := range res.Permissions {
		dec := p.Decision
		if len(p.MissingContext) > 0 {
			dec += " (" + strings.Join(p.MissingContext, ", ") + ")"
		}
		t.row(p.Service, p.AccessLevel, p.Resource, dec, actionsText(p.Actions))
	}
	return t.flush()
}

// actionsText writes up to three actions, then how many more there are.
func actionsText(actions []string) string {
	const shown = 3
	if len(actions) <= shown {
		return strings.Join(actions, " ")
	}
	return fmt.Sprintf("%s … (%d actions)", strings.Join(actions[:shown], " "), len(actions))
}
