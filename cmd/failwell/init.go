package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/failwell/failwell/config"
	"github.com/failwell/failwell/ingest"
)

func newInitCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter failwell.yaml, the default rubric and a template workbook",
		Long: `Init writes three files into DIR (default: the current directory):

  failwell.yaml          every setting with its default, commented
  rubric.yaml            the built-in rubric, commented, to edit and pass with --rubric
  cohort-template.xlsx   a workbook with the headers failwell recognises

It refuses to overwrite existing files unless --force is given.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(g, dir, force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	return cmd
}

func runInit(g *globalOptions, dir string, force bool) error {
	var tmpl bytes.Buffer
	if err := ingest.WriteTemplate(&tmpl); err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"failwell.yaml", config.StarterFile()},
		{"rubric.yaml", config.DefaultRubricYAML()},
		{"cohort-template.xlsx", tmpl.Bytes()},
	}
	if !force {
		for _, f := range files {
			p := filepath.Join(dir, f.name)
			if _, err := os.Stat(p); err == nil {
				return usagef("%s already exists (use --force to overwrite)", p)
			} else if !os.IsNotExist(err) {
				return usagef("%v", err)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.data, fs.FileMode(0o644)); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "wrote %s\n", p)
	}
	fmt.Fprintf(g.stdout, "next: edit rubric.yaml, then: failwell run cohort.xlsx --rubric %s\n", filepath.Join(dir, "rubric.yaml"))
	return nil
}
