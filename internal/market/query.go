package market

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

func invalid(field, format string, args ...any) error {
	return meridian.Errorf(meridian.EInvalid, "%s: %s", field, fmt.Sprintf(format, args...))
}

// read runs fn under the read lock, after closing postings whose
// validThrough passed.
func (m *Model) read(now time.Time, fn func()) {
	if t := now.Unix(); func() bool { m.mu.RLock(); defer m.mu.RUnlock(); return m.needsExpiry(t) }() {
		m.mu.Lock()
		m.expire(t)
		m.mu.Unlock()
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	fn()
}

// sample returns the postings f selects (a new bitmap the caller owns).
func (m *Model) sample(f Filter) (*roaring.Bitmap, error) {
	set := m.all.Clone()
	if f.Open {
		set.And(m.open)
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
			return nil, invalid("from", "must be before to")
		}
		set.And(m.daysIn(f.From, f.To))
	}
	if len(f.Countries) > 0 {
		var bs []*roaring.Bitmap
		bs = append(bs, orEmpty(m.place[places.index[domain.Worldwide]]))
		for _, c := range f.Countries {
			c = strings.ToUpper(strings.TrimSpace(c))
			if !domain.IsCountry(c) {
				return nil, invalid("country", "%q is not an ISO 3166-1 alpha-2 country code", c)
			}
			bs = append(bs, orEmpty(m.place[places.index[c]]))
			for _, r := range domain.RegionsOf(c) {
				bs = append(bs, orEmpty(m.place[places.index[r]]))
			}
		}
		set.And(roaring.FastOr(bs...))
	}
	if len(f.Regions) > 0 {
		var bs []*roaring.Bitmap
		for _, r := range f.Regions {
			r = strings.ToUpper(strings.TrimSpace(r))
			w, ok := places.within[r]
			if !ok {
				return nil, invalid("region", "%q is not a known region (%s)", r, strings.Join(RegionCodes(), ", "))
			}
			for _, pl := range w {
				bs = append(bs, orEmpty(m.place[pl]))
			}
		}
		set.And(roaring.FastOr(bs...))
	}
	if len(f.Seniority) > 0 {
		var bs []*roaring.Bitmap
		for _, s := range f.Seniority {
			i, err := seniorityIndex(s)
			if err != nil {
				return nil, err
			}
			bs = append(bs, orEmpty(m.sen[i]))
		}
		set.And(roaring.FastOr(bs...))
	}
	ww := orEmpty(m.place[places.index[domain.Worldwide]])
	switch f.Eligibility {
	case "":
	case EligWorldwide:
		set.And(ww)
	case EligRestricted:
		set.AndNot(ww)
	default:
		return nil, invalid("eligibility", "must be %s or %s", EligWorldwide, EligRestricted)
	}
	for _, s := range f.Skills {
		i, err := m.skillIndex(s)
		if err != nil {
			return nil, err
		}
		set.And(orEmpty(m.skillAny[i]))
	}
	if f.Org != "" {
		o, ok := m.orgs[f.Org]
		if !ok || int(o) >= len(m.byOrg) {
			return roaring.New(), nil
		}
		set.And(orEmpty(m.byOrg[o]))
	}
	return set, nil
}

