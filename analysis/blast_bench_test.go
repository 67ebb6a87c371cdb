package analysis_test

import (
	"slices"
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
)

// sampleIdentities returns about n users and roles of o, evenly spread
// over the sorted ARNs: typical identities, not hand-picked ones.
func sampleIdentities(o *synthOrg, n int) []string {
	all := o.principals()
	step := max(len(all)/n, 1)
	var out []string
	for i := 0; i < len(all); i += step {
		out = append(out, all[i])
	}
	return out
}

// medianMS reports the median of lat in milliseconds.
func medianMS(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}

// BenchmarkBlastRadius cycles through 100 sampled identities, each radius
// from scratch (no permission shared between calls), with the escalations
// of the identities met computed as the search goes.
func BenchmarkBlastRadius(b *testing.B) {
	o := benchOrg(b)
	ids := sampleIdentities(o, 100)
	opts := analysis.BlastOptions{Snapshot: o.snap}
	var lat []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := analysis.BlastRadius(b.Context(), o.env, o.derived, ids[i%len(ids)], opts); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	medianMS(b, lat)
}

// BenchmarkCanWhat cycles through 100 sampled identities.
func BenchmarkCanWhat(b *testing.B) {
	o := benchOrg(b)
	ids := sampleIdentities(o, 100)
	var lat []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := analysis.CanWhat(b.Context(), o.env, ids[i%len(ids)], analysis.CanWhatOptions{}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	medianMS(b, lat)
}

// BenchmarkInventory computes the blast radius of every identity, the
// org-wide escalations included.
func BenchmarkInventory(b *testing.B) {
	o := benchOrg(b)
	b.ReportAllocs()
	for b.Loop() {
		inv, err := analysis.Inventory(b.Context(), o.env, o.derived, analysis.InventoryOptions{BlastOptions: analysis.BlastOptions{Snapshot: o.snap}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(inv.Identities)), "identities")
	}
}
