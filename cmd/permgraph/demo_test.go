package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"table", []string{"demo"}, "table.golden"},
		{"json", []string{"demo", "-o", "json"}, "json.golden.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runArgs(t, tt.args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("run(%q) = %d, stderr:\n%s", tt.args, code, stderr)
			}
			checkGolden(t, filepath.Join("testdata", "demo", tt.golden), []byte(stdout))
			_, again, _ := runArgs(t, tt.args...)
			if again != stdout {
				t.Errorf("demo output differs between runs")
			}
		})
	}
}

// TestDemoDecisions pins the story the demo tells, independently of its
// layout: a change in the engine that flips one of these is a finding.
func TestDemoDecisions(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runArgs(t, "demo", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var a struct {
			Action string `json:"action"`
			Result struct {
				Decision string   `json:"decision"`
				Missing  []string `json:"missing_context"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, line)
		}
		got = append(got, a.Action+" "+a.Result.Decision+" "+strings.Join(a.Result.Missing, ","))
	}
	want := []string{
		"sts:AssumeRole allow ",
		"s3:DeleteBucket explicit-deny ",
		"s3:GetObject allow ",
		"iam:CreateAccessKey allow ",
		"ec2:RunInstances conditional aws:RequestedRegion",
		"ec2:RunInstances explicit-deny ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("demo decisions (-want +got):\n%s", diff)
	}
}
