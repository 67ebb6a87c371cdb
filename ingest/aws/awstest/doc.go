// Package awstest is a local, stateful fake of the AWS endpoints that
// ingest/aws reads, served by httptest on loopback and fed from an org
// bundle (typically one written by ingest/synth).
//
// It speaks the real wire protocols, so the real SDK clients, serializers,
// paginators and retryers run: the query protocol with XML answers for IAM,
// STS and SNS, JSON 1.1 for Organizations (AWSOrganizationsV20161128.*), KMS
// (TrentService.*), Secrets Manager (secretsmanager.*) and ECR
// (AmazonEC2ContainerRegistry_V20150921.*), JSON 1.0 for SQS (AmazonSQS.*),
// REST-JSON for Lambda, and REST-XML with path-style addressing for S3.
// Regional resources are served in the region of the request's scope. Requests
// are routed by the service their SigV4 credential scope names; the access
// key names the account: [MgmtAccessKey] is the management account's
// caller, and AssumeRole hands out "ASIA<account-id>". Any other call fails
// the test.
package awstest
