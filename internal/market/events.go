package market

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/store"
)

// Apply applies events in position order; events at or before the
// model's position are skipped, so a batch may be applied twice.
func (m *Model) Apply(_ context.Context, evs []eventstore.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range evs {
		if e.Position != 0 && e.Position <= m.pos {
			continue
		}
		if err := m.apply(e); err != nil {
			return fmt.Errorf("market: event %d (%s): %w", e.Position, e.Type, err)
		}
		if e.Position != 0 {
			m.pos = e.Position
		}
	}
	return nil
}

func (m *Model) apply(e eventstore.Event) error {
	switch e.Type {
	case domain.JobDrafted:
		var p domain.JobDraftedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if _, known := m.ord[e.StreamID]; !known {
			m.pending[e.StreamID] = &draft{org: p.OrgID, details: p.Details}
		}
	case domain.JobUpdated:
		var d domain.JobDetails
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			return err
		}
		m.update(e.StreamID, d)
	case domain.JobPublished, domain.JobRenewed:
		var p domain.JobStatusEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if len(m.posts) == math.MaxUint32 {
			return fmt.Errorf("more than %d postings", uint32(math.MaxUint32))
		}
		m.publish(e.StreamID, e.Time, p.ValidThrough)
	case domain.JobClosed, domain.JobExpired:
		m.close(e.StreamID)
	case domain.ApplicationSubmitted:
		var p domain.ApplicationSubmittedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		m.submit(e.StreamID, p.JobID, e.Time)
	case domain.ApplicationStageChanged:
		var p domain.StageChangedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		m.stage(e.StreamID, p.To, e.Time)
	}
	return nil
}

// Build reads db's whole event stream into a new model (for commands that
// run without a server, such as the report).
func Build(ctx context.Context, db *store.DB) (*Model, error) {
	m := NewModel()
	f := &follow.Follower{Name: "market", DB: db, Model: m, Batch: 5000}
	return m, f.CatchUp(ctx)
}
