package evaluate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stubScorer scores a story with its length as the total, counting how many
// stories are being scored at once and sleeping a little on some, so that
// results finish out of order.
type stubScorer struct {
	inFlight, maxInFlight atomic.Int64
	noSleep               bool
}

func (s *stubScorer) Score(ctx context.Context, st Story, ref time.Time) (Result, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if st.Index%7 == 0 && !s.noSleep {
		time.Sleep(time.Millisecond)
	}
	if st.Text == "fail" {
		return Result{}, errors.New("cannot score")
	}
	return Result{Scores: []Score{{ID: "x", Level: 1}}, Total: float64(len(st.Text))}, nil
}

func streamStories(n int) []Story {
	out := make([]Story, n)
	for i := range out {
		out[i] = Story{Index: i, Ref: fmt.Sprintf("c.csv::%d", i+2), Text: strings.Repeat("w", i%50+1) + fmt.Sprintf(" story number %d", i)}
	}
	return out
}

func TestRunStreamOrderAndBound(t *testing.T) {
	for _, jobs := range []int{1, 2, 5} {
		t.Run(fmt.Sprintf("jobs=%d", jobs), func(t *testing.T) {
			stories := streamStories(300)
			stories[10].Text = "fail"
			stories[20].Reject = errors.New("rejected")
			sc := &stubScorer{}
			var got []int
			var emitted atomic.Int64
			read := 0
			in := func(yield func(Story) bool) {
				for _, s := range stories {
					read++
					if e := emitted.Load(); int64(read)-e > int64(4*jobs+1) {
						t.Errorf("read %d stories with %d emitted: window larger than %d", read, e, 4*jobs)
					}
					if !yield(s) {
						return
					}
				}
			}
			err := RunStream(context.Background(), sc, in, Options{Jobs: jobs}, func(r *Result) error {
				got = append(got, r.Story.Index)
				emitted.Add(1)
				switch r.Story.Index {
				case 10, 20:
					if r.Err == nil {
						t.Errorf("row %d: got no error, want one", r.Story.Index)
					}
				default:
					if r.Err != nil || r.Total != float64(len(r.Story.Text)) {
						t.Errorf("row %d: got err %v total %v, want scored", r.Story.Index, r.Err, r.Total)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]int, len(stories))
			for i := range want {
				want[i] = i
			}
			if !slices.Equal(got, want) {
				t.Errorf("emitted order %v..., want input order", got[:min(20, len(got))])
			}
			if m := sc.maxInFlight.Load(); m > int64(jobs) {
				t.Errorf("%d stories scored at once, want at most %d", m, jobs)
			}
		})
	}
}

func TestRunStreamEmitErrorStops(t *testing.T) {
	stop := errors.New("disk full")
	n := 0
	err := RunStream(context.Background(), &stubScorer{}, slices.Values(streamStories(500)), Options{Jobs: 2}, func(r *Result) error {
		n++
		if n == 30 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("got error %v, want %v", err, stop)
	}
	if n != 30 {
		t.Errorf("emit called %d times, want 30 (none after the error)", n)
	}
}

func TestRunStreamCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []int
	err := RunStream(ctx, &stubScorer{}, slices.Values(streamStories(1000)), Options{Jobs: 2}, func(r *Result) error {
		got = append(got, r.Story.Index)
		if len(got) == 50 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want context.Canceled", err)
	}
	if len(got) < 50 || len(got) > 50+8+1 {
		t.Errorf("emitted %d results after cancelling at 50, want 50 plus at most the window", len(got))
	}
	for i, idx := range got {
		if idx != i {
			t.Fatalf("emitted row %d at position %d, want input order", idx, i)
		}
	}
}

func TestRunCancelFillsEveryRow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stories := streamStories(40)
	res, err := Run(ctx, &stubScorer{}, stories, Options{Jobs: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want context.Canceled", err)
	}
	if len(res) != len(stories) {
		t.Fatalf("got %d results, want %d", len(res), len(stories))
	}
	for i, r := range res {
		if r.Story.Index != i || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("row %d: got index %d err %v, want the context error", i, r.Story.Index, r.Err)
		}
	}
}

func TestRunStreamNearDuplicates(t *testing.T) {
	batch := syntheticBatch(300)
	stories := make([]Story, len(batch))
	for i := range batch {
		stories[i] = batch[i].Story
	}
	dupOf := map[int]string{}
	err := RunStream(context.Background(), &stubScorer{}, slices.Values(stories), Options{Jobs: 2}, func(r *Result) error {
		for _, f := range r.Flags {
			if f.Code == "near-duplicate" {
				dupOf[r.Story.Index] = f.Message
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range stories {
		msg := dupOf[i]
		switch {
		case i%10 == 9:
			if want := stories[i-1].Ref; !strings.Contains(msg, want+".") {
				t.Errorf("row %d: got %q, want a near-duplicate flag naming the earlier row %s", i, msg, want)
			}
		case msg != "":
			t.Errorf("row %d: got %q, want no flag (only the later copy is flagged)", i, msg)
		}
	}
}

func TestMinHashSimilarity(t *testing.T) {
	a := shingles(strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu ", 3) + "one two three four five six seven eight nine ten")
	b := shingles(strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu ", 3) + "uno dos tres cuatro cinco seis siete ocho nueve diez")
	inter := 0
	for _, h := range a {
		if _, ok := slices.BinarySearch(b, h); ok {
			inter++
		}
	}
	exact := float64(inter) / float64(len(a)+len(b)-inter)
	sa, sb := signature(a), signature(b)
	if est := similarity(&sa, &sb); est < exact-0.25 || est > exact+0.25 {
		t.Errorf("MinHash estimate %.2f, exact Jaccard %.2f: want within 0.25", est, exact)
	}
	if est := similarity(&sa, &sa); est != 1 {
		t.Errorf("self-similarity %.2f, want 1", est)
	}
}

// BenchmarkRunStream10k measures the streaming engine's own overhead and
// near-duplicate check on 10,000 synthetic stories with a trivial scorer.
func BenchmarkRunStream10k(b *testing.B) {
	batch := syntheticBatch(10000)
	stories := make([]Story, len(batch))
	for i := range batch {
		stories[i] = batch[i].Story
	}
	sc := &stubScorer{noSleep: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := RunStream(context.Background(), sc, slices.Values(stories), Options{}, func(*Result) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
