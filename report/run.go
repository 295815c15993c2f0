package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// RunInfo is what run.json records about one run. [WriteRun] writes it as
// indented JSON with the fields in the order below.
type RunInfo struct {
	// Version is the program version ("v0.3.0", or "devel").
	Version string `json:"version"`
	// Start and End are when the run started and finished (wall clock).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Args are the command-line arguments, without the program name.
	Args []string `json:"args,omitempty"`
	// Inputs are the input files, in the order given.
	Inputs []InputInfo `json:"inputs"`
	// Rubric identifies the rubric used.
	Rubric RubricInfo `json:"rubric"`
	// AsOf is the reference date for rows without a submission date,
	// YYYY-MM-DD.
	AsOf string `json:"as_of"`
	// Jobs is the number of concurrent workers used.
	Jobs int `json:"jobs,omitempty"`
	// Shard is "K/N" when the run processed one shard of the rows.
	Shard string `json:"shard,omitempty"`
	// Counts are the row counts; Read = Scored + Rejected.
	Counts Counts `json:"counts"`
	// Outputs lists the files written, relative to the output directory,
	// in the order written (results.jsonl, report.xlsx, feedback/...).
	Outputs []string `json:"outputs,omitempty"`
	// ExitStatus is the process exit status (0 ok, 1 runtime failure,
	// 2 usage, 3 some rows rejected, 130 interrupted).
	ExitStatus int `json:"exit_status"`
	// Interrupted is true when the run was cancelled (SIGINT/SIGTERM).
	Interrupted bool `json:"interrupted"`
	// Error is the run's fatal error, if any.
	Error string `json:"error,omitempty"`
	// Stages are the durations of the run's stages, in the order run.
	Stages []Stage `json:"stages,omitempty"`
	// Fingerprint is a hash of everything the outputs depend on (program
	// version, inputs' bytes, rubric, settings); a rerun with the same
	// fingerprint over intact outputs has nothing to do.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// InputInfo describes one input file.
type InputInfo struct {
	Path   string `json:"path"`   // as given on the command line
	SHA256 string `json:"sha256"` // hex digest of the file's bytes
	Rows   int    `json:"rows"`   // data rows read (blank rows excluded)
}

// RubricInfo identifies a rubric.
type RubricInfo struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	// Path is the rubric file, or "" for the embedded default rubric.
	Path string `json:"path"`
	// SHA256 is the hex digest of the rubric file's bytes (of the embedded
	// rubric for the default).
	SHA256 string `json:"sha256"`
}

// Counts are a run's row counts.
type Counts struct {
	Read     int `json:"read"`     // rows read: Scored + Rejected
	Scored   int `json:"scored"`   // rows scored
	Rejected int `json:"rejected"` // rows rejected by ingest or failed while scoring
	Flagged  int `json:"flagged"`  // scored rows with review flags
	PDFs     int `json:"pdfs"`     // PDF reports written
	// PDFsReused counts the PDFs (among PDFs) left as an earlier run wrote
	// them, their content being unchanged.
	PDFsReused int `json:"pdfs_reused"`
}

// Stage is the duration of one stage of a run ("ingest", "score", "report").
type Stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// encode writes info as indented JSON.
func (info *RunInfo) encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(info)
}

// WriteRun writes info to dir/run.json atomically (mode 0600), creating dir
// if needed. It is typically called last, after [Write], when the exit status
// is known; it also succeeds when Write failed, so that a failed or
// interrupted run is recorded.
func WriteRun(dir string, info RunInfo) error {
	d, err := openOutDir(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.writeFile(RunFile, info.encode); err != nil {
		return fmt.Errorf("report: %s: %w", d.path, err)
	}
	return nil
}
