package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
)

// meAlertOptions are a saved search's alert settings, in words.
var meAlertOptions = []option{
	{Value: "instant", Label: "Instant: tell me about every new match"},
	{Value: "daily", Label: "Daily: one digest a day"},
	{Value: "off", Label: "Off: only the feed"},
}

func meAlertChoices(cur string) []option {
	if cur == "" {
		cur = "instant"
	}
	out := make([]option, len(meAlertOptions))
	for i, o := range meAlertOptions {
		o.Selected = o.Value == cur
		out[i] = o
	}
	return out
}

// meSavedSearchView is one saved search with its links.
type meSavedSearchView struct {
	alerts.SavedSearch
	RunURL  string
	FeedURL string
	Summary string
	Alerts  []option
}

type meSavedSearchesData struct {
	layout
	Nav      meNav
	Searches []meSavedSearchView
	Name     string
	Form     form
	Alerts   []option
	Problems []problem
	Errs     map[string]string
	// The new search's choices, as on the search page.
	Regions     []option
	Seniorities []option
	Currencies  []option
	NextURL     string
}

// meQueryValues is a saved query as the search page's parameters.
func meQueryValues(q search.Query) url.Values {
	f := form{Q: q.Text, Skills: strings.Join(q.SkillsAll, ", "), Region: q.Region, Seniority: q.Seniority, Currency: q.Currency,
		TimeZone: q.TimeZone}
	if q.MinSalary > 0 {
		f.MinSalary = strconv.FormatInt(q.MinSalary, 10)
	}
	if q.MinOverlapHours > 0 {
		f.MinOverlapHours = strconv.FormatFloat(q.MinOverlapHours, 'f', -1, 64)
	}
	return f.values()
}

// meQuerySummary describes a saved query in a line.
func (h *Handler) meQuerySummary(q search.Query) string {
	var parts []string
	if q.Text != "" {
		parts = append(parts, "“"+q.Text+"”")
	}
	if len(q.SkillsAll) > 0 {
		var names []string
		for _, s := range q.SkillsAll {
			names = append(names, h.skillName(s))
		}
		parts = append(parts, "skills "+strings.Join(names, ", "))
	}
	if q.Region != "" {
		parts = append(parts, "open to "+regionName(q.Region))
	}
	if q.Country != "" {
		parts = append(parts, "open to "+q.Country)
	}
	if len(q.Seniority) > 0 {
		parts = append(parts, strings.Join(q.Seniority, " or "))
	}
	if q.MinSalary > 0 {
		cur := q.Currency
		if cur == "" {
			cur = "USD"
		}
		parts = append(parts, "at least "+cur+" "+thousands(q.MinSalary)+" a year")
	}
	if q.TimeZone != "" {
		s := "time zone " + q.TimeZone
		if q.MinOverlapHours > 0 {
			s += " (" + hoursText(q.MinOverlapHours) + " of overlap)"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "Every posting"
	}
	return strings.Join(parts, "; ")
}

func (h *Handler) meSavedSearchesData(r *http.Request, f form, name, alert string) meSavedSearchesData {
	d := meSavedSearchesData{layout: h.layout(r, "Saved searches", "Your saved searches, their alerts and feeds."), Nav: meNavOf("/me/saved-searches"),
		Form: f, Name: name, Alerts: meAlertChoices(alert), Errs: map[string]string{}}
	for _, k := range sortedKeys(domain.Regions) {
		d.Regions = append(d.Regions, option{k, regionName(k), k == f.Region})
	}
	for _, s := range domain.SeniorityLevels {
		d.Seniorities = append(d.Seniorities, option{s, titleCase(s), slices.Contains(f.Seniority, s)})
	}
	cur := f.Currency
	if cur == "" {
		cur = "USD"
	}
	for _, c := range currencies {
		d.Currencies = append(d.Currencies, option{c, c, c == cur})
	}
	return d
}

// meListSavedSearches fills in the person's saved searches.
func (h *Handler) meListSavedSearches(r *http.Request, d *meSavedSearchesData) error {
	page, err := h.cfg.App.SavedSearches(r.Context(), r.URL.Query().Get("cursor"), 50)
	if err != nil && meridian.ErrorCode(err) == meridian.EInvalid {
		page, err = h.cfg.App.SavedSearches(r.Context(), "", 50)
	}
	if err != nil {
		return err
	}
	for _, s := range page.Items {
		d.Searches = append(d.Searches, meSavedSearchView{SavedSearch: s, RunURL: link(meQueryValues(s.Query)), Summary: h.meQuerySummary(s.Query),
			FeedURL: "/api/v1/saved-searches/" + url.PathEscape(s.ID) + "/feed.atom?token=" + url.QueryEscape(s.FeedToken), Alerts: meAlertChoices(s.Alert)})
	}
	if page.NextCursor != "" {
		d.NextURL = "/me/saved-searches?cursor=" + url.QueryEscape(page.NextCursor)
	}
	return nil
}

func (h *Handler) meSavedSearchesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	h.renderSavedSearches(w, r, http.StatusOK, h.meSavedSearchesData(r, form{}, "", ""))
}

