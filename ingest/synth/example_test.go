package synth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/permgraph/permgraph/ingest/synth"
)

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "synth-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := synth.Write(context.Background(), filepath.Join(dir, "org"), synth.Options{Size: synth.S, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	m, err := synth.ReadManifest(filepath.Join(dir, "org"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Accounts, "accounts,", st.Identities(), "identities,", len(m.Escalations), "planted escalations")
	fmt.Println(m.Escalations[0].Method)
	// Output:
	// 2 accounts, 300 identities, 8 planted escalations
	// iam:CreatePolicyVersion
}
