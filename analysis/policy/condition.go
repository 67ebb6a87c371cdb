package policy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is a condition operator's comparison, without negation or
// qualifiers.
type family uint8

const (
	famStringEquals family = iota + 1
	famStringEqualsIgnoreCase
	famStringLike
	famNumericEquals
	famNumericLess
	famNumericLessEquals
	famNumericGreater
	famNumericGreaterEquals
	famDateEquals
	famDateLess
	famDateLessEquals
	famDateGreater
	famDateGreaterEquals
	famBool
	famBinary
	famIP
	famArn
	famNull
)

type qualifier uint8

const (
	qualNone qualifier = iota
	qualForAll
	qualForAny
)

// operators maps every base operator name to its family and whether it is
// the negated form. The prefixes and the IfExists suffix are handled apart.
var operators = map[string]struct {
	fam     family
	negated bool
}{
	"StringEquals": {famStringEquals, false}, "StringNotEquals": {famStringEquals, true},
	"StringEqualsIgnoreCase": {famStringEqualsIgnoreCase, false}, "StringNotEqualsIgnoreCase": {famStringEqualsIgnoreCase, true},
	"StringLike": {famStringLike, false}, "StringNotLike": {famStringLike, true},
	"NumericEquals": {famNumericEquals, false}, "NumericNotEquals": {famNumericEquals, true},
	"NumericLessThan": {famNumericLess, false}, "NumericLessThanEquals": {famNumericLessEquals, false},
	"NumericGreaterThan": {famNumericGreater, false}, "NumericGreaterThanEquals": {famNumericGreaterEquals, false},
	"DateEquals": {famDateEquals, false}, "DateNotEquals": {famDateEquals, true},
	"DateLessThan": {famDateLess, false}, "DateLessThanEquals": {famDateLessEquals, false},
	"DateGreaterThan": {famDateGreater, false}, "DateGreaterThanEquals": {famDateGreaterEquals, false},
	"Bool": {famBool, false}, "BinaryEquals": {famBinary, false},
	"IpAddress": {famIP, false}, "NotIpAddress": {famIP, true},
	"ArnEquals": {famArn, false}, "ArnNotEquals": {famArn, true},
	"ArnLike": {famArn, false}, "ArnNotLike": {famArn, true},
	"Null": {famNull, false},
}

// splitOperator decodes "ForAnyValue:StringLikeIfExists" into its parts.
func splitOperator(op string) (fam family, negated bool, q qualifier, ifExists bool, ok bool) {
	base := op
	switch {
	case strings.HasPrefix(base, "ForAllValues:"):
		q, base = qualForAll, strings.TrimPrefix(base, "ForAllValues:")
	case strings.HasPrefix(base, "ForAnyValue:"):
		q, base = qualForAny, strings.TrimPrefix(base, "ForAnyValue:")
	}
	if b, found := strings.CutSuffix(base, "IfExists"); found && b != "Null" {
		base, ifExists = b, true
	}
	o, ok := operators[base]
	return o.fam, o.negated, q, ifExists, ok
}

// cvalue is one condition value, parsed for its family at compile time.
type cvalue struct {
	str  pattern // string/arn families (with variables)
	arn  arnPattern
	num  float64
	date time.Time
	ip   netip.Prefix
	text string
}

// ccond is a compiled (operator, key) pair.
type ccond struct {
	op       string // as written, for explanations
	key      string // as written
	keyLower string
	fam      family
	negated  bool
	qual     qualifier
	ifExists bool
	hasVars  bool // some value holds a policy variable
	values   []cvalue
}

func compileCondition(c Condition, vars bool) (ccond, error) {
	fam, neg, q, ifx, ok := splitOperator(c.Operator)
	if !ok {
		return ccond{}, fmt.Errorf("unknown operator %q", c.Operator)
	}
	cc := ccond{op: c.Operator, key: c.Key, keyLower: strings.ToLower(c.Key), fam: fam, negated: neg, qual: q, ifExists: ifx}
	for i, v := range c.Values {
		cv, err := compileValue(fam, v, vars)
		if err != nil {
			return ccond{}, fmt.Errorf("%s[%d]: %w", c.Key, i, err)
		}
		cc.values = append(cc.values, cv)
		cc.hasVars = cc.hasVars || cv.str.hasVar || cv.arn.whole.hasVar
	}
	return cc, nil
}

func compileValue(fam family, v string, vars bool) (cvalue, error) {
	cv := cvalue{text: v}
	var err error
	switch fam {
	case famStringEquals:
		cv.str = compileText(v, vars, false, false)
	case famStringLike:
		cv.str = compileText(v, vars, false, true)
	case famStringEqualsIgnoreCase:
		cv.str = compileText(v, vars, true, false)
	case famArn:
		cv.arn = compileARN(v, vars)
	case famNumericEquals, famNumericLess, famNumericLessEquals, famNumericGreater, famNumericGreaterEquals:
		cv.num, err = strconv.ParseFloat(v, 64)
		if err != nil {
			err = fmt.Errorf("%q is not a number", v)
		}
	case famDateEquals, famDateLess, famDateLessEquals, famDateGreater, famDateGreaterEquals:
		var ok bool
		if cv.date, ok = parseDate(v); !ok {
			err = fmt.Errorf("%q is not a date (ISO 8601 or epoch seconds)", v)
		}
	case famIP:
		cv.ip, err = parseCIDR(v)
	case famBool, famNull:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			err = fmt.Errorf("%q is not true or false", v)
		}
		cv.text = strings.ToLower(v)
	}
	return cv, err
}

func parseCIDR(v string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR", v)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// dateLayouts are the ISO 8601 forms AWS accepts in Date conditions.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"}

func parseDate(v string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		sec := int64(n)
		return time.Unix(sec, int64((n-float64(sec))*1e9)).UTC(), true
	}
	return time.Time{}, false
}
