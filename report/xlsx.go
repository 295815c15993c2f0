package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
)

// Sheet names of report.xlsx, in workbook order.
const (
	sheetSummary    = "Summary"
	sheetCandidates = "Candidates"
	sheetEvidence   = "Evidence"
	sheetReview     = "Review"
	sheetRejected   = "Rejected"
	sheetRubric     = "Rubric"
	sheetRun        = "Run"
)

// maxCellChars is Excel's limit on the length of a cell's text, in UTF-16
// code units.
const maxCellChars = 32767

// truncMark ends a cell text that was cut at maxCellChars.
const truncMark = "… [truncated]"

// defaultAccent is the header colour when the brand sets none.
const defaultAccent = "#1F4E79"

// wb builds report.xlsx from results given one at a time, in input order
// (add), and writes it at the end (write). The big sheets (Candidates,
// Evidence, Review) are written as the results arrive, compressed, by
// sheetStream; rejected rows are held for the Rejected sheet; the Summary
// is made from running aggregates. Memory does not grow with the number of
// scored rows beyond the compressed sheets and a float per row.
type wb struct {
	f        *excelize.File
	opts     Options
	sum      *Summary
	criteria []critCol // level columns, in rubric order
	st       xlStyles
	// truncated counts cell texts cut at Excel's limit.
	truncated int

	started bool // the streamed sheets are open
	cand    *sheetStream
	evid    *sheetStream
	rev     *sheetStream
	// candFit holds the widest text seen in each fitted Candidates column.
	candFit  map[int]int
	nReview  int               // Review rows (flags and failed PDFs)
	rejected []evaluate.Result // rows not scored, for the Rejected sheet
	agg      wbAggregate
}

// wbAggregate is what the Summary needs of all the results.
type wbAggregate struct {
	totals   []float64 // totals of the scored rows
	levels   [][5]int  // per criterion (b.criteria order): rows at each level
	bands    []xlBandCount
	bandIdx  map[string]int
	cohorts  []*xlCohortStat
	cohortIx map[string]*xlCohortStat
}

// critCol is one criterion shown as a column.
type critCol struct {
	ID, Name string
	Weight   float64
}

type xlStyles struct {
	header, title, subtitle, label, bold, date, total, mean, num, numLeft, wrap, top, link, note, center int
	// totalTop and boldTop are total and bold, top-aligned, for rows of
	// wrapped text.
	totalTop, boldTop int
}

// writeWorkbook writes report.xlsx of results to w.
func writeWorkbook(w io.Writer, results []evaluate.Result, opts Options, sum *Summary) (err error) {
	b, err := newWorkbook(opts, sum)
	if err != nil {
		return err
	}
	defer b.close()
	for i := range results {
		var pdf string
		var pdfErr error
		if i < len(sum.PDF) {
			pdf = sum.PDF[i]
		}
		if i < len(sum.PDFErrors) {
			pdfErr = sum.PDFErrors[i]
		}
		if err := b.add(&results[i], pdf, pdfErr); err != nil {
			return err
		}
	}
	return b.write(w)
}

// newWorkbook starts a workbook; sum's counts must be final by write.
func newWorkbook(opts Options, sum *Summary) (*wb, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDirFor(opts.Dir)})
	b := &wb{f: f, opts: opts, sum: sum, candFit: map[int]int{}}
	b.agg.bandIdx = map[string]int{}
	b.agg.cohortIx = map[string]*xlCohortStat{}
	if err := b.init(); err != nil {
		f.Close()
		return nil, fmt.Errorf("workbook: %w", err)
	}
	return b, nil
}

// close releases the workbook's temporary files and goroutines.
func (b *wb) close() {
	for _, s := range []*sheetStream{b.cand, b.evid, b.rev} {
		if s != nil {
			s.discard()
		}
	}
	_ = b.f.Close()
}

var _ excelize.ZipWriter = (*sortedZip)(nil)

