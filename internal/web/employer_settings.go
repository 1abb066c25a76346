package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
)

// empSettingsData is an organization's API keys and webhooks page.
type empSettingsData struct {
	layout
	Nav      empNav
	Keys     []auth.APIKey
	Hooks    []empHookView
	HooksOff string // why webhooks cannot be managed here ("": they can)
	Problems []problem
	// The create forms' values.
	KeyName, KeyKind, KeyExpires string
	Scopes                       []option
	HookURL                      string
	Events                       []option
}

type empHookView struct {
	app.WebhookEndpoint
	Deliveries []app.WebhookDelivery
}

// empSecretData shows a secret once, right after it was made.
type empSecretData struct {
	layout
	Nav    empNav
	What   string // "API key", "OAuth2 client", "webhook signing secret"
	Name   string
	ID     string
	Secret string
	Client bool
}

// GET /employer/orgs/{orgId}/settings
func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-security")
	if !ok {
		return
	}
	h.renderSettings(w, r, http.StatusOK, orgID, role, empSettingsData{KeyKind: auth.KindAPIKey})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, orgID, role string, d empSettingsData) {
	ctx := r.Context()
	d.layout, d.Nav = h.layout(r, "API keys and webhooks", ""), h.empNavOf(r, orgID, role, "settings")
	keys, err := h.cfg.App.APIKeys(ctx, orgID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Keys = keys
	hooks, err := h.cfg.App.WebhookEndpoints(ctx, orgID)
	switch {
	case meridian.ErrorCode(err) == meridian.EUnavailable:
		d.HooksOff = meridian.ErrorMessage(err)
	case err != nil:
		h.fail(w, r, err)
		return
	}
	for _, e := range hooks {
		v := empHookView{WebhookEndpoint: e}
		if v.Deliveries, err = h.cfg.App.WebhookDeliveries(ctx, orgID, e.ID, 5); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Hooks = append(d.Hooks, v)
	}
	picked := map[string]bool{}
	for _, o := range d.Scopes {
		picked[o.Value] = o.Selected
	}
	d.Scopes = nil
	for _, s := range app.Scopes {
		d.Scopes = append(d.Scopes, option{s, s, picked[s]})
	}
	picked = map[string]bool{}
	for _, o := range d.Events {
		picked[o.Value] = o.Selected
	}
	d.Events = nil
	for _, e := range delivery.EventNames {
		d.Events = append(d.Events, option{e, e, picked[e]})
	}
	h.render(w, r, status, "emp-settings", d)
}

// settingsFailed re-renders the settings for invalid input (422), or shows
// the error page.
func (h *Handler) settingsFailed(w http.ResponseWriter, r *http.Request, err error, orgID, role string, d empSettingsData, field string) {
	if meridian.ErrorCode(err) != meridian.EInvalid {
		h.fail(w, r, err)
		return
	}
	d.Problems = problemsOf(err, map[string]string{"url": "hook-url", "events": "hook-url"})
	for i := range d.Problems {
		if d.Problems[i].Field == "" {
			d.Problems[i].Field = field
		}
	}
	h.renderSettings(w, r, http.StatusUnprocessableEntity, orgID, role, d)
}

func empChecked(all, picked []string) []option {
	var out []option
	for _, s := range all {
		out = append(out, option{s, s, slices.Contains(picked, s)})
	}
	return out
}

// POST /employer/orgs/{orgId}/api-keys: name, kind (key or client),
// scope (repeated), expires (optional date: the key works through that
// day, UTC). The secret is shown on the answer, once.
func (h *Handler) createKey(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-security")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	f := r.PostForm
	in := auth.NewKeyInput{OrgID: orgID, Kind: f.Get("kind"), Name: strings.TrimSpace(f.Get("name")), Scopes: f["scope"]}
	d := empSettingsData{KeyName: in.Name, KeyKind: in.Kind, KeyExpires: strings.TrimSpace(f.Get("expires")), Scopes: empChecked(app.Scopes, in.Scopes)}
	if d.KeyExpires != "" {
		day, err := time.Parse("2006-01-02", d.KeyExpires)
		if err != nil {
			d.Problems = []problem{{Field: "key-expires", Message: "The expiry must be a date such as 2027-01-31."}}
			h.renderSettings(w, r, http.StatusUnprocessableEntity, orgID, role, d)
			return
		}
		in.ExpiresAt = day.AddDate(0, 0, 1)
	}
	key, secret, err := h.cfg.App.CreateAPIKey(r.Context(), in)
	if err != nil {
		h.settingsFailed(w, r, err, orgID, role, d, "key-name")
		return
	}
	what := "API key"
	if key.Kind == auth.KindClient {
		what = "OAuth2 client"
	}
	h.render(w, r, http.StatusOK, "emp-secret", empSecretData{layout: h.layout(r, "Your new "+what, ""), Nav: h.empNavOf(r, orgID, role, "settings"),
		What: what, Name: key.Name, ID: key.ID, Secret: secret, Client: key.Kind == auth.KindClient})
}

// POST /employer/orgs/{orgId}/api-keys/{keyId}/revoke
func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	if _, _, ok := h.empMember(w, r, orgID, "org-security"); !ok {
		return
	}
	if _, err := h.cfg.App.RevokeAPIKey(r.Context(), orgID, r.PathValue("keyId")); err != nil {
		h.fail(w, r, empNotFound(err, "API key", r.PathValue("keyId")))
		return
	}
	redirect(w, r, empOrgPath(orgID)+"/settings", "Revoked: the key no longer works.")
}

