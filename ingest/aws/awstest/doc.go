// Package awstest is a local, stateful fake of the AWS endpoints that
// ingest/aws reads, served by httptest on loopback and fed from an org
// bundle (typically one written by ingest/synth).
//
// It speaks the real wire protocols, so the real SDK clients, serializers,
// paginators and retryers run: the query protocol with XML answers for IAM
// and STS, JSON 1.1 for Organizations (AWSOrganizationsV20161128.*) and KMS
// (TrentService.*), and REST-XML with path-style addressing for S3. Requests
// are routed by the service their SigV4 credential scope names; the access
// key names the account: [MgmtAccessKey] is the management account's
// caller, and AssumeRole hands out "ASIA<account-id>". Any other call fails
// the test.
package awstest
