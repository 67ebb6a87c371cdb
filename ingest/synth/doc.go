// Package synth generates synthetic org bundles (DESIGN.md §6) that look like
// real AWS organizations, for tests, benchmarks and demos.
//
// [Write] writes, into a directory, an organization.json with an OU tree
// (Security, Infrastructure, Workloads/{Prod,NonProd}/<business unit>,
// Sandbox, Suspended, PolicyStaging), SCPs (FullAWSAccess, a deny-list
// guardrail, a region guardrail, an allow-list on Sandbox, deny-all on
// Suspended) and RCPs (RCPFullAWSAccess and an org-only data perimeter);
// and per account an authorization-details.json, credential-report.csv,
// resources.json and last-accessed.json that ingest/bundle reads without a
// warning. Accounts hold every identity class: IAM Identity Center and
// SAML-federated roles and IAM users (humans), compute roles (workloads),
// Bedrock and AgentCore roles and agents hosted on Lambda or ECS (AI agents),
// GitHub and GitLab OIDC roles (CI), vendor roles with external ids (third
// parties), service-linked roles, and cross-account roles and chains.
// AWS managed policies are the real documents (embedded, see
// testdata/aws-managed-policies.json and gen.go, which extracts them).
//
// The same [Options.Size] and [Options.Seed] give the same bytes: all
// randomness comes from PCG streams of the seed (one for the org plan, one
// per account), dates derive from the seed, and nothing depends on map order
// or on how many accounts are generated in parallel.
//
// # Planted escalations
//
// Every bundle holds privilege-escalation paths planted on purpose, one of
// each [Escalation] method, listed in planted.json ([ManifestFile]) at the top
// of the bundle:
//
//	{"size": "S", "seed": 1, "escalations": [
//	  {"principal": "arn:aws:iam::111122223333:user/ops.contractor",
//	   "method": "iam:CreatePolicyVersion",
//	   "target": "arn:aws:iam::111122223333:policy/ops-contractor-access",
//	   "account": "111122223333",
//	   "note": "user can write a new default version of a policy attached to itself"},
//	  {"principal": "arn:aws:iam::111122223333:role/reporting-etl-task",
//	   "method": "sts:AssumeRole",
//	   "target": "arn:aws:iam::111122223333:role/data-admin",
//	   "via": ["arn:aws:iam::111122223333:role/data-platform-hub"], ...}]}
//
// principal is the identity that escalates; method is one of the Method
// constants (actions joined by "+" when it takes several); target is what it
// gains: an admin role or user, or for CreatePolicyVersion and
// AttachRolePolicy the policy or role it rewrites; via lists, in order, the
// roles assumed or the Lambda function invoked on the way. Every ARN names
// an entity of the bundle. Other escalations exist by accident, as in real
// accounts (IAMFullAccess users, CI roles with AdministratorAccess): the
// manifest lists what must be found, not all there is.
//
// resources.json has no field for a Lambda function's execution role or a
// Bedrock agent's service role, so synth records it in the tag
// "synth:execution-role".
package synth
