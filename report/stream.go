package report

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// Writer writes the outputs of a batch while its results arrive, in input
// order, so that a batch of any size is written in bounded memory: each
// result is rendered to its PDF (concurrently, at most Options.Jobs at a
// time), then written as its results.jsonl line and its workbook rows, and
// dropped. results.jsonl and report.xlsx are renamed into place by Close;
// see [Write] for the incremental and atomic behaviour, which is the same.
//
// PDFs show the cohort's average levels, and their file numbers have the
// batch's width, so with PDFs the caller must know the whole batch first:
// Options.CohortMeans (see [MeanLevels]) and Options.BatchSize. A caller
// streaming a batch from its input reads it twice: once to score it and
// collect those, once to write.
//
// A Writer is used from one goroutine: Add, then Close.
type Writer struct {
	ctx    context.Context
	opts   Options
	d      *outDir
	sum    *Summary
	render pdfFunc

	jsonl *pendingFile
	jw    *jsonlWriter
	wb    *wb
	// The JSONL lines and the workbook rows are written by two goroutines
	// (writeRows), fed in input order.
	toJSONL, toWB chan *pendingRow
	rowsDone      sync.WaitGroup
	jsonlErr      error // set by the JSONL goroutine, read after rowsDone
	wbErr         error // set by the workbook goroutine, read after rowsDone
	jsonlSecs     float64
	wbSecs        float64
	failed        atomic.Bool

	// PDFs.
	pdf    bool
	lazy   *outDir // d without per-file fsync, for the PDFs
	popts  PDFOptions
	hasher *pdfHasher
	prev   map[string]string // PDF → hash, from earlier runs
	state  map[string]string // PDF → hash, this run
	jr     *journal
	namer  *pdfNamer
	keep   map[string]bool // PDF paths given (kept by pruneFeedback)
	sem    chan struct{}   // bounds concurrent rendering
	window int             // rows held waiting for their PDF
	queue  []*pendingRow   // rows in input order, waiting to be written
	mu     sync.Mutex      // guards renderSecs
	// renderSecs is the time spent rendering PDFs, summed over workers.
	renderSecs float64

	// keepRows fills Summary.PDF and PDFErrors, for [Write].
	keepRows bool
	err      error // the first fatal error
}

// pendingRow is a result waiting for its PDF.
type pendingRow struct {
	res    evaluate.Result
	name   string        // its PDF, or ""
	pdf    string        // its PDF, once written or reused
	done   chan struct{} // closed when the PDF is written, reused or failed
	hash   string
	reused bool
	err    error
}

// PDFFailure is a scored row whose PDF could not be written.
type PDFFailure struct {
	Row string // Story.Ref
	Err error
}

// NewWriter opens opts.Dir (creating it, mode 0700) and starts writing
// results.jsonl and report.xlsx there.
func NewWriter(ctx context.Context, opts Options) (*Writer, error) {
	return newWriter(ctx, opts, PDF)
}

func newWriter(ctx context.Context, opts Options, render pdfFunc) (_ *Writer, err error) {
	d, err := openOutDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	w := &Writer{ctx: ctx, opts: opts, d: d, sum: &Summary{}, render: render, pdf: !opts.NoPDF}
	defer func() {
		if err != nil {
			w.abort()
			err = fmt.Errorf("report: %w", err)
		}
	}()
	if w.jsonl, err = d.create(ResultsFile); err != nil {
		return nil, err
	}
	w.jw = newJSONLWriter(w.jsonl)
	if w.wb, err = newWorkbook(opts, w.sum); err != nil {
		return nil, err
	}
	w.toJSONL, w.toWB = make(chan *pendingRow, 256), make(chan *pendingRow, 256)
	w.rowsDone.Add(2)
	go w.writeRows(w.toJSONL, &w.jsonlErr, &w.jsonlSecs, func(p *pendingRow) error {
		return w.jw.write(&p.res, p.pdf, p.err)
	})
	go w.writeRows(w.toWB, &w.wbErr, &w.wbSecs, func(p *pendingRow) error {
		return w.wb.add(&p.res, p.pdf, p.err)
	})
	if !w.pdf {
		return w, nil
	}
	if err := d.mkdir(feedbackDir); err != nil {
		return nil, err
	}
	w.popts = PDFOptions{
		Rubric:      opts.Rubric,
		CohortMeans: roundMeans(opts.CohortMeans),
		Date:        opts.Date,
		Version:     opts.Version,
		Brand:       opts.Brand,
	}
	if w.hasher, err = newPDFHasher(w.popts, opts.BuildID); err != nil {
		return nil, err
	}
	w.prev = map[string]string{}
	if !opts.Force {
		w.prev = loadState(d)
	}
	if w.jr, err = openJournal(d); err != nil {
		return nil, fmt.Errorf("%s: %w", d.path, err)
	}
	// PDFs are renamed into place whole but not synced one by one; one
	// syncfs makes them durable before results.jsonl names them.
	lazy := *d
	lazy.lazy = true
	w.lazy = &lazy
	w.state = map[string]string{}
	w.namer = newPDFNamer(opts.BatchSize)
	w.keep = map[string]bool{}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	w.sem = make(chan struct{}, jobs)
	w.window = 4 * jobs
	return w, nil
}

