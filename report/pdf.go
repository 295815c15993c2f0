package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"

	"github.com/failwell/failwell/evaluate"
)

// Caps that keep one pathological submission from producing a huge PDF. What
// is cut is always said in the document.
const (
	storyMaxWords = 1500  // words of the story reproduced in the report
	storyMaxRunes = 12000 // runes of the story (CJK text has no spaces)
	quoteMaxRunes = 600   // runes per evidence quote
	textMaxRunes  = 2500  // runes per feedback, descriptor, flag message
	cardMaxRunes  = 400   // runes of "keep doing" and "change first"
	nameMaxRunes  = 200   // runes of the name, cohort, organisation
	maxFlags      = 12    // flags listed; the rest are counted
)

// Colours of the page.
var (
	pdfDefaultAccent = pdfRGB{0x1F, 0x4E, 0x79}
	pdfColText       = pdfRGB{0x1F, 0x23, 0x28}
	pdfColMuted      = pdfRGB{0x5F, 0x6B, 0x7A}
	pdfColRule       = pdfRGB{0xD5, 0xDB, 0xE1}
	pdfColTrack      = pdfRGB{0xEC, 0xEF, 0xF3}
	pdfColWhite      = pdfRGB{0xFF, 0xFF, 0xFF}
	pdfColPlus       = pdfRGB{0x1E, 0x8E, 0x3E}
	pdfColMinus      = pdfRGB{0xC0, 0x39, 0x2B}
	pdfColKeep       = pdfRGB{0x1E, 0x8E, 0x3E}
	pdfColChange     = pdfRGB{0xD9, 0x82, 0x1E}
	pdfColFlag       = pdfRGB{0xB4, 0x5F, 0x06}
)

// critColors are the per-criterion colours (strong, for bars and swatches;
// the story highlights use a light tint of each), cycled when a rubric has
// more criteria.
var critColors = []pdfRGB{
	{0x2F, 0x6F, 0xD6}, // blue
	{0x1E, 0x9E, 0x5A}, // green
	{0xC9, 0x96, 0x00}, // amber
	{0x7C, 0x4D, 0xDB}, // purple
	{0xE0, 0x6C, 0x1F}, // orange
	{0xD0, 0x35, 0x74}, // pink
	{0x0E, 0x93, 0x9E}, // teal
	{0x6B, 0x72, 0x80}, // slate
}

// PDF renders one candidate's feedback report to w.
//
// The report has a header band (organisation, logo, candidate, cohort,
// submission date, total and band), a chart of the criterion levels with
// the cohort average, a "keep doing / change first" summary, review flags,
// one section per criterion (level, descriptor, evidence quotes, feedback,
// next step), the story with the evidence highlighted, and a footer on every
// page (rubric, generation date, program version, page x of y).
//
// Fonts are embedded (DejaVu Sans, DejaVu Sans Bold, Droid Sans Fallback
// Full, see fonts/README.md) and parsed once per process; each PDF embeds
// only the code pages (font subsets of at most 223 glyphs, built once per
// process and shared) that its text uses. Characters no font covers are drawn
// as a red "□"; Arabic letters are joined (presentation forms), and Hebrew
// and Arabic runs are reversed for display. The output depends only
// on its inputs: the same res and opts give the same bytes. PDF is safe for
// concurrent use.
//
// It fails only when w fails, when the brand's logo cannot be read or is not
// a PNG or JPEG, or on an internal error; it never panics on odd text.
func PDF(w io.Writer, res *evaluate.Result, opts PDFOptions) (err error) {
	if res == nil {
		return errors.New("report: PDF of a nil result")
	}
	fs, err := sharedFonts()
	if err != nil {
		return err
	}
	var logo []byte
	if opts.Brand.Logo != "" {
		if logo, err = os.ReadFile(opts.Brand.Logo); err != nil {
			return fmt.Errorf("report: logo: %w", err)
		}
		if logoImageType(logo) == "" {
			return fmt.Errorf("report: logo %s: not a PNG or JPEG file", opts.Brand.Logo)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("report: PDF for %q: internal error: %v", res.Story.Name, r)
		}
	}()
	sc := scratchPool.Get().(*pdfScratch)
	defer sc.release()
	d := newDoc(fs, res, opts, logo, sc)
	d.render()
	sc.cells, sc.ob, sc.run = d.sh.arena, d.ob, d.run
	// fpdf writes the finished document with one Write, and nothing when
	// rendering failed.
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("report: PDF for %q: %w", res.Story.Name, err)
	}
	return nil
}

// pdfScratch is the reusable memory of one PDF being rendered: the shaped
// text's cells and the operator buffers. PDFs in flight each take one from
// scratchPool, so a batch allocates them a few times, not once per PDF.
type pdfScratch struct {
	cells []glyphCell
	ob    []byte
	run   []byte
}

// scratchPool holds idle *pdfScratch values.
var scratchPool = sync.Pool{New: func() any { return new(pdfScratch) }}

// maxScratchCells bounds the cell arena kept for the next PDF (about 1.5
// MiB); a larger one, from a very long story, is left to the collector.
const maxScratchCells = 1 << 16

// release returns sc to the pool; the PDF that used it must be done with
// every cell. Cells hold no pointers, so old ones need no clearing.
func (sc *pdfScratch) release() {
	if cap(sc.cells) > maxScratchCells {
		sc.cells = nil
	}
	sc.cells, sc.ob, sc.run = sc.cells[:0], sc.ob[:0], sc.run[:0]
	scratchPool.Put(sc)
}

// logoImageType returns the fpdf image type of b from its magic bytes.
func logoImageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "JPG"
	}
	return ""
}

// pdfDoc is one PDF being rendered.
type pdfDoc struct {
	pdf    *fpdf.Fpdf
	sh     *shaper
	res    *evaluate.Result
	opts   PDFOptions
	logo   []byte
	accent pdfRGB

	pageW, pageH     float64
	ml, mr, top, bot float64 // margins; bot is the lowest y content may reach
	y                float64 // current y on the page

	curFont *codePage
	curSize float64
	loaded  map[*codePage]bool // code pages added to this PDF

	// Page content is written by the operators below (colours, line
	// width, font selection, text runs, shapes) into ob and handed to fpdf
	// a page at a time (flush), rather than through fpdf's methods of the
	// same name, which allocate a string per number and keep state of their
	// own. They format numbers exactly as fpdf does (strconv 'f' with
	// fpdf's precision): the operators are fpdf's, byte for byte, except
	// that a new page opens with fpdf's defaults before the state in use is
	// set again (see addPage).
	k, h         float64 // fpdf's points per millimetre and page height (mm)
	ob           []byte  // the page's operators not yet handed to fpdf
	fillC, textC pdfRGB  // current fill and text colours
	drawC        pdfRGB  // current stroke colour
	lw           float64 // current line width (mm)
	run          []byte  // the codes of the text run being drawn
	tc           []byte  // the operator setting text colour tcOf, when tcSet
	tcOf         pdfRGB
	tcSet        bool
}

