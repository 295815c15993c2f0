package evaluate

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// How a story is scored (the contract documented in the default rubric):
//
//  1. The story is analysed once: sentences and words (Unicode UAX #29), stems
//     (snowball English), negation scopes, the subject of each clause, quantities,
//     dates resolved against the reference date, headings. A sentence repeated
//     word for word counts once; its copies earn nothing.
//  2. For each criterion, raw = Base + Σ over signals of the signal's
//     contribution. A signal's hits are filtered by its position window
//     (From/To), negation rule and actor rule; each sentence counts at most
//     once per signal. Each hit adds Weight × value (value is 1 for a match,
//     the age step's value for time, the fraction of sections present in
//     order for sections). With Cap 0 only the single strongest hit counts;
//     otherwise the sum is clipped to ±Cap. A signal listed in Unless of a
//     later signal suppresses it when it fired; one listed in Requires must
//     have fired for the later signal to fire.
//  3. level = the number of Thresholds <= raw (0..4), then capped by the
//     MaxLevel of every fired signal and by the rubric's flag caps.
//  4. Total = 100 × f^TotalCurve with f = Σ weight·level/4 ÷ Σ weight (a
//     TotalCurve of 0 or 1 keeps it linear), rounded to 0.1, then capped at
//     ZeroCapsTotal of every criterion at level 0; the band is the one with
//     the highest Min <= Total.

// RubricScorer is a rubric compiled for scoring. It is safe for concurrent use.
type RubricScorer struct {
	rubric   *Rubric
	criteria []compiledCriterion
	flags    compiledFlags
	caps     map[string]int // flag code → highest level any criterion may get
	stems    *stemCache
	weights  float64
	phrases  phraseIndex
	// docs holds analysed stories' buffers for reuse (*doc).
	docs sync.Pool
}

// compiledCriterion is a criterion with compiled signals.
type compiledCriterion struct {
	*Criterion
	signals []*compiledSignal
	// feedback[l] and next[l] are Levels[l].Feedback and NextStep with
	// empty placeholders already dropped (see dropEmpty).
	feedback, next []dropped
}

// dropped holds the dropEmpty variants of template src, by dropIndex.
type dropped struct {
	src string
	v   [4]string
}

// dropIndex indexes the variants of a template by which of {quote} and
// {issue} have nothing to cite.
func dropIndex(noQuote, noIssue bool) int {
	i := 0
	if noQuote {
		i += 2
	}
	if noIssue {
		i++
	}
	return i
}

// dropEmpty removes the {quote} or {issue} placeholder, with the
// punctuation that introduces it, when there is nothing to cite.
func dropEmpty(t string, noQuote, noIssue bool) string {
	if noQuote && strings.Contains(t, "{quote}") {
		t = noQuoteRE.ReplaceAllString(t, ".")
	}
	if noIssue && strings.Contains(t, "{issue}") {
		t = noIssueRE.ReplaceAllString(t, ".")
	}
	return t
}

// dropVariants returns t's four dropEmpty variants.
func dropVariants(t string) dropped {
	v := dropped{src: t}
	for _, q := range []bool{false, true} {
		for _, i := range []bool{false, true} {
			v.v[dropIndex(q, i)] = dropEmpty(t, q, i)
		}
	}
	return v
}

var _ Scorer = (*RubricScorer)(nil)