// Add takes the next result, in input order. It may block while earlier
// PDFs are rendered. An error is an I/O failure of results.jsonl or the
// workbook: the Writer is then finished (Close returns the error too).
func (w *Writer) Add(r *evaluate.Result) error {
	if w.err != nil {
		return w.err
	}
	p := &pendingRow{res: *r, done: make(chan struct{})}
	if w.pdf && r.Scored() {
		p.name = w.pdfName(&p.res)
		w.queue = append(w.queue, p)
		if err := w.ctx.Err(); err != nil {
			p.err = err
			close(p.done)
		} else {
			// Write what is ready while waiting for a rendering slot.
			for {
				if err := w.drain(false); err != nil {
					return err
				}
				select {
				case w.sem <- struct{}{}:
				case <-w.queue[0].done:
					continue
				}
				break
			}
			go w.renderRow(p)
		}
	} else {
		close(p.done)
		w.queue = append(w.queue, p)
	}
	if len(w.queue) >= w.window {
		return w.drain(true)
	}
	return w.drain(false)
}

// drain writes the rows at the head of the queue whose PDF is done; with
// wait, it waits for the first one.
func (w *Writer) drain(wait bool) error {
	for len(w.queue) > 0 {
		p := w.queue[0]
		if wait {
			<-p.done
			wait = false
		}
		select {
		case <-p.done:
		default:
			return nil
		}
		w.queue[0] = nil
		w.queue = w.queue[1:]
		if err := w.sink(p); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// pdfName returns the PDF path of r (see pdfNames).
func (w *Writer) pdfName(r *evaluate.Result) string {
	p := w.namer.name(r)
	w.keep[p] = true
	return p
}

// renderRow writes p's PDF, unless the same content is already there, and
// frees its rendering slot.
func (w *Writer) renderRow(p *pendingRow) {
	t0 := time.Now()
	defer func() {
		<-w.sem
		w.mu.Lock()
		w.renderSecs += time.Since(t0).Seconds()
		w.mu.Unlock()
		if w.opts.Progress != nil {
			w.opts.Progress()
		}
		close(p.done)
	}()
	if err := w.ctx.Err(); err != nil {
		p.err = err
		return
	}
	h, err := w.hasher.hash(p.name, &p.res)
	if err != nil {
		p.err = err
		return
	}
	if w.prev[p.name] == h {
		if fi, err := w.d.root.Stat(p.name); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			p.hash, p.reused = h, true
			return
		}
	}
	p.err = w.lazy.writeFile(p.name, func(out io.Writer) error {
		return safeRender(w.render, out, &p.res, w.popts)
	})
	if p.err == nil {
		p.hash = h
		// A lost journal line only costs a re-render next time.
		_ = w.jr.record(p.name, h)
	}
}

// sink writes one finished row: its JSONL line and workbook rows.
func (w *Writer) sink(p *pendingRow) error {
	r := &p.res
	c := &w.sum.Counts
	c.Read++
	var pdf string
	switch {
	case !r.Scored():
		c.Rejected++
	default:
		c.Scored++
		if r.Flagged() {
			c.Flagged++
		}
	}
	if p.name != "" {
		if p.err != nil {
			w.sum.PDFFailed++
			w.sum.PDFFailures = append(w.sum.PDFFailures, PDFFailure{Row: r.Story.Ref, Err: p.err})
		} else {
			pdf = p.name
			c.PDFs++
			if p.reused {
				c.PDFsReused++
			}
			w.state[p.name] = p.hash
			w.sum.Files = append(w.sum.Files, p.name)
		}
	}
	if w.keepRows {
		w.sum.PDF = append(w.sum.PDF, pdf)
		w.sum.PDFErrors = append(w.sum.PDFErrors, p.err)
	}
	if w.failed.Load() {
		return w.stopRows()
	}
	p.pdf = pdf
	w.toJSONL <- p
	w.toWB <- p
	return nil
}

// writeRows writes each row of in with write, until in is closed; after a
// failure it drains in and keeps the first error in *errp.
func (w *Writer) writeRows(in <-chan *pendingRow, errp *error, secs *float64, write func(*pendingRow) error) {
	defer w.rowsDone.Done()
	for p := range in {
		if *errp != nil {
			continue
		}
		t0 := time.Now()
		err := write(p)
		*secs += time.Since(t0).Seconds()
		if err != nil {
			*errp = err
			w.failed.Store(true)
		}
	}
}

// stopRows ends the row goroutines and returns their first error.
func (w *Writer) stopRows() error {
	if w.toJSONL != nil {
		close(w.toJSONL)
		close(w.toWB)
		w.toJSONL, w.toWB = nil, nil
		w.rowsDone.Wait()
	}
	switch {
	case w.jsonlErr != nil:
		return fmt.Errorf("report: %s: write %s: %w", w.d.path, ResultsFile, w.jsonlErr)
	case w.wbErr != nil:
		return fmt.Errorf("report: %s: write %s: %w", w.d.path, WorkbookFile, w.wbErr)
	}
	return nil
}

// Close waits for the PDFs still being rendered, writes the rest of the
// outputs and renames results.jsonl and report.xlsx into place. After a
// complete run the PDFs of rows that are gone are removed and the state
// file is rewritten; after a cancelled one nothing is removed and the state
// keeps every finished PDF, so that the next run resumes. The summary is
// returned with ctx's error if ctx was cancelled; any other error is fatal.
func (w *Writer) Close() (*Summary, error) {
	if w.err == nil {
		w.err = w.drain(true)
		for w.err == nil && len(w.queue) > 0 {
			w.err = w.drain(true)
		}
	}
	if err := w.stopRows(); w.err == nil {
		w.err = err
	}
	if w.err != nil {
		// Wait for rendering goroutines before removing anything.
		for _, p := range w.queue {
			<-p.done
		}
		w.abort()
		return nil, w.err
	}
	defer w.abort() // closes what is left open
	sum := w.sum
	if w.pdf {
		if err := w.finishPDFs(); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		sum.Stages = append(sum.Stages, Stage{Name: "pdf", Seconds: w.renderSecs})
	}
	sum.Stages = append(sum.Stages, Stage{Name: "jsonl", Seconds: w.jsonlSecs})
	if err := w.jsonl.commit(); err != nil {
		return nil, fmt.Errorf("report: %s: %w", w.d.path, err)
	}
	t0 := time.Now()
	if err := w.d.writeFile(WorkbookFile, w.wb.write); err != nil {
		return nil, fmt.Errorf("report: %s: %w", w.d.path, err)
	}
	sum.Stages = append(sum.Stages, Stage{Name: "workbook", Seconds: w.wbSecs + time.Since(t0).Seconds()})
	sum.Files = append([]string{ResultsFile, WorkbookFile}, sum.Files...)
	return sum, w.ctx.Err()
}

// finishPDFs makes the PDFs durable, removes those of rows that are gone
// (after a complete run) and saves the state.
func (w *Writer) finishPDFs() error {
	d := w.d
	if err := d.syncAll(); err != nil {
		return fmt.Errorf("%s: sync: %w", d.path, err)
	}
	if w.ctx.Err() != nil {
		// Interrupted: keep what an earlier run rendered for rows not
		// reached, remove nothing.
		for n, h := range w.prev {
			if _, ok := w.state[n]; !ok {
				w.state[n] = h
			}
		}
	} else {
		removed, err := pruneFeedback(d, w.keep)
		w.sum.Removed = removed
		if err != nil {
			return fmt.Errorf("%s: %w", d.path, err)
		}
	}
	if err := saveState(d, w.state); err != nil {
		return fmt.Errorf("%s: %w", d.path, err)
	}
	return nil
}

// Abort stops writing: it waits for the PDFs being rendered and removes the
// unfinished results.jsonl and report.xlsx (the earlier ones, if any, stay).
// The PDFs written are kept and journalled, so that a later run reuses them.
func (w *Writer) Abort() {
	for _, p := range w.queue {
		<-p.done
	}
	w.queue = nil
	w.abort()
}

// abort releases everything still open; unfinished outputs are removed.
func (w *Writer) abort() {
	_ = w.stopRows()
	if w.jsonl != nil {
		w.jsonl.abort()
	}
	if w.wb != nil {
		w.wb.close()
		w.wb = nil
	}
	if w.jr != nil {
		w.jr.Close()
		w.jr = nil
	}
	if w.d != nil {
		w.d.Close()
		w.d = nil
	}
}

// MeanLevels accumulates each criterion's mean level over scored results:
// the cohort averages a [Writer] draws on the PDFs. The zero value is ready
// to use.
type MeanLevels struct {
	sum map[string]float64
	n   map[string]int
}

// Add counts r if it was scored.
func (m *MeanLevels) Add(r *evaluate.Result) {
	if !r.Scored() {
		return
	}
	if m.sum == nil {
		m.sum, m.n = map[string]float64{}, map[string]int{}
	}
	for _, s := range r.Scores {
		m.sum[s.ID] += float64(s.Level)
		m.n[s.ID]++
	}
}

// Means returns the mean level by criterion id; nil when nothing was scored.
func (m *MeanLevels) Means() map[string]float64 {
	if len(m.n) == 0 {
		return nil
	}
	out := make(map[string]float64, len(m.n))
	for id, k := range m.n {
		out[id] = m.sum[id] / float64(k)
	}
	return out
}
