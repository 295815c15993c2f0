package report

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text in a PDF is set in runs: fpdf has no font fallback, so every string is
// cut into runs by which embedded font has each character, and paragraphs
// are broken into lines here, over those runs.
//
// Characters that no embedded font covers (emoji, scripts outside DejaVu Sans
// and Droid Sans Fallback, characters outside the BMP, invalid UTF-8) are
// drawn as a "□" (U+25A1, from DejaVu Sans) in [missingColor], so the reader
// sees that something was there; they never fail the document. Control and
// format characters (NUL, zero-width joiners, bidi controls, variation
// selectors) are dropped. Text is NFC-normalised first, so decomposed
// Vietnamese ("e" + combining marks) uses DejaVu's precomposed glyphs.

// missingRune stands in for a character no embedded font has.
const missingRune = '□'

// pdfRGB is a colour.
type pdfRGB struct{ r, g, b uint8 }

// missingColor is the colour of [missingRune] placeholders.
var missingColor = pdfRGB{0xC0, 0x39, 0x2B}

// textStyle is how a span of text is drawn.
type textStyle struct {
	bold  bool
	color pdfRGB
	bg    pdfRGB // highlight colour, when hasBg
	hasBg bool   // draw a highlight behind the text
	ul    pdfRGB // underline colour, when hasUL
	hasUL bool   // draw a coloured underline
}

// span is a piece of text in one style; a paragraph is a list of spans.
type textSpan struct {
	text string
	st   textStyle
}

// glyphCell is one character of shaped text.
type glyphCell struct {
	r     rune
	f     face
	st    uint16 // index into para.styles
	miss  bool   // r is missingRune standing for an uncovered character
	w     float64
	space bool // a breakable space
	nl    bool // a hard line break
}

// para is shaped text at one size.
type textPara struct {
	cells  []glyphCell
	styles []textStyle
	size   float64      // points
	inl    [2]textStyle // backs styles when there are at most two
	// reorder is set when some cell is right-to-left or a pre-base vowel
	// sign, which [visualOrder] moves; without any, lines draw as they are.
	reorder bool
}

// textLine is cells[from:to] of a para, w wide (trailing spaces excluded).
type textLine struct {
	from, to int
	w        float64
}

// shaper routes characters to fonts.
type shaper struct {
	fs *fontSet
	// arena holds the cells of every para shaped so far: each para's cells
	// are a capped slice of it, so a document's text costs a few
	// allocations (none once a pooled arena is big enough; see PDF), not
	// one growing slice per para.
	arena []glyphCell
}

// cleanRune reports what to do with r: drop it, turn it into a space or a line
// break, or keep it.
func cleanRune(r rune) (out rune, keep bool) {
	if r >= 0x20 && r < 0x7F {
		return r, true
	}
	switch {
	case r == '\n':
		return '\n', true
	case r == '\t':
		return ' ', true
	case r == utf8.RuneError:
		return utf8.RuneError, true
	case r < 0x20, r >= 0x7F && r < 0xA0: // C0/C1 controls, NUL
		return 0, false
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return 0, false
	case unicode.Is(unicode.Cf, r): // ZWJ, bidi controls, soft hyphen, BOM
		return 0, false
	case r != 0xA0 && unicode.IsSpace(r):
		return ' ', true
	}
	return r, true
}

// route picks the face for r, or reports that none has it.
func (s *shaper) route(r rune, bold bool) (face, bool) {
	if bold && s.fs.has(faceBold, r) {
		return faceBold, true
	}
	if s.fs.has(faceSans, r) {
		return faceSans, true
	}
	for _, f := range fallbackFaces {
		if s.fs.has(f, r) {
			return f, true
		}
	}
	return faceSans, false
}

