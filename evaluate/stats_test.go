package evaluate_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

// The expected values below are computed by hand, with the working in the
// comments, or by an independent implementation of the textbook formula
// (TestQWKAgainstDirectFormula). Ties in Spearman get average ranks.

const tol = 1e-4

func near(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

func TestMeanAndSD(t *testing.T) {
	tests := []struct {
		name     string
		x        []float64
		mean, sd float64
	}{
		// Σ = 40, mean 5; Σ(x−5)² = 32; sample SD = sqrt(32/7).
		{"textbook", []float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7)},
		{"fractional", []float64{0.5, 1.5}, 1, math.Sqrt(0.5)},
		{"constant", []float64{3, 3, 3}, 3, 0},
		{"one value: SD undefined", []float64{3}, 3, math.NaN()},
		{"empty: both undefined", nil, math.NaN(), math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate.Mean(tt.x); !near(got, tt.mean) {
				t.Errorf("Mean = %v, want %v", got, tt.mean)
			}
			if got := evaluate.SD(tt.x); !near(got, tt.sd) {
				t.Errorf("SD = %v, want %v", got, tt.sd)
			}
		})
	}
}

func TestPearson(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		// dx = −2..2, dy = (−2,0,1,0,1): Σdxdy = 6, Σdx² = 10, Σdy² = 6;
		// r = 6/sqrt(60).
		{"hand computed", []float64{1, 2, 3, 4, 5}, []float64{2, 4, 5, 4, 5}, 6 / math.Sqrt(60)},
		{"perfect", []float64{1, 2, 3}, []float64{10, 20, 30}, 1},
		{"inverse", []float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		{"two pairs", []float64{1, 2}, []float64{5, 3}, -1},
		{"constant x: undefined", []float64{2, 2, 2}, []float64{1, 2, 3}, math.NaN()},
		{"constant y: undefined", []float64{1, 2, 3}, []float64{4, 4, 4}, math.NaN()},
		{"one pair: undefined", []float64{1}, []float64{1}, math.NaN()},
		{"empty: undefined", nil, nil, math.NaN()},
		{"length mismatch: undefined", []float64{1, 2}, []float64{1, 2, 3}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate.Pearson(tt.x, tt.y); !near(got, tt.want) {
				t.Errorf("Pearson = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRanksAverageTies(t *testing.T) {
	tests := []struct {
		x, want []float64
	}{
		{[]float64{10, 20, 20, 30}, []float64{1, 2.5, 2.5, 4}},
		{[]float64{3, 1, 2}, []float64{3, 1, 2}},
		{[]float64{5, 5, 5}, []float64{2, 2, 2}},
		{[]float64{2, 1, 2, 1, 3}, []float64{3.5, 1.5, 3.5, 1.5, 5}},
		{nil, []float64{}},
	}
	for _, tt := range tests {
		if got := evaluate.Ranks(tt.x); !slices.Equal(got, tt.want) && len(tt.want) > 0 {
			t.Errorf("Ranks(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}

func TestSpearman(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		// Ranks x = (1, 2.5, 2.5, 4), y = (1, 3, 2, 4); both mean 2.5;
		// Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5: ρ = 4.5/sqrt(22.5).
		{"ties in x", []float64{1, 2, 2, 3}, []float64{1, 3, 2, 4}, 4.5 / math.Sqrt(22.5)},
		// No ties: ρ = 1 − 6Σd²/(n(n²−1)); ranks x = 1..5, y = (2,1,4,3,5):
		// Σd² = 4, ρ = 1 − 24/120 = 0.8.
		{"no ties, classic formula", []float64{1, 2, 3, 4, 5}, []float64{20, 10, 40, 30, 50}, 0.8},
		// Ties on both sides: x ranks (1.5,1.5,3,4), y ranks (1,2.5,2.5,4);
		// means 2.5; dx = (−1,−1,.5,1.5), dy = (−1.5,0,0,1.5);
		// Σdxdy = 1.5+0+0+2.25 = 3.75, Σdx² = 4.5, Σdy² = 4.5: ρ = 3.75/4.5.
		{"ties on both sides", []float64{1, 1, 2, 3}, []float64{1, 2, 2, 3}, 3.75 / 4.5},
		{"monotone but not linear", []float64{1, 2, 3, 4}, []float64{1, 4, 9, 100}, 1},
		{"constant: undefined", []float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN()},
		{"one pair: undefined", []float64{1}, []float64{2}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate.Spearman(tt.x, tt.y); !near(got, tt.want) {
				t.Errorf("Spearman = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestQWK(t *testing.T) {
	tests := []struct {
		name   string
		a, b   []int
		lo, hi int
		want   float64
	}{
		{"identical", []int{0, 1, 2, 3, 4}, []int{0, 1, 2, 3, 4}, 0, 4, 1},
		// Two levels: quadratic weights are 0/1, so QWK is Cohen's kappa:
		// po = 0.75, pe = 0.5·0.25 + 0.5·0.75 = 0.5, κ = 0.5.
		{"two levels = Cohen's kappa", []int{0, 0, 1, 1}, []int{0, 1, 1, 1}, 0, 1, 0.5},
		// Observed: (0,0) (1,2) (2,2): Σw·O = 1. Rows (1,1,1), columns
		// (1,0,2): Σw·E = (1/3)[(0+0+8) + (1+0+2) + (4+0+0)] = 5. κ = 0.8.
		{"hand computed, 3 levels", []int{0, 1, 2}, []int{0, 2, 2}, 0, 2, 0.8},
		// The weights' scale cancels: the same ratings on a wider range give
		// the same kappa.
		{"range does not matter", []int{0, 1, 2}, []int{0, 2, 2}, 0, 4, 0.8},
		// Fully reversed on 3 levels: O = (0,2)(1,1)(2,0): Σw·O = 8;
		// uniform margins: Σw·E = (1/3)(0+1+4+1+0+1+4+1+0) = 4; κ = −1.
		{"reversed", []int{0, 1, 2}, []int{2, 1, 0}, 0, 2, -1},
		// One rater constant: observed equals expected disagreement, κ = 0.
		{"one constant rater", []int{1, 1, 1}, []int{0, 1, 2}, 0, 2, 0},
		{"both constant, same level: undefined", []int{2, 2, 2}, []int{2, 2, 2}, 0, 4, math.NaN()},
		{"empty: undefined", nil, nil, 0, 4, math.NaN()},
		{"length mismatch: undefined", []int{1}, []int{1, 2}, 0, 4, math.NaN()},
		{"out of range clamped", []int{-1, 5}, []int{0, 4}, 0, 4, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate.QWK(tt.a, tt.b, tt.lo, tt.hi); !near(got, tt.want) {
				t.Errorf("QWK = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestQWKAgainstDirectFormula checks QWK on a larger table against the
// textbook formula written out independently: κ = 1 − Σ w_ij O_ij / Σ w_ij E_ij
// with w_ij = (i−j)²/(k−1)², O and E as proportions.
func TestQWKAgainstDirectFormula(t *testing.T) {
	a := []int{0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 0, 2, 3}
	b := []int{0, 1, 2, 2, 3, 1, 3, 4, 4, 3, 4, 1, 2, 2}
	n := float64(len(a))
	var O [5][5]float64
	var ra, rb [5]float64
	for i := range a {
		O[a[i]][b[i]] += 1 / n
		ra[a[i]] += 1 / n
		rb[b[i]] += 1 / n
	}
	var num, den float64
	for i := range 5 {
		for j := range 5 {
			w := float64((i-j)*(i-j)) / 16
			num += w * O[i][j]
			den += w * ra[i] * rb[j]
		}
	}
	want := 1 - num/den
	if got := evaluate.QWK(a, b, 0, 4); !near(got, want) {
		t.Errorf("QWK = %v, want %v", got, want)
	}
}

func TestSMD(t *testing.T) {
	tests := []struct {
		name           string
		human, machine []float64
		want           float64
	}{
		// Same SD 1, machine one higher: SMD = 1.
		{"shift by one SD", []float64{1, 2, 3}, []float64{2, 3, 4}, 1},
		// human mean 2.5, var 5/3; machine mean 3, var 2;
		// pooled = sqrt((5/3 + 2)/2); SMD = 0.5/pooled.
		{"pooled SD", []float64{1, 2, 3, 4}, []float64{2, 2, 3, 5}, 0.5 / math.Sqrt((5.0/3+2)/2)},
		{"machine lower is negative", []float64{2, 3, 4}, []float64{1, 2, 3}, -1},
		{"no difference", []float64{1, 2, 3}, []float64{3, 2, 1}, 0},
		// One side constant: pooled SD still defined.
		{"one constant side", []float64{1, 2, 3}, []float64{3, 3, 3}, 1 / math.Sqrt(0.5)},
		{"both constant: undefined", []float64{2, 2}, []float64{3, 3}, math.NaN()},
		{"one value: undefined", []float64{2}, []float64{3}, math.NaN()},
		{"empty: undefined", nil, nil, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate.SMD(tt.human, tt.machine); !near(got, tt.want) {
				t.Errorf("SMD = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAgreementRatesAndConfusion(t *testing.T) {
	a := []int{0, 1, 2, 3, 4}
	b := []int{0, 2, 2, 1, 4}
	exact, adj := evaluate.AgreementRates(a, b)
	if exact != 0.6 || adj != 0.8 {
		t.Errorf("AgreementRates = %v, %v; want 0.6, 0.8", exact, adj)
	}
	if e, ad := evaluate.AgreementRates(nil, nil); !math.IsNaN(e) || !math.IsNaN(ad) {
		t.Errorf("AgreementRates(empty) = %v, %v; want NaN, NaN", e, ad)
	}
	m := evaluate.Confusion(a, b, 0, 4)
	want := [][]int{
		{1, 0, 0, 0, 0},
		{0, 0, 1, 0, 0},
		{0, 0, 1, 0, 0},
		{0, 1, 0, 0, 0},
		{0, 0, 0, 0, 1},
	}
	for i := range want {
		if !slices.Equal(m[i], want[i]) {
			t.Errorf("Confusion row %d = %v, want %v", i, m[i], want[i])
		}
	}
}

func TestRoundHalfUp(t *testing.T) {
	tests := []struct {
		x    float64
		want int
	}{{2.5, 3}, {1.5, 2}, {0.5, 1}, {3.49, 3}, {3.5, 4}, {0, 0}, {-0.5, 0}, {9.75, 10}}
	for _, tt := range tests {
		if got := evaluate.RoundHalfUp(tt.x); got != tt.want {
			t.Errorf("RoundHalfUp(%v) = %d, want %d", tt.x, got, tt.want)
		}
	}
}

func ExampleQWK() {
	human := []int{0, 1, 2, 3, 4, 2}
	machine := []int{0, 1, 3, 3, 4, 1}
	exact, adjacent := evaluate.AgreementRates(human, machine)
	fmt.Printf("QWK %.3f, exact %.2f, adjacent %.2f\n", evaluate.QWK(human, machine, 0, 4), exact, adjacent)
	// Output: QWK 0.909, exact 0.67, adjacent 1.00
}

func ExampleSMD() {
	human := []float64{1, 2, 3, 4}
	machine := []float64{2, 2, 3, 5}
	fmt.Printf("SMD %.3f\n", evaluate.SMD(human, machine))
	// Output: SMD 0.369
}
