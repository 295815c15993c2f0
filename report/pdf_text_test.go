package report

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/failwell/failwell/evaluate"
)

func testShaper(t testing.TB) *shaper {
	t.Helper()
	fs, err := sharedFonts()
	if err != nil {
		t.Fatal(err)
	}
	return &shaper{fs: fs}
}

// lineTexts returns the text of each line (trailing spaces dropped).
func lineTexts(p *textPara, lines []textLine) []string {
	var out []string
	for _, ln := range lines {
		var b strings.Builder
		for _, c := range p.cells[ln.from:ln.to] {
			if !c.nl {
				b.WriteRune(c.r)
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}

func TestWrapLines(t *testing.T) {
	sh := testShaper(t)
	w := func(s string) float64 { return sh.shape(plainSpans(s, pdfColText, false), 10).width() }
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"fits", "hello world", 100, []string{"hello world"}},
		{"breaks at the space", "hello world", w("hello wor"), []string{"hello", "world"}},
		{"many spaces are not carried", "hello    world", w("hello wor"), []string{"hello", "world"}},
		{"cuts a word wider than the line", "abcdefghij", w("abcde") + 0.01, []string{"abcde", "fghij"}},
		{"breaks after a hyphen", "cut-over plan", w("cut-ov"), []string{"cut-", "over", "plan"}},
		{"hard line break", "one\ntwo", 100, []string{"one", "two"}},
		{"trailing newline gives an empty line", "one\n", 100, []string{"one", ""}},
		{"ideographs break anywhere", "我负责的项目失败了", w("我负责") + 0.01, []string{"我负责", "的项目", "失败了"}},
		{"empty", "", 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sh.shape(plainSpans(tt.text, pdfColText, false), 10)
			lines := wrapLines(p, tt.width)
			if got := lineTexts(p, lines); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, ln := range lines {
				if ln.w > tt.width+1e-9 && ln.to-ln.from > 1 {
					t.Errorf("line %d..%d is %.2f mm wide, want <= %.2f", ln.from, ln.to, ln.w, tt.width)
				}
			}
		})
	}
}

func TestShapeRoutesCharactersToFonts(t *testing.T) {
	sh := testShaper(t)
	tests := []struct {
		name  string
		text  string
		bold  bool
		faces []face
		runes string // runes drawn
	}{
		{"Latin", "Aé", false, []face{faceSans, faceSans}, "Aé"},
		{"Vietnamese bold", "ễ", true, []face{faceBold}, "ễ"},
		{"decomposed Vietnamese is composed (NFC)", "e\u0302\u0303", false, []face{faceSans}, "ễ"},
		{"CJK goes to Droid", "陈", true, []face{faceCJK}, "陈"},
		{"Hangul goes to Nanum", "김민준", true, []face{faceKR, faceKR, faceKR}, "김민준"},
		{"Hangul compatibility jamo is covered (Droid)", "ㅋ", false, []face{faceCJK}, "ㅋ"},
		{"Thai goes to Noto Sans Thai", "สมชาย", false, []face{faceThai, faceThai, faceThai, faceThai, faceThai}, "สมชาย"},
		{"Devanagari goes to Noto Sans Devanagari", "राज", true, []face{faceDeva, faceDeva, faceDeva}, "राज"},
		{"emoji becomes a visible placeholder", "😀", false, []face{faceSans}, "□"},
		{"controls and joiners are dropped", "a\x00\u200d\u202eb\ufe0f", false, []face{faceSans, faceSans}, "ab"},
		{"tab is a space", "a\tb", false, []face{faceSans, faceSans, faceSans}, "a b"},
		{"invalid UTF-8 is a placeholder", "a\xffb", false, []face{faceSans, faceSans, faceSans}, "a□b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sh.shape(plainSpans(tt.text, pdfColText, tt.bold), 10)
			var faces []face
			var runes []rune
			for _, c := range p.cells {
				faces = append(faces, c.f)
				runes = append(runes, c.r)
				if c.r == missingRune && !c.miss {
					t.Errorf("placeholder not marked as missing")
				}
			}
			if !slices.Equal(faces, tt.faces) || string(runes) != tt.runes {
				t.Errorf("got faces %v runes %q, want %v %q", faces, string(runes), tt.faces, tt.runes)
			}
		})
	}
}

