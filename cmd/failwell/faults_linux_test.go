package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// mountTmpfs mounts a tmpfs with the given options ("size=16k", "ro") on
// dir for the test, or skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	var flags uintptr
	if opts == "ro" || len(opts) > 3 && opts[len(opts)-3:] == ",ro" {
		flags |= syscall.MS_RDONLY
		opts = opts[:max(0, len(opts)-3)]
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, opts); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// runWithFileSizeLimit runs the command line with RLIMIT_FSIZE set to limit
// bytes, so that writing past it fails with EFBIG ("file too large"), as a
// full disk fails a write. Go ignores the SIGXFSZ that comes with it.
//
// The limit is process-wide, so the command runs in a child process (this
// test binary, re-run as [TestFileSizeLimitHelperProcess]): set in the test
// process itself, it also broke the test framework's own log writes and
// parallel tests.
func runWithFileSizeLimit(t *testing.T, limit uint64, args []string) (int, string) {
	t.Helper()
	enc, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFileSizeLimitHelperProcess$")
	cmd.Env = append(os.Environ(), fsizeArgsEnv+"="+string(enc), fsizeLimitEnv+"="+strconv.FormatUint(limit, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		if strings.Contains(stderr.String(), "setrlimit:") {
			t.Skipf("cannot limit the file size here: %s", stderr.String())
		}
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatalf("helper process: %v", err)
	}
	return 0, stderr.String()
}

const (
	fsizeArgsEnv  = "FAILWELL_TEST_FSIZE_ARGS"
	fsizeLimitEnv = "FAILWELL_TEST_FSIZE_LIMIT"
)

// TestFileSizeLimitHelperProcess is not a test: it is the child process of
// runWithFileSizeLimit, and returns at once in a normal test run.
func TestFileSizeLimitHelperProcess(t *testing.T) {
	raw := os.Getenv(fsizeArgsEnv)
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "helper: bad args:", err)
		os.Exit(99)
	}
	limit, _ := strconv.ParseUint(os.Getenv(fsizeLimitEnv), 10, 64)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		fmt.Fprintln(os.Stderr, "setrlimit:", err)
		os.Exit(98)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: old.Max}); err != nil {
		fmt.Fprintln(os.Stderr, "setrlimit:", err)
		os.Exit(98)
	}
	os.Exit(run(context.Background(), args, strings.NewReader(""), io.Discard, os.Stderr, nil))
}

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
