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

// ApplicationUpdate is the message of the applications channels: an
// application received or moved. Ids and stages only (no cover letter, no
// notes): the rest is read through the API, which authorizes.
type ApplicationUpdate struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"` // received or stage_changed
	JobID         string    `json:"jobId"`
	OrgID         string    `json:"orgId"`
	ProfileID     string    `json:"profileId"`
	Stage         string    `json:"stage"`
	PreviousStage string    `json:"previousStage,omitempty"`
	ReasonCode    string    `json:"reasonCode,omitempty"`
	At            time.Time `json:"at"`
}

// Match is the message of a person's matches channel: a new posting that
// matched one of their saved searches (the notification it made).
type Match struct {
	NotificationID string    `json:"notificationId"`
	SavedSearchID  string    `json:"savedSearchId"`
	JobID          string    `json:"jobId"`
	Title          string    `json:"title"`
	OrgName        string    `json:"orgName"`
	At             time.Time `json:"at"`
}

// UserMatch is a Match and the person it is for.
type UserMatch struct {
	UserID string
	Match
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
	Load func(ctx context.Context, id string) ([]eventstore.Event, error)
	// Private makes the feed publish the private channels too (the node's
	// hub does; bridges of public events such as MQTT do not).
	Private bool
	// Matches returns the saved-search matches a publication or renewal
	// made (nil: no matches channel).
	Matches func(ctx context.Context, e eventstore.Event) ([]UserMatch, error)
	pos     atomic.Int64
	drafts  map[string]*domain.JobDraftedEvent
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
	seq := 0
	publish := func(ch string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		seq++
		return f.Publish(Message{ID: e.Position, Seq: seq - 1, Channel: ch, Data: b})
	}
	if err := f.public(ctx, e, publish); err != nil {
		return err
	}
	if f.Private {
		return f.private(ctx, e, publish)
	}
	return nil
}

// public publishes the public channels' messages of e.
func (f *Feed) public(ctx context.Context, e eventstore.Event, publish func(ch string, v any) error) error {
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

// private publishes the private channels' messages of e.
func (f *Feed) private(ctx context.Context, e eventstore.Event, publish func(ch string, v any) error) error {
	switch e.Type {
	case domain.ApplicationSubmitted:
		var p domain.ApplicationSubmittedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		u := ApplicationUpdate{ID: e.StreamID, Type: "received", JobID: p.JobID, OrgID: p.OrgID, ProfileID: p.ProfileID,
			Stage: domain.StageApplied, At: e.Time}
		if err := publish(OrgChannel(p.OrgID, KindApplications), u); err != nil {
			return err
		}
		return publish(UserChannel(p.CandidateID, KindApplications), u)
	case domain.ApplicationStageChanged:
		var c domain.StageChangedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		sub, err := f.submitted(ctx, e.StreamID)
		if err != nil || sub == nil {
			return err
		}
		u := ApplicationUpdate{ID: e.StreamID, Type: "stage_changed", JobID: sub.JobID, OrgID: sub.OrgID, ProfileID: sub.ProfileID,
			Stage: c.To, PreviousStage: c.From, ReasonCode: c.ReasonCode, At: e.Time}
		if err := publish(OrgChannel(sub.OrgID, KindApplications), u); err != nil {
			return err
		}
		return publish(UserChannel(sub.CandidateID, KindApplications), u)
	case domain.JobPublished, domain.JobRenewed:
		if f.Matches == nil {
			return nil
		}
		ms, err := f.Matches(ctx, e)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := publish(UserChannel(m.UserID, KindMatches), m.Match); err != nil {
				return err
			}
		}
	}
	return nil
}

// submitted reads an application's submission (who, for which posting)
// from its stream: stage changes do not repeat it.
func (f *Feed) submitted(ctx context.Context, id string) (*domain.ApplicationSubmittedEvent, error) {
	if f.Load == nil {
		return nil, nil
	}
	evs, err := f.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, x := range evs {
		if x.Type == domain.ApplicationSubmitted {
			var p domain.ApplicationSubmittedEvent
			if err := json.Unmarshal(x.Payload, &p); err != nil {
				return nil, err
			}
			return &p, nil
		}
	}
	return nil, nil
}
