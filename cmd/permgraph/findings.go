package main

import (
	"context"
	"fmt"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const findingsLong = `findings reports the problems of a stored snapshot (the current one unless
--snapshot says otherwise), most severe first:

  privilege-escalation      an identity that can gain admin-equivalent power,
                            with the shortest path: CanEscalate edges of the
                            privilege-escalation catalog (CreatePolicyVersion,
                            PassRole with a compute service, ...) and the
                            derived CanAssume and CanInvoke edges. method names
                            the catalog method of the first escalation step.
                            critical, or high when a step holds only under
                            conditions (listed in detail). Identities that
                            already hold full access are not reported.
  agent-privileged-reach    an identity of class ai-agent that reaches, itself
                            or over derived edges, admin-equivalent power
                            (method admin-equivalent, critical), an identity
                            allowed privileged actions (privileged-actions,
                            high) or another account (cross-account, medium).
  management-account-reach  an identity outside the management account that
                            reaches an identity in it (critical for an admin
                            there, else high), or whose policies allow
                            sts:AssumeRole on its OrganizationAccountAccessRole
                            when that role is not in the snapshot (medium).
  unused-privilege          an identity allowed privileged (Permissions
                            management) actions that its last-accessed data
                            shows unused in the --since window before --now:
                            high from 20 actions, medium from 5, else low.
                            Identities without last-accessed data are not
                            assessed; the log counts them.

A conditional path or grant lowers the severity by one. Findings are sorted
by severity, then kind, then principal.

-o json prints {"findings":[{"kind","severity","principal","method","target",
"path":[{"from","to","edge"}],"detail"}]}.`

// findingsFlags are the flags of "findings".
type findingsFlags struct {
	snap  canSnapshotFlags
	since string
	now   string
}

func newFindingsCmd(g *globals) *cobra.Command {
	var f findingsFlags
	cmd := &cobra.Command{
		Use:   "findings [--data DIR] [--snapshot ID] [--since 90d] [--now TIME]",
		Short: "Report privilege escalation, AI agents' reach, unused privilege and reach into the management account",
		Long:  findingsLong,
		Example: `  permgraph findings
  permgraph findings --since 30d -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFindings(cmd.Context(), g, &f)
		},
	}
	addSnapshotQueryFlags(cmd, &f.snap)
	cmd.Flags().StringVar(&f.since, "since", "90d", "lookback window of unused privilege: days (90d) or a Go duration (720h)")
	cmd.Flags().StringVar(&f.now, "now", "", "RFC 3339 time the window ends and requests are made at (default: when the snapshot was taken)")
	return cmd
}

// findingsReport is the JSON output of "findings".
type findingsReport struct {
	Findings []analysis.Finding `json:"findings"`
}

func runFindings(ctx context.Context, g *globals, f *findingsFlags) error {
	since, err := analysis.ParseLookback(f.since)
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	var now time.Time
	if f.now != "" {
		if now, err = time.Parse(time.RFC3339, f.now); err != nil {
			return fmt.Errorf("--now: %w", err)
		}
	}
	snap, e, err := loadSnapshotEnv(g, &f.snap)
	if err != nil {
		return err
	}
	if now.IsZero() {
		now = snap.Meta.Created
	}
	res, err := analysis.Findings(ctx, e, analysis.FindingsOptions{Snapshot: snap, Now: now, Since: since})
	if err != nil {
		return err
	}
	if n := res.Unused.WithoutData; n > 0 {
		g.log.Info().Int("identities", n).Int("assessed", res.Unused.Assessed).
			Msg("no last-accessed data: unused privilege not assessed")
	}
	rep := findingsReport{Findings: res.Findings}
	if rep.Findings == nil {
		rep.Findings = []analysis.Finding{}
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, rep)
	}
	t := newTable(g.stdout, "SEVERITY", "KIND", "PRINCIPAL", "METHOD", "TARGET", "STEPS", "DETAIL")
	for _, fd := range rep.Findings {
		t.row(fd.Severity, fd.Kind, fd.Principal, dash(fd.Method), dash(fd.Target), fmt.Sprint(len(fd.Path)), fd.Detail)
	}
	return t.flush()
}
