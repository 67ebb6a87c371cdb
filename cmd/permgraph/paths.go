package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const pathsLong = `paths finds how principal FROM comes to act as TO over the derived edges of
a stored snapshot (CanAssume, CanInvoke): the shortest path, and up to --max
simple paths, shortest first. TO is a principal ARN, or ACTION:RESOURCE
(s3:GetObject:arn:aws:s3:::bucket/key) for every principal that can do it
directly. A path through a conditional edge, or to a conditional holder, is
conditional, with the conditions listed.

-o json prints {"from","to","shortest","paths":[{"decision","conditions",
"target","steps":[{"from","to","edge","method","evidence"}]}]}.`

func newPathsCmd(g *globals) *cobra.Command {
	var (
		sf  canSnapshotFlags
		max int
	)
	cmd := &cobra.Command{
		Use:   "paths [--data DIR] [--snapshot ID] FROM TO [--max N]",
		Short: "Find the paths by which a principal reaches another, or a permission",
		Long:  pathsLong,
		Example: `  permgraph paths arn:aws:iam::111122223333:user/dev arn:aws:iam::111122223333:role/admin
  permgraph paths --max 5 arn:aws:iam::111122223333:user/dev 'iam:CreateUser:*' -o json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPaths(cmd.Context(), g, &sf, args[0], args[1], max)
		},
	}
	addSnapshotQueryFlags(cmd, &sf)
	cmd.Flags().IntVar(&max, "max", 10, "list up to N simple paths (0: the shortest only)")
	return cmd
}

func runPaths(ctx context.Context, g *globals, sf *canSnapshotFlags, from, to string, max int) error {
	e, err := loadEnv(g, sf)
	if err != nil {
		return err
	}
	d, err := analysis.Derive(ctx, e, analysis.DeriveOptions{})
	if err != nil {
		return err
	}
	res, err := analysis.Paths(ctx, e, d, from, to, max)
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	t := newTable(g.stdout, "#", "DECISION", "HOPS", "PATH", "CONDITIONS")
	row := func(name string, p analysis.DerivedPath) {
		t.row(name, p.Decision, strconv.Itoa(len(p.Steps)), from+" "+dash(stepsText(p.Steps)), dash(strings.Join(p.Conditions, ",")))
	}
	if res.Shortest == nil {
		t.row("-", "none", "-", "no path", "-")
		return t.flush()
	}
	row("shortest", *res.Shortest)
	for i, p := range res.Paths {
		row(strconv.Itoa(i+1), p)
	}
	return t.flush()
}
