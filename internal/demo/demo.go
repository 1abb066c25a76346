// Package demo builds Meridian's demo data set from real job postings: the
// Hacker News "Who is hiring?" posts of January to April 2026 (package
// hnposts, with their origin and license). Load imports them through the
// "hn" import format, adds a few clearly fictional developer profiles and
// applications, and does nothing when the demo is already loaded.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/hnposts"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// Principal is the principal the demo loader acts as (a platform admin).
var Principal = meridian.System("demo")

// Seed makes every pseudo-random choice of the loader repeatable.
const Seed = 20260101

// EmployerID returns the pseudo user id that owns a demo company's
// organization.
func EmployerID(company string) string { return "demo-employer-" + domain.Slugify(company) }

// DeveloperID returns the pseudo user id that owns the n-th demo profile (1-based).
func DeveloperID(n int) string { return fmt.Sprintf("demo-dev-%d", n) }

// Summary reports what Load did.
type Summary struct {
	// AlreadyLoaded is true when the demo was found loaded and nothing was done.
	AlreadyLoaded bool `json:"alreadyLoaded"`
	// Posts is the number of HN posts read; Records the postings they
	// listed (a post may list several roles).
	Posts   int `json:"posts"`
	Records int `json:"records"`
	Orgs    int `json:"orgs"`
	Jobs    int `json:"jobs"`
	// Merged counts reposts folded into an earlier posting.
	Merged int `json:"merged"`
	// Skipped counts the records that became no job, by reason.
	Skipped     int            `json:"skipped"`
	SkipReasons map[string]int `json:"skipReasons,omitempty"`
	// WithSalary counts jobs whose post states a salary.
	WithSalary   int `json:"withSalary"`
	Profiles     int `json:"profiles"`
	Applications int `json:"applications"`
	Notes        int `json:"notes"`
	// ReferenceData is true when the market reference sources (salary
	// survey, HN hiring trends) are in place.
	ReferenceData bool          `json:"referenceData"`
	Duration      time.Duration `json:"-"`
}

// MarshalJSON writes the duration as text ("2.4s").
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	return json.Marshal(struct {
		plain
		Duration string `json:"duration"`
	}{plain(s), s.Duration.Round(time.Millisecond).String()})
}

// Data returns the embedded HN data file (JSON Lines, as the "hn" import
// format reads it; see internal/hnposts).
func Data() (io.ReadCloser, error) { return hnposts.Open() }

// Loaded reports whether the demo data set is already in the database:
// the organization of the first demo company exists in the event store
// (written in the first batch, so a load that stopped half-way also
// counts: the demo is never duplicated; loading again would only merge).
func Loaded(ctx context.Context, a *app.App) (bool, error) {
	company, err := firstCompany()
	if err != nil {
		return false, err
	}
	v, err := a.DB.StreamVersion(ctx, app.ImportedOrgID(company))
	return v > 0, err
}

// firstCompany is the employer of the data set's first usable post.
func firstCompany() (string, error) {
	r, err := Data()
	if err != nil {
		return "", err
	}
	defer r.Close()
	dec := ingest.NewHNDecoder(r, 0)
	for {
		rec, err := dec.Next()
		if err != nil {
			return "", fmt.Errorf("demo data: no usable post: %w", err)
		}
		if rec.Job != nil {
			return rec.Job.Company, nil
		}
	}
}

