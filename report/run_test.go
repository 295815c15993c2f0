package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteRunGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	info := RunInfo{
		Version:    "v1.2.3",
		Start:      time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		End:        time.Date(2026, 11, 2, 9, 0, 4, 500_000_000, time.UTC),
		Args:       []string{"run", "cohort.xlsx", "--jobs", "2"},
		Inputs:     []InputInfo{{Path: "cohort.xlsx", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Rows: 34}},
		Rubric:     RubricInfo{ID: "failwell-default", Version: "1.0", SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"},
		AsOf:       "2026-11-02",
		Jobs:       2,
		Counts:     Counts{Read: 34, Scored: 32, Rejected: 2, Flagged: 3, PDFs: 32},
		Outputs:    []string{"results.jsonl", "report.xlsx"},
		Stages:     []Stage{{Name: "ingest", Seconds: 0.2}, {Name: "score", Seconds: 1.5}, {Name: "report", Seconds: 2.8}},
		ExitStatus: 3,
	}
	if err := WriteRun(dir, info); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run.golden.json", got)
	st, _ := os.Stat(filepath.Join(dir, RunFile))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("run.json mode: got %v, want 0600", st.Mode().Perm())
	}
}
