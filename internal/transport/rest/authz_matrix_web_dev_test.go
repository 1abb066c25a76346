package rest_test

import (
	"net/url"

	"github.com/meridianhq/meridian/internal/domain"
)

// mxWebDevResume is a small JSON Resume for the web app's import form.
const mxWebDevResume = `{"basics": {"name": "Imported Person", "label": "Senior backend engineer", "location": {"countryCode": "DE"}},
 "skills": [{"name": "Go", "level": "Advanced", "keywords": ["PostgreSQL"]}]}`

// mxAdminProfile gives the platform admin a profile of their own: the web
// app applies with the caller's own profile (the REST operation names one
// in its body, which for the admin is D1's), so that the admin's case is
// the one the profile-owner policy describes.
func mxAdminProfile(c *mxCase) {
	if !c.a.admin {
		return
	}
	d := mxMustJSON[domain.ProfileDetails](c.fx.t, mxProfileDetails("Admin"))
	_, err := c.fx.app.CreateProfile(c.fx.as(c.a.name), "", "private", d)
	c.fx.must(err)
}

// The developers' pages of the web app (internal/web/developer.go), each
// under the policy it is registered with. The /me pages act on the
// caller's own things ("signed-in"); applying uses the caller's own
// profile ("profile-owner", profile "own": D1's for A's insiders, who have
// none and get 404 as for someone else's); withdrawing is the REST move to
// withdrawn (its JSON body is no form: the page's default reason "other"
// applies); a saved search in the path is its owner's alone.
func init() {
	page := []mxVariant{{name: "page"}}
	for k, v := range map[string][]mxVariant{
		"plain:GET /me":                     page,
		"plain:GET /me/profile":             page,
		"plain:GET /me/matches":             page,
		"plain:GET /me/skills":              page,
		"plain:GET /me/applications":        page,
		"plain:GET /me/saved-searches":      page,
		"plain:GET /me/export":              page,
		"plain:POST /me/notifications/read": {{name: "all", body: mxConst(url.Values{})}},
		"plain:POST /me/profile": {{name: "create-or-update", body: func(c *mxCase) any {
			return url.Values{"displayName": {"Profile of " + c.a.name}, "headline": {"Backend engineer"}, "skills": {"Go:4:6"},
				"countries": {"PT"}, "timeZone": {"Europe/Lisbon"}, "seniority": {"senior"}, "visibility": {"private"}}
		}}},
		"plain:POST /me/profile/import": {{name: "pasted-json-resume", body: mxConst(url.Values{"json": {mxWebDevResume}})}},
		"plain:POST /jobs/{id}/apply": {
			{name: "published", target: "A:pub", profile: "own", prep: func(c *mxCase) { mxFreshPub(c); mxAdminProfile(c) }},
			{name: "draft", target: "A:draft", profile: "own", prep: mxAdminProfile},
			{name: "closed", target: "A:closed", profile: "own", prep: mxAdminProfile},
		},
		"plain:POST /me/applications/{id}/withdraw": {{name: "withdrawn", kind: "move", target: "A:app", to: domain.StageWithdrawn, prep: mxFreshApp}},
		"plain:POST /me/saved-searches":             {{name: "new", body: mxConst(url.Values{"name": {"Go jobs"}, "skillsAll": {"go"}, "region": {"EU"}, "alert": {"daily"}})}},
		"plain:POST /me/saved-searches/{id}": {
			{name: "alert", target: "A:search", prep: mxFreshSearch, body: mxConst(url.Values{"alert": {"off"}})},
		},
		"plain:POST /me/saved-searches/{id}/delete": {{name: "D1", target: "A:search", prep: mxFreshSearch, body: mxConst(url.Values{})}},
	} {
		mxVariants[k] = v
	}
}
