package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSnapshotsEmptyStore(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "none")
	code, stdout, stderr := runArgs(t, "snapshots", "--data", missing, "-o", "json")
	if code != exitOK || stdout != "{\n  \"snapshots\": []\n}\n" {
		t.Errorf("snapshots on a missing store: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runArgs(t, "snapshots", "--data", missing)
	if code != exitOK || !strings.HasPrefix(stdout, "ID ") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("snapshots table on a missing store: exit %d, stdout %q", code, stdout)
	}
}

func TestSnapshotsDelete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ingestOK(t, dir, ingestDir+"a")
	ingestOK(t, dir, ingestDir+"b")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // stdout, or the first line of stderr
	}{
		{"current", []string{"2"}, exitUsage,
			"permgraph: snapshot 0000000002 is the current one and cannot be deleted: ingest a newer snapshot first"},
		{"current by name", []string{"current"}, exitUsage,
			"permgraph: snapshot 0000000002 is the current one and cannot be deleted: ingest a newer snapshot first"},
		{"unknown", []string{"7"}, exitUsage, `permgraph: no snapshot "7": permgraph snapshots lists them`},
		{"older", []string{"0000000001"}, exitOK, "deleted snapshot 0000000001"},
		{"again", []string{"1"}, exitUsage, `permgraph: no snapshot "1": permgraph snapshots lists them`},
	}
	for _, tt := range tests { // in order: each sees the store the one before left
		code, stdout, stderr := runArgs(t, append([]string{"snapshots", "delete", "--data", dir}, tt.args...)...)
		got := strings.TrimSuffix(stdout, "\n")
		if code != exitOK {
			got, _, _ = strings.Cut(stderr, "\n")
		}
		if code != tt.wantCode || got != tt.want {
			t.Errorf("%s: exit %d, %q; want %d, %q", tt.name, code, got, tt.wantCode, tt.want)
		}
	}
	if got := listed(t, dir); len(got) != 1 || got[0].ID != "0000000002" || !got[0].Current {
		t.Errorf("after deletes, snapshots = %+v; want only 0000000002, current", got)
	}
}