// Load loads the demo data set through the import pipeline (format "hn")
// and the application layer, as the demo system principal, unless it is
// already loaded: real postings first, then the fictional profiles and
// applications.
func Load(ctx context.Context, a *app.App, log *slog.Logger) (Summary, error) {
	start := time.Now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var sum Summary
	loaded, err := Loaded(ctx, a)
	if err != nil {
		return sum, fmt.Errorf("demo: check whether loaded: %w", err)
	}
	// The market's reference sources: skipped when already imported.
	if err := marketdata.LoadShipped(ctx, a.DB); err != nil {
		return sum, fmt.Errorf("demo: market reference data: %w", err)
	}
	sum.ReferenceData = true
	if loaded {
		sum.AlreadyLoaded = true
		sum.Duration = time.Since(start)
		log.Info("demo data already loaded")
		return sum, nil
	}
	fast := *a
	fast.Waiter = nil
	dctx := meridian.WithPrincipal(ctx, Principal)
	l := &loader{a: &fast, sum: &sum, ctx: dctx}

	r, err := Data()
	if err != nil {
		return sum, err
	}
	defer r.Close()
	lines := &lineCounter{r: r}
	validThrough := fast.Clock().Add(domain.DefaultValidity) // what publishing gives a posting without its own
	byID := map[string]int{}
	var jobs []loadedJob
	im := &ingest.Importer{App: &fast}
	rep, err := im.Run(dctx, lines, ingest.Options{
		Format:   "hn",
		OrgOwner: EmployerID,
		Now:      fast.Clock,
		Observe: func(j app.ImportJob, o app.ImportOutcome) {
			j.Details.ValidThrough = validThrough
			lj := loadedJob{id: o.JobID, orgID: o.OrgID, company: j.Company, details: j.Details}
			if i, ok := byID[o.JobID]; ok {
				jobs[i] = lj // a repost: the newest text
				return
			}
			byID[o.JobID] = len(jobs)
			jobs = append(jobs, lj)
		},
	})
	if err != nil {
		return sum, fmt.Errorf("demo: import postings: %w", err)
	}
	sum.Posts, sum.Records, sum.Orgs, sum.Jobs, sum.Merged = lines.n, rep.Records, rep.OrgsCreated, rep.Created, rep.Merged
	sum.Skipped = rep.Rejected
	sum.SkipReasons = map[string]int{}
	for _, rj := range rep.Rejections {
		reason := rj.Reason
		if i := strings.Index(reason, ": "); i > 0 {
			reason = reason[:i]
		}
		sum.SkipReasons[reason]++
	}
	for _, j := range jobs {
		if j.details.Salary != nil {
			sum.WithSalary++
		}
	}
	profiles, err := l.profiles(jobs)
	if err != nil {
		return sum, fmt.Errorf("demo: profiles: %w", err)
	}
	if err := l.applications(jobs, profiles); err != nil {
		return sum, fmt.Errorf("demo: applications: %w", err)
	}
	sum.Duration = time.Since(start)
	log.Debug("demo data loaded", "posts", sum.Posts, "orgs", sum.Orgs, "jobs", sum.Jobs, "skipped", sum.Skipped,
		"profiles", sum.Profiles, "applications", sum.Applications, "duration", sum.Duration)
	return sum, nil
}

