package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"sync"
)

// buildID identifies this build of the program for the incremental-run
// hashes (scores cache, PDF hashes, run fingerprint): the version, and for
// development builds, whose version does not change with the code, also a
// hash of the executable.
var buildID = sync.OnceValue(func() string {
	v := programVersion()
	if v != "devel" && !strings.Contains(v, "dirty") {
		return v
	}
	exe, err := os.Executable()
	if err != nil {
		return v
	}
	f, err := os.Open(exe)
	if err != nil {
		return v
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return v
	}
	return v + "+" + hex.EncodeToString(h.Sum(nil))[:16]
})
