package evaluate

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// stemCache memoises stems for one scorer; it is safe for concurrent use and
// bounded by the vocabulary of the stories scored.
type stemCache struct {
	m sync.Map // string → string
	// frozen and words memoise what analyze needs of a lower-cased word
	// (see lookup): frozen is a read-only map, replaced by a bigger one as
	// words accumulate in the concurrent map words. vocab, the scorer's
	// interned phrase words, is fixed before the first lookup.
	frozen atomic.Pointer[map[string]*wordInfo]
	words  sync.Map     // string → *wordInfo
	added  atomic.Int64 // words stored in words since the last freeze
	slow   atomic.Int64 // lookups answered by words since the last freeze
	mu     sync.Mutex   // held while frozen is rebuilt
	vocab  map[string]int32
}

func (c *stemCache) stem(lower string) string {
	if c == nil {
		return stemWord(lower)
	}
	if v, ok := c.m.Load(lower); ok {
		return v.(string)
	}
	s := stemWord(lower)
	c.m.Store(lower, s)
	return s
}

// wordInfo is what the analyser derives from a lower-cased word alone.
type wordInfo struct {
	stem string
	// sid and lid are the vocabulary ids of the stem and of the word
	// itself, or -1.
	sid, lid int32
	wf       wordFlag
}

// lookup returns the stem and vocabulary ids of a lower-cased word.
func (c *stemCache) lookup(lower string) *wordInfo {
	if c == nil {
		return &wordInfo{stem: stemWord(lower), sid: -1, lid: -1, wf: wordFlagsOf(lower)}
	}
	fm := c.frozen.Load()
	if fm != nil {
		if w, ok := (*fm)[lower]; ok {
			return w
		}
	}
	if v, ok := c.words.Load(lower); ok {
		// a word seen often but never frozen (few new words come along)
		if c.slow.Add(1) >= refreezeAfterHits {
			c.refreeze()
		}
		return v.(*wordInfo)
	}
	st := stemWord(lower)
	w := &wordInfo{stem: st, sid: c.id(st), lid: c.id(lower), wf: wordFlagsOf(lower)}
	c.words.Store(lower, w)
	frozen := 0
	if fm != nil {
		frozen = len(*fm)
	}
	if n := c.added.Add(1); n >= int64(256+frozen/2) {
		c.refreeze()
	}
	return w
}

// refreeze moves the words added since the last freeze into a new frozen
// map. An entry stored while it runs may be dropped: it is only a cache,
// and the word is derived again when next seen.
func (c *stemCache) refreeze() {
	if !c.mu.TryLock() {
		return
	}
	defer c.mu.Unlock()
	old := c.frozen.Load()
	n := int(c.added.Load())
	if old != nil {
		n += len(*old)
	}
	m := make(map[string]*wordInfo, n)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	c.words.Range(func(k, v any) bool {
		m[k.(string)] = v.(*wordInfo)
		return true
	})
	c.frozen.Store(&m)
	c.words.Clear()
	c.added.Store(0)
	c.slow.Store(0)
}

// refreezeAfterHits is how many lookups found in the concurrent map make
// lookup freeze it even though few words were added.
const refreezeAfterHits = 4096

// id returns the vocabulary id of w, or -1.
func (c *stemCache) id(w string) int32 {
	if c == nil {
		return -1
	}
	if id, ok := c.vocab[w]; ok {
		return id
	}
	return -1
}

// quantityKind classifies a quantity.
type quantityKind string

const (
	qtyPercent  quantityKind = "percent"
	qtyMoney    quantityKind = "money"
	qtyCount    quantityKind = "count"    // a number of users, customers, people, ...
	qtyDuration quantityKind = "duration" // "six weeks", "3 months"
	qtyNumber   quantityKind = "number"   // any other number
)

// quantity is a number found in the story.
type quantity struct {
	Kind       quantityKind
	Tok0, Tok1 int // token range
	Value      float64
}

// timeKind classifies a time mention.
type timeKind uint8

const (
	timeDate     timeKind = iota // an absolute or relative date, resolved in At
	timeEarly                    // an early-career marker ("as an intern")
	timeCurrent                  // a current-role marker ("in my current role")
	timeDuration                 // a span ("for three years"), not a date
)

