package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// Identities of the synth S bundle of seed 1 for the blast-radius,
// can-what and inventory goldens.
const (
	searchGateway = "arn:aws:iam::199794232401:role/search-gateway-lambda"
	// blastNow ends the lookback window: synth S of seed 1 describes the
	// organization on 2026-01-01.
	blastNow = "2026-01-02T00:00:00Z"
)

// TestBlastCommandsCLI runs can-what, blast-radius and inventory on one
// synth S store (a Badger store admits one open at a time: not parallel).
func TestBlastCommandsCLI(t *testing.T) {
	t.Parallel()
	data := synthStore(t)
	tests := []struct {
		golden string
		args   []string
	}{
		{"canwhat/etl-task.json", []string{"can-what", "-o", "json", etlTask}},
		{"canwhat/data-platform-hub.txt", []string{"can-what", dataHub}},
		{"blast/search-gateway.json", []string{"blast-radius", "--now", blastNow, "-o", "json", searchGateway}},
		{"blast/etl-task.txt", []string{"blast-radius", "--now", blastNow, "--since", "30d", etlTask}},
		{"inventory/all.txt", []string{"inventory", "--now", blastNow}},
		{"inventory/ai-agent.json", []string{"inventory", "--now", blastNow, "--class", "ai-agent", "--sort", "privileged", "-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			args := append(tt.args[:1:1], append([]string{"--data", data}, tt.args[1:]...)...)
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			checkGolden(t, filepath.Join("testdata", tt.golden), []byte(stdout))
		})
	}
	t.Run("blast-radius json shape", func(t *testing.T) {
		_, stdout, _ := runArgs(t, "blast-radius", "--data", data, "--now", blastNow, "-o", "json", etlTask)
		var got struct {
			Principal string `json:"principal"`
			Reachable []struct {
				ARN  string            `json:"arn"`
				Path []json.RawMessage `json:"path"`
			} `json:"reachable"`
			Actions          map[string]int    `json:"actions"`
			Resources        *int              `json:"resources"`
			PrivilegedUnused *int              `json:"privileged_unused"`
			Score            *float64          `json:"score"`
			Top              []json.RawMessage `json:"top"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if got.Principal != etlTask || len(got.Reachable) == 0 || got.Resources == nil || got.PrivilegedUnused == nil ||
			got.Score == nil || len(got.Top) == 0 {
			t.Fatalf("blast-radius %s: missing fields: %+v", etlTask, got)
		}
		for _, k := range []string{"privileged", "write", "read"} {
			if _, ok := got.Actions[k]; !ok {
				t.Errorf("actions lacks %q", k)
			}
		}
		if r := got.Reachable[0]; r.ARN != dataHub || len(r.Path) != 1 {
			t.Errorf("first reachable = %s in %d step(s), want %s in 1", r.ARN, len(r.Path), dataHub)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"blast-radius", "--data", data},
			{"blast-radius", "--data", data, "--since", "ninety", etlTask},
			{"blast-radius", "--data", data, "--now", "yesterday", etlTask},
			{"can-what", "--data", data},
			{"can-what", "--data", data, "arn:aws:iam::199794232401:role/nobody"},
			{"inventory", "--data", data, "--sort", "size"},
		} {
			if code, _, stderr := runArgs(t, args...); code != exitUsage {
				t.Errorf("run(%q) = %d, want %d\n%s", args, code, exitUsage, stderr)
			}
		}
	})
}

func TestParseLookback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * 24 * time.Hour, true},
		{"1d", 24 * time.Hour, true},
		{"720h", 720 * time.Hour, true},
		{"36h30m", 36*time.Hour + 30*time.Minute, true},
		{"0d", 0, false},
		{"-5d", 0, false},
		{"-1h", 0, false},
		{"d", 0, false},
		{"90", 0, false},
		{"ninety", 0, false},
	}
	for _, tt := range tests {
		got, err := parseLookback(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseLookback(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	var f lookbackFlag
	if err := f.Set("30d"); err != nil || f.String() != "30d" {
		t.Errorf("lookbackFlag 30d: %v, %q", err, f.String())
	}
}
