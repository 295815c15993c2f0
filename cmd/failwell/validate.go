package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/ingest"
)

func newValidateCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate INPUT...",
		Short: "Read and check the configuration, the rubric and every input row; write nothing",
		Long: `Validate does everything run does before scoring: it loads the configuration and
the rubric, reads every INPUT, and lists every problem it finds, each with its
position (file:line for configuration and rubric, file, sheet and cell for rows).
It writes nothing.

It exits 0 when every row can be scored, 3 when some rows would be rejected,
and 2 when the configuration, the rubric or an input file cannot be used.`,
		Example: `  failwell validate samples/cohort.xlsx samples/messy.csv`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(g, cmd.Flags(), args)
		},
	}
	config.AddFlags(cmd.Flags(), "config", "rubric", "sheet", "columns")
	return cmd
}

func runValidate(g *globalOptions, fs *pflag.FlagSet, args []string) error {
	s, err := prepare(g, fs)
	if err != nil {
		return err
	}
	stories, inputs, err := ingest.ReadFiles(args, s.ingestOptions())
	if err != nil {
		return asUsage(err)
	}
	rejected := 0
	for i := range stories {
		if stories[i].Reject != nil {
			rejected++
			fmt.Fprintf(g.stdout, "%v\n", stories[i].Reject)
		}
	}
	fmt.Fprintf(g.stdout, "%d file(s), %d rows: %d can be scored, %d would be rejected; rubric %s %s has %d criteria\n",
		len(inputs), len(stories), len(stories)-rejected, rejected, s.rubric.ID, s.rubric.Version, len(s.rubric.Criteria))
	if rejected > 0 {
		return errPartial
	}
	return nil
}
