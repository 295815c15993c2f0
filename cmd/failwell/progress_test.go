package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProgressLines(t *testing.T) {
	tests := []struct {
		name   string
		format string
		quiet  bool
		tty    bool
		want   []string // substrings of the output
	}{
		{"text log line", "text", false, false, []string{"failwell: score: 25/100 rows (25%),", "rows/s, ETA"}},
		{"json", "json", false, false, []string{`"msg":"progress"`, `"stage":"score"`, `"done":25`, `"total":100`, `"eta_s":`}},
		{"terminal bar", "text", false, true, []string{"\r\x1b[K", "score ", "25/100", "rows/s", "ETA"}},
		{"quiet", "text", true, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := newLogger(&buf, tt.format, tt.quiet)
			p := &progress{log: log, tty: tt.tty, stage: "score", total: 100}
			p.done.Store(25)
			p.show()
			got := buf.String()
			if tt.want == nil && got != "" {
				t.Errorf("got %q, want nothing", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if tt.format == "json" {
				var rec map[string]any
				if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &rec); err != nil {
					t.Errorf("not one JSON object: %v: %q", err, got)
				}
			}
		})
	}
}

func TestProgressStage(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{log: newLogger(&buf, "text", false), stage: "score", total: 10}
	p.done.Store(10)
	p.setStage("pdf", 4)
	p.step()
	p.show()
	if got, want := buf.String(), "pdf: 1/4 rows (25%)"; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
	buf.Reset()
	p.setStage("pdf", 0)
	p.show()
	if got := buf.String(); got != "" {
		t.Errorf("stage with no rows: got %q, want nothing", got)
	}
}

func TestFmtETA(t *testing.T) {
	tests := []struct {
		s    float64
		want string
	}{{-1, "?"}, {0, "0:00"}, {59.4, "0:59"}, {61, "1:01"}, {3725, "1:02:05"}}
	for _, tt := range tests {
		if got := fmtETA(tt.s); got != tt.want {
			t.Errorf("fmtETA(%v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestIsTerminalBuffer(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
}

func TestRunJSONStages(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "run", samples+"/cohort.csv", "--out", out, "--as-of", "2026-11-20", "--log-format", "json")
	if code != 0 && code != exitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("--log-format json: stderr line %q is not JSON: %v", line, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Stages []struct {
			Name    string  `json:"name"`
			Seconds float64 `json:"seconds"`
		} `json:"stages"`
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range info.Stages {
		names = append(names, s.Name)
		if s.Seconds < 0 {
			t.Errorf("stage %s: %v seconds", s.Name, s.Seconds)
		}
	}
	if got, want := strings.Join(names, ","), "ingest,score,write,report.pdf,report.jsonl,report.workbook"; got != want {
		t.Errorf("stages %s, want %s", got, want)
	}
}
