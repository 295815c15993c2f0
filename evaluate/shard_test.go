package evaluate

import (
	"fmt"
	"testing"
)

func TestShardOfIsStableAndBalanced(t *testing.T) {
	counts := make([]int, 4)
	for i := range 4000 {
		ref := fmt.Sprintf("cohort.xlsx:Form Responses 1:%d", i+2)
		k := ShardOf(ref, 4)
		if k != ShardOf(ref, 4) || k < 1 || k > 4 {
			t.Fatalf("ShardOf(%q) = %d, not stable or out of range", ref, k)
		}
		counts[k-1]++
	}
	for k, c := range counts {
		if c < 800 || c > 1200 {
			t.Errorf("shard %d/4 has %d of 4000 rows, want about 1000", k+1, c)
		}
	}
}

func TestShardPartitionsTheBatch(t *testing.T) {
	var stories []Story
	for i := range 50 {
		stories = append(stories, Story{Index: i, Ref: fmt.Sprintf("c.csv::%d", i+2)})
	}
	seen := map[int]int{}
	for k := 1; k <= 3; k++ {
		for _, st := range Shard(stories, k, 3) {
			seen[st.Index]++
		}
	}
	for i := range stories {
		if seen[i] != 1 {
			t.Errorf("story %d is in %d shards, want exactly 1", i, seen[i])
		}
	}
	if got := Shard(stories, 1, 1); len(got) != len(stories) {
		t.Errorf("shard 1/1 has %d stories, want all %d", len(got), len(stories))
	}
}
