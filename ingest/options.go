package ingest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Field names accepted as keys of [Options.Columns].
const (
	FieldStory     = "story"
	FieldName      = "name"
	FieldEmail     = "email"
	FieldID        = "id"
	FieldCohort    = "cohort"
	FieldSubmitted = "submitted"
)

// fieldNames lists the field names in a fixed order.
var fieldNames = []string{FieldStory, FieldName, FieldEmail, FieldID, FieldCohort, FieldSubmitted}

// FieldNames returns the field names accepted as keys of [Options.Columns],
// in a fixed order: story, name, email, id, cohort, submitted.
func FieldNames() []string { return slices.Clone(fieldNames) }

// Size limits. Cells over a limit reject their row; files over a limit are
// refused.
const (
	// MaxStoryBytes is the largest story accepted (about 150,000 words).
	MaxStoryBytes = 1 << 20
	// MaxFieldBytes is the largest name, email, id, cohort or date cell.
	MaxFieldBytes = 4 << 10
	// MaxFileBytes is the largest input file read.
	MaxFileBytes = 256 << 20
	// DefaultUnzipSizeLimit is the default limit on the total unpacked size
	// of an xlsx file; a file declaring more is refused before unpacking.
	DefaultUnzipSizeLimit = 512 << 20
	// DefaultUnzipXMLSizeLimit is the default size above which a worksheet
	// is unpacked to a temporary file rather than memory.
	DefaultUnzipXMLSizeLimit = 16 << 20
)

// Options controls how files are read. The zero value reads the first sheet
// with a story column and finds every column by its header.
type Options struct {
	// Sheet is the name of the sheet to read in workbooks (matched
	// exactly, then case-insensitively); CSV files ignore it. Empty means
	// the first visible sheet that has a header row with a story column.
	Sheet string
	// Columns overrides header detection: field name → the header as
	// written in the sheet (matched case- and punctuation-insensitively).
	// Fields are "story", "name", "email", "id", "cohort" and "submitted"
	// (in any case).
	Columns map[string]string
	// UnzipSizeLimit caps the total unpacked size of an xlsx file in bytes;
	// 0 means [DefaultUnzipSizeLimit].
	UnzipSizeLimit int64
	// UnzipXMLSizeLimit is the worksheet size in bytes above which excelize
	// unpacks to a temporary file; 0 means [DefaultUnzipXMLSizeLimit]. It
	// must not exceed UnzipSizeLimit.
	UnzipXMLSizeLimit int64
	// Planned, if set, is called once per file, before its first story,
	// with the number of rows below its header: an upper bound of the
	// stories the file will yield (blank rows are counted), for progress.
	Planned func(rows int)
}

// Validate reports every problem with o: unknown field names, empty
// headers, negative or inconsistent limits.
func (o Options) Validate() error {
	var errs []error
	keys := make([]string, 0, len(o.Columns))
	for k := range o.Columns {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(fieldNames, strings.ToLower(strings.TrimSpace(k))) {
			errs = append(errs, fmt.Errorf("columns: unknown field %q (want one of %s)", k, strings.Join(fieldNames, ", ")))
			continue
		}
		if normalize(o.Columns[k]) == "" {
			errs = append(errs, fmt.Errorf("columns: %s: empty header", k))
		}
	}
	if o.UnzipSizeLimit < 0 || o.UnzipXMLSizeLimit < 0 {
		errs = append(errs, errors.New("unzip size limits must not be negative"))
	} else if o.UnzipSizeLimit > 0 && o.UnzipXMLSizeLimit > o.UnzipSizeLimit {
		errs = append(errs, errors.New("UnzipXMLSizeLimit must not exceed UnzipSizeLimit"))
	}
	return errors.Join(errs...)
}

// normalized returns o with the keys of Columns lower-cased and trimmed.
func (o Options) normalized() Options {
	if len(o.Columns) == 0 {
		return o
	}
	cols := make(map[string]string, len(o.Columns))
	for k, v := range o.Columns {
		cols[strings.ToLower(strings.TrimSpace(k))] = v
	}
	o.Columns = cols
	return o
}