// New validates and compiles r. The error is a [ValidationErrors] when the
// rubric is invalid.
func New(r *Rubric) (*RubricScorer, error) {
	if r == nil {
		return nil, ValidationErrors{{Path: "", Msg: "no rubric"}}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s := &RubricScorer{rubric: r, stems: &stemCache{}}
	for ci := range r.Criteria {
		c := &r.Criteria[ci]
		cc := compiledCriterion{Criterion: c}
		for _, l := range c.Levels {
			cc.feedback = append(cc.feedback, dropVariants(l.Feedback))
			cc.next = append(cc.next, dropVariants(l.NextStep))
		}
		idx := map[string]int{}
		for si, sig := range c.Signals {
			cs, err := compileSignal(sig, s.stems)
			if err != nil {
				return nil, ValidationErrors{{Path: fmt.Sprintf("criteria[%d].signals[%d]", ci, si), Msg: err.Error()}}
			}
			for _, u := range sig.Unless {
				cs.unless = append(cs.unless, idx[u])
			}
			for _, u := range sig.Requires {
				cs.requires = append(cs.requires, idx[u])
			}
			idx[sig.ID] = si
			cc.signals = append(cc.signals, cs)
		}
		s.criteria = append(s.criteria, cc)
		s.weights += c.Weight
	}
	set := r.settings()
	f, err := compileFlags(set, s.stems)
	if err != nil {
		return nil, ValidationErrors{{Path: "flags", Msg: err.Error()}}
	}
	s.flags, s.caps = f, set.Caps
	for _, cc := range s.criteria {
		for _, cs := range cc.signals {
			switch m := cs.m.(type) {
			case *phraseMatcher:
				s.phrases.register(m)
			case *sectionMatcher:
				for _, sec := range m.sections {
					s.phrases.register(sec.phrases)
				}
			}
		}
	}
	for _, pm := range []*phraseMatcher{f.topic, f.strong, f.nonAnswer, f.grader, f.advice} {
		s.phrases.register(pm)
	}
	s.phrases.freeze()
	// A fresh cache whose word lookups carry the phrase vocabulary.
	s.stems = &stemCache{vocab: s.phrases.vocab}
	return s, nil
}

// Rubric returns the rubric s was compiled from.
func (s *RubricScorer) Rubric() *Rubric { return s.rubric }

// Score scores one story against the rubric. It returns an error only when
// ctx is done; odd stories get flags, not errors.
func (s *RubricScorer) Score(ctx context.Context, st Story, ref time.Time) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	d := s.getDoc()
	defer s.putDoc(d)
	d.analyze(st.Text, ref, s.stems)
	d.phraseHits = s.phrases.run(d)
	b := &d.bufs
	// Pass 1: text matches of every signal. A sentence no signal matches is
	// filler: it neither counts towards length nor shifts positions.
	fits := len(b.preBy) == len(s.criteria)
	for ci := 0; fits && ci < len(s.criteria); ci++ {
		fits = len(b.preBy[ci]) == len(s.criteria[ci].signals)
	}
	if !fits {
		n := 0
		for _, cc := range s.criteria {
			n += len(cc.signals)
		}
		b.pre = make([][]hit, n)
		b.preBy = make([][][]hit, len(s.criteria))
		n = 0
		for ci, cc := range s.criteria {
			b.preBy[ci] = b.pre[n : n+len(cc.signals) : n+len(cc.signals)]
			n += len(cc.signals)
		}
	}
	clear(b.pre)
	pre := b.preBy
	subst := slices.Grow(b.subst[:0], len(d.Sentences))[:len(d.Sentences)]
	clear(subst)
	b.subst = subst
	for ci, cc := range s.criteria {
		for si, sig := range cc.signals {
			switch sig.Kind {
			case "phrase", "regex", "quantity", "time":
				hs := sig.m.find(d, ref)
				pre[ci][si] = hs
				for _, h := range hs {
					if h.Sent >= 0 && h.Sent < len(subst) {
						subst[h.Sent] = true
					}
				}
			}
		}
	}
	for i, sn := range d.Sentences {
		if sn.Heading != "" {
			subst[i] = true
		}
	}
	d.focus(subst)
	res := Result{Story: st, Ref: ref, Words: d.Words}
	res.Flags = s.flags.check(d)
	caps := 4
	for _, f := range res.Flags {
		if lv, ok := s.caps[f.Code]; ok && lv < caps {
			caps = lv
		}
	}
	// Pass 2: positions, sections and lengths over the substantive text.
	levels := slices.Grow(b.levels[:0], len(s.criteria))[:len(s.criteria)]
	b.levels = levels
	res.Scores = make([]Score, 0, len(s.criteria))
	scr := &b.scratch
	scr.seen = slices.Grow(scr.seen[:0], len(d.Sentences))[:len(d.Sentences)]
	clear(scr.seen)
	scr.gen = 0
	for ci, cc := range s.criteria {
		sc := s.scoreCriterion(cc, d, ref, caps, pre[ci], scr)
		levels[ci] = sc.Level
		res.Scores = append(res.Scores, sc)
	}
	res.Total = s.rubric.TotalOf(levels, nil)
	res.Band = s.band(res.Total)
	res.Strength, res.Change = s.summary(res.Scores)
	return res, nil
}