func newDoc(fs *fontSet, res *evaluate.Result, opts PDFOptions, logo []byte, sc *pdfScratch) *pdfDoc {
	d := &pdfDoc{sh: &shaper{fs: fs, arena: sc.cells}, res: res, opts: opts, logo: logo, loaded: map[*codePage]bool{},
		ob: sc.ob, run: sc.run}
	d.accent = parseHexRGB(opts.Brand.Accent, pdfDefaultAccent)
	size := fpdf.SizeType{Wd: 210, Ht: 297}
	if strings.EqualFold(strings.TrimSpace(opts.Brand.Paper), "letter") {
		size = fpdf.SizeType{Wd: 215.9, Ht: 279.4}
	}
	d.pageW, d.pageH = size.Wd, size.Ht
	d.ml, d.mr, d.top, d.bot = 18, 18, 22, size.Ht-20

	p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: size})
	date := opts.Date
	if date.IsZero() {
		date = res.Ref
	}
	if date.IsZero() {
		date = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	p.SetCreationDate(date)
	p.SetModificationDate(date)
	p.SetCatalogSort(true)
	// Page content streams are left uncompressed: compressing them is half
	// of fpdf's CPU per PDF (a fresh zlib writer per page), e.g. 3.0 → 1.5 ms
	// for a 600-word report, for about 30 KiB more per file. Font programs
	// are always compressed (once per run, see fontSet).
	p.SetCompression(false)
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(d.ml, d.top, d.mr)
	p.SetTitle(cleanMeta("Feedback report: "+d.name()), true)
	if opts.Brand.Org != "" {
		p.SetAuthor(cleanMeta(opts.Brand.Org), true)
	}
	p.SetCreator(cleanMeta("failwell "+opts.Version), true)
	p.SetProducer("failwell (go-pdf/fpdf)", false)
	d.k = p.GetConversionRatio()
	_, d.h = p.GetPageSize()
	d.lw = p.GetLineWidth()
	d.pdf = p
	return d
}

// cleanMeta makes s safe for the document information dictionary.
func cleanMeta(s string) string {
	s = cutRunes(s, 200)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

// parseHexRGB parses "#RRGGBB" (or "RRGGBB"), returning def when s is not one.
func parseHexRGB(s string, def pdfRGB) pdfRGB {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) != 6 {
		return def
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return def
	}
	return pdfRGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}
}

// tintRGB mixes c with white: f=0 is c, f=1 is white.
func tintRGB(c pdfRGB, f float64) pdfRGB {
	m := func(v uint8) uint8 { return uint8(math.Round(float64(v) + (255-float64(v))*f)) }
	return pdfRGB{m(c.r), m(c.g), m(c.b)}
}

// ---- drawing primitives ----

func (d *pdfDoc) contentW() float64 { return d.pageW - d.ml - d.mr }

// num appends v with prec decimals to the operator, as fpdf formats numbers.
func (d *pdfDoc) num(v float64, prec int) { d.ob = appendFixed(d.ob, v, prec) }

// pow10s are the scales of appendFixed's precisions.
var pow10s = [...]float64{1, 10, 100, 1e3, 1e4, 1e5}

