package policy

import (
	"fmt"
	"testing"
)

// condReq builds a request whose context holds kv pairs; complete says
// whether absent keys are absent (true) or unknown (false).
func condReq(complete bool, kv ...string) Request {
	r := Request{Principal: userA, Action: "s3:GetObject", Resource: bucketA + "/home/alice/k", Context: Context{Complete: complete}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Context.Set(kv[i], kv[i+1])
	}
	return r
}

func condPolicy(cond string) Set {
	return Set{Identity: []*Compiled{pol("cond", fmt.Sprintf(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":%s}`, cond))}}
}

func TestConditionOperators(t *testing.T) {
	t.Parallel()
	multi := func(complete bool, key string, vals ...string) Request {
		r := condReq(complete)
		r.Context.Set(key, vals...)
		return r
	}
	d := docConditions
	runCases(t, []evalCase{
		{"StringEquals match", d, condReq(true, "aws:PrincipalTag/team", "ops"), condPolicy(`{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`), Allowed, nil},
		{"StringEquals is case-sensitive", d, condReq(true, "aws:PrincipalTag/team", "OPS"), condPolicy(`{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`), ImplicitDeny, nil},
		{"condition keys are case-insensitive", d, condReq(true, "AWS:PRINCIPALTAG/TEAM", "ops"), condPolicy(`{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`), Allowed, nil},
		{"StringEquals treats * literally", d, condReq(true, "s3:prefix", "abc"), condPolicy(`{"StringEquals":{"s3:prefix":"a*"}}`), ImplicitDeny, nil},
		{"values are ORed", d, condReq(true, "s3:prefix", "b"), condPolicy(`{"StringEquals":{"s3:prefix":["a","b"]}}`), Allowed, nil},
		{"keys are ANDed", d, condReq(true, "s3:prefix", "a"), condPolicy(`{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"}}`), ImplicitDeny, nil},
		{"StringEqualsIgnoreCase", d, condReq(true, "s3:prefix", "ABC"), condPolicy(`{"StringEqualsIgnoreCase":{"s3:prefix":"abc"}}`), Allowed, nil},
		{"StringNotEqualsIgnoreCase", d, condReq(true, "s3:prefix", "ABC"), condPolicy(`{"StringNotEqualsIgnoreCase":{"s3:prefix":"abc"}}`), ImplicitDeny, nil},
		{"StringLike with * and ?", d, condReq(true, "s3:prefix", "home/alice/x"), condPolicy(`{"StringLike":{"s3:prefix":"home/?lice/*"}}`), Allowed, nil},
		{"StringNotLike", d, condReq(true, "s3:prefix", "home/alice/x"), condPolicy(`{"StringNotLike":{"s3:prefix":"home/*"}}`), ImplicitDeny, nil},
		{"NumericLessThan", d, condReq(true, "s3:max-keys", "10"), condPolicy(`{"NumericLessThan":{"s3:max-keys":"11"}}`), Allowed, nil},
		{"NumericGreaterThanEquals false", d, condReq(true, "s3:max-keys", "10"), condPolicy(`{"NumericGreaterThanEquals":{"s3:max-keys":11}}`), ImplicitDeny, nil},
		{"NumericEquals with float", d, condReq(true, "s3:max-keys", "10.0"), condPolicy(`{"NumericEquals":{"s3:max-keys":"10"}}`), Allowed, nil},
		{"Numeric on a non-number context value", d, condReq(true, "s3:max-keys", "ten"), condPolicy(`{"NumericNotEquals":{"s3:max-keys":"10"}}`), Allowed, nil},
		{"DateLessThan ISO", d, condReq(true, "aws:CurrentTime", "2026-01-01T00:00:00Z"), condPolicy(`{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`), Allowed, nil},
		{"DateGreaterThan epoch", d, condReq(true, "aws:EpochTime", "1700000000"), condPolicy(`{"DateGreaterThan":{"aws:EpochTime":"2024-01-01T00:00:00Z"}}`), ImplicitDeny, nil},
		{"Bool", d, condReq(true, "aws:SecureTransport", "true"), condPolicy(`{"Bool":{"aws:SecureTransport":true}}`), Allowed, nil},
		{"Bool false", d, condReq(true, "aws:SecureTransport", "false"), condPolicy(`{"Bool":{"aws:SecureTransport":"true"}}`), ImplicitDeny, nil},
		{"BinaryEquals", d, condReq(true, "kms:RecipientAttestation:ImageSha384", "QmluYXJ5"), condPolicy(`{"BinaryEquals":{"kms:RecipientAttestation:ImageSha384":"QmluYXJ5"}}`), Allowed, nil},
		{"IpAddress IPv4 CIDR", d, condReq(true, "aws:SourceIp", "10.1.2.3"), condPolicy(`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), Allowed, nil},
		{"IpAddress IPv6 CIDR", d, condReq(true, "aws:SourceIp", "2001:db8::1"), condPolicy(`{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`), Allowed, nil},
		{"NotIpAddress", d, condReq(true, "aws:SourceIp", "10.1.2.3"), condPolicy(`{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}`), ImplicitDeny, nil},
		{"IpAddress single address", d, condReq(true, "aws:SourceIp", "192.0.2.7"), condPolicy(`{"IpAddress":{"aws:SourceIp":"192.0.2.7"}}`), Allowed, nil},
		{"ArnLike segment wildcard", d, condReq(true, "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic"), condPolicy(`{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}}`), Allowed, nil},
		{"ArnEquals compares segment by segment", d, condReq(true, "aws:SourceArn", "arn:aws:sns:us-east-1:999999999999:topic"), condPolicy(`{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}}`), ImplicitDeny, nil},
		{"ArnNotLike", d, condReq(true, "aws:PrincipalArn", "arn:aws:iam::111122223333:role/breakglass"), condPolicy(`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/breakglass"}}`), ImplicitDeny, nil},
		{"missing key: positive operator false", d, condReq(true), condPolicy(`{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`), ImplicitDeny, nil},
		{"missing key: negated operator true", d, condReq(true), condPolicy(`{"StringNotEquals":{"aws:PrincipalTag/team":"ops"}}`), Allowed, nil},
		{"missing key: IfExists true", d, condReq(true), condPolicy(`{"StringEqualsIfExists":{"aws:PrincipalTag/team":"ops"}}`), Allowed, nil},
		{"present key: IfExists evaluates", d, condReq(true, "aws:PrincipalTag/team", "dev"), condPolicy(`{"StringEqualsIfExists":{"aws:PrincipalTag/team":"ops"}}`), ImplicitDeny, nil},
		{"Null true on absent key", d, condReq(true), condPolicy(`{"Null":{"aws:TokenIssueTime":"true"}}`), Allowed, nil},
		{"Null false on present key", d, condReq(true, "aws:TokenIssueTime", "2026-01-01T00:00:00Z"), condPolicy(`{"Null":{"aws:TokenIssueTime":"false"}}`), Allowed, nil},
		{"unknown key: conditional", d, condReq(false), condPolicy(`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), Conditional, []string{"aws:SourceIp"}},
		{"unknown key under IfExists: conditional", d, condReq(false), condPolicy(`{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`), Conditional, []string{"aws:MultiFactorAuthPresent"}},
		{"unknown key in a failing statement is not listed", d, condReq(false, "s3:prefix", "x"),
			condPolicy(`{"StringEquals":{"s3:prefix":"y"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), ImplicitDeny, nil},
		{"unknown key in a deny makes an allow conditional", d, condReq(false),
			Set{Identity: []*Compiled{allowAll(), pol("mfa", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`)}},
			Conditional, []string{"aws:MultiFactorAuthPresent"}},
		{"principal keys are derived, not unknown", d, condReq(false), condPolicy(`{"StringEquals":{"aws:PrincipalAccount":"111122223333","aws:username":"alice"}}`), Allowed, nil},
	})
	runCases(t, []evalCase{
		{"ForAnyValue: one matches", docMultiValued, multi(true, "aws:TagKeys", "a", "z"), condPolicy(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`), Allowed, nil},
		{"ForAnyValue: none match", docMultiValued, multi(true, "aws:TagKeys", "y", "z"), condPolicy(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`), ImplicitDeny, nil},
		{"ForAnyValue: absent key is false", docMultiValued, condReq(true), condPolicy(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`), ImplicitDeny, nil},
		{"ForAllValues: all match", docMultiValued, multi(true, "aws:TagKeys", "a", "b"), condPolicy(`{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b","c"]}}`), Allowed, nil},
		{"ForAllValues: one outside", docMultiValued, multi(true, "aws:TagKeys", "a", "z"), condPolicy(`{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`), ImplicitDeny, nil},
		{"ForAllValues: absent key is vacuously true", docMultiValued, condReq(true), condPolicy(`{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`), Allowed, nil},
		{"ForAllValues negated: none of the values", docMultiValued, multi(true, "aws:TagKeys", "x", "y"), condPolicy(`{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`), Allowed, nil},
		{"ForAnyValue negated: one outside the values", docMultiValued, multi(true, "aws:TagKeys", "a", "y"), condPolicy(`{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`), Allowed, nil},
		{"ForAnyValue StringLike", docMultiValued, multi(true, "aws:TagKeys", "cost-center"), condPolicy(`{"ForAnyValue:StringLike":{"aws:TagKeys":"cost-*"}}`), Allowed, nil},
	})
}

func TestPolicyVariables(t *testing.T) {
	t.Parallel()
	home := func() Set {
		return Set{Identity: []*Compiled{pol("home", stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/home/${aws:username}/*"))}}
	}
	get := func(principal, key string, complete bool) Request {
		return Request{Principal: principal, Action: "s3:GetObject", Resource: bucketA + "/" + key, Context: Context{Complete: complete}}
	}
	withTag := get(sessionA, "team/ops/x", true)
	withTag.Context.Set("aws:PrincipalTag/team", "ops")
	d := docVariables
	runCases(t, []evalCase{
		{"${aws:username} in Resource", d, get(userA, "home/alice/k", true), home(), Allowed, nil},
		{"${aws:username} for another user's folder", d, get(userA, "home/bob/k", true), home(), ImplicitDeny, nil},
		{"variable with absent key does not match", d, get(sessionA, "home/alice/k", true), home(), ImplicitDeny, nil},
		{"variable with unknown key is conditional", d, get(sessionA, "home/alice/k", false), home(), Conditional, []string{"aws:username"}},
		{"default value", d, get(sessionA, "home/guest/k", true),
			Set{Identity: []*Compiled{pol("def", stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/home/${aws:username, 'guest'}/*"))}}, Allowed, nil},
		{"${aws:PrincipalTag/team}", d, withTag,
			Set{Identity: []*Compiled{pol("tag", stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/team/${aws:PrincipalTag/team}/*"))}}, Allowed, nil},
		{"${*} is a literal star", d, get(userA, "a*b", true),
			Set{Identity: []*Compiled{pol("lit", stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/a${*}b"))}}, Allowed, nil},
		{"${*} does not act as a wildcard", d, get(userA, "axxb", true),
			Set{Identity: []*Compiled{pol("lit", stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/a${*}b"))}}, ImplicitDeny, nil},
		{"variables in condition values", d, func() Request { r := get(userA, "k", true); r.Context.Set("s3:prefix", "home/alice/"); return r }(),
			condPolicy(`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`), Allowed, nil},
		{"unresolved variable: a negated condition does not match either", d, get(userA, "k", true),
			Set{Identity: []*Compiled{allowAll(), pol("owner", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:username":"${aws:PrincipalTag/owner}"}}}`)}}, Allowed, nil},
		{"unresolved variable: NotResource does not apply", d, get(sessionA, "k", true),
			Set{Identity: []*Compiled{allowAll(), pol("nr", `{"Effect":"Deny","Action":"*","NotResource":"arn:aws:s3:::bucket-a/home/${aws:username}/*"}`)}}, Allowed, nil},
		{"unresolved variable, unknown key: conditional", d, get(sessionA, "k", false),
			Set{Identity: []*Compiled{allowAll(), pol("owner", `{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:username":"${aws:PrincipalTag/owner}"}}}`)}}, Conditional, []string{"aws:PrincipalTag/owner", "aws:username"}},
		{"Version 2008-10-17 has no variables", d, get(userA, "home/alice/k", true),
			Set{Identity: []*Compiled{MustCompile("old", `{"Version":"2008-10-17","Statement":[`+stmt("Allow", "s3:GetObject", "arn:aws:s3:::bucket-a/home/${aws:username}/*")+`]}`)}}, ImplicitDeny, nil},
	})
}
