package graph

import (
	"fmt"
	"strings"

	"github.com/rs/zerolog"
)

// Options configure a [Store]. Start from [DefaultOptions] and change fields
// with the With methods, as with badger.
type Options struct {
	// Dir is the directory holding the Badger database.
	Dir string
	// Retention is how many committed snapshots to keep after a write, the
	// newest ones; the current snapshot is never deleted. 0 keeps all.
	Retention int
	// BatchRecords is how many nodes or edges go into one write batch; each
	// batch is flushed (committed) before the next starts.
	BatchRecords int
	// Logger receives the store's log, and Badger's at debug level and above.
	Logger zerolog.Logger
	// Progress, if set, is called after each batch of a write is flushed.
	Progress func(Progress)
	// ReadOnly opens the store for reading only, so that several readers
	// (CLI queries, the API) can have it open at once; Write and Delete
	// then fail with [ErrReadOnly]. Badger refuses a read-only open while a
	// writer holds the store.
	ReadOnly bool
}

// Progress reports how far [Store.Write] has got.
type Progress struct {
	Snapshot SnapshotID
	Written  int // nodes and edges flushed so far
	Total    int // nodes and edges in the snapshot
}

// DefaultOptions returns options for a store in dir that keeps 14 snapshots
// and logs nothing.
func DefaultOptions(dir string) Options {
	return Options{Dir: dir, Retention: 14, BatchRecords: 10_000, Logger: zerolog.Nop()}
}

// WithRetention returns o with Retention set to n (0 keeps all snapshots).
func (o Options) WithRetention(n int) Options { o.Retention = n; return o }

// WithBatchRecords returns o with BatchRecords set to n.
func (o Options) WithBatchRecords(n int) Options { o.BatchRecords = n; return o }

// WithLogger returns o with Logger set to l.
func (o Options) WithLogger(l zerolog.Logger) Options { o.Logger = l; return o }

// WithReadOnly returns o with ReadOnly set to ro.
func (o Options) WithReadOnly(ro bool) Options { o.ReadOnly = ro; return o }

// WithProgress returns o with Progress set to fn.
func (o Options) WithProgress(fn func(Progress)) Options { o.Progress = fn; return o }

func (o Options) validate() error {
	switch {
	case o.Dir == "":
		return fmt.Errorf("graph: open: %w", errNoDir)
	case o.Retention < 0:
		return fmt.Errorf("graph: open %s: negative retention %d", o.Dir, o.Retention)
	case o.BatchRecords <= 0:
		return fmt.Errorf("graph: open %s: batch records %d, want > 0", o.Dir, o.BatchRecords)
	}
	return nil
}

// badgerLogger sends Badger's log to zerolog. Badger's info messages are
// routine (compactions, replays), so they go out at debug level.
type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { emit(b.l.Error(), f, a) }
func (b badgerLogger) Warningf(f string, a ...any) { emit(b.l.Warn(), f, a) }
func (b badgerLogger) Infof(f string, a ...any)    { emit(b.l.Debug(), f, a) }
func (b badgerLogger) Debugf(f string, a ...any)   { emit(b.l.Trace(), f, a) }

// emit formats only when the level is enabled; Badger ends lines with "\n".
func emit(e *zerolog.Event, f string, a []any) {
	if e.Enabled() {
		e.Msg(strings.TrimSpace(fmt.Sprintf(f, a...)))
	}
}
