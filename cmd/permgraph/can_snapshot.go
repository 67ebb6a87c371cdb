package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
	"github.com/spf13/cobra"
)

const canSnapshotHelp = `

Against a snapshot:
  permgraph can [--data DIR] [--snapshot ID] PRINCIPAL ACTION RESOURCE [--context KEY=VALUE ...]
decides the request against the policies of a stored snapshot (the current
one unless --snapshot says otherwise): the principal's identity policies,
those of its groups, its permissions boundary, the SCPs from the root to its
account, the resource's policy (a role's trust policy for sts:AssumeRole*),
the RCPs of the resource's account. PRINCIPAL is a user or role ARN, a
session of a role (arn:aws:sts::A:assumed-role/ROLE/SESSION), an account
root, a service principal, or an external principal the snapshot names; a
role is evaluated as a session of itself. Condition keys the graph knows
(aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths,
aws:PrincipalTag/*, aws:ResourceOrgID, aws:ResourceOrgPaths,
aws:ResourceTag/*, ...) are filled in unless --context sets them.
Explanations name policies by their graph node ID. The policy-file flags
cannot be combined with this form.`

// canSnapshotFlags are the flags of "can" against a stored snapshot.
type canSnapshotFlags struct {
	data, snapshot string
}

func addCanSnapshotFlags(cmd *cobra.Command, f *canSnapshotFlags) {
	addDataFlag(cmd, &f.data)
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "with PRINCIPAL ACTION RESOURCE: the snapshot to query (default: the current one)")
}

// usesSnapshot reports whether the command line asks for the snapshot form.
func usesSnapshot(cmd *cobra.Command, args []string) bool {
	return len(args) > 0 || cmd.Flags().Changed("data") || cmd.Flags().Changed("snapshot")
}

// canFileFlags are the flags of the policy-file form.
var canFileFlags = []string{"principal", "action", "resource", "resource-account", "management-account",
	"identity-policy", "boundary", "session-policy", "resource-policy", "scp", "rcp", "batch"}

func runCanSnapshot(ctx context.Context, cmd *cobra.Command, g *globals, sf *canSnapshotFlags, f *canFlags, args []string) error {
	var bad []string
	for _, name := range canFileFlags {
		if cmd.Flags().Changed(name) {
			bad = append(bad, "--"+name)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("PRINCIPAL ACTION RESOURCE query a snapshot, whose policies come from the store; remove %s", strings.Join(bad, ", "))
	}
	if len(args) != 3 {
		return fmt.Errorf("can against a snapshot takes PRINCIPAL ACTION RESOURCE, got %d argument(s)", len(args))
	}
	extra, err := contextMapFlags(f.context)
	if err != nil {
		return err
	}
	e, err := loadEnv(g, sf)
	if err != nil {
		return err
	}
	d, err := analysis.Can(ctx, e, analysis.CanQuery{Principal: args[0], Action: args[1], Resource: args[2],
		Context: extra, Complete: f.contextComplete})
	if errors.Is(err, analysis.ErrUnknownPrincipal) {
		return fmt.Errorf("%w (permgraph can takes a user, role or session ARN of the snapshot, an account root, or a service principal)", err)
	}
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, d)
	}
	res := d.Result()
	return printResultTable(g, &res)
}

// contextMapFlags turns KEY=VALUE flags into condition keys, as
// parseContextFlags does (a repeated key is multi-valued, in any case).
func contextMapFlags(flags []string) (map[string][]string, error) {
	c, err := parseContextFlags(flags)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(flags))
	for _, k := range c.Keys() {
		out[k], _ = c.Lookup(k)
	}
	return out, nil
}

// loadSnapshot opens the store read-only and loads the snapshot the flags
// name (the current one by default).
func loadSnapshot(g *globals, sf *canSnapshotFlags) (_ *graph.Snapshot, err error) {
	dir, err := dataDir(sf.data)
	if err != nil {
		return nil, err
	}
	st, err := openStore(g, dir, true)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	id, err := resolveSnapshot(st, cmp.Or(sf.snapshot, "current"))
	if err != nil {
		return nil, err
	}
	snap, err := st.Load(id)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	return snap, nil
}

// loadSnapshotEnv loads the snapshot the flags name and builds its index
// and analysis Env, logging what they left out: one warning line, the
// details at info level, since the same gaps show in every query.
func loadSnapshotEnv(g *globals, sf *canSnapshotFlags) (*graph.Snapshot, *analysis.Env, error) {
	snap, err := loadSnapshot(g, sf)
	if err != nil {
		return nil, nil, err
	}
	id := string(snap.Meta.ID)
	ix, err := index.Build(snap, index.DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	e, err := analysis.NewEnv(snap, ix)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	for _, w := range ix.Warnings() {
		g.log.Info().Err(w).Str("snapshot", id).Msg("policy left out")
	}
	for _, w := range e.Warnings() {
		g.log.Info().Str("snapshot", id).Str("warning", w).Msg("snapshot data incomplete")
	}
	if n := len(ix.Warnings()) + len(e.Warnings()); n > 0 {
		g.log.Warn().Str("snapshot", id).Int("warnings", n).
			Msg("snapshot data incomplete; --log-level info lists what was left out or assumed")
	}
	return snap, e, nil
}

// loadEnv is loadSnapshotEnv for callers that need only the Env.
func loadEnv(g *globals, sf *canSnapshotFlags) (*analysis.Env, error) {
	_, e, err := loadSnapshotEnv(g, sf)
	return e, err
}
