package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The embedded catalog is a gzip stream of:
//
//	magic       "permgraph-iamcat/1\n"
//	nstrings    then nstrings lengths, then the strings' bytes back to back
//	version, updatedAt                          (string indexes)
//	rcp         count, string indexes
//	services    count, then per service:
//	  prefix, name
//	  condition keys   count, then key, type
//	  resource types   count, then key, arn, condition keys (count, strings)
//	  actions          count, then name, level byte,
//	                   refs (count, then index<<1|required, condition keys),
//	                   condition keys
//
// Every number is an unsigned varint and every string an index into the
// table, so that each distinct string is stored and decoded once. The level
// byte holds the primary AccessLevel in bits 0-2, Tagging in bit 3 and
// Permissions management in bit 4. Services come in "prefix:" order and
// actions in name order, which makes the running count of actions their id.
// Descriptions are left out: they are most of the source and no analysis
// reads them.
const magic = "permgraph-iamcat/1\n"

var (
	errTruncated = errors.New("truncated data")
	errRange     = errors.New("index out of range")
)

// reader decodes the body. It records the first error and then returns
// zeros, so that the decoding loops stay readable and check once per item.
type reader struct {
	buf     []byte
	off     int
	strs    []string
	err     error
	pool    []string // backing array for all string lists
	poolOff int
	refs    []ResourceRef // backing array for all resource references
	refOff  int
}

func (r *reader) uint() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 || v > uint64(len(r.buf)) {
		r.fail(errTruncated)
		return 0
	}
	r.off += n
	return int(v)
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.buf) {
		r.fail(errTruncated)
		return 0
	}
	r.off++
	return r.buf[r.off-1]
}

func (r *reader) str() string {
	i := r.uint()
	if i >= len(r.strs) {
		r.fail(errRange)
		return ""
	}
	return r.strs[i]
}

// strList returns a list carved from one shared array: a load makes tens
// of thousands of short lists and one allocation is much cheaper.
func (r *reader) strList() []string {
	n := r.uint()
	if n == 0 || r.err != nil {
		return nil
	}
	if r.poolOff+n > len(r.pool) {
		r.pool = make([]string, max(4096, n))
		r.poolOff = 0
	}
	out := r.pool[r.poolOff : r.poolOff+n : r.poolOff+n]
	r.poolOff += n
	for i := range out {
		out[i] = r.str()
	}
	return out
}

// refList is strList for resource references.
func (r *reader) refList(n int) []ResourceRef {
	if r.refOff+n > len(r.refs) {
		r.refs = make([]ResourceRef, max(4096, n))
		r.refOff = 0
	}
	out := r.refs[r.refOff : r.refOff+n : r.refOff+n]
	r.refOff += n
	return out
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("offset %d: %w", r.off, err)
	}
}

func decode(gz []byte) (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	raw.Grow(1 << 20)
	if _, err := io.Copy(&raw, zr); err != nil {
		return nil, err
	}
	buf := raw.Bytes()
	if !bytes.HasPrefix(buf, []byte(magic)) {
		return nil, fmt.Errorf("missing %q header", strings.TrimSpace(magic))
	}
	r := &reader{buf: buf, off: len(magic)}
	if err := r.readStrings(); err != nil {
		return nil, err
	}
	c := &Catalog{version: r.str(), updatedAt: r.str()}
	c.rcp = r.strList()
	if err := c.readServices(r); err != nil {
		return nil, err
	}
	if r.off != len(r.buf) {
		return nil, fmt.Errorf("offset %d: %d trailing bytes", r.off, len(r.buf)-r.off)
	}
	c.index()
	return c, nil
}

// readStrings reads the string table into one string and slices it, so
// that the table costs two allocations however many strings it holds.
func (r *reader) readStrings() error {
	n := r.uint()
	lens := make([]int, n)
	total := 0
	for i := range lens {
		lens[i] = r.uint()
		total += lens[i]
	}
	if r.err != nil {
		return r.err
	}
	if total > len(r.buf)-r.off {
		return fmt.Errorf("string table: %w", errTruncated)
	}
	blob := string(r.buf[r.off : r.off+total])
	r.off += total
	r.strs = make([]string, n)
	at := 0
	for i, l := range lens {
		r.strs[i] = blob[at : at+l]
		at += l
	}
	return nil
}

