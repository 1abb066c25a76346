package search_test

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the oracle must not depend on the host's zoneinfo

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/relevance"
	"github.com/meridianhq/meridian/internal/search/searchtest"
)

// Eligibility is a hard filter: MatchProfile and Search must never return a
// posting the profile (or searcher) may not take, and MatchProfile must
// return every posting it may take that shares a skill with the profile
// (MatchProfile leaves out postings sharing no skill; a skill shared only
// through a related skill is the engine's call, so only postings sharing a
// skill id outright are required). These property tests generate random
// postings and profiles and compare the engine with a brute-force oracle
// written here, independently of the engine.
//
// The oracle's definitions (at an instant now):
//
//   - live: PublishedAt is not after now, and ValidThrough is zero or after
//     now.
//   - country: the profile may work from at least one country c with
//     Eligibility.Allows(c) (worldwide, c listed, or c in a listed region of
//     domain.Regions).
//   - time zone, no rule: always satisfied.
//   - time zone, UTC-offset window [MinUTCOffset, MaxUTCOffset]: the
//     profile zone's UTC offset at now, in hours (DST applied, e.g. +5.5 for
//     Asia/Kolkata, +13 for Pacific/Auckland in November), lies within the
//     window, bounds included.
//   - time zone, overlap rule: the profile's working day (WorkStart to
//     WorkEnd, default 09:00-17:00, local to the profile's zone, on the date
//     of now in that zone) overlaps the reference working day
//     (ReferenceStart to ReferenceEnd in ReferenceZone, on the date of now
//     there, and the same hours on the days before and after, since working
//     days repeat) for at least OverlapHours in total. Wall-clock times
//     become instants through time.Date in the zone (time.LoadLocation), so
//     DST is the one in force on that date. An end at or before the start
//     means the day runs past midnight (not generated below).
//   - eligible = live and country and time zone.
//
// The generated postings satisfy domain validation (a window has both
// bounds, -12 <= min <= max <= 14; an overlap rule has a zone, 0 < hours <=
// 12, HH:MM hours); profiles have 1-3 countries and an IANA zone. now is
// searchtest.Now (30 November): no zone used changes offset within a day of
// it, so "offset at now" and "offset on the date of now" agree.
//
// For Search filters the semantics are less settled, so only safe
// properties are checked:
//   - Country c: every hit is live and allows c, and every live posting
//     that allows c is returned (the filter is "open to c").
//   - Region R: every hit is worldwide or open to at least one country of
//     R, and every live posting open to all of R is returned (whichever of
//     "open to someone in R" / "open to everyone in R" the engine means).
//   - TimeZone + MinOverlapHours h: every hit's rule can leave h hours
//     (searchTZMayQualify: lenient for windows, see there), and postings
//     certainly qualifying are returned: no rule; an overlap rule whose
//     overlap reaches both h and its own OverlapHours; a window containing
//     the searcher's offset when the searcher keeps 09:00-17:00 and h <= 8.

// eligZones are real IANA zones: whole, half and quarter hour offsets, both
// hemispheres' DST, the extremes (-11, +14) and the date line.
var eligZones = []string{
	"UTC", "Europe/London", "Europe/Lisbon", "Europe/Berlin", "Europe/Helsinki", "Europe/Moscow",
	"Atlantic/Azores", "Atlantic/Cape_Verde", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg",
	"Asia/Dubai", "Asia/Tehran", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka",
	"Asia/Yangon", "Asia/Bangkok", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", "Australia/Eucla",
	"Australia/Adelaide", "Australia/Darwin", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Auckland",
	"Pacific/Chatham", "Pacific/Tongatapu", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Pacific/Honolulu",
	"America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago",
	"America/Mexico_City", "America/New_York", "America/Bogota", "America/Caracas", "America/Halifax",
	"America/St_Johns", "America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
	"America/Noronha",
}

// eligCountries are drawn from most of the time so that postings and
// profiles meet; the rest of the time any ISO country is used.
var eligCountries = strings.Fields("US CA MX BR AR CO GB IE DE FR ES PT NL PL UA RO SE NO CH TR IL AE EG NG KE ZA IN PK BD SG PH VN ID JP KR CN AU NZ RU IS")

var eligSkills = strings.Fields("go rust python typescript react postgresql kubernetes aws java elixir")

