package bench

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Observe says how visibility is detected.
type Observe string

const (
	// ObserveWaitFor calls Runner.WaitFor in a goroutine per command, as
	// the app's waiter does (WaitFor also nudges the projector).
	ObserveWaitFor Observe = "waitfor"
	// ObservePoll has one goroutine read the projection checkpoint every
	// PollEvery without nudging the projector: what another client sees.
	ObservePoll Observe = "poll"
)

// LatencySpec describes one command → read-model visibility run.
type LatencySpec struct {
	Stack    StackSpec
	Rate     int           // commands per second (default 1000)
	Duration time.Duration // default 10s
	Workers  int           // concurrent command goroutines (default 16)
	Jobs     int           // postings updated round-robin (default 512)
	Observe  Observe
	// PollEvery is the checkpoint poll interval of ObservePoll (default 1ms).
	PollEvery time.Duration
	// Backlog is how far behind schedule the workers may fall before slots
	// are dropped (default 1s).
	Backlog time.Duration
}

// LatencyResult is the outcome of RunLatency.
type LatencyResult struct {
	// Issued slots; Dropped of them were not started because the workers
	// were more than Backlog behind (the run stays open-loop and bounded).
	Issued, Dropped, Completed, Failed int
	Elapsed                            time.Duration
	// Visible is from a command's return to its position being applied.
	Visible Latencies
	// Published is from a command's return to the outbox cursor passing its
	// position, i.e. JetStream acknowledged it (ObservePoll only).
	Published Latencies
	// Command is from a command's scheduled start to its return (includes
	// any wait for a free worker).
	Command Latencies
	// Late counts commands that started more than 10 ms after their slot.
	Late      int
	FirstErr  error
	Unapplied int // commands whose position was never seen applied
	// DBTransactions is how many transactions PostgreSQL committed or
	// rolled back in the benchmark's database during the run (-1 on SQLite);
	// PostgreSQL's statistics lag by up to a second.
	DBTransactions int64
	Load           Load // what other processes and VMs took meanwhile
}

// Achieved is the completed command rate.
func (r LatencyResult) Achieved() float64 { return float64(r.Completed) / r.Elapsed.Seconds() }

