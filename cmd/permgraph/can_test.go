package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/rs/zerolog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with the golden file path, or rewrites the file
// under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/permgraph -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

const (
	agent  = "arn:aws:iam::111122223333:role/agent"
	canDir = "testdata/can/"
)

// canArgs is "can --principal P --action A --resource R" followed by more.
func canArgs(principal, action, resource string, more ...string) []string {
	return append([]string{"can", "--principal", principal, "--action", action, "--resource", resource}, more...)
}

// fx names a fixture policy under testdata/can.
func fx(name string) string { return canDir + name }

type canCase struct {
	name         string
	args         []string
	wantCode     int
	wantDecision string   // with -o json; the output is also compared with testdata/can/golden/<name>.json
	wantMissing  []string // with -o json
	wantStdout   []string // substrings
	wantStderr   []string // substrings
}

func TestCanJSON(t *testing.T) {
	t.Parallel()
	admin, guard := fx("admin.json"), fx("scp-full.json")+"+"+fx("scp-guardrails.json")
	eu := "aws:RequestedRegion=eu-west-1"
	tests := []canCase{
		{name: "identity allow", wantDecision: "allow",
			args: canArgs(agent, "s3:GetObject", "arn:aws:s3:::b/k", "--identity-policy", fx("s3-read.json"))},
		{name: "url-encoded policy file", wantDecision: "allow",
			args: canArgs(agent, "s3:ListBucket", "arn:aws:s3:::b", "--identity-policy", fx("s3-read-encoded.txt"))},
		{name: "no identity policy", wantDecision: "implicit-deny",
			args: canArgs(agent, "s3:GetObject", "arn:aws:s3:::b/k")},
		{name: "identity deny beats allow", wantDecision: "explicit-deny",
			args: canArgs(agent, "s3:DeleteObject", "arn:aws:s3:::b/k",
				"--identity-policy", admin, "--identity-policy", fx("deny-delete.json"))},
		{name: "boundary limits", wantDecision: "implicit-deny",
			args: canArgs(agent, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice",
				"--identity-policy", admin, "--boundary", fx("boundary-read.json"))},
		{name: "boundaries combined", wantDecision: "allow",
			args: canArgs(agent, "s3:PutObject", "arn:aws:s3:::b/k", "--identity-policy", admin,
				"--boundary", fx("boundary-read.json"), "--boundary", fx("boundary-s3.json"))},
		{name: "session policy limits", wantDecision: "implicit-deny",
			args: canArgs(agent, "s3:PutObject", "arn:aws:s3:::b/k",
				"--identity-policy", admin, "--session-policy", fx("session-get.json"))},
		{name: "cross-account with bucket policy", wantDecision: "allow",
			args: canArgs(agent, "s3:GetObject", "arn:aws:s3:::prod-data/k", "--identity-policy", fx("s3-read.json"),
				"--resource-policy", fx("bucket.json"), "--resource-account", "444455556666")},
		{name: "cross-account without bucket policy", wantDecision: "implicit-deny",
			args: canArgs(agent, "s3:GetObject", "arn:aws:s3:::prod-data/k", "--identity-policy", fx("s3-read.json"),
				"--resource-account", "444455556666")},
		{name: "scp deny at ou level", wantDecision: "explicit-deny",
			args: canArgs(agent, "s3:DeleteBucket", "arn:aws:s3:::prod-data", "--identity-policy", admin,
				"--scp", fx("scp-full.json"), "--scp", guard, "--context", eu)},
		{name: "scp break-glass exempt", wantDecision: "allow",
			args: canArgs("arn:aws:iam::111122223333:role/break-glass", "s3:DeleteBucket", "arn:aws:s3:::prod-data",
				"--identity-policy", admin, "--scp", fx("scp-full.json"), "--scp", guard, "--context", eu)},
		{name: "scp level without allow", wantDecision: "implicit-deny",
			args: canArgs(agent, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice", "--identity-policy", admin,
				"--scp", fx("scp-full.json"), "--scp", fx("scp-s3-only.json"), "--scp", fx("scp-full.json"))},
		{name: "management account ignores scps", wantDecision: "allow",
			args: canArgs(agent, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice", "--identity-policy", admin,
				"--scp", fx("scp-s3-only.json"), "--management-account", "111122223333")},
		{name: "rcp deny", wantDecision: "explicit-deny",
			args: canArgs("arn:aws:iam::444455556666:role/app", "s3:GetObject", "arn:aws:s3:::prod-data/k",
				"--identity-policy", admin, "--rcp", fx("rcp-org-only.json"), "--context", "aws:PrincipalOrgID=o-other")},
		{name: "rcp lets the org in", wantDecision: "allow",
			args: canArgs("arn:aws:iam::444455556666:role/app", "s3:GetObject", "arn:aws:s3:::prod-data/k",
				"--identity-policy", admin, "--rcp", fx("rcp-org-only.json"), "--context", "aws:PrincipalOrgID=o-example")},
		{name: "missing context is conditional", wantDecision: "conditional", wantMissing: []string{"aws:RequestedRegion"},
			args: canArgs(agent, "ec2:RunInstances", "*", "--identity-policy", admin, "--scp", guard)},
		{name: "context-complete makes it absent", wantDecision: "explicit-deny",
			args: canArgs(agent, "ec2:RunInstances", "*", "--identity-policy", admin, "--scp", guard, "--context-complete")},
		{name: "context given", wantDecision: "allow",
			args: canArgs(agent, "ec2:RunInstances", "*", "--identity-policy", admin, "--scp", guard, "--context", eu)},
		{name: "bool context", wantDecision: "allow",
			args: canArgs(agent, "iam:CreateUser", "*", "--identity-policy", fx("mfa-iam.json"),
				"--context", "aws:MultiFactorAuthPresent=true")},
		{name: "multi-valued context", wantDecision: "allow",
			args: canArgs(agent, "s3:PutObject", "*", "--identity-policy", fx("mfa-iam.json"),
				"--context", "aws:TagKeys=team", "--context", "AWS:TagKeys=env")},
		{name: "multi-valued context outside the set", wantDecision: "implicit-deny",
			args: canArgs(agent, "s3:PutObject", "*", "--identity-policy", fx("mfa-iam.json"),
				"--context", "aws:TagKeys=team", "--context", "aws:TagKeys=owner")},
		{name: "context value keeps commas", wantDecision: "implicit-deny",
			args: canArgs(agent, "s3:PutObject", "*", "--identity-policy", fx("mfa-iam.json"),
				"--context", "aws:TagKeys=team,env")},
		{name: "unknown action warns", wantDecision: "allow",
			args:       canArgs(agent, "s3:GetObject", "*", "--identity-policy", fx("unknown-action.json")),
			wantStderr: []string{`unknown action \"s3:GetObjekt\"`, "unknown-action.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout := checkRun(t, tt, append(tt.args, "-o", "json")...)
			var got struct {
				Decision       string   `json:"decision"`
				MissingContext []string `json:"missing_context"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if got.Decision != tt.wantDecision {
				t.Errorf("decision = %q, want %q\n%s", got.Decision, tt.wantDecision, stdout)
			}
			if diff := cmp.Diff(append([]string{}, tt.wantMissing...), got.MissingContext); diff != "" {
				t.Errorf("missing_context mismatch (-want +got):\n%s", diff)
			}
			checkGolden(t, goldenPath(tt.name, ".json"), []byte(stdout))
		})
	}
}

func goldenPath(name, ext string) string {
	return filepath.Join("testdata", "can", "golden", strings.ReplaceAll(name, " ", "-")+ext)
}

// checkRun runs args, checks the exit code and the substrings of tt, and
// returns stdout. Without wantStderr, stderr must be empty.
func checkRun(t *testing.T, tt canCase, args ...string) string {
	t.Helper()
	code, stdout, stderr := runArgs(t, args...)
	if code != tt.wantCode {
		t.Errorf("run(%q) = %d, want %d\nstderr: %s", args, code, tt.wantCode, stderr)
	}
	for _, want := range tt.wantStdout {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range tt.wantStderr {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if len(tt.wantStderr) == 0 && stderr != "" {
		t.Errorf("unexpected stderr:\n%s", stderr)
	}
	return stdout
}

func TestCanErrorsAndTable(t *testing.T) {
	t.Parallel()
	admin := fx("admin.json")
	get := func(more ...string) []string { return canArgs(agent, "s3:GetObject", "arn:aws:s3:::b/k", more...) }
	tests := []canCase{
		{name: "table", args: canArgs(agent, "ec2:RunInstances", "*", "--identity-policy", admin,
			"--scp", fx("scp-full.json")+"+"+fx("scp-guardrails.json")),
			wantStdout: []string{"decision: conditional\n", "LAYER     LEVEL  POLICY", "identity  -      admin.json",
				"scp       0      scp-guardrails.json  DenyOtherRegions  1          Deny    applies if",
				"missing context: aws:RequestedRegion\n"}},
		{name: "table layer reason", args: canArgs(agent, "s3:GetObject", "*"),
			wantStdout: []string{"decision: implicit-deny\n", "identity  -      -       -    -          -       no identity-based policy allows the action"}},
		{name: "parse error names file and location", wantCode: exitUsage, args: get("--identity-policy", admin,
			"--identity-policy", fx("bad-condition.json")),
			wantStderr: []string{"permgraph: testdata/can/bad-condition.json: Statement[2].Condition.StringEquals: value must be a string or list of strings\n"}},
		{name: "compile error names file once", wantCode: exitUsage, args: get("--boundary", fx("bad-number.json")),
			wantStderr: []string{"permgraph: testdata/can/bad-number.json: Statement[0].Condition.NumericLessThan: s3:max-keys[0]: \"ten\" is not a number\n"}},
		{name: "invalid JSON", wantCode: exitUsage, args: get("--session-policy", fx("bad-json.json")),
			wantStderr: []string{"permgraph: testdata/can/bad-json.json: policy: invalid JSON at line 1"}},
		{name: "missing file in an scp level", wantCode: exitUsage, args: get("--scp", fx("scp-full.json")+"+"+fx("nope.json")),
			wantStderr: []string{"open testdata/can/nope.json: no such file or directory"}},
		{name: "missing resource policy", wantCode: exitUsage, args: get("--resource-policy", fx("nope.json")),
			wantStderr: []string{"open testdata/can/nope.json"}},
		{name: "unknown flag", wantCode: exitUsage, args: get("--bogus"),
			wantStderr: []string{"unknown flag: --bogus"}},
		{name: "missing action", wantCode: exitUsage, args: []string{"can", "--principal", agent, "--resource", "*"},
			wantStderr: []string{"--action is required"}},
		{name: "bad context flag", wantCode: exitUsage, args: get("--context", "aws:SourceIp"),
			wantStderr: []string{`--context "aws:SourceIp": want KEY=VALUE`}},
		{name: "bad action", wantCode: exitUsage, args: canArgs(agent, "s3", "*"),
			wantStderr: []string{`action "s3" is not of the form service:Action`}},
		{name: "batch with request flags", wantCode: exitUsage,
			args:       []string{"can", "--batch", fx("batch-good.jsonl"), "--principal", agent, "--context-complete"},
			wantStderr: []string{"remove --principal, --context-complete"}},
		{name: "missing batch file", wantCode: exitUsage, args: []string{"can", "--batch", fx("nope.jsonl")},
			wantStderr: []string{"open testdata/can/nope.jsonl"}},
		{name: "batch table", wantCode: exitFailure, args: []string{"can", "--batch", fx("batch.jsonl")},
			wantStdout: []string{"ID                   DECISION       MISSING\n", "cross-account-read   allow          -\n",
				"-                    error          -\n", "encoded-conditional  conditional    aws:RequestedRegion\n"},
			wantStderr: []string{"permgraph: line 5: unknown field \"identity_policy\"\n", "permgraph: 6 of 10 batch lines failed\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkRun(t, tt, tt.args...)
		})
	}
}

func TestCanBatchJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input string
		wantCode    int
		wantIDs     []any // in output order; nil for an unrecoverable id
		wantErrors  []string
	}{
		{"batch-good", "batch-good.jsonl", exitOK, []any{"cross-account-read", "scp-deny", "tags"}, nil},
		{"batch", "batch.jsonl", exitFailure,
			[]any{"cross-account-read", "scp-deny", nil, "typo-field", "bad-policy", "encoded-conditional", nil, "rcp-deny", "bad-context", nil},
			[]string{
				"line 4: invalid JSON: the line ends inside a value: unexpected EOF",
				`line 5: unknown field "identity_policy"`,
				"line 6: identity_policies[1]: Statement[2].Condition.StringEquals: value must be a string or list of strings",
				`line 8: policy: invalid request: action "s3 GetObject" is not of the form service:Action`,
				"line 10: context.aws:SourceIp: value must be a string or list of strings",
				"line 11: id: got a JSON number, want a string",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runArgs(t, "can", "--batch", fx(tt.input), "-o", "json")
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.wantCode, stderr)
			}
			var ids []any
			var errs []string
			for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				var out struct {
					ID    any    `json:"id"`
					Error string `json:"error"`
				}
				if err := json.Unmarshal([]byte(line), &out); err != nil {
					t.Fatalf("output line %d is not JSON: %v\n%s", i+1, err, line)
				}
				ids = append(ids, out.ID)
				if out.Error != "" {
					errs = append(errs, out.Error)
				}
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids in output order (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrors, errs); diff != "" {
				t.Errorf("line errors (-want +got):\n%s", diff)
			}
			checkGolden(t, goldenPath(tt.name, ".jsonl"), []byte(stdout))
		})
	}
}

// testGlobals returns globals writing JSON to stdout and logs to stderr.
func testGlobals(stdout, stderr io.Writer) *globals {
	return &globals{stdout: stdout, stderr: stderr, output: outputJSON, log: zerolog.New(stderr).Level(zerolog.WarnLevel)}
}

// TestDecideBatchReader covers what run cannot reach: standard input (run
// has no stdin to inject) and lines longer than the reader's buffer.
func TestDecideBatchReader(t *testing.T) {
	t.Parallel()
	var big strings.Builder
	big.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := range 20000 { // ~2 MB, twice the 1 MB read buffer
		fmt.Fprintf(&big, `{"Sid":"S%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-%d/*"},`, i, i)
	}
	big.WriteString(`{"Sid":"Last","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::last/*"}]}`)
	in := fmt.Sprintf("\r\n{\"id\":\"big\",\"principal\":%q,\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::last/k\",\"identity_policies\":[%s]}\r\n"+
		"{\"id\":\"no-newline\",\"principal\":%q,\"action\":\"s3:GetObject\",\"resource\":\"*\"}", agent, big.String(), agent)
	var stdout, stderr bytes.Buffer
	if err := decideBatch(testGlobals(&stdout, &stderr), strings.NewReader(in)); err != nil {
		t.Fatalf("decideBatch: %v\nstderr: %s", err, stderr.String())
	}
	want := `{"id":"big","decision":"allow","missing_context":[],"explanation":[{"layer":"identity","policy":"identity_policies[0]","sid":"Last","statement":20000,"effect":"Allow"}]}
{"id":"no-newline","decision":"implicit-deny","missing_context":[],"explanation":[{"layer":"identity","message":"no identity-based policy allows the action"}]}
`
	if diff := cmp.Diff(want, stdout.String()); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
}

// benchLines generates n realistic batch lines: a few roles, each with two
// identity policies drawn from a small pool, one SCP level, a bucket policy
// and some context, so that policies repeat across lines as in real use.
func benchLines(n int) []byte {
	pol := func(sid, action, resource string) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":%q,"Effect":"Allow","Action":[%q,"s3:List*"],"Resource":%q},`+
			`{"Sid":"DenyDeletes","Effect":"Deny","Action":"s3:Delete*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"ops"}}}]}`,
			sid, action, resource)
	}
	scp := `[[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
		`{"Sid":"Regions","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}]]`
	bucket := `{"Version":"2012-10-17","Statement":[{"Sid":"Agents","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},` +
		`"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::prod-data/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	actions := []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"}
	var b bytes.Buffer
	for i := range n {
		id1, id2 := pol("Read", "s3:Get*", "*"), pol(fmt.Sprintf("Team%d", i%8), "s3:Put*", fmt.Sprintf("arn:aws:s3:::prod-data/team%d/*", i%8))
		fmt.Fprintf(&b, `{"id":"r%d","principal":"arn:aws:iam::111122223333:role/agent-%d","action":%q,"resource":"arn:aws:s3:::prod-data/team%d/obj-%d",`+
			`"resource_account":"444455556666","context":{"aws:SourceIp":"10.1.2.%d","aws:RequestedRegion":"eu-west-1","aws:PrincipalTag/team":"dev"},`+
			`"context_complete":%t,"identity_policies":[%s,%s],"resource_policy":%s,"scps":%s}`+"\n",
			i, i%16, actions[i%len(actions)], i%8, i, i%250, i%2 == 0, id1, id2, bucket, scp)
	}
	return b.Bytes()
}

func BenchmarkBatch(b *testing.B) {
	const n = 20000
	input := benchLines(n)
	g := testGlobals(io.Discard, io.Discard)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		if err := decideBatch(g, bytes.NewReader(input)); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "lines/s")
}

// TestScanLineMatchesEncodingJSON checks the batch fast path against
// encoding/json: whatever scanLine accepts, encoding/json accepts and
// decodes the same; what it declines, encoding/json decides.
func TestScanLineMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	lines := [][]byte{
		[]byte(`{}`),
		[]byte(` { "id" : "a" , "principal":"p","action":"s3:GetObject","resource":"*","identity_policies":[ {"Statement":[]} ],"scps":[[],null,[{"a":[1,-2.5e3,true,false,null,"\"x\\"]}]],"rcps":null,"boundary":null,"context_complete":false} `),
		[]byte(`{"id":"a","id":"b","principal":"p","principal":"q"}`),
		[]byte(`{"id":null,"context":{"aws:SourceIp":"10.0.0.1","AWS:TagKeys":["a","b"],"k":[]},"context":null}`),
		[]byte(`{"id":"caf\u00e9","principal":"arn:aws:iam::1:role\/x"}`), // escapes: slow path
		[]byte(`{"ID":"upper"}`),     // encoding/json folds case: slow path
		[]byte(`{"principal":null}`), // slow path
		[]byte(`{"resource_policy":"%7B%22Statement%22%3A%5B%5D%7D","session_policy":{"Statement":{}}}`),
		[]byte(`{} x`),
		[]byte(`{} }`),
		[]byte(`{"id":"a",}`),
		[]byte(`{"identity_policies":[{"a":}]}`),
		[]byte(`{"scps":[[{}],`),
		[]byte(`{"bogus":1}`),
		[]byte(`{"context_complete":"yes"}`),
	}
	for _, name := range []string{"batch.jsonl", "batch-good.jsonl"} {
		data, err := os.ReadFile(fx(name))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(bytes.TrimSpace(data), []byte("\n"))...)
	}
	lines = append(lines, bytes.Split(bytes.TrimSpace(benchLines(8)), []byte("\n"))...)
	b := newBatch(testGlobals(io.Discard, io.Discard))
	for _, line := range lines {
		var fast, slow batchLine
		ok := b.scanLine(line, &fast)
		err := decodeStrict(line, &slow)
		switch {
		case ok && err != nil:
			t.Errorf("scanLine accepts what encoding/json rejects (%v):\n%s", err, line)
		case ok:
			if diff := cmp.Diff(normalize(slow), normalize(fast)); diff != "" {
				t.Errorf("scanLine mismatch (-encoding/json +scanLine):\n%s\nline: %s", diff, line)
			}
		}
	}
}

// normalize makes a batchLine comparable across the two decoders: a null
// raw value is absent either way.
func normalize(bl batchLine) batchLine {
	for _, raw := range []*json.RawMessage{&bl.Context, &bl.Boundary, &bl.SessionPolicy, &bl.ResourcePolicy} {
		if isNull(*raw) {
			*raw = nil
		}
	}
	return bl
}

func TestScanContextMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	b := newBatch(testGlobals(io.Discard, io.Discard))
	for _, raw := range []string{
		`{}`, `{"aws:SourceIp":"10.0.0.1"}`, `{ "AWS:TagKeys" : [ "a" , "b" ] , "k" : [] }`,
		`{"a":"1","A":"2"}`, `{"k":"caf\u00e9"}`, `{"k":1}`, `{"k":null}`, `[]`, `{"k":["a",1]}`,
	} {
		fast, ok := b.scanContext([]byte(raw))
		slow, err := slowContext(raw)
		if _, berr := b.context(json.RawMessage(raw)); (berr != nil) != (err != nil) {
			t.Errorf("context %s: batch says %v, encoding/json says %v", raw, berr, err)
		}
		if err != nil {
			if ok {
				t.Errorf("scanContext accepts %s, encoding/json says %v", raw, err)
			}
			continue
		}
		if ok {
			if diff := cmp.Diff(contextMap(slow), contextMap(fast)); diff != "" {
				t.Errorf("context %s mismatch (-encoding/json +scanContext):\n%s", raw, diff)
			}
		}
	}
}

// slowContext decodes a context object with encoding/json only.
func slowContext(raw string) (policy.Context, error) {
	var m map[string]any
	var ctx policy.Context
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return ctx, err
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, dup := ctx.Lookup(k); dup {
			return ctx, fmt.Errorf("context.%s: given twice", k)
		}
		switch v := m[k].(type) {
		case string:
			ctx.Set(k, v)
		case []any:
			vals := []string{}
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return ctx, fmt.Errorf("context.%s: not a string", k)
				}
				vals = append(vals, s)
			}
			ctx.Set(k, vals...)
		default:
			return ctx, fmt.Errorf("context.%s: not a string", k)
		}
	}
	return ctx, nil
}

func contextMap(c policy.Context) map[string][]string {
	m := make(map[string][]string)
	for _, k := range c.Keys() {
		v, _ := c.Lookup(k)
		m[k] = append([]string{}, v...)
	}
	return m
}

// TestAppendResultFields holds the batch's hand-written result JSON in step
// with policy.Result.MarshalJSON.
func TestAppendResultFields(t *testing.T) {
	t.Parallel()
	results := []policy.Result{
		{},
		{Decision: policy.Conditional, MissingContext: []string{"aws:RequestedRegion", "aws:PrincipalTag/<team>"},
			Explanation: []policy.Reason{
				{Layer: policy.LayerIdentity, Policy: "admin.json", Sid: "Admin", Statement: 0, Effect: policy.Allow},
				{Layer: policy.LayerSCP, Level: 2, Policy: `odd "name" & <more>`, Sid: "Sid\u00e9\n", Statement: 3, Effect: policy.Deny, Conditional: true},
				{Layer: policy.LayerRCP, Level: 0, Statement: -1, Message: "no SCP at this level allows the action"},
				{Statement: -1, Message: "AWS allows this action to every authenticated caller"},
				{Layer: policy.LayerEndpoint, Statement: -1, Message: "\u2028 \x01 \xff"},
			}},
	}
	for _, line := range []string{`{"id":"x","principal":"` + agent + `","action":"s3:GetObject","resource":"*","identity_policies":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}]}`} {
		var bl batchLine
		b := newBatch(testGlobals(io.Discard, io.Discard))
		if err := decodeStrict([]byte(line), &bl); err != nil {
			t.Fatal(err)
		}
		req, set, err := b.request(&bl)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, policy.Evaluate(req, set))
	}
	for i, res := range results {
		want, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		got := append(appendResultFields([]byte("{"), &res), '}')
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("result %d (-MarshalJSON +appendResultFields):\n%s", i, diff)
		}
	}
}
