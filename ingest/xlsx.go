package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"strings"

	"github.com/failwell/failwell/evaluate"
	"github.com/xuri/excelize/v2"
)

// readXLSX reads an .xlsx or .xlsm workbook with excelize's streaming row
// reader, raw cell values (dates as serial numbers, not locale-formatted
// text) and the unzip size limits of opts, and calls emit with each story
// until emit returns false.
func readXLSX(base string, data []byte, opts Options, emit func(evaluate.Story) bool) (notes []string, err error) {
	// A malformed workbook must not crash the run: a panic in the xlsx
	// library becomes an error for this file. A panic in emit (the
	// caller's code) goes on up.
	// The worksheets' XML is checked (see checkSheets) on the other core
	// while the workbook is opened and the first pass reads; its verdict
	// is awaited before merged cells or formulas are looked up and before
	// any story is emitted, and a damaged sheet's error wins over any
	// other.
	var check func() (mergeParts map[string]bool, err error)
	defer func() {
		if p := recover(); p != nil {
			if ep, ok := p.(emitPanic); ok {
				if check != nil {
					check() // no goroutine left behind
				}
				panic(ep.value)
			}
			notes = nil
			err = &FileError{File: base, Err: &panicError{value: p, stack: debug.Stack()}}
		}
		if check != nil {
			if _, cerr := check(); cerr != nil {
				notes, err = nil, &FileError{File: base, Err: cerr}
			}
		}
	}()
	ferr := func(sheet string, err error) error { return &FileError{File: base, Sheet: sheet, Err: err} }
	callerEmit := emit
	emit = func(s evaluate.Story) bool {
		defer func() {
			if p := recover(); p != nil {
				panic(emitPanic{p})
			}
		}()
		return callerEmit(s)
	}
	limit, xmlLimit := opts.UnzipSizeLimit, opts.UnzipXMLSizeLimit
	if limit == 0 {
		limit = DefaultUnzipSizeLimit
	}
	if xmlLimit == 0 {
		xmlLimit = min(DefaultUnzipXMLSizeLimit, limit)
	}
	zr, err := checkZipSize(data, limit)
	if err != nil {
		return nil, ferr("", err)
	}
	check = checkSheetsAsync(zr)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    limit,
		UnzipXMLSizeLimit: xmlLimit,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, ferr("", fmt.Errorf("%w: %w", ErrCorrupt, err))
	}
	defer f.Close()
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ferr("", fmt.Errorf("%w: the workbook has no sheets", ErrCorrupt))
	}
	var candidates, skipped []string
	if opts.Sheet != "" {
		name := ""
		for _, s := range sheets {
			if s == opts.Sheet {
				name = s
			}
		}
		if name == "" {
			for _, s := range sheets {
				if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(opts.Sheet)) {
					name = s
					break
				}
			}
		}
		if name == "" {
			return nil, ferr("", fmt.Errorf("%w: --sheet %q (sheets: %s)", ErrNoSheet, opts.Sheet, quoteList(sheets)))
		}
		candidates = []string{name}
	} else {
		for _, s := range sheets {
			if visible, err := f.GetSheetVisible(s); err == nil && !visible {
				skipped = append(skipped, s)
				continue
			}
			candidates = append(candidates, s)
		}
		if len(candidates) == 0 {
			candidates = sheets // every sheet hidden: look at them anyway
		}
	}
	// In auto mode a sheet that fails is skipped; if none works, the most
	// telling failure is returned (damaged > no story column > empty).
	var firstErr error
	rank := func(err error) int {
		switch {
		case err == nil:
			return 0
		case errors.Is(err, ErrEmptyFile):
			return 1
		case errors.Is(err, ErrNoStoryColumn), errors.Is(err, ErrNoColumn):
			return 2
		}
		return 3
	}
	for _, sheet := range candidates {
		// The fast reader if the sheet has its simple shape (the first
		// pass reads it all, or stops for want of a header), else
		// excelize's.
		rows := xlsxRows(f, sheet)
		var p *plan
		err := errNotSimple
		if zf, sst := sheetSource(data, f, sheet, xmlLimit); zf != nil {
			light := &lightMode{part: zf.Name}
			fast := fastRows(zf, sst, light)
			if p, err = planSheet(f, sheet, fast, check, opts, light); !errors.Is(err, errNotSimple) {
				rows = fast
			}
		}
		if errors.Is(err, errNotSimple) {
			p, err = planSheet(f, sheet, rows, check, opts, nil)
		}
		if err != nil {
			if opts.Sheet != "" {
				return nil, ferr(sheet, err)
			}
			if rank(err) > rank(firstErr) {
				firstErr = ferr(sheet, err)
			}
			continue
		}
		p.file, p.date1904 = base, date1904
		notes = append(notes, fmt.Sprintf("sheet %q", sheet))
		if len(skipped) > 0 {
			notes = append(notes, "hidden sheets skipped: "+quoteList(skipped))
		}
		if date1904 {
			notes = append(notes, "1904 date system")
		}
		notes = append(notes, p.notes()...)
		if _, err := check(); err != nil {
			return nil, ferr("", err)
		}
		if opts.Planned != nil {
			opts.Planned(p.dataRows)
		}
		if err := p.emit(rows, emit); err != nil {
			return nil, ferr(sheet, err)
		}
		return notes, nil
	}
	var fe *FileError
	if len(candidates) > 1 && errors.As(firstErr, &fe) && rank(fe.Err) == 2 {
		// Name every sheet looked at; keep the detail of the first one
		// that has rows.
		return nil, &FileError{File: base, Sheet: fe.Sheet, Err: fmt.Errorf("%w (sheets checked: %s)",
			fe.Err, quoteList(candidates))}
	}
	return nil, firstErr
}

