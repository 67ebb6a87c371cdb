package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/permgraph/permgraph/internal/testutil"
)

// corpusDoc is one real policy document, named after where it came from so
// that a failure can be found in the data.
type corpusDoc struct {
	name string
	raw  []byte
}

// checkCorpus parses every document, and round-trips each one that parses.
// invalid lists the documents that are known to be invalid, with a part of
// the expected error message; the comment at each entry says why.
func checkCorpus(t *testing.T, docs []corpusDoc, invalid map[string]string) {
	t.Helper()
	if len(docs) == 0 {
		t.Fatal("corpus is empty: the data set layout changed?")
	}
	parsed := 0
	for _, d := range docs {
		p, err := Parse(d.raw)
		if want, ok := invalid[d.name]; ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: Parse error = %v, want one containing %q", d.name, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", d.name, err)
			continue
		}
		parsed++
		checkRoundTrip(t, d.name, d.raw, p)
	}
	for name := range invalid {
		if !slices.ContainsFunc(docs, func(d corpusDoc) bool { return d.name == name }) {
			t.Errorf("invalid-list entry %s names no document", name)
		}
	}
	t.Logf("%d of %d documents parsed and round-tripped, %d known invalid", parsed, len(docs), len(invalid))
}

// checkRoundTrip checks that the canonical form parses back to the same
// policy, and that it says what the original said once both are decoded
// generically and the forms AWS treats as equal are made equal.
func checkRoundTrip(t *testing.T, name string, raw []byte, p *Policy) {
	t.Helper()
	out, err := p.MarshalJSON()
	if err != nil {
		t.Errorf("%s: MarshalJSON: %v", name, err)
		return
	}
	again, err := Parse(out)
	if err != nil {
		t.Errorf("%s: Parse(MarshalJSON()): %v\n%s", name, err, out)
		return
	}
	if diff := cmp.Diff(p, again); diff != "" {
		t.Errorf("%s: Parse(MarshalJSON(p)) differs from p (-p +again):\n%s", name, diff)
	}
	if diff := cmp.Diff(normalDoc(t, raw), normalDoc(t, out)); diff != "" {
		t.Errorf("%s: marshalled document means something else (-original +marshalled):\n%s", name, diff)
	}
}

// normalDoc decodes a document with encoding/json rather than the parser's
// decoder, so that a parser bug cannot hide itself, and rewrites the forms
// AWS treats as equal into one: a string becomes a one-element list, a
// Statement object a one-statement list, a condition number or boolean its
// text, and an empty Sid or Id nothing.
func normalDoc(t *testing.T, raw []byte) any {
	t.Helper()
	text, err := unwrap(raw)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["Id"] == "" {
		delete(doc, "Id")
	}
	stmts, ok := doc["Statement"].([]any)
	if !ok {
		stmts = []any{doc["Statement"]}
	}
	for _, s := range stmts {
		normalStatement(s.(map[string]any))
	}
	doc["Statement"] = stmts
	return doc
}

func normalStatement(s map[string]any) {
	if s["Sid"] == "" {
		delete(s, "Sid")
	}
	for _, k := range []string{"Action", "NotAction", "Resource", "NotResource"} {
		if v, ok := s[k]; ok {
			s[k] = asList(v)
		}
	}
	for _, k := range []string{"Principal", "NotPrincipal"} {
		if m, ok := s[k].(map[string]any); ok {
			for typ, v := range m {
				m[typ] = asList(v)
			}
		}
	}
	cond, _ := s["Condition"].(map[string]any)
	for op, keys := range cond {
		for k, v := range keys.(map[string]any) {
			keys.(map[string]any)[k] = asList(v)
		}
		if len(keys.(map[string]any)) == 0 {
			delete(cond, op) // an operator with no keys says nothing
		}
	}
	if cond != nil && len(cond) == 0 {
		delete(s, "Condition")
	}
}

