package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/ingest"
	"github.com/failwell/failwell/report"
)

func newRunCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run INPUT...",
		Short: "Score every story in the input spreadsheets and write PDFs, report.xlsx and results.jsonl",
		Long: `Run reads every INPUT (.xlsx, .xlsm, .csv or .tsv) as one batch, scores each
story against the rubric, and writes into the output directory:

  feedback/NNN-name.pdf  one feedback report per scored candidate
  report.xlsx            the cohort workbook (summary, candidates, evidence, review, rejected, rubric, run)
  results.jsonl          one JSON object per input row, in input order
  run.json               what was run: version, inputs and rubric with sha256, counts, exit status

A row that cannot be used is rejected with its position (file, sheet, cell) and
the rest of the batch is still written.

A rerun into the same output directory does only the new work: nothing at all
when inputs, rubric and settings are unchanged; otherwise it scores only new or
changed rows and renders only their PDFs (--force redoes everything). A run that
was interrupted or killed is completed by the next one. --shard K/N processes
one partition of the rows; "failwell merge" combines the shards' outputs.`,
		Example: `  failwell run samples/cohort.xlsx
  failwell run week1.csv week2.xlsx --out cohort-42 --as-of 2026-10-01
  failwell run export.xlsx --columns story="Your answer",name=Candidate --no-pdf`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), g, cmd.Flags(), args)
		},
	}
	config.AddFlags(cmd.Flags())
	return cmd
}

// setup is what every command that scores needs: the configuration, the
// compiled rubric and the reference date.
type setup struct {
	cfg       config.Config
	rubric    *evaluate.Rubric
	rubricSum string
	scorer    *evaluate.RubricScorer
	asOf      time.Time
}

// prepare loads the configuration and the rubric. Its errors are usage errors.
func prepare(g *globalOptions, fs *pflag.FlagSet) (*setup, error) {
	cfg, err := loadConfig(g, fs)
	if err != nil {
		return nil, err
	}
	rub, raw, err := config.ReadRubric(cfg.Rubric)
	if err != nil {
		return nil, asUsage(err)
	}
	sc, err := evaluate.New(rub)
	if err != nil {
		return nil, asUsage(fmt.Errorf("rubric %s: %w", rubricName(cfg.Rubric), err))
	}
	sum := sha256.Sum256(raw)
	asOf := cfg.AsOf
	if asOf.IsZero() {
		y, m, d := time.Now().Date()
		asOf = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return &setup{cfg: cfg, rubric: rub, rubricSum: hex.EncodeToString(sum[:]), scorer: sc, asOf: asOf}, nil
}

func rubricName(path string) string {
	if path == "" {
		return "(built-in)"
	}
	return path
}

func (s *setup) ingestOptions() ingest.Options {
	return ingest.Options{Sheet: s.cfg.Sheet, Columns: s.cfg.Columns}
}

func runRun(ctx context.Context, g *globalOptions, fs *pflag.FlagSet, args []string) error {
	start := time.Now()
	s, err := prepare(g, fs)
	if err != nil {
		return err
	}
	log := newLogger(g.stderr, s.cfg.LogFormat, s.cfg.Quiet)
	fingerprint := runFingerprint(s, args)
	if prev, ok := unchangedRun(s.cfg.Out, fingerprint); ok && !s.cfg.Force {
		return finishUnchanged(g, log, s, prev, start, args)
	}
	setMemoryLimit(g.getenv)
	_, statErr := os.Stat(s.cfg.Out)
	createdOut := errors.Is(statErr, iofs.ErrNotExist)

	src, err := newSource(s, args)
	if err != nil {
		return err
	}
	info := report.RunInfo{
		Version: programVersion(),
		Start:   start.UTC(),
		Args:    args,
		Rubric:  report.RubricInfo{ID: s.rubric.ID, Version: s.rubric.Version, Path: s.cfg.Rubric, SHA256: s.rubricSum},
		AsOf:    s.asOf.Format(time.DateOnly),
		Jobs:    s.cfg.Jobs,
		Shard:   s.cfg.Shard,

		Fingerprint: fingerprint,
	}
	prog := newProgress(log, "score", -1)
	b := &batch{s: s, src: src, prog: prog, log: log}
	sum, runErr := b.run(ctx, &info)
	prog.stop()
	if runErr == nil && src.err != nil {
		// An input file could not be read: nothing is written.
		runErr = asUsage(src.err)
	}

	var result error
	var usage *usageError
	switch {
	case errors.As(runErr, &usage):
		if createdOut {
			os.Remove(s.cfg.Out) // only if empty
		}
		return runErr
	case ctx.Err() != nil || errors.Is(runErr, context.Canceled):
		info.Interrupted = true
		info.ExitStatus = exitInterrupted
		result = context.Canceled
	case runErr != nil:
		info.ExitStatus = exitFailure
		info.Error = runErr.Error()
		result = runErr
	case sum.Counts.Rejected > 0 || sum.PDFFailed > 0:
		info.ExitStatus = exitPartial
		result = errPartial
	}
	if sum != nil {
		info.Counts = sum.Counts
		info.Outputs = sum.Files
	}
	// Scores are no longer kept between runs (scoring again is cheaper
	// than reading them back): remove an earlier version's file.
	os.Remove(filepath.Join(s.cfg.Out, ".failwell-scores.jsonl"))
	info.End = time.Now().UTC()
	if err := report.WriteRun(s.cfg.Out, info); err != nil && result == nil {
		result = err
	}
	if sum != nil {
		printRunSummary(g, log, s, b.rejected, sum)
	}
	return result
}

// printRunSummary tells the user what happened: counts, every rejected row
// with its reason, failed PDFs, and where the outputs are.
func printRunSummary(g *globalOptions, log *logger, s *setup, rejected []string, sum *report.Summary) {
	c := sum.Counts
	for _, msg := range rejected {
		log.errorf("rejected %s", msg)
	}
	for _, f := range sum.PDFFailures {
		log.errorf("no PDF for %s: %v", f.Row, f.Err)
	}
	fmt.Fprintf(g.stdout, "%d rows: %d scored (%d flagged for review), %d rejected\n", c.Read, c.Scored, c.Flagged, c.Rejected)
	pdfs := fmt.Sprintf("%d PDFs in feedback/, ", c.PDFs)
	if c.PDFsReused > 0 || len(sum.Removed) > 0 {
		pdfs = fmt.Sprintf("%d PDFs in feedback/ (%d rendered, %d unchanged, %d removed), ", c.PDFs, c.PDFs-c.PDFsReused, c.PDFsReused, len(sum.Removed))
	}
	if s.cfg.NoPDF {
		pdfs = ""
	}
	fmt.Fprintf(g.stdout, "wrote %s: %sreport.xlsx, results.jsonl, run.json\n", s.cfg.Out, pdfs)
}

// describeErr is a rejected row's reason; a RowError already names its row.
func describeErr(r *evaluate.Result) string {
	if _, ok := errors.AsType[*ingest.RowError](r.Err); ok {
		return r.Err.Error()
	}
	return r.Story.Ref + ": " + r.Err.Error()
}
