package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/store"
)

// Subscriber wakes the follower when the broker delivers events (the
// broker package implements it).
type Subscriber = follow.Subscriber

// Follower keeps a node's search index current from the event stream: the
// index is a read model like the SQL ones, but held in memory by every
// node, with its position in its snapshot rather than in the database.
// The loop itself (signals, polling, batches) is follow.Follower's.
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
	loop    *follow.Follower
	pending map[string]*jobDraft
	orgs    map[string]string
	saved   int64 // position of the last snapshot

	metrics prometheus.Registerer
	events  atomic.Int64
}

type jobDraft struct {
	orgID   string
	details domain.JobDetails
}

// Index returns the current index (never nil once Start returned).
func (f *Follower) Index() *Index { return f.index.Load() }

// Metrics registers the follower's metrics (when Start runs).
func (f *Follower) Metrics(reg prometheus.Registerer) {
	f.metrics = reg
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "meridian_search_postings", Help: "Live postings in the node's search index."},
		func() float64 {
			if ix := f.Index(); ix != nil {
				return float64(ix.Len())
			}
			return 0
		}))
}

// feed is the follow.Model view of the follower: the index's position,
// and batches applied through the follower's staging.
type feed struct{ f *Follower }

func (m feed) Position() int64 { return m.f.Index().Position() }

func (m feed) Apply(ctx context.Context, evs []eventstore.Event) error {
	return m.f.applyBatch(ctx, evs)
}

func (f *Follower) newLoop() *follow.Follower {
	every := f.SnapshotEvery
	if every <= 0 {
		every = 5 * time.Minute
	}
	return &follow.Follower{Name: "search", DB: f.DB, Broker: f.Broker, Log: f.Log, Model: feed{f}, Poll: f.Poll,
		Every: every, Tick: func() {
			if f.Index().Position() != f.saved {
				if err := f.Save(); err != nil {
					f.Log.Error("search snapshot failed", "err", err)
				}
			}
		},
		Stop: func() {
			if err := f.Save(); err != nil {
				f.Log.Error("search snapshot failed", "err", err)
			}
		}}
}

// Start loads the snapshot (or starts empty) and catches up with the store.
func (f *Follower) Start(ctx context.Context) error {
	f.pending = map[string]*jobDraft{}
	f.orgs = map[string]string{}
	f.loop = f.newLoop()
	if f.metrics != nil {
		f.loop.Metrics(f.metrics)
	}
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
	if err := f.loop.CatchUp(ctx); err != nil {
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
func (f *Follower) Run(ctx context.Context) error { return f.loop.Run(ctx) }

// Save writes the snapshot atomically (temporary file, then rename).
func (f *Follower) Save() error {
	if f.SnapshotPath == "" {
		return nil
	}
	var err error
	f.loop.Locked(func() { err = f.save() })
	return err
}

func (f *Follower) save() error {
	ix := f.Index()
	if err := follow.WriteFileAtomic(f.SnapshotPath, ix.Save); err != nil {
		return err
	}
	f.saved = ix.Position()
	return nil
}

// applyBatch applies one batch of events, coalescing each posting's
// changes into one insert or removal.
func (f *Follower) applyBatch(ctx context.Context, evs []eventstore.Event) error {
	ix := f.Index()
	b := &batch{f: f, ix: ix, staged: map[string]*Doc{}}
	for _, e := range evs {
		if err := b.apply(ctx, e); err != nil {
			return fmt.Errorf("search index: event %d (%s): %w", e.Position, e.Type, err)
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
	return nil
}

// WaitFor blocks until the index has applied position pos or ctx ends.
func (f *Follower) WaitFor(ctx context.Context, pos int64) error { return f.loop.WaitFor(ctx, pos) }

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

// PostedAt is a posting's date in search: when it was posted as its page
// shows it (readmodel.Job.Posted), the source's date for an imported
// posting when earlier than its publication here, so that "newest" and
// postedSince mean what the reader sees.
func PostedAt(d domain.JobDetails, published time.Time) time.Time {
	if !d.PostedAt.IsZero() && (published.IsZero() || d.PostedAt.Before(published)) {
		return d.PostedAt
	}
	return published
}

// doc is a posting as the index holds it, dated by PostedAt.
func (f *Follower) doc(id, orgID string, d domain.JobDetails, published, valid time.Time) Doc {
	published = PostedAt(d, published)
	return Doc{ID: id, OrgID: orgID, OrgName: f.orgs[orgID], Title: d.Title, Description: d.Description,
		Skills: d.Skills, Seniority: d.Seniority, EmploymentType: d.EmploymentType, Salary: d.Salary,
		Eligibility: d.Eligibility, TimeZone: d.TimeZone, PublishedAt: published, ValidThrough: valid}
}

// Rebuild builds a new index from position 0 of the store while the
// current one keeps serving, then swaps it in and rewrites the snapshot.
func (f *Follower) Rebuild(ctx context.Context) error {
	tmp := &Follower{DB: f.DB, Log: f.Log, pending: map[string]*jobDraft{}, orgs: map[string]string{}}
	tmp.loop = tmp.newLoop()
	tmp.index.Store(NewIndex())
	if err := tmp.loop.CatchUp(ctx); err != nil {
		return err
	}
	f.loop.Locked(func() {
		f.pending, f.orgs = tmp.pending, tmp.orgs
		f.index.Store(tmp.Index())
	})
	if err := f.loop.CatchUp(ctx); err != nil {
		return err
	}
	return f.Save()
}
