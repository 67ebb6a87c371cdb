package graph

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/rs/zerolog"
)

// ErrNoSnapshot is returned by [Store.Current] when the store has no
// committed snapshot yet.
var ErrNoSnapshot = errors.New("graph: no committed snapshot")

// ErrUnknownSnapshot is returned when a snapshot id names no committed
// snapshot: never written, deleted, or never finished.
var ErrUnknownSnapshot = errors.New("graph: unknown snapshot")

// ErrCurrentSnapshot is returned by [Store.Delete] for the current snapshot,
// which is never deleted.
var ErrCurrentSnapshot = errors.New("graph: snapshot is current")

// ErrReadOnly is returned by [Store.Write] and [Store.Delete] on a store
// opened with [Options.ReadOnly].
var ErrReadOnly = errors.New("graph: store is read-only")

var errNoDir = errors.New("no directory")

// Key layout. A snapshot's data lives under "s/<id>/"; it exists, for every
// reader, only once its metadata record "m/<id>" is committed, which happens
// in the same transaction that points "c" at it.
//
//	c                      current snapshot id
//	q                      last snapshot id handed out (a counter)
//	m/<id>                 metaRecord, JSON
//	s/<id>/n/<seq:8 bytes> Node, JSON, in snapshot order
//	s/<id>/e/<seq:8 bytes> Edge, JSON, in snapshot order
var (
	keyCurrent = []byte("c")
	keyCounter = []byte("q")
	prefixMeta = []byte("m/")
	prefixData = []byte("s/")
)

func metaKey(id SnapshotID) []byte { return append([]byte("m/"), id...) }
func dataPrefix(id SnapshotID) []byte {
	return append(append([]byte("s/"), id...), '/')
}
func nodePrefix(id SnapshotID) []byte { return append(dataPrefix(id), 'n', '/') }
func edgePrefix(id SnapshotID) []byte { return append(dataPrefix(id), 'e', '/') }

func recordKey(prefix []byte, seq int) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), uint64(seq))
}

// metaRecord is what "m/<id>" holds: the metadata and how many records the
// snapshot has, checked on load.
type metaRecord struct {
	Meta  Meta `json:"meta"`
	Nodes int  `json:"nodes"`
	Edges int  `json:"edges"`
}

// Store keeps immutable snapshots in a Badger database. Its methods are safe
// for concurrent use; writes and deletes are serialised.
type Store struct {
	db   *badger.DB
	opts Options
	log  zerolog.Logger
	mu   sync.Mutex // held by Write and Delete
}

// Open opens (creating if needed) the store in o.Dir and deletes the data of
// any snapshot whose write never committed, such as one cut short by a crash.
func Open(o Options) (*Store, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	log := o.Logger.With().Str("component", "graph.store").Logger()
	bopts := badger.DefaultOptions(o.Dir).
		WithLogger(badgerLogger{o.Logger.With().Str("component", "badger").Logger()}).
		WithReadOnly(o.ReadOnly)
	db, err := badger.Open(bopts)
	if err != nil && o.ReadOnly {
		db, err = recoverThenRead(o, bopts, err)
	}
	if err != nil {
		return nil, fmt.Errorf("graph: open %s: %w", o.Dir, err)
	}
	s := &Store{db: db, opts: o, log: log}
	if o.ReadOnly {
		return s, nil // a writer collects garbage; a reader must not write
	}
	if err := s.collectGarbage(); err != nil {
		return nil, errors.Join(fmt.Errorf("graph: open %s: %w", o.Dir, err), db.Close())
	}
	return s, nil
}

// recoverThenRead handles a read-only open that Badger refused, typically
// because a writer was killed and its log must be truncated first, which a
// reader may not do. A writable open recovers the store and collects the
// killed write's garbage; then the read-only open is tried again. Badger
// flattens its errors (y.Wrap uses %v), so the cause cannot be tested with
// errors.Is and every refusal gets this one retry.
func recoverThenRead(o Options, bopts badger.Options, first error) (*badger.DB, error) {
	w, err := Open(o.WithReadOnly(false))
	if err != nil {
		return nil, errors.Join(first, err)
	}
	if err := w.Close(); err != nil {
		return nil, errors.Join(first, err)
	}
	return badger.Open(bopts)
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("graph: close %s: %w", s.opts.Dir, err)
	}
	return nil
}

