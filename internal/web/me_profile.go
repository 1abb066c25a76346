package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/ingest/formats"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// meMaxResumeBytes bounds an uploaded or pasted JSON Resume.
const meMaxResumeBytes = 1 << 20

// meProfileForm is the profile editor's state, as typed.
type meProfileForm struct {
	DisplayName string
	Headline    string
	Summary     string
	// Skills are "Name:level:years" entries, comma- or line-separated
	// ("Go:4:6, PostgreSQL:3"); level 1-5 (default 3), years optional.
	Skills     string
	Countries  string // ISO codes, comma-separated
	TimeZone   string
	WorkStart  string
	WorkEnd    string
	Seniority  string
	SalaryMin  string // major units
	Currency   string
	Period     string
	Visibility string
	Version    string
}

type meProfileData struct {
	layout
	Nav        meNav
	HasProfile bool
	Profile    readmodel.Profile
	Form       meProfileForm
	Problems   []problem
	// Errs are the problems by field id, shown next to the fields.
	Errs         map[string]string
	Seniorities  []option
	Currencies   []option
	Periods      []option
	Visibilities []option
	// ImportJSON is a pasted résumé shown again after a problem.
	ImportJSON     string
	ImportProblems []problem
}

// The editor's field ids by the domain's field names (a name's prefix
// before "[" or "." decides: "skills[2].level" is the skills field).
var meProfileFieldIDs = map[string]string{
	"displayName": "profile-name", "headline": "profile-headline", "summary": "profile-summary", "skills": "profile-skills",
	"countries": "profile-countries", "timeZone": "profile-timezone", "workStart": "profile-workstart", "workEnd": "profile-workend",
	"seniority": "profile-seniority", "salaryFloor": "profile-salary", "visibility": "profile-visibility",
}

var meFieldRoot = regexp.MustCompile(`^[A-Za-z]+`)

// meProfileProblems turns an application error about a profile into the
// editor's messages, each linked to its field and named after it.
func meProfileProblems(err error) []problem {
	var me *meridian.Error
	if !errors.As(err, &me) || len(me.Fields) == 0 {
		return problemsOf(err, nil)
	}
	ids := map[string]string{}
	for f := range me.Fields {
		root := meFieldRoot.FindString(f)
		if f == "salaryFloor.currency" {
			ids[f] = "profile-currency"
		} else if f == "salaryFloor.period" {
			ids[f] = "profile-period"
		} else {
			ids[f] = meProfileFieldIDs[root]
		}
	}
	out := problemsOf(err, ids)
	for i, p := range out {
		if label := meFieldLabels[p.Field]; label != "" {
			out[i].Message = label + ": " + p.Message
		}
	}
	return out
}

var meFieldLabels = map[string]string{
	"profile-name": "Name", "profile-headline": "Headline", "profile-summary": "Summary", "profile-skills": "Skills",
	"profile-countries": "Countries", "profile-timezone": "Time zone", "profile-workstart": "Working hours", "profile-workend": "Working hours",
	"profile-seniority": "Seniority", "profile-salary": "Salary floor", "profile-currency": "Currency", "profile-period": "Salary period",
	"profile-visibility": "Visibility",
}

func meErrsByField(ps []problem) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		if p.Field != "" && m[p.Field] == "" {
			m[p.Field] = p.Message
		}
	}
	return m
}

// meFormOfProfile fills the editor from a stored profile.
func (h *Handler) meFormOfProfile(p readmodel.Profile) meProfileForm {
	f := meProfileForm{DisplayName: p.DisplayName, Headline: p.Headline, Summary: p.Summary, Countries: strings.Join(p.Countries, ", "),
		TimeZone: p.TimeZone, WorkStart: p.WorkStart, WorkEnd: p.WorkEnd, Seniority: p.Seniority, Visibility: p.Visibility,
		Version: strconv.FormatInt(p.Version, 10), Period: "year"}
	var sk []string
	for _, s := range p.Skills {
		e := h.skillName(s.Skill) + ":" + strconv.Itoa(s.Level)
		if s.Years > 0 {
			e += ":" + strconv.FormatFloat(s.Years, 'f', -1, 64)
		}
		sk = append(sk, e)
	}
	f.Skills = strings.Join(sk, ", ")
	if s := p.SalaryFloor; s != nil {
		f.SalaryMin = strconv.FormatInt(major(s.Min, s.Currency), 10)
		f.Currency, f.Period = s.Currency, s.Period
	}
	return f
}

