package graph

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"
)

// crashDirEnv, when set, makes TestHelperWriteForever run: it is the store
// directory the helper process writes into.
const crashDirEnv = "PERMGRAPH_GRAPH_CRASH_DIR"

// TestHelperWriteForever is not a test: TestCrashMidWrite runs the test
// binary again with only this function, which writes a large snapshot in
// small batches, prints "writing <id>" once three batches are flushed, and
// stalls halfway through so that it never finishes before it is killed.
func TestHelperWriteForever(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashMidWrite")
	}
	snap := largeSnapshot(200_000, "child")
	total := len(snap.Nodes) + len(snap.Edges)
	batches := 0
	o := DefaultOptions(dir).WithBatchRecords(1000).WithProgress(func(p Progress) {
		batches++
		if batches == 3 {
			fmt.Println("writing", p.Snapshot)
		}
		if p.Written >= total/2 {
			select {} // stall mid-write until killed
		}
	})
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Write(context.Background(), snap)
	t.Fatalf("Write returned (%v); the parent should have killed this process", err)
}

func TestCrashMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, DefaultOptions(dir))
	before := mustWrite(t, s, sampleSnapshot())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	partial := killWriterMidWrite(t, dir)
	if n := rawCountKeys(t, dir, dataPrefix(partial)); n == 0 {
		t.Fatalf("the killed write left no data under %s; the test did not crash a write", dataPrefix(partial))
	}

	s, err := Open(DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if cur, err := s.Current(); err != nil || cur != before {
		t.Errorf("after crash Current() = %q, %v; want %q", cur, err, before)
	}
	got, err := s.Load(before)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleSnapshot()
	want.Meta.ID = before
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after crash Load(%s) mismatch (-want +got):\n%s", before, diff)
	}
	if diff := cmp.Diff([]SnapshotID{before}, listIDs(t, s)); diff != "" {
		t.Errorf("after crash List mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Load(partial); !errors.Is(err, ErrUnknownSnapshot) {
		t.Errorf("Load(partial) error = %v, want ErrUnknownSnapshot", err)
	}
	if n := countKeys(t, s, dataPrefix(partial)); n != 0 {
		t.Errorf("Open left %d keys of the partial snapshot", n)
	}
	if next := mustWrite(t, s, largeSnapshot(10, "after")); next <= partial {
		t.Errorf("write after crash got id %s, want one after the partial %s", next, partial)
	}
}

// killWriterMidWrite runs TestHelperWriteForever on dir, waits for it to say
// it is writing, kills it with SIGKILL, and returns the id it was writing.
func killWriterMidWrite(t *testing.T, dir string) SnapshotID {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriteForever$", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id SnapshotID
	var seen []string
	sc := bufio.NewScanner(stdout)
	for id == "" && sc.Scan() {
		seen = append(seen, sc.Text())
		if rest, ok := strings.CutPrefix(sc.Text(), "writing "); ok {
			id = SnapshotID(rest)
		}
	}
	if id == "" {
		err := cmd.Wait()
		t.Fatalf("helper ended (%v) without saying it was writing; stdout:\n%s\nstderr:\n%s",
			err, strings.Join(seen, "\n"), stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("helper was not killed: %v; stderr:\n%s", err, stderr.String())
	}
	return id
}

// rawCountKeys counts keys under prefix with Badger alone, before Open
// collects anything.
func rawCountKeys(t *testing.T, dir string, prefix []byte) int {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return countDBKeys(t, db, prefix)
}

func countKeys(t testing.TB, s *Store, prefix []byte) int {
	t.Helper()
	return countDBKeys(t, s.db, prefix)
}

func countDBKeys(t testing.TB, db *badger.DB, prefix []byte) int {
	t.Helper()
	n := 0
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
