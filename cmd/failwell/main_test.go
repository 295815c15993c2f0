package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failwell/failwell/config"
)

const samples = "../../samples"

// runCLI runs the command line in-process with an empty environment and
// returns the exit status and what it printed.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIEnv(t, nil, stdin, args...)
}

// runCLIEnv is runCLI with the environment env ("KEY=value" pairs).
func runCLIEnv(t *testing.T, env []string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(stdin), &out, &errb, env)
	return code, out.String(), errb.String()
}

// jsonlRecord is the part of a results.jsonl line the tests check.
type jsonlRecord struct {
	Status   string  `json:"status"`
	Row      string  `json:"row"`
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Error    string  `json:"error"`
	Words    int     `json:"words"`
	Total    float64 `json:"total"`
	Band     string  `json:"band"`
	PDF      *string `json:"pdf"`
	Criteria []struct {
		ID       string `json:"id"`
		Level    int    `json:"level"`
		Feedback string `json:"feedback"`
		Evidence []struct {
			Quote      string `json:"quote"`
			Start, End int
		} `json:"evidence"`
	} `json:"criteria"`
}

func readJSONL(t *testing.T, path string) []jsonlRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []jsonlRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r jsonlRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("results.jsonl line %d: %v", len(recs)+1, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// sampleIDs reads the candidate ids of samples/stories.csv in order.
func sampleNames(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samples, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return lines[1:]
}

// zipText returns the concatenated contents of the named members of a zip file.
func zipText(t *testing.T, path string, names ...string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		for _, n := range names {
			if f.Name == n {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(&b, rc)
				rc.Close()
			}
		}
	}
	return b.String()
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils). Without it
// the test is skipped, except in CI, which installs it.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not installed (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext not installed")
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func TestRunScoresTheSampleCohortEndToEnd(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "run", filepath.Join(samples, "cohort.xlsx"), "--out", dir, "--as-of", "2026-11-26")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "34 rows: 34 scored") {
		t.Errorf("summary = %q, want it to count 34 scored rows", stdout)
	}

	recs := readJSONL(t, filepath.Join(dir, "results.jsonl"))
	if len(recs) != 34 {
		t.Fatalf("results.jsonl has %d lines, want 34", len(recs))
	}
	ids := map[string]bool{}
	for i, r := range recs {
		if r.Status != "scored" {
			t.Errorf("line %d: status %q, want scored (error %q)", i+1, r.Status, r.Error)
			continue
		}
		ids[r.ID] = true
		if !strings.HasPrefix(r.Row, "cohort.xlsx:Form Responses 1:") {
			t.Errorf("line %d: row %q, want a cohort.xlsx:Form Responses 1:N reference", i+1, r.Row)
		}
		if r.Total < 0 || r.Total > 100 || r.Band == "" || r.Words == 0 {
			t.Errorf("line %d: total %v band %q words %d", i+1, r.Total, r.Band, r.Words)
		}
		var got []string
		for _, c := range r.Criteria {
			got = append(got, c.ID)
			if c.Level < 0 || c.Level > 4 || c.Feedback == "" {
				t.Errorf("line %d %s: level %d, feedback %q", i+1, c.ID, c.Level, c.Feedback)
			}
		}
		if strings.Join(got, ",") != "scope,recency,learning,structure,arc,ownership" {
			t.Errorf("line %d: criteria %v", i+1, got)
		}
		if r.PDF == nil {
			t.Errorf("line %d: no pdf", i+1)
		} else if _, err := os.Stat(filepath.Join(dir, *r.PDF)); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
	// Input order: the sheet's rows, in order.
	for i := 1; i < len(recs); i++ {
		if rowNum(recs[i].Row) <= rowNum(recs[i-1].Row) {
			t.Errorf("rows out of order: %s after %s", recs[i].Row, recs[i-1].Row)
		}
	}
	for _, line := range sampleNames(t) {
		id, _, _ := strings.Cut(line, ",")
		if !ids[id] {
			t.Errorf("candidate %s missing from results.jsonl", id)
		}
	}

	// The best and the worst sample stories are ranked as a coach would.
	byID := map[string]jsonlRecord{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	if strong, none := byID["C001"], byID["C022"]; strong.Total <= none.Total {
		t.Errorf("C001 (an excellent story) total %v <= C022 (a non-answer) total %v", strong.Total, none.Total)
	}

	// The workbook: its sheets and every candidate's name.
	wb := filepath.Join(dir, "report.xlsx")
	sheets := zipText(t, wb, "xl/workbook.xml")
	for _, s := range []string{"Candidates", "Rejected"} {
		if !strings.Contains(sheets, `name="`+s+`"`) {
			t.Errorf("report.xlsx has no %s sheet", s)
		}
	}
	cells := zipText(t, wb, "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml")
	for _, r := range recs {
		if !strings.Contains(cells, xmlEscape(r.Name)) {
			t.Errorf("report.xlsx does not contain candidate %q", r.Name)
		}
	}

	// A PDF: the name in any script, the total and a quoted piece of evidence.
	for _, r := range recs[:3] {
		text := pdfText(t, filepath.Join(dir, *r.PDF))
		if !strings.Contains(text, r.Name) {
			t.Errorf("%s does not contain the name %q", *r.PDF, r.Name)
		}
		total := strings.TrimSuffix(strings.TrimSuffix(jsonNumber(r.Total), ".0"), ".")
		if !strings.Contains(text, total) {
			t.Errorf("%s does not contain the total %s", *r.PDF, total)
		}
	}

	var info struct {
		Counts     struct{ Read, Scored, Rejected int }
		ExitStatus int `json:"exit_status"`
		Inputs     []struct{ SHA256 string }
	}
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	if info.Counts.Read != 34 || info.Counts.Scored != 34 || info.Counts.Rejected != 0 || info.ExitStatus != 0 {
		t.Errorf("run.json counts %+v exit %d", info.Counts, info.ExitStatus)
	}
	if len(info.Inputs) != 1 || len(info.Inputs[0].SHA256) != 64 {
		t.Errorf("run.json inputs %+v", info.Inputs)
	}
}

func rowNum(ref string) int {
	i := strings.LastIndexByte(ref, ':')
	n := 0
	for _, c := range ref[i+1:] {
		n = n*10 + int(c-'0')
	}
	return n
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeText(&b, s)
	return b.String()
}

func TestRunRejectsBadRowsAndWritesTheRest(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "run", filepath.Join(samples, "messy.csv"), "--out", dir, "--as-of", "2026-11-26", "--quiet")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitPartial, stdout, stderr)
	}
	for _, want := range []string{"messy.csv: F3 (story): empty", `messy.csv: E4 (submitted): not a date: "next Tuesday"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not report %q:\n%s", want, stderr)
		}
	}
	recs := readJSONL(t, filepath.Join(dir, "results.jsonl"))
	var statuses []string
	for _, r := range recs {
		statuses = append(statuses, r.Status)
	}
	if got, want := strings.Join(statuses, ","), "scored,rejected,rejected,scored,scored,scored,scored"; got != want {
		t.Errorf("statuses %s, want %s", got, want)
	}
	// The formula-looking name stays text in the workbook.
	sheet := zipText(t, filepath.Join(dir, "report.xlsx"), "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml")
	if strings.Contains(sheet, "<f>HYPERLINK(&#34;https://example.com/prize") || strings.Contains(sheet, `<f>HYPERLINK("https://example.com/prize`) {
		t.Error("a candidate's name was stored as a formula")
	}
}

func TestRunIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if code, _, stderr := runCLI(t, "", "run", filepath.Join(samples, "cohort.csv"), "--out", dir, "--as-of", "2026-11-26", "--quiet"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	for _, name := range []string{"results.jsonl", "feedback/001-nguyen-thi-minh-anh.pdf"} {
		x, err1 := os.ReadFile(filepath.Join(a, name))
		y, err2 := os.ReadFile(filepath.Join(b, name))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", name, err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs of the same input", name)
		}
	}
}

func TestExitStatusForUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badRubric := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badRubric, []byte("id: x\nversion: 1\nname: x\ncriteria: []\nbogus: 1\n"), 0o644)
	badConfig := filepath.Join(dir, "failwell.yaml")
	os.WriteFile(badConfig, []byte("out: x\nnot_a_setting: 1\n"), 0o644)
	out := filepath.Join(dir, "out")
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command args", []string{"run"}, "requires at least 1 arg"},
		{"unknown flag", []string{"run", "--bogus", "x.csv"}, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"missing input", []string{"run", filepath.Join(dir, "nope.xlsx"), "--out", out}, "nope.xlsx"},
		{"legacy xls", []string{"run", filepath.Join(dir, "old.xls"), "--out", out}, "old.xls"},
		{"bad rubric", []string{"run", filepath.Join(samples, "cohort.csv"), "--rubric", badRubric, "--out", out}, "bogus"},
		{"bad config", []string{"run", filepath.Join(samples, "cohort.csv"), "--config", badConfig, "--out", out}, "not_a_setting"},
		{"bad jobs", []string{"run", filepath.Join(samples, "cohort.csv"), "--jobs", "many", "--out", out}, "jobs"},
		{"bad date", []string{"run", filepath.Join(samples, "cohort.csv"), "--as-of", "yesterday", "--out", out}, "yesterday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a usage error wrote %s", out)
			}
		})
	}
}

