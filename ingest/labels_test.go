package ingest_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/ingest"
)

var labelKeys = []string{"scope", "recency", "learning", "structure", "arc", "ownership"}

func TestReadLabelsCSV(t *testing.T) {
	data := "id,scope,recency,learning,structure,arc,ownership,overall\n" +
		"C001,4,4,4,4,4,4,9.5\n" +
		"C002,3.5,,2,1,0,4,6\n" + // recency missing
		"C003,x,1,1,1,1,1,11\n" + // scope not a score, overall out of range
		",1,1,1,1,1,1,2\n" + // no id
		"\n" +
		"C004,\"2,5\",1,1,1,1,1,3\n" // decimal comma
	l, err := ingest.ReadLabels("labels.csv", strings.NewReader(data), labelKeys, ingest.LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]string{"overall"}, labelKeys...); !slices.Equal(l.Keys, want) {
		t.Errorf("Keys = %v, want %v", l.Keys, want)
	}
	if len(l.Rows) != 4 {
		t.Fatalf("%d rows, want 4", len(l.Rows))
	}
	tests := []struct {
		row    int
		id     string
		scores map[string]float64
	}{
		{0, "C001", map[string]float64{"scope": 4, "recency": 4, "learning": 4, "structure": 4, "arc": 4, "ownership": 4, "overall": 9.5}},
		{1, "C002", map[string]float64{"scope": 3.5, "learning": 2, "structure": 1, "arc": 0, "ownership": 4, "overall": 6}},
		{2, "C003", map[string]float64{"recency": 1, "learning": 1, "structure": 1, "arc": 1, "ownership": 1}},
		{3, "C004", map[string]float64{"scope": 2.5, "recency": 1, "learning": 1, "structure": 1, "arc": 1, "ownership": 1, "overall": 3}},
	}
	for _, tt := range tests {
		r := l.Rows[tt.row]
		if r.ID != tt.id || fmt.Sprint(r.Human.Scores) != fmt.Sprint(tt.scores) {
			t.Errorf("row %d = %s %v, want %s %v", tt.row, r.ID, r.Human.Scores, tt.id, tt.scores)
		}
		if r.Human.Second != nil {
			t.Errorf("row %d: second rater %v, want none", tt.row, r.Human.Second)
		}
	}
	if l.Rows[0].Row != 2 || l.Rows[3].Row != 7 {
		t.Errorf("row numbers %d, %d; want 2, 7", l.Rows[0].Row, l.Rows[3].Row)
	}
	var msgs []string
	for _, p := range l.Problems {
		msgs = append(msgs, p.Error())
	}
	want := []string{
		`labels.csv: B4 (scope): not a score: "x" (want a number from 0 to 4)`,
		`labels.csv: H4 (overall): not a score: "11" (want a number from 0 to 10)`,
		`labels.csv: A5 (id): empty`,
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	if !errors.Is(l.Problems[0], ingest.ErrNotScore) {
		t.Errorf("problem %v does not wrap ErrNotScore", l.Problems[0])
	}
}

func TestReadLabelsOverridesAndSecondRater(t *testing.T) {
	data := "Student number;Grade;Scope (R1);Scope (R2);human2_overall\n" +
		"S1;7;3;2;6,5\n"
	opts := ingest.LabelOptions{Columns: map[string]string{"id": "Student number", "overall": "Grade", "scope": "Scope (R1)", "human2_scope": "scope r2"}}
	l, err := ingest.ReadLabels("grades.csv", strings.NewReader(data), labelKeys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(l.Rows))
	}
	h := l.Rows[0].Human
	if l.Rows[0].ID != "S1" || fmt.Sprint(h.Scores) != "map[overall:7 scope:3]" || fmt.Sprint(h.Second) != "map[overall:6.5 scope:2]" {
		t.Errorf("got %s %v second %v", l.Rows[0].ID, h.Scores, h.Second)
	}

	_, err = ingest.ReadLabels("grades.csv", strings.NewReader(data), labelKeys, ingest.LabelOptions{Columns: map[string]string{"grade": "Grade"}})
	if err == nil || !strings.Contains(err.Error(), `unknown key "grade"`) {
		t.Errorf("unknown key: err = %v", err)
	}
}

func TestReadLabelsXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"Grades for cohort A"},
		{},
		{"Candidate ID", "Human overall", "Human scope", "Human 2 overall", "Note"},
		{"C001", 8.5, 3, 8, "fine"},
		{"C002", "", 2, nil, ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	l, err := ingest.ReadLabels("grades.xlsx", &buf, labelKeys, ingest.LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Sheet != "Sheet1" || len(l.Rows) != 2 || len(l.Problems) != 0 {
		t.Fatalf("sheet %q rows %d problems %v", l.Sheet, len(l.Rows), l.Problems)
	}
	if got := fmt.Sprint(l.Rows[0].Human.Scores, l.Rows[0].Human.Second, l.Rows[1].Human.Scores); got != "map[overall:8.5 scope:3] map[overall:8] map[scope:2]" {
		t.Errorf("got %s", got)
	}
	if l.Rows[0].Row != 4 {
		t.Errorf("row %d, want 4", l.Rows[0].Row)
	}
}

func TestReadLabelsErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             error
	}{
		{"no id column", "l.csv", "scope,overall\n1,2\n", ingest.ErrNoLabels},
		{"no score column", "l.csv", "id,comment\nC1,x\n", ingest.ErrNoLabels},
		{"unsupported format", "l.ods", "x", ingest.ErrFormat},
		{"not a workbook", "l.xlsx", "id,overall\n", ingest.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.ReadLabels(tt.file, strings.NewReader(tt.data), labelKeys, ingest.LabelOptions{})
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if _, ok := errors.AsType[*ingest.FileError](err); !ok {
				t.Errorf("err = %T, want *ingest.FileError", err)
			}
		})
	}
}

