package market

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// propSeed seeds the property test; MARKET_SEED overrides it.
const propSeed = 0x6d61726b6574

// propRuns is how many random event sequences the property test checks.
const propRuns = 300

func TestModelMatchesOracle(t *testing.T) {
	seed := uint64(propSeed)
	if s := os.Getenv("MARKET_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("MARKET_SEED: %v", err)
		}
		seed = v
	}
	runs := propRuns
	if testing.Short() {
		runs = 40
	}
	t.Logf("seed %#x, %d runs (MARKET_SEED=%#x reproduces)", seed, runs, seed)
	saved, savedReading := gatherLimit, countByReading
	t.Cleanup(func() { gatherLimit, countByReading = saved, savedReading })
	for run := range runs {
		rng := rand.New(rand.NewPCG(seed, uint64(run)))
		gatherLimit, countByReading = saved, savedReading
		if run%3 == 1 {
			gatherLimit = rng.IntN(4) // walk the salary buckets
			if run%2 == 1 {
				countByReading = 0 // ... counting them by intersection
			}
		}
		if !checkRun(t, run, rng) {
			t.Fatalf("run %d of seed %#x failed (gatherLimit %d, countByReading %d)", run, seed, gatherLimit, countByReading)
		}
	}
}

// checkRun generates one world, applies its events in a random way and
// compares the figures with the oracle's.
func checkRun(t *testing.T, run int, rng *rand.Rand) bool {
	t.Helper()
	g := genScenario(rng)
	evs := g.events
	m := NewModel()
	ctx := context.Background()
	apply := func(batch []eventstore.Event) {
		if err := m.Apply(ctx, batch); err != nil {
			t.Fatalf("run %d: apply: %v", run, err)
		}
	}
	mode := run % 5
	label := fmt.Sprintf("run %d (mode %d, %d postings, %d events, now %s)", run, mode, g.nPosts, len(evs), g.now.Format(time.RFC3339))
	switch mode {
	case 0: // all at once
		apply(evs)
	case 4: // half, then a snapshot round trip, then the rest
		half := rng.IntN(len(evs) + 1)
		apply(evs[:half])
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatalf("%s: save: %v", label, err)
		}
		loaded, err := Load(&buf)
		if err != nil {
			t.Fatalf("%s: load: %v", label, err)
		}
		if loaded.Position() != int64(half) || loaded.Len() != m.Len() {
			t.Errorf("%s: loaded at %d with %d postings, saved at %d with %d", label, loaded.Position(), loaded.Len(), half, m.Len())
			return false
		}
		m = loaded
		apply(evs[half:])
	default: // random batches, some applied again, some overlapping
		pos := 0
		var done [][2]int
		prefix := newOra() // the oracle of what was applied so far
		for pos < len(evs) {
			n := 1 + rng.IntN(max(1, len(evs)/(1+rng.IntN(8))))
			lo := pos
			if mode >= 2 && pos > 0 && rng.IntN(3) == 0 {
				lo = rng.IntN(pos) // overlaps what was applied
			}
			hi := min(len(evs), pos+n)
			apply(evs[lo:hi])
			prefix.replay(evs[pos:hi])
			pos = hi
			done = append(done, [2]int{lo, hi})
			if mode >= 2 && rng.IntN(3) == 0 {
				b := done[rng.IntN(len(done))]
				apply(evs[b[0]:b[1]]) // already applied: ignored
			}
			if m.Position() != int64(pos) {
				t.Errorf("%s: position %d after applying up to %d", label, m.Position(), pos)
				return false
			}
			if mode == 3 && pos < len(evs) {
				// Read while catching up: figures of the prefix, at now.
				if !compareFigures(t, label+fmt.Sprintf(" after %d events", pos), m, prefix, g, rng, 2) {
					return false
				}
			}
		}
	}
	if m.Position() != int64(len(evs)) {
		t.Errorf("%s: position %d, want %d", label, m.Position(), len(evs))
		return false
	}
	o := oraReplay(evs)
	if m.Len() != len(o.order) {
		t.Errorf("%s: Len %d, want %d", label, m.Len(), len(o.order))
		return false
	}
	apply(evs[:len(evs)/2]) // a replay of old events changes nothing
	return compareFigures(t, label, m, o, g, rng, 5) && compareGaps(t, label, m, o, g, rng)
}