func TestScorePrintsABreakdown(t *testing.T) {
	story := "In 2025 I led the launch of a new onboarding flow for our B2B analytics product (about 3,000 customers). " +
		"I decided to remove the setup wizard because our data showed 40% of trials dropped there. " +
		"Activation fell from 31% to 24% in the first month: customers without a data engineer could no longer connect a source. " +
		"I interviewed twelve customers, brought back a guided setup for small teams and activation rose to 36%. " +
		"I learned to segment onboarding by who does the setup, and I applied it to our billing flow this year."
	code, stdout, stderr := runCLI(t, story, "score", "--as-of", "2026-10-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Total ", "Scope & responsibility", "Recency", "Keep doing:", "Change first:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("breakdown does not contain %q:\n%s", want, stdout)
		}
	}
	code, stdout, stderr = runCLI(t, story, "score", "-", "--json", "--as-of", "2026-10-01")
	if code != 0 {
		t.Fatalf("--json exit %d: %s", code, stderr)
	}
	var rec jsonlRecord
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil || rec.Status != "scored" || len(rec.Criteria) != 6 {
		t.Errorf("--json printed %q (%v)", stdout, err)
	}
	if code, _, _ := runCLI(t, "   \n", "score"); code != exitUsage {
		t.Errorf("empty story: exit %d, want %d", code, exitUsage)
	}
}

func TestValidateListsEveryProblemAndWritesNothing(t *testing.T) {
	messy, _ := filepath.Abs(filepath.Join(samples, "messy.csv"))
	t.Chdir(t.TempDir())
	code, stdout, _ := runCLI(t, "", "validate", "/work/none.csv")
	if code != exitUsage {
		t.Errorf("missing file: exit %d, want %d", code, exitUsage)
	}
	_ = stdout
	code, stdout, stderr := runCLI(t, "", "validate", messy)
	if code != exitPartial {
		t.Fatalf("exit %d, want %d: %s %s", code, exitPartial, stdout, stderr)
	}
	for _, want := range []string{"messy.csv: F3 (story): empty", "messy.csv: E4 (submitted)", "5 can be scored, 2 would be rejected"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("validate output does not contain %q:\n%s", want, stdout)
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("validate wrote %v", entries)
	}
}

func TestInitWritesStarterFilesOnce(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "", "init", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"failwell.yaml", "rubric.yaml", "cohort-template.xlsx"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The written rubric is a valid rubric, and the starter config a valid config.
	if code, _, stderr := runCLI(t, "", "validate", filepath.Join(samples, "cohort.csv"),
		"--config", filepath.Join(dir, "failwell.yaml"), "--rubric", filepath.Join(dir, "rubric.yaml")); code != 0 {
		t.Errorf("validate with the init files: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "", "init", dir); code != exitUsage {
		t.Errorf("second init: exit %d, want %d (refuse to overwrite)", code, exitUsage)
	}
}

func TestRubricTestPassesForTheDefaultRubric(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "rubric", "test")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "0 failed") {
		t.Errorf("output %q", stdout)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(stdout, "failwell ") {
		t.Errorf("exit %d, output %q", code, stdout)
	}
}

func TestEnvironmentSettingsApplyAndTyposAreReported(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "from-env")
	code, _, stderr := runCLIEnv(t, []string{"FAILWELL_OUT=" + out, "FAILWELL_NO_PDF=true", "FAILWELL_QUIET=1"}, "",
		"run", filepath.Join(samples, "cohort.csv"), "--as-of", "2026-11-26")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "results.jsonl")); err != nil {
		t.Errorf("FAILWELL_OUT was not used: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "feedback")); err == nil {
		t.Errorf("FAILWELL_NO_PDF=true still wrote PDFs")
	}
	code, _, stderr = runCLIEnv(t, []string{"FAILWELL_JOB=2"}, "", "validate", filepath.Join(samples, "cohort.csv"))
	if code != exitUsage || !strings.Contains(stderr, "FAILWELL_JOBS") {
		t.Errorf("misspelt variable: exit %d, stderr %q; want exit 2 suggesting FAILWELL_JOBS", code, stderr)
	}
}

func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		for _, want := range []string{"`--" + s.Flag + "`", "`" + s.Env + "`"} {
			if !bytes.Contains(readme, []byte(want)) {
				t.Errorf("README's configuration table does not mention %s", want)
			}
		}
	}
}

// readCSVFile reads a whole CSV file, failing the test on any error.
func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