// RegionCodes lists the region codes a filter takes, sorted.
func RegionCodes() []string {
	var out []string
	for r := range domain.Regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func seniorityIndex(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == Unspecified {
		return 0, nil
	}
	i := slices.Index(domain.SeniorityLevels, s)
	if i < 0 {
		return 0, invalid("seniority", "%q is not one of %s, %s", s, strings.Join(domain.SeniorityLevels, ", "), Unspecified)
	}
	return i + 1, nil
}

func seniorityName(i int) string {
	if i == 0 {
		return Unspecified
	}
	return domain.SeniorityLevels[i-1]
}

func (m *Model) skillIndex(id string) (uint16, error) {
	if i, ok := m.tax.index[id]; ok {
		return i, nil
	}
	if i, ok := m.tax.index[m.tax.t.Canonical(id)]; ok {
		return i, nil
	}
	return 0, invalid("skill", "%q is not a taxonomy skill id", id)
}

// daysIn returns the postings posted on days in [from, to).
func (m *Model) daysIn(from, to time.Time) *roaring.Bitmap {
	lo, hi := int32(math.MinInt32), int32(math.MaxInt32)
	if !from.IsZero() {
		lo = Day(from)
		if !DayTime(lo).Equal(from.UTC()) {
			lo++ // a range starting within a day starts with the next one
		}
	}
	if !to.IsZero() {
		hi = Day(to)
		if !DayTime(hi).Equal(to.UTC()) {
			hi++ // ... and one ending within a day includes it
		}
	}
	if hi <= lo {
		return roaring.New() // a trend's period cut to nothing by the range
	}
	i, _ := slices.BinarySearch(m.dayKeys, lo)
	j, _ := slices.BinarySearch(m.dayKeys, hi)
	bs := make([]*roaring.Bitmap, 0, j-i)
	for _, d := range m.dayKeys[i:j] {
		bs = append(bs, m.days[d])
	}
	return roaring.FastOr(bs...)
}

// Demand returns the share of the sample's postings asking for each skill
// (category, group) that at least one of them asks for, most asked first;
// limit 0 lists all.
func (m *Model) Demand(f Filter, kind string, required bool, limit int, now time.Time) (out Demand, err error) {
	out = Demand{Source: SourcePostings, Kind: kind, Required: required, Items: []Share{}}
	m.read(now, func() {
		var set *roaring.Bitmap
		if set, err = m.sample(f); err != nil {
			return
		}
		out.N = card(set)
		var bms []*roaring.Bitmap
		var key func(i int) (string, string)
		switch kind {
		case KindSkill, "":
			out.Kind = KindSkill
			bms, key = pick(required, m.skillReq, m.skillAny), func(i int) (string, string) { return m.tax.ids[i], m.tax.name(uint16(i)) } // #nosec G115 -- skill indexes are uint16
		case KindCategory:
			bms, key = pick(required, m.catReq, m.catAny), func(i int) (string, string) {
				c := m.tax.categories[i]
				return c, cmp.Or(skills.CategoryNames[c], c)
			}
		case KindGroup:
			bms, key = pick(required, m.groupReq, m.groupAny), func(i int) (string, string) { return m.tax.groups[i], m.groupName(i) }
		default:
			err = invalid("kind", "must be %s, %s or %s", KindSkill, KindCategory, KindGroup)
			return
		}
		for i, b := range bms {
			if b == nil {
				continue
			}
			if c := andCard(set, b); c > 0 {
				k, name := key(i)
				out.Items = append(out.Items, share(k, name, c, out.N))
			}
		}
		sortShares(out.Items)
		if limit > 0 && len(out.Items) > limit {
			out.Items = out.Items[:limit]
		}
	})
	return out, err
}

func pick(required bool, req, anyOf []*roaring.Bitmap) []*roaring.Bitmap {
	if required {
		return req
	}
	return anyOf
}

func sortShares(items []Share) {
	slices.SortFunc(items, func(a, b Share) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key))
	})
}

func (m *Model) groupName(i int) string {
	for _, g := range m.tax.t.Groups() {
		if g.ID == m.tax.groups[i] {
			return g.Name
		}
	}
	return m.tax.groups[i]
}

