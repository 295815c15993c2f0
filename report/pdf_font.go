package report

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// The fonts shipped inside the binary (see fonts/LICENSE-*.txt):
//   - DejaVu Sans and DejaVu Sans Bold (Bitstream Vera licence + public-domain
//     DejaVu changes; free to embed and redistribute) cover Latin including
//     Vietnamese and Polish, Greek, Cyrillic, Hebrew, Arabic, Armenian,
//     Georgian and many symbols;
//   - Droid Sans Fallback Full (Apache License 2.0) covers CJK ideographs,
//     kana, bopomofo and CJK punctuation (not Hangul syllables);
//   - NanumGothic (SIL Open Font License 1.1) covers Hangul syllables and
//     jamo;
//   - Noto Sans Thai and Noto Sans Devanagari (SIL Open Font License 1.1)
//     cover Thai and Devanagari, drawn without shaping (see visualOrder).
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf fonts/DroidSansFallbackFull.ttf fonts/NanumGothic.ttf
//go:embed fonts/NotoSansThai-Regular.ttf fonts/NotoSansDevanagari-Regular.ttf
var fontFiles embed.FS

// face identifies one embedded font.
type face uint8

const (
	faceSans face = iota // DejaVu Sans
	faceBold             // DejaVu Sans Bold
	faceCJK              // Droid Sans Fallback Full
	faceKR               // NanumGothic (Hangul)
	faceThai             // Noto Sans Thai
	faceDeva             // Noto Sans Devanagari
	numFaces
)

// fallbackFaces are the faces tried, in order, for a character the DejaVu
// faces lack. Each holds only the characters no face before it has (see
// sharedFonts), so its code pages are dense with what it adds.
// The script-specific faces come before Droid, which has a little of
// everything.
var fallbackFaces = [...]face{faceThai, faceDeva, faceCJK, faceKR}

// hasBold reports whether face f has a bold companion; other faces are
// made bold by stroking the outline (see drawCells).
func hasBold(f face) bool { return f == faceSans || f == faceBold }

// faceFiles and faceFamilies are indexed by face.
var (
	faceFiles = [numFaces]string{"fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "fonts/DroidSansFallbackFull.ttf",
		"fonts/NanumGothic.ttf", "fonts/NotoSansThai-Regular.ttf", "fonts/NotoSansDevanagari-Regular.ttf"}
	faceFamilies = [numFaces]string{"dejavu", "dejavub", "droid", "nanum", "notothai", "notodeva"}
)

// sfnt is a TrueType font parsed once: the tables a subset needs, the
// Unicode (BMP) cmap and the advance widths. It is read-only after parsing
// and shared by every PDF rendered in the process.
type sfnt struct {
	data    []byte
	tables  map[string][]byte
	glyf    []byte
	loca    []uint32 // numGlyphs+1 offsets into glyf
	nhm     int      // numberOfHMetrics
	hmtx    []byte
	gid     []uint16 // BMP rune → glyph id (0: not covered)
	w1000   []uint16 // BMP rune → advance in 1/1000 em, rounded as fpdf does
	unitsEm int
}

// fontSet holds the parsed embedded fonts and their code pages.
//
// fpdf's own UTF-8 font path re-parses and re-subsets a font for every
// document, at a fixed cost of about 2.3 ms per font per PDF however few
// glyphs it uses. Instead, every character a face covers is assigned, once
// and for all, to a "code page": a simple TrueType font of at most 223
// glyphs addressed by single-byte codes 33..255 (32 is always the space),
// with an /Encoding whose /Differences name each code "uniXXXX" so that
// viewers find the glyph through the font's Unicode cmap and text
// extraction recovers the character. A code page's font program (a glyph
// subset, compressed) and its fpdf font definition are built the first
// time any PDF needs it and then shared read-only by every later PDF of the
// run. A PDF embeds only the pages it uses: for Latin text, page 0 of the
// regular and bold faces (ASCII, Latin-1, Polish and typographic marks).
type fontSet struct {
	faces [numFaces]*sfnt
	page  [numFaces][]uint16 // BMP rune → code page index + 1; 0 when not covered
	code  [numFaces][]uint8  // BMP rune → code within its page
	pages [numFaces][]*codePage
}

