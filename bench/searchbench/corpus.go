package searchbench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/searchtest"
	"github.com/meridianhq/meridian/internal/skills"
)

// Now is the reference time of generated corpora and of every query of the
// mix: every generated posting is live at Now (ValidThrough is zero) and
// was published in the 180 days before it.
var Now = searchtest.Now

// OrgsPerCompany is how many synthetic organizations each real company name
// yields ("Fullstory", "Fullstory 2" ... "Fullstory 37"): with the ~1,380
// real postings' companies that makes about 50,000 organizations.
const OrgsPerCompany = 37

// model is what the generator samples from: the real postings, their
// descriptions cut into paragraphs, and the skills found in each paragraph.
type model struct {
	real []search.Doc
	// paras[i] are the paragraphs of real[i]'s description; paraSkills[i][j]
	// the skills the extractor attaches to paras[i][j].
	paras      [][]string
	paraSkills [][][]string
	// titleSkills[i] are the skills found in real[i]'s title.
	titleSkills [][]string
	// levels[i] maps real[i]'s own skills to their requirement.
	levels []map[string]domain.SkillRequirement
	// seniority and employment-type values, one per real posting (the
	// empirical distribution).
	seniority []string
	employ    []string
}

var (
	modelOnce sync.Once
	theModel  *model
	modelErr  error
)

func loadModel() (*model, error) {
	modelOnce.Do(func() {
		real, err := searchtest.RealDocs()
		if err != nil {
			modelErr = err
			return
		}
		ex := skills.DefaultExtractor()
		extract := func(text string) []string {
			var ids []string
			for _, m := range skills.Attachable(ex.Extract(text)) {
				ids = append(ids, m.ID)
			}
			return ids
		}
		m := &model{real: real}
		for _, d := range real {
			var ps [][]string
			var paras []string
			for _, p := range strings.Split(d.Description, "\n\n") {
				p = strings.TrimSpace(p)
				if len(p) < 20 || strings.HasPrefix(p, "*Originally posted") || p == "---" {
					continue
				}
				paras = append(paras, p)
				ps = append(ps, extract(p))
			}
			if len(paras) == 0 {
				paras = []string{d.Title}
				ps = [][]string{nil}
			}
			lv := map[string]domain.SkillRequirement{}
			for _, s := range d.Skills {
				lv[s.Skill] = s
			}
			m.paras = append(m.paras, paras)
			m.paraSkills = append(m.paraSkills, ps)
			m.titleSkills = append(m.titleSkills, extract(d.Title))
			m.levels = append(m.levels, lv)
			m.seniority = append(m.seniority, d.Seniority)
			m.employ = append(m.employ, d.EmploymentType)
		}
		theModel = m
	})
	return theModel, modelErr
}

// Corpus generates n postings from the distributions of the real postings
// Meridian ships (searchtest.RealDocs), deterministically for a seed
// (posting i depends only on seed and i, so any prefix of a corpus is the
// smaller corpus of the same seed). Posting i is built around a "primary"
// real posting P:
//
//   - Title: P's title; when the seniority is re-sampled (30%) and the title
//     names no level, the level is prefixed ("Senior Backend Engineer").
//   - Description: P's first paragraph, then paragraphs taken in turn from
//     P and from 1–3 other real postings (not their first, usually a
//     "Company | Role | Place" header) until about P's description length
//     (75–125%): realistic text, never a verbatim copy. Paragraph strings are
//     shared; each posting's description is one new string.
//   - Skills: the union of the skills the extractor
//     (skills.DefaultExtractor, Attachable matches) finds in the title and
//     in each chosen paragraph. Extraction runs once per real paragraph
//     (~8,000) when the model is loaded, not once per generated posting,
//     so 1,000,000 postings generate in seconds; the result is what
//     extracting the generated text would give, except for matches that
//     need context from a neighbouring paragraph. Levels and
//     required/nice-to-have come from P when P lists the skill, else level
//     3, required.
//   - Salary: P's (none for ~75%, as in the real set) with ±10% jitter on
//     each bound, same currency and period; yearly amounts are rounded to
//     1,000.
//   - Eligibility and time-zone rule: P's, or (30%) another real posting's
//     pair (the slices are shared, never modified).
//   - Organization: P's company with a numeric suffix 1..OrgsPerCompany-1 or
//     none (≈50,000 organizations); OrgID "org-<company index>-<suffix>".
//   - Seniority and employment type: P's, seniority re-sampled from the
//     real distribution 30% of the time.
//   - PublishedAt: uniform over the 180 days before Now (second
//     resolution); ValidThrough zero.
//
// IDs are "job-0000001"... in order.
func Corpus(n int, seed int64) []search.Doc {
	m, err := loadModel()
	if err != nil {
		panic("searchbench: real postings: " + err.Error())
	}
	out := make([]search.Doc, n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sb strings.Builder
			for i := lo; i < hi; i++ {
				out[i] = m.doc(i, seed, &sb)
			}
		}()
	}
	wg.Wait()
	return out
}

