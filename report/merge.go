package report

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// MergeOptions configure [Merge].
type MergeOptions struct {
	// Options are the outputs' options: Dir is where the merged outputs
	// go; Rubric, Date, Version and Brand describe the run (the shards
	// must have used the same).
	Options
}

// Merge combines the outputs of the shards of one batch (`failwell run
// --shard K/N` into dirs, one directory per shard) into opts.Dir: one
// results.jsonl with every shard's lines in batch order (byte for byte the
// lines the shards wrote), report.xlsx built from them, and the shards'
// PDFs, hard-linked (or copied) into opts.Dir/feedback. The batch order is
// the order of the input files in the shards' run.json, then the row
// number.
//
// Rejected rows keep their reason, id and name; their other original
// cells, which results.jsonl does not hold, are not on the merged
// workbook's Rejected sheet.
func Merge(ctx context.Context, dirs []string, opts MergeOptions) (*Summary, error) {
	if len(dirs) == 0 {
		return nil, errors.New("merge: no shard directories")
	}
	var recs []mergeRec
	files := map[string]int{} // input base name → batch position
	for _, dir := range dirs {
		if err := readRunInputs(dir, files); err != nil {
			return nil, fmt.Errorf("merge: %s: %w", dir, err)
		}
		rs, err := readShard(dir)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", dir, err)
		}
		recs = append(recs, rs...)
	}
	for i := range recs {
		recs[i].filePos = len(files)
		if p, ok := files[recs[i].file]; ok {
			recs[i].filePos = p
		}
	}
	slices.SortStableFunc(recs, func(a, b mergeRec) int {
		return cmp.Or(cmp.Compare(a.filePos, b.filePos), cmp.Compare(a.file, b.file), cmp.Compare(a.row, b.row))
	})
	for i := 1; i < len(recs); i++ {
		if recs[i].ref == recs[i-1].ref {
			return nil, fmt.Errorf("merge: row %s is in %s and in %s: are these shards of one batch, each given once?",
				recs[i].ref, recs[i-1].dir, recs[i].dir)
		}
	}

	d, err := openOutDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer d.Close()
	results := make([]evaluate.Result, len(recs))
	sum := &Summary{PDF: make([]string, len(recs)), PDFErrors: make([]error, len(recs))}
	for i := range recs {
		r, pdf, pdfErr, err := recs[i].result()
		if err != nil {
			return nil, fmt.Errorf("merge: %s: results.jsonl: row %s: %w", recs[i].dir, recs[i].ref, err)
		}
		r.Story.Index = i
		results[i] = r
		sum.PDF[i] = pdf
		if pdfErr != "" {
			sum.PDFErrors[i] = errors.New(pdfErr)
			sum.PDFFailed++
		}
	}
	sum.Counts = countResults(results)

	// PDFs: linked from the shard that wrote them.
	t0 := time.Now()
	for i := range recs {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p := sum.PDF[i]
		if p == "" {
			continue
		}
		if !fs.ValidPath(p) || !strings.HasPrefix(p, feedbackDir+"/") {
			return nil, fmt.Errorf("merge: %s: results.jsonl names PDF %q outside feedback/", recs[i].dir, p)
		}
		if err := d.mkdir(feedbackDir); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if err := linkInto(d, filepath.Join(recs[i].dir, filepath.FromSlash(p)), p); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		sum.Counts.PDFs++
		sum.Files = append(sum.Files, p)
	}
	if sum.Counts.PDFs > 0 {
		sum.Stages = append(sum.Stages, Stage{Name: "pdf", Seconds: time.Since(t0).Seconds()})
	}

	t0 = time.Now()
	if err := d.writeFile(ResultsFile, func(w io.Writer) error {
		for i := range recs {
			if _, err := w.Write(recs[i].line); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("merge: %s: %w", d.path, err)
	}
	sum.Stages = append(sum.Stages, Stage{Name: "jsonl", Seconds: time.Since(t0).Seconds()})
	t0 = time.Now()
	if err := d.writeFile(WorkbookFile, func(w io.Writer) error {
		return writeWorkbook(w, results, opts.Options, sum)
	}); err != nil {
		return nil, fmt.Errorf("merge: %s: %w", d.path, err)
	}
	sum.Stages = append(sum.Stages, Stage{Name: "workbook", Seconds: time.Since(t0).Seconds()})
	sum.Files = append([]string{ResultsFile, WorkbookFile}, sum.Files...)
	return sum, nil
}

// mergeRec is one line of a shard's results.jsonl.
type mergeRec struct {
	dir     string
	line    []byte // with its newline
	ref     string
	file    string // the input file's base name, from ref
	filePos int
	row     int
}

// readRunInputs adds the input files of dir/run.json to files, in order.
func readRunInputs(dir string, files map[string]int) error {
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		return err
	}
	var info RunInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return fmt.Errorf("%s: %w", RunFile, err)
	}
	for _, in := range info.Inputs {
		base := filepath.Base(in.Path)
		if _, ok := files[base]; !ok {
			files[base] = len(files)
		}
	}
	return nil
}

