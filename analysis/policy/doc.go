// Package policy holds the AWS IAM policy language and AWS's evaluation logic.
//
// [Parse] reads a policy document (identity, resource, trust, boundary,
// session, SCP or RCP; a JSON object or the URL-encoded string the IAM API
// returns) strictly: an unknown element or a value of the wrong shape is an
// error that names its location, such as
// "Statement[2].Condition.StringEquals: value must be a string or list of strings".
//
// [Compile] turns a parsed [Policy] into a [Compiled] form that is evaluated
// without allocating. [Evaluate] decides one [Request] against a [Set] of
// compiled policies, following the documented AWS evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
// and answers with a [Result]: allow, explicit-deny, implicit-deny, or
// conditional when the outcome depends on context keys the request did not
// supply. Every result carries the statements that decided it.
package policy
