package evaluate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

// calRubric is a two-criterion rubric for calibration tests.
func calRubric(ta, tb []float64) *Rubric {
	return &Rubric{ID: "cal", Criteria: []Criterion{
		{ID: "a", Name: "A", Weight: 50, Thresholds: ta},
		{ID: "b", Name: "B", Weight: 50, Thresholds: tb},
	}}
}

// calResult scores a story from raw values the way the scorer does.
func calResult(r *Rubric, i int, raws ...float64) Result {
	res := Result{Story: Story{Index: i, Ref: fmt.Sprintf("t.csv::%d", i+2), ID: fmt.Sprintf("C%02d", i), Name: fmt.Sprintf("N%d", i)}, Words: 100 + 10*i}
	var lv []int
	var w []float64
	for ci, c := range r.Criteria {
		l := cutLevel(raws[ci], c.Thresholds)
		lv = append(lv, l)
		w = append(w, c.Weight)
		res.Scores = append(res.Scores, Score{ID: c.ID, Name: c.Name, Weight: c.Weight, Level: l, Raw: raws[ci],
			Evidence: []Evidence{{Quote: "quote " + c.ID, Signal: "sig", Effect: 1}}})
	}
	res.Total = r.TotalOf(lv, w)
	return res
}

// calFixture: criterion a's raw score is its human level + 0.3 but its
// thresholds are one level too high; criterion b is already right. The
// human overall is 1.25 × (a + b), what the total/10 gives at the right levels.
func calFixture(n int) CalibrationInput {
	r := calRubric([]float64{2, 3, 4, 5}, []float64{1, 2, 3, 4})
	in := CalibrationInput{Rubric: r}
	for i := range n {
		ha, hb := (i/2)%5, (i/3+1)%5
		in.Results = append(in.Results, calResult(r, i, float64(ha)+0.3, float64(hb)+0.3))
		in.Humans = append(in.Humans, Human{Scores: map[string]float64{"a": float64(ha), "b": float64(hb), Overall: 1.25 * float64(ha+hb)}})
	}
	return in
}

func TestCalibrateReportsMissingLabelsWithoutZeroFilling(t *testing.T) {
	in := calFixture(10)
	delete(in.Humans[0].Scores, "b")
	in.Humans[3] = Human{}                     // unlabeled
	in.Results[5].Err = errors.New("rejected") // labeled, not scored
	in.Results[5].Scores, in.Results[5].Total = nil, 0
	c := Calibrate(in)
	if c.Stories != 10 || c.Scored != 9 || c.Labeled != 8 {
		t.Errorf("counts = %d/%d/%d, want 10/9/8", c.Stories, c.Scored, c.Labeled)
	}
	want := []MissingLabel{{Ref: "t.csv::2", ID: "C00", Keys: []string{"b"}}, {Ref: "t.csv::5", ID: "C03", Keys: []string{"overall", "a", "b"}}}
	if fmt.Sprint(c.Missing) != fmt.Sprint(want) {
		t.Errorf("Missing = %v, want %v", c.Missing, want)
	}
	if !slices.Equal(c.Unscored, []string{"t.csv::7"}) {
		t.Errorf("Unscored = %v, want [t.csv::7]", c.Unscored)
	}
	if got := c.Criteria[1].N; got != 7 {
		t.Errorf("criterion b n = %d, want 7 (missing labels left out, not zero-filled)", got)
	}
	if got := c.Criteria[0].N; got != 8 {
		t.Errorf("criterion a n = %d, want 8", got)
	}
	// The mean of b's human scores over the 7 labeled rows, not over 8.
	var hs []float64
	for i, h := range in.Humans {
		if v, ok := h.Scores["b"]; ok && i != 5 {
			hs = append(hs, v)
		}
	}
	if got, want := c.Criteria[1].HumanMean, Mean(hs); math.Abs(got-want) > 1e-12 {
		t.Errorf("b human mean = %v, want %v", got, want)
	}
}

