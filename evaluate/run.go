package evaluate

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"golang.org/x/sync/errgroup"
)

// Scorer scores one story.
//
// Score returns an error only when the story cannot be scored at all; a weak
// or odd story is a low score or a flag, not an error. ref is the reference
// date for recency (the submission date, or the batch's as-of date).
// Implementations must be safe for concurrent use.
type Scorer interface {
	Score(ctx context.Context, s Story, ref time.Time) (Result, error)
}

// Progress receives one call per finished story, from worker goroutines:
// implementations must be safe for concurrent use and must not block long.
type Progress interface {
	Done(r *Result)
}

// Options configure [Run].
type Options struct {
	// Jobs bounds how many stories are scored at once; <= 0 means GOMAXPROCS.
	Jobs int
	// AsOf is the reference date for stories without a submission date.
	AsOf time.Time
	// Progress, if non-nil, is told about every finished story.
	Progress Progress
}

// PanicError is a panic recovered while scoring one story.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error while scoring: %v", e.Value) }

// Run scores every story with sc, at most opts.Jobs at a time, and returns one
// result per story in input order. A story that ingest rejected passes through
// with its rejection as Result.Err; a story whose scoring fails or panics gets
// that error and the batch goes on.
//
// After scoring, Run compares the scored stories with each other and flags
// near-duplicates, naming the other row.
//
// If ctx is cancelled Run stops promptly and returns ctx's error together with
// the results: stories that were not scored carry the context error.
func Run(ctx context.Context, sc Scorer, stories []Story, opts Options) ([]Result, error) {
	results := make([]Result, len(stories))
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i := range stories {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			results[i] = scoreOne(gctx, sc, stories[i], opts.AsOf)
			if opts.Progress != nil {
				opts.Progress.Done(&results[i])
			}
			return nil
		})
	}
	_ = g.Wait() // workers never return errors: failures are per-row data
	if err := ctx.Err(); err != nil {
		for i := range results {
			if results[i].Scores == nil && results[i].Err == nil {
				results[i] = Result{Story: stories[i], Err: err}
			}
		}
		return results, err
	}
	flagNearDuplicates(results)
	return results, nil
}

// scoreOne scores s, turning a rejection, an error or a panic into Result.Err.
func scoreOne(ctx context.Context, sc Scorer, s Story, asOf time.Time) (res Result) {
	ref := s.Submitted
	if ref.IsZero() {
		ref = asOf
	}
	if s.Reject != nil {
		return Result{Story: s, Ref: ref, Err: s.Reject}
	}
	if err := ctx.Err(); err != nil {
		return Result{Story: s, Ref: ref, Err: err}
	}
	defer func() {
		if v := recover(); v != nil {
			res = Result{Story: s, Ref: ref, Err: &PanicError{Value: v, Stack: debug.Stack()}}
		}
	}()
	r, err := sc.Score(ctx, s, ref)
	if err != nil {
		return Result{Story: s, Ref: ref, Err: err}
	}
	r.Story = s
	r.Ref = ref
	return r
}