// maxPooledTokens bounds the token buffer of a doc kept for reuse, so that
// one huge story does not pin its buffers.
const maxPooledTokens = 1 << 15

// getDoc returns a doc to analyse a story into, reusing buffers.
func (s *RubricScorer) getDoc() *doc {
	if d, ok := s.docs.Get().(*doc); ok {
		return d
	}
	return &doc{}
}

// putDoc returns d for reuse once nothing refers to its buffers.
func (s *RubricScorer) putDoc(d *doc) {
	if cap(d.Tokens) > maxPooledTokens {
		return
	}
	d.Text, d.phraseHits = "", nil
	s.docs.Put(d)
}

// band returns the name of the band total falls in.
func (s *RubricScorer) band(total float64) string {
	name, best := "", -1.0
	for _, b := range s.rubric.Bands {
		if b.Min <= total && b.Min > best {
			name, best = b.Name, b.Min
		}
	}
	return name
}

// scored is one counted hit of a signal.
type scored struct {
	h      hit
	sig    *compiledSignal
	effect float64
}

// scratch holds buffers that the criteria of one story reuse.
type scratch struct {
	// seen[i] == gen when sentence i already counted for the current signal.
	seen    []int32
	gen     int32
	hits    []hit
	counted []scored
	aggs    []evidenceAgg
	notes   []noteRef
}

// scoreCriterion computes one criterion's raw score, level, evidence and
// feedback.
func (s *RubricScorer) scoreCriterion(cc compiledCriterion, d *doc, ref time.Time, flagCap int, pre [][]hit, scr *scratch) Score {
	sc := Score{ID: cc.ID, Name: cc.Name, Weight: cc.Weight}
	raw := cc.Base
	maxLevel := flagCap
	var firedBuf [32]bool
	fired := firedBuf[:0]
	if len(cc.signals) <= len(firedBuf) {
		fired = firedBuf[:len(cc.signals)]
	} else {
		fired = make([]bool, len(cc.signals))
	}
	counted := scr.counted[:0]
	for si, sig := range cc.signals {
		skip := false
		for _, u := range sig.unless {
			if fired[u] {
				skip = true
			}
		}
		for _, u := range sig.requires {
			if !fired[u] {
				skip = true
			}
		}
		if skip {
			continue
		}
		hits := scr.hits[:0]
		scr.gen++
		gen := scr.gen
		found := pre[si]
		if found == nil {
			found = sig.m.find(d, ref)
		}
		for _, h := range found {
			if !sig.accept(d, h) || scr.seen[h.Sent] == gen {
				continue
			}
			scr.seen[h.Sent] = gen
			hits = append(hits, h)
		}
		scr.hits = hits
		if len(hits) == 0 {
			continue
		}
		var contrib float64
		if sig.Cap == 0 {
			// only the strongest hit counts
			bi := 0
			for i, h := range hits {
				if math.Abs(h.Value) > math.Abs(hits[bi].Value) {
					bi = i
				}
			}
			contrib = sig.Weight * hits[bi].Value
			counted = append(counted, scored{h: hits[bi], sig: sig, effect: contrib})
		} else {
			for _, h := range hits {
				e := sig.Weight * h.Value
				if math.Abs(contrib+e) > sig.Cap {
					e = math.Copysign(sig.Cap, contrib+e) - contrib
				}
				if e == 0 {
					break
				}
				contrib += e
				counted = append(counted, scored{h: h, sig: sig, effect: e})
			}
		}
		fired[si] = true
		raw += contrib
		if sig.MaxLevel != nil && *sig.MaxLevel < maxLevel {
			maxLevel = *sig.MaxLevel
		}
	}
	scr.counted = counted
	level := 0
	for _, t := range cc.Thresholds {
		if raw >= t {
			level++
		}
	}
	if level > maxLevel {
		level = maxLevel
	}
	sc.Level = level
	sc.Raw = math.Round(raw*1000) / 1000
	if level < len(cc.Levels) {
		sc.Descriptor = cc.Levels[level].Descriptor
	}
	sc.Evidence = evidence(d, counted, scr)
	sc.Feedback, sc.NextStep = feedback(cc, d, ref, level, counted)
	return sc
}