// Write stores snap as a new snapshot and makes it current. The data goes
// out in flushed batches; only then are its metadata record and the current
// pointer written, together, in one transaction. If Write fails or the
// process dies before that, the previous snapshot stays current and the
// partial data is never visible (and is removed by the next [Open]).
//
// Write validates snap first (see [Snapshot.Validate]). snap.Meta.ID is
// ignored; the stored copy carries the returned id. After the commit,
// snapshots beyond Options.Retention are deleted, oldest first.
func (s *Store) Write(ctx context.Context, snap *Snapshot) (SnapshotID, error) {
	if s.opts.ReadOnly {
		return "", fmt.Errorf("graph: write to %s: %w", s.opts.Dir, ErrReadOnly)
	}
	if err := snap.Validate(); err != nil {
		return "", fmt.Errorf("graph: write: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.nextID()
	if err != nil {
		return "", err
	}
	if err := s.writeRecords(ctx, id, snap); err != nil {
		// Best effort: Open collects whatever this leaves behind.
		return "", errors.Join(fmt.Errorf("graph: write snapshot %s: %w", id, err),
			s.db.DropPrefix(dataPrefix(id)))
	}
	if err := s.commit(id, snap); err != nil {
		return "", fmt.Errorf("graph: commit snapshot %s: %w", id, err)
	}
	s.log.Info().Str("snapshot", string(id)).Int("nodes", len(snap.Nodes)).
		Int("edges", len(snap.Edges)).Msg("snapshot committed")
	s.applyRetention(id)
	return id, nil
}

// nextID hands out the next snapshot id. The counter is committed before any
// data is written, so an id is never reused, even after a crash.
func (s *Store) nextID() (SnapshotID, error) {
	var n uint64
	err := s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(keyCounter)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			if err := item.Value(func(v []byte) error { n = binary.BigEndian.Uint64(v); return nil }); err != nil {
				return err
			}
		}
		n++
		return txn.Set(keyCounter, binary.BigEndian.AppendUint64(nil, n))
	})
	if err != nil {
		return "", fmt.Errorf("graph: new snapshot id in %s: %w", s.opts.Dir, err)
	}
	return formatID(n), nil
}

// formatID pads ids so that their byte order is their numeric order.
func formatID(n uint64) SnapshotID { return SnapshotID(fmt.Sprintf("%010d", n)) }

func parseID(id SnapshotID) (uint64, bool) {
	n, err := strconv.ParseUint(string(id), 10, 64)
	return n, err == nil && formatID(n) == id
}

// writeRecords writes nodes, then edges, each batch flushed before the next.
func (s *Store) writeRecords(ctx context.Context, id SnapshotID, snap *Snapshot) error {
	total := len(snap.Nodes) + len(snap.Edges)
	written := 0
	flushed := func(n int) {
		written += n
		if s.opts.Progress != nil {
			s.opts.Progress(Progress{Snapshot: id, Written: written, Total: total})
		}
	}
	if err := writeBatches(ctx, s.db, nodePrefix(id), snap.Nodes, s.opts.BatchRecords, flushed); err != nil {
		return fmt.Errorf("nodes: %w", err)
	}
	if err := writeBatches(ctx, s.db, edgePrefix(id), snap.Edges, s.opts.BatchRecords, flushed); err != nil {
		return fmt.Errorf("edges: %w", err)
	}
	// Make the data durable before the record that makes it visible.
	return s.db.Sync()
}

// writeBatches writes recs under prefix with sequence-number keys, size
// records per flushed WriteBatch, calling flushed after each flush.
func writeBatches[T any](ctx context.Context, db *badger.DB, prefix []byte, recs []T, size int, flushed func(int)) error {
	for start := 0; start < len(recs); start += size {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+size, len(recs))
		wb := db.NewWriteBatch()
		for i := start; i < end; i++ {
			v, err := json.Marshal(&recs[i])
			if err != nil {
				wb.Cancel()
				return fmt.Errorf("[%d]: %w", i, err)
			}
			if err := wb.Set(recordKey(prefix, i), v); err != nil {
				wb.Cancel()
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		if err := wb.Flush(); err != nil {
			return fmt.Errorf("batch [%d:%d]: %w", start, end, err)
		}
		flushed(end - start)
	}
	return nil
}

// commit writes the metadata record and flips the current pointer in one
// transaction, then syncs.
func (s *Store) commit(id SnapshotID, snap *Snapshot) error {
	rec := metaRecord{Meta: snap.Meta, Nodes: len(snap.Nodes), Edges: len(snap.Edges)}
	rec.Meta.ID = id
	v, err := json.Marshal(&rec)
	if err != nil {
		return err
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(metaKey(id), v); err != nil {
			return err
		}
		return txn.Set(keyCurrent, []byte(id))
	})
	if err != nil {
		return err
	}
	return s.db.Sync()
}

// applyRetention deletes the oldest snapshots beyond Options.Retention,
// never current. A failure is logged: the write it follows has succeeded.
func (s *Store) applyRetention(current SnapshotID) {
	if s.opts.Retention == 0 {
		return
	}
	ids, err := s.ids()
	if err != nil {
		s.log.Warn().Err(err).Msg("retention: list snapshots")
		return
	}
	excess := len(ids) - s.opts.Retention
	for _, id := range ids {
		if excess <= 0 {
			break
		}
		if id == current {
			continue
		}
		if err := s.deleteLocked(id); err != nil {
			s.log.Warn().Err(err).Str("snapshot", string(id)).Msg("retention: delete snapshot")
			return
		}
		s.log.Info().Str("snapshot", string(id)).Msg("retention: snapshot deleted")
		excess--
	}
}
