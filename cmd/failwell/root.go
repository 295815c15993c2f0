package main

import (
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/failwell/failwell/config"
)

// globalOptions carry the process's streams and environment to every command.
type globalOptions struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	environ        []string // the whole environment, to report unknown FAILWELL_* variables
	// started is set once a command's own code runs; an error before that
	// is a usage error (unknown command, bad flag, wrong arguments).
	started bool
}

// version is the program version, recorded in every output. Release builds
// set it with -ldflags "-X main.version=v1.2.3"; otherwise the module version
// from the build info is used, or "devel".
var version = ""

func programVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "failwell",
		Short: "Score written answers to \"Tell me about your biggest failure\" and write feedback reports",
		Long: `failwell scores every candidate's written answer to "Tell me about your biggest
failure" in a cohort spreadsheet (.xlsx, .csv, .tsv) against an editable rubric,
and writes one PDF feedback report per candidate, a cohort workbook
(report.xlsx), results.jsonl and run.json.

Every setting can be given as a flag, as a FAILWELL_* environment variable or in
failwell.yaml (precedence: flags > environment > file > defaults).`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		PersistentPreRun: func(*cobra.Command, []string) {
			g.started = true
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asUsage(err) })
	root.AddCommand(
		newRunCommand(g),
		newMergeCommand(g),
		newScoreCommand(g),
		newValidateCommand(g),
		newInitCommand(g),
		newRubricCommand(g),
		newVersionCommand(g),
		newCalibrateCommand(g), // calibration (issue 4)
	)
	for _, c := range root.Commands() {
		c.SetUsageTemplate(c.UsageTemplate() + "\n" + exitStatusHelp)
	}
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitStatusHelp)
	return root
}

// usageArgs wraps a cobra argument validator so its errors are usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error { return asUsage(v(cmd, args)) }
}

// loadConfig loads the configuration for a command whose flags are fs.
func loadConfig(g *globalOptions, fs *pflag.FlagSet) (config.Config, error) {
	cfg, err := config.Load(config.LoadOptions{Flags: fs, Getenv: g.getenv, Environ: g.environ})
	if err != nil {
		return cfg, asUsage(err)
	}
	return cfg, nil
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(g.stdout, "failwell "+programVersion()+"\n")
			return err
		},
	}
}
