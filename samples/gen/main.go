// Command gen regenerates the sample cohort files in samples/ from the
// hand-authored source of truth, samples/stories.csv.
//
// Usage, from the repository root:
//
//	go run ./samples/gen [-stories FILE] [-o DIR]
//	go run ./samples/gen -n N -o FILE.xlsx|FILE.csv
//
// With -n, it writes instead one synthetic cohort of N candidates to FILE
// (a Google Forms export, .xlsx or .csv by the extension), for benchmarks:
// stories composed from sentence templates at five quality levels, names in
// Latin, Greek, Cyrillic, CJK and Vietnamese scripts. The same N gives the
// same bytes.
//
// It writes, into DIR (default "samples"):
//
//   - cohort.xlsx: a Google Forms export ("Form Responses 1" sheet, real
//     Excel date-time timestamps, one fully blank row in the middle);
//   - cohort.csv: the same candidates as a Typeform CSV export;
//   - labels.csv: the human labels (id plus the six criteria and overall),
//     joinable on the "Candidate ID" column of both exports;
//   - messy.csv: a small deliberately broken export for error-handling demos.
//
// Output is deterministic: timestamps derive from each story's submitted_at
// date plus a fixed per-row time of day, the workbook's document properties
// are fixed, and nothing reads the clock, so two runs produce identical bytes.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "gen:", err)
		}
		os.Exit(2)
	}
}