// timeMention is a date or relative time found in the story.
type timeMention struct {
	Kind       timeKind
	Tok0, Tok1 int
	At         time.Time // resolved date (timeDate only)
}

var numberWords = map[string]float64{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"hundred": 100, "dozen": 12, "few": 3, "several": 4, "couple": 2, "half": 0.5,
}

var countNouns = map[string]bool{
	"user": true, "custom": true, "member": true, "peopl": true, "driver": true, "agent": true,
	"engin": true, "client": true, "merchant": true, "restaur": true, "patient": true, "seller": true,
	"account": true, "download": true, "instal": true, "district": true, "team": true, "employe": true,
	"subscrib": true, "claim": true, "ticket": true, "order": true, "transact": true, "session": true,
	"signup": true, "student": true, "learner": true, "parent": true, "teacher": true, "store": true,
	"shop": true, "partner": true, "compani": true, "busi": true, "countri": true, "market": true,
	"visitor": true, "booking": true, "request": true, "call": true, "lead": true,
	"develop": true, "design": true, "person": true, "mau": true, "dau": true, "seat": true,
	"licens": true, "applic": true, "candid": true, "devic": true, "squad": true, "return": true,
	"refer": true, "complaint": true, "review": true, "shopper": true, "resel": true, "restaurant": true,
	"household": true, "famili": true, "student's": true, "admin": true, "advertis": true,
	"usuario": true, "usuarios": true, "usuário": true, "usuários": true, "cliente": true,
	"productor": true, "produtor": true, "produtores": true, "productores": true,
}

// peopleNouns are the count nouns a number word ("three engineers") may
// count; digits may count any count noun.
var peopleNouns = map[string]bool{
	"user": true, "custom": true, "member": true, "peopl": true, "driver": true, "agent": true,
	"engin": true, "client": true, "merchant": true, "patient": true, "seller": true, "employe": true,
	"subscrib": true, "student": true, "learner": true, "parent": true, "teacher": true, "partner": true,
	"develop": true, "design": true, "person": true, "shopper": true, "resel": true, "candid": true,
	"admin": true, "compani": true, "busi": true, "team": true, "restaur": true,
}

var durationNouns = map[string]float64{
	"day": 1.0 / 365, "week": 7.0 / 365, "month": 1.0 / 12, "year": 1, "quarter": 0.25,
	"hour": 1.0 / 8760, "minut": 1.0 / 525600, "sprint": 14.0 / 365, "decad": 10,
}

var multiplierWords = map[string]float64{
	"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mm": 1e6, "b": 1e9, "billion": 1e9, "bn": 1e9,
	"mil": 1e3, "millones": 1e6, "milhões": 1e6, "milhoes": 1e6,
}

var monthNames = map[string]time.Month{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
	"oct": 10, "nov": 11, "dec": 12,
}

// seasonMonth maps a qualifier before a year to a month of that year.
var seasonMonth = map[string]time.Month{
	"early": 3, "spring": 4, "mid": 7, "middle": 7, "summer": 7, "late": 11, "end": 12,
	"fall": 10, "autumn": 10, "winter": 1, "beginning": 2, "start": 2,
	"q1": 2, "q2": 5, "q3": 8, "q4": 11, "h1": 4, "h2": 10,
}

// numberSuffixes are the multiplier suffixes of a number token.
var numberSuffixes = [...]struct {
	suf  string
	mult float64
}{{"k", 1e3}, {"m", 1e6}, {"b", 1e9}, {"bn", 1e9}, {"mm", 1e6}}

// hasUpper reports whether s has a byte that is not lower-case ASCII-safe:
// an upper-case ASCII letter or any non-ASCII byte.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