func asList(v any) []string {
	vs, ok := v.([]any)
	if !ok {
		vs = []any{v}
	}
	out := make([]string, len(vs))
	for i, e := range vs {
		out[i] = fmt.Sprint(e) // json.Number and bool print as their literal
	}
	return out
}

func readCorpusJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func managedPolicies(t testing.TB) map[string]json.RawMessage {
	t.Helper()
	var file struct {
		Policies map[string]struct {
			Document json.RawMessage `json:"document"`
		} `json:"policies"`
	}
	readCorpusJSON(t, testutil.SharedData(t, "managed-policies/aws-managed-policies.json"), &file)
	docs := make(map[string]json.RawMessage, len(file.Policies))
	for name, p := range file.Policies {
		docs[name] = p.Document
	}
	return docs
}

func TestCorpusManagedPolicies(t *testing.T) {
	t.Parallel()
	var docs []corpusDoc
	for name, raw := range managedPolicies(t) {
		docs = append(docs, corpusDoc{name, raw})
	}
	slices.SortFunc(docs, func(a, b corpusDoc) int { return strings.Compare(a.name, b.name) })
	checkCorpus(t, docs, nil)
}

// awsDocsRecord is one example policy from the AWS documentation: Policy
// holds it decoded (so a repeated key kept only its last value), Text the
// code block as written.
type awsDocsRecord struct {
	name   string
	Policy json.RawMessage `json:"policy"`
	Text   string          `json:"text"`
}

func awsDocsRecords(t *testing.T) []awsDocsRecord {
	t.Helper()
	dir := testutil.SharedData(t, "aws-docs-policies")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all []awsDocsRecord
	for _, f := range files {
		var records []struct {
			awsDocsRecord
			File  string `json:"file"`
			Block int    `json:"block"`
		}
		readCorpusJSON(t, f, &records)
		for _, r := range records {
			r.name = fmt.Sprintf("%s:%s#%d", filepath.Base(f), r.File, r.Block)
			all = append(all, r.awsDocsRecord)
		}
	}
	return all
}

func TestCorpusAWSDocs(t *testing.T) {
	t.Parallel()
	var docs []corpusDoc
	for _, r := range awsDocsRecords(t) {
		docs = append(docs, corpusDoc{r.name, r.Policy})
	}
	checkCorpus(t, docs, nil)
}

// TestCorpusAWSDocsText parses the code blocks as written. They must mean
// what the decoded documents mean, except where the block repeats a key,
// which the decoded form hides.
func TestCorpusAWSDocsText(t *testing.T) {
	t.Parallel()
	var docs []corpusDoc
	for _, r := range awsDocsRecords(t) {
		docs = append(docs, corpusDoc{r.name, []byte(r.Text)})
		if _, bad := awsDocsTextInvalid[r.name]; bad {
			continue
		}
		fromText, err1 := Parse([]byte(r.Text))
		fromPolicy, err2 := Parse(r.Policy)
		if err1 != nil || err2 != nil {
			continue // checkCorpus reports it
		}
		if diff := cmp.Diff(fromPolicy, fromText); diff != "" {
			t.Errorf("%s: text and policy differ (-policy +text):\n%s", r.name, diff)
		}
	}
	checkCorpus(t, docs, awsDocsTextInvalid)
}

// awsDocsTextInvalid are the troubleshooting pages' examples of what not to
// write: the IAM and Organizations guides show them to explain that AWS
// rejects a repeated element.
var awsDocsTextInvalid = map[string]string{
	"iam-user-guide.json:doc_source/troubleshoot_policies.md#9":              `duplicate key "Statement"`,
	"iam-user-guide.json:doc_source/troubleshoot_policies.md#11":             `Statement: duplicate key "Effect"`,
	"iam-user-guide.json:doc_source/troubleshoot_policies.md#13":             `Statement: duplicate key "Resource"`,
	"organizations-userguide.json:doc_source/org_troubleshoot_policies.md#2": `duplicate key "Statement"`,
}