func TestCalibrateFigures(t *testing.T) {
	in := calFixture(20)
	c := Calibrate(in)
	b := c.Criteria[1]
	if b.QWK != 1 || b.Exact != 1 || !b.Pass() {
		t.Errorf("b: QWK %v exact %v pass %v; want 1, 1, true", b.QWK, b.Exact, b.Pass())
	}
	a := c.Criteria[0]
	// Machine level is max(h−1, 0): exact only at h = 0.
	if a.Exact != 0.2 || a.Adjacent != 1 {
		t.Errorf("a: exact %v adjacent %v; want 0.2, 1", a.Exact, a.Adjacent)
	}
	if a.SMD >= 0 || a.Checks[0].Name != "qwk" {
		t.Errorf("a: SMD %v should be negative (machine lower); checks %v", a.SMD, a.Checks)
	}
	if c.Total.Min != 0 || c.Total.Max != 10 || c.Total.N != 20 || len(c.Total.Confusion) != 11 {
		t.Errorf("total: levels %d..%d n %d confusion %d rows; want 0..10, 20, 11", c.Total.Min, c.Total.Max, c.Total.N, len(c.Total.Confusion))
	}
	if c.Total.HumanHuman != nil || !math.IsNaN(c.Total.Degradation) || len(c.Total.Checks) != 2 {
		t.Errorf("no second rater: HumanHuman %v, degradation %v, checks %v", c.Total.HumanHuman, c.Total.Degradation, c.Total.Checks)
	}
	if len(c.Disagreements) != 10 {
		t.Fatalf("%d disagreements, want 10", len(c.Disagreements))
	}
	for i := 1; i < len(c.Disagreements); i++ {
		if math.Abs(c.Disagreements[i].Diff) > math.Abs(c.Disagreements[i-1].Diff) {
			t.Errorf("disagreements not sorted by |diff|: %v before %v", c.Disagreements[i-1].Diff, c.Disagreements[i].Diff)
		}
	}
	d := c.Disagreements[0]
	if len(d.Criteria) != 2 || len(d.Criteria[0].Evidence) == 0 || len(d.Criteria[1].Evidence) != 0 {
		t.Errorf("largest disagreement %+v: want evidence on a (off by one) only", d)
	}
}

func TestCalibrateSecondRater(t *testing.T) {
	in := calFixture(10)
	for i := range in.Humans {
		in.Humans[i].Second = map[string]float64{"b": in.Humans[i].Scores["b"]}
	}
	in.Humans[0].Second["b"] = 4 - in.Humans[0].Scores["b"]
	c := Calibrate(in)
	if !c.SecondRater {
		t.Fatal("SecondRater = false")
	}
	b := c.Criteria[1]
	if b.HumanHuman == nil || b.HumanHuman.N != 10 || b.HumanHuman.QWK >= 1 {
		t.Fatalf("human-human = %+v, want n 10 and QWK < 1", b.HumanHuman)
	}
	if want := b.HumanHuman.QWK - b.QWK; b.Degradation != want {
		t.Errorf("degradation = %v, want %v", b.Degradation, want)
	}
	var found bool
	for _, ch := range b.Checks {
		if ch.Name == "qwk_degradation" {
			found = true
			if !ch.Pass { // HH < HM here: no degradation
				t.Errorf("qwk_degradation check failed: %+v", ch)
			}
		}
	}
	if !found || c.Criteria[0].HumanHuman != nil {
		t.Errorf("qwk_degradation check only where there is a second rater: b %v, a %v", b.Checks, c.Criteria[0].HumanHuman)
	}
}

func TestCalibrateConstantScoresAreUndefinedNotZero(t *testing.T) {
	r := calRubric([]float64{1, 2, 3, 4}, []float64{1, 2, 3, 4})
	in := CalibrationInput{Rubric: r}
	for i := range 4 {
		in.Results = append(in.Results, calResult(r, i, 2.5, 2.5))
		in.Humans = append(in.Humans, Human{Scores: map[string]float64{"a": 2, "b": 2, Overall: 5}})
	}
	c := Calibrate(in)
	a := c.Criteria[0]
	for name, v := range map[string]float64{"QWK": a.QWK, "Pearson": a.Pearson, "Spearman": a.Spearman, "SMD": a.SMD, "words": a.WordsHuman} {
		if !math.IsNaN(v) {
			t.Errorf("%s = %v, want NaN (undefined)", name, v)
		}
	}
	if a.Exact != 1 || a.Pass() {
		t.Errorf("exact %v pass %v; want 1 and false (undefined figures do not pass)", a.Exact, a.Pass())
	}
	empty := Calibrate(CalibrationInput{Rubric: r})
	if empty.Total.N != 0 || !math.IsNaN(empty.Total.QWK) || !math.IsNaN(empty.Total.HumanMean) {
		t.Errorf("empty: %+v", empty.Total)
	}
}

