package export

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// employmentTypes maps Meridian employment types to schema.org's.
var employmentTypes = map[string]string{
	"full_time":  "FULL_TIME",
	"part_time":  "PART_TIME",
	"contract":   "CONTRACTOR",
	"temporary":  "TEMPORARY",
	"internship": "INTERN",
}

// salaryUnits maps Meridian salary periods to schema.org unitText values.
var salaryUnits = map[string]string{"hour": "HOUR", "day": "DAY", "week": "WEEK", "month": "MONTH", "year": "YEAR"}

// EligibleCountries returns the ISO 3166-1 alpha-2 codes from which a job
// may be done: its countries and the members of its regions, sorted and
// without duplicates; every country when the job is worldwide.
func EligibleCountries(e domain.Eligibility) []string {
	if e.Worldwide {
		return domain.Countries()
	}
	seen := map[string]bool{}
	var out []string
	add := func(c string) {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, c := range e.Countries {
		add(c)
	}
	for _, r := range e.Regions {
		for _, c := range domain.Regions[strings.ToUpper(r)] {
			add(c)
		}
	}
	sort.Strings(out)
	return out
}

// MajorUnits converts an amount in minor units of currency into major
// units (12345 USD cents → 123.45).
func MajorUnits(minor int64, currency string) float64 {
	return float64(minor) / math.Pow10(meridian.MinorUnits(currency))
}

// JobURL returns the public page of a job under baseURL.
func JobURL(baseURL, jobID string) string {
	if baseURL == "" {
		return ""
	}
	return strings.TrimRight(baseURL, "/") + "/jobs/" + url.PathEscape(jobID)
}

// JobPosting returns the schema.org JobPosting JSON-LD of a job, following
// Google's job posting structured-data rules (CheckGoogleJobPosting finds
// no violation for a valid published job):
//
//   - description is the sanitized HTML (DescriptionHTML; the escaped
//     Markdown source in a paragraph when no HTML was rendered);
//   - datePosted is when the posting first appeared (its source's date for
//     an imported one, else PublishedAt), or CreatedAt for a job never published;
//     validThrough is ValidThrough, or datePosted plus domain.DefaultValidity,
//     the validity a job gets when published without one;
//   - every Meridian job is remote: jobLocationType is TELECOMMUTE and
//     applicantLocationRequirements lists one Country per eligible country
//     (countries and the members of regions). Google requires at least one
//     country for remote postings and has no "anywhere" value, so a
//     worldwide job lists every country Meridian knows;
//   - baseSalary amounts are in major units of the currency;
//   - directApply is true when candidates apply on Meridian (no ApplyURL).
//
// baseURL, when set, gives the posting's url (baseURL/jobs/{id}).
func JobPosting(j readmodel.Job, org readmodel.Org, baseURL string) map[string]any {
	posted := j.CreatedAt
	if p := j.Posted(); p != nil && !p.IsZero() {
		posted = *p
	}
	valid := posted.Add(domain.DefaultValidity)
	if j.ValidThrough != nil && !j.ValidThrough.IsZero() {
		valid = *j.ValidThrough
	}
	desc := j.DescriptionHTML
	if strings.TrimSpace(desc) == "" {
		desc = "<p>" + html.EscapeString(j.Description) + "</p>"
	}
	orgName := org.Name
	if orgName == "" {
		orgName = j.OrgName
	}
	hiring := map[string]any{"@type": "Organization", "name": orgName}
	if org.Website != "" {
		hiring["sameAs"] = org.Website
	}
	v := map[string]any{
		"@context":           "https://schema.org/",
		"@type":              "JobPosting",
		"title":              j.Title,
		"description":        desc,
		"datePosted":         posted.UTC().Format(time.RFC3339),
		"validThrough":       valid.UTC().Format(time.RFC3339),
		"hiringOrganization": hiring,
		"jobLocationType":    "TELECOMMUTE",
		"identifier":         map[string]any{"@type": "PropertyValue", "name": "Meridian", "value": j.ID},
		"directApply":        j.ApplyURL == "",
	}
	countries := EligibleCountries(j.Eligibility)
	reqs := make([]any, len(countries))
	for i, c := range countries {
		reqs[i] = map[string]any{"@type": "Country", "name": c}
	}
	v["applicantLocationRequirements"] = reqs
	et := j.EmploymentType
	if et == "" {
		et = "full_time"
	}
	if s, ok := employmentTypes[et]; ok {
		v["employmentType"] = s
	}
	if s := j.Salary; s != nil && (s.Min > 0 || s.Max > 0) {
		q := map[string]any{"@type": "QuantitativeValue", "unitText": salaryUnits[s.Period]}
		switch {
		case s.Min > 0 && s.Max > 0 && s.Min == s.Max:
			q["value"] = MajorUnits(s.Min, s.Currency)
		default:
			if s.Min > 0 {
				q["minValue"] = MajorUnits(s.Min, s.Currency)
			}
			if s.Max > 0 {
				q["maxValue"] = MajorUnits(s.Max, s.Currency)
			}
		}
		v["baseSalary"] = map[string]any{"@type": "MonetaryAmount", "currency": s.Currency, "value": q}
	}
	if len(j.Skills) > 0 {
		skills := make([]string, len(j.Skills))
		for i, s := range j.Skills {
			skills[i] = s.Skill
		}
		v["skills"] = skills
	}
	if u := JobURL(baseURL, j.ID); u != "" {
		v["url"] = u
	}
	return v
}

// CheckGoogleJobPosting returns every violation of Google's job posting
// structured-data rules found in v (a JobPosting as built by JobPosting or
// decoded from JSON); nil when there is none.
func CheckGoogleJobPosting(v map[string]any) []string {
	var doc map[string]any
	b, err := json.Marshal(v)
	if err != nil {
		return []string{"not encodable as JSON: " + err.Error()}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	str := func(m map[string]any, k string) (string, bool) {
		s, ok := m[k].(string)
		return s, ok && strings.TrimSpace(s) != ""
	}
	if c, _ := doc["@context"].(string); !strings.Contains(c, "schema.org") {
		bad("@context: must be https://schema.org/")
	}
	if t, _ := doc["@type"].(string); t != "JobPosting" {
		bad("@type: must be JobPosting")
	}
	if t, ok := str(doc, "title"); !ok {
		bad("title: required")
	} else if strings.ContainsAny(t, "<>") {
		bad("title: must be plain text, not HTML")
	}
	if _, ok := str(doc, "description"); !ok {
		bad("description: required")
	}
	var posted time.Time
	if s, ok := str(doc, "datePosted"); !ok {
		bad("datePosted: required")
	} else if posted, err = time.Parse(time.RFC3339, s); err != nil {
		if posted, err = time.Parse("2006-01-02", s); err != nil {
			bad("datePosted: not an ISO 8601 date: %q", s)
		}
	}
	if s, ok := str(doc, "validThrough"); ok {
		vt, err := time.Parse(time.RFC3339, s)
		if err != nil {
			vt, err = time.Parse("2006-01-02", s)
		}
		switch {
		case err != nil:
			bad("validThrough: not an ISO 8601 date: %q", s)
		case !posted.IsZero() && !vt.After(posted):
			bad("validThrough: must be after datePosted")
		}
	} else if _, present := doc["validThrough"]; present {
		bad("validThrough: must be an ISO 8601 date")
	}
	if org, ok := doc["hiringOrganization"].(map[string]any); !ok {
		bad("hiringOrganization: required (an Organization)")
	} else {
		if _, ok := str(org, "name"); !ok {
			bad("hiringOrganization.name: required")
		}
		if s, present := org["sameAs"]; present {
			if u, ok := s.(string); !ok || !isURL(u) {
				bad("hiringOrganization.sameAs: must be a URL")
			}
		}
	}
	remote := false
	switch t := doc["jobLocationType"].(type) {
	case nil:
	case string:
		if t != "TELECOMMUTE" {
			bad("jobLocationType: must be TELECOMMUTE")
		}
		remote = true
	default:
		bad("jobLocationType: must be the text TELECOMMUTE")
	}
	_, hasLocation := doc["jobLocation"]
	switch {
	case hasLocation:
		checkJobLocation(doc["jobLocation"], bad)
	case !remote:
		bad("jobLocation: required unless jobLocationType is TELECOMMUTE")
	}
	if remote {
		reqs := asList(doc["applicantLocationRequirements"])
		if len(reqs) == 0 && !hasLocation {
			bad("applicantLocationRequirements: required for a remote job (at least one country)")
		}
		for i, r := range reqs {
			m, ok := r.(map[string]any)
			if !ok {
				bad("applicantLocationRequirements[%d]: must be a Country, State or AdministrativeArea", i)
				continue
			}
			switch m["@type"] {
			case "Country", "State", "AdministrativeArea":
			default:
				bad("applicantLocationRequirements[%d].@type: must be Country, State or AdministrativeArea", i)
			}
			if _, ok := str(m, "name"); !ok {
				bad("applicantLocationRequirements[%d].name: required", i)
			}
		}
	}
	for i, t := range asList(doc["employmentType"]) {
		switch t {
		case "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER":
		default:
			bad("employmentType[%d]: %v is not one of FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN, VOLUNTEER, PER_DIEM, OTHER", i, t)
		}
	}
	if s, present := doc["baseSalary"]; present {
		checkSalary(s, bad)
	}
	if id, present := doc["identifier"]; present {
		m, ok := id.(map[string]any)
		if !ok || m["@type"] != "PropertyValue" {
			bad("identifier: must be a PropertyValue")
		} else if _, ok := str(m, "name"); !ok {
			bad("identifier.name: required")
		} else if m["value"] == nil || m["value"] == "" {
			bad("identifier.value: required")
		}
	}
	if d, present := doc["directApply"]; present {
		if _, ok := d.(bool); !ok {
			bad("directApply: must be true or false")
		}
	}
	if u, present := doc["url"]; present {
		if s, ok := u.(string); !ok || !isURL(s) {
			bad("url: must be an absolute URL")
		}
	}
	return out
}

func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func checkJobLocation(v any, bad func(string, ...any)) {
	places := asList(v)
	if len(places) == 0 {
		bad("jobLocation: at least one Place")
	}
	for i, p := range places {
		m, ok := p.(map[string]any)
		if !ok || m["@type"] != "Place" {
			bad("jobLocation[%d]: must be a Place", i)
			continue
		}
		a, ok := m["address"].(map[string]any)
		if !ok || a["@type"] != "PostalAddress" {
			bad("jobLocation[%d].address: must be a PostalAddress", i)
			continue
		}
		if a["addressCountry"] == nil {
			bad("jobLocation[%d].address.addressCountry: required", i)
		}
	}
}

func checkSalary(v any, bad func(string, ...any)) {
	m, ok := v.(map[string]any)
	if !ok || m["@type"] != "MonetaryAmount" {
		bad("baseSalary: must be a MonetaryAmount")
		return
	}
	if c, _ := m["currency"].(string); !meridian.ValidCurrency(c) {
		bad("baseSalary.currency: must be an ISO 4217 code")
	}
	q, ok := m["value"].(map[string]any)
	if !ok || q["@type"] != "QuantitativeValue" {
		bad("baseSalary.value: must be a QuantitativeValue")
		return
	}
	num := func(k string) (float64, bool) {
		f, ok := q[k].(float64)
		if _, present := q[k]; present && (!ok || f < 0) {
			bad("baseSalary.value.%s: must be a non-negative number", k)
		}
		return f, ok
	}
	val, hasVal := num("value")
	lo, hasLo := num("minValue")
	hi, hasHi := num("maxValue")
	_ = val
	if !hasVal && !hasLo && !hasHi {
		bad("baseSalary.value: needs value or minValue/maxValue")
	}
	if hasLo && hasHi && lo > hi {
		bad("baseSalary.value: minValue is greater than maxValue")
	}
	switch q["unitText"] {
	case "HOUR", "DAY", "WEEK", "MONTH", "YEAR":
	default:
		bad("baseSalary.value.unitText: must be HOUR, DAY, WEEK, MONTH or YEAR")
	}
}
