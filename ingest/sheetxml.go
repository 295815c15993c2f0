package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// A purpose-built reader of worksheet XML. excelize's streaming row reader
// decodes every cell through encoding/xml and reflection; on a 100,000-row
// sheet that is most of the read. This reader scans the bytes of
// <sheetData> directly and gives the same rows as excelize's Rows and
// Columns with raw cell values, for the shapes spreadsheet apps write:
// rows with increasing r attributes, cells with r attributes in
// increasing columns, holding <v>, <f> and <is> (plain or rich text). On
// anything else (a row or cell without r, rows or cells out of order,
// CDATA, comments or unknown elements inside the sheet data, entities in
// attributes, a namespace prefix...) it gives up with errNotSimple before
// anything is emitted, and the sheet is read with excelize instead. The
// XML is already known to be well-formed (checkZip).

// errNotSimple: the worksheet has a shape the fast reader leaves to
// excelize.
var errNotSimple = errors.New("worksheet XML not in the simple shape")

// sharedStrings looks up a shared string as excelize does: ok is false for
// an index outside the table.
type sharedStrings func(i int) (string, bool)

// sheetSource locates a worksheet's XML part in the zip as excelize does
// (package relationships → workbook → workbook relationships → target),
// and the shared strings excelize loaded. It returns nil when anything is
// unusual (then excelize reads the rows).
func sheetSource(data []byte, f *excelize.File, sheet string, xmlLimit int64) (*zip.File, sharedStrings) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil
	}
	entries := map[string]*zip.File{}
	for _, zf := range zr.File {
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		if _, dup := entries[name]; dup {
			return nil, nil
		}
		entries[name] = zf
		if strings.EqualFold(name, "xl/sharedStrings.xml") && zf.FileInfo().Size() > xmlLimit {
			return nil, nil // excelize keeps it in a temporary file
		}
	}
	type rel struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:",attr"`
		Type   string `xml:",attr"`
	}
	readRels := func(name string) []rel {
		zf := entries[name]
		if zf == nil || zf.UncompressedSize64 > 1<<20 {
			return nil
		}
		rc, err := zf.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		var rels struct {
			Rels []rel `xml:"Relationship"`
		}
		if xml.NewDecoder(rc).Decode(&rels) != nil {
			return nil
		}
		return rels.Rels
	}
	wbPath := ""
	for _, r := range readRels("_rels/.rels") {
		if r.Type == excelize.SourceRelationshipOfficeDocument || r.Type == excelize.StrictSourceRelationshipOfficeDocument {
			wbPath = strings.TrimPrefix(r.Target, "/")
			break
		}
	}
	if wbPath == "" || f.WorkBook == nil {
		return nil, nil
	}
	relsPath := "_rels/" + filepath.Base(wbPath) + ".rels"
	if dir := filepath.Dir(wbPath); dir != "." {
		relsPath = strings.TrimPrefix(dir+"/_rels/"+filepath.Base(wbPath)+".rels", "/")
	}
	id := ""
	for _, s := range f.WorkBook.Sheets.Sheet {
		if strings.EqualFold(s.Name, sheet) {
			if id != "" || s.Name != sheet {
				return nil, nil
			}
			id = s.ID
		}
	}
	part := ""
	for _, r := range readRels(relsPath) {
		if r.ID != id {
			continue
		}
		if part != "" {
			return nil, nil
		}
		part = filepath.ToSlash(strings.TrimPrefix(strings.ReplaceAll(filepath.Clean(fmt.Sprintf("%s/%s", filepath.Dir(wbPath), r.Target)), "\\", "/"), "/"))
		if strings.HasPrefix(r.Target, "/") {
			part = filepath.ToSlash(strings.TrimPrefix(strings.ReplaceAll(filepath.Clean(r.Target), "\\", "/"), "/"))
		}
	}
	zf := entries[part]
	if id == "" || zf == nil {
		return nil, nil
	}
	// Load excelize's shared strings table (reading one row does).
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, nil
	}
	rows.Next()
	_, cerr := rows.Columns()
	rows.Close()
	if cerr != nil {
		return nil, nil
	}
	var sst sharedStrings = func(int) (string, bool) { return "", false }
	if f.SharedStrings != nil {
		si := f.SharedStrings.SI
		sst = func(i int) (string, bool) {
			if i < 0 || i >= len(si) {
				return "", false
			}
			return si[i].String(), true
		}
	}
	return zf, sst
}

// fastRows reads the non-blank rows of a worksheet part with the fast
// reader. It returns errNotSimple when it meets a shape it leaves to
// excelize, possibly after rows were yielded: a first pass that reads the
// whole sheet finds out, and the same bytes always give the same answer.
//
// With light.on, the cells of columns other than light.keep (0-based)
// are not decoded: they read as "" (empty), " " (blank) or "x", which
// keeps each row's blankness and width, all that a first pass needs of
// them, without copying every story.
func fastRows(zf *zip.File, sst sharedStrings, light *lightMode) rowSeq {
	var kinds []byte // shared strings' placeholders, by index, 0 = not yet known
	return func(yield func(rawRow) bool) error {
		rc, err := zf.Open()
		if err != nil {
			return errNotSimple
		}
		defer rc.Close()
		s := &sheetScanner{br: bufio.NewReaderSize(rc, 256<<10), sst: sst, light: light, sstKinds: kinds}
		err = s.scan(yield)
		kinds = s.sstKinds
		return err
	}
}

// lightMode is shared by the fast reader and the first pass over a
// sheet: on asks the reader not to decode cells outside column keep
// (0-based); with record, it notes the cells that hold a formula and a
// blank value, so that excelize is asked for formulas only there.
type lightMode struct {
	on       bool
	keep     int
	part     string // the sheet's zip entry
	record   bool
	formulas map[[2]int]bool // {row, 0-based column} of blank cells with a formula
}

// placeholders of undecoded cells, by blankness.
const (
	phEmpty = ""
	phBlank = " "
	phText  = "x"
)

// placeholder is the stand-in for the character data raw: the decoded
// value itself if it holds an entity, a CR, or (with bstr) an _xHHHH_
// escape, else a placeholder as blank as it.
func (s *sheetScanner) placeholder(raw []byte, bstr bool) (string, error) {
	if bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 || bstr && bytes.Contains(raw, []byte("_x")) {
		str, err := s.unescape(raw)
		if err != nil || !bstr || str == "" {
			return str, err
		}
		return bstrUnmarshal(str), nil
	}
	return placeholderOf(raw), nil
}

func placeholderOf[T string | []byte](b T) string {
	switch {
	case len(b) == 0:
		return phEmpty
	case blankText(string(b)):
		return phBlank
	}
	return phText
}

// sstPlaceholder is the placeholder of shared string i ("" if there is
// none), remembered for the next time.
func (s *sheetScanner) sstPlaceholder(i int) string {
	if i < len(s.sstKinds) && s.sstKinds[i] != 0 {
		return []string{phEmpty, phBlank, phText}[s.sstKinds[i]-1]
	}
	str, ok := s.sst(i)
	if !ok {
		return ""
	}
	ph := placeholderOf(str)
	if i >= len(s.sstKinds) {
		s.sstKinds = append(s.sstKinds, make([]byte, i+1-len(s.sstKinds))...)
	}
	s.sstKinds[i] = map[string]byte{phEmpty: 1, phBlank: 2, phText: 3}[ph]
	return ph
}

// leafRaw reads the character data of an element with no children up to
// its end tag into s.raw, undecoded.
func (s *sheetScanner) leafRaw(name string) error {
	txt, err := s.readText()
	if err != nil {
		return errNotSimple
	}
	s.raw = append(s.raw[:0], txt...)
	t, err := s.readTag()
	if err != nil || t.kind != '/' || t.name != name || t.prefixed {
		return errNotSimple
	}
	return nil
}

// sheetScanner reads worksheet XML token by token.
type sheetScanner struct {
	br  *bufio.Reader
	sst sharedStrings
	buf []byte // the current tag or text
	txt []byte // scratch for decoded text
	raw []byte // undecoded text of a light cell

	light     *lightMode
	lightCell bool   // the current cell is not decoded
	sstKinds  []byte // see fastRows
}

// tag is one markup item: kind '<' start tag, '/' end tag, '!' comment,
// CDATA or DOCTYPE, '?' processing instruction.
type tag struct {
	kind      byte
	name      string // local name; "" for '!' and '?'
	prefixed  bool
	attrs     []byte // the raw attributes of a start tag
	selfClose bool
}

// readText reads the character data up to the next '<' (consumed) into
// s.buf; at the end of the input it returns io.EOF, with the text before
// the end in s.buf.
func (s *sheetScanner) readText() ([]byte, error) {
	s.buf = s.buf[:0]
	for {
		b, err := s.br.ReadSlice('<')
		if err == bufio.ErrBufferFull {
			s.buf = append(s.buf, b...)
			continue
		}
		if err != nil {
			s.buf = append(s.buf, b...) // the text before the end
			return nil, err
		}
		s.buf = append(s.buf, b[:len(b)-1]...)
		return s.buf, nil
	}
}

// readTag reads markup after its '<' up to the closing '>': a comment
// ends with "-->", a CDATA section with "]]>", a processing instruction
// with "?>", other "<!" markup (a DOCTYPE, which the callers refuse) at
// the first '>', and a tag at the first '>' outside a quoted attribute
// value. Each byte is looked at once.
func (s *sheetScanner) readTag() (tag, error) {
	s.buf = s.buf[:0]
	var q byte
	scanned := 0
	for {
		b, err := s.br.ReadSlice('>')
		s.buf = append(s.buf, b...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return tag{}, io.ErrUnexpectedEOF
		}
		if s.tagDone(&q, &scanned) {
			break
		}
	}
	t := s.buf[:len(s.buf)-1]
	switch {
	case len(t) > 0 && t[0] == '!':
		return tag{kind: '!'}, nil
	case len(t) > 0 && t[0] == '?':
		return tag{kind: '?'}, nil
	case len(t) > 0 && t[0] == '/':
		name, pre := localName(bytes.TrimSpace(t[1:]))
		return tag{kind: '/', name: name, prefixed: pre}, nil
	}
	tg := tag{kind: '<'}
	if len(t) > 0 && t[len(t)-1] == '/' {
		tg.selfClose = true
		t = t[:len(t)-1]
	}
	i := bytes.IndexAny(t, " \t\r\n")
	if i < 0 {
		i = len(t)
	}
	tg.name, tg.prefixed = localName(t[:i])
	tg.attrs = t[i:]
	return tg, nil
}

// tagDone reports whether the markup in s.buf, which ends with '>', is
// whole; q and scanned keep the quote state of a tag between calls.
func (s *sheetScanner) tagDone(q *byte, scanned *int) bool {
	b := s.buf
	switch {
	case bytes.HasPrefix(b, []byte("!--")):
		return len(b) >= 6 && bytes.HasSuffix(b, []byte("-->"))
	case bytes.HasPrefix(b, []byte("![CDATA[")):
		return bytes.HasSuffix(b, []byte("]]>"))
	case b[0] == '?':
		return len(b) >= 3 && bytes.HasSuffix(b, []byte("?>"))
	case b[0] == '!':
		return true
	}
	for _, c := range b[*scanned:] {
		switch {
		case *q != 0:
			if c == *q {
				*q = 0
			}
		case c == '"' || c == '\'':
			*q = c
		}
	}
	*scanned = len(b)
	return *q == 0
}

func localName(b []byte) (string, bool) {
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		return string(b[i+1:]), true
	}
	switch string(b) { // no allocation for the names that matter
	case "row":
		return "row", false
	case "c":
		return "c", false
	case "v":
		return "v", false
	case "f":
		return "f", false
	case "is":
		return "is", false
	case "t":
		return "t", false
	case "r":
		return "r", false
	case "sheetData":
		return "sheetData", false
	}
	return string(b), false
}

// cellType returns the t attribute as a string without allocating for
// the usual types.
func cellType(t []byte) string {
	switch string(t) {
	case "":
		return ""
	case "s":
		return "s"
	case "str":
		return "str"
	case "inlineStr":
		return "inlineStr"
	case "n":
		return "n"
	case "b":
		return "b"
	case "e":
		return "e"
	case "d":
		return "d"
	}
	return string(t)
}

// attrs2 is [attr] for two attributes at once, with the values as bytes
// of attrs.
func attrs2(attrs []byte, a, b string) (va, vb []byte, oka, okb bool, err error) {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		if len(attrs) == 0 {
			break
		}
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return nil, nil, false, false, errNotSimple
		}
		key := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return nil, nil, false, false, errNotSimple
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil, nil, false, false, errNotSimple
		}
		val := rest[1 : 1+end]
		attrs = rest[end+2:]
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			if l := string(key[i+1:]); l == a || l == b {
				return nil, nil, false, false, errNotSimple
			}
			continue
		}
		var v *[]byte
		var ok *bool
		switch string(key) {
		case a:
			v, ok = &va, &oka
		case b:
			v, ok = &vb, &okb
		default:
			continue
		}
		if *ok || bytes.ContainsAny(val, "&\r\n\t") {
			return nil, nil, false, false, errNotSimple
		}
		*v, *ok = val, true
	}
	return va, vb, oka, okb, nil
}

// attr returns the value of the attribute name in raw attributes and
// whether it is there. Unusual attributes give errNotSimple: an entity or
// white space other than a space in the value, a prefixed name like
// name's, the attribute twice (encoding/xml accepts it).
func attr(attrs []byte, name string) (string, bool, error) {
	var (
		found string
		ok    bool
	)
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		if len(attrs) == 0 {
			break
		}
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return "", false, errNotSimple
		}
		key := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return "", false, errNotSimple
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return "", false, errNotSimple
		}
		val := rest[1 : 1+end]
		attrs = rest[end+2:]
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			if string(key[i+1:]) == name {
				return "", false, errNotSimple
			}
			continue
		}
		if string(key) != name {
			continue
		}
		if ok || bytes.ContainsAny(val, "&\r\n\t") {
			return "", false, errNotSimple
		}
		found, ok = string(val), true
	}
	return found, ok, nil
}

// unescape decodes character data as encoding/xml does: the five
// predefined entities and character references, and CRLF or CR as LF.
func (s *sheetScanner) unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return string(b), nil
	}
	out := s.txt[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '&':
			end := bytes.IndexByte(b[i:], ';')
			if end < 0 {
				return "", errNotSimple
			}
			ent := string(b[i+1 : i+end])
			i += end
			switch ent {
			case "lt":
				out = append(out, '<')
			case "gt":
				out = append(out, '>')
			case "amp":
				out = append(out, '&')
			case "quot":
				out = append(out, '"')
			case "apos":
				out = append(out, '\'')
			default:
				if len(ent) < 2 || ent[0] != '#' {
					return "", errNotSimple
				}
				var n uint64
				var err error
				if ent[1] == 'x' {
					n, err = strconv.ParseUint(ent[2:], 16, 32)
				} else {
					n, err = strconv.ParseUint(ent[1:], 10, 32)
				}
				if err != nil || !xmlChar(rune(n)) {
					return "", errNotSimple
				}
				out = utf8.AppendRune(out, rune(n))
			}
		default:
			out = append(out, c)
		}
	}
	s.txt = out
	return string(out), nil
}

// xmlChar is encoding/xml's isInCharacterRange.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// scan finds <sheetData> and reads its rows.
func (s *sheetScanner) scan(yield func(rawRow) bool) error {
	for {
		if _, err := s.readText(); err != nil {
			return errNotSimple // no sheetData
		}
		t, err := s.readTag()
		if err != nil {
			return errNotSimple
		}
		switch {
		case t.kind == '!' && bytes.HasPrefix(s.buf, []byte("!DOCTYPE")):
			return errNotSimple
		case t.kind != '<' && t.kind != '/':
			continue
		case t.name == "row" || t.name == "c" || t.kind == '/' && t.name == "sheetData":
			return errNotSimple // excelize would read these
		case t.name == "sheetData":
			if t.prefixed {
				return errNotSimple
			}
			if t.selfClose {
				return nil
			}
			return s.sheetData(yield)
		}
	}
}

// sheetData reads <row> elements up to </sheetData>.
func (s *sheetScanner) sheetData(yield func(rawRow) bool) error {
	prev := 0
	var cells []string
	for {
		if txt, err := s.readText(); err != nil || len(bytes.TrimSpace(txt)) > 0 {
			return errNotSimple
		}
		t, err := s.readTag()
		if err != nil || t.prefixed {
			return errNotSimple
		}
		switch {
		case t.kind == '/' && t.name == "sheetData":
			return nil
		case t.kind != '<' || t.name != "row":
			return errNotSimple
		}
		v, ok, err := attr(t.attrs, "r")
		if err != nil || !ok {
			return errNotSimple
		}
		num, ok := parseDigits(v)
		if !ok || num <= prev || num > excelize.TotalRows {
			return errNotSimple
		}
		prev = num
		cells = cells[:0]
		if !t.selfClose {
			if cells, err = s.row(num, cells); err != nil {
				return err
			}
		}
		if len(cells) > 0 && !isBlank(cells) {
			out := make([]string, len(cells))
			copy(out, cells)
			if !yield(newRawRow(num, out)) {
				return nil
			}
		}
	}
}

// row reads the cells of one row up to </row>, as excelize's Columns
// fills them: a cell's value at its column, empty cells before it; a cell
// with neither a value nor a formula adds nothing.
func (s *sheetScanner) row(num int, cells []string) ([]string, error) {
	for {
		if txt, err := s.readText(); err != nil || len(bytes.TrimSpace(txt)) > 0 {
			return nil, errNotSimple
		}
		t, err := s.readTag()
		if err != nil || t.prefixed {
			return nil, errNotSimple
		}
		switch {
		case t.kind == '/' && t.name == "row":
			return cells, nil
		case t.kind != '<' || t.name != "c":
			return nil, errNotSimple
		}
		ref, typB, ok, _, err := attrs2(t.attrs, "r", "t")
		if err != nil || !ok {
			return nil, errNotSimple
		}
		col, err := refColumn(ref)
		if err != nil {
			return nil, errNotSimple
		}
		typ := cellType(typB)
		var val string
		hasF := false
		s.lightCell = s.light != nil && s.light.on && col-1 != s.light.keep
		if !t.selfClose {
			if val, hasF, err = s.cell(typ); err != nil {
				return nil, err
			}
		}
		if hasF && s.light != nil && s.light.record && blankText(val) {
			if s.light.formulas == nil {
				s.light.formulas = map[[2]int]bool{}
			}
			s.light.formulas[[2]int{num, col - 1}] = true
		}
		if val != "" || hasF {
			for len(cells) < col-1 {
				cells = append(cells, "")
			}
			cells = append(cells, val)
		}
	}
}

// cell reads a cell's children up to </c> and returns its raw value as
// excelize gives it, and whether it has a formula.
func (s *sheetScanner) cell(typ string) (string, bool, error) {
	var (
		v, is       string
		hasV, hasIS bool
		hasF        bool
	)
	for {
		if txt, err := s.readText(); err != nil || len(bytes.TrimSpace(txt)) > 0 {
			return "", false, errNotSimple
		}
		t, err := s.readTag()
		if err != nil || t.prefixed {
			return "", false, errNotSimple
		}
		if t.kind == '/' && t.name == "c" {
			break
		}
		if t.kind != '<' {
			return "", false, errNotSimple
		}
		switch t.name {
		case "v":
			if hasV {
				return "", false, errNotSimple
			}
			hasV = true
			switch {
			case t.selfClose:
			case s.lightCell && typ != "s":
				if err = s.leafRaw("v"); err != nil {
					return "", false, err
				}
				if v, err = s.placeholder(s.raw, false); err != nil {
					return "", false, err
				}
			default:
				if v, err = s.leaf("v"); err != nil {
					return "", false, err
				}
			}
		case "f":
			hasF = true
			if !t.selfClose {
				if _, err = s.leaf("f"); err != nil {
					return "", false, err
				}
			}
		case "is":
			if hasIS {
				return "", false, errNotSimple
			}
			hasIS = true
			if !t.selfClose {
				if is, err = s.inline(); err != nil {
					return "", false, err
				}
			}
		default:
			return "", false, errNotSimple
		}
	}
	switch typ {
	case "s":
		if v == "" {
			return "", hasF, nil
		}
		i, ok := parseDigits(strings.TrimSpace(v))
		if !ok {
			return "", false, errNotSimple
		}
		if s.lightCell {
			return s.sstPlaceholder(i), hasF, nil
		}
		str, _ := s.sst(i)
		return str, hasF, nil
	case "inlineStr":
		if hasIS {
			return is, hasF, nil
		}
	}
	return v, hasF, nil
}

// leaf reads the character data of an element with no children up to
// its end tag.
func (s *sheetScanner) leaf(name string) (string, error) {
	txt, err := s.readText()
	if err != nil {
		return "", errNotSimple
	}
	val, err := s.unescape(txt)
	if err != nil {
		return "", err
	}
	t, err := s.readTag()
	if err != nil || t.kind != '/' || t.name != name || t.prefixed {
		return "", errNotSimple
	}
	return val, nil
}

// inline reads an <is> element (after its start tag) as excelize's
// xlsxSI.String does: the last direct <t>, then the <t> of each run <r>
// (the last one of the run), phonetic runs left out, and _xHHHH_ escapes
// decoded.
func (s *sheetScanner) inline() (string, error) {
	var (
		direct string
		runs   []string
	)
	s.raw = s.raw[:0]
	for {
		if txt, err := s.readText(); err != nil || len(bytes.TrimSpace(txt)) > 0 {
			return "", errNotSimple
		}
		t, err := s.readTag()
		if err != nil || t.prefixed {
			return "", errNotSimple
		}
		if t.kind == '/' && t.name == "is" {
			break
		}
		if t.kind != '<' {
			return "", errNotSimple
		}
		switch t.name {
		case "t":
			direct, s.raw = "", s.raw[:0]
			switch {
			case t.selfClose:
			case s.lightCell:
				if err = s.leafRaw("t"); err != nil {
					return "", err
				}
			default:
				if direct, err = s.leaf("t"); err != nil {
					return "", err
				}
			}
		case "r":
			if t.selfClose {
				continue
			}
			rt, err := s.run()
			if err != nil {
				return "", err
			}
			runs = append(runs, rt)
		case "rPh", "phoneticPr":
			if !t.selfClose {
				if err := s.skip(t.name); err != nil {
					return "", err
				}
			}
		default:
			return "", errNotSimple
		}
	}
	if s.lightCell {
		if len(runs) == 0 {
			return s.placeholder(s.raw, true)
		}
		var err error
		if direct, err = s.unescape(s.raw); err != nil {
			return "", err
		}
	}
	str := direct + strings.Join(runs, "")
	if str == "" {
		return "", nil
	}
	return bstrUnmarshal(str), nil
}

// run reads a rich-text run <r> (after its start tag): its last <t>.
func (s *sheetScanner) run() (string, error) {
	text := ""
	for {
		if txt, err := s.readText(); err != nil || len(bytes.TrimSpace(txt)) > 0 {
			return "", errNotSimple
		}
		t, err := s.readTag()
		if err != nil || t.prefixed {
			return "", errNotSimple
		}
		if t.kind == '/' && t.name == "r" {
			return text, nil
		}
		if t.kind != '<' {
			return "", errNotSimple
		}
		switch t.name {
		case "t":
			text = ""
			if !t.selfClose {
				if text, err = s.leaf("t"); err != nil {
					return "", err
				}
			}
		case "rPr":
			if !t.selfClose {
				if err := s.skip("rPr"); err != nil {
					return "", err
				}
			}
		default:
			return "", errNotSimple
		}
	}
}

// skip reads past the end of an element (after its start tag) whose
// content does not matter. Its children must not be named like the
// elements being read.
func (s *sheetScanner) skip(name string) error {
	depth := 1
	for depth > 0 {
		if _, err := s.readText(); err != nil {
			return errNotSimple
		}
		t, err := s.readTag()
		if err != nil {
			return errNotSimple
		}
		switch t.kind {
		case '<':
			if !t.selfClose {
				depth++
			}
		case '/':
			depth--
		default:
			return errNotSimple
		}
	}
	return nil
}

// parseDigits parses a decimal number of at most 9 digits.
func parseDigits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// refColumn returns the 1-based column of a cell reference such as "AB12"
// (upper-case letters, then a row number without leading zero).
func refColumn[T string | []byte](ref T) (int, error) {
	col, i := 0, 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i == 0 || i > 3 || i == len(ref) || ref[i] == '0' {
		return 0, errNotSimple
	}
	row, ok := parseDigits(string(ref[i:]))
	if !ok || row > excelize.TotalRows || col > excelize.MaxColumns {
		return 0, errNotSimple
	}
	return col, nil
}

var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// bstrUnmarshal is excelize's: it decodes the _xHHHH_ escapes of text
// that XML 1.0 cannot hold (built in one pass, where excelize's copy
// grows a string per escape).
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	matches, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), 0
	for _, match := range matches {
		b.WriteString(s[cursor:match[0]])
		cursor = match[1]
		if s[match[0]:match[1]] == "_x005F_" {
			b.WriteString("_")
			continue
		}
		v, _ := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`)
		b.WriteString(v)
	}
	b.WriteString(s[cursor:])
	return b.String()
}

