// Package delivery delivers organizations' outgoing webhooks: it stores the
// endpoints (Endpoints), enqueues one delivery per subscribed endpoint for
// each relevant domain event inside a projection transaction (Enqueuer),
// POSTs due deliveries signed per Standard Webhooks with retries and a dead
// letter (Dispatcher), and lists and replays them (Replay, Deliveries).
package delivery

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/webhook"
)

// Webhook event names an endpoint can subscribe to.
const (
	EventApplicationReceived     = "application.received"
	EventApplicationStageChanged = "application.stage_changed"
	EventJobPublished            = "job.published"
	EventJobClosed               = "job.closed"
	EventJobExpired              = "job.expired"
)

// EventNames lists every webhook event name.
var EventNames = []string{EventApplicationReceived, EventApplicationStageChanged, EventJobPublished, EventJobClosed, EventJobExpired}

// DefaultRotationWindow is how long a rotated-out secret keeps signing.
const DefaultRotationWindow = 24 * time.Hour

// MaxURLLength bounds endpoint URLs.
const MaxURLLength = 2048

// Endpoint is an organization's webhook receiver. Its secret is returned
// only by Create and RotateSecret.
type Endpoint struct {
	ID    string
	OrgID string
	URL   string
	// Events are the subscribed event names; empty means all.
	Events         []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DisabledAt     time.Time // zero while enabled
	DisabledReason string
	// PreviousSecretUntil is when the secret replaced by the last rotation
	// stops signing (zero when there is none).
	PreviousSecretUntil time.Time
}

// Disabled reports whether the endpoint no longer receives deliveries.
func (e Endpoint) Disabled() bool { return !e.DisabledAt.IsZero() }

// Subscribed reports whether the endpoint wants events named name.
func (e Endpoint) Subscribed(name string) bool {
	return len(e.Events) == 0 || slices.Contains(e.Events, name)
}

// Endpoints stores webhook endpoints. Secrets are stored as given (whsec_
// strings); sealing them with the keyring is a follow-up.
type Endpoints struct {
	DB *store.DB
	// Now is the clock (default time.Now).
	Now func() time.Time
	// RotationWindow is how long the previous secret keeps signing after
	// RotateSecret (default DefaultRotationWindow).
	RotationWindow time.Duration
}

