package rest_test

import (
	"net/url"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

// The web app's employer pages (internal/web/employer*.go): each page or
// form in the matrix, under the policy it is registered with (that of the
// REST operation it stands for).
func init() {
	jobForm := url.Values{"title": {"Backend engineer"}, "description": {"We build distributed systems in Go."},
		"seniority": {"senior"}, "employmentType": {"full_time"}, "salaryMin": {"120000"}, "salaryMax": {"160000"},
		"currency": {"EUR"}, "period": {"year"}, "region": {"EU"}}
	for k, v := range map[string][]mxVariant{
		"plain:GET /employer": {{name: "page"}},
		"plain:POST /employer/orgs": {{name: "new", body: func(c *mxCase) any {
			return url.Values{"name": {"Org of " + c.a.name}, "website": {"https://org.example"}}
		}}},
		"plain:GET /employer/orgs/{orgId}": {{name: "A", org: "A"}},
		"plain:POST /employer/orgs/{orgId}/members": {
			{name: "viewer", org: "A", body: func(*mxCase) any { return url.Values{"member": {meridian.NewID()}, "role": {"viewer"}} }},
			{name: "owner", org: "A", needRole: domain.RoleOwner, body: func(*mxCase) any { return url.Values{"member": {meridian.NewID()}, "role": {"owner"}} }},
		},
		"plain:POST /employer/orgs/{orgId}/members/{userId}": {
			{name: "viewer-to-recruiter", org: "A", target: "A:member", prep: mxFreshMember, body: mxConst(url.Values{"role": {"recruiter"}})},
			{name: "viewer-to-owner", org: "A", target: "A:member", prep: mxFreshMember, needRole: domain.RoleOwner, body: mxConst(url.Values{"role": {"owner"}})},
		},
		"plain:POST /employer/orgs/{orgId}/members/{userId}/remove": {
			{name: "a-viewer", org: "A", target: "A:member", prep: mxFreshMember, body: mxConst(url.Values{})},
			{name: "self", org: "A", target: "self", body: mxConst(url.Values{})},
		},
		"plain:GET /employer/orgs/{orgId}/jobs/new": {{name: "A", org: "A"}},
		"plain:POST /employer/orgs/{orgId}/jobs":    {{name: "A", org: "A", body: mxConst(jobForm)}},
		"plain:GET /employer/jobs/{id}/edit":        {{name: "published", target: "A:pub"}, {name: "draft", target: "A:draft"}},
		"plain:POST /employer/jobs/{id}": {
			{name: "draft", target: "A:draft", body: mxConst(jobForm)},
			{name: "published", target: "A:pub", body: mxConst(jobForm)},
		},
		"plain:POST /employer/jobs/{id}/publish": {{name: "draft", target: "A:draft", prep: mxFreshDraft, body: mxConst(url.Values{})}},
		"plain:POST /employer/jobs/{id}/close":   {{name: "published", target: "A:pub", prep: mxFreshPub, body: mxConst(url.Values{"reason": {"filled"}})}},
		"plain:GET /employer/jobs/{id}/pipeline": {{name: "published", target: "A:pub"}, {name: "draft", target: "A:draft"}},
		// The matrix's "to" field sends a JSON body, so the stage is in the
		// form instead; without "to" the case is judged as a forward move
		// (the candidate may only withdraw: 403).
		"plain:POST /employer/applications/{id}/move": {{name: "screening", kind: "move", target: "A:app", prep: mxFreshApp,
			body: mxConst(url.Values{"to": {"screening"}})}},
		"plain:POST /employer/applications/{id}/notes": {{name: "A", target: "A:app", body: mxConst(url.Values{"body": {"Great call"}})}},
		"plain:GET /employer/jobs/{id}/candidates":     {{name: "published", target: "A:pub"}, {name: "draft", target: "A:draft"}},
		"plain:GET /employer/orgs/{orgId}/settings":    {{name: "A", org: "A", prep: mxFreshWebhook}},
		"plain:POST /employer/orgs/{orgId}/api-keys":   {{name: "A", org: "A", body: mxConst(url.Values{"name": {"ci"}, "kind": {"key"}, "scope": {"jobs:read"}})}},
		"plain:POST /employer/orgs/{orgId}/webhooks":   {{name: "A", org: "A", body: mxConst(url.Values{"url": {"https://hooks.example/new"}, "event": {"job.published"}})}},
		"plain:POST /employer/orgs/{orgId}/api-keys/{keyId}/revoke": {
			{name: "A", org: "A", target: "A:key", prep: mxFreshKey, body: mxConst(url.Values{})},
			{name: "A-key-via-B-path", org: "B", target: "A:key", prep: mxFreshKey, body: mxConst(url.Values{})},
		},
		"plain:POST /employer/orgs/{orgId}/webhooks/{webhookId}/delete": {
			{name: "A", org: "A", target: "A:webhook", prep: mxFreshWebhook, body: mxConst(url.Values{})},
			{name: "A-webhook-via-B-path", org: "B", target: "A:webhook", prep: mxFreshWebhook, body: mxConst(url.Values{})},
		},
		"plain:POST /employer/orgs/{orgId}/webhooks/{webhookId}/enable": {
			{name: "A", org: "A", target: "A:webhook", prep: mxFreshWebhook, body: mxConst(url.Values{})},
			{name: "A-webhook-via-B-path", org: "B", target: "A:webhook", prep: mxFreshWebhook, body: mxConst(url.Values{})},
		},
		"plain:POST /employer/orgs/{orgId}/webhooks/{webhookId}/rotate": {
			{name: "A", org: "A", target: "A:webhook", prep: mxFreshWebhook, body: mxConst(url.Values{})},
		},
	} {
		mxVariants[k] = v
	}
}
