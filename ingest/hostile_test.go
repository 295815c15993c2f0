package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// hostileCorpus builds the files of testdata/hostile: one per kind of
// broken or odd input. They are written with -update and committed, so
// that other packages' end-to-end tests can use them too.
func hostileCorpus(tb testing.TB) map[string][]byte {
	const forms = "Timestamp,Email Address,Full name,Tell me about your biggest failure\n" +
		"9/21/2026 14:03:11,zoe@example.com,Zoë Hartmann,\"I launched too early – and learned to pilot.\"\n"
	cp, err := charmap.Windows1252.NewEncoder().String(strings.ReplaceAll(forms, ",", ";"))
	if err != nil {
		tb.Fatal(err)
	}
	u16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(forms)
	wb := formsWorkbook(tb, false)
	enc := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		setRows(tb, f, "Sheet1", [][]any{{"Story"}, {"secret"}})
		var buf bytes.Buffer
		if err := f.Write(&buf, excelize.Options{Password: "pw"}); err != nil {
			tb.Fatal(err)
		}
		return buf.Bytes()
	}
	return map[string][]byte{
		"utf8.csv":            []byte(forms),
		"utf8-bom.csv":        []byte("\xef\xbb\xbf" + forms),
		"utf16-bom.csv":       []byte(u16),
		"windows-1252.csv":    []byte(cp),
		"semicolon.csv":       []byte(strings.ReplaceAll(forms, ",", ";")),
		"ragged.csv":          []byte("Name,Story,Cohort\nA,x\nB,y,K,extra,more\nC\n"),
		"bare-quotes.csv":     []byte("Name,Story\nA,He said \"no\" and I failed\n"),
		"unbalanced.csv":      []byte("Name,Story\nA,x\nB,\"never closed\nC,z\n"),
		"empty.csv":           nil,
		"header-only.csv":     []byte("Name,Story\n"),
		"no-story.csv":        []byte("Name,Notes\nA,x\n"),
		"duplicate-hdr.csv":   []byte("Story,Name,Story,Name\nfirst,A,second,B\n"),
		"control-chars.csv":   []byte("Name,Story\nA\x00\x07,x\x00y\x1b[31m red\r\nB,\"\u200fשלום عربي 👋🏽\"\n"),
		"bad-dates.csv":       []byte("Date,Story\n46286,serial\n21/09/2026,text\n2/30/2026,impossible\nsoon,words\n,empty\n"),
		"forms.xlsx":          wb,
		"truncated.xlsx":      wb[:len(wb)/2],
		"corrupt.xlsx":        []byte("this is not a workbook"),
		"encrypted.xlsx":      enc(),
		"bomb.xlsx":           bombXLSX(tb),
		"legacy.xls":          append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 504)...),
		"legacy-renamed.xlsx": append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 504)...),
		"calc.ods":            []byte("PK\x03\x04"),
		"formulas.xlsx": rawXLSX(tb, `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Story</t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><f>CONCAT("a","b")</f></c></row>`+
			`<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c><c r="B3" t="str"><f>CONCAT("a","b")</f><v>cached story</v></c></row>`, ""),
		"merged-hidden-1904.xlsx": newXLSX(tb, func(f *excelize.File) {
			yes := true
			if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
				tb.Fatal(err)
			}
			setRows(tb, f, "Sheet1", [][]any{{"Story"}, {"from the hidden sheet"}})
			if _, err := f.NewSheet("Responses"); err != nil {
				tb.Fatal(err)
			}
			setRows(tb, f, "Responses", [][]any{{"Failure essays"}, {"Cohort", "Name", "Submitted", "Story"},
				{"Autumn", "A", when, "x"}, {nil, "B", when, "y"}})
			if err := f.MergeCell("Responses", "A3", "A4"); err != nil {
				tb.Fatal(err)
			}
			f.SetActiveSheet(1)
			if err := f.SetSheetVisible("Sheet1", false); err != nil {
				tb.Fatal(err)
			}
		}),
	}
}

func TestHostileCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "hostile")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range hostileCorpus(t) {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		ss, err := Read(name, bytes.NewReader(data), Options{})
		fmt.Fprintf(&b, "== %s\n", name)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || len(ss) != 0 {
				t.Errorf("%s: err = %T %v with %d stories, want a *FileError and none", name, err, err, len(ss))
			}
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		checkStories(t, name, ss)
		b.WriteString(summary(ss))
	}
	got := b.String()
	golden := filepath.Join("testdata", "hostile.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("got\n%s\nwant\n%s\n(run go test ./ingest -update to accept)", got, want)
	}
}
