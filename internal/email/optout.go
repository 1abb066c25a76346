package email

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// AlertTopic is the opt-out topic of one saved search's alert e-mail.
func AlertTopic(savedSearchID string) string { return "alert:" + savedSearchID }

// OptOut records that userID wants no more e-mail of topic (a category,
// or AlertTopic of a saved search with the saved search's version that
// turned its alert off: a later version, the alert turned on again,
// lifts it). It takes effect at once, before the saved-search projection
// has caught up.
func OptOut(ctx context.Context, db *store.DB, userID, topic string, version int64, now time.Time) error {
	_, err := db.Exec(ctx, `INSERT INTO email_optouts (user_id, topic, version, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, topic) DO UPDATE SET version = excluded.version, created_at = excluded.created_at`,
		userID, topic, version, meridian.FormatTime(now))
	return err
}

// optedOut reports whether userID opted out of topic; for an alert topic,
// of the saved search at version (or later).
func optedOut(ctx context.Context, db *store.DB, userID, topic string, version int64) (bool, error) {
	var v int64
	err := db.QueryRow(ctx, `SELECT version FROM email_optouts WHERE user_id = ? AND topic = ?`, userID, topic).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v >= version, nil
}
