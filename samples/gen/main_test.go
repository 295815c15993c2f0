package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// generate runs gen on the committed stories.csv into a temporary directory.
func generate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var stderr bytes.Buffer
	if err := run([]string{"-stories", filepath.Join("..", "stories.csv"), "-o", dir}, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	return dir
}

// TestCommittedOutputsUpToDate fails when a committed sample file differs from
// what gen produces now; fix it with `go run ./samples/gen`.
func TestCommittedOutputsUpToDate(t *testing.T) {
	dir := generate(t)
	for _, name := range []string{"cohort.csv", "labels.csv", "messy.csv", "cohort.xlsx"} {
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("generated %s (%d bytes) differs from committed samples/%s (%d bytes); run `go run ./samples/gen`",
					name, len(got), name, len(want))
			}
		})
	}
}

func TestXLSXShape(t *testing.T) {
	dir := generate(t)
	f, err := excelize.OpenFile(filepath.Join(dir, "cohort.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Form Responses 1"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	rows, err := f.GetRows(formsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows[0], "|"), strings.Join(formsHeader, "|"); got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	var filled, blank int
	for _, r := range rows[1:] {
		if strings.Join(r, "") == "" {
			blank++
		} else {
			filled++
		}
	}
	if filled != 34 || blank != 1 {
		t.Errorf("data rows = %d filled, %d blank; want 34 and 1", filled, blank)
	}
	// Timestamps are numeric cells displayed with a date-time format.
	typ, err := f.GetCellType(formsSheet, "A2")
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("A2 cell type = %v, want a number", typ)
	}
	raw, err := f.GetCellValue(formsSheet, "A2", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := excelize.ExcelDateToTime(mustFloat(t, raw), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ts.Format(time.DateOnly), "2026-09-03"; got != want {
		t.Errorf("A2 date = %s, want %s", got, want)
	}
	if got, want := rows[1][6], "C001"; got != want {
		t.Errorf("G2 = %q, want %q", got, want)
	}
}

func TestTypeformAndLabelsJoin(t *testing.T) {
	dir := generate(t)
	read := func(name string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return recs
	}
	cohort, labels := read("cohort.csv"), read("labels.csv")
	if got, want := strings.Join(cohort[0], "|"), strings.Join(typeformHeader, "|"); got != want {
		t.Errorf("cohort.csv header = %q, want %q", got, want)
	}
	if len(cohort) != 35 || len(labels) != 35 {
		t.Fatalf("rows: cohort.csv %d, labels.csv %d; want 35 each (header + 34)", len(cohort), len(labels))
	}
	for i := 1; i < len(cohort); i++ {
		if cohort[i][4] != labels[i][0] {
			t.Errorf("row %d: cohort id %q, labels id %q", i, cohort[i][4], labels[i][0])
		}
		if _, err := time.Parse(time.DateTime, cohort[i][6]); err != nil {
			t.Errorf("row %d: Submitted At: %v", i, err)
		}
	}
}

func TestMessyDefects(t *testing.T) {
	dir := generate(t)
	b, err := os.ReadFile(filepath.Join(dir, "messy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		row   int
		check func(r []string) bool
		what  string
	}{
		{2, func(r []string) bool { return r[5] == "" }, "empty story"},
		{3, func(r []string) bool { return r[4] == "next Tuesday" }, "unreadable date"},
		{4, func(r []string) bool { return strings.Join(r, "") == "" }, "blank row"},
		{5, func(r []string) bool { return strings.Contains(r[5], "\n") }, "multi-line story"},
		{6, func(r []string) bool { return strings.HasPrefix(r[1], "=") }, "formula-injection name"},
	}
	for _, tt := range tests {
		if !tt.check(recs[tt.row]) {
			t.Errorf("messy.csv record %d: want %s, got %q", tt.row, tt.what, recs[tt.row])
		}
	}
	if got, want := len(recs), 9; got != want {
		t.Errorf("messy.csv records = %d, want %d", got, want)
	}
}

func TestReadStoriesRejects(t *testing.T) {
	head := "id,name,email,cohort,submitted_at,story,scope,recency,learning,structure,arc,ownership,overall\n"
	tests := []struct {
		name, in, want string
	}{
		{"bad header", "id,name\nC1,x\n", "header must be"},
		{"duplicate id", head + "C1,a,a@example.com,A,2026-09-01,s,1,1,1,1,1,1,1\nC1,b,b@example.com,A,2026-09-01,s,1,1,1,1,1,1,1\n", "duplicate id"},
		{"bad date", head + "C1,a,a@example.com,A,01/09/2026,s,1,1,1,1,1,1,1\n", "submitted_at"},
		{"label out of range", head + "C1,a,a@example.com,A,2026-09-01,s,5,1,1,1,1,1,1\n", "scope"},
		{"label not half step", head + "C1,a,a@example.com,A,2026-09-01,s,1,1,1,1,1,1,7.3\n", "overall"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readStories(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}
