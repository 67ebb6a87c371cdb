package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/permgraph/permgraph/analysis/policy"
)

// ErrSyntax is returned, wrapped, when a file is not well-formed JSON. The
// message names the file, line and column: "f.json:3:5: invalid JSON: …".
var ErrSyntax = errors.New("invalid JSON")

// Options control decoding.
type Options struct {
	// SkipInvalid drops an entry (a user, group, role, managed policy,
	// resource or org policy) whose policy document fails to parse, records a
	// warning naming the file, path and error, and goes on. Without it the
	// first such error is returned.
	SkipInvalid bool
}

// DocumentError reports a policy document that [policy.Parse] rejected. Err
// is the parser's error (a [*policy.ParseError] or one wrapping
// [policy.ErrSyntax]); its own path follows the path into the file.
type DocumentError struct {
	File string // the file, as given to the decoder
	Path string // JSON path of the document in File
	Err  error
}

func (e *DocumentError) Error() string { return e.File + ": " + e.Path + ": " + e.Err.Error() }

func (e *DocumentError) Unwrap() error { return e.Err }

// Document is a policy document as found in a file, and parsed.
type Document struct {
	// Raw is the document's text: the JSON object (compacted) or the
	// URL-encoded string, as the file holds it.
	Raw    string
	Policy *policy.Policy
}

// decoder reads one file, collecting warnings.
type decoder struct {
	file     string
	opts     Options
	warnings []string
}

func (d *decoder) warnf(path, format string, args ...any) {
	d.warnings = append(d.warnings, located(d.file, path)+": "+fmt.Sprintf(format, args...))
}

func (d *decoder) errf(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w", located(d.file, path), fmt.Errorf(format, args...))
}

func located(file, path string) string {
	if path == "" {
		return file
	}
	return file + ": " + path
}

// root checks that data is well-formed JSON and returns the top-level object.
func (d *decoder) root(data []byte) (*fields, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, d.syntaxError(data, err)
	}
	f := d.object("", raw)
	if f.err != nil {
		return nil, f.err
	}
	return f, nil
}

func (d *decoder) syntaxError(data []byte, err error) error {
	off := len(data)
	if se, ok := errors.AsType[*json.SyntaxError](err); ok && se.Error() != "unexpected end of JSON input" {
		off = int(se.Offset) - 1
	}
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%s:%d:%d: %w: %w", d.file, line, col, ErrSyntax, err)
}

// fields is one JSON object being read. Its readers record the first error;
// done returns it, and warns about members no reader asked for.
type fields struct {
	d    *decoder
	path string
	m    map[string]json.RawMessage
	seen map[string]bool
	err  error
}

// object reads raw as an object at path. null reads as an empty object.
func (d *decoder) object(path string, raw json.RawMessage) *fields {
	f := &fields{d: d, path: path, seen: map[string]bool{}}
	if kind(raw) != "object" && kind(raw) != "null" {
		f.err = d.errf(path, "want an object, got %s", kind(raw))
		return f
	}
	if err := json.Unmarshal(raw, &f.m); err != nil {
		f.err = d.errf(path, "%w", err)
	}
	return f
}

