package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// validInputs skips inputs that are not UTF-8: policies and ARNs are JSON
// strings, and the regexp oracle cannot express a lone invalid byte.
func validInputs(t *testing.T, ss ...string) {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			t.Skip("not UTF-8")
		}
	}
}

// globOracle turns an IAM glob into an anchored regexp: * any run, ? one
// character, everything else literal.
func globOracle(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

func FuzzMatchAction(f *testing.F) {
	for _, s := range [][2]string{{"iam:?ass*", "iam:PassRole"}, {"s3:Get*", "s3:GetObject"}, {"*", "ec2:RunInstances"},
		{"s3:*Object*", "s3:putobjectacl"}, {"S3:GETOBJECT", "s3:GetObject"}, {"a*b*c", "abbbc"}, {"**?", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, action string) {
		validInputs(t, pattern, action)
		pattern, action = strings.ToLower(pattern), strings.ToLower(action)
		p := compilePattern(pattern, false, true)
		got := p.match(action, false, nil) == triTrue
		if want := globOracle(pattern).MatchString(action); got != want {
			t.Fatalf("match(%q, %q) = %v, oracle says %v", pattern, action, got, want)
		}
	})
}

func FuzzMatchARN(f *testing.F) {
	for _, s := range [][2]string{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/x"},
		{"arn:aws:iam::*:role/x", "arn:aws:iam::1:2:role/x"},
		{"arn:*:kms:*:*:key/*", "arn:aws:kms:us-east-1:111122223333:key/k"},
		{"*", "anything"}, {"arn:aws:s3:::b?", "arn:aws:s3:::bb"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, arn string) {
		validInputs(t, pattern, arn)
		a := compileARN(pattern, false)
		parts, ok := splitARN(arn)
		ok = ok && parts[0] == "arn"
		got := a.match(arn, &parts, ok, nil) == triTrue
		if want := arnOracle(pattern, arn); got != want {
			t.Fatalf("ARN match(%q, %q) = %v, oracle says %v", pattern, arn, got, want)
		}
	})
}

// arnOracle matches segment by segment when both sides are six-segment
// ARNs, as AWS documents for Resource and Arn* operators, and as one glob
// otherwise.
func arnOracle(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	ps, pok := strings.SplitN(pattern, ":", 6), strings.Count(pattern, ":") >= 5
	as, aok := strings.SplitN(arn, ":", 6), strings.Count(arn, ":") >= 5 && strings.HasPrefix(arn, "arn:")
	if !pok || !aok {
		return globOracle(pattern).MatchString(arn)
	}
	for i := range ps {
		if !globOracle(ps[i]).MatchString(as[i]) {
			return false
		}
	}
	return true
}
