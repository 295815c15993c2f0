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
func Merge(ctx context.Context, dirs []string, opts MergeOptions) (_ *Summary, err error) {
	if len(dirs) == 0 {
		return nil, errors.New("merge: no shard directories")
	}
	files := map[string]int{} // input base name → batch position
	for _, dir := range dirs {
		if err := readRunInputs(dir, files); err != nil {
			return nil, fmt.Errorf("merge: %s: %w", dir, err)
		}
	}
	var shards []*shardReader
	defer func() {
		for _, sr := range shards {
			sr.f.Close()
		}
	}()
	for _, dir := range dirs {
		sr, err := openShard(dir, files)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", dir, err)
		}
		shards = append(shards, sr)
	}

	d, err := openOutDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer d.Close()
	sum := &Summary{}
	jsonl, err := d.create(ResultsFile)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer jsonl.abort()
	b, err := newWorkbook(opts.Options, sum)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer b.close()

	// The shards' lines, merged in batch order: each shard's results.jsonl
	// is in that order already.
	t0 := time.Now()
	var linkSecs float64
	var prev *mergeRec
	for i := 0; ; i++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var m *shardReader
		for _, sr := range shards {
			if sr.head != nil && (m == nil || sr.head.before(m.head)) {
				m = sr
			}
		}
		if m == nil {
			break
		}
		rec := m.head
		if prev != nil && rec.ref == prev.ref {
			return nil, fmt.Errorf("merge: row %s is in %s and in %s: are these shards of one batch, each given once?",
				rec.ref, prev.dir, rec.dir)
		}
		if err := m.advance(); err != nil {
			return nil, fmt.Errorf("merge: %s: %w", m.dir, err)
		}
		r, pdf, pdfErr, err := rec.result()
		if err != nil {
			return nil, fmt.Errorf("merge: %s: results.jsonl: row %s: %w", rec.dir, rec.ref, err)
		}
		r.Story.Index = i
		c := &sum.Counts
		c.Read++
		if r.Scored() {
			c.Scored++
			if r.Flagged() {
				c.Flagged++
			}
		} else {
			c.Rejected++
		}
		var perr error
		if pdfErr != "" {
			perr = errors.New(pdfErr)
			sum.PDFFailed++
			sum.PDFFailures = append(sum.PDFFailures, PDFFailure{Row: r.Story.Ref, Err: perr})
		}
		if pdf != "" {
			// PDFs: linked from the shard that wrote them.
			if !fs.ValidPath(pdf) || !strings.HasPrefix(pdf, feedbackDir+"/") {
				return nil, fmt.Errorf("merge: %s: results.jsonl names PDF %q outside feedback/", rec.dir, pdf)
			}
			t := time.Now()
			if err := d.mkdir(feedbackDir); err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
			if err := linkInto(d, filepath.Join(rec.dir, filepath.FromSlash(pdf)), pdf); err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
			linkSecs += time.Since(t).Seconds()
			c.PDFs++
			sum.Files = append(sum.Files, pdf)
		}
		if _, err := jsonl.Write(rec.line); err != nil {
			return nil, fmt.Errorf("merge: %s: write %s: %w", d.path, ResultsFile, err)
		}
		if err := b.add(&r, pdf, perr); err != nil {
			return nil, fmt.Errorf("merge: %s: write %s: %w", d.path, WorkbookFile, err)
		}
		prev = rec
	}
	if sum.Counts.PDFs > 0 {
		sum.Stages = append(sum.Stages, Stage{Name: "pdf", Seconds: linkSecs})
	}
	if err := jsonl.commit(); err != nil {
		return nil, fmt.Errorf("merge: %s: %w", d.path, err)
	}
	sum.Stages = append(sum.Stages, Stage{Name: "rows", Seconds: time.Since(t0).Seconds() - linkSecs})
	t0 = time.Now()
	if err := d.writeFile(WorkbookFile, b.write); err != nil {
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

// shardReader reads one shard's results.jsonl a line at a time; head is
// the line read and not yet merged (nil at the end).
type shardReader struct {
	dir   string
	f     *os.File
	br    *bufio.Reader
	files map[string]int
	n     int // lines read
	head  *mergeRec
}

func openShard(dir string, files map[string]int) (*shardReader, error) {
	f, err := os.Open(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, err
	}
	sr := &shardReader{dir: dir, f: f, br: bufio.NewReaderSize(f, 1<<20), files: files}
	if err := sr.advance(); err != nil {
		f.Close()
		return nil, err
	}
	return sr, nil
}

// advance reads the next line into head; a line out of batch order is an
// error (a shard writes its rows in batch order).
func (sr *shardReader) advance() error {
	prev := sr.head
	sr.head = nil
	line, err := sr.br.ReadBytes('\n')
	if len(line) == 0 && err == io.EOF {
		return nil
	}
	sr.n++
	if err != nil && err != io.EOF {
		return err
	}
	if line[len(line)-1] != '\n' {
		return fmt.Errorf("%s: line %d: truncated", ResultsFile, sr.n)
	}
	var head struct {
		Row string `json:"row"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return fmt.Errorf("%s: line %d: %w", ResultsFile, sr.n, err)
	}
	file, row := splitRef(head.Row)
	rec := &mergeRec{dir: sr.dir, line: line, ref: head.Row, file: file, row: row, filePos: len(sr.files)}
	if p, ok := sr.files[file]; ok {
		rec.filePos = p
	}
	if prev != nil && rec.before(prev) {
		return fmt.Errorf("%s: line %d: row %s comes after row %s: not in batch order", ResultsFile, sr.n, rec.ref, prev.ref)
	}
	sr.head = rec
	return nil
}

// before reports whether m comes before o in batch order.
func (m *mergeRec) before(o *mergeRec) bool {
	return cmp.Or(cmp.Compare(m.filePos, o.filePos), cmp.Compare(m.file, o.file), cmp.Compare(m.row, o.row)) < 0
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
