package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRun measures `failwell run` end to end, in-process: ingest,
// scoring, PDFs, results.jsonl, report.xlsx and run.json. The input is the
// sample cohort, or the file named by $BENCH_INPUT (e.g. a cohort from
// `go run ./samples/gen -n 10000 -o /tmp/c10k.xlsx`). Each iteration writes
// into a fresh directory, so it measures a first run.
func BenchmarkRun(b *testing.B) {
	input := filepath.Join(samples, "cohort.xlsx")
	if p := os.Getenv("BENCH_INPUT"); p != "" {
		input = p
	}
	for _, mode := range []struct {
		name  string
		flags []string
	}{{"pdf", nil}, {"no-pdf", []string{"--no-pdf"}}} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				out := b.TempDir()
				args := append([]string{"run", input, "--out", out, "--as-of", "2026-11-20", "--quiet"}, mode.flags...)
				var stdout, stderr bytes.Buffer
				if code := run(context.Background(), args, nil, &stdout, &stderr, nil); code != 0 && code != exitPartial {
					b.Fatalf("exit %d: %s", code, stderr.String())
				}
			}
		})
	}
}
