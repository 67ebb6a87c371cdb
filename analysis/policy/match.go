package policy

import (
	"strings"
	"unicode/utf8"
)

// tokKind is one piece of a compiled pattern.
type tokKind uint8

const (
	tokLit  tokKind = iota // literal text
	tokStar                // * : any run of characters
	tokOne                 // ? : exactly one character
	tokVar                 // ${key} or ${key, 'default'}: the context value
)

type token struct {
	kind   tokKind
	lit    string // tokLit: the text; tokVar: the key as written
	key    string // tokVar: lower-cased key
	def    string // tokVar: default value
	hasDef bool
}

// pattern is a glob with optional policy variables, compiled once. The
// matcher below is iterative (one backtrack point, the last star), so it
// never allocates and is linear in practice.
type pattern struct {
	toks    []token
	literal bool // no *, ? or variable: compare strings directly
	prefix  bool // literal then one trailing star ("s3:get*"): a prefix test
	all     bool // the pattern is exactly "*"
	hasVar  bool
	text    string // as written
}

// compilePattern splits s into tokens. When vars is false (Version
// 2008-10-17, and Action elements) "${" is plain text, as AWS treats it.
func compilePattern(s string, vars, fold bool) pattern {
	return compileText(s, vars, fold, true)
}

// compileText is compilePattern with the choice, for StringEquals and
// friends, of treating * and ? as plain characters.
func compileText(s string, vars, fold, globs bool) pattern {
	p := pattern{text: s, all: globs && s == "*"}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t := lit.String()
			if fold {
				t = strings.ToLower(t)
			}
			p.toks = append(p.toks, token{kind: tokLit, lit: t})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case globs && c == '*':
			flush()
			p.toks = append(p.toks, token{kind: tokStar})
		case globs && c == '?':
			flush()
			p.toks = append(p.toks, token{kind: tokOne})
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				lit.WriteByte(c)
				continue
			}
			inner := s[i+2 : i+end]
			i += end
			switch inner {
			case "*", "?", "$":
				lit.WriteString(inner) // ${*} is a literal star, not a wildcard
				continue
			}
			flush()
			p.toks = append(p.toks, parseVar(inner))
			p.hasVar = true
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	p.literal = len(p.toks) <= 1 && (len(p.toks) == 0 || p.toks[0].kind == tokLit)
	p.prefix = len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar
	return p
}

// parseVar reads the inside of ${...}: a key, optionally ", 'default'".
func parseVar(inner string) token {
	key, def, hasDef := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	t := token{kind: tokVar, lit: key, key: strings.ToLower(key)}
	if hasDef {
		def = strings.TrimSpace(def)
		def = strings.TrimSuffix(strings.TrimPrefix(def, "'"), "'")
		t.def, t.hasDef = def, true
	}
	return t
}

// resolveAll reports whether every variable of p has a value: triFalse when
// one is absent (AWS then treats the statement as not applying, whatever the
// operator: "IAM policy elements: Variables and tags"), triUnknown when one's
// key is unknown.
func (p *pattern) resolveAll(r resolver) tri {
	res := triTrue
	for i := range p.toks {
		if p.toks[i].kind == tokVar {
			_, st := r.resolve(&p.toks[i])
			res = and(res, st)
		}
	}
	return res
}

func (a *arnPattern) resolveAll(r resolver) tri {
	if !a.split {
		return a.whole.resolveAll(r)
	}
	res := triTrue
	for i := range a.segs {
		res = and(res, a.segs[i].resolveAll(r))
	}
	return res
}

// resolver supplies variable values during a match. It records keys whose
// absence made the answer unknown.
type resolver interface {
	resolve(t *token) (value string, st tri)
}

// match reports whether s matches p: triTrue, triFalse, or triUnknown when a
// variable's key is missing from an incomplete context. fold makes the
// comparison ASCII case-insensitive (the pattern is already lower-cased).
func (p *pattern) match(s string, fold bool, r resolver) tri {
	if p.all {
		return triTrue
	}
	if p.literal {
		if len(p.toks) == 0 {
			return boolTri(s == "")
		}
		return boolTri(eqFold(p.toks[0].lit, s, fold))
	}
	if p.prefix {
		return boolTri(hasPrefixFold(s, p.toks[0].lit, fold))
	}
	ti, si := 0, 0
	starTi, starSi := -1, 0
	unknown := false
	for {
		if ti < len(p.toks) {
			t := &p.toks[ti]
			switch t.kind {
			case tokStar:
				starTi, starSi = ti, si
				ti++
				continue
			case tokOne:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit, tokVar:
				lit := t.lit
				if t.kind == tokVar {
					v, st := r.resolve(t)
					if st != triTrue {
						if st == triUnknown {
							unknown = true
						}
						return falseOr(unknown)
					}
					lit = v
				}
				if hasPrefixFold(s[si:], lit, fold) {
					si += len(lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return triTrue
		}
		if starTi < 0 || starSi >= len(s) {
			return falseOr(unknown)
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		ti, si = starTi+1, starSi
	}
}

func falseOr(unknown bool) tri {
	if unknown {
		return triUnknown
	}
	return triFalse
}

// eqFold compares a lower-cased pattern literal with s.
func eqFold(lowerLit, s string, fold bool) bool {
	if !fold {
		return lowerLit == s
	}
	return len(lowerLit) == len(s) && hasPrefixFold(s, lowerLit, true)
}

// hasPrefixFold reports whether s starts with prefix; with fold, ASCII
// letters compare case-insensitively. IAM names are ASCII, so ASCII folding
// is what AWS does for actions; it also keeps matching allocation-free.
func hasPrefixFold(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if !fold {
		return s[:len(prefix)] == prefix
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != lowerASCII(prefix[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// arnPattern matches ARNs the way AWS does for Resource elements and Arn*
// condition operators: the first five colon-separated segments (arn,
// partition, service, region, account) one by one, then the resource part,
// which may itself hold colons, as a whole. A pattern without six segments
// is matched as one glob over the whole string.
type arnPattern struct {
	whole pattern
	segs  [6]pattern
	split bool
}

func compileARN(s string, vars bool) arnPattern {
	a := arnPattern{whole: compilePattern(s, vars, false)}
	parts, ok := splitARN(s)
	if !ok || a.whole.all {
		return a
	}
	a.split = true
	for i, part := range parts {
		a.segs[i] = compilePattern(part, vars, false)
	}
	return a
}

// splitARN cuts an ARN into its six segments without allocating.
func splitARN(s string) (parts [6]string, ok bool) {
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return parts, false
		}
		parts[i] = rest[:j]
		rest = rest[j+1:]
	}
	parts[5] = rest
	return parts, true
}

// match compares a request ARN, given whole and pre-split, with the pattern.
func (a *arnPattern) match(s string, parts *[6]string, isARN bool, r resolver) tri {
	if !a.split || !isARN {
		return a.whole.match(s, false, r)
	}
	res := triTrue
	for i := range a.segs {
		res = and(res, a.segs[i].match(parts[i], false, r))
		if res == triFalse {
			return triFalse
		}
	}
	return res
}