// tmpDirFor is where excelize may spill streamed sheets: inside the output
// directory, so that no personal data is written anywhere else.
func tmpDirFor(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

func (b *wb) init() error {
	f := b.f
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	for _, name := range []string{sheetCandidates, sheetEvidence, sheetReview, sheetRejected, sheetRubric, sheetRun} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	if err := b.makeStyles(); err != nil {
		return err
	}
	// Before any sheet is streamed: afterwards SetActiveSheet would read
	// every streamed sheet back into memory and re-encode it.
	f.SetActiveSheet(0)
	// Bands in the rubric's order, highest first, even when empty.
	if r := b.opts.Rubric; r != nil {
		bands := slices.Clone(r.Bands)
		slices.SortStableFunc(bands, func(x, y evaluate.Band) int { return cmp.Compare(y.Min, x.Min) })
		for _, bd := range bands {
			b.bandOf(bd.Name)
		}
	}
	if b.opts.Rubric != nil && len(b.opts.Rubric.Criteria) > 0 {
		b.start(nil)
	}
	return nil
}

// bandOf returns the index of band name in the aggregate, adding it.
func (b *wb) bandOf(name string) int {
	k, ok := b.agg.bandIdx[name]
	if !ok {
		k = len(b.agg.bands)
		b.agg.bandIdx[name] = k
		b.agg.bands = append(b.agg.bands, xlBandCount{name: name})
	}
	return k
}

// start opens the streamed sheets; the criteria come from the rubric, else
// from first, the first scored result.
func (b *wb) start(first *evaluate.Result) {
	b.started = true
	b.criteria = criteriaColumns(first, b.opts.Rubric)
	b.agg.levels = make([][5]int, len(b.criteria))
	b.startCandidates()
	b.startEvidence()
	b.startReview()
}

// add adds one result (in input order) with its PDF path or failure.
func (b *wb) add(r *evaluate.Result, pdf string, pdfErr error) error {
	co, ok := b.agg.cohortIx[r.Story.Cohort]
	if !ok {
		co = &xlCohortStat{name: r.Story.Cohort}
		b.agg.cohortIx[r.Story.Cohort] = co
		b.agg.cohorts = append(b.agg.cohorts, co)
	}
	if !r.Scored() {
		co.rejected++
		held := *r
		held.Story.Text = ""
		b.rejected = append(b.rejected, held)
		return nil
	}
	if !b.started {
		b.start(r)
	}
	if co.levelSum == nil {
		co.levelSum, co.levelN = make([]float64, len(b.criteria)), make([]int, len(b.criteria))
	}
	co.scored++
	if r.Flagged() {
		co.flagged++
	}
	t := finiteOr0(r.Total)
	co.totals = append(co.totals, t)
	b.agg.totals = append(b.agg.totals, t)
	b.agg.bands[b.bandOf(r.Band)].n++
	for j, cc := range b.criteria {
		if l := scoreLevel(r, cc.ID); l >= 0 {
			co.levelSum[j] += float64(l)
			co.levelN[j]++
			if l <= 4 {
				b.agg.levels[j][l]++
			}
		}
	}
	b.candidateRow(r, pdf, pdfErr)
	b.evidenceRows(r)
	b.reviewRows(r, pdfErr)
	return cmp.Or(b.cand.err, b.evid.err, b.rev.err)
}

// write finishes the workbook and writes it to w.
func (b *wb) write(w io.Writer) error {
	if !b.started {
		b.start(nil)
	}
	parts, err := b.finishStreams()
	if err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	for _, step := range []func() error{b.rejectedSheet, b.rubric, b.summary, b.run} {
		if err := step(); err != nil {
			return fmt.Errorf("workbook: %w", err)
		}
	}
	if err := b.f.SetDocProps(b.docProps()); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	// The zip goes straight to w in a fixed part order (see sortedZip), not
	// through the in-memory buffer excelize would otherwise build and copy;
	// the streamed sheets replace their empty placeholders.
	z := &sortedZip{w: w, replace: parts}
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	// WriteToBuffer drives the zip writer, which writes to w; the buffer it
	// returns stays empty (it is only post-processed for passwords and parts
	// over 4 GiB, neither of which applies).
	if _, err := b.f.WriteToBuffer(); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	return nil
}

// sheetPart is the zip part name of sheet.
func (b *wb) sheetPart(sheet string) (string, error) {
	for id, name := range b.f.GetSheetMap() {
		if name == sheet {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
		}
	}
	return "", fmt.Errorf("no sheet %q", sheet)
}

// finishStreams closes the streamed sheets and returns their parts by zip
// name. The placeholders get the workbook-level parts of their features:
// print titles and the autofilter's defined name.
func (b *wb) finishStreams() (map[string]*zipEntry, error) {
	parts := map[string]*zipEntry{}
	revTail := sheetTail{cols: len(reviewHeaders), filter: true}
	if b.nReview == 0 {
		b.rev.startRow(0)
		b.rev.str(1, b.st.note, "No story was flagged for review.")
		b.rev.endRow()
		revTail.filter = false
	}
	tables := []struct {
		sheet string
		s     *sheetStream
		tail  sheetTail
	}{
		{sheetCandidates, b.cand, b.candidatesTail()},
		{sheetEvidence, b.evid, sheetTail{cols: len(evidenceHeaders), filter: true}},
		{sheetReview, b.rev, revTail},
	}
	for _, t := range tables {
		if err := b.pageSetup(t.sheet, true, false, true); err != nil {
			return nil, err
		}
		if rows := t.s.rows - 1; t.tail.filter && rows > 0 {
			if err := b.autoFilter(t.sheet, t.tail.cols, rows); err != nil {
				return nil, err
			}
		}
		t.tail.pageSetup = b.pageSetupXML(true, false)
		e, err := t.s.close(t.tail)
		if err != nil {
			return nil, err
		}
		name, err := b.sheetPart(t.sheet)
		if err != nil {
			return nil, err
		}
		e.name = name
		parts[name] = e
	}
	return parts, nil
}

// pageSetupXML is the <pageSetup> element pageSetup sets, for streamed sheets.
func (b *wb) pageSetupXML(landscape, onePage bool) string {
	size := "9" // A4
	if strings.EqualFold(b.opts.Brand.Paper, "letter") {
		size = "1"
	}
	orient := "portrait"
	if landscape {
		orient = "landscape"
	}
	tall := "0"
	if onePage {
		tall = "1"
	}
	return `<pageSetup paperSize="` + size + `" orientation="` + orient + `" fitToWidth="1" fitToHeight="` + tall + `"/>`
}

func (b *wb) docProps() *excelize.DocProperties {
	p := &excelize.DocProperties{
		Creator:        "failwell",
		LastModifiedBy: "failwell",
		Title:          "Cohort report",
		Subject:        "Failure-story scores",
		Description:    "Generated by failwell " + b.opts.Version,
		Version:        b.opts.Version,
	}
	if b.opts.Brand.Org != "" {
		p.Title = b.opts.Brand.Org + " — cohort report"
	}
	if !b.opts.Date.IsZero() {
		ts := b.opts.Date.UTC().Format(time.RFC3339)
		p.Created, p.Modified = ts, ts
	}
	return p
}

func (b *wb) makeStyles() error {
	accent := b.opts.Brand.Accent
	if !xlHexColour(accent) {
		accent = defaultAccent
	}
	dateFmt := "yyyy-mm-dd"
	totalFmt := "0.0"
	meanFmt := "0.00"
	defs := []struct {
		id *int
		s  *excelize.Style
	}{
		{&b.st.header, &excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "#FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{accent}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		}},
		{&b.st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: accent}}},
		{&b.st.subtitle, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: accent},
			Border: []excelize.Border{{Type: "bottom", Color: accent, Style: 1}}}},
		{&b.st.label, &excelize.Style{Font: &excelize.Font{Color: "#404040"}}},
		{&b.st.bold, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&b.st.boldTop, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&b.st.date, &excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&b.st.total, &excelize.Style{CustomNumFmt: &totalFmt}},
		{&b.st.totalTop, &excelize.Style{CustomNumFmt: &totalFmt, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&b.st.mean, &excelize.Style{CustomNumFmt: &meanFmt}},
		{&b.st.num, &excelize.Style{NumFmt: 1}},
		{&b.st.numLeft, &excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&b.st.wrap, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&b.st.top, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&b.st.link, &excelize.Style{Font: &excelize.Font{Color: "#0563C1", Underline: "single"}}},
		{&b.st.note, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "#7F7F7F"}}},
		{&b.st.center, &excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center"}}},
	}
	for _, d := range defs {
		// A font with no name or size is drawn in the viewer's own default
		// (a serif in LibreOffice): name the workbook's default font.
		if fn := d.s.Font; fn != nil {
			if fn.Family == "" {
				fn.Family = "Calibri"
			}
			if fn.Size == 0 {
				fn.Size = 11
			}
		}
		id, err := b.f.NewStyle(d.s)
		if err != nil {
			return err
		}
		*d.id = id
	}
	return nil
}