// appendFixed appends v with prec (0..5) decimals, the same text as
// strconv.AppendFloat(b, v, 'f', prec, 64), which is several times slower.
// v×10^prec is rounded to an integer here; where that product is not
// clearly away from a tie (or is large, or v is not finite) the exact
// decimal value matters, and strconv decides.
func appendFixed(b []byte, v float64, prec int) []byte {
	if prec < 0 || prec >= len(pow10s) {
		return strconv.AppendFloat(b, v, 'f', prec, 64)
	}
	sc := v * pow10s[prec]
	// Below 2^31 the product's rounding error (half an ulp, at most 2^-22)
	// is far below the tie margin, so rounding sc rounds v×10^prec.
	a := math.Abs(sc)
	if !(a < 1<<31) || math.Abs(a-math.Floor(a)-0.5) < 1e-6 {
		return strconv.AppendFloat(b, v, 'f', prec, 64)
	}
	n := uint64(math.Round(a))
	if math.Signbit(v) {
		b = append(b, '-')
	}
	var digits [24]byte
	i := len(digits)
	for range prec {
		i--
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	if prec > 0 {
		i--
		digits[i] = '.'
	}
	for {
		i--
		digits[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			break
		}
	}
	return append(b, digits[i:]...)
}

// put appends s to the operator.
func (d *pdfDoc) put(s string) { d.ob = append(d.ob, s...) }

// emit ends the operator: a line of the current page's content.
func (d *pdfDoc) emit() { d.ob = append(d.ob, '\n') }

// flush hands the operators written since the last flush to fpdf, as
// content of the current page: a page's content goes in one piece. It must
// run before any fpdf call that writes to a page or changes page.
func (d *pdfDoc) flush() {
	if n := len(d.ob); n > 0 {
		// fpdf copies the string into the page at once and keeps no
		// reference to it, so it may share ob's bytes instead of copying a
		// page of content first. The final newline is fpdf's.
		d.pdf.RawWriteStr(unsafe.String(unsafe.SliceData(d.ob), n-1))
		d.ob = d.ob[:0]
	}
}

// putColor appends c as fpdf's SetFillColor (op "g"/"rg") or SetDrawColor
// ("G"/"RG") writes it.
func (d *pdfDoc) putColor(c pdfRGB, gray, full string) { d.ob = appendColor(d.ob, c, gray, full) }

// appendColor appends the operator setting colour c: a gray level (op
// gray) when r = g = b, else RGB (op full), components with three
// decimals.
func appendColor(b []byte, c pdfRGB, gray, full string) []byte {
	b = appendFixed(b, float64(c.r)/255.0, 3)
	if c.r == c.g && c.g == c.b {
		return append(append(b, ' '), gray...)
	}
	b = append(b, ' ')
	b = appendFixed(b, float64(c.g)/255.0, 3)
	b = append(b, ' ')
	b = appendFixed(b, float64(c.b)/255.0, 3)
	return append(append(b, ' '), full...)
}

// fill sets the fill colour (fpdf's SetFillColor).
func (d *pdfDoc) fill(c pdfRGB) {
	d.fillC = c
	d.putColor(c, "g", "rg")
	d.emit()
}

// stroke sets the stroke colour (fpdf's SetDrawColor).
func (d *pdfDoc) stroke(c pdfRGB) {
	d.drawC = c
	d.putColor(c, "G", "RG")
	d.emit()
}

// lineWidth sets the width of stroked lines, in millimetres (fpdf's
// SetLineWidth).
func (d *pdfDoc) lineWidth(w float64) {
	d.lw = w
	d.num(w*d.k, 2)
	d.put(" w")
	d.emit()
}

// addPage starts a page. fpdf, which never sees the colours, line width
// or font, opens it with its defaults; the line width and colours in use
// are set again, as fpdf's AddPage does, and the next text run sets its
// font.
func (d *pdfDoc) addPage() {
	d.flush()
	first := d.pdf.PageCount() == 0
	d.pdf.AddPage()
	if !first {
		d.lineWidth(d.lw)
		d.stroke(d.drawC)
		d.fill(d.fillC)
	}
	d.curFont = nil
}

// textCol sets the colour of the text runs drawn next.
func (d *pdfDoc) textCol(c pdfRGB) { d.textC = c }

// rect fills the rectangle at (x, y), w × h (fpdf's Rect with "F").
func (d *pdfDoc) rect(x, y, w, h float64) {
	d.num(x*d.k, 2)
	d.put(" ")
	d.num((d.h-y)*d.k, 2)
	d.put(" ")
	d.num(w*d.k, 2)
	d.put(" ")
	d.num(-h*d.k, 2)
	d.put(" re f")
	d.emit()
}

// line strokes a line from (x1, y1) to (x2, y2) (fpdf's Line).
func (d *pdfDoc) line(x1, y1, x2, y2 float64) {
	d.num(x1*d.k, 2)
	d.put(" ")
	d.num((d.h-y1)*d.k, 2)
	d.put(" m ")
	d.num(x2*d.k, 2)
	d.put(" ")
	d.num((d.h-y2)*d.k, 2)
	d.put(" l S")
	d.emit()
}

// circleSegs are the angles fpdf's Circle draws six Bézier segments
// between, computed as fpdf (arc) computes them: cos and sin of each of
// the seven angles, and the control-point factor dtm.
var circleSegs = func() (t struct {
	cos, sin [7]float64
	dtm      float64
}) {
	degStart, degEnd := 0.0, 360.0
	angleStart := degStart * math.Pi / 180
	angleEnd := degEnd * math.Pi / 180
	dt := (angleEnd - angleStart) / 6
	t.dtm = dt / 3
	for j := range 7 {
		a := angleStart
		if j > 0 {
			a = (float64(j) * dt) + angleStart
		}
		t.cos[j], t.sin[j] = math.Cos(a), math.Sin(a)
	}
	return t
}()

// circle draws a circle centred at (x, y) with radius r, filled (op "f")
// or stroked ("S"): fpdf's Circle, six Bézier segments computed the same
// way.
func (d *pdfDoc) circle(x, y, r float64, op string) {
	k, h := d.k, d.h
	x *= k
	y = (h - y) * k
	rx, ry := r*k, r*k
	cs, dtm := &circleSegs, circleSegs.dtm
	a0 := x + rx*cs.cos[0]
	b0 := y + ry*cs.sin[0]
	c0 := -rx * cs.sin[0]
	d0 := ry * cs.cos[0]
	sx, sy := a0/k, h-(b0/k)
	d.num(sx*k, 2)
	d.put(" ")
	d.num((h-sy)*k, 2)
	d.put(" m\n")
	for j := 1; j <= 6; j++ {
		a1 := x + rx*cs.cos[j]
		b1 := y + ry*cs.sin[j]
		c1 := -rx * cs.sin[j]
		d1 := ry * cs.cos[j]
		pts := [6]float64{(a0 + (c0 * dtm)) / k, h - ((b0 + (d0 * dtm)) / k), (a1 - (c1 * dtm)) / k, h - ((b1 - (d1 * dtm)) / k), a1 / k, h - (b1 / k)}
		for i := 0; i < 6; i += 2 {
			if i > 0 {
				d.put(" ")
			}
			d.num(pts[i]*k, 5)
			d.put(" ")
			d.num((h-pts[i+1])*k, 5)
		}
		d.put(" c\n")
		a0, b0, c0, d0 = a1, b1, c1, d1
	}
	d.put(op)
	d.emit()
}

// roundedRect fills a rectangle with corners of radius r: fpdf's
// RoundedRect with all four corners rounded and style "F".
func (d *pdfDoc) roundedRect(x, y, w, h, r float64) {
	k, hp := d.k, d.h
	myArc := (4.0 / 3.0) * (math.Sqrt2 - 1.0)
	pt := func(x, y float64, op string) {
		d.num(x*k, 5)
		d.put(" ")
		d.num((hp-y)*k, 5)
		d.put(op)
	}
	arc := func(x1, y1, x2, y2, x3, y3 float64) {
		if r != 0 {
			pt(x1, y1, " ")
			pt(x2, y2, " ")
			pt(x3, y3, " c \n")
		}
	}
	d.put("q ")
	pt(x+r, y, " m\n")
	xc, yc := x+w-r, y+r
	pt(xc, y, " l\n")
	arc(xc+r*myArc, yc-r, xc+r, yc-r*myArc, xc+r, yc)
	xc, yc = x+w-r, y+h-r
	pt(x+w, yc, " l\n")
	arc(xc+r, yc+r*myArc, xc+r*myArc, yc+r, xc, yc+r)
	xc, yc = x+r, y+h-r
	pt(xc, y+h, " l\n")
	arc(xc-r*myArc, yc+r, xc-r, yc+r*myArc, xc-r, yc)
	xc, yc = x+r, y+r
	pt(x, yc, " l\n")
	arc(xc-r, yc-r*myArc, xc-r*myArc, yc-r, xc, yc-r)
	d.put("f\nQ")
	d.emit()
}

// triangle fills the triangle a, b, c: fpdf's Polygon with style "F".
func (d *pdfDoc) triangle(a, b, c [2]float64) {
	d.num(a[0]*d.k, 2)
	d.put(" ")
	d.num((d.h-a[1])*d.k, 2)
	d.put(" m\n")
	for _, p := range [...][2]float64{b, c, a} {
		d.num(p[0]*d.k, 5)
		d.put(" ")
		d.num((d.h-p[1])*d.k, 5)
		d.put(" l \n")
	}
	d.put("f")
	d.emit()
}

// textRun writes a text run (single-byte codes of the current font) with
// its baseline origin at (x, y) in the text colour: fpdf's Text.
func (d *pdfDoc) textRun(x, y float64, codes []byte) {
	// fpdf wraps the run in q … Q with the text colour when it differs
	// from the fill colour (its "colorFlag"); its fill starts as black.
	wrap := d.fillC != d.textC
	if wrap {
		if !d.tcSet || d.tcOf != d.textC {
			d.tcOf, d.tcSet = d.textC, true
			d.tc = appendColor(d.tc[:0], d.textC, "g", "rg")
		}
		d.put("q ")
		d.ob = append(d.ob, d.tc...)
		d.put(" ")
	}
	d.put("BT ")
	d.num(x*d.k, 2)
	d.put(" ")
	d.num((d.h-y)*d.k, 2)
	d.put(" Td (")
	for _, b := range codes {
		switch b {
		case '\\', '(', ')':
			d.ob = append(d.ob, '\\', b)
		case '\r':
			d.ob = append(d.ob, '\\', 'r')
		default:
			d.ob = append(d.ob, b)
		}
	}
	d.put(") Tj ET")
	if wrap {
		d.put(" Q")
	}
	d.emit()
}

// setFont selects code page cp at size pt, adding it to the PDF on first use.
func (d *pdfDoc) setFont(cp *codePage, size float64) {
	if cp == d.curFont && size == d.curSize {
		return
	}
	pf := cp.build()
	if !d.loaded[cp] {
		d.pdf.AddFontFromBytes(cp.family, "", pf.def, pf.z)
		d.loaded[cp] = true
	}
	// fpdf's SetFont writes this operator (and costs more than the text
	// run): the font's resource name is known (see fpdfFontID).
	d.put("BT /F")
	d.put(pf.id)
	d.put(" ")
	d.num(size, 2)
	d.put(" Tf ET")
	d.emit()
	d.curFont, d.curSize = cp, size
}

// drawCells draws cells on one line with its baseline at y, starting at x.
// Consecutive cells of one style and one code page are one text run.
func (d *pdfDoc) drawCells(p *textPara, cs []glyphCell, x, y float64) {
	sz := p.size * ptToMM
	if p.reorder {
		cs = visualOrder(cs)
	}
	fs := d.sh.fs
	pageOf := func(c glyphCell) uint16 {
		if c.space {
			return 0 // a space fits every page (code 32)
		}
		return fs.page[c.f][c.r]
	}
	buf := d.run
	for i := 0; i < len(cs); {
		if cs[i].nl {
			i++
			continue
		}
		pg := pageOf(cs[i])
		j := i + 1
		w := cs[i].w
		for j < len(cs) && cs[j].f == cs[i].f && cs[j].st == cs[i].st && cs[j].miss == cs[i].miss && !cs[j].nl {
			if q := pageOf(cs[j]); q != 0 {
				if pg != 0 && q != pg {
					break
				}
				pg = q
			}
			w += cs[j].w
			j++
		}
		st := p.styles[cs[i].st]
		if st.hasBg {
			d.fill(st.bg)
			d.rect(x, y-0.86*sz, w, 1.16*sz)
		}
		if st.hasUL {
			d.fill(st.ul)
			d.rect(x, y+0.2*sz, w, 0.1*sz)
		}
		if pg == 0 {
			pg = 1 // spaces only: page 0 of the face
		}
		buf = buf[:0]
		for _, c := range cs[i:j] {
			if c.space {
				buf = append(buf, ' ')
			} else {
				buf = append(buf, fs.code[c.f][c.r])
			}
		}
		d.setFont(fs.pages[cs[i].f][pg-1], p.size)
		if cs[i].miss {
			d.textCol(missingColor)
		} else {
			d.textCol(st.color)
		}
		// The fallback faces have no bold: bold CJK and Hangul are filled
		// and stroked.
		fauxBold := st.bold && !hasBold(cs[i].f)
		if fauxBold {
			d.stroke(st.color)
			d.lineWidth(p.size * ptToMM * 0.035)
			d.put("2 Tr")
			d.emit()
		}
		d.textRun(x, y, buf)
		if fauxBold {
			d.put("0 Tr")
			d.emit()
		}
		x += w
		i = j
	}
	d.run = buf
}

// text draws single-line spans at (x, baseline y), cut with "…" to maxW, and
// returns the width drawn. align is 'L' or 'R' (x is then the right edge).
func (d *pdfDoc) text(x, y, maxW float64, size float64, align byte, spans ...textSpan) float64 {
	p := d.sh.ellipsize(d.sh.shape(spans, size), maxW)
	w := p.width()
	if align == 'R' {
		x -= w
	}
	d.drawCells(p, p.cells, x, y)
	return w
}

// plainSpans is a one-span list.
func plainSpans(s string, c pdfRGB, bold bool) []textSpan {
	return []textSpan{{text: s, st: textStyle{bold: bold, color: c}}}
}

// laid is text wrapped into lines, ready to draw.
type laid struct {
	p     *textPara
	lines []textLine
	lineH float64
}

// h is the height of l.
func (l *laid) h() float64 { return float64(len(l.lines)) * l.lineH }

// lay shapes spans at size pt and wraps them to width.
func (d *pdfDoc) lay(spans []textSpan, size, width, lineH float64) *laid {
	p := d.sh.shape(spans, size)
	return &laid{p: p, lines: wrapLines(p, width), lineH: lineH}
}

// draw draws l from the current y at x, breaking pages as needed, and
// advances y.
func (d *pdfDoc) draw(x float64, l *laid) {
	prevEmpty := false
	for _, ln := range l.lines {
		empty := ln.w == 0
		if empty && (prevEmpty || d.y == d.top) { // one blank line at most, none at a page top
			continue
		}
		prevEmpty = empty
		d.ensure(l.lineH)
		d.drawCells(l.p, l.p.cells[ln.from:ln.to], x, d.y+l.lineH*0.5+0.36*l.p.size*ptToMM)
		d.y += l.lineH
	}
}

// paragraph draws spans wrapped to width from the current y.
func (d *pdfDoc) paragraph(x, width float64, spans []textSpan, size, lineH float64) {
	d.draw(x, d.lay(spans, size, width, lineH))
}

// ensure starts a new page unless h more millimetres fit on this one.
func (d *pdfDoc) ensure(h float64) {
	if d.y+h > d.bot {
		d.newPage()
	}
}

// newPage starts a continuation page with a slim running header.
func (d *pdfDoc) newPage() {
	d.addPage()
	d.fill(d.accent)
	d.rect(0, 0, d.pageW, 2.2)
	w := d.contentW()
	d.text(d.ml, 11, w*0.6, 8.5, 'L', textSpan{text: d.name(), st: textStyle{bold: true, color: pdfColText}},
		textSpan{text: "  ·  Feedback report", st: textStyle{color: pdfColMuted}})
	if org := cutRunes(d.opts.Brand.Org, nameMaxRunes); org != "" {
		d.text(d.pageW-d.mr, 11, w*0.38, 8.5, 'R', plainSpans(org, pdfColMuted, false)...)
	}
	d.stroke(pdfColRule)
	d.lineWidth(0.2)
	d.line(d.ml, 14, d.pageW-d.mr, 14)
	d.y = d.top
}

func (d *pdfDoc) name() string {
	n := strings.TrimSpace(cutRunes(d.res.Story.Name, nameMaxRunes))
	if n == "" {
		return "Unnamed candidate"
	}
	return n
}

// ---- the document ----

func (d *pdfDoc) render() {
	d.addPage()
	d.header()
	if !d.res.Scored() {
		d.y += 4
		d.heading("This story could not be scored")
		d.paragraph(d.ml, d.contentW(), plainSpans(cutRunes(d.res.Err.Error(), textMaxRunes), pdfColText, false), 10, 5.2)
	} else {
		d.glance()
		d.flags()
		d.criteria()
		d.story()
	}
	n := d.pdf.PageCount()
	for i := 1; i <= n; i++ {
		d.flush()
		d.pdf.SetPage(i)
		d.curFont = nil
		d.footer(i, n)
	}
	d.flush()
}

const pdfBandH = 46

func (d *pdfDoc) header() {
	r := d.res
	d.fill(d.accent)
	d.rect(0, 0, d.pageW, pdfBandH)
	light := tintRGB(d.accent, 0.78)
	x := d.ml
	cardW := 46.0
	cardX := d.pageW - d.mr - cardW
	textW := cardX - 6 - d.ml

	// Logo (on a white tile so any logo reads on the accent colour) and organisation.
	if d.logo != nil {
		info := d.pdf.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: logoImageType(d.logo)}, bytes.NewReader(d.logo))
		if d.pdf.Ok() && info != nil && info.Height() > 0 {
			// 10 mm tall at most, on a tile from y=5.5 that ends 5 mm above
			// the candidate's name.
			h := 10.0
			w := math.Min(h*info.Width()/info.Height(), 40)
			h = math.Min(h, w*info.Height()/info.Width())
			d.fill(pdfColWhite)
			d.roundedRect(x, 5.5, w+3.6, h+3, 1.5)
			d.flush()
			d.pdf.ImageOptions("logo", x+1.8, 7, w, h, false, fpdf.ImageOptions{ImageType: logoImageType(d.logo)}, 0, "")
			x += w + 8
		}
	}
	org := cutRunes(d.opts.Brand.Org, nameMaxRunes)
	if org != "" {
		d.text(x, 11, cardX-6-x, 10, 'L', plainSpans(org, pdfColWhite, true)...)
		d.text(x, 16, cardX-6-x, 8.5, 'L', plainSpans("Feedback on your failure story", light, false)...)
	} else {
		d.text(x, 13, cardX-6-x, 10, 'L', plainSpans("Feedback on your failure story", pdfColWhite, true)...)
	}

	// Candidate name: as large as fits, down to 13 pt, then cut with "…".
	name := d.name()
	size := 22.0
	for size > 13 && d.sh.shape(plainSpans(name, pdfColWhite, true), size).width() > textW {
		size--
	}
	d.text(d.ml, 30, textW, size, 'L', plainSpans(name, pdfColWhite, true)...)

	// Cohort, date, words.
	var meta []string
	if c := strings.TrimSpace(cutRunes(r.Story.Cohort, nameMaxRunes)); c != "" {
		if !strings.Contains(strings.ToLower(c), "cohort") {
			c = "Cohort " + c
		}
		meta = append(meta, c)
	}
	if !r.Story.Submitted.IsZero() {
		meta = append(meta, "Submitted "+pdfDate(r.Story.Submitted))
	} else {
		asOf := r.Ref
		if asOf.IsZero() {
			asOf = d.opts.Date
		}
		if asOf.IsZero() {
			meta = append(meta, "No submission date given")
		} else {
			meta = append(meta, "No date given; as of "+pdfDate(asOf))
		}
	}
	d.text(d.ml, 38.5, textW, 9.5, 'L', plainSpans(strings.Join(meta, "   ·   "), light, false)...)

	// Score card.
	d.fill(pdfColWhite)
	d.roundedRect(cardX, 7, cardW, 32, 2.5)
	cx := cardX + cardW/2
	d.text(cx+d.sh.shape(plainSpans("TOTAL SCORE", pdfColMuted, true), 7).width()/2, 12.5, cardW, 7, 'R', plainSpans("TOTAL SCORE", pdfColMuted, true)...)
	if r.Scored() {
		total := strconv.FormatFloat(r.Total, 'f', -1, 64)
		if r.Total != math.Trunc(r.Total) {
			total = strconv.FormatFloat(r.Total, 'f', 1, 64)
		}
		big := d.sh.shape(plainSpans(total, d.accent, true), 26)
		small := d.sh.shape(plainSpans(" /100", pdfColMuted, false), 9)
		tx := cx - (big.width()+small.width())/2
		d.drawCells(big, big.cells, tx, 25)
		d.drawCells(small, small.cells, tx+big.width(), 25)
		band := cutRunes(r.Band, 40)
		if band == "" {
			band = "—"
		}
		bp := d.sh.ellipsize(d.sh.shape(plainSpans(band, d.accent, true), 9), cardW-8)
		bw := bp.width() + 6
		d.fill(tintRGB(d.accent, 0.86))
		d.roundedRect(cx-bw/2, 29, bw, 6, 3)
		d.drawCells(bp, bp.cells, cx-bp.width()/2, 33.2)
	} else {
		d.text(cx+d.sh.shape(plainSpans("not scored", pdfColMuted, true), 11).width()/2, 26, cardW, 11, 'R', plainSpans("not scored", pdfColMuted, true)...)
	}
	d.y = pdfBandH + 8
}

