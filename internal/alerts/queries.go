package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store"
)

// SavedSearch is the read view of a saved search (its owner's only).
type SavedSearch struct {
	ID      string       `json:"id"`
	OwnerID string       `json:"ownerId"`
	Name    string       `json:"name"`
	Query   search.Query `json:"query"`
	Alert   string       `json:"alert" enum:"instant,daily,off"`
	// FeedToken authorizes the saved search's feeds (feed readers cannot
	// send credentials): keep it secret, rotate it when it leaked.
	FeedToken string    `json:"feedToken"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// Notification is one posting that matched one of a person's saved
// searches (also an entry of that saved search's feed).
type Notification struct {
	ID              string `json:"id"`
	SavedSearchID   string `json:"savedSearchId"`
	SavedSearchName string `json:"savedSearchName"`
	JobID           string `json:"jobId"`
	Title           string `json:"title"`
	OrgName         string `json:"orgName"`
	// Alert is the saved search's alert frequency when the posting matched.
	Alert     string     `json:"alert" enum:"instant,daily,off"`
	CreatedAt time.Time  `json:"createdAt"`
	ReadAt    *time.Time `json:"readAt,omitempty"`
}

// Queries reads the saved-search read model.
type Queries struct{ db *store.DB }

// NewQueries returns Queries over db.
func NewQueries(db *store.DB) *Queries { return &Queries{db: db} }

const savedSearchCols = `id, owner_id, name, query, alert, feed_token, created_at, updated_at, version`

func parseTS(s string) time.Time { t, _ := meridian.ParseTime(s); return t }

func scanSavedSearch(row interface{ Scan(...any) error }) (SavedSearch, error) {
	var s SavedSearch
	var q, c, u string
	if err := row.Scan(&s.ID, &s.OwnerID, &s.Name, &q, &s.Alert, &s.FeedToken, &c, &u, &s.Version); err != nil {
		return s, err
	}
	s.CreatedAt, s.UpdatedAt = parseTS(c), parseTS(u)
	if err := json.Unmarshal([]byte(q), &s.Query); err != nil {
		return s, err
	}
	return s, nil
}

// SavedSearch returns one saved search (ENotFound when absent).
func (q *Queries) SavedSearch(ctx context.Context, id string) (SavedSearch, error) {
	s, err := scanSavedSearch(q.db.QueryRow(ctx, `SELECT `+savedSearchCols+` FROM saved_searches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return SavedSearch{}, meridian.Errorf(meridian.ENotFound, "saved search %s not found", id)
	}
	return s, err
}

// SavedSearches lists a person's saved searches, newest first.
func (q *Queries) SavedSearches(ctx context.Context, ownerID, cursor string, limit int) (readmodel.Page[SavedSearch], error) {
	var page readmodel.Page[SavedSearch]
	after, err := readmodel.DecodeCursor(cursor)
	if err != nil {
		return page, err
	}
	limit = clampLimit(limit)
	cond, args := `owner_id = ?`, []any{ownerID}
	if after != "" {
		cond += ` AND id < ?`
		args = append(args, after)
	}
	rows, err := q.db.Query(ctx, `SELECT `+savedSearchCols+` FROM saved_searches WHERE `+cond+` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanSavedSearch(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, s)
	}
	return finish(page, limit, func(s SavedSearch) string { return s.ID }), rows.Err()
}

const notificationCols = `n.id, n.saved_search_id, COALESCE(s.name, ''), n.job_id, n.title, n.org_name, n.alert, n.created_at, n.read_at`

func scanNotification(row interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var c, r string
	if err := row.Scan(&n.ID, &n.SavedSearchID, &n.SavedSearchName, &n.JobID, &n.Title, &n.OrgName, &n.Alert, &c, &r); err != nil {
		return n, err
	}
	n.CreatedAt = parseTS(c)
	if r != "" {
		t := parseTS(r)
		n.ReadAt = &t
	}
	return n, nil
}

// Notifications lists a person's notifications, newest first: the
// matches of their saved searches whose alerts are not off.
func (q *Queries) Notifications(ctx context.Context, userID, cursor string, limit int) (readmodel.Page[Notification], error) {
	var page readmodel.Page[Notification]
	after, err := readmodel.DecodeCursor(cursor)
	if err != nil {
		return page, err
	}
	limit = clampLimit(limit)
	cond, args := `n.user_id = ? AND n.alert <> ?`, []any{userID, domain.AlertOff}
	if after != "" {
		cond += ` AND n.id < ?`
		args = append(args, after)
	}
	rows, err := q.db.Query(ctx, `SELECT `+notificationCols+` FROM notifications n LEFT JOIN saved_searches s ON s.id = n.saved_search_id
		WHERE `+cond+` ORDER BY n.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, n)
	}
	return finish(page, limit, func(n Notification) string { return n.ID }), rows.Err()
}

// Matches returns the newest matches of one saved search (its feed
// entries), whatever its alert frequency.
func (q *Queries) Matches(ctx context.Context, savedSearchID string, limit int) ([]Notification, error) {
	rows, err := q.db.Query(ctx, `SELECT `+notificationCols+` FROM notifications n LEFT JOIN saved_searches s ON s.id = n.saved_search_id
		WHERE n.saved_search_id = ? ORDER BY n.id DESC LIMIT ?`, savedSearchID, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func clampLimit(n int) int {
	if n <= 0 {
		return 20
	}
	return min(n, 100)
}

func finish[T any](p readmodel.Page[T], limit int, id func(T) string) readmodel.Page[T] {
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.NextCursor = readmodel.EncodeCursor(id(p.Items[limit-1]))
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

// UserNotification is a notification and the person it is for.
type UserNotification struct {
	UserID string
	Notification
}

// MatchesAt returns the notifications one publication or renewal of a
// posting made (the event's time and the posting), for live channels.
// Notification ids start with the event's time (notificationID), so this
// reads a range of the primary key, not the table.
func (q *Queries) MatchesAt(ctx context.Context, jobID string, at time.Time) ([]UserNotification, error) {
	prefix := notificationID(at, "", "")[:18] // time (48 bits), version and sub-millisecond fraction
	rows, err := q.db.Query(ctx, `SELECT n.user_id, `+notificationCols+` FROM notifications n LEFT JOIN saved_searches s ON s.id = n.saved_search_id
		WHERE n.id > ? AND n.id < ? AND n.job_id = ? AND n.alert <> ? ORDER BY n.id`, prefix, prefix+".", jobID, domain.AlertOff)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserNotification
	for rows.Next() {
		var u UserNotification
		var c, r string
		n := &u.Notification
		if err := rows.Scan(&u.UserID, &n.ID, &n.SavedSearchID, &n.SavedSearchName, &n.JobID, &n.Title, &n.OrgName, &n.Alert, &c, &r); err != nil {
			return nil, err
		}
		n.CreatedAt = parseTS(c)
		out = append(out, u)
	}
	return out, rows.Err()
}