// pageSetup makes sheet print on the brand's paper (landscape or portrait),
// one page wide (and one page tall when onePage), repeating the header row on
// every page when repeatHeader. Streamed sheets must call it before
// streaming.
func (b *wb) pageSetup(sheet string, landscape, onePage, repeatHeader bool) error {
	size := 9 // A4
	if strings.EqualFold(b.opts.Brand.Paper, "letter") {
		size = 1
	}
	orient := "portrait"
	if landscape {
		orient = "landscape"
	}
	wide, tall := 1, 0
	if onePage {
		tall = 1
	}
	fit := true
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &orient, FitToWidth: &wide, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	if !repeatHeader {
		return nil
	}
	return b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet,
	})
}

// autoFilter adds filter buttons to the header of a table of cols columns
// and rows data rows; streamed sheets must call it before streaming.
// tableStream opens a stream writer on a table sheet and writes what every
// table has: the column widths, a frozen header row (and the first frozenCols
// columns) and the header row itself. The caller streams the rows from row 2.
func (b *wb) tableStream(sheet string, headers []string, widths []float64, frozenCols int, headerOpts ...excelize.RowOpts) (*excelize.StreamWriter, error) {
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}
	if frozenCols > 0 {
		panes.XSplit = frozenCols
		panes.TopLeftCell = xlCol(frozenCols+1) + "2"
		panes.ActivePane = "bottomRight"
	}
	if err := sw.SetPanes(panes); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", xlHeader(headers, b.st.header), headerOpts...); err != nil {
		return nil, err
	}
	return sw, nil
}

