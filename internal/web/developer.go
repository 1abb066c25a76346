package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/export"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// registerDeveloper registers the developers' pages (profile, matches,
// saved searches, applications, skill gaps, data export).
//
// They act as the signed-in person on their own things, so most are
// "signed-in" (the profile, matches and skill gaps are the caller's own
// profile's, not one named in the path). Applying names a posting and
// uses the person's own profile ("profile-owner"); withdrawing names an
// application, decided by the application layer as the REST operation
// is ("candidate-or-org"); a saved search named in the path is its
// owner's alone ("saved-search-owner").
func (h *Handler) registerDeveloper() {
	h.route("GET /me", "signed-in", h.meHome)
	h.route("GET /me/profile", "signed-in", h.meProfilePage)
	h.route("POST /me/profile", "signed-in", h.meSaveProfile)
	h.route("POST /me/profile/import", "signed-in", h.meImportProfile)
	h.route("GET /me/matches", "signed-in", h.meMatchesPage)
	h.route("GET /me/skills", "signed-in", h.meSkillsPage)
	h.route("POST /jobs/{id}/apply", "profile-owner", h.meApply)
	h.route("GET /me/applications", "signed-in", h.meApplicationsPage)
	h.route("POST /me/applications/{id}/withdraw", "candidate-or-org", h.meWithdraw)
	h.route("GET /me/saved-searches", "signed-in", h.meSavedSearchesPage)
	h.route("POST /me/saved-searches", "signed-in", h.meCreateSavedSearch)
	h.route("POST /me/saved-searches/{id}", "saved-search-owner", h.meUpdateSavedSearch)
	h.route("POST /me/saved-searches/{id}/delete", "saved-search-owner", h.meDeleteSavedSearch)
	h.route("GET /me/export", "signed-in", h.meExport)
	h.route("POST /me/notifications/read", "signed-in", h.meMarkRead)
}

// meNav is the sub-navigation of the /me pages.
type meNav struct {
	Links []meLink
}

type meLink struct {
	URL, Label string
	Current    bool
}

var meLinks = []meLink{
	{URL: "/me", Label: "Overview"},
	{URL: "/me/profile", Label: "Profile"},
	{URL: "/me/matches", Label: "Matches"},
	{URL: "/me/applications", Label: "Applications"},
	{URL: "/me/saved-searches", Label: "Saved searches"},
	{URL: "/me/skills", Label: "Skills to learn"},
}

func meNavOf(current string) meNav {
	n := meNav{Links: make([]meLink, len(meLinks))}
	for i, l := range meLinks {
		l.Current = l.URL == current
		n.Links[i] = l
	}
	return n
}

// meProfile is the person's profile (their newest, should they have
// several), and false when they have none yet.
func (h *Handler) meProfile(r *http.Request) (readmodel.Profile, bool, error) {
	page, err := h.cfg.App.Profiles(r.Context(), true, "", 1)
	if err != nil {
		return readmodel.Profile{}, false, err
	}
	for _, p := range page.Items {
		if !p.Erased {
			return p, true, nil
		}
	}
	return readmodel.Profile{}, false, nil
}

// meCount is "3", or "50+" when there are more than a page holds.
func meCount(n int, more bool) string {
	s := thousands(int64(n))
	if more {
		s += "+"
	}
	return s
}

type meHomeData struct {
	layout
	Nav           meNav
	Profile       readmodel.Profile
	HasProfile    bool
	Skills        []string
	Applications  []meApplicationView
	AppCount      string
	SearchCount   string
	Notifications []meNotificationView
	Unread        int
}

type meNotificationView struct {
	alerts.Notification
	URL     string
	When    string
	Unread  bool
	Instant bool
}

// meMarkRead marks all the person's notifications read.
func (h *Handler) meMarkRead(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	if _, err := h.cfg.App.MarkNotificationsRead(r.Context(), nil, true); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/me", "Notifications marked as read.")
}

