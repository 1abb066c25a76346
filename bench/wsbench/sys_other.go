//go:build !unix

package wsbench

import (
	"errors"
	"time"
)

var start = time.Now()

// monoNow is process-relative outside Unix: the measurements need the
// server and the clients in one process there, which wsbench does not do.
func monoNow() int64 { return int64(time.Since(start)) }

func raiseNoFile(uint64) error { return errors.New("wsbench runs on Unix only") }

func noFileMax() uint64 { return 0 }
