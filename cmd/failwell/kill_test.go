//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHelperProcess is not a test: run as a child process by the tests
// below, it is the failwell command (as main runs it, with SIGINT/SIGTERM
// cancelling the run), its arguments after "--".
func TestHelperProcess(t *testing.T) {
	if os.Getenv("FAILWELL_TEST_HELPER") != "1" {
		t.Skip("helper process")
	}
	args := os.Args[slices.Index(os.Args, "--")+1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, args, os.Stdin, os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}

// startCLI starts failwell in a child process and returns it once at least
// minPDFs PDFs are in out/feedback or it has exited, with a channel that
// receives its exit error.
func startCLI(t *testing.T, out string, minPDFs int, args ...string) (*exec.Cmd, <-chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "FAILWELL_TEST_HELPER=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		waited <- cmd.Wait()
		close(exited)
	}()
	for {
		select {
		case <-exited:
			t.Fatalf("failwell exited before writing %d PDFs", minPDFs)
		default:
		}
		if m, _ := filepath.Glob(filepath.Join(out, "feedback", "*.pdf")); len(m) >= minPDFs {
			return cmd, waited
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// checkWholePDFs fails the test if a PDF under its final name is not whole.
func checkWholePDFs(t *testing.T, out string) int {
	t.Helper()
	pdfs, _ := filepath.Glob(filepath.Join(out, "feedback", "*.pdf"))
	for _, p := range pdfs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "%PDF-") || !strings.HasSuffix(strings.TrimSpace(string(b)), "%%EOF") {
			t.Errorf("%s: truncated (%d bytes)", filepath.Base(p), len(b))
		}
	}
	return len(pdfs)
}

// TestRunKilledResumes kills a run with SIGKILL while it renders PDFs: no
// truncated file is left under a final name, and the next run reuses every
// PDF finished before the kill.
func TestRunKilledResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	in := bigCohortCSV(t, 300)
	out := t.TempDir()
	args := []string{"run", in, "--out", out, "--as-of", "2026-11-20", "--quiet"}
	cmd, waited := startCLI(t, out, 20, args...)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-waited
	done := checkWholePDFs(t, out)
	if done == 0 {
		t.Fatal("no PDF before the kill")
	}
	for _, name := range []string{"results.jsonl", "report.xlsx"} {
		if fi, err := os.Stat(filepath.Join(out, name)); err == nil && fi.Size() == 0 {
			t.Errorf("%s is empty after the kill", name)
		}
	}
	code, _, stderr := runCLI(t, "", args...)
	if code != 0 && code != exitPartial {
		t.Fatalf("run after the kill: exit %d: %s", code, stderr)
	}
	info := readRunJSON(t, out)
	if info.Counts.PDFsReused < done-2 || info.Counts.PDFs != info.Counts.Scored {
		// (the last PDFs renamed before the kill may have missed the journal)
		t.Errorf("run after the kill: %d PDFs, %d reused; want %d PDFs, >= %d reused", info.Counts.PDFs, info.Counts.PDFsReused, info.Counts.Scored, done-2)
	}
	if n := checkWholePDFs(t, out); n != info.Counts.Scored {
		t.Errorf("%d PDFs, want %d", n, info.Counts.Scored)
	}
	if left, _ := filepath.Glob(filepath.Join(out, "feedback", ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

// TestRunSIGTERM sends SIGTERM to a run while it renders PDFs: exit status
// 130 and run.json records the interruption.
func TestRunSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	in := bigCohortCSV(t, 300)
	out := t.TempDir()
	cmd, waited := startCLI(t, out, 10, "run", in, "--out", out, "--as-of", "2026-11-20", "--quiet")
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := <-waited
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != exitInterrupted {
		t.Fatalf("exit %d after SIGTERM, want %d", code, exitInterrupted)
	}
	info := readRunJSON(t, out)
	if !info.Interrupted || info.ExitStatus != exitInterrupted {
		t.Errorf("run.json: interrupted %v, exit_status %d; want true, %d", info.Interrupted, info.ExitStatus, exitInterrupted)
	}
	checkWholePDFs(t, out)
}