func TestEligibilityProperty(t *testing.T) {
	nDocs, nProfiles, nQueries := 300, 200, 150
	if testing.Short() {
		nDocs, nProfiles, nQueries = 80, 40, 40
	}
	checkEligibilityWorld(t, 20261130, nDocs, nProfiles, nQueries)
}

// FuzzEligibility runs small random worlds; the seed corpus runs with go
// test, and `go test -fuzz FuzzEligibility` explores further seeds.
func FuzzEligibility(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42, 1 << 40, 20261130} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		checkEligibilityWorld(t, seed, 40, 12, 12)
	})
}

// TestEligibilityOracle pins the oracle itself on hand-checked cases, so
// that a failure of the property tests can be trusted to be the engine's.
func TestEligibilityOracle(t *testing.T) {
	now := searchtest.Now // 2026-11-30 12:00 UTC
	f := func(v float64) *float64 { return &v }
	p := search.Profile{Countries: []string{"IN"}, TimeZone: "Asia/Kolkata"} // UTC+5:30, 09-17 = 03:30-11:30 UTC
	for _, c := range []struct {
		rule *domain.TimeZoneRule
		want bool
	}{
		{nil, true},
		{&domain.TimeZoneRule{MinUTCOffset: f(5.5), MaxUTCOffset: f(10)}, true},
		{&domain.TimeZoneRule{MinUTCOffset: f(2), MaxUTCOffset: f(5.5)}, true},
		{&domain.TimeZoneRule{MinUTCOffset: f(0), MaxUTCOffset: f(5.25)}, false},
		{&domain.TimeZoneRule{MinUTCOffset: f(-8), MaxUTCOffset: f(-5)}, false},
		// Berlin is UTC+1 in November: 08:00-16:00 UTC, 3.5 hours with Kolkata.
		{&domain.TimeZoneRule{ReferenceZone: "Europe/Berlin", ReferenceStart: "09:00", ReferenceEnd: "17:00", OverlapHours: 3.5}, true},
		{&domain.TimeZoneRule{ReferenceZone: "Europe/Berlin", ReferenceStart: "09:00", ReferenceEnd: "17:00", OverlapHours: 4}, false},
		{&domain.TimeZoneRule{ReferenceZone: "America/New_York", ReferenceStart: "09:00", ReferenceEnd: "17:00", OverlapHours: 1}, false},
	} {
		d := &search.Doc{ID: "x", Eligibility: domain.Eligibility{Worldwide: true}, TimeZone: c.rule, PublishedAt: now.Add(-time.Hour)}
		if got := oracleEligible(p, d, now); got != c.want {
			t.Errorf("Kolkata vs %s: oracle says %v, want %v", relevance.TZRuleString(c.rule), got, c.want)
		}
	}
	// Across the date line: Kiritimati (UTC+14) working 09-17 on 1 December
	// is 19:00-03:00 UTC; Honolulu (UTC-10) 09-17 on 30 November is
	// 19:00-03:00 UTC too: a full 8 hours, on different calendar dates.
	kiri := search.Profile{Countries: []string{"KI"}, TimeZone: "Pacific/Kiritimati"}
	d := &search.Doc{ID: "y", Eligibility: domain.Eligibility{Worldwide: true}, PublishedAt: now.Add(-time.Hour),
		TimeZone: &domain.TimeZoneRule{ReferenceZone: "Pacific/Honolulu", ReferenceStart: "09:00", ReferenceEnd: "17:00", OverlapHours: 8}}
	if !oracleEligible(kiri, d, now) {
		t.Errorf("Kiritimati vs Honolulu: want 8 hours of overlap")
	}
	// Countries and liveness.
	e := &search.Doc{ID: "z", Eligibility: domain.Eligibility{Regions: []string{"EU"}}, PublishedAt: now.Add(-time.Hour)}
	if oracleEligible(search.Profile{Countries: []string{"GB"}, TimeZone: "UTC"}, e, now) ||
		!oracleEligible(search.Profile{Countries: []string{"GB", "IE"}, TimeZone: "UTC"}, e, now) {
		t.Errorf("EU posting: GB must be refused, GB+IE accepted")
	}
	e.ValidThrough = now.Add(-time.Minute)
	if oracleEligible(search.Profile{Countries: []string{"IE"}, TimeZone: "UTC"}, e, now) {
		t.Errorf("an expired posting must not be eligible")
	}
}

