package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
)

// ErrSyntax is returned, wrapped, when a document is not well-formed JSON
// (after undoing URL encoding). The message names the line and column, as in
// "policy: invalid JSON at line 3, column 5: invalid character '}' ...",
// counted in the decoded text when the input was URL-encoded or a JSON string.
var ErrSyntax = errors.New("policy: invalid JSON")

// ParseError reports well-formed JSON that is not a valid policy. Path
// locates the offending element ("Statement[2].Condition.StringEquals"); it
// is empty when the problem is the document as a whole.
type ParseError struct {
	Path string
	Err  error
}

func (e *ParseError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

func errAt(path, format string, args ...any) error {
	return &ParseError{Path: path, Err: fmt.Errorf(format, args...)}
}

// Parse reads an IAM policy document of any kind (identity, resource, trust,
// permissions boundary, session, SCP, RCP). data is a JSON object, the
// URL-encoded form the IAM API returns, or a JSON string holding either (as
// the Document field of get-account-authorization-details sometimes does).
//
// Parsing is strict: an unknown element, a duplicate key, an unknown
// condition operator or a value of the wrong shape is a [*ParseError] naming
// its location; malformed JSON is an error wrapping [ErrSyntax].
func Parse(data []byte) (*Policy, error) {
	text, err := unwrap(data)
	if err != nil {
		return nil, err
	}
	root, err := decodeTree(text)
	if err != nil {
		return nil, err
	}
	return policyFrom(root)
}

// MustParse is like [Parse] but panics on error. It is for policy literals in
// code and tests, like regexp.MustCompile; never pass it input.
func MustParse(s string) *Policy {
	p, err := Parse([]byte(s))
	if err != nil {
		panic("policy.MustParse: " + err.Error())
	}
	return p
}

// unwrap returns the JSON text of the document in data, undoing the two
// wrappings real sources use: a JSON string holding the document, and the
// RFC 3986 percent-encoding of the IAM API. PathUnescape, not
// QueryUnescape, because IAM leaves '+' as is: it means '+', not ' '.
func unwrap(data []byte) ([]byte, error) {
	text := trimSpace(data)
	if len(text) > 0 && text[0] == '"' {
		var s string
		if err := json.Unmarshal(text, &s); err != nil {
			return nil, syntaxError(text, 0, err)
		}
		text = trimSpace([]byte(s))
	}
	if len(text) > 0 && text[0] == '{' {
		return text, nil
	}
	s, err := url.PathUnescape(string(text))
	if err != nil {
		return nil, fmt.Errorf("%w: neither JSON nor URL-encoded JSON: %w", ErrSyntax, err)
	}
	return trimSpace([]byte(s)), nil
}

// trimSpace also drops a UTF-8 byte order mark, which editors on Windows
// put at the start of policy files.
func trimSpace(b []byte) []byte {
	return bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(b), []byte("\ufeff")))
}

// syntaxError wraps err in ErrSyntax with the line and column it happened
// at: off, or for a *json.SyntaxError from json.Unmarshal, its Offset, which
// counts the offending byte.
func syntaxError(text []byte, off int64, err error) error {
	const eof = "unexpected end of JSON input" // as json.Unmarshal says it
	se := (*json.SyntaxError)(nil)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		off, err = int64(len(text)), errors.New(eof)
	case errors.As(err, &se) && se.Error() == eof:
		off = int64(len(text))
	case se != nil:
		off = se.Offset - 1
	}
	off = min(max(off, 0), int64(len(text)))
	before := text[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%w at line %d, column %d: %w", ErrSyntax, line, col, err)
}

// jsonKind is the JSON type of a value.
type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonObject
	jsonArray
)

// jsonValue is a decoded JSON value that keeps what encoding/json's maps lose:
// the order of an object's members and members whose keys repeat.
type jsonValue struct {
	kind    jsonKind
	text    string       // a string's contents, a number's literal, "true" or "false"
	members []jsonMember // jsonObject, in document order
	elems   []jsonValue  // jsonArray
}

type jsonMember struct {
	key string
	val jsonValue
}

