package relevance

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/searchtest"
	"github.com/meridianhq/meridian/internal/skills"
)

// ParsePredicate turns an allMatch entry into a check. q is the case's
// query (tzOverlapOK reads its zone, hours and minimum overlap).
func ParsePredicate(spec string, q search.Query) (Predicate, error) {
	name, arg, _ := strings.Cut(spec, ":")
	p := Predicate{Spec: spec}
	switch name {
	case "eligible":
		if !domain.IsCountry(arg) {
			return p, fmt.Errorf("unknown country %q", arg)
		}
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if d.Eligibility.Allows(arg) {
				return ""
			}
			return "not open to " + arg + ": " + EligibilityString(d.Eligibility)
		}
	case "openInRegion":
		if !domain.IsRegion(arg) {
			return p, fmt.Errorf("unknown region %q", arg)
		}
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if OpenToSomeoneIn(d.Eligibility, arg) {
				return ""
			}
			return "open to no country of " + arg + ": " + EligibilityString(d.Eligibility)
		}
	case "hasSkill", "hasAnySkill":
		want := strings.Split(arg, "|")
		for _, s := range want {
			if _, ok := skills.Default().Get(s); !ok {
				return p, fmt.Errorf("unknown skill %q", s)
			}
		}
		p.Check = func(d *search.Doc, _ search.Hit) string {
			for _, s := range d.Skills {
				if slices.Contains(want, s.Skill) {
					return ""
				}
			}
			return "skills " + SkillList(d)
		}
	case "hasCategory":
		if !slices.Contains(skills.Categories, arg) {
			return p, fmt.Errorf("unknown category %q", arg)
		}
		p.Check = func(d *search.Doc, _ search.Hit) string {
			for _, s := range d.Skills {
				if sk, ok := skills.Default().Get(s.Skill); ok && sk.Category == arg {
					return ""
				}
			}
			return "skills " + SkillList(d)
		}
	case "seniority":
		want := strings.Split(arg, "|")
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if slices.Contains(want, d.Seniority) {
				return ""
			}
			return fmt.Sprintf("seniority %q", d.Seniority)
		}
	case "employmentType":
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if d.EmploymentType == arg {
				return ""
			}
			return fmt.Sprintf("employment type %q", d.EmploymentType)
		}
	case "org":
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if d.OrgID == arg {
				return ""
			}
			return "org " + d.OrgID
		}
	case "postedSince":
		since, err := time.Parse(time.RFC3339, arg)
		if err != nil {
			return p, err
		}
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if !d.PublishedAt.Before(since) {
				return ""
			}
			return "published " + d.PublishedAt.Format(time.RFC3339)
		}
	case "salaryAtLeast":
		amount, cur, ok := strings.Cut(arg, ":")
		n, err := strconv.ParseInt(amount, 10, 64)
		if !ok || err != nil || len(cur) != 3 {
			return p, fmt.Errorf("want salaryAtLeast:AMOUNT:CUR")
		}
		p.Check = func(d *search.Doc, h search.Hit) string {
			if d.Salary == nil {
				return "posting states no salary"
			}
			if h.Salary == nil {
				return "hit has no salary"
			}
			if h.Salary.Currency != cur {
				return "hit salary in " + h.Salary.Currency
			}
			if top := rangeTop(h.Salary.Min, h.Salary.Max); top < n {
				return fmt.Sprintf("hit salary tops at %d %s", top, cur)
			}
			// Postings stated per year in the viewer's currency need no
			// conversion: their own range must reach the amount.
			if s := d.Salary; s.Currency == cur && s.Period == "year" {
				if top := rangeTop(s.Min, s.Max); top < n*100 {
					return fmt.Sprintf("posting's salary tops at %d.%02d %s a year", top/100, top%100, cur)
				}
			}
			return ""
		}
	case "tzOverlapOK":
		if q.TimeZone == "" {
			return p, fmt.Errorf("the query has no timeZone")
		}
		loc, err := time.LoadLocation(q.TimeZone)
		if err != nil {
			return p, err
		}
		start, end := OrDefault(q.WorkStart, "09:00"), OrDefault(q.WorkEnd, "17:00")
		if _, err := HHMM(start); err != nil {
			return p, err
		}
		if _, err := HHMM(end); err != nil {
			return p, err
		}
		p.Check = func(d *search.Doc, _ search.Hit) string {
			if d.TimeZone != nil && d.TimeZone.ReferenceZone != "" {
				if _, err := zone(d.TimeZone.ReferenceZone); err != nil {
					return "time-zone rule " + TZRuleString(d.TimeZone) + ": " + err.Error()
				}
			}
			if TZMayQualify(d.TimeZone, loc, start, end, q.MinOverlapHours, searchtest.Now) {
				return ""
			}
			return "time-zone rule " + TZRuleString(d.TimeZone)
		}
	default:
		return p, fmt.Errorf("unknown predicate %q", name)
	}
	return p, nil
}

// rangeTop is the top of a salary range: Max, or Min when there is no Max.
func rangeTop(lo, hi int64) int64 {
	if hi > 0 {
		return hi
	}
	return lo
}

// OrDefault is s, or def when s is empty.
func OrDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// SkillList is a posting's skill ids, for messages.
func SkillList(d *search.Doc) string {
	var ids []string
	for _, s := range d.Skills {
		ids = append(ids, s.Skill)
	}
	return "[" + strings.Join(ids, " ") + "]"
}

// EligibilityString shows an eligibility in messages.
func EligibilityString(e domain.Eligibility) string {
	if e.Worldwide {
		return "worldwide"
	}
	return strings.Join(e.Places(), " ")
}

