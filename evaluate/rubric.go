package evaluate

// Rubric is a scoring rubric as written by a user (YAML, TOML or JSON, decoded
// by package config). It is plain data; [New] validates and compiles it.
//
// Field tags name the keys of the file format. Keys are snake_case.
type Rubric struct {
	// ID identifies the rubric ("failwell-default"); Version is free text ("1.0").
	ID      string `yaml:"id" json:"id"`
	Version string `yaml:"version" json:"version"`
	// Name and Description are shown in reports.
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Bands partition totals 0..100 into named bands, by minimum total.
	Bands []Band `yaml:"bands" json:"bands"`
	// Criteria are scored independently, each 0..4, and weighted into the total.
	Criteria []Criterion `yaml:"criteria" json:"criteria"`
	// Examples are stories with expected levels, checked by `failwell rubric test`.
	Examples []Example `yaml:"examples,omitempty" json:"examples,omitempty"`
}

// Band is a named range of totals: a story is in the band with the highest
// Min not above its total.
type Band struct {
	Name        string  `yaml:"name" json:"name"`
	Min         float64 `yaml:"min" json:"min"` // 0..100
	Description string  `yaml:"description,omitempty" json:"description,omitempty"`
}

// Criterion is one scored dimension of a story.
type Criterion struct {
	ID          string  `yaml:"id" json:"id"`
	Name        string  `yaml:"name" json:"name"`
	Description string  `yaml:"description,omitempty" json:"description,omitempty"`
	Weight      float64 `yaml:"weight" json:"weight"` // > 0
	// Levels describes levels 0..4: exactly five entries, index = level.
	Levels []Level `yaml:"levels" json:"levels"`
	// Signals are the evidence detectors whose weighted matches make the raw score.
	Signals []Signal `yaml:"signals" json:"signals"`
	// Thresholds are four ascending raw-score cut points: raw >= Thresholds[k-1]
	// earns level k.
	Thresholds []float64 `yaml:"thresholds" json:"thresholds"`
}

// Level describes one level of a criterion.
type Level struct {
	Descriptor string `yaml:"descriptor" json:"descriptor"`
	// Feedback is shown to a candidate at this level. It may cite evidence.
	Feedback string `yaml:"feedback" json:"feedback"`
}

// Signal is one evidence detector. Kind selects how it matches; the other
// fields are that kind's parameters.
type Signal struct {
	ID     string  `yaml:"id" json:"id"`
	Kind   string  `yaml:"kind" json:"kind"`
	Weight float64 `yaml:"weight" json:"weight"`
	// Phrases are matched case-insensitively, word by word, through a stemmer.
	Phrases []string `yaml:"phrases,omitempty" json:"phrases,omitempty"`
	// Pattern is a regular expression (RE2 syntax).
	Pattern string `yaml:"pattern,omitempty" json:"pattern,omitempty"`
	// Note explains the match in evidence ("names a metric").
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Example is a story with expected levels, a test case for the rubric.
type Example struct {
	Name      string         `yaml:"name" json:"name"`
	Submitted string         `yaml:"submitted,omitempty" json:"submitted,omitempty"` // YYYY-MM-DD
	Story     string         `yaml:"story" json:"story"`
	Expect    map[string]int `yaml:"expect" json:"expect"` // criterion id → level
}

// FieldError is one problem found by [Rubric.Validate], located by a path into
// the rubric document ("criteria[2].signals[0].pattern"), so that package
// config can map it back to a file line.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }
