package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/failwell/failwell/evaluate"
)

// headerScanRows is how many non-blank rows are searched for the header
// row (title rows above the header are skipped).
const headerScanRows = 10

// wideColumns: cells at or beyond this 0-based column are kept sparsely.
const wideColumns = 256

// rawRow is one non-blank row of a sheet before it becomes a Story.
type rawRow struct {
	num   int            // 1-based row number as a spreadsheet app shows it
	cells []string       // cells 0..wideColumns-1, as read
	extra map[int]string // non-empty cells at wideColumns and beyond
}

func newRawRow(num int, cells []string) rawRow {
	r := rawRow{num: num, cells: cells}
	if len(cells) > wideColumns {
		for i, v := range cells[wideColumns:] {
			if v != "" {
				if r.extra == nil {
					r.extra = map[int]string{}
				}
				r.extra[wideColumns+i] = v
			}
		}
		r.cells = slices.Clip(cells[:wideColumns])
	}
	return r
}

func (r rawRow) cell(i int) string {
	if i < 0 {
		return ""
	}
	if i < len(r.cells) {
		return r.cells[i]
	}
	return r.extra[i]
}

// set stores v in column i, growing the row as needed.
func (r *rawRow) set(i int, v string) {
	switch {
	case i < len(r.cells):
		r.cells[i] = v
	case i < wideColumns:
		r.cells = append(r.cells, make([]string, i+1-len(r.cells))...)
		r.cells[i] = v
	default:
		if r.extra == nil {
			r.extra = map[int]string{}
		}
		r.extra[i] = v
	}
}

// width is one past the last column that may hold a value.
func (r rawRow) width() int {
	w := len(r.cells)
	for i := range r.extra {
		w = max(w, i+1)
	}
	return w
}

// indexes lists the columns that hold a non-empty value, in order.
func (r rawRow) indexes() []int {
	var out []int
	for i, v := range r.cells {
		if v != "" {
			out = append(out, i)
		}
	}
	var ex []int
	for i := range r.extra {
		ex = append(ex, i)
	}
	slices.Sort(ex)
	return append(out, ex...)
}

// isBlank reports whether every cell of cells is empty once cleaned.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if c != "" && cleanText(c) != "" {
			return false
		}
	}
	return true
}

// Read reads one spreadsheet and returns one Story per non-blank data row,
// with Index counted from 0 within this file. The format comes from the
// extension of name: .xlsx and .xlsm (Excel), .csv (delimiter sniffed:
// comma, semicolon, tab or bar) and .tsv. Legacy .xls, OpenDocument .ods and
// Apple .numbers files get an error that says to save as .xlsx.
//
// Only the base name of name is used in Refs and errors. A fatal problem
// returns a [*FileError] and no stories; a problem with one row is recorded
// in that Story's Reject as a [*RowError].
func Read(name string, r io.Reader, opts Options) ([]evaluate.Story, error) {
	base := filepath.Base(name)
	if err := opts.Validate(); err != nil {
		return nil, &FileError{File: base, Err: err}
	}
	opts = opts.normalized()
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, &FileError{File: base, Err: fmt.Errorf("read: %w", err)}
	}
	if len(data) > MaxFileBytes {
		return nil, &FileError{File: base, Err: fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxFileBytes>>20)}
	}
	var stories []evaluate.Story
	if _, err := readBytes(base, data, opts, func(s evaluate.Story) bool {
		stories = append(stories, s)
		return true
	}); err != nil {
		return nil, err
	}
	return stories, nil
}