// maxDepth bounds nesting. Real policies nest six deep at most
// (Statement, statement, Condition, operator, key, values); the bound keeps
// hostile input from recursing without end.
const maxDepth = 32

var errTooDeep = errors.New("nesting too deep")

func decodeTree(text []byte) (jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			return v, nil
		}
	}
	if err == errTooDeep {
		return jsonValue{}, syntaxError(text, dec.InputOffset()-1, err)
	}
	// The Decoder's offsets count from its buffer, not from the start of
	// text; the scanner behind Unmarshal counts from the start, so let it
	// find the error again. It also reports a second document, which
	// Token accepts, as "after top-level value".
	var raw json.RawMessage
	if uerr := json.Unmarshal(text, &raw); uerr != nil {
		err = uerr
	}
	return jsonValue{}, syntaxError(text, dec.InputOffset(), err)
}

func readValue(dec *json.Decoder, depth int) (jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return jsonValue{}, err
	}
	switch t := tok.(type) {
	case string:
		return jsonValue{kind: jsonString, text: t}, nil
	case json.Number:
		return jsonValue{kind: jsonNumber, text: string(t)}, nil
	case bool:
		if t {
			return jsonValue{kind: jsonBool, text: "true"}, nil
		}
		return jsonValue{kind: jsonBool, text: "false"}, nil
	case nil:
		return jsonValue{kind: jsonNull}, nil
	}
	if depth >= maxDepth {
		return jsonValue{}, errTooDeep
	}
	// Token rejects a closing delimiter where a value should be, so this is
	// '{' or '['.
	if tok == json.Delim('{') {
		return readObject(dec, depth+1)
	}
	return readArray(dec, depth+1)
}

func readObject(dec *json.Decoder, depth int) (jsonValue, error) {
	v := jsonValue{kind: jsonObject}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonValue{}, err
		}
		key, _ := tok.(string) // Token only allows a string in key position
		val, err := readValue(dec, depth)
		if err != nil {
			return jsonValue{}, err
		}
		v.members = append(v.members, jsonMember{key, val})
	}
	return v, closeToken(dec)
}

func readArray(dec *json.Decoder, depth int) (jsonValue, error) {
	v := jsonValue{kind: jsonArray}
	for dec.More() {
		val, err := readValue(dec, depth)
		if err != nil {
			return jsonValue{}, err
		}
		v.elems = append(v.elems, val)
	}
	return v, closeToken(dec)
}

