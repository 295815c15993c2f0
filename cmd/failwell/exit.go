package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit statuses, listed in every command's help.
const (
	exitOK          = 0   // every row scored, outputs written
	exitFailure     = 1   // runtime failure (I/O, disk full, ...)
	exitUsage       = 2   // usage, configuration, rubric or input-file error; nothing written
	exitPartial     = 3   // outputs written, but some rows were rejected
	exitInterrupted = 130 // interrupted by SIGINT/SIGTERM
)

const exitStatusHelp = `Exit status:
  0    every row was scored and all outputs were written
  1    runtime failure (output not writable, disk full, ...)
  2    usage, configuration, rubric or input-file error; nothing was written
  3    outputs were written, but some rows were rejected (see the Rejected sheet)
  130  interrupted (SIGINT/SIGTERM)
`

// usageError is a command-line, configuration, rubric or input problem
// detected before anything was written.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// errPartial reports that outputs were written but some rows were rejected.
// Its message has already been printed.
var errPartial = errors.New("some rows were rejected")

// exitCode maps the error a command returned to the process exit status, in
// one place, and prints it.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(stderr, "failwell: interrupted")
		return exitInterrupted
	}
	// A joined error (several files, several rubric problems) is one
	// problem per line; each gets the prefix.
	for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintf(stderr, "failwell: %s\n", line)
	}
	if _, ok := errors.AsType[*usageError](err); ok {
		return exitUsage
	}
	return exitFailure
}