// quickCheckXML checks a worksheet part for well-formedness faster than
// encoding/xml, for the plain XML that spreadsheet apps write: ASCII
// names with at most one prefix, quoted attributes, the predefined
// entities and character references, comments, an <?xml?> declaration of
// version 1.0 in UTF-8 at the start, valid UTF-8 text, and every element
// closed by its own end tag. It accepts only what encoding/xml's RawToken
// and checkXML also accept; when it is not sure (a DOCTYPE, CDATA, other
// processing instructions, unusual names or spacing, a mismatched tag) it
// returns ok false and checkXML decides. It reports whether the part has
// a mergeCell element.
func quickCheckXML(r io.Reader) (merges, ok bool) {
	s := &sheetScanner{br: bufio.NewReaderSize(r, 256<<10)}
	var stack []string
	start := true
	for {
		txt, err := s.readText()
		if err == io.EOF {
			return merges, len(stack) == 0 && validText(s.buf)
		}
		if err != nil || !validText(txt) {
			return false, false
		}
		if len(txt) > 0 {
			start = false
		}
		if _, err := s.readTag(); err != nil {
			return false, false
		}
		m := s.buf[:len(s.buf)-1] // the markup between < and >
		switch {
		case bytes.HasPrefix(m, []byte("?")):
			if !start || !reXMLDecl.Match(m) {
				return false, false
			}
		case bytes.HasPrefix(m, []byte("!--")):
			if len(m) < 5 || !bytes.HasSuffix(m, []byte("--")) {
				return false, false
			}
			body := m[3 : len(m)-2]
			if bytes.Contains(body, []byte("--")) || bytes.HasSuffix(body, []byte("-")) || !validChars(body) {
				return false, false
			}
		case bytes.HasPrefix(m, []byte("!")):
			return false, false
		case bytes.HasPrefix(m, []byte("/")):
			name := m[1:]
			if len(stack) == 0 || !plainName(name) || string(name) != stack[len(stack)-1] {
				return false, false
			}
			stack = stack[:len(stack)-1]
		default:
			self := bytes.HasSuffix(m, []byte("/"))
			if self {
				m = m[:len(m)-1]
			}
			i := bytes.IndexAny(m, " \t\r\n")
			if i < 0 {
				i = len(m)
			}
			name := m[:i]
			if !plainName(name) || !plainAttrs(m[i:]) {
				return false, false
			}
			local := name
			if j := bytes.IndexByte(name, ':'); j >= 0 {
				local = name[j+1:]
			}
			if string(local) == "mergeCell" {
				merges = true
			}
			if !self {
				if len(stack) == 64 {
					return false, false
				}
				stack = append(stack, string(name))
			}
		}
		start = false
	}
}