func meReadProfileForm(v map[string][]string) meProfileForm {
	get := func(k string) string {
		if len(v[k]) == 0 {
			return ""
		}
		return strings.TrimSpace(v[k][0])
	}
	return meProfileForm{DisplayName: get("displayName"), Headline: get("headline"), Summary: get("summary"), Skills: get("skills"),
		Countries: get("countries"), TimeZone: get("timeZone"), WorkStart: get("workStart"), WorkEnd: get("workEnd"),
		Seniority: get("seniority"), SalaryMin: get("salaryMin"), Currency: strings.ToUpper(get("currency")), Period: get("period"),
		Visibility: get("visibility"), Version: get("version")}
}

// details reads the form into profile details; problems are what the
// form itself cannot turn into values (the domain checks the rest).
func (f meProfileForm) details() (domain.ProfileDetails, []problem) {
	d := domain.ProfileDetails{DisplayName: f.DisplayName, Headline: f.Headline, Summary: f.Summary, TimeZone: f.TimeZone,
		WorkStart: f.WorkStart, WorkEnd: f.WorkEnd, Seniority: f.Seniority, Skills: []domain.ProfileSkill{}}
	var ps []problem
	for _, c := range splitList([]string{f.Countries}) {
		d.Countries = append(d.Countries, strings.ToUpper(c))
	}
	for _, e := range splitList([]string{strings.ReplaceAll(f.Skills, "\n", ",")}) {
		parts := strings.Split(e, ":")
		s := domain.ProfileSkill{Skill: strings.TrimSpace(parts[0]), Level: 3}
		if len(parts) > 3 || s.Skill == "" {
			ps = append(ps, problem{Field: "profile-skills", Message: fmt.Sprintf("Skills: write %q as name:level:years, for example Go:4:6.", e)})
			continue
		}
		if len(parts) > 1 && strings.TrimSpace(parts[1]) != "" {
			n, err := strconv.Atoi(strings.TrimSpace(parts[1]))
			if err != nil || n < 1 || n > 5 {
				ps = append(ps, problem{Field: "profile-skills", Message: fmt.Sprintf("Skills: the level of %s must be a whole number from 1 to 5.", s.Skill)})
				continue
			}
			s.Level = n
		}
		if len(parts) > 2 && strings.TrimSpace(parts[2]) != "" {
			y, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(parts[2]), "y"), 64)
			if err != nil || y < 0 || y > 60 || math.IsNaN(y) {
				ps = append(ps, problem{Field: "profile-skills", Message: fmt.Sprintf("Skills: the years of %s must be a number from 0 to 60.", s.Skill)})
				continue
			}
			s.Years = y
		}
		d.Skills = append(d.Skills, s)
	}
	if f.SalaryMin != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(f.SalaryMin, ",", ""), 10, 64)
		cur := f.Currency
		switch {
		case err != nil || n < 0 || n > 1e12:
			ps = append(ps, problem{Field: "profile-salary", Message: "Salary floor: a whole, positive number, such as 90000."})
		case n > 0:
			if !meridian.ValidCurrency(cur) {
				ps = append(ps, problem{Field: "profile-currency", Message: "Currency: an ISO 4217 code such as USD or EUR."})
				break
			}
			period := f.Period
			if period == "" {
				period = "year"
			}
			d.SalaryFloor = &domain.Salary{Min: n * int64(math.Pow10(meridian.MinorUnits(cur))), Currency: cur, Period: period}
		}
	}
	if f.Visibility != "" && !slices.Contains(domain.Visibilities, f.Visibility) {
		ps = append(ps, problem{Field: "profile-visibility", Message: "Visibility: choose private, employers or public."})
	}
	return d, ps
}

