package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Delivery statuses.
const (
	StatusPending          = "pending"
	StatusDelivered        = "delivered"
	StatusDead             = "dead"              // every scheduled attempt failed: the dead letter
	StatusEndpointDisabled = "endpoint_disabled" // the endpoint answered 410 or was disabled
)

// Payload is the JSON body of a webhook. Data holds identifiers and stages
// only, never personal data (cover letters, notes, names).
type Payload struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"` // RFC 3339
	Data      map[string]any `json:"data"`
}

// Enqueuer is the projection ("webhook-deliveries") that turns domain events
// into pending deliveries, in the projection's transaction, so each event
// is enqueued exactly once per endpoint.
type Enqueuer struct{}

// Name implements projection.Handler.
func (Enqueuer) Name() string { return "webhook-deliveries" }

// Reset implements projection.Handler. It forgets the stream → organization
// map only: deliveries are a log, and a rebuild does not enqueue them again
// (UNIQUE(endpoint_id, event_id) and the endpoint's creation time).
func (Enqueuer) Reset(ctx context.Context, tx *store.Tx) error {
	_, err := tx.Exec(ctx, `DELETE FROM webhook_streams`)
	return err
}

// Apply implements projection.Handler.
func (Enqueuer) Apply(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	var name, orgID string
	data := map[string]any{}
	switch e.Type {
	case domain.JobDrafted:
		var p domain.JobDraftedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("webhook-deliveries: %s %s: %w", e.Type, e.ID, err)
		}
		return remember(ctx, tx, e.StreamID, p.OrgID, "")
	case domain.ApplicationSubmitted:
		var p domain.ApplicationSubmittedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("webhook-deliveries: %s %s: %w", e.Type, e.ID, err)
		}
		if err := remember(ctx, tx, e.StreamID, p.OrgID, p.JobID); err != nil {
			return err
		}
		name, orgID = EventApplicationReceived, p.OrgID
		data["applicationId"], data["jobId"], data["stage"] = e.StreamID, p.JobID, domain.StageApplied
	case domain.ApplicationStageChanged:
		var p domain.StageChangedEvent
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("webhook-deliveries: %s %s: %w", e.Type, e.ID, err)
		}
		org, job, err := lookup(ctx, tx, e.StreamID)
		if err != nil || org == "" {
			return err
		}
		name, orgID = EventApplicationStageChanged, org
		data["applicationId"], data["jobId"], data["from"], data["stage"] = e.StreamID, job, p.From, p.To
	case domain.JobPublished, domain.JobClosed, domain.JobExpired:
		org, _, err := lookup(ctx, tx, e.StreamID)
		if err != nil || org == "" {
			return err
		}
		name, orgID = strings.TrimSuffix(e.Type, ".v1"), org
		data["jobId"] = e.StreamID
	default:
		return nil
	}
	body, err := json.Marshal(Payload{Type: name, Timestamp: e.Time.UTC().Format(time.RFC3339), Data: data})
	if err != nil {
		return err
	}
	eps, err := subscribers(ctx, tx, orgID, name, e.Time)
	if err != nil {
		return err
	}
	created := meridian.FormatTime(e.Time)
	for _, epID := range eps {
		_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event_id, event_type, message_id, payload, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id, event_id, replay_id) DO NOTHING`,
			meridian.DerivedID("webhook-delivery", e.ID, epID), orgID, epID, e.ID, name, MessageID(e.ID, epID), string(body), StatusPending, created, created)
		if err != nil {
			return err
		}
	}
	return nil
}

// MessageID is the webhook-id of the delivery of an event to an endpoint:
// stable, so that receivers can drop duplicates across retries.
func MessageID(eventID, endpointID string) string {
	return "msg_" + strings.ReplaceAll(meridian.DerivedID("webhook-message", eventID, endpointID), "-", "")
}

func remember(ctx context.Context, tx *store.Tx, streamID, orgID, jobID string) error {
	if orgID == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhook_streams (stream_id, org_id, job_id) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO NOTHING`, streamID, orgID, jobID)
	return err
}

// lookup returns the organization (and job) of a stream; "" when unknown.
func lookup(ctx context.Context, tx *store.Tx, streamID string) (org, job string, err error) {
	rows, err := tx.Query(ctx, `SELECT org_id, job_id FROM webhook_streams WHERE stream_id = ?`, streamID)
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&org, &job); err != nil {
			return "", "", err
		}
	}
	return org, job, rows.Err()
}

// subscribers returns the enabled endpoints of orgID subscribed to name that
// existed when the event happened (so that a projection rebuild does not
// send a new endpoint the whole history).
func subscribers(ctx context.Context, tx *store.Tx, orgID, name string, at time.Time) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT id, events FROM webhook_endpoints WHERE org_id = ? AND disabled_at = '' AND created_at <= ? ORDER BY id`,
		orgID, meridian.FormatTime(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, events string
		if err := rows.Scan(&id, &events); err != nil {
			return nil, err
		}
		ep := Endpoint{}
		if events != "" {
			ep.Events = strings.Split(events, ",")
		}
		if ep.Subscribed(name) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}
