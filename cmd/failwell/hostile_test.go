package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/failwell/failwell/ingest"
	"github.com/failwell/failwell/report"
)

// hostileDir is ingest's corpus of broken, odd and malicious inputs (see
// ingest/hostile_test.go for how each file is made).
const hostileDir = "../../ingest/testdata/hostile"

// runJSON is the part of run.json the hardening tests check.
type runJSON struct {
	Counts      report.Counts `json:"counts"`
	ExitStatus  int           `json:"exit_status"`
	Interrupted bool          `json:"interrupted"`
	Error       string        `json:"error"`
}

func readRunJSON(t *testing.T, dir string) runJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r runJSON
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("run.json: %v", err)
	}
	return r
}

// listTree lists every file and directory under dir, relative, sorted.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// checkPrivateModes checks that every file under dir is 0600 and every
// directory (dir included) 0700: the outputs hold personal data.
func checkPrivateModes(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRunOverTheHostileCorpus runs `failwell run` on every file of the
// hostile corpus: no panic, a file that cannot be read is a clear usage
// error (exit 2) naming the file with nothing written, and for every other
// file each row read ends in results.jsonl as scored or rejected with a
// reason, with read = scored + rejected in run.json.
func TestRunOverTheHostileCorpus(t *testing.T) {
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 20 {
		t.Fatalf("hostile corpus has %d files, want the whole corpus", len(entries))
	}
	var readable []string
	for _, e := range entries {
		name := e.Name()
		in := filepath.Join(hostileDir, name)
		t.Run(name, func(t *testing.T) {
			// What ingest makes of the file, to compare the CLI with.
			stories, _, readErr := ingest.ReadFiles([]string{in}, ingest.Options{})
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := runCLI(t, "", "run", in, "--out", out, "--as-of", "2026-11-26", "--quiet", "--jobs", "2")
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "internal error") {
				t.Errorf("stderr reports a panic: %s", stderr)
			}
			if readErr != nil {
				if code != exitUsage {
					t.Errorf("unreadable file: exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
				}
				if !strings.Contains(stderr, "failwell: "+name+":") {
					t.Errorf("stderr %q does not name the file", stderr)
				}
				if got := listTree(t, out); len(got) != 0 {
					t.Errorf("unreadable file: wrote %q, want nothing", got)
				}
				return
			}
			readable = append(readable, in)
			want := exitOK
			rejected := 0
			for _, s := range stories {
				if s.Reject != nil {
					rejected++
				}
			}
			if rejected > 0 {
				want = exitPartial
			}
			if code != want {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, want, stdout, stderr)
			}
			checkNothingLost(t, out, len(stories), rejected)
		})
	}

	// All the readable files as one batch.
	t.Run("readable-batch", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"run", "--out", out, "--as-of", "2026-11-26", "--quiet"}, readable...)
		code, _, stderr := runCLI(t, "", args...)
		if code != exitPartial {
			t.Errorf("exit %d, want %d (some rows are rejected)\nstderr: %s", code, exitPartial, stderr)
		}
		stories, _, err := ingest.ReadFiles(readable, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rejected := 0
		for _, s := range stories {
			if s.Reject != nil {
				rejected++
			}
		}
		checkNothingLost(t, out, len(stories), rejected)
		checkPrivateModes(t, out)
	})

	// The same batch blinded: still nothing lost, one mapping line per row.
	t.Run("readable-batch-blind", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"run", "--out", out, "--as-of", "2026-11-26", "--quiet", "--blind"}, readable...)
		if code, _, stderr := runCLI(t, "", args...); code != exitPartial {
			t.Errorf("exit %d, want %d\nstderr: %s", code, exitPartial, stderr)
		}
		stories, _, _ := ingest.ReadFiles(readable, ingest.Options{})
		rejected := 0
		for _, s := range stories {
			if s.Reject != nil {
				rejected++
			}
		}
		checkNothingLost(t, out, len(stories), rejected)
		if got := len(readBlindMap(t, out)) - 1; got != len(stories) {
			t.Errorf("blind-map.csv has %d rows, want %d", got, len(stories))
		}
		checkPrivateModes(t, out)
	})

	// The whole corpus at once: every unreadable file is listed, one per
	// line, and nothing is written.
	t.Run("whole-corpus", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		args := []string{"run", "--out", out, "--quiet"}
		for _, e := range entries {
			args = append(args, filepath.Join(hostileDir, e.Name()))
		}
		code, _, stderr := runCLI(t, "", args...)
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		for _, name := range []string{"bomb.xlsx", "corrupt.xlsx", "encrypted.xlsx", "legacy.xls", "calc.ods", "empty.csv", "no-story.csv", "truncated.xlsx", "unbalanced.csv"} {
			if !strings.Contains(stderr, "failwell: "+name+":") {
				t.Errorf("stderr does not list %s:\n%s", name, stderr)
			}
		}
		if got := listTree(t, out); len(got) != 0 {
			t.Errorf("wrote %q, want nothing", got)
		}
	})
}

