// Package index holds the compact, read-only in-memory form of a snapshot
// that every analysis reads (DESIGN.md §3).
//
// [Build] turns a [graph.Snapshot] into an [Index]: nodes get dense [NodeID]s
// in the order of their graph IDs, their strings are interned in one arena,
// the adjacency of each stored edge kind is held as a forward and a reverse
// [CSR], and every policy document is parsed and compiled once (identical
// documents share one [policy.Compiled]). Derived edge kinds (CanAssume, …)
// are added later with [Index.WithLayer], which returns a new index.
//
// An Index never changes once built, so all its methods are safe for
// concurrent use; a new snapshot yields a new Index, which callers swap in
// atomically (an atomic.Pointer[Index] is enough).
//
// Hot traversals run on the CSR arrays directly ([Index.Out], [Index.In],
// [Index.Reach]). For the algorithms we should not rewrite, [Index.Directed]
// exposes chosen edge kinds as a gonum graph.Directed.
package index
