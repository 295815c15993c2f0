package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/evaluate"
)

// errExamplesFailed reports that rubric examples did not get their expected
// levels; the failures have been printed.
var errExamplesFailed = errors.New("rubric examples failed")

func newRubricCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rubric",
		Short: "Work with rubric files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "test [FILE]",
		Short: "Check a rubric file and score its example stories against their expected levels",
		Long: `Test loads a rubric (FILE, or the built-in rubric when absent), reports every
problem in it with file:line, then scores each of its examples and compares
the level each criterion gets with the level the example expects, like
"vale test". It exits 0 when all pass, 1 when some fail, 2 when the rubric is
invalid.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			return runRubricTest(g, path)
		},
	})
	return cmd
}

func runRubricTest(g *globalOptions, path string) error {
	rub, _, err := config.ReadRubric(path)
	if err != nil {
		return asUsage(err)
	}
	sc, err := evaluate.New(rub)
	if err != nil {
		return asUsage(fmt.Errorf("rubric %s: %w", rubricName(path), err))
	}
	results := sc.CheckExamples()
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	failed := 0
	for _, r := range results {
		status := "ok"
		if !r.Pass {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\tgot %d\twant %d\n", status, r.Example, r.Criterion, r.Got, r.Want)
	}
	tw.Flush()
	fmt.Fprintf(g.stdout, "rubric %s %s: %d examples, %d checks, %d failed\n", rub.ID, rub.Version, len(rub.Examples), len(results), failed)
	if failed > 0 {
		return errExamplesFailed
	}
	if len(results) == 0 {
		fmt.Fprintln(g.stdout, "note: the rubric has no examples with expected levels")
	}
	return nil
}
