package analysis_test

import (
	"testing"
	"time"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/internal/testutil"
)

// benchQueries are requests on the iam-vulnerable snapshot: a role session
// allowed by an identity policy, a user denied, a trust-policy check.
var benchQueries = []analysis.CanQuery{
	{Principal: "arn:aws:sts::200611803367:assumed-role/privesc1-CreateNewPolicyVersion-role/session",
		Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::200611803367:policy/privesc1-CreateNewPolicyVersion", Complete: true},
	{Principal: "arn:aws:iam::200611803367:user/fp1-allow-and-deny-user",
		Action: "iam:PutUserPolicy", Resource: "arn:aws:iam::200611803367:user/fp1-allow-and-deny-user", Complete: true},
	{Principal: "arn:aws:iam::200611803367:user/privesc-sre-user",
		Action: "sts:AssumeRole", Resource: "arn:aws:iam::200611803367:role/privesc-sre-role", Complete: true},
}

// BenchmarkEnvCan is one Can on the iam-vulnerable snapshot, cycling
// through benchQueries.
func BenchmarkEnvCan(b *testing.B) {
	e := bundleEnv(b, testutil.SharedData(b, iamVulnerable))
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := analysis.Can(ctx, e, benchQueries[i%len(benchQueries)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkNewEnv builds the Env of the iam-vulnerable snapshot from its
// index, the cost NewEnv adds to loading a snapshot.
func BenchmarkNewEnv(b *testing.B) {
	bd, err := bundle.Read(testutil.SharedData(b, iamVulnerable), bundle.Options{})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := ingest.Build(bd, ingest.Options{Created: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	ix, err := index.Build(snap, index.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := analysis.NewEnv(snap, ix); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexBuild is the index build NewEnv follows, for comparison.
func BenchmarkIndexBuild(b *testing.B) {
	bd, err := bundle.Read(testutil.SharedData(b, iamVulnerable), bundle.Options{})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := ingest.Build(bd, ingest.Options{Created: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := index.Build(snap, index.DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
