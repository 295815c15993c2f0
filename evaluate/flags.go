package evaluate

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
	"unicode"
	"unicode/utf8"
)

// compiledFlags holds the compiled flag settings of a rubric.
type compiledFlags struct {
	set         FlagSettings
	placeholder *regexMatcher
	topic       *phraseMatcher
	strong      *phraseMatcher
	nonAnswer   *phraseMatcher
	grader      *phraseMatcher
	advice      *phraseMatcher
}

func compileFlags(set FlagSettings, stems *stemCache) (compiledFlags, error) {
	re, err := regexp.Compile(set.Placeholder)
	if err != nil {
		return compiledFlags{}, fmt.Errorf("placeholder: %w", err)
	}
	return compiledFlags{
		set:         set,
		placeholder: newRegexMatcher(re),
		topic:       newPhraseMatcher(set.Topic, 0, stems),
		strong:      newPhraseMatcher(strongFailure, 0, stems),
		nonAnswer:   newPhraseMatcher(set.NonAnswer, 0, stems),
		grader:      newPhraseMatcher(set.Grader, 1, stems),
		advice:      newPhraseMatcher(set.Advice, 0, stems),
	}, nil
}

// strongFailure is wording that clearly describes a failure; it clears a
// story of the off-topic flag even when it also says why the writer wants
// the job.
var strongFailure = []string{"fail", "failure", "failed", "mistake", "went wrong", "didn't work", "did not work", "fell short", "backfired", "flop", "setback", "fracaso"}

// foreignStopwords are frequent function words of other languages written
// in Latin script; a story full of them and short of English ones is
// flagged not-english.
var foreignStopwords = map[string]bool{
	// Spanish / Portuguese
	"de": true, "la": true, "el": true, "que": true, "en": true, "los": true, "las": true, "y": true,
	"con": true, "por": true, "para": true, "una": true, "un": true, "es": true, "se": true, "del": true,
	"al": true, "lo": true, "su": true, "como": true, "pero": true, "más": true, "mi": true, "fue": true,
	"o": true, "um": true, "uma": true, "não": true, "com": true, "os": true, "da": true, "do": true,
	// French
	"le": true, "les": true, "des": true, "et": true, "est": true, "pour": true, "dans": true, "une": true,
	"du": true, "pas": true, "qui": true, "sur": true, "nous": true, "je": true, "j'ai": true,
	// German
	"der": true, "die": true, "und": true, "das": true, "ist": true, "nicht": true, "ich": true,
	"wir": true, "mit": true, "zu": true, "den": true, "ein": true, "eine": true, "auf": true,
}

