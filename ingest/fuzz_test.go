package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

// checkFuzzResult asserts what must hold for any input: either a
// *FileError and no stories, or stories with increasing rows, each scored
// or rejected with a *RowError.
func checkFuzzResult(t *testing.T, file string, ss []evaluate.Story, err error) {
	t.Helper()
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("err = %T %v, want *FileError", err, err)
		}
		var pe *panicError
		if errors.As(err, &pe) && ownPanic(pe.stack) {
			t.Fatalf("panic in ingest: %v\n%s", pe.value, pe.stack)
		}
		if len(ss) != 0 {
			t.Fatalf("got %d stories with a fatal error", len(ss))
		}
		return
	}
	checkStories(t, file, ss)
	prev := 0
	for _, s := range ss {
		i := strings.LastIndexByte(s.Ref, ':')
		row, cerr := strconv.Atoi(s.Ref[i+1:])
		if cerr != nil || row <= prev {
			t.Fatalf("Ref %q: row not increasing after %d", s.Ref, prev)
		}
		prev = row
		if len(s.Text) > MaxStoryBytes+len("…") {
			t.Fatalf("Text of %d bytes over the limit", len(s.Text))
		}
	}
}

// ownPanic reports whether the first non-runtime frame of a panic stack is
// in this package (a bug of ours) rather than in the xlsx library.
func ownPanic(stack []byte) bool {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			for _, m := range lines[i+1:] {
				if strings.HasPrefix(m, "\t") || strings.HasPrefix(m, "runtime.") {
					continue
				}
				return strings.HasPrefix(m, "github.com/failwell/failwell/ingest.")
			}
		}
	}
	return false
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		formsCSV,
		"Name;Story\nA;x, y\n",
		"sep=;\nName;Story\nA;x\n",
		"Name,Story\nA,\"unterminated\n",
		"Name,Story\nA,He said \"no\"\n\n\n,,\nB,\"multi\nline\"\n",
		"\xef\xbb\xbfStory\n\x00\n",
		"\xff\xfeS\x00t\x00o\x00r\x00y\x00\n\x00x\x00",
		"Timestamp,Answer\n2/30/2026,x\n21.09.2026,y\n46286,z\n",
		"Name\tStory\r\nA\tx\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("Name\tStory\nA\tx\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, tsv bool) {
		name := "f.csv"
		if tsv {
			name = "f.tsv"
		}
		ss, err := Read(name, bytes.NewReader(data), Options{})
		checkFuzzResult(t, name, ss, err)
		if err != nil {
			return
		}
		// Nothing lost: every non-blank row below the header is a story.
		text, _ := decodeText(data)
		if strings.Contains(text, "\r") && !strings.Contains(text, "\n") {
			text = strings.ReplaceAll(text, "\r", "\n")
		}
		delim := rune('\t')
		skip := 0
		if !tsv {
			if d, ok := sepDirective(text); ok {
				delim, skip = d, 1
				text = text[strings.IndexByte(text, '\n')+1:]
			} else {
				delim = sniffDelimiter(text)
			}
		}
		rows, perr := parseCSV(text, delim, false, skip)
		if perr != nil {
			rows, _ = parseCSV(text, delim, true, skip)
		}
		hi, _, herr := headerRow(&sheetData{file: name, rows: rows}, Options{})
		if herr != nil {
			t.Fatalf("read succeeded but header lookup fails: %v", herr)
		}
		if want := len(rows) - hi - 1; len(ss) != want {
			t.Fatalf("got %d stories, want %d (non-blank rows below the header)", len(ss), want)
		}
	})
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(formsWorkbook(f, false), false)
	f.Add(formsWorkbook(f, true), false)
	f.Add([]byte(`<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>`), true)
	f.Add([]byte(`<row r="1"><c r="A1" t="inlineStr"><is><t>Story</t></is></c><c r="B1" t="inlineStr"><is><t>Date</t></is></c></row><row r="3"><c r="B3"><v>46286.5</v></c><c r="A3"><f>1+1</f></c></row>`), true)
	f.Add([]byte(`<row r="1"><c r="A1" t="s"><v>99</v></c></row><row r="1048577"><c r="A5"><v>1</v></c></row>`), true)
	f.Add([]byte("PK\x03\x04garbage"), false)
	f.Fuzz(func(t *testing.T, data []byte, asSheet bool) {
		if asSheet {
			data = rawXLSX(t, string(data), `<mergeCells count="1"><mergeCell ref="A2:A4"/></mergeCells>`)
		}
		ss, err := Read("f.xlsx", bytes.NewReader(data), Options{UnzipSizeLimit: 8 << 20, UnzipXMLSizeLimit: 1 << 20})
		checkFuzzResult(t, "f.xlsx", ss, err)
	})
}

// Example_read shows the Google Forms shape read with no options.
func ExampleRead() {
	const csv = "Timestamp,Email Address,Full name,Tell me about your biggest failure\n" +
		"9/21/2026 14:03:11,ada@example.com,Ada Lovelace,I launched without a pilot and learned to test first.\n" +
		"9/22/2026 09:12:45,bob@example.com,Bob Stone,\n"
	stories, err := Read("cohort.csv", strings.NewReader(csv), Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stories {
		if s.Reject != nil {
			fmt.Println("rejected:", s.Reject)
			continue
		}
		fmt.Println(s.Ref, s.Name, s.Submitted.Format("2006-01-02"), s.Text)
	}
	// Output:
	// cohort.csv::2 Ada Lovelace 2026-09-21 I launched without a pilot and learned to test first.
	// rejected: cohort.csv: D3 (story): empty
}
