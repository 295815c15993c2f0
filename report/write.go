package report

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"golang.org/x/sync/errgroup"

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
	// PDF is parallel to the results given to Write: each row's PDF path
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
	d, err := openOutDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer d.Close()

	sum := &Summary{
		PDF:       make([]string, len(results)),
		PDFErrors: make([]error, len(results)),
	}
	sum.Counts = countResults(results)

	if !opts.NoPDF && sum.Counts.Scored > 0 {
		t0 := time.Now()
		if err := writeAllPDFs(ctx, d, results, opts, render, sum); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		sum.Stages = append(sum.Stages, Stage{Name: "pdf", Seconds: time.Since(t0).Seconds()})
	}

	// results.jsonl and report.xlsx are written at the same time: the
	// workbook keeps one core busy, the JSONL another.
	var jsonlErr error
	var jsonlSecs float64
	jsonlDone := make(chan struct{})
	go func() {
		defer close(jsonlDone)
		t0 := time.Now()
		jsonlErr = d.writeFile(ResultsFile, func(w io.Writer) error {
			return JSONL(w, results, sum.PDF, sum.PDFErrors)
		})
		jsonlSecs = time.Since(t0).Seconds()
	}()
	t0 := time.Now()
	wbErr := d.writeFile(WorkbookFile, func(w io.Writer) error {
		return writeWorkbook(w, results, opts, sum)
	})
	wbSecs := time.Since(t0).Seconds()
	<-jsonlDone
	if jsonlErr != nil {
		return nil, fmt.Errorf("report: %s: %w", d.path, jsonlErr)
	}
	if wbErr != nil {
		return nil, fmt.Errorf("report: %s: %w", d.path, wbErr)
	}
	sum.Files = append(sum.Files, ResultsFile, WorkbookFile)
	sum.Stages = append(sum.Stages, Stage{Name: "jsonl", Seconds: jsonlSecs}, Stage{Name: "workbook", Seconds: wbSecs})
	for _, p := range sum.PDF {
		if p != "" {
			sum.Files = append(sum.Files, p)
		}
	}
	return sum, ctx.Err()
}

// writeAllPDFs writes the PDF of every scored result into d's feedback
// directory, reusing each PDF whose content hash is unchanged since an
// earlier run (unless opts.Force), and records each row's PDF or failure in
// sum. After a complete run the PDFs of rows that are gone are removed and
// the state file is rewritten; after a cancelled one nothing is removed
// and the state keeps every finished PDF, so that the next run resumes.
func writeAllPDFs(ctx context.Context, d *outDir, results []evaluate.Result, opts Options, render pdfFunc, sum *Summary) error {
	if err := d.mkdir(feedbackDir); err != nil {
		return err
	}
	names := pdfNamesFor(results, opts.BatchSize)
	popts := PDFOptions{
		Rubric:      opts.Rubric,
		CohortMeans: roundMeans(CohortMeans(results)),
		Date:        opts.Date,
		Version:     opts.Version,
		Brand:       opts.Brand,
	}
	hasher, err := newPDFHasher(popts, opts.BuildID)
	if err != nil {
		return err
	}
	prev := map[string]string{}
	if !opts.Force {
		prev = loadState(d)
	}
	jr, err := openJournal(d)
	if err != nil {
		return fmt.Errorf("%s: %w", d.path, err)
	}
	defer jr.Close()
	// PDFs are renamed into place whole but not synced one by one; one
	// syncfs makes them durable before results.jsonl names them.
	lazy := *d
	lazy.lazy = true
	run := &pdfRun{d: &lazy, results: results, names: names, popts: popts, render: render,
		errs: sum.PDFErrors, step: opts.Progress, hasher: hasher, prev: prev, jr: jr,
		hashes: make([]string, len(results)), reused: make([]bool, len(results))}
	if err := run.all(ctx, opts.Jobs); err != nil {
		return err
	}
	if err := d.syncAll(); err != nil {
		return fmt.Errorf("%s: sync: %w", d.path, err)
	}
	state := map[string]string{}
	keep := map[string]bool{}
	for i, n := range names {
		if n == "" {
			continue
		}
		keep[n] = true
		if sum.PDFErrors[i] != nil {
			sum.PDFFailed++
			continue
		}
		sum.PDF[i] = n
		sum.Counts.PDFs++
		if run.reused[i] {
			sum.Counts.PDFsReused++
		}
		state[n] = run.hashes[i]
	}
	if ctx.Err() != nil {
		// Interrupted: keep what an earlier run rendered for rows not
		// reached, remove nothing.
		for n, h := range prev {
			if _, ok := state[n]; !ok {
				state[n] = h
			}
		}
	} else {
		removed, err := pruneFeedback(d, keep)
		sum.Removed = removed
		if err != nil {
			return fmt.Errorf("%s: %w", d.path, err)
		}
	}
	if err := saveState(d, state); err != nil {
		return fmt.Errorf("%s: %w", d.path, err)
	}
	return nil
}

// pdfRun renders the PDFs of one Write.
type pdfRun struct {
	d       *outDir
	results []evaluate.Result
	names   []string // parallel to results; "" for no PDF
	popts   PDFOptions
	render  pdfFunc
	errs    []error // out: each row's failure
	step    func()  // progress, or nil
	hasher  *pdfHasher
	prev    map[string]string // PDF → hash, from earlier runs
	jr      *journal
	hashes  []string // out: the hash of each PDF written or reused
	reused  []bool   // out: the PDF was already there
}

// all renders every PDF, at most jobs at a time, recording each row's
// failure in r.errs. A cancelled context leaves the rows not reached with
// the context error.
func (r *pdfRun) all(ctx context.Context, jobs int) error {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i := range r.results {
		if r.names[i] == "" {
			continue
		}
		if err := gctx.Err(); err != nil {
			r.errs[i] = err
			continue
		}
		g.Go(func() error {
			r.one(gctx, i)
			if r.step != nil {
				r.step()
			}
			return nil
		})
	}
	return g.Wait()
}

// one writes the PDF of row i, unless the same content is already there.
func (r *pdfRun) one(ctx context.Context, i int) {
	if err := ctx.Err(); err != nil {
		r.errs[i] = err
		return
	}
	name, res := r.names[i], &r.results[i]
	h, err := r.hasher.hash(name, res)
	if err != nil {
		r.errs[i] = err
		return
	}
	if r.prev[name] == h {
		if fi, err := r.d.root.Stat(name); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			r.hashes[i], r.reused[i] = h, true
			return
		}
	}
	r.errs[i] = r.d.writeFile(name, func(w io.Writer) error {
		return safeRender(r.render, w, res, r.popts)
	})
	if r.errs[i] == nil {
		r.hashes[i] = h
		// A lost journal line only costs a re-render next time.
		_ = r.jr.record(name, h)
	}
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
