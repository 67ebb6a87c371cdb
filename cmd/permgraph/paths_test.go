package main

import "testing"

func TestPathsCLI(t *testing.T) {
	t.Parallel()
	data := synthStore(t)
	tests := []struct {
		name string
		args []string
	}{
		{"paths-chain.json", []string{"-o", "json", "--max", "3", etlTask, dataAdmin}},
		{"paths-chain.txt", []string{"--max", "3", etlTask, dataAdmin}},
		{"paths-permission.txt", []string{"--max", "3", etlTask, "iam:CreateUser:*"}},
		{"paths-none.txt", []string{dataAdmin, etlTask}},
	}
	for _, tt := range tests {
		// NOTE(paths): not parallel: a Badger store admits one open at a time.
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"paths", "--data", data}, tt.args...)
			code, stdout, stderr := runArgs(t, args...)
			if code != exitOK {
				t.Fatalf("run(%q) = %d\nstderr: %s", args, code, stderr)
			}
			checkGolden(t, whoCanGolden(tt.name), []byte(stdout))
		})
	}
	t.Run("bad target", func(t *testing.T) {
		code, _, stderr := runArgs(t, "paths", "--data", data, etlTask, "nonsense")
		if code == exitOK {
			t.Errorf("bad target: exit 0\n%s", stderr)
		}
	})
}
