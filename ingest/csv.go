package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/failwell/failwell/evaluate"
)

// readCSV reads a .csv or .tsv file: the encoding is detected (see
// decodeText), the delimiter of a .csv sniffed, and quotes read strictly
// first, then leniently (a stray quote inside a field is kept as text). A
// quoted field that never ends is a fatal, positioned error. opts.Sheet does
// not apply (a batch may mix workbooks and CSV files). It calls emit with
// each story until emit returns false. The text is parsed twice: once to
// check it and find the header and the date order, once for the stories.
func readCSV(base, ext string, data []byte, opts Options, emit func(evaluate.Story) bool) ([]string, error) {
	text, enc := decodeText(data)
	// Classic Mac OS line endings: CR only.
	if strings.Contains(text, "\r") && !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	skip := 0
	var delim rune
	if ext == ".tsv" {
		delim = '\t'
	} else if d, ok := sepDirective(text); ok {
		// Excel's "sep=;" first line.
		delim = d
		skip = 1
		text = text[strings.IndexByte(text, '\n')+1:]
	} else {
		delim = sniffDelimiter(text)
	}
	lazy := false
	p, err := survey(base, "", csvRows(text, delim, lazy, skip), opts, false, &observer{})
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, &FileError{File: base, Err: err}
		}
		if line, qerr := quoteProblem(text, delim); qerr != nil {
			return nil, &FileError{File: base, Line: line + skip, Err: qerr}
		}
		lazy = true
		if p, err = survey(base, "", csvRows(text, delim, lazy, skip), opts, false, &observer{}); err != nil {
			if errors.As(err, &pe) {
				err = fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			return nil, &FileError{File: base, Err: err}
		}
	}
	names := map[rune]string{',': "comma", ';': "semicolon", '\t': "tab", '|': "bar"}
	dn := names[delim]
	if dn == "" {
		dn = fmt.Sprintf("%q", delim)
	}
	notes := []string{"encoding " + enc, dn + "-delimited"}
	notes = append(notes, p.notes()...)
	if opts.Planned != nil {
		opts.Planned(p.dataRows)
	}
	if err := p.emit(csvRows(text, delim, lazy, skip), emit); err != nil {
		return nil, &FileError{File: base, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	return notes, nil
}

// sepDirective recognises Excel's "sep=X" first line.
func sepDirective(text string) (rune, bool) {
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimRight(line, "\r")
	if len(line) == 5 && strings.EqualFold(line[:4], "sep=") {
		return rune(line[4]), true
	}
	return 0, false
}

// parseCSV reads every non-blank record (see [csvRows]).
func parseCSV(text string, delim rune, lazy bool, skip int) ([]rawRow, error) {
	var rows []rawRow
	err := csvRows(text, delim, lazy, skip)(func(r rawRow) bool {
		rows = append(rows, r)
		return true
	})
	return rows, err
}

// csvRows reads the non-blank records of text. Row numbers count the lines
// csv skips (empty lines are empty rows in a spreadsheet app) and count a
// record with line breaks inside quotes as one row. skip is the number of
// lines already removed from the top of text.
func csvRows(text string, delim rune, lazy bool, skip int) rowSeq {
	return func(yield func(rawRow) bool) error {
		r := csv.NewReader(strings.NewReader(text))
		r.Comma = delim
		r.FieldsPerRecord = -1
		r.LazyQuotes = lazy
		row, prevEnd := 0, 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					pe.StartLine += skip
					pe.Line += skip
				}
				return err
			}
			line, _ := r.FieldPos(0)
			row += line - prevEnd
			last, _ := r.FieldPos(len(rec) - 1)
			prevEnd = last + strings.Count(rec[len(rec)-1], "\n")
			if !isBlank(rec) && !yield(newRawRow(row, rec)) {
				return nil
			}
		}
	}
}

// sniffDelimiter picks the delimiter among comma, semicolon, tab and bar
// that splits the first records of text into the most rows of the same
// width (more than one field); comma wins ties and single-column files.
func sniffDelimiter(text string) rune {
	sample := text
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
		if i := strings.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i]
		}
	}
	best, bestScore := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		r := csv.NewReader(strings.NewReader(sample))
		r.Comma = d
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		counts := map[int]int{}
		for n := 0; n < 50; n++ {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if !isBlank(rec) {
				counts[len(rec)]++
			}
		}
		score := 0
		for width, freq := range counts {
			if width > 1 && (freq > score || freq == score) {
				score = max(score, freq)
			}
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// quoteProblem scans text as csv.Reader does with LazyQuotes and finds a
// quoted field that cannot be right: one that runs to the end of the input,
// or one that swallows following rows, seen as a lone quote inside it at
// the start of a field (after a line break or a delimiter), where the next
// row's own quoted field would begin. It is only used on files that the
// strict reader rejected; it returns the 1-based line where the field
// starts and an error, or 0, nil.
func quoteProblem(text string, delim rune) (int, error) {
	line := 1
	fieldStart := true
	isDelim := func(i int) bool { return strings.HasPrefix(text[i:], string(delim)) }
	for i := 0; i < len(text); {
		switch {
		case text[i] == '\n':
			line++
			fieldStart = true
			i++
		case isDelim(i):
			fieldStart = true
			i += len(string(delim))
		case text[i] == '"' && fieldStart:
			start := line
			i++
		quoted:
			for {
				if i >= len(text) {
					return start, ErrUnbalancedQuote
				}
				switch {
				case text[i] == '\n':
					line++
					i++
				case text[i] != '"':
					i++
				case i+1 < len(text) && text[i+1] == '"':
					i += 2 // escaped quote
				case i+1 >= len(text) || isDelim(i+1) || text[i+1] == '\n' ||
					text[i+1] == '\r' && (i+2 >= len(text) || text[i+2] == '\n'):
					i++
					break quoted // closing quote
				default:
					// A lone quote inside the field: text if mid-word,
					// the start of another field if it follows a line
					// break or a delimiter within a multi-line field.
					if line > start && i > 0 && (text[i-1] == '\n' || isDelimAt(text, i-1, delim)) {
						return start, fmt.Errorf("%w: the quoted field seems to run on into line %d", ErrUnbalancedQuote, line)
					}
					i++
				}
			}
			fieldStart = false
		default:
			fieldStart = false
			i++
		}
	}
	return 0, nil
}

// isDelimAt reports whether the delimiter ends at byte i of text.
func isDelimAt(text string, i int, delim rune) bool {
	d := string(delim)
	return i+1 >= len(d) && text[i+1-len(d):i+1] == d
}