func labeled(id string, overall float64) ingest.LabelRow {
	return ingest.LabelRow{ID: id, Human: evaluate.Human{Scores: map[string]float64{"overall": overall}}}
}

func TestJoinLabels(t *testing.T) {
	stories := []evaluate.Story{
		{Ref: "c.csv::2", ID: "C001"},
		{Ref: "c.csv::3", ID: " c002 "}, // case and spaces ignored
		{Ref: "c.csv::4", ID: ""},       // no id
		{Ref: "c.csv::5", ID: "C003"},   // no label
		{Ref: "c.csv::6", ID: "C004"},   // duplicate label
		{Ref: "c.csv::7", ID: "C005"},   // duplicate story id
		{Ref: "c.csv::8", ID: "C005"},
	}
	rows := []ingest.LabelRow{labeled("C001", 8), labeled("C002", 5), labeled("C004", 1), labeled("C004", 2),
		labeled("C005", 3), labeled("C999", 4)}
	for i := range rows {
		rows[i].Row = i + 2
	}
	humans, rep := ingest.JoinLabels(stories, &ingest.Labels{File: "labels.csv", Rows: rows})
	if len(humans) != len(stories) {
		t.Fatalf("%d humans for %d stories", len(humans), len(stories))
	}
	var got []string
	for _, h := range humans {
		got = append(got, fmt.Sprint(h.Scores))
	}
	want := []string{"map[overall:8]", "map[overall:5]", "map[]", "map[]", "map[]", "map[]", "map[]"}
	if !slices.Equal(got, want) {
		t.Errorf("humans = %v, want %v", got, want)
	}
	if rep.Matched != 2 {
		t.Errorf("Matched = %d, want 2", rep.Matched)
	}
	if !slices.Equal(rep.Unmatched, []string{"C999 (labels.csv row 7)"}) {
		t.Errorf("Unmatched = %v", rep.Unmatched)
	}
	if !slices.Equal(rep.NoID, []string{"c.csv::4"}) {
		t.Errorf("NoID = %v", rep.NoID)
	}
	if !slices.Equal(rep.Duplicates, []string{"C004", "C005"}) {
		t.Errorf("Duplicates = %v, want [C004 C005]", rep.Duplicates)
	}
}

func TestSheetLabels(t *testing.T) {
	stories := []evaluate.Story{
		{Ref: "c.csv::2", Fields: []evaluate.Field{{Header: "Story", Value: "..."}, {Header: "human_overall", Value: "7.5"},
			{Header: "Human Scope", Value: "3"}, {Header: "human2_scope", Value: "4"}, {Header: "scope", Value: "1"}}},
		{Ref: "c.csv::3", Fields: []evaluate.Field{{Header: "human_overall", Value: ""}, {Header: "Human Scope", Value: "n/a"}}},
	}
	humans, problems, found := ingest.SheetLabels(stories, labelKeys)
	if !found {
		t.Fatal("found = false")
	}
	if got := fmt.Sprint(humans[0].Scores, humans[0].Second); got != "map[overall:7.5 scope:3] map[scope:4]" {
		t.Errorf("row 1: %s (a bare \"scope\" column is not a label in the cohort sheet)", got)
	}
	if len(humans[1].Scores) != 0 {
		t.Errorf("row 2: %v, want no scores (empty is missing, not 0)", humans[1].Scores)
	}
	if len(problems) != 1 || problems[0].Error() != `c.csv::3 (Human Scope): not a score: "n/a" (want a number from 0 to 4)` {
		t.Errorf("problems = %v", problems)
	}
	_, _, found = ingest.SheetLabels([]evaluate.Story{{Fields: []evaluate.Field{{Header: "Story"}}}}, labelKeys)
	if found {
		t.Error("found = true without human_ columns")
	}
}

func TestReadSampleLabels(t *testing.T) {
	f, err := os.Open("../samples/labels.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ingest.ReadLabels("labels.csv", f, labelKeys, ingest.LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != 34 || len(l.Problems) != 0 || len(l.Keys) != 7 {
		t.Errorf("rows %d problems %v keys %v; want 34, none, 7", len(l.Rows), l.Problems, l.Keys)
	}
}

// FuzzReadLabels checks that any labels file is read without panicking and
// that every score read is in its range.
func FuzzReadLabels(f *testing.F) {
	f.Add("id,scope,overall\nC1,3,7.5\n")
	f.Add("Candidate ID;Human overall;human2_overall\nC1;8,5;9\n;;\n")
	f.Add("id,overall\n\"C1,x\",\"1\n2\"\n")
	f.Add("\xef\xbb\xbfid\tscope\nC1\t-1\n")
	f.Fuzz(func(t *testing.T, data string) {
		l, err := ingest.ReadLabels("l.csv", strings.NewReader(data), labelKeys, ingest.LabelOptions{})
		if err != nil {
			return
		}
		for _, r := range l.Rows {
			for _, m := range []map[string]float64{r.Human.Scores, r.Human.Second} {
				for k, v := range m {
					hi := 4.0
					if k == "overall" {
						hi = 10
					}
					if !(v >= 0 && v <= hi) {
						t.Errorf("row %d: %s = %v out of range", r.Row, k, v)
					}
				}
			}
		}
	})
}
