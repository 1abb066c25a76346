package searchbench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/skills"
)

// Kinds of the query mix.
const (
	KindText    = "text"
	KindFilters = "filters"
	KindFacets  = "text+filters+facets"
	KindMatch   = "match"
	// KindSearch is not a kind of query but the report's row for every
	// search query of the mix (text, filters and text+filters+facets):
	// what the search latency targets apply to.
	KindSearch = "search (all but match)"
)

// Kinds lists the kinds in report order.
var Kinds = []string{KindText, KindFilters, KindFacets, KindMatch}

// NamedQuery is one query of the mix: a Query (kinds text, filters,
// text+filters+facets) or a Profile (kind match).
type NamedQuery struct {
	Kind    string
	Name    string
	Query   search.Query
	Profile search.Profile
}

// fixedText are the hand-picked text queries: common terms, a two-word
// AND, a quoted phrase, a typo ("kubernets") and a prefix ("kube").
var fixedText = []string{
	"golang", "kubernetes", "distributed systems", `"distributed systems"`, "rust", "backend engineer",
	"postgres", "kubernets", "kube", "react typescript", "machine learning", "senior frontend",
	"python django", "data engineer", "ios swift", "terraform aws", "elixir", "site reliability",
	"full stack", "security engineer", "infrastructure", "compiler", "embedded firmware", "llm",
	"golang postgres", "pytorch", "platform engineer", "fintech", "devops", "mobile android",
}

// stopwords are skipped when sampling text from real titles (every engine
// drops English stop words differently).
var stopwords = map[string]bool{
	"and": true, "the": true, "for": true, "with": true, "our": true, "you": true, "are": true, "all": true,
	"not": true, "but": true, "from": true, "this": true, "that": true, "into": true, "remote": false,
}

// Mix returns the benchmark's fixed query mix for a seed (the report uses
// seed 1): 40 text queries (the 30 of fixedText, then 10 word pairs
// sampled from real titles), 40 filter-only queries, 40 text + filters
// queries with facets, and 30 profiles to match. Values come from the real
// postings: skills by frequency and co-occurrence, their categories,
// countries and regions, salary floors in USD, EUR and GBP, seniority,
// employment types, organizations, posted-since windows, and the three
// sort orders. Time-zone filters appear only in profiles (the peers have no
// equivalent). Deterministic for a seed.
func Mix(seed int64) []NamedQuery {
	m, err := loadModel()
	if err != nil {
		panic("searchbench: real postings: " + err.Error())
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed)) // #nosec G115 G404 -- deterministic benchmark data from a seed; not security
	v := vocabulary(m)
	var out []NamedQuery

	// text
	texts := append([]string(nil), fixedText...)
	for len(texts) < 40 {
		t := m.real[r.IntN(len(m.real))].Title
		ws := splitWords(t)
		var keep []string
		for _, w := range ws {
			if len(w) >= 3 && !stopwords[w] {
				keep = append(keep, w)
			}
		}
		if len(keep) < 2 {
			continue
		}
		i := r.IntN(len(keep) - 1)
		if t := keep[i] + " " + keep[i+1]; !slices.Contains(texts, t) {
			texts = append(texts, t)
		}
	}
	for _, t := range texts {
		out = append(out, NamedQuery{Kind: KindText, Name: "q=" + t, Query: search.Query{Text: t}})
	}

	// filters
	for i := 0; len(filterQueries(out)) < 40; i++ {
		q := search.Query{}
		name := v.addFilters(r, &q, 1+r.IntN(3), i)
		switch r.IntN(4) {
		case 0:
			q.Sort = search.SortSalary
			name += " sort=salary"
		}
		out = append(out, NamedQuery{Kind: KindFilters, Name: name, Query: q})
	}

	// text + filters + facets
	for i := 0; i < 40; i++ {
		t := texts[r.IntN(len(fixedText))]
		q := search.Query{Text: t, Facets: true}
		name := "q=" + t + " " + v.addFilters(r, &q, 1+r.IntN(2), i)
		switch r.IntN(5) {
		case 0:
			q.Sort = search.SortNewest
			name += " sort=newest"
		}
		out = append(out, NamedQuery{Kind: KindFacets, Name: name + " +facets", Query: q})
	}

	// match
	for i := 0; i < 30; i++ {
		p := v.profile(r, m, i)
		out = append(out, NamedQuery{Kind: KindMatch, Name: profileName(p), Profile: p})
	}
	return out
}

func filterQueries(qs []NamedQuery) []NamedQuery {
	var out []NamedQuery
	for _, q := range qs {
		if q.Kind == KindFilters {
			out = append(out, q)
		}
	}
	return out
}

