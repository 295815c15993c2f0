package report

import (
	"bytes"
	"hash/crc32"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// sheetStream writes the XML of one big worksheet (Candidates, Evidence,
// Review) itself, row by row as results arrive, straight into a compressed
// zip part that replaces the empty placeholder sheet excelize saves (see
// sortedZip.replace). excelize's StreamWriter needs the column widths, the
// autofilter and the conditional-format ranges before the first row, that
// is, the whole batch up front; here the widths are fitted to the first
// fitRows rows (held until then) and everything that follows the rows in
// the XML (autofilter, conditional formats, page setup) is written at the
// end, when the row count is known. It is also several times cheaper per
// cell than the StreamWriter.
type sheetStream struct {
	part   *zipEntry    // the compressed part
	z      *compressor  // compresses into part on its own goroutine
	held   bytes.Buffer // rows held until the widths are known
	hold   bool         // rows are being held
	row    []byte       // the row being built
	rows   int          // rows written or held, header included
	width  []float64    // column widths
	frozen int          // frozen columns (the header row is always frozen)
	err    error        // the first write error
}

// fitRows is how many data rows are held back to fit column widths to.
const fitRows = 1000

// newSheetStream starts a sheet whose first row is headers (in header
// style), with default widths; the caller may adjust s.width until the
// first fitRows rows are written (release).
func newSheetStream(dir string, headers []string, widths []float64, frozen int, hdrStyle int, hdrHeight float64) *sheetStream {
	s := &sheetStream{part: &zipEntry{crc: crc32.NewIEEE()}, hold: true, width: widths, frozen: frozen}
	// The compressed sheet goes to a file in the output directory, so that
	// memory does not grow with the batch; in memory if that fails.
	s.part.spill, _ = newSpillFile(dir)
	_ = s.part.compress()
	s.z = newCompressor(s.part)
	s.startRow(hdrHeight)
	for i, h := range headers {
		s.str(i, hdrStyle, h)
	}
	s.endRow()
	return s
}

// holding reports whether rows are still held (widths may still change).
func (s *sheetStream) holding() bool { return s.hold }

// release writes the sheet's head (with the widths as they are now) and the
// held rows; later rows go straight to the part.
func (s *sheetStream) release() {
	if !s.hold {
		return
	}
	s.hold = false
	var h []byte
	h = append(h, xmlHeader...)
	h = append(h, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`...)
	h = append(h, `<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0">`...)
	if s.frozen > 0 {
		tl := xlCol(s.frozen+1) + "2"
		h = append(h, `<pane xSplit="`...)
		h = strconv.AppendInt(h, int64(s.frozen), 10)
		h = append(h, `" ySplit="1" topLeftCell="`+tl+`" activePane="bottomRight" state="frozen"/><selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight" activeCell="`+tl+`" sqref="`+tl+`"/>`...)
	} else {
		h = append(h, `<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>`...)
	}
	h = append(h, `</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>`...)
	for i, w := range s.width {
		h = append(h, `<col min="`...)
		h = strconv.AppendInt(h, int64(i+1), 10)
		h = append(h, `" max="`...)
		h = strconv.AppendInt(h, int64(i+1), 10)
		h = append(h, `" width="`...)
		h = strconv.AppendFloat(h, w, 'f', -1, 64)
		h = append(h, `" customWidth="1"/>`...)
	}
	h = append(h, `</cols><sheetData>`...)
	s.write(h)
	s.write(s.held.Bytes())
	s.held = bytes.Buffer{}
}

func (s *sheetStream) write(p []byte) {
	if s.err == nil {
		s.err = s.z.write(p)
	}
}

// startRow begins row s.rows+1, of height ht points (0: default).
func (s *sheetStream) startRow(ht float64) {
	s.rows++
	s.row = append(s.row[:0], `<row r="`...)
	s.row = strconv.AppendInt(s.row, int64(s.rows), 10)
	if ht > 0 {
		s.row = append(s.row, `" ht="`...)
		s.row = strconv.AppendFloat(s.row, ht, 'f', -1, 64)
		s.row = append(s.row, `" customHeight="1`...)
	}
	s.row = append(s.row, `">`...)
}

// endRow finishes the row.
func (s *sheetStream) endRow() {
	s.row = append(s.row, `</row>`...)
	if s.hold {
		s.held.Write(s.row)
		return
	}
	s.write(s.row)
}

// cellStart opens cell col (0-based) of the current row.
func (s *sheetStream) cellStart(col, style int, typ string) {
	s.row = append(s.row, `<c r="`...)
	s.row = append(s.row, xlColName(col)...)
	s.row = strconv.AppendInt(s.row, int64(s.rows), 10)
	if style != 0 {
		s.row = append(s.row, `" s="`...)
		s.row = strconv.AppendInt(s.row, int64(style), 10)
	}
	if typ != "" {
		s.row = append(s.row, `" t="`...)
		s.row = append(s.row, typ...)
	}
	s.row = append(s.row, `">`...)
}

// str writes a text cell (v is already cleaned by wb.text).
func (s *sheetStream) str(col, style int, v string) {
	s.cellStart(col, style, "inlineStr")
	if v != "" && (isSpace(v[0]) || isSpace(v[len(v)-1])) {
		s.row = append(s.row, `<is><t xml:space="preserve">`...)
	} else {
		s.row = append(s.row, `<is><t>`...)
	}
	s.row = appendXMLText(s.row, v)
	s.row = append(s.row, `</t></is></c>`...)
}

// int writes an integer cell.
func (s *sheetStream) int(col, style int, v int) {
	s.cellStart(col, style, "")
	s.row = append(s.row, `<v>`...)
	s.row = strconv.AppendInt(s.row, int64(v), 10)
	s.row = append(s.row, `</v></c>`...)
}

// num writes a number cell.
func (s *sheetStream) num(col, style int, v float64) {
	s.cellStart(col, style, "")
	s.row = append(s.row, `<v>`...)
	s.row = strconv.AppendFloat(s.row, finiteOr0(v), 'f', -1, 64)
	s.row = append(s.row, `</v></c>`...)
}

// date writes t as an Excel date serial (1900 date system).
func (s *sheetStream) date(col, style int, t time.Time) {
	s.num(col, style, excelDate(t))
}

// formula writes a formula cell with its cached text value.
func (s *sheetStream) formula(col, style int, f, cached string) {
	s.cellStart(col, style, "str")
	s.row = append(s.row, `<f>`...)
	s.row = appendXMLText(s.row, f)
	s.row = append(s.row, `</f><v>`...)
	s.row = appendXMLText(s.row, cached)
	s.row = append(s.row, `</v></c>`...)
}

// sheetTail is what follows the rows of a table sheet.
type sheetTail struct {
	cols      int    // table width, for the autofilter
	filter    bool   // add filter buttons to the header
	condFmt   string // <conditionalFormatting> elements
	pageSetup string // <pageSetup .../>
}

// close finishes the sheet and returns its part (named later).
func (s *sheetStream) close(t sheetTail) (*zipEntry, error) {
	s.release()
	var b []byte
	b = append(b, `</sheetData>`...)
	if t.filter && s.rows > 1 {
		b = append(b, `<autoFilter ref="A1:`+xlCol(t.cols)+strconv.Itoa(s.rows)+`"/>`...)
	}
	b = append(b, t.condFmt...)
	b = append(b, `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>`...)
	b = append(b, t.pageSetup...)
	b = append(b, `</worksheet>`...)
	s.write(b)
	if err := s.z.close(); s.err == nil {
		s.err = err
	}
	if s.err == nil {
		s.err = s.part.fw.Close()
	}
	return s.part, s.err
}

// discard stops the compressor of a sheet that will not be written and
// removes its spill file.
func (s *sheetStream) discard() {
	_ = s.z.close()
	s.part.spill.close()
}

// compressor feeds a zip part from its own goroutine, so that deflating the
// big sheets runs beside the building of their rows.
type compressor struct {
	e    *zipEntry
	cur  []byte        // the chunk being filled
	full chan []byte   // chunks to compress
	free chan []byte   // chunks compressed, for reuse
	done chan struct{} // closed when the goroutine ends
	err  error         // the part's write error, once done
	shut bool
}

const compressChunk = 128 << 10

func newCompressor(e *zipEntry) *compressor {
	c := &compressor{e: e, full: make(chan []byte, 4), free: make(chan []byte, 5), done: make(chan struct{})}
	c.cur = make([]byte, 0, compressChunk)
	go func() {
		defer close(c.done)
		for b := range c.full {
			if c.err == nil {
				_, c.err = c.e.Write(b)
			}
			select {
			case c.free <- b[:0]:
			default:
			}
		}
	}()
	return c
}

// write queues p; it fails only after the part failed.
func (c *compressor) write(p []byte) error {
	for len(p) > 0 {
		n := copy(c.cur[len(c.cur):cap(c.cur)], p)
		c.cur = c.cur[:len(c.cur)+n]
		p = p[n:]
		if len(c.cur) == cap(c.cur) {
			c.flush()
		}
	}
	return nil
}

func (c *compressor) flush() {
	if len(c.cur) == 0 {
		return
	}
	c.full <- c.cur
	select {
	case c.cur = <-c.free:
	default:
		c.cur = make([]byte, 0, compressChunk)
	}
}

// close compresses what is queued and ends the goroutine.
func (c *compressor) close() error {
	if !c.shut {
		c.shut = true
		c.flush()
		close(c.full)
		<-c.done
	}
	return c.err
}

// colorScale is a three-colour scale conditional format over sqref.
func colorScale(sqref string, lo, mid, hi float64, priority int) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return `<conditionalFormatting sqref="` + sqref + `"><cfRule type="colorScale" priority="` + strconv.Itoa(priority) + `"><colorScale>` +
		`<cfvo type="num" val="` + f(lo) + `"/><cfvo type="num" val="` + f(mid) + `"/><cfvo type="num" val="` + f(hi) + `"/>` +
		`<color rgb="FFF8696B"/><color rgb="FFFFEB84"/><color rgb="FF63BE7B"/></colorScale></cfRule></conditionalFormatting>`
}

// excelDate is t's date serial in the 1900 date system (days since
// 1899-12-30, with the time of day as a fraction).
func excelDate(t time.Time) float64 {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(epoch).Hours() / 24
	frac := float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400
	return math.Round(days) + frac
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// appendXMLText appends s escaped as XML character data. Characters XML
// cannot hold (U+FFFE, U+FFFF; invalid UTF-8) become U+FFFD; wb.text has
// already removed C0 controls. Carriage returns are escaped so that they
// survive XML's line-end normalisation.
func appendXMLText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var esc string
			switch c {
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\r':
				esc = "&#xD;"
			default:
				if c < 0x20 && c != '\t' && c != '\n' {
					esc = "\uFFFD"
				}
			}
			if esc != "" {
				b = append(b, s[last:i]...)
				b = append(b, esc...)
				last = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			b = append(b, s[last:i]...)
			b = append(b, "\uFFFD"...)
			last = i + n
		}
		i += n
	}
	return append(b, s[last:]...)
}

// colNames caches the letters of the first columns.
var colNames = func() []string {
	names := make([]string, 64)
	for i := range names {
		names[i] = xlCol(i + 1)
	}
	return names
}()

// xlColName returns the letters of 0-based column i.
func xlColName(i int) string {
	if i < len(colNames) {
		return colNames[i]
	}
	return xlCol(i + 1)
}

// xmlHeader starts every XML part.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