func (b *wb) autoFilter(sheet string, cols, rows int) error {
	if rows == 0 {
		return nil
	}
	if err := b.f.AutoFilter(sheet, "A1:"+xlCol(cols)+strconv.Itoa(rows+1), nil); err != nil {
		return err
	}
	// AutoFilter replaces the sheet properties: restore fit-to-page.
	fit := true
	return b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// criteriaColumns lists the criteria shown as columns: the rubric's, else
// those of first (a scored result, or nil).
func criteriaColumns(first *evaluate.Result, r *evaluate.Rubric) []critCol {
	var cols []critCol
	if r != nil && len(r.Criteria) > 0 {
		for _, c := range r.Criteria {
			cols = append(cols, critCol{ID: c.ID, Name: c.Name, Weight: c.Weight})
		}
		return cols
	}
	if first != nil {
		for _, s := range first.Scores {
			cols = append(cols, critCol{ID: s.ID, Name: s.Name, Weight: s.Weight})
		}
	}
	return cols
}

// text returns s as a string cell value (never a formula: excelize stores
// strings as text whatever they start with), cut visibly at Excel's limit.
func (b *wb) text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsFunc(s, isXMLControl) {
		s = strings.Map(func(r rune) rune {
			if isXMLControl(r) {
				return -1 // invisible, and not allowed in XML
			}
			return r
		}, s)
	}
	if len(s) <= maxCellChars { // bytes >= UTF-16 units: cannot exceed
		return s
	}
	if utf16Len(s) <= maxCellChars {
		return s
	}
	b.truncated++
	limit := maxCellChars - utf16Len(truncMark)
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if n+w > limit {
			return s[:i] + truncMark
		}
		n += w
	}
	return s
}

// evidenceText formats evidence for one cell: each distinct quote once, in
// text order, followed by the notes of every signal that matched it.
func evidenceText(ev []evaluate.Evidence) string {
	var quotes []string
	notes := map[string][]string{}
	for _, e := range ev {
		if _, ok := notes[e.Quote]; !ok {
			quotes = append(quotes, e.Quote)
			notes[e.Quote] = nil
		}
		if e.Note != "" && !slices.Contains(notes[e.Quote], e.Note) {
			notes[e.Quote] = append(notes[e.Quote], e.Note)
		}
	}
	var b strings.Builder
	for i, q := range quotes {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("“" + q + "”")
		if n := notes[q]; len(n) > 0 {
			b.WriteString(" — " + strings.Join(n, "; "))
		}
	}
	return b.String()
}

// wrapped is the text of a wrapped cell and its column's width.
type wrapped struct {
	text  string
	width float64 // in Excel width units (about one digit each)
}

// rowHeight estimates the height, in points, that a row needs to show its
// wrapped cells in full: spreadsheet apps do not all size rows to wrapped
// text on opening (LibreOffice keeps the default height), so it is set
// explicitly. 15 points a line, at least one line and at most Excel's 409.
func rowHeight(cells ...wrapped) float64 {
	lines := 1
	for _, c := range cells {
		// Proportional text is narrower than the digits a width counts, but
		// lines break at spaces and LibreOffice's fallback fonts are wider:
		// one character per width unit fits both Excel and LibreOffice.
		perLine := max(int(c.width), 1)
		n := 0
		for par := range strings.SplitSeq(c.text, "\n") {
			n += max(1, (displayWidth(par)+perLine-1)/perLine)
		}
		lines = max(lines, n)
	}
	return min(15*float64(lines)+2, 409)
}

// isXMLControl reports whether r is a control character that XML 1.0
// cannot hold (all of C0 but tab, line feed and carriage return).
func isXMLControl(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }

// displayWidth approximates the width of s in characters of the default
// font: East Asian wide characters count twice.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
			r >= 0xF900 && r <= 0xFAFF || r >= 0xFF00 && r <= 0xFF60 || r >= 0x20000):
			n += 2
		default:
			n++
		}
	}
	return n
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 && r <= utf8.MaxRune {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// cell is a styled value for a StreamWriter row.
func xlCell(style int, v any) excelize.Cell { return excelize.Cell{StyleID: style, Value: v} }

// pos is the 1-based batch position of a result (its NNN).
func batchPos(r *evaluate.Result) int { return r.Story.Index + 1 }

// scoreLevel returns the level of criterion id in r, or -1.
func scoreLevel(r *evaluate.Result, id string) int {
	for _, s := range r.Scores {
		if s.ID == id {
			return s.Level
		}
	}
	return -1
}

// xlCol returns the column letters of 1-based column n.
func xlCol(n int) string {
	s, _ := excelize.ColumnNumberToName(n)
	return s
}

func xlHexColour(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(s[1:], 16, 32)
	return err == nil
}

// candidatesHeaders returns the Candidates columns and their default widths.
func (b *wb) candidatesHeaders() ([]string, []float64) {
	headers := []string{"#", "ID", "Name", "Email", "Cohort", "Submitted", "Words", "Total", "Band"}
	widths := []float64{6, 12, 26, 28, 14, 12, 8, 8, 14}
	for _, c := range b.criteria {
		headers = append(headers, c.Name)
		widths = append(widths, 13.5)
	}
	headers = append(headers, "Flags", "Top strength", "First change")
	widths = append(widths, 20, 50, 50)
	if !b.opts.NoPDF {
		headers = append(headers, "PDF")
		widths = append(widths, 8)
	}
	headers = append(headers, "Source row")
	widths = append(widths, 30)
	return headers, widths
}

// startCandidates opens the Candidates sheet: one row per scored result, in
// input order, with a frozen header, an autofilter and colour scales. The
// short text columns are fitted to the first fitRows rows.
func (b *wb) startCandidates() {
	headers, widths := b.candidatesHeaders()
	b.cand = newSheetStream(tmpDirFor(b.opts.Dir), headers, widths, 3, b.st.header, 45)
	for _, col := range b.candFitCols() {
		b.candFit[col] = displayWidth(headers[col])
	}
}

// candFitCols are the Candidates columns fitted to their content: id, name,
// email, cohort, band, flags and source row.
func (b *wb) candFitCols() []int {
	nc := len(b.criteria)
	last := len(b.cand.width)
	return []int{1, 2, 3, 4, 8, 9 + nc, last - 1}
}

// fitCandidates sets the fitted widths from what was seen.
func (b *wb) fitCandidates() {
	for col, w := range b.candFit {
		b.cand.width[col] = min(max(float64(w)*1.1+2, 6), 45)
	}
}

// candidateRow adds r's row to the Candidates sheet.
func (b *wb) candidateRow(r *evaluate.Result, pdf string, pdfErr error) {
	s := b.cand
	codes := make([]string, len(r.Flags))
	n := 0
	for j, fl := range r.Flags {
		codes[j] = fl.Code
		n += len(fl.Code) + 2
	}
	flags := b.text(strings.Join(codes, ", "))
	id, name, email, cohort, band, ref := b.text(r.Story.ID), b.text(r.Story.Name), b.text(r.Story.Email),
		b.text(r.Story.Cohort), b.text(r.Band), b.text(r.Story.Ref)
	nc := len(b.criteria)
	if s.holding() {
		last := len(s.width)
		for col, v := range map[int]int{1: displayWidth(id), 2: displayWidth(name), 3: displayWidth(email),
			4: displayWidth(cohort), 8: displayWidth(band), 9 + nc: max(n-2, 0), last - 1: displayWidth(ref)} {
			b.candFit[col] = max(b.candFit[col], v)
		}
	}
	s.startRow(0)
	s.int(0, 0, batchPos(r))
	s.str(1, 0, id)
	s.str(2, 0, name)
	s.str(3, 0, email)
	s.str(4, 0, cohort)
	if !r.Story.Submitted.IsZero() {
		s.date(5, b.st.date, r.Story.Submitted)
	}
	s.int(6, 0, r.Words)
	s.num(7, b.st.total, r.Total)
	s.str(8, 0, band)
	for j, c := range b.criteria {
		if l := scoreLevel(r, c.ID); l >= 0 {
			s.int(9+j, b.st.center, l)
		}
	}
	col := 9 + nc
	s.str(col, 0, flags)
	s.str(col+1, 0, b.text(r.Strength))
	s.str(col+2, 0, b.text(r.Change))
	col += 3
	if !b.opts.NoPDF {
		switch {
		case pdf != "":
			s.formula(col, b.st.link, `HYPERLINK("`+strings.ReplaceAll(pdf, `"`, `""`)+`","Open")`, "Open")
		case pdfErr != nil:
			s.str(col, 0, "failed")
		}
		col++
	}
	s.str(col, 0, ref)
	s.endRow()
	if s.holding() && s.rows > fitRows {
		b.fitCandidates()
		s.release()
	}
}

// candidatesTail is what follows the Candidates rows: the autofilter and the
// colour scales of the levels and the total.
func (b *wb) candidatesTail() sheetTail {
	if b.cand.holding() {
		b.fitCandidates()
	}
	t := sheetTail{cols: len(b.cand.width), filter: true}
	if n := b.cand.rows - 1; n > 0 {
		end := strconv.Itoa(n + 1)
		if nc := len(b.criteria); nc > 0 {
			t.condFmt += colorScale("J2:"+xlCol(9+nc)+end, 0, 2, 4, 1)
		}
		t.condFmt += colorScale("H2:H"+end, 0, 50, 100, 2)
	}
	return t
}

func xlHeader(headers []string, style int) []any {
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = xlCell(style, h)
	}
	return row
}

