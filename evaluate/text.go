package evaluate

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/sentences"
	"github.com/clipperhouse/uax29/v2/words"
	"github.com/kljensen/snowball/english"
)

// The text analyser turns a story into tokens and sentences with byte
// offsets, stems, negation scopes, grammatical actors, quantities, time
// mentions and sentence roles. It is pure and deterministic: the same text
// and reference date always give the same analysis.

// tokKind classifies a token.
type tokKind uint8

const (
	tokWord   tokKind = iota // letters (possibly with digits or apostrophes)
	tokNumber                // starts with a digit
	tokPunct                 // punctuation or symbol
)

// actor is who a clause is about.
type actor uint8

const (
	actorNone  actor = iota // no subject found
	actorSelf               // "I"
	actorWe                 // "we", "our team"
	actorOther              // "they", "my manager", "the engineers"
)

// token is one word, number or punctuation mark of the story.
//
// The fields are ordered to keep the struct small (72 bytes on 64-bit).
type token struct {
	Start, End int    // byte offsets into the text
	Lower      string // lower-cased, apostrophes normalised to '
	Stem       string // snowball English stem of Lower (Lower for non-words)
	Sent       int    // index of the sentence holding the token
	// sid and lid are the scorer's vocabulary ids of Stem and Lower, or -1
	// (see phraseIndex).
	sid, lid int32
	// wf classifies Lower (see wordFlagsOf); 0 for punctuation.
	wf      wordFlag
	Kind    tokKind
	Negated bool // inside the scope of a preceding negator
	Negator bool // the token itself negates ("not", "never", "didn't")
	// Subject is the nearest grammatical subject at or before the token in
	// its sentence.
	Subject actor
	// soft is true for punctuation that does not end a phrase match (see
	// breaksPhrase).
	soft bool
}

// wordFlag records which word lists a lower-cased word is in, so that the
// analyser tests a bit instead of looking the word up in each list.
type wordFlag uint16

const (
	wfNegator    wordFlag = 1 << iota // isNegator
	wfScopeEnder                      // scopeEnders
	wfSelf                            // selfSubjects
	wfWe                              // weSubjects
	wfOther                           // otherSubjects
	wfStop                            // an English stop word or "i"
	wfForeign                         // foreignStopwords
	wfNonLatin                        // first rune beyond Latin Extended-B
	wfNumberWord                      // in numberWords
)

// wordFlagsOf classifies a lower-cased word. Every word list starts with a
// letter, so punctuation needs no flags.
func wordFlagsOf(lower string) wordFlag {
	var f wordFlag
	set := func(b bool, bit wordFlag) {
		if b {
			f |= bit
		}
	}
	set(isNegator(lower), wfNegator)
	set(scopeEnders[lower], wfScopeEnder)
	set(selfSubjects[lower], wfSelf)
	set(weSubjects[lower], wfWe)
	set(otherSubjects[lower], wfOther)
	set(english.IsStopWord(lower) || lower == "i", wfStop)
	set(foreignStopwords[lower], wfForeign)
	for _, r := range lower {
		set(r > 0x24F, wfNonLatin)
		break
	}
	_, ok := numberWords[lower]
	set(ok, wfNumberWord)
	return f
}

// sentence is one sentence (or heading line) of the story.
type sentence struct {
	Start, End int // byte offsets, trimmed of surrounding space
	T0, T1     int // token index range [T0, T1)
	Words      int
	// Heading is the section name when the sentence starts with a section
	// heading ("Situation:", "Result -"), else "".
	Heading string
	// Dup is true when an earlier sentence has the same normalised words:
	// duplicated sentences earn nothing.
	Dup bool
	// Para is the 0-based paragraph index.
	Para int
	// Filler is true when no rubric signal matched anything in the sentence
	// (set by focus): filler neither counts towards length nor moves the
	// position of other sentences.
	Filler bool
}