// Cooccurrence lists how often skills are asked for together: with skill
// set, every skill asked for alongside it; otherwise the pairs among the
// 40 skills most asked for in the sample. Pairs asked for together fewer
// than minCount times are left out; the most frequent come first.
func (m *Model) Cooccurrence(f Filter, skill string, minCount, limit int, now time.Time) (out Cooccurrence, err error) {
	out = Cooccurrence{Source: SourcePostings, Skill: skill, Items: []Pair{}}
	minCount = max(minCount, 1)
	m.read(now, func() {
		var set *roaring.Bitmap
		if set, err = m.sample(f); err != nil {
			return
		}
		out.N = card(set)
		count := func(i uint16) int { return andCard(set, orEmpty(m.skillAny[i])) }
		pair := func(a, b uint16, na, nb, nab int) Pair {
			p := Pair{A: m.tax.ids[a], AName: m.tax.name(a), B: m.tax.ids[b], BName: m.tax.name(b), NA: na, NB: nb, NAB: nab}
			if na > 0 {
				p.Confidence = float64(nab) / float64(na)
			}
			if na > 0 && nb > 0 {
				p.Lift = float64(nab) * float64(out.N) / (float64(na) * float64(nb))
			}
			return p
		}
		if skill != "" {
			var a uint16
			if a, err = m.skillIndex(skill); err != nil {
				return
			}
			out.Skill = m.tax.ids[a]
			with := roaring.And(set, orEmpty(m.skillAny[a]))
			na := card(with)
			for b, bb := range m.skillAny {
				if bb == nil || b == int(a) {
					continue
				}
				if nab := andCard(with, bb); nab >= minCount {
					out.Items = append(out.Items, pair(a, uint16(b), na, count(uint16(b)), nab)) // #nosec G115 -- skill indexes are uint16
				}
			}
		} else {
			top := m.topSkills(set, 40)
			n := make([]int, len(top))
			for x, a := range top {
				n[x] = count(a)
			}
			for x, a := range top {
				with := roaring.And(set, m.skillAny[a])
				for y := x + 1; y < len(top); y++ {
					if nab := andCard(with, m.skillAny[top[y]]); nab >= minCount {
						out.Items = append(out.Items, pair(a, top[y], n[x], n[y], nab))
					}
				}
			}
		}
		slices.SortFunc(out.Items, func(p, q Pair) int {
			return cmp.Or(cmp.Compare(q.NAB, p.NAB), cmp.Compare(p.A, q.A), cmp.Compare(p.B, q.B))
		})
		if limit > 0 && len(out.Items) > limit {
			out.Items = out.Items[:limit]
		}
	})
	return out, err
}

// topSkills returns the k skills most asked for in set (ties by id).
func (m *Model) topSkills(set *roaring.Bitmap, k int) []uint16 {
	type sc struct {
		i uint16
		n uint64
	}
	var all []sc
	for i, b := range m.skillAny {
		if b == nil {
			continue
		}
		if n := set.AndCardinality(b); n > 0 {
			all = append(all, sc{uint16(i), n}) // #nosec G115 -- skill indexes are uint16
		}
	}
	slices.SortFunc(all, func(a, b sc) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(m.tax.ids[a.i], m.tax.ids[b.i])) })
	out := make([]uint16, 0, k)
	for _, s := range all[:min(k, len(all))] {
		out = append(out, s.i)
	}
	return out
}

// gatherLimit: samples up to this size are read and sorted; larger ones
// are walked through the salary buckets.
var gatherLimit = 4096

// salarySample is the salaries of a set of postings, in order. Large
// samples are not materialized: the bucket counts locate a rank, and only
// that bucket's values are read.
type salarySample struct {
	m     *Model
	set   *roaring.Bitmap
	n     int
	small sorted
	cum   []int // cum[k]: values in buckets before bucketKeys[k]
	cache map[int]sorted
}

func (m *Model) salaries(set *roaring.Bitmap) *salarySample {
	set = roaring.And(set, m.salaried)
	n := card(set)
	if n <= gatherLimit {
		v := make([]float64, 0, n)
		it := set.Iterator()
		for it.HasNext() {
			v = append(v, m.posts[it.Next()].salary)
		}
		return &salarySample{m: m, set: set, n: n, small: sortedOf(v)}
	}
	return m.salariesOf(set, m.bucketCounts(set, n))
}

// salariesOf is the sample of set (postings with a salary), whose counts
// per salary bucket (by bucketKeys index) are known.
func (m *Model) salariesOf(set *roaring.Bitmap, counts []int) *salarySample {
	s := &salarySample{m: m, set: set, cum: make([]int, len(counts)+1), cache: map[int]sorted{}}
	for k, c := range counts {
		s.cum[k+1] = s.cum[k] + c
	}
	s.n = s.cum[len(counts)]
	return s
}

// countByReading: a set of up to this many postings per salary bucket is
// counted by reading its postings' buckets rather than by intersecting it
// with every bucket.
var countByReading = 32

