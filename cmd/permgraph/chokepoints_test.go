package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/permgraph/permgraph/analysis"
)

// TestChokepointsCLI runs "chokepoints" on the synth S bundle of seed 1
// and compares the report with golden files.
func TestChokepointsCLI(t *testing.T) {
	t.Parallel()
	data := synthStore(t)
	var report []byte
	for _, name := range []string{"synth-s.json", "synth-s.txt"} {
		// NOTE(chokepoints): not parallel: a Badger store admits one open at a time.
		t.Run(name, func(t *testing.T) {
			args := []string{"chokepoints", "--data", data, "--top", "10"}
			if filepath.Ext(name) == ".json" {
				args = append(args, "-o", "json")
			}
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			checkGolden(t, filepath.Join("testdata", "chokepoints", name), []byte(stdout))
			if filepath.Ext(name) == ".json" {
				report = []byte(stdout)
			}
		})
	}
	var got analysis.ChokepointsResult
	if err := json.Unmarshal(report, &got); err != nil {
		t.Fatalf("chokepoints -o json: %v", err)
	}
	if len(got.Chokepoints) != 10 || got.TierZero == 0 || got.Pairs == 0 {
		t.Fatalf("chokepoints: %d listed, tier zero %d, pairs %d; want 10 and some", len(got.Chokepoints), got.TierZero, got.Pairs)
	}
	for i, c := range got.Chokepoints {
		if c.Kind != analysis.ChokepointEdge && c.Kind != analysis.ChokepointIdentity || len(c.Sources) == 0 {
			t.Errorf("chokepoint %d: %+v: want kind edge or identity, with sources", i, c)
		}
		if i > 0 && c.Cuts > got.Chokepoints[i-1].Cuts {
			t.Errorf("chokepoint %d cuts %d, more than the one before (%d)", i, c.Cuts, got.Chokepoints[i-1].Cuts)
		}
	}
}