func pdfDate(t time.Time) string { return t.Format("2 Jan 2006") }

func pluralWords(n int, w string) string {
	if n == 1 {
		return "1 " + w
	}
	return strconv.Itoa(n) + " " + w + "s"
}

// heading draws a section heading, keeping room for some content after it,
// with an optional muted note after the title.
func (d *pdfDoc) heading(title string, note ...string) {
	d.ensure(9 + 18)
	spans := plainSpans(title, pdfColText, true)
	for _, n := range note {
		spans = append(spans, textSpan{text: "   " + n, st: textStyle{color: pdfColMuted}})
	}
	d.text(d.ml, d.y+5, d.contentW(), 13, 'L', spans...)
	d.fill(d.accent)
	d.rect(d.ml, d.y+7.6, 12, 0.9)
	d.y += 12
}

func critColor(i int) pdfRGB { return critColors[i%len(critColors)] }

// glance draws the level chart and the keep-doing / change-first summary.
func (d *pdfDoc) glance() {
	r := d.res
	d.heading("At a glance")
	top := d.y
	w := d.contentW()
	chartW := w * 0.58
	labelW := 45.0
	valW := 10.0
	trackX := d.ml + labelW + 2
	trackW := chartW - labelW - 2 - valW
	rowH := 8.0
	hasMean := false
	for i, s := range r.Scores {
		y := top + float64(i)*rowH
		d.text(d.ml, y+4.9, labelW, 8.5, 'L', plainSpans(s.Name, pdfColText, false)...)
		d.fill(pdfColTrack)
		d.rect(trackX, y+1.6, trackW, 4.2)
		lv := min(max(s.Level, 0), 4)
		if lv > 0 {
			d.fill(critColor(i))
			d.rect(trackX, y+1.6, trackW*float64(lv)/4, 4.2)
		}
		d.stroke(pdfColWhite)
		d.lineWidth(0.5)
		for k := 1; k < 4; k++ {
			gx := trackX + trackW*float64(k)/4
			d.line(gx, y+1.6, gx, y+5.8)
		}
		if m, ok := d.opts.CohortMeans[s.ID]; ok && !math.IsNaN(m) {
			hasMean = true
			mx := trackX + trackW*math.Min(math.Max(m, 0), 4)/4
			d.meanMarker(mx, y+0.6, y+6.8)
		}
		d.text(trackX+trackW+2, y+5, valW, 9, 'L', plainSpans(fmt.Sprintf("%d/4", lv), pdfColText, true)...)
	}
	y := top + float64(len(r.Scores))*rowH
	for k := 0; k <= 4; k++ {
		s := strconv.Itoa(k)
		d.text(trackX+trackW*float64(k)/4-d.sh.fs.width(faceSans, '0', 7)/2, y+2.2, 5, 7, 'L', plainSpans(s, pdfColMuted, false)...)
	}
	y += 6
	// Legend.
	for k := range 3 {
		d.fill(critColor(k))
		d.rect(trackX+float64(k)*1.8, y-2.2, 1.8, 2.6)
	}
	lx := trackX + 6.5
	lx += d.text(lx, y, 40, 7.5, 'L', plainSpans("your level", pdfColMuted, false)...)
	if hasMean {
		lx += 6
		d.meanMarker(lx+1, y-3, y+0.8)
		d.text(lx+3.5, y, 40, 7.5, 'L', plainSpans("cohort average", pdfColMuted, false)...)
	}
	chartBottom := y + 3

	// Summary cards.
	sx := d.ml + chartW + 8
	sw := w - chartW - 8
	d.y = top
	d.card(sx, sw, keepTitle(r.Scores), r.Strength, pdfColKeep)
	d.y += 4
	d.card(sx, sw, "Change first", r.Change, pdfColChange)
	d.y = math.Max(d.y, chartBottom) + 6
}

