package search

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Score weights: they sum to 1, so a score is in 0..1.
const (
	wRequired  = 0.45
	wNice      = 0.15
	wLevel     = 0.10
	wSeniority = 0.10
	wSalary    = 0.10
	wOverlap   = 0.10
)

// Partial credits for related skills.
const (
	creditNarrower = 0.7 // the profile knows a kind of the skill (PostgreSQL for SQL)
	creditBroader  = 0.4 // the profile knows the broader skill (SQL for PostgreSQL)
	creditRelated  = 0.3 // a related skill
)

// credit is how much a profile covers one taxonomy skill.
type credit struct {
	value float64
	via   uint16 // the profile's skill, when partial
	how   string
	level uint8 // the profile's level of the skill (or of via)
}

// profileCtx is a profile prepared for scoring.
type profileCtx struct {
	p       Profile
	credits map[uint16]credit
	// value and level are credits as dense arrays by skill index, for the
	// per-candidate loop.
	value    []float32
	level    []uint8
	sen      int // seniority rank, -1 unknown
	floorUSD float64
	work     *workDay
	currency string
}

func (ix *Index) prepare(p Profile, currency string) (*profileCtx, error) {
	return prepareProfile(ix.tax, p, currency)
}

func prepareProfile(t *taxo, p Profile, currency string) (*profileCtx, error) {
	pc := &profileCtx{p: p, credits: map[uint16]credit{}, sen: domain.SeniorityRank(p.Seniority)}
	if currency == "" && p.SalaryFloor != nil {
		currency = p.SalaryFloor.Currency
	}
	if currency == "" {
		currency = "USD"
	}
	currency = strings.ToUpper(currency)
	if usdPerUnit(currency) == 0 {
		return nil, invalid("currency", "no exchange rate for %q", currency)
	}
	pc.currency = currency
	if p.SalaryFloor != nil {
		s := salaryOf(&domain.Salary{Min: p.SalaryFloor.Min, Currency: p.SalaryFloor.Currency, Period: p.SalaryFloor.Period})
		pc.floorUSD = float64(s.usdMin)
	}
	if p.TimeZone != "" {
		if w, ok := newWorkDay(p.TimeZone, p.WorkStart, p.WorkEnd); ok {
			pc.work = &w
		}
	}
	set := func(s uint16, c credit) {
		if old, ok := pc.credits[s]; !ok || c.value > old.value {
			pc.credits[s] = c
		}
	}
	defer func() {
		pc.value = make([]float32, len(t.ids))
		pc.level = make([]uint8, len(t.ids))
		for s, c := range pc.credits {
			pc.value[s], pc.level[s] = float32(c.value), c.level
		}
	}()
	for _, ps := range p.Skills {
		si, ok := t.index[ps.Skill]
		if !ok {
			continue
		}
		lvl := uint8(max(0, min(ps.Level, 5)))
		set(si, credit{value: 1, via: si, level: lvl})
		for _, a := range t.parents[si] {
			set(a, credit{value: creditNarrower, via: si, level: lvl, how: fmt.Sprintf("%s is a kind of %s", t.name(si), t.name(a))})
		}
		for _, d := range t.children[si] {
			set(d, credit{value: creditBroader, via: si, level: lvl, how: fmt.Sprintf("%s is a kind of %s, which you know", t.name(d), t.name(si))})
		}
		for _, r := range t.related[si] {
			set(r, credit{value: creditRelated, via: si, level: lvl, how: fmt.Sprintf("%s is related to %s", t.name(si), t.name(r))})
		}
	}
	return pc, nil
}

// posting is what scoring reads of a posting.
type posting struct {
	skills []docSkill
	sen    int
	sal    salaryCols
	tz     *domain.TimeZoneRule
}

// components scores one eligible posting; hours is the working-time
// overlap (-1 when the posting states no rule).
func (pc *profileCtx) components(p *posting, hours float64) (score float64, comps map[string]float64) {
	parts := pc.parts(p, hours)
	comps = map[string]float64{}
	for i, k := range partNames {
		comps[k] = math.Round(parts[i]*10000) / 10000
		score += comps[k]
	}
	return math.Round(score*10000) / 10000, comps
}

var partNames = [6]string{"requiredSkills", "niceToHave", "skillLevel", "seniority", "salary", "overlap"}

// parts returns the weighted score components in partNames order.
func (pc *profileCtx) parts(p *posting, hours float64) [6]float64 {
	usdMax := float32(-1)
	if p.sal.currency != "" {
		usdMax = p.sal.usdMax
	}
	return pc.partsOf(p.skills, p.sen, usdMax, hours)
}

// partsOf is parts from a posting's columns (usdMax < 0: no salary).
func (pc *profileCtx) partsOf(skills []docSkill, psen int, usdMax float32, hours float64) [6]float64 {
	var req, reqN, nice, niceN, lvl, lvlN float64
	for _, s := range skills {
		v, cl := float64(pc.value[s.skill]), pc.level[s.skill]
		if s.required {
			req += v
			reqN++
		} else {
			nice += v
			niceN++
		}
		if v > 0 && s.level > 0 && cl > 0 {
			r := float64(cl) / float64(s.level)
			if r > 1 {
				r = 1
			}
			lvl += r
			lvlN++
		}
	}
	covReq, covNice := 0.0, 0.0
	switch {
	case reqN > 0 && niceN > 0:
		covReq, covNice = req/reqN, nice/niceN
	case reqN > 0:
		covReq = req / reqN
		covNice = covReq
	case niceN > 0:
		covReq = nice / niceN
		covNice = covReq
	}
	level := 0.5
	if lvlN > 0 {
		level = lvl / lvlN
	}
	sen := 0.5
	if pc.sen >= 0 && psen >= 0 {
		switch d := pc.sen - psen; {
		case d == 0:
			sen = 1
		case d == 1 || d == -1:
			sen = 0.6
		default:
			sen = 0.2
		}
	}
	sal := 0.5
	if pc.floorUSD > 0 && usdMax >= 0 {
		top := float64(usdMax)
		if top >= pc.floorUSD {
			sal = 1
		} else {
			sal = math.Max(0, 1-2*(pc.floorUSD-top)/pc.floorUSD)
		}
	}
	ovl := 1.0
	if hours >= 0 && hours < 8 {
		ovl = hours / 8
	}
	return [6]float64{wRequired * covReq, wNice * covNice, wLevel * level, wSeniority * sen, wSalary * sal, wOverlap * ovl}
}

// eligibleWhy returns why a posting is open to the profile (nil if not).
func (pc *profileCtx) eligibleWhy(e domain.Eligibility) []string {
	if e.Worldwide {
		return []string{"open worldwide"}
	}
	for _, c := range pc.p.Countries {
		for _, ec := range e.Countries {
			if ec == c {
				return []string{"open to " + c}
			}
		}
		for _, r := range e.Regions {
			for _, rc := range domain.Regions[r] {
				if rc == c {
					return []string{fmt.Sprintf("open to %s through %s", c, r)}
				}
			}
		}
	}
	return nil
}

func (pc *profileCtx) explain(t *taxo, p *posting, e domain.Eligibility, hours float64, tzWhy string, ownSalary *Money) Explanation {
	score, comps := pc.components(p, hours)
	_ = score
	x := Explanation{Eligible: pc.eligibleWhy(e), Matched: []SkillMatch{}, Missing: []SkillMatch{}, Components: comps}
	if p.tz != nil {
		x.Eligible = append(x.Eligible, tzWhy)
	}
	if hours >= 0 {
		h := math.Round(hours*10) / 10
		x.OverlapHours = &h
	}
	for _, s := range p.skills {
		m := SkillMatch{Skill: t.ids[s.skill], Name: t.name(s.skill), Required: s.required, Want: int(s.level)}
		c, ok := pc.credits[s.skill]
		if !ok {
			x.Missing = append(x.Missing, m)
			continue
		}
		m.Credit, m.Have = c.value, int(c.level)
		if c.value < 1 {
			m.Via, m.How = t.ids[c.via], c.how
		}
		x.Matched = append(x.Matched, m)
	}
	x.Salary = SalaryFit{Posting: ownSalary, Fit: "unknown"}
	if pc.p.SalaryFloor != nil && pc.floorUSD > 0 {
		x.Salary.Floor = &Money{Min: toCurrency(pc.floorUSD, pc.currency), Currency: pc.currency}
		if pc.p.SalaryFloor.Currency == pc.currency && pc.p.SalaryFloor.Period == "year" {
			x.Salary.Floor.Min = pc.p.SalaryFloor.Min / int64(math.Pow10(meridian.MinorUnits(pc.currency)))
		}
		if p.sal.currency != "" {
			x.Salary.Fit = "below"
			if float64(p.sal.usdMax) >= pc.floorUSD {
				x.Salary.Fit = "meets"
			}
		}
	}
	switch {
	case pc.sen < 0 || p.sen < 0:
		x.Seniority = "unknown"
	case pc.sen == p.sen:
		x.Seniority = "match"
	case pc.sen > p.sen:
		x.Seniority = "above"
	default:
		x.Seniority = "below"
	}
	return x
}

