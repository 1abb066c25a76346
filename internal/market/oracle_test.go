package market

// The oracle of the property test: a random event generator that follows
// the domain's rules, and a naive re-implementation of every figure that
// replays the events into plain structs and recomputes each figure by
// filtering a slice. It shares no code with the model beyond exported,
// separately tested pieces (Wilson, BootstrapCI, BackendRole) and the
// documented conversions (fields.Annual, the shipped rates).

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// ---------------------------------------------------------------------
// Generator

// genSkills are the skills postings ask for: real taxonomy ids (with
// parent links postgresql → sql, aws-lambda → aws, react → javascript)
// and one id the taxonomy does not know, which the model must ignore.
var genSkills = []string{"go", "python", "aws", "gcp", "kubernetes", "terraform", "postgresql", "sql", "rest", "graphql",
	"react", "rust", "aws-lambda", "javascript", "docker", "grpc", "azure", "zz-legacy-skill"}

// genWide are more taxonomy skills, for wide worlds: every 25th one.
var genWide = func() []string {
	var out []string
	for i, s := range skills.Default().Skills() {
		if i%25 == 0 && !slices.Contains(genSkills, s.ID) {
			out = append(out, s.ID)
		}
	}
	return out
}()

// genAliases are spellings a filter may use for pool skills.
var genAliases = []string{"golang", "k8s", "postgres", "Python"}

var genTitles = []string{"Senior Backend Engineer", "Software Engineer", "Go Developer", "Frontend Engineer", "Staff Engineer",
	"Platform Engineer", "Product Designer", "Data Scientist", "Full-Stack Developer", "Python Engineer", "iOS Developer",
	"Engineering Manager", "Site Reliability Engineer", "Founding Engineer", "JavaScript Engineer", "Technical Writer"}

var genCountries = []string{"US", "DE", "BR", "IN", "GB", "MX", "CA", "AU", "FR", "EG", "NG", "JP", "PL", "AQ"} // AQ: in no area
var genRegions = []string{"EU", "LATAM", "APAC", "EMEA", "NORTH_AMERICA", "AMERICAS", "OCEANIA", "EEA"}
var genOrgs = []string{"org-a", "org-b", "org-c"}

type genPost struct {
	id, org string
	status  string
	vt      time.Time
	d       domain.JobDetails
}

type genApp struct {
	id, job string
	stage   string
}

// genWorld is one random scenario: its events, in position order, and the
// time figures are asked at.
type genWorld struct {
	rng         *rand.Rand
	events      []eventstore.Event
	now         time.Time
	start       time.Time
	end         time.Time
	posts       []*genPost
	apps        []*genApp
	nPosts      int
	seniorities []string
	pool        []string // skills postings ask for; the last one unknown
	skillW      []float64
	pWW, pSal   float64
	ghost       int
}

func (g *genWorld) chance(p float64) bool { return g.rng.Float64() < p }

func genPick[T any](g *genWorld, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func (g *genWorld) emit(stream, streamType, typ string, at time.Time, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	g.events = append(g.events, eventstore.Event{ID: fmt.Sprintf("ev-%d", len(g.events)+1), StreamID: stream, StreamType: streamType,
		Type: typ, Time: at, Position: int64(len(g.events) + 1), Payload: b})
}

func (g *genWorld) skillList() []domain.SkillRequirement {
	k := g.rng.IntN(7)
	var out []domain.SkillRequirement
	seen := map[string]bool{}
	for range k {
		// weighted pick
		total := 0.0
		for _, w := range g.skillW {
			total += w
		}
		x := g.rng.Float64() * total
		i := 0
		for ; i < len(g.skillW)-1 && x >= g.skillW[i]; i++ {
			x -= g.skillW[i]
		}
		id := g.pool[i]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, domain.SkillRequirement{Skill: id, Level: 1 + g.rng.IntN(5), Required: g.chance(0.6)})
	}
	return out
}

func (g *genWorld) salary() *domain.Salary {
	if !g.chance(g.pSal) {
		return nil
	}
	s := &domain.Salary{}
	switch x := g.rng.Float64(); {
	case x < 0.5:
		s.Currency = "USD"
	case x < 0.8:
		s.Currency = "EUR"
	case x < 0.93:
		s.Currency = "GBP"
	case x < 0.98:
		s.Currency = "JPY"
	default:
		s.Currency = "ARS" // missing from the rates table: no salary figure
	}
	var lo, width int64
	switch x := g.rng.Float64(); {
	case x < 0.6:
		s.Period = "year"
		lo, width = 30000+500*g.rng.Int64N(340), 500*g.rng.Int64N(160)
	case x < 0.85:
		s.Period = "month"
		lo, width = 2500+50*g.rng.Int64N(270), 50*g.rng.Int64N(100)
	default:
		s.Period = "hour"
		lo, width = 20+g.rng.Int64N(120), g.rng.Int64N(60)
	}
	scale := int64(100)
	if s.Currency == "JPY" {
		scale = 150 // yen have no minor unit; about 150 to the dollar
	}
	s.Min, s.Max = lo*scale, (lo+width)*scale
	if s.Period == "hour" && g.chance(0.3) {
		s.Min += 50 // half units
	}
	switch x := g.rng.Float64(); {
	case x < 0.12:
		s.Max = 0 // "from"
	case x < 0.2:
		s.Min = 0 // "up to"
	}
	return s
}

func (g *genWorld) eligibility() domain.Eligibility {
	if g.chance(g.pWW) {
		e := domain.Eligibility{Worldwide: true}
		if g.chance(0.05) {
			e.Countries = []string{"US"}
		}
		return e
	}
	var e domain.Eligibility
	pickN := func(pool []string, n int) []string {
		var out []string
		for _, i := range g.rng.Perm(len(pool))[:n] {
			out = append(out, pool[i])
		}
		return out
	}
	switch x := g.rng.Float64(); {
	case x < 0.4:
		e.Countries = pickN(genCountries, 1)
	case x < 0.55:
		e.Countries = pickN(genCountries, 2)
	case x < 0.8:
		e.Regions = pickN(genRegions, 1+g.rng.IntN(2))
	default:
		e.Countries = pickN(genCountries, 1)
		e.Regions = pickN(genRegions, 1)
	}
	return e
}

