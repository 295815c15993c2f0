package report

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

// benchResults returns n varied scored results (the PDF test result with
// different names, totals and levels).
func benchResults(n int) []evaluate.Result {
	names := []string{"Małgorzata Wójcik", "Nguyễn Thị Minh Anh", "Γιώργος Παπαδόπουλος", "Анна Иванова", "陈静", "Zoë Hartmann"}
	out := make([]evaluate.Result, n)
	for i := range out {
		r := *pdfTestResult(names[i%len(names)], fmt.Sprintf("Cohort %c", 'A'+i%4), longStory(150+i%200))
		r.Story.Index = i
		r.Story.Ref = fmt.Sprintf("cohort.xlsx:Form Responses 1:%d", i+2)
		r.Story.ID = fmt.Sprintf("S%06d", i+1)
		r.Total = float64(i%1000) / 10
		r.Scores = append([]evaluate.Score(nil), r.Scores...)
		for j := range r.Scores {
			r.Scores[j].Level = (i + j) % 5
		}
		out[i] = r
	}
	return out
}

// BenchmarkWorkbook measures writing report.xlsx for 1,000 candidates.
func BenchmarkWorkbook(b *testing.B) {
	results := benchResults(1000)
	opts := Options{Dir: b.TempDir(), Rubric: pdfTestRubric(), NoPDF: true, Date: pdfTestDate, Version: "bench"}
	sum := &Summary{Counts: countResults(results), PDF: make([]string, len(results)), PDFErrors: make([]error, len(results))}
	b.ReportAllocs()
	for b.Loop() {
		if err := writeWorkbook(io.Discard, results, opts, sum); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(results))/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWrite measures Write (PDFs, results.jsonl and report.xlsx into a
// temporary directory) for 1,000 candidates.
func BenchmarkWrite(b *testing.B) {
	results := benchResults(1000)
	for _, noPDF := range []bool{false, true} {
		b.Run(fmt.Sprintf("no-pdf=%v", noPDF), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				opts := Options{Dir: b.TempDir(), Rubric: pdfTestRubric(), NoPDF: noPDF, Date: pdfTestDate, Version: "bench"}
				if _, err := Write(context.Background(), results, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(results))/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
