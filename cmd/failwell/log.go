package main

import (
	"encoding/json"
	"fmt"
	"io"
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

// progress counts finished stories and logs a line every few seconds.
type progress struct {
	log   *logger
	total int
	done  atomic.Int64
	start time.Time
	quit  chan struct{}
	wg    sync.WaitGroup
}

var _ evaluate.Progress = (*progress)(nil)

func newProgress(log *logger, total int) *progress {
	p := &progress{log: log, total: total, start: time.Now(), quit: make(chan struct{})}
	if log.quiet {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				n := p.done.Load()
				rate := float64(n) / time.Since(p.start).Seconds()
				p.log.printf("scored %d/%d (%.0f rows/s)", n, p.total, rate)
			}
		}
	}()
	return p
}

// Done implements evaluate.Progress.
func (p *progress) Done(*evaluate.Result) { p.done.Add(1) }

func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
}