// codePage is one single-byte font cut from a face.
type codePage struct {
	family string          // fpdf family name, unique per face and page
	runes  []rune          // runes[i] has code 33+i
	build  func() pageFont // builds the font once, on first use
}

// pageFont is a built code page: the fpdf JSON font definition, the
// zlib-compressed TrueType program, and the name fpdf gives the font in
// page content ("/F" + id).
type pageFont struct {
	def, z []byte
	id     string
}

// page0Extra are the non-ASCII characters of page 0 (codes 127..255) of the
// DejaVu faces: what Latin text and the template commonly need.
const page0Extra = "\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ" +
	"ąćęłńśźżĄĆĘŁŃŚŹŻ“”‘’–—…•□−€‚„†‡‰‹›™őűŐŰşŞğĞıİčďěňřšťůžČĎĚŇŘŠŤŮŽ"

const codePageSize = 223 // codes 33..255

// pageSize is the number of characters on each code page of face f. The
// fallback faces (ideographs, Hangul) have heavy glyphs and their text
// usually uses a few characters from many pages (a name), so their pages are
// small: a three-syllable Korean name then embeds 3×32 glyphs, not 3×223
// (measured: a 600-word English report with a Korean name is 90 KiB instead
// of 139 KiB, and a 700-character Chinese story 617 KiB instead of 1.4 MiB).
func pageSize(f face) int {
	if hasBold(f) {
		return codePageSize
	}
	return fallbackPageSize
}

const fallbackPageSize = 32

// sharedFonts parses the embedded fonts on first use. The parsed fonts and
// code pages are immutable (pages are built at most once, under sync.Once),
// so one copy serves the whole process: the font cost is paid once per run,
// not once per PDF.
var sharedFonts = sync.OnceValues(func() (*fontSet, error) {
	var fs fontSet
	for i, name := range faceFiles {
		b, err := fontFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("report: font %s: %w", name, err)
		}
		f, err := parseSfnt(b)
		if err != nil {
			return nil, fmt.Errorf("report: font %s: %w", name, err)
		}
		fs.faces[i] = f
	}
	// A fallback face keeps only the characters that DejaVu Sans and the
	// fallbacks before it lack: text never reaches it for the others.
	for i, f := range fallbackFaces {
		gid := fs.faces[f].gid
		for r := range gid {
			if gid[r] == 0 {
				continue
			}
			covered := fs.faces[faceSans].gid[r] != 0
			for _, g := range fallbackFaces[:i] {
				covered = covered || fs.faces[g].gid[r] != 0
			}
			if covered {
				gid[r] = 0
			}
		}
	}
	for f := range numFaces {
		fs.paginate(f)
	}
	return &fs, nil
})

// paginate assigns every rune face f covers to a code page: page 0 gets
// ASCII (code = rune) and page0Extra for the DejaVu faces; the rest follow
// in code point order, 223 to a page.
func (fs *fontSet) paginate(f face) {
	sf := fs.faces[f]
	fs.page[f] = make([]uint16, 0x10000)
	fs.code[f] = make([]uint8, 0x10000)
	var cur []rune
	flush := func() {
		if len(cur) == 0 {
			return
		}
		n := len(fs.pages[f])
		for i, r := range cur {
			fs.page[f][r] = uint16(n + 1)
			fs.code[f][r] = uint8(33 + i)
		}
		cp := &codePage{family: fmt.Sprintf("%s%d", faceFamilies[f], n), runes: cur}
		cp.build = sync.OnceValue(func() pageFont { return sf.buildPage(f, n, cp.runes) })
		fs.pages[f] = append(fs.pages[f], cp)
		cur = nil
	}
	if hasBold(f) {
		for r := rune(33); r < 127; r++ {
			cur = append(cur, r)
		}
		for _, r := range page0Extra {
			if sf.gid[r] != 0 && len(cur) < pageSize(f) {
				cur = append(cur, r)
			}
		}
		flush()
	}
	for r := rune(33); r < 0xFFFF; r++ {
		if sf.gid[r] == 0 || fs.page[f][r] != 0 {
			continue
		}
		cur = append(cur, r)
		if len(cur) == pageSize(f) {
			flush()
		}
	}
	flush()
}