// doc is the analysis of one story.
type doc struct {
	Text      string
	Tokens    []token
	Sentences []sentence
	Words     int // word and number tokens
	// Content is the number of words in non-duplicate, non-filler sentences.
	Content int
	// Unique is the number of words in non-duplicate sentences.
	Unique     int
	Paragraphs int
	Quantities []quantity
	// qtyNotes caches the evidence note of each quantity (see quantityNote).
	qtyNotes []string
	Times    []timeMention
	// phraseHits holds the hits of every phrase matcher of the scorer, by
	// matcher id (see phraseIndex); nil outside a scorer.
	phraseHits [][]hit
	// before[i] is the number of content words (outside duplicate
	// sentences) before sentence i.
	before []int
	// wordsBefore[i] is the number of non-punctuation tokens in
	// Tokens[:i], so that a position inside a sentence costs O(1).
	wordsBefore []int32
	// timeNoteText caches timeNote's note for reference date timeNoteRef.
	timeNoteText string
	timeNoteRef  time.Time
	timeNoteSet  bool
	// bufs are scratch buffers a scorer reuses from story to story.
	bufs docBufs
}

// docBufs holds the scratch buffers of one story's scoring; they are reused
// when the doc is (see RubricScorer.Score) and never escape into a Result.
type docBufs struct {
	dups    sentenceSet
	parts   [][2]int
	run     runBufs
	pre     [][]hit   // pass 1 hits, one per signal of every criterion
	preBy   [][][]hit // pre cut by criterion
	subst   []bool
	levels  []int
	scratch scratch
	counts  map[string]int // content-word counts of compiledFlags.check
	// role, votes and seq are sectionMatcher's buffers.
	role  []int
	votes []float64
	seq   []int
	// arena holds the hits matchers return (see newHits).
	arena []hit
}

// reset empties d for the analysis of text, keeping its buffers.
func (d *doc) reset(text string) {
	*d = doc{
		Text:        text,
		Tokens:      d.Tokens[:0],
		Sentences:   d.Sentences[:0],
		Quantities:  d.Quantities[:0],
		qtyNotes:    d.qtyNotes[:0],
		Times:       d.Times[:0],
		before:      d.before[:0],
		wordsBefore: d.wordsBefore[:0],
		bufs:        d.bufs,
	}
	d.bufs.arena = d.bufs.arena[:0]
}

// negators start a negation scope.
var negatorWords = map[string]bool{
	"not": true, "no": true, "never": true, "without": true, "nor": true, "neither": true,
	"cannot": true, "nobody": true, "nothing": true, "none": true, "hardly": true, "barely": true,
	"didnt": true, "dont": true, "doesnt": true, "wasnt": true, "werent": true, "isnt": true,
	"arent": true, "wont": true, "couldnt": true, "wouldnt": true, "shouldnt": true, "havent": true,
	"hasnt": true, "hadnt": true, "cant": true, "aint": true, "nunca": true,
}

// scopeEnders end a negation scope (besides punctuation).
var scopeEnders = map[string]bool{
	"but": true, "however": true, "although": true, "though": true, "yet": true, "so": true,
	"because": true, "which": true, "until": true, "instead": true, "then": true, "when": true,
	"and": false, // "and" continues scope only for a few words; handled by maxNegScope
}

// maxNegScope is how many word tokens after a negator stay negated.
const maxNegScope = 6