// Score scores one profile against one posting. ok is false when the
// profile is not eligible (country or working time): eligibility is a hard
// filter, never a score.
func Score(p Profile, d *Doc, currency string, now time.Time) (m JobMatch, ok bool) {
	t := defaultTaxo()
	pc, err := prepareProfile(t, p, currency)
	if err != nil {
		return JobMatch{}, false
	}
	return pc.scoreDoc(t, d, now)
}

// scoreDoc scores a standalone posting.
func (pc *profileCtx) scoreDoc(t *taxo, d *Doc, now time.Time) (JobMatch, bool) {
	if pc.eligibleWhy(d.Eligibility) == nil {
		return JobMatch{}, false
	}
	hours, why := -1.0, ""
	if d.TimeZone != nil {
		if pc.work == nil {
			return JobMatch{}, false
		}
		var ok bool
		ok, hours, why = tzCheck(d.TimeZone, *pc.work, now)
		if !ok {
			return JobMatch{}, false
		}
	}
	p := &posting{sen: domain.SeniorityRank(d.Seniority), sal: salaryOf(d.Salary), tz: d.TimeZone}
	for _, s := range d.Skills {
		if si, ok := t.index[s.Skill]; ok {
			p.skills = append(p.skills, docSkill{skill: si, level: uint8(max(0, min(s.Level, 5))), required: s.Required})
		}
	}
	var own *Money
	if p.sal.currency != "" {
		own = moneyFromCols(p.sal, pc.currency)
	}
	x := pc.explain(t, p, d.Eligibility, hours, why, own)
	score, _ := pc.components(p, hours)
	return JobMatch{JobID: d.ID, Score: score, Explanation: x}, true
}

func moneyFromCols(s salaryCols, cur string) *Money {
	if s.currency == cur {
		unit := int64(math.Pow10(meridian.MinorUnits(cur)))
		return &Money{Min: s.min / unit, Max: s.max / unit, Currency: cur}
	}
	return &Money{Min: toCurrency(float64(s.usdMin), cur), Max: toCurrency(float64(s.usdMax), cur), Currency: cur}
}

// postingAt reads a posting's scoring view from the index columns.
func (ix *Index) postingAt(o uint32) posting {
	p := posting{skills: ix.skillList[ix.skillOff[o]:ix.skillOff[o+1]], sen: int(ix.seniority[o]) - 1}
	if ci := ix.salCur[o]; ci != 0 {
		p.sal = salaryCols{currency: ix.currency[ci-1], min: ix.salMin[o], max: ix.salMax[o], usdMin: ix.usdMin[o], usdMax: ix.usdMax[o]}
	}
	if r := ix.tz[o]; r != 0 {
		p.tz = &ix.tzRules[r]
	}
	return p
}

// eligibilityAt rebuilds a posting's eligibility from its place codes.
func (ix *Index) eligibilityAt(o uint32) domain.Eligibility {
	var e domain.Eligibility
	for _, pi := range ix.places[ix.placeOff[o]:ix.placeOff[o+1]] {
		code := places.codes[pi]
		switch {
		case code == domain.Worldwide:
			e.Worldwide = true
		case domain.IsRegion(code):
			e.Regions = append(e.Regions, code)
		default:
			e.Countries = append(e.Countries, code)
		}
	}
	return e
}

// eligibleFor returns the live postings open to someone in any of the
// countries.
func (ix *Index) eligibleFor(countries []string) *roaring.Bitmap {
	var bs []*roaring.Bitmap
	bs = append(bs, ix.placeDocs[places.index[domain.Worldwide]])
	for _, c := range countries {
		c = strings.ToUpper(c)
		if pi, ok := places.index[c]; ok && domain.IsCountry(c) {
			bs = append(bs, ix.placeDocs[pi])
		}
		for _, r := range domain.RegionsOf(c) {
			bs = append(bs, ix.placeDocs[places.index[r]])
		}
	}
	return roaring.FastOr(bs...)
}

// eligibleBase returns the live postings p may apply to (open to one of
// its countries, working-time rule satisfied), with each rule's overlap
// hours and reason. ix.mu must be read-locked.
func (ix *Index) eligibleBase(p Profile, pc *profileCtx, now time.Time) (base *roaring.Bitmap, hours []float64, why []string) {
	hours = make([]float64, len(ix.tzRules))
	why = make([]string, len(ix.tzRules))
	allowed := []*roaring.Bitmap{ix.tzDocs[0]}
	hours[0] = -1
	for id := 1; id < len(ix.tzRules); id++ {
		if pc.work == nil {
			continue // a posting with a working-time rule cannot be checked
		}
		ok, h, w := tzCheck(&ix.tzRules[id], *pc.work, now)
		hours[id], why[id] = h, w
		if ok {
			allowed = append(allowed, ix.tzDocs[id])
		}
	}
	return roaring.FastAnd(ix.live, ix.eligibleFor(p.Countries), roaring.FastOr(allowed...)), hours, why
}

// EligibleIDs returns the ids of the live postings p may apply to, by the
// same rules as MatchProfile's hard filter, shared skills or not (the
// market's skill-gap advice counts what p could reach).
func (ix *Index) EligibleIDs(p Profile, now time.Time) ([]string, error) {
	pc, err := ix.prepare(p, "")
	if err != nil {
		return nil, err
	}
	ix.expire(now)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	base, _, _ := ix.eligibleBase(p, pc, now)
	out := make([]string, 0, base.GetCardinality())
	it := base.Iterator()
	for it.HasNext() {
		out = append(out, ix.ids[it.Next()])
	}
	return out, nil
}

// MatchProfile returns the live postings p is eligible for and shares at
// least one skill with (directly or through a related skill), best first,
// each with its explanation.
func (ix *Index) MatchProfile(p Profile, opt MatchOptions, now time.Time) (MatchPage[JobMatch], error) {
	limit := opt.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return MatchPage[JobMatch]{}, invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	var cur *cursor
	if opt.Cursor != "" {
		var err error
		if cur, err = decodeCursor(opt.Cursor, "match"); err != nil {
			return MatchPage[JobMatch]{}, err
		}
	}
	pc, err := ix.prepare(p, opt.Currency)
	if err != nil {
		return MatchPage[JobMatch]{}, err
	}
	ix.expire(now)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	page := MatchPage[JobMatch]{Items: []JobMatch{}}
	if len(pc.credits) == 0 {
		return page, nil
	}
	base, hours, why := ix.eligibleBase(p, pc, now)
	// Two tiers: postings sharing a skill the profile knows (or a broader
	// one it partly satisfies) first; postings related only through
	// weaker credits are scored only if they could still make the page.
	var strong, weak []*roaring.Bitmap
	for s, c := range pc.credits {
		if c.value >= creditNarrower {
			strong = append(strong, ix.skillDocs[s])
		} else {
			weak = append(weak, ix.skillDocs[s])
		}
	}
	first := roaring.And(base, roaring.FastOr(strong...))
	h := &topHeap{ix: ix, limit: limit}
	ix.scoreCandidates(first, pc, hours, cur, h)
	if len(weak) > 0 && (!h.full() || h.items[0].key <= weakBound) {
		rest := roaring.AndNot(roaring.And(base, roaring.FastOr(weak...)), first)
		ix.scoreCandidates(rest, pc, hours, cur, h)
	}
	best := h.sorted()
	for _, c := range best {
		pv := ix.postingAt(c.ord)
		x := pc.explain(ix.tax, &pv, ix.eligibilityAt(c.ord), hours[ix.tz[c.ord]], why[ix.tz[c.ord]], ix.moneyOf(c.ord, pc.currency))
		page.Items = append(page.Items, JobMatch{JobID: ix.ids[c.ord], Score: displayScore(x), Explanation: x})
	}
	if len(best) == limit {
		last := best[len(best)-1]
		page.NextCursor = encodeCursor("match", last.key, ix.ids[last.ord])
	}
	return page, nil
}