// reXMLDecl accepts <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
// and its shorter forms (the markup between < and >).
var reXMLDecl = regexp.MustCompile(`^\?xml(?:[ \t\r\n]+version=(?:"1\.0"|'1\.0'))?(?:[ \t\r\n]+encoding=(?:"(?i:utf-8)"|'(?i:utf-8)'))?(?:[ \t\r\n]+standalone=(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?$`)

// plainName: ASCII letters, digits, '_', '.', '-', not starting with a
// digit, '.' or '-', with at most one ':' between two such names.
func plainName(b []byte) bool {
	part := func(p []byte) bool {
		if len(p) == 0 || !(p[0] >= 'A' && p[0] <= 'Z' || p[0] >= 'a' && p[0] <= 'z' || p[0] == '_') {
			return false
		}
		for _, c := range p[1:] {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
				return false
			}
		}
		return true
	}
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		return part(b[:i]) && part(b[i+1:])
	}
	return part(b)
}

// plainAttrs accepts attributes each preceded by white space, written
// name="value" or name='value' with no space around '=', and valid text
// without '<' in the value, then optional white space.
func plainAttrs(b []byte) bool {
	for {
		n := len(b)
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 {
			return true
		}
		if n == len(b) {
			return false // no space before the attribute
		}
		eq := bytes.IndexByte(b, '=')
		if eq < 0 || !plainName(b[:eq]) || eq+1 >= len(b) || b[eq+1] != '"' && b[eq+1] != '\'' {
			return false
		}
		q := b[eq+1]
		end := bytes.IndexByte(b[eq+2:], q)
		if end < 0 {
			return false
		}
		val := b[eq+2 : eq+2+end]
		if bytes.IndexByte(val, '<') >= 0 || !validText(val) {
			return false
		}
		b = b[eq+2+end+1:]
	}
}

// validText accepts character data that encoding/xml accepts: valid
// characters, and '&' only in a predefined entity or a character
// reference to a valid character.
func validText(b []byte) bool {
	if bytes.Contains(b, []byte("]]>")) || !validChars(b) {
		return false
	}
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return true
		}
		b = b[i+1:]
		end := bytes.IndexByte(b, ';')
		if end < 0 || end > 10 {
			return false
		}
		switch ent := string(b[:end]); ent {
		case "lt", "gt", "amp", "quot", "apos":
		default:
			var n uint64
			var err error
			switch {
			case strings.ContainsAny(ent, "+-_"):
				return false
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return false
			}
			if err != nil || !xmlChar(rune(n)) {
				return false
			}
		}
		b = b[end+1:]
	}
}

// validChars: valid UTF-8 of characters XML 1.0 allows.
func validChars(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return utf8.Valid(b) && !bytes.Contains(b, []byte("\xef\xbf\xbe")) && !bytes.Contains(b, []byte("\xef\xbf\xbf"))
}
