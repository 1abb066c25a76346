package email

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// ref is what an outbox row is about: ids only.
type ref struct {
	NotificationID  string   `json:"notificationId,omitempty"`  // alert
	NotificationIDs []string `json:"notificationIds,omitempty"` // digest
	Day             string   `json:"day,omitempty"`             // digest: YYYY-MM-DD
	ApplicationID   string   `json:"applicationId,omitempty"`   // application
	JobID           string   `json:"jobId,omitempty"`
	EventID         string   `json:"eventId,omitempty"`
	From            string   `json:"from,omitempty"`
	To              string   `json:"to,omitempty"`
}

// insert adds an e-mail to the outbox unless one with the same source is
// there already (the source makes enqueueing idempotent).
func insert(ctx context.Context, tx *store.Tx, source, kind, userID string, r ref, now time.Time) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	id := meridian.DerivedID("email", source)
	ts := meridian.FormatTime(now)
	_, err = tx.Exec(ctx, `INSERT INTO email_outbox (id, source, kind, user_id, ref, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO NOTHING`, id, source, kind, userID, string(b), StatusPending, ts, ts)
	return id, err
}

// enqueueApplications turns the application events after the cursor into
// e-mails to their candidates, advancing the cursor in the same
// transaction.
func (w *Worker) enqueueApplications(ctx context.Context) error {
	for {
		pos, err := w.db.Cursor(ctx, CursorApplications)
		if err != nil {
			return err
		}
		evs, err := w.db.ReadAll(ctx, pos, batchSize)
		if err != nil || len(evs) == 0 {
			return err
		}
		type pending struct {
			source, user string
			r            ref
		}
		var out []pending
		for _, e := range evs {
			if e.Type != domain.ApplicationStageChanged {
				continue
			}
			var p domain.StageChangedEvent
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("email: %s %s: %w", e.Type, e.ID, err)
			}
			candidate, jobID, err := w.applicationOf(ctx, e.StreamID)
			if err != nil {
				return err
			}
			// The candidate moving their own application (withdrawing) needs no e-mail.
			if candidate == "" || candidate == e.Actor {
				continue
			}
			out = append(out, pending{source: "application:" + e.ID, user: candidate,
				r: ref{ApplicationID: e.StreamID, JobID: jobID, EventID: e.ID, From: p.From, To: p.To}})
		}
		last := evs[len(evs)-1].Position
		now := w.now()
		err = w.db.InTx(ctx, func(tx *store.Tx) error {
			cur, err := tx.LockCursor(ctx, CursorApplications)
			if err != nil {
				return err
			}
			if cur != pos {
				return nil // another worker moved on meanwhile: read again
			}
			for _, p := range out {
				if _, err := insert(ctx, tx, p.source, KindApplication, p.user, p.r, now); err != nil {
					return err
				}
			}
			return tx.SetCursor(ctx, CursorApplications, last)
		})
		if err != nil {
			return err
		}
		if len(evs) < batchSize {
			return nil
		}
	}
}

// applicationOf returns the candidate and the job of an application.
func (w *Worker) applicationOf(ctx context.Context, applicationID string) (candidate, jobID string, err error) {
	evs, err := w.db.Load(ctx, applicationID)
	if err != nil {
		return "", "", err
	}
	for _, e := range evs {
		if e.Type == domain.ApplicationSubmitted {
			var p domain.ApplicationSubmittedEvent
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return "", "", err
			}
			return p.CandidateID, p.JobID, nil
		}
	}
	return "", "", nil
}

// since is the earliest match time e-mailed at now: when e-mail was
// enabled, and no more than lookback ago.
func (w *Worker) since(ctx context.Context, now time.Time) (time.Time, error) {
	ms, err := w.db.Cursor(ctx, CursorSince)
	if err != nil {
		return time.Time{}, err
	}
	s := time.UnixMilli(ms).UTC()
	if b := now.Add(-lookback); s.Before(b) {
		s = b
	}
	return s, nil
}

