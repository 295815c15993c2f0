package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/failwell/failwell/evaluate"
)

// Human scores (labels) for calibration come from one of two places:
//
//   - columns of the cohort sheet itself, found in Story.Fields by header:
//     "human_overall", "human_scope", ... for the first rater (or the mean
//     of raters) and "human2_overall", "human2_scope", ... for a second
//     rater (see [SheetLabels]);
//   - a separate labels file (.csv, .tsv, .xlsx, .xlsm) with an id column
//     and one column per key, joined to the stories by id (see
//     [ReadLabels] and [JoinLabels]).
//
// Keys are the criterion ids (scores 0..4) and [evaluate.Overall] (0..10).
// Headers are matched like the cohort's: case and punctuation are ignored.
// Scores may be fractional; a decimal comma is accepted ("2,5"). An empty
// cell is a missing label, never a zero; a cell that is not a number in
// range is reported as a problem and also left missing.

// LabelKeyID is the key of the id column in [LabelOptions.Columns].
const LabelKeyID = "id"

// SecondRaterPrefix prefixes a key for the second rater's column:
// "human2_scope" in [LabelOptions.Columns] names the column of the second
// rater's scope score.
const SecondRaterPrefix = "human2_"

// ErrNoLabels: no human scores were found.
var ErrNoLabels = errors.New("no human scores found")

// ErrNotScore: a label cell is not a number in the key's range.
var ErrNotScore = errors.New("not a score")

// LabelOptions control how a labels file is read.
type LabelOptions struct {
	// Columns overrides header detection: key → header as written.
	// Keys are "id", "overall", the criterion ids, and the same prefixed
	// with [SecondRaterPrefix] for a second rater.
	Columns map[string]string
	// Sheet is the sheet of an xlsx labels file; empty means the first
	// sheet with an id column and at least one score column.
	Sheet string
}

// LabelRow is one row of a labels file.
type LabelRow struct {
	// Row is the 1-based row (line) number, header included.
	Row int
	// ID is the candidate id as written (trimmed).
	ID string
	// Human holds the scores read from the row.
	Human evaluate.Human
}

// Labels is a labels file as read by [ReadLabels].
type Labels struct {
	// File is the file's base name; Sheet the sheet read ("" for CSV).
	File, Sheet string
	// Keys are the keys found among the headers (first rater), in the
	// order of the keys asked for.
	Keys []string
	// Rows are the data rows with an id, in file order.
	Rows []LabelRow
	// Problems are the cells that could not be used, each a [*RowError]
	// (a row without id, a cell that is not a score).
	Problems []error
}

// labelColumns maps a column index to what it holds.
type labelColumn struct {
	key    string
	second bool
}

// ReadLabels reads a labels file (.csv, .tsv, .xlsx or .xlsm, by name's
// extension). keys are the criterion ids; [evaluate.Overall] is always
// looked for too. The header row is the first non-blank row (of the first
// ten) with an id column and at least one score column. An id column is
// headed like the cohort's ("id", "Candidate ID", ...), a score column by
// its key, optionally prefixed "human" ("scope", "human_scope",
// "Human scope"), a second rater's by "human2" ("human2_scope").
func ReadLabels(name string, r io.Reader, keys []string, opts LabelOptions) (*Labels, error) {
	base := filepath.Base(name)
	ferr := func(err error) error { return &FileError{File: base, Err: err} }
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, ferr(fmt.Errorf("read: %w", err))
	}
	if len(data) > MaxFileBytes {
		return nil, ferr(fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxFileBytes>>20))
	}
	allKeys := append([]string{evaluate.Overall}, keys...)
	if err := checkLabelColumns(opts.Columns, allKeys); err != nil {
		return nil, ferr(err)
	}
	l := &Labels{File: base}
	var sheets [][][]string
	var lines [][]int // per sheet: the 1-based line of each row (CSV), or nil
	var names []string
	switch ext := strings.ToLower(filepath.Ext(base)); ext {
	case ".csv", ".tsv":
		rows, lns, err := readLabelCSV(data, ext)
		if err != nil {
			return nil, ferr(err)
		}
		sheets, lines, names = [][][]string{rows}, [][]int{lns}, []string{""}
	case ".xlsx", ".xlsm":
		// The same zip-bomb guard as cohort workbooks: the declared unpacked
		// size is checked before anything is unpacked.
		if _, err := checkZip(data, DefaultUnzipSizeLimit); err != nil {
			return nil, ferr(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
			UnzipSizeLimit:    DefaultUnzipSizeLimit,
			UnzipXMLSizeLimit: DefaultUnzipXMLSizeLimit,
		})
		if err != nil {
			return nil, ferr(fmt.Errorf("%w: %v", ErrCorrupt, err))
		}
		defer f.Close()
		for _, sh := range f.GetSheetList() {
			if opts.Sheet != "" && !strings.EqualFold(sh, opts.Sheet) {
				continue
			}
			rows, err := f.GetRows(sh)
			if err != nil {
				return nil, ferr(fmt.Errorf("%w: %v", ErrCorrupt, err))
			}
			sheets = append(sheets, rows)
			lines = append(lines, nil)
			names = append(names, sh)
		}
		if opts.Sheet != "" && len(sheets) == 0 {
			return nil, ferr(fmt.Errorf("%w: %q", ErrNoSheet, opts.Sheet))
		}
	default:
		return nil, ferr(fmt.Errorf("%w: %q: labels must be .csv, .tsv, .xlsx or .xlsm", ErrFormat, ext))
	}
	for si, rows := range sheets {
		hi, cols, idCol, ok := labelHeader(rows, allKeys, opts.Columns)
		if !ok {
			continue
		}
		l.Sheet = names[si]
		lineOf := func(ri int) int { return ri + 1 }
		if lines[si] != nil {
			lineOf = func(ri int) int { return lines[si][ri] }
		}
		colOrder := slices.Sorted(maps.Keys(cols))
		for _, k := range allKeys {
			for _, c := range cols {
				if c.key == k && !c.second {
					l.Keys = append(l.Keys, k)
					break
				}
			}
		}
		for ri := hi + 1; ri < len(rows); ri++ {
			cells := rows[ri]
			if isBlank(cells) {
				continue
			}
			pos := func(col int, field string, err error) error {
				return &RowError{File: base, Sheet: l.Sheet, Row: lineOf(ri), Column: colName(col), Field: field, Err: err}
			}
			id := strings.TrimSpace(cellAt(cells, idCol))
			if id == "" {
				l.Problems = append(l.Problems, pos(idCol, LabelKeyID, ErrEmpty))
				continue
			}
			row := LabelRow{Row: lineOf(ri), ID: id}
			for _, ci := range colOrder {
				c := cols[ci]
				v, ok, err := parseScore(cellAt(cells, ci), c.key)
				if err != nil {
					l.Problems = append(l.Problems, pos(ci, labelField(c), err))
				}
				if ok {
					setHuman(&row.Human, c.key, c.second, v)
				}
			}
			l.Rows = append(l.Rows, row)
		}
		return l, nil
	}
	return nil, ferr(fmt.Errorf("%w: no header row with an id column and a score column (%s)", ErrNoLabels, strings.Join(allKeys, ", ")))
}