type vocab struct {
	skills    []string            // by frequency in the real postings, most frequent first (top 40)
	cooccur   map[string][]string // skill → skills seen with it, by frequency
	cats      []string            // categories of the popular skills
	countries []string
	regions   []string
	orgs      []string // OrgIDs that exist in every corpus of ≥ 1,383×OrgsPerCompany/2 postings (suffix 0)
}

func vocabulary(m *model) vocab {
	freq := map[string]int{}
	pair := map[string]map[string]int{}
	for _, d := range m.real {
		for _, a := range d.Skills {
			freq[a.Skill]++
			for _, b := range d.Skills {
				if a.Skill != b.Skill {
					if pair[a.Skill] == nil {
						pair[a.Skill] = map[string]int{}
					}
					pair[a.Skill][b.Skill]++
				}
			}
		}
	}
	byFreq := func(f map[string]int) []string {
		var ks []string
		for k := range f {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			if f[ks[i]] != f[ks[j]] {
				return f[ks[i]] > f[ks[j]]
			}
			return ks[i] < ks[j]
		})
		return ks
	}
	v := vocab{cooccur: map[string][]string{}}
	all := byFreq(freq)
	v.skills = all[:min(40, len(all))]
	for _, s := range v.skills {
		v.cooccur[s] = byFreq(pair[s])
	}
	seen := map[string]bool{}
	tax := skills.Default()
	for _, s := range v.skills {
		if sk, ok := tax.Get(s); ok && !seen[sk.Category] {
			seen[sk.Category] = true
			v.cats = append(v.cats, sk.Category)
		}
	}
	v.countries = []string{"US", "DE", "GB", "CA", "IN", "BR", "PL", "NL", "ES", "FR", "PT", "AU", "MX", "NG", "JP"}
	v.regions = []string{"EU", "EUROPE", "NORTH_AMERICA", "LATAM", "EMEA", "APAC", "AMERICAS"}
	for i := 0; i < len(m.real); i += 97 {
		v.orgs = append(v.orgs, fmt.Sprintf("org-%04d-%02d", i, 0))
	}
	return v
}

// floors are the salary floors of the mix, annual major units.
var floors = []struct {
	cur string
	min int64
}{{"USD", 100_000}, {"USD", 150_000}, {"USD", 200_000}, {"EUR", 60_000}, {"EUR", 90_000}, {"GBP", 70_000}, {"GBP", 100_000}}

// addFilters sets n filters on q (the i-th query of its kind: filter kinds
// rotate, so every kind appears) and returns a name for them.
func (v vocab) addFilters(r *rand.Rand, q *search.Query, n, i int) string {
	var names []string
	used := map[int]bool{}
	for k := 0; k < n; k++ {
		f := (i + k*5) % 10
		if k > 0 {
			f = r.IntN(10)
		}
		if used[f] {
			continue
		}
		used[f] = true
		switch f {
		case 0: // one popular skill
			s := v.skills[r.IntN(10)]
			q.SkillsAll = append(q.SkillsAll, s)
			names = append(names, "skill="+s)
		case 1: // two co-occurring skills
			s := v.skills[r.IntN(len(v.skills))]
			c := v.cooccur[s]
			if len(c) == 0 {
				q.SkillsAll = append(q.SkillsAll, s)
				names = append(names, "skill="+s)
				continue
			}
			t := c[r.IntN(min(5, len(c)))]
			q.SkillsAll = append(q.SkillsAll, s, t)
			names = append(names, "skills="+s+"+"+t)
		case 2: // any of three skills
			var a []string
			for len(a) < 3 {
				if s := v.skills[r.IntN(len(v.skills))]; !slices.Contains(a, s) {
					a = append(a, s)
				}
			}
			q.SkillsAny = a
			names = append(names, "anySkill="+strings.Join(a, "|"))
		case 3:
			c := v.cats[r.IntN(len(v.cats))]
			q.Categories = []string{c}
			names = append(names, "category="+c)
		case 4:
			q.Seniority = []string{"senior"}
			if r.IntN(2) == 0 {
				q.Seniority = append(q.Seniority, "staff", "lead")
			}
			names = append(names, "seniority="+strings.Join(q.Seniority, "|"))
		case 5:
			c := v.countries[r.IntN(len(v.countries))]
			q.Country = c
			names = append(names, "country="+c)
		case 6:
			g := v.regions[r.IntN(len(v.regions))]
			q.Region = g
			names = append(names, "region="+g)
		case 7:
			f := floors[r.IntN(len(floors))]
			q.MinSalary, q.Currency = f.min, f.cur
			q.IncludeNoSalary = r.IntN(3) == 0
			nm := fmt.Sprintf("minSalary=%s %d", f.cur, f.min)
			if q.IncludeNoSalary {
				nm += " (+no salary)"
			}
			names = append(names, nm)
		case 8:
			days := []int{7, 30, 90}[r.IntN(3)]
			q.PostedSince = Now.Add(-time.Duration(days) * 24 * time.Hour)
			names = append(names, fmt.Sprintf("postedSince=%dd", days))
		case 9:
			if r.IntN(3) == 0 {
				q.OrgID = v.orgs[r.IntN(len(v.orgs))]
				names = append(names, "org="+q.OrgID)
			} else {
				q.EmploymentTypes = []string{"contract"}
				if r.IntN(2) == 0 {
					q.EmploymentTypes = []string{"full_time"}
				}
				names = append(names, "employment="+q.EmploymentTypes[0])
			}
		}
	}
	return strings.Join(names, " ")
}

