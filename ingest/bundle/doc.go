// Package bundle decodes an org bundle: a directory of AWS CLI JSON output
// (DESIGN.md §6) describing an organization and its accounts.
//
// [Read] reads a bundle directory, or a single authorization-details.json,
// into a [Bundle]: the [Org] from organization.json and, per account, an
// [Account] holding the [GAAD] (get-account-authorization-details output),
// the credential report, resource policies and last-accessed data.
// [DecodeGAAD] and [DecodeOrg] decode one file each.
//
// Decoding is strict about what it understands and lenient about what it
// does not: a value of the wrong shape, a bad date, a policy document that
// [policy.Parse] rejects or a dangling reference is an error naming the file
// and the JSON path (or CSV line), such as
//
//	gaad.json: RoleDetailList[3].AssumeRolePolicyDocument: Statement[0].Effect: must be "Allow" or "Deny"
//
// while an unknown field, a known quirk of real CLI output or truncated
// output is a warning, collected in order and returned with the result.
// Nothing here writes the graph; ingest turns a Bundle into a snapshot.
package bundle
