package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// Identities of the synth S bundle of seed 1: a planted role chain.
const (
	etlTask   = "arn:aws:iam::199794232401:role/reporting-etl-task"
	dataHub   = "arn:aws:iam::199794232401:role/data-platform-hub"
	dataAdmin = "arn:aws:iam::199794232401:role/data-admin"
)

// synthStore writes the synth S bundle of seed 1 and ingests it into a new
// store, whose directory it returns.
func synthStore(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("synth S bundle: not in -short")
	}
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle")
	if code, _, stderr := runArgs(t, "synth", "--size", "S", "--seed", "1", bundle); code != exitOK {
		t.Fatalf("synth: exit %d\n%s", code, stderr)
	}
	data := filepath.Join(dir, "data")
	ingestOK(t, data, bundle)
	return data
}

func whoCanGolden(name string) string {
	return filepath.Join("testdata", "whocan", name)
}

func TestWhoCanCLI(t *testing.T) {
	t.Parallel()
	data := synthStore(t)
	tests := []struct {
		name string
		args []string
	}{
		{"transitive.json", []string{"-o", "json", "--transitive", "sts:AssumeRole", dataAdmin}},
		{"transitive.txt", []string{"--transitive", "sts:AssumeRole", dataAdmin}},
		{"direct.txt", []string{"--context-complete", "--context", "aws:SecureTransport=true", "sts:AssumeRole", dataHub}},
	}
	for _, tt := range tests {
		// NOTE(who-can): not parallel: a Badger store admits one open at a time.
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"who-can", "--data", data}, tt.args...)
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			checkGolden(t, whoCanGolden(tt.name), []byte(stdout))
		})
	}
	t.Run("json shape", func(t *testing.T) {
		_, stdout, _ := runArgs(t, "who-can", "--data", data, "-o", "json", "--transitive", "sts:AssumeRole", dataAdmin)
		var got struct {
			Principals []map[string]json.RawMessage `json:"principals"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Principals) == 0 {
			t.Fatal("no principal")
		}
		for _, p := range got.Principals {
			for _, k := range []string{"arn", "class", "decision", "path"} {
				if _, ok := p[k]; !ok || len(p) != 4 {
					t.Errorf("principal %v: want exactly arn, class, decision, path", p)
				}
			}
		}
	})
	t.Run("usage", func(t *testing.T) {
		code, _, stderr := runArgs(t, "who-can", "--data", data, "s3:GetObject")
		if code != exitUsage {
			t.Errorf("one argument: exit %d, want %d\n%s", code, exitUsage, stderr)
		}
		code, _, stderr = runArgs(t, "who-can", "--data", data, "s3 GetObject", "*")
		if code != exitUsage {
			t.Errorf("bad action: exit %d, want %d\n%s", code, exitUsage, stderr)
		}
	})
}
