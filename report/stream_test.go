package report

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestWriterMemoryIsFlat streams rows through a Writer and checks that the
// live heap does not grow with them: what it keeps per row (a total, a
// file name) is a few dozen bytes, while each row's JSONL line and
// workbook rows are kilobytes. Rows are made on the fly, so the test holds
// none itself.
func TestWriterMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 12,000 rows")
	}
	proto := benchResults(6)
	opts := testOptions(t, pdfTestRubric())
	opts.NoPDF = true
	w, err := NewWriter(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	add := func(from, to int) {
		for i := from; i < to; i++ {
			r := proto[i%len(proto)]
			r.Story.Index = i
			r.Story.Ref = fmt.Sprintf("big.xlsx:Sheet1:%d", i+2)
			// A distinct story per row, as in a real batch.
			r.Story.Text = strings.Repeat(fmt.Sprintf("row %d ", i), 200)
			if err := w.Add(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(0, 2000)
	before := liveHeap()
	add(2000, 12000)
	after := liveHeap()
	sum, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts.Scored != 12000 {
		t.Fatalf("scored %d rows, want 12000", sum.Counts.Scored)
	}
	// 10,000 rows of about 8 KB of output each: holding them would be
	// 80 MB; the aggregates are under 1 MB.
	if grown := int64(after) - int64(before); grown > 8<<20 {
		t.Errorf("live heap grew by %d KB over 10,000 rows, want < 8 MB: rows are held", grown>>10)
	}
	fi, err := os.Stat(filepath.Join(opts.Dir, ResultsFile))
	if err != nil || fi.Size() < 10000*1000 {
		t.Errorf("results.jsonl: %v, %v: want every row", fi, err)
	}
	entries, _ := os.ReadDir(opts.Dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