// planSheet is the first pass over one sheet (see [survey]). It stops
// early, after the rows searched for a header, when they hold none: a big
// sheet that is not the data is not read whole. It then waits for check
// (the worksheets' XML is well-formed). With merges (the workbook
// has merged cells) it reads the sheet's merged ranges and, if any starts
// below the header, reads the rows again with them filled in; it then
// looks up which empty story cells hold a formula. light, if not nil,
// switches the fast reader to its light mode once the header is found.
func planSheet(f *excelize.File, sheet string, rows rowSeq, check func() (map[string]bool, error), opts Options, light *lightMode) (*plan, error) {
	o := &observer{wantEmpty: true, light: light}
	if light != nil {
		light.record = true
	}
	p, err := survey("", sheet, rows, opts, true, o)
	if light != nil {
		light.on, light.record = false, false
	}
	if err != nil {
		return nil, err
	}
	mergeParts, err := check()
	if err != nil {
		return nil, err
	}
	merges := len(mergeParts) > 0
	if light != nil {
		merges = mergeParts[light.part] // this sheet's, not the workbook's
	}
	if merges {
		p.merges = mergedRanges(f, sheet, p.hdr.num)
		if len(p.merges) > 0 {
			if err := p.reobserve(rows, o); err != nil {
				return nil, err
			}
		}
	}
	dc := p.cols.get(FieldStory)
	for _, num := range o.empty {
		if light != nil && !light.formulas[[2]int{num, dc}] {
			continue // no formula: no need for excelize to load the sheet
		}
		cell, err := excelize.CoordinatesToCellName(dc+1, num)
		if err != nil {
			continue
		}
		if formula, err := f.GetCellFormula(sheet, cell); err == nil && formula != "" {
			if p.formulas == nil {
				p.formulas = map[int]bool{}
			}
			p.formulas[num] = true
		}
	}
	return p, nil
}

// xlsxRows reads the non-blank rows of one sheet with excelize's streaming
// row reader.
func xlsxRows(f *excelize.File, sheet string) rowSeq {
	return func(yield func(rawRow) bool) error {
		rows, err := f.Rows(sheet)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		num := 0
		for rows.Next() {
			num++
			cells, err := rows.Columns()
			if err != nil {
				rows.Close()
				return fmt.Errorf("%w: after row %d: %w", ErrCorrupt, num-1, err)
			}
			if !isBlank(cells) && !yield(newRawRow(num, cells)) {
				break
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return nil
	}
}

// mergedRanges lists the merged ranges of sheet that start below the
// header row, in the workbook's order (the value of each range's top-left
// cell fills the other cells of the range: a cohort name merged down a
// block of rows; a header merged over two rows must not become data).
func mergedRanges(f *excelize.File, sheet string, header int) []mergeRange {
	merged, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return nil
	}
	var out []mergeRange
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r1 <= header {
			continue
		}
		out = append(out, mergeRange{c0: c1 - 1, c2: c2, r1: r1, r2: r2})
	}
	return out
}

