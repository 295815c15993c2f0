package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadMessyGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/messy.csv")
	if err != nil {
		t.Fatal(err)
	}
	ss, err := Read("testdata/messy.csv", bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkStories(t, "messy.csv", ss)
	var b strings.Builder
	for _, s := range ss {
		if s.Reject != nil {
			b.WriteString(s.Reject.Error() + "\n")
		}
	}
	b.WriteString("---\n" + summary(ss))
	got := b.String()
	golden := filepath.Join("testdata", "messy.golden")
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

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.csv", []byte("Name,Story\nA,x\nB,\n"))
	b := write("b.xlsx", formsWorkbook(t, false))
	bad := write("c.csv", []byte("Name,Notes\nA,x\n"))
	old := write("d.xls", []byte("old"))
	missing := filepath.Join(dir, "missing.csv")

	ss, inputs, err := ReadFiles([]string{a, bad, b, old, missing}, Options{})
	for _, want := range []error{ErrNoStoryColumn, ErrFormat, os.ErrNotExist} {
		if !errors.Is(err, want) {
			t.Errorf("err = %v, want it to include %v", err, want)
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != 3 {
		t.Errorf("err lists %d problems, want 3:\n%v", got, err)
	}
	if len(ss) != 6 {
		t.Fatalf("got %d stories, want 6", len(ss))
	}
	for i, s := range ss {
		if s.Index != i {
			t.Errorf("story %d has Index %d", i, s.Index)
		}
	}
	if got, want := ss[2].Ref, "b.xlsx:Form Responses 1:2"; got != want {
		t.Errorf("ss[2].Ref = %q, want %q", got, want)
	}
	sum := sha256.Sum256([]byte("Name,Story\nA,x\nB,\n"))
	wantInputs := []Input{
		{Path: a, SHA256: hex.EncodeToString(sum[:]), Rows: 2, Stories: 1, Rejected: 1},
		{Path: bad, Rows: 0},
		{Path: b, Rows: 4, Stories: 3, Rejected: 1},
		{Path: old},
		{Path: missing},
	}
	if len(inputs) != len(wantInputs) {
		t.Fatalf("got %d inputs, want %d", len(inputs), len(wantInputs))
	}
	total := 0
	for i, w := range wantInputs {
		g := inputs[i]
		if g.Path != w.Path || g.Rows != w.Rows || g.Stories != w.Stories || g.Rejected != w.Rejected {
			t.Errorf("inputs[%d] = %+v, want %+v", i, g, w)
		}
		if w.SHA256 != "" && g.SHA256 != w.SHA256 {
			t.Errorf("inputs[%d].SHA256 = %s, want %s", i, g.SHA256, w.SHA256)
		}
		if (g.Err != nil) != (i == 1 || i == 3 || i == 4) {
			t.Errorf("inputs[%d].Err = %v", i, g.Err)
		}
		if g.Rows != g.Stories+g.Rejected {
			t.Errorf("inputs[%d]: Rows %d != Stories %d + Rejected %d", i, g.Rows, g.Stories, g.Rejected)
		}
		total += g.Rows
	}
	wantNotes := []string{"encoding UTF-8", "comma-delimited", "header row 1", `columns: story=B "Story", name=A "Name"`}
	if got := strings.Join(inputs[0].Notes, "|"); got != strings.Join(wantNotes, "|") {
		t.Errorf("inputs[0].Notes = %q, want %q", inputs[0].Notes, wantNotes)
	}
	if got := inputs[2].Notes; len(got) == 0 || got[0] != `sheet "Form Responses 1"` {
		t.Errorf("inputs[2].Notes = %q, want the sheet first", got)
	}
	if total != len(ss) {
		t.Errorf("sum of Rows = %d, want %d", total, len(ss))
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"known fields", Options{Columns: map[string]string{"story": "Essay", "submitted": "When"}}, true},
		{"unknown field", Options{Columns: map[string]string{"stroy": "Essay"}}, false},
		{"empty header", Options{Columns: map[string]string{"story": " ? "}}, false},
		{"xml limit over total", Options{UnzipSizeLimit: 10, UnzipXMLSizeLimit: 20}, false},
		{"negative", Options{UnzipSizeLimit: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	_, err := Read("x.csv", strings.NewReader("Story\nx\n"), Options{Columns: map[string]string{"bogus": "x"}})
	if err == nil || !strings.Contains(err.Error(), `unknown field "bogus"`) {
		t.Errorf("Read with a bad option: err = %v", err)
	}
}

func TestRowErrorFormat(t *testing.T) {
	tests := []struct {
		err  *RowError
		want string
	}{
		{&RowError{File: "cohort.xlsx", Sheet: "Form Responses 1", Row: 14, Column: "E", Field: "story", Err: ErrEmpty},
			"cohort.xlsx: Form Responses 1!E14 (story): empty"},
		{&RowError{File: "cohort.csv", Row: 14, Column: "E", Field: "story", Err: ErrEmpty},
			"cohort.csv: E14 (story): empty"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, ErrEmpty) {
			t.Errorf("errors.Is(%v, ErrEmpty) = false", tt.err)
		}
	}
	fe := &FileError{File: "c.csv", Line: 3, Err: ErrUnbalancedQuote}
	if got, want := fe.Error(), "c.csv:3: unbalanced quote: a quoted field never ends"; got != want {
		t.Errorf("FileError = %q, want %q", got, want)
	}
}

func TestColName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := colName(i); got != want {
			t.Errorf("colName(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestWriteTemplate(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	ss, err := Read("template.xlsx", &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Reject != nil {
		t.Fatalf("template reads as %d stories (%v), want 1 valid example", len(ss), ss)
	}
	s := ss[0]
	if s.Name != "Ada Example" || s.ID != "C001" || s.Cohort != "Autumn 2026" || s.Email == "" ||
		s.Submitted.Format("2006-01-02") != "2026-09-21" || !strings.Contains(s.Text, "pilot") {
		t.Errorf("template example = %+v", s)
	}
	if s.Ref != "template.xlsx:"+TemplateSheet+":2" {
		t.Errorf("Ref = %q", s.Ref)
	}
	for i, f := range s.Fields {
		if f.Header != TemplateHeaders[i] {
			t.Errorf("header %d = %q, want %q", i, f.Header, TemplateHeaders[i])
		}
	}
}
