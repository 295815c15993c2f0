package evaluate

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/clipperhouse/uax29/v2/words"
)

// hit is one match of a signal: a value (a multiple of the signal's weight)
// found at a token, in a sentence.
type hit struct {
	Sent  int     // sentence index
	Tok   int     // first token of the match (for position, actor, negation)
	Tok1  int     // token after the match
	Value float64 // multiple of the signal's weight (1 for a plain match)
	Note  string  // explanation, e.g. "dated 2019, 7.2 years before submission"
	// Span overrides the evidence span (byte offsets) when End > Start.
	Start, End int
}

// matcher finds a signal's raw hits in an analysed story.
type matcher interface {
	find(d *doc, ref time.Time) []hit
}

// compiledSignal is a signal ready to run.
type compiledSignal struct {
	Signal
	m        matcher
	from, to float64
	unless   []int // indexes of earlier signals in the criterion
	requires []int
}

// compileSignal builds the matcher for s: one constructor per kind.
func compileSignal(s Signal, stems *stemCache) (*compiledSignal, error) {
	cs := &compiledSignal{Signal: s, from: 0, to: 1}
	if s.From != nil {
		cs.from = *s.From
	}
	if s.To != nil {
		cs.to = *s.To
	}
	switch s.Kind {
	case "phrase":
		cs.m = newPhraseMatcher(s.Phrases, s.MaxGap, stems)
	case "regex":
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return nil, err
		}
		cs.m = newRegexMatcher(re)
	case "quantity":
		kinds := map[quantityKind]bool{}
		for _, q := range s.Quantities {
			kinds[quantityKind(q)] = true
		}
		if len(kinds) == 0 {
			kinds = map[quantityKind]bool{qtyPercent: true, qtyMoney: true, qtyCount: true}
		}
		cs.m = &quantityMatcher{kinds: kinds}
	case "time":
		cs.m = &timeMatcher{ages: s.Ages}
	case "sections":
		sm := &sectionMatcher{}
		for _, sec := range s.Sections {
			cp := compiledSection{name: sec.Name, phrases: newPhraseMatcher(sec.Phrases, 0, stems), within: sec.Within}
			for _, h := range sec.Headings {
				cp.headings = append(cp.headings, strings.Join(phraseWords(h), " "))
			}
			sm.sections = append(sm.sections, cp)
		}
		cs.m = sm
	case "length":
		cs.m = &lengthMatcher{min: s.MinWords, max: s.MaxWords, maxFiller: s.MaxFiller}
	case "sentences":
		cs.m = &sentenceMatcher{maxWords: s.MaxSentenceWords, minSentences: s.MinSentences}
	case "constant":
		cs.m = constantMatcher{}
	default:
		return nil, fmt.Errorf("unknown signal kind %q", s.Kind)
	}
	return cs, nil
}

// phraseWords splits a phrase into lower-cased words ("*" is a wildcard).
func phraseWords(ph string) []string {
	var out []string
	it := words.FromString(ph)
	for it.Next() {
		w := it.Value()
		if w == "*" {
			out = append(out, "*")
			continue
		}
		hasAlnum := false
		for _, r := range w {
			if r != ' ' && r != '\t' && r != '\n' && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
				hasAlnum = true
				break
			}
		}
		if hasAlnum {
			out = append(out, normalizeWord(w))
		}
	}
	return out
}

// phraseMatcher matches stemmed word sequences. Phrases are indexed by the
// stem of their first word.
type phraseMatcher struct {
	byFirst map[string][][]string // first stem → phrases (as stems)
	wild    [][]string            // phrases starting with a wildcard
	maxGap  int
	// id is the matcher's slot in a scorer's phraseIndex, or -1.
	id int
}

func newPhraseMatcher(phrases []string, maxGap int, stems *stemCache) *phraseMatcher {
	pm := &phraseMatcher{byFirst: map[string][][]string{}, maxGap: maxGap, id: -1}
	for _, ph := range phrases {
		ws := phraseWords(ph)
		if len(ws) == 0 {
			continue
		}
		st := make([]string, len(ws))
		for i, w := range ws {
			if w == "*" {
				st[i] = "*"
			} else if w[0] >= '0' && w[0] <= '9' {
				st[i] = w
			} else {
				st[i] = stems.stem(w)
			}
		}
		if st[0] == "*" {
			pm.wild = append(pm.wild, st)
		} else {
			pm.byFirst[st[0]] = append(pm.byFirst[st[0]], st)
		}
	}
	return pm
}

