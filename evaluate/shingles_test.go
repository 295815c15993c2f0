package evaluate

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// shinglesReference is shingles as first written, rune by rune through the
// unicode tables; the fast path must agree with it exactly.
func shinglesReference(text string) []uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	var ws []uint64
	h, in := uint64(offset), false
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' {
			r = unicode.ToLower(r)
			for r > 0 {
				h = (h ^ uint64(r&0xff)) * prime
				r >>= 8
			}
			in = true
			continue
		}
		if in {
			ws = append(ws, h)
			h, in = offset, false
		}
	}
	if in {
		ws = append(ws, h)
	}
	if len(ws) == 0 {
		return nil
	}
	n := max(1, len(ws)-shingleSize+1)
	out := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		x := uint64(offset)
		for _, w := range ws[i:min(i+shingleSize, len(ws))] {
			x = (x ^ w) * prime
			x ^= x >> 29
		}
		out = append(out, x)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestShinglesMatchesReference(t *testing.T) {
	texts := []string{
		"", "a", "one two three four", "One two three four five six seven.",
		"ÉCOLE école Straße İstanbul ǅ ΣΊΣΥΦΟΣ 中文 данные ١٢٣ 123 it's O'Brien’s",
		"\xff\xfe broken \xc3 utf-8 \u0000 nul\ttab\nnewline  __under_score__ a-b-c",
		strings.Repeat("the same five word phrase ", 20),
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, p := range paths {
		texts = append(texts, readTestCSVText(t, p)...)
	}
	for _, text := range texts {
		if got, want := shingles(text), shinglesReference(text); !slices.Equal(got, want) {
			t.Errorf("shingles(%.40q): got %d hashes, want %d (or different values)", text, len(got), len(want))
		}
	}
}

func FuzzShingles(f *testing.F) {
	f.Add("It's the SAME story, told twice: ÉCOLE 123 ١٢٣")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := shingles(text), shinglesReference(text); !slices.Equal(got, want) {
			t.Errorf("shingles(%q) = %v, want %v", text, got, want)
		}
	})
}

// readTestCSVText returns every cell of a CSV file.
func readTestCSVText(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r...)
	}
	return out
}
