package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the absolute path of rel inside the shared data set
// (../shared/data seen from the repository root, or $PERMGRAPH_SHARED_DATA).
// When the data set is absent the test is skipped with a message saying so,
// so that a missing corpus is never mistaken for a pass.
func SharedData(t testing.TB, rel string) string {
	t.Helper()
	base := os.Getenv("PERMGRAPH_SHARED_DATA")
	if base == "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatalf("locating repository root: %v", err)
		}
		base = filepath.Join(root, "..", "shared", "data")
	}
	p := filepath.Join(base, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s not available (%v): set PERMGRAPH_SHARED_DATA or check out ../shared/data", p, err)
	}
	return p
}

// RepoRoot returns the directory holding go.mod, searching upwards from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
