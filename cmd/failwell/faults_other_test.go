//go:build !linux

package main

import (
	"errors"
	"testing"
)

func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	t.Skip("tmpfs mounts are Linux-only")
}

func runWithFileSizeLimit(t *testing.T, limit uint64, args []string) (int, string) {
	t.Helper()
	t.Skip("RLIMIT_FSIZE test is Linux-only")
	return 0, ""
}

func mkfifo(path string) error { return errors.New("not supported on this platform") }
