package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/failwell/failwell/evaluate"
)

// Stream reads each path in order, as [ReadFiles] does, and calls yield
// with each story as soon as it is read, with Index numbered from 0 across
// all files. It yields exactly the stories ReadFiles returns, in the same
// order, and returns the same inputs (one per path) and the same error:
// the join of every file's fatal error, each a [*FileError] (or the
// [Options.Validate] error, with no inputs). A file's fatal problems are
// found before its first story is yielded, so a file either fails whole
// or yields all its rows.
//
// A sheet is read in two passes over its rows: the first finds the header
// and what the whole column decides (the order of numeric dates, merged
// ranges, formulas without a saved result), the second yields the
// stories. Apart from the file's own bytes and what the format forces (a
// workbook's shared-strings table), memory does not grow with the number
// of rows; except that excelize loads a worksheet whole to look up its
// merged cells (if it has any) or the formula of a blank story cell (if
// one holds a formula).
//
// If yield returns false, Stream stops reading at once and returns the
// inputs of the files begun so far (the last one counting only the stories
// yielded) and the join of their fatal errors, nil if none: stopping is
// not an error, since the caller asked for it.
func Stream(paths []string, opts Options, yield func(evaluate.Story) bool) ([]Input, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.normalized()
	var (
		inputs  []Input
		errs    []error
		n       int
		stopped bool
	)
	for _, p := range paths {
		in := Input{Path: p}
		data, rerr := readFile(p)
		if rerr != nil {
			in.Err = &FileError{File: filepath.Base(p), Err: rerr}
		} else {
			sum := sha256.Sum256(data)
			in.SHA256 = hex.EncodeToString(sum[:])
			in.Notes, in.Err = readBytes(filepath.Base(p), data, opts, func(s evaluate.Story) bool {
				s.Index = n
				n++
				in.Rows++
				if s.Reject != nil {
					in.Rejected++
				} else {
					in.Stories++
				}
				if !yield(s) {
					stopped = true
					return false
				}
				return true
			})
			if in.Err != nil {
				in.Notes = nil
			}
		}
		if in.Err != nil {
			errs = append(errs, in.Err)
		}
		inputs = append(inputs, in)
		if stopped {
			break
		}
	}
	return inputs, errors.Join(errs...)
}

// rowSeq calls yield with each non-blank row of one sheet, in order and
// with increasing row numbers, until yield returns false. It returns the
// error that ended the read early, or nil. It can be called again to read
// the rows again.
type rowSeq func(yield func(rawRow) bool) error

// mergeRange is a merged range of cells that starts below the header:
// columns c0 to c2-1 (0-based), rows r1 to r2 (1-based).
type mergeRange struct {
	c0, c2, r1, r2 int
}

// plan is what the first pass over a sheet learns: everything the second
// pass needs to turn each row into a story on its own.
type plan struct {
	file, sheet string
	date1904    bool
	hdr         rawRow   // the header row
	hdrText     []string // the header of each column of hdr for Story.Fields
	hi          int      // index of the header among the non-blank rows
	cols        columns
	mapped      []int // the columns of the fields found
	order       dateOrder
	maxW        int          // one past the last column of the widest row
	merges      []mergeRange // in the workbook's order
	formulas    map[int]bool // rows whose empty story cell holds a formula
	dataRows    int          // rows below the header, blank ones included
}

