package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// newXLSX builds a workbook in memory: build fills it (the first sheet is
// "Sheet1") and the bytes are returned.
func newXLSX(tb testing.TB, build func(f *excelize.File)) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// setRows writes rows into sheet from A1 down.
func setRows(tb testing.TB, f *excelize.File, sheet string, rows [][]any) {
	tb.Helper()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
}

// rawXLSX builds a minimal workbook by hand, with sheetData as the XML
// inside <sheetData> of its one sheet "Data" (for cells excelize will not
// write: formulas with and without saved results, broken XML).
func rawXLSX(tb testing.TB, sheetData string, extra string) []byte {
	tb.Helper()
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData>` + extra + `</worksheet>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// checkStories asserts the invariants every read must keep: Index counts
// from 0, Ref names file and row, and each story has a text or a
// *RowError.
func checkStories(tb testing.TB, file string, ss []evaluate.Story) {
	tb.Helper()
	for i, s := range ss {
		if s.Index != i {
			tb.Errorf("story %d: Index = %d", i, s.Index)
		}
		if !strings.HasPrefix(s.Ref, file+":") {
			tb.Errorf("story %d: Ref = %q, want prefix %q", i, s.Ref, file+":")
		}
		if s.Reject == nil {
			if s.Text == "" {
				tb.Errorf("story %d (%s): no text and no Reject", i, s.Ref)
			}
			continue
		}
		var re *RowError
		if !errors.As(s.Reject, &re) {
			tb.Errorf("story %d: Reject is %T, want *RowError", i, s.Reject)
		}
	}
}

// summary renders stories one per line for comparisons.
func summary(ss []evaluate.Story) string {
	var b strings.Builder
	for _, s := range ss {
		if s.Reject != nil {
			fmt.Fprintf(&b, "%s reject: %v\n", s.Ref, s.Reject)
			continue
		}
		sub := ""
		if !s.Submitted.IsZero() {
			sub = s.Submitted.Format("2006-01-02")
		}
		fmt.Fprintf(&b, "%s id=%q name=%q email=%q cohort=%q submitted=%s text=%q\n",
			s.Ref, s.ID, s.Name, s.Email, s.Cohort, sub, truncate(s.Text, 40))
	}
	return b.String()
}

func readString(tb testing.TB, name, content string, opts Options) ([]evaluate.Story, error) {
	tb.Helper()
	ss, err := Read(name, strings.NewReader(content), opts)
	checkStories(tb, name, ss)
	return ss, err
}
