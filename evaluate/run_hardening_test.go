package evaluate_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// funcScorer is a hand-written fake scorer.
type funcScorer struct {
	score func(ctx context.Context, s evaluate.Story, ref time.Time) (evaluate.Result, error)
}

var _ evaluate.Scorer = (*funcScorer)(nil)

func (f *funcScorer) Score(ctx context.Context, s evaluate.Story, ref time.Time) (evaluate.Result, error) {
	return f.score(ctx, s, ref)
}

// TestRunTurnsPanicsAndErrorsIntoRowErrors checks that a panic or an error
// while scoring one story becomes that story's error, in input order, and
// that every other story is still scored: nothing is lost.
func TestRunTurnsPanicsAndErrorsIntoRowErrors(t *testing.T) {
	errScore := errors.New("cannot score")
	rejected := errors.New("rejected by ingest")
	sc := &funcScorer{score: func(_ context.Context, s evaluate.Story, _ time.Time) (evaluate.Result, error) {
		switch s.Text {
		case "panic":
			panic("boom in " + s.Ref)
		case "nil map":
			var m map[string]int
			m["x"]++ // a runtime error panic
		case "error":
			return evaluate.Result{}, errScore
		}
		return evaluate.Result{Scores: []evaluate.Score{{ID: "scope", Level: 2}}, Total: 50}, nil
	}}
	texts := []string{"ok", "panic", "ok", "error", "nil map", "", "ok"}
	var stories []evaluate.Story
	for i, text := range texts {
		s := evaluate.Story{Index: i, Ref: fmt.Sprintf("c.csv::%d", i+2), Text: text}
		if text == "" {
			s.Reject = rejected
		}
		stories = append(stories, s)
	}
	for _, jobs := range []int{1, 3} {
		res, err := evaluate.Run(t.Context(), sc, stories, evaluate.Options{Jobs: jobs})
		if err != nil {
			t.Fatalf("jobs %d: Run returned %v, want nil (failures are per row)", jobs, err)
		}
		if len(res) != len(stories) {
			t.Fatalf("jobs %d: %d results, want %d", jobs, len(res), len(stories))
		}
		for i, r := range res {
			if r.Story.Ref != stories[i].Ref {
				t.Errorf("jobs %d result %d: story %s, want %s (input order)", jobs, i, r.Story.Ref, stories[i].Ref)
			}
			var pe *evaluate.PanicError
			switch texts[i] {
			case "panic", "nil map":
				if !errors.As(r.Err, &pe) || len(pe.Stack) == 0 || r.Scored() {
					t.Errorf("jobs %d result %d: err %v, want a *PanicError with a stack", jobs, i, r.Err)
				}
			case "error":
				if !errors.Is(r.Err, errScore) {
					t.Errorf("jobs %d result %d: err %v, want %v", jobs, i, r.Err, errScore)
				}
			case "":
				if !errors.Is(r.Err, rejected) {
					t.Errorf("jobs %d result %d: err %v, want the rejection", jobs, i, r.Err)
				}
			default:
				if !r.Scored() || r.Total != 50 {
					t.Errorf("jobs %d result %d: err %v total %v, want scored", jobs, i, r.Err, r.Total)
				}
			}
		}
	}
}
