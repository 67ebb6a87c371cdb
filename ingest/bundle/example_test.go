package bundle_test

import (
	"fmt"
	"strings"

	"github.com/permgraph/permgraph/ingest/bundle"
)

func ExampleDecodeGAAD() {
	in := `{"RoleDetailList":[{"RoleName":"deploy","Arn":"arn:aws:iam::111111111111:role/deploy",
	  "CreateDate":"2023-03-09 10:41:34+00:00",
	  "AssumeRolePolicyDocument":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}],
	  "IsTruncated":true}`
	g, err := bundle.DecodeGAAD("gaad.json", strings.NewReader(in))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := g.RoleDetailList[0]
	fmt.Println(r.RoleName, r.CreateDate, r.AssumeRolePolicyDocument.Policy.Statements[0].Principal.Service)
	fmt.Println(g.Warnings[0])
	// Output:
	// deploy 2023-03-09 10:41:34 +0000 UTC [ec2.amazonaws.com]
	// gaad.json: truncated output (IsTruncated is true); re-run without pagination limits
}
