package analysis_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/ingest/synth"
)

// benchOrg is synth S, or the size PERMGRAPH_BENCH_SIZE names (M, L, XL).
func benchOrg(b *testing.B) *synthOrg {
	b.Helper()
	size := os.Getenv("PERMGRAPH_BENCH_SIZE")
	if size == "" || size == "S" {
		return synthSOrg(b)
	}
	sz, err := synth.ParseSize(size)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	o, err := loadSynth(sz, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("synth %s loaded and derived in %v: %d edges", size, time.Since(start), len(o.derived.Edges))
	return o
}

// BenchmarkDeriveS derives every CanAssume, CanPassRole and CanInvoke edge
// of the organization.
func BenchmarkDeriveS(b *testing.B) {
	o := benchOrg(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := analysis.Derive(b.Context(), o.env, analysis.DeriveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWhoCanS cycles through who-can queries drawn as the
// differential test draws them, direct and transitive.
func BenchmarkWhoCanS(b *testing.B) {
	o := benchOrg(b)
	qs := whoCanPairs(o)
	for _, transitive := range []bool{false, true} {
		name := map[bool]string{false: "direct", true: "transitive"}[transitive]
		b.Run(name, func(b *testing.B) {
			var lat []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := qs[i%len(qs)]
				q.Transitive = transitive
				start := time.Now()
				if _, err := analysis.WhoCan(b.Context(), o.env, o.derived, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
		})
	}
}
