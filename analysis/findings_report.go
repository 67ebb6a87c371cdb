package analysis

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/permgraph/permgraph/graph"
)

// FindingsOptions tune [Findings].
type FindingsOptions struct {
	// Snapshot is the snapshot the Env was built from: the escalation
	// rules read its facts, unused privilege its last-accessed data.
	Snapshot *graph.Snapshot
	// Now is the time requests are made at and the end of the lookback
	// window; zero means time.Now().
	Now time.Time
	// Since is the lookback window of unused privilege; zero means
	// [DefaultSince].
	Since time.Duration
	// Workers bounds the goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// FindingsReport is the answer of [Findings].
type FindingsReport struct {
	// Findings are sorted by [SortFindings].
	Findings []Finding
	// Derived holds the derived edges the findings were computed on
	// (CanAssume, CanInvoke and CanEscalate), for further queries.
	Derived *Derived
	// Unused is the unused-privilege assessment; Unused.WithoutData counts
	// the identities that have no last-accessed data and so no such
	// finding.
	Unused UnusedReport
}

// Findings runs every findings analysis on e's snapshot: privilege
// escalation ([EscalationPaths], [EscalationFindings]), AI agents' reach
// ([AgentReachFindings]), unused privileged permissions
// ([UnusedPrivileges], [UnusedFindings]) and reach into the management
// account ([ManagementReachFindings]).
func Findings(ctx context.Context, e *Env, opts FindingsOptions) (FindingsReport, error) {
	if opts.Snapshot == nil {
		return FindingsReport{}, errors.New("analysis: Findings: no snapshot")
	}
	now := cmp.Or(opts.Now, time.Now())
	esc, err := Escalations(ctx, e, EscalationOptions{Snapshot: opts.Snapshot, Now: now, Workers: opts.Workers})
	if err != nil {
		return FindingsReport{}, err
	}
	d0, err := Derive(ctx, e, DeriveOptions{Kinds: []EdgeKind{CanAssume, CanInvoke}, Workers: opts.Workers})
	if err != nil {
		return FindingsReport{}, err
	}
	// The escalation edges come first, so that among paths of equal length
	// the one naming a catalog method is found.
	paths, err := EscalationPaths(ctx, e, append(esc, d0.Edges...))
	if err != nil {
		return FindingsReport{}, err
	}
	d, err := d0.With(esc)
	if err != nil {
		return FindingsReport{}, err
	}
	rep := FindingsReport{Derived: d, Findings: EscalationFindings(paths)}
	agents, err := AgentReachFindings(ctx, e, d)
	if err != nil {
		return FindingsReport{}, err
	}
	mgmt, err := ManagementReachFindings(ctx, e, d)
	if err != nil {
		return FindingsReport{}, err
	}
	rep.Unused, err = UnusedPrivileges(ctx, e, UnusedOptions{Snapshot: opts.Snapshot, Now: now, Since: opts.Since, Workers: opts.Workers})
	if err != nil {
		return FindingsReport{}, err
	}
	rep.Findings = append(rep.Findings, agents...)
	rep.Findings = append(rep.Findings, mgmt...)
	rep.Findings = append(rep.Findings, UnusedFindings(rep.Unused, opts.Since)...)
	SortFindings(rep.Findings)
	return rep, nil
}