func (g *genWorld) details(t time.Time) domain.JobDetails {
	d := domain.JobDetails{Title: genPick(g, genTitles), EmploymentType: "full_time", Seniority: genPick(g, g.seniorities),
		Skills: g.skillList(), Salary: g.salary(), Eligibility: g.eligibility()}
	if g.chance(0.3) {
		d.ValidThrough = t.Add(time.Duration(2+g.rng.IntN(160)) * 24 * time.Hour)
	}
	if g.chance(0.5) {
		d.PostedAt = g.postedAt(t)
	}
	return d
}

// postedAt is a source's posting date around t: usually before it,
// sometimes up to two days after (then the publication dates the posting
// when it comes first).
func (g *genWorld) postedAt(t time.Time) time.Time {
	return t.Add(time.Duration(g.rng.Int64N(int64(92*24*time.Hour))) - 90*24*time.Hour).Truncate(time.Second)
}

func (g *genWorld) mutate(d domain.JobDetails, t time.Time, published bool) domain.JobDetails {
	d.Skills = slices.Clone(d.Skills)
	if g.chance(0.5) {
		d.Skills = g.skillList()
	} else if len(d.Skills) > 0 && g.chance(0.5) {
		i := g.rng.IntN(len(d.Skills))
		d.Skills[i].Required = !d.Skills[i].Required
	}
	if g.chance(0.4) {
		d.Salary = g.salary()
	}
	if g.chance(0.3) {
		d.Eligibility = g.eligibility()
	}
	if g.chance(0.3) {
		d.Seniority = genPick(g, g.seniorities)
	}
	if g.chance(0.2) {
		d.Title = genPick(g, genTitles)
	}
	if g.chance(0.2) {
		d.PostedAt = time.Time{}
		if g.chance(0.5) {
			d.PostedAt = g.postedAt(t)
		}
	}
	// validThrough: none, or in the future (a published posting's must be)
	switch x := g.rng.Float64(); {
	case x < 0.5:
		d.ValidThrough = time.Time{}
	case x < 0.7:
	default:
		d.ValidThrough = t.Add(time.Duration(1+g.rng.Int64N(170*24)) * time.Hour)
	}
	if published && !d.ValidThrough.IsZero() && !d.ValidThrough.After(t) {
		d.ValidThrough = time.Time{}
	}
	return d
}

func (g *genWorld) filterPosts(ok func(p *genPost) bool) []*genPost {
	var out []*genPost
	for _, p := range g.posts {
		if ok(p) {
			out = append(out, p)
		}
	}
	return out
}

// validity is a renewal's or publication's validThrough after t: mostly
// weeks or months, sometimes days (so that it passes before now).
func (g *genWorld) validity(t time.Time) time.Time {
	if g.chance(0.3) {
		return t.Add(time.Duration(1+g.rng.Int64N(10*24)) * time.Hour)
	}
	return t.Add(time.Duration(1+g.rng.Int64N(179)) * 24 * time.Hour)
}

// genScenario generates a random world and its events.
func genScenario(rng *rand.Rand) *genWorld {
	g := &genWorld{rng: rng}
	g.nPosts = 30 + rng.IntN(171)
	all := []string{"", "junior", "mid", "senior", "staff", "principal"}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	g.seniorities = all[:1+rng.IntN(4)]
	g.pWW = 0.2 + 0.6*rng.Float64()
	g.pSal = 0.5 + 0.5*rng.Float64()
	g.pool = genSkills
	if rng.IntN(8) == 0 {
		// A wide world: more skills than the 40 a co-occurrence table
		// pairs, the 30 rows of a salary table and the 20 premiums.
		g.pool = append(slices.Clone(genWide), genSkills...)
	}
	g.skillW = make([]float64, len(g.pool))
	for i, p := range rng.Perm(len(g.pool)) {
		g.skillW[p] = 1 / math.Sqrt(float64(i+1))
	}
	g.skillW[len(g.pool)-1] = 0.05 // the unknown id
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(30*24*60)) * time.Minute)
	g.start = t
	span := time.Duration(120+rng.IntN(400)) * 24 * time.Hour
	steps := g.nPosts * 8
	mean := span / time.Duration(steps)
	for range steps {
		t = t.Add(time.Minute + time.Duration(rng.Int64N(int64(2*mean))))
		t = t.Truncate(time.Second)
		g.step(t)
	}
	g.end = t
	g.now = t.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Second)
	return g
}