// checkEligibilityWorld generates a world from seed and checks MatchProfile,
// Score and Search against the oracle.
func checkEligibilityWorld(t *testing.T, seed uint64, nDocs, nProfiles, nQueries int) {
	t.Helper()
	now := searchtest.Now
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	docs := make([]search.Doc, nDocs)
	byID := make(map[string]*search.Doc, nDocs)
	for i := range docs {
		docs[i] = genDoc(r, i, now)
		byID[docs[i].ID] = &docs[i]
	}
	profiles := make([]search.Profile, nProfiles)
	for i := range profiles {
		profiles[i] = genProfile(r, i)
	}
	ix := search.NewIndex()
	for _, d := range docs {
		ix.Put(d)
	}

	const maxReports = 25
	violations := 0
	report := func(format string, args ...any) {
		violations++
		if violations <= maxReports {
			t.Errorf("seed %d: "+format, append([]any{seed}, args...)...)
		}
	}
	defer func() {
		if violations > maxReports {
			t.Errorf("seed %d: %d more violations not shown", seed, violations-maxReports)
		}
	}()

	// MatchProfile: sound and complete; Score agrees.
	returned, eligibleTotal, requiredTotal := 0, 0, 0
	for _, p := range profiles {
		want := map[string]bool{}     // eligible: may be returned
		required := map[string]bool{} // eligible and sharing a skill: must be returned
		for i := range docs {
			if oracleEligible(p, &docs[i], now) {
				want[docs[i].ID] = true
				if sharesSkill(p, &docs[i]) {
					required[docs[i].ID] = true
				}
			}
		}
		eligibleTotal += len(want)
		requiredTotal += len(required)
		got, err := matchAll(ix, p, now, len(docs))
		if err != nil {
			report("MatchProfile(%s): %v", profileString(p), err)
			continue
		}
		returned += len(got)
		seen := map[string]bool{}
		for _, m := range got {
			d := byID[m.JobID]
			switch {
			case d == nil:
				report("MatchProfile(%s) returned unknown job %q", profileString(p), m.JobID)
				continue
			case seen[m.JobID]:
				report("MatchProfile(%s) returned %s twice", profileString(p), m.JobID)
			case !want[m.JobID]:
				report("MatchProfile(%s) returned ineligible %s: %s", profileString(p), docString(d), whyIneligible(p, d, now))
			}
			seen[m.JobID] = true
			if math.IsNaN(m.Score) || m.Score < 0 || m.Score > 1 {
				report("MatchProfile(%s): %s scored %v, want 0..1", profileString(p), m.JobID, m.Score)
			}
			if oh := m.Explanation.OverlapHours; oh != nil && d.TimeZone != nil && d.TimeZone.ReferenceZone != "" &&
				*oh+1e-6 < d.TimeZone.OverlapHours {
				report("MatchProfile(%s) returned %s explaining %.2f hours of overlap, below the %g it requires",
					profileString(p), docString(d), *oh, d.TimeZone.OverlapHours)
			}
		}
		for id := range required {
			if !seen[id] {
				report("MatchProfile(%s) left out eligible %s, which shares a skill", profileString(p), docString(byID[id]))
			}
		}
		// Score agrees with the oracle (liveness aside: Score judges one
		// posting as given).
		for i := range docs {
			d := &docs[i]
			_, ok := search.Score(p, d, "USD", now)
			if want := countryOK(p, d) && tzOK(p, d, now); ok != want {
				report("Score(%s, %s) ok=%v, oracle %v (%s)", profileString(p), docString(d), ok, want, whyIneligible(p, d, now))
			}
		}
	}

	// Search filters.
	for i := 0; i < nQueries; i++ {
		var q search.Query
		switch i % 3 {
		case 0:
			q.Country = randCountry(r)
		case 1:
			q.Region = randRegion(r)
		default:
			q.TimeZone = eligZones[r.IntN(len(eligZones))]
			if r.IntN(2) == 0 {
				s := 5*60 + 30*r.IntN(15)
				q.WorkStart, q.WorkEnd = fmtHHMM(s), fmtHHMM(s+4*60+30*r.IntN(13))
			}
			q.MinOverlapHours = 0.5 * float64(1+r.IntN(16))
			if r.IntN(4) == 0 {
				q.Country = randCountry(r)
			}
		}
		checkSearchFilters(ix, q, docs, byID, now, report)
	}
	t.Logf("seed %d: %d postings, %d profiles: %d matches returned; by the oracle %d eligible, %d of them sharing a skill; %d filtered searches",
		seed, nDocs, nProfiles, returned, eligibleTotal, requiredTotal, nQueries)
}