// lineCounter counts the lines (posts) read through it.
type lineCounter struct {
	r io.Reader
	n int
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

type loader struct {
	a   *app.App
	sum *Summary
	ctx context.Context
}

type loadedJob struct {
	id      string
	orgID   string
	company string
	details domain.JobDetails
}

// ---- fictional developers ----

// devSpec describes one fictional developer; skills beyond the primary one
// are drawn from the postings' most common skills.
type devSpec struct {
	primary   string // skill id
	city      string
	zone      string
	countries []string
	seniority string
	floor     int64 // major units per year
	currency  string
	start     string // local working day start
	public    bool
}

var devSpecs = []devSpec{
	{"go", "Lisbon", "Europe/Lisbon", []string{"PT"}, "senior", 70000, "EUR", "09:00", true},
	{"python", "Toronto", "America/Toronto", []string{"CA"}, "mid", 110000, "CAD", "09:00", true},
	{"typescript", "Austin", "America/Chicago", []string{"US"}, "senior", 150000, "USD", "08:30", true},
	{"rust", "Berlin", "Europe/Berlin", []string{"DE"}, "staff", 95000, "EUR", "10:00", false},
	{"java", "Bengaluru", "Asia/Kolkata", []string{"IN"}, "mid", 2500000, "INR", "10:00", true},
	{"nodejs", "São Paulo", "America/Sao_Paulo", []string{"BR"}, "senior", 60000, "USD", "09:00", true},
	{"kubernetes", "London", "Europe/London", []string{"GB"}, "lead", 85000, "GBP", "09:00", false},
	{"react", "Nairobi", "Africa/Nairobi", []string{"KE"}, "junior", 30000, "USD", "08:00", true},
	{"c++", "Tokyo", "Asia/Tokyo", []string{"JP"}, "senior", 9000000, "JPY", "10:00", true},
	{"ruby", "Sydney", "Australia/Sydney", []string{"AU"}, "senior", 140000, "AUD", "08:30", false},
	{"pytorch", "Warsaw", "Europe/Warsaw", []string{"PL"}, "mid", 50000, "EUR", "09:00", true},
	{"postgresql", "Seattle", "America/Los_Angeles", []string{"US", "CA"}, "principal", 210000, "USD", "09:00", true},
}

type loadedProfile struct {
	id      string
	owner   string
	skills  map[string]bool
	country string
}

// topSkills returns the jobs' skill ids, most demanded first.
func topSkills(jobs []loadedJob) []string {
	count := map[string]int{}
	for _, j := range jobs {
		for _, s := range j.details.Skills {
			count[s.Skill]++
		}
	}
	ids := make([]string, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if count[ids[i]] != count[ids[j]] {
			return count[ids[i]] > count[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids
}

// skillNames are display names for the primary skills of the demo profiles.
var skillNames = map[string]string{
	"go": "Go", "python": "Python", "typescript": "TypeScript", "rust": "Rust", "java": "Java", "nodejs": "Node.js",
	"kubernetes": "Kubernetes", "react": "React", "c++": "C++", "ruby": "Ruby", "pytorch": "PyTorch", "postgresql": "PostgreSQL",
}

func (l *loader) profiles(jobs []loadedJob) ([]loadedProfile, error) {
	top := topSkills(jobs)
	if len(top) > 20 {
		top = top[:20]
	}
	rng := rand.New(rand.NewPCG(Seed, 1)) // #nosec G404 -- seeded on purpose: demo data must be repeatable; it picks skills and jobs, no secrets
	var out []loadedProfile
	for i, spec := range devSpecs {
		n := i + 1
		owner := DeveloperID(n)
		primary := skills.Default().Canonical(spec.primary) // the taxonomy's id ("c++" is cpp)
		profSkills := []domain.ProfileSkill{{Skill: primary, Level: 4 + rng.IntN(2), Years: float64(3 + rng.IntN(8))}}
		have := map[string]bool{primary: true}
		extra := 4 + rng.IntN(4)
		for _, k := range rng.Perm(len(top)) {
			if len(profSkills) > extra {
				break
			}
			if id := top[k]; !have[id] {
				have[id] = true
				profSkills = append(profSkills, domain.ProfileSkill{Skill: id, Level: 2 + rng.IntN(3), Years: float64(1 + rng.IntN(7))})
			}
		}
		startHour, _ := strconv.Atoi(spec.start[:2])
		end := fmt.Sprintf("%02d:%s", (startHour+8)%24, spec.start[3:])
		visibility := "employers"
		if spec.public {
			visibility = "public"
		}
		name := fmt.Sprintf("Demo Developer (%s, %s)", skillNames[spec.primary], spec.city)
		d := domain.ProfileDetails{
			DisplayName: name,
			Headline:    fmt.Sprintf("Fictional %s %s developer in %s (demo data)", spec.seniority, skillNames[spec.primary], spec.city),
			Summary: "This profile is part of Meridian's demo data set. The person does not exist: the name, skills and " +
				"preferences were made up to show matching, eligibility and applications against real postings.",
			Skills:      profSkills,
			TimeZone:    spec.zone,
			WorkStart:   spec.start,
			WorkEnd:     end,
			Countries:   spec.countries,
			SalaryFloor: &domain.Salary{Min: spec.floor * pow10(meridian.MinorUnits(spec.currency)), Currency: spec.currency, Period: "year"},
			Seniority:   spec.seniority,
		}
		res, err := l.a.CreateProfile(l.ctx, owner, visibility, d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		l.sum.Profiles++
		out = append(out, loadedProfile{id: res.ID, owner: owner, skills: have, country: spec.countries[0]})
	}
	return out, nil
}

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

// ---- applications ----

// stagePlan is the path one demo application takes after it is submitted.
type stagePlan struct {
	to     []string // stages to move through, in order
	reason string   // for a final stage
	note   string   // an employer note, if any
}

var plans = []stagePlan{
	{},
	{to: []string{domain.StageScreening}},
	{to: []string{domain.StageScreening, domain.StageInterview}, note: "Good systems-design discussion; schedule the pairing session."},
	{to: []string{domain.StageScreening, domain.StageInterview, domain.StageOffer}},
	{to: []string{domain.StageScreening, domain.StageInterview, domain.StageOffer, domain.StageHired}, reason: "offer_accepted", note: "Offer accepted; start date agreed."},
	{to: []string{domain.StageRejected}, reason: "skills_mismatch"},
	{to: []string{domain.StageScreening, domain.StageInterview, domain.StageRejected}, reason: "not_selected", note: "Strong candidate, but we went with someone with more on-call experience."},
	{to: []string{domain.StageScreening, domain.StageRejected}, reason: "timezone_mismatch"},
	{to: []string{domain.StageScreening, domain.StageWithdrawn}, reason: "accepted_other_offer"},
	{to: []string{domain.StageRejected}, reason: "position_filled"},
}

// Applications is how many demo applications Load submits.
const Applications = 20

// applications submits Applications applications from the demo profiles to
// jobs they are eligible for and share skills with, and moves each along a
// plan: some stay open, some are hired, rejected or withdrawn with reasons.
func (l *loader) applications(jobs []loadedJob, profiles []loadedProfile) error {
	if len(profiles) == 0 || len(jobs) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(Seed, 2)) // #nosec G404 -- seeded on purpose: demo data must be repeatable; it picks skills and jobs, no secrets
	used := map[string]bool{}
	for i := 0; i < Applications; i++ {
		prof := profiles[i%len(profiles)]
		j, ok := pickJob(rng, jobs, prof, used)
		if !ok {
			continue
		}
		used[prof.id+"/"+j.id] = true
		candidate := meridian.WithPrincipal(l.ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: prof.owner})
		employer := meridian.WithPrincipal(l.ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: EmployerID(j.company)})
		cover := fmt.Sprintf("Hello %s team, I would like to apply for %q. (Demo application from a fictional developer.)", j.company, j.details.Title)
		res, err := l.a.Apply(candidate, j.id, prof.id, cover)
		if err != nil {
			return fmt.Errorf("apply %s to %s: %w", prof.owner, j.id, err)
		}
		l.sum.Applications++
		plan := plans[i%len(plans)]
		version := res.Version
		for k, to := range plan.to {
			reason := ""
			if k == len(plan.to)-1 && domain.IsFinal(to) {
				reason = plan.reason
			}
			actor := employer
			if to == domain.StageWithdrawn {
				actor = candidate
			}
			r, err := l.a.MoveApplication(actor, res.ID, version, to, reason)
			if err != nil {
				return fmt.Errorf("move application %s to %s: %w", res.ID, to, err)
			}
			version = r.Version
		}
		if plan.note != "" {
			if _, _, err := l.a.AddNote(employer, res.ID, plan.note); err != nil {
				return fmt.Errorf("note on %s: %w", res.ID, err)
			}
			l.sum.Notes++
		}
	}
	return nil
}

// pickJob chooses a job the profile may work (eligibility) that asks for at
// least two of its skills, preferring more overlap; ties are broken by the
// seeded generator.
func pickJob(rng *rand.Rand, jobs []loadedJob, p loadedProfile, used map[string]bool) (loadedJob, bool) {
	best := -1
	var cands []int
	for i, j := range jobs {
		if used[p.id+"/"+j.id] || !j.details.Eligibility.Allows(p.country) {
			continue
		}
		n := 0
		for _, s := range j.details.Skills {
			if p.skills[s.Skill] {
				n++
			}
		}
		if n < 2 {
			continue
		}
		switch {
		case n > best:
			best, cands = n, []int{i}
		case n == best:
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return loadedJob{}, false
	}
	return jobs[cands[rng.IntN(len(cands))]], true
}