// selfSubjects, weSubjects and otherSubjects are subject words.
var (
	selfSubjects = map[string]bool{"i": true, "i'm": true, "i've": true, "i'd": true, "i'll": true, "im": true, "ive": true}
	weSubjects   = map[string]bool{"we": true, "we've": true, "we're": true, "we'd": true, "we'll": true, "us": false}
	// otherSubjects are nouns and pronouns naming someone other than the
	// writer. A possessive "my"/"our" before them does not make them the writer.
	otherSubjects = map[string]bool{
		"they": true, "they're": true, "they've": true, "he": true, "she": true, "you": true,
		"manager": true, "boss": true, "director": true, "vp": true, "ceo": true, "cto": true,
		"leadership": true, "management": true, "engineers": true, "engineer": true, "developers": true,
		"marketing": true, "sales": true, "designer": true, "designers": true, "team": true,
		"executives": true, "stakeholders": true, "client": true, "vendor": true, "company": true,
		"qa": true, "lead": true, "founder": true, "founders": true, "analyst": true, "colleague": true,
		"colleagues": true, "teammate": true, "teammates": true, "everyone": true, "nobody": true,
		"somebody": true, "someone": true, "agency": true, "contractor": true, "contractors": true,
		"partner": true, "legal": true, "ops": true, "support": true, "head": true,
	}
)

// normalizeWord lower-cases w and folds typographic apostrophes.
func normalizeWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	w = strings.ReplaceAll(w, "\u2019", "'")
	w = strings.ReplaceAll(w, "\u2018", "'")
	return strings.ToLower(w)
}

// stemWord returns the snowball English stem of a lower-cased word.
func stemWord(lower string) string {
	if len(lower) <= 2 {
		return lower
	}
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if c >= utf8.RuneSelf || !(c >= 'a' && c <= 'z' || c == '\'') {
			if c >= '0' && c <= '9' || c == '-' || c == '.' {
				return lower
			}
			return lower
		}
	}
	return english.Stem(lower, false)
}

// analyze segments and annotates text; ref resolves relative time.
func analyze(text string, ref time.Time, stems *stemCache) *doc {
	d := &doc{}
	d.analyze(text, ref, stems)
	return d
}

// analyze segments and annotates text into d, reusing d's buffers.
func (d *doc) analyze(text string, ref time.Time, stems *stemCache) {
	d.reset(text)
	// Stories average about 5 bytes per token and 85 per sentence.
	if n := len(text)/4 + 8; cap(d.Tokens) < n {
		d.Tokens = make([]token, 0, n)
	}
	if n := len(text)/60 + 2; cap(d.Sentences) < n {
		d.Sentences = make([]sentence, 0, n)
	}
	// Sentences, trimmed; a sentence never spans a blank line.
	para := 0
	prevEnd := 0
	parts := d.bufs.parts
	it := sentences.FromString(text)
	for it.Next() {
		s, e := it.Start(), it.End()
		for s < e {
			r, n := utf8.DecodeRuneInString(text[s:])
			if !unicode.IsSpace(r) {
				break
			}
			s += n
		}
		for e > s {
			r, n := utf8.DecodeLastRuneInString(text[s:e])
			if !unicode.IsSpace(r) {
				break
			}
			e -= n
		}
		if s >= e {
			continue
		}
		// A quoted or parenthesised question or exclamation followed by a
		// lower-case word runs on ("a \"who else?\" checklist").
		if n := len(d.Sentences); n > 0 && s < len(text) && text[s] >= 'a' && text[s] <= 'z' &&
			!strings.Contains(text[d.Sentences[n-1].End:s], "\n") && endsQuotedTerm(text[d.Sentences[n-1].Start:d.Sentences[n-1].End]) {
			parts = splitLowercase(parts[:0], text, s, e)
			d.Sentences[n-1].End = parts[0][1]
			for _, part := range parts[1:] {
				d.Sentences = append(d.Sentences, sentence{Start: part[0], End: part[1], Para: para})
			}
			prevEnd = parts[len(parts)-1][1]
			continue
		}
		parts = splitLowercase(parts[:0], text, s, e)
		for _, part := range parts {
			if len(d.Sentences) > 0 && strings.Count(text[prevEnd:part[0]], "\n") >= 2 {
				para++
			}
			d.Sentences = append(d.Sentences, sentence{Start: part[0], End: part[1], Para: para})
			prevEnd = part[1]
		}
	}
	d.bufs.parts = parts
	d.Paragraphs = para + 1
	if len(d.Sentences) == 0 {
		d.Paragraphs = 0
	}
	// Tokens per sentence.
	dups := &d.bufs.dups
	dups.reset(len(d.Sentences))
	for si := range d.Sentences {
		sn := &d.Sentences[si]
		sn.T0 = len(d.Tokens)
		wi := words.FromString(text[sn.Start:sn.End])
		for wi.Next() {
			v := wi.Value()
			r, _ := utf8.DecodeRuneInString(v)
			if unicode.IsSpace(r) {
				continue
			}
			tk := token{Start: sn.Start + wi.Start(), End: sn.Start + wi.End(), Sent: si, sid: -1, lid: -1}
			switch {
			case unicode.IsDigit(r):
				tk.Kind = tokNumber
				tk.Lower = v
				tk.Stem = v
				tk.sid = stems.id(v)
				tk.lid = tk.sid
				tk.wf = wordFlagsOf(v)
			case unicode.IsLetter(r):
				tk.Kind = tokWord
				tk.Lower = normalizeWord(v)
				w := stems.lookup(tk.Lower)
				tk.Stem, tk.sid, tk.lid, tk.wf = w.stem, w.sid, w.lid, w.wf
			default:
				tk.Kind = tokPunct
				tk.Lower = v
				tk.Stem = v
				tk.soft = !breaksPhrase(tk)
			}
			if tk.Kind != tokPunct {
				sn.Words++
			}
			d.Tokens = append(d.Tokens, tk)
		}
		sn.T1 = len(d.Tokens)
		d.Words += sn.Words
		// Duplicate detection on the normalised word sequence.
		if seen := dups.add(d, si); sn.Words >= 4 && seen {
			sn.Dup = true
		} else {
			d.Unique += sn.Words
		}
		sn.Heading = detectHeading(d.Tokens[sn.T0:sn.T1], text)
	}
	d.focus(nil)
	markNegation(d)
	markActors(d)
	d.Quantities = findQuantities(d)
	d.Times = findTimes(d, ref)
}

