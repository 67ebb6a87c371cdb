package awsingest

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// mapTags turns tags an API returns as a map into a list sorted by key:
// the API keeps no order, and tag order carries no meaning.
func mapTags(m map[string]string) []tag {
	out := []tag{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, tag{k, m[k]})
	}
	return out
}

// sqsAPI is what readQueues needs from SQS.
type sqsAPI interface {
	sqs.ListQueuesAPIClient
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ListQueueTags(context.Context, *sqs.ListQueueTagsInput, ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error)
}

// readQueues reads the SQS queues of the client's region with their access
// policy and tags (sorted by key).
func readQueues(ctx context.Context, api sqsAPI) ([]resource, error) {
	var out []resource
	// Without MaxResults, ListQueues answers 1,000 queues and no NextToken.
	p := sqs.NewListQueuesPaginator(api, &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("sqs:ListQueues: %w", err)
		}
		for _, url := range page.QueueUrls {
			at, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy}})
			switch {
			case isCode(err, "AWS.SimpleQueueService.NonExistentQueue"), isCode(err, "QueueDoesNotExist"):
				continue // deleted since it was listed
			case err != nil:
				return nil, fmt.Errorf("sqs:GetQueueAttributes %s: %w", url, err)
			}
			arn := at.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
			if arn == "" {
				return nil, fmt.Errorf("sqs:GetQueueAttributes %s: no QueueArn", url)
			}
			r := resource{Arn: arn, Tags: []tag{}}
			if pol, ok := at.Attributes[string(sqstypes.QueueAttributeNamePolicy)]; ok && pol != "" {
				r.Policy = &pol
			}
			tg, err := api.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: &url})
			if err != nil {
				return nil, fmt.Errorf("sqs:ListQueueTags %s: %w", url, err)
			}
			r.Tags = mapTags(tg.Tags)
			out = append(out, r)
		}
	}
	return out, nil
}

// lambdaAPI is what readFunctions needs from Lambda.
type lambdaAPI interface {
	lambda.ListFunctionsAPIClient
	GetPolicy(context.Context, *lambda.GetPolicyInput, ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	ListTags(context.Context, *lambda.ListTagsInput, ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
}

// readFunctions reads the Lambda functions of the client's region with the
// resource policy of their unqualified ARN and their tags (sorted by key).
func readFunctions(ctx context.Context, api lambdaAPI) ([]resource, error) {
	var out []resource
	p := lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("lambda:ListFunctions: %w", err)
		}
		for _, f := range page.Functions {
			arn := aws.ToString(f.FunctionArn)
			r := resource{Arn: arn, Tags: []tag{}}
			pol, err := api.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &arn})
			switch {
			case isCode(err, "ResourceNotFoundException"): // no policy
			case err != nil:
				return nil, fmt.Errorf("lambda:GetPolicy %s: %w", arn, err)
			case aws.ToString(pol.Policy) != "":
				r.Policy = pol.Policy
			}
			tg, err := api.ListTags(ctx, &lambda.ListTagsInput{Resource: &arn})
			if err != nil {
				return nil, fmt.Errorf("lambda:ListTags %s: %w", arn, err)
			}
			r.Tags = mapTags(tg.Tags)
			out = append(out, r)
		}
	}
	return out, nil
}

// secretsAPI is what readSecrets needs from Secrets Manager.
type secretsAPI interface {
	secretsmanager.ListSecretsAPIClient
	GetResourcePolicy(context.Context, *secretsmanager.GetResourcePolicyInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetResourcePolicyOutput, error)
}

// readSecrets reads the secrets of the client's region with their resource
// policy and tags.
func readSecrets(ctx context.Context, api secretsAPI) ([]resource, error) {
	var out []resource
	p := secretsmanager.NewListSecretsPaginator(api, &secretsmanager.ListSecretsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("secretsmanager:ListSecrets: %w", err)
		}
		for _, s := range page.SecretList {
			arn := aws.ToString(s.ARN)
			r := resource{Arn: arn, Tags: []tag{}}
			for _, t := range s.Tags {
				r.Tags = append(r.Tags, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
			}
			pol, err := api.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: &arn})
			switch {
			case isCode(err, "ResourceNotFoundException"):
				continue // deleted since it was listed
			case err != nil:
				return nil, fmt.Errorf("secretsmanager:GetResourcePolicy %s: %w", arn, err)
			case aws.ToString(pol.ResourcePolicy) != "":
				r.Policy = pol.ResourcePolicy
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// snsAPI is what readTopics needs from SNS.
type snsAPI interface {
	sns.ListTopicsAPIClient
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
	ListTagsForResource(context.Context, *sns.ListTagsForResourceInput, ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error)
}

// readTopics reads the SNS topics of the client's region with their access
// policy and tags.
func readTopics(ctx context.Context, api snsAPI) ([]resource, error) {
	var out []resource
	p := sns.NewListTopicsPaginator(api, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("sns:ListTopics: %w", err)
		}
		for _, t := range page.Topics {
			arn := aws.ToString(t.TopicArn)
			r := resource{Arn: arn, Tags: []tag{}}
			at, err := api.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
			switch {
			case isCode(err, "NotFound"):
				continue // deleted since it was listed
			case err != nil:
				return nil, fmt.Errorf("sns:GetTopicAttributes %s: %w", arn, err)
			}
			if pol, ok := at.Attributes["Policy"]; ok && pol != "" {
				r.Policy = &pol
			}
			tg, err := api.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &arn})
			if err != nil {
				return nil, fmt.Errorf("sns:ListTagsForResource %s: %w", arn, err)
			}
			for _, t := range tg.Tags {
				r.Tags = append(r.Tags, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// ecrAPI is what readRepositories needs from ECR.
type ecrAPI interface {
	ecr.DescribeRepositoriesAPIClient
	GetRepositoryPolicy(context.Context, *ecr.GetRepositoryPolicyInput, ...func(*ecr.Options)) (*ecr.GetRepositoryPolicyOutput, error)
	ListTagsForResource(context.Context, *ecr.ListTagsForResourceInput, ...func(*ecr.Options)) (*ecr.ListTagsForResourceOutput, error)
}

// readRepositories reads the ECR repositories of the client's region (of
// the account's own registry) with their repository policy and tags.
func readRepositories(ctx context.Context, api ecrAPI) ([]resource, error) {
	var out []resource
	p := ecr.NewDescribeRepositoriesPaginator(api, &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ecr:DescribeRepositories: %w", err)
		}
		for _, repo := range page.Repositories {
			arn := aws.ToString(repo.RepositoryArn)
			r := resource{Arn: arn, Tags: []tag{}}
			pol, err := api.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: repo.RepositoryName, RegistryId: repo.RegistryId})
			switch {
			case isCode(err, "RepositoryPolicyNotFoundException"):
			case isCode(err, "RepositoryNotFoundException"):
				continue // deleted since it was listed
			case err != nil:
				return nil, fmt.Errorf("ecr:GetRepositoryPolicy %s: %w", arn, err)
			case aws.ToString(pol.PolicyText) != "":
				r.Policy = pol.PolicyText
			}
			tg, err := api.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: &arn})
			if err != nil {
				return nil, fmt.Errorf("ecr:ListTagsForResource %s: %w", arn, err)
			}
			for _, t := range tg.Tags {
				r.Tags = append(r.Tags, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
			}
			out = append(out, r)
		}
	}
	return out, nil
}
