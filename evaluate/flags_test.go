package evaluate

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// syntheticBatch returns n scored results with random stories over a
// small vocabulary, every tenth a light edit of the one before.
func syntheticBatch(n int) []Result {
	r := rand.New(rand.NewPCG(7, 11))
	vocab := strings.Fields("we launched the new pricing page for our users and churn went up so I interviewed customers learned that they wanted a simpler plan then relaunched it with a clear trial retention improved by percent over the next quarter team product feature metric")
	res := make([]Result, n)
	for i := range res {
		var b strings.Builder
		if i%10 == 9 {
			b.WriteString(res[i-1].Story.Text)
			b.WriteString(" and one more sentence at the end")
		} else {
			for w := 0; w < 200; w++ {
				b.WriteString(vocab[r.IntN(len(vocab))])
				b.WriteByte(' ')
			}
		}
		res[i] = Result{Story: Story{Index: i, Ref: fmt.Sprintf("batch.csv::%d", i+2), Text: b.String()}, Scores: []Score{{ID: "x"}}}
	}
	return res
}

func TestFlagNearDuplicatesSyntheticBatch(t *testing.T) {
	res := syntheticBatch(200)
	flagNearDuplicates(res)
	for i, r := range res {
		var msg string
		for _, f := range r.Flags {
			if f.Code == "near-duplicate" {
				msg = f.Message
			}
		}
		switch {
		case i%10 == 9 || i%10 == 8:
			other := res[i-1].Story.Ref
			if i%10 == 8 {
				other = res[i+1].Story.Ref
			}
			if !strings.Contains(msg, other) {
				t.Errorf("row %d: got %q, want a near-duplicate flag naming %s", i, msg, other)
			}
		case msg != "":
			t.Errorf("row %d: got near-duplicate flag %q, want none", i, msg)
		}
	}
}

func TestFlagNearDuplicatesSkipsUnscored(t *testing.T) {
	res := []Result{
		{Story: Story{Ref: "a", Text: "the same story text is written here by two people"}, Scores: []Score{{}}},
		{Story: Story{Ref: "b", Text: "the same story text is written here by two people"}, Err: fmt.Errorf("rejected")},
	}
	flagNearDuplicates(res)
	if len(res[0].Flags) != 0 || len(res[1].Flags) != 0 {
		t.Errorf("got flags %v / %v, want none: rejected rows are not compared", res[0].Flags, res[1].Flags)
	}
}

func BenchmarkFlagNearDuplicates10k(b *testing.B) {
	base := syntheticBatch(10000)
	for b.Loop() {
		res := make([]Result, len(base))
		copy(res, base)
		flagNearDuplicates(res)
	}
}

func TestDupIndexFlagsLaterCopyNamingEarlierRow(t *testing.T) {
	res := syntheticBatch(100)
	x := NewDupIndex()
	for i := range res {
		x.Check(&res[i])
	}
	for i, r := range res {
		var msg string
		for _, f := range r.Flags {
			if f.Code == "near-duplicate" {
				msg = f.Message
			}
		}
		switch {
		case i%10 == 9:
			if !strings.Contains(msg, res[i-1].Story.Ref) {
				t.Errorf("row %d: got %q, want a flag naming %s", i, msg, res[i-1].Story.Ref)
			}
		case msg != "":
			t.Errorf("row %d: got %q, want no flag (only the later copy is flagged)", i, msg)
		}
	}
}

func BenchmarkDupIndex10k(b *testing.B) {
	base := syntheticBatch(10000)
	for b.Loop() {
		res := make([]Result, len(base))
		copy(res, base)
		x := NewDupIndex()
		for i := range res {
			x.Check(&res[i])
		}
	}
}
