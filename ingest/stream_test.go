package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
	"github.com/xuri/excelize/v2"
)

// streamFiles lists every input file of testdata, hostile corpus
// included, as paths relative to testdata, sorted.
func streamFiles(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, dir := range []string{"hostile", "."} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".golden") {
				continue
			}
			out = append(out, filepath.ToSlash(filepath.Join(dir, e.Name())))
		}
	}
	return out
}

// dumpStream renders what Stream gives for one file, every field of
// every story and the Input, in a fixed format.
func dumpStream(b *strings.Builder, name string, ss []evaluate.Story, inputs []Input, err error) {
	fmt.Fprintf(b, "== %s err=%v\n", name, err)
	for _, in := range inputs {
		in.Path = strings.TrimPrefix(in.Path, "testdata/")
		fmt.Fprintf(b, "input %+v\n", in)
	}
	for _, s := range ss {
		fmt.Fprintf(b, "%d %q %q %q %q %q %q %v rej=%v\n", s.Index, s.Ref, s.Name, s.Email, s.ID, s.Cohort, s.Text, s.Submitted, s.Reject)
		for _, f := range s.Fields {
			fmt.Fprintf(b, "  %q=%q\n", f.Header, f.Value)
		}
	}
}

func collect(tb testing.TB, paths []string, opts Options) ([]evaluate.Story, []Input, error) {
	tb.Helper()
	var ss []evaluate.Story
	inputs, err := Stream(paths, opts, func(s evaluate.Story) bool {
		ss = append(ss, s)
		return true
	})
	return ss, inputs, err
}

// TestStreamGolden: Stream gives, for every file of testdata, exactly
// what the reader that held whole sheets in memory gave (stream.golden
// was written by it): every field, Ref, Reject with its position, Index,
// Input and error. merged.xlsx has overlapping and horizontal merged
// ranges, a merged date column and an empty formula story.
func TestStreamGolden(t *testing.T) {
	var b strings.Builder
	for _, name := range streamFiles(t) {
		ss, inputs, err := collect(t, []string{filepath.Join("testdata", name)}, Options{})
		dumpStream(&b, name, ss, inputs, err)
	}
	got := b.String()
	golden := filepath.Join("testdata", "stream.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("got\n%s\nwant\n%s\n(run go test ./ingest -update to accept)", got, want)
	}
}

// TestStreamMatchesReadFiles: over all files at once, Stream yields the
// stories ReadFiles returns, numbered across files, with the same inputs
// and error, and each file's stories are those of Read.
func TestStreamMatchesReadFiles(t *testing.T) {
	var paths []string
	for _, name := range streamFiles(t) {
		paths = append(paths, filepath.Join("testdata", name))
	}
	paths = append(paths, filepath.Join("testdata", "no-such-file.csv"))
	ss, inputs, err := collect(t, paths, Options{})
	rs, rinputs, rerr := ReadFiles(paths, Options{})
	if !reflect.DeepEqual(ss, rs) {
		t.Errorf("Stream and ReadFiles differ:\n%s\nvs\n%s", summary(ss), summary(rs))
	}
	if !reflect.DeepEqual(inputs, rinputs) {
		t.Errorf("inputs differ:\n%+v\nvs\n%+v", inputs, rinputs)
	}
	if fmt.Sprint(err) != fmt.Sprint(rerr) || err == nil {
		t.Errorf("err = %v, ReadFiles err = %v (want the same, non-nil)", err, rerr)
	}
	if len(inputs) != len(paths) {
		t.Fatalf("got %d inputs, want %d", len(inputs), len(paths))
	}
	next := 0
	for i, in := range inputs {
		if in.Rows != in.Stories+in.Rejected {
			t.Errorf("%s: Rows %d != Stories %d + Rejected %d", in.Path, in.Rows, in.Stories, in.Rejected)
		}
		data, rdErr := os.ReadFile(paths[i])
		var want []evaluate.Story
		if rdErr == nil {
			want, _ = Read(paths[i], strings.NewReader(string(data)), Options{})
		}
		got := ss[next : next+in.Rows]
		for j := range got {
			if got[j].Index != next+j {
				t.Errorf("%s: story %d: Index = %d, want %d", in.Path, j, got[j].Index, next+j)
			}
			w := want[j]
			w.Index = next + j
			if !reflect.DeepEqual(got[j], w) {
				t.Errorf("%s: story %d differs from Read's", in.Path, j)
			}
		}
		if len(want) != in.Rows {
			t.Errorf("%s: Read gives %d stories, Stream %d", in.Path, len(want), in.Rows)
		}
		next += in.Rows
	}
}

