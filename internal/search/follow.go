package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/store"
)

// Subscriber wakes the follower when the broker delivers events (the
// broker package implements it). Messages are only a signal: the follower
// always reads the events themselves from the store, in position order, so
// it never has gaps to fill.
type Subscriber interface {
	Subscribe(ctx context.Context, fn func(eventstore.Event)) error
}

// Follower keeps a node's search index current from the event stream: the
// index is a read model like the SQL ones, but held in memory by every
// node, with its position in its snapshot rather than in the database.
type Follower struct {
	DB     *store.DB
	Broker Subscriber // nil: local appends and polling only
	Log    *slog.Logger
	// SnapshotPath is where the index is saved (on Close and every
	// SnapshotEvery while it changes) and loaded from at start ("": never).
	SnapshotPath  string
	SnapshotEvery time.Duration // default 5 minutes
	// Poll bounds convergence when no signal arrives (default 500ms).
	Poll time.Duration

	index   atomic.Pointer[Index]
	applyMu sync.Mutex // one batch at a time
	pending map[string]*jobDraft
	orgs    map[string]string

	mu      sync.Mutex
	changed chan struct{}
	kick    chan struct{}
	saved   int64 // position of the last snapshot

	lag     prometheus.Gauge
	applied prometheus.Counter
	events  atomic.Int64
}

type jobDraft struct {
	orgID   string
	details domain.JobDetails
}

// Index returns the current index (never nil once Start returned).
func (f *Follower) Index() *Index { return f.index.Load() }

// Metrics registers the follower's metrics.
func (f *Follower) Metrics(reg prometheus.Registerer) {
	f.lag = prometheus.NewGauge(prometheus.GaugeOpts{Name: "meridian_search_lag_events", Help: "Committed events the node's search index has not applied yet."})
	f.applied = prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_search_applied_total", Help: "Events applied to the node's search index."})
	reg.MustRegister(f.lag, f.applied, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "meridian_search_postings", Help: "Live postings in the node's search index."},
		func() float64 {
			if ix := f.Index(); ix != nil {
				return float64(ix.Len())
			}
			return 0
		}))
}