// run parses args, reads the stories file and writes every output into the
// output directory.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storiesPath := fs.String("stories", filepath.Join("samples", "stories.csv"), "hand-authored `FILE` with stories and labels")
	outDir := fs.String("o", "samples", "output `DIR` (with -n: output FILE, .xlsx or .csv)")
	n := fs.Int("n", 0, "write a synthetic cohort of `N` candidates to the -o file instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *n != 0 {
		return writeSynth(*outDir, *n)
	}
	f, err := os.Open(*storiesPath)
	if err != nil {
		return err
	}
	defer f.Close()
	cands, err := readStories(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *storiesPath, err)
	}
	for _, o := range outputs {
		var buf bytes.Buffer
		if err := o.write(&buf, cands); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		if err := os.WriteFile(filepath.Join(*outDir, o.name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeSynth writes a synthetic cohort of n candidates to path, as .xlsx or
// .csv by its extension.
func writeSynth(path string, n int) error {
	if n < 0 {
		return fmt.Errorf("-n %d: must be positive", n)
	}
	var write func(io.Writer, []candidate) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		write = writeSynthXLSX
	case ".csv":
		write = writeSynthCSV
	default:
		return fmt.Errorf("-o %q: with -n the output must be a .xlsx or .csv file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw, synthCohort(n)); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// outputs lists every generated file and the function that renders it from
// the candidates. A future synthetic-cohort mode only has to produce a
// different []candidate.
var outputs = []struct {
	name  string
	write func(io.Writer, []candidate) error
}{
	{"cohort.xlsx", writeFormsXLSX},
	{"cohort.csv", writeTypeformCSV},
	{"labels.csv", writeLabels},
	{"messy.csv", writeMessy},
}

// candidate is one row of stories.csv.
type candidate struct {
	ID, Name, Email, Cohort string
	// Submitted is the submission date (midnight UTC) from submitted_at.
	Submitted time.Time
	Story     string
	// Labels are the human scores in labelCols order, kept as written
	// (0–4 per criterion, 0–10 overall, halves allowed).
	Labels []string
}

// storyCols and labelCols are the exact header of stories.csv.
var (
	storyCols = []string{"id", "name", "email", "cohort", "submitted_at", "story"}
	labelCols = []string{"scope", "recency", "learning", "structure", "arc", "ownership", "overall"}
)

// readStories parses and validates stories.csv.
func readStories(r io.Reader) ([]candidate, error) {
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	want := append(append([]string{}, storyCols...), labelCols...)
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("header must be %q", strings.Join(want, ","))
	}
	var cands []candidate
	seen := map[string]bool{}
	for i, rec := range recs[1:] {
		line := i + 2
		c := candidate{ID: rec[0], Name: rec[1], Email: rec[2], Cohort: rec[3], Story: rec[5], Labels: rec[6:]}
		if c.ID == "" || seen[c.ID] {
			return nil, fmt.Errorf("line %d: missing or duplicate id %q", line, c.ID)
		}
		seen[c.ID] = true
		if c.Submitted, err = time.Parse(time.DateOnly, rec[4]); err != nil {
			return nil, fmt.Errorf("line %d: submitted_at: %w", line, err)
		}
		for j, v := range c.Labels {
			max := 4.0
			if labelCols[j] == "overall" {
				max = 10
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 0 || x > max || x*2 != float64(int(x*2)) {
				return nil, fmt.Errorf("line %d: %s: %q is not a multiple of 0.5 in [0,%g]", line, labelCols[j], v, max)
			}
		}
		cands = append(cands, c)
	}
	return cands, nil
}

// submittedAt is the full submission time of the i-th candidate: its date
// plus a fixed, varied time of day.
func submittedAt(i int, c candidate) time.Time {
	return c.Submitted.Add(time.Duration(8+(i*5)%13)*time.Hour +
		time.Duration((i*17+3)%60)*time.Minute +
		time.Duration((i*29+11)%60)*time.Second)
}

// roles fills the distractor column of the Google Forms export.
var roles = []string{"Product Manager", "Senior Product Manager", "Associate Product Manager",
	"Product Owner", "Technical Product Manager", "Growth Product Manager"}

// formsHeader is the Google Forms header row; story is column E.
var formsHeader = []string{"Timestamp", "Email Address", "Full name", "Cohort",
	"Tell me about your biggest failure", "Which role are you targeting?", "Candidate ID"}

// formsSheet is the sheet name Google Forms gives to its responses.
const formsSheet = "Form Responses 1"

// blankAfter is the number of candidates written before the blank row.
func blankAfter(n int) int { return n / 2 }

// newFormsFile is an empty workbook shaped like a Google Forms export: one
// sheet named formsSheet and fixed document properties (so that the bytes
// are reproducible).
func newFormsFile(title string) (*excelize.File, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", formsSheet); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator:        "failwell samples/gen",
		LastModifiedBy: "failwell samples/gen",
		Created:        "2026-11-20T00:00:00Z",
		Modified:       "2026-11-20T00:00:00Z",
		Title:          title,
		Language:       "en-US",
	}); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// writeFormsXLSX writes the candidates as a Google Forms response workbook.
func writeFormsXLSX(w io.Writer, cands []candidate) error {
	f, err := newFormsFile("Tell me about your biggest failure (Responses)")
	if err != nil {
		return err
	}
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return err
	}
	stamp, err := f.NewStyle(&excelize.Style{
		CustomNumFmt: ptr("m/d/yyyy h:mm:ss"),
		Alignment:    &excelize.Alignment{Vertical: "top"},
	})
	if err != nil {
		return err
	}
	top, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	widths := []float64{19, 32, 24, 19, 90, 28, 13}
	for i, h := range formsHeader {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(formsSheet, col, col, widths[i]); err != nil {
			return err
		}
		if err := f.SetCellStr(formsSheet, col+"1", h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(formsSheet, "A1", "G1", header); err != nil {
		return err
	}
	row := 2
	for i, c := range cands {
		if i == blankAfter(len(cands)) {
			row++ // one fully blank row, as when a response is deleted by hand
		}
		r := strconv.Itoa(row)
		if err := f.SetCellValue(formsSheet, "A"+r, submittedAt(i, c)); err != nil {
			return err
		}
		// In column order: shared strings are numbered in call order.
		for j, v := range []string{c.Email, c.Name, c.Cohort, c.Story, roles[i%len(roles)], c.ID} {
			col, _ := excelize.ColumnNumberToName(j + 2)
			if err := f.SetCellStr(formsSheet, col+r, v); err != nil {
				return err
			}
		}
		for _, s := range []struct {
			from, to string
			style    int
		}{{"A", "A", stamp}, {"B", "D", top}, {"E", "E", wrap}, {"F", "G", top}} {
			if err := f.SetCellStyle(formsSheet, s.from+r, s.to+r, s.style); err != nil {
				return err
			}
		}
		row++
	}
	if err := f.SetSheetDimension(formsSheet, "A1:G"+strconv.Itoa(row-1)); err != nil {
		return err
	}
	if err := f.SetPanes(formsSheet, &excelize.Panes{Freeze: true, YSplit: 1,
		TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.Write(w)
}

func ptr[T any](v T) *T { return &v }

// typeformHeader is the Typeform CSV header row.
var typeformHeader = []string{"#", "Full name", "Email", "Cohort", "Candidate ID",
	"Tell us about your biggest failure", "Submitted At", "Network ID"}

// writeTypeformCSV writes the candidates as a Typeform CSV export.
func writeTypeformCSV(w io.Writer, cands []candidate) error {
	cw := csv.NewWriter(w)
	cw.Write(typeformHeader)
	for i, c := range cands {
		cw.Write([]string{token("response", c.ID, 32), c.Name, c.Email, c.Cohort, c.ID, c.Story,
			submittedAt(i, c).Format(time.DateTime), token("network", c.Email, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// token derives a stable hex identifier of length n from kind and key,
// standing in for Typeform's random response and network ids.
func token(kind, key string, n int) string {
	sum := sha256.Sum256([]byte(kind + ":" + key))
	return hex.EncodeToString(sum[:])[:n]
}

// writeLabels writes the human labels, one row per candidate.
func writeLabels(w io.Writer, cands []candidate) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"id"}, labelCols...))
	for _, c := range cands {
		cw.Write(append([]string{c.ID}, c.Labels...))
	}
	cw.Flush()
	return cw.Error()
}

// messyHeader is the header of messy.csv (Typeform-like, no tokens).
var messyHeader = []string{"Candidate ID", "Full name", "Email", "Cohort", "Submitted At",
	"Tell us about your biggest failure"}

// injectedStory is the story of the formula-injection row; it is valid.
const injectedStory = `In 2025 I owned the relaunch of the saved-searches feature at a used-car marketplace with about 300,000 monthly buyers. I bet that daily email alerts would bring buyers back, and shipped them on by default. Unsubscribes tripled and our sender reputation dropped, so alerts landed in spam for everyone. We switched to alerts only on price drops for cars a buyer had viewed twice; open rates went from 9% to 41% and return visits grew 12%. I now test notification frequency on a small cohort first.`

// writeMessy writes a small export with one of each common defect: an empty
// story, an unreadable date, a blank row, a quoted multi-line story and a
// name that tries formula injection. The other rows are valid.
func writeMessy(w io.Writer, cands []candidate) error {
	byID := map[string]int{}
	for i, c := range cands {
		byID[c.ID] = i
	}
	from := func(mid, cid string, edit func(rec []string)) ([]string, error) {
		i, ok := byID[cid]
		if !ok {
			return nil, fmt.Errorf("messy row %s: no candidate %s", mid, cid)
		}
		c := cands[i]
		rec := []string{mid, c.Name, c.Email, c.Cohort, submittedAt(i, c).Format(time.DateTime), c.Story}
		if edit != nil {
			edit(rec)
		}
		return rec, nil
	}
	rows := []struct {
		mid, cid string
		edit     func(rec []string)
	}{
		{"M01", "C003", nil},
		{"M02", "C010", func(r []string) { r[5] = "" }},             // empty story
		{"M03", "C013", func(r []string) { r[4] = "next Tuesday" }}, // unreadable date
		{"", "", nil}, // fully blank row
		// Multi-line quoted story (every story has paragraphs; this one is casual).
		{"M04", "C029", nil},
		// Formula injection in the name; the story is valid.
		{"M05", "", nil},
		{"M06", "C034", nil},
		{"M07", "C007", nil},
	}
	cw := csv.NewWriter(w)
	cw.Write(messyHeader)
	for _, r := range rows {
		var rec []string
		switch {
		case r.mid == "":
			rec = make([]string, len(messyHeader))
		case r.cid == "":
			rec = []string{r.mid, `=HYPERLINK("https://example.com/prize","Claim your prize")`,
				"prize.winner@example.org", "PM-Winter-2026-A", "2026-10-30 09:41:00", injectedStory}
		default:
			var err error
			if rec, err = from(r.mid, r.cid, r.edit); err != nil {
				return err
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
