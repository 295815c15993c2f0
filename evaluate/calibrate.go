package evaluate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Calibration compares machine scores with human scores (see [Calibrate]) and
// fits a rubric to them (see [FitRubric]).
//
// Scales. A criterion is compared on its levels 0..4. Fractional human
// scores (means of raters) are kept as they are for means, SDs, Pearson,
// Spearman and SMD, and rounded half-up to the nearest level ([RoundHalfUp])
// for exact/adjacent agreement, kappa and the confusion matrix.
//
// The total (0..100) is compared with the human overall score (0..10): the
// machine total is divided by 10, so that means, SDs and SMD are on the
// human's 0..10 scale (correlations are unchanged by the division), and for
// kappa, agreement and the confusion matrix both sides are rounded half-up
// to the levels 0..10.

// Overall is the key of the human overall score (0..10) in [Human.Scores].
const Overall = "overall"

// Williamson, Xi & Breyer (2012) thresholds for accepting automated scores.
const (
	// MinQWK is the lowest acceptable human–machine quadratic weighted kappa.
	MinQWK = 0.70
	// MaxQWKDegradation is the largest acceptable amount by which the
	// human–machine kappa may fall below the human–human kappa.
	MaxQWKDegradation = 0.10
	// MaxAbsSMD is the largest acceptable |standardized mean difference|.
	MaxAbsSMD = 0.15
)

// Human is the human scores of one story.
type Human struct {
	// Scores maps a criterion id (0..4) or [Overall] (0..10) to the human
	// score: the first rater's, or the mean of raters; it may be
	// fractional. A missing key is a missing label, never a zero.
	Scores map[string]float64
	// Second maps the same keys to a second rater's scores, when the input
	// has a second rater; nil otherwise. It is used only for human–human
	// agreement.
	Second map[string]float64
}

// CalibrationInput is what [Calibrate] and [FitRubric] compare.
type CalibrationInput struct {
	// Rubric is the rubric the results were scored with.
	Rubric *Rubric
	// Results are the scored batch, in input order.
	Results []Result
	// Humans holds the human scores of Results[i] at index i; it may be
	// shorter than Results (the rest are unlabeled).
	Humans []Human
}

func (in *CalibrationInput) human(i int) Human {
	if i < len(in.Humans) {
		return in.Humans[i]
	}
	return Human{}
}

// Check is one figure tested against a Williamson, Xi & Breyer threshold.
type Check struct {
	// Name is "qwk" (Value >= Limit), "qwk_degradation" (human–human minus
	// human–machine kappa, Value <= Limit) or "smd" (|Value| <= Limit).
	Name  string
	Value float64
	Limit float64
	// Pass is false when the figure fails or is undefined (NaN).
	Pass bool
}

// RaterAgreement is the agreement between two human raters.
type RaterAgreement struct {
	N                             int
	Exact, Adjacent, QWK, Pearson float64
}

// Agreement compares machine and human scores on one criterion or on the
// total. Undefined figures are NaN.
type Agreement struct {
	// ID is the criterion id, or "total"; Name its display name.
	ID, Name string
	// Min and Max are the integer levels compared: 0..4, or 0..10 for the
	// total.
	Min, Max int
	// N is the number of stories with both a machine and a human score.
	N int
	// Means and sample SDs; for the total on the 0..10 scale.
	HumanMean, HumanSD, MachineMean, MachineSD float64
	// Exact and Adjacent are agreement rates 0..1 on the rounded levels.
	Exact, Adjacent float64
	// QWK is the quadratic weighted kappa on the rounded levels.
	QWK float64
	// Pearson and Spearman correlate the unrounded scores.
	Pearson, Spearman float64
	// SMD is the standardized mean difference, machine minus human.
	SMD float64
	// Confusion counts stories by human level (row) and machine level
	// (column), Min..Max.
	Confusion [][]int
	// HumanHuman is the agreement between the two raters, when a second
	// rater is present; Degradation is then HumanHuman.QWK − QWK (NaN
	// otherwise).
	HumanHuman  *RaterAgreement
	Degradation float64
	// WordsHuman and WordsMachine are the Pearson correlations of the
	// human and the machine score with the story's word count: a machine
	// correlation well above the human one means the machine rewards
	// length.
	WordsHuman, WordsMachine float64
	// Checks are the pass/fail tests: qwk, smd and, with two raters,
	// qwk_degradation.
	Checks []Check
}

// Pass reports whether every check passed.
func (a *Agreement) Pass() bool {
	for _, c := range a.Checks {
		if !c.Pass {
			return false
		}
	}
	return len(a.Checks) > 0
}

