package evaluate

import (
	"context"
	"strings"
	"testing"
)

// oneCriterion returns a valid rubric with a single criterion made of sigs.
func oneCriterion(base float64, sigs ...Signal) *Rubric {
	var lv []Level
	for i := range 5 {
		lv = append(lv, Level{Descriptor: "level " + string(rune('0'+i)), Feedback: "f{quote}", NextStep: "n"})
	}
	return &Rubric{
		ID:    "t",
		Bands: []Band{{Name: "Low", Min: 0}, {Name: "High", Min: 50}},
		Criteria: []Criterion{{ID: "c", Name: "C", Weight: 1, Levels: lv, Base: base,
			Thresholds: []float64{1, 2, 3, 4}, Signals: sigs}},
		Flags: &FlagSettings{MinWords: 1, Topic: []string{"the"}},
	}
}

func intp(i int) *int         { return &i }
func f64p(f float64) *float64 { return &f }

func TestSignalsBecomeLevels(t *testing.T) {
	const story = "I decided to launch it. We decided to wait. My manager decided to cancel it. I did not decide anything else. It failed and I learned a lot. I learned even more."
	ph := func(id string, w float64, phrases ...string) Signal {
		return Signal{ID: id, Kind: "phrase", Weight: w, Phrases: phrases}
	}
	tests := []struct {
		name    string
		base    float64
		sigs    []Signal
		wantRaw float64
		wantLv  int
	}{
		{"one match counts once without cap", 0, []Signal{ph("l", 2, "learned")}, 2, 2},
		{"cap allows several sentences", 0, []Signal{{ID: "l", Kind: "phrase", Weight: 1.5, Cap: 2.5, Phrases: []string{"learned"}}}, 2.5, 2},
		{"base", 1.5, []Signal{ph("l", 1, "learned")}, 2.5, 2},
		{"negation excluded by default", 0, []Signal{{ID: "d", Kind: "phrase", Weight: 1, Cap: 10, Phrases: []string{"decide"}}}, 3, 3},
		{"negation only", 0, []Signal{{ID: "d", Kind: "phrase", Weight: 1, Cap: 10, Negation: "only", Phrases: []string{"decide"}}}, 1, 1},
		{"actor self", 0, []Signal{{ID: "d", Kind: "phrase", Weight: 1, Cap: 10, Actor: "self", Phrases: []string{"decided"}}}, 1, 1},
		{"actor we", 0, []Signal{{ID: "d", Kind: "phrase", Weight: 1, Cap: 10, Actor: "we", Phrases: []string{"decided"}}}, 1, 1},
		{"actor other", 0, []Signal{{ID: "d", Kind: "phrase", Weight: 1, Cap: 10, Actor: "other", Phrases: []string{"decided"}}}, 1, 1},
		{"position window", 0, []Signal{{ID: "d", Kind: "phrase", Weight: 1, Cap: 10, To: f64p(0.3), Phrases: []string{"decided"}}}, 2, 2},
		{"penalty and max level", 4, []Signal{{ID: "f", Kind: "phrase", Weight: -0.5, MaxLevel: intp(1), Phrases: []string{"failed"}}}, 3.5, 1},
		{"unless suppresses", 0, []Signal{ph("l", 1, "learned"), {ID: "x", Kind: "constant", Weight: 3, Unless: []string{"l"}}}, 1, 1},
		{"requires enables", 0, []Signal{ph("l", 1, "learned"), {ID: "x", Kind: "constant", Weight: 3, Requires: []string{"l"}}}, 4, 4},
		{"requires blocks", 0, []Signal{ph("z", 1, "zebra"), {ID: "x", Kind: "constant", Weight: 3, Requires: []string{"z"}}}, 0, 0},
		{"regex", 0, []Signal{{ID: "r", Kind: "regex", Weight: 1, Cap: 5, Pattern: `(?i)\bi learned\b`}}, 2, 2},
		{"multi-word stemmed phrase with gap", 0, []Signal{{ID: "m", Kind: "phrase", Weight: 1, MaxGap: 2, Phrases: []string{"decide launch"}}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := New(oneCriterion(tt.base, tt.sigs...))
			if err != nil {
				t.Fatal(err)
			}
			res, err := sc.Score(context.Background(), Story{Text: story}, refDate)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Scores[0]
			if got.Raw != tt.wantRaw || got.Level != tt.wantLv {
				t.Errorf("got raw %v level %d, want raw %v level %d", got.Raw, got.Level, tt.wantRaw, tt.wantLv)
			}
			if wantTotal := float64(tt.wantLv) * 25; res.Total != wantTotal {
				t.Errorf("got total %v, want %v", res.Total, wantTotal)
			}
		})
	}
}

