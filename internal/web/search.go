package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
)

// pageSize is the number of postings on one results page.
const pageSize = 20

// form is the search form's state, named like the REST search parameters
// (GET /api/v1/jobs/search) so a page's query string works on both.
type form struct {
	Q               string
	Skills          string // comma-separated, as typed
	Region          string
	Seniority       []string
	MinSalary       string
	Currency        string
	TimeZone        string
	MinOverlapHours string
	Cursor          string
}

func parseForm(v url.Values) form {
	f := form{Q: strings.TrimSpace(v.Get("q")), Region: v.Get("region"), MinSalary: strings.TrimSpace(v.Get("minSalary")),
		Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))), TimeZone: strings.TrimSpace(v.Get("timeZone")),
		MinOverlapHours: strings.TrimSpace(v.Get("minOverlapHours")), Cursor: v.Get("cursor")}
	f.Skills = strings.Join(splitList(v["skillsAll"]), ", ")
	f.Seniority = splitList(v["seniority"])
	return f
}

// query turns the form into a search query; problems are messages for
// the visitor.
func (f form) query() (search.Query, []string) {
	q := search.Query{Text: f.Q, SkillsAll: splitList([]string{f.Skills}), Seniority: f.Seniority, Region: f.Region,
		Currency: f.Currency, TimeZone: f.TimeZone, Cursor: f.Cursor, Facets: true, Limit: pageSize}
	var problems []string
	if len(f.Q) > 500 {
		problems = append(problems, "The search text is too long (at most 500 characters).")
		q.Text = f.Q[:500]
	}
	if f.MinSalary != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(f.MinSalary, ",", ""), 10, 64)
		if err != nil || n < 0 {
			problems = append(problems, "Minimum salary must be a whole, positive number.")
		} else {
			q.MinSalary = n
		}
	}
	if f.Currency != "" && !meridian.ValidCurrency(f.Currency) {
		problems = append(problems, "Currency must be an ISO 4217 code such as USD or EUR.")
		q.Currency = ""
	}
	if f.TimeZone != "" && !domain.ValidTimeZone(f.TimeZone) {
		problems = append(problems, "Time zone must be an IANA name such as Europe/Berlin or America/New_York.")
		q.TimeZone = ""
	}
	if f.MinOverlapHours != "" {
		h, err := strconv.ParseFloat(f.MinOverlapHours, 64)
		switch {
		case err != nil || h < 0 || h > 24:
			problems = append(problems, "Overlap must be a number of hours between 0 and 24.")
		case q.TimeZone == "" && h > 0:
			problems = append(problems, "Give your time zone to filter by working-hours overlap.")
		default:
			q.MinOverlapHours = h
		}
	}
	if f.Region != "" {
		if _, ok := domain.Regions[f.Region]; !ok {
			problems = append(problems, "Unknown region.")
			q.Region = ""
		}
	}
	return q, problems
}

// values is the form as query parameters (empty fields left out).
func (f form) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Q)
	for _, s := range splitList([]string{f.Skills}) {
		v.Add("skillsAll", s)
	}
	set("region", f.Region)
	for _, s := range f.Seniority {
		v.Add("seniority", s)
	}
	set("minSalary", f.MinSalary)
	set("currency", f.Currency)
	set("timeZone", f.TimeZone)
	set("minOverlapHours", f.MinOverlapHours)
	set("cursor", f.Cursor)
	return v
}