// checkLabelColumns reports unknown keys and empty headers in overrides.
func checkLabelColumns(cols map[string]string, keys []string) error {
	var errs []error
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		base := strings.TrimPrefix(k, SecondRaterPrefix)
		if k != LabelKeyID && !slices.Contains(keys, base) {
			errs = append(errs, fmt.Errorf("label columns: unknown key %q (want id, %s, or those prefixed %s)", k, strings.Join(keys, ", "), SecondRaterPrefix))
			continue
		}
		if normalize(cols[k]) == "" {
			errs = append(errs, fmt.Errorf("label columns: %s: empty header", k))
		}
	}
	return errors.Join(errs...)
}

func labelField(c labelColumn) string {
	if c.second {
		return SecondRaterPrefix + c.key
	}
	return c.key
}

// readLabelCSV decodes a CSV or TSV labels file (UTF-8, BOM optional;
// comma, semicolon or tab for .csv) into records and their 1-based lines.
func readLabelCSV(data []byte, ext string) ([][]string, []int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	delim := ','
	if ext == ".tsv" {
		delim = '\t'
	} else {
		first, _, _ := strings.Cut(text, "\n")
		best := strings.Count(first, ",")
		for _, d := range []rune{';', '\t'} {
			if n := strings.Count(first, string(d)); n > best {
				delim, best = d, n
			}
		}
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, lines, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, line)
	}
}

