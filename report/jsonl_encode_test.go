package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// referenceRecord is results.jsonl's line for r as encoding/json writes the
// schema's record types: the hand encoder must match it byte for byte.
func referenceRecord(t testing.TB, r *evaluate.Result, pdf string, pdfErr error) []byte {
	var rec any
	if !r.Scored() {
		rec = rejectedRecord{Status: "rejected", Row: r.Story.Ref, Error: r.Err.Error(), ID: r.Story.ID, Name: r.Story.Name}
	} else {
		s := scoredRecord{Status: "scored", Row: r.Story.Ref, ID: r.Story.ID, Name: r.Story.Name, Email: r.Story.Email,
			Cohort: r.Story.Cohort, AsOf: isoDate(r.Ref), Words: r.Words, Total: r.Total, Band: r.Band,
			Criteria: make([]criterionRecord, len(r.Scores)), Flags: make([]flagRecord, len(r.Flags)),
			Strength: r.Strength, Change: r.Change}
		if !r.Story.Submitted.IsZero() {
			d := isoDate(r.Story.Submitted)
			s.Submitted = &d
		}
		for j, sc := range r.Scores {
			c := criterionRecord{ID: sc.ID, Name: sc.Name, Level: sc.Level, Weight: sc.Weight, Descriptor: sc.Descriptor,
				Evidence: make([]evidenceRecord, len(sc.Evidence)), Feedback: sc.Feedback, NextStep: sc.NextStep}
			for k, e := range sc.Evidence {
				c.Evidence[k] = evidenceRecord{Quote: e.Quote, Start: e.Start, End: e.End, Signal: e.Signal, Effect: round3(e.Effect), Note: e.Note}
			}
			s.Criteria[j] = c
		}
		for j, f := range r.Flags {
			s.Flags[j] = flagRecord(f)
		}
		if pdf != "" {
			s.PDF = &pdf
		}
		if pdfErr != nil {
			s.PDF = nil
			s.PDFError = pdfErr.Error()
		}
		rec = s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return b.Bytes()
}

func TestJSONLMatchesEncodingJSON(t *testing.T) {
	results, _ := fixture()
	for i := range results {
		for _, pdf := range []struct {
			path string
			err  error
		}{{"", nil}, {"feedback/001-a.pdf", nil}, {"feedback/001-a.pdf", errors.New("disk \"full\"\n")}} {
			got := appendRecord(nil, &results[i], pdf.path, pdf.err)
			want := referenceRecord(t, &results[i], pdf.path, pdf.err)
			if !bytes.Equal(got, want) {
				t.Errorf("row %d:\ngot  %s\nwant %s", i, got, want)
			}
		}
	}
	for _, f := range []float64{0, -0.5, 1, 72.5, 1e-7, 1.5e-300, 1e21, 123456789012345678901234.0, 0.1 + 0.2, -3e-9} {
		got := string(appendJSONFloat(nil, f))
		want, _ := json.Marshal(f)
		if got != string(want) {
			t.Errorf("float %v: got %s, want %s", f, got, want)
		}
	}
	if got := string(appendJSONFloat(nil, math.NaN())); got != "0" {
		t.Errorf("NaN: got %s, want 0", got)
	}
}

// FuzzJSONLString checks the hand encoder of strings against encoding/json
// on any text, valid UTF-8 or not.
func FuzzJSONLString(f *testing.F) {
	for _, s := range []string{"", "plain", `quo"te \ back`, "tab\tnl\ncr\r\x00\x1f\x7f", "<b>&</b>", "\u2028\u2029", "\xff\xfe bad", "Zoë 日本 🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := evaluate.Result{Story: evaluate.Story{Ref: s, ID: s, Name: s, Email: s, Cohort: s, Submitted: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
			Total: 50, Band: s, Strength: s, Change: s,
			Scores: []evaluate.Score{{ID: s, Name: s, Level: 2, Weight: 10, Descriptor: s, Feedback: s, NextStep: s,
				Evidence: []evaluate.Evidence{{Quote: s, Start: 1, End: 2, Signal: s, Effect: 0.5, Note: s}}}},
			Flags: []evaluate.Flag{{Code: s, Message: s}}}
		got := appendRecord(nil, &r, s, nil)
		want := referenceRecord(t, &r, s, nil)
		if !bytes.Equal(got, want) {
			t.Errorf("got  %q\nwant %q", got, want)
		}
		rej := evaluate.Result{Story: evaluate.Story{Ref: s, ID: s, Name: s}, Err: errors.New(s)}
		if got, want := appendRecord(nil, &rej, "", nil), referenceRecord(t, &rej, "", nil); !bytes.Equal(got, want) {
			t.Errorf("rejected: got  %q\nwant %q", got, want)
		}
	})
}
