package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/graph"
	"github.com/spf13/cobra"
)

const diffLong = `diff compares two snapshots of the store, A then B, and lists the users,
groups, roles and policies, and the MemberOf, Attached, Boundary and Trusts
edges, added (+), removed (-) or changed (~) from A to B. A changed node
lists the fields that differ; a policy's "document" is its default version's,
compared as JSON. Last-used and last-accessed data are not compared.

A and B are snapshot ids as "permgraph snapshots" lists them (leading zeros
may be left out) or "current". With -o json it prints
{"from", "to", "added": [...], "removed": [...], "changed": [...]}.`

func newDiffCmd(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Show what changed between two snapshots",
		Long:  diffLong,
		Args:  cobra.ExactArgs(2),
		RunE:  func(_ *cobra.Command, args []string) error { return runDiff(g, dir, args[0], args[1]) },
	}
	addDataFlag(cmd, &dir)
	return cmd
}

func runDiff(g *globals, flag, a, b string) (err error) {
	dir, err := dataDir(flag)
	if err != nil {
		return err
	}
	st, err := openStore(g, dir, true)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	var snaps [2]*graph.Snapshot
	for i, arg := range []string{a, b} {
		id, err := resolveSnapshot(st, arg)
		if err != nil {
			return err
		}
		if snaps[i], err = st.Load(id); err != nil {
			return err
		}
	}
	d := graph.Compare(snaps[0], snaps[1])
	if g.output == outputJSON {
		return printJSON(g.stdout, d)
	}
	return printDiff(g, &d)
}

func printDiff(g *globals, d *graph.Diff) error {
	if len(d.Added)+len(d.Removed)+len(d.Changed) == 0 {
		_, err := fmt.Fprintf(g.stdout, "no differences between snapshots %s and %s\n", d.From, d.To)
		return err
	}
	t := newTable(g.stdout, "CHANGE", "KIND", "ID", "FIELDS")
	for _, l := range []struct {
		mark    string
		changes []graph.Change
	}{{"+", d.Added}, {"-", d.Removed}, {"~", d.Changed}} {
		for _, c := range l.changes {
			t.row(l.mark, c.Kind, c.ID, strings.Join(c.Fields, ","))
		}
	}
	return t.flush()
}