func (f *fields) sub(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// get returns the member key, or false when it is absent or null.
func (f *fields) get(key string) (json.RawMessage, bool) {
	f.seen[key] = true
	raw, ok := f.m[key]
	if f.err != nil || !ok || kind(raw) == "null" {
		return nil, false
	}
	return raw, true
}

func (f *fields) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

// required fails unless every key is present and not null.
func (f *fields) required(keys ...string) {
	for _, k := range keys {
		if raw, ok := f.m[k]; f.err == nil && (!ok || kind(raw) == "null") {
			f.fail(f.d.errf(f.sub(k), "missing"))
		}
	}
}

func (f *fields) done() error {
	if f.err != nil {
		return f.err
	}
	var unknown []string
	for k := range f.m {
		if !f.seen[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		// NOTE: unknown fields warn rather than fail: the CLI's output gains
		// fields as AWS adds them, and an old permgraph should still read it.
		f.d.warnf(f.sub(k), "unknown field ignored")
	}
	return nil
}

// scalar decodes member key into dst, which must be of kind want.
func (f *fields) scalar(key, want string, dst any) {
	raw, ok := f.get(key)
	if !ok {
		return
	}
	if k := kind(raw); k != want {
		f.fail(f.d.errf(f.sub(key), "want a %s, got %s", want, k))
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		f.fail(f.d.errf(f.sub(key), "%w", err))
	}
}

func (f *fields) str(key string, dst *string)   { f.scalar(key, "string", dst) }
func (f *fields) boolean(key string, dst *bool) { f.scalar(key, "boolean", dst) }
func (f *fields) integer(key string, dst *int)  { f.scalar(key, "number", dst) }

func (f *fields) strs(key string, dst *[]string) {
	f.list(key, func(path string, raw json.RawMessage) error {
		var s string
		if kind(raw) != "string" {
			return f.d.errf(path, "want a string, got %s", kind(raw))
		}
		_ = json.Unmarshal(raw, &s)
		*dst = append(*dst, s)
		return nil
	})
}

// date reads ISO 8601 and Python str(datetime) dates.
func (f *fields) date(key string, dst *time.Time) {
	var s string
	f.str(key, &s)
	if f.err != nil || s == "" {
		return
	}
	t, err := parseDate(s)
	if err != nil {
		f.fail(f.d.errf(f.sub(key), "%q is not an ISO 8601 or Python datetime date", s))
	}
	*dst = t
}

var dateLayouts = []string{
	time.RFC3339Nano,                      // 2023-03-09T10:41:34Z, as the CLI prints
	"2006-01-02 15:04:05.999999999Z07:00", // 2023-03-09 10:41:34+00:00, Python str(datetime)
	"2006-01-02T15:04:05.999999999",       // naive, read as UTC
	"2006-01-02 15:04:05.999999999",
}

func parseDate(s string) (time.Time, error) {
	var err error
	for _, layout := range dateLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// list calls each for every element of the list member key.
func (f *fields) list(key string, each func(path string, raw json.RawMessage) error) {
	raw, ok := f.get(key)
	if !ok {
		return
	}
	var elems []json.RawMessage
	if kind(raw) != "list" {
		f.fail(f.d.errf(f.sub(key), "want a list, got %s", kind(raw)))
		return
	}
	_ = json.Unmarshal(raw, &elems)
	for i, e := range elems {
		if err := each(fmt.Sprintf("%s[%d]", f.sub(key), i), e); err != nil {
			f.fail(err)
			return
		}
	}
}

// obj reads the object member key with read.
func (f *fields) obj(key string, read func(*fields)) {
	raw, ok := f.get(key)
	if !ok {
		return
	}
	g := f.d.object(f.sub(key), raw)
	if g.err == nil {
		read(g)
	}
	f.fail(g.done())
}

// doc reads a policy document, a JSON object or a (URL-encoded) string.
func (f *fields) doc(key string, dst **Document) {
	raw, ok := f.get(key)
	if !ok {
		return
	}
	d, err := f.d.document(f.sub(key), raw)
	if err != nil {
		f.fail(err)
		return
	}
	*dst = d
}

func (d *decoder) document(path string, raw json.RawMessage) (*Document, error) {
	var text string
	switch kind(raw) {
	case "object":
		var b bytes.Buffer
		_ = json.Compact(&b, raw)
		text = b.String()
	case "string":
		_ = json.Unmarshal(raw, &text)
	default:
		return nil, d.errf(path, "want a policy document (object or string), got %s", kind(raw))
	}
	p, err := policy.Parse([]byte(text))
	if err != nil {
		return nil, &DocumentError{File: d.file, Path: path, Err: err}
	}
	return &Document{Raw: text, Policy: p}, nil
}

// kind names the JSON type of raw, which must be well-formed.
func kind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "list"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// skippable reports whether err, met reading the entry at path, may be
// skipped under SkipInvalid, and if so records it as a warning.
func (d *decoder) skippable(path string, err error) bool {
	if _, ok := errors.AsType[*DocumentError](err); !d.opts.SkipInvalid || !ok {
		return false
	}
	d.warnings = append(d.warnings, fmt.Sprintf("%s (%s dropped)", err, path))
	return true
}

// entries reads the list member key, one object per element. With skip, an
// element with an invalid policy document may be dropped (Options.SkipInvalid).
func entries[T any](f *fields, key string, skip bool, read func(*fields, *T)) []T {
	var out []T
	f.list(key, func(path string, raw json.RawMessage) error {
		var v T
		g := f.d.object(path, raw)
		if g.err == nil {
			read(g, &v)
		}
		if err := g.done(); err != nil {
			if skip && f.d.skippable(path, err) {
				return nil
			}
			return err
		}
		out = append(out, v)
		return nil
	})
	return out
}
