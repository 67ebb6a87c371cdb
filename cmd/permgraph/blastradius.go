package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/spf13/cobra"
)

const blastRadiusLong = `blast-radius shows everything PRINCIPAL can reach and do in a stored
snapshot (the current one unless --snapshot says otherwise):

  reachable   the identities it comes to act as over derived edges
              (CanAssume, CanInvoke, and CanEscalate from the
              privilege-escalation catalog), each with its path and the
              evidence of every step; a path through a conditional edge
              is conditional and lists the context keys
  actions     the distinct actions of the union of the effective
              permissions (as can-what finds them) of the principal and of
              every identity it reaches: privileged (Permissions
              management; Delete*, Terminate*, Destroy*, Purge*,
              Put*Policy, Schedule*Deletion writes; iam:PassRole), write,
              read, and how many hold only under conditions
  resources   the snapshot's resources those permissions reach
  privileged_unused
              privileged actions allowed that no identity holding them used
              within --since, by last-accessed data (action level where
              IAM tracks the action, service level otherwise); those whose
              holders have no data are counted as privileged_usage_unknown,
              and last_accessed says how much of the reach has data
  score       0 to 100, log-scaled: 10 per privileged, 3 per write, 1 per
              read action, growing with resources and reach; an
              administrator of a mid-sized account scores about 100
  top         the critical findings first: admin reach, management-account
              reach, cross-account reach, unused privilege

--since takes days ("90d") or a Go duration ("720h"); the window ends at
--now (RFC 3339), by default when the snapshot was taken.`

// blastFlags are the flags shared by "blast-radius" and "inventory".
type blastFlags struct {
	snap  canSnapshotFlags
	since lookbackFlag
	now   string
}

func addBlastFlags(cmd *cobra.Command, f *blastFlags) {
	addSnapshotQueryFlags(cmd, &f.snap)
	f.since = lookbackFlag(analysis.DefaultSince)
	cmd.Flags().Var(&f.since, "since", `lookback window for unused privilege: days ("90d") or a Go duration`)
	cmd.Flags().StringVar(&f.now, "now", "", "end of the lookback window, RFC 3339 (default: when the snapshot was taken)")
}

// options loads the snapshot and its derived edges and returns what a
// blast radius needs.
func (f *blastFlags) load(ctx context.Context, g *globals) (*analysis.Env, *analysis.Derived, analysis.BlastOptions, error) {
	opts := analysis.BlastOptions{Since: time.Duration(f.since)}
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return nil, nil, opts, fmt.Errorf("--now: %w", err)
		}
		opts.Now = t
	}
	snap, e, err := loadSnapshotEnv(g, &f.snap)
	if err != nil {
		return nil, nil, opts, err
	}
	opts.Snapshot = snap
	d, err := analysis.Derive(ctx, e, analysis.DeriveOptions{})
	if err != nil {
		return nil, nil, opts, err
	}
	return e, d, opts, nil
}

func newBlastRadiusCmd(g *globals) *cobra.Command {
	var f blastFlags
	cmd := &cobra.Command{
		Use:   "blast-radius [--data DIR] [--snapshot ID] PRINCIPAL [--since 90d]",
		Short: "Show everything a principal can reach and do, scored, critical findings first",
		Long:  blastRadiusLong,
		Example: `  permgraph blast-radius arn:aws:iam::111122223333:role/agent
  permgraph blast-radius --since 30d -o json arn:aws:iam::111122223333:user/alice`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBlastRadius(cmd.Context(), g, &f, args[0])
		},
	}
	addBlastFlags(cmd, &f)
	return cmd
}

func runBlastRadius(ctx context.Context, g *globals, f *blastFlags, principal string) error {
	e, d, opts, err := f.load(ctx, g)
	if err != nil {
		return err
	}
	res, err := analysis.BlastRadius(ctx, e, d, principal, opts)
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, res)
	}
	w := g.stdout
	fmt.Fprintf(w, "principal  %s (%s, account %s)\n", res.Principal, dash(res.Class), res.Account)
	fmt.Fprintf(w, "score      %.1f\n", res.Score)
	if res.Admin != "" {
		fmt.Fprintf(w, "admin      %s\n", res.Admin)
	}
	fmt.Fprintf(w, "actions    %d privileged, %d write, %d read (%d conditional)\n",
		res.Actions.Privileged, res.Actions.Write, res.Actions.Read, res.Actions.Conditional)
	fmt.Fprintf(w, "resources  %d\n", res.Resources)
	fmt.Fprintf(w, "unused     %d privileged action(s) not used in %s, %d unknown (last-accessed data: %s)\n\n",
		res.PrivilegedUnused, res.Since, res.PrivilegedUsageUnknown, res.LastAccessed)
	t := newTable(w, "SEVERITY", "FINDING", "DETAIL")
	for _, fd := range res.Top {
		t.row(fd.Severity, fd.Kind, fd.Detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t = newTable(w, "REACHABLE", "CLASS", "DECISION", "ADMIN", "PATH")
	for _, r := range res.Reachable {
		t.row(r.ARN, dash(r.Class), r.Decision, dash(r.Admin), stepsText(r.Path))
	}
	return t.flush()
}

// lookbackFlag is a duration flag that also takes days: "90d".
type lookbackFlag time.Duration

func (l *lookbackFlag) String() string {
	d := time.Duration(*l)
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

func (l *lookbackFlag) Type() string { return "duration" }

func (l *lookbackFlag) Set(s string) error {
	d, err := parseLookback(s)
	if err != nil {
		return err
	}
	*l = lookbackFlag(d)
	return nil
}

// errLookback is returned for a --since that is neither days nor a
// positive Go duration.
var errLookback = errors.New(`must be a number of days ("90d") or a positive Go duration ("720h")`)

// parseLookback reads "90d" or a Go duration.
func parseLookback(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, errLookback
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errLookback
	}
	return d, nil
}