// maxEvidence bounds the evidence quotes per criterion.
const maxEvidence = 4

// evidence turns counted hits into evidence: one entry per sentence (or
// explicit span) with the summed effect of every signal that matched it,
// named after the strongest; the strongest entries by |effect|, in text
// order.
func evidence(d *doc, counted []scored, scr *scratch) []Evidence {
	// aggs in order of first appearance; a story has few spans per
	// criterion, so a linear search beats a map.
	aggs := scr.aggs[:0]
	notes := scr.notes[:0]
	defer func() { scr.aggs, scr.notes = aggs[:0], notes[:0] }()
	for ci := range counted {
		c := &counted[ci]
		if math.Abs(c.effect) < 0.005 || c.sig.Kind == "constant" {
			continue
		}
		start, end := d.Sentences[c.h.Sent].Start, d.Sentences[c.h.Sent].End
		if c.h.End > c.h.Start {
			start, end = c.h.Start, c.h.End
		}
		ai := -1
		for i := range aggs {
			if aggs[i].ev.Start == start && aggs[i].ev.End == end {
				ai = i
				break
			}
		}
		if ai < 0 {
			aggs = append(aggs, evidenceAgg{ev: Evidence{Quote: d.Text[start:end], Start: start, End: end}, first: -1, last: -1})
			ai = len(aggs) - 1
		}
		a := &aggs[ai]
		a.ev.Effect += c.effect
		if math.Abs(c.effect) > a.best {
			a.best = math.Abs(c.effect)
			a.ev.Signal = c.sig.ID
		}
		np := noteParts(c)
		if np[0] == "" {
			continue // no note
		}
		dup := false
		for k := a.first; k >= 0; k = notes[k].next {
			if equalConcat(np, noteParts(&counted[notes[k].c])) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		notes = append(notes, noteRef{c: int32(ci), next: -1})
		if a.last >= 0 {
			notes[a.last].next = int32(len(notes) - 1)
		} else {
			a.first = int32(len(notes) - 1)
		}
		a.last = int32(len(notes) - 1)
	}
	if len(aggs) == 0 {
		return nil
	}
	// the strongest spans first; ties keep text-appearance order
	slices.SortStableFunc(aggs, func(x, y evidenceAgg) int {
		ex, ey := math.Abs(x.ev.Effect), math.Abs(y.ev.Effect)
		switch {
		case ex > ey:
			return -1
		case ey > ex:
			return 1
		}
		return 0
	})
	n := len(aggs)
	if n > maxEvidence {
		n = maxEvidence
	}
	ev := make([]Evidence, 0, n)
	for i := range aggs[:n] {
		a := &aggs[i]
		a.ev.Effect = math.Round(a.ev.Effect*1000) / 1000
		a.ev.Note = joinNotes(counted, notes, a.first)
		if a.ev.Effect != 0 {
			ev = append(ev, a.ev)
		}
	}
	slices.SortStableFunc(ev, func(a, b Evidence) int {
		if a.Start != b.Start {
			if a.Start < b.Start {
				return -1
			}
			return 1
		}
		if a.End < b.End {
			return -1
		}
		if a.End > b.End {
			return 1
		}
		return 0
	})
	return ev
}

// evidenceAgg is one span's evidence while evidence sums it up.
type evidenceAgg struct {
	ev   Evidence
	best float64 // the largest |effect| of a hit on the span
	// first and last index the span's list of distinct notes in
	// scratch.notes, or are -1.
	first, last int32
}

// noteRef is one distinct note of an evidence span: that of counted[c].
type noteRef struct {
	c    int32
	next int32 // the span's next note, or -1
}

// noteParts returns the parts whose concatenation is the note of a counted
// hit: the signal's note and the hit's, joined by ": " when both are set.
// The note is empty when the first part is.
func noteParts(c *scored) [3]string {
	switch {
	case c.h.Note == "":
		return [3]string{c.sig.Note}
	case c.sig.Note == "":
		return [3]string{c.h.Note}
	}
	return [3]string{c.sig.Note, ": ", c.h.Note}
}

// equalConcat reports whether the concatenations of a and b are equal.
func equalConcat(a, b [3]string) bool {
	n := len(a[0]) + len(a[1]) + len(a[2])
	if n != len(b[0])+len(b[1])+len(b[2]) {
		return false
	}
	ai, bi := 0, 0
	as, bs := a[0], b[0]
	for n > 0 {
		for len(as) == 0 {
			ai++
			as = a[ai]
		}
		for len(bs) == 0 {
			bi++
			bs = b[bi]
		}
		k := min(len(as), len(bs))
		if as[:k] != bs[:k] {
			return false
		}
		as, bs, n = as[k:], bs[k:], n-k
	}
	return true
}

// joinNotes returns the notes of the list starting at first, joined by
// "; ", building at most one string.
func joinNotes(counted []scored, notes []noteRef, first int32) string {
	if first < 0 {
		return ""
	}
	if notes[first].next < 0 {
		p := noteParts(&counted[notes[first].c])
		if p[1] == "" {
			return p[0]
		}
		return p[0] + p[1] + p[2]
	}
	size := 0
	for k := first; k >= 0; k = notes[k].next {
		p := noteParts(&counted[notes[k].c])
		size += len(p[0]) + len(p[1]) + len(p[2]) + 2
	}
	var b strings.Builder
	b.Grow(size - 2)
	for k := first; k >= 0; k = notes[k].next {
		if k != first {
			b.WriteString("; ")
		}
		p := noteParts(&counted[notes[k].c])
		b.WriteString(p[0])
		b.WriteString(p[1])
		b.WriteString(p[2])
	}
	return b.String()
}

// noQuoteRE removes a {quote} placeholder and the punctuation that
// introduces it when there is nothing to quote.
var (
	noQuoteRE = regexp.MustCompile(`\s*[:,]?\s*\{quote\}\.?`)
	noIssueRE = regexp.MustCompile(`\s*[:,]?\s*\{issue\}\.?`)
)

// feedback renders the level's feedback and next step, citing evidence and
// adding the advice of the signals that lowered the level most.
func feedback(cc compiledCriterion, d *doc, ref time.Time, level int, counted []scored) (string, string) {
	if level >= len(cc.Levels) {
		return "", ""
	}
	// the quote: strongest positive hit at high levels, strongest negative at low
	var pos, neg *scored
	for i := range counted {
		c := &counted[i]
		if c.sig.Kind == "constant" {
			continue
		}
		if c.effect > 0 && (pos == nil || c.effect > pos.effect) {
			pos = c
		}
		if c.effect < 0 && (neg == nil || c.effect < neg.effect) {
			neg = c
		}
	}
	quote, issue := "", ""
	if pos != nil {
		quote = shorten(d.Text[d.Sentences[pos.h.Sent].Start:d.Sentences[pos.h.Sent].End], 140)
	}
	if neg != nil {
		issue = shorten(d.Text[d.Sentences[neg.h.Sent].Start:d.Sentences[neg.h.Sent].End], 140)
	}
	year, age, when := "", "", ""
	if m, ok := storyDate(d); ok && !ref.IsZero() {
		year = strconv.Itoa(m.At.Year())
		a := ref.Sub(m.At).Hours() / 24 / 365.25
		age = strconv.FormatFloat(math.Max(0, a), 'f', 0, 64)
		when = d.Text[d.Tokens[m.Tok0].Start:d.Tokens[m.Tok1-1].End]
	}
	if year == "" {
		year = "an unstated date"
	}
	if age == "" {
		age = "an unknown number of"
	}
	if when == "" {
		when = "no date"
	}
	ph := placeholders{quote: quote, issue: issue, year: year, age: age, when: when}
	drop := dropIndex(quote == "", issue == "")
	// fill renders template t; pre, when set, may hold t's dropEmpty
	// variants (unless the rubric changed since it was compiled).
	fill := func(t string, pre *dropped) string {
		if !strings.Contains(t, "{") {
			return strings.TrimSpace(t)
		}
		if pre != nil && pre.src == t {
			t = pre.v[drop]
		} else {
			t = dropEmpty(t, quote == "", issue == "")
		}
		t = ph.replace(t)
		t = strings.ReplaceAll(t, "..", ".")
		t = strings.ReplaceAll(t, ":.", ".")
		return strings.TrimSpace(t)
	}
	fb := fill(cc.Levels[level].Feedback, &cc.feedback[level])
	// advice of fired signals, most negative first, at most two
	var advBuf [16]*scored
	adv := advBuf[:0]
	for i := range counted {
		if counted[i].sig.Advice != "" {
			adv = append(adv, &counted[i])
		}
	}
	slices.SortStableFunc(adv, func(a, b *scored) int {
		switch {
		case a.effect < b.effect:
			return -1
		case b.effect < a.effect:
			return 1
		}
		return 0
	})
	var seen [2]string // ids of the signals whose advice was added
	n := 0
	for _, a := range adv {
		if n >= 2 || slices.Contains(seen[:n], a.sig.ID) {
			continue
		}
		if a.effect > 0 && level < 4 {
			continue // positive advice only at the top
		}
		qs := shorten(d.Text[d.Sentences[a.h.Sent].Start:d.Sentences[a.h.Sent].End], 140)
		cite := "\u201c" + qs + "\u201d"
		if a.sig.Kind == "constant" {
			cite = "your story" // nothing to cite
		} else if strings.Contains(fb, qs) {
			continue // already cited
		}
		seen[n] = a.sig.ID
		n++
		t := replacePlaceholders(a.sig.Advice, []string{"{quote}", cite, "{issue}", cite})
		fb += " " + fill(t, nil)
	}
	next := ""
	if level < 4 {
		next = fill(cc.Levels[level].NextStep, &cc.next[level])
	}
	return fb, next
}

// shorten cuts s to at most n bytes at a word boundary, adding an ellipsis.
func shorten(s string, n int) string {
	if !singleSpaced(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "\u2026"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// singleSpaced reports whether strings.Join(strings.Fields(s), " ") == s:
// s neither starts nor ends with space and separates its words by single
// ASCII spaces.
func singleSpaced(s string) bool {
	prevSpace := true // at the start, a space would be leading
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				if c != ' ' || prevSpace {
					return false
				}
				prevSpace = true
			} else {
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || len(s) == 0
}

// asciiSpace holds the ASCII bytes unicode.IsSpace reports as space.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// summary returns the story's top strength and the one change that would
// raise the total most.
func (s *RubricScorer) summary(scores []Score) (strength, change string) {
	if len(scores) == 0 || s.weights == 0 {
		return "", ""
	}
	best := -1
	for i, sc := range scores {
		if sc.Level == 0 {
			continue
		}
		if best < 0 || float64(sc.Level)*sc.Weight > float64(scores[best].Level)*scores[best].Weight {
			best = i
		}
	}
	if best >= 0 {
		b := scores[best]
		strength = b.Name + " (" + strconv.Itoa(b.Level) + "/4): " + b.Descriptor
		var top *Evidence
		for i := range b.Evidence {
			if e := &b.Evidence[i]; e.Effect > 0 && (top == nil || e.Effect > top.Effect) {
				top = e
			}
		}
		if top != nil {
			strength += " For example: \u201c" + shorten(top.Quote, 140) + "\u201d"
		}
	} else {
		strength = "No criterion reached level 1 yet."
	}
	// The change that would raise the total most: the criterion whose rise
	// to level 4 gains the most points, computed with the rubric's own total
	// (curve and caps included); ties go to rubric order.
	var levelBuf [16]int
	var weightBuf [16]float64
	levels, weights := levelBuf[:0], weightBuf[:0]
	if len(scores) <= len(levelBuf) {
		levels, weights = levelBuf[:len(scores)], weightBuf[:len(scores)]
	} else {
		levels, weights = make([]int, len(scores)), make([]float64, len(scores))
	}
	for i, sc := range scores {
		levels[i], weights[i] = sc.Level, sc.Weight
	}
	now := s.rubric.TotalOf(levels, weights)
	ci, gain := -1, 0.0
	for i, sc := range scores {
		if sc.Level >= 4 {
			continue
		}
		levels[i] = 4
		g := s.rubric.TotalOf(levels, weights) - now
		levels[i] = sc.Level
		if ci < 0 || g > gain {
			ci, gain = i, g
		}
	}
	if ci < 0 {
		return strength, "Nothing to change on this rubric: every criterion is at level 4."
	}
	c := scores[ci]
	gain = math.Round(gain*10) / 10
	step := c.NextStep
	if step == "" {
		step = c.Feedback
	}
	change = fmt.Sprintf("Work on %s (now %d/4; up to +%.1f points): %s", c.Name, c.Level, gain, step)
	return strength, change
}

// placeholders are the values of a feedback template's placeholders; quote
// and issue are cited in typographic quotes.
type placeholders struct{ quote, issue, year, age, when string }

// replace is replacePlaceholders with {quote}, {issue}, {year}, {age} and
// {when}, without building the quoted values or the pairs.
func (p *placeholders) replace(t string) string {
	if !strings.Contains(t, "{") {
		return t
	}
	var b strings.Builder
	b.Grow(len(t) + len(p.quote) + len(p.issue) + len(p.year) + len(p.age) + len(p.when) + 12)
	for len(t) > 0 {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		t = t[i:]
		switch {
		case strings.HasPrefix(t, "{quote}"):
			b.WriteString("\u201c")
			b.WriteString(p.quote)
			b.WriteString("\u201d")
			t = t[len("{quote}"):]
		case strings.HasPrefix(t, "{issue}"):
			b.WriteString("\u201c")
			b.WriteString(p.issue)
			b.WriteString("\u201d")
			t = t[len("{issue}"):]
		case strings.HasPrefix(t, "{year}"):
			b.WriteString(p.year)
			t = t[len("{year}"):]
		case strings.HasPrefix(t, "{age}"):
			b.WriteString(p.age)
			t = t[len("{age}"):]
		case strings.HasPrefix(t, "{when}"):
			b.WriteString(p.when)
			t = t[len("{when}"):]
		default:
			b.WriteByte('{')
			t = t[1:]
		}
	}
	return b.String()
}

// replacePlaceholders replaces every "{name}" of oldnew (pairs of
// placeholder and value) in t in one pass, as strings.NewReplacer would
// (a value is never searched again), without building a replacer per call.
func replacePlaceholders(t string, oldnew []string) string {
	if !strings.Contains(t, "{") {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	for len(t) > 0 {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		t = t[i:]
		matched := false
		for k := 0; k+1 < len(oldnew); k += 2 {
			if strings.HasPrefix(t, oldnew[k]) {
				b.WriteString(oldnew[k+1])
				t = t[len(oldnew[k]):]
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte('{')
			t = t[1:]
		}
	}
	return b.String()
}
