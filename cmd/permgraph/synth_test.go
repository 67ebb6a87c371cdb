package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynth(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "org")
	code, stdout, stderr := runArgs(t, "synth", "--size", "s", "--seed", "3", "-o", "json", out)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var res synthResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if res.Size != "S" || res.Seed != 3 || res.Users+res.Roles < 250 || res.Escalations == 0 || res.Out != out {
		t.Errorf("unexpected result %+v", res)
	}
	for _, f := range []string{"organization.json", "planted.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// A second run into the same, now non-empty, directory is refused...
	code, _, stderr = runArgs(t, "synth", out)
	if code != exitUsage || !strings.Contains(stderr, "--force") {
		t.Errorf("synth into a non-empty OUT: exit %d, stderr %q; want %d and a hint about --force", code, stderr, exitUsage)
	}
	// ...unless forced; the table names the manifest.
	code, stdout, stderr = runArgs(t, "synth", "--force", "--seed", "3", out)
	if code != exitOK {
		t.Fatalf("synth --force: exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"identities", "planted", "planted.json", "S (seed 3)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestSynthUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad size", []string{"synth", "--size", "XXL", t.TempDir() + "/x"}, "must be one of S, M, L, XL"},
		{"no OUT", []string{"synth"}, "accepts 1 arg(s)"},
		{"bad seed", []string{"synth", "--seed", "-1", "x"}, `invalid argument "-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := runArgs(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr, exitUsage, tt.want)
			}
		})
	}
}