// keepTitle is the title of the strength card: "Keep doing" once some
// criterion reaches level 2; below that, telling a candidate to keep doing
// a level-1 habit ("mostly excuses or blame") would be wrong.
func keepTitle(scores []evaluate.Score) string {
	for _, s := range scores {
		if s.Level >= 2 {
			return "Keep doing"
		}
	}
	return "Strongest so far"
}

// meanMarker draws the cohort-average marker: a dark rule with a small
// downward triangle on top.
func (d *pdfDoc) meanMarker(x, y0, y1 float64) {
	c := pdfRGB{0x22, 0x22, 0x22}
	d.stroke(c)
	d.lineWidth(0.55)
	d.line(x, y0+1, x, y1)
	d.fill(c)
	d.triangle([2]float64{x - 1.3, y0 - 0.6}, [2]float64{x + 1.3, y0 - 0.6}, [2]float64{x, y0 + 1.2})
}

// card draws a titled box with a coloured stripe at (x, d.y), w wide.
func (d *pdfDoc) card(x, w float64, title, body string, c pdfRGB) {
	body = strings.TrimSpace(cutRunes(body, cardMaxRunes))
	if body == "" {
		body = "—"
	}
	pad := 3.5
	lineH := 4.6
	body2 := d.lay(plainSpans(body, pdfColText, false), 9.5, w-2*pad-1.5, lineH)
	h := 4 + 6 + body2.h() + 3
	d.fill(tintRGB(c, 0.9))
	d.rect(x, d.y, w, h)
	d.fill(c)
	d.rect(x, d.y, 1.5, h)
	d.text(x+1.5+pad, d.y+7.2, w-2*pad-1.5, 9.5, 'L', plainSpans(title, c, true)...)
	d.y += 10
	d.draw(x+1.5+pad, body2)
	d.y += 3
}