// checkNothingLost checks run.json's counts and results.jsonl for a batch of
// read rows of which rejected were rejected by ingest.
func checkNothingLost(t *testing.T, out string, read, rejected int) {
	t.Helper()
	rj := readRunJSON(t, out)
	c := rj.Counts
	if c.Read != read || c.Read != c.Scored+c.Rejected || c.Rejected != rejected {
		t.Errorf("run.json counts: read %d scored %d rejected %d; want read %d = scored + rejected, %d rejected",
			c.Read, c.Scored, c.Rejected, read, rejected)
	}
	recs := readJSONL(t, filepath.Join(out, "results.jsonl"))
	if len(recs) != read {
		t.Errorf("results.jsonl has %d lines, want %d (one per row read)", len(recs), read)
	}
	for i, r := range recs {
		switch {
		case r.Status == "scored" && r.Error == "":
		case r.Status == "rejected" && r.Error != "" && r.Row != "":
			if strings.Contains(r.Error, "internal error") {
				t.Errorf("line %d: a panic: %s", i+1, r.Error)
			}
		default:
			t.Errorf("line %d: status %q error %q row %q, want scored, or rejected with a reason", i+1, r.Status, r.Error, r.Row)
		}
	}
}

// TestRunNamesOutputsSafely feeds candidate names that try to escape the
// output directory, clash with device names, are too long or empty, and text
// that looks like a formula.
func TestRunNamesOutputsSafely(t *testing.T) {
	parent := t.TempDir()
	inDir := t.TempDir()
	out := filepath.Join(parent, "out")
	names := []string{"../../etc/passwd", "CON", "a/b", strings.Repeat("Ł", 150) + strings.Repeat("x", 150), "", "/abs/path",
		`..\..\windows\system32`, "NUL.txt", "a/b", ".", "..", "=HYPERLINK(\"http://evil.example\",\"x\")", "+1-555", "-2+3", "@SUM(A1:A9)"}
	var rows [][]string
	rows = append(rows, []string{"Name", "Email", "Story"})
	for i, n := range names {
		story := "In 2025 I led a launch that failed and I learned to test first. Row " + string(rune('A'+i))
		if i%4 == 0 {
			story = "=1+1 " + story // formula-looking story
		}
		rows = append(rows, []string{n, "@evil" + string(rune('a'+i)), story})
	}
	input := filepath.Join(inDir, "hostile-names.csv")
	writeCSV(t, input, rows)
	cwdBefore := listTree(t, ".")
	inBefore := listTree(t, inDir)

	code, stdout, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	// Nothing outside --out: the parent holds only out/, the input's
	// directory and the working directory are unchanged.
	if got := listTree(t, parent); !slices.Equal(got[:1], []string{"out"}) || slices.ContainsFunc(got, func(s string) bool { return !strings.HasPrefix(s, "out") }) {
		t.Errorf("parent of --out: got %q, want only out/...", got)
	}
	if got := listTree(t, inDir); !slices.Equal(got, inBefore) {
		t.Errorf("input directory: got %q, want %q", got, inBefore)
	}
	if got := listTree(t, "."); !slices.Equal(got, cwdBefore) {
		t.Errorf("working directory changed: got %d entries, want %d", len(got), len(cwdBefore))
	}

	// One safe, unique PDF per row, inside feedback/.
	pdfRE := regexp.MustCompile(`^feedback/[0-9]{3}-[a-z0-9]+(-[a-z0-9]+)*\.pdf$`)
	recs := readJSONL(t, filepath.Join(out, "results.jsonl"))
	if len(recs) != len(names) {
		t.Fatalf("results.jsonl has %d lines, want %d", len(recs), len(names))
	}
	seen := map[string]bool{}
	for i, r := range recs {
		if r.PDF == nil {
			t.Errorf("row %d (%q): no PDF", i, names[i])
			continue
		}
		p := *r.PDF
		if !pdfRE.MatchString(p) || len(filepath.Base(p)) > 80 || seen[p] {
			t.Errorf("row %d (%q): PDF name %q is not a safe unique name", i, names[i], p)
		}
		seen[p] = true
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("row %d: %v", i, err)
		}
		if r.Name != names[i] {
			t.Errorf("row %d: name %q, want %q kept as written in the data", i, r.Name, names[i])
		}
	}
	got := listTree(t, out)
	if n := len(slices.DeleteFunc(slices.Clone(got), func(s string) bool { return !strings.HasPrefix(s, "feedback/") })); n != len(names) {
		t.Errorf("feedback/ holds %d files, want %d: %q", n, len(names), got)
	}
	checkPrivateModes(t, out)

	// Formula-looking text is text in the workbook: the only formulas are
	// the PDF links, and the names are stored as strings.
	wb := filepath.Join(out, "report.xlsx")
	fRE := regexp.MustCompile(`<f>([^<]*)</f>`)
	for _, part := range workbookParts(t, wb) {
		xml := zipText(t, wb, part)
		for _, m := range fRE.FindAllStringSubmatch(xml, -1) {
			if f := html.UnescapeString(m[1]); !regexp.MustCompile(`^HYPERLINK\("feedback/[0-9]{3}-[a-z0-9-]+\.pdf","Open"\)$`).MatchString(f) {
				t.Errorf("%s: formula %.80q, want only links to PDFs", part, m[1])
			}
		}
	}
	all := html.UnescapeString(zipText(t, wb, workbookParts(t, wb)...) + zipText(t, wb, "xl/sharedStrings.xml"))
	for _, n := range []string{names[11], "+1-555", "-2+3", "@SUM(A1:A9)"} {
		if !strings.Contains(all, ">"+n+"<") {
			t.Errorf("workbook does not hold %q as text", n)
		}
	}
}