// breaksPhrase reports whether a punctuation token ends a phrase match.
func breaksPhrase(tk token) bool {
	switch tk.Lower {
	case "-", "'", "\"", "\u201c", "\u201d", "\u2018", "\u2019", "(", ")", "/", "&":
		return false
	}
	return true
}

func (pm *phraseMatcher) find(d *doc, _ time.Time) []hit {
	if pm.id >= 0 && pm.id < len(d.phraseHits) {
		return d.phraseHits[pm.id]
	}
	var out []hit
	for i := range d.Tokens {
		tk := d.Tokens[i]
		if tk.Kind == tokPunct {
			continue
		}
		cands := pm.byFirst[tk.Stem]
		if len(cands) == 0 && len(pm.wild) == 0 {
			continue
		}
		best := -1
		for _, ph := range cands {
			if end, ok := pm.matchAt(d, i, ph); ok && end > best {
				best = end
			}
		}
		for _, ph := range pm.wild {
			if end, ok := pm.matchAt(d, i, ph); ok && end > best {
				best = end
			}
		}
		if best > 0 {
			out = append(out, hit{Sent: tk.Sent, Tok: i, Tok1: best, Value: 1})
		}
	}
	return out
}

// matchAt matches phrase ph starting at token i; it returns the token index
// after the match.
func (pm *phraseMatcher) matchAt(d *doc, i int, ph []string) (int, bool) {
	sent := d.Tokens[i].Sent
	j := i
	for k, w := range ph {
		gap := 0
		if k > 0 {
			gap = pm.maxGap
		}
		found := false
		for g := 0; g <= gap; {
			// skip non-breaking punctuation
			for j < len(d.Tokens) && d.Tokens[j].Sent == sent && d.Tokens[j].Kind == tokPunct && !breaksPhrase(d.Tokens[j]) {
				j++
			}
			if j >= len(d.Tokens) || d.Tokens[j].Sent != sent || d.Tokens[j].Kind == tokPunct {
				return 0, false
			}
			if w == "*" || d.Tokens[j].Stem == w || d.Tokens[j].Lower == w {
				found = true
				j++
				break
			}
			if k == 0 {
				return 0, false
			}
			g++
			j++
		}
		if !found {
			return 0, false
		}
	}
	return j, true
}

// phraseIndex runs every phrase matcher of a scorer in one pass over the
// tokens. Phrase words are interned as ids (see freeze and
// [stemCache.lookup]), so that matching compares integers, and a phrase is
// only tried where its second word is within reach.
type phraseIndex struct {
	byFirst map[string][]phraseRef
	wild    []phraseRef
	n       int
	// Set by freeze: vocab maps every phrase word to its id; first[id]
	// holds the phrases whose first word has that id.
	vocab map[string]int32
	first []phraseEntry
	// reach is the largest number of word tokens after a phrase's first
	// word in which its second word may be found (max gap + 1).
	reach int
}

// phraseEntry holds the phrases that start with one word.
type phraseEntry struct {
	singles []phraseRef // one-word phrases: they match wherever the word is
	multi   []phraseRef // longer phrases, sorted by the id of the second word
	second  []int32     // second[k] is the id of multi[k]'s second word
	wild2   []phraseRef // longer phrases whose second word is "*"
}

// wildID is the id of the wildcard phrase word "*".
const wildID = -2

// phraseRef is one phrase of one registered matcher.
type phraseRef struct {
	pm *phraseMatcher
	ph []string
	// ids are the phrase's words as vocabulary ids (wildID for "*").
	ids []int32
}

// register gives pm a slot in the index and indexes its phrases.
func (ix *phraseIndex) register(pm *phraseMatcher) {
	if ix.byFirst == nil {
		ix.byFirst = map[string][]phraseRef{}
	}
	pm.id = ix.n
	ix.n++
	for _, k := range sortedKeys(pm.byFirst) {
		for _, ph := range pm.byFirst[k] {
			ix.byFirst[k] = append(ix.byFirst[k], phraseRef{pm: pm, ph: ph})
		}
	}
	for _, ph := range pm.wild {
		ix.wild = append(ix.wild, phraseRef{pm: pm, ph: ph})
	}
}

