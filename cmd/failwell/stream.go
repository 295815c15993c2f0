package main

import (
	"context"
	"slices"
	"strings"

	"github.com/failwell/failwell/evaluate"
)

// scoreStream scores stories with evaluate.RunStream and returns the
// results in input order, each made compact as it arrives: the original
// cells of a scored row are dropped (only the Rejected sheet shows them),
// and with --no-pdf the story text is released too, evidence quotes being
// copied out of it. Stories are released as they are scored, so the batch
// is held about once, not twice. If ctx is cancelled, the rows not read
// carry the context error, as with evaluate.Run.
func scoreStream(ctx context.Context, s *setup, stories []evaluate.Story, prog evaluate.Progress) ([]evaluate.Result, error) {
	results := make([]evaluate.Result, 0, len(stories))
	for i := range stories {
		if stories[i].Reject == nil {
			stories[i].Fields = nil
		}
	}
	opts := evaluate.Options{Jobs: s.cfg.Jobs, AsOf: s.asOf, Progress: prog}
	err := evaluate.RunStream(ctx, s.scorer, slices.Values(stories), opts, func(r *evaluate.Result) error {
		if r.Scored() && s.cfg.NoPDF {
			compactResult(r)
		}
		results = append(results, *r)
		stories[len(results)-1] = evaluate.Story{}
		return nil
	})
	if err != nil {
		for i := len(results); i < len(stories); i++ {
			ref := stories[i].Submitted
			if ref.IsZero() {
				ref = s.asOf
			}
			results = append(results, evaluate.Result{Story: stories[i], Ref: ref, Err: err})
		}
	}
	return results, err
}

// compactResult releases r's story text: evidence quotes, which are slices
// of it, are copied first.
func compactResult(r *evaluate.Result) {
	for i := range r.Scores {
		ev := r.Scores[i].Evidence
		for j := range ev {
			ev[j].Quote = strings.Clone(ev[j].Quote)
		}
	}
	r.Story.Text = ""
}