func (c *Catalog) readServices(r *reader) error {
	n := r.uint()
	c.services = make([]service, 0, n)
	c.actions = make([]Action, 0, 1<<15)
	for i := 0; i < n && r.err == nil; i++ {
		s := service{prefix: r.str(), name: r.str()}
		s.conditionKeys = make([]ConditionKey, r.uint())
		for j := range s.conditionKeys {
			s.conditionKeys[j] = ConditionKey{Key: r.str(), Type: r.str()}
		}
		s.rtLo = len(c.resourceTypes)
		for range r.uint() {
			c.resourceTypes = append(c.resourceTypes, ResourceType{
				Service: s.prefix, Key: r.str(), ARN: r.str(), ConditionKeys: r.strList(),
			})
		}
		s.rtHi = len(c.resourceTypes)
		c.rtActions = append(c.rtActions, make([][]int32, s.rtHi-s.rtLo)...)
		s.actLo = len(c.actions)
		c.readActions(r, &s)
		s.actHi = len(c.actions)
		if r.err != nil {
			return fmt.Errorf("service %d (%q): %w", i, s.prefix, r.err)
		}
		c.services = append(c.services, s)
	}
	return r.err
}

func (c *Catalog) readActions(r *reader, s *service) {
	for range r.uint() {
		a := Action{ID: len(c.actions), Service: s.prefix, Name: r.str()}
		level := r.byte()
		a.Level = AccessLevel(level & 7)
		a.Tagging = level&(1<<3) != 0
		a.PermissionsManagement = level&(1<<4) != 0
		if a.Level == 0 || a.Level > Tagging {
			r.fail(fmt.Errorf("action %s: level byte %#x: %w", a.Name, level, errRange))
		}
		if nref := r.uint(); nref > 0 && r.err == nil {
			a.ResourceTypes = r.refList(nref)
			for k := range a.ResourceTypes {
				v := r.uint()
				rt := s.rtLo + v>>1
				if rt >= s.rtHi {
					r.fail(fmt.Errorf("action %s: %w", a.Name, errRange))
					return
				}
				a.ResourceTypes[k] = ResourceRef{
					Name: c.resourceTypes[rt].Key, Required: v&1 != 0, ConditionKeys: r.strList(),
				}
				// AWS lists a few resource types twice for one action.
				if ids := c.rtActions[rt]; len(ids) == 0 || ids[len(ids)-1] != int32(a.ID) {
					c.rtActions[rt] = append(ids, int32(a.ID))
				}
			}
		}
		a.ConditionKeys = r.strList()
		c.actions = append(c.actions, a)
	}
}

// index builds the lookup tables that are cheaper to derive than to store.
func (c *Catalog) index() {
	c.byPrefix = make(map[string]int32, len(c.services))
	for i, s := range c.services {
		c.byPrefix[s.prefix] = int32(i)
	}

	// All lower-case names share one string; keys are slices of it.
	size := 0
	for _, a := range c.actions {
		size += len(a.Service) + 1 + len(a.Name)
	}
	var b strings.Builder
	b.Grow(size)
	for _, a := range c.actions {
		b.WriteString(a.Service)
		b.WriteByte(':')
		for i := range len(a.Name) {
			b.WriteByte(toLowerASCII(a.Name[i]))
		}
	}
	all := b.String()
	c.keys = make([]string, len(c.actions))
	c.byKey = make(map[string]int32, len(c.actions))
	at := 0
	for i, a := range c.actions {
		n := len(a.Service) + 1 + len(a.Name)
		c.keys[i] = all[at : at+n]
		c.byKey[c.keys[i]] = int32(i)
		at += n
	}
}
