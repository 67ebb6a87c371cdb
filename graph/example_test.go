package graph_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/permgraph/permgraph/graph"
)

func ExampleClassifier() {
	c, err := graph.NewClassifier([]graph.Rule{
		{Name: "llm-tag", Class: graph.ClassAIAgent, Tag: &graph.Tag{Key: "workload-type", Value: "llm*"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Classify(graph.Facts{Kind: graph.KindRole, Name: "ingest",
		TrustServices: []string{"lambda.amazonaws.com"}}))
	fmt.Println(c.Classify(graph.Facts{Kind: graph.KindRole, Name: "summarise",
		TrustServices: []string{"lambda.amazonaws.com"}, Tags: []graph.Tag{{Key: "workload-type", Value: "llm"}}}))
	// Output:
	// workload workload lambda
	// ai-agent llm-tag
}

func ExampleStore() {
	dir, err := os.MkdirTemp("", "permgraph")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := graph.Open(graph.DefaultOptions(dir).WithRetention(30))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	snap := &graph.Snapshot{
		Meta: graph.Meta{Source: "example"},
		Nodes: []graph.Node{
			{ID: "111122223333", Kind: graph.KindAccount},
			{ID: "arn:aws:iam::111122223333:role/ingest", Kind: graph.KindRole, Class: graph.ClassWorkload},
		},
		Edges: []graph.Edge{{From: "arn:aws:iam::111122223333:role/ingest", To: "111122223333", Kind: graph.EdgeInAccount}},
	}
	snap.Meta.Counts = snap.Tally()
	id, err := st.Write(context.Background(), snap)
	if err != nil {
		log.Fatal(err)
	}
	cur, _ := st.Current()
	got, err := st.Load(cur)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id == cur, got.Meta.Counts.Accounts, got.Meta.Counts.Roles, got.Nodes[1].Class)
	// Output: true 1 1 workload
}
