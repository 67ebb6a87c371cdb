package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const chokepointsLong = `chokepoints finds the edges and identities of a stored snapshot whose removal
cuts the most paths from non-admin identities to tier zero, the identities
with admin-equivalent power: fix one trust policy instead of fifty roles.

Paths run over the derived CanAssume, CanInvoke and CanEscalate edges, and end
at the first tier-zero identity they meet. cuts counts the (source, tier-zero)
pairs that lose every path when the element is removed (exact: from each
source's dominator tree); paths_through those with a shortest path through it.
An edge stands for every derived edge between its two identities. An identity's
own paths are not counted against it. Sorted by cuts, then paths_through.

-o json prints {"chokepoints":[{"kind":"edge|identity","from","to","edge",
"identity","cuts","paths_through","sources":[...]}],"tier_zero","sources",
"pairs"}, where sources lists a sample of the sources cut.`

// chokepointsFlags are the flags of "chokepoints".
type chokepointsFlags struct {
	snap canSnapshotFlags
	top  int
}

func newChokepointsCmd(g *globals) *cobra.Command {
	var f chokepointsFlags
	cmd := &cobra.Command{
		Use:     "chokepoints [--data DIR] [--snapshot ID] [--top N]",
		Short:   "Find the edges and identities that most paths to admin-equivalent power go through",
		Long:    chokepointsLong,
		Example: `  permgraph chokepoints --top 5 -o json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runChokepoints(cmd.Context(), g, &f)
		},
	}
	addSnapshotQueryFlags(cmd, &f.snap)
	cmd.Flags().IntVar(&f.top, "top", 10, "list the N first chokepoints (0: all)")
	return cmd
}

func runChokepoints(ctx context.Context, g *globals, f *chokepointsFlags) error {
	snap, e, err := loadSnapshotEnv(g, &f.snap)
	if err != nil {
		return err
	}
	esc, err := analysis.Escalations(ctx, e, analysis.EscalationOptions{Snapshot: snap, Now: snap.Meta.Created})
	if err != nil {
		return err
	}
	d, err := analysis.Derive(ctx, e, analysis.DeriveOptions{Kinds: []analysis.EdgeKind{analysis.CanAssume, analysis.CanInvoke}})
	if err != nil {
		return err
	}
	if d, err = d.With(esc); err != nil {
		return err
	}
	res, err := analysis.Chokepoints(ctx, e, d, analysis.ChokepointOptions{Top: max(f.top, 0)})
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	t := newTable(g.stdout, "KIND", "CUTS", "THROUGH", "ELEMENT", "SOURCE")
	for _, c := range res.Chokepoints {
		el := c.Identity
		if c.Kind == analysis.ChokepointEdge {
			el = c.From + " -" + c.Edge + "-> " + c.To
		}
		src := "-"
		if len(c.Sources) > 0 {
			src = c.Sources[0]
		}
		if len(c.Sources) > 1 {
			src += fmt.Sprintf(" (+%d in the sample)", len(c.Sources)-1)
		}
		t.row(c.Kind, strconv.Itoa(c.Cuts), strconv.Itoa(c.PathsThrough), el, src)
	}
	if err := t.flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(g.stdout, "\ntier zero %d, sources %d, pairs %d\n", res.TierZero, res.Sources, res.Pairs)
	return err
}
