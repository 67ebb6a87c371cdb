package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/rs/zerolog"
)

const ingestDir = "testdata/ingest/"

// ingestOK ingests the fixture bundle name into the store dir.
func ingestOK(t *testing.T, dir, path string, more ...string) string {
	t.Helper()
	code, stdout, stderr := runArgs(t, append([]string{"ingest", "--data", dir, path}, more...)...)
	if code != exitOK {
		t.Fatalf("ingest %s: exit %d, stderr:\n%s", path, code, stderr)
	}
	return stdout
}

var createdRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// normalise replaces what changes from run to run: creation times and the
// working directory in sources.
func normalise(t *testing.T, s string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return createdRE.ReplaceAllString(strings.ReplaceAll(s, wd, "<wd>"), "<created>")
}

// listed runs "snapshots -o json" on dir and decodes it.
func listed(t *testing.T, dir string) []snapshotEntry {
	t.Helper()
	code, stdout, stderr := runArgs(t, "snapshots", "--data", dir, "-o", "json")
	if code != exitOK {
		t.Fatalf("snapshots: exit %d, stderr:\n%s", code, stderr)
	}
	var out struct{ Snapshots []snapshotEntry }
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("snapshots -o json: %v\n%s", err, stdout)
	}
	return out.Snapshots
}

func TestIngestAndSnapshots(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := ingestOK(t, dir, ingestDir+"a", "-o", "json")
	checkGolden(t, ingestDir+"golden/ingest-a.json", []byte(normalise(t, out)))
	out = ingestOK(t, dir, ingestDir+"b")
	checkGolden(t, ingestDir+"golden/ingest-b.txt", []byte(normalise(t, out)))

	code, stdout, stderr := runArgs(t, "snapshots", "--data", dir, "-o", "json")
	if code != exitOK {
		t.Fatalf("snapshots: exit %d, stderr:\n%s", code, stderr)
	}
	checkGolden(t, ingestDir+"golden/snapshots.json", []byte(normalise(t, stdout)))
	code, stdout, stderr = runArgs(t, "snapshots", "--data", dir)
	if code != exitOK {
		t.Fatalf("snapshots: exit %d, stderr:\n%s", code, stderr)
	}
	checkGolden(t, ingestDir+"golden/snapshots.txt", []byte(normalise(t, stdout)))

	// The ingest -o json entry is the snapshots -o json item.
	var entry snapshotEntry
	if err := json.Unmarshal([]byte(ingestOK(t, t.TempDir(), ingestDir+"a", "-o", "json")), &entry); err != nil {
		t.Fatal(err)
	}
	first := listed(t, dir)[0]
	first.Current, first.Created, entry.Created = true, "", ""
	if diff := cmp.Diff(first, entry); diff != "" {
		t.Errorf("ingest -o json vs snapshots -o json (-snapshots +ingest):\n%s", diff)
	}
}

