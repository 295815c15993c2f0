package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
)

// calUpdateFlag registers -update unless another test file of the package
// already did.
var calUpdateFlag = func() *bool {
	if flag.Lookup("update") != nil {
		return nil
	}
	return flag.Bool("update", false, "rewrite golden files")
}()

func calUpdating() bool {
	if calUpdateFlag != nil {
		return *calUpdateFlag
	}
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// calFixture is a tiny fixed calibration: 10 stories, two criteria, a
// second rater on some, one story without labels and one missing a score.
func calFixture(t *testing.T, fit bool) *CalibrationReport {
	t.Helper()
	rub := &evaluate.Rubric{ID: "tiny", Version: "1", Criteria: []evaluate.Criterion{
		{ID: "scope", Name: "Scope", Weight: 1, Thresholds: []float64{1, 2, 3, 4}},
		{ID: "arc", Name: "Arc", Weight: 1, Thresholds: []float64{1, 2, 3, 4}},
	}}
	levels := [][2]int{{0, 0}, {1, 2}, {2, 2}, {3, 2}, {4, 4}, {1, 1}, {2, 3}, {3, 4}, {4, 3}, {0, 1}, {2, 2}}
	humans := [][3]float64{{0, 0.5, 1}, {1, 2, 3.5}, {2, 1.5, 5}, {3.5, 2, 6}, {4, 4, 9.5}, {1, 1, 2}, {2, 3, 6}, {2.5, 4, 7}, {4, 3, 8}, {0, 0, 0.5}, {}}
	in := evaluate.CalibrationInput{Rubric: rub}
	for i, lv := range levels {
		r := evaluate.Result{Story: evaluate.Story{Index: i, Ref: fmt.Sprintf("tiny.csv::%d", i+2), ID: fmt.Sprintf("T%02d", i+1), Name: fmt.Sprintf("Person %d", i+1)},
			Words: 80 + 17*i, Total: float64(lv[0]+lv[1]) * 12.5}
		for ci, c := range rub.Criteria {
			r.Scores = append(r.Scores, evaluate.Score{ID: c.ID, Name: c.Name, Weight: 1, Level: lv[ci], Raw: float64(lv[ci]) + 0.5,
				Evidence: []evaluate.Evidence{{Quote: "Sentence about " + c.ID + ".", Signal: c.ID + "-signal", Effect: 1}}})
		}
		in.Results = append(in.Results, r)
		h := evaluate.Human{}
		if i < 10 {
			h.Scores = map[string]float64{"scope": humans[i][0], "arc": humans[i][1], evaluate.Overall: humans[i][2]}
			if i%2 == 0 {
				h.Second = map[string]float64{"scope": float64(lv[0]), evaluate.Overall: humans[i][2] + 1}
			}
		}
		in.Humans = append(in.Humans, h)
	}
	delete(in.Humans[9].Scores, "arc")
	rep := &CalibrationReport{Version: "test", Rubric: RubricInfo{ID: "tiny", Version: "1"}, AsOf: "2026-11-01",
		Inputs:      []InputInfo{{Path: "tiny.csv", SHA256: "00", Rows: 11}},
		Labels:      LabelSource{Source: "labels.csv", Matched: 10, Unmatched: []string{"T99 (labels.csv row 13)"}},
		Calibration: evaluate.Calibrate(in)}
	if fit {
		f, err := evaluate.FitRubric(in, evaluate.FitOptions{Folds: 2})
		if err != nil {
			t.Fatal(err)
		}
		rep.Fit, rep.FitFile, rep.Tuned = f, "tuned.yaml", rep.Calibration
	}
	return rep
}

func TestCalibrationTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := CalibrationTable(&buf, calFixture(t, true)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "calibration.golden.txt")
	if calUpdating() {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestCalibrationTableGolden -update)", err)
	}
	if buf.String() != string(want) {
		t.Errorf("table differs from %s (rerun with -update if intended):\ngot:\n%s", golden, buf.String())
	}
}