// freeze interns the words of every registered phrase; it is called once,
// after the last register.
func (ix *phraseIndex) freeze() {
	ix.vocab = map[string]int32{}
	intern := func(r *phraseRef) {
		r.ids = make([]int32, len(r.ph))
		for i, w := range r.ph {
			if w == "*" {
				r.ids[i] = wildID
				continue
			}
			id, ok := ix.vocab[w]
			if !ok {
				id = int32(len(ix.vocab))
				ix.vocab[w] = id
			}
			r.ids[i] = id
		}
		if len(r.ph) > 1 {
			ix.reach = max(ix.reach, r.pm.maxGap+1)
		}
	}
	for _, k := range sortedKeys(ix.byFirst) {
		refs := ix.byFirst[k]
		for i := range refs {
			intern(&refs[i])
		}
	}
	for i := range ix.wild {
		intern(&ix.wild[i])
	}
	ix.first = make([]phraseEntry, len(ix.vocab))
	for k, refs := range ix.byFirst {
		e := &ix.first[ix.vocab[k]]
		for _, r := range refs {
			switch {
			case len(r.ids) == 1:
				e.singles = append(e.singles, r)
			case r.ids[1] == wildID:
				e.wild2 = append(e.wild2, r)
			default:
				e.multi = append(e.multi, r)
			}
		}
		slices.SortStableFunc(e.multi, func(a, b phraseRef) int { return cmp.Compare(a.ids[1], b.ids[1]) })
		for _, r := range e.multi {
			e.second = append(e.second, r.ids[1])
		}
	}
}

// matchIDs is matchAt on interned words: it matches ids from token i and
// returns the token index after the match.
func matchIDs(d *doc, i int, ids []int32, maxGap int) (int, bool) {
	toks := d.Tokens
	sent := toks[i].Sent
	j := i
	for k, w := range ids {
		gap := 0
		if k > 0 {
			gap = maxGap
		}
		found := false
		for g := 0; g <= gap; {
			// skip non-breaking punctuation
			for j < len(toks) && toks[j].Sent == sent && toks[j].Kind == tokPunct && toks[j].soft {
				j++
			}
			if j >= len(toks) || toks[j].Sent != sent || toks[j].Kind == tokPunct {
				return 0, false
			}
			if w == wildID || toks[j].sid == w || toks[j].lid == w {
				found = true
				j++
				break
			}
			if k == 0 {
				return 0, false
			}
			g++
			j++
		}
		if !found {
			return 0, false
		}
	}
	return j, true
}

// pendingHit is a hit of the matcher with id id, before hits are grouped.
type pendingHit struct {
	id  int
	tok int
	end int
}

// runBufs are the buffers of phraseIndex.run, reused from story to story.
type runBufs struct {
	out     [][]hit
	best    []int
	pending []pendingHit
	all     []hit
}