// shape turns spans into cells at size pt.
func (s *shaper) shape(spans []textSpan, size float64) *textPara {
	p := &textPara{size: size}
	p.styles = p.inl[:0]
	start := len(s.arena)
	for _, sp := range spans {
		idx := -1
		for i, st := range p.styles {
			if st == sp.st {
				idx = i
			}
		}
		if idx < 0 {
			idx = len(p.styles)
			p.styles = append(p.styles, sp.st)
		}
		text := sp.text
		// Text below U+0300 (Latin, with Polish and the like) is in NFC
		// and has no Arabic: most text skips both passes.
		if !below0300(text) {
			if !norm.NFC.IsNormalString(text) {
				text = norm.NFC.String(text)
			}
			if hasArabic(text) {
				text = shapeArabic(text, func(r rune) bool { return s.fs.has(faceSans, r) })
			}
		}
		asciiFace := faceSans // the face of printable ASCII, which both DejaVu faces have
		if sp.st.bold {
			asciiFace = faceBold
		}
		for _, r := range text {
			if r > ' ' && r < 0x7F { // what route and cleanRune would find, faster
				s.arena = append(s.arena, glyphCell{r: r, f: asciiFace, st: uint16(idx), w: s.fs.width(asciiFace, r, size)})
				continue
			}
			r, ok := cleanRune(r)
			if !ok {
				continue
			}
			c := glyphCell{r: r, st: uint16(idx)}
			switch r {
			case '\n':
				c.nl = true
			case ' ':
				c.space = true
				c.f = faceSans
				if sp.st.bold {
					c.f = faceBold
				}
			default:
				f, ok := s.route(r, sp.st.bold)
				if !ok || r == utf8.RuneError {
					f, c.r, c.miss = faceSans, missingRune, true
				}
				c.f = f
			}
			if !c.nl {
				c.w = s.fs.width(c.f, c.r, size)
			}
			if c.r >= 0x0590 && (isRTL(c.r) || c.r == devaSignI) {
				p.reorder = true
			}
			s.arena = append(s.arena, c)
		}
	}
	end := len(s.arena)
	p.cells = s.arena[start:end:end]
	return p
}

// below0300 reports whether every character of s is below U+0300, where
// no character changes under NFC and none combines with its neighbour.
func below0300(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			continue
		}
		// Two-byte sequences C2..CB xx encode U+0080..U+02FF.
		if c < 0xC2 || c > 0xCB || i+1 >= len(s) || s[i+1]&0xC0 != 0x80 {
			return false
		}
		i++
	}
	return true
}

// breaksBefore reports whether a line may break before c (ideographic text
// breaks between any two characters).
func breaksBefore(c glyphCell) bool {
	return c.f == faceCJK || c.f == faceKR || c.r >= 0x2E80 && c.r <= 0x9FFF || c.r >= 0xAC00 && c.r <= 0xD7AF || c.r >= 0xF900 && c.r <= 0xFAFF
}

// wrapLines breaks p into lines at most width wide: at spaces, after hyphens and
// slashes, between ideographs, and inside a word only when the word alone is
// wider than a line.
func wrapLines(p *textPara, width float64) []textLine {
	var lines []textLine
	cs := p.cells
	start := 0
	for start < len(cs) {
		w := 0.0
		brkEnd, brkNext := -1, -1
		i := start
		prevBB := false // breaksBefore(cs[i-1])
		for ; i < len(cs); i++ {
			c := cs[i]
			if c.nl {
				break
			}
			bb := breaksBefore(c)
			if c.space {
				brkEnd, brkNext = i, i+1
			} else if i > start && (bb || prevBB) && !cs[i-1].space {
				brkEnd, brkNext = i, i
			}
			prevBB = bb
			if !c.space && w+c.w > width && i > start {
				break
			}
			w += c.w
			if !c.space && (c.r == '-' || c.r == '/' || c.r == '–' || c.r == '—') {
				brkEnd, brkNext = i+1, i+1
			}
		}
		switch {
		case i >= len(cs):
			lines = append(lines, mkLine(cs, start, len(cs)))
			start = len(cs)
		case cs[i].nl:
			lines = append(lines, mkLine(cs, start, i))
			start = i + 1
			if start == len(cs) { // a trailing newline ends with an empty line
				lines = append(lines, textLine{from: start, to: start})
			}
			continue
		case brkEnd > start:
			lines = append(lines, mkLine(cs, start, brkEnd))
			start = brkNext
		default: // one word wider than the line: cut it
			lines = append(lines, mkLine(cs, start, i))
			start = i
		}
		for start < len(cs) && cs[start].space { // no leading spaces after a soft break
			start++
		}
	}
	return lines
}