// bucketCounts counts set's n postings (with a salary) per salary bucket
// (by bucketKeys index).
func (m *Model) bucketCounts(set *roaring.Bitmap, n int) []int {
	counts := make([]int, len(m.bucketKeys))
	if n <= countByReading*len(m.bucketKeys) {
		it := set.Iterator()
		for it.HasNext() {
			k, _ := slices.BinarySearch(m.bucketKeys, m.posts[it.Next()].bucket)
			counts[k]++
		}
		return counts
	}
	for k, key := range m.bucketKeys {
		counts[k] = andCard(set, m.buckets[key])
	}
	return counts
}

func (s *salarySample) Len() int { return s.n }

func (s *salarySample) At(i int) float64 {
	if s.small != nil {
		return s.small[i]
	}
	k := sort.SearchInts(s.cum, i+1) - 1 // last bucket starting at or before i
	v, ok := s.cache[k]
	if !ok {
		b := roaring.And(s.set, s.m.buckets[s.m.bucketKeys[k]])
		vals := make([]float64, 0, b.GetCardinality())
		it := b.Iterator()
		for it.HasNext() {
			vals = append(vals, s.m.posts[it.Next()].salary)
		}
		v = sortedOf(vals)
		s.cache[k] = v
	}
	return v[i-s.cum[k]]
}

// converter turns annual US dollars into whole units of a currency.
type converter struct {
	currency string
	perUSD   float64
}

func newConverter(cur string) (converter, error) {
	cur = strings.ToUpper(cmp.Or(strings.TrimSpace(cur), "USD"))
	const big = 1_000_000_000
	v, err := fields.DefaultRates().Convert(big*100, "USD", cur)
	if err != nil {
		return converter{}, invalid("currency", "%q is not a currency of the rates table", cur)
	}
	return converter{currency: cur, perUSD: float64(v) / math.Pow10(meridian.MinorUnits(cur)) / big}, nil
}

func (c converter) of(usd float64) float64 { return math.Round(usd * c.perUSD) }

func (c converter) estimate(e Estimate) *Estimate {
	return &Estimate{Value: c.of(e.Value), Low: c.of(e.Low), High: c.of(e.High)}
}

// group fills a salary row from a sample.
func (c converter) group(key, name string, s sample, minN int) SalaryGroup {
	g := SalaryGroup{Key: key, Name: name, N: s.Len()}
	if g.N < minN || g.N == 0 {
		g.Suppressed = true
		return g
	}
	ps := []**Estimate{&g.P10, &g.P25, &g.P50, &g.P75, &g.P90}
	for i, p := range Percentiles {
		*ps[i] = c.estimate(estimate(s, p))
	}
	return g
}

// BasisPostings says what one value of a postings salary table is.
const BasisPostings = "the midpoint of each posting's range, annualized (hour ×2080, day ×260, week ×52, month ×12) and converted with the shipped exchange rates"

// Salaries returns salary percentiles of the sample, overall or grouped
// (by seniority, area, single country or skill). Groups with fewer than
// minN salaries (at least DefaultMinN... or the caller's larger value)
// are suppressed. limit bounds the rows of a skill or country table
// (largest samples first; 0: 30).
func (m *Model) Salaries(f Filter, groupBy, currency string, minN, limit int, now time.Time) (out Salaries, err error) {
	conv, err := newConverter(currency)
	if err != nil {
		return out, err
	}
	minN = max(minN, DefaultMinN)
	if limit <= 0 {
		limit = 30
	}
	out = Salaries{Source: SourcePostings, Currency: conv.currency, Basis: BasisPostings, GroupBy: groupBy, MinN: minN, Groups: []SalaryGroup{}}
	m.read(now, func() {
		var set *roaring.Bitmap
		if set, err = m.sample(f); err != nil {
			return
		}
		set.And(m.salaried)
		out.N = card(set)
		switch groupBy {
		case ByNone:
			out.Groups = append(out.Groups, conv.group("all", "All postings", m.salaries(set), minN))
		case BySeniority:
			for i, b := range m.sen {
				if b != nil && set.AndCardinality(b) > 0 {
					out.Groups = append(out.Groups, conv.group(seniorityName(i), seniorityName(i), m.salaries(roaring.And(set, b)), minN))
				}
			}
		case ByRegion:
			for i, b := range m.area {
				if b != nil && set.AndCardinality(b) > 0 {
					out.Groups = append(out.Groups, conv.group(Areas[i], AreaNames[Areas[i]], m.salaries(roaring.And(set, b)), minN))
				}
			}
		case ByCountry:
			var rows []SalaryGroup
			single := roaring.And(set, m.singleCountry)
			for _, c := range domain.Countries() {
				b := m.place[places.index[c]]
				if b != nil && single.AndCardinality(b) > 0 {
					rows = append(rows, conv.group(c, c, m.salaries(roaring.And(single, b)), minN))
				}
			}
			out.Groups = topRows(rows, limit)
		case BySkill:
			var rows []SalaryGroup
			for _, i := range m.topSkills(set, limit) {
				rows = append(rows, conv.group(m.tax.ids[i], m.tax.name(i), m.salaries(roaring.And(set, m.skillAny[i])), minN))
			}
			out.Groups = rows
		default:
			err = invalid("groupBy", "must be %s, %s, %s or %s", BySeniority, ByRegion, ByCountry, BySkill)
		}
	})
	return out, err
}

