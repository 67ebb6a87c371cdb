package policy

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// MarshalJSON writes p as a canonical policy document: Version, Id and
// Statement in that order; in each statement Sid, Effect, Principal or
// NotPrincipal, Action or NotAction, Resource or NotResource, Condition. A
// one-element list is written as a plain string, and condition values are
// always strings, which AWS accepts for numbers and booleans too.
//
// Parsing the output gives back a policy equal to p when p came from
// [Parse]. What cannot be written without losing data is an error: an
// invalid Effect, a wildcard Principal that also lists principals, and a
// repeated (operator, key) pair.
func (p *Policy) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	w := &docWriter{buf: make([]byte, 0, 256)}
	w.open('{')
	if p.Version != "" {
		w.key("Version")
		w.string(p.Version)
	}
	if p.ID != "" {
		w.key("Id")
		w.string(p.ID)
	}
	w.key("Statement")
	single := p.SingleStatement && len(p.Statements) == 1
	if !single {
		w.open('[')
	}
	for i := range p.Statements {
		if err := w.statement(&p.Statements[i]); err != nil {
			return nil, fmt.Errorf("policy: Statement[%d]: %w", i, err)
		}
	}
	if !single {
		w.close(']')
	}
	w.close('}')
	return w.buf, nil
}

// docWriter appends compact JSON. comma records whether the next value needs
// a separator, so callers never track first elements themselves.
type docWriter struct {
	buf   []byte
	comma bool
}

func (w *docWriter) sep() {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
}

func (w *docWriter) open(delim byte) {
	w.sep()
	w.buf = append(w.buf, delim)
	w.comma = false
}

func (w *docWriter) close(delim byte) {
	w.buf = append(w.buf, delim)
	w.comma = true
}

func (w *docWriter) key(k string) {
	w.string(k)
	w.buf = append(w.buf, ':')
	w.comma = false
}

func (w *docWriter) string(s string) {
	w.sep()
	w.buf = appendQuoted(w.buf, s)
	w.comma = true
}

// strings writes a one-element list as a string, which AWS treats the same.
// A present but empty list stays a list, to keep it distinct from absent.
func (w *docWriter) strings(ss []string) {
	if len(ss) == 1 {
		w.string(ss[0])
		return
	}
	w.open('[')
	for _, s := range ss {
		w.string(s)
	}
	w.close(']')
}

// element writes an optional list element; nil means absent.
func (w *docWriter) element(name string, ss []string) {
	if ss == nil {
		return
	}
	w.key(name)
	w.strings(ss)
}

func (w *docWriter) statement(s *Statement) error {
	if s.Effect != Allow && s.Effect != Deny {
		return fmt.Errorf("invalid Effect %d", s.Effect)
	}
	w.open('{')
	if s.Sid != "" {
		w.key("Sid")
		w.string(s.Sid)
	}
	w.key("Effect")
	w.string(s.Effect.String())
	if err := w.principal("Principal", s.Principal); err != nil {
		return err
	}
	if err := w.principal("NotPrincipal", s.NotPrincipal); err != nil {
		return err
	}
	w.element("Action", s.Action)
	w.element("NotAction", s.NotAction)
	w.element("Resource", s.Resource)
	w.element("NotResource", s.NotResource)
	if err := w.conditions(s.Condition); err != nil {
		return err
	}
	w.close('}')
	return nil
}

func (w *docWriter) principal(name string, p *Principal) error {
	if p == nil {
		return nil
	}
	w.key(name)
	if p.Wildcard {
		if p.AWS != nil || p.Service != nil || p.Federated != nil || p.CanonicalUser != nil {
			return fmt.Errorf("%s: wildcard together with typed principals", name)
		}
		w.string("*")
		return nil
	}
	w.open('{')
	w.element("AWS", p.AWS)
	w.element("Service", p.Service)
	w.element("Federated", p.Federated)
	w.element("CanonicalUser", p.CanonicalUser)
	w.close('}')
	return nil
}

// conditions groups the (operator, key) pairs back into a Condition block.
// It sorts a copy, so that a hand-built statement with the pairs of one
// operator scattered still writes each operator once.
func (w *docWriter) conditions(cs []Condition) error {
	if len(cs) == 0 {
		return nil
	}
	sorted := slices.Clone(cs)
	sortConditions(sorted)
	w.key("Condition")
	w.open('{')
	for i, c := range sorted {
		if i > 0 && c.Operator == sorted[i-1].Operator {
			if c.Key == sorted[i-1].Key {
				// Two blocks on one key are ANDed; merging them into one
				// list would OR them, and dropping one changes the policy.
				return fmt.Errorf("Condition.%s: key %q appears twice", c.Operator, c.Key)
			}
		} else {
			if i > 0 {
				w.close('}')
			}
			w.key(c.Operator)
			w.open('{')
		}
		w.key(c.Key)
		w.strings(c.Values)
	}
	w.close('}')
	w.close('}')
	return nil
}

// appendQuoted appends s as a JSON string. Unlike encoding/json it leaves
// '<', '>' and '&' alone: the output is a policy, not HTML. Invalid UTF-8
// becomes U+FFFD, as encoding/json does.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, `\n`...)
			case c == '\r':
				b = append(b, `\r`...)
			case c == '\t':
				b = append(b, `\t`...)
			case c < 0x20:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid inside JavaScript string literals.
			b = append(b, `\u`...)
			b = strconv.AppendInt(b, int64(r), 16)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
