package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// empJobForm is the posting form's state, as typed. Salaries are in major
// units ("120000"), time-zone offsets in hours ("-3", "5.5").
type empJobForm struct {
	Title, Description      string
	Seniority, Employment   string
	SalaryMin, SalaryMax    string
	Currency, Period        string
	Worldwide               bool
	Regions                 []string
	Countries               string
	TZMin, TZMax            string
	ApplyURL                string
	Publish                 bool
	Version                 string
	Status                  string
	Skills                  skillsFound
	RegionOptions           []option
	SeniorityOptions        []option
	EmploymentOptions       []option
	CurrencyOptions         []option
	PeriodOptions           []option
	EditID                  string
	ValidThrough, Published string
}

func empParseJobForm(v url.Values) empJobForm {
	f := empJobForm{Title: strings.TrimSpace(v.Get("title")), Description: v.Get("description"), Seniority: v.Get("seniority"),
		Employment: v.Get("employmentType"), SalaryMin: strings.TrimSpace(v.Get("salaryMin")), SalaryMax: strings.TrimSpace(v.Get("salaryMax")),
		Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))), Period: v.Get("period"), Worldwide: v.Get("worldwide") != "",
		Regions: v["region"], Countries: strings.TrimSpace(v.Get("countries")), TZMin: strings.TrimSpace(v.Get("tzMin")),
		TZMax: strings.TrimSpace(v.Get("tzMax")), ApplyURL: strings.TrimSpace(v.Get("applyUrl")), Publish: v.Get("publish") != "",
		Version: v.Get("version")}
	return f
}

// empJobFormOf fills the form from a stored posting.
func empJobFormOf(j readmodel.Job) empJobForm {
	f := empJobForm{Title: j.Title, Description: j.Description, Seniority: j.Seniority, Employment: j.EmploymentType,
		Worldwide: j.Eligibility.Worldwide, Regions: j.Eligibility.Regions, Countries: strings.Join(j.Eligibility.Countries, ", "),
		ApplyURL: j.ApplyURL, Version: strconv.FormatInt(j.Version, 10), Status: j.Status, EditID: j.ID,
		ValidThrough: dateText(j.ValidThrough), Published: dateText(j.PublishedAt)}
	if s := j.Salary; s != nil {
		f.Currency, f.Period = s.Currency, s.Period
		if s.Min > 0 {
			f.SalaryMin = strconv.FormatInt(major(s.Min, s.Currency), 10)
		}
		if s.Max > 0 {
			f.SalaryMax = strconv.FormatInt(major(s.Max, s.Currency), 10)
		}
	}
	if tz := j.TimeZone; tz != nil && tz.MinUTCOffset != nil && tz.MaxUTCOffset != nil {
		f.TZMin = strconv.FormatFloat(*tz.MinUTCOffset, 'f', -1, 64)
		f.TZMax = strconv.FormatFloat(*tz.MaxUTCOffset, 'f', -1, 64)
	}
	return f
}

// withOptions fills the form's choices and the skills found in its
// description (what the live preview shows, rendered server-side too).
func (f empJobForm) withOptions() empJobForm {
	if f.Currency == "" {
		f.Currency = "USD"
	}
	if f.Period == "" {
		f.Period = "year"
	}
	if f.Employment == "" {
		f.Employment = "full_time"
	}
	f.SeniorityOptions = []option{{"", "Not stated", f.Seniority == ""}}
	for _, s := range domain.SeniorityLevels {
		f.SeniorityOptions = append(f.SeniorityOptions, option{s, titleCase(s), s == f.Seniority})
	}
	for _, e := range domain.EmploymentTypes {
		f.EmploymentOptions = append(f.EmploymentOptions, option{e, employmentText(e), e == f.Employment})
	}
	cs := currencies
	if !slices.Contains(cs, f.Currency) {
		cs = append([]string{f.Currency}, cs...)
	}
	for _, c := range cs {
		f.CurrencyOptions = append(f.CurrencyOptions, option{c, c, c == f.Currency})
	}
	for _, p := range domain.SalaryPeriods {
		f.PeriodOptions = append(f.PeriodOptions, option{p, "per " + p, p == f.Period})
	}
	for _, k := range sortedKeys(domain.Regions) {
		if k == domain.Worldwide {
			continue
		}
		f.RegionOptions = append(f.RegionOptions, option{k, regionName(k), slices.Contains(f.Regions, k)})
	}
	f.Skills = extractSkills(f.Title + "\n\n" + f.Description)
	return f
}

