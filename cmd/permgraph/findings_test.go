package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/permgraph/permgraph/analysis"
)

// synthNow is a day after synth's clock for seed 1 (2026-01-01T01:00Z),
// so that its last-accessed data falls on both sides of the window.
const synthNow = "2026-01-02T00:00:00Z"

// TestFindingsCLI runs "findings" on the synth S bundle of seed 1 and
// compares the report with golden files; the JSON must list the planted
// escalations with their catalog method, and findings of every kind.
func TestFindingsCLI(t *testing.T) {
	t.Parallel()
	data := synthStore(t)
	var report []byte
	for _, name := range []string{"synth-s.json", "synth-s.txt"} {
		// NOTE(findings): not parallel: a Badger store admits one open at a time.
		t.Run(name, func(t *testing.T) {
			args := []string{"findings", "--data", data, "--now", synthNow}
			if filepath.Ext(name) == ".json" {
				args = append(args, "-o", "json")
			}
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			checkGolden(t, filepath.Join("testdata", "findings", name), []byte(stdout))
			if filepath.Ext(name) == ".json" {
				report = []byte(stdout)
			}
		})
	}
	var got struct {
		Findings []analysis.Finding `json:"findings"`
	}
	if err := json.Unmarshal(report, &got); err != nil {
		t.Fatalf("findings -o json: %v", err)
	}
	planted := []struct{ principal, method string }{
		{"arn:aws:iam::199794232401:user/ops.contractor", "iam:CreatePolicyVersion"},
		{"arn:aws:iam::199794232401:role/build-automation-deployer", "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"},
		{"arn:aws:iam::199794232401:role/ci/github-actions-self-service", "iam:AttachRolePolicy"},
		{"arn:aws:iam::199794232401:user/platform.oncall", "iam:UpdateAssumeRolePolicy"},
		{"arn:aws:iam::199794232401:role/service-role/support-agent-escalations", "iam:CreateAccessKey"},
		{etlTask, "sts:AssumeRole"},
	}
	kinds := map[string]int{}
	for _, f := range got.Findings {
		kinds[f.Kind]++
	}
	for _, k := range []string{analysis.FindingPrivilegeEscalation, analysis.FindingAgentPrivilegedReach,
		analysis.FindingUnusedPrivilege, analysis.FindingManagementAccountReach} {
		if kinds[k] == 0 {
			t.Errorf("no %s finding on synth S (kinds: %v)", k, kinds)
		}
	}
	for _, p := range planted {
		i := slices.IndexFunc(got.Findings, func(f analysis.Finding) bool {
			return f.Principal == p.principal && f.Kind == analysis.FindingPrivilegeEscalation
		})
		switch {
		case i < 0:
			t.Errorf("no finding for planted escalation of %s", p.principal)
		case got.Findings[i].Kind != analysis.FindingPrivilegeEscalation || got.Findings[i].Method != p.method || len(got.Findings[i].Path) == 0:
			t.Errorf("finding for %s: %+v, want kind %s, method %s and a path", p.principal, got.Findings[i], analysis.FindingPrivilegeEscalation, p.method)
		}
	}
}

// TestFindingsFlags checks that bad --since and --now values are usage
// errors.
func TestFindingsFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"findings", "--data", t.TempDir(), "--since", "3x"},
		{"findings", "--data", t.TempDir(), "--since", "0d"},
		{"findings", "--data", t.TempDir(), "--now", "yesterday"},
	} {
		if code, _, stderr := runArgs(t, args...); code != exitUsage {
			t.Errorf("run(%q) = %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
}