// numberAt parses the number or number word at token i and returns its
// value and the index after it (including a multiplier such as "k").
func numberAt(d *doc, i int) (float64, int, bool) {
	tk := d.Tokens[i]
	var v float64
	switch tk.Kind {
	case tokNumber:
		s := strings.ReplaceAll(tk.Lower, ",", "")
		mult := 1.0
		// "120M", "200k", "1.2M"; at most one suffix leaves a number, so
		// the order they are tried in does not matter.
		ls := s
		if hasUpper(s) {
			ls = strings.ToLower(s)
		}
		for _, sm := range numberSuffixes {
			if strings.HasSuffix(ls, sm.suf) {
				s2 := s[:len(s)-len(sm.suf)]
				if _, err := strconv.ParseFloat(s2, 64); err == nil {
					s, mult = s2, sm.mult
					break
				}
			}
		}
		// "6.000" (European thousands) parses as 6; good enough.
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			// "2nd", "3x", "24h": leading digits only
			j := 0
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			f, err = strconv.ParseFloat(strings.TrimSuffix(s[:j], "."), 64)
			if err != nil {
				return 0, i, false
			}
		}
		v = f * mult
	case tokWord:
		if tk.wf&wfNumberWord == 0 {
			return 0, i, false
		}
		f, ok := numberWords[tk.Lower]
		if !ok {
			return 0, i, false
		}
		v = f
	default:
		return 0, i, false
	}
	j := i + 1
	if j < len(d.Tokens) && d.Tokens[j].Sent == tk.Sent {
		if m, ok := multiplierWords[d.Tokens[j].Lower]; ok && tk.Kind == tokNumber {
			v *= m
			j++
		}
	}
	return v, j, true
}

// findQuantities finds percentages, money, counts of people or things and
// durations, outside duplicate sentences.
func findQuantities(d *doc) []quantity {
	out := d.Quantities[:0]
	toks := d.Tokens
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if d.Sentences[tk.Sent].Dup {
			continue
		}
		if tk.Kind != tokNumber && !(tk.Kind == tokWord && tk.wf&wfNumberWord != 0 && numberWords[tk.Lower] > 0 && tk.Lower != "a" && tk.Lower != "an" && tk.Lower != "half") {
			continue
		}
		v, j, ok := numberAt(d, i)
		if !ok {
			continue
		}
		if tk.Kind == tokNumber && len(tk.Lower) == 4 && v >= 1970 && v <= 2100 && (j >= len(toks) || toks[j].Lower != "%") {
			continue // a year, not a quantity
		}
		q := quantity{Kind: qtyNumber, Tok0: i, Tok1: j, Value: v}
		same := func(k int) bool { return k < len(toks) && toks[k].Sent == tk.Sent }
		prev := ""
		if i > 0 && toks[i-1].Sent == tk.Sent {
			prev = toks[i-1].Lower
		}
		switch {
		case same(j) && (toks[j].Lower == "%" || toks[j].Lower == "percent" || toks[j].Lower == "pp" ||
			toks[j].Lower == "per" && same(j+1) && toks[j+1].Lower == "cent"):
			q.Kind = qtyPercent
			q.Tok1 = j + 1
		case prev == "$" || prev == "£" || prev == "€" || prev == "¥" || prev == "₹" || prev == "r$" ||
			same(j) && (toks[j].Stem == "dollar" || toks[j].Lower == "usd" || toks[j].Lower == "eur" || toks[j].Stem == "euro" || toks[j].Stem == "pound"):
			q.Kind = qtyMoney
			if prev != "" && q.Tok0 > 0 {
				q.Tok0 = i - 1
			}
		default:
			// a unit noun within the next three words
			for k := j; k < j+3 && same(k); k++ {
				st := toks[k].Stem
				if toks[k].Kind == tokPunct {
					if toks[k].Lower == "," || toks[k].Lower == "." {
						break
					}
					continue
				}
				if strings.HasSuffix(toks[k].Lower, "ly") {
					continue // "monthly active users", "weekly"
				}
				if _, ok := durationNouns[st]; ok {
					q.Kind = qtyDuration
					q.Tok1 = k + 1
					break
				}
				if countNouns[st] && (tk.Kind == tokNumber || peopleNouns[st]) {
					q.Kind = qtyCount
					q.Tok1 = k + 1
					break
				}
			}
		}
		if tk.Kind == tokWord && q.Kind == qtyNumber {
			continue // a bare number word ("one of them") is not a quantity
		}
		if tk.Kind == tokNumber && q.Kind == qtyNumber && v >= 1900 && v <= 2100 && !strings.Contains(tk.Lower, ",") {
			continue // a year
		}
		out = append(out, q)
		i = q.Tok1 - 1
		if i < q.Tok0 {
			i = q.Tok0
		}
	}
	return out
}

