// Package ingest turns a source of IAM data into one [graph.Snapshot].
//
// [Build] maps a decoded org bundle ([bundle.Bundle]) to graph nodes and
// stored edges (DESIGN.md §1):
//
//   - the organization, its root, OUs and accounts ("org/<id>", "root/<id>",
//     "ou/<id>", "account/<id>"), linked by ChildOf, with the SCPs and RCPs
//     (PolicyTarget) and tags;
//   - per account, users, groups and roles (the ARN is the ID) with their
//     managed policies (every version; an AWS managed policy once per
//     snapshot) and inline policies ("<principal-arn>/inline/<name>"), linked
//     by MemberOf, Attached, Boundary and InAccount;
//   - Trusts edges from each role to the principals its trust policy allows:
//     users, roles and accounts of the bundle, "service/<name>"
//     ServicePrincipal nodes, and ExternalPrincipal nodes for anything else
//     ("account/<id>", an ARN, "federated/<name>", "aws/<value>");
//   - resources from resources.json, with their resource policy both on the
//     node and as a Policy node "<arn>#policy" reached through HasPolicy;
//   - credential report and last-accessed data on the identities, and a
//     [graph.Class] for every user and role from a [graph.Classifier].
//
// A managed policy that is referenced but not in the bundle becomes a Policy
// node marked Unresolved and a warning on the snapshot. Instance profiles
// have no place in the model yet and are not mapped.
package ingest