// flags draws the review-flag callout.
func (d *pdfDoc) flags() {
	fl := d.res.Flags
	if len(fl) == 0 {
		return
	}
	w := d.contentW()
	pad := 4.0
	tw := w - 2*pad - 1.5
	lineH := 4.6
	intro := d.lay(plainSpans("A person will read your story before this score is used: the automatic scoring may not do it justice.", pdfColText, false), 9, tw, lineH)
	items := make([]*laid, 0, len(fl))
	for i, f := range fl {
		if i == maxFlags {
			items = append(items, d.lay(plainSpans(fmt.Sprintf("• … and %d more", len(fl)-maxFlags), pdfColText, false), 9, tw, lineH))
			break
		}
		msg := strings.TrimSpace(cutRunes(f.Message, textMaxRunes))
		items = append(items, d.lay([]textSpan{
			{text: "• " + flagLabel(f.Code) + ": ", st: textStyle{bold: true, color: pdfColFlag}},
			{text: msg, st: textStyle{color: pdfColText}},
		}, 9, tw, lineH))
	}
	h := 11 + intro.h() + 1.5
	for _, it := range items {
		h += it.h()
	}
	h += 3
	if h <= d.bot-d.top {
		d.ensure(h)
	}
	y0 := d.y
	if h <= d.bot-d.y {
		d.fill(tintRGB(pdfColFlag, 0.9))
		d.rect(d.ml, y0, w, h)
		d.fill(pdfColFlag)
		d.rect(d.ml, y0, 1.5, h)
	}
	x := d.ml + 1.5 + pad
	d.text(x, y0+7, tw, 10.5, 'L', plainSpans("Flagged for review", pdfColFlag, true)...)
	d.y = y0 + 10
	d.draw(x, intro)
	d.y += 1.5
	for _, it := range items {
		d.draw(x, it)
	}
	d.y = math.Max(d.y+3, y0+h) + 6
}

// flagLabels are the readers' names of the evaluator's flag codes.
var flagLabels = map[string]string{
	"too-short":        "Too short",
	"too-long":         "Very long",
	"not-english":      "Not in English",
	"placeholder":      "Template placeholder",
	"template":         "Unfilled template",
	"off-topic":        "Off topic",
	"repeated-text":    "Repeated text",
	"keyword-stuffing": "Keyword stuffing",
	"near-duplicate":   "Near-duplicate of another story",
	"grader-directed":  "Addressed to the grader",
	"pasted-advice":    "Pasted advice",
	"non-answer":       "Not an answer to the question",
}

// flagLabel returns the label shown for a flag code: a known code's name, or
// the code itself with its first letter capitalised and hyphens as spaces.
func flagLabel(code string) string {
	if l, ok := flagLabels[code]; ok {
		return l
	}
	l := strings.ReplaceAll(strings.TrimSpace(cutRunes(code, 60)), "-", " ")
	if r, n := utf8.DecodeRuneInString(l); n > 0 {
		l = strings.ToUpper(string(r)) + l[n:]
	}
	return l
}

