package awsingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// resource is an element of resources.json's Resources.
type resource struct {
	Arn    string
	Policy *string `json:",omitempty"`
	Tags   []tag
}

// Services whose resources Collect reads, as ARNs name them.
var resourceServices = []string{"s3", "kms", "sqs", "lambda", "secretsmanager", "sns", "ecr"}

// ResourceServices returns the services whose resource policies and tags
// [Collect] reads, as ARNs name them ("s3", "kms", "sqs", "lambda",
// "secretsmanager", "sns", "ecr").
func ResourceServices() []string { return append([]string(nil), resourceServices...) }

// s3API is what readBuckets needs from S3.
type s3API interface {
	s3.ListBucketsAPIClient
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketTagging(context.Context, *s3.GetBucketTaggingInput, ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
}

// readBuckets reads the account's buckets with their policies and tags,
// asking each bucket's own region.
func readBuckets(ctx context.Context, api s3API, part string) ([]resource, error) {
	var out []resource
	p := s3.NewListBucketsPaginator(api, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3:ListBuckets: %w", err)
		}
		for _, b := range page.Buckets {
			name := aws.ToString(b.Name)
			inRegion := func(o *s3.Options) {
				if r := aws.ToString(b.BucketRegion); r != "" {
					o.Region = r
				}
			}
			r := resource{Arn: "arn:" + part + ":s3:::" + name, Tags: []tag{}}
			pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &name}, inRegion)
			switch {
			case isCode(err, "NoSuchBucketPolicy"):
			case err != nil:
				return nil, fmt.Errorf("s3:GetBucketPolicy %s: %w", name, err)
			default:
				r.Policy = pol.Policy
			}
			tg, err := api.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &name}, inRegion)
			switch {
			case isCode(err, "NoSuchTagSet"):
			case err != nil:
				return nil, fmt.Errorf("s3:GetBucketTagging %s: %w", name, err)
			default:
				for _, t := range tg.TagSet {
					r.Tags = append(r.Tags, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// kmsAPI is what readKeys needs from KMS.
type kmsAPI interface {
	kms.ListKeysAPIClient
	kms.ListResourceTagsAPIClient
	GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

// readKeys reads the KMS keys of the client's region with their default key
// policy and tags.
func readKeys(ctx context.Context, api kmsAPI) ([]resource, error) {
	var out []resource
	p := kms.NewListKeysPaginator(api, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("kms:ListKeys: %w", err)
		}
		for _, k := range page.Keys {
			id := aws.ToString(k.KeyArn)
			r := resource{Arn: id, Tags: []tag{}}
			pol, err := api.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: aws.String("default")})
			if err != nil {
				return nil, fmt.Errorf("kms:GetKeyPolicy %s: %w", id, err)
			}
			if aws.ToString(pol.Policy) != "" {
				r.Policy = pol.Policy
			}
			tp := kms.NewListResourceTagsPaginator(api, &kms.ListResourceTagsInput{KeyId: &id})
			for tp.HasMorePages() {
				tg, err := tp.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("kms:ListResourceTags %s: %w", id, err)
				}
				for _, t := range tg.Tags {
					r.Tags = append(r.Tags, tag{aws.ToString(t.TagKey), aws.ToString(t.TagValue)})
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// isCode reports whether err is an AWS API error with this code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
