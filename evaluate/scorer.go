package evaluate

import (
	"context"
	"time"
)

// PLACEHOLDER: replaced by the real scorer (owned by the scorer work).

// RubricScorer is a rubric compiled for scoring. It is safe for concurrent use.
type RubricScorer struct {
	rubric *Rubric
}

var _ Scorer = (*RubricScorer)(nil)

// New validates and compiles r.
func New(r *Rubric) (*RubricScorer, error) {
	return &RubricScorer{rubric: r}, nil
}

// Rubric returns the rubric s was compiled from.
func (s *RubricScorer) Rubric() *Rubric { return s.rubric }

// Score scores one story.
func (s *RubricScorer) Score(ctx context.Context, st Story, ref time.Time) (Result, error) {
	var res Result
	for _, c := range s.rubric.Criteria {
		res.Scores = append(res.Scores, Score{ID: c.ID, Name: c.Name, Weight: c.Weight})
	}
	return res, nil
}

func flagNearDuplicates(results []Result) {}