func (g *genWorld) step(t time.Time) {
	drafted := len(g.posts)
	x := g.rng.Float64() * 17
	switch {
	case x < 3: // draft
		if drafted >= g.nPosts {
			return
		}
		p := &genPost{id: fmt.Sprintf("job-%03d", drafted), org: genPick(g, genOrgs), status: domain.StatusDraft, d: g.details(t)}
		g.posts = append(g.posts, p)
		g.emit(p.id, "job", domain.JobDrafted, t, domain.JobDraftedEvent{OrgID: p.org, Details: p.d, At: t})
	case x < 5: // update a draft or a published posting that has not expired
		c := g.filterPosts(func(p *genPost) bool {
			return p.status == domain.StatusDraft || p.status == domain.StatusPublished && t.Before(p.vt)
		})
		if len(c) == 0 {
			return
		}
		p := genPick(g, c)
		p.d = g.mutate(p.d, t, p.status == domain.StatusPublished)
		if p.status == domain.StatusPublished && !p.d.ValidThrough.IsZero() {
			p.vt = p.d.ValidThrough
		}
		g.emit(p.id, "job", domain.JobUpdated, t, p.d)
	case x < 8: // publish
		c := g.filterPosts(func(p *genPost) bool {
			return p.status == domain.StatusDraft && (p.d.ValidThrough.IsZero() || p.d.ValidThrough.After(t))
		})
		if len(c) == 0 {
			return
		}
		p := genPick(g, c)
		p.vt = p.d.ValidThrough
		if p.vt.IsZero() {
			p.vt = g.validity(t)
		}
		p.status = domain.StatusPublished
		g.emit(p.id, "job", domain.JobPublished, t, domain.JobStatusEvent{At: t, ValidThrough: p.vt})
	case x < 8.7: // close
		c := g.filterPosts(func(p *genPost) bool { return p.status == domain.StatusDraft || p.status == domain.StatusPublished })
		if len(c) == 0 {
			return
		}
		p := genPick(g, c)
		p.status = domain.StatusClosed
		g.emit(p.id, "job", domain.JobClosed, t, domain.JobStatusEvent{At: t, Reason: "filled"})
	case x < 9.2: // the expiry sweeper
		c := g.filterPosts(func(p *genPost) bool { return p.status == domain.StatusPublished && !t.Before(p.vt) })
		if len(c) == 0 {
			return
		}
		p := genPick(g, c)
		p.status = domain.StatusExpired
		g.emit(p.id, "job", domain.JobExpired, t, domain.JobStatusEvent{At: t, ValidThrough: p.vt})
	case x < 10: // renew
		c := g.filterPosts(func(p *genPost) bool { return p.status == domain.StatusPublished || p.status == domain.StatusExpired })
		if len(c) == 0 {
			return
		}
		p := genPick(g, c)
		p.vt = g.validity(t)
		p.status = domain.StatusPublished
		g.emit(p.id, "job", domain.JobRenewed, t, domain.JobStatusEvent{At: t, ValidThrough: p.vt})
	case x < 13: // apply to an open posting
		c := g.filterPosts(func(p *genPost) bool { return p.status == domain.StatusPublished && t.Before(p.vt) })
		if len(c) == 0 {
			return
		}
		p := genPick(g, c)
		a := &genApp{id: fmt.Sprintf("app-%04d", len(g.apps)), job: p.id, stage: domain.StageApplied}
		g.apps = append(g.apps, a)
		g.emit(a.id, "application", domain.ApplicationSubmitted, t,
			domain.ApplicationSubmittedEvent{JobID: p.id, OrgID: p.org, ProfileID: "prof", CandidateID: "cand", At: t})
	case x < 16.4: // move an application
		var c []*genApp
		for _, a := range g.apps {
			if !domain.IsFinal(a.stage) {
				c = append(c, a)
			}
		}
		if len(c) == 0 {
			return
		}
		a := genPick(g, c)
		next := domain.NextStages(a.stage) // forward move, rejected, withdrawn
		to := next[0]
		if y := g.rng.Float64(); y > 0.7 {
			to = next[len(next)-1]
		} else if y > 0.55 {
			to = next[len(next)-2]
		}
		g.emit(a.id, "application", domain.ApplicationStageChanged, t, domain.StageChangedEvent{From: a.stage, To: to, At: t})
		a.stage = to
	default: // noise the model must ignore
		g.ghost++
		ghost := fmt.Sprintf("ghost-%d", g.ghost)
		switch g.rng.IntN(6) {
		case 0: // published without a draft
			g.emit(ghost, "job", domain.JobPublished, t, domain.JobStatusEvent{At: t, ValidThrough: t.Add(30 * 24 * time.Hour)})
		case 1: // an application to an unknown posting
			g.emit(ghost, "application", domain.ApplicationSubmitted, t, domain.ApplicationSubmittedEvent{JobID: "ghost-job", At: t})
		case 2: // a move of an unknown application
			g.emit(ghost, "application", domain.ApplicationStageChanged, t, domain.StageChangedEvent{From: "applied", To: domain.StageHired, At: t})
		case 3: // a second submission under a known application id
			if len(g.apps) > 0 && len(g.posts) > 0 {
				a := genPick(g, g.apps)
				g.emit(a.id, "application", domain.ApplicationSubmitted, t, domain.ApplicationSubmittedEvent{JobID: genPick(g, g.posts).id, At: t})
			}
		case 4: // an update of an unknown posting
			g.emit(ghost, "job", domain.JobUpdated, t, g.details(t))
		default: // an event type the model does not read
			g.emit(ghost, "application", domain.ApplicationNoteAdded, t, map[string]string{"note": "x"})
		}
	}
}

// ---------------------------------------------------------------------
// Oracle state: the final state of each posting, replayed with plain code.

var oraTax = skills.Default()

type oraSkill struct {
	id       string
	required bool
}

type oraPost struct {
	id, org   string
	d         domain.JobDetails
	published time.Time
	dayStart  time.Time // start (UTC) of the day the posting is dated by
	closed    bool      // by a close or expiry event
	valid     time.Time // zero: none
	filled    time.Time // first hire; zero: none
	apps      []*oraApp

	// derived from d once the replay is done
	sk     []oraSkill
	skSet  map[string]bool
	sal    float64
	hasSal bool
}

type oraApp struct {
	job       *oraPost
	submitted time.Time
	responded time.Time
	withdrawn time.Time // withdrawn by the candidate before any answer
}

type oraModel struct {
	pending map[string]domain.JobDraftedEvent
	posts   map[string]*oraPost
	order   []*oraPost // in publication order
	apps    map[string]*oraApp
}

func oraReplay(evs []eventstore.Event) *oraModel {
	o := newOra()
	o.replay(evs)
	return o
}

func newOra() *oraModel {
	return &oraModel{pending: map[string]domain.JobDraftedEvent{}, posts: map[string]*oraPost{}, apps: map[string]*oraApp{}}
}