// fontDef mirrors the JSON font definition fpdf's AddFontFromBytes reads.
type fontDef struct {
	Tp           string
	Name         string
	Desc         fontDesc
	Up, Ut       int
	Cw           []int
	Enc          string
	Diff         string
	File         string
	OriginalSize int
}

type fontDesc struct {
	Ascent, Descent, CapHeight, Flags int
	FontBBox                          struct{ Xmin, Ymin, Xmax, Ymax int }
	ItalicAngle, StemV, MissingWidth  int
}

// postScriptNames are the base font names of the faces.
var postScriptNames = [numFaces]string{"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallbackFull", "NanumGothic", "NotoSansThai", "NotoSansDevanagari"}

// buildPage builds code page n of face f: a subset with the space and runes.
func (sf *sfnt) buildPage(f face, n int, runes []rune) pageFont {
	prog := sf.subset(append([]rune{' '}, runes...))
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(prog)
	zw.Close()

	scale := func(v int) int { return int(math.Round(float64(v) * 1000 / float64(sf.unitsEm))) }
	s16 := func(t string, off int) int { return int(int16(be16(sf.tables[t], off))) }
	// A subset's PostScript name starts with a six-letter tag (PDF 32000
	// 9.6.4); here a fixed one per face and page, so output is reproducible.
	name := fmt.Sprintf("FW%c%c%c%c+%s-P%d", 'A'+rune(f), 'A'+rune(n/676%26), 'A'+rune(n/26%26), 'A'+rune(n%26), postScriptNames[f], n)
	d := fontDef{Tp: "TrueType", Name: name, Enc: "uni", File: fmt.Sprintf("%s-P%d.z", postScriptNames[f], n), OriginalSize: len(prog), Cw: make([]int, 256)}
	d.Desc.Ascent = scale(s16("hhea", 4))
	d.Desc.Descent = scale(s16("hhea", 6))
	d.Desc.CapHeight = d.Desc.Ascent
	if os2 := sf.tables["OS/2"]; be16(os2, 0) >= 2 && len(os2) >= 90 {
		d.Desc.CapHeight = scale(s16("OS/2", 88))
	}
	d.Desc.Flags = 32 // non-symbolic: glyphs are found by name through the Unicode cmap
	d.Desc.FontBBox.Xmin, d.Desc.FontBBox.Ymin = scale(s16("head", 36)), scale(s16("head", 38))
	d.Desc.FontBBox.Xmax, d.Desc.FontBBox.Ymax = scale(s16("head", 40)), scale(s16("head", 42))
	d.Desc.StemV = 80
	if f == faceBold {
		d.Desc.StemV = 150
	}
	d.Desc.MissingWidth = scale(sf.advance(0))
	d.Up, d.Ut = scale(s16("post", 8)), scale(s16("post", 10))
	var diff strings.Builder
	diff.WriteString("32 /space")
	d.Cw[32] = int(sf.w1000[' '])
	for i, r := range runes {
		c := 33 + i
		d.Cw[c] = int(sf.w1000[r])
		fmt.Fprintf(&diff, " %d /uni%04X", c, r)
	}
	d.Diff = diff.String()
	def, _ := json.Marshal(d)
	return pageFont{def: def, z: z.Bytes(), id: fpdfFontID(d)}
}

// fpdfFontID is the resource name fpdf (v0.12.0, generateFontID) gives the
// font d once AddFontFromBytes has read it: the SHA-1 of its definition
// re-encoded as JSON without the file name. Knowing it lets drawCells select
// a font with one content operator instead of fpdf's SetFont;
// TestPDFFontResourceNames checks that the two agree.
func fpdfFontID(d fontDef) string {
	// The exported fields of fpdf's fontDefType, in its order.
	v := struct {
		Tp           string
		Name         string
		Desc         fontDesc
		Up           int
		Ut           int
		Cw           []int
		Enc          string
		Diff         string
		File         string
		Size1, Size2 int
		OriginalSize int
		N            int
		DiffN        int
	}{Tp: d.Tp, Name: d.Name, Desc: d.Desc, Up: d.Up, Ut: d.Ut, Cw: d.Cw, Enc: d.Enc, Diff: d.Diff, OriginalSize: d.OriginalSize}
	b, _ := json.Marshal(&v)
	return fmt.Sprintf("%x", sha1.Sum(b))
}