// idBound is the smallest notification id of a match at t or later:
// notification ids are UUIDv7, ordered by their match time in
// milliseconds, and compare as text.
func idBound(t time.Time) string {
	ms := t.UnixMilli()
	if ms < 0 {
		ms = 0
	}
	return fmt.Sprintf("%08x-%04x-0000-0000-000000000000", ms>>16, ms&0xffff)
}

// enqueueAlerts adds an e-mail per instant-alert match since since() not
// e-mailed yet.
func (w *Worker) enqueueAlerts(ctx context.Context) error {
	now := w.now()
	since, err := w.since(ctx, now)
	if err != nil {
		return err
	}
	for {
		rows, err := w.db.Query(ctx, `SELECT n.id, n.user_id FROM notifications n
			WHERE n.id >= ? AND n.alert = ?
			AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.source = 'alert:' || n.id)
			ORDER BY n.id LIMIT ?`, idBound(since), domain.AlertInstant, batchSize)
		if err != nil {
			return err
		}
		type match struct{ id, user string }
		var ms []match
		for rows.Next() {
			var m match
			if err := rows.Scan(&m.id, &m.user); err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ms) == 0 {
			return err
		}
		if err := w.db.InTx(ctx, func(tx *store.Tx) error {
			for _, m := range ms {
				if _, err := insert(ctx, tx, "alert:"+m.id, KindAlert, m.user, ref{NotificationID: m.id}, now); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if len(ms) < batchSize {
			return nil
		}
	}
}

// dueDay is the latest day (days since 1970-01-01) whose digest hour is at
// or before now.
func dueDay(now time.Time, hour int) int64 {
	return now.Add(-time.Duration(hour)*time.Hour).Unix() / 86400
}

// digestEnd is the time a day's digest is due: that day at hour, UTC.
func digestEnd(day int64, hour int) time.Time {
	return time.Unix(day*86400, 0).UTC().Add(time.Duration(hour) * time.Hour)
}

// enqueueDigests builds the digests of the latest due day when not built
// yet: per person, the daily-alert matches before the digest hour that no
// digest listed (a match the alerts projection recorded late goes into
// the next one). A day missed while no node ran is not made up for; its
// matches (up to lookback) go into the next digest.
func (w *Worker) enqueueDigests(ctx context.Context) error {
	now := w.now()
	day := dueDay(now, w.cfg.DigestHour)
	done, err := w.db.Cursor(ctx, CursorDigest)
	if err != nil || done >= day {
		return err
	}
	end := digestEnd(day, w.cfg.DigestHour)
	since, err := w.since(ctx, end)
	if err != nil {
		return err
	}
	rows, err := w.db.Query(ctx, `SELECT n.id, n.user_id FROM notifications n
		WHERE n.id >= ? AND n.id < ? AND n.alert = ?
		AND NOT EXISTS (SELECT 1 FROM email_digest_items d WHERE d.notification_id = n.id)
		ORDER BY n.user_id, n.id`, idBound(since), idBound(end), domain.AlertDaily)
	if err != nil {
		return err
	}
	var users []string
	byUser := map[string][]string{}
	for rows.Next() {
		var id, user string
		if err := rows.Scan(&id, &user); err != nil {
			rows.Close()
			return err
		}
		if byUser[user] == nil {
			users = append(users, user)
		}
		byUser[user] = append(byUser[user], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	date := end.Format(time.DateOnly)
	return w.db.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockCursor(ctx, CursorDigest)
		if err != nil || cur >= day {
			return err
		}
		for _, u := range users {
			id, err := insert(ctx, tx, "digest:"+u+":"+date, KindDigest, u, ref{NotificationIDs: byUser[u], Day: date}, now)
			if err != nil {
				return err
			}
			for _, n := range byUser[u] {
				if _, err := tx.Exec(ctx, `INSERT INTO email_digest_items (notification_id, email_id) VALUES (?, ?) ON CONFLICT (notification_id) DO NOTHING`, n, id); err != nil {
					return err
				}
			}
		}
		if len(users) > 0 {
			w.log.Info("daily digests queued", "day", date, "people", len(users))
		}
		return tx.SetCursor(ctx, CursorDigest, day)
	})
}