// replay applies more events (each once, in order).
func (o *oraModel) replay(evs []eventstore.Event) {
	dec := func(e eventstore.Event, v any) {
		if err := json.Unmarshal(e.Payload, v); err != nil {
			panic(err)
		}
	}
	utcDay := func(t time.Time) time.Time {
		u := t.UTC()
		return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	}
	for _, e := range evs {
		id := e.StreamID
		switch e.Type {
		case domain.JobDrafted:
			var p domain.JobDraftedEvent
			dec(e, &p)
			if o.posts[id] == nil {
				o.pending[id] = p
			}
		case domain.JobUpdated:
			var d domain.JobDetails
			dec(e, &d)
			if dr, ok := o.pending[id]; ok {
				dr.Details = d
				o.pending[id] = dr
			} else if p := o.posts[id]; p != nil {
				p.d = d
				if !d.ValidThrough.IsZero() {
					p.valid = d.ValidThrough
				}
			}
		case domain.JobPublished, domain.JobRenewed:
			var s domain.JobStatusEvent
			dec(e, &s)
			if p := o.posts[id]; p != nil {
				p.closed = false
				p.valid = s.ValidThrough
				continue
			}
			dr, ok := o.pending[id]
			if !ok {
				continue
			}
			delete(o.pending, id)
			p := &oraPost{id: id, org: dr.OrgID, d: dr.Details, published: e.Time, valid: dr.Details.ValidThrough}
			if !s.ValidThrough.IsZero() {
				p.valid = s.ValidThrough
			}
			p.dayStart = utcDay(e.Time)
			if pa := dr.Details.PostedAt; !pa.IsZero() && !pa.After(e.Time) {
				p.dayStart = utcDay(pa)
			}
			o.posts[id] = p
			o.order = append(o.order, p)
		case domain.JobClosed, domain.JobExpired:
			delete(o.pending, id)
			if p := o.posts[id]; p != nil {
				p.closed = true
			}
		case domain.ApplicationSubmitted:
			var s domain.ApplicationSubmittedEvent
			dec(e, &s)
			p := o.posts[s.JobID]
			if p == nil || o.apps[id] != nil {
				continue
			}
			a := &oraApp{job: p, submitted: e.Time}
			o.apps[id] = a
			p.apps = append(p.apps, a)
		case domain.ApplicationStageChanged:
			var s domain.StageChangedEvent
			dec(e, &s)
			a := o.apps[id]
			if a == nil {
				continue
			}
			if a.responded.IsZero() && a.withdrawn.IsZero() {
				if s.To == domain.StageWithdrawn {
					a.withdrawn = e.Time
				} else {
					a.responded = e.Time
				}
			}
			if s.To == domain.StageHired && (a.job.filled.IsZero() || e.Time.Before(a.job.filled)) {
				a.job.filled = e.Time
			}
		}
	}
	for _, p := range o.order {
		p.sk, p.skSet = nil, map[string]bool{}
		for _, s := range p.d.Skills {
			if _, ok := oraTax.Get(s.Skill); ok && !p.skSet[s.Skill] {
				p.skSet[s.Skill] = true
				p.sk = append(p.sk, oraSkill{s.Skill, s.Required})
			}
		}
		p.sal, p.hasSal = p.annualMid()
	}
}

func (p *oraPost) open(now time.Time) bool {
	return !p.closed && (p.valid.IsZero() || p.valid.After(now))
}

// skills are the posting's taxonomy skills (the first mention of each).
func (p *oraPost) skills() []oraSkill { return p.sk }

func (p *oraPost) has(id string) bool { return p.skSet[id] }

func (p *oraPost) seniority() string {
	if slices.Contains(domain.SeniorityLevels, p.d.Seniority) {
		return p.d.Seniority
	}
	return Unspecified
}

// salary is the annual US dollar midpoint (BasisPostings).
func (p *oraPost) salary() (float64, bool) { return p.sal, p.hasSal }

func (p *oraPost) annualMid() (float64, bool) {
	s := p.d.Salary
	if s == nil || s.Currency == "" || s.Min == 0 && s.Max == 0 {
		return 0, false
	}
	lo, hi, err := fields.Annual(*s, "USD", nil)
	if err != nil {
		return 0, false
	}
	if lo == 0 {
		lo = hi
	}
	if hi == 0 {
		hi = lo
	}
	return float64(lo+hi) / 200, true
}

// allows: someone in country c may apply.
func (p *oraPost) allows(c string) bool {
	e := p.d.Eligibility
	if e.Worldwide || slices.Contains(e.Countries, c) {
		return true
	}
	for _, r := range e.Regions {
		if slices.Contains(domain.Regions[r], c) {
			return true
		}
	}
	return false
}

// touches: the posting is open to at least part of region r.
func (p *oraPost) touches(r string) bool {
	e := p.d.Eligibility
	if e.Worldwide {
		return true
	}
	for _, c := range domain.Regions[r] {
		if p.allows(c) {
			return true
		}
	}
	return false
}

// area: the one area (Areas) a posting falls in.
func (p *oraPost) area() string {
	e := p.d.Eligibility
	if e.Worldwide {
		return domain.Worldwide
	}
	set := map[string]bool{}
	for _, c := range e.Countries {
		a := "OTHER"
		for _, r := range []string{"LATAM", "NORTH_AMERICA", "EUROPE", "MENA", "AFRICA", "OCEANIA", "APAC"} {
			if slices.Contains(domain.Regions[r], c) {
				a = r
				break
			}
		}
		set[a] = true
	}
	for _, r := range e.Regions {
		switch r {
		case "EU", "EEA", "EUROPE":
			set["EUROPE"] = true
		case "NORTH_AMERICA", "LATAM", "APAC", "MENA", "AFRICA", "OCEANIA":
			set[r] = true
		default:
			set["MULTI"] = true
		}
	}
	switch len(set) {
	case 0:
		return "OTHER"
	case 1:
		for a := range set {
			return a
		}
	}
	return "MULTI"
}

// singleCountry: the one country a posting is open to, if it is open to
// exactly one country and nothing else.
func (p *oraPost) singleCountry() (string, bool) {
	e := p.d.Eligibility
	if e.Worldwide || len(e.Regions) > 0 || len(e.Countries) == 0 {
		return "", false
	}
	for _, c := range e.Countries {
		if c != e.Countries[0] {
			return "", false
		}
	}
	return e.Countries[0], true
}

func oraCanon(id string) string {
	if _, ok := oraTax.Get(id); ok {
		return id
	}
	return oraTax.Canonical(id)
}

func oraSkillName(id string) string {
	s, _ := oraTax.Get(id)
	return s.Name
}

// selectPosts is the sample of a (valid) filter.
func (o *oraModel) selectPosts(f Filter, now time.Time) []*oraPost {
	var out []*oraPost
	for _, p := range o.order {
		if f.Open && !p.open(now) {
			continue
		}
		if !f.From.IsZero() && p.dayStart.Before(f.From) || !f.To.IsZero() && !p.dayStart.Before(f.To) {
			continue
		}
		if len(f.Countries) > 0 && !slices.ContainsFunc(f.Countries, func(c string) bool { return p.allows(strings.ToUpper(strings.TrimSpace(c))) }) {
			continue
		}
		if len(f.Regions) > 0 && !slices.ContainsFunc(f.Regions, func(r string) bool { return p.touches(strings.ToUpper(strings.TrimSpace(r))) }) {
			continue
		}
		if len(f.Seniority) > 0 && !slices.ContainsFunc(f.Seniority, func(s string) bool { return strings.ToLower(strings.TrimSpace(s)) == p.seniority() }) {
			continue
		}
		if f.Eligibility == EligWorldwide && !p.d.Eligibility.Worldwide || f.Eligibility == EligRestricted && p.d.Eligibility.Worldwide {
			continue
		}
		if slices.ContainsFunc(f.Skills, func(s string) bool { return !p.has(oraCanon(s)) }) {
			continue
		}
		if f.Org != "" && p.org != f.Org {
			continue
		}
		out = append(out, p)
	}
	return out
}

