package policy

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The generator's conditions and the request context that meets or misses them.

// conditionTemplates are the operators and keys generated conditions use;
// values come from the case, so that they hold about half the time.
var conditionTemplates = []struct{ op, key string }{
	{"StringEquals", "aws:RequestedRegion"},
	{"StringNotEquals", "aws:RequestedRegion"},
	{"StringEquals", "aws:PrincipalTag/team"},
	{"StringEqualsIgnoreCase", "aws:PrincipalTag/team"},
	{"StringNotEqualsIfExists", "aws:PrincipalTag/team"},
	{"StringLike", "aws:PrincipalArn"},
	{"StringEquals", "aws:PrincipalOrgID"},
	{"StringNotEquals", "aws:PrincipalOrgID"},
	{"StringEquals", "aws:PrincipalAccount"},
	{"StringEquals", "aws:ResourceAccount"},
	{"StringEqualsIfExists", "aws:SourceVpc"},
	{"ArnLike", "aws:PrincipalArn"},
	{"ArnNotLike", "aws:PrincipalArn"},
	{"ArnEquals", "aws:PrincipalArn"},
	{"NumericLessThan", "aws:MultiFactorAuthAge"},
	{"NumericGreaterThanEquals", "aws:MultiFactorAuthAge"},
	{"NumericLessThanIfExists", "aws:MultiFactorAuthAge"},
	{"DateGreaterThan", "aws:CurrentTime"},
	{"DateLessThan", "aws:CurrentTime"},
	{"DateLessThanEquals", "aws:EpochTime"},
	{"Bool", "aws:SecureTransport"},
	{"Bool", "aws:MultiFactorAuthPresent"},
	{"BoolIfExists", "aws:MultiFactorAuthPresent"},
	{"IpAddress", "aws:SourceIp"},
	{"NotIpAddress", "aws:SourceIp"},
	{"Null", "aws:PrincipalTag/team"},
	{"Null", "aws:MultiFactorAuthAge"},
	{"ForAnyValue:StringEquals", "aws:PrincipalOrgPaths"},
	{"ForAnyValue:StringLike", "aws:PrincipalOrgPaths"},
	{"ForAllValues:StringEquals", "aws:CalledVia"},
	{"ForAnyValue:StringEquals", "aws:CalledVia"},
}

func (g *gen) addCondition(s map[string]any) {
	t := pick(g, conditionTemplates)
	var v any
	switch {
	case t.op == "Null":
		v = pick(g, []string{"true", "false"})
	case strings.HasPrefix(t.op, "Bool"):
		v = pick(g, []string{"true", "false"})
	case strings.HasPrefix(t.op, "Numeric"):
		v = pick(g, []string{"300", "3600"})
	case t.key == "aws:EpochTime":
		v = pick(g, []string{"1790000000", "1700000000"})
	case strings.HasPrefix(t.op, "Date"):
		v = pick(g, []string{"2026-01-01T00:00:00Z", "2027-06-30T00:00:00Z"})
	case strings.HasSuffix(t.op, "IpAddress"):
		v = pick(g, []string{"203.0.113.0/24", "198.51.100.0/24", "10.0.0.0/8"})
	case t.key == "aws:RequestedRegion":
		v = pick(g, []string{"us-east-1", "eu-west-1"})
	case t.key == "aws:PrincipalTag/team":
		v = pick(g, []string{"dev", "ops"})
	case strings.HasSuffix(t.key, "OrgID"):
		v = pick(g, []string{genOrgID, "o-zzz999"})
	case strings.HasSuffix(t.key, "Account"):
		v = pick(g, []string{genAccount, genOther, "${aws:PrincipalAccount}"})
	case t.key == "aws:SourceVpc":
		v = pick(g, []string{"vpc-111", "vpc-222"})
	case t.key == "aws:PrincipalArn":
		v = pick(g, []string{"arn:aws:iam::" + genAccount + ":role/app-*", "arn:aws:iam::*:role/Admin",
			"arn:aws:iam::" + genAccount + ":user/alice", "arn:aws:iam::*:*"})
	case t.key == "aws:PrincipalOrgPaths":
		v = pick(g, []string{genOrgID + "/r-ab12/ou-ab12-11111111/", genOrgID + "/r-ab12/*"})
	case t.key == "aws:CalledVia":
		v = []string{"cloudformation.amazonaws.com", "athena.amazonaws.com"}
	}
	cond, _ := s["Condition"].(map[string]any)
	if cond == nil {
		cond = map[string]any{}
		s["Condition"] = cond
	}
	block, _ := cond[t.op].(map[string]any)
	if block == nil {
		block = map[string]any{}
		cond[t.op] = block
	}
	block[t.key] = v
}

