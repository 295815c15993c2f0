// Command failwell scores cohort spreadsheets of written answers to "Tell me
// about your biggest failure" against a rubric, and writes one PDF feedback
// report per candidate, a cohort workbook and results.jsonl.
//
// The command is thin wiring: reading files is package ingest, scoring is
// package evaluate, writing outputs is package report, and configuration is
// package config. See README.md for usage.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

// run executes the command line args with the environment environ
// ("KEY=value" pairs) and returns the process exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ, getenv: lookup(environ)}
	cmd := newRootCommand(g)
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	if err != nil && !g.started {
		// Cobra failed before any command ran: unknown command, bad flag,
		// wrong number of arguments.
		err = asUsage(err)
	}
	return exitCode(ctx, err, stderr)
}

// lookup returns a getenv function over environ; the last value of a key wins,
// as in os.Getenv.
func lookup(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}
