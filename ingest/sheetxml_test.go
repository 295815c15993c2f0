package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// bothReaders reads the first sheet of an xlsx with excelize's rows and
// with the fast reader. fastErr is errNotSimple when the fast reader
// leaves the sheet to excelize; ok is false when checkZip refuses the
// file (the readers never see it).
func bothReaders(tb testing.TB, data []byte) (slow, fast []rawRow, slowErr, fastErr error, ok bool) {
	tb.Helper()
	const limit, xmlLimit = 8 << 20, 1 << 20
	if _, err := checkZip(data, limit); err != nil {
		return nil, nil, nil, nil, false
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: limit, UnzipXMLSizeLimit: xmlLimit})
	if err != nil {
		return nil, nil, nil, nil, false
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, nil, nil, false
	}
	collectRows := func(rows rowSeq) (out []rawRow, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		err = rows(func(r rawRow) bool {
			out = append(out, r)
			return true
		})
		return out, err
	}
	slow, slowErr = collectRows(xlsxRows(f, sheets[0]))
	zf, sst := sheetSource(data, f, sheets[0], xmlLimit)
	if zf == nil {
		return slow, nil, slowErr, errNotSimple, true
	}
	fast, fastErr = collectRows(fastRows(zf, sst, nil))
	return slow, fast, slowErr, fastErr, true
}

func compareReaders(t *testing.T, data []byte, wantFast bool) {
	t.Helper()
	slow, fast, slowErr, fastErr, ok := bothReaders(t, data)
	if !ok {
		if wantFast {
			t.Fatal("checkZip refused the file")
		}
		return
	}
	if errors.Is(fastErr, errNotSimple) {
		if wantFast {
			t.Fatal("the fast reader left the sheet to excelize")
		}
		return
	}
	if fastErr != nil {
		t.Fatalf("fast reader: %v", fastErr)
	}
	if slowErr != nil {
		t.Fatalf("excelize failed (%v) where the fast reader read %d rows", slowErr, len(fast))
	}
	if !reflect.DeepEqual(slow, fast) {
		t.Fatalf("rows differ:\nexcelize %+v\nfast     %+v", slow, fast)
	}
}

// TestFastReaderMatchesExcelize: on the workbooks of testdata and on
// workbooks written by excelize (shared strings, numbers, dates, rich
// text, escapes, gaps), the fast reader takes the sheet and gives
// excelize's rows.
func TestFastReaderMatchesExcelize(t *testing.T) {
	rich := newXLSX(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"Timestamp", "Name", "Story"},
			{46286.5, "Zoë", "line one\r\nline two"},
			{"9/21/2026", nil, "tab\there & <there> \"quoted\" _x000D_ 'x'"},
			{nil, nil, nil},
			{true, 42, "مرحبا 👋🏽"},
		})
		if err := f.SetCellRichText("Sheet1", "B6", []excelize.RichTextRun{{Text: "bold "}, {Text: "and plain"}}); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellFormula("Sheet1", "C7", "1+1"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("Sheet1", "Z9", "far"); err != nil {
			t.Fatal(err)
		}
	})
	tests := []struct {
		name     string
		data     []byte
		wantFast bool
	}{
		{"forms workbook", formsWorkbook(t, false), true},
		{"1904 workbook", formsWorkbook(t, true), true},
		{"rich text and gaps", rich, true},
		{"inline strings, formulas, entities", rawXLSX(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c><c r="B1" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">a &amp; </t></r><r><t>b&#x1F600;&#13;</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c></row>`+
			`<row r="3" spans="1:3"><c r="A3" t="str"><f>CONCAT("a","b")</f><v>ab</v></c><c r="B3"><f>1+1</f></c><c r="C3" t="e"><v>#DIV/0!</v></c><c r="D3" t="b"><v>1</v></c><c r="E3" s="2"><v>46286.25</v></c></row>`+
			"<row r=\"4\">\n  <c r=\"A4\" t=\"inlineStr\"><is><t>multi\r\nline\rtext</t></is></c>\n</row>", ""), true},
	}
	for _, name := range []string{"hostile/forms.xlsx", "hostile/formulas.xlsx", "hostile/merged-hidden-1904.xlsx", "merged.xlsx"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name     string
			data     []byte
			wantFast bool
		}{name, data, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { compareReaders(t, tt.data, tt.wantFast) })
	}
}

