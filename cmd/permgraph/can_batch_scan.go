package main

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
)

// NOTE: a hand-written scanner, not a library, because batch mode must
// evaluate 100,000 lines a second on one core and encoding/json's reflection
// alone cost more than the evaluation. It reads only the usual shape of a
// request line without copying; anything else (escapes, non-ASCII, unknown
// fields, nulls, malformed JSON) makes scanLine report false and the line is
// decoded again by encoding/json, which also words the error. Tests hold the
// two paths to the same results.

// jsonScanner reads JSON from b at i.
type jsonScanner struct {
	b []byte
	i int
}

const maxScanDepth = 512

func (s *jsonScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// consume skips white space and c, if c comes next.
func (s *jsonScanner) consume(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *jsonScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

func (s *jsonScanner) null() bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes and returns its
// contents.
func (s *jsonScanner) str() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[s.i:j]
			s.i = j + 1
			return v, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

func (s *jsonScanner) boolean() (bool, bool) {
	s.ws()
	switch {
	case bytes.HasPrefix(s.b[s.i:], []byte("true")):
		s.i += 4
		return true, true
	case bytes.HasPrefix(s.b[s.i:], []byte("false")):
		s.i += 5
		return false, true
	}
	return false, false
}

// value returns the raw text of the next value.
func (s *jsonScanner) value() (json.RawMessage, bool) {
	s.ws()
	start := s.i
	if !s.skip(0) {
		return nil, false
	}
	return s.b[start:s.i], true
}

// skip passes over one value, checking its structure.
func (s *jsonScanner) skip(depth int) bool {
	s.ws()
	if s.i >= len(s.b) || depth > maxScanDepth {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.skipString()
	case '{':
		s.i++
		if s.consume('}') {
			return true
		}
		for {
			s.ws()
			if !s.skipString() || !s.consume(':') || !s.skip(depth+1) {
				return false
			}
			if !s.consume(',') {
				return s.consume('}')
			}
		}
	case '[':
		s.i++
		if s.consume(']') {
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if !s.consume(',') {
				return s.consume(']')
			}
		}
	case 't', 'f':
		_, ok := s.boolean()
		return ok
	case 'n':
		return s.null()
	}
	start := s.i
	for s.i < len(s.b) && strings.IndexByte("0123456789+-.eE", s.b[s.i]) >= 0 {
		s.i++
	}
	return s.i > start
}

func (s *jsonScanner) skipString() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return true
		case c == '\\':
			j++ // the escaped byte; the digits of \uXXXX are plain bytes
		case c < 0x20:
			return false
		}
	}
	return false
}

// list reads a list of raw values into dst[:0], or null as nil.
func (s *jsonScanner) list(dst []json.RawMessage) ([]json.RawMessage, bool) {
	if s.null() {
		return nil, true
	}
	if !s.consume('[') {
		return nil, false
	}
	dst = dst[:0]
	if dst == nil {
		dst = make([]json.RawMessage, 0, 4) // non-nil: the layer is present
	}
	if s.consume(']') {
		return dst, true
	}
	for {
		v, ok := s.value()
		if !ok {
			return nil, false
		}
		dst = append(dst, v)
		if !s.consume(',') {
			return dst, s.consume(']')
		}
	}
}

// levels reads a list of lists of raw values, reusing dst's lists.
func (s *jsonScanner) levels(dst [][]json.RawMessage) ([][]json.RawMessage, bool) {
	if s.null() {
		return nil, true
	}
	if !s.consume('[') {
		return nil, false
	}
	dst = dst[:0]
	if dst == nil {
		dst = make([][]json.RawMessage, 0, 4)
	}
	if s.consume(']') {
		return dst, true
	}
	for {
		var lv []json.RawMessage
		if n := len(dst); n < cap(dst) {
			lv = dst[:n+1][n]
		}
		lv, ok := s.list(lv)
		if !ok {
			return nil, false
		}
		dst = append(dst, lv)
		if !s.consume(',') {
			return dst, s.consume(']')
		}
	}
}

// scanLine fills bl from text on the fast path; false sends the line to
// encoding/json.
func (b *batch) scanLine(text []byte, bl *batchLine) bool {
	s := jsonScanner{b: text}
	if !s.consume('{') {
		return false
	}
	if s.consume('}') {
		return s.end()
	}
	for {
		name, ok := s.str()
		if !ok || !s.consume(':') || !b.scanField(&s, name, bl) {
			return false
		}
		if !s.consume(',') {
			return s.consume('}') && s.end()
		}
	}
}

