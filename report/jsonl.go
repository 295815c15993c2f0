package report

import (
	"io"
	"math"
	"strconv"
	"unicode/utf8"

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

// jsonlWriter writes results.jsonl one record at a time. It encodes the
// records by hand, byte for byte as encoding/json encodes scoredRecord and
// rejectedRecord (with HTML escaping off; see TestJSONLMatchesEncodingJSON),
// at a fraction of the cost of reflection.
type jsonlWriter struct {
	w   io.Writer
	buf []byte
}

func newJSONLWriter(w io.Writer) *jsonlWriter { return &jsonlWriter{w: w} }

// write writes r's line: pdf is its PDF's path ("" for none), pdfErr why
// its PDF could not be written.
func (j *jsonlWriter) write(r *evaluate.Result, pdf string, pdfErr error) error {
	j.buf = appendRecord(j.buf[:0], r, pdf, pdfErr)
	_, err := j.w.Write(j.buf)
	return err
}

// appendRecord appends r's JSON line to b.
func appendRecord(b []byte, r *evaluate.Result, pdf string, pdfErr error) []byte {
	if !r.Scored() {
		b = append(b, `{"status":"rejected","row":`...)
		b = appendJSONString(b, r.Story.Ref)
		b = append(b, `,"error":`...)
		b = appendJSONString(b, r.Err.Error())
		if r.Story.ID != "" {
			b = append(b, `,"id":`...)
			b = appendJSONString(b, r.Story.ID)
		}
		if r.Story.Name != "" {
			b = append(b, `,"name":`...)
			b = appendJSONString(b, r.Story.Name)
		}
		return append(b, "}\n"...)
	}
	b = append(b, `{"status":"scored","row":`...)
	b = appendJSONString(b, r.Story.Ref)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, r.Story.ID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, r.Story.Name)
	b = append(b, `,"email":`...)
	b = appendJSONString(b, r.Story.Email)
	b = append(b, `,"cohort":`...)
	b = appendJSONString(b, r.Story.Cohort)
	b = append(b, `,"submitted_at":`...)
	if r.Story.Submitted.IsZero() {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, isoDate(r.Story.Submitted))
	}
	b = append(b, `,"as_of":`...)
	b = appendJSONString(b, isoDate(r.Ref))
	b = append(b, `,"words":`...)
	b = strconv.AppendInt(b, int64(r.Words), 10)
	b = append(b, `,"total":`...)
	b = appendJSONFloat(b, r.Total)
	b = append(b, `,"band":`...)
	b = appendJSONString(b, r.Band)
	b = append(b, `,"criteria":[`...)
	for i, sc := range r.Scores {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, sc.ID)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, sc.Name)
		b = append(b, `,"level":`...)
		b = strconv.AppendInt(b, int64(sc.Level), 10)
		b = append(b, `,"weight":`...)
		b = appendJSONFloat(b, sc.Weight)
		b = append(b, `,"descriptor":`...)
		b = appendJSONString(b, sc.Descriptor)
		b = append(b, `,"evidence":[`...)
		for k, e := range sc.Evidence {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"quote":`...)
			b = appendJSONString(b, e.Quote)
			b = append(b, `,"start":`...)
			b = strconv.AppendInt(b, int64(e.Start), 10)
			b = append(b, `,"end":`...)
			b = strconv.AppendInt(b, int64(e.End), 10)
			b = append(b, `,"signal":`...)
			b = appendJSONString(b, e.Signal)
			b = append(b, `,"effect":`...)
			b = appendJSONFloat(b, round3(e.Effect))
			b = append(b, `,"note":`...)
			b = appendJSONString(b, e.Note)
			b = append(b, '}')
		}
		b = append(b, `],"feedback":`...)
		b = appendJSONString(b, sc.Feedback)
		b = append(b, `,"next_step":`...)
		b = appendJSONString(b, sc.NextStep)
		b = append(b, '}')
	}
	b = append(b, `],"flags":[`...)
	for i, f := range r.Flags {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = appendJSONString(b, f.Code)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, f.Message)
		b = append(b, '}')
	}
	b = append(b, `],"strength":`...)
	b = appendJSONString(b, r.Strength)
	b = append(b, `,"change":`...)
	b = appendJSONString(b, r.Change)
	b = append(b, `,"pdf":`...)
	if pdf == "" || pdfErr != nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, pdf)
	}
	if pdfErr != nil {
		if msg := pdfErr.Error(); msg != "" {
			b = append(b, `,"pdf_error":`...)
			b = appendJSONString(b, msg)
		}
	}
	return append(b, "}\n"...)
}

// appendJSONFloat appends f as encoding/json does ('f' notation, or 'e'
// for very small and very large magnitudes; NaN and ±Inf, which JSON
// cannot hold, as 0).
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it without HTML escaping: quote, backslash and control
// characters; U+2028 and U+2029; invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
