package report

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/failwell/failwell/evaluate"
)

// maxSlug bounds the length of a slug in bytes (all ASCII), so that a file
// name stays far below every file system's 255-byte limit.
const maxSlug = 60

// slugFold maps letters that do not decompose into a base letter plus marks to
// their usual ASCII spelling (đ, ł, ß, æ, ...), and transliterates Greek and
// Cyrillic letter by letter. Letters absent here and without an ASCII base
// (CJK, Arabic, ...) are dropped.
var slugFold = map[rune]string{
	'đ': "d", 'ð': "d", 'ł': "l", 'ø': "o", 'ß': "ss", 'æ': "ae", 'œ': "oe",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŋ': "ng", 'ŀ': "l", 'ĸ': "k", 'ſ': "s",
	// Greek (ELOT 743, simplified).
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i",
	'θ': "th", 'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x",
	'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y",
	'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
	// Cyrillic (Russian, Ukrainian, Bulgarian, Serbian letters).
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'ђ': "dj",
	'е': "e", 'ё': "e", 'є': "ye", 'ж': "zh", 'з': "z", 'и': "i", 'і': "i",
	'ї': "yi", 'й': "y", 'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m",
	'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'ћ': "c", 'у': "u", 'ў': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch",
	'џ': "dz", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e",
	'ю': "yu", 'я': "ya",
}

// Slug returns a file-name-safe ASCII form of name: lower case letters and
// digits in runs joined by single hyphens, at most 60 bytes
// ("Nguyễn Thị Minh Anh" → "nguyen-thi-minh-anh", "../../etc/passwd" →
// "etc-passwd"). Accents are removed, Greek and Cyrillic are transliterated,
// and scripts without a transliteration (CJK, ...) are dropped, so the result
// may be empty; callers supply a fallback.
func Slug(name string) string {
	var b strings.Builder
	hyphen := false // a separator is pending
	emit := func(s string) {
		if s == "" {
			return
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(s)
	}
	var prev rune
	for _, r := range norm.NFKD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue // combining mark left by the decomposition
		}
		r = unicode.ToLower(r)
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			emit(string(r))
		case r == '\'' || r == '’' || r == 'ʼ':
			// apostrophes join: O'Brien → obrien
		case r == 'υ' && prev == 'ο':
			emit("u") // Greek ου → ou
		default:
			if s, ok := slugFold[r]; ok {
				emit(s)
			} else {
				hyphen = true
			}
		}
		prev = r
		if b.Len() > maxSlug {
			break
		}
	}
	s := b.String()
	if len(s) > maxSlug {
		cut := s[maxSlug] == '-' // the cut falls between two words
		s = s[:maxSlug]
		if i := strings.LastIndexByte(s, '-'); !cut && i >= maxSlug/2 {
			s = s[:i]
		}
	}
	return strings.Trim(s, "-")
}

// pdfNames assigns each scored result its feedback file name,
// "feedback/NNN-slug.pdf", where NNN is the 1-based batch position
// (Story.Index+1) zero-padded to at least three digits (more when the batch
// needs them, so that names sort in batch order). The slug comes from the
// name, else from the id, else is "candidate". Names are unique: a clash
// (only possible with repeated indexes) gets a "-2", "-3", ... suffix.
// The returned slice is parallel to results; rejected results get "".
func pdfNames(results []evaluate.Result) []string { return pdfNamesFor(results, 0) }

// pdfNamesFor is pdfNames for results that may be a shard of a batch of
// batchSize rows: the numbers get the width the whole batch needs.
func pdfNamesFor(results []evaluate.Result, batchSize int) []string {
	for i := range results {
		batchSize = max(batchSize, results[i].Story.Index+1)
	}
	n := newPDFNamer(batchSize)
	names := make([]string, len(results))
	for i := range results {
		if results[i].Scored() {
			names[i] = n.name(&results[i])
		}
	}
	return names
}

// pdfNamer gives the PDFs of a batch their names, one result at a time in
// input order (see pdfNames).
type pdfNamer struct {
	width int             // digits of the numbers
	used  map[string]bool // names given
}

// newPDFNamer names the PDFs of a batch of batchSize rows.
func newPDFNamer(batchSize int) *pdfNamer {
	return &pdfNamer{width: max(3, len(strconv.Itoa(batchSize))), used: map[string]bool{}}
}

// name returns the PDF path of r, unique in the batch.
func (n *pdfNamer) name(r *evaluate.Result) string {
	slug := Slug(r.Story.Name)
	if slug == "" {
		slug = Slug(r.Story.ID)
	}
	if slug == "" {
		slug = "candidate"
	}
	num := strconv.Itoa(max(r.Story.Index+1, 0))
	if len(num) < n.width {
		num = strings.Repeat("0", n.width-len(num)) + num
	}
	base := num + "-" + slug
	name := base
	for k := 2; n.used[name]; k++ {
		name = base + "-" + strconv.Itoa(k)
	}
	n.used[name] = true
	return feedbackDir + "/" + name + ".pdf"
}
