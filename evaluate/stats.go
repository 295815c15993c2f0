package evaluate

import (
	"math"
	"slices"
)

// This file holds the agreement statistics used by calibration. They follow
// the definitions used in automated-scoring research (Williamson, Xi & Breyer
// 2012, "A Framework for Evaluation and Use of Automated Scoring"; ETS
// RSMTool). Every function is pure and deterministic.
//
// Undefined values are NaN, never 0: the mean of no values, the SD of fewer
// than two, a correlation with a constant series, a kappa whose expected
// disagreement is zero. Callers show NaN as "undefined" (JSON null).

// Mean returns the arithmetic mean of x, or NaN when x is empty.
func Mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// SD returns the sample standard deviation of x (divisor n−1), or NaN when x
// has fewer than two values.
func SD(x []float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	m := Mean(x)
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

// Pearson returns the Pearson product-moment correlation of x and y, which
// must have the same length. It is NaN when there are fewer than two pairs or
// when either series is constant (the correlation is undefined).
func Pearson(x, y []float64) float64 {
	n := len(x)
	if n != len(y) || n < 2 {
		return math.NaN()
	}
	mx, my := Mean(x), Mean(y)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	r := sxy / math.Sqrt(sxx*syy)
	return math.Max(-1, math.Min(1, r))
}

// Ranks returns the 1-based ranks of x, giving tied values the average of the
// ranks they span ("fractional" ranking): Ranks([10 20 20 30]) is
// [1 2.5 2.5 4].
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// Spearman returns Spearman's rank correlation of x and y: the Pearson
// correlation of their ranks, with ties given average ranks (see [Ranks]).
// It is NaN where [Pearson] is.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	return Pearson(Ranks(x), Ranks(y))
}

// SMD returns the standardized mean difference of machine scores from human
// scores, as defined by Williamson, Xi & Breyer (2012):
//
//	SMD = (mean(machine) − mean(human)) / sqrt((SD(human)² + SD(machine)²) / 2)
//
// with sample SDs (divisor n−1), i.e. the difference in units of the pooled
// SD. It is positive when the machine scores higher. It is NaN when either
// series has fewer than two values or both are constant.
func SMD(human, machine []float64) float64 {
	sh, sm := SD(human), SD(machine)
	pooled := math.Sqrt((sh*sh + sm*sm) / 2)
	if math.IsNaN(pooled) || pooled == 0 {
		return math.NaN()
	}
	return (Mean(machine) - Mean(human)) / pooled
}

// RoundHalfUp rounds x to the nearest integer, halves upwards: 2.5 → 3,
// 3.49 → 3, −0.5 → 0. Calibration uses it to put fractional human scores
// (means of raters) on the integer levels that kappa and agreement need.
func RoundHalfUp(x float64) int {
	return int(math.Floor(x + 0.5))
}

// QWK returns Cohen's kappa of two ratings with quadratic weights,
// w(i,j) = (i−j)² / (hi−lo)², for integer levels in [lo, hi]:
//
//	κ = 1 − Σ w·O / Σ w·E
//
// where O is the observed joint distribution and E the product of the
// marginals. Levels outside [lo, hi] are clamped. QWK is NaN when a and b
// differ in length, are empty, or the expected disagreement is zero (both
// raters gave one and the same level to everything).
func QWK(a, b []int, lo, hi int) float64 {
	n := len(a)
	if n == 0 || n != len(b) || hi <= lo {
		return math.NaN()
	}
	m := Confusion(a, b, lo, hi)
	k := hi - lo + 1
	rows := make([]float64, k)
	cols := make([]float64, k)
	for i := range k {
		for j := range k {
			rows[i] += float64(m[i][j])
			cols[j] += float64(m[i][j])
		}
	}
	var obs, exp float64
	for i := range k {
		for j := range k {
			w := float64((i - j) * (i - j))
			obs += w * float64(m[i][j])
			exp += w * rows[i] * cols[j] / float64(n)
		}
	}
	if exp == 0 {
		return math.NaN()
	}
	return 1 - obs/exp
}

// Confusion returns the confusion matrix of a (rows) against b (columns) for
// levels lo..hi: m[i][j] counts pairs with a = lo+i and b = lo+j. Levels
// outside the range are clamped into it. a and b must have the same length.
func Confusion(a, b []int, lo, hi int) [][]int {
	k := hi - lo + 1
	if k < 1 {
		return nil
	}
	m := make([][]int, k)
	for i := range m {
		m[i] = make([]int, k)
	}
	for i := range a {
		if i >= len(b) {
			break
		}
		m[clampInt(a[i], lo, hi)-lo][clampInt(b[i], lo, hi)-lo]++
	}
	return m
}

// AgreementRates returns the share of pairs on which a and b give the same level
// (exact) and levels at most one apart (adjacent, which includes exact), as
// fractions 0..1. Both are NaN when there are no pairs.
func AgreementRates(a, b []int) (exact, adjacent float64) {
	n := min(len(a), len(b))
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	var e, adj int
	for i := range n {
		d := a[i] - b[i]
		if d == 0 {
			e++
		}
		if d >= -1 && d <= 1 {
			adj++
		}
	}
	return float64(e) / float64(n), float64(adj) / float64(n)
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(hi, v))
}
