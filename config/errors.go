package config

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a configuration or rubric file, in the environment
// or in a flag, located as precisely as the source allows.
//
// It prints like a compiler diagnostic:
//
//	rubric.yaml:12:5: criteria[2].weight: must be > 0
//	failwell.toml:3:8: jobs: expected an integer, got string "abc"
//	FAILWELL_JOBS: expected an integer, got "abc"
type Error struct {
	// File names the file the problem is in ("rubric.yaml"), or the
	// environment variable or flag that set the value ("FAILWELL_JOBS",
	// "--jobs"); empty when the problem is not tied to a source.
	File string
	// Line and Col are 1-based; 0 when unknown (environment, flags, an
	// empty file). Col is 0 when only the line is known (most YAML syntax
	// errors).
	Line, Col int
	// Path locates the value inside the document: a key ("brand.accent") or
	// a rubric path ("criteria[2].signals[0].pattern"); empty for problems
	// of the document as a whole.
	Path string
	// Msg says what is wrong, in lower case, without position.
	Msg string
	// Err is the underlying error, if any (for example an
	// *evaluate.FieldError); see [Error.Unwrap].
	Err error
}

// Error formats e as "file:line:col: path: msg", leaving out the parts that
// are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	}
	if e.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Col))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, or nil.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is a list of problems, as collected by [Load] and [LoadRubric].
// It is modelled on go/scanner.ErrorList, but its Error method lists every
// problem, one per line.
type ErrorList []*Error

// Add appends a problem.
func (l *ErrorList) Add(e *Error) { *l = append(*l, e) }

// Sort sorts the list by file, line, column, path and message. Problems
// without a line sort first within their file.
func (l ErrorList) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
}

// Error lists every problem, one per line.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so that errors.As finds an *Error or the
// underlying *evaluate.FieldError of any of them.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Err returns l sorted, as an error, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// truncate sorts l and keeps its first n problems, replacing the rest by
// one that says how many were left out.
func (l ErrorList) truncate(n int) ErrorList {
	l.Sort()
	if len(l) <= n {
		return l
	}
	rest := len(l) - n
	last := l[n-1]
	l = append(l[:n:n], &Error{File: last.File, Line: last.Line, Col: last.Col, Msg: fmt.Sprintf("and %d more problems", rest)})
	return l
}

// errorf builds an *Error.
func errorf(file string, line, col int, path, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}