func TestFitRubricRecoversThresholdsAndIsDeterministic(t *testing.T) {
	in := calFixture(40)
	f1, err := FitRubric(in, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := FitRubric(in, FitOptions{})
	if fmt.Sprintf("%+v", f1) != fmt.Sprintf("%+v", f2) {
		t.Errorf("FitRubric is not deterministic:\n%+v\n%+v", f1, f2)
	}
	if f1.N != 40 || f1.Folds != 5 {
		t.Errorf("N %d folds %d, want 40, 5", f1.N, f1.Folds)
	}
	a, b := f1.Criteria[0], f1.Criteria[1]
	if !a.Tuned || a.QWKInSample != 1 || a.QWKCrossValidated != 1 || a.QWKBefore >= 1 {
		t.Errorf("a: %+v; want tuned, in-sample and CV QWK 1, before < 1", a)
	}
	// Each cut lies between level k−1's raw (k−0.7) and level k's (k+0.3).
	for k, v := range a.FittedThresholds {
		if !(v > float64(k)+0.3 && v <= float64(k+1)+0.3) {
			t.Errorf("a threshold %d = %v, want in (%v, %v]", k, v, float64(k)+0.3, float64(k+1)+0.3)
		}
	}
	if b.Tuned || !slices.Equal(b.FittedThresholds, []float64{1, 2, 3, 4}) {
		t.Errorf("b: %+v; want the rubric's thresholds kept (already perfect)", b)
	}
	for _, c := range f1.Criteria {
		if c.QWKInSample < c.QWKBefore {
			t.Errorf("%s: in-sample QWK %v < before %v", c.ID, c.QWKInSample, c.QWKBefore)
		}
	}
	if f1.InSample.QWK < f1.Before.QWK {
		t.Errorf("total in-sample QWK %v < before %v", f1.InSample.QWK, f1.Before.QWK)
	}
	tuned := f1.Apply(in.Rubric)
	if slices.Equal(tuned.Criteria[0].Thresholds, in.Rubric.Criteria[0].Thresholds) {
		t.Error("Apply did not change a's thresholds")
	}
	if !slices.Equal(in.Rubric.Criteria[0].Thresholds, []float64{2, 3, 4, 5}) {
		t.Errorf("Apply modified the original rubric: %v", in.Rubric.Criteria[0].Thresholds)
	}
	if err := tuned.Criteria[0].Thresholds; len(err) != 4 {
		t.Errorf("tuned thresholds %v", err)
	}
}

func TestFitRubricNeedsEnoughLabels(t *testing.T) {
	in := calFixture(9)
	if _, err := FitRubric(in, FitOptions{}); !errors.Is(err, ErrTooFewLabels) {
		t.Errorf("9 stories, 5 folds: err = %v, want ErrTooFewLabels", err)
	}
	if _, err := FitRubric(in, FitOptions{Folds: 1}); err == nil {
		t.Error("1 fold: want an error")
	}
}

func TestFitThresholdsKeepsRubricOnTies(t *testing.T) {
	raw := []float64{0.5, 1.5, 2.5, 3.5, 4.5}
	hl := []int{0, 1, 2, 3, 4}
	caps := []int{4, 4, 4, 4, 4}
	orig := []float64{1, 2, 3, 4}
	if got := fitThresholds(raw, caps, hl, orig); !slices.Equal(got, orig) {
		t.Errorf("already perfect: got %v, want %v", got, orig)
	}
	// Shifted: the best cuts are the midpoints of the observed values.
	got := fitThresholds(raw, caps, hl, []float64{10, 11, 12, 13})
	if want := []float64{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("shifted: got %v, want %v", got, want)
	}
	// A cap is honoured: a story capped at 1 stays at 1 whatever the cuts.
	caps[4] = 1
	got = fitThresholds(raw, caps, hl, orig)
	if !slices.IsSorted(got) || len(got) != 4 {
		t.Errorf("capped: got %v", got)
	}
}

func TestCutValuesStrictlyAscending(t *testing.T) {
	v := []float64{1, 2}
	tests := []struct {
		ps   [4]int
		orig []float64
	}{
		{[4]int{1, 1, 1, 1}, []float64{5, 6, 7, 8}},
		{[4]int{0, 0, 2, 2}, []float64{5, 6, 7, 8}},
		{[4]int{0, 1, 1, 2}, []float64{1.5, 1.5, 1.5, 1.5}},
	}
	for _, tt := range tests {
		got := cutValues(tt.ps, v, tt.orig)
		for k := 1; k < 4; k++ {
			if !(got[k] > got[k-1]) {
				t.Errorf("cutValues(%v) = %v: not strictly ascending", tt.ps, got)
			}
		}
		for k, p := range tt.ps {
			if n, _ := slices.BinarySearch(v, got[k]); n != p {
				t.Errorf("cutValues(%v) = %v: cut %d in interval %d, want %d", tt.ps, got, k, n, p)
			}
		}
	}
}

func TestSimplexLS(t *testing.T) {
	// y = 0.25·x0 + 0.75·x1, x2 unrelated: the fit recovers the weights.
	var X [][]float64
	var y []float64
	for i := range 12 {
		x := []float64{float64(i % 5), float64((i * 2) % 5), float64((i * 7) % 3)}
		X = append(X, x)
		y = append(y, 0.25*x[0]+0.75*x[1])
	}
	a := simplexLS(X, y)
	want := []float64{0.25, 0.75, 0}
	for i := range want {
		if math.Abs(a[i]-want[i]) > 1e-9 {
			t.Fatalf("simplexLS = %v, want %v", a, want)
		}
	}
	w := scaleWeights([]float64{0.25, 0.75, 0}, []float64{20, 30, 50})
	if !slices.Equal(w, []float64{24.8, 74.3, 1}) {
		t.Errorf("scaleWeights = %v, want [24.8 74.3 1] (floor 1%%, sum ≈ 100)", w)
	}
}