// TestIngestMalformed runs ingest on a copy of bundle a with one file
// broken, after a good ingest: the error names the file and the place, the
// exit code is 2, and no snapshot is added.
func TestIngestMalformed(t *testing.T) {
	t.Parallel()
	const (
		gaad222 = "accounts/222222222222/authorization-details.json"
		creds   = "accounts/111111111111/credential-report.csv"
	)
	tests := []struct {
		name string
		edit func(t *testing.T, root string)
		want string // after the bundle's path
	}{
		{"bad JSON", writeFile(gaad222, `{"UserDetailList": [`),
			gaad222 + `:1:21: invalid JSON: unexpected end of JSON input`},
		{"bad policy document", replaceIn(gaad222, `"Effect": "Allow", "Principal": {"Service"`, `"Effect": "Permit", "Principal": {"Service"`),
			gaad222 + `: RoleDetailList[0].AssumeRolePolicyDocument: Statement[0].Effect: must be "Allow" or "Deny"`},
		{"account dir mismatch", func(t *testing.T, root string) {
			if err := os.Rename(filepath.Join(root, "accounts/222222222222"), filepath.Join(root, "accounts/333333333333")); err != nil {
				t.Fatal(err)
			}
		}, `accounts/333333333333/authorization-details.json: RoleDetailList[0].Arn: account "222222222222" does not match the directory's account 333333333333`},
		{"dangling ParentId", replaceIn("organization.json", `"ParentId": "ou-ab12-dev00001"`, `"ParentId": "ou-ab12-gone0001"`),
			`organization.json: Accounts[1].ParentId: "ou-ab12-gone0001" is not a root or OU in the file`},
		{"bad CSV", replaceIn(creds, ",true,2024-03-02", ",maybe,2024-03-02"),
			creds + `: line 3, column password_enabled: "maybe" is not true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ingestOK(t, dir, ingestDir+"a")
			root := copyBundle(t, ingestDir+"a")
			tt.edit(t, root)
			code, stdout, stderr := runArgs(t, "ingest", "--data", dir, root)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if want := "permgraph: " + root + "/" + tt.want + "\n"; !strings.HasPrefix(stderr, want) {
				t.Errorf("stderr:\n%s\nwant it to start with:\n%s", stderr, want)
			}
			if stdout != "" {
				t.Errorf("stdout: %q, want nothing", stdout)
			}
			if got := listed(t, dir); len(got) != 1 || got[0].ID != "0000000001" || !got[0].Current {
				t.Errorf("after a failed ingest, snapshots = %+v; want only 0000000001, current", got)
			}
		})
	}
}

// TestIngestSkipInvalid: with --skip-invalid the role with the bad trust
// policy is left out and the snapshot records why.
func TestIngestSkipInvalid(t *testing.T) {
	t.Parallel()
	const gaad222 = "accounts/222222222222/authorization-details.json"
	root := copyBundle(t, ingestDir+"a")
	replaceIn(gaad222, `"Effect": "Allow", "Principal": {"Service"`, `"Effect": "Permit", "Principal": {"Service"`)(t, root)
	dir := t.TempDir()
	var e snapshotEntry
	if err := json.Unmarshal([]byte(ingestOK(t, dir, root, "--skip-invalid", "-o", "json")), &e); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, gaad222) + `: RoleDetailList[0].AssumeRolePolicyDocument: Statement[0].Effect: must be "Allow" or "Deny"`
	found := false
	for _, w := range e.Warnings {
		found = found || strings.Contains(w, want)
	}
	if !found {
		t.Errorf("warnings %q\nhave none containing %s", e.Warnings, want)
	}
	if e.Counts.Roles != 1 {
		t.Errorf("roles = %d, want 1 (the invalid one skipped)", e.Counts.Roles)
	}
	if got := listed(t, dir); len(got) != 1 || len(got[0].Warnings) != len(e.Warnings) {
		t.Errorf("snapshots lists %+v; want the one snapshot with %d warnings", got, len(e.Warnings))
	}
}

func writeFile(rel, content string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		if err := os.WriteFile(filepath.Join(root, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func replaceIn(rel, old, new string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s does not contain %q", rel, old)
		}
		writeFile(rel, strings.Replace(string(data), old, new, 1))(t, root)
	}
}

func copyBundle(t *testing.T, src string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "bundle")
	if err := os.CopyFS(root, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestDataDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	t.Setenv("HOME", "/home/me")
	tests := []struct{ flag, xdg, want string }{
		{"/data", "/state", "/data"},
		{"", "/state", "/state/permgraph"},
		{"", "relative", "/home/me/.local/state/permgraph"}, // XDG ignores relative paths
		{"", "", "/home/me/.local/state/permgraph"},
	}
	for _, tt := range tests {
		t.Setenv("XDG_STATE_HOME", tt.xdg)
		if got, err := dataDir(tt.flag); err != nil || got != tt.want {
			t.Errorf("dataDir(%q) with XDG_STATE_HOME=%q = %q, %v; want %q", tt.flag, tt.xdg, got, err, tt.want)
		}
	}
}

// Environment of TestHelperIngestKilled.
const (
	killDirEnv    = "PERMGRAPH_INGEST_KILL_DIR"
	killBundleEnv = "PERMGRAPH_INGEST_KILL_BUNDLE"
	killMarker    = "first batch flushed"
)

// TestHelperIngestKilled is not a test: TestIngestKilled runs the test
// binary again with only this function. It runs the ingest command's code
// on a large bundle with a logger that, when the store reports its first
// flushed batch, prints killMarker on stderr and then blocks the write
// forever, so that the parent kills it mid-write.
func TestHelperIngestKilled(t *testing.T) {
	dir := os.Getenv(killDirEnv)
	if dir == "" {
		t.Skip("helper process for TestIngestKilled")
	}
	g := &globals{stdout: os.Stdout, stderr: os.Stderr, output: outputTable,
		log: zerolog.New(stallingWriter{}).Level(zerolog.DebugLevel)}
	err := runIngest(context.Background(), g, &ingestFlags{data: dir, retention: 14}, os.Getenv(killBundleEnv))
	t.Fatalf("ingest returned (%v); the parent should have killed this process", err)
}

// stallingWriter takes log lines and blocks forever on the first that
// reports a flushed batch, after printing killMarker.
type stallingWriter struct{}

func (stallingWriter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "snapshot batch flushed") {
		fmt.Fprintln(os.Stderr, killMarker)
		select {} // the store's write stays cut short until the kill
	}
	return len(p), nil
}

// TestIngestKilled kills an ingest of a large bundle (20,000 roles) with
// SIGKILL once its snapshot has started to be written, and checks that the
// snapshot before it is still the only one and current, and loads intact.
func TestIngestKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	t.Parallel()
	dir := t.TempDir()
	ingestOK(t, dir, ingestDir+"a")
	big := writeLargeGAAD(t, 20_000)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperIngestKilled$")
	cmd.Env = append(os.Environ(), killDirEnv+"="+dir, killBundleEnv+"="+big)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var seen []string
	marked := false
	for sc := bufio.NewScanner(stderr); !marked && sc.Scan(); {
		marked = sc.Text() == killMarker
		seen = append(seen, sc.Text())
	}
	if !marked {
		t.Fatalf("child ended (%v) before writing; its stderr:\n%s", cmd.Wait(), strings.Join(seen, "\n"))
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child: %v, want killed", err)
	}

	got := listed(t, dir)
	if len(got) != 1 || got[0].ID != "0000000001" || !got[0].Current {
		t.Fatalf("after the killed ingest, snapshots = %+v; want only 0000000001, current", got)
	}
	st, err := graph.Open(graph.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	loaded, err := st.Load("0000000001")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(ingestDir+"a", bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := ingest.Build(b, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Nodes, loaded.Nodes, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("loaded nodes (-built +loaded):\n%s", diff)
	}
	if diff := cmp.Diff(want.Edges, loaded.Edges, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("loaded edges (-built +loaded):\n%s", diff)
	}
	if loaded.Meta.Counts != want.Meta.Counts {
		t.Errorf("loaded counts %+v, want %+v", loaded.Meta.Counts, want.Meta.Counts)
	}
}

// writeLargeGAAD writes an authorization-details.json of one account with
// n roles, each trusted by EC2 and with an inline policy.
func writeLargeGAAD(t *testing.T, n int) string {
	t.Helper()
	type doc = map[string]any
	trust := doc{"Version": "2012-10-17", "Statement": []doc{{"Effect": "Allow",
		"Principal": doc{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}}
	inline := doc{"Version": "2012-10-17", "Statement": []doc{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}
	roles := make([]doc, n)
	for i := range roles {
		name := fmt.Sprintf("role-%05d", i)
		roles[i] = doc{"Path": "/", "RoleName": name, "Arn": "arn:aws:iam::999988887777:role/" + name,
			"AssumeRolePolicyDocument": trust,
			"RolePolicyList":           []doc{{"PolicyName": "read", "PolicyDocument": inline}}}
	}
	data, err := json.Marshal(doc{"UserDetailList": []doc{}, "GroupDetailList": []doc{}, "RoleDetailList": roles, "Policies": []doc{}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "authorization-details.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