// Gap is one criterion of a [Disagreement].
type Gap struct {
	ID string
	// Human is the human score (NaN when missing); Machine the level.
	Human   float64
	Machine int
	// Evidence is the machine's evidence for the criterion when the two
	// differ by a level or more (at most three quotes).
	Evidence []Evidence
}

// Disagreement is a story on which machine and human differ most.
type Disagreement struct {
	Ref, ID, Name string
	// Human is the human overall score (0..10), Machine the total (0..100).
	Human, Machine float64
	// Diff is Machine/10 − Human: positive when the machine is kinder.
	Diff float64
	// Flags are the story's review flag codes ("placeholder", ...): a
	// flagged story's score is less trustworthy, and so is the comparison.
	Flags []string
	// Criteria compares every criterion, in rubric order.
	Criteria []Gap
}

// MissingLabel is a scored story that lacks some human scores.
type MissingLabel struct {
	Ref, ID string
	// Keys are the missing criterion ids or "overall", in rubric order.
	Keys []string
}

// Calibration is the agreement report of [Calibrate].
type Calibration struct {
	// Stories, Scored and Labeled count the results, the scored ones and
	// the scored ones with at least one human score.
	Stories, Scored, Labeled int
	// SecondRater reports whether any story has a second rater's scores.
	SecondRater bool
	// Missing lists scored stories lacking a label that others have, in
	// input order; such a story is left out of that comparison only.
	Missing []MissingLabel
	// Unscored lists the refs of labeled stories that could not be scored.
	Unscored []string
	// Total compares the total with the human overall score; Criteria
	// compare each criterion, in rubric order.
	Total    Agreement
	Criteria []Agreement
	// Disagreements are the (at most) ten stories whose total differs most
	// from the human overall score, largest first.
	Disagreements []Disagreement
}

// maxDisagreements is how many disagreements a calibration lists.
const maxDisagreements = 10

// Calibrate compares the machine scores in in.Results with the human scores
// in in.Humans, for the total and for each criterion of in.Rubric.
func Calibrate(in CalibrationInput) *Calibration {
	c := &Calibration{Stories: len(in.Results)}
	keys := []string{Overall}
	for _, cr := range in.Rubric.Criteria {
		keys = append(keys, cr.ID)
	}
	present := map[string]bool{}
	for i := range in.Results {
		h := in.human(i)
		for k := range h.Scores {
			present[k] = true
		}
		if len(h.Second) > 0 {
			c.SecondRater = true
		}
	}
	for i := range in.Results {
		r := &in.Results[i]
		h := in.human(i)
		if !r.Scored() {
			if len(h.Scores) > 0 {
				c.Unscored = append(c.Unscored, r.Story.Ref)
			}
			continue
		}
		c.Scored++
		if len(h.Scores) > 0 {
			c.Labeled++
		}
		var miss []string
		for _, k := range keys {
			if _, ok := h.Scores[k]; !ok && present[k] {
				miss = append(miss, k)
			}
		}
		if len(miss) > 0 {
			c.Missing = append(c.Missing, MissingLabel{Ref: r.Story.Ref, ID: r.Story.ID, Keys: miss})
		}
	}

	c.Total = compare(in, Overall, "total", "Total", 0, 10, func(r *Result) (float64, bool) {
		return r.Total / 10, true
	})
	for ci, cr := range in.Rubric.Criteria {
		c.Criteria = append(c.Criteria, compare(in, cr.ID, cr.ID, cr.Name, 0, 4, func(r *Result) (float64, bool) {
			if ci < len(r.Scores) && r.Scores[ci].ID == cr.ID {
				return float64(r.Scores[ci].Level), true
			}
			for _, s := range r.Scores {
				if s.ID == cr.ID {
					return float64(s.Level), true
				}
			}
			return 0, false
		}))
	}
	c.Disagreements = disagreements(in)
	return c
}

