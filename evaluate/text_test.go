package evaluate

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var refDate = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// tokenAt returns the first token whose lower-cased text is w.
func tokenAt(t *testing.T, d *doc, w string) token {
	t.Helper()
	for _, tk := range d.Tokens {
		if tk.Lower == w {
			return tk
		}
	}
	t.Fatalf("no token %q", w)
	return token{}
}

func TestAnalyzeSentencesAndOffsets(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "I led the launch. It failed badly! What now?", []string{"I led the launch.", "It failed badly!", "What now?"}},
		{"casual lowercase", "ok so it failed. i learned a lot. e.g. this one", []string{"ok so it failed.", "i learned a lot.", "e.g. this one"}},
		{"quoted question runs on", `I built a "who else touches this?" checklist into every spec.`, []string{`I built a "who else touches this?" checklist into every spec.`}},
		{"paragraphs", "Situation: we had churn.\n\nResult: it fell.", []string{"Situation: we had churn.", "Result: it fell."}},
		{"curly quotes and unicode", "Das Café “opened” in 2024. Então falhou.", []string{"Das Café “opened” in 2024.", "Então falhou."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := analyze(tt.text, refDate, nil)
			var got []string
			for _, s := range d.Sentences {
				got = append(got, tt.text[s.Start:s.End])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got sentences %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAnalyzeNegationScope(t *testing.T) {
	tests := []struct {
		text    string
		word    string
		negated bool
	}{
		{"I never learned anything from it.", "learned", true},
		{"We didn't launch the feature.", "launch", true},
		{"We did not launch it, but we learned a lot.", "learned", false},
		{"I learned a lot.", "learned", false},
		{"Without talking to users we shipped it.", "talking", true},
		{"It was not a failure of the launch team in any way at all really, we shipped.", "shipped", false},
		{"No-shows fell to 13% within a month.", "fell", false},
		{"Not only did signups fall, churn rose.", "fall", false},
		{"It was not just a pricing problem.", "pricing", false},
		{"It was not a pricing problem.", "pricing", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := analyze(tt.text, refDate, nil)
			if got := tokenAt(t, d, tt.word).Negated; got != tt.negated {
				t.Errorf("%q negated: got %v, want %v", tt.word, got, tt.negated)
			}
		})
	}
}

func TestAnalyzeActors(t *testing.T) {
	tests := []struct {
		text string
		word string
		want actor
	}{
		{"I decided to ship it.", "decided", actorSelf},
		{"We decided to ship it.", "decided", actorWe},
		{"My manager decided to ship it.", "decided", actorOther},
		{"They decided to ship it.", "decided", actorOther},
		{"Our team decided to ship it.", "decided", actorWe},
		{"I worked with the engineers and decided to ship it.", "decided", actorSelf},
		{"I think my manager decided to ship it.", "decided", actorOther},
		{"Decided to ship it.", "decided", actorSelf},
		{"Shipped it to everyone in one go.", "shipped", actorSelf},
		{"Led the launch of the new plan.", "launch", actorSelf},
		{"Based on the data, my manager decided to ship it.", "decided", actorOther},
		{"Based on the data it shipped.", "shipped", actorNone},
		{"Launched in 2024, it never took off.", "launched", actorNone},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := analyze(tt.text, refDate, nil)
			if got := tokenAt(t, d, tt.word).Subject; got != tt.want {
				t.Errorf("subject of %q: got %d, want %d", tt.word, got, tt.want)
			}
		})
	}
}

