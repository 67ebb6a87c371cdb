package policy

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// doc wraps a Statement value in a policy document.
func stmtDoc(statement string) string {
	return `{"Version":"2012-10-17","Statement":` + statement + `}`
}

// one is the policy holding the single statement s written as a list.
func onePolicy(s Statement) *Policy {
	return &Policy{Version: "2012-10-17", Statements: []Statement{s}}
}

// allowAll is the statement most cases start from.
func allowAllStmt() Statement {
	return Statement{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}
}

func withStmt(f func(*Statement)) *Policy {
	s := allowAllStmt()
	f(&s)
	return onePolicy(s)
}

type parseCase struct {
	name, in string
	want     *Policy
}

// parseCases cover every construct; marshal_test.go round-trips them too.
var parseCases = []parseCase{
	{"action as string", stmtDoc(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]`),
		onePolicy(Statement{Effect: Allow, Action: []string{"s3:GetObject"}, Resource: []string{"*"}})},
	{"action as list", stmtDoc(`[{"Effect":"Allow","Action":["s3:GetObject","s3:Put*"],"Resource":"*"}]`),
		onePolicy(Statement{Effect: Allow, Action: []string{"s3:GetObject", "s3:Put*"}, Resource: []string{"*"}})},
	{"not action as string", stmtDoc(`[{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]`),
		onePolicy(Statement{Effect: Deny, NotAction: []string{"iam:*"}, Resource: []string{"*"}})},
	{"not action as list", stmtDoc(`[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*"}]`),
		onePolicy(Statement{Effect: Deny, NotAction: []string{"iam:*", "sts:*"}, Resource: []string{"*"}})},
	{"resource as list", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]`),
		withStmt(func(s *Statement) { s.Resource = []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"} })},
	{"not resource as string", stmtDoc(`[{"Effect":"Deny","Action":"*","NotResource":"arn:aws:s3:::b"}]`),
		onePolicy(Statement{Effect: Deny, Action: []string{"*"}, NotResource: []string{"arn:aws:s3:::b"}})},
	{"not resource as list", stmtDoc(`[{"Effect":"Deny","Action":"*","NotResource":["a","b"]}]`),
		onePolicy(Statement{Effect: Deny, Action: []string{"*"}, NotResource: []string{"a", "b"}})},
	{"no resource in a trust policy", stmtDoc(`[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]`),
		onePolicy(Statement{Effect: Allow, Principal: &Principal{Service: []string{"ec2.amazonaws.com"}}, Action: []string{"sts:AssumeRole"}})},
	{"statement as object", stmtDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
		&Policy{Version: "2012-10-17", Statements: []Statement{allowAllStmt()}, SingleStatement: true}},
	{"two statements", stmtDoc(`[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"B","Effect":"Deny","Action":"iam:*","Resource":"*"}]`),
		&Policy{Version: "2012-10-17", Statements: []Statement{
			{Sid: "A", Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}},
			{Sid: "B", Effect: Deny, Action: []string{"iam:*"}, Resource: []string{"*"}}}}},
	{"id and old version", `{"Version":"2008-10-17","Id":"key-policy-1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		&Policy{Version: "2008-10-17", ID: "key-policy-1", Statements: []Statement{allowAllStmt()}}},
	{"no version", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		&Policy{Statements: []Statement{allowAllStmt()}}},
	{"empty sid", stmtDoc(`[{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"}]`), onePolicy(allowAllStmt())},
	{"principal wildcard", stmtDoc(`[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]`),
		withStmt(func(s *Statement) { s.Principal = &Principal{Wildcard: true} })},
	{"principal AWS wildcard kept typed", stmtDoc(`[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}]`),
		withStmt(func(s *Statement) { s.Principal = &Principal{AWS: []string{"*"}} })},
	{"principal AWS list", stmtDoc(`[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"]},"Action":"*","Resource":"*"}]`),
		withStmt(func(s *Statement) {
			s.Principal = &Principal{AWS: []string{"arn:aws:iam::111122223333:root", "444455556666"}}
		})},
	{"principal federated", stmtDoc(`[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"*","Resource":"*"}]`),
		withStmt(func(s *Statement) { s.Principal = &Principal{Federated: []string{"cognito-identity.amazonaws.com"}} })},
	{"principal canonical user", stmtDoc(`[{"Effect":"Allow","Principal":{"CanonicalUser":["79a59df9"]},"Action":"*","Resource":"*"}]`),
		withStmt(func(s *Statement) { s.Principal = &Principal{CanonicalUser: []string{"79a59df9"}} })},
	{"principal of every type", stmtDoc(`[{"Effect":"Allow","Principal":{"CanonicalUser":"c","Federated":"f","Service":["s1","s2"],"AWS":"a"},"Action":"*","Resource":"*"}]`),
		withStmt(func(s *Statement) {
			s.Principal = &Principal{AWS: []string{"a"}, Service: []string{"s1", "s2"}, Federated: []string{"f"}, CanonicalUser: []string{"c"}}
		})},
	{"not principal", stmtDoc(`[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:role/r"},"Action":"*","Resource":"*"}]`),
		onePolicy(Statement{Effect: Deny, NotPrincipal: &Principal{AWS: []string{"arn:aws:iam::1:role/r"}}, Action: []string{"*"}, Resource: []string{"*"}})},
	{"not principal wildcard", stmtDoc(`[{"Effect":"Deny","NotPrincipal":"*","Action":"*","Resource":"*"}]`),
		onePolicy(Statement{Effect: Deny, NotPrincipal: &Principal{Wildcard: true}, Action: []string{"*"}, Resource: []string{"*"}})},
	{"condition string value", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}]`),
		withStmt(func(s *Statement) {
			s.Condition = []Condition{{"StringEquals", "aws:PrincipalTag/team", []string{"red"}}}
		})},
	{"condition list value", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"s3:prefix":["home/","home/${aws:username}/*"]}}}]`),
		withStmt(func(s *Statement) {
			s.Condition = []Condition{{"StringLike", "s3:prefix", []string{"home/", "home/${aws:username}/*"}}}
		})},
	{"condition number keeps literal", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":10,"x:y":[1.50,-2e3]}}}]`),
		withStmt(func(s *Statement) {
			s.Condition = []Condition{
				{"NumericLessThanEquals", "s3:max-keys", []string{"10"}},
				{"NumericLessThanEquals", "x:y", []string{"1.50", "-2e3"}}}
		})},
	{"condition bools", stmtDoc(`[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false,"aws:MultiFactorAuthPresent":[true,"false"]}}}]`),
		onePolicy(Statement{Effect: Deny, Action: []string{"*"}, Resource: []string{"*"}, Condition: []Condition{
			{"Bool", "aws:MultiFactorAuthPresent", []string{"true", "false"}},
			{"Bool", "aws:SecureTransport", []string{"false"}}}})},
	{"condition empty value list", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}}]`),
		withStmt(func(s *Statement) {
			s.Condition = []Condition{{"ForAllValues:StringEquals", "aws:TagKeys", []string{}}}
		})},
	{"conditions sorted by operator then key", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"StringLike":{"b":"2","a":"1"},
		"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"t"},
		"ArnNotLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"},
		"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
		"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]},
		"BinaryEquals":{"k":"QmluYXJ5"},
		"Null":{"aws:TokenIssueTime":"true"}}}]`),
		withStmt(func(s *Statement) {
			s.Condition = []Condition{
				{"ArnNotLikeIfExists", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/admin"}},
				{"BinaryEquals", "k", []string{"QmluYXJ5"}},
				{"DateGreaterThan", "aws:CurrentTime", []string{"2020-01-01T00:00:00Z"}},
				{"ForAnyValue:StringEqualsIfExists", "aws:TagKeys", []string{"t"}},
				{"IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}},
				{"Null", "aws:TokenIssueTime", []string{"true"}},
				{"StringLike", "a", []string{"1"}},
				{"StringLike", "b", []string{"2"}}}
		})},
	{"empty condition block", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]`), onePolicy(allowAllStmt())},
	{"operator without keys", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}]`), onePolicy(allowAllStmt())},
	{"url-encoded", url.PathEscape(stmtDoc(`[{"Effect":"Allow","Action":"s3:Get+Object","Resource":"arn:aws:s3:::a b"}]`)),
		onePolicy(Statement{Effect: Allow, Action: []string{"s3:Get+Object"}, Resource: []string{"arn:aws:s3:::a b"}})},
	{"url-encoded lower-case hex", `%7b%22Statement%22%3a%7b%22Effect%22%3a%22Allow%22%2c%22Action%22%3a%22*%22%2c%22Resource%22%3a%22*%22%7d%7d`,
		&Policy{Statements: []Statement{allowAllStmt()}, SingleStatement: true}},
	{"json string holding json", `"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"`,
		&Policy{Statements: []Statement{allowAllStmt()}, SingleStatement: true}},
	{"json string holding url-encoding", `"%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D"`,
		&Policy{Statements: []Statement{allowAllStmt()}, SingleStatement: true}},
	{"surrounding space and byte order mark", "\ufeff \n" + stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*"}]`) + "\n\n",
		onePolicy(allowAllStmt())},
	{"escapes and unicode", stmtDoc(`[{"Sid":"caf\u00e9","Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/\"q\"\\<&>"}]`),
		withStmt(func(s *Statement) { s.Sid = "café"; s.Resource = []string{`arn:aws:s3:::b/"q"\<&>`} })},
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseOperators accepts every operator AWS documents, with each
// qualifier, and rejects IfExists on Null.
func TestParseOperators(t *testing.T) {
	t.Parallel()
	for base := range knownOperators {
		for _, prefix := range []string{"", "ForAllValues:", "ForAnyValue:"} {
			for _, suffix := range []string{"", "IfExists"} {
				op := prefix + base + suffix
				_, err := Parse([]byte(stmtDoc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"` + op + `":{"k":"v"}}}`)))
				if wantErr := base == "Null" && suffix != ""; (err != nil) != wantErr {
					t.Errorf("%s: Parse error = %v, want error: %v", op, err, wantErr)
				}
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		path     string // of the *ParseError
		want     string // the whole message
	}{
		{"not an object", `["Statement"]`, "", "document must be a JSON object"},
		{"unknown top-level element", `{"Version":"2012-10-17","Statment":[]}`, "", `unknown element "Statment"`},
		{"top-level element case matters", `{"version":"2012-10-17","Statement":[]}`, "", `unknown element "version"`},
		{"missing statement", `{"Version":"2012-10-17"}`, "", `missing element "Statement"`},
		{"unsupported version", `{"Version":"2012-10-18","Statement":[]}`, "Version", `Version: unsupported version "2012-10-18"`},
		{"version not a string", `{"Version":2012,"Statement":[]}`, "Version", `Version: must be a string`},
		{"id not a string", `{"Id":["x"],"Statement":[]}`, "Id", `Id: must be a string`},
		{"empty statement list", stmtDoc(`[]`), "Statement", "Statement: must not be empty"},
		{"statement a string", stmtDoc(`"Allow"`), "Statement", "Statement: must be an object or list of objects"},
		{"statement element not an object", stmtDoc(`[{"Effect":"Allow","Action":"*"},[]]`), "Statement[1]", "Statement[1]: must be an object"},
		{"unknown statement element", stmtDoc(`[{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Actions":"*"}]`),
			"Statement[1]", `Statement[1]: unknown element "Actions"`},
		{"unknown element in a single statement", stmtDoc(`{"Effect":"Allow","Action":"*","resource":"*"}`),
			"Statement", `Statement: unknown element "resource"`},
		{"missing effect", stmtDoc(`[{"Action":"*"}]`), "Statement[0]", `Statement[0]: missing element "Effect"`},
		{"effect lower case", stmtDoc(`[{"Effect":"allow","Action":"*"}]`), "Statement[0].Effect", `Statement[0].Effect: must be "Allow" or "Deny"`},
		{"effect a list", stmtDoc(`[{"Effect":["Allow"],"Action":"*"}]`), "Statement[0].Effect", `Statement[0].Effect: must be "Allow" or "Deny"`},
		{"sid a number", stmtDoc(`[{"Sid":1,"Effect":"Allow","Action":"*"}]`), "Statement[0].Sid", `Statement[0].Sid: must be a string`},
		{"missing action", stmtDoc(`[{"Effect":"Allow","Resource":"*"}]`), "Statement[0]", `Statement[0]: missing element "Action" or "NotAction"`},
		{"action and not action", stmtDoc(`[{"Effect":"Allow","Action":"*","NotAction":"iam:*"}]`),
			"Statement[0]", `Statement[0]: cannot have both "Action" and "NotAction"`},
		{"resource and not resource", stmtDoc(`[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"a"}]`),
			"Statement[0]", `Statement[0]: cannot have both "Resource" and "NotResource"`},
		{"principal and not principal", stmtDoc(`[{"Effect":"Allow","Action":"*","Principal":"*","NotPrincipal":"*"}]`),
			"Statement[0]", `Statement[0]: cannot have both "Principal" and "NotPrincipal"`},
		{"action a number", stmtDoc(`[{"Effect":"Allow","Action":5}]`), "Statement[0].Action", `Statement[0].Action: must be a string or list of strings`},
		{"action list holding null", stmtDoc(`[{"Effect":"Allow","Action":["s3:x",null]}]`),
			"Statement[0].Action", `Statement[0].Action: must be a string or list of strings`},
		{"action list nested", stmtDoc(`[{"Effect":"Allow","Action":[["s3:x"]]}]`),
			"Statement[0].Action", `Statement[0].Action: must be a string or list of strings`},
		{"empty action list", stmtDoc(`[{"Effect":"Allow","Action":[]}]`), "Statement[0].Action", `Statement[0].Action: must not be empty`},
		{"empty not resource list", stmtDoc(`[{"Effect":"Allow","Action":"*","NotResource":[]}]`),
			"Statement[0].NotResource", `Statement[0].NotResource: must not be empty`},
		{"principal an ARN string", stmtDoc(`[{"Effect":"Allow","Action":"*","Principal":"arn:aws:iam::1:root"}]`),
			"Statement[0].Principal", `Statement[0].Principal: must be "*" or an object`},
		{"principal unknown type", stmtDoc(`[{"Effect":"Allow","Action":"*","Principal":{"Aws":"*"}}]`),
			"Statement[0].Principal", `Statement[0].Principal: unknown principal type "Aws"`},
		{"principal empty object", stmtDoc(`[{"Effect":"Allow","Action":"*","Principal":{}}]`),
			"Statement[0].Principal", `Statement[0].Principal: must not be empty`},
		{"principal value an object", stmtDoc(`[{"Effect":"Allow","Action":"*","NotPrincipal":{"Service":{"a":"b"}}}]`),
			"Statement[0].NotPrincipal.Service", `Statement[0].NotPrincipal.Service: must be a string or list of strings`},
		{"principal empty list", stmtDoc(`[{"Effect":"Allow","Action":"*","Principal":{"AWS":[]}}]`),
			"Statement[0].Principal.AWS", `Statement[0].Principal.AWS: must not be empty`},
		{"condition a list", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":[]}]`), "Statement[0].Condition", `Statement[0].Condition: must be an object`},
		{"unknown operator", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"StringEqual":{"k":"v"}}}]`),
			"Statement[0].Condition", `Statement[0].Condition: unknown operator "StringEqual"`},
		{"operator case matters", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"ForAnyValue:Stringlike":{"k":"v"}}}]`),
			"Statement[0].Condition", `Statement[0].Condition: unknown operator "ForAnyValue:Stringlike"`},
		{"qualifier case matters", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"ForAnyValues:StringLike":{"k":"v"}}}]`),
			"Statement[0].Condition", `Statement[0].Condition: unknown operator "ForAnyValues:StringLike"`},
		{"bare IfExists", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"IfExists":{"k":"v"}}}]`),
			"Statement[0].Condition", `Statement[0].Condition: unknown operator "IfExists"`},
		{"Null with IfExists", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"NullIfExists":{"k":"true"}}}]`),
			"Statement[0].Condition", `Statement[0].Condition: operator "NullIfExists": Null cannot take IfExists`},
		{"operator not an object", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"Bool":"true"}}]`),
			"Statement[0].Condition.Bool", `Statement[0].Condition.Bool: must be an object`},
		{"condition value an object", stmtDoc(`[{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":{"v":1}}}}]`),
			"Statement[2].Condition.StringEquals", `Statement[2].Condition.StringEquals: value must be a string or list of strings`},
		{"condition value a nested list", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":[["v"]]}}}]`),
			"Statement[0].Condition.StringEquals", `Statement[0].Condition.StringEquals: value must be a string or list of strings`},
		{"condition value null", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"Null":{"k":null}}}]`),
			"Statement[0].Condition.Null", `Statement[0].Condition.Null: value must be a string or list of strings`},
		{"duplicate top-level key", `{"Statement":{"Effect":"Allow","Action":"*"},"Statement":{"Effect":"Deny","Action":"*"}}`,
			"", `duplicate key "Statement"`},
		{"duplicate statement key", stmtDoc(`[{"Effect":"Deny","Effect":"Allow","Action":"*"}]`), "Statement[0]", `Statement[0]: duplicate key "Effect"`},
		{"duplicate principal type", stmtDoc(`[{"Effect":"Allow","Action":"*","Principal":{"AWS":"a","AWS":"b"}}]`),
			"Statement[0].Principal", `Statement[0].Principal: duplicate key "AWS"`},
		{"duplicate operator", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"a":"true"},"Bool":{"b":"true"}}}]`),
			"Statement[0].Condition", `Statement[0].Condition: duplicate key "Bool"`},
		{"duplicate condition key", stmtDoc(`[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"a":"true","a":"false"}}}]`),
			"Statement[0].Condition.Bool", `Statement[0].Condition.Bool: duplicate key "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", p, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse error:\n got %s\nwant %s", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %T is not a *ParseError", err)
			}
			if pe.Path != tt.path {
				t.Errorf("ParseError.Path = %q, want %q", pe.Path, tt.path)
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", ``, `policy: invalid JSON at line 1, column 1: unexpected end of JSON input`},
		{"truncated", "{\n  \"Statement\": [", `policy: invalid JSON at line 2, column 17: unexpected end of JSON input`},
		{"comment in list", "{\n \"Statement\": {\n  \"Action\": [\"a\"\n    // no\n", `policy: invalid JSON at line 4, column 5: invalid character '/' after array element`},
		{"missing colon", `{"Statement" {}}`, `policy: invalid JSON at line 1, column 14: invalid character '{' after object key`},
		{"bad literal", "{\"Statement\":\n  tru}", `policy: invalid JSON at line 2, column 6: invalid character '}' in literal true (expecting 'e')`},
		{"bad escape", `{"Sid":"\q"}`, `policy: invalid JSON at line 1, column 10: invalid character 'q' in string escape code`},
		{"trailing comma", `{"Action":["a",]}`, `policy: invalid JSON at line 1, column 16: invalid character ']' looking for beginning of value`},
		{"second document", `{"Statement":[]} {"Statement":[]}`, `policy: invalid JSON at line 1, column 18: invalid character '{' after top-level value`},
		{"trailing garbage", `{"Statement":[]}}`, `policy: invalid JSON at line 1, column 17: invalid character '}' after top-level value`},
		{"neither json nor url-encoded", `%zz`, `policy: invalid JSON: neither JSON nor URL-encoded JSON: invalid URL escape "%zz"`},
		{"not json after decoding", `Statement`, `policy: invalid JSON at line 1, column 1: invalid character 'S' looking for beginning of value`},
		{"bad json string", `"{\"a\":1`, `policy: invalid JSON at line 1, column 10: unexpected end of JSON input`},
		{"nested too deep", `{"Statement":` + strings.Repeat("[", 40), `policy: invalid JSON at line 1, column 45: nesting too deep`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.in))
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse error = %v, want ErrSyntax", err)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		r := recover()
		if want := `policy.MustParse: Statement[0]: missing element "Effect"`; r != want {
			t.Errorf("MustParse panicked with %v, want %q", r, want)
		}
	}()
	MustParse(stmtDoc(`[{"Action":"*"}]`))
}

func TestMustParse(t *testing.T) {
	t.Parallel()
	got := MustParse(stmtDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	want := &Policy{Version: "2012-10-17", Statements: []Statement{allowAllStmt()}, SingleStatement: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MustParse mismatch (-want +got):\n%s", diff)
	}
}
