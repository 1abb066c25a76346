package app

import (
	"context"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// Searcher gives the node's current search index (search.Follower).
type Searcher interface {
	Index() *search.Index
}

// JobHit is one search result: the posting's read view and how it matched.
type JobHit struct {
	Job    readmodel.Job `json:"job"`
	Score  float64       `json:"score"`
	Terms  []string      `json:"terms,omitempty" doc:"how each query word matched (stem, typo, prefix, skill)"`
	Salary *search.Money `json:"salary,omitempty" doc:"annual, in the requested currency"`
}

// SearchPage is one page of job search results.
type SearchPage struct {
	Total      int            `json:"total"`
	Hits       []JobHit       `json:"hits"`
	Facets     *search.Facets `json:"facets,omitempty"`
	NextCursor string         `json:"nextCursor,omitempty"`
}

// JobMatchView is a posting matched to a profile, with its read view.
type JobMatchView struct {
	Job readmodel.Job `json:"job"`
	search.JobMatch
}

// CandidateView is a profile matched to a posting, with its read view.
type CandidateView struct {
	Profile readmodel.Profile `json:"profile"`
	search.CandidateMatch
}

func (a *App) index() (*search.Index, error) {
	if a.Search == nil || a.Search.Index() == nil {
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: "the search index is not running on this node"}
	}
	return a.Search.Index(), nil
}

// jobsByID loads the read views of ids, keeping only published, unexpired
// postings (the index may briefly be ahead of or behind the SQL read model).
func (a *App) jobsByID(ctx context.Context, ids []string, now time.Time) (map[string]readmodel.Job, error) {
	jobs, err := a.Q.JobsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, j := range jobs {
		if j.Status = j.EffectiveStatus(now); j.Status != domain.StatusPublished {
			delete(jobs, id)
		} else {
			jobs[id] = j
		}
	}
	return jobs, nil
}

// SearchJobs runs a job search over the live postings (anyone may search).
func (a *App) SearchJobs(ctx context.Context, q search.Query) (SearchPage, error) {
	ix, err := a.index()
	if err != nil {
		return SearchPage{}, err
	}
	now := a.now()
	res, err := ix.Search(q, now)
	if err != nil {
		return SearchPage{}, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	jobs, err := a.jobsByID(ctx, ids, now)
	if err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Total: res.Total, Hits: []JobHit{}, Facets: res.Facets, NextCursor: res.NextCursor}
	for _, h := range res.Hits {
		if j, ok := jobs[h.ID]; ok {
			page.Hits = append(page.Hits, JobHit{Job: j, Score: h.Score, Terms: h.Terms, Salary: h.Salary})
		}
	}
	return page, nil
}

// SearchProfile turns a profile's read view into what matching needs.
func SearchProfile(p readmodel.Profile) search.Profile {
	return search.Profile{ID: p.ID, Skills: p.Skills, Countries: p.Countries, TimeZone: p.TimeZone,
		WorkStart: p.WorkStart, WorkEnd: p.WorkEnd, SalaryFloor: p.SalaryFloor, Seniority: p.Seniority}
}

// SearchDoc turns a posting's read view into a search document.
func SearchDoc(j readmodel.Job) search.Doc {
	d := search.Doc{ID: j.ID, OrgID: j.OrgID, OrgName: j.OrgName, Title: j.Title, Description: j.Description,
		Skills: j.Skills, Seniority: j.Seniority, EmploymentType: j.EmploymentType, Salary: j.Salary,
		Eligibility: j.Eligibility, TimeZone: j.TimeZone}
	if p := j.Posted(); p != nil { // the index's date (search.PostedAt)
		d.PublishedAt = *p
	}
	if j.ValidThrough != nil {
		d.ValidThrough = *j.ValidThrough
	}
	return d
}

// ProfileMatches returns the best live postings for a profile, each
// explained. Only the profile's owner (or a platform admin) may ask.
func (a *App) ProfileMatches(ctx context.Context, profileID string, opt search.MatchOptions) (search.MatchPage[JobMatchView], error) {
	var out search.MatchPage[JobMatchView]
	ix, err := a.index()
	if err != nil {
		return out, err
	}
	p, err := requirePerson(ctx)
	if err != nil {
		return out, err
	}
	prof, err := a.Q.Profile(ctx, profileID)
	if err != nil {
		return out, err
	}
	if prof.Erased || (!p.PlatformAdmin && prof.OwnerID != p.ID) {
		// Someone else's profile is not there, whether or not it is visible.
		return out, meridian.Errorf(meridian.ENotFound, "profile %s not found", profileID)
	}
	now := a.now()
	page, err := ix.MatchProfile(SearchProfile(prof), opt, now)
	if err != nil {
		return out, err
	}
	ids := make([]string, len(page.Items))
	for i, m := range page.Items {
		ids[i] = m.JobID
	}
	jobs, err := a.jobsByID(ctx, ids, now)
	if err != nil {
		return out, err
	}
	out = search.MatchPage[JobMatchView]{Items: []JobMatchView{}, NextCursor: page.NextCursor}
	for _, m := range page.Items {
		if j, ok := jobs[m.JobID]; ok {
			out.Items = append(out.Items, JobMatchView{Job: j, JobMatch: m})
		}
	}
	return out, nil
}

// JobCandidates returns the best visible candidates for a posting (profiles
// shown to employers or the public), each explained. Only members of the
// posting's organization may ask (API keys need applications:read).
func (a *App) JobCandidates(ctx context.Context, jobID string, opt search.MatchOptions) (search.MatchPage[CandidateView], error) {
	var out search.MatchPage[CandidateView]
	job, err := a.Q.Job(ctx, jobID)
	if err != nil {
		return out, err
	}
	role, err := a.memberRole(ctx, meridian.PrincipalFrom(ctx), job.OrgID, ScopeApplicationsRead)
	if err != nil {
		return out, err
	}
	if role == "" {
		// Another organization's shortlist does not exist for the caller.
		return out, meridian.Errorf(meridian.ENotFound, "job %s not found", jobID)
	}
	var profiles []search.Profile
	views := map[string]readmodel.Profile{}
	f := readmodel.ProfileFilter{Visibility: []string{"public", "employers"}, Limit: 100}
	for {
		pg, err := a.Q.Profiles(ctx, f)
		if err != nil {
			return out, err
		}
		for _, p := range pg.Items {
			if p.Erased {
				continue
			}
			views[p.ID] = p
			profiles = append(profiles, SearchProfile(p))
		}
		if pg.NextCursor == "" {
			break
		}
		f.Cursor = pg.NextCursor
	}
	doc := SearchDoc(job)
	page, err := search.RankCandidates(&doc, profiles, opt, a.now())
	if err != nil {
		return out, err
	}
	out = search.MatchPage[CandidateView]{Items: []CandidateView{}, NextCursor: page.NextCursor}
	for _, m := range page.Items {
		out.Items = append(out.Items, CandidateView{Profile: views[m.ProfileID], CandidateMatch: m})
	}
	return out, nil
}
