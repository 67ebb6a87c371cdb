package analysis_test

import (
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/ingest/synth"
)

// benchSize is the synth size PERMGRAPH_BENCH_SIZE names (S, M, L, XL),
// S by default.
func benchSize(b *testing.B) (string, synth.Size) {
	b.Helper()
	size := os.Getenv("PERMGRAPH_BENCH_SIZE")
	if size == "" {
		size = "S"
	}
	sz, err := synth.ParseSize(size)
	if err != nil {
		b.Fatal(err)
	}
	return size, sz
}

// benchOrg is synth S, or the size PERMGRAPH_BENCH_SIZE names (M, L, XL).
func benchOrg(b *testing.B) *synthOrg {
	b.Helper()
	size, sz := benchSize(b)
	if size == "S" {
		return synthSOrg(b)
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
// of the organization: synth S, or the size PERMGRAPH_BENCH_SIZE names. It
// reports the edges; the peak of the heap while deriving (sampled every
// millisecond) and what the result keeps, above what the loaded Env holds;
// and on Linux the process's peak RSS while deriving, loaded Env included.
func BenchmarkDeriveS(b *testing.B) {
	size, sz := benchSize(b)
	var e *analysis.Env
	if size == "S" {
		e = synthSOrg(b).env
	} else {
		start := time.Now()
		o, err := loadSynthEnv(sz, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("synth %s loaded in %v", size, time.Since(start))
		e = o.env
	}
	runtime.GC()
	base := heapBytes()
	b.Logf("live heap before deriving (the loaded snapshot, index and Env): %d MiB; peak RSS so far %d MiB", base>>20, peakRSS()>>20)
	resetPeakRSS()
	stop := sampleHeap()
	var d *analysis.Derived
	b.ReportAllocs()
	for b.Loop() {
		d = nil
		var err error
		if d, err = analysis.Derive(b.Context(), e, analysis.DeriveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	peak := stop()
	rss := peakRSS()
	runtime.GC()
	b.ReportMetric(float64(len(d.Edges)), "edges")
	b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(heapBytes()-base)/(1<<20), "kept-heap-MiB")
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
	runtime.KeepAlive(d)
}

// heapBytes returns the bytes of live and not yet swept heap objects.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// resetPeakRSS resets the process's peak RSS (Linux: /proc/self/clear_refs).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's peak RSS since it started or since
// resetPeakRSS (Linux: VmHWM), or 0 when unknown.
func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// sampleHeap samples heapBytes every millisecond until the returned
// function is called, which returns the highest value seen.
func sampleHeap() func() uint64 {
	var (
		mu   sync.Mutex
		peak = heapBytes()
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				h := heapBytes()
				mu.Lock()
				peak = max(peak, h)
				mu.Unlock()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
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
