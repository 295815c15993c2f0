package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
)

// Calibration output file names, written into the output directory.
const (
	CalibrationJSON = "calibration.json"
	CalibrationXLSX = "calibration.xlsx"
)

// LabelSource describes where the human scores came from and how they were
// joined to the stories.
type LabelSource struct {
	// Source is the labels file as given, or "sheet columns" when the
	// scores were columns of the cohort sheet.
	Source string
	// Matched counts stories that got labels.
	Matched int
	// Unmatched, NoID and Duplicates are as in ingest.JoinReport;
	// Problems are label cells that could not be used.
	Unmatched, NoID, Duplicates, Problems []string
}

// CalibrationReport is everything `failwell calibrate` reports.
type CalibrationReport struct {
	Version string
	Rubric  RubricInfo
	Inputs  []InputInfo
	AsOf    string // YYYY-MM-DD
	Labels  LabelSource
	// Calibration compares the rubric as it is with the human scores.
	Calibration *evaluate.Calibration
	// Fit, when not nil, is the fitted rubric's summary; FitFile where the
	// tuned rubric was written; Tuned the calibration of the tuned rubric
	// re-scored on the same stories (in-sample).
	Fit     *evaluate.Fit
	FitFile string
	Tuned   *evaluate.Calibration
}

// WriteCalibration writes calibration.json and calibration.xlsx into dir
// (created if needed), each atomically, and returns their names.
func WriteCalibration(dir string, rep *CalibrationReport) ([]string, error) {
	d, err := openOutDir(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := d.writeFile(CalibrationJSON, func(w io.Writer) error { return writeCalibrationJSON(w, rep) }); err != nil {
		return nil, err
	}
	if err := d.writeFile(CalibrationXLSX, func(w io.Writer) error { return writeCalibrationXLSX(w, rep) }); err != nil {
		return []string{CalibrationJSON}, err
	}
	return []string{CalibrationJSON, CalibrationXLSX}, nil
}

// calNum is a statistic in JSON: rounded to 4 decimals, null when undefined.
type calNum float64

func (n calNum) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(math.Round(f*1e4)/1e4, 'f', -1, 64)), nil
}

type calCheckJSON struct {
	Name  string `json:"name"`
	Value calNum `json:"value"`
	Limit calNum `json:"limit"`
	Pass  bool   `json:"pass"`
}

type calRatersJSON struct {
	N        int    `json:"n"`
	Exact    calNum `json:"exact"`
	Adjacent calNum `json:"adjacent"`
	QWK      calNum `json:"qwk"`
	Pearson  calNum `json:"pearson"`
}

type calAgreementJSON struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Levels           [2]int         `json:"levels"`
	N                int            `json:"n"`
	HumanMean        calNum         `json:"human_mean"`
	HumanSD          calNum         `json:"human_sd"`
	MachineMean      calNum         `json:"machine_mean"`
	MachineSD        calNum         `json:"machine_sd"`
	Exact            calNum         `json:"exact"`
	Adjacent         calNum         `json:"adjacent"`
	QWK              calNum         `json:"qwk"`
	Pearson          calNum         `json:"pearson"`
	Spearman         calNum         `json:"spearman"`
	SMD              calNum         `json:"smd"`
	Confusion        [][]int        `json:"confusion"`
	HumanHuman       *calRatersJSON `json:"human_human"`
	QWKDegradation   calNum         `json:"qwk_degradation"`
	WordsCorrHuman   calNum         `json:"words_corr_human"`
	WordsCorrMachine calNum         `json:"words_corr_machine"`
	Checks           []calCheckJSON `json:"checks"`
	Pass             bool           `json:"pass"`
}

