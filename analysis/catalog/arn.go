package catalog

import (
	"slices"
	"strings"
)

// ResourceTypesFor returns the resource types an ARN can be, by matching it
// against every ARN template whose service segment is the ARN's. It returns
// nil for a string that is not an ARN or that no template matches.
//
// Templates are read as AWS documents them: "${Partition}", "${Region}" and
// "${Account}" each match one non-empty ARN segment, and a variable in the
// resource part matches a non-empty run of characters. How far that run
// reaches is a judgment call the templates leave open, so matching is done
// in two passes:
//
//   - Strict: a variable stops at '/' and ':', unless its name says it holds
//     a path ("…Path", "ObjectName"). This tells an S3 bucket from an object
//     and a DynamoDB table from its stream.
//   - Lenient, only if the strict pass matched nothing: a variable stops
//     only at the separator that follows it in the template, and a final
//     variable takes the rest. This admits names that hold '/' or ':'
//     without saying so, such as log group "/aws/lambda/f", SSM parameter
//     "prod/db/pw" and DynamoDB stream label "2026-01-01T00:00:00.000".
//     Since a final variable can then swallow what a longer template spells
//     out, only the matches with the most literal text are kept: a log
//     stream is not also its log group.
//
// A variable that is a whole resource part ("${BucketName}") stops at '/'
// and ':' in both passes. A literal '*' in a template matches anything.
//
// Within each pass, templates whose service segment is a variable (AWS
// Backup's recovery point, "arn:${Partition}:${Vendor}:…") are tried only
// when no template of the ARN's own service matched, since they would
// otherwise claim every "type:name" ARN of every service.
func (c *Catalog) ResourceTypesFor(arn string) []ResourceType {
	var out []ResourceType
	for _, rt := range c.matchARN(arn) {
		out = append(out, c.resourceTypes[rt])
	}
	return out
}

// ActionsOn returns, in id order, the actions that list one of the ARN's
// resource types ([Catalog.ResourceTypesFor]): the actions a statement
// naming this ARN in Resource can apply to, besides wildcard-only ones.
func (c *Catalog) ActionsOn(arn string) []Action {
	var ids []int
	for _, rt := range c.matchARN(arn) {
		for _, id := range c.rtActions[rt] {
			ids = append(ids, int(id))
		}
	}
	slices.Sort(ids)
	return c.actionsByID(slices.Compact(ids))
}

// matchARN returns the indexes of the resource types arn can be, in order.
func (c *Catalog) matchARN(arn string) []int {
	a, ok := splitARN(arn)
	if !ok {
		return nil
	}
	c.arnsOnce.Do(func() { c.arns = newARNIndex(c.resourceTypes) })
	for _, lenient := range []bool{false, true} {
		for _, set := range [][]int32{c.arns.byService[a[1]], c.arns.anyService} {
			var out []int
			best := 0
			for _, i := range set {
				t := &c.arns.templates[i]
				if !t.match(a, lenient) {
					continue
				}
				if lenient && t.literals > best {
					out, best = out[:0], t.literals
				}
				if !lenient || t.literals == best {
					out = append(out, t.rt)
				}
			}
			if out != nil {
				slices.Sort(out)
				return out
			}
		}
	}
	return nil
}

// arnParts are an ARN's partition, service, region, account and resource.
type arnParts [5]string

func splitARN(arn string) (arnParts, bool) {
	var a arnParts
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return a, false
	}
	for i := range 4 {
		a[i], rest, ok = strings.Cut(rest, ":")
		if !ok {
			return a, false
		}
	}
	a[4] = rest
	return a, true
}

type arnIndex struct {
	templates  []arnTemplate
	byService  map[string][]int32 // ARN service segment → templates
	anyService []int32            // templates whose service is a variable
}

// arnTemplate is one compiled ARN template.
type arnTemplate struct {
	rt       int      // index in Catalog.resourceTypes
	literals int      // bytes of literal text in resource, for ranking
	segments [4]token // partition, service, region, account
	resource []token  // the resource part
}

type tokenKind uint8

const (
	literal  tokenKind = iota
	variable           // non-empty, up to a stop byte
	star               // anything, even nothing
)

