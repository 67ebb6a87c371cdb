package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/aws/awstest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/permgraph/permgraph/ingest/synth"
)

// fakeAWS writes a synth S bundle, serves it with the AWS fake and points
// the SDK's credential chain at it through the environment. It returns the
// bundle's directory, the fake and the flags that reach it.
func fakeAWS(t *testing.T, opts awstest.Options) (string, *awstest.Server, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "synth")
	if _, err := synth.Write(context.Background(), dir, synth.Options{Size: synth.S, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	srv := awstest.New(t, dir, opts)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": awstest.MgmtAccessKey, "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_ENDPOINT_URL": "",
	} {
		t.Setenv(k, v)
	}
	// KMS keys are regional: read every region the bundle's keys are in.
	b, err := bundle.Read(dir, bundle.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var regions []string
	for _, a := range b.Accounts {
		for _, r := range a.Resources {
			if parts := strings.SplitN(r.Arn, ":", 6); parts[2] == "kms" && !slices.Contains(regions, parts[3]) {
				regions = append(regions, parts[3])
			}
		}
	}
	return dir, srv, []string{"--endpoint-url", srv.URL, "--poll-interval", "0", "--regions", strings.Join(regions, ",")}
}

// current loads the current snapshot of the store in dir.
func current(t *testing.T, dir string) *graph.Snapshot {
	t.Helper()
	st, err := graph.Open(graph.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.Current()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestIngestAWSEqualsIngestOfCollectedBundle(t *testing.T) {
	_, _, flags := fakeAWS(t, awstest.Options{PageSize: 7, JobPolls: 1})
	out := filepath.Join(t.TempDir(), "collected")
	code, stdout, stderr := runArgs(t, append([]string{"collect", "aws", "--out", out, "-o", "json"}, flags...)...)
	if code != exitOK {
		t.Fatalf("collect aws: exit %d, stderr:\n%s", code, stderr)
	}
	var sum collectSummary
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("collect aws -o json: %v\n%s", err, stdout)
	}
	if len(sum.Accounts) != 2 || len(sum.Missing) != 0 || !strings.HasPrefix(sum.Source, "aws:o-") {
		t.Errorf("collect summary = %+v, want 2 accounts, none missing, an org source", sum)
	}

	fileStore, liveStore := t.TempDir(), t.TempDir()
	ingestOK(t, fileStore, out)
	code, _, stderr = runArgs(t, append([]string{"ingest", "--data", liveStore, "aws"}, flags...)...)
	if code != exitOK {
		t.Fatalf("ingest aws: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "2 accounts read, 0 missing") {
		t.Errorf("ingest aws stderr has no summary:\n%s", stderr)
	}
	file, live := current(t, fileStore), current(t, liveStore)
	if !strings.HasPrefix(live.Meta.Source, "aws:o-") || !strings.HasPrefix(file.Meta.Source, "bundle:") {
		t.Errorf("sources = %q (live), %q (file)", live.Meta.Source, file.Meta.Source)
	}
	if diff := cmp.Diff(file.Meta.Counts, live.Meta.Counts); diff != "" {
		t.Errorf("counts mismatch (-file +live):\n%s", diff)
	}
	if diff := cmp.Diff(file.Nodes, live.Nodes); diff != "" {
		t.Errorf("nodes mismatch (-file +live):\n%s", diff)
	}
	if diff := cmp.Diff(file.Edges, live.Edges); diff != "" {
		t.Errorf("edges mismatch (-file +live):\n%s", diff)
	}
	if live.Meta.Counts.Users == 0 || live.Meta.Counts.Resources == 0 || live.Meta.Counts.SCPs == 0 {
		t.Errorf("live counts = %+v, want users, resources and SCPs", live.Meta.Counts)
	}
}

func TestIngestAWSRecordsMissingAccounts(t *testing.T) {
	dir, srv, flags := fakeAWS(t, awstest.Options{})
	ents, err := filepath.Glob(filepath.Join(dir, "accounts", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var member string
	for _, e := range ents {
		if id := filepath.Base(e); id != srv.Management() {
			member = id
		}
	}
	denying := awstest.New(t, dir, awstest.Options{DenyAssumeRole: []string{member}})
	flags[1] = denying.URL // --endpoint-url
	store := t.TempDir()
	code, _, stderr := runArgs(t, append([]string{"ingest", "--data", store, "aws"}, flags...)...)
	if code != exitOK {
		t.Fatalf("ingest aws: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "missing "+member+": sts:AssumeRole") {
		t.Errorf("stderr does not report %s missing:\n%s", member, stderr)
	}
	if got := current(t, store).Meta.MissingAccounts; !slices.Equal(got, []string{member}) {
		t.Errorf("Meta.MissingAccounts = %v, want [%s]", got, member)
	}
}
