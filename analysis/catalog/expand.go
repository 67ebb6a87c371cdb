package catalog

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// noMatch stands for a pattern character that can match no catalog name:
// names are ASCII, so no byte of theirs is 0xFF.
const noMatch = 0xFF

// Expand returns the actions matched by an IAM action pattern such as
// "s3:Get*" or "iam:?ass*", in id order. "*" matches any run of characters,
// "?" any one character, and case is ignored, as IAM does. The pattern is
// matched against the whole "service:action" name, so "*" alone matches
// every action and a pattern without wildcards matches at most one.
// White space around the pattern is ignored, as iam-expand ignores it.
func (c *Catalog) Expand(pattern string) []Action {
	return c.actionsByID(c.MatchIDs(pattern))
}

// MatchIDs returns the ids of the actions Expand(pattern) returns, in
// increasing order, for callers that keep sets of actions as bitsets.
func (c *Catalog) MatchIDs(pattern string) []int {
	return c.appendMatches(nil, compileGlob(pattern))
}

// ExpandNot returns every action that none of the patterns matches: what
// a statement's NotAction element grants or denies.
func (c *Catalog) ExpandNot(patterns []string) []Action {
	return c.actionsByID(c.NotMatchIDs(patterns))
}

// NotMatchIDs returns the ids of the actions ExpandNot(patterns) returns,
// in increasing order.
func (c *Catalog) NotMatchIDs(patterns []string) []int {
	matched := make([]bool, len(c.actions))
	var ids []int
	for _, p := range patterns {
		ids = c.appendMatches(ids[:0], compileGlob(p))
		for _, id := range ids {
			matched[id] = true
		}
	}
	out := make([]int, 0, len(c.actions))
	for id, m := range matched {
		if !m {
			out = append(out, id)
		}
	}
	return out
}

func (c *Catalog) actionsByID(ids []int) []Action {
	if len(ids) == 0 {
		return nil
	}
	out := make([]Action, len(ids))
	for i, id := range ids {
		out[i] = c.actions[id]
	}
	return out
}

// appendMatches appends the ids of the names g matches. Names are sorted,
// so the literal text before the first wildcard ("s3:get" in "s3:Get*")
// narrows the search to one contiguous range before any glob is run.
func (c *Catalog) appendMatches(dst []int, g glob) []int {
	if len(g) > 0 && strings.Trim(string(g), "*") == "" {
		for id := range c.keys {
			dst = append(dst, id)
		}
		return dst
	}
	prefix := g.literalPrefix()
	if strings.IndexByte(prefix, noMatch) >= 0 {
		return dst
	}
	if len(prefix) == len(g) {
		if id, ok := c.byKey[prefix]; ok {
			dst = append(dst, int(id))
		}
		return dst
	}
	lo := sort.SearchStrings(c.keys, prefix)
	for id := lo; id < len(c.keys) && strings.HasPrefix(c.keys[id], prefix); id++ {
		if g.match(c.keys[id][len(prefix):], len(prefix)) {
			dst = append(dst, id)
		}
	}
	return dst
}

// glob is a compiled action pattern: lower-case ASCII bytes, '*' and '?'.
// Every other character becomes noMatch.
type glob string

// compileGlob folds the pattern's case the way a case-insensitive regexp
// does: a character matches every character in its Unicode fold orbit, so
// "K" (Kelvin sign) matches "k" and "ſ" (long s) matches "s". Catalog names
// are ASCII, so only a character folding to ASCII can ever match.
func compileGlob(pattern string) glob {
	pattern = strings.TrimSpace(pattern)
	b := make([]byte, 0, len(pattern))
	for _, r := range pattern {
		if r < utf8.RuneSelf {
			b = append(b, toLowerASCII(byte(r)))
			continue
		}
		b = append(b, asciiFold(r))
	}
	return glob(b)
}

func asciiFold(r rune) byte {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return toLowerASCII(byte(f))
		}
	}
	return noMatch
}

func (g glob) literalPrefix() string {
	if i := strings.IndexAny(string(g), "*?"); i >= 0 {
		return string(g[:i])
	}
	return string(g)
}

// match reports whether name matches g[from:]. It is the usual linear
// wildcard match: on a mismatch it retries from just after the most
// recent '*', which never needs to go further back.
func (g glob) match(name string, from int) bool {
	p, n := from, 0
	star, starN := -1, 0
	for n < len(name) {
		switch {
		case p < len(g) && (g[p] == '?' || g[p] == name[n]):
			p++
			n++
		case p < len(g) && g[p] == '*':
			star, starN = p, n
			p++
		case star >= 0:
			starN++
			p, n = star+1, starN
		default:
			return false
		}
	}
	for p < len(g) && g[p] == '*' {
		p++
	}
	return p == len(g)
}
