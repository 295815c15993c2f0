package evaluate

import "math"

// TotalOf is the total 0..100 of a story whose criteria got levels (in rubric
// order), with the criteria weighted by weights (nil: the rubric's own
// weights). It is the weighted share of the levels, f = Σ weight·level/4 ÷
// Σ weight, bent by [Rubric.TotalCurve] (total = 100·f^curve), rounded to 0.1,
// and capped by every criterion with ZeroCapsTotal whose level is 0. The
// scorer and the calibration fit both use it, so they cannot disagree.
func (r *Rubric) TotalOf(levels []int, weights []float64) float64 {
	var sum, sw float64
	for i, l := range levels {
		var w float64
		if weights == nil {
			w = r.Criteria[i].Weight
		} else {
			w = weights[i]
		}
		sum += w * float64(l) / 4
		sw += w
	}
	if sw <= 0 {
		return 0
	}
	f := math.Max(0, math.Min(1, sum/sw))
	if c := r.TotalCurve; c > 0 && c != 1 {
		f = math.Pow(f, c)
	}
	total := math.Round(f*1000) / 10
	for i, c := range r.Criteria {
		if i < len(levels) && c.ZeroCapsTotal > 0 && levels[i] == 0 && total > c.ZeroCapsTotal {
			total = c.ZeroCapsTotal
		}
	}
	return total
}

func (r *Rubric) criterionWeights() []float64 {
	w := make([]float64, len(r.Criteria))
	for i, c := range r.Criteria {
		w[i] = c.Weight
	}
	return w
}
