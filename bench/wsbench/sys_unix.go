//go:build unix

package wsbench

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// monoNow reads CLOCK_MONOTONIC in nanoseconds: one clock for every
// process of the machine (Go's own monotonic readings are relative to
// the process start), so a client can subtract a server's publish stamp.
func monoNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic(err) // CLOCK_MONOTONIC exists on every supported kernel
	}
	return ts.Nano()
}

// raiseNoFile lifts RLIMIT_NOFILE to at least n open files (the hard
// limit too, which needs privileges when it is below n).
func raiseNoFile(n uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= n {
		return nil
	}
	want := lim
	want.Cur = n
	if want.Max < n {
		want.Max = n
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		// Unprivileged: go as high as the hard limit allows.
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		return fmt.Errorf("RLIMIT_NOFILE: need %d open files, the hard limit is %d (%v)", n, lim.Max, err)
	}
	return nil
}

// noFileMax is the hard limit on open files.
func noFileMax() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return lim.Max
}