// TZRuleString shows a working-time rule in messages.
func TZRuleString(r *domain.TimeZoneRule) string {
	switch {
	case r == nil:
		return "none"
	case r.MinUTCOffset != nil && r.MaxUTCOffset != nil:
		return fmt.Sprintf("UTC%+g..UTC%+g", *r.MinUTCOffset, *r.MaxUTCOffset)
	default:
		return fmt.Sprintf("%gh with %s %s-%s", r.OverlapHours, r.ReferenceZone, r.ReferenceStart, r.ReferenceEnd)
	}
}

// OpenToSomeoneIn is the safe reading of a region filter: the posting is
// open to at least one country of the region.
func OpenToSomeoneIn(e domain.Eligibility, region string) bool {
	for _, c := range domain.Regions[region] {
		if e.Allows(c) {
			return true
		}
	}
	return false
}

// OpenToAllOf: the posting is open to every country of the region.
func OpenToAllOf(e domain.Eligibility, region string) bool {
	for _, c := range domain.Regions[region] {
		if !e.Allows(c) {
			return false
		}
	}
	return true
}

// TZMayQualify is the lenient test for Query.TimeZone with
// MinOverlapHours h: could any sensible reading of the posting's rule leave
// h hours? No rule: yes. Overlap rule: the searcher's day overlaps the
// reference days for at least h (the posting's own OverlapHours is ignored).
// Window: yes if the searcher's offset is in it (modulo 24 hours);
// otherwise someone at the nearest offset of the window working the same
// hours (or 09:00-17:00, whichever is longer) overlaps for the day's length
// minus the distance, which must reach h. (internal/search's eligibility
// property test uses the same reading.)
func TZMayQualify(rule *domain.TimeZoneRule, loc *time.Location, start, end string, h float64, now time.Time) bool {
	if rule == nil {
		return true
	}
	need := HoursToDuration(h)
	if rule.MinUTCOffset == nil && rule.MaxUTCOffset == nil {
		return DailyOverlap(loc, start, end, rule, now) >= need
	}
	s := OffsetHours(loc, now)
	if InWindow(s, rule) || InWindow(s+24, rule) || InWindow(s-24, rule) {
		return true
	}
	dist := math.Inf(1)
	for _, b := range []*float64{rule.MinUTCOffset, rule.MaxUTCOffset} {
		if b != nil {
			d := math.Mod(math.Abs(s-*b), 24)
			dist = math.Min(dist, math.Min(d, 24-d))
		}
	}
	a0, a1 := Workday(loc, now, 0, start, end)
	length := math.Max(a1.Sub(a0).Hours(), 8)
	return HoursToDuration(length-dist) >= need
}

// OffsetHours is loc's UTC offset at at, in hours.
func OffsetHours(loc *time.Location, at time.Time) float64 {
	_, sec := at.In(loc).Zone()
	return float64(sec) / 3600
}

// HoursToDuration rounds to the minute so that 3.5 hours and 210 minutes
// compare equal.
func HoursToDuration(h float64) time.Duration {
	return time.Duration(math.Round(h*60)) * time.Minute
}

// HHMM parses "HH:MM" into minutes after midnight.
func HHMM(s string) (int, error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || len(hs) != 2 || len(ms) != 2 || err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// InWindow: offset within [MinUTCOffset, MaxUTCOffset], bounds included; a
// missing bound is open.
func InWindow(off float64, r *domain.TimeZoneRule) bool {
	const eps = 1e-9
	if r.MinUTCOffset != nil && off < *r.MinUTCOffset-eps {
		return false
	}
	if r.MaxUTCOffset != nil && off > *r.MaxUTCOffset+eps {
		return false
	}
	return true
}

// DailyOverlap is how long the working day start-end in loc, on the date of
// now there, overlaps the rule's reference working days (the date of now in
// the reference zone, and the days before and after).
func DailyOverlap(loc *time.Location, start, end string, rule *domain.TimeZoneRule, now time.Time) time.Duration {
	a0, a1 := Workday(loc, now, 0, start, end)
	ref := MustZone(rule.ReferenceZone)
	rs, re := OrDefault(rule.ReferenceStart, "09:00"), OrDefault(rule.ReferenceEnd, "17:00")
	var total time.Duration
	for k := -2; k <= 2; k++ {
		b0, b1 := Workday(ref, now, k, rs, re)
		lo, hi := maxTime(a0, b0), minTime(a1, b1)
		if hi.After(lo) {
			total += hi.Sub(lo)
		}
	}
	return total
}

// Workday returns the instants start and end on the date of now in loc,
// shifted by days; an end at or before the start is on the next day.
func Workday(loc *time.Location, now time.Time, days int, start, end string) (time.Time, time.Time) {
	s, err1 := HHMM(start)
	e, err2 := HHMM(end)
	if err1 != nil || err2 != nil {
		panic(fmt.Sprintf("bad working hours %q-%q", start, end))
	}
	y, m, d := now.In(loc).Date()
	t0 := time.Date(y, m, d+days, s/60, s%60, 0, 0, loc)
	if e <= s {
		e += 24 * 60
	}
	t1 := time.Date(y, m, d+days, e/60, e%60, 0, 0, loc)
	return t0, t1
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var zoneCache sync.Map // name → *time.Location

func zone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, l)
	return l, nil
}

// MustZone loads an IANA zone (cached), panicking on an unknown name.
func MustZone(name string) *time.Location {
	l, err := zone(name)
	if err != nil {
		panic(err)
	}
	return l
}