// sentenceSet is the set of the sentences' keys, the lower-cased words of a
// sentence each followed by a space, stored as hashes chained to the
// sentences that have them, so that no key string is built.
//
// A story of up to smallSentenceSet sentences compares hashes linearly;
// a longer one chains them from a map.
type sentenceSet struct {
	hashes []uint64         // hashes[i] is sentence i's key hash
	head   map[uint64]int32 // key hash → latest sentence with it
	next   []int32          // next[i]: the previous sentence with i's hash, or -1
	ka, kb []byte           // scratch keys for comparisons
}

// smallSentenceSet is the most sentences a linear search handles.
const smallSentenceSet = 64

// reset empties s for a story of n sentences.
func (s *sentenceSet) reset(n int) {
	s.hashes = slices.Grow(s.hashes[:0], n)[:n]
	if n <= smallSentenceSet {
		return
	}
	if s.head == nil {
		s.head = make(map[uint64]int32, n)
	} else {
		clear(s.head)
	}
	s.next = slices.Grow(s.next[:0], n)[:n]
}

// sameKey reports whether sentences i and j have equal keys.
func (s *sentenceSet) sameKey(d *doc, i, j int) bool {
	s.ka = appendKey(s.ka[:0], d, i)
	s.kb = appendKey(s.kb[:0], d, j)
	return string(s.ka) == string(s.kb)
}

// appendKey appends sentence si's key to b.
func appendKey(b []byte, d *doc, si int) []byte {
	sn := &d.Sentences[si]
	for i := sn.T0; i < sn.T1; i++ {
		if tk := &d.Tokens[i]; tk.Kind != tokPunct {
			b = append(b, tk.Lower...)
			b = append(b, ' ')
		}
	}
	return b
}