// checkZip refuses, before anything is unpacked, a zip whose entries
// declare more than limit bytes in total (checkZipSize), and checks that
// every worksheet is well-formed XML (checkSheets). It reports whether any
// worksheet has merged cells.
func checkZip(data []byte, limit int64) (merges bool, err error) {
	zr, err := checkZipSize(data, limit)
	if err != nil {
		return false, err
	}
	parts, err := checkSheets(zr)
	return len(parts) > 0, err
}

// checkZipSize opens the zip and refuses it if its entries declare more
// than limit bytes in total.
func checkZipSize(data []byte, limit int64) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid xlsx (zip) file: %w", ErrCorrupt, err)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(limit) {
			return nil, fmt.Errorf("%w: unpacks to more than %s (limit %s)", ErrTooLarge, size(int(min(total, 1<<62))), size(int(limit)))
		}
	}
	return zr, nil
}

// checkSheets checks that every worksheet is well-formed XML (excelize's
// streaming reader stops silently at an XML error, which would drop rows
// without a word). It returns the names of the worksheet parts that have
// merged cells.
func checkSheets(zr *zip.Reader) (mergeParts map[string]bool, err error) {
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		if !strings.HasPrefix(name, "xl/worksheets/") || path.Ext(name) != ".xml" {
			continue
		}
		m, err := checkXML(zf)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, zf.Name, err)
		}
		if m {
			if mergeParts == nil {
				mergeParts = map[string]bool{}
			}
			mergeParts[zf.Name] = true
		}
	}
	return mergeParts, nil
}

// checkSheetsAsync runs checkSheets in a goroutine and returns a function
// that waits for its result (it may be called any number of times).
func checkSheetsAsync(zr *zip.Reader) func() (map[string]bool, error) {
	done := make(chan struct{})
	var (
		merges map[string]bool
		err    error
	)
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: checking the worksheets' XML failed (%v)", ErrCorrupt, p)
			}
		}()
		merges, err = checkSheets(zr)
	}()
	return func() (map[string]bool, error) {
		<-done
		return merges, err
	}
}

// checkXML reads one zip entry as XML and checks that it is well-formed:
// no syntax error, every element closed by its own end tag. It reports
// whether the part has a mergeCell element.
func checkXML(zf *zip.File) (merges bool, err error) {
	if rc, err := zf.Open(); err == nil {
		m, ok := quickCheckXML(rc)
		rc.Close()
		if ok {
			return m, nil
		}
	}
	return checkXMLSlow(zf)
}

// checkXMLSlow is checkXML with encoding/xml.
func checkXMLSlow(zf *zip.File) (merges bool, err error) {
	rc, err := zf.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var open []string
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if len(open) > 0 {
				return merges, fmt.Errorf("unexpected end of XML inside <%s>", open[len(open)-1])
			}
			return merges, nil
		}
		if err != nil {
			return merges, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, t.Name.Local)
			if t.Name.Local == "mergeCell" {
				merges = true
			}
		case xml.EndElement:
			if len(open) == 0 || open[len(open)-1] != t.Name.Local {
				return merges, fmt.Errorf("unexpected </%s>", t.Name.Local)
			}
			open = open[:len(open)-1]
		}
	}
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// emitPanic carries a panic of the caller's emit function through
// readXLSX's recovery of the xlsx library's panics.
type emitPanic struct{ value any }

// panicError is a recovered panic while reading a workbook.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("%v: the xlsx reader failed on this file (%v)", ErrCorrupt, e.value)
}

func (e *panicError) Unwrap() error { return ErrCorrupt }
