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
	// Flags configures the review flags; nil means [DefaultFlagSettings].
	Flags *FlagSettings `yaml:"flags,omitempty" json:"flags,omitempty"`
	// TotalCurve, when > 0, bends the total: total = 100 × f^TotalCurve,
	// where f = Σ weight·level/4 ÷ Σ weight is the weighted share of the
	// levels (0..1). 0 or 1 keeps the total linear. The curve is monotone
	// and keeps 0 at 0 and 100 at 100, so rankings do not change; a value
	// above 1 makes a story lose more for each level it misses, as human
	// raters' overall judgements do.
	TotalCurve float64 `yaml:"total_curve,omitempty" json:"total_curve,omitempty"`
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
	// Base is the raw score before any signal fires (default 0).
	Base float64 `yaml:"base,omitempty" json:"base,omitempty"`
	// ZeroCapsTotal, when > 0, caps the story's total at this value (0..100)
	// whenever this criterion is at level 0: a critical criterion that the
	// other criteria must not outweigh (the article's "most critical point").
	ZeroCapsTotal float64 `yaml:"zero_caps_total,omitempty" json:"zero_caps_total,omitempty"`
}

// Level describes one level of a criterion.
type Level struct {
	Descriptor string `yaml:"descriptor" json:"descriptor"`
	// Feedback is shown to a candidate at this level. It may cite evidence
	// through placeholders: {quote} (the strongest evidence quote), {year}
	// and {age} (the story's date and age in years, when known).
	Feedback string `yaml:"feedback" json:"feedback"`
	// NextStep is the one concrete thing to do to reach the next level
	// (may use the same placeholders; empty at level 4).
	NextStep string `yaml:"next_step,omitempty" json:"next_step,omitempty"`
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

	// Cap bounds the absolute total contribution of the signal (default:
	// |Weight|, i.e. the signal counts once). Each sentence counts at most
	// once per signal.
	Cap float64 `yaml:"cap,omitempty" json:"cap,omitempty"`
	// MaxLevel, when set, caps the criterion's level while the signal fires.
	MaxLevel *int `yaml:"max_level,omitempty" json:"max_level,omitempty"`
	// Unless lists ids of signals of the same criterion: this signal does
	// not fire when any of them fired (they must be listed earlier).
	Unless []string `yaml:"unless,omitempty" json:"unless,omitempty"`
	// Requires lists ids of earlier signals of the same criterion that must
	// all have fired for this signal to fire.
	Requires []string `yaml:"requires,omitempty" json:"requires,omitempty"`
	// Negation says how negated matches count (phrase, regex): "exclude"
	// (default: "didn't launch" is not a launch), "include" or "only".
	Negation string `yaml:"negation,omitempty" json:"negation,omitempty"`
	// Actor constrains who does the matched thing (phrase, regex): "any"
	// (default), "self" ("I decided"), "we", "self_or_we", "other" ("my
	// manager decided", "they") or "not_self".
	Actor string `yaml:"actor,omitempty" json:"actor,omitempty"`
	// From and To restrict matches to a part of the story, as fractions of
	// its words (0 = start, 1 = end). Defaults 0 and 1.
	From *float64 `yaml:"from,omitempty" json:"from,omitempty"`
	To   *float64 `yaml:"to,omitempty" json:"to,omitempty"`
	// MaxGap lets up to this many extra words sit between the words of a
	// phrase ("missed an important meeting" for "missed meeting").
	MaxGap int `yaml:"max_gap,omitempty" json:"max_gap,omitempty"`
	// Quantities selects quantity kinds (quantity): percent, money, count,
	// duration. Empty means all but duration.
	Quantities []string `yaml:"quantities,omitempty" json:"quantities,omitempty"`
	// Ages maps the age of the story's date (the latest date in its first 40%, else its first
	// date), in years before the reference date, to a multiple of Weight (time): the first step whose
	// MaxYears is >= the age applies.
	Ages []AgeStep `yaml:"ages,omitempty" json:"ages,omitempty"`
	// Sections are the expected parts of the story, in order (sections).
	Sections []Section `yaml:"sections,omitempty" json:"sections,omitempty"`
	// MinWords and MaxWords bound the story length (length): the signal
	// fires when the story is shorter than MinWords or longer than MaxWords.
	MinWords int `yaml:"min_words,omitempty" json:"min_words,omitempty"`
	MaxWords int `yaml:"max_words,omitempty" json:"max_words,omitempty"`
	// MaxFiller, when > 0, makes a length signal fire instead when more
	// than this share (0..1) of the story's words are in filler sentences,
	// sentences no signal of the rubric matched.
	MaxFiller float64 `yaml:"max_filler,omitempty" json:"max_filler,omitempty"`
	// MaxSentenceWords fires the signal once per sentence longer than this,
	// with value words/MaxSentenceWords (sentences); MinSentences fires it
	// once when the story has fewer sentences (sentences).
	MaxSentenceWords int `yaml:"max_sentence_words,omitempty" json:"max_sentence_words,omitempty"`
	MinSentences     int `yaml:"min_sentences,omitempty" json:"min_sentences,omitempty"`
	// Advice is added to the criterion's feedback when the signal fires;
	// placeholders as in [Level.Feedback].
	Advice string `yaml:"advice,omitempty" json:"advice,omitempty"`
}

