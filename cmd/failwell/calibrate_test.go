package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/config"
)

// calibrationDoc is the part of calibration.json the tests check.
type calibrationDoc struct {
	Labels struct {
		Source    string
		Matched   int
		Unmatched []string
	}
	Counts struct{ Stories, Scored, Labeled int }
	Total  struct {
		N        int
		QWK      *float64
		Spearman *float64
		Checks   []struct {
			Name string
			Pass bool
		}
	}
	Criteria []struct {
		ID  string
		N   int
		QWK *float64
	}
	Disagreements []struct {
		Row      string
		Criteria []struct{ ID string }
	}
	Fit *struct {
		File  string
		N     int
		Folds int
		Tuned *struct {
			Criteria []struct {
				ID  string
				QWK *float64
			}
		}
		InSample       struct{ QWK *float64 } `json:"in_sample"`
		CrossValidated struct{ QWK *float64 } `json:"cross_validated"`
	}
}

func readCalibration(t *testing.T, dir string) calibrationDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "calibration.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc calibrationDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestCalibrateSamples(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "calibrate", filepath.Join(samples, "cohort.xlsx"),
		"--labels", filepath.Join(samples, "labels.csv"), "--out", out, "--as-of", "2026-11-20", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstderr: %s", code, stderr)
	}
	for _, want := range []string{"Calibration: 34 stories, 34 scored, 34 with human scores", "QWK", "Largest disagreements", "calibration.json, calibration.xlsx"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	doc := readCalibration(t, out)
	if doc.Labels.Matched != 34 || len(doc.Labels.Unmatched) != 0 || doc.Counts.Labeled != 34 {
		t.Errorf("labels %+v counts %+v", doc.Labels, doc.Counts)
	}
	if doc.Total.N != 34 || doc.Total.QWK == nil || doc.Total.Spearman == nil || *doc.Total.Spearman < 0.5 {
		t.Errorf("total = %+v", doc.Total)
	}
	var ids []string
	for _, c := range doc.Criteria {
		ids = append(ids, c.ID)
		if c.N != 34 || c.QWK == nil {
			t.Errorf("criterion %s: n %d qwk %v", c.ID, c.N, c.QWK)
		}
	}
	if want := []string{"scope", "recency", "learning", "structure", "arc", "ownership"}; !slices.Equal(ids, want) {
		t.Errorf("criteria = %v, want %v", ids, want)
	}
	if len(doc.Disagreements) != 10 || len(doc.Disagreements[0].Criteria) != 6 {
		t.Errorf("disagreements = %d", len(doc.Disagreements))
	}
	if doc.Fit != nil {
		t.Error("fit reported without --fit")
	}
	f, err := excelize.OpenFile(filepath.Join(out, "calibration.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Agreement", "Confusion", "Disagreements", "Labels"}; !slices.Equal(got, want) {
		t.Errorf("sheets = %v, want %v", got, want)
	}
}

func TestCalibrateFitWritesATunedRubricThatAgreesAtLeastAsWell(t *testing.T) {
	dir := t.TempDir()
	tuned := filepath.Join(dir, "tuned", "rubric.yaml")
	args := []string{"calibrate", filepath.Join(samples, "cohort.xlsx"), "--labels", filepath.Join(samples, "labels.csv"),
		"--out", filepath.Join(dir, "out"), "--as-of", "2026-11-20", "--quiet", "--fit", tuned}
	code, stdout, stderr := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, "cross-validated") {
		t.Errorf("stdout lacks the cross-validated figures:\n%s", stdout)
	}
	data, err := os.ReadFile(tuned)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.LoadRubric(tuned, data); err != nil {
		t.Fatalf("tuned rubric does not load: %v", err)
	}
	if !strings.HasPrefix(string(data), "# Tuned by failwell calibrate") || strings.Count(string(data), "\n#") < 20 {
		t.Errorf("tuned rubric lacks the note or the original comments:\n%.300s", data)
	}
	doc := readCalibration(t, filepath.Join(dir, "out"))
	if doc.Fit == nil || doc.Fit.Tuned == nil || doc.Fit.N != 34 || doc.Fit.Folds != 5 || doc.Fit.CrossValidated.QWK == nil {
		t.Fatalf("fit = %+v", doc.Fit)
	}
	for i, c := range doc.Fit.Tuned.Criteria {
		before, after := *doc.Criteria[i].QWK, *c.QWK
		if after < before-1e-9 {
			t.Errorf("%s: tuned in-sample QWK %v < before %v", c.ID, after, before)
		}
	}

	// Deterministic: the same run writes the same rubric.
	if code, _, stderr := runCLI(t, "", args...); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	again, _ := os.ReadFile(tuned)
	if !bytes.Equal(data, again) {
		t.Error("the tuned rubric differs between two identical runs")
	}
}

