package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

func TestNewLoggerWritesJSONLinesAtLevel(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := newLogger(&buf, zerolog.InfoLevel)
	log.Debug().Msg("hidden")
	log.Info().Int("accounts", 3).Msg("accounts listed")

	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("log output is not one JSON line: %v\n%s", err, buf.String())
	}
	delete(got, "time")
	want := map[string]any{"level": "info", "accounts": float64(3), "message": "accounts listed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log line mismatch (-want +got):\n%s", diff)
	}
}

func TestLogLevelFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    zerolog.Level
		wantErr bool
	}{
		{"debug", zerolog.DebugLevel, false},
		{"info", zerolog.InfoLevel, false},
		{"warn", zerolog.WarnLevel, false},
		{"error", zerolog.ErrorLevel, false},
		{"trace", zerolog.WarnLevel, true},
		{"fatal", zerolog.WarnLevel, true},
		{"", zerolog.WarnLevel, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			l := logLevel(zerolog.WarnLevel)
			err := l.Set(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Set(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if zerolog.Level(l) != tt.want {
				t.Errorf("after Set(%q) level = %v, want %v", tt.in, zerolog.Level(l), tt.want)
			}
		})
	}
}
