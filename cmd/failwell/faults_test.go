package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Faults: the output cannot be written, the disk fills up, the input goes
// away. Each ends with a clear error and the right exit status, and never
// with a half-written file under a final name.

// checkNoHalfWrittenFiles checks that out holds no temporary file and no
// truncated file under a final name: every PDF ends with %%EOF, every JSON
// file parses, every line of a JSONL file parses, every workbook is a
// complete zip. (.failwell-journal is append-only by design: a line cut
// short is ignored by the next run.)
func checkNoHalfWrittenFiles(t *testing.T, out string) {
	t.Helper()
	for _, name := range listTree(t, out) {
		p := filepath.Join(out, name)
		base := filepath.Base(name)
		if strings.HasSuffix(base, ".tmp") || strings.HasPrefix(base, "excelize-") {
			t.Errorf("temporary file left behind: %s", name)
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.IsDir() {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(base) {
		case ".pdf":
			if !strings.HasSuffix(strings.TrimSpace(string(data)), "%%EOF") {
				t.Errorf("%s is truncated (%d bytes)", name, len(data))
			}
		case ".json":
			if !json.Valid(data) {
				t.Errorf("%s is not complete JSON (%d bytes)", name, len(data))
			}
		case ".jsonl":
			for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
				if !json.Valid([]byte(line)) {
					t.Errorf("%s line %d is not complete JSON", name, i+1)
				}
			}
		case ".xlsx":
			if _, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err != nil {
				t.Errorf("%s is not a complete workbook: %v", name, err)
			}
		}
	}
}

func TestRunFailsWhenOutputIsNotWritable(t *testing.T) {
	input := filepath.Join(samples, "messy.csv")
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("not a directory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, out string
		flags     []string
		want      string // in stderr
	}{
		{"out is a file", file, nil, "not a directory"},
		{"out is under a file", filepath.Join(file, "sub"), nil, "not a directory"},
		{"out is under a file, blind", filepath.Join(file, "sub"), []string{"--blind"}, "not a directory"},
		{"out is under a file, no PDFs", filepath.Join(file, "sub"), []string{"--no-pdf"}, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", input, "--out", tt.out, "--as-of", "2026-11-26", "--quiet"}, tt.flags...)
			code, _, stderr := runCLI(t, "", args...)
			if code != exitFailure {
				t.Errorf("exit %d, want %d\nstderr: %s", code, exitFailure, stderr)
			}
			if !strings.Contains(stderr, "failwell: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want a failwell error mentioning %q", stderr, tt.want)
			}
			b, _ := os.ReadFile(file)
			if got := listTree(t, dir); !slices.Equal(got, []string{"a-file"}) || string(b) != "not a directory\n" {
				t.Errorf("after the run: %q, file %q; want only the untouched file", got, b)
			}
		})
	}

	// A read-only directory. Permission bits do not stop root, so as root
	// a read-only tmpfs is mounted instead (skipped where mounting is not
	// allowed).
	t.Run("read-only directory", func(t *testing.T) {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o700); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			mountTmpfs(t, ro, "size=1m,ro")
		} else {
			if err := os.Chmod(ro, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(ro, 0o700) })
		}
		for _, out := range []string{ro, filepath.Join(ro, "sub")} {
			code, _, stderr := runCLI(t, "", "run", input, "--out", out, "--as-of", "2026-11-26", "--quiet")
			if code != exitFailure {
				t.Errorf("--out %s: exit %d, want %d\nstderr: %s", out, code, exitFailure, stderr)
			}
			if !strings.Contains(stderr, "read-only file system") && !strings.Contains(stderr, "permission denied") {
				t.Errorf("--out %s: stderr %q, want it to say why", out, stderr)
			}
			if got := listTree(t, ro); len(got) != 0 {
				t.Errorf("--out %s: wrote %q", out, got)
			}
		}
	})
}

