package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

// countingRender is fakePDF that counts its calls and may cancel a context
// after a number of them.
type countingRender struct {
	n           atomic.Int64
	cancelAfter int64
	cancel      context.CancelFunc
}

func (c *countingRender) render(w io.Writer, r *evaluate.Result, o PDFOptions) error {
	if k := c.n.Add(1); c.cancel != nil && k == c.cancelAfter {
		c.cancel()
	}
	return fakePDF(w, r, o)
}

// bigFixture returns n scored results with the same levels (so that the
// cohort averages drawn in every PDF do not move when rows come and go).
func bigFixture(n int) ([]evaluate.Result, *evaluate.Rubric) {
	r := fixtureRubric()
	out := make([]evaluate.Result, n)
	for i := range out {
		out[i] = scored(r, i, fmt.Sprintf("Candidate %d", i), [6]int{2, 2, 3, 1, 2, 3}, float64(i%100), "Developing")
	}
	return out, r
}

func TestWriteIncremental(t *testing.T) {
	results, rub := bigFixture(40)
	opts := testOptions(t, rub)
	run := func(t *testing.T, results []evaluate.Result, opts Options) (*Summary, int64) {
		t.Helper()
		c := &countingRender{}
		sum, err := write(t.Context(), results, opts, c.render)
		if err != nil {
			t.Fatal(err)
		}
		return sum, c.n.Load()
	}
	sum, n := run(t, results, opts)
	if n != 40 || sum.Counts.PDFs != 40 || sum.Counts.PDFsReused != 0 {
		t.Fatalf("first run: rendered %d, PDFs %d, reused %d; want 40, 40, 0", n, sum.Counts.PDFs, sum.Counts.PDFsReused)
	}

	tests := []struct {
		name         string
		edit         func([]evaluate.Result) []evaluate.Result
		force        bool
		wantRendered int64
		wantRemoved  []string
	}{
		{"unchanged", func(r []evaluate.Result) []evaluate.Result { return r }, false, 0, nil},
		{"one row changed", func(r []evaluate.Result) []evaluate.Result {
			r = slices.Clone(r)
			r[7].Change = "A different suggestion."
			return r
		}, false, 1, nil},
		{"one row added", func(r []evaluate.Result) []evaluate.Result {
			extra, _ := bigFixture(41)
			return append(slices.Clone(r), extra[40])
		}, false, 1, nil},
		{"last rows gone", func(r []evaluate.Result) []evaluate.Result { return r[:38] }, false, 0,
			[]string{"feedback/039-candidate-38.pdf", "feedback/040-candidate-39.pdf", "feedback/041-candidate-40.pdf"}},
		{"force", func(r []evaluate.Result) []evaluate.Result { return r[:38] }, true, 38, nil},
		{"cohort average moved", func(r []evaluate.Result) []evaluate.Result {
			r = slices.Clone(r)
			for i := range 10 {
				r[i].Scores = slices.Clone(r[i].Scores)
				r[i].Scores[0].Level = 4
			}
			return r
		}, false, 38, nil},
	}
	cur := results
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur = tt.edit(cur)
			o := opts
			o.Force = tt.force
			sum, n := run(t, cur, o)
			if n != tt.wantRendered {
				t.Errorf("rendered %d PDFs, want %d", n, tt.wantRendered)
			}
			if want := len(cur) - int(tt.wantRendered); sum.Counts.PDFsReused != want {
				t.Errorf("reused %d PDFs, want %d", sum.Counts.PDFsReused, want)
			}
			if !slices.Equal(sum.Removed, tt.wantRemoved) {
				t.Errorf("removed %q, want %q", sum.Removed, tt.wantRemoved)
			}
			pdfs, _ := filepath.Glob(filepath.Join(opts.Dir, "feedback", "*.pdf"))
			if len(pdfs) != len(cur) {
				t.Errorf("%d PDFs in feedback/, want %d", len(pdfs), len(cur))
			}
		})
	}
}

// TestWriteResumesAfterCancel cancels a run after some PDFs and checks that
// the next run renders only the others, and that nothing half-written is
// left under a final name.
func TestWriteResumesAfterCancel(t *testing.T) {
	results, rub := bigFixture(60)
	opts := testOptions(t, rub)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c1 := &countingRender{cancelAfter: 20, cancel: cancel}
	sum, err := write(ctx, results, opts, c1.render)
	if err == nil {
		t.Fatal("cancelled run: got no error, want the context error")
	}
	done := sum.Counts.PDFs
	if done == 0 || done == 60 {
		t.Fatalf("cancelled run wrote %d PDFs, want some but not all", done)
	}
	for _, name := range []string{ResultsFile, WorkbookFile} {
		if _, err := os.Stat(filepath.Join(opts.Dir, name)); err != nil {
			t.Errorf("cancelled run: %s: %v (the scored rows must still be written)", name, err)
		}
	}
	c2 := &countingRender{}
	sum2, err := write(t.Context(), results, opts, c2.render)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c2.n.Load(), int64(60-done); got != want {
		t.Errorf("second run rendered %d PDFs, want %d (60 minus the %d finished before the cancel)", got, want, done)
	}
	if sum2.Counts.PDFs != 60 {
		t.Errorf("second run: %d PDFs, want 60", sum2.Counts.PDFs)
	}
}

