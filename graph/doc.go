// Package graph holds the permission graph's model and the store that keeps
// it (DESIGN.md §1).
//
// A [Snapshot] is one complete ingest of an AWS organization: [Node] values
// (organization, root, OUs, accounts, users, groups, roles, policies,
// resources, service and external principals) linked by stored [Edge] facts
// (MemberOf, Attached, Boundary, InAccount, ChildOf, PolicyTarget, Trusts,
// HasPolicy). [Snapshot.Validate] checks that it is a well-formed graph.
//
// Every user and role carries a [Class] (human, workload, ai-agent, ci,
// third-party, service-linked). A [Classifier] assigns it from [Facts] by
// trying [Rule] values in order: rules are data, users add their own with
// [LoadRules], and theirs are tried before [DefaultRules].
//
// A [Store] keeps snapshots in Badger. [Store.Write] makes a snapshot visible
// only once all of it is committed, so a crash mid-write leaves the previous
// snapshot current; [Open] removes what an unfinished write left behind.
// Snapshots are immutable, listed with [Store.List], read with [Store.Load],
// and pruned by retention.
package graph
