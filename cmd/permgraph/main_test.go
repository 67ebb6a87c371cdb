package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runArgs calls run as the binary would and returns the exit code and what
// was written to stdout and stderr.
func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // substrings
		wantStderr []string // substrings
	}{
		{"version flag", []string{"--version"}, exitOK,
			[]string{"permgraph version " + version + "\n"}, nil},
		{"help", []string{"--help"}, exitOK,
			[]string{"Usage:", "permgraph [command]", "Exit codes:", "-o, --output", "--log-level"}, nil},
		{"no arguments prints help", nil, exitOK,
			[]string{"Usage:"}, nil},
		{"bad output format", []string{"-o", "yaml", "version"}, exitUsage,
			nil, []string{`invalid argument "yaml" for "-o, --output" flag: must be table or json`}},
		{"bad output format without command", []string{"-o", "yaml"}, exitUsage,
			nil, []string{`"-o, --output"`}},
		{"bad log level", []string{"--log-level", "trace", "version"}, exitUsage,
			nil, []string{`invalid argument "trace" for "--log-level" flag`}},
		{"unknown command", []string{"bogus"}, exitUsage,
			nil, []string{`unknown command "bogus"`, "permgraph --help"}},
		{"unknown flag", []string{"version", "--bogus"}, exitUsage,
			nil, []string{"unknown flag: --bogus"}},
		{"version table", []string{"version", "--log-level", "debug"}, exitOK,
			[]string{"version   " + version + "\n", "go        " + runtime.Version()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runArgs(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("run(%q) = %d, want %d\nstderr: %s", tt.args, code, tt.wantCode, stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("run(%q) stdout lacks %q:\n%s", tt.args, want, stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("run(%q) stderr lacks %q:\n%s", tt.args, want, stderr)
				}
			}
			if len(tt.wantStderr) == 0 && stderr != "" {
				t.Errorf("run(%q) wrote to stderr:\n%s", tt.args, stderr)
			}
		})
	}
}

func TestVersionJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runArgs(t, "version", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	var got versionInfo
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	want := versionInfo{Version: version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("version -o json mismatch (-want +got):\n%s", diff)
	}
}

func TestRootCmdVersionIsInjected(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	root := newRootCmd("v1.2.3-4-gabcdef-dirty", &out, &out)
	root.SetArgs([]string{"--version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "permgraph version v1.2.3-4-gabcdef-dirty\n"; got != want {
		t.Errorf("--version printed %q, want %q", got, want)
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	errBatch := errors.New("2 of 5 requests failed")
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{"success", nil, exitOK, ""},
		{"usage or input error", errors.New("read p1.json: no such file"), exitUsage,
			"permgraph: read p1.json: no such file\nRun 'permgraph --help' for usage.\n"},
		{"failed result", failure(errBatch), exitFailure,
			"permgraph: 2 of 5 requests failed\n"},
		{"wrapped failed result", fmt.Errorf("batch: %w", failure(errBatch)), exitFailure,
			"permgraph: batch: 2 of 5 requests failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			if got := exitCode(&stderr, tt.err); got != tt.wantCode {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr.String()); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if !errors.Is(failure(errBatch), errBatch) {
		t.Error("failure(err) does not unwrap to err")
	}
}