func link(v url.Values) string {
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// splitList accepts repeated parameters and comma-separated values.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// facetLink is one facet value: a link that adds (or, when active,
// removes) the filter.
type facetLink struct {
	Label  string
	Count  int
	URL    string
	Active bool
}

type facetGroup struct {
	Name  string
	Links []facetLink
}

type option struct {
	Value, Label string
	Selected     bool
}

// hitView is one result.
type hitView struct {
	app.JobHit
	URL         string
	Salary      string
	Eligibility string
	Skills      []string
	// ShowOrg links the posting's organization (not on its own page).
	ShowOrg bool
}

type homeData struct {
	layout
	Form        form
	Problems    []string
	Searched    bool
	Total       int
	Hits        []hitView
	Facets      []facetGroup
	NextURL     string
	FirstURL    string
	Regions     []option
	Seniorities []option
	Currencies  []option
}

// currencies offered in the form (others work when typed into the URL).
var currencies = []string{"USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "PLN", "INR", "BRL", "JPY"}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	f := parseForm(r.URL.Query())
	q, problems := f.query()
	d := homeData{layout: h.layout(r, "Remote backend jobs", "Search remote backend engineering jobs you are eligible for: skills, region, time-zone overlap, salary and seniority."),
		Form: f, Problems: problems, Searched: len(r.URL.Query()) > 0}
	d.Query = f.Q
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
	}
	page, err := h.cfg.App.SearchJobs(anonymous(r), q)
	switch {
	case err == nil:
	case meridian.ErrorCode(err) == meridian.EInvalid && f.Cursor != "":
		// A stale or edited cursor: show the first page instead.
		f.Cursor, q.Cursor = "", ""
		d.Form = f
		if page, err = h.cfg.App.SearchJobs(anonymous(r), q); err != nil {
			h.fail(w, r, err)
			return
		}
	case meridian.ErrorCode(err) == meridian.EInvalid:
		d.Problems = append(d.Problems, meridian.ErrorMessage(err))
		status = http.StatusBadRequest
	default:
		h.fail(w, r, err)
		return
	}
	d.Total = page.Total
	cur := q.Currency
	if cur == "" {
		cur = "USD"
	}
	for _, hit := range page.Hits {
		hv := hitView{JobHit: hit, URL: "/jobs/" + url.PathEscape(hit.Job.ID), Eligibility: eligibilityText(hit.Job), ShowOrg: true}
		if hit.Salary != nil {
			hv.Salary = moneyRange(hit.Salary.Min, hit.Salary.Max, hit.Salary.Currency) + " a year"
		}
		for _, s := range hit.Job.Skills {
			if s.Required && len(hv.Skills) < 6 {
				hv.Skills = append(hv.Skills, h.skillName(s.Skill))
			}
		}
		d.Hits = append(d.Hits, hv)
	}
	if page.NextCursor != "" {
		next := f
		next.Cursor = page.NextCursor
		d.NextURL = link(next.values())
	}
	if f.Cursor != "" {
		first := f
		first.Cursor = ""
		d.FirstURL = link(first.values())
	}
	if page.Facets != nil {
		d.Facets = h.facets(f, page.Facets)
	}
	for _, k := range sortedKeys(domain.Regions) {
		d.Regions = append(d.Regions, option{k, regionName(k), k == f.Region})
	}
	for _, s := range domain.SeniorityLevels {
		d.Seniorities = append(d.Seniorities, option{s, titleCase(s), slices.Contains(f.Seniority, s)})
	}
	for _, c := range currencies {
		d.Currencies = append(d.Currencies, option{c, c, c == cur})
	}
	h.render(w, r, status, "home", d)
}

// facets builds the skill, seniority and region facets as links.
func (h *Handler) facets(f form, fc *search.Facets) []facetGroup {
	base := f
	base.Cursor = ""
	skillsNow := splitList([]string{f.Skills})
	var out []facetGroup
	g := facetGroup{Name: "Skills"}
	for i, c := range fc.Skills {
		if i == 12 {
			break
		}
		next := base
		active := containsFold(skillsNow, c.Value) || containsFold(skillsNow, h.skillName(c.Value))
		if active {
			next.Skills = strings.Join(removeFold(removeFold(skillsNow, c.Value), h.skillName(c.Value)), ", ")
		} else {
			next.Skills = strings.Join(append(append([]string{}, skillsNow...), c.Value), ", ")
		}
		g.Links = append(g.Links, facetLink{Label: h.skillName(c.Value), Count: c.Count, URL: link(next.values()), Active: active})
	}
	out = append(out, g)
	g = facetGroup{Name: "Seniority"}
	for _, c := range fc.Seniority {
		next := base
		active := slices.Contains(f.Seniority, c.Value)
		if active {
			next.Seniority = removeFold(f.Seniority, c.Value)
		} else {
			next.Seniority = []string{c.Value}
		}
		g.Links = append(g.Links, facetLink{Label: titleCase(c.Value), Count: c.Count, URL: link(next.values()), Active: active})
	}
	out = append(out, g)
	g = facetGroup{Name: "Open to"}
	for _, c := range fc.Regions {
		next := base
		active := c.Value == f.Region
		if active {
			next.Region = ""
		} else {
			next.Region = c.Value
		}
		g.Links = append(g.Links, facetLink{Label: regionName(c.Value), Count: c.Count, URL: link(next.values()), Active: active})
	}
	out = append(out, g)
	return out
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}

func removeFold(list []string, s string) []string {
	var out []string
	for _, v := range list {
		if !strings.EqualFold(v, s) {
			out = append(out, v)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var regionNames = map[string]string{"EU": "European Union", "EEA": "European Economic Area", "EUROPE": "Europe", "EMEA": "EMEA",
	"NORTH_AMERICA": "North America", "LATAM": "Latin America", "AMERICAS": "Americas", "APAC": "Asia-Pacific",
	"MENA": "Middle East and North Africa", "AFRICA": "Africa", "OCEANIA": "Oceania", domain.Worldwide: "Worldwide"}

func regionName(code string) string {
	if n, ok := regionNames[code]; ok {
		return n
	}
	return code
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// plural is "1 posting" or "N postings".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", one)
	}
	return fmt.Sprintf("%s %s", thousands(int64(n)), many)
}
