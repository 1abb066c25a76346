package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The machine may be shared (other builds and test runs): a Load sample
// measures how much CPU processes other than this one and the database and
// broker servers it talks to used while a figure was measured.

// clkTck is USER_HZ, 100 on Linux.
const clkTck = 100

// serverComms are the processes that belong to the workload.
var serverComms = map[string]bool{"postgres": true, "nats-server": true}

// LoadSample is a snapshot for Foreign.
type LoadSample struct {
	at      time.Time
	busy    float64 // machine busy seconds, steal excluded
	steal   float64 // seconds the hypervisor ran something else
	self    float64 // this process's CPU seconds
	servers map[int]float64
}

// SampleLoad takes a snapshot (zero on systems without /proc).
func SampleLoad() LoadSample {
	s := LoadSample{at: time.Now(), self: selfCPU(), servers: map[int]float64{}}
	s.busy, s.steal = machineBusy()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if serverComms[strings.TrimSpace(string(comm))] {
			s.servers[pid] = ProcCPU(pid)
		}
	}
	return s
}

// Load is what a LoadSample measured, as shares (0..1) of the machine's
// CPU capacity over the interval.
type Load struct {
	// Others is CPU used by processes other than this one, PostgreSQL and
	// nats-server (other builds and tests on a shared machine).
	Others float64
	// Steal is CPU time the hypervisor gave to other virtual machines.
	Steal float64
}

func (l Load) String() string {
	return fmt.Sprintf("%.0f%% others, %.0f%% steal", 100*l.Others, 100*l.Steal)
}

// Max returns the larger of each share.
func (l Load) Max(o Load) Load { return Load{max(l.Others, o.Others), max(l.Steal, o.Steal)} }

// Foreign returns what other processes and other virtual machines took
// between s and now.
func (s LoadSample) Foreign() Load {
	if s.at.IsZero() || s.busy == 0 {
		return Load{}
	}
	e := SampleLoad()
	wall := e.at.Sub(s.at).Seconds() * float64(runtime.NumCPU())
	if wall <= 0 {
		return Load{}
	}
	servers := 0.0
	for pid, end := range e.servers {
		servers += end - s.servers[pid] // a server process born meanwhile counts whole
	}
	f := (e.busy - s.busy - (e.self - s.self) - servers) / wall
	st := (e.steal - s.steal) / wall
	return Load{Others: min(max(f, 0), 1), Steal: min(max(st, 0), 1)}
}

// machineBusy returns the machine's busy and steal seconds from /proc/stat.
func machineBusy() (busy, steal float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	// user nice system idle iowait irq softirq steal (guest times are in user)
	for i, v := range f[1:8] {
		n, _ := strconv.ParseFloat(v, 64)
		switch i {
		case 3, 4, 5, 6: // idle, iowait, irq, softirq (the latter two are mostly this workload's own I/O)
		default:
			busy += n
		}
	}
	steal, _ = strconv.ParseFloat(f[8], 64)
	return busy / clkTck, steal / clkTck
}

func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// ProcCPU is a process's user and system CPU seconds so far
// (/proc/pid/stat; 0 without /proc).
func ProcCPU(pid int) float64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may contain spaces).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / clkTck
}

// WaitQuiet waits, up to limit, until other processes and the hypervisor
// take less than share of the machine's CPU over half a second.
func WaitQuiet(ctx context.Context, share float64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for ctx.Err() == nil {
		s := SampleLoad()
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		if l := s.Foreign(); l.Others+l.Steal < share || time.Now().After(deadline) {
			return
		}
	}
}
