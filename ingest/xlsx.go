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
// text) and the unzip size limits of opts.
func readXLSX(base string, data []byte, opts Options) (stories []evaluate.Story, notes []string, err error) {
	// A malformed workbook must not crash the run: a panic in the xlsx
	// library becomes an error for this file.
	defer func() {
		if p := recover(); p != nil {
			stories, notes = nil, nil
			err = &FileError{File: base, Err: &panicError{value: p, stack: debug.Stack()}}
		}
	}()
	ferr := func(sheet string, err error) error { return &FileError{File: base, Sheet: sheet, Err: err} }
	limit, xmlLimit := opts.UnzipSizeLimit, opts.UnzipXMLSizeLimit
	if limit == 0 {
		limit = DefaultUnzipSizeLimit
	}
	if xmlLimit == 0 {
		xmlLimit = min(DefaultUnzipXMLSizeLimit, limit)
	}
	merges, err := checkZip(data, limit)
	if err != nil {
		return nil, nil, ferr("", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    limit,
		UnzipXMLSizeLimit: xmlLimit,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, nil, ferr("", fmt.Errorf("%w: %w", ErrCorrupt, err))
	}
	defer f.Close()
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, ferr("", fmt.Errorf("%w: the workbook has no sheets", ErrCorrupt))
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
			return nil, nil, ferr("", fmt.Errorf("%w: --sheet %q (sheets: %s)", ErrNoSheet, opts.Sheet, quoteList(sheets)))
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
		sd, err := readSheet(f, base, sheet, date1904, opts)
		var hi int
		var cols columns
		if err == nil {
			hi, cols, err = headerRow(sd, opts)
		}
		if err != nil {
			if opts.Sheet != "" {
				return nil, nil, ferr(sheet, err)
			}
			if rank(err) > rank(firstErr) {
				firstErr = ferr(sheet, err)
			}
			continue
		}
		if merges {
			fillMerged(f, sd, sd.rows[hi].num)
		}
		sd.formula = func(col, row int) bool {
			cell, err := excelize.CoordinatesToCellName(col+1, row)
			if err != nil {
				return false
			}
			formula, err := f.GetCellFormula(sheet, cell)
			return err == nil && formula != ""
		}
		notes = append(notes, fmt.Sprintf("sheet %q", sheet))
		if len(skipped) > 0 {
			notes = append(notes, "hidden sheets skipped: "+quoteList(skipped))
		}
		if date1904 {
			notes = append(notes, "1904 date system")
		}
		stories, more := build(sd, hi, cols)
		return stories, append(notes, more...), nil
	}
	var fe *FileError
	if len(candidates) > 1 && errors.As(firstErr, &fe) && rank(fe.Err) == 2 {
		// Name every sheet looked at; keep the detail of the first one
		// that has rows.
		return nil, nil, &FileError{File: base, Sheet: fe.Sheet, Err: fmt.Errorf("%w (sheets checked: %s)",
			fe.Err, quoteList(candidates))}
	}
	return nil, nil, firstErr
}

// readSheet streams the non-blank rows of one sheet. It stops early, after
// the rows searched for a header, when they hold none: the caller's
// headerRow then reports the same error without reading a big sheet that
// is not the data.
func readSheet(f *excelize.File, base, sheet string, date1904 bool, opts Options) (*sheetData, error) {
	sd := &sheetData{file: base, sheet: sheet, date1904: date1904}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("%w: after row %d: %w", ErrCorrupt, num-1, err)
		}
		if !isBlank(cells) {
			sd.rows = append(sd.rows, newRawRow(num, cells))
			if len(sd.rows) == headerScanRows {
				if _, _, err := headerRow(sd, opts); err != nil {
					break
				}
			}
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return sd, nil
}

// fillMerged copies the value of each merged range's top-left cell into the
// other cells of the range (a cohort name merged down a block of rows).
// Only ranges that start below the header row are filled (a header merged
// over two rows must not become data). Rows that were blank stay skipped.
func fillMerged(f *excelize.File, sd *sheetData, header int) {
	merged, err := f.GetMergeCells(sd.sheet, true)
	if err != nil || len(merged) == 0 {
		return
	}
	byNum := make(map[int]int, len(sd.rows))
	maxW := 0
	for i, r := range sd.rows {
		byNum[r.num] = i
		maxW = max(maxW, r.width())
	}
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		top, ok := byNum[r1]
		if !ok || r1 <= header {
			continue
		}
		v := sd.rows[top].cell(c1 - 1)
		if v == "" {
			continue
		}
		c2 = min(c2, maxW)
		for i := range sd.rows {
			r := &sd.rows[i]
			if r.num < r1 || r.num > r2 {
				continue
			}
			for c := c1 - 1; c < c2; c++ {
				if r.cell(c) == "" {
					r.set(c, v)
				}
			}
		}
	}
}

// checkZip refuses, before anything is unpacked, a zip whose entries
// declare more than limit bytes in total, and checks that every worksheet
// is well-formed XML (excelize's streaming reader stops silently at an XML
// error, which would drop rows without a word). It reports whether any
// worksheet has merged cells.
func checkZip(data []byte, limit int64) (merges bool, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false, fmt.Errorf("%w: not a valid xlsx (zip) file: %w", ErrCorrupt, err)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(limit) {
			return false, fmt.Errorf("%w: unpacks to more than %s (limit %s)", ErrTooLarge, size(int(min(total, 1<<62))), size(int(limit)))
		}
	}
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		if !strings.HasPrefix(name, "xl/worksheets/") || path.Ext(name) != ".xml" {
			continue
		}
		m, err := checkXML(zf)
		if err != nil {
			return false, fmt.Errorf("%w: %s: %w", ErrCorrupt, zf.Name, err)
		}
		merges = merges || m
	}
	return merges, nil
}

// checkXML reads one zip entry as XML and checks that it is well-formed:
// no syntax error, every element closed by its own end tag. It reports
// whether the part has a mergeCell element.
func checkXML(zf *zip.File) (merges bool, err error) {
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

// panicError is a recovered panic while reading a workbook.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("%v: the xlsx reader failed on this file (%v)", ErrCorrupt, e.value)
}

func (e *panicError) Unwrap() error { return ErrCorrupt }
