package evaluate

import "hash/fnv"

// Shard returns the stories of shard k of n (1-based): those whose row
// reference (Story.Ref, "file:sheet:row") falls in shard k by [ShardOf]. The
// key does not depend on the other rows, so a row stays in its shard as a
// sheet grows, and Story.Index (and so PDF numbering) stays that of the whole
// batch. The stories slice is not modified.
func Shard(stories []Story, k, n int) []Story {
	out := stories[:0:0]
	for _, st := range stories {
		if ShardOf(st.Ref, n) == k {
			out = append(out, st)
		}
	}
	return out
}

// ShardOf is the 1-based shard, of n, that the row reference ref belongs to:
// an FNV-1a hash of ref, mixed with splitmix64's finaliser (FNV's low bits
// follow the last byte, which would put consecutive rows in consecutive
// shards), modulo n.
func ShardOf(ref string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(ref))
	x := h.Sum64()
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	x ^= x >> 31
	return int(x%uint64(n)) + 1
}