// checkSearchFilters checks one filtered search against the safe properties.
func checkSearchFilters(ix *search.Index, q search.Query, docs []search.Doc, byID map[string]*search.Doc, now time.Time,
	report func(string, ...any)) {
	hits, err := searchAll(ix, q, now, len(docs))
	desc := queryString(q)
	if err != nil {
		report("Search(%s): %v", desc, err)
		return
	}
	start, end := relevance.OrDefault(q.WorkStart, "09:00"), relevance.OrDefault(q.WorkEnd, "17:00")
	var loc *time.Location
	if q.TimeZone != "" {
		loc = relevance.MustZone(q.TimeZone)
	}
	seen := map[string]bool{}
	for _, h := range hits {
		d := byID[h.ID]
		if d == nil {
			report("Search(%s) returned unknown %q", desc, h.ID)
			continue
		}
		seen[h.ID] = true
		if !live(d, now) {
			report("Search(%s) returned %s, not live", desc, docString(d))
		}
		if q.Country != "" && !d.Eligibility.Allows(q.Country) {
			report("Search(%s) returned %s, not open to %s", desc, docString(d), q.Country)
		}
		if q.Region != "" && !relevance.OpenToSomeoneIn(d.Eligibility, q.Region) {
			report("Search(%s) returned %s, open to no country of %s", desc, docString(d), q.Region)
		}
		if loc != nil && !relevance.TZMayQualify(d.TimeZone, loc, start, end, q.MinOverlapHours, now) {
			report("Search(%s) returned %s, whose rule cannot leave %g hours", desc, docString(d), q.MinOverlapHours)
		}
	}
	for i := range docs {
		d := &docs[i]
		if seen[d.ID] || !live(d, now) {
			continue
		}
		must := true
		if q.Country != "" && !d.Eligibility.Allows(q.Country) {
			must = false
		}
		if q.Region != "" && !relevance.OpenToAllOf(d.Eligibility, q.Region) {
			must = false
		}
		if loc != nil && !searchTZCertainlyQualifies(d.TimeZone, loc, q.WorkStart, q.WorkEnd, q.MinOverlapHours, now) {
			must = false
		}
		if must {
			report("Search(%s) left out %s", desc, docString(d))
		}
	}
}

// ---------------------------------------------------------------- oracle

func live(d *search.Doc, now time.Time) bool {
	return !d.PublishedAt.After(now) && (d.ValidThrough.IsZero() || d.ValidThrough.After(now))
}

func countryOK(p search.Profile, d *search.Doc) bool {
	for _, c := range p.Countries {
		if d.Eligibility.Allows(c) {
			return true
		}
	}
	return false
}

func tzOK(p search.Profile, d *search.Doc, now time.Time) bool {
	rule := d.TimeZone
	if rule == nil {
		return true
	}
	loc := relevance.MustZone(p.TimeZone)
	if rule.MinUTCOffset != nil || rule.MaxUTCOffset != nil {
		return relevance.InWindow(relevance.OffsetHours(loc, now), rule)
	}
	ov := relevance.DailyOverlap(loc, relevance.OrDefault(p.WorkStart, "09:00"), relevance.OrDefault(p.WorkEnd, "17:00"), rule, now)
	return ov >= relevance.HoursToDuration(rule.OverlapHours)
}

// sharesSkill: the posting asks for at least one skill id the profile has.
func sharesSkill(p search.Profile, d *search.Doc) bool {
	for _, r := range d.Skills {
		for _, s := range p.Skills {
			if r.Skill == s.Skill {
				return true
			}
		}
	}
	return false
}

func oracleEligible(p search.Profile, d *search.Doc, now time.Time) bool {
	return live(d, now) && countryOK(p, d) && tzOK(p, d, now)
}

func whyIneligible(p search.Profile, d *search.Doc, now time.Time) string {
	var why []string
	if !live(d, now) {
		why = append(why, "not live")
	}
	if !countryOK(p, d) {
		why = append(why, "no country allowed")
	}
	if d.TimeZone != nil {
		loc := relevance.MustZone(p.TimeZone)
		if d.TimeZone.ReferenceZone != "" {
			ov := relevance.DailyOverlap(loc, relevance.OrDefault(p.WorkStart, "09:00"), relevance.OrDefault(p.WorkEnd, "17:00"), d.TimeZone, now)
			why = append(why, fmt.Sprintf("overlap %.2fh (needs %g)", ov.Hours(), d.TimeZone.OverlapHours))
		} else {
			why = append(why, fmt.Sprintf("offset UTC%+g", relevance.OffsetHours(loc, now)))
		}
	}
	if len(why) == 0 {
		return "eligible by the oracle"
	}
	return strings.Join(why, ", ")
}

