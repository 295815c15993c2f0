// Package report writes the outputs of a batch: one PDF feedback report per
// scored candidate, the cohort workbook (report.xlsx), results.jsonl and
// run.json. It owns the output directory: every file is written atomically
// (temporary file + rename) under safe, unique names inside it, and nothing is
// written anywhere else.
//
// It does not score anything: it renders evaluate.Results as they are,
// either a whole batch at once ([Write]) or as they arrive, in bounded
// memory ([Writer]).
package report

import (
	"time"

	"github.com/failwell/failwell/evaluate"
)

// Brand is the organisation's branding applied to PDFs (and the workbook title).
type Brand struct {
	Org    string // organisation name shown in the PDF header; empty for none
	Logo   string // path to a PNG or JPEG logo; empty for none
	Accent string // accent colour "#RRGGBB"; empty for the default
	Footer string // extra footer text
	Paper  string // "A4" (default) or "Letter"
}

// Options configure [Write].
type Options struct {
	// Dir is the output directory; it is created if missing.
	Dir string
	// Rubric is the rubric the results were scored with.
	Rubric *evaluate.Rubric
	// Jobs bounds concurrent PDF rendering; <= 0 means GOMAXPROCS.
	Jobs int
	// NoPDF skips the per-candidate PDFs.
	NoPDF bool
	// Date is the run's as-of date: printed as the generation date and used as
	// the PDFs' creation date, so that outputs are reproducible.
	Date time.Time
	// Version is the program version recorded in the outputs.
	Version string
	// Brand is applied to PDFs.
	Brand Brand
	// Run, if non-nil, is the run so far (start, inputs, rubric file, as-of
	// date, arguments), shown on the workbook's Run sheet. Write does not
	// write run.json; see [WriteRun].
	Run *RunInfo
	// CohortMeans are the cohort's mean levels by criterion id, drawn on
	// every PDF (see [MeanLevels]); [Write] computes them from its results
	// when nil.
	CohortMeans map[string]float64
	// BatchSize is the number of rows of the whole batch when the results
	// are one shard of it, so that PDF numbers get the batch's width; 0
	// means len(results).
	BatchSize int
	// BuildID identifies the program build in the content hashes of
	// incremental runs (see [Write]); empty means Version.
	BuildID string
	// Force renders every PDF again, ignoring the hashes an earlier run
	// left in Dir (see [Write]).
	Force bool
	// Progress, if non-nil, is called once per PDF written or failed, from
	// the rendering goroutines: it must be safe for concurrent use.
	Progress func()
}

// PDFOptions configure [PDF], the rendering of one candidate's report.
type PDFOptions struct {
	Rubric *evaluate.Rubric
	// CohortMeans maps criterion id → the cohort's mean level (0..4), drawn as
	// a marker on the chart; nil or missing ids draw none.
	CohortMeans map[string]float64
	Date        time.Time // generation date and PDF creation date
	Version     string
	Brand       Brand
}
