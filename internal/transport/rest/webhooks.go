package rest

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/app"
)

// WebhookPath names a webhook endpoint (exported: embedded structs must be, for the API framework to see their fields).
type WebhookPath struct {
	OrgPath
	WebhookID string `path:"webhookId" doc:"webhook endpoint id"`
}

type webhookSecretOut struct {
	Body struct {
		Endpoint app.WebhookEndpoint `json:"endpoint"`
		Secret   string              `json:"secret" doc:"whsec_ signing secret: shown in this response only"`
	}
}

type webhookOut struct {
	Body app.WebhookEndpoint
}

func (s *Server) registerWebhooks() {
	tags := []string{"Webhooks"}
	sec := access(PolicyOrgSecurity, "")
	huma.Register(s.api, huma.Operation{OperationID: "createWebhook", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/webhooks", Summary: "Register a webhook endpoint",
		Description: "Admins and owners only. Meridian POSTs the subscribed events (application.received, application.stage_changed, job.published, job.closed, job.expired; empty: all) to the URL, signed per Standard Webhooks (docs/WEBHOOKS.md). The secret is in this response and never again. URLs resolving to private, loopback, link-local or metadata addresses are refused when sending.",
		Tags:        tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: 16 << 10, Metadata: sec},
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				URL    string   `json:"url" required:"true" maxLength:"2000" doc:"https:// (or http://) URL of the receiver"`
				Events []string `json:"events,omitempty" doc:"event names to send; empty: all"`
			}
		}) (*webhookSecretOut, error) {
			e, secret, err := s.cfg.App.CreateWebhook(ctx, in.OrgID, in.Body.URL, in.Body.Events)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookSecretOut{}
			out.Body.Endpoint, out.Body.Secret = e, secret
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "listWebhooks", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}/webhooks", Summary: "List webhook endpoints", Tags: tags, Metadata: sec},
		func(ctx context.Context, in *OrgPath) (*struct {
			Body struct {
				Items []app.WebhookEndpoint `json:"items"`
			}
		}, error) {
			items, err := s.cfg.App.WebhookEndpoints(ctx, in.OrgID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Items []app.WebhookEndpoint `json:"items"`
				}
			}{}
			out.Body.Items = items
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "deleteWebhook", Method: http.MethodDelete, Path: "/api/v1/orgs/{orgId}/webhooks/{webhookId}", Summary: "Delete a webhook endpoint and its delivery log", Tags: tags, DefaultStatus: http.StatusNoContent, Metadata: sec},
		func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
			if err := s.cfg.App.DeleteWebhook(ctx, in.OrgID, in.WebhookID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{}{}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "rotateWebhookSecret", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/webhooks/{webhookId}/rotate-secret", Summary: "Rotate a webhook endpoint's secret",
		Description: "A new secret, shown in this response only; the previous one keeps signing too (a second signature) for 24 hours, so receivers can switch without losing a message.",
		Tags:        tags, Metadata: sec},
		func(ctx context.Context, in *WebhookPath) (*webhookSecretOut, error) {
			e, secret, err := s.cfg.App.RotateWebhookSecret(ctx, in.OrgID, in.WebhookID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &webhookSecretOut{}
			out.Body.Endpoint, out.Body.Secret = e, secret
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "enableWebhook", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/webhooks/{webhookId}/enable", Summary: "Enable a disabled webhook endpoint",
		Description: "An endpoint is disabled when its receiver answers 410 Gone. Enabling it delivers the events that happen from now on; deliveries that ended with status endpoint_disabled can be replayed one by one.",
		Tags:        tags, Metadata: sec},
		func(ctx context.Context, in *WebhookPath) (*webhookOut, error) {
			e, err := s.cfg.App.EnableWebhook(ctx, in.OrgID, in.WebhookID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &webhookOut{Body: e}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "listWebhookDeliveries", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}/webhooks/{webhookId}/deliveries", Summary: "The delivery log of a webhook endpoint",
		Description: "Deliveries newest first, each with every attempt (time, status code or error, duration). A delivery is pending (with its next attempt), delivered, dead (after the last retry) or endpoint_disabled (the receiver answered 410).",
		Tags:        tags, Metadata: sec},
		func(ctx context.Context, in *struct {
			WebhookPath
			Limit int `query:"limit" minimum:"0" maximum:"500" doc:"default 100"`
		}) (*struct {
			Body struct {
				Items []app.WebhookDelivery `json:"items"`
			}
		}, error) {
			items, err := s.cfg.App.WebhookDeliveries(ctx, in.OrgID, in.WebhookID, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Items []app.WebhookDelivery `json:"items"`
				}
			}{}
			out.Body.Items = items
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "replayWebhookDelivery", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/webhook-deliveries/{deliveryId}/replay", Summary: "Send a delivery again",
		Description: "A dead or delivered delivery is queued again as a new delivery (same payload, new webhook-id).", Tags: tags, DefaultStatus: http.StatusCreated, Metadata: sec},
		func(ctx context.Context, in *struct {
			OrgPath
			DeliveryID string `path:"deliveryId"`
		}) (*struct{ Body app.WebhookDelivery }, error) {
			d, err := s.cfg.App.ReplayWebhookDelivery(ctx, in.OrgID, in.DeliveryID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body app.WebhookDelivery }{d}, nil
		})
}