type token struct {
	kind tokenKind
	lit  string // a literal's text or a variable's name
	// strict and lenient are the bytes a variable may not contain in
	// each pass.
	strict, lenient string
}

func newARNIndex(rts []ResourceType) arnIndex {
	ix := arnIndex{byService: make(map[string][]int32)}
	for i, rt := range rts {
		a, ok := splitARN(rt.ARN)
		if !ok {
			continue // not an ARN template; nothing can match it
		}
		t := arnTemplate{rt: i, resource: compileResource(a[4])}
		for _, tok := range t.resource {
			if tok.kind == literal {
				t.literals += len(tok.lit)
			}
		}
		for j := range t.segments {
			t.segments[j] = compileSegment(a[j])
		}
		n := int32(len(ix.templates))
		ix.templates = append(ix.templates, t)
		if svc := t.segments[1]; svc.kind == literal {
			ix.byService[svc.lit] = append(ix.byService[svc.lit], n)
		} else {
			ix.anyService = append(ix.anyService, n)
		}
	}
	return ix
}

func compileSegment(s string) token {
	switch {
	case s == "*":
		return token{kind: star}
	case strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") && strings.Count(s, "${") == 1:
		return token{kind: variable}
	}
	return token{kind: literal, lit: s}
}

func compileResource(s string) []token {
	var toks []token
	for s != "" {
		switch {
		case s[0] == '*':
			toks = append(toks, token{kind: star})
			s = s[1:]
		case strings.HasPrefix(s, "${") && strings.Contains(s, "}"):
			end := strings.IndexByte(s, '}')
			toks = append(toks, token{kind: variable, lit: s[2:end]})
			s = s[end+1:]
		default:
			end := len(s)
			if i := strings.IndexAny(s[1:], "*$"); i >= 0 {
				end = i + 1
			}
			toks = append(toks, token{kind: literal, lit: s[:end]})
			s = s[end:]
		}
	}
	for i := range toks {
		if toks[i].kind == variable {
			toks[i].strict, toks[i].lenient = stops(toks, i)
		}
	}
	return toks
}

// stops returns the bytes variable toks[i] may not contain in the strict
// and the lenient pass; ResourceTypesFor explains the rules.
func stops(toks []token, i int) (strict, lenient string) {
	name := toks[i].lit
	if len(toks) == 1 {
		return "/:", "/:"
	}
	strict = "/:"
	if strings.HasSuffix(name, "Path") || name == "ObjectName" {
		strict = ""
	}
	switch {
	case i+1 < len(toks) && toks[i+1].kind == literal:
		lenient = toks[i+1].lit[:1]
	case i+1 == len(toks):
		lenient = ""
	default:
		lenient = "/:"
	}
	if strict == "" {
		lenient = ""
	}
	return strict, lenient
}

func (t *arnTemplate) match(a arnParts, lenient bool) bool {
	for j, seg := range t.segments {
		switch seg.kind {
		case literal:
			if a[j] != seg.lit {
				return false
			}
		case variable:
			if a[j] == "" {
				return false
			}
		}
	}
	return matchTokens(t.resource, a[4], lenient)
}

// matchTokens backtracks over the ways variables and stars can split s.
// Templates hold a handful of tokens, and stop bytes and literal anchors
// prune most splits, so the search stays small.
func matchTokens(toks []token, s string, lenient bool) bool {
	if len(toks) == 0 {
		return s == ""
	}
	t, rest := toks[0], toks[1:]
	switch t.kind {
	case literal:
		after, ok := strings.CutPrefix(s, t.lit)
		return ok && matchTokens(rest, after, lenient)
	case star:
		for n := len(s); n >= 0; n-- {
			if matchTokens(rest, s[n:], lenient) {
				return true
			}
		}
		return false
	}
	stop := t.strict
	if lenient {
		stop = t.lenient
	}
	end := len(s)
	if i := strings.IndexAny(s, stop); i >= 0 && stop != "" {
		end = i
	}
	for n := end; n >= 1; n-- {
		if matchTokens(rest, s[n:], lenient) {
			return true
		}
	}
	return false
}