var (
	evidenceHeaders = []string{"#", "Name", "Criterion", "Level", "Descriptor", "Evidence", "Feedback", "Next step"}
	evidenceWidths  = []float64{6, 24, 22, 7, 40, 60, 60, 45}
	reviewHeaders   = []string{"#", "Name", "Total", "Band", "Flag", "Why", "Source row"}
	reviewWidths    = []float64{6, 24, 8, 14, 18, 80, 30}
)

// startEvidence opens the Evidence sheet: one row per scored candidate ×
// criterion, with the quotes and the feedback.
func (b *wb) startEvidence() {
	b.evid = newSheetStream(tmpDirFor(b.opts.Dir), evidenceHeaders, slices.Clone(evidenceWidths), 0, b.st.header, 0)
	b.evid.release()
}

// evidenceRows adds r's rows to the Evidence sheet.
func (b *wb) evidenceRows(r *evaluate.Result) {
	s, w := b.evid, evidenceWidths
	name := b.text(r.Story.Name)
	for _, sc := range r.Scores {
		desc, quotes := b.text(sc.Descriptor), b.text(evidenceText(sc.Evidence))
		feedback, next := b.text(sc.Feedback), b.text(sc.NextStep)
		s.startRow(rowHeight(wrapped{desc, w[4]}, wrapped{quotes, w[5]}, wrapped{feedback, w[6]}, wrapped{next, w[7]}))
		s.int(0, b.st.top, batchPos(r))
		s.str(1, b.st.top, name)
		s.str(2, b.st.top, b.text(sc.Name))
		s.int(3, b.st.top, sc.Level)
		s.str(4, b.st.wrap, desc)
		s.str(5, b.st.wrap, quotes)
		s.str(6, b.st.wrap, feedback)
		s.str(7, b.st.wrap, next)
		s.endRow()
	}
}

// startReview opens the Review sheet: one row per review flag, and one per
// PDF that could not be written ("pdf-failed").
func (b *wb) startReview() {
	b.rev = newSheetStream(tmpDirFor(b.opts.Dir), reviewHeaders, slices.Clone(reviewWidths), 0, b.st.header, 0)
	b.rev.release()
}

// reviewRows adds r's flags (and its PDF failure) to the Review sheet.
func (b *wb) reviewRows(r *evaluate.Result, pdfErr error) {
	type item struct{ code, why string }
	items := make([]item, 0, len(r.Flags)+1)
	for _, fl := range r.Flags {
		items = append(items, item{fl.Code, fl.Message})
	}
	if pdfErr != nil {
		items = append(items, item{"pdf-failed", "The PDF report could not be written: " + pdfErr.Error()})
	}
	s := b.rev
	for _, it := range items {
		msg := b.text(it.why)
		s.startRow(rowHeight(wrapped{msg, reviewWidths[5]}))
		s.int(0, b.st.top, batchPos(r))
		s.str(1, b.st.top, b.text(r.Story.Name))
		s.num(2, b.st.totalTop, r.Total)
		s.str(3, b.st.top, b.text(r.Band))
		s.str(4, b.st.top, b.text(it.code))
		s.str(5, b.st.wrap, msg)
		s.str(6, b.st.top, b.text(r.Story.Ref))
		s.endRow()
		b.nReview++
	}
}

// maxRejectedFields bounds the original-value columns of the Rejected sheet;
// further headers share one "Other values" column.
const maxRejectedFields = 40