// randFilter draws a filter over the world's values (always valid).
func randFilter(g *genWorld, rng *rand.Rand) Filter {
	var f Filter
	chance := func(p float64) bool { return rng.Float64() < p }
	pickSome := func(pool []string, n int) []string {
		var out []string
		for _, i := range rng.Perm(len(pool))[:n] {
			out = append(out, pool[i])
		}
		return out
	}
	span := g.end.Sub(g.start) + 60*24*time.Hour
	randTime := func() time.Time {
		t := g.start.Add(-30*24*time.Hour + time.Duration(rng.Int64N(int64(span))))
		if chance(0.3) {
			t = t.Truncate(24 * time.Hour) // midnight
		}
		return t
	}
	f.Open = chance(0.4)
	if chance(0.3) {
		f.From = randTime()
	}
	if chance(0.3) {
		f.To = randTime()
		if !f.From.IsZero() && !f.From.Before(f.To) {
			f.From, f.To = f.To, f.From
			if f.From.Equal(f.To) {
				f.To = f.To.Add(time.Hour)
			}
		}
	}
	if chance(0.2) {
		f.Countries = pickSome([]string{"US", "de", " BR ", "IN", "GB", "JP", "MX", "FR", "EG"}, 1+rng.IntN(2))
	}
	if chance(0.15) {
		f.Regions = pickSome([]string{"EU", "latam", "APAC", "EMEA", "AMERICAS", "OCEANIA", "MENA", "NORTH_AMERICA"}, 1+rng.IntN(2))
	}
	if chance(0.2) {
		f.Seniority = pickSome([]string{Unspecified, "senior", "Mid", "junior", "staff", "lead"}, 1+rng.IntN(2))
	}
	if chance(0.2) {
		f.Eligibility = []string{EligWorldwide, EligRestricted}[rng.IntN(2)]
	}
	if chance(0.2) {
		f.Skills = pickSome(append(slices.Clone(genSkills[:len(genSkills)-1]), genAliases...), 1+rng.IntN(2))
	}
	if chance(0.15) {
		f.Org = []string{"org-a", "org-b", "org-c", "org-unknown"}[rng.IntN(4)]
	}
	return f
}

func randSkills(rng *rand.Rand, n int) []string {
	pool := append(slices.Clone(genSkills[:len(genSkills)-1]), genAliases[:3]...)
	var out []string
	seen := map[string]bool{}
	for _, i := range rng.Perm(len(pool))[:n] {
		if c := oraCanon(pool[i]); !seen[c] {
			seen[c] = true
			out = append(out, pool[i])
		}
	}
	return out
}

var currencies = []string{"", "usd", "EUR", "GBP", "JPY"}

