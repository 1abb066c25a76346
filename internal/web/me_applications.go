package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// meApplicationView is one of the person's applications.
type meApplicationView struct {
	readmodel.Application
	Title    string // "" when the posting can no longer be seen
	JobURL   string
	OrgName  string
	OrgURL   string
	Stage    string // in words
	Final    bool
	Outcome  string // a final answer in words, with its reason
	Applied  string
	Changed  string
	CanLeave bool
}

var meStageNames = map[string]string{
	domain.StageApplied: "Applied", domain.StageScreening: "Screening", domain.StageInterview: "Interview", domain.StageOffer: "Offer",
	domain.StageHired: "Hired", domain.StageRejected: "Not selected", domain.StageWithdrawn: "Withdrawn",
}

var meReasonNames = map[string]string{
	"offer_accepted":            "you accepted the offer",
	"skills_mismatch":           "the skills did not match what they need",
	"experience_mismatch":       "the experience did not match what they need",
	"location_ineligible":       "they cannot hire where you work from",
	"timezone_mismatch":         "the working hours do not overlap enough",
	"salary_mismatch":           "the salary expectations differ",
	"position_filled":           "the position has been filled",
	"position_closed":           "the position was closed",
	"not_selected":              "another candidate was selected",
	"accepted_other_offer":      "you accepted another offer",
	"no_longer_interested":      "you are no longer interested",
	"compensation":              "the compensation",
	"process_too_slow":          "the process was too slow",
	"relocation_or_eligibility": "relocation or eligibility",
	"other":                     "another reason",
}

func meReasonText(code string) string {
	if s, ok := meReasonNames[code]; ok {
		return s
	}
	return meWords(code)
}

func meStageText(s string) string {
	if n, ok := meStageNames[s]; ok {
		return n
	}
	return titleCase(s)
}

