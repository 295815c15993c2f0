package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
	"github.com/xuri/excelize/v2"
)

var when = time.Date(2026, 9, 21, 14, 3, 11, 0, time.UTC)

func formsWorkbook(tb testing.TB, date1904 bool) []byte {
	return newXLSX(tb, func(f *excelize.File) {
		if date1904 {
			yes := true
			if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
				tb.Fatal(err)
			}
		}
		if err := f.SetSheetName("Sheet1", "Form Responses 1"); err != nil {
			tb.Fatal(err)
		}
		setRows(tb, f, "Form Responses 1", [][]any{
			{"Timestamp", "Email Address", "Full name", "Candidate ID", "Cohort", "Tell me about your biggest failure"},
			{when, "ada@example.com", "Ada Lovelace", 1001, "A", "I shipped late.\r\nI learned."},
			{when.AddDate(0, 0, 1), "bob@example.com", "Bob", 1002, "B", ""},
			{46290.25, "cy@example.com", "Cy", "C3", "B", "Serial date"},
			{"21/09/2026", "di@example.com", "Di", "C4", "B", "Text date"},
		})
	})
}

func TestReadXLSX(t *testing.T) {
	formsWant := `f.xlsx:Form Responses 1:2 id="1001" name="Ada Lovelace" email="ada@example.com" cohort="A" submitted=2026-09-21 text="I shipped late.\nI learned."
f.xlsx:Form Responses 1:3 reject: f.xlsx: Form Responses 1!F3 (story): empty
f.xlsx:Form Responses 1:4 id="C3" name="Cy" email="cy@example.com" cohort="B" submitted=2026-09-25 text="Serial date"
f.xlsx:Form Responses 1:5 id="C4" name="Di" email="di@example.com" cohort="B" submitted=2026-09-21 text="Text date"
`
	tests := []struct {
		name string
		file string
		data []byte
		opts Options
		want string
		err  error
	}{
		{name: "google forms with date cells", file: "f.xlsx", data: formsWorkbook(t, false), want: formsWant},
		{name: "1904 date system", file: "f.xlsx", data: formsWorkbook(t, true),
			want: strings.Replace(formsWant, "2026-09-25", "2030-09-26", 1)}, // a raw serial means another day in 1904
		{name: "xlsm", file: "f.xlsm", data: formsWorkbook(t, false),
			want: strings.ReplaceAll(formsWant, "f.xlsx", "f.xlsm")},
		{name: "xlsx named .csv", file: "f.csv", data: formsWorkbook(t, false),
			want: strings.ReplaceAll(formsWant, "f.xlsx", "f.csv")},
		{
			name: "title rows, merged cells, duplicate headers",
			file: "m.xlsx",
			data: newXLSX(t, func(f *excelize.File) {
				setRows(t, f, "Sheet1", [][]any{
					{"Cohort report 2026"},
					{},
					{"Cohort", "Name", "Story", "Name", "Story"},
					{"Autumn", "A", "x", "dup", "dup"},
					{nil, "B", "y"},
					{},
					{nil, "C", "z"},
					{"Spring", "D", "w"},
				})
				for _, m := range [][2]string{{"A1", "E1"}, {"A4", "A7"}} {
					if err := f.MergeCell("Sheet1", m[0], m[1]); err != nil {
						t.Fatal(err)
					}
				}
			}),
			want: `m.xlsx:Sheet1:4 id="" name="A" email="" cohort="Autumn" submitted= text="x"
m.xlsx:Sheet1:5 id="" name="B" email="" cohort="Autumn" submitted= text="y"
m.xlsx:Sheet1:7 id="" name="C" email="" cohort="Autumn" submitted= text="z"
m.xlsx:Sheet1:8 id="" name="D" email="" cohort="Spring" submitted= text="w"
`,
		},
		{
			name: "hidden sheet skipped",
			file: "h.xlsx",
			data: newXLSX(t, func(f *excelize.File) {
				setRows(t, f, "Sheet1", [][]any{{"Story"}, {"hidden one"}})
				if _, err := f.NewSheet("Lookup"); err != nil {
					t.Fatal(err)
				}
				setRows(t, f, "Lookup", [][]any{{"Cohort", "Lead"}, {"A", "Kim"}})
				if _, err := f.NewSheet("Visible"); err != nil {
					t.Fatal(err)
				}
				setRows(t, f, "Visible", [][]any{{"Answer"}, {"shown one"}})
				f.SetActiveSheet(2)
				if err := f.SetSheetVisible("Sheet1", false); err != nil {
					t.Fatal(err)
				}
			}),
			want: "h.xlsx:Visible:2 id=\"\" name=\"\" email=\"\" cohort=\"\" submitted= text=\"shown one\"\n",
		},
		{
			name: "sheet option reads a hidden sheet, case-insensitively",
			file: "h.xlsx",
			opts: Options{Sheet: "sheet1"},
			data: newXLSX(t, func(f *excelize.File) {
				setRows(t, f, "Sheet1", [][]any{{"Story"}, {"hidden one"}})
				if _, err := f.NewSheet("Visible"); err != nil {
					t.Fatal(err)
				}
				f.SetActiveSheet(1)
				if err := f.SetSheetVisible("Sheet1", false); err != nil {
					t.Fatal(err)
				}
			}),
			want: "h.xlsx:Sheet1:2 id=\"\" name=\"\" email=\"\" cohort=\"\" submitted= text=\"hidden one\"\n",
		},
		{
			name: "formula cells",
			file: "fx.xlsx",
			data: rawXLSX(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Story</t></is></c></row>`+
				`<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><f>CONCAT("a","b")</f></c></row>`+
				`<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c><c r="B3" t="str"><f>CONCAT("a","b")</f><v>cached story</v></c></row>`+
				`<row r="4"><c r="A4" t="inlineStr"><is><t>C</t></is></c><c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>`, ""),
			want: `fx.xlsx:Data:2 reject: fx.xlsx: Data!B2 (story): formula without a saved result (open and save the file in a spreadsheet app)
fx.xlsx:Data:3 id="" name="B" email="" cohort="" submitted= text="cached story"
fx.xlsx:Data:4 reject: fx.xlsx: Data!B4 (story): formula error #DIV/0! in the cell
`,
		},
		{
			name: "wide row keeps far cells",
			file: "w.xlsx",
			data: newXLSX(t, func(f *excelize.File) {
				setRows(t, f, "Sheet1", [][]any{{"Story"}, {"x"}})
				if err := f.SetCellValue("Sheet1", "KZ2", "far"); err != nil {
					t.Fatal(err)
				}
			}),
			want: "w.xlsx:Sheet1:2 id=\"\" name=\"\" email=\"\" cohort=\"\" submitted= text=\"x\"\n",
		},
		{name: "unknown sheet", file: "f.xlsx", data: formsWorkbook(t, false), opts: Options{Sheet: "Nope"}, err: ErrNoSheet},
		{name: "no story column in any sheet", file: "n.xlsx", err: ErrNoStoryColumn,
			data: newXLSX(t, func(f *excelize.File) { setRows(t, f, "Sheet1", [][]any{{"Name", "Notes"}, {"A", "x"}}) })},
		{name: "empty workbook", file: "e.xlsx", err: ErrEmptyFile, data: newXLSX(t, func(f *excelize.File) {})},
		{name: "malformed sheet XML", file: "bad.xlsx", err: ErrCorrupt,
			data: rawXLSX(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c></row><row r="2"><c r="A2"`, "")},
		{name: "not a zip", file: "bad.xlsx", err: ErrCorrupt, data: []byte("Name,Story\nA,x\n")},
		{name: "truncated", file: "t.xlsx", err: ErrCorrupt, data: formsWorkbook(t, false)[:3000]},
		{name: "legacy xls by extension", file: "old.xls", err: ErrFormat, data: []byte("whatever")},
		{name: "legacy xls renamed xlsx", file: "old.xlsx", err: ErrFormat,
			data: append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 600)...)},
		{name: "ods", file: "f.ods", err: ErrFormat, data: []byte("PK\x03\x04")},
		{name: "numbers", file: "f.numbers", err: ErrFormat, data: nil},
		{name: "unknown extension", file: "f.pdf", err: ErrFormat, data: nil},
		{name: "zip bomb declared size", file: "bomb.xlsx", err: ErrTooLarge, data: bombXLSX(t)},
		{name: "sheet over the caller's unzip limit", file: "f.xlsx", err: ErrTooLarge,
			opts: Options{UnzipSizeLimit: 4096, UnzipXMLSizeLimit: 1024}, data: formsWorkbook(t, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := Read(tt.file, bytes.NewReader(tt.data), tt.opts)
			checkStories(t, tt.file, ss)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.File != tt.file {
					t.Errorf("err = %#v, want *FileError naming %s", err, tt.file)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got := summary(ss); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestReadXLSXPasswordProtected(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	setRows(t, f, "Sheet1", [][]any{{"Story"}, {"secret"}})
	var buf bytes.Buffer
	if err := f.Write(&buf, excelize.Options{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	_, err := Read("locked.xlsx", &buf, Options{})
	if !errors.Is(err, ErrEncrypted) {
		t.Fatalf("err = %v, want ErrEncrypted", err)
	}
	if got, want := err.Error(), "locked.xlsx: workbook is password-protected"; !strings.HasPrefix(got, want) {
		t.Errorf("err = %q, want prefix %q", got, want)
	}
}

func TestReadXLSXFields(t *testing.T) {
	data := newXLSX(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{{"Name", "", "Story"}, {"A", "stray", "x", "extra"}})
	})
	ss, err := Read("f.xlsx", bytes.NewReader(data), Options{})
	if err != nil || len(ss) != 1 {
		t.Fatalf("Read = %d stories, %v", len(ss), err)
	}
	want := []evaluate.Field{{Header: "Name", Value: "A"}, {Header: "B", Value: "stray"}, {Header: "Story", Value: "x"}, {Header: "D", Value: "extra"}}
	if got := ss[0].Fields; !equalFields(got, want) {
		t.Errorf("Fields = %q, want %q", got, want)
	}
}

func equalFields(a, b []evaluate.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// bombXLSX is a small zip whose worksheet entry declares 1 TiB unpacked.
func bombXLSX(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	body := []byte("<worksheet/>")
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "xl/worksheets/sheet1.xml", Method: zip.Store,
		CRC32: crc32.ChecksumIEEE(body), CompressedSize64: uint64(len(body)), UncompressedSize64: 1 << 40,
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(body); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSXSheetChoice(t *testing.T) {
	data := newXLSX(t, func(f *excelize.File) {
		rows := [][]any{{"Lookup", "Value"}}
		for i := range 500 {
			rows = append(rows, []any{i, "v"})
		}
		setRows(t, f, "Sheet1", rows)
		if _, err := f.NewSheet("Empty"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.NewSheet("Data"); err != nil {
			t.Fatal(err)
		}
		setRows(t, f, "Data", [][]any{{"Name", "Story"}, {"A", "x"}})
	})
	ss, err := Read("s.xlsx", bytes.NewReader(data), Options{})
	if err != nil || len(ss) != 1 || ss[0].Ref != "s.xlsx:Data:2" {
		t.Fatalf("Read = %v, %v; want one story from sheet Data", summary(ss), err)
	}

	none := newXLSX(t, func(f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{{"Name", "Notes"}, {"A", "x"}})
		if _, err := f.NewSheet("Other"); err != nil {
			t.Fatal(err)
		}
	})
	_, err = Read("n.xlsx", bytes.NewReader(none), Options{})
	want := `n.xlsx: Sheet1: no story column: no header like "Story", "Answer", "Response" or one that mentions "failure" in the first 10 rows (row 1 has: "Name", "Notes"); name the column with --columns story="Header" (sheets checked: "Sheet1", "Other")`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrNoStoryColumn) {
		t.Errorf("errors.Is(err, ErrNoStoryColumn) = false")
	}
}