// Start loads the snapshot (or starts empty) and catches up with the store.
func (f *Follower) Start(ctx context.Context) error {
	f.changed = make(chan struct{})
	f.kick = make(chan struct{}, 1)
	f.pending = map[string]*jobDraft{}
	f.orgs = map[string]string{}
	ix, err := f.loadSnapshot()
	if err != nil {
		f.Log.Warn("search snapshot unusable; rebuilding the index from the event store", "path", f.SnapshotPath, "err", err)
	}
	if ix == nil {
		ix = NewIndex()
	} else {
		f.saved = ix.Position()
		// Organization names of postings already indexed.
		ix.mu.RLock()
		for i, id := range ix.orgIDs {
			f.orgs[id] = ix.orgNames[i]
		}
		ix.mu.RUnlock()
	}
	f.index.Store(ix)
	start := time.Now()
	if err := f.catchUp(ctx); err != nil {
		return err
	}
	f.Log.Info("search index ready", "postings", ix.Len(), "position", ix.Position(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (f *Follower) loadSnapshot() (*Index, error) {
	if f.SnapshotPath == "" {
		return nil, nil
	}
	file, err := os.Open(f.SnapshotPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	ix, err := Load(file)
	if err != nil {
		return nil, err
	}
	head, err := f.DB.Head(context.Background())
	if err == nil && ix.Position() > head {
		return nil, fmt.Errorf("snapshot is at position %d, beyond the store's %d (another database?)", ix.Position(), head)
	}
	return ix, nil
}

// Run follows the stream until ctx ends, then saves a snapshot.
func (f *Follower) Run(ctx context.Context) error {
	if f.Broker != nil {
		if err := f.Broker.Subscribe(ctx, func(eventstore.Event) { f.nudge() }); err != nil {
			f.Log.Warn("search index subscribe failed; polling the store", "err", err)
		}
	}
	poll := f.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	every := f.SnapshotEvery
	if every <= 0 {
		every = 5 * time.Minute
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	snap := time.NewTicker(every)
	defer snap.Stop()
	for {
		// Take the append signal before reading, so an append that lands
		// while catching up is not missed.
		wake := f.DB.Appended()
		if err := f.catchUp(ctx); err != nil && ctx.Err() == nil {
			f.Log.Error("search index update failed; will retry", "err", err)
			sleepCtx(ctx, time.Second)
		}
		select {
		case <-ctx.Done():
			if err := f.Save(); err != nil {
				f.Log.Error("search snapshot failed", "err", err)
			}
			return nil
		case <-f.kick:
		case <-wake:
		case <-ticker.C:
		case <-snap.C:
			if f.Index().Position() != f.saved {
				if err := f.Save(); err != nil {
					f.Log.Error("search snapshot failed", "err", err)
				}
			}
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (f *Follower) nudge() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// Save writes the snapshot atomically (temporary file, then rename).
func (f *Follower) Save() error {
	if f.SnapshotPath == "" {
		return nil
	}
	f.applyMu.Lock()
	defer f.applyMu.Unlock()
	ix := f.Index()
	if err := os.MkdirAll(filepath.Dir(f.SnapshotPath), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.SnapshotPath), ".search-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := ix.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.SnapshotPath); err != nil {
		return err
	}
	f.saved = ix.Position()
	return nil
}

// catchUp applies every stored event after the index's position.
func (f *Follower) catchUp(ctx context.Context) error {
	for {
		n, err := f.step(ctx, 2000)
		if err != nil || n == 0 {
			if err == nil && f.lag != nil {
				if head, herr := f.DB.Head(ctx); herr == nil {
					f.lag.Set(float64(max(0, head-f.Index().Position())))
				}
			}
			return err
		}
	}
}

// step applies the next batch of events, coalescing each posting's
// changes into one insert or removal.
func (f *Follower) step(ctx context.Context, limit int) (int, error) {
	f.applyMu.Lock()
	defer f.applyMu.Unlock()
	ix := f.Index()
	pos := ix.Position()
	evs, err := f.DB.ReadAll(ctx, pos, limit)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	b := &batch{f: f, ix: ix, staged: map[string]*Doc{}}
	for _, e := range evs {
		if err := b.apply(ctx, e); err != nil {
			return 0, fmt.Errorf("search index: event %d (%s): %w", e.Position, e.Type, err)
		}
	}
	var puts []Doc
	for id, d := range b.staged {
		if d == nil {
			ix.Remove(id)
		} else {
			puts = append(puts, *d)
		}
	}
	ix.PutBatch(puts)
	ix.SetPosition(evs[len(evs)-1].Position)
	f.events.Add(int64(len(evs)))
	if f.applied != nil {
		f.applied.Add(float64(len(evs)))
	}
	f.mu.Lock()
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return len(evs), nil
}

// WaitFor blocks until the index has applied position pos or ctx ends.
func (f *Follower) WaitFor(ctx context.Context, pos int64) error {
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if f.Index().Position() >= pos {
			return nil
		}
		f.nudge()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// batch stages one batch's changes: staged[id] is the posting's new
// version, or nil when it left the index.
type batch struct {
	f      *Follower
	ix     *Index
	staged map[string]*Doc
}

// current returns the posting as staged or indexed (without its
// description when only indexed) and whether it is live.
func (b *batch) live(id string) (Doc, bool) {
	if d, ok := b.staged[id]; ok {
		if d == nil {
			return Doc{}, false
		}
		return *d, true
	}
	return b.ix.meta(id)
}

func (b *batch) apply(ctx context.Context, e eventstore.Event) error {
	f := b.f
	switch e.Type {
	case domain.OrgCreated:
		var p domain.OrgCreatedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		f.orgs[e.StreamID] = p.Name
	case domain.OrgUpdated:
		var p domain.OrgDetails
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if old := f.orgs[e.StreamID]; old != p.Name {
			f.orgs[e.StreamID] = p.Name
			// The company name is searchable text: re-index its postings.
			for _, id := range b.ix.idsOfOrg(e.StreamID) {
				if err := b.reload(ctx, id); err != nil {
					return err
				}
			}
		}
	case domain.JobDrafted:
		var p domain.JobDraftedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		f.pending[e.StreamID] = &jobDraft{orgID: p.OrgID, details: p.Details}
	case domain.JobUpdated:
		var d domain.JobDetails
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			return err
		}
		if p, ok := f.pending[e.StreamID]; ok {
			p.details = d
			return nil
		}
		if cur, ok := b.live(e.StreamID); ok {
			doc := f.doc(e.StreamID, cur.OrgID, d, cur.PublishedAt, cur.ValidThrough)
			if !d.ValidThrough.IsZero() {
				doc.ValidThrough = d.ValidThrough
			}
			b.staged[e.StreamID] = &doc
		}
	case domain.JobPublished, domain.JobRenewed:
		var p domain.JobStatusEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if dr, ok := f.pending[e.StreamID]; ok {
			doc := f.doc(e.StreamID, dr.orgID, dr.details, e.Time, p.ValidThrough)
			b.staged[e.StreamID] = &doc
			delete(f.pending, e.StreamID)
			return nil
		}
		return b.reload(ctx, e.StreamID)
	case domain.JobClosed, domain.JobExpired:
		delete(f.pending, e.StreamID)
		b.staged[e.StreamID] = nil
	}
	return nil
}

// reload reads a posting's whole stream (a renewal, or a change the index
// holds too little of to apply) and stages its current state.
func (b *batch) reload(ctx context.Context, id string) error {
	evs, err := b.f.DB.Load(ctx, id)
	if err != nil {
		return err
	}
	j := domain.NewJob()
	if err := domain.Load(j, id, evs); err != nil {
		return err
	}
	if j.Status() != domain.StatusPublished {
		b.staged[id] = nil
		return nil
	}
	var published time.Time
	for _, e := range evs {
		if e.Type == domain.JobPublished && published.IsZero() {
			published = e.Time
		}
	}
	doc := b.f.doc(id, j.OrgID(), j.Details(), published, j.ValidThrough())
	b.staged[id] = &doc
	return nil
}

func (f *Follower) doc(id, orgID string, d domain.JobDetails, published, valid time.Time) Doc {
	return Doc{ID: id, OrgID: orgID, OrgName: f.orgs[orgID], Title: d.Title, Description: d.Description,
		Skills: d.Skills, Seniority: d.Seniority, EmploymentType: d.EmploymentType, Salary: d.Salary,
		Eligibility: d.Eligibility, TimeZone: d.TimeZone, PublishedAt: published, ValidThrough: valid}
}

// Rebuild builds a new index from position 0 of the store while the
// current one keeps serving, then swaps it in and rewrites the snapshot.
func (f *Follower) Rebuild(ctx context.Context) error {
	tmp := &Follower{DB: f.DB, Log: f.Log, pending: map[string]*jobDraft{}, orgs: map[string]string{}, changed: make(chan struct{}), kick: make(chan struct{}, 1)}
	tmp.index.Store(NewIndex())
	if err := tmp.catchUp(ctx); err != nil {
		return err
	}
	f.applyMu.Lock()
	f.pending, f.orgs = tmp.pending, tmp.orgs
	f.index.Store(tmp.Index())
	f.applyMu.Unlock()
	if err := f.catchUp(ctx); err != nil {
		return err
	}
	return f.Save()
}
