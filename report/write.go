package report

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// File names written by [Write], relative to the output directory.
const (
	ResultsFile  = "results.jsonl"
	WorkbookFile = "report.xlsx"
	RunFile      = "run.json"
	feedbackDir  = "feedback"
)

// Summary is what [Write] did.
type Summary struct {
	// Counts are the row counts (Read = Scored + Rejected) and the number of
	// PDFs written.
	Counts Counts
	// PDF is parallel to the results given to Write (nil from a [Writer]): each row's PDF path
	// relative to the output directory ("feedback/012-zoe-hartmann.pdf"),
	// or "" when the row has none (rejected, --no-pdf, or rendering failed).
	PDF []string
	// PDFErrors is parallel to the results: why a scored row's PDF could not
	// be written (a rendering error, a recovered panic, or cancellation).
	PDFErrors []error
	// PDFFailed counts the non-nil PDFErrors.
	PDFFailed int
	// Files lists every file written, relative to the output directory.
	Files []string
	// Stages are the durations of Write's stages: "pdf" (when PDFs were
	// written), "jsonl" and "workbook".
	Stages []Stage
	// Removed lists the PDFs of an earlier run that were removed because
	// their rows are gone (or now have another file name).
	Removed []string
	// PDFFailures lists the scored rows whose PDF could not be written, in
	// input order.
	PDFFailures []PDFFailure
}

// pdfFunc renders one candidate's PDF; [PDF] in production.
type pdfFunc func(w io.Writer, res *evaluate.Result, opts PDFOptions) error

// Write writes the outputs of a batch into opts.Dir, creating it (mode 0700)
// if needed: one PDF per scored result in feedback/ (unless opts.NoPDF),
// results.jsonl and report.xlsx. run.json is written separately by
// [WriteRun] once the exit status is known.
//
// Runs are incremental: for every PDF, Write records in opts.Dir a content
// hash of what it was rendered from (the result, rubric, version, date,
// brand and the cohort averages as drawn, to 0.05 of a level), and a later
// Write into the same directory keeps each PDF whose hash is unchanged
// (Counts.PDFsReused), renders the others, and removes the PDFs of rows
// that are gone (Summary.Removed); opts.Force renders everything. Each
// finished PDF is journalled at once, so that a run killed at any point
// (kill -9 included) is resumed by the next one without redoing it.
// results.jsonl and report.xlsx are always written whole.
//
// Every file is written atomically (temporary file in the same directory,
// fsync, rename) with mode 0600, and only inside opts.Dir. PDFs are rendered
// concurrently, at most opts.Jobs at a time; a PDF that fails or panics is
// recorded for its row (in the Summary, results.jsonl and the workbook) and
// the others go on. If ctx is cancelled, Write stops rendering PDFs (rows
// left without one record the context error), still writes results.jsonl and
// report.xlsx so that no scored row is lost, and returns the summary with
// ctx's error. Any other error is an I/O failure and is fatal.
func Write(ctx context.Context, results []evaluate.Result, opts Options) (*Summary, error) {
	return write(ctx, results, opts, PDF)
}

func write(ctx context.Context, results []evaluate.Result, opts Options, render pdfFunc) (*Summary, error) {
	if !opts.NoPDF {
		if opts.CohortMeans == nil {
			opts.CohortMeans = CohortMeans(results)
		}
		for i := range results {
			opts.BatchSize = max(opts.BatchSize, len(results), results[i].Story.Index+1)
		}
	}
	w, err := newWriter(ctx, opts, render)
	if err != nil {
		return nil, err
	}
	w.keepRows = true
	for i := range results {
		if err := w.Add(&results[i]); err != nil {
			_, _ = w.Close()
			return nil, err
		}
	}
	return w.Close()
}

// RenderPanicError is a panic recovered while rendering one PDF.
type RenderPanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

func (e *RenderPanicError) Error() string {
	return fmt.Sprintf("internal error while rendering the PDF: %v", e.Value)
}

// safeRender calls render, turning a panic into a *RenderPanicError.
func safeRender(render pdfFunc, w io.Writer, r *evaluate.Result, o PDFOptions) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &RenderPanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return render(w, r, o)
}

// countResults counts read, scored, rejected and flagged rows.
func countResults(results []evaluate.Result) Counts {
	c := Counts{Read: len(results)}
	for i := range results {
		if results[i].Scored() {
			c.Scored++
			if results[i].Flagged() {
				c.Flagged++
			}
		} else {
			c.Rejected++
		}
	}
	return c
}

// CohortMeans returns each criterion's mean level (0..4) over the scored
// results, keyed by criterion id; nil when nothing was scored.
func CohortMeans(results []evaluate.Result) map[string]float64 {
	sum := map[string]float64{}
	n := map[string]int{}
	for i := range results {
		if !results[i].Scored() {
			continue
		}
		for _, s := range results[i].Scores {
			sum[s.ID] += float64(s.Level)
			n[s.ID]++
		}
	}
	if len(n) == 0 {
		return nil
	}
	means := make(map[string]float64, len(n))
	for id, k := range n {
		means[id] = sum[id] / float64(k)
	}
	return means
}

// date formats t's calendar date as YYYY-MM-DD ("" for the zero time).
func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// finite returns x, or 0 when x is NaN or infinite (which JSON and XLSX
// cannot hold).
func finiteOr0(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