// ---------------------------------------------------------------------
// Oracle statistics

// oraPercentile is PostgreSQL's percentile_cont over sorted values.
func oraPercentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	h := p * float64(len(v)-1)
	lo, hi := math.Floor(h), math.Ceil(h)
	if lo == hi {
		return v[int(lo)]
	}
	return v[int(lo)] + (h-lo)*(v[int(hi)]-v[int(lo)])
}

func oraShare(key, name string, count, n int) Share {
	s := Share{Key: key, Name: name, Count: count, N: n}
	if n > 0 {
		s.Share = float64(count) / float64(n)
	}
	s.Low, s.High = Wilson(count, n)
	return s
}

// oraRate is how many units of cur one US dollar buys, by the shipped rates.
func oraRate(cur string) float64 {
	const big = 1_000_000_000
	v, err := fields.DefaultRates().Convert(big*100, "USD", cur)
	if err != nil {
		panic(err)
	}
	return float64(v) / math.Pow10(meridian.MinorUnits(cur)) / big
}

func oraCurrency(cur string) string { return cmp.Or(strings.ToUpper(strings.TrimSpace(cur)), "USD") }

type oraConv float64

func (c oraConv) of(usd float64) float64 { return math.Round(usd * float64(c)) }

// group is one salary row over unsorted USD values.
func (c oraConv) group(key, name string, vals []float64, minN int) SalaryGroup {
	g := SalaryGroup{Key: key, Name: name, N: len(vals)}
	if len(vals) < minN || len(vals) == 0 {
		g.Suppressed = true
		return g
	}
	v := slices.Clone(vals)
	sort.Float64s(v)
	est := func(p float64) *Estimate {
		lo, hi := BootstrapCI(len(v), p)
		return &Estimate{Value: c.of(oraPercentile(v, p)), Low: c.of(v[lo]), High: c.of(v[hi])}
	}
	g.P10, g.P25, g.P50, g.P75, g.P90 = est(0.10), est(0.25), est(0.50), est(0.75), est(0.90)
	return g
}

// ---------------------------------------------------------------------
// Oracle figures

func oraDemand(posts []*oraPost, kind string, required bool, limit int) Demand {
	out := Demand{Source: SourcePostings, Kind: cmp.Or(kind, KindSkill), Required: required, N: len(posts), Items: []Share{}}
	counts := map[string]int{}
	for _, p := range posts {
		keys := map[string]bool{}
		for _, s := range p.skills() {
			if required && !s.required {
				continue
			}
			sk, _ := oraTax.Get(s.id)
			switch out.Kind {
			case KindSkill:
				keys[s.id] = true
			case KindCategory:
				keys[sk.Category] = true
			case KindGroup:
				for _, g := range sk.Groups {
					keys[g] = true
				}
			}
		}
		for k := range keys {
			counts[k]++
		}
	}
	for k, c := range counts {
		var name string
		switch out.Kind {
		case KindSkill:
			name = oraSkillName(k)
		case KindCategory:
			name = cmp.Or(skills.CategoryNames[k], k)
		case KindGroup:
			name = oraGroupName(k)
		}
		out.Items = append(out.Items, oraShare(k, name, c, len(posts)))
	}
	slices.SortFunc(out.Items, func(a, b Share) int { return cmp.Or(b.Count-a.Count, strings.Compare(a.Key, b.Key)) })
	if limit > 0 && len(out.Items) > limit {
		out.Items = out.Items[:limit]
	}
	return out
}

func oraGroupName(id string) string {
	for _, g := range oraTax.Groups() {
		if g.ID == id {
			return g.Name
		}
	}
	return id
}

// oraCounts counts the posts asking for each skill (required or not).
func oraCounts(posts []*oraPost) map[string]int {
	counts := map[string]int{}
	for _, p := range posts {
		for _, s := range p.skills() {
			counts[s.id]++
		}
	}
	return counts
}

// oraTop is the k skills most asked for (ties by id).
func oraTop(posts []*oraPost, k int) []string {
	counts := oraCounts(posts)
	var ids []string
	for id := range counts {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
	return ids[:min(k, len(ids))]
}

func oraCooccurrence(posts []*oraPost, skill string, minCount, limit int) Cooccurrence {
	out := Cooccurrence{Source: SourcePostings, N: len(posts), Skill: skill, Items: []Pair{}}
	minCount = max(minCount, 1)
	counts := oraCounts(posts)
	both := func(a, b string) int {
		n := 0
		for _, p := range posts {
			if p.has(a) && p.has(b) {
				n++
			}
		}
		return n
	}
	pair := func(a, b string) {
		nab := both(a, b)
		if nab < minCount {
			return
		}
		pr := Pair{A: a, AName: oraSkillName(a), B: b, BName: oraSkillName(b), NA: counts[a], NB: counts[b], NAB: nab}
		if pr.NA > 0 {
			pr.Confidence = float64(nab) / float64(pr.NA)
		}
		if pr.NA > 0 && pr.NB > 0 {
			pr.Lift = float64(nab) * float64(len(posts)) / (float64(pr.NA) * float64(pr.NB))
		}
		out.Items = append(out.Items, pr)
	}
	if skill != "" {
		a := oraCanon(skill)
		out.Skill = a
		for b := range counts {
			if b != a {
				pair(a, b)
			}
		}
	} else {
		top := oraTop(posts, 40)
		for i, a := range top {
			for _, b := range top[i+1:] {
				pair(a, b)
			}
		}
	}
	slices.SortFunc(out.Items, func(p, q Pair) int {
		return cmp.Or(q.NAB-p.NAB, strings.Compare(p.A, q.A), strings.Compare(p.B, q.B))
	})
	if limit > 0 && len(out.Items) > limit {
		out.Items = out.Items[:limit]
	}
	return out
}

func salaried(posts []*oraPost) []*oraPost {
	var out []*oraPost
	for _, p := range posts {
		if _, ok := p.salary(); ok {
			out = append(out, p)
		}
	}
	return out
}

func salaryValues(posts []*oraPost) []float64 {
	var v []float64
	for _, p := range posts {
		if s, ok := p.salary(); ok {
			v = append(v, s)
		}
	}
	return v
}

func oraSalaries(posts []*oraPost, groupBy, currency string, minN, limit int) Salaries {
	cur := oraCurrency(currency)
	conv := oraConv(oraRate(cur))
	minN = max(minN, DefaultMinN)
	if limit <= 0 {
		limit = 30
	}
	sal := salaried(posts)
	out := Salaries{Source: SourcePostings, Currency: cur, Basis: BasisPostings, GroupBy: groupBy, MinN: minN, N: len(sal), Groups: []SalaryGroup{}}
	by := func(key func(p *oraPost) string) map[string][]float64 {
		m := map[string][]float64{}
		for _, p := range sal {
			if k := key(p); k != "" {
				v, _ := p.salary()
				m[k] = append(m[k], v)
			}
		}
		return m
	}
	switch groupBy {
	case ByNone:
		out.Groups = append(out.Groups, conv.group("all", "All postings", salaryValues(sal), minN))
	case BySeniority:
		m := by((*oraPost).seniority)
		for _, s := range append([]string{Unspecified}, domain.SeniorityLevels...) {
			if len(m[s]) > 0 {
				out.Groups = append(out.Groups, conv.group(s, s, m[s], minN))
			}
		}
	case ByRegion:
		m := by((*oraPost).area)
		for _, a := range Areas {
			if len(m[a]) > 0 {
				out.Groups = append(out.Groups, conv.group(a, AreaNames[a], m[a], minN))
			}
		}
	case ByCountry:
		m := by(func(p *oraPost) string { c, _ := p.singleCountry(); return c })
		var keys []string
		for c := range m {
			keys = append(keys, c)
		}
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(len(m[b])-len(m[a]), strings.Compare(a, b)) })
		for _, c := range keys[:min(limit, len(keys))] {
			out.Groups = append(out.Groups, conv.group(c, c, m[c], minN))
		}
	case BySkill:
		for _, id := range oraTop(sal, limit) {
			var v []float64
			for _, p := range sal {
				if p.has(id) {
					s, _ := p.salary()
					v = append(v, s)
				}
			}
			out.Groups = append(out.Groups, conv.group(id, oraSkillName(id), v, minN))
		}
	}
	return out
}

