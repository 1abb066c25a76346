package realtime

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
)

// NewJob is the message of ChanJobsNew: the public facts of a posting.
type NewJob struct {
	ID          string                    `json:"id"`
	OrgID       string                    `json:"orgId"`
	Title       string                    `json:"title"`
	Skills      []domain.SkillRequirement `json:"skills"`
	Seniority   string                    `json:"seniority,omitempty"`
	Salary      *domain.Salary            `json:"salary,omitempty"`
	Eligibility domain.Eligibility        `json:"eligibility"`
	PublishedAt time.Time                 `json:"publishedAt"`
}

// ClosedJob is the message of ChanJobsClosed.
type ClosedJob struct {
	ID     string    `json:"id"`
	Status string    `json:"status"` // closed or expired
	At     time.Time `json:"at"`
}

// Feed turns the event stream into channel messages (a follow.Model): a
// posting's first publication goes to jobs.new, its closing or expiry to
// jobs.closed. It keeps the drafts it has seen until they are published.
type Feed struct {
	// Publish receives each message (Hub.Publish, or a bridge such as
	// MQTT); an error stops the batch, which is applied again later.
	Publish func(Message) error
	// Load reads a posting's stream: for a posting drafted before this
	// feed started (store.DB.Load).
	Load   func(ctx context.Context, id string) ([]eventstore.Event, error)
	pos    atomic.Int64
	drafts map[string]*domain.JobDraftedEvent
}

// NewFeed returns a feed publishing to hub from position after on (the
// store's head when a node starts: live subscribers want what happens
// from now on).
func NewFeed(hub *Hub, load func(ctx context.Context, id string) ([]eventstore.Event, error), after int64) *Feed {
	return NewFeedTo(func(m Message) error { hub.Publish(m); return nil }, load, after)
}

// NewFeedTo returns a feed handing its messages to publish.
func NewFeedTo(publish func(Message) error, load func(ctx context.Context, id string) ([]eventstore.Event, error), after int64) *Feed {
	f := &Feed{Publish: publish, Load: load, drafts: map[string]*domain.JobDraftedEvent{}}
	f.pos.Store(after)
	return f
}

// Position implements follow.Model.
func (f *Feed) Position() int64 { return f.pos.Load() }

// Apply implements follow.Model.
func (f *Feed) Apply(ctx context.Context, evs []eventstore.Event) error {
	for _, e := range evs {
		if e.Position <= f.pos.Load() {
			continue
		}
		if err := f.apply(ctx, e); err != nil {
			return err
		}
		f.pos.Store(e.Position)
	}
	return nil
}

func (f *Feed) apply(ctx context.Context, e eventstore.Event) error {
	publish := func(ch string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return f.Publish(Message{ID: e.Position, Channel: ch, Data: b})
	}
	switch e.Type {
	case domain.JobDrafted:
		var p domain.JobDraftedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		f.drafts[e.StreamID] = &p
	case domain.JobUpdated:
		if d, ok := f.drafts[e.StreamID]; ok {
			return json.Unmarshal(e.Payload, &d.Details)
		}
	case domain.JobPublished:
		d, ok := f.drafts[e.StreamID]
		if !ok {
			var err error
			if d, err = f.drafted(ctx, e); d == nil || err != nil {
				return err
			}
		}
		delete(f.drafts, e.StreamID)
		return publish(ChanJobsNew, NewJob{ID: e.StreamID, OrgID: d.OrgID, Title: d.Details.Title, Skills: d.Details.Skills,
			Seniority: d.Details.Seniority, Salary: d.Details.Salary, Eligibility: d.Details.Eligibility, PublishedAt: e.Time})
	case domain.JobClosed, domain.JobExpired:
		delete(f.drafts, e.StreamID)
		status := domain.StatusClosed
		if e.Type == domain.JobExpired {
			status = domain.StatusExpired
		}
		return publish(ChanJobsClosed, ClosedJob{ID: e.StreamID, Status: status, At: e.Time})
	}
	return nil
}

// drafted returns a posting's details as of its publication e when the
// feed did not see its draft: from the posting's stream up to e; nil when
// e is not its first publication (a renewal is no new posting).
func (f *Feed) drafted(ctx context.Context, e eventstore.Event) (*domain.JobDraftedEvent, error) {
	if f.Load == nil {
		return nil, nil
	}
	evs, err := f.Load(ctx, e.StreamID)
	if err != nil {
		return nil, err
	}
	var d *domain.JobDraftedEvent
	for _, x := range evs {
		if x.Version >= e.Version {
			break
		}
		switch x.Type {
		case domain.JobDrafted:
			d = &domain.JobDraftedEvent{}
			if err := json.Unmarshal(x.Payload, d); err != nil {
				return nil, err
			}
		case domain.JobUpdated:
			if d != nil {
				if err := json.Unmarshal(x.Payload, &d.Details); err != nil {
					return nil, err
				}
			}
		case domain.JobPublished:
			return nil, nil // published before: e is not the first publication
		}
	}
	return d, nil
}
