package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// shardableCohort writes the sample cohort without the rows flagged as
// near-duplicates (near-duplicates are found within a shard only) and with
// one row whose story is empty (rejected), and returns its path.
func shardableCohort(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	if code, _, stderr := runCLI(t, "", "run", samples+"/cohort.csv", "--out", out, "--as-of", "2026-11-20", "--quiet", "--no-pdf"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dup := map[int]bool{} // 0-based data row
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.Contains(line, `"near-duplicate"`) {
			dup[i] = true
		}
	}
	recs := readCSVFile(t, filepath.Join(samples, "cohort.csv"))
	keep := [][]string{recs[0]}
	for i, r := range recs[1:] {
		if !dup[i] {
			keep = append(keep, r)
		}
	}
	empty := slices.Clone(keep[3])
	for j, h := range keep[0] {
		if strings.Contains(strings.ToLower(h), "failure") {
			empty[j] = ""
		}
	}
	keep = slices.Insert(keep, 5, empty)
	p := filepath.Join(t.TempDir(), "cohort.csv")
	g, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	csv.NewWriter(g).WriteAll(keep)
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestShardsMergeLikeOneRun checks that N shards merged give the same
// results.jsonl as one run, byte for byte, and the same PDFs.
func TestShardsMergeLikeOneRun(t *testing.T) {
	in := shardableCohort(t)
	common := []string{"--as-of", "2026-11-20", "--quiet"}
	one := t.TempDir()
	if code, _, stderr := runCLI(t, "", append([]string{"run", in, "--out", one}, common...)...); code != exitPartial {
		t.Fatalf("one run: exit %d, want %d (one row rejected): %s", code, exitPartial, stderr)
	}
	want, err := os.ReadFile(filepath.Join(one, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("%d shards", n), func(t *testing.T) {
			var dirs []string
			rows := 0
			for k := 1; k <= n; k++ {
				dir := t.TempDir()
				code, _, stderr := runCLI(t, "", append([]string{"run", in, "--out", dir, "--shard", fmt.Sprintf("%d/%d", k, n)}, common...)...)
				if code != 0 && code != exitPartial {
					t.Fatalf("shard %d/%d: exit %d: %s", k, n, code, stderr)
				}
				rows += readRunJSON(t, dir).Counts.Read
				dirs = append(dirs, dir)
			}
			if got, wantRows := rows, strings.Count(string(want), "\n"); got != wantRows {
				t.Errorf("shards read %d rows in all, want %d (each row in exactly one shard)", got, wantRows)
			}
			merged := t.TempDir()
			code, stdout, stderr := runCLI(t, "", append(append([]string{"merge"}, dirs...), "--out", merged, "--as-of", "2026-11-20", "--quiet")...)
			if code != exitPartial {
				t.Fatalf("merge: exit %d, want %d: %s", code, exitPartial, stderr)
			}
			got, err := os.ReadFile(filepath.Join(merged, "results.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("merged results.jsonl differs from one run's (%d vs %d bytes)", len(got), len(want))
			}
			pdfs := func(dir string) []string {
				m, _ := filepath.Glob(filepath.Join(dir, "feedback", "*.pdf"))
				for i := range m {
					m[i] = filepath.Base(m[i])
				}
				return m
			}
			if g, w := pdfs(merged), pdfs(one); !slices.Equal(g, w) || len(w) == 0 {
				t.Errorf("merged PDFs %q, want %q", g, w)
			}
			if _, err := os.Stat(filepath.Join(merged, "report.xlsx")); err != nil {
				t.Error(err)
			}
			info := readRunJSON(t, merged)
			if info.Counts.Rejected != 1 || info.ExitStatus != exitPartial {
				t.Errorf("merged run.json: %+v", info)
			}
			if !strings.Contains(stdout, "1 rejected") {
				t.Errorf("merge stdout %q does not count the rejected row", stdout)
			}
		})
	}
}

func TestMergeRefusesOverlappingShards(t *testing.T) {
	in := shardableCohort(t)
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "", "run", in, "--out", dir, "--as-of", "2026-11-20", "--quiet", "--no-pdf"); code != exitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr := runCLI(t, "", "merge", dir, dir, "--out", t.TempDir(), "--quiet")
	if code != exitFailure || !strings.Contains(stderr, "each given once") {
		t.Errorf("merging a directory twice: exit %d, stderr %q; want %d and a clear error", code, stderr, exitFailure)
	}
}