// searchTZCertainlyQualifies: postings every sensible reading must return
// for Query.TimeZone with MinOverlapHours h (start/end as given in the
// query, empty meaning the default).
func searchTZCertainlyQualifies(rule *domain.TimeZoneRule, loc *time.Location, start, end string, h float64, now time.Time) bool {
	if rule == nil {
		return true
	}
	if rule.MinUTCOffset == nil && rule.MaxUTCOffset == nil {
		ov := relevance.DailyOverlap(loc, relevance.OrDefault(start, "09:00"), relevance.OrDefault(end, "17:00"), rule, now)
		return ov >= relevance.HoursToDuration(math.Max(h, rule.OverlapHours))
	}
	return start == "" && end == "" && h <= 8 && relevance.InWindow(relevance.OffsetHours(loc, now), rule)
}

func fmtHHMM(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ---------------------------------------------------------------- engine calls

func matchAll(ix *search.Index, p search.Profile, now time.Time, max int) ([]search.JobMatch, error) {
	var out []search.JobMatch
	opt := search.MatchOptions{Limit: 100}
	for page := 0; ; page++ {
		pg, err := ix.MatchProfile(p, opt, now)
		if err != nil {
			return out, err
		}
		out = append(out, pg.Items...)
		if pg.NextCursor == "" || len(pg.Items) == 0 {
			return out, nil
		}
		if page > max {
			return out, fmt.Errorf("the cursor never ends")
		}
		opt.Cursor = pg.NextCursor
	}
}

func searchAll(ix *search.Index, q search.Query, now time.Time, max int) ([]search.Hit, error) {
	var out []search.Hit
	q.Limit = 100
	for page := 0; ; page++ {
		res, err := ix.Search(q, now)
		if err != nil {
			return out, err
		}
		out = append(out, res.Hits...)
		if res.NextCursor == "" || len(res.Hits) == 0 {
			return out, nil
		}
		if page > max {
			return out, fmt.Errorf("the cursor never ends")
		}
		q.Cursor = res.NextCursor
	}
}

// ---------------------------------------------------------------- generators

func genDoc(r *rand.Rand, i int, now time.Time) search.Doc {
	d := search.Doc{
		ID:             fmt.Sprintf("job-%04d", i),
		OrgID:          fmt.Sprintf("org-%02d", r.IntN(25)),
		Title:          []string{"Backend Engineer", "Frontend Developer", "SRE", "Data Engineer", "Staff Engineer"}[r.IntN(5)],
		Description:    "We build things remotely.",
		Seniority:      []string{"", "junior", "mid", "senior", "staff"}[r.IntN(5)],
		EmploymentType: "full_time",
		PublishedAt:    now.Add(-time.Duration(1+r.IntN(90*24)) * time.Hour),
	}
	d.OrgName = "Org " + d.OrgID
	for _, s := range r.Perm(len(eligSkills))[:r.IntN(5)] {
		d.Skills = append(d.Skills, domain.SkillRequirement{Skill: eligSkills[s], Level: 1 + r.IntN(5), Required: r.IntN(2) == 0})
	}
	switch r.IntN(20) {
	case 0:
		d.ValidThrough = now.Add(-time.Duration(1+r.IntN(240)) * time.Hour) // expired
	case 1, 2, 3, 4, 5:
		d.ValidThrough = now.Add(time.Duration(1+r.IntN(60*24)) * time.Hour)
	}
	if r.IntN(4) == 0 {
		lo := int64(40000 + 5000*r.IntN(30))
		d.Salary = &domain.Salary{Min: lo * 100, Max: (lo + int64(5000*r.IntN(10))) * 100, Currency: "USD", Period: "year"}
	}
	e := &d.Eligibility
	switch k := r.IntN(10); {
	case k < 2:
		e.Worldwide = true
	case k < 6:
		e.Countries = randCountries(r, 1+r.IntN(4))
	case k < 8:
		e.Regions = randRegions(r, 1+r.IntN(2))
	default:
		e.Countries = randCountries(r, 1+r.IntN(2))
		e.Regions = randRegions(r, 1)
	}
	switch k := r.IntN(8); {
	case k < 4: // no rule
	case k < 6:
		a, b := randOffset(r), randOffset(r)
		if r.IntN(10) == 0 {
			b = a // a single offset
		}
		lo, hi := math.Min(a, b), math.Max(a, b)
		d.TimeZone = &domain.TimeZoneRule{MinUTCOffset: &lo, MaxUTCOffset: &hi}
	default:
		s := 6*60 + 30*r.IntN(13)
		length := 4*60 + 30*r.IntN(13)
		d.TimeZone = &domain.TimeZoneRule{
			ReferenceZone:  eligZones[r.IntN(len(eligZones))],
			ReferenceStart: fmtHHMM(s),
			ReferenceEnd:   fmtHHMM(s + length),
			OverlapHours:   math.Min(0.5*float64(1+r.IntN(16)), float64(length)/60),
		}
	}
	return d
}

// randOffset is half the time a real zone's offset at searchtest.Now (to
// land on window bounds exactly), else any quarter hour in [-12, 14].
func randOffset(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		off := relevance.OffsetHours(relevance.MustZone(eligZones[r.IntN(len(eligZones))]), searchtest.Now)
		return math.Max(-12, math.Min(14, off))
	}
	return -12 + 0.25*float64(r.IntN(26*4+1))
}