// add reports whether an earlier sentence has sentence si's key, and adds
// si's key to the set.
func (s *sentenceSet) add(d *doc, si int) bool {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	sn := &d.Sentences[si]
	for i := sn.T0; i < sn.T1; i++ {
		if tk := &d.Tokens[i]; tk.Kind != tokPunct {
			for j := 0; j < len(tk.Lower); j++ {
				h = (h ^ uint64(tk.Lower[j])) * prime
			}
			h = (h ^ ' ') * prime
		}
	}
	s.hashes[si] = h
	if len(s.hashes) <= smallSentenceSet {
		for j, hj := range s.hashes[:si] {
			if hj == h && s.sameKey(d, si, j) {
				return true
			}
		}
		return false
	}
	j, ok := s.head[h]
	if ok {
		s.ka = appendKey(s.ka[:0], d, si)
		for ; j >= 0; j = s.next[j] {
			s.kb = appendKey(s.kb[:0], d, int(j))
			if string(s.ka) == string(s.kb) {
				return true
			}
		}
		s.next[si] = s.head[h]
	} else {
		s.next[si] = -1
	}
	s.head[h] = int32(si)
	return false
}

// endsQuotedTerm reports whether s ends with '?' or '!' and then a closing
// quote or parenthesis.
func endsQuotedTerm(s string) bool {
	t := strings.TrimRight(s, "\"')\u201d\u2019")
	return len(t) < len(s) && (strings.HasSuffix(t, "?") || strings.HasSuffix(t, "!"))
}

// abbreviations end with a period without ending a sentence.
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "vs": true, "approx": true, "mr": true, "mrs": true,
	"ms": true, "dr": true, "inc": true, "ltd": true, "no": true, "st": true, "jr": true, "sr": true,
	"co": true, "corp": true, "dept": true, "est": true, "fig": true, "min": true, "max": true,
}

// splitLowercase splits text[s:e] after a sentence-ending '.', '!' or '?'
// followed by space and a lower-case letter, which UAX #29 does not treat
// as a boundary but casual writers use ("it failed. i learned ..."). It
// appends trimmed [start, end) pairs to out.
func splitLowercase(out [][2]int, text string, s, e int) [][2]int {
	start := s
	// A run of terminators ("?!...", with closing quotes) and the blanks
	// after it are scanned once, not once per terminator in the run, so
	// that a story of a million "!" is linear, not quadratic.
	runEnd, runBlank, lastQuote := -1, -1, -1
	for i := s; i < e; i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		if i >= runEnd {
			runEnd, lastQuote = i+1, -1
			for runEnd < e && (text[runEnd] == '.' || text[runEnd] == '!' || text[runEnd] == '?' || text[runEnd] == ')' || text[runEnd] == '"' || text[runEnd] == '\'') {
				if text[runEnd] == ')' || text[runEnd] == '"' || text[runEnd] == '\'' {
					lastQuote = runEnd
				}
				runEnd++
			}
			runBlank = runEnd
			for runBlank < e && (text[runBlank] == ' ' || text[runBlank] == '\t') {
				runBlank++
			}
		}
		j, k := runEnd, runBlank
		if lastQuote > i || strings.HasPrefix(text[j:e], "\u201d") || strings.HasPrefix(text[j:e], "\u2019") {
			continue // a quoted or parenthesised question runs on
		}
		if k == j || k >= e || !(text[k] >= 'a' && text[k] <= 'z') {
			continue
		}
		if c == '.' {
			w := i
			for w > start && (text[w-1] >= 'a' && text[w-1] <= 'z' || text[w-1] >= 'A' && text[w-1] <= 'Z') {
				w--
			}
			if w > start && text[w-1] == '.' {
				continue // the word holds a dot: an abbreviation like "e.g."
			}
			word := strings.ToLower(text[w:i])
			if len(word) <= 1 || abbreviations[word] {
				continue
			}
		}
		out = append(out, [2]int{start, j})
		start = k
		i = k - 1
	}
	return append(out, [2]int{start, e})
}

// isNegator reports whether a lower-cased word negates what follows.
func isNegator(lower string) bool {
	if strings.HasSuffix(lower, "n't") {
		return true
	}
	return negatorWords[lower]
}