func TestVisualOrderReversesRightToLeftRuns(t *testing.T) {
	sh := testShaper(t)
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"שלום", "םולש"},
		{"Sarah שרה כהן!", "Sarah ןהכ הרש!"},
		{"a سارة b", "a \uFE93\uFEAD\uFE8E\uFEB3 b"}, // joined, then reversed
		{"प्रिया", "प्िरया"},                         // sign I before its consonant
		{"फ़िर", "िफ़र"},                             // ... with the consonant's nukta
		{"ि", "ि"},                                   // alone: stays
		{"अि", "अि"},                                 // after a vowel: stays
	}
	for _, tt := range tests {
		p := sh.shape(plainSpans(tt.in, pdfColText, false), 10)
		var got []rune
		for _, c := range visualOrder(p.cells) {
			got = append(got, c.r)
		}
		if string(got) != tt.want {
			t.Errorf("visualOrder(%q) = %q, want %q", tt.in, string(got), tt.want)
		}
		// drawCells reorders only paras marked for it.
		if tt.in != tt.want && !p.reorder {
			t.Errorf("shape(%q).reorder = false, but visualOrder changes it", tt.in)
		}
	}
	for _, in := range []string{"abc", "Zoë Wójcik", "陈静", "김민준", "Ελένη"} {
		if p := sh.shape(plainSpans(in, pdfColText, false), 10); p.reorder {
			t.Errorf("shape(%q).reorder = true, want false", in)
		}
	}
}