// has reports whether face f has a glyph for r.
func (fs *fontSet) has(f face, r rune) bool {
	return r >= 0 && r < 0x10000 && fs.faces[f].gid[r] != 0
}

// width returns the advance of r in face f at size pt, in millimetres.
func (fs *fontSet) width(f face, r rune, pt float64) float64 {
	if r < 0 || r >= 0x10000 {
		return 0
	}
	return float64(fs.faces[f].w1000[r]) * pt / 1000 * ptToMM
}

const ptToMM = 25.4 / 72

func be16(b []byte, off int) int { return int(binary.BigEndian.Uint16(b[off:])) }
func be32(b []byte, off int) int { return int(binary.BigEndian.Uint32(b[off:])) }

// parseSfnt reads the tables of a TrueType (glyf) font.
func parseSfnt(data []byte) (_ *sfnt, err error) {
	defer func() {
		if r := recover(); r != nil { // out-of-range reads of a corrupt font
			err = fmt.Errorf("corrupt TrueType font: %v", r)
		}
	}()
	if v := be32(data, 0); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("not a TrueType font (version %#x)", v)
	}
	f := &sfnt{data: data, tables: map[string][]byte{}}
	n := be16(data, 4)
	for i := range n {
		rec := 12 + 16*i
		tag := string(data[rec : rec+4])
		off, ln := be32(data, rec+8), be32(data, rec+12)
		if off+ln > len(data) {
			return nil, fmt.Errorf("table %q out of range", tag)
		}
		f.tables[tag] = data[off : off+ln : off+ln]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name", "OS/2", "post"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("missing %q table", t)
		}
	}
	head := f.tables["head"]
	f.unitsEm = be16(head, 18)
	longLoca := be16(head, 50) == 1
	numGlyphs := be16(f.tables["maxp"], 4)
	f.nhm = be16(f.tables["hhea"], 34)
	f.hmtx = f.tables["hmtx"]
	f.glyf = f.tables["glyf"]
	loca := f.tables["loca"]
	f.loca = make([]uint32, numGlyphs+1)
	for g := range f.loca {
		if longLoca {
			f.loca[g] = uint32(be32(loca, 4*g))
		} else {
			f.loca[g] = uint32(be16(loca, 2*g)) * 2
		}
	}
	if err := f.parseCmap(); err != nil {
		return nil, err
	}
	f.w1000 = make([]uint16, 0x10000)
	scale := 1000 / float64(f.unitsEm)
	for r, g := range f.gid {
		if g != 0 {
			f.w1000[r] = uint16(float64(f.advance(int(g)))*scale + 0.5)
		}
	}
	return f, nil
}

// parseCmap reads the first Unicode format-4 subtable (the one fpdf uses).
func (f *sfnt) parseCmap() error {
	cmap := f.tables["cmap"]
	sub := -1
	for i := range be16(cmap, 2) {
		rec := 4 + 8*i
		pid, eid, off := be16(cmap, rec), be16(cmap, rec+2), be32(cmap, rec+4)
		if (pid == 3 && eid == 1 || pid == 0) && be16(cmap, off) == 4 {
			sub = off
			break
		}
	}
	if sub < 0 {
		return fmt.Errorf("no Unicode format 4 cmap")
	}
	t := cmap[sub:]
	segs := be16(t, 6) / 2
	ends, starts, deltas, rangeOffs := 14, 16+2*segs, 16+4*segs, 16+6*segs
	f.gid = make([]uint16, 0x10000)
	for s := range segs {
		end, start := be16(t, ends+2*s), be16(t, starts+2*s)
		delta, ro := be16(t, deltas+2*s), be16(t, rangeOffs+2*s)
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				p := rangeOffs + 2*s + ro + 2*(c-start)
				if p+2 > len(t) {
					continue
				}
				if g = be16(t, p); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g < len(f.loca)-1 {
				f.gid[c] = uint16(g)
			}
		}
	}
	return nil
}

