package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// empStages are the pipeline board's columns, in order.
var empStages = []string{domain.StageApplied, domain.StageScreening, domain.StageInterview, domain.StageOffer,
	domain.StageHired, domain.StageRejected, domain.StageWithdrawn}

var empReasonNames = map[string]string{
	"offer_accepted": "Offer accepted", "skills_mismatch": "Skills do not match", "experience_mismatch": "Experience does not match",
	"location_ineligible": "Not eligible from their location", "timezone_mismatch": "Time zone does not fit",
	"salary_mismatch": "Salary expectations do not fit", "position_filled": "Position filled", "position_closed": "Position closed",
	"not_selected": "Not selected", "other": "Other reason", "accepted_other_offer": "Accepted another offer",
	"no_longer_interested": "No longer interested", "compensation": "Compensation", "process_too_slow": "Process too slow",
	"relocation_or_eligibility": "Relocation or eligibility",
}

func empReasonName(code string) string {
	if n, ok := empReasonNames[code]; ok {
		return n
	}
	return code
}

type empReasonGroup struct {
	Stage   string
	Reasons []option
}

// empCard is one application on the board.
type empCard struct {
	readmodel.Application
	Name, Headline string
	Moves          []option // the stages the organization may move it to
	Reason         string
	Notes          []empNote // the organization's private notes, oldest first
}

// empNote is a note on a card.
type empNote struct {
	Author, Body, When string
}

type empColumn struct {
	Stage string
	Final bool
	Count int // applications at this stage, Cards the newest boardPage of them or a later page
	Cards []empCard
	// Older links to the column's next cards, Newest back to its first.
	Older, Newest string
}

// boardPage is how many cards a pipeline column shows at a time.
const boardPage = 30

type empPipelineData struct {
	layout
	Nav      empNav
	Job      readmodel.Job
	Columns  []empColumn
	Total    int // applications to the posting
	Reasons  []empReasonGroup
	CanMove  bool
	Problems []problem
	// Failed is the application whose move was refused.
	Failed string
}

// empReasonGroups are the reason codes the organization may give, by final
// stage (withdrawing is the candidate's).
func empReasonGroups() []empReasonGroup {
	var out []empReasonGroup
	for _, st := range []string{domain.StageHired, domain.StageRejected} {
		g := empReasonGroup{Stage: titleCase(st)}
		for _, c := range domain.ReasonCodes[st] {
			g.Reasons = append(g.Reasons, option{c, empReasonName(c), false})
		}
		out = append(out, g)
	}
	return out
}

// GET /employer/jobs/{id}/pipeline
func (h *Handler) pipeline(w http.ResponseWriter, r *http.Request) {
	j, role, ok := h.empJob(w, r, "org-viewer")
	if !ok {
		return
	}
	h.renderPipeline(w, r, http.StatusOK, j, role, nil, "")
}

