package ingest

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, wrapped by [*FileError] and [*RowError]. Test for them
// with errors.Is.
var (
	// ErrEmpty: a required cell (the story) is empty.
	ErrEmpty = errors.New("empty")
	// ErrBadDate: the submission date is not a date failwell can read.
	ErrBadDate = errors.New("not a date")
	// ErrTooLong: a cell is larger than the limit for its field
	// ([MaxStoryBytes] for the story, [MaxFieldBytes] for the others).
	ErrTooLong = errors.New("too long")
	// ErrFormulaNoValue: the cell holds a formula whose result was never
	// computed and saved (files written by programs, not by Excel).
	ErrFormulaNoValue = errors.New("formula without a saved result (open and save the file in a spreadsheet app)")

	// ErrEmptyFile: the file has no non-blank row at all.
	ErrEmptyFile = errors.New("empty file: no rows")
	// ErrNoStoryColumn: no header row with a story column was found.
	ErrNoStoryColumn = errors.New("no story column")
	// ErrNoColumn: a column override names a header that is not in the
	// header row.
	ErrNoColumn = errors.New("no such column")
	// ErrNoSheet: Options.Sheet names a sheet the workbook does not have.
	ErrNoSheet = errors.New("no such sheet")
	// ErrFormat: the file's format is not supported (legacy .xls, .ods,
	// .numbers, an unknown extension) or its content is not what its
	// extension says.
	ErrFormat = errors.New("unsupported format")
	// ErrCorrupt: the file is damaged or truncated.
	ErrCorrupt = errors.New("damaged or truncated file")
	// ErrEncrypted: the workbook is password-protected.
	ErrEncrypted = errors.New("workbook is password-protected: remove the password (File > Info > Protect Workbook) and save again")
	// ErrTooLarge: the file, or what it unpacks to, is over the size limit.
	ErrTooLarge = errors.New("file too large")
	// ErrUnbalancedQuote: a quoted CSV field is never closed, so the rest of
	// the file would be swallowed into one cell.
	ErrUnbalancedQuote = errors.New("unbalanced quote: a quoted field never ends")
)

// FileError is a fatal problem with one input file: nothing was read from
// it. Sheet and Line are set when known.
type FileError struct {
	File  string // base name of the file, e.g. "cohort.xlsx"
	Sheet string // sheet name, or "" (CSV, or not specific to one sheet)
	Line  int    // 1-based line (CSV) or row (xlsx), or 0
	Err   error  // the cause; wraps one of the sentinel errors
}

// Error formats e as "cohort.xlsx: Sheet1: no story column ...", or with a
// line, "cohort.csv:14: unbalanced quote ...".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		b.WriteString(": ")
		b.WriteString(e.Sheet)
		if e.Line > 0 {
			fmt.Fprintf(&b, "!%d", e.Line)
		}
	} else if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// RowError is why one row cannot be scored. It is stored in
// [evaluate.Story.Reject].
type RowError struct {
	File   string // base name of the file, e.g. "cohort.xlsx"
	Sheet  string // sheet name; "" for CSV
	Row    int    // 1-based row number as a spreadsheet app shows it (header included)
	Column string // column letter(s), e.g. "E"
	Field  string // the field: "story", "name", "email", "id", "cohort" or "submitted"
	Err    error  // the cause, e.g. ErrEmpty
}

// Error formats e as "cohort.xlsx: Form Responses 1!E14 (story): empty",
// or for CSV "cohort.csv: E14 (story): empty".
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	if e.Sheet != "" {
		b.WriteString(e.Sheet)
		b.WriteString("!")
	}
	fmt.Fprintf(&b, "%s%d", e.Column, e.Row)
	if e.Field != "" {
		fmt.Fprintf(&b, " (%s)", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }
