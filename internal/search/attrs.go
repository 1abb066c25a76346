package search

import (
	"fmt"
	"iter"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/meridian"
)

// placeTable numbers the eligibility codes (WW, countries, regions) and
// says which regions each one opens a posting to.
type placeTable struct {
	codes   []string
	index   map[string]uint16
	regions []string          // region codes, sorted
	region  map[string]int    // region code → index
	opens   []uint32          // by place: bitmask of regions
	members map[string]string // region → space-separated countries (for explanations)
}

var places = func() placeTable {
	p := placeTable{index: map[string]uint16{}, region: map[string]int{}, members: map[string]string{}}
	for r := range domain.Regions {
		p.regions = append(p.regions, r)
	}
	sort.Strings(p.regions)
	for i, r := range p.regions {
		p.region[r] = i
		p.members[r] = strings.Join(domain.Regions[r], " ")
	}
	add := func(code string, mask uint32) {
		p.index[code] = uint16(len(p.codes))
		p.codes = append(p.codes, code)
		p.opens = append(p.opens, mask)
	}
	add(domain.Worldwide, 1<<len(p.regions)-1)
	for _, c := range domain.Countries() {
		var m uint32
		for _, r := range domain.RegionsOf(c) {
			m |= 1 << p.region[r]
		}
		add(c, m)
	}
	for _, r := range p.regions {
		var m uint32
		for _, c := range domain.Regions[r] {
			for _, r2 := range domain.RegionsOf(c) {
				m |= 1 << p.region[r2]
			}
		}
		add(r, m)
	}
	return p
}()

// salaryCols is a posting's salary as the index keeps it.
type salaryCols struct {
	currency       string
	min, max       int64 // annual, minor units of currency
	usdMin, usdMax float32
}

var periodsPerYear = map[string]int64{"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}

// usdFactors caches, per currency, the USD value of one major unit.
var usdFactors sync.Map

// usdPerUnit returns how many US dollars one major unit of cur is worth by
// the shipped rates table (0 when the currency is unknown).
func usdPerUnit(cur string) float64 {
	if v, ok := usdFactors.Load(cur); ok {
		return v.(float64)
	}
	const big = 1_000_000_000
	mu := meridian.MinorUnits(cur)
	f := 0.0
	if v, err := fields.DefaultRates().Convert(big*int64(math.Pow10(mu)), cur, "USD"); err == nil {
		f = float64(v) / 100 / big
	}
	usdFactors.Store(cur, f)
	return f
}

func salaryOf(s *domain.Salary) salaryCols {
	if s == nil || s.Currency == "" || (s.Min == 0 && s.Max == 0) {
		return salaryCols{}
	}
	per, ok := periodsPerYear[s.Period]
	f := usdPerUnit(s.Currency)
	if !ok || f == 0 {
		return salaryCols{}
	}
	lo, hi := s.Min*per, s.Max*per
	if hi == 0 {
		hi = lo
	}
	unit := math.Pow10(meridian.MinorUnits(s.Currency))
	return salaryCols{currency: s.Currency, min: lo, max: hi,
		usdMin: float32(float64(lo) / unit * f), usdMax: float32(float64(hi) / unit * f)}
}

// toCurrency converts an annual USD amount into major units of cur.
func toCurrency(usd float64, cur string) int64 {
	f := usdPerUnit(cur)
	if f == 0 {
		return 0
	}
	return int64(math.Round(usd / f))
}

// moneyOf returns a posting's annual range in major units of cur: its own
// figures when cur is its currency, converted otherwise.
func (ix *Index) moneyOf(ord uint32, cur string) *Money {
	ci := ix.salCur[ord]
	if ci == 0 {
		return nil
	}
	own := ix.currency[ci-1]
	if own == cur {
		unit := int64(math.Pow10(meridian.MinorUnits(own)))
		return &Money{Min: ix.salMin[ord] / unit, Max: ix.salMax[ord] / unit, Currency: own}
	}
	return &Money{Min: toCurrency(float64(ix.usdMin[ord]), cur), Max: toCurrency(float64(ix.usdMax[ord]), cur), Currency: cur}
}

func ruleKey(r *domain.TimeZoneRule) string {
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return f(r.MinUTCOffset) + "|" + f(r.MaxUTCOffset) + "|" + r.ReferenceZone + "|" + r.ReferenceStart + "|" + r.ReferenceEnd + "|" + fmt.Sprint(r.OverlapHours)
}

// workDay is someone's working hours: a zone and local start/end.
type workDay struct {
	loc        *time.Location
	start, end int // minutes after local midnight
}

var zones sync.Map

func loadZone(name string) (*time.Location, bool) {
	if v, ok := zones.Load(name); ok {
		l, _ := v.(*time.Location)
		return l, l != nil
	}
	var l *time.Location
	if domain.ValidTimeZone(name) {
		l, _ = time.LoadLocation(name)
	}
	zones.Store(name, l)
	return l, l != nil
}

func hhmm(s string, def int) int {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return def
	}
	return h*60 + m
}

func newWorkDay(zone, start, end string) (workDay, bool) {
	l, ok := loadZone(zone)
	if !ok {
		return workDay{}, false
	}
	return workDay{loc: l, start: hhmm(start, 9*60), end: hhmm(end, 17*60)}, true
}

