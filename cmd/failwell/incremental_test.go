package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bigCohortCSV writes a cohort of n rows made from the sample stories (ids
// and names made unique) and returns its path.
func bigCohortCSV(t *testing.T, n int) string {
	t.Helper()
	recs := readCSVFile(t, filepath.Join(samples, "cohort.csv"))
	hdr, rows := recs[0], recs[1:]
	col := func(name string) int {
		for i, h := range hdr {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %q", name, hdr)
		return -1
	}
	id, nm := col("Candidate ID"), col("Full name")
	out := [][]string{hdr}
	for i := range n {
		r := append([]string(nil), rows[i%len(rows)]...)
		r[id] = fmt.Sprintf("B%05d", i+1)
		r[nm] = fmt.Sprintf("%s %d", r[nm], i+1)
		out = append(out, r)
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(g)
	w.WriteAll(out)
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunIncremental(t *testing.T) {
	in := bigCohortCSV(t, 60)
	out := t.TempDir()
	args := []string{"run", in, "--out", out, "--as-of", "2026-11-20", "--quiet"}
	runOK := func(t *testing.T, extra ...string) (runJSON, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append(append([]string{}, args...), extra...)...)
		if code != 0 && code != exitPartial {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return readRunJSON(t, out), stdout
	}
	first, _ := runOK(t)
	if first.Counts.PDFs == 0 || first.Counts.PDFsReused != 0 {
		t.Fatalf("first run: %d PDFs, %d reused; want some, 0", first.Counts.PDFs, first.Counts.PDFsReused)
	}
	jsonl1, err := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// Unchanged inputs and settings: nothing to do.
	same, stdout := runOK(t)
	if !strings.Contains(stdout, "nothing changed") || same.Counts != first.Counts {
		t.Errorf("unchanged rerun: stdout %q, counts %+v; want a no-op with the first run's counts %+v", stdout, same.Counts, first.Counts)
	}
	// A blank row appended: the file changed, the rows did not, so every
	// PDF is kept.
	f, err := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(",,,,,,,\n")
	f.Close()
	second, stdout := runOK(t)
	if second.Counts.PDFsReused != first.Counts.PDFs {
		t.Errorf("unchanged rerun: %d of %d PDFs reused, want all", second.Counts.PDFsReused, first.Counts.PDFs)
	}
	if !strings.Contains(stdout, fmt.Sprintf("(0 rendered, %d unchanged, 0 removed)", first.Counts.PDFs)) {
		t.Errorf("rerun summary %q does not say that nothing was rendered", stdout)
	}
	jsonl2, err := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if string(jsonl1) != string(jsonl2) {
		t.Error("results.jsonl of the unchanged rerun differs from the first run's")
	}
	// An output removed since: the run is redone, and only that PDF rendered.
	pdfs, _ := filepath.Glob(filepath.Join(out, "feedback", "*.pdf"))
	if err := os.Remove(pdfs[3]); err != nil {
		t.Fatal(err)
	}
	third, stdout := runOK(t)
	if strings.Contains(stdout, "nothing changed") || third.Counts.PDFsReused != first.Counts.PDFs-1 || third.Counts.PDFs != first.Counts.PDFs {
		t.Errorf("after removing a PDF: stdout %q, counts %+v; want %d PDFs, all but one reused", stdout, third.Counts, first.Counts.PDFs)
	}
	forced, _ := runOK(t, "--force")
	if forced.Counts.PDFsReused != 0 || forced.Counts.PDFs != first.Counts.PDFs {
		t.Errorf("--force: %d PDFs, %d reused; want %d, 0", forced.Counts.PDFs, forced.Counts.PDFsReused, first.Counts.PDFs)
	}
}

// TestRunInterruptedResumes cancels a run while it renders PDFs (as SIGINT
// does) and checks exit status 130, run.json's interrupted flag, that no
// temporary or truncated PDF is left under a final name, and that the next
// run reuses the PDFs finished before the interruption.
func TestRunInterruptedResumes(t *testing.T) {
	in := bigCohortCSV(t, 400)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		// Cancel once the first PDFs are in place.
		for ctx.Err() == nil {
			if m, _ := filepath.Glob(filepath.Join(out, "feedback", "*.pdf")); len(m) >= 5 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var stdout, stderr strings.Builder
	code := run(ctx, []string{"run", in, "--out", out, "--as-of", "2026-11-20", "--quiet"}, nil, &stdout, &stderr, nil)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %s", code, exitInterrupted, stderr.String())
	}
	info := readRunJSON(t, out)
	if !info.Interrupted || info.ExitStatus != exitInterrupted {
		t.Errorf("run.json: interrupted %v, exit_status %d; want true, %d", info.Interrupted, info.ExitStatus, exitInterrupted)
	}
	pdfs, _ := filepath.Glob(filepath.Join(out, "feedback", "*.pdf"))
	for _, p := range pdfs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "%PDF-") || !strings.Contains(string(b[max(0, len(b)-64):]), "%%EOF") {
			t.Errorf("%s: not a whole PDF (%d bytes)", p, len(b))
		}
	}
	if len(pdfs) == 0 || len(pdfs) >= 400 {
		t.Fatalf("%d PDFs after the interruption, want some but not all", len(pdfs))
	}
	code, _, errs := runCLI(t, "", "run", in, "--out", out, "--as-of", "2026-11-20", "--quiet")
	if code != 0 && code != exitPartial {
		t.Fatalf("resumed run: exit %d: %s", code, errs)
	}
	again := readRunJSON(t, out)
	if again.Interrupted || again.Counts.PDFsReused < len(pdfs) {
		t.Errorf("resumed run: interrupted %v, %d PDFs reused; want false, >= %d", again.Interrupted, again.Counts.PDFsReused, len(pdfs))
	}
	if left, _ := filepath.Glob(filepath.Join(out, "feedback", ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