// compoundOrAffirmed reports whether the negator at token i does not negate
// what follows: the first half of a hyphenated compound ("no-shows",
// "no-code") or "not only" / "not just", which affirm ("not only did
// signups fall, ...").
func compoundOrAffirmed(d *doc, i, end int) bool {
	if i+1 >= end {
		return false
	}
	next := d.Tokens[i+1]
	if next.Lower == "-" && next.Start == d.Tokens[i].End {
		return true
	}
	return d.Tokens[i].Lower == "not" && (next.Lower == "only" || next.Lower == "just")
}

// markNegation marks negators and the words in their scope: up to
// maxNegScope words after the negator, stopping at clause punctuation or a
// contrastive conjunction.
func markNegation(d *doc) {
	for si := range d.Sentences {
		sn := d.Sentences[si]
		left := 0
		for i := sn.T0; i < sn.T1; i++ {
			tk := &d.Tokens[i]
			if tk.Kind == tokPunct {
				if tk.Lower != "-" && tk.Lower != "\"" && tk.Lower != "'" && tk.Lower != "\u201c" && tk.Lower != "\u201d" {
					left = 0
				}
				continue
			}
			if tk.wf&wfNegator != 0 && !compoundOrAffirmed(d, i, sn.T1) {
				tk.Negator = true
				left = maxNegScope
				continue
			}
			if tk.wf&wfScopeEnder != 0 {
				left = 0
				continue
			}
			if left > 0 {
				tk.Negated = true
				left--
			}
		}
	}
}

// markActors sets each token's Subject to the nearest subject word at or
// before it in the same sentence. A subject after "my"/"our"/"the" that
// names another person ("my manager") is another actor.
func markActors(d *doc) {
	for si := range d.Sentences {
		sn := d.Sentences[si]
		cur := actorNone
		first := true
		for i := sn.T0; i < sn.T1; i++ {
			tk := &d.Tokens[i]
			if tk.Kind == tokWord && first {
				first = false
				// A first-person story drops the "I" in terse clauses
				// ("Pushed for it. Shipped it in 3 weeks."): a sentence that
				// opens with a past-tense verb is the writer's.
				if tk.wf&(wfSelf|wfWe) == 0 && opensWithPastVerb(d, i, sn) {
					cur = actorSelf
				}
			}
			if tk.Kind == tokWord {
				switch {
				case tk.wf&wfSelf != 0:
					cur = actorSelf
				case tk.wf&wfWe != 0:
					cur = actorWe
				case tk.wf&wfOther != 0:
					// "our team", "my team" are the writer's team: we.
					prev := ""
					if i > sn.T0 {
						prev = d.Tokens[i-1].Lower
					}
					if (tk.Lower == "team" || tk.Lower == "company") && (prev == "our" || prev == "my") {
						cur = actorWe
					} else if isSubjectPosition(d, sn, i) {
						cur = actorOther
					}
				}
			}
			tk.Subject = cur
		}
	}
}

// irregularPast are common irregular past-tense verbs a terse clause may
// open with.
var irregularPast = map[string]bool{
	"led": true, "built": true, "made": true, "chose": true, "ran": true, "took": true,
	"put": true, "set": true, "wrote": true, "drove": true, "bet": true, "sat": true,
	"spoke": true, "told": true, "got": true, "went": true, "cut": true, "sent": true,
	"spent": true, "kept": true, "thought": true, "found": true, "saw": true, "learnt": true,
}

// opensWithPastVerb reports whether the word at i, the first word of its
// sentence, is a past-tense verb followed by more words: "Shipped it",
// "Rolled back", "Led the launch". A capitalised "-ed" word followed by "by"
// or "on" ("Based on", "Inspired by") is a participle, not a clause.
func opensWithPastVerb(d *doc, i int, sn sentence) bool {
	w := d.Tokens[i].Lower
	if i+1 >= sn.T1 || d.Tokens[i+1].Kind == tokPunct {
		return false
	}
	switch d.Tokens[i+1].Lower {
	case "by", "on", "upon", "with", "from", "in":
		return false
	}
	return irregularPast[w] || len(w) > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed")
}

