package synth

import (
	"github.com/permgraph/permgraph/ingest/bundle"

	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Size is how large a generated organization is.
type Size int

// Sizes, by accounts and identities (IAM users and roles).
const (
	S  Size = iota + 1 // 2 accounts (the management account and one member), ~300 identities
	M                  // 10 accounts, ~3,000 identities
	L                  // 50 accounts, ~25,000 identities
	XL                 // 200 accounts, ~100,000 identities
)

var sizeNames = []string{S: "S", M: "M", L: "L", XL: "XL"}

// ParseSize parses "S", "M", "L" or "XL" (in any case).
func ParseSize(s string) (Size, error) {
	for i, n := range sizeNames {
		if n != "" && strings.EqualFold(s, n) {
			return Size(i), nil
		}
	}
	return 0, fmt.Errorf("synth: size %q: must be one of S, M, L, XL", s)
}

func (s Size) String() string {
	if s < S || s > XL {
		return fmt.Sprintf("Size(%d)", int(s))
	}
	return sizeNames[s]
}

type sizeParams struct{ accounts, identities int }

func (s Size) params() sizeParams {
	switch s {
	case M:
		return sizeParams{10, 3_000}
	case L:
		return sizeParams{50, 25_000}
	case XL:
		return sizeParams{200, 100_000}
	}
	return sizeParams{2, 300}
}

// Per identity of an account: customer managed policies and resources.
const (
	policiesPerIdentity  = 0.85
	resourcesPerIdentity = 4.2
)

// Options control [Write].
type Options struct {
	Size Size
	Seed uint64
	// Force replaces an existing non-empty output directory.
	Force bool
	// Progress, if set, is called after each account is written, from one
	// goroutine at a time.
	Progress func(done, total int, accountID, accountName string)
}

// Stats counts what a bundle holds, summed over its accounts.
type Stats struct {
	Accounts         int // in organization.json
	AccountDirs      int // accounts/<id>/ directories (suspended accounts have none)
	OUs              int
	SCPs, RCPs       int
	Users, Groups    int
	Roles            int
	InstanceProfiles int
	// CustomerPolicies are customer managed policies; PolicyVersions their
	// versions; AWSManagedPolicies the AWS managed policies listed (once per
	// account that attaches them).
	CustomerPolicies, PolicyVersions, AWSManagedPolicies int
	Resources, ResourcePolicies                          int
	LastAccessed                                         int // principals in last-accessed.json
	Credentials                                          int // credential report rows, root users included
	Classes                                              ClassCounts
	Escalations                                          int
	Files                                                int
	Bytes                                                int64
}

// ClassCounts counts roles and users by identity class.
type ClassCounts struct {
	Human, Workload, Agent, CI, ThirdParty, ServiceLinked, CrossAccount int
}

// Identities is users plus roles.
func (s *Stats) Identities() int { return s.Users + s.Roles }

func (s *Stats) add(t *Stats) {
	s.AccountDirs += t.AccountDirs
	s.Users += t.Users
	s.Groups += t.Groups
	s.Roles += t.Roles
	s.InstanceProfiles += t.InstanceProfiles
	s.CustomerPolicies += t.CustomerPolicies
	s.PolicyVersions += t.PolicyVersions
	s.AWSManagedPolicies += t.AWSManagedPolicies
	s.Resources += t.Resources
	s.ResourcePolicies += t.ResourcePolicies
	s.LastAccessed += t.LastAccessed
	s.Credentials += t.Credentials
	s.Escalations += t.Escalations
	s.Files += t.Files
	s.Bytes += t.Bytes
	c, d := &s.Classes, t.Classes
	c.Human += d.Human
	c.Workload += d.Workload
	c.Agent += d.Agent
	c.CI += d.CI
	c.ThirdParty += d.ThirdParty
	c.ServiceLinked += d.ServiceLinked
	c.CrossAccount += d.CrossAccount
}

// ErrExists is returned when the output directory exists, is not empty,
// and Options.Force is not set.
var ErrExists = errors.New("synth: output exists and is not empty (use --force to replace it)")

// Write generates an org bundle for opts into the directory out, atomically:
// it writes into a temporary sibling directory and renames it to out at the
// end, so out is either absent, as it was, or complete. When ctx is done,
// Write stops after the accounts being written, removes the temporary
// directory and returns ctx's error.
func Write(ctx context.Context, out string, opts Options) (*Stats, error) {
	if opts.Size < S || opts.Size > XL {
		return nil, fmt.Errorf("synth: invalid size %v", opts.Size)
	}
	out = filepath.Clean(out)
	exists, err := nonEmpty(out)
	if err != nil {
		return nil, err
	}
	if exists && !opts.Force {
		return nil, fmt.Errorf("%s: %w", out, ErrExists)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, err
	}
	st, err := generate(ctx, tmp, opts)
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err == nil {
		err = bundle.Publish(tmp, out)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return st, nil
}

// nonEmpty reports whether path exists and is not an empty directory.
func nonEmpty(path string) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.IsDir() {
		return true, nil
	}
	ents, err := os.ReadDir(path)
	return len(ents) > 0, err
}

// generate writes the bundle into the empty directory dir.
func generate(ctx context.Context, dir string, opts Options) (*Stats, error) {
	o := planOrg(opts.Size, opts.Seed)
	st := &Stats{Accounts: len(o.accounts), OUs: len(o.ous)}
	for _, p := range o.policies {
		if p.typ == scpType {
			st.SCPs++
		} else {
			st.RCPs++
		}
	}
	var todo []*acctPlan
	for _, p := range o.accounts {
		if p.kind != kindSuspended {
			todo = append(todo, p)
		}
	}
	results := make([]accountResult, len(todo))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		next = make(chan int)
	)
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Go(func() {
			for i := range next {
				if err := ctx.Err(); err != nil {
					results[i].err = err
					continue
				}
				results[i] = writeAccount(dir, o, todo[i])
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, len(todo), todo[i].id, todo[i].name)
					mu.Unlock()
				}
			}
		})
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	var planted []Escalation
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		st.add(&r.stats)
		planted = append(planted, r.planted...)
	}
	planted = append(planted, o.plantedChain())
	st.Escalations = len(planted)
	n, err := writeOrg(filepath.Join(dir, "organization.json"), o)
	if err != nil {
		return nil, err
	}
	st.Files, st.Bytes = st.Files+1, st.Bytes+n
	n, err = writeManifest(filepath.Join(dir, ManifestFile), o, planted)
	if err != nil {
		return nil, err
	}
	st.Files, st.Bytes = st.Files+1, st.Bytes+n
	return st, nil
}

type accountResult struct {
	stats   Stats
	planted []Escalation
	err     error
}