// TestStreamStopsWhenYieldReturnsFalse: after yield returns false, no
// story is yielded, no further file is opened, the row reader reads no
// further row, and the error is only the files' own.
func TestStreamStopsWhenYieldReturnsFalse(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("Name,Story\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "N%d,story %d\n", i, i)
	}
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		paths      []string
		stopAfter  int
		wantInputs int
		wantRows   []int
		wantErr    bool
	}{
		{"stop in the first file", []string{big, filepath.Join(dir, "missing.csv")}, 3, 1, []int{3}, false},
		{"stop in the second file", []string{filepath.Join(dir, "missing.csv"), big, big}, 1001, 3, []int{0, 1000, 1}, true},
		{"stop at the last story", []string{big}, 1000, 1, []int{1000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			inputs, err := Stream(tt.paths, Options{}, func(s evaluate.Story) bool {
				calls++
				if s.Index != calls-1 {
					t.Errorf("Index = %d, want %d", s.Index, calls-1)
				}
				return calls < tt.stopAfter
			})
			if calls != tt.stopAfter {
				t.Errorf("yield called %d times, want %d", calls, tt.stopAfter)
			}
			if len(inputs) != tt.wantInputs {
				t.Fatalf("got %d inputs, want %d", len(inputs), tt.wantInputs)
			}
			for i, want := range tt.wantRows {
				if inputs[i].Rows != want {
					t.Errorf("inputs[%d].Rows = %d, want %d", i, inputs[i].Rows, want)
				}
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}

	t.Run("no row is read after the stop", func(t *testing.T) {
		text := sb.String()
		rows := csvRows(text, ',', false, 0)
		p, err := survey("big.csv", "", rows, Options{}, false, &observer{})
		if err != nil {
			t.Fatal(err)
		}
		read := 0
		counting := func(yield func(rawRow) bool) error {
			return rows(func(r rawRow) bool {
				read++
				return yield(r)
			})
		}
		emitted := 0
		if err := p.emit(counting, func(evaluate.Story) bool { emitted++; return emitted < 5 }); err != nil {
			t.Fatal(err)
		}
		if emitted != 5 || read != 6 {
			t.Errorf("emitted %d stories after reading %d rows, want 5 after 6 (header included)", emitted, read)
		}
	})
}

// TestStreamMergedRangesFollowTheWorkbook: merged ranges below the header
// are filled as the rows stream by: down a column, across a row (but not
// past the widest row), and not at all when the range's top row is blank.
func TestStreamMergedRangesFollowTheWorkbook(t *testing.T) {
	data := rawXLSX(t,
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Cohort</t></is></c><c r="B1" t="inlineStr"><is><t>Story</t></is></c><c r="C1" t="inlineStr"><is><t>Note</t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>K1</t></is></c><c r="B2" t="inlineStr"><is><t>a</t></is></c></row>`+
			`<row r="3"><c r="B3" t="inlineStr"><is><t>b</t></is></c></row>`+
			`<row r="5"><c r="B5" t="inlineStr"><is><t>c</t></is></c></row>`,
		`<mergeCells count="3"><mergeCell ref="A2:A3"/><mergeCell ref="B5:F5"/><mergeCell ref="A4:A5"/></mergeCells>`)
	dir := t.TempDir()
	p := filepath.Join(dir, "m.xlsx")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ss, _, err := collect(t, []string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ss {
		var fs []string
		for _, f := range s.Fields {
			fs = append(fs, f.Header+"="+f.Value)
		}
		got = append(got, fmt.Sprintf("%s %s", s.Ref, strings.Join(fs, ",")))
	}
	want := []string{
		"m.xlsx:Data:2 Cohort=K1,Story=a",
		"m.xlsx:Data:3 Cohort=K1,Story=b",
		"m.xlsx:Data:5 Cohort=,Story=c,Note=c",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkStreamMemory reads a generated workbook of 5,000 rows with
// short and with long stories and reports the peak heap in use while
// streaming (sampled every millisecond), beyond the heap before the read,
// next to the file's size and its text's size: the peak follows the file,
// not the rows times their text (the reader that held whole sheets needed
// several times the text).
//
//	go test ./ingest -run '^$' -bench BenchmarkStreamMemory -benchtime 1x
func BenchmarkStreamMemory(b *testing.B) {
	for _, storyBytes := range []int{256, 4096} {
		b.Run(fmt.Sprintf("story=%dB", storyBytes), func(b *testing.B) {
			story := strings.Repeat("I shipped without a pilot and learned to test first. ", storyBytes/52+1)[:storyBytes]
			const rows = 5000
			data := newXLSX(b, func(f *excelize.File) {
				sw, err := f.NewStreamWriter("Sheet1")
				if err != nil {
					b.Fatal(err)
				}
				if err := sw.SetRow("A1", []any{"Timestamp", "Email Address", "Full name", "Tell me about your biggest failure"}); err != nil {
					b.Fatal(err)
				}
				for i := range rows {
					cell, _ := excelize.CoordinatesToCellName(1, i+2)
					// A distinct story per row, so the text does not share memory.
					if err := sw.SetRow(cell, []any{46286.5, fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Candidate %d", i), fmt.Sprintf("%d %s", i, story)}); err != nil {
						b.Fatal(err)
					}
				}
				if err := sw.Flush(); err != nil {
					b.Fatal(err)
				}
			})
			path := filepath.Join(b.TempDir(), "mem.xlsx")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			var peak uint64
			for b.Loop() {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapInuse
				stop := make(chan struct{})
				var wg sync.WaitGroup
				var max uint64
				wg.Go(func() {
					tick := time.NewTicker(time.Millisecond)
					defer tick.Stop()
					var m runtime.MemStats
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
							runtime.ReadMemStats(&m)
							if m.HeapInuse > base && m.HeapInuse-base > max {
								max = m.HeapInuse - base
							}
						}
					}
				})
				n := 0
				if _, err := Stream([]string{path}, Options{}, func(evaluate.Story) bool { n++; return true }); err != nil || n != rows {
					b.Fatalf("got %d stories, %v", n, err)
				}
				close(stop)
				wg.Wait()
				peak = max
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
			b.ReportMetric(float64(rows*storyBytes)/(1<<20), "text-MB")
		})
	}
}

// TestStreamPassesYieldPanicsOn: a panic in yield is the caller's, not a
// damaged workbook: it goes on up unchanged.
func TestStreamPassesYieldPanicsOn(t *testing.T) {
	for _, name := range []string{"hostile/forms.xlsx", "hostile/utf8.csv"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != "boom" {
					t.Errorf("recovered %v, want the yield's panic \"boom\"", p)
				}
			}()
			inputs, err := Stream([]string{filepath.Join("testdata", name)}, Options{}, func(evaluate.Story) bool { panic("boom") })
			t.Errorf("Stream returned %v, %v; want a panic", inputs, err)
		})
	}
}

// TestStreamAsIterator: Stream is a push iterator, as evaluate.RunStream
// takes it: a range loop that breaks stops the read.
func TestStreamAsIterator(t *testing.T) {
	var (
		inputs []Input
		err    error
	)
	seq := func(yield func(evaluate.Story) bool) {
		inputs, err = Stream([]string{filepath.Join("testdata", "messy.csv"), filepath.Join("testdata", "hostile", "forms.xlsx")}, Options{}, yield)
	}
	var got []int
	for s := range seq {
		got = append(got, s.Index)
		if s.Index == 2 {
			break
		}
	}
	if !slices.Equal(got, []int{0, 1, 2}) || err != nil || len(inputs) != 1 || inputs[0].Rows != 3 {
		t.Errorf("got indexes %v, %d inputs (%+v), err %v; want 0..2 from the first file, no error", got, len(inputs), inputs, err)
	}
}

func TestStreamPlannedBoundsEachFile(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	b := filepath.Join(dir, "b.csv")
	if err := os.WriteFile(a, []byte("Name,Story\nAna,I failed.\n,\nBo,I failed too.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("Name,Story\nCy,A story.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var planned []int
	yielded := 0
	opts := Options{Planned: func(n int) {
		if len(planned) > 0 && yielded == 0 {
			t.Errorf("second file planned before the first yielded")
		}
		planned = append(planned, n)
	}}
	if _, err := Stream([]string{a, b}, opts, func(evaluate.Story) bool { yielded++; return true }); err != nil {
		t.Fatal(err)
	}
	if len(planned) != 2 || planned[0] < 2 || planned[1] != 1 {
		t.Errorf("planned %v, want [>=2 1] (one call per file, at least its stories)", planned)
	}
	if yielded != 3 {
		t.Errorf("yielded %d stories, want 3", yielded)
	}
}