// zones are the time zones of profiles by country.
var zones = map[string]string{
	"US": "America/New_York", "DE": "Europe/Berlin", "GB": "Europe/London", "CA": "America/Toronto",
	"IN": "Asia/Kolkata", "BR": "America/Sao_Paulo", "PL": "Europe/Warsaw", "NL": "Europe/Amsterdam",
	"ES": "Europe/Madrid", "FR": "Europe/Paris", "PT": "Europe/Lisbon", "AU": "Australia/Sydney",
	"MX": "America/Mexico_City", "NG": "Africa/Lagos", "JP": "Asia/Tokyo",
}

var localFloor = map[string]domain.Salary{
	"US": {Min: 140_000_00, Currency: "USD", Period: "year"}, "CA": {Min: 120_000_00, Currency: "CAD", Period: "year"},
	"GB": {Min: 70_000_00, Currency: "GBP", Period: "year"}, "IN": {Min: 3_000_000_00, Currency: "INR", Period: "year"},
	"AU": {Min: 150_000_00, Currency: "AUD", Period: "year"}, "BR": {Min: 10_000_00, Currency: "USD", Period: "month"},
}

// profile samples a developer profile: a real posting's skill set (so
// skills co-occur as they do in postings) plus a related skill, levels
// 2–5 and years, one or two countries with a matching time zone and
// 09:00–17:00 hours, a salary floor (local currency, else EUR) and a
// seniority.
func (v vocab) profile(r *rand.Rand, m *model, i int) search.Profile {
	var base []domain.SkillRequirement
	for len(base) < 3 {
		base = m.real[r.IntN(len(m.real))].Skills
	}
	p := search.Profile{ID: fmt.Sprintf("profile-%02d", i+1)}
	seen := map[string]bool{}
	add := func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		lvl := 2 + r.IntN(4)
		p.Skills = append(p.Skills, domain.ProfileSkill{Skill: s, Level: lvl, Years: float64(lvl + r.IntN(4))})
	}
	for _, s := range base {
		if len(p.Skills) < 8 {
			add(s.Skill)
		}
	}
	if c := v.cooccur[base[0].Skill]; len(c) > 0 {
		add(c[r.IntN(min(5, len(c)))])
	}
	c := v.countries[r.IntN(len(v.countries))]
	p.Countries = []string{c}
	if r.IntN(4) == 0 {
		if c2 := v.countries[r.IntN(len(v.countries))]; c2 != c {
			p.Countries = append(p.Countries, c2)
		}
	}
	p.TimeZone, p.WorkStart, p.WorkEnd = zones[c], "09:00", "17:00"
	if f, ok := localFloor[c]; ok {
		p.SalaryFloor = &f
	} else {
		p.SalaryFloor = &domain.Salary{Min: int64(50_000+r.IntN(8)*10_000) * 100, Currency: "EUR", Period: "year"}
	}
	p.Seniority = []string{"junior", "mid", "senior", "senior", "staff", "lead"}[r.IntN(6)]
	return p
}

func profileName(p search.Profile) string {
	var ss []string
	for _, s := range p.Skills {
		ss = append(ss, fmt.Sprintf("%s:%d", s.Skill, s.Level))
	}
	return fmt.Sprintf("profile %s [%s] in %s (%s) %s floor %d %s/%s", p.ID, strings.Join(ss, " "),
		strings.Join(p.Countries, "+"), p.TimeZone, p.Seniority, p.SalaryFloor.Min/100, p.SalaryFloor.Currency, p.SalaryFloor.Period)
}
