package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrintJSON(t *testing.T) {
	t.Parallel()
	v := map[string]any{"effect": "allow", "reasons": []string{"ReadLogs"}}
	var single, line bytes.Buffer
	if err := printJSON(&single, v); err != nil {
		t.Fatal(err)
	}
	if err := printJSONLine(&line, v); err != nil {
		t.Fatal(err)
	}
	wantSingle := "{\n  \"effect\": \"allow\",\n  \"reasons\": [\n    \"ReadLogs\"\n  ]\n}\n"
	if diff := cmp.Diff(wantSingle, single.String()); diff != "" {
		t.Errorf("printJSON mismatch (-want +got):\n%s", diff)
	}
	wantLine := `{"effect":"allow","reasons":["ReadLogs"]}` + "\n"
	if diff := cmp.Diff(wantLine, line.String()); diff != "" {
		t.Errorf("printJSONLine mismatch (-want +got):\n%s", diff)
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	tb := newTable(&out, "PRINCIPAL", "DECISION")
	tb.row("arn:aws:iam::111122223333:role/agent", "allow")
	tb.row("alice", "conditional")
	if err := tb.flush(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"PRINCIPAL                             DECISION\n" +
		"arn:aws:iam::111122223333:role/agent  allow\n" +
		"alice                                 conditional\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("table mismatch (-want +got):\n%s", diff)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestTableReportsWriteError(t *testing.T) {
	t.Parallel()
	errDisk := errors.New("disk full")
	tb := newTable(failingWriter{errDisk}, "A")
	tb.row("b")
	if err := tb.flush(); !errors.Is(err, errDisk) {
		t.Errorf("flush() = %v, want %v", err, errDisk)
	}
}

func TestOutputFormatSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    outputFormat
		wantErr bool
	}{
		{"table", outputTable, false},
		{"json", outputJSON, false},
		{"yaml", outputTable, true},
		{"JSON", outputTable, true},
		{"", outputTable, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			o := outputTable
			err := o.Set(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Set(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if o != tt.want {
				t.Errorf("after Set(%q) format = %q, want %q", tt.in, o, tt.want)
			}
		})
	}
}