func (h *Handler) meProfileDataOf(r *http.Request, prof readmodel.Profile, has bool, f meProfileForm) meProfileData {
	d := meProfileData{layout: h.layout(r, "Your profile", "Your developer profile: skills, where you can work from, time zone and salary floor."),
		Nav: meNavOf("/me/profile"), HasProfile: has, Profile: prof, Form: f, Errs: map[string]string{}}
	if f.Period == "" {
		f.Period = "year"
		d.Form.Period = "year"
	}
	d.Seniorities = append(d.Seniorities, option{"", "Not stated", f.Seniority == ""})
	for _, s := range domain.SeniorityLevels {
		d.Seniorities = append(d.Seniorities, option{s, titleCase(s), s == f.Seniority})
	}
	cur := f.Currency
	if cur == "" {
		cur = "USD"
	}
	for _, c := range currencies {
		d.Currencies = append(d.Currencies, option{c, c, c == cur})
	}
	if !slices.Contains(currencies, cur) && meridian.ValidCurrency(cur) {
		d.Currencies = append(d.Currencies, option{cur, cur, true})
	}
	for _, p := range domain.SalaryPeriods {
		d.Periods = append(d.Periods, option{p, "per " + p, p == f.Period})
	}
	vis := f.Visibility
	if vis == "" {
		vis = "employers"
	}
	for _, v := range []option{{"private", "Private: only you", false}, {"employers", "Employers: members of organizations on Meridian", false},
		{"public", "Public: anyone", false}} {
		v.Selected = v.Value == vis
		d.Visibilities = append(d.Visibilities, v)
	}
	return d
}

func (h *Handler) meProfilePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var f meProfileForm
	if has {
		f = h.meFormOfProfile(prof)
	} else if u := h.layout(r, "", "").User; u != nil {
		f.DisplayName = u.Name
	}
	h.render(w, r, http.StatusOK, "me-profile", h.meProfileDataOf(r, prof, has, f))
}

// meSaveProfile creates the person's profile or replaces its details (and
// visibility), with the version the form was rendered at.
func (h *Handler) meSaveProfile(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	if !h.readForm(w, r, formLimit) {
		return
	}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := meReadProfileForm(r.PostForm)
	det, ps := f.details()
	rerender := func(status int, ps []problem) {
		d := h.meProfileDataOf(r, prof, has, f)
		d.Problems, d.Errs = ps, meErrsByField(ps)
		h.render(w, r, status, "me-profile", d)
	}
	if len(ps) > 0 {
		rerender(http.StatusUnprocessableEntity, ps)
		return
	}
	ctx := r.Context()
	if !has {
		if _, err := h.cfg.App.CreateProfile(ctx, "", f.Visibility, det); err != nil {
			h.meProfileFailed(w, r, err, rerender)
			return
		}
		redirect(w, r, "/me/matches", "Your profile is saved. Here are the postings that match it.")
		return
	}
	expected := int64(-1)
	if f.Version != "" {
		if expected, err = strconv.ParseInt(f.Version, 10, 64); err != nil {
			expected = -1
		}
	}
	// The details first: when they are refused, nothing has changed (the
	// visibility was checked with the form).
	res, err := h.cfg.App.UpdateProfile(ctx, prof.ID, expected, det)
	if err != nil {
		h.meProfileFailed(w, r, err, rerender)
		return
	}
	if f.Visibility != "" && f.Visibility != prof.Visibility {
		if _, err := h.cfg.App.SetProfileVisibility(ctx, prof.ID, res.Version, f.Visibility); err != nil {
			h.meProfileFailed(w, r, err, rerender)
			return
		}
	}
	redirect(w, r, "/me/profile", "Your profile is saved.")
}

func (h *Handler) meProfileFailed(w http.ResponseWriter, r *http.Request, err error, rerender func(int, []problem)) {
	switch meridian.ErrorCode(err) {
	case meridian.EInvalid, meridian.ERule:
		rerender(http.StatusUnprocessableEntity, meProfileProblems(err))
	case meridian.EConflict:
		rerender(http.StatusConflict, []problem{{Message: "Your profile was changed elsewhere since you opened this page. " +
			"Open the profile page again to see the current version, then make your changes."}})
	default:
		h.fail(w, r, err)
	}
}

