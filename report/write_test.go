package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
)

// fixtureDate is the fixed run date of the test fixtures.
var fixtureDate = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// fixtureRubric returns a small rubric with the six default criteria.
func fixtureRubric() *evaluate.Rubric {
	r := &evaluate.Rubric{
		ID: "failwell-default", Version: "1.0", Name: "Biggest failure",
		Description: "Scores a story about a failure.",
		Bands: []evaluate.Band{
			{Name: "Needs work", Min: 0, Description: "Start again"},
			{Name: "Developing", Min: 40},
			{Name: "Strong", Min: 70},
			{Name: "Exceptional", Min: 90},
		},
	}
	for _, c := range []struct {
		id, name string
		w        float64
	}{
		{"scope", "Scope & responsibility", 20}, {"recency", "Recency", 10},
		{"learning", "Learning", 25}, {"structure", "Structure", 15},
		{"arc", "Arc", 15}, {"ownership", "Ownership", 15},
	} {
		crit := evaluate.Criterion{ID: c.id, Name: c.name, Weight: c.w, Description: "How well the story shows " + c.id + "."}
		for l := range 5 {
			crit.Levels = append(crit.Levels, evaluate.Level{Descriptor: fmt.Sprintf("%s level %d", c.id, l)})
		}
		r.Criteria = append(r.Criteria, crit)
	}
	return r
}

// scored builds a scored result at batch index i with the given levels.
func scored(r *evaluate.Rubric, i int, name string, levels [6]int, total float64, band string) evaluate.Result {
	res := evaluate.Result{
		Story: evaluate.Story{
			Index: i, Ref: fmt.Sprintf("cohort.xlsx:Form Responses 1:%d", i+2),
			ID: fmt.Sprintf("C-%03d", i+1), Name: name, Email: fmt.Sprintf("c%d@example.com", i+1),
			Cohort: "Spring 26", Submitted: time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC),
			Text: "I led the migration. It failed. I learned to test.",
		},
		Ref: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Words: 10 + i, Total: total, Band: band,
		Strength: "You own the decision.", Change: "Name what you do differently now.",
	}
	for k, c := range r.Criteria {
		res.Scores = append(res.Scores, evaluate.Score{
			ID: c.ID, Name: c.Name, Weight: c.Weight, Level: levels[k], Raw: float64(levels[k]) * 1.1,
			Descriptor: c.Levels[levels[k]].Descriptor,
			Feedback:   "Feedback on " + c.ID + ".",
			NextStep:   "Next step for " + c.ID + ".",
		})
	}
	res.Scores[0].Evidence = []evaluate.Evidence{
		{Quote: "I led the migration.", Start: 0, End: 20, Signal: "self-lead", Effect: 0.1 + 0.2, Note: "takes charge"},
	}
	return res
}

// fixture returns a batch with scored, flagged, rejected and failed rows and
// hostile names.
func fixture() ([]evaluate.Result, *evaluate.Rubric) {
	r := fixtureRubric()
	rs := []evaluate.Result{
		scored(r, 0, "Zoë Hartmann", [6]int{3, 4, 3, 2, 3, 3}, 72.5, "Strong"),
		{Story: evaluate.Story{Index: 1, Ref: "cohort.xlsx:Form Responses 1:3", Name: "Ola Nowak",
			Fields: []evaluate.Field{{Header: "Timestamp", Value: "2026-10-01"}, {Header: "Full name", Value: "Ola Nowak"}, {Header: "Your answer", Value: ""}},
			Reject: errors.New("cohort.xlsx: Form Responses 1!C3 (story): empty")},
			Err: errors.New("cohort.xlsx: Form Responses 1!C3 (story): empty")},
		scored(r, 2, "Nguyễn Thị Minh Anh", [6]int{1, 0, 1, 1, 0, 2}, 21, "Needs work"),
		scored(r, 3, `=HYPERLINK("http://evil.example","click")`, [6]int{2, 2, 2, 2, 2, 2}, 50, "Developing"),
		scored(r, 4, "陈静", [6]int{4, 4, 4, 4, 4, 4}, 100, "Exceptional"),
		scored(r, 5, "../../etc/passwd", [6]int{0, 0, 0, 0, 0, 0}, 0, "Needs work"),
		{Story: evaluate.Story{Index: 6, Ref: "cohort.csv::8", ID: "X7"}, Err: &evaluate.PanicError{Value: "boom"}},
		scored(r, 7, "", [6]int{2, 3, 2, 1, 2, 3}, 45.5, "Developing"),
		scored(r, 8, "CON", [6]int{3, 3, 3, 3, 3, 3}, 75, "Strong"),
		scored(r, 9, "Małgorzata Wójcik", [6]int{2, 1, 3, 2, 2, 2}, 55.5, "Developing"),
	}
	rs[2].Story.Submitted = time.Time{}
	rs[2].Story.Cohort = "Autumn 26"
	rs[2].Flags = []evaluate.Flag{{Code: "too-short", Message: "Only 12 words; the score may not mean much."}}
	rs[3].Story.Email = "+1-555-0100"
	rs[3].Story.Cohort = "@SUM(A1:A9)"
	rs[3].Change = "-2+3"
	rs[4].Story.ID = ""
	rs[7].Story.ID = ""
	rs[9].Scores[2].Evidence = []evaluate.Evidence{
		{Quote: `I wrote <b>"tests"</b> & docs`, Start: 5, End: 34, Signal: "learning-action", Effect: 1.5, Note: "names an action"},
	}
	rs[9].Flags = []evaluate.Flag{
		{Code: "keyword-stuffing", Message: `Repeats "learned" 9 times.`},
		{Code: "near-duplicate", Message: "Nearly the same text as cohort.xlsx:Form Responses 1:5."},
	}
	return rs, r
}