// run returns every registered matcher's hits, indexed by matcher id; a
// matcher has at most one hit (its longest match) per starting token. The
// result lives in d's buffers.
func (ix *phraseIndex) run(d *doc) [][]hit {
	rb := &d.bufs.run
	out := slices.Grow(rb.out[:0], ix.n)[:ix.n]
	clear(out)
	rb.out = out
	best := slices.Grow(rb.best[:0], ix.n)[:ix.n]
	clear(best)
	rb.best = best
	var touchedBuf [16]int
	touched := touchedBuf[:0]
	pending := rb.pending[:0]
	defer func() { rb.pending = pending[:0] }()
	// the ids of the next word tokens a second phrase word may match
	var winBuf [8][2]int32
	win := winBuf[:0]
	reach := ix.reach
	if reach > len(winBuf) {
		reach = 0 // no window: every phrase is tried in full
	}
	toks := d.Tokens
	for i := range toks {
		tk := &toks[i]
		if tk.Kind == tokPunct {
			continue
		}
		var e *phraseEntry
		if tk.sid >= 0 && int(tk.sid) < len(ix.first) {
			e = &ix.first[tk.sid]
		}
		if e == nil && len(ix.wild) == 0 {
			continue
		}
		touched = touched[:0]
		// found records a match of matcher id that ends before token end.
		found := func(id, end int) {
			if best[id] == 0 {
				touched = append(touched, id)
			}
			if end > best[id] {
				best[id] = end
			}
		}
		try := func(r *phraseRef) {
			if end, ok := matchIDs(d, i, r.ids, r.pm.maxGap); ok {
				found(r.pm.id, end)
			}
		}
		if e != nil {
			// a one-word phrase matches its first word, by construction of
			// first
			for k := range e.singles {
				found(e.singles[k].pm.id, i+1)
			}
			if len(e.multi)+len(e.wild2) > 0 && reach == 0 {
				for k := range e.multi {
					try(&e.multi[k])
				}
				for k := range e.wild2 {
					try(&e.wild2[k])
				}
			} else if len(e.multi)+len(e.wild2) > 0 {
				// The window of word tokens after i, as matchAt walks them:
				// a phrase can only match if its second word is among the
				// first maxGap+1 of them.
				win = win[:0]
				for j := i + 1; j < len(toks) && len(win) < reach; j++ {
					t := &toks[j]
					if t.Sent != tk.Sent {
						break
					}
					if t.Kind == tokPunct {
						if t.soft {
							continue
						}
						break
					}
					win = append(win, [2]int32{t.sid, t.lid})
				}
				if len(win) > 0 {
					for k := range e.wild2 {
						try(&e.wild2[k])
					}
				}
				for p, w := range win {
					for x, id := range w {
						if id < 0 || x == 1 && id == w[0] {
							continue
						}
						// the first phrase whose second word is id
						k, hi := 0, len(e.second)
						for k < hi {
							if h := int(uint(k+hi) >> 1); e.second[h] < id {
								k = h + 1
							} else {
								hi = h
							}
						}
						for ; k < len(e.second) && e.second[k] == id; k++ {
							if r := &e.multi[k]; r.pm.maxGap >= p {
								try(r)
							}
						}
					}
				}
			}
		}
		for k := range ix.wild {
			try(&ix.wild[k])
		}
		if len(touched) > 1 {
			slices.Sort(touched)
		}
		for _, id := range touched {
			pending = append(pending, pendingHit{id: id, tok: i, end: best[id]})
			best[id] = 0
		}
	}
	if len(pending) == 0 {
		return out
	}
	// Group the hits by matcher, in token order, in one allocation.
	count := best // all zero again
	for _, p := range pending {
		count[p.id]++
	}
	all := slices.Grow(rb.all[:0], len(pending))[:len(pending)]
	rb.all = all
	off := 0
	for id, c := range count {
		if c > 0 {
			out[id] = all[off : off : off+c]
			off += c
		}
	}
	for _, p := range pending {
		out[p.id] = append(out[p.id], hit{Sent: toks[p.tok].Sent, Tok: p.tok, Tok1: p.end, Value: 1})
	}
	return out
}

// regexMatcher matches a regular expression against the whole text.
type regexMatcher struct {
	re *regexp.Regexp
	// first holds every byte a match can start with, when that is known:
	// text without any of them cannot match, and the regex is not run.
	first string
}

func newRegexMatcher(re *regexp.Regexp) *regexMatcher {
	return &regexMatcher{re: re, first: firstBytes(re.String())}
}

// firstBytes returns the ASCII bytes a match of pattern must start with,
// or "" when they cannot be determined (then every text is searched).
func firstBytes(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	var set [128]bool
	if !collectFirst(re.Simplify(), &set) {
		return ""
	}
	var b strings.Builder
	for c, ok := range set {
		if ok {
			b.WriteByte(byte(c))
		}
	}
	return b.String()
}

// collectFirst adds the first bytes re can match to set; it reports false
// when re can start with anything (or with a non-ASCII rune).
func collectFirst(re *syntax.Regexp, set *[128]bool) bool {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 || re.Rune[0] >= 128 {
			return false
		}
		r := re.Rune[0]
		set[r] = true
		if re.Flags&syntax.FoldCase != 0 {
			set[unicode.ToLower(r)] = true
			set[unicode.ToUpper(r)] = true
		}
		return true
	case syntax.OpCharClass:
		n := 0
		for i := 0; i < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= 128 || hi-lo > 60 {
				return false
			}
			for r := lo; r <= hi; r++ {
				set[r] = true
				n++
			}
		}
		return n > 0
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !collectFirst(sub, set) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpBeginText, syntax.OpEmptyMatch:
				continue
			}
			return collectFirst(sub, set)
		}
		return false
	case syntax.OpCapture, syntax.OpPlus:
		return collectFirst(re.Sub[0], set)
	}
	return false
}