// advance returns the advance width of glyph g in font units.
func (f *sfnt) advance(g int) int {
	if g >= f.nhm {
		g = f.nhm - 1
	}
	return be16(f.hmtx, 4*g)
}

// lsb returns the left side bearing of glyph g in font units.
func (f *sfnt) lsb(g int) int {
	if g < f.nhm {
		return be16(f.hmtx, 4*g+2)
	}
	return be16(f.hmtx, 4*f.nhm+2*(g-f.nhm))
}

// glyph returns the glyf data of glyph g.
func (f *sfnt) glyph(g int) []byte {
	a, b := f.loca[g], f.loca[g+1]
	if a >= b || int(b) > len(f.glyf) {
		return nil
	}
	return f.glyf[a:b]
}

// Composite glyph flags (TrueType glyf).
const (
	cgArgsAreWords  = 0x0001
	cgHaveScale     = 0x0008
	cgMoreComps     = 0x0020
	cgHaveXYScale   = 0x0040
	cgHave2x2       = 0x0080
	cgHaveInstructs = 0x0100
)

// glyphComponents calls fn with the offset of each component glyph id of the
// composite glyph data d.
func glyphComponents(d []byte, fn func(off int)) {
	if len(d) < 10 || int16(be16(d, 0)) >= 0 {
		return
	}
	p := 10
	for p+4 <= len(d) {
		flags := be16(d, p)
		fn(p + 2)
		p = componentEnd(p, flags)
		if flags&cgMoreComps == 0 {
			return
		}
	}
}

// componentEnd is the offset just past the composite-glyph component record
// that starts at p (its flags word) with the given flags: flags, glyph index,
// the two arguments (bytes or words) and the optional transform.
func componentEnd(p, flags int) int {
	p += 4
	if flags&cgArgsAreWords != 0 {
		p += 4
	} else {
		p += 2
	}
	switch {
	case flags&cgHaveScale != 0:
		p += 2
	case flags&cgHaveXYScale != 0:
		p += 4
	case flags&cgHave2x2 != 0:
		p += 8
	}
	return p
}

// stripInstructions returns glyph data d without its TrueType hinting
// instructions (a copy when it changes anything).
func stripInstructions(d []byte) []byte {
	if len(d) < 10 {
		return d
	}
	n := int(int16(be16(d, 0)))
	if n >= 0 { // simple glyph: header, endPts[n], instructionLength, instructions, ...
		p := 10 + 2*n
		if p+2 > len(d) {
			return d
		}
		il := be16(d, p)
		if il == 0 || p+2+il > len(d) {
			return d
		}
		out := make([]byte, 0, len(d)-il)
		out = append(out, d[:p]...)
		out = append(out, 0, 0)
		return append(out, d[p+2+il:]...)
	}
	// composite: drop WE_HAVE_INSTRUCTIONS and what follows the last component
	out := slices.Clone(d)
	end, last := -1, -1
	glyphComponents(d, func(off int) { last = off - 2 })
	if last < 0 {
		return d
	}
	flags := be16(d, last)
	if flags&cgHaveInstructs == 0 {
		return d
	}
	end = componentEnd(last, flags)
	if end > len(out) {
		return d
	}
	binary.BigEndian.PutUint16(out[last:], uint16(flags&^cgHaveInstructs))
	return out[:end]
}

