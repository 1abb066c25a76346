package wsbench

import (
	"runtime"
	"time"

	"github.com/meridianhq/meridian/bench"
)

// loadMeter is bench's other-load measure with this benchmark's own
// child processes (servers, client workers) counted as the workload.
type loadMeter struct {
	start bench.LoadSample
	at    time.Time
	cpu   map[int]float64 // children's CPU seconds at the start
}

func startLoad() *loadMeter {
	return &loadMeter{start: bench.SampleLoad(), at: time.Now(), cpu: map[int]float64{}}
}

// note records a child's CPU so far (a child noted later counts whole).
func (m *loadMeter) note(c *child) {
	if c != nil && c.cmd.Process != nil {
		if _, ok := m.cpu[c.cmd.Process.Pid]; !ok {
			m.cpu[c.cmd.Process.Pid] = 0
		}
	}
}

// done returns the load, the children (all still running) excluded.
func (m *loadMeter) done() bench.Load {
	l := m.start.Foreign()
	wall := time.Since(m.at).Seconds() * float64(runtime.NumCPU())
	own := 0.0
	for pid, at := range m.cpu {
		own += bench.ProcCPU(pid) - at
	}
	if wall > 0 {
		l.Others = max(l.Others-own/wall, 0)
	}
	return l
}
