package index

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/permgraph/permgraph/graph"
)

// largeSnapshot returns a synthetic snapshot of n principals and m edges of
// random stored kinds between random nodes, with ARN-like IDs.
func largeSnapshot(n, m int) *graph.Snapshot {
	rng := rand.New(rand.NewPCG(42, 42))
	kinds := []graph.NodeKind{graph.KindUser, graph.KindGroup, graph.KindRole}
	snap := &graph.Snapshot{Nodes: make([]graph.Node, n), Edges: make([]graph.Edge, m)}
	for i := range snap.Nodes {
		acct := fmt.Sprintf("%012d", 100000000000+i%5000)
		id := fmt.Sprintf("arn:aws:iam::%s:role/r%07d", acct, i)
		snap.Nodes[i] = graph.Node{ID: id, ARN: id, Kind: kinds[i%3], Name: fmt.Sprintf("r%07d", i), Account: acct,
			Class: graph.Classes[i%len(graph.Classes)]}
	}
	for i := range snap.Edges {
		snap.Edges[i] = graph.Edge{
			From: snap.Nodes[rng.IntN(n)].ID, To: snap.Nodes[rng.IntN(n)].ID,
			Kind: graph.EdgeKinds[rng.IntN(len(graph.EdgeKinds))],
		}
	}
	return snap
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkLarge measures the index of DESIGN.md §3 on 1M nodes and 10M
// edges: the whole Build, the CSR build alone (from resolved ids, what the
// design's ~0.2 s compares), and a BFS over every kind.
func BenchmarkLarge(b *testing.B) {
	const n, m = 1_000_000, 10_000_000
	snap := largeSnapshot(n, m)

	b.Run("Build", func(b *testing.B) {
		before := heapAlloc()
		var ix *Index
		for b.Loop() {
			ix = nil
			var err error
			if ix, err = Build(snap, DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		heap := float64(heapAlloc() - before)
		csr := 0
		for _, k := range ix.Kinds() {
			csr += ix.CSR(k, Forward).bytes() + ix.CSR(k, Reverse).bytes()
		}
		var edges int
		for _, k := range ix.Kinds() {
			edges += ix.NumEdges(k)
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/build")
		b.ReportMetric(heap/n, "heap-B/node")
		b.ReportMetric(heap/float64(edges), "heap-B/edge")
		b.ReportMetric(float64(csr)/float64(edges), "csr-B/edge")
		b.ReportMetric(float64(len(ix.str.arena)+4*len(ix.str.offs)+24*len(ix.nodes))/n, "node-B/node")
		runtime.KeepAlive(ix)
	})

	ix, err := Build(snap, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("CSR", func(b *testing.B) {
		from, to := make([]NodeID, m), make([]NodeID, m)
		rng := rand.New(rand.NewPCG(1, 1))
		for i := range from {
			from[i], to[i] = NodeID(rng.IntN(n)), NodeID(rng.IntN(n))
		}
		for b.Loop() {
			buildPair(n, from, to) // forward and reverse
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/csr-pair")
	})
	b.Run("BFS", func(b *testing.B) {
		var reached int
		for b.Loop() {
			reached = ix.Reach(0, Forward).Len()
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/bfs")
		b.ReportMetric(float64(reached), "reached")
	})
	// The same BFS over one CSR holding every kind's edges: the 8 per-kind
	// CSRs cost 8 random offset reads per visited node.
	b.Run("BFS-merged", func(b *testing.B) {
		g := ix.Directed()
		one, all, err := ix.WithLayer("All", nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		one.layers[all] = layer{name: "All", out: g.out, in: g.in}
		var reached int
		for b.Loop() {
			reached = one.Reach(0, Forward, all).Len()
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/bfs")
		b.ReportMetric(float64(reached), "reached")
	})
}

// Policy templates: real-looking documents, varied by a name so that each
// (template, name) pair is a distinct document.
var policyTemplates = []string{
	`{"Version":"2012-10-17","Statement":[{"Sid":"BucketRW","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],` +
		`"Resource":"arn:aws:s3:::%[1]s/*","Condition":{"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}},` +
		`{"Sid":"BucketList","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::%[1]s"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Sid":"Assume","Effect":"Allow","Action":"sts:AssumeRole",` +
		`"Resource":"arn:aws:iam::123456789012:role/%[1]s","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"],` +
		`"Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/%[1]s",` +
		`"Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"]}}}]}`,
	`{"Version":"2012-10-17","Statement":[{"Sid":"RegionLock%[1]s","Effect":"Deny","NotAction":["iam:*","sts:*","support:*"],` +
		`"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],` +
		`"Resource":"arn:aws:kms:eu-west-1:123456789012:key/%[1]s","Condition":{"StringLike":{"kms:ViaService":"s3.*.amazonaws.com"}}}]}`,
}

// policySnapshot returns n nodes of which p are policy nodes holding
// distinct documents (the rest principals attached to two policies each)
// and shared more policy nodes that repeat one of them, as copies of a
// managed policy across accounts do.
func policySnapshot(n, distinct, shared int) *graph.Snapshot {
	snap := &graph.Snapshot{}
	var pols []string
	for i := range distinct + shared {
		doc := fmt.Sprintf(policyTemplates[i%len(policyTemplates)], fmt.Sprintf("app-%06d", i%distinct))
		id := fmt.Sprintf("arn:aws:iam::123456789012:policy/p%06d", i)
		snap.Nodes = append(snap.Nodes, graph.Node{ID: id, Kind: graph.KindPolicy,
			Policy: &graph.Policy{Kind: graph.PolicyManaged, DefaultVersionID: "v1",
				Versions: []graph.PolicyVersion{{ID: "v1", Document: doc}}}})
		pols = append(pols, id)
	}
	for i := len(snap.Nodes); i < n; i++ {
		id := fmt.Sprintf("arn:aws:iam::123456789012:role/r%06d", i)
		snap.Nodes = append(snap.Nodes, graph.Node{ID: id, Kind: graph.KindRole})
		for j := range 2 {
			snap.Edges = append(snap.Edges, graph.Edge{From: id, To: pols[(i*7+j*13)%len(pols)], Kind: graph.EdgeAttached})
		}
	}
	return snap
}

// BenchmarkPolicies measures Build on 100k nodes with 20k distinct policy
// documents (and 10k more policy nodes sharing them), on one worker and on
// GOMAXPROCS workers.
func BenchmarkPolicies(b *testing.B) {
	snap := policySnapshot(100_000, 20_000, 10_000)
	for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			var ix *Index
			for b.Loop() {
				var err error
				if ix, err = Build(snap, DefaultOptions().WithWorkers(w)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/build")
			b.ReportMetric(float64(ix.NumCompiled()), "compiled")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(ix.NumCompiled()), "µs/policy")
		})
	}
}