// langStats returns the share of English and of foreign function words
// among the story's words, and the share of words in non-Latin scripts.
func langStats(d *doc) (en, foreign, nonLatin float64) {
	var n, e, f, nl int
	for _, tk := range d.Tokens {
		if tk.Kind != tokWord {
			continue
		}
		n++
		if tk.wf&wfStop != 0 {
			e++
		} else if tk.wf&wfForeign != 0 {
			f++
		}
		if tk.wf&wfNonLatin != 0 { // beyond Latin Extended-B
			nl++
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	return float64(e) / float64(n), float64(f) / float64(n), float64(nl) / float64(n)
}

// check returns the story's review flags, sorted by code.
func (cf *compiledFlags) check(d *doc) []Flag {
	var flags []Flag
	add := func(code, format string, args ...any) {
		flags = append(flags, Flag{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	set := cf.set
	en, foreign, nonLatin := langStats(d)
	nonEnglish := false
	if d.Words >= 12 && (nonLatin > 0.5 || (foreign > en && foreign > 0.08) || en < 0.12 && foreign > 0.04) {
		nonEnglish = true
		add("not-english", "The story does not appear to be in English; the English rubric cannot judge it, so a person should read it (scores are only indicative).")
	}
	// Filler does not count towards the minimum, so padding cannot lift
	// the too-short cap.
	if d.Unique < set.MinWords || (!nonEnglish && d.Content < set.MinWords) {
		add("too-short", "The story has %d words of substance; at least %d are needed to judge it.", min(d.Unique, d.Content), set.MinWords)
	}
	if d.Words > set.MaxWords {
		add("too-long", "The story has %d words, far more than the %d an interview answer should take.", d.Words, set.MaxWords)
	}
	if m := cf.placeholder.findFirst(d.Text); m != nil {
		add("placeholder", "The story contains a template placeholder %q.", d.Text[m[0]:m[1]])
		if n := len(cf.placeholder.re.FindAllStringIndex(d.Text, 10)); n >= 3 {
			add("template", "The story is an unfilled template (%d placeholders such as %q), not the candidate's own story.", n, d.Text[m[0]:m[1]])
		}
	}
	// repeated text
	dupWords := 0
	var dupQuote string
	for _, sn := range d.Sentences {
		if sn.Dup {
			dupWords += sn.Words
			if dupQuote == "" {
				dupQuote = shorten(d.Text[sn.Start:sn.End], 80)
			}
		}
	}
	if dupWords > 0 && (dupWords*5 >= d.Words || dupWords >= 40) {
		add("repeated-text", "%d of %d words repeat earlier sentences word for word, e.g. %q; repeated text earns nothing.", dupWords, d.Words, dupQuote)
	}
	// keyword stuffing / incoherent text: English words with too few
	// function words, or one word dominating the text.
	if !nonEnglish && d.Words >= 15 {
		counts := d.bufs.counts
		if counts == nil {
			counts = map[string]int{}
		}
		clear(counts)
		content := 0
		for _, tk := range d.Tokens {
			if tk.Kind == tokWord && tk.wf&wfStop == 0 {
				counts[tk.Stem]++
				content++
			}
		}
		// the most frequent stem; a tie goes to the first in sorted order
		top, topN := "", 0
		for k, n := range counts {
			if n > topN || n == topN && k < top {
				top, topN = k, n
			}
		}
		// keep a small map for the next story; a big one would slow
		// clearing and ranging
		if len(counts) <= maxPooledCounts {
			d.bufs.counts = counts
		} else {
			d.bufs.counts = nil
		}
		switch {
		case en < 0.2:
			add("keyword-stuffing", "Only %.0f%% of the words are ordinary function words; the text reads as a list of keywords rather than a story.", en*100)
		case content >= 30 && topN*100 >= content*keywordShare && topN >= 6:
			add("keyword-stuffing", "The word %q makes up %d of %d content words.", top, topN, content)
		}
	}
	if g := cf.grader.find(d, time.Time{}); len(g) > 0 {
		sn := d.Sentences[g[0].Sent]
		add("grader-directed", "The text addresses the grader instead of telling a story: %q.", shorten(d.Text[sn.Start:sn.End], 100))
	}
	if a := cf.advice.find(d, time.Time{}); len(a) >= 2 {
		sn := d.Sentences[a[0].Sent]
		add("pasted-advice", "The text reads as interview advice rather than the candidate's own story: %q.", shorten(d.Text[sn.Start:sn.End], 100))
	}
	if !nonEnglish && len(d.Sentences) > 0 {
		n := 0
		for _, h := range cf.topic.find(d, time.Time{}) {
			// "I don't see anything as a failure" is not about a failure
			if !d.Sentences[h.Sent].Dup && !(d.Tokens[h.Tok].Negated && !d.Tokens[h.Tok].Negator) {
				n++
			}
		}
		na := cf.nonAnswer.find(d, time.Time{})
		switch {
		case n < set.MinTopic:
			add("off-topic", "The story never describes a failure, mistake or setback; it seems to answer a different question.")
		case len(na) > 0 && len(cf.strong.find(d, time.Time{})) == 0:
			sn := d.Sentences[na[0].Sent]
			add("off-topic", "The text answers a different question (%q) and never describes a failure.", shorten(d.Text[sn.Start:sn.End], 100))
		}
	}
	sort.SliceStable(flags, func(a, b int) bool { return flags[a].Code < flags[b].Code })
	return flags
}

// maxPooledCounts bounds the word counts map a doc keeps for reuse.
const maxPooledCounts = 1024

// keywordShare is the percentage of a story's content words that one word
// must reach to flag keyword stuffing. A story about a feature names it
// often ("rating", "pricing": about a tenth of the content words in a
// normal story); stuffing repeats a word far more.
const keywordShare = 20

// shingleSize is the number of words per shingle for near-duplicate checks.
const shingleSize = 5

// nearDuplicateJaccard is the Jaccard similarity of word 5-shingle sets at
// or above which two stories are flagged near-duplicates.
const nearDuplicateJaccard = 0.5

// maxPosting bounds the stories indexed per shingle: boilerplate shared by
// many stories says nothing about copying and would make the check quadratic.
const maxPosting = 64

// shingles returns the sorted, de-duplicated hashes of text's word 5-shingles
// (lower-cased words of letters, digits and apostrophes; FNV-1a).
func shingles(text string) []uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	ws := make([]uint64, 0, len(text)/5+1) // one hash per word
	h, in := uint64(offset), false
	for _, r := range text {
		if r < utf8.RuneSelf {
			// ASCII: what unicode.IsLetter, IsDigit and ToLower do
			c := byte(r)
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '\'' {
				h = (h ^ uint64(c)) * prime
				in = true
				continue
			}
			if in {
				ws = append(ws, h)
				h, in = offset, false
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = unicode.ToLower(r)
			for r > 0 {
				h = (h ^ uint64(r&0xff)) * prime
				r >>= 8
			}
			in = true
			continue
		}
		if in {
			ws = append(ws, h)
			h, in = offset, false
		}
	}
	if in {
		ws = append(ws, h)
	}
	if len(ws) == 0 {
		return nil
	}
	n := max(1, len(ws)-shingleSize+1)
	out := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		x := uint64(offset)
		for _, w := range ws[i:min(i+shingleSize, len(ws))] {
			x = (x ^ w) * prime
			x ^= x >> 29
		}
		out = append(out, x)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// flagNearDuplicates flags every scored story whose word 5-shingles overlap
// another scored story's with Jaccard similarity >= 0.5, naming the most
// similar other row. It uses an inverted shingle index, so its cost grows
// with the number of shared shingles rather than with the square of the
// batch size.
func flagNearDuplicates(results []Result) {
	sets := make([][]uint64, len(results))
	index := map[uint64][]int32{}
	for i := range results {
		if !results[i].Scored() || results[i].Scores == nil {
			continue
		}
		sets[i] = shingles(results[i].Story.Text)
		for _, h := range sets[i] {
			if p := index[h]; len(p) <= maxPosting {
				index[h] = append(p, int32(i))
			}
		}
	}
	shared := map[int32]int{}
	for i := range results {
		if len(sets[i]) == 0 {
			continue
		}
		clear(shared)
		for _, h := range sets[i] {
			p := index[h]
			if len(p) > maxPosting {
				continue
			}
			for _, j := range p {
				if int(j) != i {
					shared[j]++
				}
			}
		}
		best, bestJ := -1, 0.0
		for j, n := range shared {
			jac := float64(n) / float64(len(sets[i])+len(sets[j])-n)
			if jac >= nearDuplicateJaccard && (jac > bestJ || jac == bestJ && int(j) < best) {
				best, bestJ = int(j), jac
			}
		}
		if best < 0 {
			continue
		}
		other := results[best].Story.Ref
		if other == "" {
			other = fmt.Sprintf("story #%d", best+1)
		}
		r := &results[i]
		r.Flags = append(r.Flags, Flag{Code: "near-duplicate",
			Message: fmt.Sprintf("%.0f%% of this story's word sequences also appear in %s.", bestJ*100, other)})
		sort.SliceStable(r.Flags, func(a, b int) bool { return r.Flags[a].Code < r.Flags[b].Code })
	}
}

// DupIndex finds near-duplicate stories incrementally, for streaming
// batches: [DupIndex.Check] compares a story with every story checked before
// it and then adds it. It uses the same word 5-shingles, Jaccard threshold
// and bounded inverted index as the batch check, so its cost grows with the
// number of shared shingles, not with the square of the batch. It is not safe
// for concurrent use.
type DupIndex struct {
	index  map[uint64][]int32
	sizes  []int
	refs   []string
	shared map[int32]int
}

// NewDupIndex returns an empty index.
func NewDupIndex() *DupIndex {
	return &DupIndex{index: map[uint64][]int32{}, shared: map[int32]int{}}
}

// Check flags r "near-duplicate" when its story shares at least half of its
// word 5-shingles (Jaccard) with a story checked earlier, naming the most
// similar earlier row, and then adds r to the index. Flags stay sorted by
// code.
func (x *DupIndex) Check(r *Result) {
	set := shingles(r.Story.Text)
	id := int32(len(x.sizes))
	ref := r.Story.Ref
	if ref == "" {
		ref = fmt.Sprintf("story #%d", r.Story.Index+1)
	}
	x.sizes = append(x.sizes, len(set))
	x.refs = append(x.refs, ref)
	if len(set) == 0 {
		return
	}
	clear(x.shared)
	for _, h := range set {
		p := x.index[h]
		if len(p) <= maxPosting {
			for _, j := range p {
				x.shared[j]++
			}
		}
	}
	best, bestJ := int32(-1), 0.0
	for j, n := range x.shared {
		jac := float64(n) / float64(len(set)+x.sizes[j]-n)
		if jac >= nearDuplicateJaccard && (jac > bestJ || jac == bestJ && j < best) {
			best, bestJ = j, jac
		}
	}
	if best >= 0 {
		r.Flags = append(r.Flags, Flag{Code: "near-duplicate",
			Message: fmt.Sprintf("%.0f%% of this story's word sequences also appear in %s.", bestJ*100, x.refs[best])})
		sort.SliceStable(r.Flags, func(a, b int) bool { return r.Flags[a].Code < r.Flags[b].Code })
	}
	for _, h := range set {
		if p := x.index[h]; len(p) <= maxPosting {
			x.index[h] = append(p, id)
		}
	}
}
