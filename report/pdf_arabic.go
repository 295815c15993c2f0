package report

import "unicode/utf8"

// Arabic letters change shape with their neighbours. There is no shaping
// engine here, so Arabic text is drawn with the presentation forms DejaVu
// Sans has (Unicode's Arabic Presentation Forms-A and -B): each letter is
// replaced by its isolated, final, initial or medial form, and lam + alef by
// their ligature. That joins Arabic and Persian names and text correctly for
// the common letters; marks (harakat) are kept but not positioned.

// arabicForms are the presentation forms of a letter: isolated, final,
// initial, medial. A right-joining letter (it joins only the letter before
// it) has no initial or medial form (zero).
type arabicForms [4]rune

// arabicLetters maps each Arabic letter that changes shape to its forms.
var arabicLetters = func() map[rune]arabicForms {
	m := map[rune]arabicForms{
		0x0621: {0xFE80, 0, 0, 0}, // hamza: joins nothing
		0x0622: {0xFE81, 0xFE82, 0, 0},
		0x0623: {0xFE83, 0xFE84, 0, 0},
		0x0624: {0xFE85, 0xFE86, 0, 0},
		0x0625: {0xFE87, 0xFE88, 0, 0},
		0x0627: {0xFE8D, 0xFE8E, 0, 0},
		0x0629: {0xFE93, 0xFE94, 0, 0},
		0x062F: {0xFEA9, 0xFEAA, 0, 0},
		0x0630: {0xFEAB, 0xFEAC, 0, 0},
		0x0631: {0xFEAD, 0xFEAE, 0, 0},
		0x0632: {0xFEAF, 0xFEB0, 0, 0},
		0x0648: {0xFEED, 0xFEEE, 0, 0},
		0x0649: {0xFEEF, 0xFEF0, 0, 0},
		0x0698: {0xFB8A, 0xFB8B, 0, 0},           // Persian zhe
		0x067E: {0xFB56, 0xFB57, 0xFB58, 0xFB59}, // Persian pe
		0x0686: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D}, // tcheh
		0x06A9: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91}, // keheh
		0x06AF: {0xFB92, 0xFB93, 0xFB94, 0xFB95}, // gaf
		0x06CC: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF}, // Farsi yeh
	}
	// Dual-joining letters whose four forms are consecutive in Forms-B.
	for base, iso := range map[rune]rune{
		0x0626: 0xFE89, 0x0628: 0xFE8F, 0x062A: 0xFE95, 0x062B: 0xFE99, 0x062C: 0xFE9D,
		0x062D: 0xFEA1, 0x062E: 0xFEA5, 0x0633: 0xFEB1, 0x0634: 0xFEB5, 0x0635: 0xFEB9,
		0x0636: 0xFEBD, 0x0637: 0xFEC1, 0x0638: 0xFEC5, 0x0639: 0xFEC9, 0x063A: 0xFECD,
		0x0641: 0xFED1, 0x0642: 0xFED5, 0x0643: 0xFED9, 0x0644: 0xFEDD, 0x0645: 0xFEE1,
		0x0646: 0xFEE5, 0x0647: 0xFEE9, 0x064A: 0xFEF1,
	} {
		m[base] = arabicForms{iso, iso + 1, iso + 2, iso + 3}
	}
	return m
}()

// lamAlef maps an alef that follows lam to the ligature's isolated form (the
// final form is the next code point).
var lamAlef = map[rune]rune{0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB}

const (
	arabicLam     = 0x0644
	arabicTatweel = 0x0640
)

// isArabicMark reports whether r is a combining Arabic mark, which is
// transparent to joining.
func isArabicMark(r rune) bool {
	return r >= 0x0610 && r <= 0x061A || r >= 0x064B && r <= 0x065F || r == 0x0670 || r >= 0x06D6 && r <= 0x06ED
}

// joinsNext reports whether r connects to the letter after it.
func joinsNext(r rune) bool {
	if r == arabicTatweel {
		return true
	}
	f, ok := arabicLetters[r]
	return ok && f[2] != 0
}

// joinsPrev reports whether r connects to the letter before it.
func joinsPrev(r rune) bool {
	if r == arabicTatweel {
		return true
	}
	f, ok := arabicLetters[r]
	return ok && f[1] != 0
}

// hasArabic reports whether s has a letter shapeArabic changes.
func hasArabic(s string) bool {
	for _, r := range s {
		if r >= 0x0621 && r <= 0x06CC {
			return true
		}
	}
	return false
}

// shapeArabic replaces the Arabic letters of s (in logical order) by their
// contextual presentation forms, using a form only when has reports a glyph
// for it.
func shapeArabic(s string, has func(rune) bool) string {
	rs := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		rs = append(rs, r)
	}
	// neighbour returns the letter next to i in direction d (±1),
	// skipping marks, or 0.
	neighbour := func(i, d int) rune {
		for j := i + d; j >= 0 && j < len(rs); j += d {
			if !isArabicMark(rs[j]) {
				return rs[j]
			}
		}
		return 0
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		f, ok := arabicLetters[r]
		if !ok {
			out = append(out, r)
			continue
		}
		prev := joinsNext(neighbour(i, -1)) && f[1] != 0
		if r == arabicLam && i+1 < len(rs) {
			if lig, ok := lamAlef[rs[i+1]]; ok {
				if prev {
					lig++
				}
				if has(lig) {
					out = append(out, lig)
					i++
					continue
				}
			}
		}
		next := f[2] != 0 && joinsPrev(neighbour(i, +1))
		form := 0 // isolated
		switch {
		case prev && next:
			form = 3
		case prev:
			form = 1
		case next:
			form = 2
		}
		if g := f[form]; g != 0 && has(g) {
			r = g
		}
		out = append(out, r)
	}
	return string(out)
}
