package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/url"

	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// meMatchView is one matching posting with its explanation in words.
type meMatchView struct {
	Job         readmodel.Job
	URL         string
	Score       int // percent
	Salary      string
	Eligibility string
	Matched     []meSkillMatchView
	Missing     []meSkillMatchView
	Eligible    []string
	Overlap     string
	SalaryFit   string
	Seniority   string
}

type meSkillMatchView struct {
	Name     string
	Required bool
	Note     string // "through PostgreSQL: PostgreSQL is a kind of SQL", "level 3 of 4 asked"
}

type meMatchesData struct {
	layout
	Nav        meNav
	HasProfile bool
	Profile    readmodel.Profile
	Matches    []meMatchView
	NextURL    string
	FirstURL   string
}

func (h *Handler) meMatchesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	d := meMatchesData{layout: h.layout(r, "Your matches", "Remote postings that match your profile, and why."), Nav: meNavOf("/me/matches")}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.HasProfile, d.Profile = has, prof
	if has {
		cursor := r.URL.Query().Get("cursor")
		page, err := h.cfg.App.ProfileMatches(r.Context(), prof.ID, search.MatchOptions{Limit: 20, Cursor: cursor})
		if err != nil && cursor != "" && meridian.ErrorCode(err) == meridian.EInvalid {
			cursor = "" // a stale cursor: the first page
			page, err = h.cfg.App.ProfileMatches(r.Context(), prof.ID, search.MatchOptions{Limit: 20})
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, m := range page.Items {
			d.Matches = append(d.Matches, h.meMatch(m.Job, m.Score, m.Explanation))
		}
		if page.NextCursor != "" {
			d.NextURL = "/me/matches?cursor=" + url.QueryEscape(page.NextCursor)
		}
		if cursor != "" {
			d.FirstURL = "/me/matches"
		}
	}
	h.render(w, r, http.StatusOK, "me-matches", d)
}

func (h *Handler) meMatch(j readmodel.Job, score float64, e search.Explanation) meMatchView {
	v := meMatchView{Job: j, URL: "/jobs/" + url.PathEscape(j.ID), Score: int(math.Round(score * 100)), Salary: salaryText(j.Salary),
		Eligibility: eligibilityText(j), Eligible: e.Eligible}
	for _, s := range e.Matched {
		sv := meSkillMatchView{Name: cmp.Or(s.Name, h.skillName(s.Skill)), Required: s.Required}
		switch {
		case s.Via != "":
			sv.Note = "through your " + h.skillName(s.Via)
			if s.How != "" {
				sv.Note = s.How
			}
		case s.Want > 0 && s.Have > 0 && s.Have < s.Want:
			sv.Note = fmt.Sprintf("you are at level %d of the %d asked", s.Have, s.Want)
		}
		v.Matched = append(v.Matched, sv)
	}
	for _, s := range e.Missing {
		v.Missing = append(v.Missing, meSkillMatchView{Name: cmp.Or(s.Name, h.skillName(s.Skill)), Required: s.Required})
	}
	if e.OverlapHours != nil {
		v.Overlap = fmt.Sprintf("%s of overlap with the team's working hours.", hoursText(*e.OverlapHours))
	}
	switch e.Salary.Fit {
	case "meets":
		v.SalaryFit = "The salary reaches your floor"
		if p, f := e.Salary.Posting, e.Salary.Floor; p != nil && f != nil {
			v.SalaryFit += fmt.Sprintf(" (%s a year against your %s).", moneyRange(p.Min, p.Max, p.Currency), moneyRange(f.Min, 0, f.Currency))
		} else {
			v.SalaryFit += "."
		}
	case "below":
		v.SalaryFit = "The salary is below your floor"
		if p, f := e.Salary.Posting, e.Salary.Floor; p != nil && f != nil {
			v.SalaryFit += fmt.Sprintf(" (%s a year against your %s).", moneyRange(p.Min, p.Max, p.Currency), moneyRange(f.Min, 0, f.Currency))
		} else {
			v.SalaryFit += "."
		}
	default:
		if e.Salary.Posting == nil {
			v.SalaryFit = "The posting states no salary."
		} else {
			v.SalaryFit = "Add a salary floor to your profile to compare the salary."
		}
	}
	switch e.Seniority {
	case "match":
		v.Seniority = "Your seniority matches."
	case "above":
		v.Seniority = "The role is more senior than your profile says."
	case "below":
		v.Seniority = "The role is more junior than your profile says."
	}
	return v
}

// meGapView is one skill to learn, with the reasons.
type meGapView struct {
	market.Gap
	Uplift  string
	Median  string
	Related []string
}

type meSkillsData struct {
	layout
	Nav         meNav
	HasProfile  bool
	Unavailable string
	Gaps        market.SkillGaps
	Items       []meGapView
}

func (h *Handler) meSkillsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	d := meSkillsData{layout: h.layout(r, "Skills to learn next", "Which skills would open the most remote postings to you, and what they pay."), Nav: meNavOf("/me/skills")}
	prof, has, err := h.meProfile(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.HasProfile = has
	if has {
		ctx := r.Context()
		gaps, err := h.cfg.App.SkillGaps(ctx, prof.ID, "", 15)
		switch {
		case meridian.ErrorCode(err) == meridian.EUnavailable:
			d.Unavailable = "Skill advice is not available on this server right now."
		case err != nil:
			h.fail(w, r, err)
			return
		}
		d.Gaps = gaps
		known := map[string]bool{}
		for _, s := range prof.Skills {
			known[s.Skill] = true
		}
		for i, g := range gaps.Items {
			v := meGapView{Gap: g}
			if g.Uplift != nil && *g.Uplift != 0 {
				sign := "+"
				if *g.Uplift < 0 {
					sign = "−"
				}
				v.Uplift = sign + gaps.Currency + " " + thousands(int64(math.Abs(math.Round(*g.Uplift))))
			}
			if g.MedianAfter != nil {
				v.Median = gaps.Currency + " " + thousands(int64(math.Round(*g.MedianAfter)))
			}
			if i < 8 {
				// What the skill is asked for with, the developer's own skills first.
				co, err := h.cfg.App.MarketCooccurrence(ctx, market.Filter{}, g.Skill, 2, 12)
				if err == nil {
					var mine, other []string
					for _, p := range co.Items {
						other, mine = meAppendRelated(p, g.Skill, known, other, mine)
					}
					v.Related = append(mine, other...)
					if len(v.Related) > 4 {
						v.Related = v.Related[:4]
					}
				}
			}
			d.Items = append(d.Items, v)
		}
	}
	h.render(w, r, http.StatusOK, "me-skills", d)
}

// meAppendRelated adds the other skill of a pair: to mine (marked) when the
// developer has it, else to other.
func meAppendRelated(p market.Pair, skill string, known map[string]bool, other, mine []string) ([]string, []string) {
	id, name := p.B, p.BName
	if p.B == skill {
		id, name = p.A, p.AName
	}
	if id == skill || id == "" {
		return other, mine
	}
	if known[id] {
		return other, append(mine, name+" (you have it)")
	}
	return append(other, name), mine
}
