package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/webhook"
)

// Delivery is one message to one endpoint, with its attempts.
type Delivery struct {
	ID         string
	OrgID      string
	EndpointID string
	EventID    string
	// ReplayOf is the delivery this one replays ("" for the original).
	ReplayOf  string
	Type      string // webhook event name
	MessageID string // webhook-id
	Payload   json.RawMessage
	Status    string
	// NextAttemptAt is when a pending delivery is due (zero: now).
	NextAttemptAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Attempts      []Attempt
}

// Attempt is one try to deliver.
type Attempt struct {
	N          int
	At         time.Time
	StatusCode int    // 0 when there was no response
	Error      string // transport error or "HTTP <code>"
	Duration   time.Duration
}

const deliveryColumns = `id, org_id, endpoint_id, event_id, replay_of, event_type, message_id, payload, status, next_attempt_at, created_at, updated_at`

func scanDelivery(r scanner) (Delivery, error) {
	var d Delivery
	var payload, next, created, updated string
	if err := r.Scan(&d.ID, &d.OrgID, &d.EndpointID, &d.EventID, &d.ReplayOf, &d.Type, &d.MessageID, &payload, &d.Status, &next, &created, &updated); err != nil {
		return Delivery{}, err
	}
	d.Payload = json.RawMessage(payload)
	d.NextAttemptAt, _ = meridian.ParseTime(next)
	d.CreatedAt, _ = meridian.ParseTime(created)
	d.UpdatedAt, _ = meridian.ParseTime(updated)
	return d, nil
}

// Deliveries returns the endpoint's deliveries, newest first, at most limit
// (1..500, default 50), each with its attempts in order: the delivery log.
func (s *Endpoints) Deliveries(ctx context.Context, orgID, endpointID string, limit int) ([]Delivery, error) {
	db := s.DB
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE org_id = ? AND endpoint_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		orgID, endpointID, limit)
	if err != nil {
		return nil, err
	}
	var out []Delivery
	index := map[string]int{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[d.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	oldest := meridian.FormatTime(out[len(out)-1].CreatedAt)
	arows, err := db.Query(ctx, `SELECT a.delivery_id, a.attempt, a.at, a.status_code, a.error, a.duration_ms FROM webhook_attempts a
		JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = ? AND d.created_at >= ? ORDER BY a.delivery_id, a.attempt`, endpointID, oldest)
	if err != nil {
		return nil, err
	}
	defer arows.Close()
	for arows.Next() {
		var id, at string
		var a Attempt
		var ms int64
		if err := arows.Scan(&id, &a.N, &at, &a.StatusCode, &a.Error, &ms); err != nil {
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		a.At, _ = meridian.ParseTime(at)
		a.Duration = time.Duration(ms) * time.Millisecond
		out[i].Attempts = append(out[i].Attempts, a)
	}
	return out, arows.Err()
}

// Replay sends a dead or delivered delivery again: it enqueues a new pending
// delivery with the same payload and a new webhook-id, due now, and returns
// it. A replay of a delivery whose endpoint is disabled is refused.
func (s *Endpoints) Replay(ctx context.Context, orgID, deliveryID string) (Delivery, error) {
	db, now := s.DB, s.now()
	var out Delivery
	err := db.InTx(ctx, func(tx *store.Tx) error {
		src, err := scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE org_id = ? AND id = ?`, orgID, deliveryID))
		if errors.Is(err, sql.ErrNoRows) {
			return meridian.Errorf(meridian.ENotFound, "webhook delivery %s not found", deliveryID)
		}
		if err != nil {
			return err
		}
		if src.Status != StatusDead && src.Status != StatusDelivered {
			return meridian.Errorf(meridian.ERule, "only a dead or delivered delivery can be replayed (this one is %s)", src.Status)
		}
		var disabledAt string
		if err := tx.QueryRow(ctx, `SELECT disabled_at FROM webhook_endpoints WHERE id = ?`, src.EndpointID).Scan(&disabledAt); err != nil {
			return err
		}
		if disabledAt != "" {
			return meridian.Errorf(meridian.ERule, "the webhook endpoint is disabled")
		}
		msgID, err := webhook.NewID()
		if err != nil {
			return err
		}
		ts := meridian.FormatTime(now)
		out = Delivery{ID: meridian.NewID(), OrgID: orgID, EndpointID: src.EndpointID, EventID: src.EventID, ReplayOf: src.ID,
			Type: src.Type, MessageID: msgID, Payload: src.Payload, Status: StatusPending, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
		_, err = tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event_id, replay_id, replay_of, event_type, message_id, payload, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.ID, orgID, out.EndpointID, out.EventID, out.ID, src.ID, out.Type, msgID, string(src.Payload), StatusPending, ts, ts)
		return err
	})
	return out, err
}
