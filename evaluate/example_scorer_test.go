package evaluate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
)

// ExampleRubricScorer_Score scores one story with the default rubric and
// prints its levels, total and band.
func ExampleRubricScorer_Score() {
	sc, err := evaluate.New(config.DefaultRubric())
	if err != nil {
		panic(err)
	}
	story := evaluate.Story{
		Text: `Last year I was the PM for checkout at a furniture shop with 40,000 orders a month. I decided to remove guest checkout because I believed accounts would raise repeat orders.

Conversion fell 9% in two weeks. In ten customer calls it turned out most buyers purchase furniture once every few years and saw no reason to create an account.

I rolled guest checkout back and offered an account after payment instead; 30% of buyers accepted and conversion recovered. Since then I test every checkout change on a small share of traffic first.`,
	}
	ref := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	res, err := sc.Score(context.Background(), story, ref)
	if err != nil {
		panic(err)
	}
	for _, s := range res.Scores {
		fmt.Printf("%-9s %d/4\n", s.ID, s.Level)
	}
	fmt.Printf("total %.1f (%s), flags %d\n", res.Total, res.Band, len(res.Flags))
	// Output:
	// scope     4/4
	// recency   4/4
	// learning  3/4
	// structure 4/4
	// arc       4/4
	// ownership 4/4
	// total 90.3 (Strong), flags 0
}
