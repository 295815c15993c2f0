package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var errRejected = errors.New("rejected")

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	d, err := openOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	final := filepath.Join(dir, "results.jsonl")
	if err := os.WriteFile(final, []byte("old complete file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	diskFull := errors.New("no space left on device")
	err = d.writeFile("results.jsonl", func(w io.Writer) error {
		_, _ = io.WriteString(w, strings.Repeat("partial", 100000)) // more than the buffer
		return diskFull
	})
	if !errors.Is(err, diskFull) {
		t.Fatalf("got error %v, want %v", err, diskFull)
	}
	b, err := os.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "old complete file\n" {
		t.Errorf("final file changed after a failed write: %.40q", b)
	}
	if got := listFiles(t, dir); !slices.Equal(got, []string{"results.jsonl"}) {
		t.Errorf("files after a failed write: got %q, want only results.jsonl", got)
	}

	// A failed first write leaves no file at all.
	_ = d.writeFile("report.xlsx", func(w io.Writer) error { return diskFull })
	if _, err := os.Stat(filepath.Join(dir, "report.xlsx")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("report.xlsx exists after a failed first write: %v", err)
	}

	// A successful write replaces the file, with mode 0600.
	if err := d.writeFile("results.jsonl", func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(final)
	info, _ := os.Stat(final)
	if string(b) != "new\n" || info.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v, want \"new\\n\" mode 0600", b, info.Mode().Perm())
	}
}

func TestWriteFileRefusesNamesOutsideDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	d, err := openOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := os.Symlink(parent, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../escape", "/tmp/escape", "link/escape", "a/../../escape", ""} {
		err := d.writeFile(name, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		if err == nil {
			t.Errorf("writeFile(%q): got no error", name)
		}
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries, want only out/", len(entries))
	}
}