// subset returns a small, valid TrueType font holding only the glyphs for
// runes (BMP runes this font covers; others are ignored), plus glyph 0 and
// the components of composite glyphs, with glyph ids renumbered and a single
// Unicode format-4 cmap. It builds the font program of a code page.
func (f *sfnt) subset(runes []rune) []byte {
	runes = slices.Clone(runes)
	slices.Sort(runes)
	runes = slices.Compact(runes)
	newID := map[int]int{0: 0}
	order := []int{0}
	add := func(g int) int {
		if id, ok := newID[g]; ok {
			return id
		}
		newID[g] = len(order)
		order = append(order, g)
		return len(order) - 1
	}
	type pair struct{ r, g int }
	var cmap []pair
	for _, r := range runes {
		if r <= 0 || r >= 0xFFFF {
			continue
		}
		if g := int(f.gid[r]); g != 0 {
			cmap = append(cmap, pair{int(r), add(g)})
		}
	}
	for i := 0; i < len(order); i++ { // order grows with composite components
		glyphComponents(f.glyph(order[i]), func(off int) {
			g := be16(f.glyph(order[i]), off)
			if g < len(f.loca)-1 {
				add(g)
			}
		})
	}

	// glyf, loca (long), hmtx
	var glyf []byte
	loca := make([]byte, 0, 4*(len(order)+1))
	hmtx := make([]byte, 0, 4*len(order))
	for _, g := range order {
		loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
		d := stripInstructions(f.glyph(g))
		start := len(glyf)
		glyf = append(glyf, d...)
		glyphComponents(d, func(off int) {
			old := be16(d, off)
			binary.BigEndian.PutUint16(glyf[start+off:], uint16(newID[old]))
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(f.advance(g)))
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(f.lsb(g)))
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))

	// cmap: one format-4 subtable, consecutive runes with consecutive
	// glyphs share a segment.
	type seg struct{ start, end, delta int }
	var segs []seg
	for _, p := range cmap {
		if n := len(segs); n > 0 && segs[n-1].end+1 == p.r && (segs[n-1].end+segs[n-1].delta+1)&0xFFFF == p.g {
			segs[n-1].end = p.r
			continue
		}
		segs = append(segs, seg{p.r, p.r, (p.g - p.r) & 0xFFFF})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	sr, es := 1, 0
	for sr*2 <= n {
		sr *= 2
		es++
	}
	sr *= 2
	sub := make([]byte, 0, 16+8*n)
	for _, v := range []int{4, 16 + 8*n, 0, 2 * n, sr, es, 2*n - sr} {
		sub = binary.BigEndian.AppendUint16(sub, uint16(v))
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, uint16(s.end))
	}
	sub = append(sub, 0, 0)
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, uint16(s.start))
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, uint16(s.delta))
	}
	for range segs {
		sub = append(sub, 0, 0)
	}
	cmapT := append([]byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}, sub...)

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)
	binary.BigEndian.PutUint16(head[50:], 1)
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(len(order)))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(order)))
	post := slices.Clone(f.tables["post"][:32])
	binary.BigEndian.PutUint32(post[0:], 0x00030000)

	// Hinting (fpgm, prep, cvt, glyph instructions) is left out: PDF
	// viewers do not need it, and it is a third of DejaVu's size. The name
	// table is kept minimal (no records).
	out := map[string][]byte{
		"cmap": cmapT, "glyf": glyf, "head": head, "hhea": hhea, "hmtx": hmtx,
		"loca": loca, "maxp": maxp, "name": {0, 0, 0, 0, 0, 6}, "OS/2": f.tables["OS/2"], "post": post,
	}
	return assembleSfnt(out)
}

// assembleSfnt writes tables as a TrueType file, tags in sorted order.
func assembleSfnt(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	sr, es := 1, 0
	for sr*2 <= n {
		sr *= 2
		es++
	}
	size := 12 + 16*n
	for _, t := range tags {
		size += (len(tables[t]) + 3) &^ 3
	}
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, 0x00010000)
	for _, v := range []int{n, sr * 16, es, n*16 - sr*16} {
		out = binary.BigEndian.AppendUint16(out, uint16(v))
	}
	off := 12 + 16*n
	for _, t := range tags {
		d := tables[t]
		out = append(out, t...)
		out = binary.BigEndian.AppendUint32(out, sfntChecksum(d))
		out = binary.BigEndian.AppendUint32(out, uint32(off))
		out = binary.BigEndian.AppendUint32(out, uint32(len(d)))
		off += (len(d) + 3) &^ 3
	}
	for _, t := range tags {
		out = append(out, tables[t]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

// sfntChecksum is the TrueType table checksum.
func sfntChecksum(d []byte) uint32 {
	var sum uint32
	for i := 0; i < len(d); i += 4 {
		var w [4]byte
		copy(w[:], d[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
