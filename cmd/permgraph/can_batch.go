package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/permgraph/permgraph/analysis/policy"
)

const batchHelp = `

Batch format: one JSON object per line (blank lines are skipped), such as
  {"id": "r1", "principal": "arn:aws:iam::111122223333:role/agent",
   "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
   "resource_account": "444455556666", "management_account": "999988887777",
   "context": {"aws:SourceIp": "10.1.2.3", "aws:TagKeys": ["a", "b"]},
   "context_complete": true,
   "identity_policies": [{...}, {...}], "boundary": {...},
   "session_policy": {...}, "resource_policy": {...},
   "scps": [[{...root...}], [{...ou...}], [{...account...}]], "rcps": [[{...}]]}
Context values are strings or lists of strings; keys are case-insensitive.
Policies are JSON objects or URL-encoded strings; an omitted or null field
means none; an unknown field is an error. Explanations name policies by
their field, such as identity_policies[1] or scps[0][0]. Each output line is
{"id", "decision", "missing_context", "explanation"}, or {"id", "error"} for
a line that could not be decided; the other lines are still decided.`

const (
	// maxBatchLine bounds one input line; real lines with inline policies
	// reach hundreds of KB.
	maxBatchLine = 64 << 20
	// maxPolicyCache bounds the compiled-policy cache; it is cleared when
	// full.
	maxPolicyCache = 4096
)

// batchLine is one request of a batch. Policies and the context stay raw
// (aliasing the input line) until needed: a policy document repeated across
// lines is then compiled once, found in the cache by its bytes.
type batchLine struct {
	ID                *string             `json:"id"`
	Principal         string              `json:"principal"`
	Action            string              `json:"action"`
	Resource          string              `json:"resource"`
	ResourceAccount   string              `json:"resource_account"`
	ManagementAccount string              `json:"management_account"`
	Context           json.RawMessage     `json:"context"`
	ContextComplete   bool                `json:"context_complete"`
	IdentityPolicies  []json.RawMessage   `json:"identity_policies"`
	Boundary          json.RawMessage     `json:"boundary"`
	SessionPolicy     json.RawMessage     `json:"session_policy"`
	ResourcePolicy    json.RawMessage     `json:"resource_policy"`
	SCPs              [][]json.RawMessage `json:"scps"`
	RCPs              [][]json.RawMessage `json:"rcps"`
}

// batch decides the lines of one input. It keeps what is reused from line
// to line: the policy cache, the result, and the output buffers.
type batch struct {
	g       *globals
	out     *bufio.Writer
	cache   map[string]*policy.Compiled
	key     []byte // cache key being built
	res     policy.Result
	rows    *table            // table output only
	strs    map[string]string // interned strings of the fast path
	lower   map[string]string // context key → interned lower-case form
	scratch struct {          // buffers reused from line to line
		rawIdentity      []json.RawMessage
		rawSCPs, rawRCPs [][]json.RawMessage
		values           []string
		set              policy.Set
		identity         []*policy.Compiled
		boundary         [1]*policy.Compiled
		session          [1]*policy.Compiled
		scps, rcps       [][]*policy.Compiled
	}
	outLine  []byte // the output line being built
	lines    int
	failed   int
	physLine int
}