func mkLine(cs []glyphCell, from, to int) textLine {
	end := to
	for end > from && cs[end-1].space {
		end--
	}
	w := 0.0
	for _, c := range cs[from:end] {
		w += c.w
	}
	return textLine{from: from, to: to, w: w}
}

// ellipsize returns the cells of p that fit in width on one line, ending in
// "…" when something was cut.
func (s *shaper) ellipsize(p *textPara, width float64) *textPara {
	total := 0.0
	for _, c := range p.cells {
		total += c.w
	}
	if total <= width {
		return p
	}
	ell := s.fs.width(faceSans, '…', p.size)
	out := &textPara{styles: p.styles, size: p.size, reorder: p.reorder}
	w := 0.0
	for _, c := range p.cells {
		if c.nl || w+c.w+ell > width {
			break
		}
		out.cells = append(out.cells, c)
		w += c.w
	}
	for len(out.cells) > 0 && out.cells[len(out.cells)-1].space {
		out.cells = out.cells[:len(out.cells)-1]
	}
	st := uint16(0)
	if n := len(out.cells); n > 0 {
		st = out.cells[n-1].st
	}
	out.cells = append(out.cells, glyphCell{r: '…', f: faceSans, st: st, w: ell})
	return out
}

// width returns the width of p's cells on one line.
func (p *textPara) width() float64 {
	w := 0.0
	for _, c := range p.cells {
		w += c.w
	}
	return w
}

// cutRunes cuts s to at most n runes, appending "…" when it cut.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// isRTL reports whether r belongs to a right-to-left script (Hebrew, Arabic,
// Syriac, Thaana and their presentation forms).
func isRTL(r rune) bool {
	return r >= 0x0590 && r <= 0x08FF || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF
}

// visualOrder is a minimal bidi pass for one line: each run of right-to-left
// characters (with the spaces and punctuation between them) is reversed, so
// a Hebrew or Arabic name reads right to left inside left-to-right text.
// Arabic letters have already been joined by [shapeArabic].
//
// Devanagari is not shaped either (no conjuncts: a virama shows as such), but
// the vowel sign I (ि), which is written after its consonant and drawn
// before it, is moved in front of the consonant.
func visualOrder(cs []glyphCell) []glyphCell {
	cs = reorderPreBase(cs)
	first := -1
	for i, c := range cs {
		if isRTL(c.r) {
			first = i
			break
		}
	}
	if first < 0 {
		return cs
	}
	out := slices.Clone(cs)
	for i := first; i < len(out); {
		if !isRTL(out[i].r) {
			i++
			continue
		}
		j, last := i, i
		for j < len(out) && (isRTL(out[j].r) || out[j].space || unicode.IsPunct(out[j].r) && !out[j].nl) {
			if isRTL(out[j].r) {
				last = j
			}
			j++
		}
		slices.Reverse(out[i : last+1])
		i = last + 1
	}
	return out
}

// devaSignI is DEVANAGARI VOWEL SIGN I, the one pre-base matra.
const devaSignI = 0x093F

// isDevaConsonant reports whether r is a Devanagari consonant.
func isDevaConsonant(r rune) bool {
	return r >= 0x0915 && r <= 0x0939 || r >= 0x0958 && r <= 0x095F || r >= 0x0978 && r <= 0x097F
}

// reorderPreBase moves each Devanagari vowel sign I in front of the
// consonant (with its nukta) it follows, returning cs itself when there is
// none.
func reorderPreBase(cs []glyphCell) []glyphCell {
	if !slices.ContainsFunc(cs, func(c glyphCell) bool { return c.r == devaSignI }) {
		return cs
	}
	out := slices.Clone(cs)
	for i := 1; i < len(out); i++ {
		if out[i].r != devaSignI {
			continue
		}
		j := i - 1
		if out[j].r == 0x093C && j > 0 { // nukta
			j--
		}
		if isDevaConsonant(out[j].r) {
			m := out[i]
			copy(out[j+1:i+1], out[j:i])
			out[j] = m
		}
	}
	return out
}