// utcMinutes returns the working day on now's date as minutes after UTC
// midnight (end may exceed 1440 or start be negative).
func (w workDay) utcMinutes(now time.Time) (int, int) {
	y, m, d := now.In(w.loc).Date()
	s := time.Date(y, m, d, 0, 0, 0, 0, w.loc).Add(time.Duration(w.start) * time.Minute)
	dur := w.end - w.start
	if dur <= 0 {
		dur += 24 * 60
	}
	mid := time.Date(s.UTC().Year(), s.UTC().Month(), s.UTC().Day(), 0, 0, 0, 0, time.UTC)
	a := int(s.Sub(mid) / time.Minute)
	return a, a + dur
}

// offsetHours is the zone's UTC offset at now, in hours.
func (w workDay) offsetHours(now time.Time) float64 {
	_, off := now.In(w.loc).Zone()
	return float64(off) / 3600
}

// overlapMinutes is the overlap of two daily intervals in minutes, with
// wrap-around across midnight.
func overlapMinutes(a1, a2, b1, b2 int) int {
	best := 0
	for _, shift := range []int{-1440, 0, 1440} {
		lo, hi := max(a1, b1+shift), min(a2, b2+shift)
		if hi-lo > best {
			best = hi - lo
		}
	}
	return best
}

// tzCheck evaluates a posting's working-time rule for someone's working
// day. It returns whether the rule is satisfied, the overlap hours with the
// posting's working day (a window rule's day is 09:00–17:00 at the offset
// in the window nearest to the person's), and a reason for explanations.
func tzCheck(r *domain.TimeZoneRule, w workDay, now time.Time) (ok bool, hours float64, why string) {
	if r == nil {
		return true, -1, "no working-time requirement"
	}
	a1, a2 := w.utcMinutes(now)
	off := w.offsetHours(now)
	window := r.MinUTCOffset != nil || r.MaxUTCOffset != nil
	if window {
		lo, hi := math.Inf(-1), math.Inf(1)
		if r.MinUTCOffset != nil {
			lo = *r.MinUTCOffset
		}
		if r.MaxUTCOffset != nil {
			hi = *r.MaxUTCOffset
		}
		near := math.Max(lo, math.Min(hi, off))
		b1 := int(math.Round((9 - near) * 60))
		hours = float64(overlapMinutes(a1, a2, b1, b1+8*60)) / 60
		inside := off >= lo && off <= hi
		desc := fmt.Sprintf("UTC%s is %s %s", fmtOffset(off), map[bool]string{true: "inside", false: "outside"}[inside], fmtWindow(r))
		if r.ReferenceZone == "" {
			return inside, hours, desc
		}
		if !inside {
			return false, hours, desc
		}
	}
	ref, ok2 := newWorkDay(r.ReferenceZone, r.ReferenceStart, r.ReferenceEnd)
	if !ok2 {
		return true, -1, "no usable working-time requirement"
	}
	b1, b2 := ref.utcMinutes(now)
	hours = float64(overlapMinutes(a1, a2, b1, b2)) / 60
	need := r.OverlapHours
	ok = hours+1e-9 >= need
	why = fmt.Sprintf("%.1f h overlap with %s–%s %s", hours, hhmmString(ref.start), hhmmString(ref.end), r.ReferenceZone)
	if need > 0 {
		why += fmt.Sprintf(" (%.1f h required)", need)
	}
	return ok, hours, why
}

func hhmmString(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func fmtOffset(h float64) string {
	s := "+"
	if h < 0 {
		s, h = "-", -h
	}
	whole := int(h)
	if frac := int(math.Round((h - float64(whole)) * 60)); frac != 0 {
		return fmt.Sprintf("%s%d:%02d", s, whole, frac)
	}
	return fmt.Sprintf("%s%d", s, whole)
}

func fmtWindow(r *domain.TimeZoneRule) string {
	switch {
	case r.MinUTCOffset != nil && r.MaxUTCOffset != nil:
		return fmt.Sprintf("UTC%s..UTC%s", fmtOffset(*r.MinUTCOffset), fmtOffset(*r.MaxUTCOffset))
	case r.MinUTCOffset != nil:
		return fmt.Sprintf("UTC%s or later", fmtOffset(*r.MinUTCOffset))
	default:
		return fmt.Sprintf("UTC%s or earlier", fmtOffset(*r.MaxUTCOffset))
	}
}

// partition returns how many parts a scan of m runs in: one per core when m
// has more than minParallel members, else one.
func partition(m *roaring.Bitmap, minParallel uint64) int {
	if m.GetCardinality() > minParallel {
		return runtime.GOMAXPROCS(0)
	}
	return 1
}

// inParallel runs fn(0) … fn(n-1) on their own goroutines and waits.
func inParallel(n int, fn func(p int)) {
	if n == 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < n; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(p)
		}()
	}
	wg.Wait()
}

// rankBatches yields, ascending and 256 at a time, the members of m whose
// rank falls in part p of parts equal slices.
func rankBatches(m *roaring.Bitmap, p, parts int) iter.Seq[[]uint32] {
	return func(yield func([]uint32) bool) {
		n := m.GetCardinality()
		lo := uint64(p) * n / uint64(parts)   // #nosec G115 -- p and parts are small and non-negative
		hi := uint64(p+1) * n / uint64(parts) // #nosec G115 -- p and parts are small and non-negative
		part := m
		if lo > 0 {
			first, _ := m.Select(uint32(lo)) // #nosec G115 -- lo is below the cardinality, which fits uint32
			part = m.Clone()
			part.RemoveRange(0, uint64(first))
		}
		it := part.ManyIterator()
		var buf [256]uint32
		for left := hi - lo; left > 0; {
			got := it.NextMany(buf[:min(uint64(len(buf)), left)])
			if got == 0 || !yield(buf[:got]) {
				return
			}
			left -= uint64(got) // #nosec G115 -- got is between 0 and len(buf)
		}
	}
}
