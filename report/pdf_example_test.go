package report_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/report"
)

// ExamplePDF renders one candidate's feedback report.
func ExamplePDF() {
	res := &evaluate.Result{
		Story: evaluate.Story{Name: "Nguyễn Thị Minh Anh", Cohort: "Spring 2026",
			Text: "In 2024 I shipped a pricing change without testing it. Renewals fell 18%. I now run every change past five customers first."},
		Words: 22, Total: 64.5, Band: "Developing",
		Scores: []evaluate.Score{{ID: "learning", Name: "Learning", Level: 3, Descriptor: "A changed habit.",
			Evidence: []evaluate.Evidence{{Quote: "I now run every change past five customers first.", Start: 74, End: 123, Effect: 1, Note: "a changed habit"}},
			Feedback: "You name what you do differently now.", NextStep: "Say how you know it works."}},
		Strength: "You name a habit you changed.",
		Change:   "Show that the new habit works.",
	}
	var buf bytes.Buffer
	err := report.PDF(&buf, res, report.PDFOptions{
		Date:    time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Version: "1.0.0",
		Brand:   report.Brand{Org: "Northwind Bootcamp", Accent: "#1F4E79", Paper: "A4"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(buf.Bytes()[:8]))
	// Output: %PDF-1.3
}