// compare builds the Agreement of machine scores (from machine) with the
// human scores under key.
func compare(in CalibrationInput, key, id, name string, lo, hi int, machine func(*Result) (float64, bool)) Agreement {
	a := Agreement{ID: id, Name: name, Min: lo, Max: hi}
	var hs, ms, words, h1, h2 []float64
	for i := range in.Results {
		r := &in.Results[i]
		if !r.Scored() {
			continue
		}
		hv := in.human(i)
		h, ok := hv.Scores[key]
		if !ok {
			continue
		}
		m, ok := machine(r)
		if !ok {
			continue
		}
		hs = append(hs, h)
		ms = append(ms, m)
		words = append(words, float64(r.Words))
		if s, ok := hv.Second[key]; ok {
			h1 = append(h1, h)
			h2 = append(h2, s)
		}
	}
	a.N = len(hs)
	a.HumanMean, a.HumanSD = Mean(hs), SD(hs)
	a.MachineMean, a.MachineSD = Mean(ms), SD(ms)
	hl, ml := levelsOf(hs, lo, hi), levelsOf(ms, lo, hi)
	a.Exact, a.Adjacent = AgreementRates(hl, ml)
	a.QWK = QWK(hl, ml, lo, hi)
	a.Pearson = Pearson(hs, ms)
	a.Spearman = Spearman(hs, ms)
	a.SMD = SMD(hs, ms)
	a.Confusion = Confusion(hl, ml, lo, hi)
	a.WordsHuman = Pearson(words, hs)
	a.WordsMachine = Pearson(words, ms)
	a.Degradation = math.NaN()
	a.Checks = []Check{{Name: "qwk", Value: a.QWK, Limit: MinQWK, Pass: a.QWK >= MinQWK}}
	if len(h1) > 0 {
		l1, l2 := levelsOf(h1, lo, hi), levelsOf(h2, lo, hi)
		hh := &RaterAgreement{N: len(h1), QWK: QWK(l1, l2, lo, hi), Pearson: Pearson(h1, h2)}
		hh.Exact, hh.Adjacent = AgreementRates(l1, l2)
		a.HumanHuman = hh
		a.Degradation = hh.QWK - a.QWK
		a.Checks = append(a.Checks, Check{Name: "qwk_degradation", Value: a.Degradation, Limit: MaxQWKDegradation, Pass: a.Degradation <= MaxQWKDegradation})
	}
	a.Checks = append(a.Checks, Check{Name: "smd", Value: a.SMD, Limit: MaxAbsSMD, Pass: math.Abs(a.SMD) <= MaxAbsSMD})
	return a
}

// levelsOf rounds scores half-up to integer levels in [lo, hi].
func levelsOf(x []float64, lo, hi int) []int {
	out := make([]int, len(x))
	for i, v := range x {
		out[i] = clampInt(RoundHalfUp(v), lo, hi)
	}
	return out
}

// disagreements returns the stories whose total differs most from the human
// overall, ties in input order.
func disagreements(in CalibrationInput) []Disagreement {
	var ds []Disagreement
	for i := range in.Results {
		r := &in.Results[i]
		h := in.human(i)
		ov, ok := h.Scores[Overall]
		if !r.Scored() || !ok {
			continue
		}
		d := Disagreement{Ref: r.Story.Ref, ID: r.Story.ID, Name: r.Story.Name,
			Human: ov, Machine: r.Total, Diff: math.Round((r.Total/10-ov)*100) / 100}
		for _, f := range r.Flags {
			d.Flags = append(d.Flags, f.Code)
		}
		for _, s := range r.Scores {
			g := Gap{ID: s.ID, Human: math.NaN(), Machine: s.Level}
			if hv, ok := h.Scores[s.ID]; ok {
				g.Human = hv
			}
			if math.IsNaN(g.Human) || math.Abs(g.Human-float64(s.Level)) >= 1 {
				g.Evidence = s.Evidence[:min(3, len(s.Evidence))]
			}
			d.Criteria = append(d.Criteria, g)
		}
		ds = append(ds, d)
	}
	slices.SortStableFunc(ds, func(a, b Disagreement) int {
		return cmp.Compare(math.Abs(b.Diff), math.Abs(a.Diff))
	})
	return ds[:min(maxDisagreements, len(ds))]
}

// ErrTooFewLabels is returned by [FitRubric] when there are too few labeled
// stories to fit and cross-validate.
var ErrTooFewLabels = errors.New("too few labeled stories to fit the rubric")

// FitOptions configure [FitRubric].
type FitOptions struct {
	// Folds is the number of cross-validation folds, >= 2; 0 means 5. The
	// j-th labeled scored story (0-based, in input order) is in fold
	// j mod Folds. At least 2×Folds labeled stories are needed.
	Folds int
}

// FitFigures is the agreement of the total with the human overall score,
// on the conventions of [Calibrate].
type FitFigures struct {
	N                           int
	QWK, Pearson, Spearman, SMD float64
}

// FitCriterion is the fit of one criterion.
type FitCriterion struct {
	ID string
	// Weight and Thresholds are the rubric's; FittedWeight and
	// FittedThresholds the tuned ones.
	Weight, FittedWeight         float64
	Thresholds, FittedThresholds []float64
	// N is the number of stories with a human score for the criterion.
	N int
	// Tuned reports that the fitted thresholds differ from the rubric's.
	Tuned bool
	// QWKBefore is the kappa of the rubric as it is; QWKInSample that of
	// the tuned thresholds on the same stories; QWKCrossValidated that of
	// thresholds fitted without each story's fold, on that fold.
	QWKBefore, QWKInSample, QWKCrossValidated float64
}