func (h *Handler) meHome(w http.ResponseWriter, r *http.Request) {
	p, ok := h.person(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d := meHomeData{layout: h.layout(r, "My Meridian", "Your profile, matches, applications and saved searches."), Nav: meNavOf("/me")}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Profile, d.HasProfile = prof, has
	for i, s := range prof.Skills {
		if i == 12 {
			break
		}
		d.Skills = append(d.Skills, h.skillName(s.Skill))
	}
	apps, err := h.cfg.App.Applications(ctx, readmodel.ApplicationFilter{CandidateID: p.ID, Limit: 50})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.AppCount = meCount(len(apps.Items), apps.NextCursor != "")
	recent := apps.Items
	if len(recent) > 5 {
		recent = recent[:5]
	}
	if d.Applications, err = h.meApplicationViews(r, recent); err != nil {
		h.fail(w, r, err)
		return
	}
	searches, err := h.cfg.App.SavedSearches(ctx, "", 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.SearchCount = meCount(len(searches.Items), searches.NextCursor != "")
	notes, err := h.cfg.App.Notifications(ctx, "", 10)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, n := range notes.Items {
		v := meNotificationView{Notification: n, URL: "/jobs/" + url.PathEscape(n.JobID), When: dateText(&n.CreatedAt), Unread: n.ReadAt == nil}
		if v.Unread {
			d.Unread++
		}
		d.Notifications = append(d.Notifications, v)
	}
	h.render(w, r, http.StatusOK, "me-home", d)
}

// meExportProfile is a profile in the data export: Meridian's own record
// and the same as a JSON Resume document.
type meExportProfile struct {
	Meridian   readmodel.Profile `json:"meridian"`
	JSONResume map[string]any    `json:"jsonResume"`
}

type meExportAccount struct {
	ID    string `json:"id"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// meDataExport is everything Meridian keeps about a person that they can
// see: their account, profiles, applications, saved searches (with their
// feed tokens) and notifications.
type meDataExport struct {
	ExportedAt    time.Time               `json:"exportedAt"`
	Account       meExportAccount         `json:"account"`
	Profiles      []meExportProfile       `json:"profiles"`
	Applications  []readmodel.Application `json:"applications"`
	SavedSearches []alerts.SavedSearch    `json:"savedSearches"`
	Notifications []alerts.Notification   `json:"notifications"`
	Note          string                  `json:"note"`
}

// meExport answers GET /me/export with a JSON file of the person's data.
func (h *Handler) meExport(w http.ResponseWriter, r *http.Request) {
	p, ok := h.person(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	out := meDataExport{ExportedAt: time.Now().UTC(), Account: meExportAccount{ID: p.ID}, Profiles: []meExportProfile{},
		Applications: []readmodel.Application{}, SavedSearches: []alerts.SavedSearch{}, Notifications: []alerts.Notification{},
		Note: "Everything Meridian keeps about you that you can see: your account, your profiles (as Meridian stores them and as JSON Resume), " +
			"your applications, your saved searches and your notifications. Organizations' private notes on applications are theirs and not included."}
	if u := h.layout(r, "", "").User; u != nil {
		out.Account.Email, out.Account.Name = u.Email, u.Name
	}
	var err error
	if err = mePages(func(cursor string) (string, error) {
		pg, err := h.cfg.App.Profiles(ctx, true, cursor, 100)
		for _, pr := range pg.Items {
			out.Profiles = append(out.Profiles, meExportProfile{Meridian: pr, JSONResume: export.Resume(pr)})
		}
		return pg.NextCursor, err
	}); err == nil {
		err = mePages(func(cursor string) (string, error) {
			pg, err := h.cfg.App.Applications(ctx, readmodel.ApplicationFilter{CandidateID: p.ID, Cursor: cursor, Limit: 100})
			out.Applications = append(out.Applications, pg.Items...)
			return pg.NextCursor, err
		})
	}
	if err == nil {
		err = mePages(func(cursor string) (string, error) {
			pg, err := h.cfg.App.SavedSearches(ctx, cursor, 100)
			out.SavedSearches = append(out.SavedSearches, pg.Items...)
			return pg.NextCursor, err
		})
	}
	if err == nil {
		err = mePages(func(cursor string) (string, error) {
			pg, err := h.cfg.App.Notifications(ctx, cursor, 100)
			out.Notifications = append(out.Notifications, pg.Items...)
			return pg.NextCursor, err
		})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="meridian-data-`+out.ExportedAt.Format("2006-01-02")+`.json"`)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", CSP)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// mePages calls next with each page's cursor until there is no next page
// (at most 1,000 pages, a bound no person's data reaches).
func mePages(next func(cursor string) (string, error)) error {
	cursor := ""
	for i := 0; i < 1000; i++ {
		c, err := next(cursor)
		if err != nil || c == "" {
			return err
		}
		cursor = c
	}
	return meridian.Errorf(meridian.EInternal, "export: too many pages")
}

// meWords turns a code ("no_longer_interested") into words ("no longer interested").
func meWords(code string) string { return strings.ReplaceAll(code, "_", " ") }