func (h *Handler) renderPipeline(w http.ResponseWriter, r *http.Request, status int, j readmodel.Job, role string, probs []problem, failed string) {
	ctx := r.Context()
	// One column may be paged (?stage=&after=, from its "Older" link);
	// the others show their newest cards.
	base := "/employer/jobs/" + j.ID + "/pipeline"
	paged, after := r.URL.Query().Get("stage"), r.URL.Query().Get("after")
	var cursors map[string]string
	if paged != "" && after != "" {
		cursors = map[string]string{paged: after}
	}
	board, err := h.cfg.App.Pipeline(ctx, j.OrgID, j.ID, boardPage, cursors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ids []string
	for _, page := range board.Pages {
		for _, a := range page.Items {
			ids = append(ids, a.ProfileID)
		}
	}
	profiles, err := h.cfg.App.ProfilesVisible(ctx, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := empPipelineData{layout: h.layout(r, "Pipeline · "+j.Title, ""), Nav: h.empNavOf(r, j.OrgID, role, ""), Job: j,
		Reasons: empReasonGroups(), Problems: probs, Failed: failed, CanMove: app.RoleAtLeast(role, domain.RoleRecruiter)}
	authors := map[string]string{}
	for _, st := range empStages {
		col := empColumn{Stage: st, Final: domain.IsFinal(st), Count: board.Counts[st]}
		d.Total += col.Count
		page := board.Pages[st]
		if cursors[st] != "" {
			col.Newest = base + "#stage-" + st
		}
		if page.NextCursor != "" {
			col.Older = base + "?stage=" + st + "&after=" + url.QueryEscape(page.NextCursor) + "#stage-" + st
		}
		for _, a := range page.Items {
			c := empCard{Application: a, Name: "Candidate (profile not visible)"}
			for _, n := range board.Notes[a.ID] {
				if _, ok := authors[n.AuthorID]; !ok {
					authors[n.AuthorID] = h.empPersonName(r, n.AuthorID)
				}
				c.Notes = append(c.Notes, empNote{Author: authors[n.AuthorID], Body: n.Body, When: n.CreatedAt.Format("2 Jan 2006 15:04 MST")})
			}
			if p, ok := profiles[a.ProfileID]; ok {
				c.Name, c.Headline = p.DisplayName, p.Headline
			}
			for _, s := range a.NextStages {
				if s != domain.StageWithdrawn {
					c.Moves = append(c.Moves, option{s, titleCase(s), false})
				}
			}
			if a.ReasonCode != "" {
				c.Reason = empReasonName(a.ReasonCode)
			}
			col.Cards = append(col.Cards, c)
		}
		d.Columns = append(d.Columns, col)
	}
	h.render(w, r, status, "emp-pipeline", d)
}

// POST /employer/applications/{id}/move: to, reason, version. The
// organization moves an application forward or rejects it; its candidate
// may withdraw it. The application layer decides who may; a refused
// move by the organization is shown on the board with the domain's
// message.
func (h *Handler) moveApplication(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, ok := h.empAppRefuse(w, r, "candidate-or-org", id)
	if !ok {
		return
	}
	a, err := h.cfg.App.Application(r.Context(), id)
	if err != nil {
		h.fail(w, r, empNotFound(err, "application", id))
		return
	}
	if !h.readForm(w, r, formLimit) {
		return
	}
	to, reason := r.PostForm.Get("to"), r.PostForm.Get("reason")
	if !domain.IsFinal(to) {
		reason = "" // the select is sent along with every move
	}
	candidate := a.CandidateID == p.ID && !p.PlatformAdmin
	if _, err := h.cfg.App.MoveApplication(r.Context(), id, empVersion(r.PostForm), to, reason); err != nil {
		code := meridian.ErrorCode(err)
		if candidate || (code != meridian.EInvalid && code != meridian.ERule && code != meridian.EConflict) {
			h.fail(w, r, err)
			return
		}
		status, msg := http.StatusUnprocessableEntity, meridian.ErrorMessage(err)
		if e, ok := err.(*meridian.Error); ok && e.Fields["reasonCode"] != "" {
			msg = "Give a reason: " + e.Fields["reasonCode"] + "."
		}
		switch code {
		case meridian.EConflict:
			status, msg = http.StatusConflict, "Someone moved this application since the board was loaded; here is the board as it is now."
		case meridian.ERule:
			status = http.StatusConflict
		}
		h.boardProblem(w, r, p, a, status, problem{Field: "move-" + a.ID, Message: msg}, err)
		return
	}
	if candidate {
		redirect(w, r, "/me", "Your application is withdrawn.")
		return
	}
	redirect(w, r, empJobPath(a.JobID)+"/pipeline#app-"+a.ID, "Moved to "+to+".")
}

// ---- GET /employer/jobs/{id}/candidates ----

type empCandidateRow struct {
	Profile   readmodel.Profile
	Score     string
	Matched   []string
	Missing   []string
	Eligible  string
	Overlap   string
	Salary    string
	Seniority string
}

type empCandidatesData struct {
	layout
	Nav        empNav
	Job        readmodel.Job
	Candidates []empCandidateRow
	Currency   string
}

func (h *Handler) candidates(w http.ResponseWriter, r *http.Request) {
	j, role, ok := h.empJob(w, r, "org-viewer")
	if !ok {
		return
	}
	cur := "USD"
	if j.Salary != nil && j.Salary.Currency != "" {
		cur = j.Salary.Currency
	}
	page, err := h.cfg.App.JobCandidates(r.Context(), j.ID, search.MatchOptions{Limit: 25, Currency: cur})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := empCandidatesData{layout: h.layout(r, "Candidates · "+j.Title, ""), Nav: h.empNavOf(r, j.OrgID, role, ""), Job: j, Currency: cur}
	for _, c := range page.Items {
		d.Candidates = append(d.Candidates, empExplain(c.Profile, c.Explanation, c.Score))
	}
	h.render(w, r, http.StatusOK, "emp-candidates", d)
}

// empExplain says in plain words why a profile fits a posting.
func empExplain(p readmodel.Profile, e search.Explanation, score float64) empCandidateRow {
	row := empCandidateRow{Profile: p, Score: fmt.Sprintf("%.0f%%", score*100)}
	for _, m := range e.Matched {
		s := m.Name
		if m.Via != "" {
			s += " (through " + m.Via
			if m.How != "" {
				s += ": " + m.How
			}
			s += ")"
		}
		if m.Want > 0 && m.Have > 0 && m.Have < m.Want {
			s += fmt.Sprintf(", level %d of the %d wanted", m.Have, m.Want)
		}
		row.Matched = append(row.Matched, s)
	}
	for _, m := range e.Missing {
		s := m.Name
		if !m.Required {
			s += " (nice to have)"
		}
		row.Missing = append(row.Missing, s)
	}
	if len(e.Eligible) > 0 {
		row.Eligible = "Eligible: " + strings.Join(e.Eligible, "; ") + "."
	} else {
		row.Eligible = "Eligibility not established."
	}
	if e.OverlapHours != nil {
		row.Overlap = fmt.Sprintf("%s of working-time overlap.", hoursText(*e.OverlapHours))
	} else {
		row.Overlap = "The posting states no working hours to overlap with."
	}
	money := func(m *search.Money) string {
		if m == nil {
			return ""
		}
		return moneyRange(major(m.Min, m.Currency), major(m.Max, m.Currency), m.Currency) + " a year"
	}
	switch e.Salary.Fit {
	case "meets":
		row.Salary = "Salary fits: their floor is " + money(e.Salary.Floor) + ", the posting pays " + money(e.Salary.Posting) + "."
	case "below":
		row.Salary = "Salary below their floor: they ask at least " + money(e.Salary.Floor) + ", the posting pays " + money(e.Salary.Posting) + "."
	default:
		row.Salary = "Salary fit unknown (one side states none)."
	}
	switch e.Seniority {
	case "match":
		row.Seniority = "Seniority matches."
	case "above":
		row.Seniority = "More senior than the posting asks."
	case "below":
		row.Seniority = "Less senior than the posting asks."
	default:
		row.Seniority = "Seniority not stated."
	}
	return row
}

// Applied is the application's date.
func (c empCard) Applied() string { t := c.CreatedAt; return dateText(&t) }

// POST /employer/applications/{id}/notes: body. A private note of the
// organization on an application (recruiters and above; the application
// layer decides).
func (h *Handler) addNote(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, ok := h.empAppRefuse(w, r, "org-recruiter", id)
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	_, _, err := h.cfg.App.AddNote(r.Context(), id, strings.TrimSpace(r.PostForm.Get("body")))
	if code := meridian.ErrorCode(err); err != nil && code != meridian.EInvalid && code != meridian.ERule {
		h.fail(w, r, empNotFound(err, "application", id))
		return
	}
	a, err2 := h.cfg.App.Application(r.Context(), id)
	if err2 != nil {
		h.fail(w, r, err2)
		return
	}
	if err != nil { // empty or too long: the board again, the message at the card's note form
		h.boardProblem(w, r, p, a, http.StatusUnprocessableEntity, problem{Field: "note-" + a.ID, Message: meridian.ErrorMessage(err)}, err)
		return
	}
	redirect(w, r, empJobPath(a.JobID)+"/pipeline#app-"+a.ID, "Note added.")
}

// empAppRefuse is empRefuse for a route on application id: an API key is
// refused with 403 on its own organization's applications, 404 elsewhere.
func (h *Handler) empAppRefuse(w http.ResponseWriter, r *http.Request, policy, id string) (meridian.Principal, bool) {
	p := meridian.PrincipalFrom(r.Context())
	keyOrg := ""
	if p.Kind != meridian.PrincipalUser && p.Kind != meridian.PrincipalAnonymous {
		// Only to choose between 403 and 404 for an API key, which is refused either way.
		if a, err := h.cfg.App.Q.Application(r.Context(), id); err == nil {
			keyOrg = a.OrgID
		}
	}
	return h.empRefuse(w, r, policy, keyOrg)
}

// boardProblem shows application a's board again with status and the
// problem at one of its card's forms (a refused move or note); err is
// shown instead if the board cannot be read.
func (h *Handler) boardProblem(w http.ResponseWriter, r *http.Request, p meridian.Principal, a readmodel.Application, status int, pr problem, err error) {
	j, err2 := h.cfg.App.Job(r.Context(), a.JobID)
	if err2 != nil {
		h.fail(w, r, err)
		return
	}
	role, err2 := h.empRoleIn(r, p, a.OrgID)
	if err2 != nil {
		h.fail(w, r, err)
		return
	}
	h.renderPipeline(w, r, status, j, role, []problem{pr}, a.ID)
}