var (
	magicZip = []byte("PK\x03\x04")
	magicOLE = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// readBytes reads one file's bytes and calls emit with each story, Index
// counted from 0 within the file, until emit returns false. A fatal error
// is found before the first story is emitted. It returns the notes on how
// the file was read.
func readBytes(base string, data []byte, opts Options, emit func(evaluate.Story) bool) ([]string, error) {
	ext := strings.ToLower(filepath.Ext(base))
	ferr := func(err error) error { return &FileError{File: base, Err: err} }
	switch ext {
	case ".xls":
		return nil, ferr(fmt.Errorf("%w: legacy Excel 97-2003 .xls workbook: open it in Excel or LibreOffice and save as .xlsx", ErrFormat))
	case ".ods":
		return nil, ferr(fmt.Errorf("%w: OpenDocument .ods spreadsheet: open it and save as .xlsx (File > Save As > Excel 2007-365)", ErrFormat))
	case ".numbers":
		return nil, ferr(fmt.Errorf("%w: Apple Numbers file: export it as .xlsx (File > Export To > Excel)", ErrFormat))
	case ".xlsx", ".xlsm", ".csv", ".tsv":
	case ".xlsb":
		return nil, ferr(fmt.Errorf("%w: binary .xlsb workbook: open it in Excel and save as .xlsx", ErrFormat))
	default:
		return nil, ferr(fmt.Errorf("%w: %q: use .xlsx, .xlsm, .csv or .tsv", ErrFormat, ext))
	}
	switch {
	case bytes.HasPrefix(data, magicOLE):
		if ext == ".csv" || ext == ".tsv" || !isEncrypted(data) {
			return nil, ferr(fmt.Errorf("%w: this is a legacy Excel 97-2003 workbook (.xls): open it in Excel or LibreOffice and save as .xlsx", ErrFormat))
		}
		return nil, ferr(ErrEncrypted)
	case bytes.HasPrefix(data, magicZip):
		if ext == ".csv" || ext == ".tsv" {
			// A workbook with the wrong extension: read what it is.
			return readXLSX(base, data, opts, emit)
		}
	}
	if ext == ".csv" || ext == ".tsv" {
		return readCSV(base, ext, data, opts, emit)
	}
	return readXLSX(base, data, opts, emit)
}

// isEncrypted reports whether an OLE compound file holds an encrypted OOXML
// package (the streams "EncryptionInfo" and "EncryptedPackage"), as opposed
// to a legacy .xls workbook.
func isEncrypted(data []byte) bool {
	utf16 := func(s string) []byte {
		b := make([]byte, 0, 2*len(s))
		for i := 0; i < len(s); i++ {
			b = append(b, s[i], 0)
		}
		return b
	}
	return bytes.Contains(data, utf16("EncryptionInfo")) || bytes.Contains(data, utf16("EncryptedPackage"))
}

// sheetData holds the first non-blank rows of a sheet (at most
// headerScanRows of them: all that [headerRow] looks at).
type sheetData struct {
	file, sheet string
	rows        []rawRow // non-blank rows, in order
}

// headerRow finds the header among the first headerScanRows rows: of the
// rows that have a story column (or the override header for story), the
// one that names the most fields, then the one with the most cells, then
// the first. So a title row such as "Biggest failure essays 2026" above
// the real header is skipped. It returns the row's index in rows and the
// column map.
func headerRow(sd *sheetData, opts Options) (int, columns, error) {
	want, override := opts.Columns[FieldStory]
	best, bestFields, bestCells := -1, 0, 0
	var bestCols columns
	var bestHdr []string
	for i, r := range sd.rows {
		if i >= headerScanRows {
			break
		}
		hdr := make([]string, r.width())
		for j := range hdr {
			hdr[j] = r.cell(j)
		}
		found := false
		if override {
			wn := normalize(want)
			found = slices.ContainsFunc(hdr, func(h string) bool { return normalize(h) == wn })
		} else {
			found = slices.ContainsFunc(hdr, func(h string) bool { f, _ := classify(h); return f == FieldStory })
		}
		if !found {
			continue
		}
		cols, _ := findColumns(hdr, opts.Columns)
		cells := len(r.indexes())
		if best < 0 || len(cols.idx) > bestFields || len(cols.idx) == bestFields && cells > bestCells {
			best, bestFields, bestCells, bestCols, bestHdr = i, len(cols.idx), cells, cols, hdr
		}
	}
	if best >= 0 {
		if _, missing := findColumns(bestHdr, opts.Columns); len(missing) > 0 {
			var flags []string
			for _, f := range missing {
				flags = append(flags, fmt.Sprintf("%s=%q", f, opts.Columns[f]))
			}
			return 0, bestCols, fmt.Errorf("%w: --columns %s: not in the header row %d (headers: %s)",
				ErrNoColumn, strings.Join(flags, ","), sd.rows[best].num, listHeaders(bestHdr))
		}
		return best, bestCols, nil
	}
	if len(sd.rows) == 0 {
		return 0, columns{}, ErrEmptyFile
	}
	first := sd.rows[0]
	hdr := make([]string, first.width())
	for j := range hdr {
		hdr[j] = first.cell(j)
	}
	if override {
		return 0, columns{}, fmt.Errorf("%w: --columns story=%q: no such header in the first %d rows (row %d has: %s)",
			ErrNoColumn, want, headerScanRows, first.num, listHeaders(hdr))
	}
	return 0, columns{}, fmt.Errorf("%w: no header like \"Story\", \"Answer\", \"Response\" or one that mentions \"failure\" in the first %d rows (row %d has: %s); name the column with --columns story=\"Header\"",
		ErrNoStoryColumn, headerScanRows, first.num, listHeaders(hdr))
}

func listHeaders(hdr []string) string {
	var out []string
	for _, h := range hdr {
		if h = cleanLine(h); h != "" {
			out = append(out, fmt.Sprintf("%q", truncate(h, 60)))
		}
		if len(out) == 12 {
			out = append(out, "...")
			break
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, ", ")
}

// excelErrors are the error values a formula cell can hold.
var excelErrors = []string{"#N/A", "#REF!", "#VALUE!", "#NAME?", "#DIV/0!", "#NULL!", "#NUM!", "#SPILL!", "#CALC!", "#GETTING_DATA"}

func size(n int) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// colName turns a 0-based column index into letters: 0 → "A", 27 → "AB".
func colName(i int) string {
	if i < 0 {
		return ""
	}
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append(b, byte('A'+(n-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// Input describes one file read by [ReadFiles] or [Stream].
type Input struct {
	// Path is the path as given.
	Path string
	// SHA256 is the hex SHA-256 of the file's bytes ("" if it could not be
	// read).
	SHA256 string
	// Rows is the number of non-blank data rows read (header and title rows
	// excluded): Rows == Stories + Rejected.
	Rows int
	// Stories is the number of rows that can be scored.
	Stories int
	// Rejected is the number of rows with Story.Reject set.
	Rejected int
	// Notes say how the file was read, for `validate` to show: encoding
	// and delimiter (CSV), sheet, header row, date order. Empty when the
	// read failed.
	Notes []string
	// Err is the fatal error for this file, or nil.
	Err error
}

// ReadFiles reads each path with [Read] and concatenates the stories, with
// Index renumbered from 0 across all files. It goes on past a file that
// fails: the returned error joins every file's fatal error (each a
// [*FileError]), and the stories of the files that could be read are still
// returned. inputs has one entry per path, in order. It collects what
// [Stream] yields.
func ReadFiles(paths []string, opts Options) (stories []evaluate.Story, inputs []Input, err error) {
	inputs, err = Stream(paths, opts, func(s evaluate.Story) bool {
		stories = append(stories, s)
		return true
	})
	if inputs == nil && err != nil {
		return nil, nil, err
	}
	return stories, inputs, err
}

func readFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, errors.New("is a directory")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxFileBytes>>20)
	}
	return data, nil
}
