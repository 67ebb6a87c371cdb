package analysis_test

import (
	"context"
	"fmt"

	"github.com/permgraph/permgraph/analysis"
	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/graph"
)

func ExampleCan() {
	const user = "arn:aws:iam::111122223333:user/dev"
	snap := &graph.Snapshot{
		Nodes: []graph.Node{
			{ID: user, Kind: graph.KindUser, ARN: user, Name: "dev", Account: "111122223333"},
			{ID: user + "/inline/read", Kind: graph.KindPolicy, Name: "read", Policy: &graph.Policy{Kind: graph.PolicyInline,
				Versions: []graph.PolicyVersion{{Document: `{"Version":"2012-10-17","Statement":[
					{"Sid":"ReadLogs","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::logs/*"}]}`}}}},
		},
		Edges: []graph.Edge{{From: user, To: user + "/inline/read", Kind: graph.EdgeAttached}},
	}
	ix, err := index.Build(snap, index.DefaultOptions())
	if err != nil {
		panic(err)
	}
	e, err := analysis.NewEnv(snap, ix)
	if err != nil {
		panic(err)
	}
	d, err := analysis.Can(context.Background(), e, analysis.CanQuery{
		Principal: user, Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/app.log", Complete: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Decision, d.Explanation[0].Policy, d.Explanation[0].Sid)
	// Output: allow arn:aws:iam::111122223333:user/dev/inline/read ReadLogs
}