// details turns the form into a posting's details; problems are the
// fields that cannot even be read (the domain checks the rest). The
// skills are left empty: the application layer finds them in the title
// and description with the same extractor as the live preview.
func (f empJobForm) details() (domain.JobDetails, []problem) {
	d := domain.JobDetails{Title: f.Title, Description: f.Description, Seniority: f.Seniority, EmploymentType: f.Employment,
		ApplyURL: f.ApplyURL, Eligibility: domain.Eligibility{Worldwide: f.Worldwide, Regions: f.Regions, Countries: splitList([]string{f.Countries})}}
	var probs []problem
	if f.SalaryMin != "" || f.SalaryMax != "" {
		s := &domain.Salary{Currency: f.Currency, Period: f.Period}
		scale := math.Pow10(meridian.MinorUnits(f.Currency))
		for _, a := range []struct {
			in, field, what string
			out             *int64
		}{{f.SalaryMin, "job-salary-min", "Minimum salary", &s.Min}, {f.SalaryMax, "job-salary-max", "Maximum salary", &s.Max}} {
			if a.in == "" {
				continue
			}
			n, err := strconv.ParseInt(strings.NewReplacer(",", "", " ", "", "_", "").Replace(a.in), 10, 64)
			if err != nil || n < 0 || n > 1e12 {
				probs = append(probs, problem{Field: a.field, Message: a.what + " must be a whole, positive number (in " + f.Currency + ", without cents)."})
				continue
			}
			*a.out = int64(float64(n) * scale)
		}
		d.Salary = s
	}
	if f.TZMin != "" || f.TZMax != "" {
		tz := &domain.TimeZoneRule{}
		for _, a := range []struct {
			in, field string
			out       **float64
		}{{f.TZMin, "job-tz-min", &tz.MinUTCOffset}, {f.TZMax, "job-tz-max", &tz.MaxUTCOffset}} {
			if a.in == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.Replace(a.in, "−", "-", 1), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				probs = append(probs, problem{Field: a.field, Message: "UTC offsets are hours, such as -5, 0 or 5.5."})
				continue
			}
			*a.out = &v
		}
		d.TimeZone = tz
	}
	return d, probs
}

// empJobFields maps the domain's field names to the form's input ids.
var empJobFields = map[string]string{"title": "job-title", "description": "job-description", "skills": "job-description",
	"seniority": "job-seniority", "employmentType": "job-employment", "salary": "job-salary-min", "salary.currency": "job-currency",
	"salary.period": "job-period", "eligibility": "job-worldwide", "eligibility.countries": "job-countries",
	"eligibility.regions": "job-countries", "timeZone": "job-tz-min", "applyUrl": "job-apply-url", "validThrough": "job-title"}

type empJobFormData struct {
	layout
	Nav      empNav
	Form     empJobForm
	Action   string
	Problems []problem
}

func (h *Handler) renderJobForm(w http.ResponseWriter, r *http.Request, status int, nav empNav, f empJobForm, probs []problem) {
	title, action := "Post a job", empOrgPath(nav.OrgID)+"/jobs"
	if f.EditID != "" {
		title, action = "Edit "+f.Title, empJobPath(f.EditID)
	}
	d := empJobFormData{layout: h.layout(r, title, ""), Nav: nav, Form: f.withOptions(), Action: action, Problems: probs}
	h.render(w, r, status, "emp-job", d)
}

// GET /employer/orgs/{orgId}/jobs/new
func (h *Handler) newJobPage(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-recruiter")
	if !ok {
		return
	}
	h.renderJobForm(w, r, http.StatusOK, h.empNavOf(r, orgID, role, "new-job"), empJobForm{Publish: true}, nil)
}