// readShard reads dir/results.jsonl.
func readShard(dir string) ([]mergeRec, error) {
	f, err := os.Open(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var out []mergeRec
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				return nil, fmt.Errorf("%s: line %d: truncated", ResultsFile, n)
			}
			var head struct {
				Row string `json:"row"`
			}
			if err := json.Unmarshal(line, &head); err != nil {
				return nil, fmt.Errorf("%s: line %d: %w", ResultsFile, n, err)
			}
			file, row := splitRef(head.Row)
			out = append(out, mergeRec{dir: dir, line: line, ref: head.Row, file: file, row: row})
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// splitRef splits a row reference "file:sheet:row" into the file and the
// row number (0 if unreadable).
func splitRef(ref string) (file string, row int) {
	i := strings.LastIndexByte(ref, ':')
	if i < 0 {
		return ref, 0
	}
	row, _ = strconv.Atoi(ref[i+1:])
	rest := ref[:i]
	if j := strings.LastIndexByte(rest, ':'); j >= 0 {
		rest = rest[:j]
	}
	return rest, row
}

// result decodes the line back into the result the workbook is built from,
// with its PDF path and PDF error.
func (m *mergeRec) result() (r evaluate.Result, pdf, pdfErr string, err error) {
	var rec struct {
		scoredRecord
		Error string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(m.line))
	if err := dec.Decode(&rec); err != nil {
		return r, "", "", err
	}
	s := &rec.scoredRecord
	r.Story = evaluate.Story{Ref: s.Row, ID: s.ID, Name: s.Name, Email: s.Email, Cohort: s.Cohort}
	if s.Status != "scored" {
		r.Err = errors.New(rec.Error)
		return r, "", "", nil
	}
	if s.Submitted != nil {
		if r.Story.Submitted, err = time.Parse(time.DateOnly, *s.Submitted); err != nil {
			return r, "", "", err
		}
	}
	if s.AsOf != "" {
		if r.Ref, err = time.Parse(time.DateOnly, s.AsOf); err != nil {
			return r, "", "", err
		}
	}
	r.Words, r.Total, r.Band, r.Strength, r.Change = s.Words, s.Total, s.Band, s.Strength, s.Change
	for _, c := range s.Criteria {
		sc := evaluate.Score{ID: c.ID, Name: c.Name, Weight: c.Weight, Level: c.Level, Descriptor: c.Descriptor,
			Feedback: c.Feedback, NextStep: c.NextStep}
		for _, e := range c.Evidence {
			sc.Evidence = append(sc.Evidence, evaluate.Evidence{Quote: e.Quote, Start: e.Start, End: e.End,
				Signal: e.Signal, Effect: e.Effect, Note: e.Note})
		}
		r.Scores = append(r.Scores, sc)
	}
	if r.Scores == nil {
		r.Scores = []evaluate.Score{}
	}
	for _, f := range s.Flags {
		r.Flags = append(r.Flags, evaluate.Flag(f))
	}
	if s.PDF != nil {
		pdf = path.Clean(*s.PDF)
	}
	return r, pdf, s.PDFError, nil
}

// linkInto puts the file src into d at name: a hard link when src is on the
// same file system, else a copy (atomic either way).
func linkInto(d *outDir, src, name string) error {
	dst := filepath.Join(d.path, filepath.FromSlash(name))
	if same, err := sameFile(src, dst); err == nil && same {
		return nil // merging into a shard's own directory
	}
	tmp := path.Join(path.Dir(name), "."+path.Base(name)+".link.tmp")
	_ = d.root.Remove(tmp)
	if err := os.Link(src, filepath.Join(d.path, filepath.FromSlash(tmp))); err == nil {
		return d.root.Rename(tmp, name)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return d.writeFile(name, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