// meApplicationViews adds the postings' titles and organizations (an
// applicant may read a posting they applied to after it closed; it is
// linked while it is open).
func (h *Handler) meApplicationViews(r *http.Request, apps []readmodel.Application) ([]meApplicationView, error) {
	if len(apps) == 0 {
		return nil, nil
	}
	var jobIDs, orgIDs []string
	for _, a := range apps {
		jobIDs = append(jobIDs, a.JobID)
		orgIDs = append(orgIDs, a.OrgID)
	}
	ctx := r.Context()
	jobs, err := h.cfg.App.JobsVisible(ctx, jobIDs)
	if err != nil {
		return nil, err
	}
	orgs, err := h.cfg.App.OrgsByID(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	out := make([]meApplicationView, 0, len(apps))
	for _, a := range apps {
		v := meApplicationView{Application: a, Stage: meStageText(a.Stage), Final: domain.IsFinal(a.Stage),
			OrgURL: "/orgs/" + url.PathEscape(a.OrgID), Applied: dateText(&a.CreatedAt), Changed: dateText(&a.UpdatedAt)}
		if j, ok := jobs[a.JobID]; ok {
			v.Title, v.OrgName = j.Title, j.OrgName
			if j.Status == domain.StatusPublished {
				v.JobURL = "/jobs/" + url.PathEscape(j.ID)
			}
		}
		if o, ok := orgs[a.OrgID]; ok && o.Name != "" {
			v.OrgName = o.Name
		}
		switch a.Stage {
		case domain.StageHired:
			v.Outcome = "Hired: " + meReasonText(a.ReasonCode) + "."
		case domain.StageRejected:
			v.Outcome = "Not selected: " + meReasonText(a.ReasonCode) + "."
		case domain.StageWithdrawn:
			v.Outcome = "You withdrew: " + meReasonText(a.ReasonCode) + "."
		}
		v.CanLeave = slices.Contains(a.NextStages, domain.StageWithdrawn)
		out = append(out, v)
	}
	return out, nil
}

type meApplicationsData struct {
	layout
	Nav          meNav
	Applications []meApplicationView
	Reasons      []option
	NextURL      string
	FirstURL     string
}

func (h *Handler) meApplicationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := h.person(w, r)
	if !ok {
		return
	}
	d := meApplicationsData{layout: h.layout(r, "Your applications", "Where each of your applications stands."), Nav: meNavOf("/me/applications")}
	cursor := r.URL.Query().Get("cursor")
	page, err := h.cfg.App.Applications(r.Context(), readmodel.ApplicationFilter{CandidateID: p.ID, Cursor: cursor, Limit: 50})
	if err != nil && cursor != "" && meridian.ErrorCode(err) == meridian.EInvalid {
		cursor = ""
		page, err = h.cfg.App.Applications(r.Context(), readmodel.ApplicationFilter{CandidateID: p.ID, Limit: 50})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Applications, err = h.meApplicationViews(r, page.Items); err != nil {
		h.fail(w, r, err)
		return
	}
	if page.NextCursor != "" {
		d.NextURL = "/me/applications?cursor=" + url.QueryEscape(page.NextCursor)
	}
	if cursor != "" {
		d.FirstURL = "/me/applications"
	}
	for _, c := range domain.ReasonCodes[domain.StageWithdrawn] {
		d.Reasons = append(d.Reasons, option{c, titleCase(meReasonText(c)), c == "other"})
	}
	h.render(w, r, http.StatusOK, "me-applications", d)
}

// meApply answers POST /jobs/{id}/apply: an application with the person's
// own profile and an optional cover letter.
func (h *Handler) meApply(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "That did not work", "The form could not be read (a cover letter may be 20,000 characters at most).")
		return
	}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !has {
		// As for a profile of someone else's: there is none to apply with.
		h.errorPage(w, r, http.StatusNotFound, "Create your profile first",
			"You apply with your Meridian profile, and you have none yet. Create it on My Meridian → Profile (or import a JSON Resume), then apply.")
		return
	}
	id := r.PathValue("id")
	if !meridian.ValidID(id) {
		h.fail(w, r, meridian.Errorf(meridian.ENotFound, "job %s not found", id))
		return
	}
	_, err = h.cfg.App.Apply(r.Context(), id, prof.ID, strings.TrimSpace(r.PostForm.Get("coverLetter")))
	switch meridian.ErrorCode(err) {
	case "":
		redirect(w, r, "/me/applications", "Your application is sent.")
	case meridian.ERule:
		h.errorPage(w, r, http.StatusConflict, "Applications are closed", meridian.ErrorMessage(err))
	case meridian.EConflict:
		h.errorPage(w, r, http.StatusConflict, "You have already applied", "Your profile has already applied to this posting: see My Meridian → Applications.")
	default:
		h.fail(w, r, err)
	}
}

// meWithdraw answers POST /me/applications/{id}/withdraw. The application
// layer decides, as for the REST operation: only the candidate withdraws
// (others who may see the application: 403; anyone else: 404).
func (h *Handler) meWithdraw(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if meridian.PrincipalFrom(r.Context()).Kind == meridian.PrincipalAnonymous {
		h.fail(w, r, meridian.Errorf(meridian.EUnauthorized, "sign in first"))
		return
	}
	if !meridian.ValidID(id) {
		h.fail(w, r, meridian.Errorf(meridian.ENotFound, "application %s not found", id))
		return
	}
	if !h.readForm(w, r, formLimit) {
		return
	}
	reason := r.PostForm.Get("reason")
	if reason == "" {
		reason = "other"
	}
	expected := int64(-1)
	if v := r.PostForm.Get("version"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			expected = n
		}
	}
	_, err := h.cfg.App.MoveApplication(r.Context(), id, expected, domain.StageWithdrawn, reason)
	switch meridian.ErrorCode(err) {
	case "":
		redirect(w, r, "/me/applications", "Your application is withdrawn.")
	case meridian.ERule:
		h.errorPage(w, r, http.StatusConflict, "This application has ended", meridian.ErrorMessage(err))
	case meridian.EConflict:
		h.errorPage(w, r, http.StatusConflict, "The application changed meanwhile", "Open your applications again to see where it stands.")
	default:
		h.fail(w, r, err)
	}
}