// workbookParts lists the worksheet parts of an xlsx file.
func workbookParts(t *testing.T, path string) []string {
	t.Helper()
	var parts []string
	for i := 1; i <= 20; i++ {
		p := "xl/worksheets/sheet" + strconv.Itoa(i) + ".xml"
		if zipText(t, path, p) != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		t.Fatalf("%s has no worksheets", path)
	}
	return parts
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRunHugeCells runs a 5 MB cell, a 5 MB name and a 100,000-word story
// through the whole pipeline, PDFs included: the oversized cells are rejected
// with a reason, the long story is scored, nothing is lost.
func TestRunHugeCells(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	dir := t.TempDir()
	story := strings.TrimSpace(strings.Repeat("In 2025 I led a launch that failed, and I learned to test first. ", 8400)) // ~100,000 words
	huge := strings.Repeat("x", 5<<20)
	input := filepath.Join(dir, "big.csv")
	writeCSV(t, input, [][]string{{"Name", "Story"}, {"Long", story}, {"Huge", huge}, {huge, "a short story"}, {"Ok", "I failed.\x00\x1b[31m"}})
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d\nstderr: %.2000s", code, exitPartial, stderr)
	}
	checkNothingLost(t, out, 4, 2)
	recs := readJSONL(t, filepath.Join(out, "results.jsonl"))
	if recs[0].Status != "scored" || recs[0].Words < 99000 {
		t.Errorf("100,000-word story: status %q, %d words; want scored with all its words", recs[0].Status, recs[0].Words)
	}
	for i, field := range map[int]string{1: "(story): too long", 2: "(name): too long"} {
		if !strings.Contains(recs[i].Error, field) {
			t.Errorf("line %d: error %q, want it to contain %q", i+1, recs[i].Error, field)
		}
	}
	if fi, err := os.Stat(filepath.Join(out, "results.jsonl")); err != nil || fi.Size() > 20<<20 {
		t.Errorf("results.jsonl: %v, size %d; want the 5 MB cells not copied", err, fi.Size())
	}
}

// TestRunDoesNotFollowPlantedSymlinks: symbolic links planted in --out
// (by an earlier tool, or someone with access to the directory) cannot
// make failwell write outside it: an output file that is a link is
// replaced, not written through, and a feedback/ that links outside makes
// the run fail with nothing written there.
func TestRunDoesNotFollowPlantedSymlinks(t *testing.T) {
	input := filepath.Join(samples, "messy.csv")
	t.Run("output files", func(t *testing.T) {
		outside := t.TempDir()
		victim := filepath.Join(outside, "victim.txt")
		if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		for _, name := range []string{"results.jsonl", "report.xlsx", "run.json"} {
			if err := os.Symlink(victim, filepath.Join(out, name)); err != nil {
				t.Fatal(err)
			}
		}
		if code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet"); code != exitPartial {
			t.Fatalf("exit %d, want %d\n%s", code, exitPartial, stderr)
		}
		if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
			t.Errorf("the link's target was overwritten: %.60q", b)
		}
		for _, name := range []string{"results.jsonl", "report.xlsx", "run.json"} {
			fi, err := os.Lstat(filepath.Join(out, name))
			if err != nil || !fi.Mode().IsRegular() {
				t.Errorf("%s: %v, mode %v; want a regular file replacing the link", name, err, fi.Mode())
			}
		}
		if got := listTree(t, outside); !slices.Equal(got, []string{"victim.txt"}) {
			t.Errorf("outside --out: %q", got)
		}
	})
	t.Run("feedback directory", func(t *testing.T) {
		outside := t.TempDir()
		out := t.TempDir()
		if err := os.Symlink(outside, filepath.Join(out, "feedback")); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet")
		if code != exitFailure || !strings.Contains(stderr, "path escapes from parent") {
			t.Errorf("exit %d, stderr %q; want %d and the reason", code, stderr, exitFailure)
		}
		if got := listTree(t, outside); len(got) != 0 {
			t.Errorf("wrote outside --out through the link: %q", got)
		}
	})
}