// closeToken reads the '}' or ']' that More saw; Token checks it matches.
// More also stops at the end of input, which inside a value is an error.
func closeToken(dec *json.Decoder) error {
	_, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// checkDuplicates reports the first key that occurs twice in obj. AWS
// rejects such documents in places, and keeping either value would silently
// drop the other.
func checkDuplicates(path string, obj jsonValue) error {
	if len(obj.members) < 2 {
		return nil
	}
	seen := make(map[string]struct{}, len(obj.members))
	for _, m := range obj.members {
		if _, dup := seen[m.key]; dup {
			return errAt(path, "duplicate key %q", m.key)
		}
		seen[m.key] = struct{}{}
	}
	return nil
}

// supportedVersions are the policy language versions AWS accepts.
var supportedVersions = map[string]bool{"2012-10-17": true, "2008-10-17": true}

func policyFrom(root jsonValue) (*Policy, error) {
	if root.kind != jsonObject {
		return nil, errAt("", "document must be a JSON object")
	}
	if err := checkDuplicates("", root); err != nil {
		return nil, err
	}
	p := &Policy{}
	var stmts *jsonValue
	for _, m := range root.members {
		var err error
		switch m.key {
		case "Version":
			if p.Version, err = stringFrom(m.val, m.key); err == nil && !supportedVersions[p.Version] {
				err = errAt(m.key, "unsupported version %q", p.Version)
			}
		case "Id":
			p.ID, err = stringFrom(m.val, m.key)
		case "Statement":
			stmts = &m.val
		default:
			err = errAt("", "unknown element %q", m.key)
		}
		if err != nil {
			return nil, err
		}
	}
	if stmts == nil {
		return nil, errAt("", `missing element "Statement"`)
	}
	var err error
	p.Statements, p.SingleStatement, err = statementsFrom(*stmts)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// statementsFrom reads the Statement element: one statement object, or a
// non-empty list of them.
func statementsFrom(v jsonValue) (stmts []Statement, single bool, err error) {
	switch v.kind {
	case jsonObject:
		s, err := statementFrom(v, "Statement")
		return []Statement{s}, true, err
	case jsonArray:
		if len(v.elems) == 0 {
			return nil, false, errAt("Statement", "must not be empty")
		}
		stmts = make([]Statement, len(v.elems))
		for i, e := range v.elems {
			if stmts[i], err = statementFrom(e, fmt.Sprintf("Statement[%d]", i)); err != nil {
				return nil, false, err
			}
		}
		return stmts, false, nil
	}
	return nil, false, errAt("Statement", "must be an object or list of objects")
}

func statementFrom(v jsonValue, path string) (Statement, error) {
	var s Statement
	if v.kind != jsonObject {
		return s, errAt(path, "must be an object")
	}
	if err := checkDuplicates(path, v); err != nil {
		return s, err
	}
	for _, m := range v.members {
		p := path + "." + m.key
		var err error
		switch m.key {
		case "Sid":
			s.Sid, err = stringFrom(m.val, p)
		case "Effect":
			s.Effect, err = effectFrom(m.val, p)
		case "Principal":
			s.Principal, err = principalFrom(m.val, p)
		case "NotPrincipal":
			s.NotPrincipal, err = principalFrom(m.val, p)
		case "Action":
			s.Action, err = stringsFrom(m.val, p)
		case "NotAction":
			s.NotAction, err = stringsFrom(m.val, p)
		case "Resource":
			s.Resource, err = stringsFrom(m.val, p)
		case "NotResource":
			s.NotResource, err = stringsFrom(m.val, p)
		case "Condition":
			s.Condition, err = conditionsFrom(m.val, p)
		default:
			err = errAt(path, "unknown element %q", m.key)
		}
		if err != nil {
			return s, err
		}
	}
	return s, checkStatement(&s, path)
}

// checkStatement enforces the rules that span elements. Resource may be
// absent: trust policies have none.
func checkStatement(s *Statement, path string) error {
	switch {
	case s.Effect == 0:
		return errAt(path, `missing element "Effect"`)
	case s.Action != nil && s.NotAction != nil:
		return errAt(path, `cannot have both "Action" and "NotAction"`)
	case s.Action == nil && s.NotAction == nil:
		return errAt(path, `missing element "Action" or "NotAction"`)
	case s.Resource != nil && s.NotResource != nil:
		return errAt(path, `cannot have both "Resource" and "NotResource"`)
	case s.Principal != nil && s.NotPrincipal != nil:
		return errAt(path, `cannot have both "Principal" and "NotPrincipal"`)
	}
	return nil
}

func stringFrom(v jsonValue, path string) (string, error) {
	if v.kind != jsonString {
		return "", errAt(path, "must be a string")
	}
	return v.text, nil
}

func effectFrom(v jsonValue, path string) (Effect, error) {
	if v.kind == jsonString {
		switch v.text {
		case "Allow":
			return Allow, nil
		case "Deny":
			return Deny, nil
		}
	}
	return 0, errAt(path, `must be "Allow" or "Deny"`)
}

// stringsFrom reads an element AWS lets be written as one string or as a
// list of strings. The result is never nil, so that nil keeps meaning
// "absent".
func stringsFrom(v jsonValue, path string) ([]string, error) {
	switch v.kind {
	case jsonString:
		return []string{v.text}, nil
	case jsonArray:
		if len(v.elems) == 0 {
			return nil, errAt(path, "must not be empty")
		}
		out := make([]string, len(v.elems))
		for i, e := range v.elems {
			if e.kind != jsonString {
				return nil, errAt(path, "must be a string or list of strings")
			}
			out[i] = e.text
		}
		return out, nil
	}
	return nil, errAt(path, "must be a string or list of strings")
}

func principalFrom(v jsonValue, path string) (*Principal, error) {
	if v.kind == jsonString && v.text == "*" {
		return &Principal{Wildcard: true}, nil
	}
	if v.kind != jsonObject {
		return nil, errAt(path, `must be "*" or an object`)
	}
	if len(v.members) == 0 {
		return nil, errAt(path, "must not be empty")
	}
	if err := checkDuplicates(path, v); err != nil {
		return nil, err
	}
	p := &Principal{}
	for _, m := range v.members {
		var dst *[]string
		switch m.key {
		case "AWS":
			dst = &p.AWS
		case "Service":
			dst = &p.Service
		case "Federated":
			dst = &p.Federated
		case "CanonicalUser":
			dst = &p.CanonicalUser
		default:
			return nil, errAt(path, "unknown principal type %q", m.key)
		}
		var err error
		if *dst, err = stringsFrom(m.val, path+"."+m.key); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// conditionsFrom reads a Condition block into (operator, key) pairs sorted
// by operator, then key, so that two documents that differ only in the
// order of JSON members parse to equal policies.
func conditionsFrom(v jsonValue, path string) ([]Condition, error) {
	if v.kind != jsonObject {
		return nil, errAt(path, "must be an object")
	}
	if err := checkDuplicates(path, v); err != nil {
		return nil, err
	}
	var out []Condition
	for _, op := range v.members {
		if err := checkOperator(op.key); err != nil {
			return nil, &ParseError{Path: path, Err: err}
		}
		opPath := path + "." + op.key
		if op.val.kind != jsonObject {
			return nil, errAt(opPath, "must be an object")
		}
		if err := checkDuplicates(opPath, op.val); err != nil {
			return nil, err
		}
		for _, kv := range op.val.members {
			vals, ok := conditionValues(kv.val)
			if !ok {
				return nil, errAt(opPath, "value must be a string or list of strings")
			}
			out = append(out, Condition{Operator: op.key, Key: kv.key, Values: vals})
		}
	}
	sortConditions(out)
	return out, nil
}

func sortConditions(cs []Condition) {
	slices.SortFunc(cs, func(a, b Condition) int {
		if c := strings.Compare(a.Operator, b.Operator); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// conditionValues reads a condition key's value: a scalar or a list of
// scalars. Numbers and booleans keep their literal text; AWS compares them
// as strings converted by the operator.
func conditionValues(v jsonValue) ([]string, bool) {
	if isScalar(v.kind) {
		return []string{v.text}, true
	}
	if v.kind != jsonArray {
		return nil, false
	}
	out := make([]string, len(v.elems))
	for i, e := range v.elems {
		if !isScalar(e.kind) {
			return nil, false
		}
		out[i] = e.text
	}
	return out, true
}

func isScalar(k jsonKind) bool { return k == jsonString || k == jsonNumber || k == jsonBool }

// knownOperators are the condition operators without the ForAllValues: /
// ForAnyValue: prefix and the IfExists suffix
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
var knownOperators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true,
	"StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true,
	"NumericEquals": true, "NumericNotEquals": true,
	"NumericLessThan": true, "NumericLessThanEquals": true,
	"NumericGreaterThan": true, "NumericGreaterThanEquals": true,
	"DateEquals": true, "DateNotEquals": true,
	"DateLessThan": true, "DateLessThanEquals": true,
	"DateGreaterThan": true, "DateGreaterThanEquals": true,
	"Bool": true, "BinaryEquals": true,
	"IpAddress": true, "NotIpAddress": true,
	"ArnEquals": true, "ArnNotEquals": true, "ArnLike": true, "ArnNotLike": true,
	"Null": true,
}

// checkOperator accepts an operator name as AWS spells it: the names are
// case-sensitive.
func checkOperator(op string) error {
	name := op
	if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		name = rest
	} else if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		name = rest
	}
	base, ifExists := strings.CutSuffix(name, "IfExists")
	if !knownOperators[base] {
		return fmt.Errorf("unknown operator %q", op)
	}
	if ifExists && base == "Null" {
		return fmt.Errorf("operator %q: Null cannot take IfExists", op)
	}
	return nil
}