// AgeStep is one step of a time signal's age table.
type AgeStep struct {
	MaxYears float64 `yaml:"max_years" json:"max_years"`
	Value    float64 `yaml:"value" json:"value"`
}

// Section is one expected part of a story for a sections signal. A sentence
// belongs to the section whose heading it starts with, or else to the
// section whose cue phrases it matches most.
type Section struct {
	Name     string   `yaml:"name" json:"name"`
	Headings []string `yaml:"headings,omitempty" json:"headings,omitempty"`
	Phrases  []string `yaml:"phrases" json:"phrases"`
	// Within, when > 0, limits cue phrases to the first Within fraction of
	// the story (0..1): a situation cue near the end is not the situation.
	// Headings are not limited.
	Within float64 `yaml:"within,omitempty" json:"within,omitempty"`
}

// FlagSettings configures review flags. Zero fields take the defaults of
// [DefaultFlagSettings].
type FlagSettings struct {
	// MinWords and MaxWords: stories outside are flagged too-short/too-long.
	MinWords int `yaml:"min_words,omitempty" json:"min_words,omitempty"`
	MaxWords int `yaml:"max_words,omitempty" json:"max_words,omitempty"`
	// Placeholder is a regular expression for template placeholders.
	Placeholder string `yaml:"placeholder,omitempty" json:"placeholder,omitempty"`
	// Topic phrases show the story is about a failure; a story with fewer
	// than MinTopic matches is flagged off-topic.
	Topic    []string `yaml:"topic,omitempty" json:"topic,omitempty"`
	MinTopic int      `yaml:"min_topic,omitempty" json:"min_topic,omitempty"`
	// NonAnswer phrases answer a different question ("why I want to be a
	// PM"); a story with one of them and no clear failure wording (fail,
	// mistake, went wrong, ...) is flagged off-topic.
	NonAnswer []string `yaml:"non_answer,omitempty" json:"non_answer,omitempty"`
	// Grader phrases address the grader ("ignore the rubric").
	Grader []string `yaml:"grader,omitempty" json:"grader,omitempty"`
	// Advice phrases are generic interview advice pasted in ("the STAR method").
	Advice []string `yaml:"advice,omitempty" json:"advice,omitempty"`
	// Caps caps every criterion's level when a flag is raised: flag code →
	// maximum level. A flag not listed caps nothing.
	Caps map[string]int `yaml:"caps,omitempty" json:"caps,omitempty"`
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
