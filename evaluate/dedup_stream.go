package evaluate

import (
	"fmt"
	"sort"
)

// MinHash parameters of [minHashIndex]: sigSize minimum hashes per story, of
// which the first dupBands*dupRows are cut into bands for candidate lookup
// (locality-sensitive hashing). With 2 rows per band and 12 bands, two
// stories at the 0.5 Jaccard threshold share a band with probability 0.97;
// every candidate is then checked against the full signature.
const (
	sigSize  = 64
	dupRows  = 2
	dupBands = 12
)

// minHashIndex finds near-duplicate stories in a stream, in memory that grows
// by a few hundred bytes per story (a MinHash signature of its word
// 5-shingles and one bucket entry per band), not with the square of the
// batch. Stories are checked in order: a story is compared with the stories
// checked before it, so of two near-copies the later one is flagged, naming
// the earlier row.
//
// As in the whole-batch check, wording shared by many stories (a bucket
// reached by more than 64 stories) says nothing about copying and is
// ignored. A minHashIndex is not safe for concurrent use.
type minHashIndex struct {
	sigs    [][sigSize]uint32
	refs    []string
	buckets map[uint64]bucket
}

// bucket is the first story that reached an LSH bucket and how many did.
type bucket struct {
	first int32
	n     int32
}

// newMinHashIndex returns an empty index.
func newMinHashIndex() *minHashIndex {
	return &minHashIndex{buckets: map[uint64]bucket{}}
}

// minHashSeeds are the odd multipliers of the signature's hash functions,
// fixed so that signatures are reproducible.
var minHashSeeds = func() [sigSize]uint64 {
	var a [sigSize]uint64
	x := uint64(0x9E3779B97F4A7C15)
	for i := range a {
		// splitmix64
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		a[i] = (z ^ (z >> 31)) | 1
	}
	return a
}()

// signature is the MinHash signature of a set of shingle hashes.
func signature(set []uint64) [sigSize]uint32 {
	var sig [sigSize]uint32
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for _, h := range set {
		for i, a := range minHashSeeds {
			if v := uint32((h * a) >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return sig
}

// similarity estimates the Jaccard similarity of the sets behind two
// signatures: the share of equal minimum hashes.
func similarity(a, b *[sigSize]uint32) float64 {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / sigSize
}

// sketch is the MinHash signature of r's story, or nil when r is not
// scored or has no words. It is safe for concurrent use, so that workers
// compute it and only [minHashIndex.Check] runs in order.
func sketch(r *Result) *[sigSize]uint32 {
	if !r.Scored() || r.Scores == nil {
		return nil
	}
	set := shingles(r.Story.Text)
	if len(set) == 0 {
		return nil
	}
	sig := signature(set)
	return &sig
}

// Check compares r's story, with signature sig (from sketch; nil skips r),
// with the stories checked before, adds a "near-duplicate" flag to r when
// one of them shares at least half of its word 5-shingles (estimated),
// naming the most similar one (the earliest on a tie), and then adds r's
// story to the index.
func (x *minHashIndex) Check(r *Result, sig *[sigSize]uint32) {
	if sig == nil {
		return
	}
	self := int32(len(x.sigs))
	best, bestJ := int32(-1), 0.0
	var keys [dupBands]uint64
	for b := range dupBands {
		k := uint64(b+1) * 0x9E3779B97F4A7C15
		for _, v := range sig[b*dupRows : (b+1)*dupRows] {
			k = (k ^ uint64(v)) * 1099511628211
		}
		keys[b] = k
		bk, ok := x.buckets[k]
		if !ok || bk.n > maxPosting {
			continue
		}
		if j := similarity(sig, &x.sigs[bk.first]); j >= nearDuplicateJaccard && (j > bestJ || j == bestJ && bk.first < best) {
			best, bestJ = bk.first, j
		}
	}
	for _, k := range keys {
		bk, ok := x.buckets[k]
		if !ok {
			bk.first = self
		}
		if bk.n <= maxPosting {
			bk.n++
		}
		x.buckets[k] = bk
	}
	x.sigs = append(x.sigs, *sig)
	ref := r.Story.Ref
	if ref == "" {
		ref = fmt.Sprintf("story #%d", r.Story.Index+1)
	}
	x.refs = append(x.refs, ref)
	if best < 0 {
		return
	}
	other := x.refs[best]
	r.Flags = append(r.Flags, Flag{Code: "near-duplicate",
		Message: fmt.Sprintf("%.0f%% of this story's word sequences also appear in %s.", bestJ*100, other)})
	sort.SliceStable(r.Flags, func(a, b int) bool { return r.Flags[a].Code < r.Flags[b].Code })
}
