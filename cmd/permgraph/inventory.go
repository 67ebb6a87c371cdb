package main

import (
	"context"
	"fmt"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const inventoryLong = `inventory lists every user and role of a stored snapshot (the current one
unless --snapshot says otherwise) with its class, account, the number of
privileged actions it is allowed itself, how many identities it reaches,
whether it holds or reaches admin-equivalent power, and its blast-radius
score (see permgraph blast-radius --help). Every identity's blast radius is
computed, in parallel.

--sort orders by score (the default, highest first), privileged (highest
first), arn, class or account; --class keeps one class (human, workload,
ai-agent, ci, third-party, service-linked).

-o json prints {"identities":[{"arn","kind","class","account",
"privileged_actions","reachable","admin","score"}]}.`

// inventoryFlags are the flags of "inventory".
type inventoryFlags struct {
	blast blastFlags
	sort  string
	class string
}

func newInventoryCmd(g *globals) *cobra.Command {
	var f inventoryFlags
	cmd := &cobra.Command{
		Use:   "inventory [--data DIR] [--snapshot ID] [--sort score|privileged|arn|class|account] [--class CLASS]",
		Short: "List every identity with its class, account, privileged actions and blast-radius score",
		Long:  inventoryLong,
		Example: `  permgraph inventory --class ai-agent
  permgraph inventory --sort privileged -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInventory(cmd.Context(), g, &f)
		},
	}
	addBlastFlags(cmd, &f.blast)
	cmd.Flags().StringVar(&f.sort, "sort", "score", "order: score|privileged|arn|class|account")
	cmd.Flags().StringVar(&f.class, "class", "", "only identities of this class")
	return cmd
}

func runInventory(ctx context.Context, g *globals, f *inventoryFlags) error {
	switch f.sort {
	case "score", "privileged", "arn", "class", "account":
	default:
		return fmt.Errorf("--sort %q: %w", f.sort, analysis.ErrBadSort)
	}
	e, d, opts, err := f.blast.load(ctx, g)
	if err != nil {
		return err
	}
	res, err := analysis.Inventory(ctx, e, d, analysis.InventoryOptions{BlastOptions: opts, Class: f.class, Sort: f.sort})
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	t := newTable(g.stdout, "IDENTITY", "CLASS", "ACCOUNT", "PRIVILEGED", "REACHABLE", "ADMIN", "SCORE")
	for _, id := range res.Identities {
		t.row(id.ARN, dash(id.Class), id.Account, fmt.Sprint(id.PrivilegedActions), fmt.Sprint(id.Reachable),
			dash(id.Admin), fmt.Sprintf("%.1f", id.Score))
	}
	return t.flush()
}
