package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
	"github.com/spf13/cobra"
)

const findingsLong = `findings reports the problems of a stored snapshot (the current one unless
--snapshot says otherwise). Today it reports one kind:

  privilege-escalation  an identity that can gain admin-equivalent power,
                        with the shortest path: CanEscalate edges of the
                        privilege-escalation catalog (CreatePolicyVersion,
                        PassRole with a compute service, UpdateAssumeRolePolicy,
                        CreateAccessKey on another user, ...) and the derived
                        CanAssume and CanInvoke edges. principal starts the
                        path, method names the catalog method of its first
                        escalation step, target is where it ends. critical
                        when every step is allowed, high when a step holds
                        only under conditions (listed in detail).

Identities that already hold full access are not reported.

-o json prints {"findings":[{"kind","severity","principal","method","target",
"path":[{"from","to","edge"}],"detail"}]}, sorted by principal.`

// findingsFlags are the flags of "findings".
type findingsFlags struct {
	snap canSnapshotFlags
}

func newFindingsCmd(g *globals) *cobra.Command {
	var f findingsFlags
	cmd := &cobra.Command{
		Use:     "findings [--data DIR] [--snapshot ID]",
		Short:   "Report privilege-escalation paths to admin-equivalent power",
		Long:    findingsLong,
		Example: `  permgraph findings -o json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFindings(cmd.Context(), g, &f)
		},
	}
	addSnapshotQueryFlags(cmd, &f.snap)
	return cmd
}

// findingsReport is the JSON output of "findings".
type findingsReport struct {
	Findings []analysis.Finding `json:"findings"`
}

func runFindings(ctx context.Context, g *globals, f *findingsFlags) error {
	snap, e, err := loadSnapshotEnv(g, &f.snap)
	if err != nil {
		return err
	}
	edges, err := analysis.Escalations(ctx, e, analysis.EscalationOptions{Snapshot: snap, Now: snap.Meta.Created})
	if err != nil {
		return err
	}
	d, err := analysis.Derive(ctx, e, analysis.DeriveOptions{Kinds: []analysis.EdgeKind{analysis.CanAssume, analysis.CanInvoke}})
	if err != nil {
		return err
	}
	paths, err := analysis.EscalationPaths(ctx, e, append(edges, d.Edges...))
	if err != nil {
		return err
	}
	rep := findingsReport{Findings: analysis.EscalationFindings(paths)}
	if g.output == outputJSON {
		return printJSON(g.stdout, rep)
	}
	t := newTable(g.stdout, "SEVERITY", "KIND", "PRINCIPAL", "METHOD", "TARGET", "STEPS")
	for _, fd := range rep.Findings {
		t.row(fd.Severity, fd.Kind, fd.Principal, dash(fd.Method), dash(fd.Target), fmt.Sprint(len(fd.Path)))
	}
	return t.flush()
}

// loadSnapshotEnv is loadEnv that also returns the snapshot, whose facts
// (instance profiles, console passwords, policy versions) the escalation
// rules read.
func loadSnapshotEnv(g *globals, sf *canSnapshotFlags) (_ *graph.Snapshot, _ *analysis.Env, err error) {
	dir, err := dataDir(sf.data)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(g, dir, true)
	if err != nil {
		return nil, nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	id, err := resolveSnapshot(st, cmp.Or(sf.snapshot, "current"))
	if err != nil {
		return nil, nil, err
	}
	snap, err := st.Load(id)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	ix, err := index.Build(snap, index.DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	e, err := analysis.NewEnv(snap, ix)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	if n := len(ix.Warnings()) + len(e.Warnings()); n > 0 {
		g.log.Warn().Str("snapshot", string(id)).Int("warnings", n).
			Msg("snapshot data incomplete; permgraph can --log-level info lists what was left out or assumed")
	}
	return snap, e, nil
}