// Fit is a rubric fitted to human scores by [FitRubric].
type Fit struct {
	// N is the number of labeled scored stories used; Folds the number of
	// cross-validation folds.
	N, Folds int
	// Criteria are in rubric order.
	Criteria []FitCriterion
	// WeightsKept reports that the fitted weights did not agree better
	// with the human overall score in-sample, so the rubric's are kept.
	WeightsKept bool
	// Before, InSample and CrossValidated compare the total with the human
	// overall score: with the rubric as it is, with the tuned rubric on the
	// stories it was fitted to, and out of fold.
	Before, InSample, CrossValidated FitFigures
}

// Apply returns a copy of r with the fitted weights and thresholds. r itself
// is not modified; criteria not in the fit are left as they are.
func (f *Fit) Apply(r *Rubric) *Rubric {
	out := *r
	out.Criteria = slices.Clone(r.Criteria)
	for i := range out.Criteria {
		for _, fc := range f.Criteria {
			if fc.ID == out.Criteria[i].ID {
				out.Criteria[i].Weight = fc.FittedWeight
				out.Criteria[i].Thresholds = slices.Clone(fc.FittedThresholds)
			}
		}
	}
	return &out
}

// Weights returns the fitted weights by criterion id.
func (f *Fit) Weights() map[string]float64 {
	m := map[string]float64{}
	for _, c := range f.Criteria {
		m[c.ID] = c.FittedWeight
	}
	return m
}

// Thresholds returns the fitted thresholds by criterion id.
func (f *Fit) Thresholds() map[string][]float64 {
	m := map[string][]float64{}
	for _, c := range f.Criteria {
		m[c.ID] = slices.Clone(c.FittedThresholds)
	}
	return m
}

// fitRow is one labeled scored story, as the fitter sees it.
type fitRow struct {
	raw     []float64 // per criterion: Score.Raw
	cap     []int     // per criterion: the level cap inferred from the result (4 = none)
	level   []int     // per criterion: the machine level
	human   []float64 // per criterion: human score, NaN when missing
	overall float64   // human overall, NaN when missing
	total   float64   // machine total 0..100
}