func TestWriteCalibration(t *testing.T) {
	dir := t.TempDir()
	files, err := WriteCalibration(dir, calFixture(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, []string{CalibrationJSON, CalibrationXLSX}) {
		t.Errorf("files = %v", files)
	}
	data, err := os.ReadFile(filepath.Join(dir, CalibrationJSON))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Counts struct{ Stories, Scored, Labeled int }
		Total  struct {
			N          int
			QWK        *float64
			Confusion  [][]int
			HumanHuman *struct{ N int } `json:"human_human"`
			Checks     []struct {
				Name string
				Pass bool
			}
		}
		Criteria []struct {
			ID  string
			N   int
			QWK *float64
		}
		Missing []struct {
			Row  string
			Keys []string
		}
		Disagreements []struct{ Row string }
		Fit           *struct {
			Folds          int
			CrossValidated struct{ QWK *float64 } `json:"cross_validated"`
			Tuned          *struct{}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Counts.Stories != 11 || doc.Counts.Scored != 11 || doc.Counts.Labeled != 10 {
		t.Errorf("counts = %+v", doc.Counts)
	}
	if doc.Total.N != 10 || doc.Total.QWK == nil || len(doc.Total.Confusion) != 11 || doc.Total.HumanHuman == nil || doc.Total.HumanHuman.N != 5 {
		t.Errorf("total = %+v", doc.Total)
	}
	if len(doc.Total.Checks) != 3 {
		t.Errorf("total checks = %+v, want qwk, qwk_degradation, smd", doc.Total.Checks)
	}
	if len(doc.Criteria) != 2 || doc.Criteria[1].ID != "arc" || doc.Criteria[1].N != 9 {
		t.Errorf("criteria = %+v", doc.Criteria)
	}
	if len(doc.Missing) != 2 || doc.Missing[0].Row != "tiny.csv::11" || !slices.Equal(doc.Missing[0].Keys, []string{"arc"}) {
		t.Errorf("missing = %+v", doc.Missing)
	}
	if len(doc.Disagreements) != 10 || doc.Fit == nil || doc.Fit.Folds != 2 || doc.Fit.Tuned == nil {
		t.Errorf("disagreements %d, fit %+v", len(doc.Disagreements), doc.Fit)
	}

	f, err := excelize.OpenFile(filepath.Join(dir, CalibrationXLSX))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Agreement", "Confusion", "Disagreements", "Labels", "Fit"}; !slices.Equal(got, want) {
		t.Errorf("sheets = %v, want %v", got, want)
	}
	rows, err := f.GetRows("Agreement")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[1][0] != "total" || rows[2][0] != "scope" || rows[3][0] != "arc" {
		t.Errorf("Agreement rows = %v", rows)
	}
}

func TestCalibrationJSONUndefinedIsNull(t *testing.T) {
	rub := &evaluate.Rubric{ID: "c", Criteria: []evaluate.Criterion{{ID: "scope", Name: "Scope", Weight: 1, Thresholds: []float64{1, 2, 3, 4}}}}
	in := evaluate.CalibrationInput{Rubric: rub}
	for i := range 3 {
		in.Results = append(in.Results, evaluate.Result{Story: evaluate.Story{Ref: fmt.Sprint(i)}, Total: 50,
			Scores: []evaluate.Score{{ID: "scope", Level: 2}}})
		in.Humans = append(in.Humans, evaluate.Human{Scores: map[string]float64{"scope": 2, evaluate.Overall: 5}})
	}
	var buf bytes.Buffer
	if err := writeCalibrationJSON(&buf, &CalibrationReport{Calibration: evaluate.Calibrate(in)}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{`"qwk": null`, `"pearson": null`, `"smd": null`, `"exact": 1,`, `"unmatched": []`} {
		if !strings.Contains(s, want) {
			t.Errorf("calibration.json lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "NaN") {
		t.Error("calibration.json contains NaN")
	}
}
