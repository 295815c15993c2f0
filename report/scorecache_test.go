package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// countingScorer counts the stories it really scores.
type countingScorer struct {
	sc evaluate.Scorer
	n  atomic.Int64
}

func (c *countingScorer) Score(ctx context.Context, st evaluate.Story, ref time.Time) (evaluate.Result, error) {
	c.n.Add(1)
	return c.sc.Score(ctx, st, ref)
}

// lengthScorer is a deterministic stand-in for the real scorer: one
// criterion whose level and evidence depend on the story's text.
type lengthScorer struct{}

func (lengthScorer) Score(_ context.Context, st evaluate.Story, ref time.Time) (evaluate.Result, error) {
	lvl := len(st.Text) % 5
	return evaluate.Result{Words: len(st.Text) / 5, Total: float64(lvl) * 25, Band: "B",
		Scores: []evaluate.Score{{ID: "scope", Name: "Scope", Weight: 1, Level: lvl, Raw: float64(len(st.Text)),
			Evidence: []evaluate.Evidence{{Quote: st.Text[:10], Start: 0, End: 10, Signal: "s", Effect: 1}}, Feedback: "f"}},
		Flags: []evaluate.Flag{{Code: "x", Message: ref.Format(time.DateOnly)}}}, nil
}

func TestScoreCache(t *testing.T) {
	var base evaluate.Scorer = lengthScorer{}
	ref := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	stories := make([]evaluate.Story, 12)
	for i := range stories {
		stories[i] = evaluate.Story{Index: i, Ref: fmt.Sprintf("c.csv::%d", i+2), Name: fmt.Sprintf("N%d", i),
			Text: fmt.Sprintf("In 2025 I led the launch of feature %d for 4,000 users. It failed: churn rose from 3%% to 9%%. I learned to test with a holdout first, and since then I do.", i)}
	}
	dir := t.TempDir()
	pass := func(t *testing.T, stories []evaluate.Story, force bool) ([]evaluate.Result, int64, *ScoreCache) {
		t.Helper()
		cs := &countingScorer{sc: base}
		c := OpenScoreCache(dir, cs, "v-test", "rubric-sum", force)
		var out []evaluate.Result
		for _, st := range stories {
			r, err := c.Score(t.Context(), st, ref)
			if err != nil {
				t.Fatal(err)
			}
			r.Story = st
			out = append(out, r)
		}
		if err := c.Commit(true); err != nil {
			t.Fatal(err)
		}
		return out, cs.n.Load(), c
	}
	first, n, _ := pass(t, stories, false)
	if n != 12 {
		t.Fatalf("first pass scored %d, want 12", n)
	}
	again, n, c := pass(t, stories, false)
	if n != 0 || c.Hits() != 12 {
		t.Errorf("unchanged: scored %d, hits %d; want 0, 12", n, c.Hits())
	}
	if !reflect.DeepEqual(first, again) {
		t.Error("results from the cache differ from the scorer's")
	}
	edited := append([]evaluate.Story(nil), stories...)
	edited[4].Text += " Extra sentence."
	edited = append(edited, evaluate.Story{Index: 12, Ref: "c.csv::14", Text: "A new story about a failure I owned and learned from."})
	if _, n, _ := pass(t, edited, false); n != 2 {
		t.Errorf("one row edited, one added: scored %d, want 2", n)
	}
	if _, n, _ := pass(t, edited, true); n != 13 {
		t.Errorf("force: scored %d, want 13", n)
	}
	// A cache cut short by a kill: the last line is ignored.
	p := filepath.Join(dir, ScoresFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)-40], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := pass(t, edited, false); n != 1 {
		t.Errorf("truncated cache: scored %d, want 1", n)
	}
	// An interrupted run keeps the old cache and leaves no temporary file.
	c2 := OpenScoreCache(dir, base, "v-test", "rubric-sum", false)
	if err := c2.Commit(false); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".failwell-scores.*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %q", m)
	}
	if _, n, _ := pass(t, edited, false); n != 0 {
		t.Errorf("after an interrupted run: scored %d, want 0", n)
	}
	// Another program build or rubric: nothing is reused.
	cs := &countingScorer{sc: base}
	c3 := OpenScoreCache(dir, cs, "v-other", "rubric-sum", false)
	c3.Score(t.Context(), edited[0], ref)
	c3.Commit(false)
	if cs.n.Load() != 1 {
		t.Errorf("other build: scored %d, want 1", cs.n.Load())
	}
}