// scanField reads the value of field name. A repeated field overwrites the
// earlier one, as with encoding/json.
func (b *batch) scanField(s *jsonScanner, name []byte, bl *batchLine) bool {
	var ok bool
	switch string(name) {
	case "id":
		if s.null() {
			bl.ID = nil
			return true
		}
		var v []byte
		if v, ok = s.str(); ok {
			id := string(v)
			bl.ID = &id
		}
	case "principal":
		bl.Principal, ok = b.scanString(s)
	case "action":
		bl.Action, ok = b.scanString(s)
	case "resource":
		var v []byte
		v, ok = s.str()
		bl.Resource = string(v) // mostly unique: not worth interning
	case "resource_account":
		bl.ResourceAccount, ok = b.scanString(s)
	case "management_account":
		bl.ManagementAccount, ok = b.scanString(s)
	case "context":
		bl.Context, ok = s.value()
	case "context_complete":
		bl.ContextComplete, ok = s.boolean()
	case "identity_policies":
		bl.IdentityPolicies, ok = s.list(b.scratch.rawIdentity)
		b.scratch.rawIdentity = keepCap(b.scratch.rawIdentity, bl.IdentityPolicies)
	case "boundary":
		bl.Boundary, ok = s.value()
	case "session_policy":
		bl.SessionPolicy, ok = s.value()
	case "resource_policy":
		bl.ResourcePolicy, ok = s.value()
	case "scps":
		bl.SCPs, ok = s.levels(b.scratch.rawSCPs)
		b.scratch.rawSCPs = keepCap(b.scratch.rawSCPs, bl.SCPs)
	case "rcps":
		bl.RCPs, ok = s.levels(b.scratch.rawRCPs)
		b.scratch.rawRCPs = keepCap(b.scratch.rawRCPs, bl.RCPs)
	}
	return ok
}

// keepCap returns the longer-lived of two buffers, to reuse next line.
func keepCap[T any](old, cur []T) []T {
	if cap(cur) > cap(old) {
		return cur
	}
	return old
}

// scanString reads a string and interns it: principals, actions and
// accounts repeat from line to line.
func (b *batch) scanString(s *jsonScanner) (string, bool) {
	v, ok := s.str()
	if !ok {
		return "", false
	}
	return b.intern(v), true
}

func (b *batch) intern(v []byte) string {
	if s, ok := b.strs[string(v)]; ok {
		return s
	}
	if len(b.strs) >= maxPolicyCache {
		clear(b.strs)
	}
	s := string(v)
	b.strs[s] = s
	return s
}

// internLower interns k lower-cased: Context.Set lower-cases keys (AWS
// keys are case-insensitive), which then costs nothing.
func (b *batch) internLower(k []byte) string {
	for _, c := range k {
		if 'A' <= c && c <= 'Z' {
			if s, ok := b.lower[string(k)]; ok {
				return s
			}
			if len(b.lower) >= maxPolicyCache {
				clear(b.lower)
			}
			s := strings.ToLower(string(k))
			b.lower[string(k)] = s
			return s
		}
	}
	return b.intern(k)
}

// scanContext reads {"key": "value" | ["value", ...], ...} on the fast path.
// The value lists share one buffer, reused from line to line: a request
// lives no longer than its line.
func (b *batch) scanContext(raw []byte) (policy.Context, bool) {
	var ctx policy.Context
	s := jsonScanner{b: raw}
	if !s.consume('{') {
		return ctx, false
	}
	if s.consume('}') {
		return ctx, s.end()
	}
	b.scratch.values = b.scratch.values[:0]
	for {
		k, ok := s.str()
		if !ok || !s.consume(':') {
			return ctx, false
		}
		start := len(b.scratch.values)
		if !b.scanValues(&s) {
			return ctx, false
		}
		lk := b.internLower(k)
		if _, dup := ctx.Lookup(lk); dup {
			return ctx, false
		}
		ctx.Set(lk, b.scratch.values[start:len(b.scratch.values):len(b.scratch.values)]...)
		if !s.consume(',') {
			return ctx, s.consume('}') && s.end()
		}
	}
}

func (b *batch) scanValues(s *jsonScanner) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '"' {
		v, ok := b.scanString(s)
		b.scratch.values = append(b.scratch.values, v)
		return ok
	}
	if !s.consume('[') {
		return false
	}
	if s.consume(']') {
		return true
	}
	for {
		v, ok := b.scanString(s)
		if !ok {
			return false
		}
		b.scratch.values = append(b.scratch.values, v)
		if !s.consume(',') {
			return s.consume(']')
		}
	}
}