func calAgreement(a *evaluate.Agreement) calAgreementJSON {
	j := calAgreementJSON{ID: a.ID, Name: a.Name, Levels: [2]int{a.Min, a.Max}, N: a.N,
		HumanMean: calNum(a.HumanMean), HumanSD: calNum(a.HumanSD), MachineMean: calNum(a.MachineMean), MachineSD: calNum(a.MachineSD),
		Exact: calNum(a.Exact), Adjacent: calNum(a.Adjacent), QWK: calNum(a.QWK), Pearson: calNum(a.Pearson),
		Spearman: calNum(a.Spearman), SMD: calNum(a.SMD), Confusion: a.Confusion, QWKDegradation: calNum(a.Degradation),
		WordsCorrHuman: calNum(a.WordsHuman), WordsCorrMachine: calNum(a.WordsMachine), Pass: a.Pass(),
		Checks: []calCheckJSON{}}
	if hh := a.HumanHuman; hh != nil {
		j.HumanHuman = &calRatersJSON{N: hh.N, Exact: calNum(hh.Exact), Adjacent: calNum(hh.Adjacent), QWK: calNum(hh.QWK), Pearson: calNum(hh.Pearson)}
	}
	for _, c := range a.Checks {
		j.Checks = append(j.Checks, calCheckJSON{Name: c.Name, Value: calNum(c.Value), Limit: calNum(c.Limit), Pass: c.Pass})
	}
	return j
}

type calEvidenceJSON struct {
	Quote  string `json:"quote"`
	Signal string `json:"signal"`
	Effect calNum `json:"effect"`
}

type calGapJSON struct {
	ID       string            `json:"id"`
	Human    calNum            `json:"human"`
	Machine  int               `json:"machine"`
	Evidence []calEvidenceJSON `json:"evidence,omitempty"`
}

type calDisagreementJSON struct {
	Row      string       `json:"row"`
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Human    calNum       `json:"human_overall"`
	Machine  calNum       `json:"machine_total"`
	Diff     calNum       `json:"diff"`
	Flags    []string     `json:"flags"`
	Criteria []calGapJSON `json:"criteria"`
}

type calMissingJSON struct {
	Row  string   `json:"row"`
	ID   string   `json:"id"`
	Keys []string `json:"keys"`
}

type calFigJSON struct {
	N        int    `json:"n"`
	QWK      calNum `json:"qwk"`
	Pearson  calNum `json:"pearson"`
	Spearman calNum `json:"spearman"`
	SMD      calNum `json:"smd"`
}

type calFitCritJSON struct {
	ID                string    `json:"id"`
	N                 int       `json:"n"`
	Tuned             bool      `json:"tuned"`
	Weight            calNum    `json:"weight"`
	FittedWeight      calNum    `json:"fitted_weight"`
	Thresholds        []float64 `json:"thresholds"`
	FittedThresholds  []float64 `json:"fitted_thresholds"`
	QWKBefore         calNum    `json:"qwk_before"`
	QWKInSample       calNum    `json:"qwk_in_sample"`
	QWKCrossValidated calNum    `json:"qwk_cross_validated"`
}

type calFitJSON struct {
	File           string           `json:"file"`
	N              int              `json:"n"`
	Folds          int              `json:"folds"`
	WeightsKept    bool             `json:"weights_kept"`
	Criteria       []calFitCritJSON `json:"criteria"`
	Before         calFigJSON       `json:"before"`
	InSample       calFigJSON       `json:"in_sample"`
	CrossValidated calFigJSON       `json:"cross_validated"`
	// Tuned is the full agreement of the tuned rubric, re-scored.
	Tuned *calSummaryJSON `json:"tuned,omitempty"`
}

type calSummaryJSON struct {
	Total    calAgreementJSON   `json:"total"`
	Criteria []calAgreementJSON `json:"criteria"`
}

type calLabelsJSON struct {
	Source     string   `json:"source"`
	Matched    int      `json:"matched"`
	Unmatched  []string `json:"unmatched"`
	NoID       []string `json:"no_id"`
	Duplicates []string `json:"duplicates"`
	Problems   []string `json:"problems"`
}

