package catalog_test

import (
	"fmt"

	"github.com/permgraph/permgraph/analysis/catalog"
)

func ExampleCatalog_Expand() {
	c := catalog.Embedded()
	for _, a := range c.Expand("iam:*Role*Policy") {
		fmt.Println(a, a.Level)
	}
	// Output:
	// iam:AttachRolePolicy Permissions management
	// iam:DeleteRolePolicy Permissions management
	// iam:DetachRolePolicy Permissions management
	// iam:GetRolePolicy Read
	// iam:PutRolePolicy Permissions management
	// iam:UpdateAssumeRolePolicy Permissions management
}

func ExampleCatalog_ExpandNot() {
	c := catalog.Embedded()
	// PowerUserAccess allows everything but these.
	rest := c.ExpandNot([]string{"iam:*", "organizations:*", "account:*"})
	iam, _ := c.Service("iam")
	fmt.Println(len(rest)+len(c.MatchIDs("iam:*"))+len(c.MatchIDs("organizations:*"))+len(c.MatchIDs("account:*")) == c.Len())
	fmt.Println(len(iam.Actions) == len(c.MatchIDs("iam:*")))
	// Output:
	// true
	// true
}

func ExampleCatalog_Lookup() {
	c := catalog.Embedded()
	a, ok := c.Lookup("s3:getobject")
	fmt.Println(a, ok, a.Level, a.WildcardOnly())
	for _, r := range a.ResourceTypes {
		fmt.Println(r.Name, r.Required)
	}
	_, ok = c.Lookup("s3:GetObjects")
	fmt.Println(ok, c.ServiceExists("s3"))
	// Output:
	// s3:GetObject true Read false
	// accesspointobject false
	// object false
	// false true
}

func ExampleCatalog_ResourceTypesFor() {
	c := catalog.Embedded()
	for _, arn := range []string{
		"arn:aws:s3:::my-bucket",
		"arn:aws:s3:::my-bucket/reports/2026.csv",
		"arn:aws:iam::123456789012:user/engineering/alice",
	} {
		for _, rt := range c.ResourceTypesFor(arn) {
			fmt.Printf("%s %s:%s %s\n", arn, rt.Service, rt.Key, rt.ARN)
		}
	}
	// Output:
	// arn:aws:s3:::my-bucket s3:bucket arn:${Partition}:s3:::${BucketName}
	// arn:aws:s3:::my-bucket ssm:bucket arn:${Partition}:s3:::${BucketName}
	// arn:aws:s3:::my-bucket/reports/2026.csv s3:object arn:${Partition}:s3:::${BucketName}/${ObjectName}
	// arn:aws:iam::123456789012:user/engineering/alice iam:user arn:${Partition}:iam::${Account}:user/${UserNameWithPath}
}