// findTimes finds dates (absolute and relative, resolved against ref),
// early-career and current-role markers.
func findTimes(d *doc, ref time.Time) []timeMention {
	out := d.Times[:0]
	toks := d.Tokens
	lw := func(k int) string {
		if k < 0 || k >= len(toks) {
			return ""
		}
		return toks[k].Lower
	}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if d.Sentences[tk.Sent].Dup {
			continue
		}
		// Absolute year.
		if tk.Kind == tokNumber && len(tk.Lower) == 4 {
			y, err := strconv.Atoi(tk.Lower)
			if err == nil && y >= 1970 && y <= 2100 && lw(i+1) != "%" {
				m := time.Month(7)
				t0 := i
				if mm, ok := monthNames[lw(i-1)]; ok {
					m, t0 = mm, i-1
				} else if mm, ok := seasonMonth[lw(i-1)]; ok {
					m, t0 = mm, i-1
				} else if mm, ok := seasonMonth[lw(i-2)]; ok && (lw(i-1) == "of" || lw(i-1) == "in") {
					m, t0 = mm, i-2
				} else if mm, ok := seasonMonth[lw(i-3)]; ok && lw(i-2) == "of" {
					m, t0 = mm, i-3 // "end of the 2023"... rare
				}
				at := time.Date(y, m, 15, 0, 0, 0, 0, time.UTC)
				if !ref.IsZero() && at.After(ref) {
					if y > ref.Year() {
						continue // a future plan, not the story's time
					}
					at = ref
				}
				out = append(out, timeMention{Kind: timeDate, Tok0: t0, Tok1: i + 1, At: at})
				continue
			}
		}
		if tk.Kind == tokPunct || ref.IsZero() {
			continue
		}
		// "N units ago"
		if v, j, ok := numberAt(d, i); ok {
			k := j
			if lw(k) == "of" { // "a couple of years ago"
				k++
			}
			if lw(k) == "or" && lw(k+1) != "" { // "two or three years ago"
				if _, j2, ok2 := numberAt(d, k+1); ok2 {
					k = j2
				}
			}
			if k < len(toks) {
				if unit, ok := durationNouns[toks[k].Stem]; ok {
					if lw(k+1) == "ago" || lw(k+1) == "back" || lw(k+1) == "earlier" {
						if tk.Lower == "few" || lw(i-1) == "a" && tk.Lower == "few" {
							v = 3
						}
						out = append(out, timeMention{Kind: timeDate, Tok0: i, Tok1: k + 2, At: ref.Add(-yearsDur(v * unit))})
						i = k + 1
						continue
					}
					out = append(out, timeMention{Kind: timeDuration, Tok0: i, Tok1: k + 1})
					i = k
					continue
				}
			}
		}
		// "last year", "this year", "last quarter", "earlier this year"
		if tk.Lower == "last" || tk.Lower == "this" || tk.Lower == "past" || tk.Lower == "previous" {
			nx := toks[min(i+1, len(toks)-1)].Stem
			if i+1 < len(toks) && toks[i+1].Sent == tk.Sent {
				var ago float64 = -1
				switch nx {
				case "year":
					ago = 0.3
					if tk.Lower == "last" || tk.Lower == "previous" || tk.Lower == "past" {
						ago = 1
					}
				case "quarter", "month", "week", "sprint", "spring", "summer", "fall", "autumn", "winter":
					ago = 0.3
				}
				if ago >= 0 {
					out = append(out, timeMention{Kind: timeDate, Tok0: i, Tok1: i + 2, At: ref.Add(-yearsDur(ago))})
					i++
					continue
				}
			}
		}
		if tk.Lower == "recently" || tk.Lower == "currently" {
			out = append(out, timeMention{Kind: timeCurrent, Tok0: i, Tok1: i + 1})
		}
	}
	return out
}

// yearsDur converts fractional years to a duration.
func yearsDur(y float64) time.Duration {
	return time.Duration(y * 365.25 * 24 * float64(time.Hour))
}