// survey is the first pass over rows: it finds the header among the first
// headerScanRows non-blank rows (with stopEarly, the read stops there when
// they hold none: a big sheet that is not the data is not read whole) and
// the width of the widest row, and observes the data rows into o (see
// [observer]). A read error wins over a missing header.
func survey(file, sheet string, rows rowSeq, opts Options, stopEarly bool, o *observer) (*plan, error) {
	sd := &sheetData{file: file, sheet: sheet}
	p := &plan{file: file, sheet: sheet}
	o.p = p
	decided := false
	var herr error
	decide := func() {
		decided = true
		p.hi, p.cols, herr = headerRow(sd, opts)
		if herr == nil && o.light != nil {
			// The rest of the pass needs only the date column's values,
			// and of the other cells whether they are empty or blank.
			o.light.on, o.light.keep = true, p.cols.get(FieldSubmitted)
		}
		if herr == nil {
			for _, r := range sd.rows[p.hi+1:] {
				o.add(r)
			}
		}
	}
	err := rows(func(r rawRow) bool {
		p.maxW = max(p.maxW, r.width())
		if !decided {
			sd.rows = append(sd.rows, r)
			if len(sd.rows) == headerScanRows {
				decide()
				return herr == nil || !stopEarly
			}
			return true
		}
		if herr == nil {
			o.add(r)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if !decided {
		decide()
	}
	if herr != nil {
		return nil, herr
	}
	p.hdr = sd.rows[p.hi]
	p.hdrText = make([]string, p.hdr.width())
	for i := range p.hdrText {
		if p.hdrText[i] = cleanLine(p.hdr.cell(i)); p.hdrText[i] == "" {
			p.hdrText[i] = colName(i)
		}
	}
	for _, i := range p.cols.idx {
		p.mapped = append(p.mapped, i)
	}
	p.order = o.votes.order()
	return p, nil
}

// observer collects, over the data rows of a sheet, what a story depends
// on beyond its own row: the votes for the order of numeric dates and
// (with wantEmpty) the rows whose story cell is empty, to be checked for
// formulas. Its memory is one int per empty story.
type observer struct {
	p         *plan
	votes     orderVotes
	wantEmpty bool
	empty     []int
	light     *lightMode // the fast reader's light mode, or nil
}

func (o *observer) add(r rawRow) {
	o.p.dataRows++
	if sc := o.p.cols.get(FieldSubmitted); sc >= 0 {
		o.votes.add(r.cell(sc))
	}
	if o.wantEmpty && blankText(r.cell(o.p.cols.get(FieldStory))) {
		o.empty = append(o.empty, r.num)
	}
}

// reobserve reads the data rows again with the merged ranges filled in,
// for a sheet whose merges may change the date column or the story cells.
func (p *plan) reobserve(rows rowSeq, o *observer) error {
	o.votes, o.empty = orderVotes{}, nil
	fill := p.newFiller()
	seq := 0
	err := rows(func(r rawRow) bool {
		if seq++; seq <= p.hi+1 {
			return true
		}
		fill.fill(&r)
		o.add(r)
		return true
	})
	p.order = o.votes.order()
	return err
}

// emit is the second pass: it turns each data row into a story and calls
// emit with it until emit returns false.
func (p *plan) emit(rows rowSeq, emit func(evaluate.Story) bool) error {
	fill := p.newFiller()
	seq, n := 0, 0
	return rows(func(r rawRow) bool {
		if seq++; seq <= p.hi+1 {
			return true
		}
		fill.fill(&r)
		st := p.story(r, n)
		n++
		return emit(st)
	})
}

// blankText reports whether cleanText(s) is empty: s holds only white
// space and removed control characters.
func blankText(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !isDropped(r) && !unicode.IsSpace(r) {
			return false
		}
		i += n
	}
	return true
}

// filler fills merged ranges row by row, as the rows stream by: the value
// of a range's top-left cell, taken when its top row is read (after the
// ranges before it have filled that row), goes into the range's empty
// cells of that row and the rows below, up to the widest row's width.
// Rows that were blank stay skipped; a range whose top row is blank fills
// nothing.
type filler struct {
	merges []mergeRange
	vals   []string
	maxW   int
}

func (p *plan) newFiller() *filler {
	if len(p.merges) == 0 {
		return nil
	}
	return &filler{merges: p.merges, vals: make([]string, len(p.merges)), maxW: p.maxW}
}

func (f *filler) fill(r *rawRow) {
	if f == nil {
		return
	}
	for i, m := range f.merges {
		if r.num < m.r1 || r.num > m.r2 {
			continue
		}
		if r.num == m.r1 {
			f.vals[i] = r.cell(m.c0)
		}
		v := f.vals[i]
		if v == "" {
			continue
		}
		for c := m.c0; c < min(m.c2, f.maxW); c++ {
			if r.cell(c) == "" {
				r.set(c, v)
			}
		}
	}
}

// headerText is the header of column i for Story.Fields: the header
// cell's text, or the column's letters if it is empty.
func (p *plan) headerText(i int) string {
	if i < len(p.hdrText) {
		return p.hdrText[i]
	}
	if h := cleanLine(p.hdr.cell(i)); h != "" {
		return h
	}
	return colName(i)
}

// story turns one data row into a story with the given Index.
func (p *plan) story(r rawRow, index int) evaluate.Story {
	cols := p.cols
	sc, dc := cols.get(FieldSubmitted), cols.get(FieldStory)
	nameCol := cols.get(FieldName)
	first, last := cols.get(fieldFirstName), cols.get(fieldLastName)
	st := evaluate.Story{
		Index: index,
		Ref:   p.file + ":" + p.sheet + ":" + strconv.Itoa(r.num),
	}
	// Fields: every non-empty cell, and the columns of the fields found
	// (so an empty story shows as empty). Empty cells of other columns
	// are left out: a header of thousands of columns must not multiply
	// every row.
	idx := append(r.indexes(), p.mapped...)
	slices.Sort(idx)
	idx = slices.Compact(idx)
	if len(idx) > 0 {
		st.Fields = make([]evaluate.Field, 0, len(idx))
	}
	for _, i := range idx {
		v := cleanText(r.cell(i))
		if i == dc {
			st.Text = v
		}
		if len(v) > MaxStoryBytes {
			v = truncate(v, MaxStoryBytes)
		}
		st.Fields = append(st.Fields, evaluate.Field{Header: p.headerText(i), Value: v})
	}
	reject := func(col int, field string, err error) {
		if st.Reject == nil {
			st.Reject = &RowError{File: p.file, Sheet: p.sheet, Row: r.num, Column: colName(col), Field: field, Err: err}
		}
	}
	switch {
	case st.Text == "" && p.formulas[r.num]:
		reject(dc, FieldStory, ErrFormulaNoValue)
	case st.Text == "":
		reject(dc, FieldStory, ErrEmpty)
	case len(st.Text) > MaxStoryBytes:
		reject(dc, FieldStory, fmt.Errorf("%w: %s (limit %s)", ErrTooLong, size(len(st.Text)), size(MaxStoryBytes)))
	case slices.Contains(excelErrors, st.Text):
		reject(dc, FieldStory, fmt.Errorf("formula error %s in the cell", st.Text))
	}
	if sc >= 0 {
		v := cleanLine(r.cell(sc))
		if len(v) > MaxFieldBytes {
			reject(sc, FieldSubmitted, fmt.Errorf("%w: %s (limit %s)", ErrTooLong, size(len(v)), size(MaxFieldBytes)))
		} else if t, err := parseDate(v, p.order, p.date1904); err != nil {
			reject(sc, FieldSubmitted, err)
		} else {
			st.Submitted = t
		}
	}
	line := func(field string, col int) string {
		v := cleanLine(r.cell(col))
		if len(v) > MaxFieldBytes {
			reject(col, field, fmt.Errorf("%w: %s (limit %s)", ErrTooLong, size(len(v)), size(MaxFieldBytes)))
			return truncate(v, MaxFieldBytes)
		}
		return v
	}
	if nameCol >= 0 {
		st.Name = line(FieldName, nameCol)
	} else if first >= 0 || last >= 0 {
		st.Name = strings.TrimSpace(line(FieldName, first) + " " + line(FieldName, last))
	}
	st.Email = line(FieldEmail, cols.get(FieldEmail))
	st.ID = line(FieldID, cols.get(FieldID))
	st.Cohort = line(FieldCohort, cols.get(FieldCohort))
	if st.Reject != nil && len(st.Text) > MaxStoryBytes {
		st.Text = truncate(st.Text, MaxStoryBytes)
	}
	return st
}

// notes says how the sheet was read: header row, columns, date order.
func (p *plan) notes() []string {
	cols := p.cols
	notes := []string{fmt.Sprintf("header row %d", p.hdr.num)}
	first, last := cols.get(fieldFirstName), cols.get(fieldLastName)
	var found []string
	for _, f := range fieldNames {
		if i := cols.get(f); i >= 0 {
			found = append(found, fmt.Sprintf("%s=%s %q", f, colName(i), truncate(cleanLine(p.hdr.cell(i)), 40)))
		} else if f == FieldName && (first >= 0 || last >= 0) {
			found = append(found, fmt.Sprintf("name=%s+%s (first and last name)", colName(first), colName(last)))
		}
	}
	notes = append(notes, "columns: "+strings.Join(found, ", "))
	if cols.get(FieldSubmitted) >= 0 {
		switch p.order {
		case orderDayFirst:
			notes = append(notes, "numeric dates read day first (21/09/2026)")
		case orderMonthFirst:
			notes = append(notes, "numeric dates read month first (9/21/2026)")
		}
	}
	return notes
}
