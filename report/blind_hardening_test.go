package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failwell/failwell/evaluate"
)

func TestBlindKeyIsCreatedOnceAndReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	k1, err := BlindKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != blindKeyBytes {
		t.Fatalf("key has %d bytes, want %d", len(k1), blindKeyBytes)
	}
	checkMode(t, dir, 0o700)
	checkMode(t, filepath.Join(dir, BlindKeyFile), 0o600)
	k2, err := BlindKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1, k2) {
		t.Errorf("second call: got another key, want the stored one")
	}
	other, err := BlindKey(filepath.Join(t.TempDir(), "other"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(k1, other) {
		t.Errorf("two directories got the same random key")
	}
}

func TestBlindKeyRefusesABrokenKeyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, BlindKeyFile), []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := BlindKey(dir)
	if err == nil || !strings.Contains(err.Error(), "not a blind key") {
		t.Fatalf("got %v, want a 'not a blind key' error", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, BlindKeyFile))
	if string(b) != "not hex\n" {
		t.Errorf("the broken key file was replaced: %q", b)
	}
}

func TestWriteBlindMapEscapesFormulas(t *testing.T) {
	dir := t.TempDir()
	mapping := []evaluate.Pseudonym{
		{Pseudonym: "Candidate 7F3A2C", Name: "Zoë Hartmann", Email: "zoe@example.com", Ref: "c.csv::2"},
		{Pseudonym: "Candidate 0A0B0C", Name: `=HYPERLINK("http://evil","x")`, Email: "@evil", Ref: "c.csv::3"},
		{Pseudonym: "Candidate 111111", Name: "+1 555", Email: "-x", Ref: "c.csv::4"},
	}
	if err := WriteBlindMap(dir, mapping); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, BlindMapFile)
	checkMode(t, path, 0o600)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"pseudonym", "name", "email", "row"},
		{"Candidate 7F3A2C", "Zoë Hartmann", "zoe@example.com", "c.csv::2"},
		{"Candidate 0A0B0C", `'=HYPERLINK("http://evil","x")`, "'@evil", "c.csv::3"},
		{"Candidate 111111", "'+1 555", "'-x", "c.csv::4"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if !slices.Equal(recs[i], want[i]) {
			t.Errorf("record %d: got %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestCSVSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""}, {"Zoe", "Zoe"}, {"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"}, {"\rx", "'\rx"}, {"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := csvSafe(tt.in); got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}
