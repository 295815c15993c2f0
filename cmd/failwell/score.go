package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/report"
)

func newScoreCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "score [FILE|-]",
		Short: "Score one story from a file or standard input and print the breakdown",
		Long: `Score reads one story (plain text) from FILE, or from standard input when FILE
is "-" or absent, scores it against the rubric and prints each criterion's
level, the evidence that earned or lost it, and feedback. With --json it prints
the same object as one line of results.jsonl.

Recency is measured from --as-of (default: today).`,
		Example: `  failwell score story.txt
  pbpaste | failwell score --json --as-of 2026-10-01`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScore(cmd.Context(), g, cmd.Flags(), args, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object (the results.jsonl schema)")
	config.AddFlags(cmd.Flags(), "config", "rubric", "as_of")
	return cmd
}

func runScore(ctx context.Context, g *globalOptions, fs *pflag.FlagSet, args []string, asJSON bool) error {
	s, err := prepare(g, fs)
	if err != nil {
		return err
	}
	name, r := "stdin", g.stdin
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return asUsage(err)
		}
		defer f.Close()
		name, r = args[0], f
	}
	text, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if strings.TrimSpace(string(text)) == "" {
		return usagef("%s: no story to score (empty input)", name)
	}
	story := evaluate.Story{Ref: name, Text: strings.ReplaceAll(string(text), "\r\n", "\n")}
	results, err := evaluate.Run(ctx, s.scorer, []evaluate.Story{story}, evaluate.Options{Jobs: 1, AsOf: s.asOf})
	if err != nil {
		return err
	}
	if asJSON {
		return report.JSONL(g.stdout, results, nil, nil)
	}
	res := &results[0]
	if !res.Scored() {
		return fmt.Errorf("%s: %w", name, res.Err)
	}
	return report.Text(g.stdout, res)
}
