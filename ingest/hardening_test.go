package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

// xlsxWithSheet is a minimal workbook whose only worksheet part is sheetXML,
// written as is (so it may carry a DTD). If declare > 0 the sheet's zip
// entry declares that uncompressed size, whatever its real size.
func xlsxWithSheet(tb testing.TB, sheetXML string, declare uint64) []byte {
	tb.Helper()
	ok := rawXLSX(tb, "", "")
	zr, err := zip.NewReader(bytes.NewReader(ok), int64(len(ok)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			var comp bytes.Buffer
			fw, _ := flate.NewWriter(&comp, flate.BestCompression)
			fw.Write([]byte(sheetXML))
			fw.Close()
			size := uint64(len(sheetXML))
			if declare > 0 {
				size = declare
			}
			w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(sheetXML)),
				CompressedSize64: uint64(comp.Len()), UncompressedSize64: size})
			if err != nil {
				tb.Fatal(err)
			}
			w.Write(comp.Bytes())
			continue
		}
		if err := zw.Copy(f); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const bombSheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
const bombSheetOpen = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const bombHeaderRow = `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Story</t></is></c></row>`

// TestReadXLSXRefusesXMLBombs: entity expansion ("billion laughs") is never
// performed (Go's XML decoder does not expand DTD entities), and a zip entry
// that unpacks to more than it declares is refused, so neither can make a
// small file take gigabytes of memory.
func TestReadXLSXRefusesXMLBombs(t *testing.T) {
	var dtd strings.Builder
	dtd.WriteString(`<!DOCTYPE worksheet [<!ENTITY lol0 "lollollollollollollollollollol">`)
	for i := 1; i <= 9; i++ {
		prev := "&lol" + string(rune('0'+i-1)) + ";"
		dtd.WriteString(`<!ENTITY lol` + string(rune('0'+i)) + ` "` + strings.Repeat(prev, 10) + `">`)
	}
	dtd.WriteString(`]>`)
	laughs := bombSheetHead + dtd.String() + bombSheetOpen + bombHeaderRow +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>`

	big := bombSheetHead + bombSheetOpen + bombHeaderRow + strings.Repeat(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`, 400000) + `</sheetData></worksheet>`

	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{"billion laughs", xlsxWithSheet(t, laughs, 0), ErrCorrupt},
		{"entry larger than declared", xlsxWithSheet(t, big, 1000), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := Read("bomb.xlsx", bytes.NewReader(tt.data), Options{})
			if !errors.Is(err, tt.err) {
				var long int
				for _, s := range ss {
					long = max(long, len(s.Text))
				}
				t.Fatalf("got %v with %d stories (longest %d bytes), want %v", err, len(ss), long, tt.err)
			}
			if _, ok := errors.AsType[*FileError](err); !ok {
				t.Errorf("got %T, want a *FileError naming the file", err)
			}
		})
	}
}

// TestReadXLSXFarAwayCell: a small sheet with a cell in the last column of
// the last row (XFD1048576) is read without filling the gap: one story, a
// handful of fields.
func TestReadXLSXFarAwayCell(t *testing.T) {
	sheet := bombSheetHead + bombSheetOpen + bombHeaderRow +
		`<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Far</t></is></c><c r="B1048576" t="inlineStr"><is><t>far away story</t></is></c>` +
		`<c r="XFD1048576" t="inlineStr"><is><t>edge</t></is></c></row></sheetData></worksheet>`
	ss, err := Read("far.xlsx", bytes.NewReader(xlsxWithSheet(t, sheet, 0)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Text != "far away story" || ss[0].Ref != "far.xlsx:Data:1048576" {
		t.Fatalf("got %s, want one story at row 1048576", summary(ss))
	}
	if len(ss[0].Fields) > 3 {
		t.Errorf("got %d fields, want the 3 non-empty cells", len(ss[0].Fields))
	}
}

// TestReadXLSXBigCells: the size limits hold for workbooks as for CSV: a
// 5 MB story or name cell rejects its row, a 100,000-word story is read
// whole. (Inline strings: excelize itself cuts what it writes to Excel's
// 32,767 characters, but a hostile file can hold more.)
func TestReadXLSXBigCells(t *testing.T) {
	story := strings.TrimSpace(strings.Repeat("failure ", 100000))
	huge := strings.Repeat("x", 5<<20)
	cell := func(ref, v string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + v + `</t></is></c>` }
	sheet := bombSheetHead + bombSheetOpen + bombHeaderRow +
		`<row r="2">` + cell("A2", "Long") + cell("B2", story) + `</row>` +
		`<row r="3">` + cell("A3", "Huge") + cell("B3", huge) + `</row>` +
		`<row r="4">` + cell("A4", huge) + cell("B4", "ok") + `</row></sheetData></worksheet>`
	ss, err := Read("big.xlsx", bytes.NewReader(xlsxWithSheet(t, sheet, 0)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, ErrTooLong, ErrTooLong}
	if len(ss) != len(want) {
		t.Fatalf("got %d stories, want %d", len(ss), len(want))
	}
	for i, w := range want {
		if w == nil && ss[i].Reject != nil || w != nil && !errors.Is(ss[i].Reject, w) {
			t.Errorf("row %d: Reject = %v, want %v", i+2, ss[i].Reject, w)
		}
		if len(ss[i].Text) > MaxStoryBytes+len("…") {
			t.Errorf("row %d: text of %d bytes kept, want at most %d", i+2, len(ss[i].Text), MaxStoryBytes)
		}
	}
	if ss[0].Text != story {
		t.Errorf("the 100,000-word story was not read whole: %d bytes, want %d", len(ss[0].Text), len(story))
	}
}