// RunLatency issues app commands at a steady rate against a full stack and
// measures when each becomes visible in the read model. The command mix is
// 80% UpdateJob (postings spread over workers so that no two workers race on
// one stream) and 20% CreateOrg.
func RunLatency(ctx context.Context, spec LatencySpec) (LatencyResult, error) {
	if spec.Rate <= 0 {
		spec.Rate = 1000
	}
	if spec.Duration <= 0 {
		spec.Duration = 10 * time.Second
	}
	if spec.Workers <= 0 {
		spec.Workers = 16
	}
	if spec.Jobs <= 0 {
		spec.Jobs = 512
	}
	spec.Jobs = max(spec.Jobs, spec.Workers)
	perWorker := spec.Jobs / spec.Workers
	if spec.Observe == "" {
		spec.Observe = ObserveWaitFor
	}
	if spec.PollEvery <= 0 {
		spec.PollEvery = time.Millisecond
	}
	if spec.Backlog <= 0 {
		spec.Backlog = time.Second
	}
	s, err := OpenStack(ctx, spec.Stack)
	if err != nil {
		return LatencyResult{}, err
	}
	defer s.Close()
	s.Start(true)
	a := app.New(s.DB, nil, s.Log) // no waiter: commands return right after their append
	ctx = meridian.WithPrincipal(ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: "bench"})

	// Setup: a few organizations and their postings, then wait for the projector.
	orgs := make([]string, 8)
	for i := range orgs {
		r, err := a.CreateOrg(ctx, domain.OrgDetails{Name: fmt.Sprintf("Bench Org %d", i), Website: "https://example.com"}, "")
		if err != nil {
			return LatencyResult{}, fmt.Errorf("setup org: %w", err)
		}
		orgs[i] = r.ID
	}
	jobs := make([]string, spec.Jobs)
	var last int64
	for i := range jobs {
		r, err := a.DraftJob(ctx, orgs[i%len(orgs)], JobDetails(i))
		if err != nil {
			return LatencyResult{}, fmt.Errorf("setup job: %w", err)
		}
		jobs[i], last = r.ID, r.Position
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	err = s.Runner.WaitFor(wctx, last)
	cancel()
	if err != nil {
		return LatencyResult{}, fmt.Errorf("setup: projector did not catch up: %w", err)
	}

	type slot struct {
		i  int
		at time.Time
	}
	slots := make(chan slot, spec.Rate)
	var (
		mu       sync.Mutex
		visible  = make([]time.Duration, 0, spec.Rate*int(spec.Duration/time.Second+1))
		command  = make([]time.Duration, 0, cap(visible))
		res      LatencyResult
		waiters  sync.WaitGroup
		workers  sync.WaitGroup
		observer = newObserver()
		pubObs   = newObserver()
		pubLat   []time.Duration
	)
	record := func(d time.Duration) {
		mu.Lock()
		visible = append(visible, d)
		mu.Unlock()
	}
	obsCtx, stopObs := context.WithCancel(context.Background())
	var obsDone sync.WaitGroup
	if spec.Observe == ObservePoll {
		obsDone.Add(2)
		go func() {
			defer obsDone.Done()
			observer.run(obsCtx, s.Runner.Checkpoint, spec.PollEvery, record)
		}()
		go func() {
			defer obsDone.Done()
			outboxCursor := func(ctx context.Context) (int64, error) { return s.DB.Cursor(ctx, store.CursorOutbox) }
			pubObs.run(obsCtx, outboxCursor, spec.PollEvery, func(d time.Duration) {
				mu.Lock()
				pubLat = append(pubLat, d)
				mu.Unlock()
			})
		}()
	}

	for w := 0; w < spec.Workers; w++ {
		workers.Add(1)
		go func(w int) {
			defer workers.Done()
			n := 0
			for sl := range slots {
				started := time.Now()
				if started.Sub(sl.at) > spec.Backlog {
					mu.Lock()
					res.Dropped++
					mu.Unlock()
					continue
				}
				var r app.Result
				var err error
				if sl.i%5 == 4 {
					r, err = a.CreateOrg(ctx, domain.OrgDetails{Name: fmt.Sprintf("Bench Org %d", len(orgs)+sl.i), Website: "https://example.com"}, "")
				} else {
					// Worker w owns the postings j with j % Workers == w.
					j := w + (n%perWorker)*spec.Workers
					n++
					r, err = a.UpdateJob(ctx, jobs[j], -1, JobDetails(sl.i))
				}
				returned := time.Now()
				mu.Lock()
				if started.Sub(sl.at) > 10*time.Millisecond {
					res.Late++
				}
				if err != nil {
					res.Failed++
					if res.FirstErr == nil {
						res.FirstErr = err
					}
					mu.Unlock()
					continue
				}
				res.Completed++
				command = append(command, returned.Sub(sl.at))
				mu.Unlock()
				if spec.Observe == ObservePoll {
					observer.add(r.Position, returned)
					pubObs.add(r.Position, returned)
					continue
				}
				waiters.Add(1)
				go func(pos int64, returned time.Time) {
					defer waiters.Done()
					wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
					defer cancel()
					if err := s.Runner.WaitFor(wctx, pos); err != nil {
						mu.Lock()
						res.Unapplied++
						mu.Unlock()
						return
					}
					record(time.Since(returned))
				}(r.Position, returned)
			}
		}(w)
	}

	xacts := func() int64 {
		if s.DB.Dialect() != store.Postgres {
			return -1
		}
		var n int64
		_ = s.DB.QueryRow(ctx, `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
		return n
	}
	xact0 := xacts()
	load := SampleLoad()
	period := time.Second / time.Duration(spec.Rate)
	start := time.Now()
	total := int(spec.Duration / period)
	for i := 0; i < total && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * period)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		slots <- slot{i: i, at: at}
		res.Issued++
	}
	close(slots)
	workers.Wait()
	res.Elapsed = time.Since(start)
	waiters.Wait()
	if spec.Observe == ObservePoll {
		observer.drain(30 * time.Second)
		pubObs.drain(5 * time.Second)
		stopObs()
		obsDone.Wait()
		res.Unapplied += observer.pending()
	}
	stopObs()
	res.Load = load.Foreign()
	if xact0 >= 0 {
		time.Sleep(1500 * time.Millisecond) // let the statistics collector catch up
		res.DBTransactions = xacts() - xact0
	} else {
		res.DBTransactions = -1
	}
	res.Visible = Summarize(visible)
	res.Published = Summarize(pubLat)
	res.Command = Summarize(command)
	if res.Completed == 0 && res.FirstErr != nil {
		return res, res.FirstErr
	}
	return res, nil
}

// observer matches positions to the time their command returned and
// records the latency when a checkpoint poll shows them applied.
type observer struct {
	mu sync.Mutex
	h  posHeap
}

type pending struct {
	pos int64
	at  time.Time
}

type posHeap []pending

func (h posHeap) Len() int           { return len(h) }
func (h posHeap) Less(i, j int) bool { return h[i].pos < h[j].pos }
func (h posHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *posHeap) Push(x any)        { *h = append(*h, x.(pending)) }
func (h *posHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func newObserver() *observer { return &observer{} }

func (o *observer) add(pos int64, at time.Time) {
	o.mu.Lock()
	heap.Push(&o.h, pending{pos, at})
	o.mu.Unlock()
}

func (o *observer) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.h.Len()
}

func (o *observer) run(ctx context.Context, checkpoint func(context.Context) (int64, error), every time.Duration, record func(time.Duration)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if o.pending() == 0 {
			continue
		}
		cp, err := checkpoint(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				continue
			}
			return
		}
		now := time.Now()
		o.mu.Lock()
		for o.h.Len() > 0 && o.h[0].pos <= cp {
			p := heap.Pop(&o.h).(pending)
			record(now.Sub(p.at))
		}
		o.mu.Unlock()
	}
}

// drain waits until nothing is pending or timeout passes.
func (o *observer) drain(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for o.pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}