// POST /employer/orgs/{orgId}/webhooks: url, event (repeated; none: all).
func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-security")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	u, events := strings.TrimSpace(r.PostForm.Get("url")), r.PostForm["event"]
	e, secret, err := h.cfg.App.CreateWebhook(r.Context(), orgID, u, events)
	if err != nil {
		h.settingsFailed(w, r, err, orgID, role, empSettingsData{HookURL: u, Events: empChecked(delivery.EventNames, events), KeyKind: auth.KindAPIKey}, "hook-url")
		return
	}
	h.render(w, r, http.StatusOK, "emp-secret", empSecretData{layout: h.layout(r, "Your new webhook", ""), Nav: h.empNavOf(r, orgID, role, "settings"),
		What: "webhook signing secret", Name: e.URL, ID: e.ID, Secret: secret})
}

// webhookAction runs an action on one endpoint and returns to the settings.
func (h *Handler) webhookAction(w http.ResponseWriter, r *http.Request, do func(orgID, id string) error, flash string) {
	orgID, id := r.PathValue("orgId"), r.PathValue("webhookId")
	if _, _, ok := h.empMember(w, r, orgID, "org-security"); !ok {
		return
	}
	if err := do(orgID, id); err != nil {
		h.fail(w, r, empNotFound(err, "webhook", id))
		return
	}
	redirect(w, r, empOrgPath(orgID)+"/settings#webhooks", flash)
}

// POST /employer/orgs/{orgId}/webhooks/{webhookId}/delete
func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	h.webhookAction(w, r, func(orgID, id string) error { return h.cfg.App.DeleteWebhook(r.Context(), orgID, id) },
		"Deleted: the endpoint and its delivery log are gone.")
}

// POST /employer/orgs/{orgId}/webhooks/{webhookId}/enable
func (h *Handler) enableWebhook(w http.ResponseWriter, r *http.Request) {
	h.webhookAction(w, r, func(orgID, id string) error {
		_, err := h.cfg.App.EnableWebhook(r.Context(), orgID, id)
		return err
	}, "Enabled: the endpoint receives events again.")
}

// POST /employer/orgs/{orgId}/webhooks/{webhookId}/rotate: a new signing
// secret, shown once (the old one keeps signing for the rotation window).
func (h *Handler) rotateWebhook(w http.ResponseWriter, r *http.Request) {
	orgID, id := r.PathValue("orgId"), r.PathValue("webhookId")
	_, role, ok := h.empMember(w, r, orgID, "org-security")
	if !ok {
		return
	}
	e, secret, err := h.cfg.App.RotateWebhookSecret(r.Context(), orgID, id)
	if err != nil {
		h.fail(w, r, empNotFound(err, "webhook", id))
		return
	}
	h.render(w, r, http.StatusOK, "emp-secret", empSecretData{layout: h.layout(r, "New webhook signing secret", ""), Nav: h.empNavOf(r, orgID, role, "settings"),
		What: "webhook signing secret", Name: e.URL, ID: e.ID, Secret: secret})
}
