package main

import (
	"archive/zip"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
	"github.com/failwell/failwell/ingest"
	"github.com/failwell/failwell/report"
)

var pseudonymRE = regexp.MustCompile(`^Candidate [0-9A-F]{6,}$`)

// allZipText is the text of every member of a zip file, XML entities
// decoded.
func allZipText(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(html.UnescapeString(string(data)))
		b.WriteByte('\n')
	}
	return b.String()
}

// blindOutputsText is everything a reviewer of a blind run sees: every
// output's text (PDFs through pdftotext, the workbook unzipped) and every
// file name, but not the mapping and the key.
func blindOutputsText(t *testing.T, out string) string {
	t.Helper()
	var b strings.Builder
	for _, name := range listTree(t, out) {
		b.WriteString(name + "\n")
		p := filepath.Join(out, name)
		switch {
		case name == report.BlindMapFile || name == report.BlindKeyFile:
		case strings.HasSuffix(name, ".pdf"):
			b.WriteString(pdfText(t, p))
			// The document properties (title, author) too.
			if info, err := exec.Command("pdfinfo", "-enc", "UTF-8", p).Output(); err == nil {
				b.Write(info)
			} else if os.Getenv("CI") != "" {
				t.Fatalf("pdfinfo %s: %v", p, err)
			}
		case strings.HasSuffix(name, ".xlsx"):
			b.WriteString(allZipText(t, p))
		default:
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				b.Write(data)
			}
		}
	}
	return strings.ToLower(b.String())
}

// identifiers are the strings that would identify a candidate: the name, each
// of its words, its file-name slug, and the email.
func identifiers(s evaluate.Story) []string {
	var ids []string
	if n := strings.TrimSpace(s.Name); n != "" {
		ids = append(ids, n, report.Slug(n))
		for _, w := range strings.Fields(n) {
			if len([]rune(w)) >= 4 {
				ids = append(ids, w)
			}
		}
	}
	if e := strings.TrimSpace(s.Email); e != "" {
		ids = append(ids, e)
	}
	return ids
}

func TestRunBlindHidesNamesAndEmailsEverywhere(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "cohort.csv")
	story := "In 2025 I led the launch of a pricing page for our team of six and it failed: signups fell 12%%. " +
		"I had skipped the user interviews. I rolled it back, ran five interviews and relaunched; signups rose 9%%. " +
		"Since then I test every pricing change with a holdout first."
	writeCSV(t, input, [][]string{
		{"Timestamp", "Email Address", "First name", "Last name", "Cohort", "Tell me about your biggest failure"},
		{"9/21/2026 14:03:11", "zofia.wisniewska@example.com", "Zofia", "Wiśniewska", "PM-A", strings.ReplaceAll(story, "%%", "%")},
		{"9/22/2026 10:00:00", "minh.anh@example.org", "Nguyễn Thị", "Minh Anh", "PM-A", "I missed a deadline on a launch and learned to plan buffers."},
		{"9/22/2026 11:00:00", "", "Adebayo", "Okonkwo", "PM-B", "We shipped a feature nobody used; I now validate demand first."},
		{"9/23/2026 12:00:00", "ruth.bendavid@example.net", "Ruth", "Ben-David", "PM-B", ""},                // rejected: empty story
		{"next Tuesday", "kwame.mensah@example.com", "Kwame", "Mensah", "PM-B", "A story with a bad date."}, // rejected: bad date
	})
	stories, _, err := ingest.ReadFiles([]string{input}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--blind")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitPartial, stdout, stderr)
	}
	// Nothing a reviewer sees (nor the log) names anyone.
	seen := blindOutputsText(t, out) + strings.ToLower(stdout+stderr)
	for _, s := range stories {
		for _, id := range identifiers(s) {
			if strings.Contains(seen, strings.ToLower(id)) {
				t.Errorf("the blind outputs contain %q (row %s)", id, s.Ref)
			}
		}
	}

	// Every row has a pseudonym in results.jsonl, used for its PDF.
	recs := readJSONL(t, filepath.Join(out, "results.jsonl"))
	if len(recs) != len(stories) {
		t.Fatalf("results.jsonl has %d lines, want %d", len(recs), len(stories))
	}
	for i, r := range recs {
		if !pseudonymRE.MatchString(r.Name) {
			t.Errorf("line %d: name %q, want a pseudonym", i+1, r.Name)
		}
		if r.PDF != nil {
			want := strings.ToLower(strings.ReplaceAll(r.Name, " ", "-"))
			if !strings.HasSuffix(*r.PDF, "-"+want+".pdf") {
				t.Errorf("line %d: PDF %q, want it named after %q", i+1, *r.PDF, r.Name)
			}
			if text := pdfText(t, filepath.Join(out, *r.PDF)); !strings.Contains(text, r.Name) {
				t.Errorf("%s does not show the pseudonym %q", *r.PDF, r.Name)
			}
		}
	}

	// The mapping: one line per row, in order, private.
	checkPrivateModes(t, out)
	mapping := readBlindMap(t, out)
	if len(mapping) != len(stories)+1 || !slices.Equal(mapping[0], []string{"pseudonym", "name", "email", "row"}) {
		t.Fatalf("blind-map.csv: got %q, want a header and %d rows", mapping, len(stories))
	}
	for i, s := range stories {
		want := []string{recs[i].Name, s.Name, s.Email, s.Ref}
		if !slices.Equal(mapping[i+1], want) {
			t.Errorf("blind-map.csv line %d: got %q, want %q", i+2, mapping[i+1], want)
		}
	}

	// Stable: a second run into the same directory gives the same
	// pseudonyms.
	if code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--blind", "--no-pdf"); code != exitPartial {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	again := readJSONL(t, filepath.Join(out, "results.jsonl"))
	for i := range recs {
		if again[i].Name != recs[i].Name {
			t.Errorf("line %d: %q, then %q on the second run; want the same pseudonym", i+1, recs[i].Name, again[i].Name)
		}
	}
}