// compareFigures checks every figure over nFilters random filters (the
// first one the zero filter).
func compareFigures(t *testing.T, label string, m *Model, o *oraModel, g *genWorld, rng *rand.Rand, nFilters int) bool {
	t.Helper()
	now := g.now
	ok := true
	check := func(what string, err error, got, want any, tol tolerance) {
		if !ok {
			return
		}
		if err != nil {
			t.Errorf("%s: %s: %v", label, what, err)
			ok = false
			return
		}
		if d := approxDiff(got, want, tol); len(d) > 0 {
			t.Errorf("%s: %s differs from the oracle:\n  %s", label, what, strings.Join(d, "\n  "))
			ok = false
		}
	}
	for i := range nFilters {
		var f Filter
		if i > 0 {
			f = randFilter(g, rng)
		}
		posts := o.selectPosts(f, now)
		fl := fmt.Sprintf("filter %+v", f)

		for range 2 {
			kind := []string{KindSkill, "", KindCategory, KindGroup}[rng.IntN(4)]
			req := rng.IntN(2) == 0
			limit := []int{0, 1, 3, 100}[rng.IntN(4)]
			got, err := m.Demand(f, kind, req, limit, now)
			check(fmt.Sprintf("Demand(%s, kind %q, required %v, limit %d)", fl, kind, req, limit), err, got, oraDemand(posts, kind, req, limit), nil)
		}
		for range 2 {
			skill := ""
			if rng.IntN(3) > 0 {
				skill = randSkills(rng, 1)[0]
			}
			minCount, limit := rng.IntN(4), []int{0, 5}[rng.IntN(2)]
			got, err := m.Cooccurrence(f, skill, minCount, limit, now)
			check(fmt.Sprintf("Cooccurrence(%s, skill %q, minCount %d, limit %d)", fl, skill, minCount, limit), err, got,
				oraCooccurrence(posts, skill, minCount, limit), nil)
		}
		for _, by := range []string{ByNone, BySeniority, ByRegion, ByCountry, BySkill} {
			cur := currencies[rng.IntN(len(currencies))]
			minN, limit := []int{0, 10, 12}[rng.IntN(3)], []int{0, 2, 5}[rng.IntN(3)]
			got, err := m.Salaries(f, by, cur, minN, limit, now)
			check(fmt.Sprintf("Salaries(%s, by %q, %q, minN %d, limit %d)", fl, by, cur, minN, limit), err, got,
				oraSalaries(posts, by, cur, minN, limit), nil)
		}
		{
			var ids []string
			if rng.IntN(2) == 0 {
				ids = randSkills(rng, 1+rng.IntN(3))
			}
			cur := currencies[rng.IntN(len(currencies))]
			minN, limit := []int{0, 10}[rng.IntN(2)], []int{0, 3}[rng.IntN(2)]
			got, err := m.Premiums(f, ids, cur, minN, limit, now)
			check(fmt.Sprintf("Premiums(%s, %q, %q, minN %d, limit %d)", fl, ids, cur, minN, limit), err, got,
				oraPremiums(posts, ids, cur, minN, limit), nil)
		}
		for range 2 {
			interval := []string{"", Week, Month, Quarter}[rng.IntN(4)]
			var keys []SeriesKey
			all := []SeriesKey{{KindSkill, "go"}, {"", "python"}, {KindSkill, "k8s"}, {KindCategory, "cloud_platform"},
				{KindCategory, "language"}, {KindGroup, "cloud"}, {KindGroup, "rest_or_graphql"}}
			for _, k := range rng.Perm(len(all))[:rng.IntN(4)] {
				keys = append(keys, all[k])
			}
			got, err := m.Trends(f, interval, keys, now)
			check(fmt.Sprintf("Trends(%s, %q, %v)", fl, interval, keys), err, got, oraTrends(o, f, interval, keys, now), nil)
		}
		{
			got, err := m.HiringTimes(f, now)
			check(fmt.Sprintf("HiringTimes(%s)", fl), err, got, oraHiringTimes(posts, now), func(path string) float64 {
				if strings.HasSuffix(path, "Hours") || strings.Contains(path, ".P") {
					return 0.05 + 1e-9 // rounded to a tenth of an hour
				}
				return 1e-12
			})
		}
		{
			got, err := m.Claims(f, now)
			want := oraClaims(posts)
			if err == nil && len(got) == len(want) {
				for i := range want {
					want[i].Question, want[i].Definition = got[i].Question, got[i].Definition
				}
			}
			check(fmt.Sprintf("Claims(%s)", fl), err, got, want, nil)
		}
		if !ok {
			return false
		}
	}
	return ok
}