func TestAnalyzeQuantities(t *testing.T) {
	tests := []struct {
		text string
		want []quantityKind
	}{
		{"Churn was 18% and fell to 14.6 percent.", []quantityKind{qtyPercent, qtyPercent}},
		{"It cost $200k a month, about €3 million a year.", []quantityKind{qtyMoney, qtyMoney}},
		{"We had 1.2M monthly active users and 6 engineers.", []quantityKind{qtyCount, qtyCount}},
		{"It took six weeks and three engineers.", []quantityKind{qtyDuration, qtyCount}},
		{"In 2024 I led it.", nil},
		{"One of them left.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := analyze(tt.text, refDate, nil)
			var got []quantityKind
			for _, q := range d.Quantities {
				got = append(got, q.Kind)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("quantity %d: got %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestAnalyzeDates(t *testing.T) {
	tests := []struct {
		text    string
		wantAge float64 // years before refDate of the first date; -1 for none
	}{
		{"In 2019 I launched it.", 7.2},
		{"Back in late 2023 I launched it.", 2.9},
		{"We relaunched in Q4 2025.", 0.9},
		{"In June 2026 we launched.", 0.3},
		{"About seven years ago I launched it.", 7},
		{"Three months ago I launched it.", 0.25},
		{"Last year I launched it.", 1},
		{"A couple of years ago I launched it.", 2},
		{"I have been here for three years.", -1},
		{"By 2030 we want 50% share.", -1},
		{"It grew 2024% (a typo).", -1},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := analyze(tt.text, refDate, nil)
			m, ok := storyDate(d)
			if tt.wantAge < 0 {
				if ok {
					t.Errorf("got date %v, want none", m.At)
				}
				return
			}
			if !ok {
				t.Fatalf("got no date, want age %.1f", tt.wantAge)
			}
			age := refDate.Sub(m.At).Hours() / 24 / 365.25
			if age < tt.wantAge-0.15 || age > tt.wantAge+0.15 {
				t.Errorf("got age %.2f years, want %.1f", age, tt.wantAge)
			}
		})
	}
}

func TestAnalyzeHeadingsAndDuplicates(t *testing.T) {
	text := "Situation: we had churn. Month-2 churn was 18%.\n\nWhat I learned: test first.\n\nWhat I learned: test first."
	d := analyze(text, refDate, nil)
	var heads []string
	var dups []bool
	for _, s := range d.Sentences {
		heads = append(heads, s.Heading)
		dups = append(dups, s.Dup)
	}
	wantHeads := []string{"situation", "", "what i learned", "what i learned"}
	if strings.Join(heads, "|") != strings.Join(wantHeads, "|") {
		t.Errorf("got headings %q, want %q", heads, wantHeads)
	}
	if !dups[3] || dups[2] {
		t.Errorf("got duplicates %v, want only the last sentence", dups)
	}
}

func TestPhraseMatchingIsStemAwareAndCaseInsensitive(t *testing.T) {
	pm := newPhraseMatcher([]string{"miss deadline", "rolled back", "ship * feature"}, 1, nil)
	tests := []struct {
		text string
		want int
	}{
		{"We MISSED the deadline.", 1},
		{"We missed deadlines twice.", 1},
		{"We rolled it back.", 1},
		{"We are rolling back.", 1},
		{"We shipped the feature.", 1},
		{"We missed. The deadline was fine.", 0},
		{"Nothing here.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := len(pm.find(analyze(tt.text, refDate, nil), refDate)); got != tt.want {
				t.Errorf("got %d matches, want %d", got, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblemWithPaths(t *testing.T) {
	lv := func() []Level {
		var l []Level
		for range 5 {
			l = append(l, Level{Descriptor: "d", Feedback: "f"})
		}
		return l
	}
	r := &Rubric{
		ID:    "x",
		Bands: []Band{{Name: "Low", Min: 0}, {Name: "High", Min: 120}},
		Criteria: []Criterion{
			{ID: "a", Name: "A", Weight: 1, Levels: lv(), Thresholds: []float64{1, 2, 3, 4},
				Signals: []Signal{{ID: "s", Kind: "phrase", Weight: 1, Phrases: []string{"ok"}}}},
			{ID: "b", Name: "B", Weight: 0, Levels: lv()[:4], Thresholds: []float64{1, 3, 2, 4},
				Signals: []Signal{
					{ID: "r", Kind: "regex", Pattern: "(", Weight: 1},
					{ID: "k", Kind: "nope", Weight: 1},
					{ID: "n", Kind: "phrase", Phrases: []string{"x"}, Negation: "maybe", Actor: "boss", Unless: []string{"zz"}},
				}},
		},
		Examples: []Example{{Name: "e", Story: "s", Expect: map[string]int{"c": 2, "a": 7}}},
	}
	err := r.Validate()
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want ValidationErrors", err)
	}
	want := []string{
		"bands[1].min",
		"criteria[1].weight",
		"criteria[1].levels",
		"criteria[1].thresholds[2]",
		"criteria[1].signals[0].pattern",
		"criteria[1].signals[1].kind",
		"criteria[1].signals[2].unless[0]",
		"criteria[1].signals[2].negation",
		"criteria[1].signals[2].actor",
		"examples[0].expect.a",
		"examples[0].expect.c",
	}
	var got []string
	for _, fe := range ve {
		got = append(got, fe.Path)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got paths\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "bands[1].min" {
		t.Errorf("errors.As(*FieldError): got %v", fe)
	}
	if _, err := New(r); err == nil {
		t.Errorf("New accepted an invalid rubric")
	}
}

// FuzzAnalyze checks that the analyser never panics, keeps offsets inside
// the text on rune boundaries, and is deterministic.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"", " ", "I led the launch. It failed.", "ok so it failed. i learned", "Situation: x\n\nResult - y",
		"In Q4 2025 we had 1.2M users, $200k/month, 18% churn, three months ago.", "didn't, never, no.",
		"“Quoted?” she said. 2019! 2024% 1e9 ½ ٣ 中文句子。另一个句子。", "\x00\xff\xfe", strings.Repeat("a ", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d := analyze(text, refDate, nil)
		prevEnd := 0
		for i, s := range d.Sentences {
			if s.Start < prevEnd || s.Start >= s.End || s.End > len(text) {
				t.Fatalf("sentence %d has bad offsets [%d,%d) after %d in %d bytes", i, s.Start, s.End, prevEnd, len(text))
			}
			if utf8.ValidString(text) && (!utf8.RuneStart(text[s.Start]) || (s.End < len(text) && !utf8.RuneStart(text[s.End]))) {
				t.Fatalf("sentence %d [%d,%d) splits a rune", i, s.Start, s.End)
			}
			prevEnd = s.End
			for k := s.T0; k < s.T1; k++ {
				tk := d.Tokens[k]
				if tk.Start < s.Start || tk.End > s.End || tk.Start >= tk.End {
					t.Fatalf("token %d [%d,%d) outside sentence %d [%d,%d)", k, tk.Start, tk.End, i, s.Start, s.End)
				}
			}
		}
		for _, q := range d.Quantities {
			if q.Tok0 < 0 || q.Tok1 > len(d.Tokens) || q.Tok0 >= q.Tok1 {
				t.Fatalf("quantity has bad token range [%d,%d)", q.Tok0, q.Tok1)
			}
		}
		for _, m := range d.Times {
			if m.Tok0 < 0 || m.Tok1 > len(d.Tokens) || m.Tok0 >= m.Tok1 {
				t.Fatalf("time mention has bad token range [%d,%d)", m.Tok0, m.Tok1)
			}
		}
		d2 := analyze(text, refDate, nil)
		if len(d2.Tokens) != len(d.Tokens) || len(d2.Sentences) != len(d.Sentences) || d2.Words != d.Words {
			t.Fatalf("analysis is not deterministic")
		}
	})
}

func TestFirstBytesPrefilter(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`\[(?:[A-Z][a-z]+|X+)\]|\{\{x\}\}|\bXYZ\b`, "X[{"},
		{`(?i)abc`, "Aa"},
		{`, not \w+`, ","},
		{`\w+ failed`, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"},
		{`.*`, ""},
	}
	for _, tt := range tests {
		if got := firstBytes(tt.pattern); got != tt.want {
			t.Errorf("firstBytes(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}
