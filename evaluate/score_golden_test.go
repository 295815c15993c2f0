package evaluate_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failwell/failwell/evaluate"
)

// The score digests guard the scorer's output against unintended change,
// above all from performance work: every field of every result (levels, raw
// scores, evidence spans and quotes, notes, feedback, flags, summary) of the
// testdata stories and of variants of them is hashed and compared with
// testdata/score_digests.golden. A deliberate change of the rubric or the
// scorer refreshes the file:
//
//	go test ./evaluate -run TestScoreDigests -update

var update = flag.Bool("update", false, "rewrite golden files (testdata/score_digests.golden)")

// digestStory is one story scored for the digests.
type digestStory struct {
	id   string
	text string
	ref  time.Time
}

// digestStories returns the testdata stories, the fuzz seed texts and, for
// each, variants that exercise other paths: lower case, repeated text, no
// reference date, a cut-off half and text without punctuation.
func digestStories(t testing.TB) []digestStory {
	t.Helper()
	var base []digestStory
	for _, name := range []string{"labeled.csv", "heldout.csv", "heldout2.csv"} {
		for _, r := range readCSV(t, filepath.Join("testdata", name)) {
			sub, err := time.Parse("2006-01-02", r["submitted_at"])
			if err != nil {
				t.Fatalf("%s %s: %v", name, r["id"], err)
			}
			base = append(base, digestStory{id: name + ":" + r["id"], text: r["story"], ref: sub})
		}
	}
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range seeds {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "string(") {
				continue
			}
			s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "string("), ")"))
			if err == nil {
				base = append(base, digestStory{id: filepath.Base(path), text: s, ref: asOf})
			}
		}
		f.Close()
	}
	out := append([]digestStory(nil), base...)
	noPunct := strings.NewReplacer(".", " ", ",", "", "\n", " ")
	for _, s := range base {
		half := len(s.text) / 2
		for half > 0 && half < len(s.text) && s.text[half]&0xC0 == 0x80 {
			half--
		}
		out = append(out,
			digestStory{s.id + "/lower", strings.ToLower(s.text), s.ref},
			digestStory{s.id + "/repeated", s.text + "\n\n" + s.text, s.ref},
			digestStory{s.id + "/no-ref", s.text, time.Time{}},
			digestStory{s.id + "/half", s.text[:half], s.ref},
			digestStory{s.id + "/no-punct", noPunct.Replace(s.text), s.ref.AddDate(-6, 0, 0)},
		)
	}
	// Long stories: many sentences, some repeated.
	for i := 0; i+2 < len(base); i += 10 {
		long := strings.Repeat(base[i].text+" ", 8) + base[i+1].text + " " + base[i+2].text + "\n\n" + base[i].text
		out = append(out, digestStory{base[i].id + "/long", long, base[i].ref})
	}
	return out
}

func TestScoreDigests(t *testing.T) {
	sc := defaultScorer(t)
	stories := digestStories(t)
	var b strings.Builder
	for i, s := range stories {
		res, err := sc.Score(context.Background(), evaluate.Story{Index: i, Ref: s.id, Text: s.text, Submitted: s.ref}, s.ref)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(js)
		fmt.Fprintf(&b, "%s %s\n", s.id, hex.EncodeToString(sum[:12]))
	}
	path := filepath.Join("testdata", "score_digests.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	got := strings.Split(b.String(), "\n")
	wl := strings.Split(string(want), "\n")
	if len(got) != len(wl) {
		t.Fatalf("got %d digests, want %d", len(got), len(wl))
	}
	bad := 0
	for i := range got {
		if got[i] != wl[i] {
			bad++
			if bad <= 10 {
				t.Errorf("story %d: got digest %q, want %q", i, got[i], wl[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d results changed; if the change is intended, run go test ./evaluate -run TestScoreDigests -update", bad, len(got)-1)
	}
}

// TestScoreConcurrentMatchesSequential checks that a scorer shared by
// goroutines, which reuse analysis buffers across stories, gives every story
// the result it gets alone.
func TestScoreConcurrentMatchesSequential(t *testing.T) {
	stories := digestStories(t)
	want := make([]evaluate.Result, len(stories))
	seq := defaultScorer(t)
	for i, s := range stories {
		res, err := seq.Score(context.Background(), evaluate.Story{Index: i, Ref: s.id, Text: s.text, Submitted: s.ref}, s.ref)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = res
	}
	sc := defaultScorer(t)
	const workers = 4
	got := make([]evaluate.Result, len(stories))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// each worker walks the stories in its own order
			for k := range stories {
				i := (k*7 + w*len(stories)/workers) % len(stories)
				s := stories[i]
				res, err := sc.Score(context.Background(), evaluate.Story{Index: i, Ref: s.id, Text: s.text, Submitted: s.ref}, s.ref)
				if err != nil {
					t.Error(err)
					return
				}
				if w == 0 {
					got[i] = res
				}
			}
		})
	}
	wg.Wait()
	for i := range stories {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("story %s: concurrent result differs from the sequential one", stories[i].id)
		}
	}
}

// BenchmarkScoreVaried scores the digest stories (testdata stories and their
// variants, long ones included) in turn: a more varied load than
// BenchmarkScore's three texts. One op is one story.
func BenchmarkScoreVaried(b *testing.B) {
	sc := defaultScorer(b)
	stories := digestStories(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := stories[i%len(stories)]
		if _, err := sc.Score(ctx, evaluate.Story{Text: s.text, Submitted: s.ref}, s.ref); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