// TestWriteResumesFromJournal simulates a kill -9 after some PDFs: no state
// file, a journal whose last line was cut short, and a temporary file left
// behind. The next run reuses the journalled PDFs and removes the debris.
func TestWriteResumesFromJournal(t *testing.T) {
	results, rub := bigFixture(10)
	opts := testOptions(t, rub)
	if _, err := write(t.Context(), results, opts, fakePDF); err != nil {
		t.Fatal(err)
	}
	st, err := os.ReadFile(filepath.Join(opts.Dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild a journal from the state, as the killed run would have left it.
	d, err := openOutDir(opts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := loadState(d)
	var lines []string
	for name, h := range m {
		lines = append(lines, "v1 "+h+" "+name)
	}
	slices.Sort(lines)
	journal := strings.Join(lines[:7], "\n") + "\n" + lines[7][:40] // last line cut short
	if err := os.WriteFile(filepath.Join(opts.Dir, journalFile), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(opts.Dir, stateFile)); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(opts.Dir, "feedback", ".001-candidate-0.pdf.ABCDEFGHIJ.tmp")
	if err := os.WriteFile(tmp, []byte("%PDF-half"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &countingRender{}
	sum, err := write(t.Context(), results, opts, c.render)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.n.Load(); got != 3 {
		t.Errorf("rendered %d PDFs, want 3 (7 journalled whole, 1 cut short, 2 missing)", got)
	}
	if sum.Counts.PDFsReused != 7 {
		t.Errorf("reused %d, want 7", sum.Counts.PDFsReused)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary file of the killed run: stat err %v, want it removed", err)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, journalFile)); !os.IsNotExist(err) {
		t.Errorf("journal: stat err %v, want it folded into the state file", err)
	}
	st2, err := os.ReadFile(filepath.Join(opts.Dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(st) != string(st2) {
		t.Errorf("state after resuming differs from the state of a complete run")
	}
}

func TestPDFHashDependsOnSettings(t *testing.T) {
	results, rub := bigFixture(1)
	base := PDFOptions{Rubric: rub, Date: fixtureDate, Version: "v1", CohortMeans: map[string]float64{"scope": 2.1}}
	hashOf := func(o PDFOptions, r evaluate.Result, name string) string {
		h, err := newPDFHasher(o, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := h.hash(name, &r)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ref := hashOf(base, results[0], "feedback/001-a.pdf")
	edits := map[string]func(*PDFOptions, *evaluate.Result, *string){
		"version":     func(o *PDFOptions, _ *evaluate.Result, _ *string) { o.Version = "v2" },
		"date":        func(o *PDFOptions, _ *evaluate.Result, _ *string) { o.Date = o.Date.AddDate(0, 0, 1) },
		"brand":       func(o *PDFOptions, _ *evaluate.Result, _ *string) { o.Brand.Paper = "Letter" },
		"means":       func(o *PDFOptions, _ *evaluate.Result, _ *string) { o.CohortMeans = map[string]float64{"scope": 2.2} },
		"rubric":      func(o *PDFOptions, _ *evaluate.Result, _ *string) { r := *rub; r.Version = "9"; o.Rubric = &r },
		"story":       func(_ *PDFOptions, r *evaluate.Result, _ *string) { r.Story.Text += "!" },
		"total":       func(_ *PDFOptions, r *evaluate.Result, _ *string) { r.Total++ },
		"file name":   func(_ *PDFOptions, _ *evaluate.Result, n *string) { *n = "feedback/002-a.pdf" },
		"flag":        func(_ *PDFOptions, r *evaluate.Result, _ *string) { r.Flags = []evaluate.Flag{{Code: "too-short"}} },
		"candidateId": func(_ *PDFOptions, r *evaluate.Result, _ *string) { r.Story.ID = "other" },
	}
	for name, edit := range edits {
		o, r, n := base, results[0], "feedback/001-a.pdf"
		r.Story.Text = strings.Clone(r.Story.Text)
		edit(&o, &r, &n)
		if hashOf(o, r, n) == ref {
			t.Errorf("changing the %s does not change the PDF hash", name)
		}
	}
	if hashOf(base, results[0], "feedback/001-a.pdf") != ref {
		t.Error("the same inputs give another hash")
	}
	if got := roundMeans(map[string]float64{"a": 2.1234, "b": 2.126}); got["a"] != 2.1 || got["b"] != 2.15 {
		t.Errorf("roundMeans = %v, want a 2.1, b 2.15", got)
	}
}