// TestRunDiskFull fills the output file system while the outputs are
// written. With a real full disk (a tiny tmpfs, where mounting is allowed)
// and with a file-size limit (RLIMIT_FSIZE, anywhere on Linux), the run
// fails with exit 1 and the error, leaves no temporary or truncated file,
// and still records the failure in run.json when there is room for it.
func TestRunDiskFull(t *testing.T) {
	input := filepath.Join(samples, "cohort.csv")
	for _, mode := range []string{"tmpfs", "rlimit"} {
		for _, noPDF := range []bool{false, true} {
			name := mode
			if noPDF {
				name += "/no-pdf"
			}
			t.Run(name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				if err := os.Mkdir(out, 0o700); err != nil {
					t.Fatal(err)
				}
				want := "no space left on device"
				args := []string{"run", input, "--out", out, "--as-of", "2026-11-26", "--quiet", "--jobs", "2"}
				if noPDF {
					args = append(args, "--no-pdf")
				}
				var code int
				var stderr string
				if mode == "tmpfs" {
					mountTmpfs(t, out, "size=16k")
					code, _, stderr = runCLI(t, "", args...)
				} else {
					want = "file too large"
					code, stderr = runWithFileSizeLimit(t, 8<<10, args)
				}
				if code != exitFailure {
					t.Errorf("exit %d, want %d\nstderr: %.3000s", code, exitFailure, stderr)
				}
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%.3000s", want, stderr)
				}
				checkNoHalfWrittenFiles(t, out)
				if _, err := os.Stat(filepath.Join(out, "run.json")); err == nil {
					rj := readRunJSON(t, out)
					if rj.ExitStatus != exitFailure || !strings.Contains(rj.Error, want) {
						t.Errorf("run.json: exit_status %d error %q, want %d and the error", rj.ExitStatus, rj.Error, exitFailure)
					}
				}
			})
		}
	}
}

// TestRunInputGoesAway covers an input that disappears: before it is read
// (a clear usage error naming it, nothing written), and while it is being
// read. An input is read whole, once, before anything is scored or written
// (its sha256 is recorded), so removing it mid-read or later does not
// change the run: the rows already read are all scored.
func TestRunInputGoesAway(t *testing.T) {
	t.Run("deleted before the run", func(t *testing.T) {
		dir := t.TempDir()
		input := filepath.Join(dir, "gone.csv")
		writeCSV(t, input, [][]string{{"Name", "Story"}, {"A", "I failed."}})
		if err := os.Remove(input); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		code, _, stderr := runCLI(t, "", "run", input, filepath.Join(samples, "cohort.csv"), "--out", out, "--quiet")
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		if !strings.Contains(stderr, "failwell: gone.csv: ") || !strings.Contains(stderr, "no such file") {
			t.Errorf("stderr %q, want it to name gone.csv and say it does not exist", stderr)
		}
		if got := listTree(t, out); len(got) != 0 {
			t.Errorf("wrote %q, want nothing", got)
		}
	})

	t.Run("deleted while read", func(t *testing.T) {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "export.csv")
		if err := mkfifo(fifo); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		type result struct {
			code   int
			stderr string
		}
		done := make(chan result, 1)
		out := filepath.Join(dir, "out")
		go func() {
			code, _, stderr := runCLI(t, "", "run", fifo, "--out", out, "--as-of", "2026-11-26", "--quiet", "--no-pdf")
			done <- result{code, stderr}
		}()
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // blocks until the run opens it
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.WriteString("Name,Story\nA,\"I shipped late and learned to plan.\"\n"); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(fifo); err != nil { // the input is deleted mid-read
			t.Fatal(err)
		}
		if _, err := w.WriteString("B,\"I launched without a test, and now I always run one.\"\n"); err != nil {
			t.Fatal(err)
		}
		w.Close()
		r := <-done
		if r.code != exitOK {
			t.Fatalf("exit %d, want 0\nstderr: %s", r.code, r.stderr)
		}
		checkNothingLost(t, out, 2, 0)
	})

	t.Run("cut off mid-row", func(t *testing.T) {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "export.csv")
		if err := mkfifo(fifo); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		done := make(chan int, 1)
		out := filepath.Join(dir, "out")
		var stderr string
		go func() {
			code, _, se := runCLI(t, "", "run", fifo, "--out", out, "--quiet")
			stderr = se
			done <- code
		}()
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The writer dies inside a quoted field.
		if _, err := w.WriteString("Name,Story\nA,\"I shipped late and"); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if code := <-done; code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		if !strings.Contains(stderr, "export.csv:2: unbalanced quote") {
			t.Errorf("stderr %q, want the positioned quote error", stderr)
		}
		if got := listTree(t, out); len(got) != 0 {
			t.Errorf("wrote %q, want nothing", got)
		}
	})
}