// findFirst returns the first match's [start, end), or nil.
func (rm *regexMatcher) findFirst(text string) []int {
	if !rm.mayMatch(text) {
		return nil
	}
	return rm.re.FindStringIndex(text)
}

// mayMatch reports whether text contains a byte a match can start with.
func (rm *regexMatcher) mayMatch(text string) bool {
	return rm.first == "" || strings.ContainsAny(text, rm.first)
}

func (rm *regexMatcher) find(d *doc, _ time.Time) []hit {
	if !rm.mayMatch(d.Text) {
		return nil
	}
	var out []hit
	locs := rm.re.FindAllStringIndex(d.Text, 200)
	ti := 0
	for _, loc := range locs {
		if loc[1] <= loc[0] {
			continue
		}
		for ti < len(d.Tokens) && d.Tokens[ti].End <= loc[0] {
			ti++
		}
		if ti >= len(d.Tokens) {
			break
		}
		t1 := ti
		for t1 < len(d.Tokens) && d.Tokens[t1].Start < loc[1] {
			t1++
		}
		out = append(out, hit{Sent: d.Tokens[ti].Sent, Tok: ti, Tok1: max(t1, ti+1), Value: 1})
	}
	return out
}

// quantityMatcher matches quantities of the selected kinds.
type quantityMatcher struct{ kinds map[quantityKind]bool }

