// Package ingest reads cohort spreadsheets (.xlsx, .xlsm, .csv, .tsv) into
// [evaluate.Story] values, one per non-blank data row.
//
// # Problems
//
// A problem with a whole file (unreadable, damaged, password-protected, a
// legacy format, no header, no story column, unknown sheet, a column
// override that names no header) is fatal for that file and is returned as
// a [*FileError]. A problem with one row (no story, an unreadable date, an
// oversized cell, a formula without a saved result) never fails the read:
// the row becomes a Story whose Reject is a [*RowError] naming the cell,
// e.g. "cohort.xlsx: Form Responses 1!E14 (story): empty". Blank rows are
// skipped and are not stories, so every non-blank row below the header is
// either scorable or rejected with a reason.
//
// # Sheets, header and columns
//
// The header row is searched for in the first 10 non-blank rows: of the
// rows with a story column, the one that names the most known fields wins
// (title rows above the header are skipped). Headers match case- and
// punctuation-insensitively with synonyms; see [Options.Columns] to name
// a column explicitly. A workbook's first visible sheet with such a header
// is read unless [Options.Sheet] names one (hidden sheets can be named).
// Hidden rows are read like any other. Merged ranges below the header
// (a cohort name merged down a block of rows) are filled into every cell
// of the range. Cells are read as raw values: dates are serial numbers,
// numbers are not locale-formatted, formula cells give their saved result.
//
// Row numbers are those a spreadsheet app shows, header included: for CSV
// a record with line breaks inside quotes is one row and empty lines count
// as rows, as Excel does when it opens the file.
//
// # Streaming
//
// [Stream] yields each story as soon as it is read, and [ReadFiles]
// collects what it yields. A sheet is read in two passes: the first finds
// the header and what depends on the whole sheet (the order of numeric
// dates, merged ranges, formulas without a saved result), the second
// builds the stories one row at a time. Memory beyond the file's bytes
// (and a workbook's shared strings) does not grow with the number of rows,
// except that a worksheet with merged cells, or with a formula in a blank
// story cell, is loaded whole to look them up. Worksheet XML in the plain
// shape spreadsheet apps write (rows and cells with r attributes in order,
// values, formulas, inline and rich text) is read by a purpose-built
// scanner, anything else by excelize, with the same result; every
// worksheet's XML is first checked to be well-formed.
//
// # CSV
//
// The encoding is detected: UTF-8 with or without a BOM, UTF-16 with a BOM
// (or without one, recognised by its zero bytes), Windows-1252 otherwise; a
// mostly-UTF-8 file with a few damaged bytes keeps its UTF-8 and the bad
// bytes become U+FFFD. A .csv's delimiter is sniffed among comma,
// semicolon, tab and bar (Excel's "sep=;" first line is honoured); a .tsv
// uses tabs. Quotes are read strictly first, then leniently: a stray quote
// inside a field is kept as text. A quoted field that never ends, or that
// visibly runs on into the following rows, is a fatal error with its line,
// since the rows it swallows would be lost.
//
// # Dates
//
// The submitted column accepts Excel serial numbers (the workbook's 1900 or
// 1904 system; Excel's fictitious 1900-02-29 reads as 1900-02-28; numbers
// below 10000, i.e. before 1927, are rejected as not dates), ISO 8601 with
// or without time and zone, numeric dates (9/21/2026, 21.09.2026,
// 21-09-26, with an optional time and AM/PM) and dates with month names
// ("21 Sep 2026", "Sep 21, 2026", "21-Sep-2026"). An all-numeric date whose
// first two parts could both be the month is read the way the column's
// unambiguous dates are (any 21/09/2026 makes the column day-first, any
// 9/21/2026 month-first); if the column has none, or both, a slash means
// month first (US, Google Forms) and a dot or dash day first. Submitted is
// the date at midnight UTC: a time with a zone offset is converted to UTC
// first, a time without one is taken as UTC. An empty cell leaves Submitted
// zero (the run's as-of date applies); any other unreadable value rejects
// the row.
//
// # Text
//
// Cells are cleaned, not rewritten: invalid UTF-8 is repaired, CRLF and CR
// become LF, control characters other than LF and TAB (NUL included) are
// removed, and surrounding space is trimmed; name, email, id and cohort are
// also folded to one line. Right-to-left text and emoji are kept. Text that
// looks like a formula is kept as written: escaping it is the report's job.
// Sizes are capped by [MaxStoryBytes], [MaxFieldBytes] and [MaxFileBytes];
// an xlsx that declares more than its unzip limit is refused before
// anything is unpacked.
package ingest
