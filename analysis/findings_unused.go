package analysis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/permgraph/permgraph/graph"
)

// ErrBadLookback is returned by [ParseLookback] for a window it cannot
// read or that is not positive.
var ErrBadLookback = errors.New("analysis: lookback must be a positive number of days (90d) or a Go duration (720h)")

// ParseLookback reads a lookback window: a number of days ("90d") or a Go
// duration ("2160h", "36h30m").
func ParseLookback(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", ErrBadLookback, s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%w: %q", ErrBadLookback, s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%w: %q", ErrBadLookback, s)
	}
	return d, nil
}

// UnusedOptions tune [UnusedPrivileges].
type UnusedOptions struct {
	// Snapshot holds the last-accessed data (Identity.LastAccessed); it
	// must be the snapshot the Env was built from.
	Snapshot *graph.Snapshot
	// Now is the end of the window; zero means time.Now().
	Now time.Time
	// Since is the window's length; zero means [DefaultSince].
	Since time.Duration
	// Workers bounds the goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// UnusedPrivilege is one identity's privileged actions: those its policies
// allow, and those last-accessed data shows unused within the window.
type UnusedPrivilege struct {
	Principal string
	Allowed   []PrivilegedGrant // sorted by action
	Unused    []string          // actions of Allowed, sorted
}

// UnusedReport is the answer of [UnusedPrivileges].
type UnusedReport struct {
	// Identities lists the identities with at least one unused privileged
	// action, sorted by principal.
	Identities []UnusedPrivilege
	// Assessed counts the identities with last-accessed data; WithoutData
	// those without any, which are not assessed (nothing shows use or
	// disuse).
	Assessed, WithoutData int
}

// UnusedPrivileges finds, for every user and role of the snapshot (but
// service-linked roles, which AWS manages), the privileged actions it may
// use ([PrivilegedAllowed]) that its last-accessed data shows unused in
// the window (Now-Since, Now]:
//
//   - an action IAM tracks for its service (an entry in the service's
//     Actions) is used if its Last falls in the window;
//   - an action IAM does not track is used if its service's Last does
//     (IAM cannot tell which action of the service was used);
//   - an action whose service has no entry is unused: IAM reports every
//     service the identity's policies allow, so a missing one was not
//     used in IAM's tracking period.
func UnusedPrivileges(ctx context.Context, e *Env, opts UnusedOptions) (UnusedReport, error) {
	if opts.Snapshot == nil {
		return UnusedReport{}, errors.New("analysis: UnusedPrivileges: no snapshot")
	}
	now := cmp.Or(opts.Now, time.Now())
	cutoff := now.Add(-cmp.Or(opts.Since, DefaultSince))
	var rep UnusedReport
	var todo []*graph.Node
	for i := range opts.Snapshot.Nodes {
		n := &opts.Snapshot.Nodes[i]
		if n.Kind != graph.KindUser && n.Kind != graph.KindRole || n.Class == graph.ClassServiceLinked {
			continue
		}
		if n.Identity == nil || len(n.Identity.LastAccessed) == 0 {
			rep.WithoutData++
			continue
		}
		todo = append(todo, n)
	}
	rep.Assessed = len(todo)
	out := make([]UnusedPrivilege, len(todo))
	errs := make([]error, len(todo))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range cmp.Or(max(opts.Workers, 0), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range jobs {
				out[i], errs[i] = unusedOf(ctx, e, todo[i], cutoff)
			}
		})
	}
	for i := range todo {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return UnusedReport{}, err
	}
	for i, u := range out {
		if errs[i] != nil {
			return UnusedReport{}, fmt.Errorf("analysis: unused privileges of %s: %w", todo[i].ID, errs[i])
		}
		if len(u.Unused) > 0 {
			rep.Identities = append(rep.Identities, u)
		}
	}
	slices.SortFunc(rep.Identities, func(a, b UnusedPrivilege) int { return strings.Compare(a.Principal, b.Principal) })
	return rep, nil
}

// unusedOf assesses one identity that has last-accessed data.
func unusedOf(ctx context.Context, e *Env, n *graph.Node, cutoff time.Time) (UnusedPrivilege, error) {
	id := cmp.Or(n.ARN, n.ID)
	grants, err := PrivilegedAllowed(ctx, e, id)
	if err != nil {
		return UnusedPrivilege{}, err
	}
	u := UnusedPrivilege{Principal: id, Allowed: grants}
	for _, g := range grants {
		if !usedSince(n.Identity.LastAccessed, g.Action, cutoff) {
			u.Unused = append(u.Unused, g.Action)
		}
	}
	return u, nil
}

// usedSince reports whether last-accessed data la shows action used after
// cutoff (see [UnusedPrivileges] for the rules).
func usedSince(la []graph.ServiceAccess, action string, cutoff time.Time) bool {
	svc, _, _ := strings.Cut(action, ":")
	i := slices.IndexFunc(la, func(s graph.ServiceAccess) bool { return strings.EqualFold(s.Service, svc) })
	if i < 0 {
		return false
	}
	s := &la[i]
	if j := slices.IndexFunc(s.Actions, func(a graph.ActionAccess) bool { return strings.EqualFold(a.Action, action) }); j >= 0 {
		return s.Actions[j].Last.After(cutoff)
	}
	return s.Last.After(cutoff)
}

// unusedSample is how many action names a finding's detail lists.
const unusedSample = 5

// UnusedFindings turns a report into findings of kind
// [FindingUnusedPrivilege], one per identity: high from 20 unused
// privileged actions, medium from 5, low below. since is the window, for
// the detail.
func UnusedFindings(rep UnusedReport, since time.Duration) []Finding {
	out := make([]Finding, 0, len(rep.Identities))
	for _, u := range rep.Identities {
		n := len(u.Unused)
		sev := SeverityLow
		switch {
		case n >= 20:
			sev = SeverityHigh
		case n >= 5:
			sev = SeverityMedium
		}
		sample := strings.Join(u.Unused[:min(n, unusedSample)], ", ")
		if n > unusedSample {
			sample += fmt.Sprintf(", … (%d more)", n-unusedSample)
		}
		out = append(out, Finding{Kind: FindingUnusedPrivilege, Severity: sev, Principal: u.Principal, Path: []Step{},
			Detail: fmt.Sprintf("%d of %d allowed privileged actions unused in %s: %s", n, len(u.Allowed), formatLookback(since), sample)})
	}
	return out
}

// formatLookback writes a window in days when it is whole days.
func formatLookback(d time.Duration) string {
	d = cmp.Or(d, DefaultSince)
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