func TestGroupEvidence(t *testing.T) {
	ev := []evaluate.Evidence{
		{Quote: "A.", Start: 0, End: 2, Effect: 1, Note: "x"},
		{Quote: "B.", Start: 3, End: 5, Effect: 1, Note: "y"},
		{Quote: "A.", Start: 0, End: 2, Effect: 0.5, Note: "z"},
		{Quote: "A.", Start: 0, End: 2, Effect: 1, Note: "x"},
		{Quote: "A.", Start: 0, End: 2, Effect: -1, Note: "w"},
		{Quote: "no offsets", Effect: 1},
		{Quote: "no offsets", Effect: 1, Note: "v"},
	}
	got := groupEvidence(ev)
	want := []evidenceGroup{
		{quote: "A.", notes: []string{"x", "z"}, effect: 2.5},
		{quote: "B.", notes: []string{"y"}, effect: 1},
		{quote: "A.", notes: []string{"w"}, effect: -1},
		{quote: "no offsets", notes: []string{"v"}, effect: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d groups %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].quote != want[i].quote || !slices.Equal(got[i].notes, want[i].notes) || got[i].effect != want[i].effect {
			t.Errorf("group %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCapStory(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		wantCut bool
		words   int
	}{
		{"short", "a b c", false, 3},
		{"exactly the cap", strings.Repeat("w ", storyMaxWords), false, storyMaxWords},
		{"over the cap", strings.Repeat("w ", storyMaxWords+1), true, storyMaxWords},
		{"no spaces (CJK)", strings.Repeat("字", storyMaxRunes+10), true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := capStory(tt.text)
			if cut != tt.wantCut || len(strings.Fields(got)) != tt.words {
				t.Errorf("got cut=%v and %d words, want cut=%v and %d words", cut, len(strings.Fields(got)), tt.wantCut, tt.words)
			}
		})
	}
}

// FuzzShapeWrap checks that any text shapes and wraps without panicking,
// that lines partition the cells in order, and that only single cells
// overflow a line.
func FuzzShapeWrap(f *testing.F) {
	for _, s := range []string{"", "hello world", "Nguyễn 陈静 שרה 😀\x00\n\n\t", "a-b/c–d", strings.Repeat("x", 300), "\xff\xfe", "\u202e\u200d",
		"سلام لا بَب", "प्रिया फ़िर", "ที่ผ่านมา", "김민준"} {
		f.Add(s, 40.0)
	}
	sh := testShaper(f)
	f.Fuzz(func(t *testing.T, s string, width float64) {
		if width < 1 || width > 1000 {
			width = 40
		}
		p := sh.shape([]textSpan{{text: s, st: textStyle{color: pdfColText}}, {text: s, st: textStyle{bold: true}}}, 10)
		lines := wrapLines(p, width)
		next := 0
		for _, ln := range lines {
			if ln.from < next || ln.to < ln.from || ln.to > len(p.cells) {
				t.Fatalf("line %d..%d out of order (next %d, %d cells)", ln.from, ln.to, next, len(p.cells))
			}
			for _, c := range p.cells[next:ln.from] { // skipped cells are spaces or breaks
				if !c.space && !c.nl {
					t.Fatalf("cell %q skipped between lines", c.r)
				}
			}
			if ln.w > width+1e-9 && ln.to-ln.from > 1 {
				nonSpace := 0
				for _, c := range p.cells[ln.from:ln.to] {
					if !c.space {
						nonSpace++
					}
				}
				if nonSpace > 1 {
					t.Fatalf("line %.2f mm wide exceeds %.2f", ln.w, width)
				}
			}
			next = ln.to
		}
		for _, c := range p.cells[next:] {
			if !c.space && !c.nl {
				t.Fatalf("cell %q after the last line", c.r)
			}
		}
		visualOrder(p.cells)
	})
}

func TestFlagLabel(t *testing.T) {
	tests := []struct{ code, want string }{
		{"too-short", "Too short"},
		{"near-duplicate", "Near-duplicate of another story"},
		{"some-new-flag", "Some new flag"},
		{"émoji-x", "Émoji x"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := flagLabel(tt.code); got != tt.want {
			t.Errorf("flagLabel(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestShapeArabicJoinsLetters(t *testing.T) {
	all := func(rune) bool { return true }
	tests := []struct{ name, in, want string }{
		{"initial, final, then letters that do not join forward", "سارة", "\uFEB3\uFE8E\uFEAD\uFE93"},
		{"initial, medial, medial, final", "محمد", "\uFEE3\uFEA4\uFEE4\uFEAA"},
		{"lam-alef ligature, isolated", "لا", "\uFEFB"},
		{"lam-alef ligature, final", "سلام", "\uFEB3\uFEFC\uFEE1"},
		{"Persian letters", "پری", "\uFB58\uFEAE\uFBFC"},
		{"marks are transparent", "بَب", "\uFE91\u064E\uFE90"},
		{"a space breaks joining", "ب ب", "\uFE8F \uFE8F"},
		{"other text is unchanged", "Youssef 12 שרה", "Youssef 12 שרה"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shapeArabic(tt.in, all); got != tt.want {
				t.Errorf("shapeArabic(%q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
	none := func(rune) bool { return false }
	if got := shapeArabic("محمد", none); got != "محمد" {
		t.Errorf("without the forms' glyphs: got %+q, want the letters unchanged", got)
	}
}

func TestKeepTitle(t *testing.T) {
	tests := []struct {
		levels []int
		want   string
	}{
		{[]int{4, 3, 2}, "Keep doing"},
		{[]int{0, 2}, "Keep doing"},
		{[]int{1, 1, 0}, "Strongest so far"},
		{[]int{0, 0}, "Strongest so far"},
		{nil, "Strongest so far"},
	}
	for _, tt := range tests {
		var scores []evaluate.Score
		for _, l := range tt.levels {
			scores = append(scores, evaluate.Score{Level: l})
		}
		if got := keepTitle(scores); got != tt.want {
			t.Errorf("keepTitle(%v) = %q, want %q", tt.levels, got, tt.want)
		}
	}
}

func TestBelow0300(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"empty", "", true},
		{"ASCII", "Hello, world!", true},
		{"Polish", "Małgorzata Wójcik żółć", true},
		{"last two-byte character below U+0300", "\u02FF", true},
		{"combining grave", "e\u0300", false},
		{"Greek", "Ελένη", false},
		{"CJK", "陈静", false},
		{"truncated sequence", "a\xC3", false},
		{"stray continuation byte", "a\x80b", false},
		{"overlong encoding", "\xC0\xAF", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := below0300(tt.s); got != tt.want {
				t.Errorf("below0300(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

// TestTextBelow0300IsNFC backs shape's shortcut: no character below U+0300,
// alone or after another, changes under NFC.
func TestTextBelow0300IsNFC(t *testing.T) {
	for a := rune(0); a < 0x300; a++ {
		for b := rune(0); b < 0x300; b++ {
			if s := string([]rune{a, b}); !norm.NFC.IsNormalString(s) {
				t.Fatalf("%q (U+%04X U+%04X) is not in NFC", s, a, b)
			}
		}
	}
}

// TestDejaVuHasPrintableASCII backs shape's shortcut for printable ASCII:
// both DejaVu faces have every such character, so route would pick them.
func TestDejaVuHasPrintableASCII(t *testing.T) {
	sh := testShaper(t)
	for r := rune('!'); r < 0x7F; r++ {
		for _, bold := range []bool{false, true} {
			want := faceSans
			if bold {
				want = faceBold
			}
			if got, ok := sh.route(r, bold); !ok || got != want {
				t.Errorf("route(%q, bold=%v) = %v, %v; want %v, true", r, bold, got, ok, want)
			}
		}
	}
}