// FitRubric fits the rubric's level thresholds and criterion weights to
// the human scores, deterministically, and cross-validates the procedure.
//
// Thresholds: for each criterion, the four cut points on [Score.Raw] that
// maximise the quadratic weighted kappa between the machine level and the
// rounded human level. Only where a cut falls between two observed raw
// values matters, so the search is exhaustive over the intervals between
// consecutive distinct raw values (over 41 intervals are thinned to 41,
// evenly by rank, keeping the rubric's own), with each cut in its own
// interval, so that every level stays reachable. Within an interval a cut
// keeps the rubric's value when it lies there, and is otherwise the
// midpoint (half a raw unit beyond the lowest or highest value for the open
// ends). Among equally good cuts the one closest to the rubric's (sum of
// absolute changes) wins, so the rubric is kept unless something is better.
// A level cap seen in a result (a signal's max_level or a flag cap: the
// level is below what its raw score reaches) is kept as a cap.
//
// Weights: the non-negative weights, summing to one, that minimise the
// squared difference between the total (100 × Σ w·level/4) and ten times
// the human overall score, over the chosen levels (exact least squares over
// every support set); rescaled to the rubric's total weight, with a floor of
// 1% of it (weights must be positive), rounded to 0.1.
//
// Guard against overfitting: a criterion's tuned thresholds, and the fitted
// weights, replace the rubric's only if the same procedure, run in an inner
// k-fold cross-validation on the fitting stories, agrees better out of fold
// (pooled kappa) than the rubric does on those stories; the fitted weights
// must also not lower the in-sample kappa of the total. Otherwise the
// rubric's values are kept ([FitCriterion.Tuned], [Fit.WeightsKept]).
//
// Cross-validation repeats the whole procedure (inner selection included)
// k times without one fold and predicts that fold; the pooled out-of-fold
// predictions give the cross-validated figures.
func FitRubric(in CalibrationInput, opts FitOptions) (*Fit, error) {
	k := opts.Folds
	if k == 0 {
		k = 5
	}
	if k < 2 {
		return nil, fmt.Errorf("fit: folds must be at least 2, got %d", k)
	}
	crits := in.Rubric.Criteria
	var rows []fitRow
	for i := range in.Results {
		r := &in.Results[i]
		h := in.human(i)
		if !r.Scored() || len(h.Scores) == 0 || len(r.Scores) != len(crits) {
			continue
		}
		row := fitRow{overall: math.NaN(), total: r.Total}
		if v, ok := h.Scores[Overall]; ok {
			row.overall = v
		}
		for ci, c := range crits {
			s := r.Scores[ci]
			row.raw = append(row.raw, s.Raw)
			lv := cutLevel(s.Raw, c.Thresholds)
			cp := 4
			if s.Level < lv {
				cp = s.Level
			}
			row.cap = append(row.cap, cp)
			row.level = append(row.level, s.Level)
			hv, ok := h.Scores[c.ID]
			if !ok {
				hv = math.NaN()
			}
			row.human = append(row.human, hv)
		}
		rows = append(rows, row)
	}
	if len(rows) < 2*k {
		return nil, fmt.Errorf("%w: %d labeled, need at least %d for %d folds", ErrTooFewLabels, len(rows), 2*k, k)
	}
	origW := make([]float64, len(crits))
	origT := make([][]float64, len(crits))
	for ci, c := range crits {
		origW[ci] = c.Weight
		origT[ci] = c.Thresholds
	}
	all := make([]int, len(rows))
	for i := range all {
		all[i] = i
	}
	model := fitModel(in.Rubric, rows, all, origW, origT, k)

	f := &Fit{N: len(rows), Folds: k, WeightsKept: model.kept}
	// Out-of-fold predictions.
	oofLevels := make([][]int, len(rows))
	oofTotal := make([]float64, len(rows))
	for fold := range k {
		var train, test []int
		for i := range rows {
			if i%k == fold {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		m := fitModel(in.Rubric, rows, train, origW, origT, k)
		for _, i := range test {
			oofLevels[i] = m.levels(rows[i])
			oofTotal[i] = in.Rubric.TotalOf(oofLevels[i], m.weights)
		}
	}
	inLevels := make([][]int, len(rows))
	inTotal := make([]float64, len(rows))
	beforeTotal := make([]float64, len(rows))
	for i := range rows {
		inLevels[i] = model.levels(rows[i])
		inTotal[i] = in.Rubric.TotalOf(inLevels[i], model.weights)
		beforeTotal[i] = rows[i].total
	}
	for ci, c := range crits {
		fc := FitCriterion{ID: c.ID, Weight: c.Weight, FittedWeight: model.weights[ci],
			Thresholds: slices.Clone(c.Thresholds), FittedThresholds: model.thresholds[ci], Tuned: model.tuned[ci]}
		var hl, before, ins, cv []int
		for i, row := range rows {
			if math.IsNaN(row.human[ci]) {
				continue
			}
			hl = append(hl, clampInt(RoundHalfUp(row.human[ci]), 0, 4))
			before = append(before, row.level[ci])
			ins = append(ins, inLevels[i][ci])
			cv = append(cv, oofLevels[i][ci])
		}
		fc.N = len(hl)
		fc.QWKBefore, fc.QWKInSample, fc.QWKCrossValidated = QWK(hl, before, 0, 4), QWK(hl, ins, 0, 4), QWK(hl, cv, 0, 4)
		f.Criteria = append(f.Criteria, fc)
	}
	f.Before = totalFigures(rows, beforeTotal)
	f.InSample = totalFigures(rows, inTotal)
	f.CrossValidated = totalFigures(rows, oofTotal)
	return f, nil
}

// totalFigures compares machine totals (0..100) with the rows' human
// overall scores.
func totalFigures(rows []fitRow, totals []float64) FitFigures {
	var hs, ms []float64
	for i, row := range rows {
		if !math.IsNaN(row.overall) {
			hs = append(hs, row.overall)
			ms = append(ms, totals[i]/10)
		}
	}
	return FitFigures{N: len(hs), QWK: QWK(levelsOf(hs, 0, 10), levelsOf(ms, 0, 10), 0, 10),
		Pearson: Pearson(hs, ms), Spearman: Spearman(hs, ms), SMD: SMD(hs, ms)}
}

// model is a fitted set of thresholds and weights.
type model struct {
	thresholds [][]float64
	weights    []float64
	tuned      []bool // per criterion: thresholds changed
	kept       bool   // the original weights were kept
}

// levels predicts a row's levels under m.
func (m *model) levels(row fitRow) []int {
	out := make([]int, len(m.thresholds))
	for ci, t := range m.thresholds {
		out[ci] = min(cutLevel(row.raw[ci], t), row.cap[ci])
	}
	return out
}

// cutLevel is the number of thresholds raw reaches.
func cutLevel(raw float64, t []float64) int {
	n := 0
	for _, v := range t {
		if raw >= v {
			n++
		}
	}
	return n
}

// fitModel fits thresholds and weights on the rows idx. Each criterion's
// tuned thresholds, and the fitted weights, are kept only if they beat the
// rubric's out of sample: in an inner k-fold cross-validation on idx
// (fold = position in idx mod k), their pooled kappa must exceed the
// rubric's kappa on the same rows.
func fitModel(r *Rubric, rows []fitRow, idx []int, origW []float64, origT [][]float64, k int) *model {
	m := &model{tuned: make([]bool, len(origT))}
	for ci := range origT {
		var sub []int
		for _, i := range idx {
			if !math.IsNaN(rows[i].human[ci]) {
				sub = append(sub, i)
			}
		}
		t := origT[ci]
		if len(sub) >= 2*k {
			hl := make([]int, len(sub))
			orig, cv := make([]int, len(sub)), make([]int, len(sub))
			for p, i := range sub {
				hl[p] = clampInt(RoundHalfUp(rows[i].human[ci]), 0, 4)
				orig[p] = min(cutLevel(rows[i].raw[ci], origT[ci]), rows[i].cap[ci])
			}
			for f := range k {
				var train []int
				for p, i := range sub {
					if p%k != f {
						train = append(train, i)
					}
				}
				tf := thresholdsOn(rows, train, ci, origT[ci])
				for p, i := range sub {
					if p%k == f {
						cv[p] = min(cutLevel(rows[i].raw[ci], tf), rows[i].cap[ci])
					}
				}
			}
			if QWK(hl, cv, 0, 4) > QWK(hl, orig, 0, 4) {
				t = thresholdsOn(rows, sub, ci, origT[ci])
				m.tuned[ci] = !slices.Equal(t, origT[ci])
			}
		}
		m.thresholds = append(m.thresholds, slices.Clone(t))
	}

	// Weights, on the rows with an overall score, over the chosen levels.
	var X [][]float64
	var y []float64
	for _, i := range idx {
		if math.IsNaN(rows[i].overall) {
			continue
		}
		X = append(X, m.levelVector(rows[i]))
		y = append(y, rows[i].overall)
	}
	m.weights = slices.Clone(origW)
	m.kept = true
	if len(y) < 2*k {
		return m
	}
	hl := levelsOf(y, 0, 10)
	predict := func(x []float64, w []float64) float64 {
		lv := make([]int, len(x))
		for c := range x {
			lv[c] = int(x[c])
		}
		return r.TotalOf(lv, w) / 10
	}
	cv := make([]float64, len(y))
	orig := make([]float64, len(y))
	for r := range y {
		orig[r] = predict(X[r], origW)
	}
	for f := range k {
		var Xt [][]float64
		var yt []float64
		for r := range y {
			if r%k != f {
				Xt, yt = append(Xt, X[r]), append(yt, y[r])
			}
		}
		w := weightsOn(Xt, yt, origW)
		for r := range y {
			if r%k == f {
				cv[r] = predict(X[r], w)
			}
		}
	}
	qOrig := QWK(hl, levelsOf(orig, 0, 10), 0, 10)
	if !(QWK(hl, levelsOf(cv, 0, 10), 0, 10) > qOrig) {
		return m
	}
	w := weightsOn(X, y, origW)
	fitted := make([]float64, len(y))
	for r := range y {
		fitted[r] = predict(X[r], w)
	}
	if QWK(hl, levelsOf(fitted, 0, 10), 0, 10) >= qOrig {
		m.weights, m.kept = w, false
	}
	return m
}

// levelVector is a row's levels under m, as floats.
func (m *model) levelVector(row fitRow) []float64 {
	lv := m.levels(row)
	x := make([]float64, len(lv))
	for c, l := range lv {
		x[c] = float64(l)
	}
	return x
}

// thresholdsOn fits criterion ci's thresholds on the rows idx that have a
// human score for it.
func thresholdsOn(rows []fitRow, idx []int, ci int, orig []float64) []float64 {
	var raw []float64
	var caps, hl []int
	for _, i := range idx {
		if h := rows[i].human[ci]; !math.IsNaN(h) {
			raw = append(raw, rows[i].raw[ci])
			caps = append(caps, rows[i].cap[ci])
			hl = append(hl, clampInt(RoundHalfUp(h), 0, 4))
		}
	}
	return fitThresholds(raw, caps, hl, orig)
}

// weightsOn fits weights to levels X (rows of levels 0..4) and human overall
// scores y (0..10); the rubric's weights when the fit fails.
func weightsOn(X [][]float64, y []float64, origW []float64) []float64 {
	Xs := make([][]float64, len(X))
	ys := make([]float64, len(y))
	for r := range X {
		Xs[r] = make([]float64, len(X[r]))
		for c, l := range X[r] {
			Xs[r][c] = 25 * l
		}
		ys[r] = 10 * y[r]
	}
	a := simplexLS(Xs, ys)
	if a == nil {
		return slices.Clone(origW)
	}
	return scaleWeights(a, origW)
}

// scaleWeights turns simplex weights a into rubric weights summing to the
// rubric's total, each at least 1% of it, rounded to 0.1.
func scaleWeights(a, orig []float64) []float64 {
	sum := 0.0
	for _, w := range orig {
		sum += w
	}
	floor := sum / 100
	w := make([]float64, len(a))
	s := 0.0
	for i, v := range a {
		w[i] = max(v*sum, floor)
		s += w[i]
	}
	for i := range w {
		w[i] = max(math.Round(w[i]*sum/s*10)/10, 0.1)
	}
	return w
}

// simplexLS returns the a >= 0 with Σa = 1 minimising |X·a − y|², by
// solving the equality-constrained least-squares problem on every support
// set and keeping the best feasible solution; nil if none is feasible.
func simplexLS(X [][]float64, y []float64) []float64 {
	p := len(X[0])
	var best []float64
	bestErr := math.Inf(1)
	for mask := 1; mask < 1<<p; mask++ {
		var S []int
		for j := range p {
			if mask&(1<<j) != 0 {
				S = append(S, j)
			}
		}
		// KKT system: [2XᵀX 1; 1ᵀ 0] [a; λ] = [2Xᵀy; 1], on S.
		n := len(S)
		A := make([][]float64, n+1)
		for r := range A {
			A[r] = make([]float64, n+2)
		}
		for r, jr := range S {
			for c, jc := range S {
				for i := range X {
					A[r][c] += 2 * X[i][jr] * X[i][jc]
				}
			}
			A[r][n] = 1
			A[n][r] = 1
			for i := range X {
				A[r][n+1] += 2 * X[i][jr] * y[i]
			}
		}
		A[n][n+1] = 1
		sol := solve(A)
		if sol == nil {
			continue
		}
		a := make([]float64, p)
		ok := true
		for r, j := range S {
			if sol[r] < -1e-12 {
				ok = false
				break
			}
			a[j] = max(sol[r], 0)
		}
		if !ok {
			continue
		}
		e := 0.0
		for i := range X {
			d := -y[i]
			for j := range p {
				d += X[i][j] * a[j]
			}
			e += d * d
		}
		if e < bestErr-1e-9 {
			best, bestErr = a, e
		}
	}
	return best
}

// solve solves the augmented system A (n rows, n+1 columns) by Gaussian
// elimination with partial pivoting; nil if it is singular.
func solve(A [][]float64) []float64 {
	n := len(A)
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(A[r][c]) > math.Abs(A[piv][c]) {
				piv = r
			}
		}
		if math.Abs(A[piv][c]) < 1e-9 {
			return nil
		}
		A[c], A[piv] = A[piv], A[c]
		for r := range n {
			if r == c {
				continue
			}
			f := A[r][c] / A[c][c]
			for k := c; k <= n; k++ {
				A[r][k] -= f * A[c][k]
			}
		}
	}
	x := make([]float64, n)
	for i := range n {
		x[i] = A[i][n] / A[i][i]
	}
	return x
}