// TestFastReaderLeavesOddShapesToExcelize: shapes the fast reader does
// not handle are read by excelize, and Read gives the same stories.
func TestFastReaderLeavesOddShapesToExcelize(t *testing.T) {
	tests := []struct{ name, sheet string }{
		{"row without r", `<row><c r="A1" t="inlineStr"><is><t>Story</t></is></c></row><row><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>`},
		{"rows out of order", `<row r="2"><c r="A2" t="inlineStr"><is><t>Story</t></is></c></row><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>`},
		{"cell without r", `<row r="1"><c t="inlineStr"><is><t>Story</t></is></c></row><row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>`},
		{"CDATA", `<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[x < y]]></t></is></c></row>`},
		{"comment", `<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c></row><!-- note --><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>`},
		{"prefixed names", `<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Story</x:t></x:is></x:c></x:row>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := rawXLSX(t, tt.sheet, "")
			_, _, _, fastErr, ok := bothReaders(t, data)
			if !ok || !errors.Is(fastErr, errNotSimple) {
				t.Fatalf("ok=%v fast reader err = %v, want errNotSimple", ok, fastErr)
			}
			ss, err := Read("odd.xlsx", bytes.NewReader(data), Options{})
			checkStories(t, "odd.xlsx", ss)
			if err != nil {
				t.Errorf("got %d stories, %v; want excelize's reading", len(ss), err)
			}
		})
	}
}

// FuzzSheetXML: for any sheet data that checkZip accepts, the fast reader
// either leaves the sheet to excelize or gives excelize's rows exactly.
func FuzzSheetXML(f *testing.F) {
	for _, s := range []string{
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>`,
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c><c r="B1" t="inlineStr"><is><t>Date</t></is></c></row><row r="3"><c r="B3"><v>46286.5</v></c><c r="A3"><f>1+1</f></c></row>`,
		`<row r="1"><c r="A1" t="s"><v>99</v></c></row><row r="1048577"><c r="A5"><v>1</v></c></row>`,
		`<row r="2" spans="1:2"><c r="B2" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b_x000D_</t></r></is></c><c r="C2" t="str"><f>A1</f><v>&lt;x&gt;</v></c></row>`,
		`<row r="5"><c r="A5" t="b"><v>1</v></c><c r="C5" t="e"><v>#N/A</v></c><c r="D5"/><c r="AA5" t="inlineStr"><is/></c></row><row r="6"/>`,
		"<row r=\"7\">\r\n<c r=\"A7\" t=\"inlineStr\"><is><t>a\r\nb&#13;</t></is></c></row>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("<!DOCTYPE")) || len(data) > 1<<16 {
			return
		}
		compareReaders(t, rawXLSX(t, string(data), ""), false)
	})
}

