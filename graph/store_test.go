package graph

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func openStore(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func mustWrite(t testing.TB, s *Store, snap *Snapshot) SnapshotID {
	t.Helper()
	id, err := s.Write(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func listIDs(t testing.TB, s *Store) []SnapshotID {
	t.Helper()
	metas, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []SnapshotID
	for _, m := range metas {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(DefaultOptions(dir).WithBatchRecords(4))
	if err != nil {
		t.Fatal(err)
	}
	snap := sampleSnapshot()
	id := mustWrite(t, s, snap)
	want := sampleSnapshot()
	want.Meta.ID = id
	if diff := cmp.Diff(snap, sampleSnapshot()); diff != "" {
		t.Errorf("Write changed its input (-before +after):\n%s", diff)
	}
	got, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load mismatch (-want +got):\n%s", diff)
	}
	// And again after reopening.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, DefaultOptions(dir))
	got, err = s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load after reopen mismatch (-want +got):\n%s", diff)
	}
}

func TestEmptyStore(t *testing.T) {
	t.Parallel()
	s := openStore(t, DefaultOptions(t.TempDir()))
	if _, err := s.Current(); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("Current() error = %v, want ErrNoSnapshot", err)
	}
	if ids := listIDs(t, s); len(ids) != 0 {
		t.Errorf("List() = %v, want none", ids)
	}
	for _, id := range []SnapshotID{"0000000001", "1", "../x", ""} {
		if _, err := s.Load(id); !errors.Is(err, ErrUnknownSnapshot) {
			t.Errorf("Load(%q) error = %v, want ErrUnknownSnapshot", id, err)
		}
		if err := s.Delete(id); !errors.Is(err, ErrUnknownSnapshot) {
			t.Errorf("Delete(%q) error = %v, want ErrUnknownSnapshot", id, err)
		}
	}
}

func TestListCurrentDelete(t *testing.T) {
	t.Parallel()
	s := openStore(t, DefaultOptions(t.TempDir()).WithRetention(0))
	a := mustWrite(t, s, largeSnapshot(10, "a"))
	b := mustWrite(t, s, largeSnapshot(20, "b"))
	c := mustWrite(t, s, sampleSnapshot())
	if diff := cmp.Diff([]SnapshotID{a, b, c}, listIDs(t, s)); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
	if cur, err := s.Current(); err != nil || cur != c {
		t.Errorf("Current() = %q, %v; want %q", cur, err, c)
	}
	if err := s.Delete(c); !errors.Is(err, ErrCurrentSnapshot) {
		t.Errorf("Delete(current) error = %v, want ErrCurrentSnapshot", err)
	}
	if err := s.Delete(a); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(a); !errors.Is(err, ErrUnknownSnapshot) {
		t.Errorf("second Delete error = %v, want ErrUnknownSnapshot", err)
	}
	if _, err := s.Load(a); !errors.Is(err, ErrUnknownSnapshot) {
		t.Errorf("Load(deleted) error = %v, want ErrUnknownSnapshot", err)
	}
	if n := countKeys(t, s, dataPrefix(a)); n != 0 {
		t.Errorf("deleted snapshot still has %d keys", n)
	}
	if diff := cmp.Diff([]SnapshotID{b, c}, listIDs(t, s)); diff != "" {
		t.Errorf("List after delete mismatch (-want +got):\n%s", diff)
	}
	got, err := s.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	want := largeSnapshot(20, "b")
	want.Meta.ID = b
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load(b) mismatch (-want +got):\n%s", diff)
	}
}

func TestRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		retention int
		writes    int
		want      []SnapshotID
	}{
		{"keep all", 0, 4, []SnapshotID{"0000000001", "0000000002", "0000000003", "0000000004"}},
		{"keep two", 2, 4, []SnapshotID{"0000000003", "0000000004"}},
		{"keep one, the current", 1, 3, []SnapshotID{"0000000003"}},
		{"fewer than retention", 5, 2, []SnapshotID{"0000000001", "0000000002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := openStore(t, DefaultOptions(t.TempDir()).WithRetention(tt.retention))
			var last SnapshotID
			for range tt.writes {
				last = mustWrite(t, s, largeSnapshot(5, tt.name))
			}
			if diff := cmp.Diff(tt.want, listIDs(t, s)); diff != "" {
				t.Errorf("List mismatch (-want +got):\n%s", diff)
			}
			if cur, err := s.Current(); err != nil || cur != last {
				t.Errorf("Current() = %q, %v; want %q", cur, err, last)
			}
		})
	}
}

func TestWriteFailureKeepsCurrent(t *testing.T) {
	t.Parallel()
	s := openStore(t, DefaultOptions(t.TempDir()).WithBatchRecords(10))
	first := mustWrite(t, s, sampleSnapshot())

	invalid := sampleSnapshot()
	invalid.Edges = append(invalid.Edges, Edge{From: "nobody", To: prod, Kind: EdgeInAccount})
	if _, err := s.Write(context.Background(), invalid); !errors.Is(err, ErrInvalidSnapshot) {
		t.Errorf("Write(invalid) error = %v, want ErrInvalidSnapshot", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	s.opts.Progress = func(p Progress) {
		if p.Written >= 20 {
			cancel()
		}
	}
	if _, err := s.Write(ctx, largeSnapshot(100, "cancelled")); !errors.Is(err, context.Canceled) {
		t.Errorf("Write(cancelled) error = %v, want context.Canceled", err)
	}
	if cur, err := s.Current(); err != nil || cur != first {
		t.Errorf("Current() = %q, %v; want %q", cur, err, first)
	}
	if diff := cmp.Diff([]SnapshotID{first}, listIDs(t, s)); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
	if n := countKeys(t, s, prefixData) - countKeys(t, s, dataPrefix(first)); n != 0 {
		t.Errorf("%d keys of the cancelled write remain", n)
	}
}

func TestOpenOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    Options
	}{
		{"no dir", DefaultOptions("")},
		{"negative retention", DefaultOptions(t.TempDir()).WithRetention(-1)},
		{"zero batch", DefaultOptions(t.TempDir()).WithBatchRecords(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if s, err := Open(tt.o); err == nil {
				s.Close()
				t.Errorf("Open(%+v) succeeded, want an error", tt.o)
			}
		})
	}
}

func TestReadOnlyStore(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.Write(t.Context(), &Snapshot{Meta: Meta{Source: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Two readers at once, as two CLI queries would be.
	r1, err := Open(DefaultOptions(dir).WithReadOnly(true))
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(DefaultOptions(dir).WithReadOnly(true))
	if err != nil {
		t.Fatalf("second read-only open: %v", err)
	}
	defer r2.Close()
	if cur, err := r2.Current(); err != nil || cur != id {
		t.Errorf("Current() = %v, %v; want %v", cur, err, id)
	}
	if _, err := r1.Write(t.Context(), &Snapshot{}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write on a read-only store: %v, want ErrReadOnly", err)
	}
	if err := r1.Delete(id); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Delete on a read-only store: %v, want ErrReadOnly", err)
	}
}
