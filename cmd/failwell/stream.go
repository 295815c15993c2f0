package main

import (
	"context"
	"iter"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/ingest"
	"github.com/failwell/failwell/report"
)

// source yields the stories of a run's inputs: streamed from the files
// (ingest.Stream), so that a batch is never held whole, except with --blind,
// whose pseudonyms depend on the whole batch. It can be read more than once
// (a run with PDFs reads it twice); rows outside --shard are skipped.
type source struct {
	s     *setup
	paths []string
	all   []evaluate.Story // --blind: the batch, blinded
	// planned, if set, is told each file's number of rows before its
	// first story (ingest.Options.Planned), for progress.
	planned func(rows int)

	// Set by each read:
	inputs []ingest.Input
	err    error         // fatal input errors, joined
	rows   int           // rows read, all shards
	busy   time.Duration // time spent reading (between yields)
}

func newSource(s *setup, paths []string) (*source, error) {
	src := &source{s: s, paths: paths}
	if s.cfg.Blind {
		stories, inputs, err := ingest.ReadFiles(paths, s.ingestOptions())
		if err != nil {
			return nil, asUsage(err)
		}
		if src.all, err = blindStories(s.cfg, stories); err != nil {
			return nil, err
		}
		src.inputs = inputs
	}
	return src, nil
}

// stories returns the stories of one read, in input order.
func (src *source) stories() iter.Seq[evaluate.Story] {
	k, n, _ := config.ParseShard(src.s.cfg.Shard)
	return func(yield func(evaluate.Story) bool) {
		src.rows, src.busy = 0, 0
		t := time.Now()
		each := func(st evaluate.Story) bool {
			src.rows++
			if n > 1 && evaluate.ShardOf(st.Ref, n) != k {
				return true
			}
			src.busy += time.Since(t)
			ok := yield(st)
			t = time.Now()
			return ok
		}
		if src.all != nil {
			for _, st := range src.all {
				if !each(st) {
					return
				}
			}
			src.busy += time.Since(t)
			return
		}
		opts := src.s.ingestOptions()
		if planned := src.planned; planned != nil {
			opts.Planned = func(rows int) {
				if n > 1 {
					rows = (rows + n - 1) / n // about this shard's share
				}
				planned(rows)
			}
		}
		src.inputs, src.err = ingest.Stream(src.paths, opts, each)
		src.busy += time.Since(t)
	}
}

// batch is one run of the pipeline input → scores → outputs.
type batch struct {
	s    *setup
	src  *source
	prog *progress
	log  *logger

	rejected []string // why each rejected row was rejected, in input order
}

// run scores the batch and writes its outputs. Without PDFs that is one
// pass: each result is written as it is scored. With PDFs, a first pass
// scores every row (keeping only the cohort's mean levels and the batch
// size, which every PDF shows), then a second pass reads and scores the
// input again, and renders and writes. Neither
// pass holds the batch. (Scoring is deterministic, and cheaper than storing
// and decoding the first pass's results.)
func (b *batch) run(ctx context.Context, info *report.RunInfo) (*report.Summary, error) {
	s := b.s
	t0 := time.Now()
	ropts := report.Options{
		Dir:     s.cfg.Out,
		Rubric:  s.rubric,
		Jobs:    s.cfg.Jobs,
		NoPDF:   s.cfg.NoPDF,
		Date:    s.asOf,
		Version: programVersion(),
		Brand:   report.Brand(s.cfg.Brand),
		Run:     info,
		Force:   s.cfg.Force,
		BuildID: buildID(),
	}
	eopts := evaluate.Options{Jobs: s.cfg.Jobs, AsOf: s.asOf, Progress: b.prog}
	// The first pass learns the number of rows as it reads each file.
	b.src.planned = b.prog.grow
	if b.src.all != nil {
		b.prog.grow(len(b.src.all))
	}
	var stages []report.Stage
	var firstRead []ingest.Input
	if !s.cfg.NoPDF {
		var means report.MeanLevels
		scored, maxIndex := 0, 0
		err := evaluate.RunStream(ctx, b.s.scorer, b.src.stories(), eopts, func(r *evaluate.Result) error {
			means.Add(r)
			if r.Scored() {
				scored++
			}
			maxIndex = max(maxIndex, r.Story.Index)
			return nil
		})
		if err != nil || b.src.err != nil {
			return nil, err
		}
		b.log.printf("scored %d of %d rows in %.1fs; writing %d PDFs", scored, b.src.rows, time.Since(t0).Seconds(), scored)
		stages = append(stages, report.Stage{Name: "ingest", Seconds: b.src.busy.Seconds()},
			report.Stage{Name: "score", Seconds: time.Since(t0).Seconds()})
		ropts.CohortMeans = means.Means()
		ropts.BatchSize = max(b.src.rows, maxIndex+1)
		ropts.Progress = b.prog.step
		eopts.Progress = nil
		b.src.planned = nil
		firstRead = b.src.inputs
		b.prog.setStage("pdf", scored)
	}
	t1 := time.Now()
	w, err := report.NewWriter(ctx, ropts)
	if err != nil {
		return nil, err
	}
	err = evaluate.RunStream(ctx, b.s.scorer, b.src.stories(), eopts, func(r *evaluate.Result) error {
		if !r.Scored() {
			b.rejected = append(b.rejected, describeErr(r))
		}
		return w.Add(r)
	})
	if firstRead != nil && !sameInputs(firstRead, b.src.inputs) {
		b.log.errorf("warning: an input file changed during the run; every row is scored as last read, " +
			"but the cohort averages on the PDFs are from the first read")
	}
	info.Inputs = info.Inputs[:0]
	for _, in := range b.src.inputs {
		info.Inputs = append(info.Inputs, report.InputInfo{Path: in.Path, SHA256: in.SHA256, Rows: in.Rows})
	}
	if err != nil || b.src.err != nil {
		// Interrupted, an input file could not be read (the caller reports
		// it), or an output failed: no results.jsonl or report.xlsx that
		// would miss rows. PDFs already written are journalled, so the next
		// run resumes.
		w.Abort()
		return nil, err
	}
	if s.cfg.NoPDF {
		stages = append(stages, report.Stage{Name: "ingest", Seconds: b.src.busy.Seconds()})
	}
	stages = append(stages, report.Stage{Name: "write", Seconds: time.Since(t1).Seconds()})
	info.Stages = stages
	sum, err := w.Close()
	if sum != nil {
		for _, st := range sum.Stages {
			info.Stages = append(info.Stages, report.Stage{Name: "report." + st.Name, Seconds: st.Seconds})
		}
	}
	return sum, err
}

// sameInputs reports whether two reads of the inputs read the same bytes.
func sameInputs(a, b []ingest.Input) bool {
	return slices.EqualFunc(a, b, func(x, y ingest.Input) bool { return x.Path == y.Path && x.SHA256 == y.SHA256 })
}

// setMemoryLimit sets a soft memory limit (unless GOMEMLIMIT is set) of
// 256 MiB: a run holds a bounded window of rows whatever the batch size,
// so below the limit the garbage collector runs as usual, and near it, it
// runs more often rather than letting the heap double.
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(256 << 20)
}