// POST /employer/orgs/{orgId}/jobs: drafts the posting, and publishes it
// when "publish now" is ticked.
func (h *Handler) createJob(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-recruiter")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	f := empParseJobForm(r.PostForm)
	nav := h.empNavOf(r, orgID, role, "new-job")
	d, probs := f.details()
	if len(probs) > 0 {
		h.renderJobForm(w, r, http.StatusUnprocessableEntity, nav, f, probs)
		return
	}
	res, err := h.cfg.App.DraftJob(r.Context(), orgID, d)
	if err != nil {
		h.jobFailed(w, r, err, nav, f)
		return
	}
	if !f.Publish {
		redirect(w, r, empOrgPath(orgID), "Draft saved. Publish it when it is ready.")
		return
	}
	if _, err := h.cfg.App.PublishJob(r.Context(), res.ID, res.Version); err != nil {
		if c := meridian.ErrorCode(err); c == meridian.ERule || c == meridian.EConflict {
			redirect(w, r, empJobPath(res.ID)+"/edit", "Saved as a draft, but not published: "+meridian.ErrorMessage(err))
			return
		}
		h.fail(w, r, err)
		return
	}
	redirect(w, r, empOrgPath(orgID), "Published: the posting is live.")
}

// jobFailed re-renders the form for a refused posting (422 invalid, 409
// stale version or a rule), or shows the error page.
func (h *Handler) jobFailed(w http.ResponseWriter, r *http.Request, err error, nav empNav, f empJobForm) {
	switch meridian.ErrorCode(err) {
	case meridian.EInvalid:
		h.renderJobForm(w, r, http.StatusUnprocessableEntity, nav, f, problemsOf(err, empJobFields))
	case meridian.EConflict:
		msg := "Someone changed this posting since you opened it. Open it again to see their changes, then make yours."
		h.renderJobForm(w, r, http.StatusConflict, nav, f, []problem{{Message: msg}})
	case meridian.ERule:
		h.renderJobForm(w, r, http.StatusConflict, nav, f, []problem{{Message: meridian.ErrorMessage(err)}})
	default:
		h.fail(w, r, err)
	}
}

// GET /employer/jobs/{id}/edit
func (h *Handler) editJobPage(w http.ResponseWriter, r *http.Request) {
	j, role, ok := h.empJob(w, r, "org-recruiter")
	if !ok {
		return
	}
	h.renderJobForm(w, r, http.StatusOK, h.empNavOf(r, j.OrgID, role, ""), empJobFormOf(j), nil)
}

// empVersion reads the form's expected version ("": any).
func empVersion(v url.Values) int64 {
	n, err := strconv.ParseInt(v.Get("version"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// POST /employer/jobs/{id}: replaces the posting's details, expecting the
// version the form was opened at.
func (h *Handler) updateJob(w http.ResponseWriter, r *http.Request) {
	j, role, ok := h.empJob(w, r, "org-recruiter")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	f := empParseJobForm(r.PostForm)
	f.EditID, f.Status, f.ValidThrough, f.Published = j.ID, j.Status, dateText(j.ValidThrough), dateText(j.PublishedAt)
	nav := h.empNavOf(r, j.OrgID, role, "")
	d, probs := f.details()
	if len(probs) > 0 {
		h.renderJobForm(w, r, http.StatusUnprocessableEntity, nav, f, probs)
		return
	}
	if j.ValidThrough != nil && j.Status == domain.StatusPublished {
		d.ValidThrough = *j.ValidThrough // an edit keeps the posting's end date
	}
	if _, err := h.cfg.App.UpdateJob(r.Context(), j.ID, empVersion(r.PostForm), d); err != nil {
		h.jobFailed(w, r, err, nav, f)
		return
	}
	redirect(w, r, empOrgPath(j.OrgID), "Saved.")
}

// POST /employer/jobs/{id}/publish
func (h *Handler) publishJob(w http.ResponseWriter, r *http.Request) {
	j, _, ok := h.empJob(w, r, "org-recruiter")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	if _, err := h.cfg.App.PublishJob(r.Context(), j.ID, empVersion(r.PostForm)); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, empOrgPath(j.OrgID), "Published: the posting is live.")
}

// POST /employer/jobs/{id}/close: reason (optional).
func (h *Handler) closeJob(w http.ResponseWriter, r *http.Request) {
	j, _, ok := h.empJob(w, r, "org-recruiter")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	if _, err := h.cfg.App.CloseJob(r.Context(), j.ID, empVersion(r.PostForm), strings.TrimSpace(r.PostForm.Get("reason"))); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, empOrgPath(j.OrgID), "Closed: the posting no longer takes applications.")
}
