package analysis_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/ingest/synth"
)

// synthOrg is a synth bundle loaded into an Env, with its derived edges.
type synthOrg struct {
	snap     *graph.Snapshot
	env      *analysis.Env
	derived  *analysis.Derived
	manifest synth.Manifest
}

var synthS = sync.OnceValues(func() (*synthOrg, error) { return loadSynth(synth.S, 1) })

// loadSynth writes a synth bundle into a temporary directory (removed
// once read), ingests it and derives its edges.
func loadSynth(size synth.Size, seed uint64) (*synthOrg, error) {
	o, err := loadSynthEnv(size, seed)
	if err != nil {
		return nil, err
	}
	o.derived, err = analysis.Derive(context.Background(), o.env, analysis.DeriveOptions{})
	return o, err
}

// loadSynthEnv is loadSynth without deriving the edges.
func loadSynthEnv(size synth.Size, seed uint64) (*synthOrg, error) {
	dir, err := os.MkdirTemp("", "permgraph-derive-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bundle")
	if _, err := synth.Write(context.Background(), out, synth.Options{Size: size, Seed: seed}); err != nil {
		return nil, err
	}
	o := &synthOrg{}
	data, err := os.ReadFile(filepath.Join(out, synth.ManifestFile))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &o.manifest); err != nil {
		return nil, err
	}
	bd, err := bundle.Read(out, bundle.Options{})
	if err != nil {
		return nil, err
	}
	if o.snap, err = ingest.Build(bd, ingest.Options{Created: time.Unix(0, 0)}); err != nil {
		return nil, err
	}
	ix, err := index.Build(o.snap, index.DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		return nil, err
	}
	o.env, err = analysis.NewEnv(o.snap, ix)
	return o, err
}

func synthSOrg(t testing.TB) *synthOrg {
	t.Helper()
	if testing.Short() {
		t.Skip("synth S bundle: not in -short")
	}
	o, err := synthS()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// nodesOf returns the IDs of the snapshot's nodes of kind k whose ID
// contains sub.
func (o *synthOrg) nodesOf(k graph.NodeKind, sub string) []string {
	var out []string
	for _, n := range o.snap.Nodes {
		if n.Kind == k && strings.Contains(n.ID, sub) {
			out = append(out, n.ID)
		}
	}
	slices.Sort(out)
	return out
}

// principals returns the ARNs of every user and role.
func (o *synthOrg) principals() []string {
	var out []string
	for _, n := range o.snap.Nodes {
		if n.Kind == graph.KindUser || n.Kind == graph.KindRole {
			out = append(out, n.ARN)
		}
	}
	slices.Sort(out)
	return out
}

func TestSynthDeriveSummary(t *testing.T) {
	t.Parallel()
	o := synthSOrg(t)
	counts := map[analysis.EdgeKind]int{}
	for _, ed := range o.derived.Edges {
		counts[ed.Kind]++
	}
	t.Logf("principals %d, edges %v", len(o.principals()), counts)
	for _, k := range []analysis.EdgeKind{analysis.CanAssume, analysis.CanPassRole, analysis.CanInvoke} {
		if counts[k] == 0 {
			t.Errorf("no %s edge on synth S", k)
		}
	}
}

// TestDeriveMatchesReference checks that Derive gives exactly the edges,
// evidence included, of the straightforward reference implementation
// (DeriveReference): on synth S, and with PERMGRAPH_BENCH_SIZE=M (or L) on
// that size too.
func TestDeriveMatchesReference(t *testing.T) {
	t.Parallel()
	orgs := map[string]*synthOrg{"S": synthSOrg(t)}
	if size := os.Getenv("PERMGRAPH_BENCH_SIZE"); size != "" && size != "S" {
		sz, err := synth.ParseSize(size)
		if err != nil {
			t.Fatal(err)
		}
		if orgs[size], err = loadSynth(sz, 1); err != nil {
			t.Fatal(err)
		}
	}
	for size, o := range orgs {
		start := time.Now()
		want, err := analysis.DeriveReference(t.Context(), o.env, analysis.DeriveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("synth %s: reference derived %d edges in %v", size, len(want), time.Since(start))
		got := o.derived.Edges
		if len(got) != len(want) {
			t.Errorf("synth %s: Derive gave %d edges, the reference %d", size, len(got), len(want))
		}
		bad := 0
		for i := range min(len(got), len(want)) {
			// The reference leaves an empty MissingContext nil or not,
			// depending on which worker's Result decided the request.
			if diff := cmp.Diff(want[i], got[i], cmpEmpty); diff != "" {
				t.Errorf("synth %s: edge %d (-reference +Derive):\n%s", size, i, diff)
				if bad++; bad == 5 {
					break
				}
			}
		}
	}
}