func genProfile(r *rand.Rand, i int) search.Profile {
	p := search.Profile{
		ID:        fmt.Sprintf("dev-%04d", i),
		Countries: randCountries(r, 1+r.IntN(3)),
		TimeZone:  eligZones[r.IntN(len(eligZones))],
		Seniority: []string{"", "junior", "mid", "senior", "staff"}[r.IntN(5)],
	}
	if r.IntN(2) == 0 {
		s := 5*60 + 30*r.IntN(15)
		p.WorkStart, p.WorkEnd = fmtHHMM(s), fmtHHMM(s+4*60+30*r.IntN(13))
	}
	for _, s := range r.Perm(len(eligSkills))[:1+r.IntN(5)] {
		p.Skills = append(p.Skills, domain.ProfileSkill{Skill: eligSkills[s], Level: 1 + r.IntN(5), Years: float64(r.IntN(15))})
	}
	if r.IntN(3) == 0 {
		p.SalaryFloor = &domain.Salary{Min: int64(50000+10000*r.IntN(15)) * 100, Currency: "USD", Period: "year"}
	}
	return p
}

var allCountries = domain.Countries()

func randCountry(r *rand.Rand) string {
	if r.IntN(10) < 7 {
		return eligCountries[r.IntN(len(eligCountries))]
	}
	return allCountries[r.IntN(len(allCountries))]
}

func randCountries(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		if c := randCountry(r); !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

var regionNames = slices.Sorted(maps.Keys(domain.Regions)) // sorted: reproducible worlds

func randRegion(r *rand.Rand) string { return regionNames[r.IntN(len(regionNames))] }

func randRegions(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		if g := randRegion(r); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// ---------------------------------------------------------------- descriptions

func profileString(p search.Profile) string {
	hours := ""
	if p.WorkStart != "" || p.WorkEnd != "" {
		hours = " " + p.WorkStart + "-" + p.WorkEnd
	}
	return fmt.Sprintf("%s %v %s%s", p.ID, p.Countries, p.TimeZone, hours)
}

func docString(d *search.Doc) string {
	s := fmt.Sprintf("%s [%s; tz %s", d.ID, relevance.EligibilityString(d.Eligibility), relevance.TZRuleString(d.TimeZone))
	if !d.ValidThrough.IsZero() {
		s += "; valid through " + d.ValidThrough.Format(time.RFC3339)
	}
	return s + "]"
}

func queryString(q search.Query) string {
	var parts []string
	if q.Country != "" {
		parts = append(parts, "country="+q.Country)
	}
	if q.Region != "" {
		parts = append(parts, "region="+q.Region)
	}
	if q.TimeZone != "" {
		parts = append(parts, fmt.Sprintf("tz=%s %s-%s min %gh", q.TimeZone, relevance.OrDefault(q.WorkStart, "09:00"),
			relevance.OrDefault(q.WorkEnd, "17:00"), q.MinOverlapHours))
	}
	return strings.Join(parts, " ")
}