func (g *gen) noteConditions(d json.RawMessage) {
	if d == nil {
		return
	}
	p, err := Parse(d)
	if err != nil {
		return
	}
	for _, s := range p.Statements {
		g.conds = append(g.conds, s.Condition...)
	}
}

// multiValued are the global keys that hold a list of values.
var multiValued = map[string]bool{
	"aws:tagkeys": true, "aws:principalorgpaths": true, "aws:calledvia": true,
	"aws:principalservicenameslist": true, "aws:resourceorgpaths": true, "aws:sourceorgpaths": true,
}

// derivedKeys follow from the principal and resource; the context never
// contradicts them.
var derivedKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:username": true,
	"aws:principalisawsservice": true, "aws:resourceaccount": true, "aws:principaltype": true,
}

// context writes a full request context (Strict mode: what is not here is
// absent): the keys AWS always sets, then values for every key the case's
// conditions test, which satisfy the condition about half the time.
func (g *gen) context() {
	c := g.c
	set := func(k string, v ...string) { c.Context[k] = v }
	acct := accountOf(c.Principal)
	kind := "AssumedRole"
	arn := c.Principal
	switch {
	case strings.HasSuffix(c.Principal, ":root"):
		kind = "Account"
	case strings.Contains(c.Principal, ":user/"):
		kind = "User"
		set("aws:username", c.Principal[strings.LastIndex(c.Principal, "/")+1:])
	case strings.Contains(c.Principal, ":role/"):
		kind = "AssumedRole"
	default:
		parts := strings.Split(strings.SplitN(c.Principal, ":", 6)[5], "/")
		arn = fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, parts[1])
	}
	set("aws:PrincipalArn", arn)
	set("aws:PrincipalAccount", acct)
	set("aws:PrincipalType", kind)
	set("aws:PrincipalIsAWSService", "false")
	set("aws:ResourceAccount", c.ResourceAccount)
	now := time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC).Add(time.Duration(g.r.IntN(48)-24) * time.Hour)
	set("aws:CurrentTime", now.Format(time.RFC3339))
	set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	set("aws:SecureTransport", pick(g, []string{"true", "true", "false"}))
	set("aws:RequestedRegion", g.region)
	set("aws:SourceIp", pick(g, []string{"203.0.113.10", "198.51.100.7", "10.1.2.3"}))
	if acct == genAccount || g.chance(0.3) {
		set("aws:PrincipalOrgID", genOrgID)
		set("aws:PrincipalOrgPaths", genOrgID+"/r-ab12/ou-ab12-11111111/")
	}
	if c.ResourceAccount == genAccount {
		set("aws:ResourceOrgID", genOrgID)
	}
	if kind != "Account" {
		if g.chance(0.6) {
			set("aws:PrincipalTag/team", pick(g, []string{"dev", "ops", "DEV"}))
		}
		if g.chance(0.5) {
			set("aws:MultiFactorAuthPresent", "true")
			set("aws:MultiFactorAuthAge", pick(g, []string{"60", "3600", "86400"}))
		} else if kind != "User" {
			set("aws:MultiFactorAuthPresent", "false")
		}
	}
	if g.chance(0.2) {
		set("aws:SourceVpc", pick(g, []string{"vpc-111", "vpc-222"}))
	}
	for _, cd := range g.conds {
		lk := strings.ToLower(cd.Key)
		if derivedKeys[lk] || !g.knownKey(lk) || !g.chance(0.6) {
			continue
		}
		key := g.existingKey(cd.Key)
		if g.chance(0.15) {
			delete(c.Context, key)
			continue
		}
		vals := []string{g.valueFor(cd)}
		if g.multi(lk) && g.chance(0.4) {
			vals = append(vals, g.valueFor(cd))
		}
		c.Context[key] = vals
	}
}

