// Package awsingest reads an AWS organization through aws-sdk-go-v2 into an
// org bundle (DESIGN.md §6), for a live ingest or for `permgraph collect`.
//
// [Collect] reads, with the caller's credentials, the Organizations tree,
// its SCPs and RCPs with their targets and the tags of OUs and accounts;
// then, for each active account, concurrently up to [Options.Concurrency]:
// IAM's GetAccountAuthorizationDetails, the credential report, Access
// Advisor's action-level last-accessed data and the resource policies and
// tags of S3 buckets, and, in each of [Options.Regions], of KMS keys, SQS
// queues, Lambda functions (the unqualified function's policy), Secrets
// Manager secrets, SNS topics and ECR repositories ([ResourceServices]).
// SQS and Lambda answer tags as a map: those are sorted by key. The
// caller's own account is read with its
// own credentials; every other account through sts:AssumeRole into
// [Options.AssumeRoleName]. An account that cannot be read is listed in
// [Collection.Missing] and the others go on.
//
// A [Collection] holds what was read in the bundle's JSON shapes:
// [Collection.WriteBundle] writes it as a bundle directory and
// [Collection.Bundle] decodes it with ingest/bundle, through the same files,
// so that a live ingest and an ingest of the written bundle are the same.
//
// [LoadConfig] builds the aws.Config the CLI uses: the standard credential
// chain, a profile, the SDK's adaptive retryer for throttling, and a custom
// endpoint (--endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).
// Package awstest fakes the endpoints for tests.
package awsingest