func (qm *quantityMatcher) find(d *doc, _ time.Time) []hit {
	n := 0
	for _, q := range d.Quantities {
		if qm.kinds[q.Kind] {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := d.newHits(n)
	for i, q := range d.Quantities {
		if qm.kinds[q.Kind] {
			out = append(out, hit{Sent: d.Tokens[q.Tok0].Sent, Tok: q.Tok0, Tok1: q.Tok1, Value: 1, Note: d.quantityNote(i)})
		}
	}
	return out
}

// quantityNote returns the evidence note of d.Quantities[i], "kind: text",
// built once per story.
func (d *doc) quantityNote(i int) string {
	if len(d.qtyNotes) != len(d.Quantities) {
		d.qtyNotes = slices.Grow(d.qtyNotes[:0], len(d.Quantities))[:len(d.Quantities)]
		clear(d.qtyNotes)
	}
	if d.qtyNotes[i] == "" {
		q := d.Quantities[i]
		d.qtyNotes[i] = string(q.Kind) + ": " + d.Text[d.Tokens[q.Tok0].Start:d.Tokens[q.Tok1-1].End]
	}
	return d.qtyNotes[i]
}

// timeMatcher scores the age of the story's date (see storyDate).
type timeMatcher struct{ ages []AgeStep }

// storyDateWindow is the opening share of a story's tokens in which the
// story's own date is looked for.
const storyDateWindow = 0.4

// storyDate returns the date of the story's events: the latest date
// mentioned in the opening storyDateWindow of the story (a story that
// opens with old background, "I started my career in 2012 ... In March
// 2025 I led ...", is dated by the later mention), or else the first date
// anywhere. Dates later in the story ("since then, in 2024 ...") are where
// a lesson was applied, not when the failure happened, so they never
// replace an opening date.
func storyDate(d *doc) (timeMention, bool) {
	var best timeMention
	found := false
	n := max(1, len(d.Tokens))
	for _, tm := range d.Times {
		if tm.Kind != timeDate {
			continue
		}
		if !found {
			best, found = tm, true
			continue
		}
		if float64(tm.Tok0)/float64(n) > storyDateWindow {
			break
		}
		if tm.At.After(best.At) {
			best = tm
		}
	}
	return best, found
}

func (tm *timeMatcher) find(d *doc, ref time.Time) []hit {
	m, ok := storyDate(d)
	if !ok || ref.IsZero() {
		return nil
	}
	age := ref.Sub(m.At).Hours() / 24 / 365.25
	if age < 0 {
		age = 0
	}
	for _, st := range tm.ages {
		if age <= st.MaxYears {
			return d.oneHit(hit{Sent: d.Tokens[m.Tok0].Sent, Tok: m.Tok0, Tok1: m.Tok1, Value: st.Value,
				Note: d.timeNote(m, ref, age)})
		}
	}
	return nil
}

// newHits returns an empty slice with room for n hits, carved from the
// story's hit arena. Hits live until the doc is reused for the next story.
func (d *doc) newHits(n int) []hit {
	a := d.bufs.arena
	if cap(a)-len(a) < n {
		a = make([]hit, 0, max(64, 2*cap(a), n))
	}
	out := a[len(a) : len(a) : len(a)+n]
	d.bufs.arena = a[:len(a)+n]
	return out
}

// oneHit returns h as a hit slice carved from the story's hit arena.
func (d *doc) oneHit(h hit) []hit {
	return append(d.newHits(1), h)
}

// timeNote returns the evidence note of the story's date m, age years
// before ref, built once per story and reference date.
func (d *doc) timeNote(m timeMention, ref time.Time, age float64) string {
	if d.timeNoteSet && d.timeNoteRef == ref {
		return d.timeNoteText
	}
	when := d.Text[d.Tokens[m.Tok0].Start:d.Tokens[m.Tok1-1].End]
	d.timeNoteText = fmt.Sprintf("dated %q: about %.1f years before submission", when, age)
	d.timeNoteRef, d.timeNoteSet = ref, true
	return d.timeNoteText
}

// headingMatches reports whether a heading's words equal h or start or end
// with h's words ("what i learned" matches "learned").
func headingMatches(heading, h string) bool {
	return heading == h || strings.HasPrefix(heading, h+" ") || strings.HasSuffix(heading, " "+h)
}

// compiledSection is one section of a sections signal.
type compiledSection struct {
	name     string
	headings []string
	phrases  *phraseMatcher
	within   float64
}

// resultNotBefore is the opening share of a story in which cues of the
// last section (the result) do not vote; headings are not limited.
const resultNotBefore = 0.15

// sectionMatcher assigns sentences to sections and scores how many
// sections are present, in order.
type sectionMatcher struct{ sections []compiledSection }

// roles returns each sentence's section index, or -1.
func (sm *sectionMatcher) roles(d *doc) []int {
	n := len(d.Sentences)
	role := slices.Grow(d.bufs.role[:0], n)[:n]
	d.bufs.role = role
	ns := len(sm.sections)
	// votes[i*ns+k] is the number of section k's cues in sentence i
	votes := slices.Grow(d.bufs.votes[:0], n*ns)[:n*ns]
	clear(votes)
	d.bufs.votes = votes
	for i := range role {
		role[i] = -1
	}
	last := len(sm.sections) - 1
	for k, sec := range sm.sections {
		for _, h := range sec.phrases.find(d, time.Time{}) {
			p := d.pos(h.Tok)
			if d.Tokens[h.Tok].Negated || sec.within > 0 && p > sec.within {
				continue
			}
			// The last section (the result) cannot open a story: a result
			// word there is the goal ("to increase retention by 10%").
			if k == last && k > 0 && p < resultNotBefore {
				continue
			}
			votes[h.Sent*ns+k]++
		}
	}
	cur := -1 // section of the last heading, inherited within its paragraph
	curPara := -1
	headed := -1 // the first sentence placed by a heading
	for i, sn := range d.Sentences {
		if sn.Dup || sn.Filler {
			continue
		}
		if sn.Heading != "" {
			// the section with the longest matching heading
			hk, hl := -1, 0
			for k, sec := range sm.sections {
				for _, h := range sec.headings {
					if len(h) > hl && headingMatches(sn.Heading, h) {
						hk, hl = k, len(h)
					}
				}
			}
			if hk >= 0 {
				cur, curPara = hk, sn.Para
				role[i] = cur
				if headed < 0 {
					headed = i
				}
				continue
			}
		}
		if cur >= 0 && sn.Para == curPara {
			role[i] = cur
			if headed < 0 {
				headed = i
			}
			continue
		}
		cur = -1
		// The section with most cue phrases; a tie goes to the section whose
		// expected place in the story is nearest the sentence's place.
		p := float64(d.before[i]+sn.Words/2) / math.Max(1, float64(d.Content))
		best, bestV, bestDist := -1, 0.0, 0.0
		for k, v := range votes[i*ns : (i+1)*ns] {
			dist := math.Abs(p - float64(k)/float64(max(1, len(sm.sections)-1)))
			if v > bestV || v == bestV && v > 0 && dist < bestDist {
				best, bestV, bestDist = k, v, dist
			}
		}
		role[i] = best
	}
	// A story's opening sets the scene: an unassigned first sentence that
	// dates the story or sizes it (users, customers, money) belongs to the
	// first section. So does a dated opening with a middle-section cue when
	// the next sentence is the situation: "Two months ago we launched a
	// redesigned onboarding ... I'm the PM for activation" opens with a
	// headline, not with the action.
	for i, sn := range d.Sentences {
		if sn.Dup || sn.Filler {
			continue
		}
		if role[i] < 0 && scenesetting(d, i) {
			role[i] = 0
		} else if role[i] > 0 && role[i] < last && headed != i && scenesetting(d, i) && nextRole(d, role, i) == 0 {
			role[i] = 0
		}
		break
	}
	return role
}

// nextRole returns the role of the first sentence after i that is neither
// a duplicate nor filler, or -1.
func nextRole(d *doc, role []int, i int) int {
	for j := i + 1; j < len(d.Sentences); j++ {
		if d.Sentences[j].Dup || d.Sentences[j].Filler {
			continue
		}
		return role[j]
	}
	return -1
}

// scenesetting reports whether sentence i has a date or a count of people or
// money in it.
func scenesetting(d *doc, i int) bool {
	for _, m := range d.Times {
		if m.Kind == timeDate && d.Tokens[m.Tok0].Sent == i {
			return true
		}
	}
	for _, q := range d.Quantities {
		if (q.Kind == qtyCount || q.Kind == qtyMoney) && d.Tokens[q.Tok0].Sent == i {
			return true
		}
	}
	return false
}

func (sm *sectionMatcher) find(d *doc, _ time.Time) []hit {
	role := sm.roles(d)
	n := len(sm.sections)
	cnt := make([]float64, n)
	first := make([]int, n)
	for k := range first {
		first[k] = -1
	}
	for i, r := range role {
		if r < 0 || d.Sentences[i].Dup || d.Sentences[i].Filler {
			continue
		}
		cnt[r]++
		if first[r] < 0 {
			first[r] = i
		}
	}
	var present []int
	for k := range n {
		if cnt[k] > 0 {
			present = append(present, k)
		}
	}
	if len(present) == 0 {
		return nil
	}
	// Order: the share of pairs of sentences from different sections that
	// appear in the expected order, squared so that a shuffled story (about
	// half the pairs in order) loses most of the credit. Once the last
	// section has begun, middle sections may recur without penalty (a
	// recovery is an action after the result); the first may not.
	seq := d.bufs.seq[:0]
	defer func() { d.bufs.seq = seq[:0] }()
	for i, r := range role {
		if r >= 0 && !d.Sentences[i].Dup && !d.Sentences[i].Filler {
			seq = append(seq, r)
		}
	}
	pairs, concordant := 0, 0
	counts := make([]int, n)
	for _, r := range seq {
		for k := range n {
			if k == r || counts[k] == 0 || (k == n-1 && r > 0) {
				continue
			}
			pairs += counts[k]
			if k < r {
				concordant += counts[k]
			}
		}
		counts[r]++
	}
	order := 1.0
	if pairs > 0 {
		order = float64(concordant) / float64(pairs)
		order *= order
	}
	value := float64(len(present)) / float64(n) * order
	var names, missing []string
	for k := range n {
		if cnt[k] > 0 {
			names = append(names, sm.sections[k].name)
		} else {
			missing = append(missing, sm.sections[k].name)
		}
	}
	note := "parts found: " + strings.Join(names, ", ")
	if order < 0.8 {
		note += " (out of order)"
	}
	if len(missing) > 0 {
		note += "; missing: " + strings.Join(missing, ", ")
	}
	sort.Ints(present)
	fs := first[present[0]]
	return d.oneHit(hit{Sent: fs, Tok: d.Sentences[fs].T0, Tok1: d.Sentences[fs].T1, Value: value, Note: note})
}

// lengthMatcher fires when the story's content is outside [min, max]
// words, or when more than maxFiller of its words are filler.
type lengthMatcher struct {
	min, max  int
	maxFiller float64
}

func (lm *lengthMatcher) find(d *doc, _ time.Time) []hit {
	if len(d.Sentences) == 0 {
		return nil
	}
	if lm.maxFiller > 0 && d.Unique > 0 {
		share := 1 - float64(d.Content)/float64(d.Unique)
		if share > lm.maxFiller {
			return d.oneHit(hit{Sent: 0, Tok: 0, Tok1: d.Sentences[0].T1, Value: 1,
				Note:  fmt.Sprintf("%.0f%% of the words carry nothing the rubric looks for", share*100),
				Start: d.Sentences[0].Start, End: d.Sentences[0].End})
		}
		return nil
	}
	w := d.Content
	if (lm.min > 0 && w < lm.min) || (lm.max > 0 && w > lm.max) {
		return d.oneHit(hit{Sent: 0, Tok: 0, Tok1: d.Sentences[0].T1, Value: 1, Note: fmt.Sprintf("%d words", w),
			Start: d.Sentences[0].Start, End: d.Sentences[0].End})
	}
	return nil
}

// constantMatcher fires once for every non-empty story; with Unless it
// expresses an absence ("no number anywhere").
type constantMatcher struct{}

func (constantMatcher) find(d *doc, _ time.Time) []hit {
	if len(d.Sentences) == 0 {
		return nil
	}
	return d.oneHit(hit{Sent: 0, Tok: d.Sentences[0].T0, Tok1: d.Sentences[0].T0, Value: 1})
}

// sentenceMatcher fires per over-long sentence, or once when there are too
// few sentences.
type sentenceMatcher struct{ maxWords, minSentences int }

func (sm *sentenceMatcher) find(d *doc, _ time.Time) []hit {
	var out []hit
	if sm.minSentences > 0 && len(d.Sentences) > 0 && len(d.Sentences) < sm.minSentences {
		out = append(out, hit{Sent: 0, Tok: 0, Tok1: d.Sentences[0].T1, Value: 1, Note: fmt.Sprintf("only %d sentences", len(d.Sentences))})
	}
	if sm.maxWords > 0 {
		for i, sn := range d.Sentences {
			if sn.Words > sm.maxWords && !sn.Dup {
				// the longer the sentence, the more it costs: words / max
				v := float64(sn.Words) / float64(sm.maxWords)
				out = append(out, hit{Sent: i, Tok: sn.T0, Tok1: sn.T1, Value: v, Note: fmt.Sprintf("a %d-word sentence", sn.Words)})
			}
		}
	}
	return out
}

// accept filters a hit by the signal's position, negation and actor rules,
// and drops hits in duplicated sentences.
func (cs *compiledSignal) accept(d *doc, h hit) bool {
	if h.Sent < 0 || h.Sent >= len(d.Sentences) || d.Sentences[h.Sent].Dup {
		return false
	}
	if cs.from > 0 || cs.to < 1 {
		p := d.pos(h.Tok)
		if p < cs.from || p > cs.to {
			return false
		}
	}
	if cs.Kind != "phrase" && cs.Kind != "regex" {
		return true
	}
	neg := false
	for i := h.Tok; i < h.Tok1 && i < len(d.Tokens); i++ {
		if d.Tokens[i].Negated && !d.Tokens[i].Negator {
			// negated from outside the match: its negator precedes h.Tok
			neg = true
			for j := h.Tok; j < i; j++ {
				if d.Tokens[j].Negator {
					neg = false
				}
			}
			break
		}
	}
	switch cs.Negation {
	case "", "exclude":
		if neg {
			return false
		}
	case "only":
		if !neg {
			return false
		}
	}
	if cs.Actor == "" || cs.Actor == "any" {
		return true
	}
	// The actor is the subject at the match's last token (so that a phrase
	// that starts with "I" is the writer's own).
	last := max(h.Tok1-1, h.Tok)
	if last >= len(d.Tokens) {
		last = len(d.Tokens) - 1
	}
	a := d.Tokens[last].Subject
	switch cs.Actor {
	case "self":
		return a == actorSelf
	case "we":
		return a == actorWe
	case "self_or_we":
		return a == actorSelf || a == actorWe
	case "other":
		return a == actorOther
	case "not_self":
		return a != actorSelf
	}
	return true
}