// meImportProfile reads a JSON Resume (uploaded as "resume" or pasted as
// "json") through the import pipeline's decoding and normalization, and
// makes it the person's profile: a new one, or the details of theirs
// (what the résumé does not say, such as the time zone of a résumé not
// written by Meridian, is kept). A résumé that cannot be used changes
// nothing and is shown with the reason.
func (h *Handler) meImportProfile(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	raw, pasted, readErr := meReadResume(w, r)
	bad := func(msg string) {
		f := meProfileForm{}
		if has {
			f = h.meFormOfProfile(prof)
		}
		d := h.meProfileDataOf(r, prof, has, f)
		d.ImportJSON = pasted
		d.ImportProblems = []problem{{Field: "import-file", Message: msg}}
		h.render(w, r, http.StatusUnprocessableEntity, "me-profile", d)
	}
	if readErr != "" {
		bad(readErr)
		return
	}
	dec, err := formats.NewDecoder("jsonresume", bytes.NewReader(raw), formats.Options{MaxRecordBytes: meMaxResumeBytes})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := dec.Next()
	switch {
	case errors.Is(err, io.EOF):
		bad("The file holds no résumé. Upload a JSON Resume document (a JSON object with \"basics\", \"work\", \"skills\"…).")
		return
	case err != nil:
		bad("This is not a JSON Resume document we can read: " + err.Error() + ".")
		return
	case rec.Err != nil:
		bad("This résumé cannot be used: " + rec.Err.Error() + ".")
		return
	case rec.Profile == nil:
		bad("The file holds no résumé. Upload a JSON Resume document.")
		return
	}
	rp := rec.Profile
	if has {
		meKeepUnstated(rp, prof)
	}
	im := &ingest.Importer{App: h.cfg.App}
	det, err := im.NormalizeProfile(rp)
	if err != nil {
		bad("This résumé cannot be used: " + ingest.Reason(err) + ".")
		return
	}
	ctx := r.Context()
	if has {
		_, err = h.cfg.App.UpdateProfile(ctx, prof.ID, -1, det)
	} else {
		_, err = h.cfg.App.CreateProfile(ctx, "", "", det)
	}
	switch meridian.ErrorCode(err) {
	case "":
	case meridian.EInvalid, meridian.ERule:
		bad("This résumé cannot be used: " + meridian.ErrorMessage(err) + ".")
		return
	default:
		h.fail(w, r, err)
		return
	}
	msg := "Your résumé is imported: " + plural(len(det.Skills), "skill", "skills") + " found."
	if !has {
		msg += " Check your time zone and where you can work from on your profile."
	}
	redirect(w, r, "/me/matches", msg)
}

// meReadResume reads the uploaded file (field "resume") or, without one,
// the pasted text (field "json"); pasted is the text to show again, and
// problem a message for the person.
func meReadResume(w http.ResponseWriter, r *http.Request) (raw []byte, pasted, problem string) {
	r.Body = http.MaxBytesReader(w, r.Body, meMaxResumeBytes+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(meMaxResumeBytes + 64<<10); err != nil {
			return nil, "", "The upload could not be read (a résumé may be 1 MiB at most)."
		}
		if file, hdr, err := r.FormFile("resume"); err == nil {
			defer file.Close()
			if hdr.Size > 0 {
				b, err := io.ReadAll(io.LimitReader(file, meMaxResumeBytes+1))
				if err != nil {
					return nil, "", "The uploaded file could not be read."
				}
				if len(b) > meMaxResumeBytes {
					return nil, "", "The résumé is larger than 1 MiB."
				}
				return b, "", ""
			}
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, "", "The résumé could not be read (1 MiB at most)."
	}
	text := r.PostFormValue("json")
	if strings.TrimSpace(text) == "" {
		return nil, "", "Choose a JSON Resume file to upload, or paste one."
	}
	return []byte(text), text, ""
}

// meKeepUnstated fills what a résumé does not say from the current profile.
func meKeepUnstated(rp *formats.Profile, cur readmodel.Profile) {
	if strings.TrimSpace(rp.Location.CountryCode) == "" && len(rp.Countries) == 0 {
		rp.Countries = append([]string(nil), cur.Countries...)
	}
	if strings.TrimSpace(rp.TimeZone) == "" {
		rp.TimeZone, rp.WorkStart, rp.WorkEnd = cur.TimeZone, cur.WorkStart, cur.WorkEnd
	}
	if rp.SalaryFloor == nil && cur.SalaryFloor != nil {
		s := cur.SalaryFloor
		rp.SalaryFloor = &formats.StructuredSalary{Min: float64(s.Min) / math.Pow10(meridian.MinorUnits(s.Currency)), Currency: s.Currency, Unit: s.Period}
	}
	if rp.Seniority == "" {
		rp.Seniority = cur.Seniority
	}
}
