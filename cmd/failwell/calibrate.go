package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/ingest"
	"github.com/failwell/failwell/report"
)

// calibrateOptions are the flags of `failwell calibrate` that are not
// shared settings.
type calibrateOptions struct {
	labels       string
	labelColumns labelColumnsValue
	fit          string
	folds        int
}

func newCalibrateCommand(g *globalOptions) *cobra.Command {
	o := &calibrateOptions{labelColumns: labelColumnsValue{}}
	cmd := &cobra.Command{
		Use:   "calibrate INPUT...",
		Short: "Measure agreement with human graders and fit the rubric to them",
		Long: `Calibrate scores every INPUT like run, compares the scores with human scores and
reports how far the machine is from the graders: for the total (against the
human overall score, 0-10) and each criterion (levels 0-4): n, means and SDs,
exact and adjacent agreement, quadratic weighted kappa, Pearson, Spearman,
standardized mean difference, the confusion matrix, human-human agreement when
there is a second rater, the correlation with word count (length bias), and the
10 largest disagreements with the evidence behind them. Each figure is marked
against Williamson, Xi & Breyer (2012): QWK >= 0.70, |SMD| <= 0.15, human-human
minus human-machine QWK <= 0.10.

Human scores come from columns of the cohort sheet (human_overall,
human_scope, ..., and human2_overall, ... for a second rater) or from a labels
file (--labels; .csv, .tsv, .xlsx) with an id column and one column per
criterion and "overall", joined to the cohort by candidate id. Fractional
scores (means of raters) are fine; empty cells are missing labels, which are
reported and left out, never counted as 0.

It prints the tables and writes calibration.json and calibration.xlsx into the
output directory (--out).

With --fit OUT.yaml it also fits the rubric to the human scores (level
thresholds per criterion, then criterion weights), writes the tuned copy to
OUT.yaml (comments kept; never over the rubric it read), re-scores with it, and
reports the in-sample and the k-fold cross-validated agreement side by side:
expect the cross-validated figures on new stories.

It exits 0 when the report is written, even if some rows were rejected or lack
labels (they are listed); 2 when no human scores are found or nothing joins.`,
		Example: `  failwell calibrate samples/cohort.xlsx --labels samples/labels.csv
  failwell calibrate graded.xlsx                     # human_* columns in the sheet
  failwell calibrate export.csv --labels grades.xlsx --label-columns id="Student number",overall=Grade
  failwell calibrate samples/cohort.xlsx --labels samples/labels.csv --fit tuned-rubric.yaml`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCalibrate(cmd.Context(), g, o, cmd.Flags(), args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.labels, "labels", "", "labels file (.csv, .tsv, .xlsx) with human scores, joined to the inputs by id (default: human_* columns of the inputs)")
	fs.Var(&o.labelColumns, "label-columns", `headers of the labels file, overriding detection: id="Student number",overall=Grade,scope=... (keys: id, overall, criterion ids; human2_<key> for a second rater)`)
	fs.StringVar(&o.fit, "fit", "", "fit the rubric to the human scores and write the tuned rubric to this YAML file")
	fs.IntVar(&o.folds, "folds", 5, "cross-validation folds for --fit (at least 2)")
	config.AddFlags(fs, "config", "out", "rubric", "jobs", "as_of", "sheet", "columns", "quiet", "log_format")
	return cmd
}

func runCalibrate(ctx context.Context, g *globalOptions, o *calibrateOptions, fs *pflag.FlagSet, args []string) error {
	s, err := prepare(g, fs)
	if err != nil {
		return err
	}
	log := newLogger(g.stderr, s.cfg.LogFormat, s.cfg.Quiet)
	if o.folds < 2 {
		return usagef("--folds must be at least 2, got %d", o.folds)
	}
	if o.fit != "" {
		if err := checkFitTarget(o.fit, s.cfg.Rubric, append(slices.Clone(args), o.labels)); err != nil {
			return err
		}
	}
	stories, inputs, err := ingest.ReadFiles(args, s.ingestOptions())
	if err != nil {
		return asUsage(err)
	}
	keys := make([]string, len(s.rubric.Criteria))
	for i, c := range s.rubric.Criteria {
		keys[i] = c.ID
	}

	src := report.LabelSource{Source: "sheet columns"}
	var humans []evaluate.Human
	if o.labels != "" {
		data, err := os.ReadFile(o.labels)
		if err != nil {
			return usagef("read labels: %w", err)
		}
		l, err := ingest.ReadLabels(o.labels, bytes.NewReader(data), keys, ingest.LabelOptions{Columns: o.labelColumns})
		if err != nil {
			return asUsage(err)
		}
		var rep ingest.JoinReport
		humans, rep = ingest.JoinLabels(stories, l)
		src = report.LabelSource{Source: o.labels, Matched: rep.Matched, Unmatched: rep.Unmatched, NoID: rep.NoID, Duplicates: rep.Duplicates}
		for _, p := range l.Problems {
			src.Problems = append(src.Problems, p.Error())
		}
		if rep.Matched == 0 {
			return usagef("labels %s: no label id matches a story id (%d labels, %d stories; the inputs need an id column such as \"Candidate ID\")",
				o.labels, len(l.Rows), len(stories))
		}
	} else {
		var problems []error
		var found bool
		humans, problems, found = ingest.SheetLabels(stories, keys)
		if !found {
			return asUsage(fmt.Errorf("%w: give --labels FILE, or add columns human_overall, human_%s, ... to the input", ingest.ErrNoLabels, keys[0]))
		}
		for _, p := range problems {
			src.Problems = append(src.Problems, p.Error())
		}
		for _, h := range humans {
			if len(h.Scores) > 0 {
				src.Matched++
			}
		}
		if src.Matched == 0 {
			return asUsage(fmt.Errorf("%w: the human_* columns are all empty", ingest.ErrNoLabels))
		}
	}
	for _, p := range src.Problems {
		log.errorf("label: %s", p)
	}
	log.printf("read %d rows from %d file(s); %d have human scores", len(stories), len(inputs), src.Matched)

	results, err := evaluate.Run(ctx, s.scorer, stories, evaluate.Options{Jobs: s.cfg.Jobs, AsOf: s.asOf})
	if err != nil {
		return context.Canceled
	}
	in := evaluate.CalibrationInput{Rubric: s.rubric, Results: results, Humans: humans}
	rep := &report.CalibrationReport{
		Version:     programVersion(),
		Rubric:      report.RubricInfo{ID: s.rubric.ID, Version: s.rubric.Version, Path: s.cfg.Rubric, SHA256: s.rubricSum},
		AsOf:        s.asOf.Format("2006-01-02"),
		Labels:      src,
		Calibration: evaluate.Calibrate(in),
	}
	for _, inp := range inputs {
		rep.Inputs = append(rep.Inputs, report.InputInfo{Path: inp.Path, SHA256: inp.SHA256, Rows: inp.Rows})
	}
	if rep.Calibration.Labeled == 0 {
		return asUsage(fmt.Errorf("%w: no labeled story could be scored", ingest.ErrNoLabels))
	}

	if o.fit != "" {
		fit, err := evaluate.FitRubric(in, evaluate.FitOptions{Folds: o.folds})
		if err != nil {
			return asUsage(err)
		}
		tuned, err := writeTunedRubric(o.fit, s, fit, args, o.labels)
		if err != nil {
			return err
		}
		sc, err := evaluate.New(tuned)
		if err != nil {
			return fmt.Errorf("tuned rubric: %w", err)
		}
		tres, err := evaluate.Run(ctx, sc, stories, evaluate.Options{Jobs: s.cfg.Jobs, AsOf: s.asOf})
		if err != nil {
			return context.Canceled
		}
		rep.Fit, rep.FitFile = fit, o.fit
		rep.Tuned = evaluate.Calibrate(evaluate.CalibrationInput{Rubric: tuned, Results: tres, Humans: humans})
	}

	files, err := report.WriteCalibration(s.cfg.Out, rep)
	if err != nil {
		return err
	}
	if err := report.CalibrationTable(g.stdout, rep); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\nwrote %s: %s\n", s.cfg.Out, strings.Join(files, ", "))
	return nil
}

// checkFitTarget refuses a --fit file that is the rubric being read or one
// of the inputs.
func checkFitTarget(fit, rubric string, inputs []string) error {
	if ext := strings.ToLower(filepath.Ext(fit)); ext != ".yaml" && ext != ".yml" {
		return usagef("--fit %s: the tuned rubric is written as YAML: use a .yaml or .yml name", fit)
	}
	fitAbs, err := filepath.Abs(fit)
	if err != nil {
		return usagef("--fit %s: %w", fit, err)
	}
	fitInfo, fitErr := os.Stat(fit)
	for _, p := range append([]string{rubric}, inputs...) {
		if p == "" {
			continue
		}
		abs, err := filepath.Abs(p)
		same := err == nil && abs == fitAbs
		if !same && fitErr == nil {
			if info, err := os.Stat(p); err == nil && os.SameFile(info, fitInfo) {
				same = true
			}
		}
		if same {
			if p == rubric {
				return usagef("--fit %s is the rubric being calibrated: write the tuned rubric to another file", fit)
			}
			return usagef("--fit %s is one of the inputs", fit)
		}
	}
	return nil
}

// writeTunedRubric writes the fitted rubric to path atomically (temporary
// file in the same directory, then rename) and returns it as loaded back.
func writeTunedRubric(path string, s *setup, fit *evaluate.Fit, inputs []string, labels string) (*evaluate.Rubric, error) {
	_, raw, err := config.ReadRubric(s.cfg.Rubric)
	if err != nil {
		return nil, asUsage(err)
	}
	name := s.cfg.Rubric
	if name == "" {
		name = config.DefaultRubricName
	}
	if labels == "" {
		labels = "human_* columns"
	}
	note := fmt.Sprintf(`Tuned by failwell calibrate %s from %s
on %s (labels: %s), %d labeled stories.
Total vs human overall, QWK: before %.2f, in-sample %.2f, %d-fold cross-validated %.2f.
Only the criteria's weight and thresholds were changed. Review before use.`,
		programVersion(), rubricName(s.cfg.Rubric), strings.Join(inputs, ", "), labels, fit.N,
		fit.Before.QWK, fit.InSample.QWK, fit.Folds, fit.CrossValidated.QWK)
	var buf bytes.Buffer
	if err := config.WriteTunedRubric(&buf, name, raw, fit.Weights(), fit.Thresholds(), note); err != nil {
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	tuned, err := config.LoadRubric(path, buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("tuned rubric does not load: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil { // a rubric holds no personal data
		tmp.Close()
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("write tuned rubric: %w", err)
	}
	return tuned, nil
}

// labelColumnsValue is the --label-columns flag: key=Header pairs separated
// by commas; a header may be double-quoted to hold commas.
type labelColumnsValue map[string]string

func (m labelColumnsValue) String() string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

func (m labelColumnsValue) Type() string { return "key=Header,..." }

func (m labelColumnsValue) Set(s string) error {
	var parts []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if quoted {
		return errors.New("unbalanced quote")
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return fmt.Errorf("%q: want key=Header", p)
		}
		m[k] = v
	}
	return nil
}
