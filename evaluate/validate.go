package evaluate

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ValidationErrors is every problem [Rubric.Validate] found, in document
// order. Each item is a *[FieldError] whose Path locates it.
type ValidationErrors []*FieldError

func (v ValidationErrors) Error() string {
	var b strings.Builder
	for i, e := range v {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual problems, so errors.As finds a *FieldError.
func (v ValidationErrors) Unwrap() []error {
	out := make([]error, len(v))
	for i, e := range v {
		out[i] = e
	}
	return out
}

// SignalKinds lists the signal kinds a rubric may use.
var signalKinds = []string{"phrase", "regex", "quantity", "time", "sections", "length", "sentences", "constant"}

// DefaultFlagSettings returns the flag settings used for zero fields of
// [Rubric.Flags].
func DefaultFlagSettings() FlagSettings {
	return FlagSettings{
		MinWords:    60,
		MaxWords:    900,
		Placeholder: `\[(?:[A-Z][A-Za-z ]{1,30}|X+|\.\.\.)\]|\{\{[^}]{1,40}\}\}|<(?:[A-Z][A-Za-z ]{1,30})>|\bXYZ\b`,
		Topic: []string{
			"fail", "failure", "mistake", "went wrong", "didn't work", "did not work", "missed",
			"fell short", "short of", "flop", "wrong", "setback", "lesson", "learned", "learnt",
			"declined", "dropped", "churn", "backfired", "worse", "lower than", "rolled back",
			"regret", "broke", "disappointing", "didn't meet", "did not meet", "only", "didn't",
			"did not", "not", "never", "down", "fell", "lost", "complaint", "confusion", "confused",
			"late", "delay", "reverted", "below", "instead", "wasn't", "weren't", "no one", "nobody",
			"barely", "hardly", "couldn't", "problem was", "issue was", "turned out", "realized",
			"realised", "fracaso", "error", "aprendí",
		},
		MinTopic: 1,
		NonAnswer: []string{
			"why i want", "i want to move into", "i want to become", "i want to transition",
			"i'm applying", "i am applying", "my strengths are", "i am good at", "i'm good at",
			"i would bring", "passionate about", "make the transition", "i joined this",
			"i have always loved", "i've always been passionate", "best way to use these skills",
			"my greatest strength",
		},
		Grader: []string{
			"ignore the rubric", "ignore previous instructions", "ignore all previous",
			"ignore your instructions", "disregard the rubric", "full marks", "maximum score",
			"max score", "highest score", "perfect score", "top marks", "top score",
			"give this story", "score this", "grade this", "dear grader", "to the grader",
			"dear reviewer", "dear evaluator", "dear ai", "as an ai", "language model", "10/10",
			"rate this", "this answer deserves", "this story deserves", "the grader should",
			"graders should", "scoring system", "any grader",
		},
		Advice: []string{
			"star method", "sar framework", "interviewers want", "interviewer wants",
			"interviewers look for", "you should", "make sure you", "make sure your", "pro tip",
			"when answering", "your answer should", "a good answer", "candidates should",
			"choose a failure", "pick a story", "the key is to", "hiring managers",
			"your story should", "avoid stories", "be sure to",
		},
	}
}

// settings returns r's flag settings with defaults filled in.
func (r *Rubric) settings() FlagSettings {
	d := DefaultFlagSettings()
	if r.Flags == nil {
		return d
	}
	f := *r.Flags
	if f.MinWords == 0 {
		f.MinWords = d.MinWords
	}
	if f.MaxWords == 0 {
		f.MaxWords = d.MaxWords
	}
	if f.Placeholder == "" {
		f.Placeholder = d.Placeholder
	}
	if f.Topic == nil {
		f.Topic = d.Topic
	}
	if f.MinTopic == 0 {
		f.MinTopic = d.MinTopic
	}
	if f.Grader == nil {
		f.Grader = d.Grader
	}
	if f.Advice == nil {
		f.Advice = d.Advice
	}
	if f.NonAnswer == nil {
		f.NonAnswer = d.NonAnswer
	}
	return f
}

// Validate checks r and returns every problem at once as [ValidationErrors],
// or nil.
func (r *Rubric) Validate() error {
	var errs ValidationErrors
	add := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(r.ID) == "" {
		add("id", "must not be empty")
	}
	if len(r.Bands) == 0 {
		add("bands", "at least one band is required")
	}
	hasZero := false
	for i, b := range r.Bands {
		p := fmt.Sprintf("bands[%d]", i)
		if strings.TrimSpace(b.Name) == "" {
			add(p+".name", "must not be empty")
		}
		if b.Min < 0 || b.Min > 100 || math.IsNaN(b.Min) {
			add(p+".min", "must be between 0 and 100, got %g", b.Min)
		}
		if b.Min == 0 {
			hasZero = true
		}
		for j := 0; j < i; j++ {
			if r.Bands[j].Min == b.Min {
				add(p+".min", "duplicates the min of bands[%d] (%g)", j, b.Min)
			}
		}
	}
	if len(r.Bands) > 0 && !hasZero {
		add("bands", "one band must have min 0 so that every total has a band")
	}
	if r.TotalCurve < 0 || r.TotalCurve > 4 || math.IsNaN(r.TotalCurve) {
		add("total_curve", "must be between 0 and 4 (0 or 1: a linear total), got %g", r.TotalCurve)
	}
	if len(r.Criteria) == 0 {
		add("criteria", "at least one criterion is required")
	}
	ids := map[string]int{}
	for ci, c := range r.Criteria {
		p := fmt.Sprintf("criteria[%d]", ci)
		if strings.TrimSpace(c.ID) == "" {
			add(p+".id", "must not be empty")
		} else if j, dup := ids[c.ID]; dup {
			add(p+".id", "duplicates criteria[%d].id %q", j, c.ID)
		} else {
			ids[c.ID] = ci
		}
		if strings.TrimSpace(c.Name) == "" {
			add(p+".name", "must not be empty")
		}
		if !(c.Weight > 0) || math.IsInf(c.Weight, 0) {
			add(p+".weight", "must be > 0, got %g", c.Weight)
		}
		if c.ZeroCapsTotal < 0 || c.ZeroCapsTotal > 100 {
			add(p+".zero_caps_total", "must be between 0 and 100, got %g", c.ZeroCapsTotal)
		}
		if len(c.Levels) != 5 {
			add(p+".levels", "must have exactly 5 entries (levels 0-4), got %d", len(c.Levels))
		}
		for li, l := range c.Levels {
			if strings.TrimSpace(l.Descriptor) == "" {
				add(fmt.Sprintf("%s.levels[%d].descriptor", p, li), "must not be empty")
			}
			if strings.TrimSpace(l.Feedback) == "" {
				add(fmt.Sprintf("%s.levels[%d].feedback", p, li), "must not be empty")
			}
		}
		if len(c.Thresholds) != 4 {
			add(p+".thresholds", "must have exactly 4 ascending values, got %d", len(c.Thresholds))
		} else {
			for k := 1; k < 4; k++ {
				if !(c.Thresholds[k] > c.Thresholds[k-1]) {
					add(fmt.Sprintf("%s.thresholds[%d]", p, k), "must be greater than thresholds[%d] (%g), got %g", k-1, c.Thresholds[k-1], c.Thresholds[k])
				}
			}
		}
		if len(c.Signals) == 0 {
			add(p+".signals", "at least one signal is required")
		}
		sids := map[string]int{}
		for si, s := range c.Signals {
			sp := fmt.Sprintf("%s.signals[%d]", p, si)
			validateSignal(s, sp, sids, add)
			if s.ID != "" {
				if _, dup := sids[s.ID]; !dup {
					sids[s.ID] = si
				}
			}
		}
	}
	if r.Flags != nil {
		f := r.Flags
		if f.MinWords < 0 {
			add("flags.min_words", "must be >= 0")
		}
		if f.MaxWords < 0 || (f.MaxWords > 0 && f.MaxWords <= f.MinWords) {
			add("flags.max_words", "must be greater than min_words")
		}
		if f.Placeholder != "" {
			if _, err := regexp.Compile(f.Placeholder); err != nil {
				add("flags.placeholder", "invalid regular expression: %v", err)
			}
		}
		for _, code := range sortedKeys(f.Caps) {
			if lv := f.Caps[code]; lv < 0 || lv > 4 {
				add("flags.caps."+code, "level must be 0-4, got %d", lv)
			}
		}
	}
	for ei, ex := range r.Examples {
		p := fmt.Sprintf("examples[%d]", ei)
		if strings.TrimSpace(ex.Name) == "" {
			add(p+".name", "must not be empty")
		}
		if strings.TrimSpace(ex.Story) == "" {
			add(p+".story", "must not be empty")
		}
		if ex.Submitted != "" {
			if _, err := time.Parse("2006-01-02", ex.Submitted); err != nil {
				add(p+".submitted", "must be a date YYYY-MM-DD, got %q", ex.Submitted)
			}
		}
		if len(ex.Expect) == 0 {
			add(p+".expect", "at least one expected level is required")
		}
		for _, id := range sortedKeys(ex.Expect) {
			if _, ok := ids[id]; !ok {
				add(p+".expect."+id, "unknown criterion %q", id)
			}
			if lv := ex.Expect[id]; lv < 0 || lv > 4 {
				add(p+".expect."+id, "level must be 0-4, got %d", lv)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func validateSignal(s Signal, sp string, earlier map[string]int, add func(path, format string, args ...any)) {
	if strings.TrimSpace(s.ID) == "" {
		add(sp+".id", "must not be empty")
	} else if j, dup := earlier[s.ID]; dup {
		add(sp+".id", "duplicates signals[%d].id %q", j, s.ID)
	}
	if math.IsNaN(s.Weight) || math.IsInf(s.Weight, 0) {
		add(sp+".weight", "must be a finite number")
	}
	if s.Cap < 0 {
		add(sp+".cap", "must be >= 0, got %g", s.Cap)
	}
	if s.MaxLevel != nil && (*s.MaxLevel < 0 || *s.MaxLevel > 4) {
		add(sp+".max_level", "must be 0-4, got %d", *s.MaxLevel)
	}
	for i, u := range s.Unless {
		if _, ok := earlier[u]; !ok {
			add(fmt.Sprintf("%s.unless[%d]", sp, i), "no earlier signal %q in this criterion", u)
		}
	}
	for i, u := range s.Requires {
		if _, ok := earlier[u]; !ok {
			add(fmt.Sprintf("%s.requires[%d]", sp, i), "no earlier signal %q in this criterion", u)
		}
	}
	switch s.Negation {
	case "", "exclude", "include", "only":
	default:
		add(sp+".negation", "must be exclude, include or only, got %q", s.Negation)
	}
	switch s.Actor {
	case "", "any", "self", "we", "self_or_we", "other", "not_self":
	default:
		add(sp+".actor", "must be any, self, we, self_or_we, other or not_self, got %q", s.Actor)
	}
	from, to := 0.0, 1.0
	if s.From != nil {
		from = *s.From
		if from < 0 || from > 1 {
			add(sp+".from", "must be between 0 and 1, got %g", from)
		}
	}
	if s.To != nil {
		to = *s.To
		if to < 0 || to > 1 {
			add(sp+".to", "must be between 0 and 1, got %g", to)
		}
	}
	if from >= to {
		add(sp+".to", "must be greater than from")
	}
	if s.MaxGap < 0 || s.MaxGap > 10 {
		add(sp+".max_gap", "must be 0-10, got %d", s.MaxGap)
	}
	switch s.Kind {
	case "phrase":
		if len(s.Phrases) == 0 {
			add(sp+".phrases", "a phrase signal needs at least one phrase")
		}
		for i, ph := range s.Phrases {
			if len(phraseWords(ph)) == 0 {
				add(fmt.Sprintf("%s.phrases[%d]", sp, i), "phrase has no words")
			}
		}
	case "regex":
		if s.Pattern == "" {
			add(sp+".pattern", "a regex signal needs a pattern")
		} else if _, err := regexp.Compile(s.Pattern); err != nil {
			add(sp+".pattern", "invalid regular expression: %v", err)
		}
	case "quantity":
		for i, q := range s.Quantities {
			if !slices.Contains([]string{"percent", "money", "count", "duration", "number"}, q) {
				add(fmt.Sprintf("%s.quantities[%d]", sp, i), "must be percent, money, count, duration or number, got %q", q)
			}
		}
	case "time":
		if len(s.Ages) == 0 {
			add(sp+".ages", "a time signal needs at least one age step")
		}
		for i, a := range s.Ages {
			if i > 0 && !(a.MaxYears > s.Ages[i-1].MaxYears) {
				add(fmt.Sprintf("%s.ages[%d].max_years", sp, i), "must be greater than the previous step's")
			}
		}
	case "sections":
		if len(s.Sections) < 2 {
			add(sp+".sections", "a sections signal needs at least two sections")
		}
		for i, sec := range s.Sections {
			if strings.TrimSpace(sec.Name) == "" {
				add(fmt.Sprintf("%s.sections[%d].name", sp, i), "must not be empty")
			}
			if sec.Within < 0 || sec.Within > 1 {
				add(fmt.Sprintf("%s.sections[%d].within", sp, i), "must be between 0 and 1, got %g", sec.Within)
			}
			if len(sec.Phrases) == 0 && len(sec.Headings) == 0 {
				add(fmt.Sprintf("%s.sections[%d].phrases", sp, i), "a section needs phrases or headings")
			}
		}
	case "length":
		if s.MinWords <= 0 && s.MaxWords <= 0 && s.MaxFiller <= 0 {
			add(sp+".min_words", "a length signal needs min_words, max_words or max_filler")
		}
		if s.MaxFiller < 0 || s.MaxFiller >= 1 {
			add(sp+".max_filler", "must be between 0 and 1, got %g", s.MaxFiller)
		}
		if s.MinWords < 0 || s.MaxWords < 0 {
			add(sp+".max_words", "must be >= 0")
		}
	case "sentences":
		if s.MaxSentenceWords <= 0 && s.MinSentences <= 0 {
			add(sp+".max_sentence_words", "a sentences signal needs max_sentence_words or min_sentences")
		}
	case "constant":
	case "":
		add(sp+".kind", "must not be empty; one of %s", strings.Join(signalKinds, ", "))
	default:
		add(sp+".kind", "unknown kind %q; one of %s", s.Kind, strings.Join(signalKinds, ", "))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