func TestFeedbackDropsMissingQuote(t *testing.T) {
	sc, err := New(oneCriterion(0, Signal{ID: "z", Kind: "phrase", Weight: 1, Phrases: []string{"zebra"}}))
	if err != nil {
		t.Fatal(err)
	}
	sc.rubric.Criteria[0].Levels[0].Feedback = "Nothing to cite here: {quote} Try again."
	sc.criteria[0].Criterion = &sc.rubric.Criteria[0]
	res, _ := sc.Score(context.Background(), Story{Text: "No animals in this story at all, sadly."}, refDate)
	if got := res.Scores[0].Feedback; got != "Nothing to cite here. Try again." {
		t.Errorf("got feedback %q", got)
	}
	if !strings.Contains(res.Change, "Work on C (now 0/4") {
		t.Errorf("got change %q, want it to name the criterion", res.Change)
	}
}

func TestZeroCapsTotal(t *testing.T) {
	r := oneCriterion(0, Signal{ID: "l", Kind: "phrase", Weight: 4, Phrases: []string{"learned"}})
	second := r.Criteria[0]
	second.ID, second.Name, second.Weight = "gate", "Gate", 1
	second.Signals = []Signal{{ID: "z", Kind: "phrase", Weight: 4, Phrases: []string{"zebra"}}}
	second.ZeroCapsTotal = 20
	r.Criteria = append(r.Criteria, second)
	sc, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want float64
	}{
		{"I learned a lot about it.", 20},         // gate at 0: 50 capped to 20
		{"I learned a lot about the zebra.", 100}, // gate passed
		{"Nothing here at all, not a thing.", 0},  // both 0
	}
	for _, tt := range tests {
		res, _ := sc.Score(context.Background(), Story{Text: tt.text}, refDate)
		if res.Total != tt.want {
			t.Errorf("%q: got total %v, want %v", tt.text, res.Total, tt.want)
		}
	}
}

func TestTotalCurve(t *testing.T) {
	// base 2 gives level 2 of 4 on the single criterion: f = 0.5.
	tests := []struct {
		name  string
		curve float64
		want  float64
	}{
		{"unset is linear", 0, 50},
		{"one is linear", 1, 50},
		{"1.5 bends down", 1.5, 35.4},
		{"2 squares", 2, 25},
		{"below 1 bends up", 0.5, 70.7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneCriterion(2, Signal{ID: "z", Kind: "phrase", Weight: 1, Phrases: []string{"zebra"}})
			r.TotalCurve = tt.curve
			sc, err := New(r)
			if err != nil {
				t.Fatal(err)
			}
			res, err := sc.Score(context.Background(), Story{Text: "The launch failed and I learned why."}, refDate)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tt.want {
				t.Errorf("total = %v, want %v", res.Total, tt.want)
			}
		})
	}
	for _, bad := range []float64{-1, 4.5} {
		r := oneCriterion(2, Signal{ID: "z", Kind: "phrase", Weight: 1, Phrases: []string{"zebra"}})
		r.TotalCurve = bad
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "total_curve") {
			t.Errorf("total_curve %v: got %v, want a total_curve error", bad, err)
		}
	}
}