// rejected writes the Rejected sheet: each unscored row with its reason and
// original values, one column per original header (first-seen order).
func (b *wb) rejectedSheet() error {
	var fieldHeaders []string
	col := map[string]int{}
	other := false // some value has no column of its own
	for i := range b.rejected {
		r := &b.rejected[i]
		seen := map[string]bool{}
		for _, fd := range r.Story.Fields {
			if seen[fd.Header] {
				other = true // duplicate header within the row
				continue
			}
			seen[fd.Header] = true
			if _, ok := col[fd.Header]; ok {
				continue
			}
			if len(fieldHeaders) == maxRejectedFields {
				other = true
				continue
			}
			col[fd.Header] = len(fieldHeaders)
			fieldHeaders = append(fieldHeaders, fd.Header)
		}
	}
	headers := []string{"Source row", "Reason"}
	for _, h := range fieldHeaders {
		if h == "" {
			h = "(no header)"
		}
		headers = append(headers, b.text(h))
	}
	if other {
		headers = append(headers, "Other values")
	}
	if err := b.pageSetup(sheetRejected, true, false, true); err != nil {
		return err
	}
	if err := b.autoFilter(sheetRejected, len(headers), b.sum.Counts.Rejected); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(sheetRejected)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 30); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 60); err != nil {
		return err
	}
	// Original values: 24 wide, or 60 for a column of long text (the
	// story), wrapped.
	widths := make([]float64, len(headers))
	for k := 2; k < len(headers); k++ {
		widths[k] = 24
	}
	for i := range b.rejected {
		r := &b.rejected[i]
		for _, fd := range r.Story.Fields {
			if k, ok := col[fd.Header]; ok && utf8.RuneCountInString(fd.Value) > 48 {
				widths[2+k] = 60
			}
		}
	}
	if other {
		widths[len(widths)-1] = 60
	}
	for k := 2; k < len(headers); k++ {
		if err := sw.SetColWidth(k+1, k+1, widths[k]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", xlHeader(headers, b.st.header)); err != nil {
		return err
	}
	row := 2
	for i := range b.rejected {
		r := &b.rejected[i]
		vals := make([]any, len(headers))
		vals[0] = xlCell(b.st.top, b.text(r.Story.Ref))
		reason := b.text(r.Err.Error())
		vals[1] = xlCell(b.st.wrap, reason)
		cells := []wrapped{{reason, 60}}
		var rest []string
		for _, fd := range r.Story.Fields {
			if k, ok := col[fd.Header]; ok && vals[2+k] == nil {
				v := b.text(fd.Value)
				vals[2+k] = xlCell(b.st.wrap, v)
				cells = append(cells, wrapped{v, widths[2+k]})
				continue
			}
			rest = append(rest, fd.Header+": "+fd.Value)
		}
		if len(rest) > 0 {
			v := b.text(strings.Join(rest, "; "))
			vals[len(vals)-1] = xlCell(b.st.wrap, v)
			cells = append(cells, wrapped{v, widths[len(widths)-1]})
		}
		if err := sw.SetRow("A"+strconv.Itoa(row), vals, excelize.RowOpts{Height: rowHeight(cells...)}); err != nil {
			return err
		}
		row++
	}
	if row == 2 {
		if err := sw.SetRow("A2", []any{xlCell(b.st.note, "No row was rejected.")}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// rubric writes the Rubric sheet: the criteria with weights and level
// descriptors, then the bands.
func (b *wb) rubric() error {
	f, s := b.f, sheetRubric
	r := b.opts.Rubric
	if r == nil {
		return f.SetCellStr(s, "A1", "No rubric was given.")
	}
	if err := b.pageSetup(s, true, false, false); err != nil {
		return err
	}
	widths := []float64{14, 24, 8, 10, 40, 30, 30, 30, 30, 30}
	for col, w := range widths {
		if err := f.SetColWidth(s, xlCol(col+1), xlCol(col+1), w); err != nil {
			return err
		}
	}
	set := newXLSetter(f, s)
	set.str(1, 1, b.text(r.Name), b.st.title)
	set.str(2, 1, b.text(fmt.Sprintf("%s, version %s", r.ID, r.Version)), b.st.label)
	if r.Description != "" {
		set.str(3, 1, b.text(r.Description), b.st.label)
	}
	headers := []string{"ID", "Criterion", "Weight", "Share of total", "Description",
		"Level 0", "Level 1", "Level 2", "Level 3", "Level 4"}
	for i, h := range headers {
		set.str(5, i+1, h, b.st.header)
	}
	if set.err == nil {
		set.err = f.SetRowHeight(s, 5, 30)
	}
	var wsum float64
	for _, c := range r.Criteria {
		wsum += c.Weight
	}
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 9, Alignment: &excelize.Alignment{Vertical: "top"}})
	for i, c := range r.Criteria {
		row := 6 + i
		set.str(row, 1, b.text(c.ID), b.st.top)
		set.str(row, 2, b.text(c.Name), b.st.wrap)
		set.num(row, 3, finiteOr0(c.Weight), b.st.top)
		if wsum > 0 {
			set.num(row, 4, finiteOr0(c.Weight/wsum), pct)
		}
		cells := []wrapped{{c.Name, widths[1]}, {c.Description, widths[4]}}
		set.str(row, 5, b.text(c.Description), b.st.wrap)
		for l, lv := range c.Levels {
			if l > 4 {
				break
			}
			set.str(row, 6+l, b.text(lv.Descriptor), b.st.wrap)
			cells = append(cells, wrapped{lv.Descriptor, widths[5+l]})
		}
		if set.err == nil {
			set.err = f.SetRowHeight(s, row, rowHeight(cells...))
		}
	}
	// Bands: name, minimum, and the description across the next columns.
	row := 6 + len(r.Criteria) + 2
	for i, h := range []string{"Band", "Minimum total", "Description", "", ""} {
		set.str(row, i+1, h, b.st.header)
	}
	if set.err == nil {
		set.err = f.MergeCell(s, set.ref(row, 3), set.ref(row, 5))
	}
	bands := slices.Clone(r.Bands)
	slices.SortStableFunc(bands, func(x, y evaluate.Band) int { return cmp.Compare(y.Min, x.Min) })
	for i, bd := range bands {
		rr := row + 1 + i
		set.str(rr, 1, b.text(bd.Name), b.st.boldTop)
		set.num(rr, 2, finiteOr0(bd.Min), b.st.totalTop)
		set.str(rr, 3, b.text(bd.Description), b.st.wrap)
		if set.err == nil {
			set.err = f.MergeCell(s, set.ref(rr, 3), set.ref(rr, 5))
		}
		if set.err == nil {
			set.err = f.SetRowHeight(s, rr, rowHeight(wrapped{bd.Description, widths[2] + widths[3] + widths[4]}))
		}
	}
	return set.err
}

// run writes the Run sheet: what run.json holds, as far as it is known.
func (b *wb) run() error {
	if err := b.pageSetup(sheetRun, false, false, false); err != nil {
		return err
	}
	set := newXLSetter(b.f, sheetRun)
	c := b.sum.Counts
	set.str(1, 1, "Run", b.st.title)
	row := 3
	kv := func(k string, v any) {
		set.str(row, 1, k, b.st.label)
		switch v := v.(type) {
		case string:
			set.str(row, 2, b.text(v), 0)
		case int:
			set.num(row, 2, float64(v), b.st.numLeft)
		}
		row++
	}
	version := b.opts.Version
	if version == "" {
		version = "devel"
	}
	kv("Program", "failwell "+version)
	kv("Generated", isoDate(b.opts.Date))
	if ri := b.opts.Run; ri != nil {
		if !ri.Start.IsZero() {
			kv("Started", ri.Start.UTC().Format(time.RFC3339))
		}
		if ri.AsOf != "" {
			kv("As-of date", ri.AsOf)
		}
		if ri.Jobs > 0 {
			kv("Jobs", ri.Jobs)
		}
		if len(ri.Args) > 0 {
			kv("Arguments", strings.Join(ri.Args, " "))
		}
		for i, in := range ri.Inputs {
			kv(fmt.Sprintf("Input %d", i+1), in.Path)
			kv("  rows", in.Rows)
			kv("  sha256", in.SHA256)
		}
		if ri.Rubric.Path != "" {
			kv("Rubric file", ri.Rubric.Path)
		}
		if ri.Rubric.SHA256 != "" {
			kv("Rubric sha256", ri.Rubric.SHA256)
		}
	}
	if r := b.opts.Rubric; r != nil {
		kv("Rubric", r.ID+" "+r.Version)
	}
	kv("Rows read", c.Read)
	kv("Scored", c.Scored)
	kv("Rejected", c.Rejected)
	kv("Flagged for review", c.Flagged)
	if !b.opts.NoPDF {
		kv("PDFs written", c.PDFs)
		kv("PDFs failed", b.sum.PDFFailed)
	} else {
		kv("PDFs", "not written (--no-pdf)")
	}
	kv("Cells truncated", b.truncated)
	if err := b.f.SetColWidth(sheetRun, "A", "A", 22); err != nil {
		return err
	}
	if err := b.f.SetColWidth(sheetRun, "B", "B", 70); err != nil {
		return err
	}
	return set.err
}

// xlSetter sets cells on a normal sheet, keeping the first error.
type xlSetter struct {
	f     *excelize.File
	sheet string
	err   error
}

func newXLSetter(f *excelize.File, sheet string) *xlSetter { return &xlSetter{f: f, sheet: sheet} }

func (s *xlSetter) ref(row, col int) string { return xlCol(col) + strconv.Itoa(row) }

func (s *xlSetter) style(row, col, style int) {
	if style != 0 && s.err == nil {
		r := s.ref(row, col)
		s.err = s.f.SetCellStyle(s.sheet, r, r, style)
	}
}

// str stores v as text (SetCellStr never makes a formula).
func (s *xlSetter) str(row, col int, v string, style int) {
	if s.err == nil {
		s.err = s.f.SetCellStr(s.sheet, s.ref(row, col), v)
	}
	s.style(row, col, style)
}

func (s *xlSetter) num(row, col int, v float64, style int) {
	if s.err == nil {
		s.err = s.f.SetCellFloat(s.sheet, s.ref(row, col), v, -1, 64)
	}
	s.style(row, col, style)
}

// totalStats are descriptive statistics of a list of numbers.
type totalStats struct {
	N                          int
	Mean, Median, SD, Min, Max float64
}

func describeTotals(xs []float64) totalStats {
	st := totalStats{N: len(xs)}
	if len(xs) == 0 {
		return st
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	st.Min, st.Max = s[0], s[len(s)-1]
	var sum float64
	for _, x := range s {
		sum += x
	}
	st.Mean = sum / float64(len(s))
	if len(s)%2 == 1 {
		st.Median = s[len(s)/2]
	} else {
		st.Median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	if len(s) > 1 {
		var ss float64
		for _, x := range s {
			ss += (x - st.Mean) * (x - st.Mean)
		}
		st.SD = math.Sqrt(ss / float64(len(s)-1))
	}
	return st
}
