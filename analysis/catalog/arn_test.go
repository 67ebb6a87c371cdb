package catalog

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResourceTypesFor(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	tests := []struct {
		name, arn string
		want      []string // "service/key"
	}{
		{"s3 bucket", "arn:aws:s3:::my-bucket", []string{"s3/bucket", "ssm/bucket"}},
		{"s3 object with slashes", "arn:aws:s3:::my-bucket/logs/2026/a.log", []string{"s3/object"}},
		{"s3 object in gov cloud", "arn:aws-us-gov:s3:::b/k", []string{"s3/object"}},
		{"iam role", "arn:aws:iam::123456789012:role/admin",
			[]string{"ec2/role", "iam/role", "ssm/iam-role", "sts/role"}},
		{"iam role with path", "arn:aws:iam::123456789012:role/service-role/deploy",
			[]string{"ec2/role", "iam/role", "sts/role"}},
		{"iam user with path", "arn:aws:iam::123456789012:user/division/team/alice", []string{"iam/user"}},
		{"account root", "arn:aws:iam::123456789012:root", []string{"sts/root-user"}},
		{"kms key", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			[]string{"events/key", "kinesis/kmsKey", "kms/key"}},
		{"kms alias", "arn:aws:kms:us-east-1:123456789012:alias/app", []string{"events/alias", "kms/alias"}},
		{"lambda function", "arn:aws:lambda:us-east-1:123456789012:function:my-fn", []string{"lambda/function"}},
		{"lambda alias", "arn:aws:lambda:us-east-1:123456789012:function:my-fn:PROD",
			[]string{"lambda/function alias", "lambda/function version"}},
		{"dynamodb table", "arn:aws:dynamodb:us-east-1:123456789012:table/Books", []string{"dynamodb/table"}},
		{"dynamodb stream", "arn:aws:dynamodb:us-east-1:123456789012:table/Books/stream/2026-01-01T00:00:00.000",
			[]string{"dynamodb/stream"}},
		{"log group with slashes", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f",
			[]string{"logs/log-group"}},
		{"log stream", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:x",
			[]string{"logs/log-stream"}},
		{"ssm parameter hierarchy", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/pw",
			[]string{"ssm/parameter"}},
		{"backup recovery point", "arn:aws:backup:us-east-1:123456789012:recovery-point:abc",
			[]string{"backup/recoveryPoint"}},
		{"template star", "arn:aws:dms:us-east-1:123456789012:endpoint:ABCDEF", []string{"dms/Endpoint"}},
		{"unknown service", "arn:aws:nosuch:us-east-1:123456789012:thing/x", nil},
		{"bucket template needs empty region", "arn:aws:s3:us-east-1::my-bucket", nil},
		{"missing region", "arn:aws:dynamodb::123456789012:table/Books", nil},
		{"empty resource", "arn:aws:s3:::", nil},
		{"too few segments", "arn:aws:s3:bucket", nil},
		{"not an arn", "my-bucket", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, rt := range c.ResourceTypesFor(tt.arn) {
				got = append(got, rt.Service+"/"+rt.Key)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResourceTypesFor(%q) mismatch (-want +got):\n%s", tt.arn, diff)
			}
		})
	}
}

func TestActionsOn(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	tests := []struct {
		arn          string
		want, absent []string
	}{
		{"arn:aws:iam::123456789012:role/admin",
			[]string{"iam:PassRole", "iam:PutRolePolicy", "sts:AssumeRole"},
			[]string{"iam:CreateUser", "s3:GetObject", "iam:ListRoles"}},
		{"arn:aws:s3:::bucket/key",
			[]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			[]string{"s3:ListBucket", "s3:PutBucketPolicy", "s3:ListAllMyBuckets"}},
		{"arn:aws:s3:::bucket",
			[]string{"s3:ListBucket", "s3:PutBucketPolicy"},
			[]string{"s3:GetObject"}},
		{"arn:aws:nosuch:us-east-1:123456789012:x/y", nil, []string{"s3:GetObject"}},
	}
	for _, tt := range tests {
		got := c.ActionsOn(tt.arn)
		names := make(map[string]bool, len(got))
		for i, a := range got {
			names[a.String()] = true
			if i > 0 && got[i-1].ID >= a.ID {
				t.Errorf("ActionsOn(%q): %v before %v, not in id order", tt.arn, got[i-1], a)
			}
		}
		for _, w := range tt.want {
			if !names[w] {
				t.Errorf("ActionsOn(%q) lacks %s", tt.arn, w)
			}
		}
		for _, a := range tt.absent {
			if names[a] {
				t.Errorf("ActionsOn(%q) has %s", tt.arn, a)
			}
		}
	}
}

// TestActionsOnAgreesWithResourceTypes checks the precomputed index
// against the definition: an action is on an ARN if it lists one of the
// ARN's resource types.
func TestActionsOnAgreesWithResourceTypes(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	arn := "arn:aws:kms:us-east-1:123456789012:key/k"
	rts := c.ResourceTypesFor(arn)
	var want []string
	for id := range c.Len() {
		a := c.ActionByID(id)
		if slices.ContainsFunc(a.ResourceTypes, func(r ResourceRef) bool {
			return slices.ContainsFunc(rts, func(rt ResourceType) bool { return rt.Service == a.Service && rt.Key == r.Name })
		}) {
			want = append(want, a.String())
		}
	}
	var got []string
	for _, a := range c.ActionsOn(arn) {
		got = append(got, a.String())
	}
	if len(want) == 0 {
		t.Fatal("no action lists a KMS key")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ActionsOn(%q) mismatch (-want +got):\n%s", arn, diff)
	}
}

func BenchmarkResourceTypesFor(b *testing.B) {
	c := mustLoad(b)
	b.ReportAllocs()
	for b.Loop() {
		if len(c.ResourceTypesFor("arn:aws:s3:::my-bucket/logs/2026/a.log")) != 1 {
			b.Fatal("want one resource type")
		}
	}
}
