package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// List returns the metadata of every committed snapshot, oldest first.
func (s *Store) List() ([]Meta, error) {
	var metas []Meta
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixMeta, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var rec metaRecord
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &rec) }); err != nil {
				return fmt.Errorf("%s: %w", it.Item().Key(), err)
			}
			metas = append(metas, rec.Meta)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graph: list snapshots in %s: %w", s.opts.Dir, err)
	}
	return metas, nil
}

// Current returns the id of the current snapshot, or [ErrNoSnapshot].
func (s *Store) Current() (SnapshotID, error) {
	var id SnapshotID
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		id, err = getCurrent(txn)
		return err
	})
	switch {
	case errors.Is(err, ErrNoSnapshot):
		return "", err
	case err != nil:
		return "", fmt.Errorf("graph: current snapshot in %s: %w", s.opts.Dir, err)
	}
	return id, nil
}

func getCurrent(txn *badger.Txn) (SnapshotID, error) {
	item, err := txn.Get(keyCurrent)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return "", ErrNoSnapshot
	case err != nil:
		return "", err
	}
	v, err := item.ValueCopy(nil)
	return SnapshotID(v), err
}

// Load reads a committed snapshot, or returns [ErrUnknownSnapshot].
// Nodes and edges come back in the order they were written.
func (s *Store) Load(id SnapshotID) (*Snapshot, error) {
	var snap *Snapshot
	err := s.db.View(func(txn *badger.Txn) error {
		rec, err := getMeta(txn, id)
		if err != nil {
			return err
		}
		snap = &Snapshot{Meta: rec.Meta, Nodes: make([]Node, 0, rec.Nodes), Edges: make([]Edge, 0, rec.Edges)}
		if snap.Nodes, err = loadRecords(txn, nodePrefix(id), snap.Nodes); err != nil {
			return fmt.Errorf("nodes: %w", err)
		}
		if snap.Edges, err = loadRecords(txn, edgePrefix(id), snap.Edges); err != nil {
			return fmt.Errorf("edges: %w", err)
		}
		if len(snap.Nodes) != rec.Nodes || len(snap.Edges) != rec.Edges {
			return fmt.Errorf("found %d nodes and %d edges, metadata says %d and %d",
				len(snap.Nodes), len(snap.Edges), rec.Nodes, rec.Edges)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graph: load snapshot %s from %s: %w", id, s.opts.Dir, err)
	}
	if len(snap.Nodes) == 0 {
		snap.Nodes = nil
	}
	if len(snap.Edges) == 0 {
		snap.Edges = nil
	}
	return snap, nil
}

func getMeta(txn *badger.Txn, id SnapshotID) (metaRecord, error) {
	var rec metaRecord
	if _, ok := parseID(id); !ok {
		return rec, ErrUnknownSnapshot
	}
	item, err := txn.Get(metaKey(id))
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		return rec, ErrUnknownSnapshot
	case err != nil:
		return rec, err
	}
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &rec) })
	return rec, err
}

// loadRecords reads the records under prefix in key order and decodes them
// in parallel: decoding JSON, not reading Badger, is most of a load.
func loadRecords[T any](txn *badger.Txn, prefix []byte, recs []T) ([]T, error) {
	var raws [][]byte
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			it.Close()
			return recs, fmt.Errorf("[%d]: %w", len(raws), err)
		}
		raws = append(raws, v)
	}
	it.Close()
	base := len(recs)
	recs = append(recs, make([]T, len(raws))...)
	workers := min(runtime.GOMAXPROCS(0), max(1, len(raws)/1024))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(raws); i += workers {
				if err := json.Unmarshal(raws[i], &recs[base+i]); err != nil {
					errs[w] = fmt.Errorf("[%d]: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return recs, errors.Join(errs...)
}

// Delete removes a committed snapshot. The current snapshot cannot be
// deleted ([ErrCurrentSnapshot]); an unknown id gives [ErrUnknownSnapshot].
func (s *Store) Delete(id SnapshotID) error {
	if s.opts.ReadOnly {
		return fmt.Errorf("graph: delete snapshot %s from %s: %w", id, s.opts.Dir, ErrReadOnly)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.deleteLocked(id); err != nil {
		return fmt.Errorf("graph: delete snapshot %s from %s: %w", id, s.opts.Dir, err)
	}
	return nil
}

// deleteLocked removes the metadata record first, making the snapshot
// invisible, then its data; a crash in between leaves data that Open collects.
func (s *Store) deleteLocked(id SnapshotID) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		if _, err := getMeta(txn, id); err != nil {
			return err
		}
		cur, err := getCurrent(txn)
		if err != nil {
			return err
		}
		if cur == id {
			return ErrCurrentSnapshot
		}
		return txn.Delete(metaKey(id))
	})
	if err != nil {
		return err
	}
	return s.db.DropPrefix(dataPrefix(id))
}

// ids returns the committed snapshot ids, oldest first.
func (s *Store) ids() ([]SnapshotID, error) {
	var ids []SnapshotID
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixMeta})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, SnapshotID(bytes.TrimPrefix(it.Item().KeyCopy(nil), prefixMeta)))
		}
		return nil
	})
	return ids, err
}

// collectGarbage drops the data of every snapshot without a committed
// metadata record: writes cut short, or deletes interrupted.
func (s *Store) collectGarbage() error {
	orphans, err := s.orphans()
	if err != nil {
		return fmt.Errorf("find unfinished snapshots: %w", err)
	}
	if len(orphans) == 0 {
		return nil
	}
	prefixes := make([][]byte, len(orphans))
	for i, id := range orphans {
		prefixes[i] = dataPrefix(id)
		s.log.Info().Str("snapshot", string(id)).Msg("dropping data of unfinished snapshot")
	}
	if err := s.db.DropPrefix(prefixes...); err != nil {
		return fmt.Errorf("drop unfinished snapshots %v: %w", orphans, err)
	}
	return nil
}

// orphans lists the ids that have data but no metadata record. It visits one
// key per snapshot, seeking past the rest of each snapshot's data.
func (s *Store) orphans() ([]SnapshotID, error) {
	var orphans []SnapshotID
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixData})
		defer it.Close()
		for it.Rewind(); it.Valid(); {
			rest := bytes.TrimPrefix(it.Item().Key(), prefixData)
			end := bytes.IndexByte(rest, '/')
			if end < 0 {
				end = len(rest)
			}
			id := SnapshotID(rest[:end])
			if _, err := txn.Get(metaKey(id)); errors.Is(err, badger.ErrKeyNotFound) {
				orphans = append(orphans, id)
			} else if err != nil {
				return err
			}
			it.Seek(append(dataPrefix(id), 0xff))
		}
		return nil
	})
	return orphans, err
}