// maxIntervals bounds the threshold search: at most this many candidate
// intervals per cut point.
const maxIntervals = 41

// fitThresholds returns the four cut points on raw that maximise the QWK of
// min(cut level, cap) with the human levels hl (see [FitRubric]).
func fitThresholds(raw []float64, caps, hl []int, orig []float64) []float64 {
	if len(raw) < 2 || len(orig) != 4 {
		return slices.Clone(orig)
	}
	v := slices.Clone(raw)
	slices.Sort(v)
	v = slices.Compact(v)
	m := len(v)
	// q[i]: 1-based rank of raw[i] among the distinct values.
	// Prefix counts P[q][cap][h]: stories with rank <= q.
	P := make([][5][5]int, m+1)
	for i, r := range raw {
		q, _ := slices.BinarySearch(v, r)
		P[q+1][caps[i]][hl[i]]++
	}
	for q := 1; q <= m; q++ {
		for c := range 5 {
			for h := range 5 {
				P[q][c][h] += P[q-1][c][h]
			}
		}
	}
	// The interval of a cut t: the number of distinct values below t.
	interval := func(t float64) int {
		n, _ := slices.BinarySearch(v, t)
		return n
	}
	var origP [4]int
	for k := range 4 {
		origP[k] = interval(orig[k])
	}
	cand := make([]int, 0, m+1)
	if m+1 <= maxIntervals {
		for p := 0; p <= m; p++ {
			cand = append(cand, p)
		}
	} else {
		for j := range maxIntervals {
			cand = append(cand, int(math.Round(float64(j*m)/float64(maxIntervals-1))))
		}
		cand = append(cand, origP[:]...)
		slices.Sort(cand)
		cand = slices.Compact(cand)
	}
	var capsSeen []int // the caps present, usually just 4 (none)
	for c := range 5 {
		for h := range 5 {
			if P[m][c][h] > 0 {
				capsSeen = append(capsSeen, c)
				break
			}
		}
	}
	qwkOf := func(ps [4]int) float64 {
		var conf [5][5]float64
		b := [6]int{0, ps[0], ps[1], ps[2], ps[3], m}
		for l := range 5 {
			for _, c := range capsSeen {
				ml := min(l, c)
				for h := range 5 {
					conf[h][ml] += float64(P[b[l+1]][c][h] - P[b[l]][c][h])
				}
			}
		}
		return qwkMatrix(conf)
	}
	dist := func(t [4]float64) float64 {
		d := 0.0
		for k := range 4 {
			d += math.Abs(t[k] - orig[k])
		}
		return d
	}
	bestQ := qwkOf(origP)
	bestT := cutValues(origP, v, orig)
	bestD := dist(bestT)
	var ps [4]int
	for a := 0; a < len(cand); a++ {
		ps[0] = cand[a]
		for b := a; b < len(cand); b++ {
			ps[1] = cand[b]
			for c := b; c < len(cand); c++ {
				ps[2] = cand[c]
				for d := c; d < len(cand); d++ {
					ps[3] = cand[d]
					if (a == b || b == c || c == d) && ps != origP {
						continue // two cuts between the same observed values
					}
					q := qwkOf(ps)
					if math.IsNaN(q) {
						continue
					}
					better := math.IsNaN(bestQ) || q > bestQ+1e-12
					if !better && q >= bestQ-1e-12 {
						t := cutValues(ps, v, orig)
						if dd := dist(t); dd < bestD-1e-12 {
							better = true
						}
					}
					if better {
						bestQ = q
						bestT = cutValues(ps, v, orig)
						bestD = dist(bestT)
					}
				}
			}
		}
	}
	return bestT[:]
}