const span = 180 * 24 * time.Hour

func (m *model) doc(i int, seed int64, sb *strings.Builder) search.Doc {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i))) // #nosec G115 G404 -- deterministic benchmark data from a seed; not security
	nr := len(m.real)
	pi := r.IntN(nr)
	p := &m.real[pi]

	d := search.Doc{
		ID:             fmt.Sprintf("job-%07d", i+1),
		Seniority:      p.Seniority,
		EmploymentType: p.EmploymentType,
		Eligibility:    p.Eligibility,
		TimeZone:       p.TimeZone,
		PublishedAt:    Now.Add(-time.Duration(r.Int64N(int64(span/time.Second))) * time.Second),
	}
	resampled := false
	if r.IntN(10) < 3 {
		d.Seniority = m.seniority[r.IntN(nr)]
		resampled = true
	}
	d.Title = p.Title
	if resampled && d.Seniority != "" && !namesLevel(p.Title) {
		d.Title = levelWord[d.Seniority] + " " + p.Title
	}
	suffix := r.IntN(OrgsPerCompany)
	d.OrgID = fmt.Sprintf("org-%04d-%02d", pi, suffix)
	d.OrgName = p.OrgName
	if suffix > 0 {
		d.OrgName = fmt.Sprintf("%s %d", p.OrgName, suffix+1)
	}
	if r.IntN(10) < 3 {
		o := &m.real[r.IntN(nr)]
		d.Eligibility, d.TimeZone = o.Eligibility, o.TimeZone
	}
	if p.Salary != nil {
		s := *p.Salary
		s.Min = jitter(r, s.Min, s.Period)
		s.Max = jitter(r, s.Max, s.Period)
		if s.Max > 0 && s.Min > s.Max {
			s.Min, s.Max = s.Max, s.Min
		}
		d.Salary = &s
	}

	// Description: P's first paragraph, then round-robin over P and 1–3
	// donors until the target length.
	sources := []int{pi}
	for k := 1 + r.IntN(3); k > 0; k-- {
		sources = append(sources, r.IntN(nr))
	}
	target := len(p.Description) * (75 + r.IntN(51)) / 100
	target = max(target, 200)
	// next paragraph index per source; donors skip their first paragraph
	// (usually a "Company | Role | Place" header).
	next := make([]int, len(sources))
	for k, src := range sources {
		if len(m.paras[src]) > 1 {
			next[k] = 1
		}
	}
	sb.Reset()
	skillSet := append([]string(nil), m.titleSkills[pi]...)
	add := func(src, j int) {
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(m.paras[src][j])
		skillSet = append(skillSet, m.paraSkills[src][j]...)
	}
	add(pi, 0)
	for s := 1; sb.Len() < target; s++ {
		progressed := false
		for k := range sources {
			if sb.Len() >= target {
				break
			}
			src := sources[(s+k)%len(sources)]
			idx := (s + k) % len(sources)
			if next[idx] < len(m.paras[src]) {
				add(src, next[idx])
				next[idx]++
				progressed = true
			}
		}
		if !progressed {
			break
		}
	}
	d.Description = strings.Clone(sb.String())

	slices.Sort(skillSet)
	skillSet = slices.Compact(skillSet)
	if len(skillSet) > 0 {
		d.Skills = make([]domain.SkillRequirement, len(skillSet))
		for k, id := range skillSet {
			req, ok := m.levels[pi][id]
			if !ok {
				req = domain.SkillRequirement{Skill: id, Level: 3, Required: true}
			}
			d.Skills[k] = req
		}
	}
	return d
}

var levelWord = map[string]string{
	"intern": "Intern", "junior": "Junior", "mid": "Mid-level", "senior": "Senior",
	"lead": "Lead", "staff": "Staff", "principal": "Principal",
}

func namesLevel(title string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(c rune) bool { return !unicode.IsLetter(c) }) {
		switch w {
		case "intern", "junior", "jr", "mid", "senior", "sr", "lead", "staff", "principal", "head", "director", "vp":
			return true
		}
	}
	return false
}

// jitter moves v by up to ±10%; yearly amounts (minor units) are rounded to
// 1,000 major units.
func jitter(r *rand.Rand, v int64, period string) int64 {
	if v == 0 {
		return 0
	}
	f := 0.9 + 0.2*r.Float64()
	out := int64(float64(v) * f)
	if period == "year" && out >= 1_000_00*10 {
		out = (out + 50_000) / 100_000 * 100_000
	}
	return max(out, 1)
}
