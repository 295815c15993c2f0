package main

import (
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
func runWithFileSizeLimit(t *testing.T, limit uint64, args []string) (int, string) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: old.Max}); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	defer func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatalf("restore RLIMIT_FSIZE: %v", err)
		}
	}()
	code, _, stderr := runCLI(t, "", args...)
	return code, stderr
}

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