// renderSavedSearches lists the person's saved searches into d and shows
// the page.
func (h *Handler) renderSavedSearches(w http.ResponseWriter, r *http.Request, status int, d meSavedSearchesData) {
	if err := h.meListSavedSearches(r, &d); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "me-saved-searches", d)
}

// meCreateSavedSearch saves the search form's query (the search page's
// parameters) under a name, with an alert setting.
func (h *Handler) meCreateSavedSearch(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	if !h.readForm(w, r, 64<<10) {
		return
	}
	f := parseForm(r.PostForm)
	f.Cursor = ""
	name := strings.TrimSpace(r.PostForm.Get("name"))
	alert := r.PostForm.Get("alert")
	q, msgs := f.query()
	var ps []problem
	for _, m := range msgs {
		ps = append(ps, problem{Message: m})
	}
	if name == "" {
		ps = append(ps, problem{Field: "search-name", Message: "Give the search a name, such as “Go in Europe”."})
	}
	if alert != "" && alert != "instant" && alert != "daily" && alert != "off" {
		ps = append(ps, problem{Field: "search-alert", Message: "Choose instant, daily or off for the alert."})
	}
	if len(ps) == 0 {
		_, err := h.cfg.App.CreateSavedSearch(r.Context(), app.SavedSearchInput{Name: name, Query: q, Alert: alert})
		switch meridian.ErrorCode(err) {
		case "":
			redirect(w, r, "/me/saved-searches", "Search saved: new postings that match it will show up in your notifications and its feed.")
			return
		case meridian.EInvalid, meridian.ERule:
			ps = problemsOf(err, map[string]string{"name": "search-name", "alert": "search-alert"})
		default:
			h.fail(w, r, err)
			return
		}
	}
	d := h.meSavedSearchesData(r, f, name, alert)
	d.Problems, d.Errs = ps, meErrsByField(ps)
	h.renderSavedSearches(w, r, http.StatusUnprocessableEntity, d)
}

// meUpdateSavedSearch changes a saved search's alert (and name), or with
// rotate=1 replaces its feed token.
func (h *Handler) meUpdateSavedSearch(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	if !h.readForm(w, r, formLimit) {
		return
	}
	id := r.PathValue("id")
	if !meridian.ValidID(id) {
		h.fail(w, r, meridian.Errorf(meridian.ENotFound, "saved search %s not found", id))
		return
	}
	ctx := r.Context()
	s, err := h.cfg.App.SavedSearch(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	expected := int64(-1)
	if v := r.PostForm.Get("version"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			expected = n
		}
	}
	in := app.SavedSearchInput{Name: s.Name, Query: s.Query, Alert: s.Alert}
	if n := strings.TrimSpace(r.PostForm.Get("name")); n != "" {
		in.Name = n
	}
	if a := r.PostForm.Get("alert"); a != "" {
		in.Alert = a
	}
	rotate := r.PostForm.Get("rotate") == "1"
	if _, err := h.cfg.App.UpdateSavedSearch(ctx, id, expected, in, rotate); err != nil {
		if meridian.ErrorCode(err) == meridian.EConflict {
			h.errorPage(w, r, http.StatusConflict, "The saved search changed meanwhile", "Open your saved searches again to see it as it is now.")
			return
		}
		h.fail(w, r, err)
		return
	}
	msg := "Saved: “" + in.Name + "” alerts are " + in.Alert + "."
	if rotate {
		msg = "The feed of “" + in.Name + "” has a new address: update your feed reader."
	}
	redirect(w, r, "/me/saved-searches", msg)
}

func (h *Handler) meDeleteSavedSearch(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	if !h.readForm(w, r, formLimit) {
		return
	}
	id := r.PathValue("id")
	if !meridian.ValidID(id) {
		h.fail(w, r, meridian.Errorf(meridian.ENotFound, "saved search %s not found", id))
		return
	}
	expected := int64(-1)
	if v := r.PostForm.Get("version"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			expected = n
		}
	}
	if _, err := h.cfg.App.DeleteSavedSearch(r.Context(), id, expected); err != nil {
		if meridian.ErrorCode(err) == meridian.EConflict {
			h.errorPage(w, r, http.StatusConflict, "The saved search changed meanwhile", "Open your saved searches again to see it as it is now.")
			return
		}
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/me/saved-searches", "The saved search is deleted, with its notifications and feed.")
}
