package bundle

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPublish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	write := func(name, content string) string {
		tmp, err := os.MkdirTemp(dir, "tmp-")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return tmp
	}
	if err := Publish(write("a", "first"), out); err != nil {
		t.Fatal(err)
	}
	if err := Publish(write("b", "second"), out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "a")); !os.IsNotExist(err) {
		t.Errorf("the replaced bundle's file a is still there (err %v)", err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "b")); err != nil || string(got) != "second" {
		t.Errorf("out/b = %q, %v; want second", got, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 1 {
		t.Errorf("directory holds %d entries (%v), want only out: nothing left aside", len(ents), err)
	}
}