func TestCalibrateRefusesToOverwriteTheRubric(t *testing.T) {
	dir := t.TempDir()
	rubric := filepath.Join(dir, "rubric.yaml")
	orig := config.DefaultRubricYAML()
	if err := os.WriteFile(rubric, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, fit := range []string{rubric, "./rubric.yaml", "sub/../rubric.yaml"} {
		code, _, stderr := runCLI(t, "", "calibrate", samplesAbs(t, "cohort.xlsx"), "--labels", samplesAbs(t, "labels.csv"),
			"--rubric", "rubric.yaml", "--fit", fit, "--out", "out", "--quiet")
		if code != 2 || !strings.Contains(stderr, "is the rubric being calibrated") {
			t.Errorf("--fit %s: exit %d, stderr %q; want 2 and a refusal", fit, code, stderr)
		}
	}
	if got, _ := os.ReadFile(rubric); !bytes.Equal(got, orig) {
		t.Error("the rubric was modified")
	}
	if _, err := os.Stat("out"); err == nil {
		t.Error("outputs written despite the usage error")
	}
}

// samplesAbs is the absolute path of a sample file (for tests that chdir).
var samplesDir = func() string { d, _ := filepath.Abs(samples); return d }()

func samplesAbs(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(samplesDir, name)
}

func TestCalibrateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	noMatch := filepath.Join(dir, "labels.csv")
	if err := os.WriteFile(noMatch, []byte("id,overall\nX1,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no labels anywhere", []string{filepath.Join(samples, "cohort.csv")}, "no human scores found"},
		{"no label id matches", []string{filepath.Join(samples, "cohort.csv"), "--labels", noMatch}, "no label id matches a story id"},
		{"labels file missing", []string{filepath.Join(samples, "cohort.csv"), "--labels", filepath.Join(dir, "nope.csv")}, "read labels"},
		{"bad label column key", []string{filepath.Join(samples, "cohort.csv"), "--labels", noMatch, "--label-columns", "grade=Grade"}, `unknown key "grade"`},
		{"fit not yaml", []string{filepath.Join(samples, "cohort.csv"), "--labels", noMatch, "--fit", filepath.Join(dir, "x.json")}, "use a .yaml or .yml name"},
		{"one fold", []string{filepath.Join(samples, "cohort.csv"), "--folds", "1"}, "--folds must be at least 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"calibrate", "--out", filepath.Join(dir, "out"), "--quiet"}, tt.args...)
			code, _, stderr := runCLI(t, "", args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestCalibrateSheetColumns puts the human scores into the cohort sheet as
// human_* columns (from samples/stories.csv) instead of a labels file.
func TestCalibrateSheetColumns(t *testing.T) {
	recs := readCSVFile(t, filepath.Join(samples, "stories.csv"))
	for i, h := range recs[0] {
		switch h {
		case "scope", "recency", "learning", "structure", "arc", "ownership", "overall":
			recs[0][i] = "human_" + h
		}
	}
	recs[1][slices.Index(recs[0], "human_arc")] = "" // one missing label
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "graded.csv")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "calibrate", in, "--out", dir, "--as-of", "2026-11-20", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Missing labels: 1 scored stories") {
		t.Errorf("the missing label is not reported:\n%s", stdout)
	}
	doc := readCalibration(t, dir)
	if doc.Labels.Source != "sheet columns" || doc.Labels.Matched != 34 || doc.Criteria[4].ID != "arc" || doc.Criteria[4].N != 33 {
		t.Errorf("labels %+v, arc n %d; want sheet columns, 34 matched, arc n 33", doc.Labels, doc.Criteria[4].N)
	}
}
