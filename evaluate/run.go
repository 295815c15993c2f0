package evaluate

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"
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

	// wholeBatchDups makes RunStream skip its streaming near-duplicate
	// check, for [Run], which compares the whole batch afterwards.
	wholeBatchDups bool
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
// near-duplicates, naming the other row (both copies are flagged, unlike in
// [RunStream], which sees only the stories before).
//
// If ctx is cancelled Run stops promptly and returns ctx's error together with
// the results: stories that were not scored carry the context error.
func Run(ctx context.Context, sc Scorer, stories []Story, opts Options) ([]Result, error) {
	results := make([]Result, 0, len(stories))
	opts.wholeBatchDups = true
	err := RunStream(ctx, sc, slices.Values(stories), opts, func(r *Result) error {
		results = append(results, *r)
		return nil
	})
	if err != nil {
		for i := len(results); i < len(stories); i++ {
			ref := stories[i].Submitted
			if ref.IsZero() {
				ref = opts.AsOf
			}
			results = append(results, Result{Story: stories[i], Ref: ref, Err: err})
		}
		return results, err
	}
	flagNearDuplicates(results)
	return results, nil
}

// RunStream scores the stories of in with sc, at most opts.Jobs at a time,
// and calls emit once per story, in input order, from the calling goroutine.
// At most a small window of stories (a few per job) is in flight or waiting
// for an earlier one, so memory does not grow with the batch: in is read
// only as fast as results are emitted, and emit may keep or drop each
// result (the pointer is valid only during the call).
//
// A story that ingest rejected passes through with its rejection as
// Result.Err; a story whose scoring fails or panics gets that error and the
// batch goes on. Each scored story is compared with the scored stories
// before it, and flagged "near-duplicate" (naming the earlier row) when most
// of its word sequences appear there (a MinHash sketch per story keeps
// this in bounded memory).
//
// If emit returns an error, RunStream stops and returns it. If ctx is
// cancelled, RunStream stops reading in, emits the stories already read
// (those not scored carry the context error) and returns ctx's error.
func RunStream(ctx context.Context, sc Scorer, in iter.Seq[Story], opts Options, emit func(*Result) error) error {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	type done struct {
		seq int
		res Result
		sig *[sigSize]uint32 // for the near-duplicate check
	}
	window := 4 * jobs
	slots := make(chan struct{}, window) // stories read but not yet emitted
	work := make(chan struct{}, jobs)    // stories being scored
	out := make(chan done, window)
	stop := make(chan struct{}) // closed when the consumer gives up
	var wg sync.WaitGroup
	go func() {
		defer func() {
			wg.Wait()
			close(out)
		}()
		seq := 0
		for s := range in {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			if ctx.Err() != nil {
				// Cancelled: pass this story through unscored and stop reading.
				out <- done{seq, scoreOne(ctx, sc, s, opts.AsOf), nil}
				return
			}
			work <- struct{}{}
			wg.Add(1)
			go func(seq int, s Story) {
				defer wg.Done()
				r := scoreOne(ctx, sc, s, opts.AsOf)
				var sig *[sigSize]uint32
				if !opts.wholeBatchDups {
					sig = sketch(&r)
				}
				<-work
				if opts.Progress != nil {
					opts.Progress.Done(&r)
				}
				out <- done{seq, r, sig}
			}(seq, s)
			seq++
		}
	}()
	dups := newMinHashIndex()
	pending := make(map[int]*done, window)
	next := 0
	var emitErr error
	for d := range out {
		if emitErr != nil {
			continue // drain, so that the producer and workers finish
		}
		pending[d.seq] = &d
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			r := &p.res
			dups.Check(r, p.sig)
			if err := emit(r); err != nil {
				emitErr = err
				close(stop)
				break
			}
			<-slots
		}
	}
	if emitErr != nil {
		return emitErr
	}
	return ctx.Err()
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
