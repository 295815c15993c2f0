package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONLGolden(t *testing.T) {
	results, rub := fixture()
	opts := testOptions(t, rub)
	if _, err := write(t.Context(), results, opts, fakePDF); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(opts.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "results.golden.jsonl", got)
}

func TestJSONLOneValidObjectPerRowInOrder(t *testing.T) {
	results, _ := fixture()
	var b bytes.Buffer
	if err := JSONL(&b, results, nil, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(results) {
		t.Fatalf("got %d lines, want %d", len(lines), len(results))
	}
	for i, line := range lines {
		var rec struct {
			Status string  `json:"status"`
			Row    string  `json:"row"`
			PDF    *string `json:"pdf"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := "scored"
		if !results[i].Scored() {
			want = "rejected"
		}
		if rec.Status != want || rec.Row != results[i].Story.Ref {
			t.Errorf("line %d: got status %q row %q, want %q %q", i+1, rec.Status, rec.Row, want, results[i].Story.Ref)
		}
		if rec.PDF != nil {
			t.Errorf("line %d: got pdf %q without PDFs, want null", i+1, *rec.PDF)
		}
	}
	if !strings.Contains(lines[9], `<b>\"tests\"</b> & docs`) {
		t.Errorf("HTML is escaped: %s", lines[9])
	}
}

func TestJSONLDeterministic(t *testing.T) {
	results, _ := fixture()
	var a, b bytes.Buffer
	if err := JSONL(&a, results, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := JSONL(&b, results, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two encodings of the same results differ")
	}
}
