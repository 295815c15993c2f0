package evaluate

import (
	"context"
	"time"
)

// ExampleResult is the outcome of one expected level of one rubric example.
type ExampleResult struct {
	Example   string // the example's name
	Index     int    // the example's index in Rubric.Examples
	Criterion string // criterion id
	Got, Want int    // levels
	Pass      bool
}

// CheckExamples scores every example of the rubric and compares each
// expected level with the level it got, in example then criterion order.
// Examples without a submission date are scored as of 2026-01-01.
func (s *RubricScorer) CheckExamples() []ExampleResult {
	var out []ExampleResult
	for i, ex := range s.rubric.Examples {
		ref := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if ex.Submitted != "" {
			if t, err := time.Parse("2006-01-02", ex.Submitted); err == nil {
				ref = t
			}
		}
		res, _ := s.Score(context.Background(), Story{Ref: ex.Name, Text: ex.Story, Submitted: ref}, ref)
		for _, sc := range res.Scores {
			want, ok := ex.Expect[sc.ID]
			if !ok {
				continue
			}
			out = append(out, ExampleResult{Example: ex.Name, Index: i, Criterion: sc.ID, Got: sc.Level, Want: want, Pass: sc.Level == want})
		}
	}
	return out
}
