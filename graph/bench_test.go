package graph

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
)

// BenchmarkWriteSnapshot writes a 100k-node (and ~100k-edge) snapshot into a
// fresh store and reports the store's size on disk after Close.
func BenchmarkWriteSnapshot(b *testing.B) {
	snap := largeSnapshot(100_000, "bench")
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		s, err := Open(DefaultOptions(dir))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Write(context.Background(), snap); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		size = dirSize(b, dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(size), "disk-bytes")
	b.ReportMetric(float64(size)/float64(len(snap.Nodes)+len(snap.Edges)), "disk-bytes/record")
}

// BenchmarkLoadSnapshot loads the same snapshot back.
func BenchmarkLoadSnapshot(b *testing.B) {
	s := openStore(b, DefaultOptions(b.TempDir()))
	id := mustWrite(b, s, largeSnapshot(100_000, "bench"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(id); err != nil {
			b.Fatal(err)
		}
	}
}

// dirSize sums the sizes of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
