package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDiff compares ingests of bundles a and b, which differ by a user
// added to a group, a changed tag, a trust to Lambda (so a class change), a
// new default version of a managed policy and a removed inline policy.
func TestDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ingestOK(t, dir, ingestDir+"a")
	ingestOK(t, dir, ingestDir+"b")
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"diff.json", []string{"1", "2", "-o", "json"}},
		{"diff.txt", []string{"1", "current"}},
		{"diff-reverse.txt", []string{"2", "1"}},
		{"diff-same.txt", []string{"2", "2"}},
	} {
		code, stdout, stderr := runArgs(t, append([]string{"diff", "--data", dir}, tt.args...)...)
		if code != exitOK {
			t.Fatalf("diff %v: exit %d, stderr:\n%s", tt.args, code, stderr)
		}
		checkGolden(t, ingestDir+"golden/"+tt.golden, []byte(stdout))
	}
}

func TestDiffErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ingestOK(t, dir, ingestDir+"a")
	missing := filepath.Join(t.TempDir(), "none")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"diff", "--data", dir, "1", "9"}, `permgraph: no snapshot "9": permgraph snapshots lists them`},
		{[]string{"diff", "--data", missing, "1", "2"}, "permgraph: no snapshot store in " + missing + ": run permgraph ingest first"},
		{[]string{"diff", "--data", dir, "1"}, "permgraph: accepts 2 arg(s), received 1"},
	}
	for _, tt := range tests {
		code, _, stderr := runArgs(t, tt.args...)
		if got, _, _ := strings.Cut(stderr, "\n"); code != exitUsage || got != tt.want {
			t.Errorf("%v: exit %d, %q; want %d, %q", tt.args, code, got, exitUsage, tt.want)
		}
	}
}
