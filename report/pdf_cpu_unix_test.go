//go:build unix

package report

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) used by the process so
// far, so that benchmarks on a busy machine can report CPU per operation.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
