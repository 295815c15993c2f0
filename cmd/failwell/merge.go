package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/report"
)

func newMergeCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge DIR... --out DIR",
		Short: "Combine the outputs of `run --shard K/N` into one results.jsonl, report.xlsx and feedback/",
		Long: `Merge combines the output directories of the shards of one batch, each written
by "failwell run --shard K/N" (on one machine or many), into the output
directory: results.jsonl with every row in batch order (the shards' lines,
byte for byte), report.xlsx built from them, and every PDF (hard-linked when
possible, else copied). The rubric, --as-of and branding must be those the
shards ran with; run.json records the merge.

Near-duplicates are detected within each shard only. The Rejected sheet of
a merged workbook shows each rejected row's reason, id and name, but not its
other original cells.`,
		Example: `  for k in 1 2 3 4; do failwell run big.xlsx --shard $k/4 --out shard-$k & done; wait
  failwell merge shard-1 shard-2 shard-3 shard-4 --out merged`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.Context(), g, cmd.Flags(), args)
		},
	}
	config.AddFlags(cmd.Flags(), "config", "out", "rubric", "as_of", "no_pdf", "quiet", "log_format",
		"brand.org", "brand.logo", "brand.accent", "brand.footer", "brand.paper")
	return cmd
}

func runMerge(ctx context.Context, g *globalOptions, fs *pflag.FlagSet, dirs []string) error {
	start := time.Now()
	s, err := prepare(g, fs)
	if err != nil {
		return err
	}
	log := newLogger(g.stderr, s.cfg.LogFormat, s.cfg.Quiet)
	info := report.RunInfo{
		Version: programVersion(),
		Start:   start.UTC(),
		Args:    append([]string{"merge"}, dirs...),
		Rubric:  report.RubricInfo{ID: s.rubric.ID, Version: s.rubric.Version, Path: s.cfg.Rubric, SHA256: s.rubricSum},
		AsOf:    s.asOf.Format(time.DateOnly),
	}
	sum, err := report.Merge(ctx, dirs, report.MergeOptions{Options: report.Options{
		Dir:     s.cfg.Out,
		Rubric:  s.rubric,
		NoPDF:   s.cfg.NoPDF,
		Date:    s.asOf,
		Version: programVersion(),
		Brand:   report.Brand(s.cfg.Brand),
		Run:     &info,
	}})
	var result error
	switch {
	case ctx.Err() != nil:
		info.Interrupted, info.ExitStatus = true, exitInterrupted
		result = context.Canceled
	case err != nil:
		info.ExitStatus, info.Error = exitFailure, err.Error()
		result = err
	default:
		info.Counts, info.Outputs, info.Stages = sum.Counts, sum.Files, sum.Stages
		if sum.Counts.Rejected > 0 || sum.PDFFailed > 0 {
			info.ExitStatus, result = exitPartial, errPartial
		}
	}
	info.End = time.Now().UTC()
	if err := report.WriteRun(s.cfg.Out, info); err != nil && result == nil {
		result = err
	}
	if sum != nil {
		c := sum.Counts
		log.printf("merged %d shard(s)", len(dirs))
		fmt.Fprintf(g.stdout, "%d rows: %d scored (%d flagged for review), %d rejected\n", c.Read, c.Scored, c.Flagged, c.Rejected)
		fmt.Fprintf(g.stdout, "wrote %s: %d PDFs in feedback/, report.xlsx, results.jsonl, run.json\n", s.cfg.Out, c.PDFs)
	}
	return result
}
