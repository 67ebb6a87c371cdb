package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/permgraph/permgraph/graph"
	"github.com/spf13/cobra"
)

const dataFlagHelp = "directory of the snapshot store (default $XDG_STATE_HOME/permgraph, or ~/.local/state/permgraph)"

// addDataFlag adds --data, the snapshot store directory, to cmd.
func addDataFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "data", "", dataFlagHelp)
}

// dataDir returns the store directory: flag if set, else the XDG state
// directory ($XDG_STATE_HOME when it is an absolute path, else
// ~/.local/state) with "permgraph" appended.
func dataDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if x := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "permgraph"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no --data and %w", err)
	}
	return filepath.Join(home, ".local", "state", "permgraph"), nil
}

// openStore opens the store in dir. With existing, a missing directory is
// an error rather than a new, empty store, and the store is opened read-only
// so that queries can run side by side.
func openStore(g *globals, dir string, existing bool) (*graph.Store, error) {
	if existing {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no snapshot store in %s: run permgraph ingest first", dir)
		}
	}
	return graph.Open(graph.DefaultOptions(dir).WithLogger(g.log).WithReadOnly(existing))
}

// snapshotEntry is one snapshot as "snapshots -o json" and "ingest -o json"
// print it.
type snapshotEntry struct {
	ID       graph.SnapshotID `json:"id"`
	Created  string           `json:"created"` // RFC 3339, UTC
	Source   string           `json:"source"`
	Current  bool             `json:"current"`
	Counts   graph.Counts     `json:"counts"`
	Warnings []string         `json:"warnings"`
}

func newSnapshotEntry(m *graph.Meta, current graph.SnapshotID) snapshotEntry {
	w := m.Warnings
	if w == nil {
		w = []string{}
	}
	return snapshotEntry{ID: m.ID, Created: m.Created.UTC().Format(time.RFC3339), Source: m.Source,
		Current: m.ID == current, Counts: m.Counts, Warnings: w}
}

// printSnapshots writes entries as a table, one snapshot a row.
func printSnapshots(g *globals, entries []snapshotEntry) error {
	t := newTable(g.stdout, "ID", "CURRENT", "CREATED", "ACCOUNTS", "OUS", "USERS", "ROLES", "GROUPS",
		"MANAGED", "INLINE", "RESOURCES", "SCPS", "RCPS", "WARNINGS", "SOURCE")
	for _, e := range entries {
		cur := ""
		if e.Current {
			cur = "*"
		}
		c := e.Counts
		cells := append([]string{string(e.ID), cur, e.Created}, itoa(c.Accounts, c.OUs, c.Users, c.Roles, c.Groups,
			c.ManagedPolicies, c.InlinePolicies, c.Resources, c.SCPs, c.RCPs, len(e.Warnings))...)
		t.row(append(cells, e.Source)...)
	}
	return t.flush()
}

func itoa(ns ...int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return out
}

const snapshotsLong = `snapshots lists the snapshots in the store, oldest first, with their counts
and how many warnings the ingest recorded; the current one is marked. With
-o json it prints {"snapshots": [...]}, each with its warnings in full.

"snapshots delete ID" deletes a snapshot; the current one cannot be deleted.`

func newSnapshotsCmd(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "snapshots",
		Short: "List the graph snapshots in the store",
		Long:  snapshotsLong,
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return runSnapshots(g, dir) },
	}
	addDataFlag(cmd, &dir)
	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a snapshot other than the current one",
		Args:  cobra.ExactArgs(1),
		RunE:  func(_ *cobra.Command, args []string) error { return runDeleteSnapshot(g, dir, args[0]) },
	}
	addDataFlag(del, &dir)
	cmd.AddCommand(del)
	return cmd
}

func runSnapshots(g *globals, flag string) (err error) {
	dir, err := dataDir(flag)
	if err != nil {
		return err
	}
	entries := []snapshotEntry{}
	if _, statErr := os.Stat(dir); statErr == nil {
		st, err := openStore(g, dir, true)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, st.Close()) }()
		if entries, err = listSnapshots(st); err != nil {
			return err
		}
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, struct {
			Snapshots []snapshotEntry `json:"snapshots"`
		}{entries})
	}
	return printSnapshots(g, entries)
}

func listSnapshots(st *graph.Store) ([]snapshotEntry, error) {
	metas, err := st.List()
	if err != nil {
		return nil, err
	}
	cur, err := st.Current()
	if err != nil && !errors.Is(err, graph.ErrNoSnapshot) {
		return nil, err
	}
	entries := make([]snapshotEntry, len(metas))
	for i := range metas {
		entries[i] = newSnapshotEntry(&metas[i], cur)
	}
	return entries, nil
}

func runDeleteSnapshot(g *globals, flag, arg string) (err error) {
	dir, err := dataDir(flag)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no snapshot store in %s: run permgraph ingest first", dir)
	}
	st, err := openStore(g, dir, false)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	id, err := resolveSnapshot(st, arg)
	if err != nil {
		return err
	}
	err = st.Delete(id)
	if errors.Is(err, graph.ErrCurrentSnapshot) {
		return fmt.Errorf("snapshot %s is the current one and cannot be deleted: ingest a newer snapshot first", id)
	}
	if err != nil {
		return err
	}
	if g.output == outputJSON {
		return printJSON(g.stdout, map[string]graph.SnapshotID{"deleted": id})
	}
	_, err = fmt.Fprintf(g.stdout, "deleted snapshot %s\n", id)
	return err
}

// resolveSnapshot turns a command-line snapshot name into an id: "current",
// an id as listed, or the same number without its leading zeros.
func resolveSnapshot(st *graph.Store, arg string) (graph.SnapshotID, error) {
	if arg == "current" {
		id, err := st.Current()
		if errors.Is(err, graph.ErrNoSnapshot) {
			return "", errors.New("the store has no snapshot yet")
		}
		return id, err
	}
	metas, err := st.List()
	if err != nil {
		return "", err
	}
	for _, m := range metas {
		if string(m.ID) == arg || arg != "" && strings.TrimLeft(string(m.ID), "0") == strings.TrimLeft(arg, "0") {
			return m.ID, nil
		}
	}
	return "", fmt.Errorf("no snapshot %q: permgraph snapshots lists them", arg)
}