func (s *Endpoints) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ValidateURL checks an endpoint URL: absolute https:// (or http://, for
// local testing) with a host and no user information.
func ValidateURL(raw string) error {
	if raw == "" || len(raw) > MaxURLLength {
		return meridian.Errorf(meridian.EInvalid, "webhook URL must be 1 to %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return meridian.Errorf(meridian.EInvalid, "webhook URL does not parse: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return meridian.Errorf(meridian.EInvalid, "webhook URL must start with https:// (or http:// for local testing)")
	}
	if u.Host == "" || u.Hostname() == "" {
		return meridian.Errorf(meridian.EInvalid, "webhook URL has no host")
	}
	if u.User != nil {
		return meridian.Errorf(meridian.EInvalid, "webhook URL must not hold user information")
	}
	return nil
}

// normalizeEvents validates event names; nil, [] and ["*"] mean all.
func normalizeEvents(events []string) ([]string, error) {
	var out []string
	for _, e := range events {
		e = strings.TrimSpace(e)
		if e == "*" {
			return nil, nil
		}
		if !slices.Contains(EventNames, e) {
			return nil, meridian.Errorf(meridian.EInvalid, "unknown webhook event %q (want one of %s or *)", e, strings.Join(EventNames, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Create registers an endpoint and returns it with its new secret.
func (s *Endpoints) Create(ctx context.Context, orgID, rawURL string, events []string) (Endpoint, string, error) {
	if orgID == "" {
		return Endpoint{}, "", meridian.Errorf(meridian.EInvalid, "organization required")
	}
	if err := ValidateURL(rawURL); err != nil {
		return Endpoint{}, "", err
	}
	evs, err := normalizeEvents(events)
	if err != nil {
		return Endpoint{}, "", err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return Endpoint{}, "", err
	}
	now := s.now()
	ep := Endpoint{ID: meridian.NewID(), OrgID: orgID, URL: rawURL, Events: evs, CreatedAt: now, UpdatedAt: now}
	sealed, err := sealSecret(s.DB, ep.ID, secret)
	if err != nil {
		return Endpoint{}, "", err
	}
	_, err = s.DB.Exec(ctx, `INSERT INTO webhook_endpoints (id, org_id, url, events, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ep.ID, orgID, rawURL, strings.Join(evs, ","), sealed, meridian.FormatTime(now), meridian.FormatTime(now))
	if err != nil {
		return Endpoint{}, "", err
	}
	return ep, secret, nil
}

const endpointColumns = `id, org_id, url, events, prev_until, disabled_at, disabled_reason, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanEndpoint(r scanner) (Endpoint, error) {
	var ep Endpoint
	var events, prevUntil, disabledAt, created, updated string
	if err := r.Scan(&ep.ID, &ep.OrgID, &ep.URL, &events, &prevUntil, &disabledAt, &ep.DisabledReason, &created, &updated); err != nil {
		return Endpoint{}, err
	}
	if events != "" {
		ep.Events = strings.Split(events, ",")
	}
	ep.PreviousSecretUntil, _ = meridian.ParseTime(prevUntil)
	ep.DisabledAt, _ = meridian.ParseTime(disabledAt)
	ep.CreatedAt, _ = meridian.ParseTime(created)
	ep.UpdatedAt, _ = meridian.ParseTime(updated)
	return ep, nil
}

// List returns the organization's endpoints, oldest first.
func (s *Endpoints) List(ctx context.Context, orgID string) ([]Endpoint, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = ? ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		ep, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ep)
	}
	return out, rows.Err()
}

// Get returns one endpoint of the organization (ENotFound otherwise).
func (s *Endpoints) Get(ctx context.Context, orgID, id string) (Endpoint, error) {
	ep, err := scanEndpoint(s.DB.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = ? AND id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Endpoint{}, meridian.Errorf(meridian.ENotFound, "webhook endpoint %s not found", id)
	}
	return ep, err
}

// Delete removes an endpoint with its deliveries and their attempts.
func (s *Endpoints) Delete(ctx context.Context, orgID, id string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE org_id = ? AND id = ?`, orgID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return meridian.Errorf(meridian.ENotFound, "webhook endpoint %s not found", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = ?`, id)
		return err
	})
}

// Disable stops deliveries to an endpoint: no new ones are enqueued and its
// pending ones end with status StatusEndpointDisabled.
func (s *Endpoints) Disable(ctx context.Context, orgID, id, reason string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		return disable(ctx, tx, orgID, id, reason, s.now())
	})
}

func disable(ctx context.Context, tx *store.Tx, orgID, id, reason string, now time.Time) error {
	ts := meridian.FormatTime(now)
	res, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET disabled_at = CASE WHEN disabled_at = '' THEN ? ELSE disabled_at END, disabled_reason = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		ts, reason, ts, orgID, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return meridian.Errorf(meridian.ENotFound, "webhook endpoint %s not found", id)
	}
	_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, updated_at = ? WHERE endpoint_id = ? AND status = ?`,
		StatusEndpointDisabled, ts, id, StatusPending)
	return err
}

// Enable lets a disabled endpoint (after a 410, or by hand) receive
// deliveries again, from the next event on; deliveries that ended with
// status endpoint_disabled can be replayed one by one.
func (s *Endpoints) Enable(ctx context.Context, orgID, id string) error {
	res, err := s.DB.Exec(ctx, `UPDATE webhook_endpoints SET disabled_at = '', disabled_reason = '', updated_at = ? WHERE org_id = ? AND id = ?`,
		meridian.FormatTime(s.now()), orgID, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return meridian.Errorf(meridian.ENotFound, "webhook endpoint %s not found", id)
	}
	return nil
}

// RotateSecret gives the endpoint a new secret and returns it. The previous
// secret keeps signing too (both signatures are sent) for RotationWindow.
func (s *Endpoints) RotateSecret(ctx context.Context, orgID, id string) (string, error) {
	secret, err := webhook.NewSecret()
	if err != nil {
		return "", err
	}
	window := s.RotationWindow
	if window <= 0 {
		window = DefaultRotationWindow
	}
	now := s.now()
	sealed, err := sealSecret(s.DB, id, secret)
	if err != nil {
		return "", err
	}
	res, err := s.DB.Exec(ctx, `UPDATE webhook_endpoints SET prev_secret = secret, prev_until = ?, secret = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		meridian.FormatTime(now.Add(window)), sealed, meridian.FormatTime(now), orgID, id)
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return "", meridian.Errorf(meridian.ENotFound, "webhook endpoint %s not found", id)
	}
	return secret, nil
}

// Endpoint secrets are sealed at rest under the master key (they must be
// read back to sign, so they cannot be hashed like API keys), bound to
// their endpoint: a copied row does not sign for another endpoint.
const sealedPrefix = "sealed:"

func sealSecret(db *store.DB, endpointID, secret string) (string, error) {
	b, err := db.Keyring().SealSecret("webhook:"+endpointID, []byte(secret))
	if err != nil {
		return "", err
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(b), nil
}

// openSecret returns a stored secret in the clear (rows written before
// sealing are plain).
func openSecret(db *store.DB, endpointID, stored string) (string, error) {
	enc, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("webhook endpoint %s: sealed secret: %w", endpointID, err)
	}
	plain, err := db.Keyring().OpenSecret("webhook:"+endpointID, b)
	if err != nil {
		return "", fmt.Errorf("webhook endpoint %s: sealed secret: %w", endpointID, err)
	}
	return string(plain), nil
}
