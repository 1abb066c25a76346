package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
)

// Outgoing webhooks are an organization's credentials-like settings: its
// admins and owners (people only) manage them, as they do API keys.

// WebhookEndpoint is the API's view of an endpoint (never its secret).
type WebhookEndpoint struct {
	ID                  string     `json:"id"`
	OrgID               string     `json:"orgId"`
	URL                 string     `json:"url"`
	Events              []string   `json:"events" doc:"subscribed event names; empty: all"`
	CreatedAt           time.Time  `json:"createdAt"`
	DisabledAt          *time.Time `json:"disabledAt,omitempty"`
	DisabledReason      string     `json:"disabledReason,omitempty"`
	PreviousSecretUntil *time.Time `json:"previousSecretUntil,omitempty" doc:"until when the secret replaced by the last rotation still signs"`
}

// WebhookAttempt is one try of a delivery.
type WebhookAttempt struct {
	N          int       `json:"n"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"statusCode,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"durationMs"`
}

// WebhookDelivery is one message to one endpoint, with its attempts.
type WebhookDelivery struct {
	ID            string           `json:"id"`
	EndpointID    string           `json:"endpointId"`
	Type          string           `json:"type"`
	MessageID     string           `json:"messageId" doc:"the webhook-id header"`
	Status        string           `json:"status" doc:"pending, delivered, dead or endpoint_disabled"`
	ReplayOf      string           `json:"replayOf,omitempty"`
	Payload       json.RawMessage  `json:"payload"`
	NextAttemptAt *time.Time       `json:"nextAttemptAt,omitempty"`
	CreatedAt     time.Time        `json:"createdAt"`
	Attempts      []WebhookAttempt `json:"attempts"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func endpointView(e delivery.Endpoint) WebhookEndpoint {
	ev := e.Events
	if ev == nil {
		ev = []string{}
	}
	return WebhookEndpoint{ID: e.ID, OrgID: e.OrgID, URL: e.URL, Events: ev, CreatedAt: e.CreatedAt,
		DisabledAt: optTime(e.DisabledAt), DisabledReason: e.DisabledReason, PreviousSecretUntil: optTime(e.PreviousSecretUntil)}
}

func deliveryView(d delivery.Delivery) WebhookDelivery {
	v := WebhookDelivery{ID: d.ID, EndpointID: d.EndpointID, Type: d.Type, MessageID: d.MessageID, Status: d.Status, ReplayOf: d.ReplayOf,
		Payload: d.Payload, CreatedAt: d.CreatedAt, Attempts: []WebhookAttempt{}}
	if d.Status == "pending" {
		v.NextAttemptAt = optTime(d.NextAttemptAt)
	}
	for _, a := range d.Attempts {
		v.Attempts = append(v.Attempts, WebhookAttempt{N: a.N, At: a.At, StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.Duration.Milliseconds()})
	}
	return v
}

func (a *App) webhooks() (*delivery.Endpoints, error) {
	if a.Webhooks == nil {
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: "webhooks are not configured on this node"}
	}
	return a.Webhooks, nil
}

// webhookAdmin returns the endpoints store once the principal is an admin
// or owner of the organization (webhooks are managed like credentials).
func (a *App) webhookAdmin(ctx context.Context, orgID string) (*delivery.Endpoints, meridian.Principal, error) {
	w, err := a.webhooks()
	if err != nil {
		return nil, meridian.Principal{}, err
	}
	p, err := a.requireOrgAdmin(ctx, orgID)
	return w, p, err
}

// CreateWebhook registers an endpoint; the secret is returned only here.
func (a *App) CreateWebhook(ctx context.Context, orgID, url string, events []string) (WebhookEndpoint, string, error) {
	w, p, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	e, secret, err := w.Create(ctx, orgID, url, events)
	if err == nil {
		a.audit(ctx, auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditWebhookCreated, Target: e.ID, Detail: e.URL})
	}
	return endpointView(e), secret, err
}

// Webhooks lists an organization's endpoints.
func (a *App) WebhookEndpoints(ctx context.Context, orgID string) ([]WebhookEndpoint, error) {
	w, _, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return nil, err
	}
	es, err := w.List(ctx, orgID)
	out := make([]WebhookEndpoint, 0, len(es))
	for _, e := range es {
		out = append(out, endpointView(e))
	}
	return out, err
}

// DeleteWebhook removes an endpoint with its delivery log.
func (a *App) DeleteWebhook(ctx context.Context, orgID, id string) error {
	w, p, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return err
	}
	if err := w.Delete(ctx, orgID, id); err != nil {
		return err
	}
	a.audit(ctx, auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditWebhookDeleted, Target: id})
	return nil
}

// EnableWebhook lets a disabled endpoint receive deliveries again.
func (a *App) EnableWebhook(ctx context.Context, orgID, id string) (WebhookEndpoint, error) {
	w, p, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	if err := w.Enable(ctx, orgID, id); err != nil {
		return WebhookEndpoint{}, err
	}
	a.audit(ctx, auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditWebhookEnabled, Target: id})
	e, err := w.Get(ctx, orgID, id)
	return endpointView(e), err
}

// RotateWebhookSecret gives an endpoint a new secret; the old one keeps
// signing too for the rotation window.
func (a *App) RotateWebhookSecret(ctx context.Context, orgID, id string) (WebhookEndpoint, string, error) {
	w, p, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	secret, err := w.RotateSecret(ctx, orgID, id)
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	a.audit(ctx, auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditWebhookRotated, Target: id})
	e, err := w.Get(ctx, orgID, id)
	return endpointView(e), secret, err
}

// WebhookDeliveries is an endpoint's delivery log, newest first.
func (a *App) WebhookDeliveries(ctx context.Context, orgID, id string, limit int) ([]WebhookDelivery, error) {
	w, _, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if _, err := w.Get(ctx, orgID, id); err != nil {
		return nil, err
	}
	ds, err := w.Deliveries(ctx, orgID, id, limit)
	out := make([]WebhookDelivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, deliveryView(d))
	}
	return out, err
}

// ReplayWebhookDelivery sends a dead or delivered delivery again.
func (a *App) ReplayWebhookDelivery(ctx context.Context, orgID, deliveryID string) (WebhookDelivery, error) {
	w, p, err := a.webhookAdmin(ctx, orgID)
	if err != nil {
		return WebhookDelivery{}, err
	}
	d, err := w.Replay(ctx, orgID, deliveryID)
	if err == nil {
		a.audit(ctx, auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditWebhookReplayed, Target: d.ID, Detail: "replay of " + deliveryID})
	}
	return deliveryView(d), err
}
