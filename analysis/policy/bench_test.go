package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchSet is the realistic set: 5 identity policies of 20
// statements each (services, wildcards, conditions, a deny), a boundary,
// 3 SCP levels and a resource policy.
func benchSet(tb testing.TB) *Set {
	tb.Helper()
	services := []string{"s3", "ec2", "iam", "lambda", "dynamodb", "sqs", "sns", "kms", "logs", "cloudwatch"}
	var ids []*Compiled
	for p := 0; p < 5; p++ {
		var stmts []string
		for i := 0; i < 20; i++ {
			svc := services[(p*20+i)%len(services)]
			s := fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["%s:Get*","%s:List*","%s:Describe*"],"Resource":"arn:aws:%s:*:*:*"}`, i, svc, svc, svc, svc)
			switch i % 5 {
			case 1:
				s = fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"%s:Put*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"data"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}}`, i, svc)
			case 3:
				s = fmt.Sprintf(`{"Sid":"S%d","Effect":"Deny","Action":"%s:Delete*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`, i, svc)
			}
			stmts = append(stmts, s)
		}
		ids = append(ids, pol(fmt.Sprintf("identity-%d", p), strings.Join(stmts, ",")))
	}
	boundary := pol("boundary", `{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`)
	full := pol("FullAWSAccess", stmt("Allow", "*", "*"))
	region := pol("region", `{"Effect":"Deny","NotAction":["iam:*","sts:*","s3:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}`)
	leave := pol("no-leave", `{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}`)
	bucket := pol("bucket", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]},
		{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	return &Set{Identity: ids, Boundary: []*Compiled{boundary}, Resource: bucket,
		SCPs: [][]*Compiled{{full}, {full, region}, {full, leave}}}
}

func benchRequest(tb testing.TB) *Request {
	tb.Helper()
	r := Request{Principal: sessionA, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/reports/q3.csv", Context: Context{Complete: true}}
	r.Context.Set("aws:SourceIp", "10.1.2.3")
	r.Context.Set("aws:RequestedRegion", "eu-west-1")
	r.Context.Set("aws:SecureTransport", "true")
	r.Context.Set("aws:MultiFactorAuthPresent", "true")
	r.Context.Set("aws:PrincipalTag/team", "data")
	req, err := NewRequest(r)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

func BenchmarkEvaluate(b *testing.B) {
	set, req := benchSet(b), benchRequest(b)
	var res Result
	EvaluateInto(&res, req, set)
	if res.Decision != Allowed {
		b.Fatalf("decision = %s, want allow: %+v", res.Decision, res.Explanation)
	}
	b.ReportAllocs()
	for b.Loop() {
		EvaluateInto(&res, req, set)
	}
}

// TestEvaluateDoesNotAllocate holds the hot path to zero allocations once
// policies are compiled and the request prepared.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	set, req := benchSet(t), benchRequest(t)
	var res Result
	EvaluateInto(&res, req, set)
	if n := testing.AllocsPerRun(100, func() { EvaluateInto(&res, req, set) }); n != 0 {
		t.Errorf("EvaluateInto allocates %v times per call, want 0", n)
	}
}