// cutValues chooses the cut values for the intervals ps of the distinct
// sorted raw values v: the original cut when it lies in its interval, else
// the interval's midpoint (half a unit beyond the ends for the open
// intervals); cuts sharing an interval are spread evenly inside it when
// needed to keep them strictly ascending. Values are rounded to 4 decimals
// where that keeps them in their interval.
func cutValues(ps [4]int, v []float64, orig []float64) [4]float64 {
	m := len(v)
	lo := func(p int) float64 { // exclusive lower bound
		if p == 0 {
			return math.Inf(-1)
		}
		return v[p-1]
	}
	hi := func(p int) float64 { // inclusive upper bound
		if p == m {
			return math.Inf(1)
		}
		return v[p]
	}
	inside := func(t float64, p int) bool { return t > lo(p) && t <= hi(p) }
	var t [4]float64
	for k, p := range ps {
		switch {
		case inside(orig[k], p):
			t[k] = orig[k]
		case p == 0:
			t[k] = v[0] - 0.5
		case p == m:
			t[k] = v[m-1] + 0.5
		default:
			t[k] = (v[p-1] + v[p]) / 2
		}
	}
	for i := 0; i < 4; {
		j := i
		for j+1 < 4 && ps[j+1] == ps[i] {
			j++
		}
		ascending := true
		for k := i + 1; k <= j; k++ {
			if t[k] <= t[k-1] {
				ascending = false
			}
		}
		if !ascending {
			g := float64(j - i + 1)
			p := ps[i]
			for k := i; k <= j; k++ {
				pos := float64(k - i + 1)
				switch {
				case p == 0 && p == m:
					t[k] = pos
				case p == 0:
					t[k] = v[0] - 0.5*(g-pos+1)
				case p == m:
					t[k] = v[m-1] + 0.5*pos
				default:
					t[k] = v[p-1] + (v[p]-v[p-1])*pos/(g+1)
				}
			}
		}
		i = j + 1
	}
	for k := range t {
		r := math.Round(t[k]*1e4) / 1e4
		if inside(r, ps[k]) && (k == 0 || r > t[k-1]) && (k == 3 || r < t[k+1]) {
			t[k] = r
		}
	}
	return t
}

// qwkMatrix is [QWK] computed from a 5×5 confusion matrix.
func qwkMatrix(conf [5][5]float64) float64 {
	var rows, cols [5]float64
	n := 0.0
	for i := range 5 {
		for j := range 5 {
			rows[i] += conf[i][j]
			cols[j] += conf[i][j]
			n += conf[i][j]
		}
	}
	if n == 0 {
		return math.NaN()
	}
	var obs, exp float64
	for i := range 5 {
		for j := range 5 {
			w := float64((i - j) * (i - j))
			obs += w * conf[i][j]
			exp += w * rows[i] * cols[j] / n
		}
	}
	if exp == 0 {
		return math.NaN()
	}
	return 1 - obs/exp
}
