package main

import (
	"strings"
	"testing"

	"github.com/permgraph/permgraph/ingest/aws/awstest"
)

func TestCollectAWSRefusesExistingOut(t *testing.T) {
	dir, _, flags := fakeAWS(t, awstest.Options{})
	code, _, stderr := runArgs(t, append([]string{"collect", "aws", "--out", dir}, flags...)...)
	if code == exitOK || !strings.Contains(stderr, "not empty") {
		t.Errorf("collect aws into a non-empty dir: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = runArgs(t, "collect", "aws")
	if code == exitOK || !strings.Contains(stderr, "--out is required") {
		t.Errorf("collect aws without --out: exit %d, stderr:\n%s", code, stderr)
	}
}