// existingKey returns key as already spelt in the context, if it is there
// in another case, so that a key is never set twice.
func (g *gen) existingKey(key string) string {
	for k := range g.c.Context {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return key
}

// knownKey reports whether the peer can type a service condition key: it
// must be in the catalog, as such or as a "prefix/${TagKey}" pattern whose
// tag has no colon.
func (g *gen) knownKey(lowerKey string) bool {
	svc, _, _ := strings.Cut(lowerKey, ":")
	if svc == "aws" {
		return true
	}
	s, ok := g.corpus.cat.Service(svc)
	if !ok {
		return false
	}
	if _, ok := s.ConditionKey(lowerKey); ok {
		return true
	}
	prefix, tag, ok := strings.Cut(lowerKey, "/")
	if !ok || strings.Contains(tag, ":") {
		return false
	}
	for _, ck := range s.ConditionKeys {
		if strings.HasPrefix(strings.ToLower(ck.Key), prefix+"/") {
			return true
		}
	}
	return false
}

func (g *gen) multi(lowerKey string) bool {
	if multiValued[lowerKey] {
		return true
	}
	svc, _, _ := strings.Cut(lowerKey, ":")
	s, ok := g.corpus.cat.Service(svc)
	if !ok {
		return false
	}
	ck, ok := s.ConditionKey(lowerKey)
	return ok && strings.HasPrefix(ck.Type, "ArrayOf")
}

// valueFor returns a context value for a condition: one of its values made
// literal (which usually satisfies it) or a value near it that does not.
func (g *gen) valueFor(cd Condition) string {
	op := strings.TrimPrefix(strings.TrimPrefix(cd.Operator, "ForAllValues:"), "ForAnyValue:")
	op = strings.TrimSuffix(op, "IfExists")
	if len(cd.Values) == 0 {
		return "x"
	}
	v := g.literal(pick(g, cd.Values))
	near := !g.chance(0.55)
	switch {
	case op == "Null":
		return "x"
	case op == "Bool":
		return pick(g, []string{"true", "false"})
	case strings.HasPrefix(op, "Numeric"):
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "1"
		}
		return strconv.FormatInt(n+int64(pick(g, []int{-1, 0, 1})), 10)
	case strings.HasPrefix(op, "Date"):
		shift := time.Duration(pick(g, []int{-1, 0, 1})) * time.Hour
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return strconv.FormatInt(n+int64(shift/time.Second), 10)
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.Add(shift).Format(time.RFC3339)
		}
		return "2026-09-30T12:00:00Z"
	case strings.HasSuffix(op, "IpAddress"):
		p, err := netip.ParsePrefix(v)
		if err != nil || near {
			return "192.0.2.44"
		}
		return p.Masked().Addr().Next().String()
	case near:
		return v + "-no"
	}
	return v
}

// literal turns a condition value into a string it matches: wildcards are
// filled in and policy variables resolved against the context so far.
func (g *gen) literal(v string) string {
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			break
		}
		j := strings.Index(v[i:], "}")
		if j < 0 {
			break
		}
		name := v[i+2 : i+j]
		sub := "x"
		if vals, ok := g.c.Context[g.existingKey(name)]; ok && len(vals) > 0 {
			sub = vals[0]
		}
		v = v[:i] + sub + v[i+j+1:]
	}
	v = strings.ReplaceAll(v, "*", "x")
	return strings.ReplaceAll(v, "?", "a")
}