func runBatch(g *globals, name string) error {
	if name == "-" {
		return decideBatch(g, os.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return decideBatch(g, f)
}

func newBatch(g *globals) *batch {
	b := &batch{g: g, out: bufio.NewWriterSize(g.stdout, 64<<10), cache: make(map[string]*policy.Compiled),
		strs: make(map[string]string), lower: make(map[string]string)}
	if g.output != outputJSON {
		b.rows = newTable(b.out, "ID", "DECISION", "MISSING")
	}
	return b
}

// decideBatch decides every line of r and writes one result per line.
func decideBatch(g *globals, r io.Reader) error {
	b := newBatch(g)
	in := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	for {
		line, err := readLine(in, &long)
		if len(line) > 0 || err == nil {
			b.physLine++
			if werr := b.line(line); werr != nil {
				return werr
			}
			if in.Buffered() == 0 { // the reader may wait for more: let the consumer see what we have
				if werr := b.flush(); werr != nil {
					return werr
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("batch line %d: %w", b.physLine+1, err)
		}
	}
	if err := b.finish(); err != nil {
		return err
	}
	if b.failed > 0 {
		return failure(fmt.Errorf("%d of %d batch lines failed", b.failed, b.lines))
	}
	return nil
}

// readLine returns the next line without its line ending. The slice is
// valid until the next call. It fails on lines over maxBatchLine.
func readLine(in *bufio.Reader, long *[]byte) ([]byte, error) {
	line, err := in.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		*long = append((*long)[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = in.ReadSlice('\n')
			*long = append(*long, line...)
			if len(*long) > maxBatchLine {
				return nil, fmt.Errorf("line longer than %d bytes", maxBatchLine)
			}
		}
		line = *long
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), err
}

// line decides one input line and writes its result; only a write error
// stops the batch.
func (b *batch) line(text []byte) error {
	if len(bytes.TrimSpace(text)) == 0 {
		return nil
	}
	b.lines++
	var bl batchLine
	if !b.scanLine(text, &bl) {
		bl = batchLine{} // encoding/json words the error, or takes the rare forms
		if err := decodeStrict(text, &bl); err != nil {
			return b.writeError(recoverID(text), err)
		}
	}
	req, set, err := b.request(&bl)
	if err != nil {
		return b.writeError(bl.ID, err)
	}
	policy.EvaluateInto(&b.res, req, set)
	return b.writeResult(bl.ID, &b.res)
}

// decodeStrict decodes one JSON object, rejecting unknown fields and
// trailing data, with errors that name the field rather than Go types.
func decodeStrict(text []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && len(bytes.TrimSpace(text[dec.InputOffset():])) > 0 {
		err = fmt.Errorf("data after the JSON object at byte %d", dec.InputOffset())
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("%s: got a JSON %s, want %s", te.Field, te.Value, jsonTypeName(te.Type.String()))
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("invalid JSON: the line ends inside a value: %w", err)
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return err
}

// jsonTypeName says in JSON terms what a batchLine field holds.
func jsonTypeName(goType string) string {
	switch {
	case goType == "string", goType == "*string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return goType
}

// recoverID reads the id of a line that failed strict decoding, or nil.
func recoverID(text []byte) *string {
	var v struct {
		ID *string `json:"id"`
	}
	if json.NewDecoder(bytes.NewReader(text)).Decode(&v) != nil { // the first value, whatever follows
		return nil
	}
	return v.ID
}

// request builds the request and policy set of a decoded line.
func (b *batch) request(bl *batchLine) (*policy.Request, *policy.Set, error) {
	if bl.Principal == "" {
		return nil, nil, errors.New(`principal is required (use "anonymous" for an anonymous request)`)
	}
	ctx, err := b.context(bl.Context)
	if err != nil {
		return nil, nil, err
	}
	ctx.Complete = bl.ContextComplete
	req, err := policy.NewRequest(policy.Request{Principal: bl.Principal, Action: bl.Action, Resource: bl.Resource,
		ResourceAccount: bl.ResourceAccount, ManagementAccount: bl.ManagementAccount, Context: ctx})
	if err != nil {
		return nil, nil, err
	}
	set, err := b.set(bl)
	return req, set, err
}

// context decodes the context object: the fast path for the common form,
// else encoding/json, whose errors name the key.
func (b *batch) context(raw json.RawMessage) (policy.Context, error) {
	if isNull(raw) {
		return policy.Context{}, nil
	}
	if ctx, ok := b.scanContext(raw); ok {
		return ctx, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return policy.Context{}, errors.New("context: must be an object of strings or lists of strings")
	}
	var ctx policy.Context
	for _, k := range slices.Sorted(maps.Keys(m)) { // the first bad key, always the same
		var vals []string
		if m[k][0] == '"' {
			vals = append(vals, "")
			if err := json.Unmarshal(m[k], &vals[0]); err != nil {
				return ctx, fmt.Errorf("context.%s: %w", k, err)
			}
		} else if m[k][0] != '[' || json.Unmarshal(m[k], &vals) != nil {
			return ctx, fmt.Errorf("context.%s: value must be a string or list of strings", k)
		}
		if _, dup := ctx.Lookup(k); dup {
			return ctx, fmt.Errorf("context.%s: key given twice (keys are case-insensitive)", k)
		}
		ctx.Set(k, vals...)
	}
	return ctx, nil
}

// set compiles (or finds in the cache) every policy of the line. The set
// and its lists are reused from line to line: a set lives no longer than
// its line.
func (b *batch) set(bl *batchLine) (*policy.Set, error) {
	sc := &b.scratch
	set := &sc.set
	var err error
	if set.Identity, err = b.list(sc.identity[:0], "identity_policies", -1, bl.IdentityPolicies); err != nil {
		return nil, err
	}
	sc.identity = keepCap(sc.identity, set.Identity)
	if set.Boundary, err = b.single(sc.boundary[:0], "boundary", bl.Boundary); err != nil {
		return nil, err
	}
	if set.Session, err = b.single(sc.session[:0], "session_policy", bl.SessionPolicy); err != nil {
		return nil, err
	}
	set.Resource = nil
	if !isNull(bl.ResourcePolicy) {
		if set.Resource, err = b.compiled("resource_policy", -1, -1, bl.ResourcePolicy); err != nil {
			return nil, err
		}
	}
	if set.SCPs, err = b.levels(&sc.scps, "scps", bl.SCPs); err != nil {
		return nil, err
	}
	if set.RCPs, err = b.levels(&sc.rcps, "rcps", bl.RCPs); err != nil {
		return nil, err
	}
	return set, nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// single is a one-document layer in dst: nil when absent.
func (b *batch) single(dst []*policy.Compiled, field string, raw json.RawMessage) ([]*policy.Compiled, error) {
	if isNull(raw) {
		return nil, nil
	}
	c, err := b.compiled(field, -1, -1, raw)
	if err != nil {
		return nil, err
	}
	return append(dst, c), nil
}

// list compiles a list of documents named field[i] or, for an SCP or RCP
// level, field[level][i], into dst; nil stays nil (absent).
func (b *batch) list(dst []*policy.Compiled, field string, level int, raws []json.RawMessage) ([]*policy.Compiled, error) {
	if raws == nil {
		return nil, nil
	}
	if dst == nil {
		dst = make([]*policy.Compiled, 0, len(raws))
	}
	for i, raw := range raws {
		j, k := i, -1
		if level >= 0 {
			j, k = level, i
		}
		c, err := b.compiled(field, j, k, raw)
		if err != nil {
			return nil, err
		}
		dst = append(dst, c)
	}
	return dst, nil
}

// levels compiles SCP or RCP levels into *buf, reusing its lists. A level
// given as [] or null has nothing attached.
func (b *batch) levels(buf *[][]*policy.Compiled, field string, levels [][]json.RawMessage) ([][]*policy.Compiled, error) {
	if levels == nil {
		return nil, nil
	}
	out := (*buf)[:0]
	for i, lv := range levels {
		var dst []*policy.Compiled
		if i < cap(out) {
			dst = out[:i+1][i][:0]
		}
		ps, err := b.list(dst, field, i, lv)
		if err != nil {
			return nil, err
		}
		if ps == nil {
			ps = []*policy.Compiled{}
		}
		out = append(out, ps)
	}
	if out == nil {
		out = [][]*policy.Compiled{}
	}
	*buf = keepCap(*buf, out)
	return out, nil
}

// compiled returns the policy raw named field[i][j] (i, j < 0 left out),
// from the cache when the same document was seen under the same name. The
// name is part of the key because explanations carry it; it becomes a
// string only on a miss.
func (b *batch) compiled(field string, i, j int, raw json.RawMessage) (*policy.Compiled, error) {
	b.key = append(b.key[:0], field...)
	for _, n := range [2]int{i, j} {
		if n >= 0 {
			b.key = append(strconv.AppendInt(append(b.key, '['), int64(n), 10), ']')
		}
	}
	nameLen := len(b.key)
	b.key = append(append(b.key, 0), raw...)
	if c, ok := b.cache[string(b.key)]; ok {
		return c, nil
	}
	name := string(b.key[:nameLen])
	if isNull(raw) {
		return nil, fmt.Errorf("%s: null is not a policy", name)
	}
	p, err := policy.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c, err := policy.Compile(name, p)
	if err != nil {
		return nil, err // Compile's error starts with name
	}
	for _, w := range c.Warnings {
		b.g.log.Warn().Int("line", b.physLine).Str("policy", name).Str("warning", w).Msg("policy warning")
	}
	if len(b.cache) >= maxPolicyCache {
		clear(b.cache)
	}
	b.cache[string(b.key)] = c
	return c, nil
}

// writeResult writes one decided line: {"id": ..., then the fields of
// policy.Result's JSON.
func (b *batch) writeResult(id *string, res *policy.Result) error {
	if b.rows != nil {
		b.rows.row(idCell(id), res.Decision.String(), dash(strings.Join(res.MissingContext, ",")))
		return nil
	}
	b.outLine = appendResultFields(append(appendID(b.outLine[:0], id), ','), res)
	b.outLine = append(b.outLine, "}\n"...)
	_, err := b.out.Write(b.outLine)
	return err
}

// writeError reports a line that could not be decided, and counts it.
func (b *batch) writeError(id *string, err error) error {
	b.failed++
	msg := fmt.Sprintf("line %d: %v", b.physLine, err)
	if b.rows != nil {
		b.rows.row(idCell(id), "error", "-")
		_, werr := fmt.Fprintf(b.g.stderr, "permgraph: %s\n", msg)
		return werr
	}
	b.outLine = appendJSONString(append(appendID(b.outLine[:0], id), `,"error":`...), msg)
	b.outLine = append(b.outLine, "}\n"...)
	_, werr := b.out.Write(b.outLine)
	return werr
}

// appendID appends `{"id":ID` with ID a JSON string or null.
func appendID(dst []byte, id *string) []byte {
	dst = append(dst, `{"id":`...)
	if id == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *id)
}

func idCell(id *string) string {
	if id == nil {
		return "-"
	}
	return dash(*id)
}

// flush sends JSON lines written so far; a table waits for finish, as its
// columns are aligned over all rows.
func (b *batch) flush() error {
	if b.rows != nil {
		return nil
	}
	return b.out.Flush()
}

func (b *batch) finish() error {
	if b.rows != nil {
		if err := b.rows.flush(); err != nil {
			return err
		}
	}
	return b.out.Flush()
}

// NOTE(can): the fast path. encoding/json decodes a line with inline
// policies at about 50 MB/s, a quarter of the time budget of a batch of
// 100,000 lines/s; this scanner reads the common form of a line without
// copying. Whatever it does not handle (escaped or non-ASCII strings,
// unknown fields, null where a string is due, malformed JSON) makes it
// return false, and the line goes through encoding/json, which accepts the
// rare forms and words the errors. Values it skips are policies, which
// policy.Parse validates on a cache miss; a hit means the very same bytes
// were valid before.