type calJSON struct {
	Version    string        `json:"version"`
	Rubric     RubricInfo    `json:"rubric"`
	Inputs     []InputInfo   `json:"inputs"`
	AsOf       string        `json:"as_of"`
	Labels     calLabelsJSON `json:"labels"`
	Thresholds struct {
		QWKMin            float64 `json:"qwk_min"`
		QWKDegradationMax float64 `json:"qwk_degradation_max"`
		SMDAbsMax         float64 `json:"smd_abs_max"`
	} `json:"thresholds"`
	Counts struct {
		Stories int `json:"stories"`
		Scored  int `json:"scored"`
		Labeled int `json:"labeled"`
	} `json:"counts"`
	SecondRater   bool                  `json:"second_rater"`
	Missing       []calMissingJSON      `json:"missing"`
	Unscored      []string              `json:"unscored"`
	Total         calAgreementJSON      `json:"total"`
	Criteria      []calAgreementJSON    `json:"criteria"`
	Disagreements []calDisagreementJSON `json:"disagreements"`
	Fit           *calFitJSON           `json:"fit,omitempty"`
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func calSummary(c *evaluate.Calibration) calSummaryJSON {
	s := calSummaryJSON{Total: calAgreement(&c.Total), Criteria: []calAgreementJSON{}}
	for i := range c.Criteria {
		s.Criteria = append(s.Criteria, calAgreement(&c.Criteria[i]))
	}
	return s
}

func calFig(f evaluate.FitFigures) calFigJSON {
	return calFigJSON{N: f.N, QWK: calNum(f.QWK), Pearson: calNum(f.Pearson), Spearman: calNum(f.Spearman), SMD: calNum(f.SMD)}
}

func writeCalibrationJSON(w io.Writer, rep *CalibrationReport) error {
	c := rep.Calibration
	j := calJSON{Version: rep.Version, Rubric: rep.Rubric, Inputs: rep.Inputs, AsOf: rep.AsOf,
		Labels: calLabelsJSON{Source: rep.Labels.Source, Matched: rep.Labels.Matched, Unmatched: orEmpty(rep.Labels.Unmatched),
			NoID: orEmpty(rep.Labels.NoID), Duplicates: orEmpty(rep.Labels.Duplicates), Problems: orEmpty(rep.Labels.Problems)},
		SecondRater: c.SecondRater, Missing: []calMissingJSON{}, Unscored: orEmpty(c.Unscored), Disagreements: []calDisagreementJSON{}}
	if j.Inputs == nil {
		j.Inputs = []InputInfo{}
	}
	j.Thresholds.QWKMin, j.Thresholds.QWKDegradationMax, j.Thresholds.SMDAbsMax = evaluate.MinQWK, evaluate.MaxQWKDegradation, evaluate.MaxAbsSMD
	j.Counts.Stories, j.Counts.Scored, j.Counts.Labeled = c.Stories, c.Scored, c.Labeled
	for _, m := range c.Missing {
		j.Missing = append(j.Missing, calMissingJSON{Row: m.Ref, ID: m.ID, Keys: m.Keys})
	}
	s := calSummary(c)
	j.Total, j.Criteria = s.Total, s.Criteria
	for _, d := range c.Disagreements {
		dj := calDisagreementJSON{Row: d.Ref, ID: d.ID, Name: d.Name, Human: calNum(d.Human), Machine: calNum(d.Machine), Diff: calNum(d.Diff), Flags: orEmpty(d.Flags)}
		for _, g := range d.Criteria {
			gj := calGapJSON{ID: g.ID, Human: calNum(g.Human), Machine: g.Machine}
			for _, e := range g.Evidence {
				gj.Evidence = append(gj.Evidence, calEvidenceJSON{Quote: e.Quote, Signal: e.Signal, Effect: calNum(e.Effect)})
			}
			dj.Criteria = append(dj.Criteria, gj)
		}
		j.Disagreements = append(j.Disagreements, dj)
	}
	if f := rep.Fit; f != nil {
		fj := &calFitJSON{File: rep.FitFile, N: f.N, Folds: f.Folds, WeightsKept: f.WeightsKept,
			Before: calFig(f.Before), InSample: calFig(f.InSample), CrossValidated: calFig(f.CrossValidated)}
		for _, fc := range f.Criteria {
			fj.Criteria = append(fj.Criteria, calFitCritJSON{ID: fc.ID, N: fc.N, Tuned: fc.Tuned, Weight: calNum(fc.Weight), FittedWeight: calNum(fc.FittedWeight),
				Thresholds: fc.Thresholds, FittedThresholds: fc.FittedThresholds,
				QWKBefore: calNum(fc.QWKBefore), QWKInSample: calNum(fc.QWKInSample), QWKCrossValidated: calNum(fc.QWKCrossValidated)})
		}
		if rep.Tuned != nil {
			ts := calSummary(rep.Tuned)
			fj.Tuned = &ts
		}
		j.Fit = fj
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

// calFmt formats a statistic with two decimals, "—" when undefined.
func calFmt(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func calPct(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
}

// calVerdict is "ok" or "FAIL qwk,smd" for an agreement's checks.
func calVerdict(a *evaluate.Agreement) string {
	var failed []string
	for _, c := range a.Checks {
		if !c.Pass {
			failed = append(failed, c.Name)
		}
	}
	if len(failed) == 0 {
		return "ok"
	}
	return "FAIL " + strings.Join(failed, ",")
}

// CalibrationTable writes the calibration report as plain-text tables for
// a terminal: the agreement of the total and of each criterion with pass/
// fail against the Williamson, Xi & Breyer (2012) thresholds, length bias,
// the largest disagreements, missing labels and, with a fit, the fitted
// rubric next to the original with cross-validated figures.
func CalibrationTable(w io.Writer, rep *CalibrationReport) error {
	c := rep.Calibration
	var b strings.Builder
	fmt.Fprintf(&b, "Calibration: %d stories, %d scored, %d with human scores (labels: %s, %d matched)\n",
		c.Stories, c.Scored, c.Labeled, rep.Labels.Source, rep.Labels.Matched)
	fmt.Fprintf(&b, "Thresholds (Williamson, Xi & Breyer 2012): QWK >= %.2f, |SMD| <= %.2f, human-human minus human-machine QWK <= %.2f.\n",
		evaluate.MinQWK, evaluate.MaxAbsSMD, evaluate.MaxQWKDegradation)
	b.WriteString("Total: machine total/10 vs human overall (0-10); criteria: levels 0-4. Means ± SD.\n\n")
	calAgreementTable(&b, c)

	b.WriteString("\nLength bias: correlation of scores with word count\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\thuman\tmachine\t")
	for _, a := range append([]evaluate.Agreement{c.Total}, c.Criteria...) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", a.ID, calFmt(a.WordsHuman), calFmt(a.WordsMachine))
	}
	tw.Flush()

	if len(c.Disagreements) > 0 {
		fmt.Fprintf(&b, "\nLargest disagreements (total/10 − human overall)\n")
		for i, d := range c.Disagreements {
			fmt.Fprintf(&b, "%2d. %s %s (%s): human %s, machine %s (%+.1f)", i+1, d.ID, d.Name, d.Ref, calFmt(d.Human), strconv.FormatFloat(d.Machine, 'f', 1, 64), d.Diff)
			if len(d.Flags) > 0 {
				fmt.Fprintf(&b, " [flagged: %s]", strings.Join(d.Flags, ", "))
			}
			b.WriteString("\n")
			levels := make([]string, len(d.Criteria))
			for k, g := range d.Criteria {
				h := "—"
				if !math.IsNaN(g.Human) {
					h = strconv.FormatFloat(g.Human, 'g', -1, 64)
				}
				levels[k] = fmt.Sprintf("%s %s/%d", g.ID, h, g.Machine)
			}
			fmt.Fprintf(&b, "      human/machine: %s\n", strings.Join(levels, ", "))
			for _, g := range d.Criteria {
				if len(g.Evidence) == 0 {
					continue
				}
				fmt.Fprintf(&b, "      %s evidence:\n", g.ID)
				for _, e := range g.Evidence {
					fmt.Fprintf(&b, "        %+.1f %s: %q\n", e.Effect, e.Signal, shortQuote(e.Quote, 100))
				}
			}
		}
	}
	if n := len(c.Missing); n > 0 {
		fmt.Fprintf(&b, "\nMissing labels: %d scored stories lack some human scores (left out of those comparisons, not counted as 0):\n", n)
		for i, m := range c.Missing {
			if i == 10 {
				fmt.Fprintf(&b, "  ... and %d more (see calibration.xlsx)\n", n-10)
				break
			}
			fmt.Fprintf(&b, "  %s %s: %s\n", m.Ref, m.ID, strings.Join(m.Keys, ", "))
		}
	}
	for _, l := range []struct {
		what string
		list []string
	}{{"Labels with no matching story", rep.Labels.Unmatched}, {"Stories without an id", rep.Labels.NoID},
		{"Duplicate ids (not joined)", rep.Labels.Duplicates}, {"Label cells that could not be used", rep.Labels.Problems},
		{"Labeled rows that could not be scored", c.Unscored}} {
		if len(l.list) > 0 {
			fmt.Fprintf(&b, "\n%s (%d): %s\n", l.what, len(l.list), strings.Join(l.list, "; "))
		}
	}

	if f := rep.Fit; f != nil {
		fmt.Fprintf(&b, "\nFit: %d labeled stories, %d-fold cross-validation (fold = story number mod %d)", f.N, f.Folds, f.Folds)
		if rep.FitFile != "" {
			fmt.Fprintf(&b, "; tuned rubric written to %s", rep.FitFile)
		}
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "criterion\tweight\tthresholds\tQWK before\tin-sample\tcross-validated\t")
		for _, fc := range f.Criteria {
			th := calFloats(fc.Thresholds) + " (kept)"
			if fc.Tuned {
				th = calFloats(fc.Thresholds) + " → " + calFloats(fc.FittedThresholds)
			}
			fmt.Fprintf(tw, "%s\t%g → %g\t%s\t%s\t%s\t%s\t\n", fc.ID, fc.Weight, fc.FittedWeight, th, calFmt(fc.QWKBefore), calFmt(fc.QWKInSample), calFmt(fc.QWKCrossValidated))
		}
		tw.Flush()
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "total vs human overall\tQWK\tPearson\tSpearman\tSMD\t")
		for _, r := range []struct {
			name string
			f    evaluate.FitFigures
		}{{"before", f.Before}, {"in-sample", f.InSample}, {"cross-validated", f.CrossValidated}} {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.name, calFmt(r.f.QWK), calFmt(r.f.Pearson), calFmt(r.f.Spearman), calFmt(r.f.SMD))
		}
		tw.Flush()
		if f.WeightsKept {
			b.WriteString("(weights kept: fitted weights did not agree better out of fold in an inner cross-validation)\n")
		}
		if rep.Tuned != nil {
			b.WriteString("\nTuned rubric, re-scored on the same stories (in-sample: expect the cross-validated figures on new stories):\n")
			calAgreementTable(&b, rep.Tuned)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func calAgreementTable(b *strings.Builder, c *evaluate.Calibration) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	hh := c.SecondRater
	head := "\tn\thuman\tmachine\texact\tadjacent\tQWK\tPearson\tSpearman\tSMD\t"
	if hh {
		head += "HH QWK\tHH−HM\t"
	}
	fmt.Fprintln(tw, head+"checks\t")
	for _, a := range append([]evaluate.Agreement{c.Total}, c.Criteria...) {
		fmt.Fprintf(tw, "%s\t%d\t%s ± %s\t%s ± %s\t%s\t%s\t%s\t%s\t%s\t%s\t", a.ID, a.N,
			calFmt(a.HumanMean), calFmt(a.HumanSD), calFmt(a.MachineMean), calFmt(a.MachineSD),
			calPct(a.Exact), calPct(a.Adjacent), calFmt(a.QWK), calFmt(a.Pearson), calFmt(a.Spearman), calFmt(a.SMD))
		if hh {
			q := math.NaN()
			if a.HumanHuman != nil {
				q = a.HumanHuman.QWK
			}
			fmt.Fprintf(tw, "%s\t%s\t", calFmt(q), calFmt(a.Degradation))
		}
		fmt.Fprintf(tw, "%s\t\n", calVerdict(&a))
	}
	tw.Flush()
}

func calFloats(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func shortQuote(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Calibration workbook sheet names.
const (
	calSheetAgreement     = "Agreement"
	calSheetConfusion     = "Confusion"
	calSheetDisagreements = "Disagreements"
	calSheetLabels        = "Labels"
	calSheetFit           = "Fit"
)

// calCell turns a statistic into a cell value: a number, or "" when
// undefined.
func calCell(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return math.Round(v*1e4) / 1e4
}

func writeCalibrationXLSX(w io.Writer, rep *CalibrationReport) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	c := rep.Calibration
	if err := f.SetSheetName("Sheet1", calSheetAgreement); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	put := func(sheet string, row int, vals []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, cell, &vals)
	}
	header := func(sheet string, row int, vals ...any) error {
		if err := put(sheet, row, vals); err != nil {
			return err
		}
		last, _ := excelize.CoordinatesToCellName(len(vals), row)
		first, _ := excelize.CoordinatesToCellName(1, row)
		return f.SetCellStyle(sheet, first, last, bold)
	}
	agreementRows := func(sheet string, row int, cal *evaluate.Calibration) (int, error) {
		if err := header(sheet, row, "criterion", "name", "n", "human mean", "human SD", "machine mean", "machine SD",
			"exact", "adjacent", "QWK", "Pearson", "Spearman", "SMD", "human-human QWK", "HH−HM QWK",
			"words r (human)", "words r (machine)", "QWK >= 0.70", "|SMD| <= 0.15", "HH−HM <= 0.10", "verdict"); err != nil {
			return row, err
		}
		for _, a := range append([]evaluate.Agreement{cal.Total}, cal.Criteria...) {
			row++
			hhq := math.NaN()
			if a.HumanHuman != nil {
				hhq = a.HumanHuman.QWK
			}
			checks := map[string]string{}
			for _, ch := range a.Checks {
				checks[ch.Name] = map[bool]string{true: "pass", false: "FAIL"}[ch.Pass]
			}
			if err := put(sheet, row, []any{a.ID, a.Name, a.N, calCell(a.HumanMean), calCell(a.HumanSD), calCell(a.MachineMean), calCell(a.MachineSD),
				calCell(a.Exact), calCell(a.Adjacent), calCell(a.QWK), calCell(a.Pearson), calCell(a.Spearman), calCell(a.SMD),
				calCell(hhq), calCell(a.Degradation), calCell(a.WordsHuman), calCell(a.WordsMachine),
				checks["qwk"], checks["smd"], checks["qwk_degradation"], calVerdict(&a)}); err != nil {
				return row, err
			}
		}
		return row, nil
	}
	if _, err := agreementRows(calSheetAgreement, 1, c); err != nil {
		return err
	}

	// Confusion matrices, one block per comparison.
	if _, err := f.NewSheet(calSheetConfusion); err != nil {
		return err
	}
	row := 1
	for _, a := range append([]evaluate.Agreement{c.Total}, c.Criteria...) {
		vals := []any{a.ID + ": human (rows) × machine (columns)"}
		for l := a.Min; l <= a.Max; l++ {
			vals = append(vals, l)
		}
		if err := header(calSheetConfusion, row, vals...); err != nil {
			return err
		}
		for i, counts := range a.Confusion {
			row++
			vals := []any{a.Min + i}
			for _, n := range counts {
				vals = append(vals, n)
			}
			if err := put(calSheetConfusion, row, vals); err != nil {
				return err
			}
		}
		row += 2
	}

	if _, err := f.NewSheet(calSheetDisagreements); err != nil {
		return err
	}
	if err := header(calSheetDisagreements, 1, "rank", "row", "id", "name", "human overall", "machine total", "diff", "flags",
		"criterion", "human", "machine", "evidence"); err != nil {
		return err
	}
	row = 1
	for i, d := range c.Disagreements {
		for _, g := range d.Criteria {
			row++
			var quotes []string
			for _, e := range g.Evidence {
				quotes = append(quotes, fmt.Sprintf("%+.1f %s: %s", e.Effect, e.Signal, e.Quote))
			}
			if err := put(calSheetDisagreements, row, []any{i + 1, d.Ref, d.ID, d.Name, calCell(d.Human), calCell(d.Machine), calCell(d.Diff),
				strings.Join(d.Flags, ", "), g.ID, calCell(g.Human), g.Machine, strings.Join(quotes, "\n")}); err != nil {
				return err
			}
		}
	}

	if _, err := f.NewSheet(calSheetLabels); err != nil {
		return err
	}
	if err := header(calSheetLabels, 1, "problem", "row or id", "detail"); err != nil {
		return err
	}
	row = 1
	add := func(kind, where, detail string) error {
		row++
		return put(calSheetLabels, row, []any{kind, where, detail})
	}
	for _, m := range c.Missing {
		if err := add("missing labels", m.Ref, m.ID+": "+strings.Join(m.Keys, ", ")); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		kind string
		list []string
	}{{"label without story", rep.Labels.Unmatched}, {"story without id", rep.Labels.NoID},
		{"duplicate id", rep.Labels.Duplicates}, {"unusable label cell", rep.Labels.Problems}, {"labeled but not scored", c.Unscored}} {
		for _, s := range l.list {
			if err := add(l.kind, s, ""); err != nil {
				return err
			}
		}
	}

	if fit := rep.Fit; fit != nil {
		if _, err := f.NewSheet(calSheetFit); err != nil {
			return err
		}
		if err := header(calSheetFit, 1, "criterion", "n", "weight", "fitted weight", "thresholds", "fitted thresholds", "tuned",
			"QWK before", "QWK in-sample", "QWK cross-validated"); err != nil {
			return err
		}
		row = 1
		for _, fc := range fit.Criteria {
			row++
			if err := put(calSheetFit, row, []any{fc.ID, fc.N, fc.Weight, fc.FittedWeight, calFloats(fc.Thresholds), calFloats(fc.FittedThresholds), fc.Tuned,
				calCell(fc.QWKBefore), calCell(fc.QWKInSample), calCell(fc.QWKCrossValidated)}); err != nil {
				return err
			}
		}
		row += 2
		if err := header(calSheetFit, row, fmt.Sprintf("total vs human overall (%d-fold CV)", fit.Folds), "n", "QWK", "Pearson", "Spearman", "SMD"); err != nil {
			return err
		}
		for _, r := range []struct {
			name string
			f    evaluate.FitFigures
		}{{"before", fit.Before}, {"in-sample", fit.InSample}, {"cross-validated", fit.CrossValidated}} {
			row++
			if err := put(calSheetFit, row, []any{r.name, r.f.N, calCell(r.f.QWK), calCell(r.f.Pearson), calCell(r.f.Spearman), calCell(r.f.SMD)}); err != nil {
				return err
			}
		}
		if rep.Tuned != nil {
			row += 2
			if err := put(calSheetFit, row, []any{"tuned rubric re-scored (in-sample)"}); err != nil {
				return err
			}
			if _, err := agreementRows(calSheetFit, row+1, rep.Tuned); err != nil {
				return err
			}
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}