// TestRunBlindOverTheSamples blinds the sample cohort (names in several
// scripts, a duplicate name): no name or email of a candidate is left in
// the outputs, except where a story itself mentions a name, which --blind
// does not redact.
func TestRunBlindOverTheSamples(t *testing.T) {
	input := filepath.Join(samples, "cohort.xlsx")
	stories, _, err := ingest.ReadFiles([]string{input}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--blind", "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var texts strings.Builder
	for _, s := range stories {
		texts.WriteString(strings.ToLower(s.Text) + "\n")
	}
	seen := blindOutputsText(t, out)
	checked := 0
	for _, s := range stories {
		for _, id := range identifiers(s) {
			lid := strings.ToLower(id)
			if strings.Contains(texts.String(), lid) {
				continue // written in a story: not redacted (documented)
			}
			checked++
			if strings.Contains(seen, lid) {
				t.Errorf("the blind outputs contain %q (row %s)", id, s.Ref)
			}
		}
	}
	if checked < len(stories) {
		t.Errorf("checked only %d identifiers for %d candidates", checked, len(stories))
	}
	if got := len(readBlindMap(t, out)) - 1; got != len(stories) {
		t.Errorf("blind-map.csv has %d rows, want %d", got, len(stories))
	}
}

func readBlindMap(t *testing.T, out string) [][]string {
	t.Helper()
	recs := readCSVFile(t, filepath.Join(out, report.BlindMapFile))
	return recs
}

// TestRunBlindRefusesADirectoryWithNamedOutputs: a first blind run into the
// output directory of a run without --blind would leave the named PDFs next
// to the blinded ones, so it is refused and nothing is changed.
func TestRunBlindRefusesADirectoryWithNamedOutputs(t *testing.T) {
	out := t.TempDir()
	input := filepath.Join(samples, "messy.csv")
	if code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet"); code != exitPartial {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	before := listTree(t, out)
	code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet", "--blind")
	if code != exitUsage || !strings.Contains(stderr, "holds the outputs of a run without --blind") {
		t.Errorf("blind run into a named output directory: exit %d, stderr %q; want %d and why", code, stderr, exitUsage)
	}
	if got := listTree(t, out); !slices.Equal(got, before) {
		t.Errorf("the directory changed: got %q, want %q", got, before)
	}
}

// TestRunBlindShards: shards must share one key. Without a blind-key in its
// directory a blind shard refuses to start; with the same key copied into
// every shard's directory the shards, merged, give the pseudonyms of a
// single run, and no name.
func TestRunBlindShards(t *testing.T) {
	input := filepath.Join(samples, "cohort.csv")
	dir := t.TempDir()
	a, b, single, merged := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "single"), filepath.Join(dir, "merged")
	code, _, stderr := runCLI(t, "", "run", input, "--out", a, "--shard", "1/2", "--blind", "--quiet", "--as-of", "2026-11-26")
	if code != exitUsage || !strings.Contains(stderr, "every shard must use the same key") {
		t.Fatalf("blind shard without a key: exit %d, stderr %q; want %d and how to make a key", code, stderr, exitUsage)
	}
	if got := listTree(t, a); len(got) != 0 {
		t.Fatalf("wrote %q, want nothing", got)
	}
	key := []byte(strings.Repeat("5a", 32) + "\n")
	for _, d := range []string{a, b, single} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, report.BlindKeyFile), key, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, run := range [][]string{{"--out", a, "--shard", "1/2"}, {"--out", b, "--shard", "2/2"}, {"--out", single}} {
		args := append([]string{"run", input, "--blind", "--quiet", "--as-of", "2026-11-26", "--no-pdf"}, run...)
		if code, _, stderr := runCLI(t, "", args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", run, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "", "merge", a, b, "--out", merged, "--quiet"); code != exitOK {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	got, want := readJSONL(t, filepath.Join(merged, "results.jsonl")), readJSONL(t, filepath.Join(single, "results.jsonl"))
	if len(got) != len(want) {
		t.Fatalf("merged results.jsonl has %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Row != want[i].Row || got[i].Name != want[i].Name || !pseudonymRE.MatchString(got[i].Name) {
			t.Errorf("line %d: %s %q, want %s %q (the single run's pseudonym)", i+1, got[i].Row, got[i].Name, want[i].Row, want[i].Name)
		}
	}
	if m := listTree(t, merged); slices.Contains(m, report.BlindMapFile) || slices.Contains(m, report.BlindKeyFile) {
		t.Errorf("merge copied the mapping or the key: %q", m)
	}
	if ma, mb := readBlindMap(t, a), readBlindMap(t, b); !slices.EqualFunc(ma, mb, slices.Equal) {
		t.Errorf("the shards' blind-map.csv differ")
	}
	stories, _, _ := ingest.ReadFiles([]string{input}, ingest.Options{})
	seen := blindOutputsText(t, merged)
	for _, s := range stories {
		for _, id := range identifiers(s) {
			if strings.Contains(s.Text, id) {
				continue
			}
			if strings.Contains(seen, strings.ToLower(id)) {
				t.Errorf("the merged outputs contain %q (row %s)", id, s.Ref)
			}
		}
	}
}
