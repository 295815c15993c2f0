package report

import (
	"encoding/json"
	"io"
	"math"

	"github.com/failwell/failwell/evaluate"
)

// JSONL writes results as JSON Lines: one object per result, in the order
// given (input order), each on its own line. The output is deterministic:
// fields always appear in the order below, floats are plain decimals, and
// HTML characters (<, >, &) are not escaped. pdfs, if non-nil, is parallel to
// results and gives each row's PDF path relative to the output directory
// ("" for none); pdfErrs, if non-nil, gives each row's PDF failure.
//
// A scored row (Result.Err == nil):
//
//	{"status":"scored",           always "scored"
//	 "row":"cohort.xlsx:Form Responses 1:12",   Story.Ref, the source row
//	 "id":"C-012","name":"Zoë Hartmann","email":"zoe@example.com","cohort":"Spring 26",
//	                              as written in the sheet; "" when absent
//	 "submitted_at":"2026-10-01", submission date (YYYY-MM-DD) or null
//	 "as_of":"2026-10-01",        the date recency was measured from (YYYY-MM-DD)
//	 "words":231,                 word count
//	 "total":72.5,                weighted total 0..100, one decimal
//	 "band":"Strong",             rubric band of the total
//	 "criteria":[                 one per rubric criterion, in rubric order
//	   {"id":"scope","name":"Scope & responsibility",
//	    "level":3,                0..4
//	    "weight":20,              the criterion's weight in the total
//	    "descriptor":"...",       the rubric's description of the level
//	    "evidence":[{"quote":"...","start":10,"end":52,
//	                 "signal":"metric","effect":1.5,"note":"names a metric"}],
//	                              start/end are byte offsets into the story
//	    "feedback":"...","next_step":"..."}],   next_step is "" at level 4
//	 "flags":[{"code":"too-short","message":"..."}],   [] when none
//	 "strength":"...",            the story's top strength
//	 "change":"...",              the change that would raise the total most
//	 "pdf":"feedback/012-zoe-hartmann.pdf"}    relative path, or null with --no-pdf
//	                              or when rendering failed; then
//	 "pdf_error":"..."            (present only when rendering this PDF failed)
//
// A row that was not scored (rejected by ingest, or failed while scoring):
//
//	{"status":"rejected","row":"cohort.xlsx:Form Responses 1:14",
//	 "error":"cohort.xlsx: Form Responses 1!E14 (story): empty",
//	 "id":"...","name":"..."}     id and name only when the row had them
//
// Consumers should ignore unknown fields: fields may be added, never renamed
// or removed. The schema is also documented in docs/jsonl-schema.md.
func JSONL(w io.Writer, results []evaluate.Result, pdfs []string, pdfErrs []error) error {
	jw := newJSONLWriter(w)
	for i := range results {
		var pdf string
		var pdfErr error
		if i < len(pdfs) {
			pdf = pdfs[i]
		}
		if i < len(pdfErrs) {
			pdfErr = pdfErrs[i]
		}
		if err := jw.write(&results[i], pdf, pdfErr); err != nil {
			return err
		}
	}
	return nil
}

// jsonlWriter writes results.jsonl one record at a time.
type jsonlWriter struct{ enc *json.Encoder }

func newJSONLWriter(w io.Writer) *jsonlWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonlWriter{enc: enc}
}

// write writes r's line: pdf is its PDF's path ("" for none), pdfErr why
// its PDF could not be written.
func (j *jsonlWriter) write(r *evaluate.Result, pdf string, pdfErr error) error {
	if !r.Scored() {
		return j.enc.Encode(rejectedRecord{Status: "rejected", Row: r.Story.Ref, Error: r.Err.Error(), ID: r.Story.ID, Name: r.Story.Name})
	}
	s := scoredRecord{
		Status:   "scored",
		Row:      r.Story.Ref,
		ID:       r.Story.ID,
		Name:     r.Story.Name,
		Email:    r.Story.Email,
		Cohort:   r.Story.Cohort,
		AsOf:     isoDate(r.Ref),
		Words:    r.Words,
		Total:    r.Total,
		Band:     r.Band,
		Criteria: make([]criterionRecord, len(r.Scores)),
		Flags:    make([]flagRecord, len(r.Flags)),
		Strength: r.Strength,
		Change:   r.Change,
	}
	if !r.Story.Submitted.IsZero() {
		d := isoDate(r.Story.Submitted)
		s.Submitted = &d
	}
	for j, sc := range r.Scores {
		c := criterionRecord{
			ID: sc.ID, Name: sc.Name, Level: sc.Level, Weight: sc.Weight,
			Descriptor: sc.Descriptor, Evidence: make([]evidenceRecord, len(sc.Evidence)),
			Feedback: sc.Feedback, NextStep: sc.NextStep,
		}
		for k, e := range sc.Evidence {
			c.Evidence[k] = evidenceRecord{Quote: e.Quote, Start: e.Start, End: e.End,
				Signal: e.Signal, Effect: round3(e.Effect), Note: e.Note}
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
	return j.enc.Encode(s)
}

// scoredRecord is one scored row of results.jsonl; field order is the schema.
type scoredRecord struct {
	Status    string            `json:"status"`
	Row       string            `json:"row"`
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Email     string            `json:"email"`
	Cohort    string            `json:"cohort"`
	Submitted *string           `json:"submitted_at"`
	AsOf      string            `json:"as_of"`
	Words     int               `json:"words"`
	Total     float64           `json:"total"`
	Band      string            `json:"band"`
	Criteria  []criterionRecord `json:"criteria"`
	Flags     []flagRecord      `json:"flags"`
	Strength  string            `json:"strength"`
	Change    string            `json:"change"`
	PDF       *string           `json:"pdf"`
	PDFError  string            `json:"pdf_error,omitempty"`
}

type criterionRecord struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Level      int              `json:"level"`
	Weight     float64          `json:"weight"`
	Descriptor string           `json:"descriptor"`
	Evidence   []evidenceRecord `json:"evidence"`
	Feedback   string           `json:"feedback"`
	NextStep   string           `json:"next_step"`
}

type evidenceRecord struct {
	Quote  string  `json:"quote"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Signal string  `json:"signal"`
	Effect float64 `json:"effect"`
	Note   string  `json:"note"`
}

type flagRecord struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// rejectedRecord is one unscored row of results.jsonl.
type rejectedRecord struct {
	Status string `json:"status"`
	Row    string `json:"row"`
	Error  string `json:"error"`
	ID     string `json:"id,omitempty"`
	Name   string `json:"name,omitempty"`
}

// round3 rounds x to three decimals, so that float noise (0.30000000000000004)
// does not reach the output.
func round3(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}
