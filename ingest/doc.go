// Package ingest reads cohort spreadsheets (.xlsx, .xlsm, .csv, .tsv) into
// [evaluate.Story] values, one per non-blank data row.
//
// It finds the header row and the columns by their headers (case- and
// punctuation-insensitive, with synonyms such as "Full name" or "Tell me
// about your biggest failure"), decodes the usual encodings of CSV files
// (UTF-8 with or without a BOM, UTF-16 with a BOM, Windows-1252), sniffs the
// CSV delimiter, and parses submission dates written as Excel serial numbers
// or as text.
//
// Problems come in two kinds. A problem with a whole file (unreadable, no
// header, no story column, unknown sheet) is fatal for that file and is
// returned as a [*FileError]. A problem with one row (no story, an
// unreadable date, an oversized cell) never fails the read: the row becomes
// a Story whose Reject is a [*RowError] that names the cell. Blank rows are
// skipped and are not stories.
//
// The package does no scoring and does not escape formula-like text: cells
// are kept as written (cleaned of control characters) and it is the
// report's job to write them safely.
package ingest