func cellAt(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

// labelHeader finds the header row among the first ten non-blank rows.
func labelHeader(rows [][]string, keys []string, over map[string]string) (hi int, cols map[int]labelColumn, idCol int, ok bool) {
	seen := 0
	for ri, cells := range rows {
		if isBlank(cells) {
			continue
		}
		if seen++; seen > 10 {
			break
		}
		cols = map[int]labelColumn{}
		idCol = -1
		for ci, h := range cells {
			if k, ok := overrideKey(h, over); ok {
				if k == LabelKeyID {
					idCol = ci
				} else {
					cols[ci] = labelColumn{key: strings.TrimPrefix(k, SecondRaterPrefix), second: strings.HasPrefix(k, SecondRaterPrefix)}
				}
				continue
			}
			if _, overridden := over[LabelKeyID]; !overridden && idCol < 0 {
				if f, _ := classify(h); f == FieldID {
					idCol = ci
					continue
				}
			}
			if key, second, ok := scoreHeader(h, keys, true); ok {
				if _, overridden := over[labelField(labelColumn{key: key, second: second})]; !overridden {
					cols[ci] = labelColumn{key: key, second: second}
				}
			}
		}
		if idCol >= 0 && len(cols) > 0 {
			return ri, cols, idCol, true
		}
	}
	return 0, nil, -1, false
}

// overrideKey returns the override key whose header is h.
func overrideKey(h string, over map[string]string) (string, bool) {
	n := normalize(h)
	if n == "" {
		return "", false
	}
	keys := make([]string, 0, len(over))
	for k := range over {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if normalize(over[k]) == n {
			return k, true
		}
	}
	return "", false
}

// scoreHeader reports which key a header names: "human_scope" or "Human
// scope" (first rater), "human2_scope" or "Human 2 scope" (second rater)
// and, when bare is set, "scope".
func scoreHeader(h string, keys []string, bare bool) (key string, second, ok bool) {
	n := strings.ReplaceAll(normalize(h), " ", "")
	switch {
	case strings.HasPrefix(n, "human2"):
		n, second = strings.TrimPrefix(n, "human2"), true
	case strings.HasPrefix(n, "human"):
		n = strings.TrimPrefix(n, "human")
	case !bare:
		return "", false, false
	}
	for _, k := range keys {
		if strings.ReplaceAll(normalize(k), " ", "") == n {
			return k, second, true
		}
	}
	return "", false, false
}

// parseScore parses a label cell for key: empty is missing (ok false, no
// error); otherwise a number in 0..4 (0..10 for overall).
func parseScore(s, key string) (float64, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	t := s
	if !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(t, 64)
	hi := 4.0
	if key == evaluate.Overall {
		hi = 10
	}
	if err != nil || v != v || v < 0 || v > hi {
		return 0, false, fmt.Errorf("%w: %q (want a number from 0 to %g)", ErrNotScore, truncate(s, 40), hi)
	}
	return v, true, nil
}

func setHuman(h *evaluate.Human, key string, second bool, v float64) {
	m := &h.Scores
	if second {
		m = &h.Second
	}
	if *m == nil {
		*m = map[string]float64{}
	}
	(*m)[key] = v
}

// SheetLabels finds human scores in the stories' own columns
// ("human_overall", "human_scope", "human2_scope", ...; see the package
// notes above) and returns them aligned with stories. found reports whether
// any such column exists; problems are the cells that are not scores, as
// errors naming the row and the header.
func SheetLabels(stories []evaluate.Story, keys []string) (humans []evaluate.Human, problems []error, found bool) {
	allKeys := append([]string{evaluate.Overall}, keys...)
	humans = make([]evaluate.Human, len(stories))
	for i, s := range stories {
		for _, f := range s.Fields {
			key, second, ok := scoreHeader(f.Header, allKeys, false)
			if !ok {
				continue
			}
			found = true
			v, ok, err := parseScore(f.Value, key)
			if err != nil {
				problems = append(problems, fmt.Errorf("%s (%s): %w", s.Ref, f.Header, err))
			}
			if ok {
				setHuman(&humans[i], key, second, v)
			}
		}
	}
	return humans, problems, found
}

// JoinReport says how a labels file was joined to the stories.
type JoinReport struct {
	// Matched counts the stories that got labels.
	Matched int
	// Unmatched lists the labels' ids that no story has, as
	// "C099 (labels.csv row 36)", in file order.
	Unmatched []string
	// NoID lists the refs of stories without an id (they cannot be joined).
	NoID []string
	// Duplicates lists ids that occur more than once among the labels or
	// among the stories; they are not joined, since which label belongs to
	// which story is ambiguous.
	Duplicates []string
}

// JoinLabels joins labels to stories by id (trimmed, case-insensitive) and
// returns the human scores aligned with stories. Unlabeled stories get a
// zero Human (no scores).
func JoinLabels(stories []evaluate.Story, l *Labels) ([]evaluate.Human, JoinReport) {
	var rep JoinReport
	humans := make([]evaluate.Human, len(stories))
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	labelCount := map[string]int{}
	for _, r := range l.Rows {
		labelCount[norm(r.ID)]++
	}
	storyCount := map[string]int{}
	for _, s := range stories {
		if id := norm(s.ID); id != "" {
			storyCount[id]++
		}
	}
	dup := map[string]bool{}
	addDup := func(id string) {
		if !dup[norm(id)] {
			dup[norm(id)] = true
			rep.Duplicates = append(rep.Duplicates, id)
		}
	}
	byID := map[string]evaluate.Human{}
	for _, r := range l.Rows {
		id := norm(r.ID)
		switch {
		case labelCount[id] > 1 || storyCount[id] > 1:
			addDup(r.ID)
		case storyCount[id] == 0:
			where := fmt.Sprintf("%s row %d", l.File, r.Row)
			if l.Sheet != "" {
				where = fmt.Sprintf("%s %s!%d", l.File, l.Sheet, r.Row)
			}
			rep.Unmatched = append(rep.Unmatched, fmt.Sprintf("%s (%s)", r.ID, where))
		default:
			byID[id] = r.Human
		}
	}
	for i, s := range stories {
		id := norm(s.ID)
		if id == "" {
			rep.NoID = append(rep.NoID, s.Ref)
			continue
		}
		if storyCount[id] > 1 && labelCount[id] > 0 {
			addDup(s.ID)
			continue
		}
		if h, ok := byID[id]; ok {
			humans[i] = h
			rep.Matched++
		}
	}
	return humans, rep
}
