package evaluate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

// BenchmarkScoreAdversarial scores hostile stories of growing size, to show
// how the cost grows: time per op should about double from one size to the
// next (linear). A story may be up to 1 MiB (ingest.MaxStoryBytes), so
// quadratic growth is a denial of service: run with
//
//	go test ./evaluate -run '^$' -bench Adversarial
func BenchmarkScoreAdversarial(b *testing.B) {
	sc := defaultScorer(b)
	units := []struct{ name, unit string }{
		{"terminator-run", "!"},                                // one run of "!!!…"
		{"question-run", "?"},                                  // one run of "???…"
		{"one-sentence-numbers", "12% 2024 $5k 3 months ago "}, // many hits in one sentence
		{"many-sentences", "In 2025 I led a launch that failed, and I learned to test first. "},
	}
	for _, u := range units {
		for _, size := range []int{16 << 10, 32 << 10, 64 << 10} {
			text := strings.Repeat(u.unit, size/len(u.unit)) + " and then"
			b.Run(fmt.Sprintf("%s/%dKiB", u.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					if _, err := sc.Score(context.Background(), evaluate.Story{Text: text}, asOf); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
