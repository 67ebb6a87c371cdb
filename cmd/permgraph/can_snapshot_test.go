package main

import (
	"encoding/json"
	"testing"
)

// Principals and resources of testdata/ingest/a.
const (
	readerRole = "arn:aws:iam::222222222222:role/reader"
	prodLogs   = "arn:aws:s3:::prod-logs"
	aliceUser  = "arn:aws:iam::111111111111:user/alice"
)

// ingestedA ingests testdata/ingest/a into a new store and returns its
// directory. Each test has its own: a store admits one open at a time.
func ingestedA(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ingestOK(t, dir, ingestDir+"a")
	return dir
}

func TestCanSnapshotJSON(t *testing.T) {
	t.Parallel()
	dir := ingestedA(t)
	tests := []struct {
		name         string
		args         []string
		wantDecision string
	}{
		// The fixture's root carries only DenyLeaveOrg: no SCP allows
		// anything outside the management account.
		{"snapshot cross-account read blocked by the root SCP", []string{readerRole, "s3:GetObject", prodLogs + "/2024/app.log"}, "implicit-deny"},
		{"snapshot service principal trusted", []string{"ec2.amazonaws.com", "sts:AssumeRole", readerRole}, "allow"},
		{"snapshot boundary limits the management account", []string{aliceUser, "iam:ChangePassword", aliceUser}, "implicit-deny"},
		{"snapshot account root in its own account", []string{"arn:aws:iam::111111111111:root", "s3:GetObject", prodLogs + "/k",
			"--snapshot", "1", "--context-complete"}, "allow"},
	}
	for _, tt := range tests {
		// NOTE(can): not parallel: a Badger store admits one process, and
		// one open, at a time, even for reading.
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"can", "--data", dir, "-o", "json"}, tt.args...)
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			var got struct{ Decision string }
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if got.Decision != tt.wantDecision {
				t.Errorf("decision %q, want %q\n%s", got.Decision, tt.wantDecision, stdout)
			}
			checkGolden(t, goldenPath(tt.name, ".json"), []byte(stdout))
		})
	}
}

func TestCanSnapshotErrorsAndTable(t *testing.T) {
	t.Parallel()
	dir := ingestedA(t)
	tests := []canCase{
		{name: "table", args: []string{"can", "--data", dir, "ec2.amazonaws.com", "sts:AssumeRole", readerRole},
			wantStdout: []string{"decision: allow", "resource", readerRole + "#trust"},
			wantStderr: []string{`"warnings":6`, "--log-level info lists"}},
		{name: "policy flags with positional arguments", wantCode: exitUsage,
			args:       []string{"can", "--data", dir, "--identity-policy", fx("admin.json"), "--scp", fx("scp-full.json"), readerRole, "s3:GetObject", "*"},
			wantStderr: []string{"remove --identity-policy, --scp"}},
		{name: "batch with positional arguments", wantCode: exitUsage,
			args:       []string{"can", "--batch", "-", readerRole, "s3:GetObject", "*"},
			wantStderr: []string{"remove --batch"}},
		{name: "two arguments", wantCode: exitUsage,
			args:       []string{"can", "--data", dir, readerRole, "s3:GetObject"},
			wantStderr: []string{"takes PRINCIPAL ACTION RESOURCE, got 2 argument(s)"}},
		{name: "data without arguments", wantCode: exitUsage,
			args:       []string{"can", "--data", dir},
			wantStderr: []string{"got 0 argument(s)"}},
		{name: "unknown principal", wantCode: exitUsage,
			args:       []string{"can", "--data", dir, "arn:aws:iam::222222222222:role/nobody", "s3:GetObject", "*"},
			wantStderr: []string{`unknown principal: "arn:aws:iam::222222222222:role/nobody" is not in the snapshot`}},
		{name: "bad action", wantCode: exitUsage,
			args:       []string{"can", "--data", dir, readerRole, "GetObject", "*"},
			wantStderr: []string{"not of the form service:Action"}},
		{name: "unknown snapshot", wantCode: exitUsage,
			args:       []string{"can", "--data", dir, "--snapshot", "9", readerRole, "s3:GetObject", "*"},
			wantStderr: []string{`no snapshot "9"`}},
		{name: "no store", wantCode: exitUsage,
			args:       []string{"can", "--data", dir + "/none", readerRole, "s3:GetObject", "*"},
			wantStderr: []string{"no snapshot store in"}},
	}
	for _, tt := range tests { // not parallel: see TestCanSnapshotJSON
		t.Run(tt.name, func(t *testing.T) { checkRun(t, tt, tt.args...) })
	}
}