func topRows(rows []SalaryGroup, limit int) []SalaryGroup {
	slices.SortStableFunc(rows, func(a, b SalaryGroup) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	return rows[:min(limit, len(rows))]
}

// Premiums returns the salary premium of skills (the given ones, or the
// limit most asked for among postings with a salary; default 20),
// stratified by seniority and area. Skills without a single stratum where
// both sides reach minN are left out.
func (m *Model) Premiums(f Filter, skillIDs []string, currency string, minN, limit int, now time.Time) (out Premiums, err error) {
	conv, err := newConverter(currency)
	if err != nil {
		return out, err
	}
	minN = max(minN, DefaultMinN)
	if limit <= 0 {
		limit = 20
	}
	out = Premiums{Source: SourcePostings, Currency: conv.currency, MinN: minN, Items: []Premium{}}
	m.read(now, func() {
		var set *roaring.Bitmap
		if set, err = m.sample(f); err != nil {
			return
		}
		set.And(m.salaried)
		var cands []uint16
		for _, id := range skillIDs {
			i, e := m.skillIndex(id)
			if e != nil {
				err = e
				return
			}
			cands = append(cands, i)
		}
		if len(skillIDs) == 0 {
			cands = m.topSkills(set, limit)
		}
		// Strata with enough salaries to compare at all, with their
		// salary histograms: a skill's "without" side is the stratum's
		// histogram minus its "with" side's.
		type stratum struct {
			sen, area int
			set       *roaring.Bitmap
			n         int
			counts    []int
		}
		var strata []stratum
		for si, sb := range m.sen {
			if sb == nil {
				continue
			}
			for ai, ab := range m.area {
				if ab == nil {
					continue
				}
				s := roaring.FastAnd(set, sb, ab)
				if n := card(s); n >= 2*minN {
					strata = append(strata, stratum{si, ai, s, n, m.bucketCounts(s, n)})
				}
			}
		}
		for _, i := range cands {
			p := Premium{Skill: m.tax.ids[i], Name: m.tax.name(i), Strata: []Stratum{}}
			var wsum, sum float64
			for _, st := range strata {
				with := roaring.And(st.set, orEmpty(m.skillAny[i]))
				nw := card(with)
				nwo := st.n - nw
				if nw < minN || nwo < minN {
					continue
				}
				wc := m.bucketCounts(with, nw)
				woc := make([]int, len(wc))
				for k := range wc {
					woc[k] = st.counts[k] - wc[k]
				}
				mw := Quantile(m.salariesOf(with, wc), 0.5)
				mwo := Quantile(m.salariesOf(roaring.AndNot(st.set, with), woc), 0.5)
				r := mw/mwo - 1
				p.Strata = append(p.Strata, Stratum{Seniority: seniorityName(st.sen), Area: Areas[st.area], NWith: nw, NWithout: nwo,
					MedianWith: conv.of(mw), MedianWithout: conv.of(mwo), Premium: r})
				p.NWith += nw
				p.NWithout += nwo
				wsum += float64(nw)
				sum += float64(nw) * r
			}
			if wsum > 0 {
				p.Premium = sum / wsum
				out.Items = append(out.Items, p)
			}
		}
		slices.SortStableFunc(out.Items, func(a, b Premium) int {
			return cmp.Or(cmp.Compare(b.Premium, a.Premium), cmp.Compare(a.Skill, b.Skill))
		})
	})
	return out, err
}

// SeriesKey names one series of a trend.
type SeriesKey struct {
	Kind string // KindSkill, KindCategory or KindGroup
	Key  string
}

// maxPeriods bounds a trend's length.
const maxPeriods = 520

// PeriodStart returns the start of the interval holding t (weeks start on
// Monday, UTC).
func PeriodStart(interval string, t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch interval {
	case Week:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case Quarter:
		return time.Date(d.Year(), (d.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
}

// NextPeriod returns the start of the interval after the one starting at t.
func NextPeriod(interval string, t time.Time) time.Time {
	switch interval {
	case Week:
		return t.AddDate(0, 0, 7)
	case Quarter:
		return t.AddDate(0, 3, 0)
	default:
		return t.AddDate(0, 1, 0)
	}
}

// Trends returns, for each period of the interval, how many postings were
// posted and how many of them asked for each key (all postings when keys
// is empty), with the change against the previous period. The periods
// span f's From..To, or the sample's first to last posting.
func (m *Model) Trends(f Filter, interval string, keys []SeriesKey, now time.Time) (out Trends, err error) {
	switch interval {
	case Week, Month, Quarter:
	case "":
		interval = Month
	default:
		return out, invalid("interval", "must be %s, %s or %s", Week, Month, Quarter)
	}
	out = Trends{Source: SourcePostings, Interval: interval, Series: []Series{}}
	m.read(now, func() {
		base := f
		base.From, base.To = time.Time{}, time.Time{}
		var set *roaring.Bitmap
		if set, err = m.sample(base); err != nil {
			return
		}
		if _, err = m.sample(f); err != nil { // validates the range
			return
		}
		var refs []seriesRef
		for _, k := range keys {
			r := seriesRef{s: Series{Kind: k.Kind, Key: k.Key, Points: []Point{}}}
			switch k.Kind {
			case KindSkill, "":
				i, e := m.skillIndex(k.Key)
				if e != nil {
					err = e
					return
				}
				r.s.Kind, r.s.Key, r.s.Name, r.bm = KindSkill, m.tax.ids[i], m.tax.name(i), orEmpty(m.skillAny[i])
			case KindCategory:
				c, ok := m.tax.catIndex[k.Key]
				if !ok {
					err = invalid("category", "%q is not a taxonomy category", k.Key)
					return
				}
				r.s.Name, r.bm = cmp.Or(skills.CategoryNames[k.Key], k.Key), orEmpty(m.catAny[c])
			case KindGroup:
				g, ok := m.tax.groupIndex[k.Key]
				if !ok {
					err = invalid("group", "%q is not a taxonomy group", k.Key)
					return
				}
				r.s.Name, r.bm = m.groupName(int(g)), orEmpty(m.groupAny[g])
			default:
				err = invalid("kind", "must be %s, %s or %s", KindSkill, KindCategory, KindGroup)
				return
			}
			refs = append(refs, r)
		}
		if len(refs) == 0 {
			refs = append(refs, seriesRef{s: Series{Key: "", Name: "All postings", Points: []Point{}}})
		}
		from, to := f.From, f.To
		if from.IsZero() || to.IsZero() {
			first, last, ok := m.extent(set)
			if !ok {
				out.Series = seriesOf(refs)
				return
			}
			if from.IsZero() {
				from = DayTime(first)
			}
			if to.IsZero() {
				to = DayTime(last + 1)
			}
		}
		start := PeriodStart(interval, from)
		var starts []time.Time
		for t := start; t.Before(to); t = NextPeriod(interval, t) {
			if len(starts) == maxPeriods {
				err = invalid("from", "the range holds more than %d %ss", maxPeriods, interval)
				return
			}
			starts = append(starts, t)
		}
		for pi, s := range starts {
			lo, hi := s, NextPeriod(interval, s)
			// A period cut by the range counts only the days in the range.
			lo = maxTime(lo, from)
			hi = minTime(hi, to)
			p := roaring.And(set, m.daysIn(lo, hi))
			n := card(p)
			for ri := range refs {
				pt := Point{Start: s, End: NextPeriod(interval, s), N: n}
				if refs[ri].bm == nil {
					pt.Count = n
				} else {
					pt.Count = andCard(p, refs[ri].bm)
				}
				if n > 0 {
					pt.Share = float64(pt.Count) / float64(n)
				}
				if pi > 0 {
					prev := refs[ri].s.Points[pi-1]
					if prev.N > 0 && n > 0 {
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
		out.Series = seriesOf(refs)
	})
	return out, err
}

type seriesRef struct {
	s  Series
	bm *roaring.Bitmap // nil: all postings
}

func seriesOf(rs []seriesRef) []Series {
	out := make([]Series, len(rs))
	for i, r := range rs {
		out[i] = r.s
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// extent returns the first and last posted day of set.
func (m *Model) extent(set *roaring.Bitmap) (first, last int32, ok bool) {
	for _, d := range m.dayKeys {
		if m.days[d].Intersects(set) {
			first, ok = d, true
			break
		}
	}
	for i := len(m.dayKeys) - 1; i >= 0; i-- {
		if d := m.dayKeys[i]; m.days[d].Intersects(set) {
			last = d
			break
		}
	}
	return first, last, ok
}

// HiringTimes returns time to fill and response times over the sample's
// postings and their applications.
func (m *Model) HiringTimes(f Filter, now time.Time) (out HiringTimes, err error) {
	out = HiringTimes{Source: SourcePostings}
	m.read(now, func() {
		var set *roaring.Bitmap
		if set, err = m.sample(f); err != nil {
			return
		}
		var fill []float64
		it := roaring.And(set, m.filled).Iterator()
		for it.HasNext() {
			p := &m.posts[it.Next()]
			fill = append(fill, float64(p.filled-p.published)/3600)
		}
		out.TimeToFill = durations(fill)
		out.Unfilled = card(set) - len(fill)
		var resp []float64
		in7, due := 0, 0
		t := now.Unix()
		const week = 7 * 86400
		it = roaring.And(set, m.withApps).Iterator()
		for it.HasNext() {
			for _, ai := range m.jobApps[it.Next()] {
				a := &m.appList[ai]
				out.Applications++
				switch {
				case a.responded != 0:
					resp = append(resp, float64(a.responded-a.submitted)/3600)
				case a.withdrawn == 0:
					out.Unanswered++
				}
				switch {
				case a.responded != 0 && a.responded-a.submitted <= week:
					in7++
					due++
				case a.withdrawn != 0:
					if a.withdrawn-a.submitted > week {
						due++ // withdrawn after a week without an answer
					}
				case t-a.submitted >= week:
					due++ // a week has passed: answered late, or not at all
				}
			}
		}
		out.Response = durations(resp)
		out.AnsweredIn7Days = share("answered-in-7-days", "Applications answered within 7 days", in7, due)
	})
	return out, err
}

func durations(v []float64) Durations {
	d := Durations{N: len(v)}
	if len(v) == 0 {
		return d
	}
	s := sortedOf(v)
	q := func(p float64) *float64 { x := math.Round(Quantile(s, p)*10) / 10; return &x }
	d.P25, d.P50, d.P75, d.P90 = q(0.25), q(0.5), q(0.75), q(0.9)
	return d
}

// SalaryGroupOf builds a salary row from raw annual US dollar values (a
// survey's answers): percentiles with bootstrap intervals in currency,
// suppressed below minN (at least DefaultMinN). It sorts values in place.
func SalaryGroupOf(key, name string, values []float64, currency string, minN int) (SalaryGroup, error) {
	conv, err := newConverter(currency)
	if err != nil {
		return SalaryGroup{}, err
	}
	return conv.group(key, name, sortedOf(values), max(minN, DefaultMinN)), nil
}

// CurrencyOf validates a currency code (default USD) and returns it in
// upper case.
func CurrencyOf(cur string) (string, error) {
	conv, err := newConverter(cur)
	return conv.currency, err
}