// TestBstrUnmarshal: _xHHHH_ escapes decode as excelize decodes them.
func TestBstrUnmarshal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a_x000D_b", "a\rb"},
		{"_x005F_x000D_", "_x000D_"},
		{"_x00e9_t_xZZZZ_", "ét_xZZZZ_"},
	}
	for _, tt := range tests {
		if got := bstrUnmarshal(tt.in); got != tt.want {
			t.Errorf("bstrUnmarshal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// zipEntry returns data as the one entry of a zip.
func zipEntry(tb testing.TB, data []byte) *zip.File {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	return zr.File[0]
}

// checkQuick asserts that quickCheckXML accepts only what checkXMLSlow
// accepts, with the same answer about merged cells.
func checkQuick(t *testing.T, data []byte) bool {
	t.Helper()
	merges, ok := quickCheckXML(bytes.NewReader(data))
	if !ok {
		return false
	}
	slowMerges, err := checkXMLSlow(zipEntry(t, data))
	if err != nil {
		t.Fatalf("quickCheckXML accepts what encoding/xml refuses (%v): %q", err, data)
	}
	if merges != slowMerges {
		t.Fatalf("merges = %v, encoding/xml says %v", merges, slowMerges)
	}
	return true
}

// TestQuickCheckXML: the quick well-formedness check accepts the XML that
// apps write and leaves anything odd to encoding/xml.
func TestQuickCheckXML(t *testing.T) {
	forms := formsWorkbook(t, false)
	zr, err := zip.NewReader(bytes.NewReader(forms), int64(len(forms)))
	if err != nil {
		t.Fatal(err)
	}
	var sheet []byte
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, _ := zf.Open()
			sheet, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"excelize's sheet", string(sheet), true},
		{"declaration, comment, entities, merges", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<worksheet xmlns="x" xmlns:r="y"><!-- a comment --><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">a &amp; &#x1F600; &#10;</t></is></c></row></sheetData><mergeCells count="1"><x:mergeCell ref="A1:A2"/></mergeCells></worksheet>`, true},
		{"unclosed", `<worksheet><sheetData>`, false},
		{"mismatched", `<a><b></a></b>`, false},
		{"unknown entity", `<a>&lol;</a>`, false},
		{"DOCTYPE", `<!DOCTYPE a [<!ENTITY x "y">]><a/>`, false},
		{"CDATA", `<a><![CDATA[x]]></a>`, false},
		{"control character", "<a>\x01</a>", false},
		{"bad UTF-8", "<a>\xff</a>", false},
		{"utf-16 declared", `<?xml version="1.0" encoding="UTF-16"?><a/>`, false},
		{"double dash in comment", `<a><!-- x -- y --></a>`, false},
		{"attributes without space", `<a b="1"c="2"/>`, false},
		{"< in attribute", `<a b="<"/>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkQuick(t, []byte(tt.data)); got != tt.want {
				t.Errorf("quickCheckXML ok = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzQuickCheckXML: the quick check never accepts what encoding/xml
// refuses.
func FuzzQuickCheckXML(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="x"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		`<a b='1' c="&lt;&#65;"><!--x--><d/></a>`,
		`<x:a xmlns:x="u"><x:mergeCell ref="A1:B2"/></x:a>`,
		"<a>\r\n\t text &#x10FFFF; &#55296; </a>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkQuick(t, data)
	})
}

// TestFastReaderLightModeKeepsBlankness: in light mode every row has the
// same number, width and empty or blank cells as the decoded row, and the
// kept column its value, however a blank value is written (spaces,
// character references, _xHHHH_ escapes, split over rich-text runs,
// shared strings).
func TestFastReaderLightModeKeepsBlankness(t *testing.T) {
	sp := `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`
	var rows strings.Builder
	values := []string{"text", "   ", "&#32;&#9;", "_x0020_", "_x0041_", "", "&amp;", "a\r\n", "\u00a0", "_xD800_"}
	for i, v := range values {
		n := i + 1
		fmt.Fprintf(&rows, `<row r="%d">`, n)
		fmt.Fprintf(&rows, sp, fmt.Sprintf("A%d", n), v)
		fmt.Fprintf(&rows, `<c r="B%d"><v>%d</v></c>`, n, n)
		fmt.Fprintf(&rows, `<c r="C%d" t="inlineStr"><is><t>_</t><r><t>x0020_</t></r></is></c>`, n)
		fmt.Fprintf(&rows, `<c r="D%d" t="inlineStr"><is><t>_xD8</t><r><t>00_</t></r></is></c>`, n)
		fmt.Fprintf(&rows, `<c r="E%d"><f>1+1</f></c>`, n)
		fmt.Fprintf(&rows, `<c r="F%d" t="s"><v>%d</v></c>`, n, i%3)
		rows.WriteString(`</row>`)
	}
	for i, v := range values {
		fmt.Fprintf(&rows, `<row r="%d">`, i+101)
		fmt.Fprintf(&rows, sp, fmt.Sprintf("C%d", i+101), v)
		rows.WriteString(`</row>`)
	}
	data := newXLSX(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{{"a", " ", ""}})
	})
	// Reuse excelize's shared strings ("a", " ") with a hand-written sheet.
	data = replaceEntry(t, data, "xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+rows.String()+`</sheetData></worksheet>`)
	const xmlLimit = 1 << 20
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zf, sst := sheetSource(data, f, "Sheet1", xmlLimit)
	if zf == nil {
		t.Fatal("no fast reader for the sheet")
	}
	read := func(light *lightMode) []rawRow {
		var out []rawRow
		if err := fastRows(zf, sst, light)(func(r rawRow) bool { out = append(out, r); return true }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	full, light := read(nil), read(&lightMode{on: true, keep: 1})
	if len(full) != len(light) {
		t.Fatalf("got %d rows in light mode, want %d", len(light), len(full))
	}
	for i := range full {
		fr, lr := full[i], light[i]
		if fr.num != lr.num || fr.width() != lr.width() {
			t.Errorf("row %d: num %d width %d in light mode, want %d, %d", fr.num, lr.num, lr.width(), fr.num, fr.width())
		}
		for c := range fr.width() {
			fv, lv := fr.cell(c), lr.cell(c)
			if c == 1 && fv != lv || (fv == "") != (lv == "") || blankText(fv) != blankText(lv) {
				t.Errorf("row %d col %d: light %q, decoded %q", fr.num, c, lv, fv)
			}
		}
	}
	if slow, _, _, _, _ := bothReaders(t, data); !reflect.DeepEqual(slow, full) {
		t.Errorf("fast reader differs from excelize:\n%+v\n%+v", full, slow)
	}
}

// replaceEntry returns the zip data with the entry name's content replaced.
func replaceEntry(tb testing.TB, data []byte, name, content string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if zf.Name == name {
			_, err = w.Write([]byte(content))
		} else {
			rc, oerr := zf.Open()
			if oerr != nil {
				tb.Fatal(oerr)
			}
			_, err = io.Copy(w, rc)
			rc.Close()
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// sheetFromBytes writes well-formed sheet data in the shapes apps write,
// driven by data: rows with increasing numbers, cells of every type with
// values that mix spaces, entities, CRs, _xHHHH_ escapes and rich-text
// runs, shared-string indexes in and out of the table, formulas with and
// without values.
func sheetFromBytes(data []byte) string {
	texts := []string{"", " ", "x", "a &amp; b", "&#13;", "\r\n", "_x0020_", "_x00", "41_", "_xD800_", "Zoë 👋", "&#32;", "\t", "_x005F_x0041_"}
	var b strings.Builder
	row, col := 0, 0
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		c := data[0]
		data = data[1:]
		return c
	}
	for len(data) > 0 {
		op := next()
		if row == 0 || op%7 == 0 {
			if row > 0 {
				b.WriteString(`</row>`)
			}
			row += 1 + int(op>>6)
			col = 0
			fmt.Fprintf(&b, `<row r="%d">`, row)
			continue
		}
		col += 1 + int(op>>6)
		ref := fmt.Sprintf("%s%d", colName(col-1), row)
		t := texts[int(next())%len(texts)]
		switch op % 7 {
		case 1:
			fmt.Fprintf(&b, `<c r="%s"><v>%d</v></c>`, ref, next())
		case 2:
			fmt.Fprintf(&b, `<c r="%s" t="s"><v>%d</v></c>`, ref, next()%5)
		case 3:
			fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, t)
		case 4:
			fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t><r><rPr><b/></rPr><t>%s</t></r><r><t>%s</t></r></is></c>`, ref, t, texts[int(next())%len(texts)], texts[int(next())%len(texts)])
		case 5:
			fmt.Fprintf(&b, `<c r="%s" t="str"><f>A1</f><v>%s</v></c>`, ref, t)
		case 6:
			if next()%2 == 0 {
				fmt.Fprintf(&b, `<c r="%s"><f>1+1</f></c>`, ref)
			} else {
				fmt.Fprintf(&b, `<c r="%s" s="1"/>`, ref)
			}
		}
	}
	if row > 0 {
		b.WriteString(`</row>`)
	}
	return b.String()
}

// FuzzSheetXMLShapes: on generated sheets in the simple shape, with
// shared strings, the fast reader always reads the sheet, gives
// excelize's rows, and in light mode keeps every row's number, width and
// the emptiness and blankness of every cell.
func FuzzSheetXMLShapes(f *testing.F) {
	for _, s := range []string{"\x00\x01\x02\x03\x04\x05\x06", "\x00\x43\x83\xc4\x05\x46\x07\x88\x01", string(bytes.Repeat([]byte{0, 3, 9, 4, 10, 2, 3, 4, 6, 1}, 20))} {
		f.Add([]byte(s))
	}
	base := newXLSX(f, func(x *excelize.File) {
		setRows(f, x, "Sheet1", [][]any{{"a", " ", "", "b_x0020_"}})
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetFromBytes(data) + `</sheetData></worksheet>`
		wb := replaceEntry(t, base, "xl/worksheets/sheet1.xml", sheet)
		compareReaders(t, wb, true)
		if merges, ok := quickCheckXML(strings.NewReader(sheet)); !ok || merges {
			t.Fatalf("quickCheckXML ok = %v, merges = %v on a plain sheet", ok, merges)
		}
		fx, err := excelize.OpenReader(bytes.NewReader(wb), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		defer fx.Close()
		zf, sst := sheetSource(wb, fx, "Sheet1", 1<<20)
		read := func(light *lightMode) []rawRow {
			var out []rawRow
			if err := fastRows(zf, sst, light)(func(r rawRow) bool { out = append(out, r); return true }); err != nil {
				t.Fatal(err)
			}
			return out
		}
		full, light := read(nil), read(&lightMode{on: true, keep: 0})
		if len(full) != len(light) {
			t.Fatalf("got %d rows in light mode, want %d", len(light), len(full))
		}
		for i := range full {
			fr, lr := full[i], light[i]
			if fr.num != lr.num || fr.width() != lr.width() {
				t.Fatalf("row %d: num %d width %d in light mode, want %d, %d", fr.num, lr.num, lr.width(), fr.num, fr.width())
			}
			for c := range fr.width() {
				fv, lv := fr.cell(c), lr.cell(c)
				if c == 0 && fv != lv || (fv == "") != (lv == "") || blankText(fv) != blankText(lv) {
					t.Fatalf("row %d col %d: light %q, decoded %q", fr.num, c, lv, fv)
				}
			}
		}
	})
}
