package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// logger prints diagnostics to stderr as text or JSON lines. Progress and
// informational lines are suppressed by --quiet; errors never are.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	json  bool
	quiet bool
}

func newLogger(w io.Writer, format string, quiet bool) *logger {
	return &logger{w: w, json: format == "json", quiet: quiet}
}

func (l *logger) printf(format string, args ...any) {
	if l.quiet {
		return
	}
	l.emit("info", fmt.Sprintf(format, args...))
}

func (l *logger) errorf(format string, args ...any) {
	l.emit("error", fmt.Sprintf(format, args...))
}

// raw writes s as it is (the progress bar), unless quiet.
func (l *logger) raw(s string) {
	if l.quiet {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, s)
}

// fields writes one JSON line with msg and extra fields (JSON format only),
// unless quiet.
func (l *logger) fields(level, msg string, extra map[string]any) {
	if l.quiet {
		return
	}
	rec := map[string]any{"time": time.Now().UTC().Format(time.RFC3339), "level": level, "msg": msg}
	maps.Copy(rec, extra)
	b, _ := json.Marshal(rec)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s\n", b)
}

func (l *logger) emit(level, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.json {
		b, _ := json.Marshal(struct {
			Time  string `json:"time"`
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}{time.Now().UTC().Format(time.RFC3339), level, msg})
		fmt.Fprintf(l.w, "%s\n", b)
		return
	}
	prefix := "failwell: "
	if level == "error" {
		prefix = "failwell: error: "
	}
	fmt.Fprintf(l.w, "%s%s\n", prefix, msg)
}

// progress shows how a long stage is going. On a terminal it draws a bar
// on stderr (stage, rows done, rows/s, ETA), redrawn a few times a second
// and cleared at the end; otherwise (a log file, a scheduler) it logs a line
// every logEvery, as text or JSON. --quiet shows nothing.
type progress struct {
	log   *logger
	tty   bool // draw a bar instead of log lines
	every time.Duration

	mu    sync.Mutex // guards stage, total, start
	stage string
	total int
	start time.Time
	done  atomic.Int64

	quit chan struct{}
	wg   sync.WaitGroup
}

var _ evaluate.Progress = (*progress)(nil)

// logEvery is how often progress is logged when stderr is not a terminal.
const logEvery = 5 * time.Second

// newProgress starts showing the progress of stage over total rows (-1:
// not known yet).
func newProgress(log *logger, stage string, total int) *progress {
	p := &progress{log: log, stage: stage, total: total, start: time.Now(), quit: make(chan struct{}),
		tty: !log.json && isTerminal(log.w), every: logEvery}
	if p.tty {
		p.every = 200 * time.Millisecond
	}
	if log.quiet {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				if p.tty {
					p.log.raw("\r\x1b[K")
				}
				return
			case <-t.C:
				p.show()
			}
		}
	}()
	return p
}

// isTerminal reports whether w is a character device (a terminal) and
// TERM does not say it cannot move the cursor.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// setStage starts counting a new stage of total rows.
func (p *progress) setStage(stage string, total int) {
	p.mu.Lock()
	p.stage, p.total, p.start = stage, total, time.Now()
	p.done.Store(0)
	p.mu.Unlock()
}

// grow adds n rows to the stage's total, as the input reveals them (a
// total of -1, not known, becomes n).
func (p *progress) grow(n int) {
	p.mu.Lock()
	p.total = max(p.total, 0) + n
	p.mu.Unlock()
}

// Done implements evaluate.Progress.
func (p *progress) Done(*evaluate.Result) { p.done.Add(1) }

// step counts one finished row of the current stage.
func (p *progress) step() { p.done.Add(1) }

// show draws the bar or logs a line.
func (p *progress) show() {
	p.mu.Lock()
	stage, total, start := p.stage, p.total, p.start
	p.mu.Unlock()
	n := int(p.done.Load())
	el := time.Since(start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(n) / el
	}
	// total may be an upper bound (blank rows are counted): never below n.
	if total >= 0 && total < n {
		total = n
	}
	eta := -1.0
	if rate > 0 && total >= n {
		eta = float64(total-n) / rate
	}
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(n) / float64(total)
	}
	switch {
	case total == 0:
		return // a stage with nothing to count
	case total < 0: // the number of rows is not known yet
		switch {
		case p.tty:
			p.log.raw(fmt.Sprintf("\r\x1b[K%-6s %d rows  %.0f rows/s", stage, n, rate))
		case p.log.json:
			p.log.fields("info", "progress", map[string]any{"stage": stage, "done": n, "rows_per_s": math.Round(rate*10) / 10})
		default:
			p.log.printf("%s: %d rows, %.0f rows/s", stage, n, rate)
		}
	case p.tty:
		const width = 24
		fill := int(pct / 100 * width)
		bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
		p.log.raw(fmt.Sprintf("\r\x1b[K%-6s %s %3.0f%% %d/%d  %.0f rows/s  ETA %s", stage, bar, pct, n, total, rate, fmtETA(eta)))
	case p.log.json:
		p.log.fields("info", "progress", map[string]any{"stage": stage, "done": n, "total": total,
			"rows_per_s": math.Round(rate*10) / 10, "eta_s": math.Round(eta)})
	default:
		p.log.printf("%s: %d/%d rows (%.0f%%), %.0f rows/s, ETA %s", stage, n, total, pct, rate, fmtETA(eta))
	}
}

// fmtETA formats seconds as m:ss or h:mm:ss; "?" when unknown.
func fmtETA(s float64) string {
	if s < 0 {
		return "?"
	}
	d := time.Duration(s+0.5) * time.Second
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
}
