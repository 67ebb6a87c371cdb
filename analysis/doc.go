// Package analysis answers questions about one loaded snapshot: can a
// principal do something, and why (DESIGN.md §3).
//
// An [Env] is built once per snapshot from the snapshot and its
// [index.Index]. It gathers, for every principal, the policies that take
// part in its requests (identity, group-inherited, boundary, SCP levels of
// its account) and, for every resource, its resource policy (a role's trust
// policy, a key's key policy), so that one request is assembled without
// walking the graph. [Env.Request] returns the engine's request and policy
// set; [Can] evaluates it and returns a [Decision] whose explanation names
// policies by their graph node ID.
package analysis