func oraPremiums(posts []*oraPost, skillIDs []string, currency string, minN, limit int) Premiums {
	cur := oraCurrency(currency)
	conv := oraConv(oraRate(cur))
	minN = max(minN, DefaultMinN)
	if limit <= 0 {
		limit = 20
	}
	out := Premiums{Source: SourcePostings, Currency: cur, MinN: minN, Items: []Premium{}}
	sal := salaried(posts)
	var cands []string
	for _, id := range skillIDs {
		cands = append(cands, oraCanon(id))
	}
	if len(skillIDs) == 0 {
		cands = oraTop(sal, limit)
	}
	type cell struct {
		sen, area string
		posts     []*oraPost
	}
	var cells []cell
	for _, s := range append([]string{Unspecified}, domain.SeniorityLevels...) {
		for _, a := range Areas {
			c := cell{sen: s, area: a}
			for _, p := range sal {
				if p.seniority() == s && p.area() == a {
					c.posts = append(c.posts, p)
				}
			}
			if len(c.posts) >= 2*minN {
				cells = append(cells, c)
			}
		}
	}
	median := func(ps []*oraPost) float64 {
		v := salaryValues(ps)
		sort.Float64s(v)
		return oraPercentile(v, 0.5)
	}
	for _, id := range cands {
		p := Premium{Skill: id, Name: oraSkillName(id), Strata: []Stratum{}}
		var wsum, sum float64
		for _, c := range cells {
			var with, without []*oraPost
			for _, q := range c.posts {
				if q.has(id) {
					with = append(with, q)
				} else {
					without = append(without, q)
				}
			}
			if len(with) < minN || len(without) < minN {
				continue
			}
			mw, mwo := median(with), median(without)
			r := mw/mwo - 1
			p.Strata = append(p.Strata, Stratum{Seniority: c.sen, Area: c.area, NWith: len(with), NWithout: len(without),
				MedianWith: conv.of(mw), MedianWithout: conv.of(mwo), Premium: r})
			p.NWith += len(with)
			p.NWithout += len(without)
			wsum += float64(len(with))
			sum += float64(len(with)) * r
		}
		if wsum > 0 {
			p.Premium = sum / wsum
			out.Items = append(out.Items, p)
		}
	}
	slices.SortStableFunc(out.Items, func(a, b Premium) int {
		return cmp.Or(cmp.Compare(b.Premium, a.Premium), strings.Compare(a.Skill, b.Skill))
	})
	return out
}