// isSubjectPosition reports whether the noun at i plausibly is a subject:
// it is followed by a verb-like word rather than being an object of a
// preposition.
func isSubjectPosition(d *doc, sn sentence, i int) bool {
	if i > sn.T0 {
		// right after "I" or "we" the word is a verb: "I lead a team",
		// "we support 40 clinics", "I head product"
		if d.Tokens[i-1].wf&(wfSelf|wfWe) != 0 {
			return false
		}
		switch d.Tokens[i-1].Lower {
		case "with", "to", "for", "from", "by", "of", "at", "on", "about", "into", "told", "asked", "helped", "as":
			return false
		}
	}
	if i > sn.T0+1 {
		switch d.Tokens[i-2].Lower {
		case "with", "to", "for", "from", "by", "of", "at", "on", "about":
			return false
		}
	}
	return true
}

// detectHeading returns the section name if the tokens start with a
// heading word followed by ':' or '-' ("Situation:", "What I learned:").
func detectHeading(toks []token, text string) string {
	n := 0
	for i, tk := range toks {
		if tk.Kind == tokPunct {
			dash := tk.Lower == "-" || tk.Lower == "\u2013" || tk.Lower == "\u2014"
			spaced := tk.Start > 0 && (text[tk.Start-1] == ' ' || text[tk.Start-1] == '\t')
			if (tk.Lower == ":" || dash && spaced) && n > 0 && n <= 5 {
				var b strings.Builder
				for _, t := range toks[:i] {
					if t.Kind != tokPunct {
						if b.Len() > 0 {
							b.WriteByte(' ')
						}
						b.WriteString(t.Lower)
					}
				}
				return b.String()
			}
			if tk.Lower != "*" && tk.Lower != "#" {
				return ""
			}
			continue
		}
		n++
		if n > 5 {
			return ""
		}
	}
	return ""
}

// focus marks the sentences that are not substantive as filler and
// recomputes Content and the word offsets that positions are measured in.
// With nil (or when nothing is substantive) every sentence counts.
func (d *doc) focus(substantive []bool) {
	any := false
	for _, b := range substantive {
		any = any || b
	}
	d.before = slices.Grow(d.before[:0], len(d.Sentences)+1)[:len(d.Sentences)+1]
	d.before[0] = 0
	if len(d.wordsBefore) != len(d.Tokens)+1 {
		d.wordsBefore = slices.Grow(d.wordsBefore[:0], len(d.Tokens)+1)[:len(d.Tokens)+1]
		d.wordsBefore[0] = 0
		for i, tk := range d.Tokens {
			d.wordsBefore[i+1] = d.wordsBefore[i]
			if tk.Kind != tokPunct {
				d.wordsBefore[i+1]++
			}
		}
	}
	d.Content = 0
	for i := range d.Sentences {
		sn := &d.Sentences[i]
		sn.Filler = any && !substantive[i]
		d.before[i+1] = d.before[i]
		if !sn.Dup && !sn.Filler {
			d.before[i+1] += sn.Words
			d.Content += sn.Words
		}
	}
}

// pos returns the position of byte offset off in the story's content, 0..1,
// ignoring duplicated sentences.
func (d *doc) pos(tokIdx int) float64 {
	if d.Content == 0 || tokIdx >= len(d.Tokens) {
		return 0
	}
	tk := d.Tokens[tokIdx]
	// content words before this token's sentence, then within it
	w := d.before[tk.Sent]
	sn := d.Sentences[tk.Sent]
	if !sn.Dup && !sn.Filler {
		w += int(d.wordsBefore[tokIdx] - d.wordsBefore[sn.T0])
	}
	p := float64(w) / float64(d.Content)
	if p > 1 {
		p = 1
	}
	return p
}
