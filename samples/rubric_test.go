package samples_test

import (
	"slices"
	"testing"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
)

// loadSampleRubric loads samples/rubric.yaml with full validation and
// compiles it.
func loadSampleRubric(t *testing.T) *evaluate.RubricScorer {
	t.Helper()
	r, _, err := config.ReadRubric("rubric.yaml")
	if err != nil {
		t.Fatalf("config.ReadRubric(rubric.yaml): %v", err)
	}
	s, err := evaluate.New(r)
	if err != nil {
		t.Fatalf("evaluate.New: %v", err)
	}
	return s
}

// TestSampleRubricExamples is `failwell rubric test samples/rubric.yaml`:
// every example story must get every level it expects.
func TestSampleRubricExamples(t *testing.T) {
	s := loadSampleRubric(t)
	results := s.CheckExamples()
	if len(results) == 0 {
		t.Fatal("CheckExamples returned no results; want the examples' expected levels")
	}
	perCriterion := map[string]int{}
	for _, res := range results {
		perCriterion[res.Criterion]++
		if !res.Pass {
			t.Errorf("example %q, criterion %s: got level %d, want %d", res.Example, res.Criterion, res.Got, res.Want)
		}
	}
	for _, c := range s.Rubric().Criteria {
		if got := perCriterion[c.ID]; got < 2 {
			t.Errorf("criterion %s: %d expected levels in the examples, want at least 2", c.ID, got)
		}
	}
}

// TestSampleRubricShape checks what the sample promises to demonstrate: the
// six fixed criterion ids, and at least one use of each signal kind and of
// the modifiers its comments explain, so that an edit cannot silently drop
// a documented feature.
func TestSampleRubricShape(t *testing.T) {
	r := loadSampleRubric(t).Rubric()

	var ids []string
	for _, c := range r.Criteria {
		ids = append(ids, c.ID)
	}
	if want := []string{"scope", "recency", "learning", "structure", "arc", "ownership"}; !slices.Equal(ids, want) {
		t.Errorf("criterion ids: got %v, want %v", ids, want)
	}

	uses := map[string]bool{}
	for _, c := range r.Criteria {
		if c.ZeroCapsTotal > 0 {
			uses["zero_caps_total"] = true
		}
		if c.Base != 0 {
			uses["base"] = true
		}
		for _, sg := range c.Signals {
			uses["kind:"+sg.Kind] = true
			if sg.Actor != "" {
				uses["actor:"+sg.Actor] = true
			}
			if sg.Negation != "" {
				uses["negation:"+sg.Negation] = true
			}
			for key, on := range map[string]bool{
				"max_gap": sg.MaxGap > 0, "from": sg.From != nil, "cap": sg.Cap > 0,
				"max_level": sg.MaxLevel != nil, "unless": len(sg.Unless) > 0,
				"requires": len(sg.Requires) > 0, "advice": sg.Advice != "",
				"max_filler": sg.MaxFiller > 0,
			} {
				if on {
					uses[key] = true
				}
			}
			for _, sec := range sg.Sections {
				if len(sec.Headings) > 0 {
					uses["headings"] = true
				}
			}
		}
	}
	tests := []string{
		"kind:phrase", "kind:regex", "kind:quantity", "kind:time", "kind:sections",
		"kind:length", "kind:sentences", "kind:constant",
		"actor:self", "actor:other", "negation:only",
		"max_gap", "from", "cap", "max_level", "unless", "requires", "advice", "max_filler",
		"headings", "base", "zero_caps_total",
	}
	for _, feature := range tests {
		if !uses[feature] {
			t.Errorf("sample rubric uses %s: got no, want yes (its comments document it)", feature)
		}
	}

	if r.Flags == nil || len(r.Flags.Caps) == 0 {
		t.Errorf("flags.caps: got none, want the sample to set flag caps")
	}
	if len(r.Bands) < 3 {
		t.Errorf("bands: got %d, want at least 3", len(r.Bands))
	}
}