// criteria draws one section per criterion.
func (d *pdfDoc) criteria() {
	if len(d.res.Scores) == 0 {
		d.heading("Criterion by criterion")
		d.paragraph(d.ml, d.contentW(), plainSpans("No criteria were scored.", pdfColMuted, false), 10, 5)
		return
	}
	for i, s := range d.res.Scores {
		title := ""
		if i == 0 {
			title = "Criterion by criterion"
		}
		d.criterion(i, s, title)
	}
}

// criterion draws one criterion's block, after a section heading when title
// is not empty (kept on the same page as the block).
func (d *pdfDoc) criterion(i int, s evaluate.Score, title string) {
	w := d.contentW()
	ind := 6.0
	tw := w - ind
	qx := d.ml + ind + 5
	qw := w - ind - 5
	c := critColor(i)
	lv := min(max(s.Level, 0), 4)

	desc := d.lay(plainSpans(strings.TrimSpace(cutRunes(s.Descriptor, textMaxRunes)), pdfColMuted, false), 9, tw, 4.4)
	type quote struct {
		text *laid
		eff  float64
	}
	var quotes []quote
	for _, g := range groupEvidence(s.Evidence) {
		q := strings.Join(strings.Fields(cutRunes(g.quote, quoteMaxRunes)), " ")
		sp := []textSpan{{text: "“" + q + "”", st: textStyle{color: pdfColText}}}
		if len(g.notes) > 0 {
			sp = append(sp, textSpan{text: "  — " + cutRunes(strings.Join(g.notes, "; "), 400), st: textStyle{color: pdfColMuted}})
		}
		quotes = append(quotes, quote{d.lay(sp, 9.5, qw, 4.7), g.effect})
	}
	fb := d.lay(plainSpans(strings.TrimSpace(cutRunes(s.Feedback, textMaxRunes)), pdfColText, false), 10, tw, 5)
	next := strings.TrimSpace(cutRunes(s.NextStep, textMaxRunes))
	nextL := d.lay([]textSpan{{text: "Next step  ", st: textStyle{bold: true, color: d.accent}}, {text: next, st: textStyle{color: pdfColText}}}, 9.5, tw-8, 4.7)

	// Keep the block on one page when it fits on one; never leave a heading alone.
	h := 9 + desc.h() + 2
	for _, q := range quotes {
		h += q.text.h() + 1.2
	}
	if len(quotes) == 0 {
		h += 4.7 + 1.2
	}
	h += 2 + fb.h()
	if next != "" {
		h += 3 + nextL.h() + 6
	}
	h += 6
	if title != "" {
		h += 12
	}
	// A block that fits in a third of a page is kept together, unless that
	// would leave a quarter of this page empty; a longer one may break,
	// after its heading row, descriptor and first quote.
	if h <= (d.bot-d.top)/3 && (d.y+h <= d.bot || d.bot-d.y < (d.bot-d.top)/4) {
		d.ensure(h)
	} else {
		first := 9 + desc.h() + 2 + 6
		if len(quotes) > 0 {
			first += quotes[0].text.h()
		}
		if title != "" {
			first += 12
		}
		d.ensure(first)
	}
	if title != "" {
		d.heading(title)
	}

	// Heading row.
	y := d.y
	d.fill(c)
	d.roundedRect(d.ml, y+1.6, 3.6, 3.6, 0.8)
	pipsW := 4*3.6 + 2
	lvTxt := fmt.Sprintf("Level %d/4", lv)
	lvW := d.text(d.pageW-d.mr-pipsW, y+5, 30, 10, 'R', plainSpans(lvTxt, c, true)...)
	d.text(d.ml+ind, y+5, tw-pipsW-lvW-4, 11.5, 'L', plainSpans(s.Name, pdfColText, true)...)
	for k := range 4 {
		px := d.pageW - d.mr - pipsW + 3 + float64(k)*3.6
		if k < lv {
			d.fill(c)
			d.circle(px+0.8, y+3.4, 1.25, "f")
		} else {
			d.stroke(pdfColRule)
			d.lineWidth(0.35)
			d.circle(px+0.8, y+3.4, 1.1, "S")
		}
	}
	d.y += 8.5
	d.draw(d.ml+ind, desc)
	d.y += 2

	// Evidence.
	if len(quotes) == 0 {
		d.ensure(4.7)
		d.text(d.ml+ind, d.y+3.4, tw, 9, 'L', plainSpans("No passage of your story was counted for this criterion.", pdfColMuted, false)...)
		d.y += 4.7 + 1.2
	}
	for _, q := range quotes {
		d.ensure(math.Min(q.text.h(), 2*4.7)) // no quote's first line alone at a page foot
		mark, mc := "•", pdfColMuted
		switch {
		case q.eff > 0:
			mark, mc = "+", pdfColPlus
		case q.eff < 0:
			mark, mc = "−", pdfColMinus
		}
		my := d.y + 2.35
		d.fill(mc)
		d.circle(d.ml+ind+1.7, my, 1.7, "f")
		mp := d.sh.shape(plainSpans(mark, pdfColWhite, true), 8.5)
		d.drawCells(mp, mp.cells, d.ml+ind+1.7-mp.width()/2, my+1.05)
		d.draw(qx, q.text)
		d.y += 1.2
	}
	d.y += 2
	d.ensure(math.Min(fb.h(), 2*fb.lineH)) // nor the feedback's
	d.draw(d.ml+ind, fb)

	if next != "" {
		d.y += 3
		nh := nextL.h() + 5
		if nh <= d.bot-d.top {
			d.ensure(nh)
		}
		y0 := d.y
		if nh <= d.bot-y0 {
			d.fill(tintRGB(d.accent, 0.92))
			d.rect(d.ml+ind, y0, tw, nh)
			d.fill(d.accent)
			d.rect(d.ml+ind, y0, 1, nh)
		}
		d.y += 2.5
		d.draw(d.ml+ind+4, nextL)
		d.y = math.Max(d.y+2.5, y0+nh)
	}
	d.y += 3.5
	d.stroke(pdfColRule)
	d.lineWidth(0.2)
	if d.y < d.bot {
		d.line(d.ml, d.y, d.pageW-d.mr, d.y)
	}
	d.y += 5
}

// evidenceGroup is the evidence of one criterion for one passage in one
// direction: several signals often match the same sentence.
type evidenceGroup struct {
	quote  string
	notes  []string
	effect float64 // the sum of the signals' effects
}

// groupEvidence merges evidence with the same span (or, without valid
// offsets, the same quote) and the same direction (raised or lowered the
// level), in order of first appearance, keeping each distinct note once.
func groupEvidence(ev []evaluate.Evidence) []evidenceGroup {
	type key struct {
		a, b int
		q    string
		sign int
	}
	var out []evidenceGroup
	idx := map[key]int{}
	for _, e := range ev {
		sign := 0
		switch {
		case e.Effect > 0:
			sign = 1
		case e.Effect < 0:
			sign = -1
		}
		k := key{e.Start, e.End, "", sign}
		if e.Start >= e.End {
			k = key{-1, -1, e.Quote, sign}
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, evidenceGroup{quote: e.Quote})
		}
		g := &out[i]
		g.effect += e.Effect
		if n := strings.TrimSpace(e.Note); n != "" && !slices.Contains(g.notes, n) {
			g.notes = append(g.notes, n)
		}
	}
	return out
}