func TestCorpusSCPExamples(t *testing.T) {
	t.Parallel()
	dir := testutil.SharedData(t, "scp-examples")
	var docs []corpusDoc
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		docs = append(docs, corpusDoc{filepath.ToSlash(rel), raw})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checkCorpus(t, docs, scpInvalid)
}

var scpInvalid = map[string]string{
	// Operator names are case-sensitive: IAM rejects a miscased one with
	// "MalformedPolicyDocument: Invalid Condition type". Upstream wrote
	// "Stringlike" for "StringLike".
	"aws-samples-resource-control-policy-examples/Service-specific-controls/STS-protect-IAMRA-session-tags.json": `unknown operator "ForAnyValue:Stringlike"`,
	// Upstream file is not JSON; the error must say where.
	"aws-samples-service-control-policy-examples/Service-specific-controls/AWS-IAM/deny-service-specific-credential-by-type.json": "policy: invalid JSON at line ",
}

// TestCorpusSCPSyntaxError checks that the one upstream file that is not
// JSON is reported as such, with its position.
func TestCorpusSCPSyntaxError(t *testing.T) {
	t.Parallel()
	name := "aws-samples-service-control-policy-examples/Service-specific-controls/AWS-IAM/deny-service-specific-credential-by-type.json"
	raw, err := os.ReadFile(filepath.Join(testutil.SharedData(t, "scp-examples"), name))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(raw)
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("Parse error = %v, want ErrSyntax", err)
	}
	t.Logf("%s: %v", name, err)
}

// gaadInline is an inline policy in get-account-authorization-details output.
type gaadInline struct {
	PolicyName     string
	PolicyDocument json.RawMessage
}

// gaad holds the parts of get-account-authorization-details output that
// carry policy documents.
type gaad struct {
	UserDetailList []struct {
		UserName       string
		UserPolicyList []gaadInline
	}
	GroupDetailList []struct {
		GroupName       string
		GroupPolicyList []gaadInline
	}
	RoleDetailList []struct {
		RoleName                 string
		RolePolicyList           []gaadInline
		AssumeRolePolicyDocument json.RawMessage
	}
	Policies []struct {
		PolicyName        string
		PolicyVersionList []struct {
			VersionId string
			Document  json.RawMessage
		}
	}
}

func (g *gaad) documents(file string) []corpusDoc {
	var docs []corpusDoc
	add := func(raw json.RawMessage, format string, args ...any) {
		if raw != nil {
			docs = append(docs, corpusDoc{file + ":" + fmt.Sprintf(format, args...), raw})
		}
	}
	for _, u := range g.UserDetailList {
		for _, p := range u.UserPolicyList {
			add(p.PolicyDocument, "user/%s/%s", u.UserName, p.PolicyName)
		}
	}
	for _, gr := range g.GroupDetailList {
		for _, p := range gr.GroupPolicyList {
			add(p.PolicyDocument, "group/%s/%s", gr.GroupName, p.PolicyName)
		}
	}
	for _, r := range g.RoleDetailList {
		add(r.AssumeRolePolicyDocument, "role/%s/trust", r.RoleName)
		for _, p := range r.RolePolicyList {
			add(p.PolicyDocument, "role/%s/%s", r.RoleName, p.PolicyName)
		}
	}
	for _, p := range g.Policies {
		for _, v := range p.PolicyVersionList {
			add(v.Document, "policy/%s/%s", p.PolicyName, v.VersionId)
		}
	}
	return docs
}

func TestCorpusAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	dir := testutil.SharedData(t, "account-authorization-details")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []corpusDoc
	for _, f := range files {
		var g gaad
		readCorpusJSON(t, f, &g)
		docs = append(docs, g.documents(filepath.Base(f))...)
	}
	checkCorpus(t, docs, nil)
}

// BenchmarkParse parses ReadOnlyAccess, the largest common managed policy.
func BenchmarkParse(b *testing.B) {
	raw, ok := managedPolicies(b)["ReadOnlyAccess"]
	if !ok {
		b.Fatal("ReadOnlyAccess missing from the managed policies")
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
