package main

import (
	"context"
	"strings"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const whoCanLong = `who-can lists every user and role that can perform ACTION on RESOURCE in a
stored snapshot (the current one unless --snapshot says otherwise), decided
the way "permgraph can" decides one request: allow, or conditional when the
grant depends on context keys not known (pass --context and
--context-complete to decide them).

With --transitive it also lists the principals that reach a direct holder
through derived edges (CanAssume, CanInvoke), each with its path; a path
through a conditional edge, or to a conditional holder, is conditional.

-o json prints {"principals":[{"arn","class","decision","path"}]}, sorted by
ARN; path is [] for a direct holder, else the edges
[{"from","to","edge","method","evidence"}] from the principal to the holder.`

// whoCanFlags are the flags of "who-can".
type whoCanFlags struct {
	snap            canSnapshotFlags
	transitive      bool
	context         []string
	contextComplete bool
}

func newWhoCanCmd(g *globals) *cobra.Command {
	var f whoCanFlags
	cmd := &cobra.Command{
		Use:   "who-can [--data DIR] [--snapshot ID] ACTION RESOURCE [--transitive]",
		Short: "List the principals that can perform an action on a resource",
		Long:  whoCanLong,
		Example: `  permgraph who-can s3:GetObject arn:aws:s3:::prod-data/report.csv
  permgraph who-can --transitive iam:CreateUser '*' -o json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWhoCan(cmd.Context(), g, &f, args[0], args[1])
		},
	}
	addSnapshotQueryFlags(cmd, &f.snap)
	fl := cmd.Flags()
	fl.BoolVar(&f.transitive, "transitive", false, "also list principals that reach a holder through derived edges, with the path")
	fl.StringArrayVar(&f.context, "context", nil, "condition key as KEY=VALUE (repeat a key for several values)")
	fl.BoolVar(&f.contextComplete, "context-complete", false, "treat context keys not given as absent rather than unknown")
	return cmd
}

// addSnapshotQueryFlags adds --data and --snapshot, for the queries of a
// stored snapshot.
func addSnapshotQueryFlags(cmd *cobra.Command, f *canSnapshotFlags) {
	addDataFlag(cmd, &f.data)
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "the snapshot to query (default: the current one)")
}

func runWhoCan(ctx context.Context, g *globals, f *whoCanFlags, action, resource string) error {
	extra, err := contextMapFlags(f.context)
	if err != nil {
		return err
	}
	e, err := loadEnv(g, &f.snap)
	if err != nil {
		return err
	}
	var d *analysis.Derived
	if f.transitive {
		if d, err = analysis.Derive(ctx, e, analysis.DeriveOptions{Context: extra, Complete: f.contextComplete}); err != nil {
			return err
		}
	}
	res, err := analysis.WhoCan(ctx, e, d, analysis.WhoCanQuery{Action: action, Resource: resource,
		Transitive: f.transitive, Context: extra, Complete: f.contextComplete})
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	t := newTable(g.stdout, "PRINCIPAL", "CLASS", "DECISION", "PATH")
	for _, p := range res.Principals {
		t.row(p.ARN, dash(p.Class), p.Decision, dash(stepsText(p.Path)))
	}
	return t.flush()
}

// stepsText writes a path as "-CanAssume-> B -CanInvoke(lambda:InvokeFunction)-> C".
func stepsText(steps []analysis.Edge) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("-" + string(s.Kind))
		if s.Method != "" {
			b.WriteString("(" + s.Method + ")")
		}
		if s.Conditional() {
			b.WriteString("?")
		}
		b.WriteString("-> " + s.To)
	}
	return b.String()
}