// displayScore is the sum of an explanation's rounded components (ranks
// use the unrounded score).
func displayScore(x Explanation) float64 {
	sum := 0.0
	for _, v := range x.Components {
		sum += v
	}
	return math.Round(sum*10000) / 10000
}

// weakBound is the highest score a posting can reach when every skill it
// shares with the profile is only related or broader (credit ≤ 0.4): all
// other components at their maximum.
const weakBound = wRequired*creditBroader + wNice*creditBroader + wLevel + wSeniority + wSalary + wOverlap

// scoreCandidates scores the candidates into h, on every core for large
// sets.
func (ix *Index) scoreCandidates(cands *roaring.Bitmap, pc *profileCtx, hours []float64, cur *cursor, h *topHeap) {
	parts := partition(cands, 50000)
	heaps := make([]*topHeap, parts)
	inParallel(parts, func(p int) {
		hp := &topHeap{ix: ix, limit: h.limit}
		heaps[p] = hp
		for batch := range rankBatches(cands, p, parts) {
			for _, o := range batch {
				usd := float32(-1)
				if ix.salCur[o] != 0 {
					usd = ix.usdMax[o]
				}
				comp := pc.partsOf(ix.skillList[ix.skillOff[o]:ix.skillOff[o+1]], int(ix.seniority[o])-1, usd, hours[ix.tz[o]])
				s := comp[0] + comp[1] + comp[2] + comp[3] + comp[4] + comp[5]
				if hp.full() && s < hp.items[0].key {
					continue
				}
				if cur == nil || cur.after(s, ix.ids[o]) {
					hp.offer(cand{o, s})
				}
			}
		}
	})
	for _, hp := range heaps {
		for _, c := range hp.items {
			h.offer(c)
		}
	}
}

// RankCandidates scores profiles against one posting for an employer's
// shortlist: ineligible profiles and profiles sharing no skill with the
// posting are left out; the rest come best first, a page at a time.
func RankCandidates(d *Doc, profiles []Profile, opt MatchOptions, now time.Time) (MatchPage[CandidateMatch], error) {
	page := MatchPage[CandidateMatch]{Items: []CandidateMatch{}}
	limit := opt.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return page, invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	var cur *cursor
	if opt.Cursor != "" {
		var err error
		if cur, err = decodeCursor(opt.Cursor, "candidate"); err != nil {
			return page, err
		}
	}
	if opt.Currency != "" && usdPerUnit(strings.ToUpper(opt.Currency)) == 0 {
		return page, invalid("currency", "no exchange rate for %q", opt.Currency)
	}
	t := defaultTaxo()
	var all []CandidateMatch
	for _, p := range profiles {
		pc, err := prepareProfile(t, p, opt.Currency)
		if err != nil {
			continue
		}
		m, ok := pc.scoreDoc(t, d, now)
		if !ok || len(m.Explanation.Matched) == 0 || !cur.after(m.Score, p.ID) {
			continue
		}
		all = append(all, CandidateMatch{ProfileID: p.ID, Score: m.Score, Explanation: m.Explanation})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Score != all[j].Score {
			return all[i].Score > all[j].Score
		}
		return all[i].ProfileID < all[j].ProfileID
	})
	if len(all) > limit {
		all = all[:limit]
		last := all[limit-1]
		page.NextCursor = encodeCursor("candidate", last.Score, last.ProfileID)
	}
	page.Items = append(page.Items, all...)
	return page, nil
}
