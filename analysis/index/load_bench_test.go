package index

import (
	"os"
	"runtime"
	"testing"

	"github.com/permgraph/permgraph/graph"
)

// BenchmarkLoadStored loads the current snapshot of the store named by
// $PERMGRAPH_BENCH_DATA (for instance one made by `permgraph synth --size L`
// then `permgraph ingest`) and builds its index: the time an analysis waits
// before its first answer. Skipped when the variable is unset.
func BenchmarkLoadStored(b *testing.B) {
	dir := os.Getenv("PERMGRAPH_BENCH_DATA")
	if dir == "" {
		b.Skip("set PERMGRAPH_BENCH_DATA to a permgraph --data directory")
	}
	st, err := graph.Open(graph.DefaultOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	id, err := st.Current()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		snap, err := st.Load(id)
		if err != nil {
			b.Fatal(err)
		}
		ix, err := Build(snap, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heapMiB")
		b.ReportMetric(float64(ix.Len()), "nodes")
	}
}
