package report

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// ScoresFile keeps, in the output directory, the scores of the last run: a
// line per scored row, "KEY JSON", where KEY hashes everything the score
// depends on (program version, rubric, the row's fields and text, the
// reference date) and JSON is the scorer's result without the story. A
// rerun takes the score of an unchanged row from it instead of scoring the
// row again, so a nightly run over a growing sheet scores only the new
// rows. The file is rewritten (atomically, at the end of a complete run)
// with the rows of the current input only.
const ScoresFile = ".failwell-scores.jsonl"

// ScoreCache is an [evaluate.Scorer] that answers from the previous run's
// [ScoresFile] when it can and records every score for the next run. It is
// safe for concurrent use.
type ScoreCache struct {
	sc     evaluate.Scorer
	prefix [sha256.Size]byte // hash of the program version and rubric

	old   *os.File        // the previous cache, or nil
	index map[string]span // key → line in old
	tmp   *os.File        // the new cache, renamed over ScoresFile by Commit
	mu    sync.Mutex      // guards w
	w     *bufio.Writer   //
	dir   string          //
	hits  atomic.Int64    //
	miss  atomic.Int64    //
	werr  error           // first write error (the cache is then dropped)
	off   int64           // bytes written to tmp
	fresh map[string]span // key → line in tmp
	// frozen: the cache answers from tmp and records nothing (Freeze).
	frozen bool
}

// span is where a JSON result is in the old cache file.
type span struct{ off, n int64 }

// OpenScoreCache opens the score cache in dir for scorer sc; version (the
// program build) and rubricSum (the rubric's sha256) are part of every key.
// With force the old cache is not read. Any problem with the cache only
// makes the run score everything.
func OpenScoreCache(dir string, sc evaluate.Scorer, version, rubricSum string, force bool) *ScoreCache {
	c := &ScoreCache{sc: sc, dir: dir, index: map[string]span{}, fresh: map[string]span{}}
	c.prefix = sha256.Sum256([]byte("failwell-scores/1\n" + version + "\n" + rubricSum + "\n"))
	if !force {
		if f, err := os.Open(filepath.Join(dir, ScoresFile)); err == nil {
			c.old = f
			c.readIndex()
		}
	}
	if err := os.MkdirAll(dir, 0o700); err == nil {
		if f, err := os.CreateTemp(dir, ".failwell-scores.*.tmp"); err == nil {
			c.tmp = f
			c.w = bufio.NewWriterSize(f, 256<<10)
		}
	}
	return c
}

// readIndex reads the keys and positions of the old cache's lines; a line
// cut short by a kill is ignored.
func (c *ScoreCache) readIndex() {
	br := bufio.NewReaderSize(c.old, 1<<20)
	var off int64
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line over 1 MiB: skip it.
			n := int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				n += int64(len(line))
			}
			off += n
			continue
		}
		if err != nil {
			return // EOF, or a last line without its newline
		}
		if len(line) > 66 && line[64] == ' ' {
			c.index[string(line[:64])] = span{off + 65, int64(len(line)) - 66}
		}
		off += int64(len(line))
	}
}

// key hashes what the score of st measured from ref depends on.
func (c *ScoreCache) key(st *evaluate.Story, ref time.Time) string {
	h := sha256.New()
	h.Write(c.prefix[:])
	enc := json.NewEncoder(h)
	_ = enc.Encode([]any{st.Ref, st.ID, st.Name, st.Email, st.Cohort, st.Submitted, ref, st.Text})
	return hex.EncodeToString(h.Sum(nil))
}

// Score implements evaluate.Scorer.
func (c *ScoreCache) Score(ctx context.Context, st evaluate.Story, ref time.Time) (evaluate.Result, error) {
	k := c.key(&st, ref)
	if sp, ok := c.index[k]; ok {
		b := make([]byte, sp.n)
		if _, err := c.old.ReadAt(b, sp.off); err == nil {
			var r evaluate.Result
			if json.Unmarshal(b, &r) == nil && r.Scores != nil {
				c.hits.Add(1)
				c.record(k, b)
				return r, nil
			}
		}
	}
	r, err := c.sc.Score(ctx, st, ref)
	if err != nil {
		return r, err
	}
	c.miss.Add(1)
	stored := r
	stored.Story = evaluate.Story{}
	if b, err := json.Marshal(&stored); err == nil {
		c.record(k, b)
	}
	return r, nil
}

func (c *ScoreCache) record(k string, b []byte) {
	if c.w == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.werr != nil || c.frozen {
		return
	}
	c.w.WriteString(k)
	c.w.WriteByte(' ')
	c.w.Write(b)
	_, c.werr = c.w.Write([]byte{'\n'})
	c.fresh[k] = span{c.off + int64(len(k)) + 1, int64(len(b))}
	c.off += int64(len(k)) + 1 + int64(len(b)) + 1
}

// Freeze makes the cache answer from the scores recorded so far in this
// run, and stop recording: for a second pass over the same rows (a run
// with PDFs reads its input twice; see report.Writer), which then decodes
// each score instead of scoring the story again. Hits and Misses go on
// counting. It reports whether the cache could be frozen; if not, the
// second pass scores again, with the same results.
func (c *ScoreCache) Freeze() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tmp == nil || c.werr != nil || c.frozen {
		return c.frozen
	}
	if c.werr = c.w.Flush(); c.werr != nil {
		return false
	}
	if c.old != nil {
		c.old.Close()
	}
	c.old, c.index, c.fresh = c.tmp, c.fresh, nil
	c.frozen = true
	return true
}

// Hits is the number of stories answered from the old cache; Misses the
// number scored.
func (c *ScoreCache) Hits() int64   { return c.hits.Load() }
func (c *ScoreCache) Misses() int64 { return c.miss.Load() }

// Commit replaces the cache file with the scores of this run; after an
// interrupted or failed run, keep is false and the old cache stays.
func (c *ScoreCache) Commit(keep bool) error {
	if c.old != nil && c.old != c.tmp {
		c.old.Close()
	}
	if c.tmp == nil {
		return nil
	}
	name := c.tmp.Name()
	err := c.werr
	if err == nil {
		err = c.w.Flush()
	}
	if cerr := c.tmp.Close(); err == nil {
		err = cerr
	}
	if !keep || err != nil {
		os.Remove(name)
		return err
	}
	return os.Rename(name, filepath.Join(c.dir, ScoresFile))
}

var _ evaluate.Scorer = (*ScoreCache)(nil)
