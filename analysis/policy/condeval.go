package policy

import (
	"net/netip"
	"strconv"
)

// eval decides one (operator, key) pair against the request context,
// following "Condition operators" and "Multivalued context keys" in the IAM
// User Guide: a missing key makes a positive operator false and a negated
// one true, except for ...IfExists (true), Null, and the set qualifiers
// (ForAllValues true, ForAnyValue false). In an incomplete context a missing
// key is unknown instead.
func (cc *ccond) eval(ev *evalState) tri {
	if cc.hasVars {
		if st := cc.resolveValues(ev); st != triTrue {
			if _, ok := ev.req.lookup(cc.keyLower); st == triUnknown && !ok {
				ev.noteMissing(cc.key) // the answer hangs on the key too
			}
			return st
		}
	}
	vals, present := ev.req.lookup(cc.keyLower)
	if !present {
		if !ev.req.Context.Complete {
			ev.noteMissing(cc.key)
			return triUnknown
		}
		switch {
		case cc.fam == famNull:
			return boolTri(cc.hasValue("true"))
		case cc.ifExists, cc.qual == qualForAll:
			return triTrue
		case cc.qual == qualForAny:
			return triFalse
		}
		return boolTri(cc.negated)
	}
	if cc.fam == famNull {
		return boolTri(cc.hasValue("false"))
	}
	switch cc.qual {
	case qualForAll:
		res := triTrue
		for _, v := range vals {
			res = and(res, cc.matchOne(v, ev))
		}
		return res
	case qualForAny:
		res := triFalse
		for _, v := range vals {
			res = or(res, cc.matchOne(v, ev))
		}
		return res
	}
	res := triFalse
	for _, v := range vals {
		res = or(res, cc.anyValue(v, ev))
	}
	if cc.negated {
		return not(res)
	}
	return res
}

// resolveValues checks that every policy variable in the values resolves; an
// unresolved one makes the condition not match even under a negated
// operator, which would otherwise turn "no match" into a match.
func (cc *ccond) resolveValues(ev *evalState) tri {
	res := triTrue
	for i := range cc.values {
		if cc.fam == famArn {
			res = and(res, cc.values[i].arn.resolveAll(ev))
		} else {
			res = and(res, cc.values[i].str.resolveAll(ev))
		}
	}
	return res
}

// matchOne is the per-value test used under a set qualifier: for a negated
// operator a context value passes when it matches none of the policy values.
func (cc *ccond) matchOne(v string, ev *evalState) tri {
	r := cc.anyValue(v, ev)
	if cc.negated {
		return not(r)
	}
	return r
}

func (cc *ccond) hasValue(s string) bool {
	for i := range cc.values {
		if cc.values[i].text == s {
			return true
		}
	}
	return false
}

// anyValue reports whether the context value v matches any policy value.
func (cc *ccond) anyValue(v string, ev *evalState) tri {
	res := triFalse
	for i := range cc.values {
		res = or(res, cc.valueMatch(v, &cc.values[i], ev))
		if res == triTrue {
			return res
		}
	}
	return res
}

func (cc *ccond) valueMatch(v string, cv *cvalue, ev *evalState) tri {
	switch cc.fam {
	case famStringEquals, famStringLike:
		return cv.str.match(v, false, ev)
	case famStringEqualsIgnoreCase:
		return cv.str.match(v, true, ev)
	case famArn:
		parts, ok := splitARN(v)
		return cv.arn.match(v, &parts, ok, ev)
	case famBool:
		return boolTri(eqFold(cv.text, v, true))
	case famBinary:
		return boolTri(v == cv.text)
	case famIP:
		a, err := netip.ParseAddr(v)
		return boolTri(err == nil && cv.ip.Contains(a.Unmap()))
	case famNumericEquals, famNumericLess, famNumericLessEquals, famNumericGreater, famNumericGreaterEquals:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return triFalse
		}
		return boolTri(compareNum(cc.fam, n, cv.num))
	}
	t, ok := parseDate(v)
	if !ok {
		return triFalse
	}
	return boolTri(compareDate(cc.fam, t.Compare(cv.date)))
}

func compareNum(f family, got, want float64) bool {
	switch f {
	case famNumericEquals:
		return got == want
	case famNumericLess:
		return got < want
	case famNumericLessEquals:
		return got <= want
	case famNumericGreater:
		return got > want
	}
	return got >= want
}

// compareDate maps a three-way comparison of context date against policy
// date to the operator's answer.
func compareDate(f family, c int) bool {
	switch f {
	case famDateEquals:
		return c == 0
	case famDateLess:
		return c < 0
	case famDateLessEquals:
		return c <= 0
	case famDateGreater:
		return c > 0
	}
	return c >= 0
}
