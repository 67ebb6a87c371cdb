package main

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/spf13/cobra"
)

const ingestAWSLong = `"ingest aws" reads an AWS organization live, as "collect aws" does (see
"permgraph collect aws --help"), and writes it to the store as a new
snapshot, which becomes current: the same snapshot as "collect aws --out DIR"
then "ingest DIR", except that accounts that could not be read are recorded
in the snapshot as missing, and what was left out as warnings.

A bundle directory named "aws" is ingested as "permgraph ingest ./aws".`

func newIngestAWSCmd(g *globals) *cobra.Command {
	f := &ingestFlags{}
	af := &awsFlags{}
	cmd := &cobra.Command{
		Use:   "aws",
		Short: "Read an AWS organization live into a new graph snapshot",
		Long:  ingestAWSLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIngestAWS(cmd.Context(), g, f, af)
		},
	}
	addDataFlag(cmd, &f.data)
	addAWSFlags(cmd, af)
	f.addFlags(cmd)
	return cmd
}

func runIngestAWS(ctx context.Context, g *globals, f *ingestFlags, af *awsFlags) (err error) {
	dir, rules, err := f.prepare()
	if err != nil {
		return err
	}
	col, err := af.collect(ctx, g)
	if err != nil {
		return err
	}
	b, err := col.Bundle(bundle.Options{SkipInvalid: f.skipInvalid})
	if err != nil {
		return err
	}
	bars := newProgress(g)
	snap, err := ingest.Build(b, ingest.Options{
		Rules: rules, Source: col.Source(), Created: time.Now().UTC(),
		Progress: func(_ string, done, total int) { bars.step("accounts", done, total) },
	})
	if err != nil {
		return err
	}
	snap.Meta.MissingAccounts = col.MissingIDs()
	snap.Meta.Warnings = slices.Sorted(slices.Values(slices.Concat(snap.Meta.Warnings, col.Warnings)))

	opts := graph.DefaultOptions(dir).WithRetention(f.retention).WithLogger(g.log).
		WithProgress(func(p graph.Progress) { bars.step("writing", p.Written, p.Total) })
	st, err := graph.Open(opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	id, err := st.Write(ctx, snap)
	if err != nil {
		return err
	}
	snap.Meta.ID = id
	newCollectSummary(col, "").print(g.stderr)
	e := newSnapshotEntry(&snap.Meta, id)
	if g.output == outputJSON {
		return printJSON(g.stdout, e)
	}
	return printSnapshots(g, []snapshotEntry{e})
}
