package analysis_test

import (
	"cmp"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/ingest/synth"
)

// synthSnapshot generates a synth organization of size
// $PERMGRAPH_BENCH_SIZE (default S, seed 1) and ingests it.
func resSynthSnapshot(b *testing.B) *graph.Snapshot {
	b.Helper()
	size, err := synth.ParseSize(cmp.Or(os.Getenv("PERMGRAPH_BENCH_SIZE"), "S"))
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "org")
	if _, err := synth.Write(b.Context(), dir, synth.Options{Size: size, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	bd, err := bundle.Read(dir, bundle.Options{})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := ingest.Build(bd, ingest.Options{Created: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	return snap
}

// residualQuery picks a user with a managed policy attached, detaches it
// and asks for s3:GetObject on any object.
func resResidualQuery(b *testing.B, snap *graph.Snapshot) ([]analysis.Revocation, analysis.CanQuery) {
	b.Helper()
	kinds := map[string]graph.NodeKind{}
	for _, n := range snap.Nodes {
		kinds[n.ID] = n.Kind
	}
	for _, e := range snap.Edges {
		if e.Kind == graph.EdgeAttached && kinds[e.From] == graph.KindUser {
			r := analysis.Revocation{Kind: analysis.RevokePolicyAttachment, Target: e.From, Object: e.To}
			return []analysis.Revocation{r}, analysis.CanQuery{Principal: e.From, Action: "s3:GetObject", Resource: "arn:aws:s3:::bench/key"}
		}
	}
	b.Fatal("no user with an attached policy")
	return nil, analysis.CanQuery{}
}

// BenchmarkResidual is one residual query on a synth organization, with
// its parts: Apply, index.Build and NewEnv of the counterfactual, and
// AccessPaths on it.
func BenchmarkResidual(b *testing.B) {
	snap := resSynthSnapshot(b)
	revs, q := resResidualQuery(b, snap)
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := analysis.Residual(b.Context(), snap, revs, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	base, err := analysis.NewEnv(snap, resMustIndex(b, snap))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("revoked-env", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := analysis.ResidualEnv(b.Context(), snap, base, revs, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		for b.Loop() {
			if _, err := analysis.Apply(snap, revs); err != nil {
				b.Fatal(err)
			}
		}
	})
	cf, err := analysis.Apply(snap, revs)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			if _, err := index.Build(cf, index.DefaultOptions().WithSkipInvalid(true)); err != nil {
				b.Fatal(err)
			}
		}
	})
	ix, err := index.Build(cf, index.DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("env", func(b *testing.B) {
		for b.Loop() {
			if _, err := analysis.NewEnv(cf, ix); err != nil {
				b.Fatal(err)
			}
		}
	})
	e, err := analysis.NewEnv(cf, ix)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("paths", func(b *testing.B) {
		for b.Loop() {
			if _, err := analysis.AccessPaths(b.Context(), e, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func resMustIndex(b *testing.B, snap *graph.Snapshot) *index.Index {
	b.Helper()
	ix, err := index.Build(snap, index.DefaultOptions().WithSkipInvalid(true))
	if err != nil {
		b.Fatal(err)
	}
	return ix
}
