package report

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
)

// updateGolden is the -update flag ("go test ./report -update" rewrites the
// golden files). It is registered only if another test file of the package
// has not registered it already.
var updateGolden = func() *bool {
	if flag.Lookup("update") != nil {
		return nil
	}
	return flag.Bool("update", false, "rewrite golden files")
}()

// updating reports whether -update was given.
func updating() bool {
	if updateGolden != nil {
		return *updateGolden
	}
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s differs at line %d:\n got %s\nwant %s", path, i+1, g, w)
				break
			}
		}
	}
}

// dumpWorkbook returns the content of every sheet of the workbook at path:
// one line per non-empty cell, "A1 value", with formulas as "=FORMULA".
func dumpWorkbook(t *testing.T, path string) []byte {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s ==\n", sheet)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sheet, ref); fm != "" {
					v = "=" + fm + " → " + v
				}
				if v != "" {
					fmt.Fprintf(&b, "%s %s\n", ref, strings.ReplaceAll(v, "\n", `\n`))
				}
			}
		}
	}
	return b.Bytes()
}

func writeFixture(t *testing.T, noPDF bool) (string, *Summary) {
	t.Helper()
	results, rub := fixture()
	opts := testOptions(t, rub)
	opts.NoPDF = noPDF
	opts.Run = &RunInfo{
		Start: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), AsOf: "2026-11-02", Jobs: 3,
		Args:   []string{"run", "cohort.xlsx"},
		Inputs: []InputInfo{{Path: "cohort.xlsx", SHA256: "ab12", Rows: 10}},
		Rubric: RubricInfo{ID: "failwell-default", Version: "1.0", SHA256: "cd34"},
	}
	sum, err := write(t.Context(), results, opts, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(opts.Dir, WorkbookFile), sum
}

func TestWorkbookContent(t *testing.T) {
	path, _ := writeFixture(t, false)
	golden(t, "workbook.golden.txt", dumpWorkbook(t, path))
}

func TestWorkbookContentNoPDF(t *testing.T) {
	path, _ := writeFixture(t, true)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheetCandidates)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range rows[0] {
		if h == "PDF" {
			t.Error("Candidates has a PDF column with NoPDF")
		}
	}
}

// TestWorkbookStoresFormulaLookingTextAsText checks that text a candidate
// wrote is never a formula, on every sheet.
func TestWorkbookStoresFormulaLookingTextAsText(t *testing.T) {
	path, _ := writeFixture(t, false)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		sheet, cell, want string
	}{
		{sheetCandidates, "C4", `=HYPERLINK("http://evil.example","click")`},
		{sheetCandidates, "D4", "+1-555-0100"},
		{sheetCandidates, "E4", "@SUM(A1:A9)"},
		{sheetCandidates, "R4", "-2+3"},
		{sheetEvidence, "B19", `=HYPERLINK("http://evil.example","click")`},
	}
	for _, tt := range tests {
		t.Run(tt.sheet+"!"+tt.cell, func(t *testing.T) {
			got, err := f.GetCellValue(tt.sheet, tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("value: got %q, want %q", got, tt.want)
			}
			if fm, _ := f.GetCellFormula(tt.sheet, tt.cell); fm != "" {
				t.Errorf("formula: got %q, want none", fm)
			}
		})
	}
	// The only formulas in the whole package are our own PDF links.
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		for _, part := range strings.Split(string(b), "<f>")[1:] {
			if !strings.HasPrefix(part, "HYPERLINK(&#34;feedback/") && !strings.HasPrefix(part, `HYPERLINK("feedback/`) {
				t.Errorf("%s: unexpected formula %.60s", zf.Name, part)
			}
		}
	}
}

func TestWorkbookHasCharts(t *testing.T) {
	path, _ := writeFixture(t, false)
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 3 {
		t.Errorf("got %d charts, want 3", charts)
	}
}

func TestWorkbookIsReproducible(t *testing.T) {
	a, _ := writeFixture(t, false)
	first, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	// excelize writes streamed sheets in map order: several runs make a
	// difference likely if the order leaked.
	for range 4 {
		b, _ := writeFixture(t, false)
		again, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("two writes of the same results differ in bytes")
		}
	}
	f, err := excelize.OpenFile(a)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if p.Created != "2026-11-02T00:00:00Z" || p.Modified != p.Created {
		t.Errorf("doc dates: got created %q modified %q, want 2026-11-02T00:00:00Z", p.Created, p.Modified)
	}
}

func TestWorkbookTruncatesLongTextVisibly(t *testing.T) {
	results, rub := fixture()
	results[0].Strength = strings.Repeat("é", 40000)
	results[0].Scores[0].Evidence[0].Quote = strings.Repeat("😀", 20000) // 2 UTF-16 units each
	opts := testOptions(t, rub)
	if _, err := write(t.Context(), results, opts, fakePDF); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(filepath.Join(opts.Dir, WorkbookFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, ref := range []struct{ sheet, cell string }{{sheetCandidates, "Q2"}, {sheetEvidence, "F2"}} {
		v, err := f.GetCellValue(ref.sheet, ref.cell)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(v, truncMark) {
			t.Errorf("%s!%s does not end with %q", ref.sheet, ref.cell, truncMark)
		}
		if n := utf16Len(v); n > maxCellChars {
			t.Errorf("%s!%s holds %d UTF-16 units, want <= %d", ref.sheet, ref.cell, n, maxCellChars)
		}
	}
	rows, _ := f.GetRows(sheetRun)
	found := false
	for _, r := range rows {
		if len(r) >= 2 && r[0] == "Cells truncated" && r[1] == "2" {
			found = true
		}
	}
	if !found {
		t.Error("Run sheet does not say that 2 cells were truncated")
	}
}

// TestWorkbookStreamsLargeCohorts writes 100,000 results and checks the row
// counts of the streamed sheets.
func TestWorkbookStreamsLargeCohorts(t *testing.T) {
	if testing.Short() {
		t.Skip("large cohort: skipped with -short")
	}
	rub := fixtureRubric()
	n := 100_000
	if raceDetector {
		n = 2_000 // same code paths; the race detector slows compression 20-fold
	}
	results := make([]evaluate.Result, n)
	base := scored(rub, 0, "Candidate", [6]int{1, 2, 3, 4, 0, 2}, 55, "Developing")
	for i := range results {
		r := base
		r.Story.Index = i
		r.Story.Name = fmt.Sprintf("Candidate %d", i+1)
		r.Total = float64(i % 101)
		if i%1000 == 999 {
			r = evaluate.Result{Story: evaluate.Story{Index: i, Ref: "x"}, Err: fmt.Errorf("rejected %d", i)}
		}
		results[i] = r
	}
	opts := Options{Dir: t.TempDir(), Rubric: rub, NoPDF: true, Date: fixtureDate}
	sum, err := write(t.Context(), results, opts, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	rejected := n / 1000
	if sum.Counts.Scored != n-rejected || sum.Counts.Rejected != rejected {
		t.Fatalf("counts: got %+v", sum.Counts)
	}
	// Count <row> elements in the sheet parts: reading 600,000 rows back
	// through excelize would take longer than writing them.
	zr, err := zip.OpenReader(filepath.Join(opts.Dir, WorkbookFile))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, tt := range []struct {
		sheet, part string
		want        int
	}{
		{sheetCandidates, "xl/worksheets/sheet2.xml", n - rejected + 1},
		{sheetEvidence, "xl/worksheets/sheet3.xml", 6*(n-rejected) + 1},
		{sheetRejected, "xl/worksheets/sheet5.xml", rejected + 1},
	} {
		rc, err := zr.Open(tt.part)
		if err != nil {
			t.Fatal(err)
		}
		got, err := countRows(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s: got %d rows, want %d", tt.sheet, got, tt.want)
		}
	}
}

// countRows counts the <row> elements of a worksheet part.
func countRows(r io.Reader) (int, error) {
	const tag = "<row "
	n := 0
	buf := make([]byte, 64<<10)
	carry := []byte{}
	for {
		k, err := r.Read(buf)
		chunk := append(carry, buf[:k]...)
		n += bytes.Count(chunk, []byte(tag))
		// keep a tail shorter than the tag, so no match is counted twice
		if len(chunk) >= len(tag)-1 {
			carry = append([]byte{}, chunk[len(chunk)-len(tag)+1:]...)
		} else {
			carry = chunk
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// TestWorkbookSurvivesHostileText writes control characters, invalid UTF-8,
// right-to-left text and emoji, and reads them back.
func TestWorkbookSurvivesHostileText(t *testing.T) {
	results, rub := fixture()
	tests := []struct {
		name, in, want string
	}{
		{"controls", "Ana\x01\x07 Lima\x1b", "Ana Lima"},
		{"invalid utf-8", "Jo\xffão", "Jo\uFFFDão"},
		{"rtl", "مريم \u202eالعلي", "مريم \u202eالعلي"},
		{"emoji", "Ana 🚀👩‍💻", "Ana 🚀👩‍💻"},
		{"leading space", "  spaced  ", "  spaced  "},
	}
	for i, tt := range tests {
		results[i*2].Story.Name = tt.in
		if results[i*2].Scored() {
			results[i*2].Strength = tt.in
		}
	}
	opts := testOptions(t, rub)
	if _, err := write(t.Context(), results, opts, fakePDF); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(filepath.Join(opts.Dir, WorkbookFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheetCandidates)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range rows[1:] {
		names[r[2]] = true
	}
	for i, tt := range tests {
		if !results[i*2].Scored() {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			if !names[tt.want] {
				t.Errorf("name %q not found in Candidates; got %v", tt.want, names)
			}
		})
	}
	b, err := os.ReadFile(filepath.Join(opts.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if !json.Valid(line) {
			t.Errorf("results.jsonl line %d is not valid JSON", i+1)
		}
	}
}

func TestEvidenceTextGroupsNotesByQuote(t *testing.T) {
	ev := []evaluate.Evidence{
		{Quote: "I owned the launch.", Note: "owns a decision"},
		{Quote: "I owned the launch.", Note: "a launch"},
		{Quote: "Churn rose 18%.", Note: "names a metric"},
		{Quote: "I owned the launch.", Note: "a launch"},
		{Quote: "No note here."},
	}
	got := evidenceText(ev)
	want := "“I owned the launch.” — owns a decision; a launch\n“Churn rose 18%.” — names a metric\n“No note here.”"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestRowHeight(t *testing.T) {
	tests := []struct {
		name  string
		cells []wrapped
		want  float64
	}{
		{"empty", nil, 17},
		{"fits", []wrapped{{"short", 40}}, 17},
		{"two lines", []wrapped{{strings.Repeat("x", 50), 40}}, 32},
		{"newlines", []wrapped{{"a\nb\nc", 40}, {"d", 10}}, 47},
		{"capped", []wrapped{{strings.Repeat("x\n", 100), 40}}, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rowHeight(tt.cells...); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
