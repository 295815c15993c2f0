package evaluate_test

import (
	"fmt"

	"github.com/failwell/failwell/evaluate"
)

func ExampleBlind() {
	stories := []evaluate.Story{
		{Ref: "cohort.csv::2", Name: "Zoë Hartmann", Email: "zoe@example.com", Text: "I launched too early."},
		{Ref: "cohort.csv::3", Name: "Zoe H.", Email: "ZOE@example.com", Text: "A second answer."},
	}
	key := []byte("a secret key of 32 random bytes!") // in failwell: the output directory's blind-key
	blinded, mapping := evaluate.Blind(stories, key)
	for i, s := range blinded {
		fmt.Printf("%s: %q %q %q\n", s.Ref, s.Name, s.Email, s.Text)
		fmt.Printf("  mapping: %s → %s <%s>\n", mapping[i].Pseudonym, mapping[i].Name, mapping[i].Email)
	}
	// Output:
	// cohort.csv::2: "Candidate 0E39F6" "" "I launched too early."
	//   mapping: Candidate 0E39F6 → Zoë Hartmann <zoe@example.com>
	// cohort.csv::3: "Candidate 0E39F6" "" "A second answer."
	//   mapping: Candidate 0E39F6 → Zoe H. <ZOE@example.com>
}
