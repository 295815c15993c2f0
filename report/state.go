package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/failwell/failwell/evaluate"
)

// Incremental runs. The output directory keeps, for every PDF it holds, a
// content hash of everything the PDF was rendered from (the scored result,
// the rubric, the program version, the date, the brand and the cohort
// averages as drawn). A rerun renders only the PDFs whose hash changed or
// that are missing, and removes the PDFs of rows that are gone.
//
// The hashes live in stateFile, rewritten atomically at the end of Write,
// and in journalFile, to which a line is appended as soon as each PDF is
// renamed into place: a run killed at any point (kill -9 included) leaves
// every finished PDF recorded there, so the next run does not redo it. A
// journal line that was cut short by the kill is ignored.
const (
	stateFile   = ".failwell-state.json"
	journalFile = ".failwell-journal"
	// stateFormat is the version of the state file's format and of the
	// hash recipe: changing either re-renders everything.
	stateFormat = 1
)

// pdfState is the content of stateFile.
type pdfState struct {
	Format int `json:"format"`
	// PDFs maps each PDF's path relative to the output directory to the
	// hex SHA-256 it was rendered from.
	PDFs map[string]string `json:"pdfs"`
}

// loadState reads the PDF hashes recorded in d: stateFile, then the
// journal lines appended after it. A missing, unreadable or foreign state
// is an empty one: everything is rendered again.
func loadState(d *outDir) map[string]string {
	m := map[string]string{}
	if b, err := d.root.ReadFile(stateFile); err == nil {
		var st pdfState
		if json.Unmarshal(b, &st) == nil && st.Format == stateFormat && st.PDFs != nil {
			m = st.PDFs
		}
	}
	f, err := d.root.Open(journalFile)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// "v1 HASH NAME": a line cut short by a kill has no name, or a
		// short hash, and is skipped.
		fields := strings.SplitN(sc.Text(), " ", 3)
		if len(fields) != 3 || fields[0] != "v1" || len(fields[1]) != 64 || fields[2] == "" || !fs.ValidPath(fields[2]) {
			continue
		}
		m[fields[2]] = fields[1]
	}
	return m
}

// journal appends a line per finished PDF to journalFile.
type journal struct {
	mu sync.Mutex
	f  *os.File
}

func openJournal(d *outDir) (*journal, error) {
	f, err := d.root.OpenFile(journalFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, fileMode)
	if err != nil {
		return nil, err
	}
	return &journal{f: f}, nil
}

// record notes that the PDF name holds content hash. One write per line, so
// that concurrent records never interleave.
func (j *journal) record(name, hash string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err := io.WriteString(j.f, "v1 "+hash+" "+name+"\n")
	return err
}

func (j *journal) Close() error { return j.f.Close() }

// saveState writes the hashes of the PDFs now in d atomically to stateFile,
// then removes the journal, which it supersedes. With no PDF to record,
// both files are removed.
func saveState(d *outDir, pdfs map[string]string) error {
	if len(pdfs) == 0 {
		for _, name := range []string{stateFile, journalFile} {
			if err := d.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	st := pdfState{Format: stateFormat, PDFs: pdfs}
	if err := d.writeFile(stateFile, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(st)
	}); err != nil {
		return err
	}
	if err := d.root.Remove(journalFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// pdfHasher computes the content hash of one PDF: the settings shared by
// every PDF of the run are hashed once.
type pdfHasher struct {
	common [sha256.Size]byte
}

// newPDFHasher hashes the settings a PDF depends on. Cohort averages are
// rounded to 0.05 of a level, as they are drawn (see roundMeans), so that a
// few added rows do not re-render the whole cohort.
func newPDFHasher(popts PDFOptions, build string) (*pdfHasher, error) {
	h := sha256.New()
	logo := ""
	if popts.Brand.Logo != "" {
		b, err := os.ReadFile(popts.Brand.Logo)
		if err == nil {
			sum := sha256.Sum256(b)
			logo = hex.EncodeToString(sum[:])
		}
	}
	enc := json.NewEncoder(h)
	if err := enc.Encode(struct {
		Format  int
		Rubric  *evaluate.Rubric
		Means   map[string]float64
		Date    string
		Version string
		Brand   Brand
		Logo    string
		Build   string
	}{stateFormat, popts.Rubric, popts.CohortMeans, popts.Date.UTC().Format("2006-01-02T15:04:05"), popts.Version, popts.Brand, logo, build}); err != nil {
		return nil, err
	}
	var p pdfHasher
	h.Sum(p.common[:0])
	return &p, nil
}

// hash is the content hash of the PDF name rendered from r.
func (p *pdfHasher) hash(name string, r *evaluate.Result) (string, error) {
	h := sha256.New()
	h.Write(p.common[:])
	io.WriteString(h, name+"\n")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(r); err != nil {
		return "", err
	}
	h.Write(buf.Bytes())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// roundMeans rounds cohort averages to 0.05 of a level (under a millimetre
// on the chart), so that PDFs depend on them only as far as they show.
func roundMeans(m map[string]float64) map[string]float64 {
	if m == nil {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = math.Round(v*20) / 20
	}
	return out
}

// pruneFeedback removes from d's feedback directory every PDF that is not
// in keep (rows that are gone, or renamed) and the temporary files of
// interrupted writes. It returns the paths removed.
func pruneFeedback(d *outDir, keep map[string]bool) ([]string, error) {
	entries, err := fs.ReadDir(d.root.FS(), feedbackDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		p := path.Join(feedbackDir, name)
		stale := strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")
		if !e.Type().IsRegular() || !(stale || strings.HasSuffix(name, ".pdf") && !keep[p]) {
			continue
		}
		if err := d.root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		if !stale {
			removed = append(removed, p)
		}
	}
	return removed, nil
}