// storyText is the part of the story the report reproduces.
func (d *pdfDoc) storyText() string {
	t, _ := capStory(d.res.Story.Text)
	return t
}

// capStory cuts text after storyMaxWords words or storyMaxRunes runes,
// reporting whether it cut.
func capStory(text string) (string, bool) {
	words, runes := 0, 0
	inWord := false
	for i, r := range text {
		runes++
		sp := r == ' ' || r == '\n' || r == '\t' || r == '\r'
		if !sp && !inWord {
			words++
			if words > storyMaxWords {
				return text[:i], true
			}
		}
		inWord = !sp
		if runes > storyMaxRunes {
			return text[:i], true
		}
	}
	return text, false
}

// story draws the story with the evidence highlighted.
func (d *pdfDoc) story() {
	r := d.res
	text, cut := capStory(r.Story.Text)
	// The story starts a page unless a good part of it fits here.
	if d.y+60 > d.bot {
		d.newPage()
	}
	d.heading("Your story", pluralWords(r.Words, "word"))

	// Legend: the criteria that have evidence.
	var legend []int
	for i, s := range r.Scores {
		if len(s.Evidence) > 0 {
			legend = append(legend, i)
		}
	}
	spans := d.highlight(text)
	if len(legend) > 0 {
		x := d.ml
		d.ensure(6)
		lead := "Highlighted passages were counted as evidence for:"
		for _, sp := range spans {
			if sp.st.hasUL {
				lead = "Highlighted passages were counted as evidence for (a coloured underline: also for a second criterion):"
				break
			}
		}
		d.text(x, d.y+3.5, d.contentW(), 8.5, 'L', plainSpans(lead, pdfColMuted, false)...)
		d.y += 6
		for _, i := range legend {
			name := cutRunes(r.Scores[i].Name, 60)
			p := d.sh.shape(plainSpans(name, pdfColText, false), 8.5)
			iw := 6 + p.width() + 6
			if x+iw > d.pageW-d.mr && x > d.ml {
				x = d.ml
				d.y += 5.5
			}
			d.ensure(5.5)
			d.fill(tintRGB(critColor(i), 0.72))
			d.rect(x, d.y+0.8, 4.5, 3.6)
			p = d.sh.ellipsize(p, d.pageW-d.mr-x-6)
			d.drawCells(p, p.cells, x+6, d.y+3.7)
			x += iw
		}
		d.y += 8
	}

	body := strings.TrimSpace(text)
	if body == "" {
		d.text(d.ml, d.y+4, d.contentW(), 10, 'L', plainSpans("(The story is empty.)", pdfColMuted, false)...)
		d.y += 7
		return
	}
	d.paragraph(d.ml, d.contentW(), spans, 10, 5.3)
	if cut {
		total := r.Words
		if total == 0 {
			total = len(strings.Fields(r.Story.Text))
		}
		shown := len(strings.Fields(text))
		msg := fmt.Sprintf("[Story shortened for this report: showing the first %d of %d words. The whole story was scored.]", shown, total)
		d.y += 2
		d.paragraph(d.ml, d.contentW(), plainSpans(msg, pdfColFlag, true), 9, 4.6)
	}
}

// highlight splits text into spans, each evidence span drawn on a light tint
// of its criterion's colour; where spans of several criteria overlap, the
// first criterion in rubric order gives the background and the next one a
// coloured underline.
func (d *pdfDoc) highlight(text string) []textSpan {
	type iv struct{ a, b, crit int }
	var ivs []iv
	cuts := []int{0, len(text)}
	for ci, s := range d.res.Scores {
		for _, e := range s.Evidence {
			a, b := e.Start, e.End
			if a < 0 || b > len(d.res.Story.Text) || a >= b {
				continue
			}
			a, b = min(a, len(text)), min(b, len(text))
			for a > 0 && a < len(text) && !utf8.RuneStart(text[a]) {
				a--
			}
			for b < len(text) && !utf8.RuneStart(text[b]) {
				b++
			}
			if a >= b {
				continue
			}
			ivs = append(ivs, iv{a, b, ci})
			cuts = append(cuts, a, b)
		}
	}
	sort.Ints(cuts)
	var out []textSpan
	for k := 0; k+1 < len(cuts); k++ {
		a, b := cuts[k], cuts[k+1]
		if a == b {
			continue
		}
		st := textStyle{color: pdfColText}
		best, second := -1, -1
		for _, v := range ivs {
			if v.a <= a && b <= v.b {
				switch {
				case best < 0 || v.crit < best:
					if best >= 0 {
						second = best
					}
					best = v.crit
				case v.crit != best && (second < 0 || v.crit < second):
					second = v.crit
				}
			}
		}
		if best >= 0 {
			st.hasBg, st.bg = true, tintRGB(critColor(best), 0.72)
		}
		if second >= 0 {
			st.hasUL, st.ul = true, critColor(second)
		}
		if n := len(out); n > 0 && out[n-1].st == st {
			out[n-1].text += text[a:b]
		} else {
			out = append(out, textSpan{text: text[a:b], st: st})
		}
	}
	return out
}

// footer draws the footer of page i of n.
func (d *pdfDoc) footer(i, n int) {
	y := d.pageH - 13
	d.stroke(pdfColRule)
	d.lineWidth(0.2)
	d.line(d.ml, y, d.pageW-d.mr, y)
	var parts []string
	if rb := d.opts.Rubric; rb != nil {
		id := "Rubric " + cutRunes(rb.ID, 60)
		if rb.Version != "" {
			id += " v" + cutRunes(rb.Version, 30)
		}
		parts = append(parts, id)
	}
	if !d.opts.Date.IsZero() {
		parts = append(parts, "Generated "+pdfDate(d.opts.Date))
	}
	v := strings.TrimSpace(d.opts.Version)
	if v == "" {
		v = "dev"
	}
	parts = append(parts, "failwell "+cutRunes(v, 40))
	pg := fmt.Sprintf("Page %d of %d", i, n)
	pw := d.text(d.pageW-d.mr, y+4.5, 40, 7.5, 'R', plainSpans(pg, pdfColMuted, false)...)
	d.text(d.ml, y+4.5, d.contentW()-pw-6, 7.5, 'L', plainSpans(strings.Join(parts, "  ·  "), pdfColMuted, false)...)
	if f := strings.TrimSpace(cutRunes(d.opts.Brand.Footer, 400)); f != "" {
		d.text(d.ml, y+8.3, d.contentW()-pw-6, 7.5, 'L', plainSpans(f, pdfColMuted, false)...)
	}
}