// fakePDF is a PDF renderer for tests: it writes the candidate's name.
func fakePDF(w io.Writer, r *evaluate.Result, o PDFOptions) error {
	_, err := fmt.Fprintf(w, "%%PDF-fake %s %s\n", r.Story.Name, o.Date.Format(time.DateOnly))
	return err
}

func testOptions(t *testing.T, r *evaluate.Rubric) Options {
	t.Helper()
	return Options{Dir: filepath.Join(t.TempDir(), "out"), Rubric: r, Jobs: 3, Date: fixtureDate, Version: "v0.0.0-test"}
}

func TestWriteWritesEveryOutput(t *testing.T) {
	results, rub := fixture()
	opts := testOptions(t, rub)
	sum, err := write(t.Context(), results, opts, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := Counts{Read: 10, Scored: 8, Rejected: 2, Flagged: 2, PDFs: 8}
	if sum.Counts != wantCounts {
		t.Errorf("counts: got %+v, want %+v", sum.Counts, wantCounts)
	}
	wantPDF := []string{
		"feedback/001-zoe-hartmann.pdf", "", "feedback/003-nguyen-thi-minh-anh.pdf",
		"feedback/004-hyperlink-http-evil-example-click.pdf", "feedback/005-candidate.pdf",
		"feedback/006-etc-passwd.pdf", "", "feedback/008-candidate.pdf", "feedback/009-con.pdf",
		"feedback/010-malgorzata-wojcik.pdf",
	}
	if !slices.Equal(sum.PDF, wantPDF) {
		t.Errorf("PDF paths:\n got %q\nwant %q", sum.PDF, wantPDF)
	}
	for i, p := range sum.PDF {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(opts.Dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if want := "%PDF-fake " + results[i].Story.Name + " 2026-11-02\n"; string(b) != want {
			t.Errorf("%s: got %q, want %q", p, b, want)
		}
	}
	got := listFiles(t, opts.Dir)
	want := append([]string{stateFile, "report.xlsx", "results.jsonl"}, nonEmpty(wantPDF)...)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("files:\n got %q\nwant %q", got, want)
	}
	if !slices.Equal(sum.Files[:2], []string{"results.jsonl", "report.xlsx"}) || len(sum.Files) != 10 {
		t.Errorf("Summary.Files: got %q", sum.Files)
	}
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// listFiles returns the regular files under dir, slash-separated, sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestWriteStaysInsideDirAndIsPrivate(t *testing.T) {
	results, rub := fixture()
	parent := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // excelize and os.CreateTemp would spill here
	opts := Options{Dir: filepath.Join(parent, "out"), Rubric: rub, Date: fixtureDate}
	if _, err := write(t.Context(), results, opts, fakePDF); err != nil {
		t.Fatal(err)
	}
	if err := WriteRun(opts.Dir, RunInfo{Version: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{parent, tmp} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		want := []string{}
		if dir == parent {
			want = []string{"out"}
		}
		if !slices.Equal(names, want) && !(len(names) == 0 && len(want) == 0) {
			t.Errorf("%s holds %q, want %q", dir, names, want)
		}
	}
	err := filepath.WalkDir(opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = fs.ModeDir | 0o700
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode(), want)
		}
		if strings.Contains(d.Name(), ".tmp") || strings.HasPrefix(d.Name(), "excelize") {
			t.Errorf("left-over temporary file %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteRecordsFailedAndPanickingPDFs(t *testing.T) {
	results, rub := fixture()
	opts := testOptions(t, rub)
	render := func(w io.Writer, r *evaluate.Result, o PDFOptions) error {
		switch r.Story.Index {
		case 2:
			_, _ = io.WriteString(w, "%PDF-half")
			return errors.New("font missing")
		case 4:
			panic("index out of range")
		}
		return fakePDF(w, r, o)
	}
	sum, err := write(t.Context(), results, opts, render)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts.PDFs != 6 || sum.PDFFailed != 2 {
		t.Errorf("got %d PDFs and %d failed, want 6 and 2", sum.Counts.PDFs, sum.PDFFailed)
	}
	if sum.PDF[2] != "" || sum.PDF[4] != "" {
		t.Errorf("failed rows have PDF paths %q, %q; want none", sum.PDF[2], sum.PDF[4])
	}
	if err := sum.PDFErrors[2]; err == nil || !strings.Contains(err.Error(), "font missing") {
		t.Errorf("row 2 error: got %v, want font missing", err)
	}
	if _, ok := errors.AsType[*RenderPanicError](sum.PDFErrors[4]); !ok {
		t.Errorf("row 4 error: got %v, want a *RenderPanicError", sum.PDFErrors[4])
	}
	files := listFiles(t, opts.Dir)
	for _, f := range files {
		if strings.HasPrefix(f, "feedback/003-") || strings.HasPrefix(f, "feedback/005-") || strings.Contains(f, ".tmp") {
			t.Errorf("file %s exists after its PDF failed", f)
		}
	}
	f, err := excelize.OpenFile(filepath.Join(opts.Dir, WorkbookFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheetReview)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, r := range rows {
		if len(r) > 5 && r[4] == "pdf-failed" {
			failed = append(failed, r[0]+" "+r[5])
		}
	}
	wantFailed := []string{
		"3 The PDF report could not be written: write feedback/003-nguyen-thi-minh-anh.pdf: font missing",
		"5 The PDF report could not be written: write feedback/005-candidate.pdf: internal error while rendering the PDF: index out of range",
	}
	if !slices.Equal(failed, wantFailed) {
		t.Errorf("Review sheet pdf-failed rows:\n got %q\nwant %q", failed, wantFailed)
	}
	b, err := os.ReadFile(filepath.Join(opts.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if !strings.HasSuffix(lines[2], `"pdf":null,"pdf_error":"write feedback/003-nguyen-thi-minh-anh.pdf: font missing"}`) {
		t.Errorf("results.jsonl line 3 does not record the PDF failure: %s", lines[2])
	}
}

func TestWriteCancelledStillWritesResults(t *testing.T) {
	results, rub := fixture()
	opts := testOptions(t, rub)
	ctx, cancel := context.WithCancel(t.Context())
	var once sync.Once
	render := func(w io.Writer, r *evaluate.Result, o PDFOptions) error {
		once.Do(cancel) // the first render cancels the batch
		return fakePDF(w, r, o)
	}
	opts.Jobs = 1
	sum, err := write(ctx, results, opts, render)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want context.Canceled", err)
	}
	if sum == nil {
		t.Fatal("got no summary")
	}
	if sum.Counts.PDFs+sum.PDFFailed != 8 || sum.PDFFailed == 0 {
		t.Errorf("got %d PDFs and %d failed, want 8 in all with some failed", sum.Counts.PDFs, sum.PDFFailed)
	}
	for _, name := range []string{ResultsFile, WorkbookFile} {
		if _, err := os.Stat(filepath.Join(opts.Dir, name)); err != nil {
			t.Errorf("%s not written after cancellation: %v", name, err)
		}
	}
}

func TestWriteNoPDF(t *testing.T) {
	results, rub := fixture()
	opts := testOptions(t, rub)
	opts.NoPDF = true
	sum, err := write(t.Context(), results, opts, func(io.Writer, *evaluate.Result, PDFOptions) error {
		t.Error("renderer called with NoPDF")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listFiles(t, opts.Dir), []string{"report.xlsx", "results.jsonl"}; !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	if sum.Counts.PDFs != 0 {
		t.Errorf("PDFs: got %d, want 0", sum.Counts.PDFs)
	}
}

func TestWriteFailsWhenDirIsAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	results, rub := fixture()
	_, err := write(t.Context(), results, Options{Dir: p, Rubric: rub}, fakePDF)
	if err == nil {
		t.Fatal("got no error writing into a regular file")
	}
}

func TestCohortMeans(t *testing.T) {
	results, _ := fixture()
	got := CohortMeans(results)
	// scope levels of the scored rows: 3,1,2,4,0,2,3,2 → 17/8
	if got["scope"] != 17.0/8 {
		t.Errorf("scope mean: got %v, want %v", got["scope"], 17.0/8)
	}
	if len(got) != 6 {
		t.Errorf("got %d criteria, want 6", len(got))
	}
	if CohortMeans(results[1:2]) != nil {
		t.Error("means of no scored row: want nil")
	}
}

func TestWriteEmptyBatch(t *testing.T) {
	opts := testOptions(t, fixtureRubric())
	sum, err := write(t.Context(), nil, opts, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts != (Counts{}) {
		t.Errorf("counts: got %+v, want zero", sum.Counts)
	}
	if got, want := listFiles(t, opts.Dir), []string{"report.xlsx", "results.jsonl"}; !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	b, _ := os.ReadFile(filepath.Join(opts.Dir, ResultsFile))
	if len(b) != 0 {
		t.Errorf("results.jsonl: got %q, want empty", b)
	}
}
