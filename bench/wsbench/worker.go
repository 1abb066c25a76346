package wsbench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// workerEnv marks a re-executed binary as a client worker.
const workerEnv = "MERIDIAN_WSBENCH_CLIENTS"

// perWorker bounds one worker's connections: a process's open files are
// limited (RLIMIT_NOFILE), and not every machine lets it be raised.
const perWorker = 15_000

// workerJob is a worker's task, its first line of input.
type workerJob struct {
	URL  string `json:"url"`
	Kind string `json:"kind"`
	// Clients First..First+N-1 of Total (their source addresses).
	First, N, Total int
	// Rounds > 0: read the messages and record the deliveries of rounds
	// 0..Rounds-1; 0: idle clients.
	Rounds int
}

// work is a client worker: it opens its connections, says "ready", then
// says "done <round>" when all its clients have received a round, and
// answers "report" with its latencies (JSON, [round][client] ns, -1:
// missing). It closes everything when its input ends.
func work() error {
	_ = raiseNoFile(1 << 20)
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		return errors.New("worker: no job")
	}
	var job workerJob
	if err := json.Unmarshal(in.Bytes(), &job); err != nil {
		return err
	}
	var mu sync.Mutex // one line at a time on stdout
	say := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Println(s)
	}
	var p proto = meridianProto{}
	if job.Kind == Centrifuge {
		p = centrifugeProto{}
	}
	var listen func(int, int64, int, int64)
	var s *sink
	if job.Rounds > 0 {
		s = newSink(job.Rounds, job.N)
		s.onDone = func(round int) { say("done " + strconv.Itoa(round)) }
		listen = s.record
	}
	d := newDialers(job.Total)
	f, err := connect(context.Background(), d, job.URL, p, job.First, job.N, listen)
	if err != nil {
		say("error " + err.Error())
		return err
	}
	say("ready")
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "report" && s != nil {
			b, err := json.Marshal(s.latencies())
			if err != nil {
				return err
			}
			say(string(b))
		}
	}
	f.close()
	d.close()
	return nil
}

// sink records a worker's deliveries: per round, per client, the
// latency in ns (-1: not yet).
type sink struct {
	n      int
	lat    [][]atomic.Int64
	got    []atomic.Int64
	onDone func(round int)
}

func newSink(rounds, n int) *sink {
	s := &sink{n: n, lat: make([][]atomic.Int64, rounds), got: make([]atomic.Int64, rounds)}
	for r := range rounds {
		s.lat[r] = make([]atomic.Int64, n)
		for i := range n {
			s.lat[r][i].Store(-1)
		}
	}
	return s
}

func (s *sink) record(client int, stamp int64, round int, received int64) {
	if round < 0 || round >= len(s.lat) || !s.lat[round][client].CompareAndSwap(-1, received-stamp) {
		return // not a round of this run, or delivered twice
	}
	if s.got[round].Add(1) == int64(s.n) && s.onDone != nil {
		s.onDone(round)
	}
}

func (s *sink) latencies() [][]int64 {
	out := make([][]int64, len(s.lat))
	for r := range s.lat {
		out[r] = make([]int64, s.n)
		for i := range s.n {
			out[r][i] = s.lat[r][i].Load()
		}
	}
	return out
}

// workerProc is a client worker in a child process.
type workerProc struct {
	*child
	job workerJob
}

// startWorkers spreads n clients of url over workers and waits until
// all are connected and subscribed; first is the first client's global
// index (source addresses), of total.
func startWorkers(ctx context.Context, kind, url string, first, n, total, rounds int) ([]*workerProc, error) {
	var ws []*workerProc
	stopAll := func() {
		for _, w := range ws {
			w.stop()
		}
	}
	for off := 0; off < n; off += perWorker {
		job := workerJob{URL: url, Kind: kind, First: first + off, N: min(perWorker, n-off), Total: total, Rounds: rounds}
		c, err := startChild(workerEnv + "=1")
		if err != nil {
			stopAll()
			return nil, err
		}
		w := &workerProc{child: c, job: job}
		ws = append(ws, w)
		b, _ := json.Marshal(job)
		if _, err := fmt.Fprintf(c.stdin, "%s\n", b); err != nil {
			stopAll()
			return nil, err
		}
	}
	for _, w := range ws {
		s, err := w.line(ctx, 10*time.Minute)
		if err == nil && s != "ready" {
			err = errors.New(strings.TrimPrefix(s, "error "))
		}
		if err != nil {
			stopAll()
			return nil, fmt.Errorf("clients %d-%d: %w", w.job.First, w.job.First+w.job.N-1, err)
		}
	}
	return ws, nil
}

// waitRound waits until the worker has reported round done.
func (w *workerProc) waitRound(ctx context.Context, round int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	want := "done " + strconv.Itoa(round)
	for {
		s, err := w.line(ctx, time.Until(deadline))
		if err != nil {
			return err
		}
		if s == want {
			return nil
		}
	}
}

// report fetches the worker's latencies.
func (w *workerProc) report(ctx context.Context) ([][]int64, error) {
	if _, err := fmt.Fprintln(w.stdin, "report"); err != nil {
		return nil, err
	}
	for {
		s, err := w.line(ctx, time.Minute)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(s, "done ") {
			continue // a round completed after its wait timed out
		}
		var lat [][]int64
		return lat, json.Unmarshal([]byte(s), &lat)
	}
}