// oraPeriod returns the start of the period holding t and the next one's.
func oraPeriod(interval string, t time.Time) (time.Time, time.Time) {
	u := t.UTC()
	switch interval {
	case Week:
		day := int64(math.Floor(float64(u.Unix()) / 86400)) // 1970-01-01 was a Thursday
		monday := day - (day+3)%7
		if (day+3)%7 < 0 {
			monday -= 7
		}
		s := time.Unix(monday*86400, 0).UTC()
		return s, time.Unix((monday+7)*86400, 0).UTC()
	case Quarter:
		q := (int(u.Month()) - 1) / 3
		s := time.Date(u.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
		return s, time.Date(u.Year(), time.Month(3*q+4), 1, 0, 0, 0, 0, time.UTC)
	default:
		s := time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
		return s, time.Date(u.Year(), u.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
}

func oraTrends(o *oraModel, f Filter, interval string, keys []SeriesKey, now time.Time) (out Trends) {
	interval = cmp.Or(interval, Month)
	out = Trends{Source: SourcePostings, Interval: interval, Series: []Series{}}
	base := f
	base.From, base.To = time.Time{}, time.Time{}
	posts := o.selectPosts(base, now)
	type ref struct {
		s    Series
		pred func(p *oraPost) bool
	}
	var refs []ref
	for _, k := range keys {
		switch k.Kind {
		case KindSkill, "":
			id := oraCanon(k.Key)
			refs = append(refs, ref{Series{Kind: KindSkill, Key: id, Name: oraSkillName(id), Points: []Point{}}, func(p *oraPost) bool { return p.has(id) }})
		case KindCategory:
			refs = append(refs, ref{Series{Kind: k.Kind, Key: k.Key, Name: cmp.Or(skills.CategoryNames[k.Key], k.Key), Points: []Point{}},
				func(p *oraPost) bool {
					return slices.ContainsFunc(p.skills(), func(s oraSkill) bool { sk, _ := oraTax.Get(s.id); return sk.Category == k.Key })
				}})
		case KindGroup:
			refs = append(refs, ref{Series{Kind: k.Kind, Key: k.Key, Name: oraGroupName(k.Key), Points: []Point{}},
				func(p *oraPost) bool {
					return slices.ContainsFunc(p.skills(), func(s oraSkill) bool { return oraTax.InGroup(s.id, k.Key) })
				}})
		}
	}
	if len(refs) == 0 {
		refs = append(refs, ref{s: Series{Key: "", Name: "All postings", Points: []Point{}}})
	}
	defer func() {
		for _, r := range refs {
			out.Series = append(out.Series, r.s)
		}
	}()
	from, to := f.From, f.To
	if from.IsZero() || to.IsZero() {
		if len(posts) == 0 {
			return
		}
		first, last := posts[0].dayStart, posts[0].dayStart
		for _, p := range posts {
			if p.dayStart.Before(first) {
				first = p.dayStart
			}
			if p.dayStart.After(last) {
				last = p.dayStart
			}
		}
		if from.IsZero() {
			from = first
		}
		if to.IsZero() {
			to = last.Add(24 * time.Hour)
		}
	}
	for s, next := oraPeriod(interval, from); s.Before(to); s, next = oraPeriod(interval, next) {
		lo, hi := s, next
		if from.After(lo) {
			lo = from
		}
		if to.Before(hi) {
			hi = to
		}
		var in []*oraPost
		for _, p := range posts {
			if !p.dayStart.Before(lo) && p.dayStart.Before(hi) {
				in = append(in, p)
			}
		}
		for ri := range refs {
			pt := Point{Start: s, End: next, N: len(in)}
			for _, p := range in {
				if refs[ri].pred == nil || refs[ri].pred(p) {
					pt.Count++
				}
			}
			if pt.N > 0 {
				pt.Share = float64(pt.Count) / float64(pt.N)
			}
			if pts := refs[ri].s.Points; len(pts) > 0 {
				prev := pts[len(pts)-1]
				if prev.N > 0 && pt.N > 0 {
					c := (pt.Share - prev.Share) * 100
					pt.Change = &c
				}
				if prev.Count > 0 {
					c := float64(pt.Count-prev.Count) / float64(prev.Count)
					pt.CountChange = &c
				}
			}
			refs[ri].s.Points = append(refs[ri].s.Points, pt)
		}
	}
	return out
}

// oraDurations summarizes hours; the percentiles are left unrounded (the
// comparison allows the model's rounding to a tenth).
func oraDurations(v []float64) Durations {
	d := Durations{N: len(v)}
	if len(v) == 0 {
		return d
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	q := func(p float64) *float64 { x := oraPercentile(s, p); return &x }
	d.P25, d.P50, d.P75, d.P90 = q(0.25), q(0.5), q(0.75), q(0.9)
	return d
}

func oraHiringTimes(posts []*oraPost, now time.Time) HiringTimes {
	out := HiringTimes{Source: SourcePostings}
	var fill, resp []float64
	in7, due := 0, 0
	for _, p := range posts {
		if !p.filled.IsZero() {
			fill = append(fill, float64(p.filled.Unix()-p.published.Unix())/3600)
		} else {
			out.Unfilled++
		}
		for _, a := range p.apps {
			out.Applications++
			if !a.responded.IsZero() {
				resp = append(resp, float64(a.responded.Unix()-a.submitted.Unix())/3600)
			} else if a.withdrawn.IsZero() {
				out.Unanswered++
			}
			week := 7 * 24 * time.Hour
			switch {
			case !a.responded.IsZero():
				due++
				if a.responded.Sub(a.submitted) <= week {
					in7++
				}
			case !a.withdrawn.IsZero():
				if a.withdrawn.Sub(a.submitted) > week {
					due++
				}
			case now.Sub(a.submitted) >= week:
				due++
			}
		}
	}
	out.TimeToFill, out.Response = oraDurations(fill), oraDurations(resp)
	out.AnsweredIn7Days = oraShare("answered-in-7-days", "Applications answered within 7 days", in7, due)
	return out
}

func oraClaims(posts []*oraPost) []Claim {
	inGroup := func(p *oraPost, g string, requiredOnly bool) bool {
		return slices.ContainsFunc(p.skills(), func(s oraSkill) bool { return (s.required || !requiredOnly) && oraTax.InGroup(s.id, g) })
	}
	var back []*oraPost
	for _, p := range posts {
		if BackendRole(p.d.Title, p.d.Skills) {
			back = append(back, p)
		}
	}
	count := func(ps []*oraPost, ok func(p *oraPost) bool) int {
		n := 0
		for _, p := range ps {
			if ok(p) {
				n++
			}
		}
		return n
	}
	nb := len(back)
	nreq := count(back, func(p *oraPost) bool { return inGroup(p, "cloud", true) })
	c := Claim{ID: ClaimBackendCloud, N: nb, Count: nreq}
	s := oraShare(c.ID, "", nreq, nb)
	c.Share, c.Low, c.High = s.Share, s.Low, s.High
	c.Also = []Share{
		oraShare("backend-cloud-any", "Backend roles mentioning any cloud skill (required or nice to have)", count(back, func(p *oraPost) bool { return inGroup(p, "cloud", false) }), nb),
		oraShare("backend-share", "Backend roles among all postings", nb, len(posts)),
	}
	for _, id := range []string{"aws", "gcp", "azure"} {
		c.Also = append(c.Also, oraShare("backend-"+id, "Backend roles asking for "+oraSkillName(id), count(back, func(p *oraPost) bool { return p.has(id) }), nb))
	}
	nrg := count(posts, func(p *oraPost) bool { return inGroup(p, "rest_or_graphql", false) })
	r := Claim{ID: ClaimRESTGraphQL, N: len(posts), Count: nrg}
	s = oraShare(r.ID, "", nrg, len(posts))
	r.Share, r.Low, r.High = s.Share, s.Low, s.High
	r.Also = []Share{oraShare("rest-or-graphql-backend", "Backend roles featuring REST or GraphQL", count(back, func(p *oraPost) bool { return inGroup(p, "rest_or_graphql", false) }), nb)}
	for _, id := range []string{"rest", "graphql", "grpc"} {
		r.Also = append(r.Also, oraShare("listings-"+id, "Listings asking for "+oraSkillName(id), count(posts, func(p *oraPost) bool { return p.has(id) }), len(posts)))
	}
	return []Claim{c, r}
}

// oraSkillGaps follows SkillGaps' documented definition: a posting is
// reachable when the developer has each of its required skills or a
// narrower one; each round picks, among the skills that postings not yet
// reachable require and the developer lacks, the one whose learning (with
// the broader skills it covers) makes the most of them reachable (ties: the
// larger uplift of the median salary, then the id).
func oraSkillGaps(o *oraModel, known, eligible []string, currency string, limit int, now time.Time) SkillGaps {
	cur := oraCurrency(currency)
	conv := oraConv(oraRate(cur))
	if limit <= 0 || limit > MaxGaps {
		limit = MaxGaps
	}
	out := SkillGaps{Currency: cur, Items: []Gap{}}
	have := map[string]bool{}
	cover := func(id string) []string { return append([]string{id}, oraTax.Ancestors(id)...) }
	for _, k := range known {
		if id := oraCanon(k); id != "" {
			for _, c := range cover(id) {
				have[c] = true
			}
		}
	}
	type cand struct {
		req   []string
		sal   float64
		has   bool
		reach bool
	}
	var cands []*cand
	for _, id := range eligible {
		p := o.posts[id]
		if p == nil || !p.open(now) {
			continue
		}
		c := &cand{}
		c.sal, c.has = p.salary()
		for _, s := range p.skills() {
			if s.required {
				c.req = append(c.req, s.id)
			}
		}
		cands = append(cands, c)
	}
	out.Eligible = len(cands)
	reachable := func(c *cand, extra []string) bool {
		for _, r := range c.req {
			if !have[r] && !slices.Contains(extra, r) {
				return false
			}
		}
		return true
	}
	var reachSal []float64
	nReach := 0
	for _, c := range cands {
		if c.reach = reachable(c, nil); c.reach {
			nReach++
			if c.has {
				reachSal = append(reachSal, c.sal)
			}
		}
	}
	out.Reachable = nReach
	median := func(v []float64) (*float64, int) {
		if len(v) < DefaultMinN {
			return nil, len(v)
		}
		s := slices.Clone(v)
		sort.Float64s(s)
		x := conv.of(oraPercentile(s, 0.5))
		return &x, len(v)
	}
	for range limit {
		missing := map[string]bool{}
		for _, c := range cands {
			if !c.reach {
				for _, r := range c.req {
					if !have[r] {
						missing[r] = true
					}
				}
			}
		}
		var best *Gap
		var bestAdds []*cand
		for s := range missing {
			var adds []*cand
			for _, c := range cands {
				if !c.reach && reachable(c, cover(s)) {
					adds = append(adds, c)
				}
			}
			if len(adds) == 0 {
				continue
			}
			after := slices.Clone(reachSal)
			for _, c := range adds {
				if c.has {
					after = append(after, c.sal)
				}
			}
			g := Gap{Skill: s, Name: oraSkillName(s), Unlocks: len(adds), Before: nReach, After: nReach + len(adds)}
			g.MedianBefore, g.NBefore = median(reachSal)
			g.MedianAfter, g.NAfter = median(after)
			if g.MedianBefore != nil && g.MedianAfter != nil {
				u := *g.MedianAfter - *g.MedianBefore
				g.Uplift = &u
			}
			up := func(g *Gap) float64 {
				if g.Uplift == nil {
					return math.Inf(-1)
				}
				return *g.Uplift
			}
			if best == nil || cmp.Or(cmp.Compare(g.Unlocks, best.Unlocks), cmp.Compare(up(&g), up(best)), strings.Compare(best.Skill, g.Skill)) > 0 {
				best, bestAdds = &g, adds
			}
		}
		if best == nil {
			break
		}
		out.Items = append(out.Items, *best)
		for _, c := range cover(best.Skill) {
			have[c] = true
		}
		for _, c := range bestAdds {
			c.reach = true
			nReach++
			if c.has {
				reachSal = append(reachSal, c.sal)
			}
		}
	}
	return out
}

// ---------------------------------------------------------------------
// Comparison

// tolerance returns the absolute tolerance for a float at path (a relative
// tolerance of 1e-9 always applies).
type tolerance func(path string) float64

func exact(string) float64 { return 1e-12 }

// approxDiff compares got with want field by field and returns the first
// differences (at most 5).
func approxDiff(got, want any, tol tolerance) []string {
	if tol == nil {
		tol = exact
	}
	var out []string
	var walk func(path string, g, w reflect.Value)
	walk = func(path string, g, w reflect.Value) {
		if len(out) >= 5 {
			return
		}
		if g.Type() == reflect.TypeFor[time.Time]() {
			if !g.Interface().(time.Time).Equal(w.Interface().(time.Time)) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", path, g.Interface(), w.Interface()))
			}
			return
		}
		switch g.Kind() {
		case reflect.Pointer:
			if g.IsNil() != w.IsNil() {
				out = append(out, fmt.Sprintf("%s: got %s, want %s", path, ptrStr(g), ptrStr(w)))
				return
			}
			if !g.IsNil() {
				walk(path, g.Elem(), w.Elem())
			}
		case reflect.Struct:
			for i := range g.NumField() {
				walk(path+"."+g.Type().Field(i).Name, g.Field(i), w.Field(i))
			}
		case reflect.Slice, reflect.Array:
			if g.Len() != w.Len() {
				out = append(out, fmt.Sprintf("%s: got %d elements, want %d: got %s, want %s", path, g.Len(), w.Len(), brief(g), brief(w)))
				return
			}
			for i := range g.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
			}
		case reflect.Float64:
			a, b := g.Float(), w.Float()
			if math.IsNaN(a) && math.IsNaN(b) {
				return
			}
			if d := math.Abs(a - b); !(d <= tol(path) || d <= 1e-9*math.Max(math.Abs(a), math.Abs(b))) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", path, a, b))
			}
		default:
			if !reflect.DeepEqual(g.Interface(), w.Interface()) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", path, g.Interface(), w.Interface()))
			}
		}
	}
	walk("", reflect.ValueOf(got), reflect.ValueOf(want))
	return out
}

func ptrStr(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%+v", v.Elem().Interface())
}

func brief(v reflect.Value) string {
	s := fmt.Sprintf("%+v", v.Interface())
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