// compareGaps checks SkillGaps for a few random profiles.
func compareGaps(t *testing.T, label string, m *Model, o *oraModel, g *genWorld, rng *rand.Rand) bool {
	t.Helper()
	var ids []string
	for _, p := range g.posts {
		ids = append(ids, p.id)
	}
	for range 3 {
		known := randSkills(rng, rng.IntN(5))
		if rng.IntN(4) == 0 {
			known = append(known, "no-such-skill")
		}
		var eligible []string
		for _, i := range rng.Perm(len(ids))[:rng.IntN(len(ids)+1)] {
			eligible = append(eligible, ids[i])
		}
		eligible = append(eligible, "ghost-job")
		cur := currencies[rng.IntN(len(currencies))]
		limit := rng.IntN(6)
		got, err := m.SkillGaps(known, eligible, cur, limit, g.now)
		if err != nil {
			t.Errorf("%s: SkillGaps: %v", label, err)
			return false
		}
		want := oraSkillGaps(o, known, eligible, cur, limit, g.now)
		if d := approxDiff(got, want, nil); len(d) > 0 {
			t.Errorf("%s: SkillGaps(known %q, %d eligible, %q, limit %d) differs from the oracle:\n  %s", label, known, len(eligible), cur, limit, strings.Join(d, "\n  "))
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------
// Scenarios

type scenario struct {
	t   *testing.T
	m   *Model
	pos int64
}

func newScenario(t *testing.T) *scenario { return &scenario{t: t, m: NewModel()} }

func (s *scenario) event(stream, typ string, at time.Time, payload any) {
	s.t.Helper()
	g := &genWorld{}
	g.emit(stream, "job", typ, at, payload)
	e := g.events[0]
	s.pos++
	e.Position = s.pos
	if err := s.m.Apply(context.Background(), []eventstore.Event{e}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scenario) post(id string, d domain.JobDetails, at, validThrough time.Time) {
	s.t.Helper()
	s.event(id, domain.JobDrafted, at, domain.JobDraftedEvent{OrgID: "org", Details: d, At: at})
	s.event(id, domain.JobPublished, at, domain.JobStatusEvent{At: at, ValidThrough: validThrough})
}

func req(ids ...string) []domain.SkillRequirement {
	var out []domain.SkillRequirement
	for _, id := range ids {
		out = append(out, domain.SkillRequirement{Skill: id, Level: 3, Required: true})
	}
	return out
}

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// A figure read while the model catches up must not close for good a
// posting whose validThrough a later event moves past now.
func TestExpiryWhileCatchingUp(t *testing.T) {
	s := newScenario(t)
	d := domain.JobDetails{Title: "Go Developer", Skills: req("go"), Eligibility: domain.Eligibility{Worldwide: true}}
	s.post("job-1", d, t0, t0.Add(10*24*time.Hour))
	now := t0.Add(20 * 24 * time.Hour)
	open := func() int {
		got, err := s.m.Demand(Filter{Open: true}, KindSkill, false, 0, now)
		if err != nil {
			t.Fatal(err)
		}
		return got.N
	}
	if n := open(); n != 0 {
		t.Fatalf("open before the update: %d, want 0", n)
	}
	// The edit happened on day 5, before the posting expired; the model
	// reads it only now.
	d.ValidThrough = t0.Add(60 * 24 * time.Hour)
	s.event("job-1", domain.JobUpdated, t0.Add(5*24*time.Hour), d)
	if n := open(); n != 1 {
		t.Fatalf("open after the update extending validThrough: %d, want 1", n)
	}
	// An edit to an earlier validThrough closes it at the next read.
	d.ValidThrough = t0.Add(15 * 24 * time.Hour)
	s.event("job-1", domain.JobUpdated, t0.Add(6*24*time.Hour), d)
	if n := open(); n != 0 {
		t.Fatalf("open after the update shortening validThrough: %d, want 0", n)
	}
	// A closed posting stays closed whatever its validThrough.
	s.event("job-1", domain.JobRenewed, t0.Add(7*24*time.Hour), domain.JobStatusEvent{At: t0, ValidThrough: t0.Add(90 * 24 * time.Hour)})
	if n := open(); n != 1 {
		t.Fatalf("open after the renewal: %d, want 1", n)
	}
	s.event("job-1", domain.JobClosed, t0.Add(8*24*time.Hour), domain.JobStatusEvent{At: t0})
	d.ValidThrough = t0.Add(100 * 24 * time.Hour)
	s.event("job-1", domain.JobUpdated, t0.Add(9*24*time.Hour), d)
	if n := open(); n != 0 {
		t.Fatalf("open after close and update: %d, want 0", n)
	}
}

// A trend whose range ends before the sample's first posting (or starts
// after its last) has empty periods, whatever other postings lie between.
func TestTrendsRangeOutsideSample(t *testing.T) {
	s := newScenario(t)
	ww := domain.Eligibility{Worldwide: true}
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	vt := day(60)
	s.post("r0", domain.JobDetails{Title: "Rust Developer", Skills: req("rust"), Eligibility: ww}, day(0), vt)
	s.post("r5", domain.JobDetails{Title: "Rust Developer", Skills: req("rust"), Eligibility: ww}, day(5), vt)
	s.post("g10", domain.JobDetails{Title: "Go Developer", Skills: req("go"), Eligibility: ww}, day(10), vt)
	s.post("g12", domain.JobDetails{Title: "Go Developer", Skills: req("go"), Eligibility: ww}, day(12), vt)
	now := day(13)
	for _, f := range []Filter{
		{Skills: []string{"go"}, To: day(2)},                        // ends before the first, rust postings between
		{Skills: []string{"rust"}, From: day(11)},                   // starts after the last, go postings between
		{Skills: []string{"go"}, From: day(12).Add(3 * time.Hour)},  // within the last one's day, after its start
		{Skills: []string{"rust"}, To: day(0).Add(-12 * time.Hour)}, // the day before the first
	} {
		for _, iv := range []string{Week, Month, Quarter} {
			got, err := s.m.Trends(f, iv, nil, now)
			if err != nil {
				t.Fatalf("%+v %s: %v", f, iv, err)
			}
			for _, p := range got.Series[0].Points {
				if p.N != 0 || p.Count != 0 {
					t.Errorf("%+v %s: period %s has %d postings, want 0", f, iv, p.Start.Format(time.DateOnly), p.N)
				}
			}
		}
	}
}

// Learning a narrower skill covers the broader ones it stands for: it
// unlocks the postings that require only those, too.
func TestSkillGapsNarrowerSkillUnlocksBroader(t *testing.T) {
	s := newScenario(t)
	ww := domain.Eligibility{Worldwide: true}
	vt := t0.Add(60 * 24 * time.Hour)
	s.post("sql-1", domain.JobDetails{Title: "Data Engineer", Skills: req("sql"), Eligibility: ww}, t0, vt)
	s.post("sql-2", domain.JobDetails{Title: "Data Engineer", Skills: req("sql"), Eligibility: ww}, t0, vt)
	s.post("pg-1", domain.JobDetails{Title: "Backend Engineer", Skills: req("postgresql", "sql"), Eligibility: ww}, t0, vt)
	s.post("pg-2", domain.JobDetails{Title: "Backend Engineer", Skills: req("postgresql"), Eligibility: ww}, t0, vt)
	s.post("rust-1", domain.JobDetails{Title: "Rust Engineer", Skills: req("rust"), Eligibility: ww}, t0, vt)
	s.post("rust-2", domain.JobDetails{Title: "Rust Engineer", Skills: req("rust"), Eligibility: ww}, t0, vt)
	s.post("rust-3", domain.JobDetails{Title: "Rust Engineer", Skills: req("rust"), Eligibility: ww}, t0, vt)
	got, err := s.m.SkillGaps(nil, []string{"sql-1", "sql-2", "pg-1", "pg-2", "rust-1", "rust-2", "rust-3"}, "USD", 3, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var picks []string
	for _, g := range got.Items {
		picks = append(picks, fmt.Sprintf("%s+%d(%d→%d)", g.Skill, g.Unlocks, g.Before, g.After))
	}
	// PostgreSQL unlocks all four SQL postings, more than Rust's three.
	want := []string{"postgresql+4(0→4)", "rust+3(4→7)"}
	if !slices.Equal(picks, want) {
		t.Errorf("picks %q, want %q", picks, want)
	}
}

// ---------------------------------------------------------------------
// Bad input

func TestBadInput(t *testing.T) {
	s := newScenario(t)
	ww := domain.Eligibility{Worldwide: true}
	s.post("a", domain.JobDetails{Title: "Go Developer", Skills: req("go"), Eligibility: ww,
		Salary: &domain.Salary{Min: 10000000, Max: 12000000, Currency: "USD", Period: "year"}}, t0, t0.Add(30*24*time.Hour))
	m, now := s.m, t0.Add(time.Hour)
	filters := []struct {
		field string
		f     Filter
	}{
		{"skill", Filter{Skills: []string{"go", "no-such-skill"}}},
		{"country", Filter{Countries: []string{"XX"}}},
		{"region", Filter{Regions: []string{"MARS"}}},
		{"seniority", Filter{Seniority: []string{"guru"}}},
		{"eligibility", Filter{Eligibility: "partly"}},
		{"from", Filter{From: t0, To: t0}},
		{"from", Filter{From: t0.Add(time.Hour), To: t0}},
	}
	type call struct {
		name string
		fn   func(f Filter) error
	}
	calls := []call{
		{"Demand", func(f Filter) error { _, err := m.Demand(f, KindSkill, false, 0, now); return err }},
		{"Cooccurrence", func(f Filter) error { _, err := m.Cooccurrence(f, "", 1, 0, now); return err }},
		{"Salaries", func(f Filter) error { _, err := m.Salaries(f, BySkill, "USD", 0, 0, now); return err }},
		{"Premiums", func(f Filter) error { _, err := m.Premiums(f, nil, "USD", 0, 0, now); return err }},
		{"Trends", func(f Filter) error { _, err := m.Trends(f, Month, nil, now); return err }},
		{"HiringTimes", func(f Filter) error { _, err := m.HiringTimes(f, now); return err }},
		{"Claims", func(f Filter) error { _, err := m.Claims(f, now); return err }},
	}
	for _, c := range calls {
		for _, tc := range filters {
			wantInvalid(t, fmt.Sprintf("%s(%+v)", c.name, tc.f), c.fn(tc.f), tc.field)
		}
		if err := c.fn(Filter{}); err != nil {
			t.Errorf("%s(zero filter): %v", c.name, err)
		}
	}
	other := []struct {
		name, field string
		err         func() error
	}{
		{"Demand kind", "kind", func() error { _, err := m.Demand(Filter{}, "tag", false, 0, now); return err }},
		{"Cooccurrence skill", "skill", func() error { _, err := m.Cooccurrence(Filter{}, "no-such-skill", 1, 0, now); return err }},
		{"Salaries currency", "currency", func() error { _, err := m.Salaries(Filter{}, ByNone, "XYZ", 0, 0, now); return err }},
		{"Salaries groupBy", "groupBy", func() error { _, err := m.Salaries(Filter{}, "city", "USD", 0, 0, now); return err }},
		{"Premiums currency", "currency", func() error { _, err := m.Premiums(Filter{}, nil, "XYZ", 0, 0, now); return err }},
		{"Premiums skill", "skill", func() error { _, err := m.Premiums(Filter{}, []string{"go", "nope"}, "USD", 0, 0, now); return err }},
		{"Trends interval", "interval", func() error { _, err := m.Trends(Filter{}, "day", nil, now); return err }},
		{"Trends kind", "kind", func() error { _, err := m.Trends(Filter{}, Month, []SeriesKey{{"tag", "go"}}, now); return err }},
		{"Trends skill", "skill", func() error { _, err := m.Trends(Filter{}, Month, []SeriesKey{{KindSkill, "nope"}}, now); return err }},
		{"Trends category", "category", func() error {
			_, err := m.Trends(Filter{}, Month, []SeriesKey{{KindCategory, "nope"}}, now)
			return err
		}},
		{"Trends group", "group", func() error { _, err := m.Trends(Filter{}, Month, []SeriesKey{{KindGroup, "nope"}}, now); return err }},
		{"Trends too long", "from", func() error {
			_, err := m.Trends(Filter{From: t0.AddDate(-11, 0, 0), To: t0}, Week, nil, now)
			return err
		}},
		{"SkillGaps currency", "currency", func() error { _, err := m.SkillGaps(nil, []string{"a"}, "XYZ", 0, now); return err }},
		{"SalaryGroupOf currency", "currency", func() error { _, err := SalaryGroupOf("k", "n", []float64{1}, "XYZ", 0); return err }},
		{"CurrencyOf", "currency", func() error { _, err := CurrencyOf("XYZ"); return err }},
	}
	for _, c := range other {
		wantInvalid(t, c.name, c.err(), c.field)
	}
	// The valid spellings of the same inputs are accepted.
	if _, err := m.Trends(Filter{From: t0.AddDate(-9, 0, 0), To: t0}, Week, nil, now); err != nil {
		t.Errorf("Trends of 9 years by week: %v", err)
	}
	if _, err := m.Demand(Filter{Countries: []string{" de"}, Regions: []string{"eu"}, Seniority: []string{" Senior", "UNSPECIFIED"},
		Skills: []string{"golang"}, Eligibility: EligRestricted}, "", true, 0, now); err != nil {
		t.Errorf("Demand with lower-case and alias inputs: %v", err)
	}
	if c, err := CurrencyOf(" eur"); err != nil || c != "EUR" {
		t.Errorf("CurrencyOf(eur) = %q, %v", c, err)
	}
}

func wantInvalid(t *testing.T, what string, err error, field string) {
	t.Helper()
	var me *meridian.Error
	if !errors.As(err, &me) {
		t.Errorf("%s: error %v, want a *meridian.Error", what, err)
		return
	}
	if me.Code != meridian.EInvalid || !strings.HasPrefix(me.Message, field+":") {
		t.Errorf("%s: error %q (code %s), want code %s naming %q", what, me.Message, me.Code, meridian.EInvalid, field)
	}
}

// ---------------------------------------------------------------------
// Backend roles

func TestBackendRole(t *testing.T) {
	sk := func(ids ...string) []domain.SkillRequirement {
		var out []domain.SkillRequirement
		for _, id := range ids {
			out = append(out, domain.SkillRequirement{Skill: id, Required: false})
		}
		return out
	}
	for _, tc := range []struct {
		title  string
		skills []domain.SkillRequirement
		want   bool
	}{
		// Titles naming backend work or a backend language.
		{"Senior Backend Engineer", nil, true},
		{"Back-end Developer", nil, true},
		{"Server-side Engineer", nil, true},
		{"API Developer", nil, true},
		{"Platform Engineer", nil, true},
		{"Infrastructure Engineer", nil, true},
		{"Distributed Systems Engineer", nil, true},
		{"Full-Stack Developer", sk("react"), true},
		{"Fullstack Engineer", nil, true},
		{"Site Reliability Engineer", nil, true},
		{"SRE", nil, true},
		{"DevOps Engineer", nil, true},
		{"Data Engineer", nil, true},
		{"Go Developer", nil, true},
		{"Golang Engineer", nil, true},
		{"Senior Go Engineer (Remote)", nil, true},
		{"Python/Django Developer", nil, true},
		{"Node.js Engineer", nil, true},
		{"C# Developer", nil, true},
		{"Rails Developer", nil, true},
		{"Java Engineer", nil, true},
		// General engineering titles: decided by the skills.
		{"Software Engineer", sk("go"), true},
		{"Software Engineer", sk("react"), false},
		{"Software Engineer", nil, false},
		{"Software Engineer", sk("postgresql"), true},  // relational database
		{"Software Engineer", sk("aws-lambda"), true},  // cloud service
		{"Software Engineer", sk("kubernetes"), true},  // orchestration
		{"Software Engineer", sk("graphql"), true},     // API style
		{"Software Engineer", sk("terraform"), false},  // IaC is not on the list
		{"Software Engineer", sk("sql"), false},        // a language, but not a backend one
		{"Software Engineer", sk("zz-legacy"), false},  // unknown to the taxonomy
		{"Staff Engineer", sk("react", "mysql"), true}, // one backend skill is enough
		{"JavaScript Engineer", sk("react"), false},    // "Java" inside a word
		{"JavaScript Engineer", sk("nodejs"), true},    // Node is a backend language
		{"Founding Engineer", sk("docker"), true},      // container
		{"Member of Technical Staff", sk("gcp"), true}, // cloud platform
		{"Senior Developer", sk("python", "react"), true},
		// Frontend, mobile, design, data science, QA, management, other work.
		{"Frontend Engineer", sk("go"), false},
		{"Senior iOS Developer", sk("go"), false},
		{"Android Engineer", sk("kotlin"), false},
		{"Product Designer", sk("aws"), false},
		{"UX Engineer", sk("graphql"), false},
		{"Data Scientist", sk("python"), false},
		{"Research Scientist", sk("python"), false},
		{"QA Engineer", sk("go"), false},
		{"Test Automation Engineer", sk("python"), false},
		{"Engineering Manager", sk("go"), false},
		{"Director of Engineering", sk("aws"), false},
		{"Sales Executive", sk("aws"), false},
		{"Technical Writer", sk("go"), false},
		{"Goal-oriented Marketing Lead", sk("go"), false},
	} {
		if got := BackendRole(tc.title, tc.skills); got != tc.want {
			t.Errorf("BackendRole(%q, %v) = %v, want %v", tc.title, tc.skills, got, tc.want)
		}
	}
}
