package searchbench

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// smokeN is the corpus of the tests: small enough for `go test ./...` on
// two cores.
const smokeN = 3000

var (
	smokeOnce sync.Once
	smokeDocs []search.Doc
)

func smokeCorpus() []search.Doc {
	smokeOnce.Do(func() { smokeDocs = Corpus(smokeN, 1) })
	return smokeDocs
}

func TestCorpusDeterministic(t *testing.T) {
	a := smokeCorpus()
	b := Corpus(500, 1)
	if !reflect.DeepEqual(a[:500], b) {
		t.Fatal("Corpus(500, 1) is not the prefix of Corpus(3000, 1)")
	}
	c := Corpus(500, 2)
	if reflect.DeepEqual(b, c) {
		t.Fatal("seeds 1 and 2 give the same corpus")
	}
	m, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	realDesc := map[string]bool{}
	for _, d := range m.real {
		realDesc[d.Description] = true
	}
	ids := map[string]bool{}
	orgs := map[string]bool{}
	var salaried, skilled, verbatim int
	for i := range a {
		d := &a[i]
		if ids[d.ID] {
			t.Fatalf("duplicate id %s", d.ID)
		}
		ids[d.ID] = true
		orgs[d.OrgID] = true
		if d.Title == "" || d.OrgName == "" || len(d.Description) < 100 {
			t.Errorf("%s: empty title, company or description: %+v", d.ID, d)
		}
		if d.PublishedAt.After(Now) || d.PublishedAt.Before(Now.Add(-span)) {
			t.Errorf("%s: published %s, outside the 180 days before %s", d.ID, d.PublishedAt, Now)
		}
		if d.Salary != nil {
			salaried++
		}
		if len(d.Skills) > 0 {
			skilled++
		}
		if realDesc[d.Description] {
			verbatim++
		}
	}
	t.Logf("%d postings: %d organizations, %d with a salary, %d with skills, %d verbatim real descriptions", len(a), len(orgs), salaried, skilled, verbatim)
	if salaried < len(a)/6 || salaried > len(a)/2 {
		t.Errorf("%d of %d postings have a salary; the real set has about a quarter", salaried, len(a))
	}
	if skilled < len(a)*2/3 {
		t.Errorf("only %d of %d postings have skills", skilled, len(a))
	}
	if verbatim > len(a)/10 {
		t.Errorf("%d of %d descriptions are verbatim copies of real ones", verbatim, len(a))
	}
	if len(orgs) < len(a)/2 {
		t.Errorf("only %d organizations among %d postings", len(orgs), len(a))
	}
}

func TestMix(t *testing.T) {
	a, b := Mix(1), Mix(1)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Mix(1) is not deterministic")
	}
	counts := map[string]int{}
	for _, q := range a {
		counts[q.Kind]++
		switch q.Kind {
		case KindMatch:
			if len(q.Profile.Skills) == 0 || len(q.Profile.Countries) == 0 || q.Profile.TimeZone == "" || q.Profile.SalaryFloor == nil {
				t.Errorf("%s: incomplete profile", q.Name)
			}
		case KindText:
			if q.Query.Text == "" || q.Query.Facets {
				t.Errorf("%s: text query without text or with facets", q.Name)
			}
		case KindFilters:
			if q.Query.Text != "" || reflect.DeepEqual(q.Query, search.Query{Sort: q.Query.Sort}) {
				t.Errorf("%s: filter query with text or without filters", q.Name)
			}
		case KindFacets:
			if q.Query.Text == "" || !q.Query.Facets {
				t.Errorf("%s: want text and facets", q.Name)
			}
		default:
			t.Errorf("%s: unknown kind %q", q.Name, q.Kind)
		}
		if q.Query.MinSalary > 0 && currencyIndex(q.Query.Currency) < 0 {
			t.Errorf("%s: currency %s is not precomputed by the peers", q.Name, q.Query.Currency)
		}
	}
	want := map[string]int{KindText: 40, KindFilters: 40, KindFacets: 40, KindMatch: 30}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("kinds %v, want %v", counts, want)
	}
	var buf bytes.Buffer
	WriteQueries(&buf, a)
	for _, s := range []string{"q=kubernets", "q=kube", `q="distributed systems"`, "minSalary=EUR", "region=", "country=", "+facets", "profile-01"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("mix lacks %q", s)
		}
	}
}

func TestParseText(t *testing.T) {
	for _, c := range []struct {
		in   string
		want text
	}{
		{"golang", text{words: []string{"golang"}, prefixLast: true}},
		{"Backend  engineer!", text{words: []string{"backend", "engineer"}, prefixLast: true}},
		{`"distributed systems"`, text{phrases: [][]string{{"distributed", "systems"}}}},
		{`"distributed systems" go`, text{words: []string{"go"}, phrases: [][]string{{"distributed", "systems"}}, prefixLast: true}},
		{`"rust"`, text{words: []string{"rust"}}},
	} {
		if got := parseText(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseText(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	if got := fts5Match(parseText(`go "distributed systems" kube`)); got != `"go" AND "kube" * AND "distributed systems"` {
		t.Errorf("fts5Match = %s", got)
	}
	if got := tsquery(parseText(`go "distributed systems" kube`)); got != `'go' & 'kube':* & ('distributed' <-> 'systems')` {
		t.Errorf("tsquery = %s", got)
	}
}

// refTotal counts the postings matching q's filters, straight from the
// definitions in facts.go: the expected total of every engine for a
// filter-only query.
func refTotal(docs []search.Doc, fs []facts, q search.Query) int {
	n := 0
	has := func(set []string, vs ...string) bool {
		for _, v := range vs {
			if slices.Contains(set, v) {
				return true
			}
		}
		return false
	}
	for i := range docs {
		d, f := &docs[i], &fs[i]
		ok := true
		for _, s := range q.SkillsAll {
			ok = ok && has(f.skills, s)
		}
		ok = ok && (len(q.SkillsAny) == 0 || has(f.skills, q.SkillsAny...))
		ok = ok && (len(q.Categories) == 0 || has(f.cats, q.Categories...))
		ok = ok && (len(q.Seniority) == 0 || slices.Contains(q.Seniority, d.Seniority))
		ok = ok && (len(q.EmploymentTypes) == 0 || slices.Contains(q.EmploymentTypes, d.EmploymentType))
		ok = ok && (q.OrgID == "" || d.OrgID == q.OrgID)
		ok = ok && (q.Country == "" || d.Eligibility.Allows(q.Country))
		ok = ok && (q.Region == "" || has(f.places, "WW", q.Region))
		if q.MinSalary > 0 {
			top := f.top[currencyIndex(q.Currency)]
			ok = ok && (top >= q.MinSalary*100 || top < 0 && q.IncludeNoSalary)
		}
		ok = ok && (q.PostedSince.IsZero() || !d.PublishedAt.Before(q.PostedSince))
		if ok {
			n++
		}
	}
	return n
}

// checkEngine builds e on the smoke corpus and checks it against the
// reference: filter-only totals equal refTotal; every other query runs.
func checkEngine(t *testing.T, e Engine) {
	docs := smokeCorpus()
	fs := allFacts(docs)
	defer e.Close()
	if err := protect(func() error { return e.Build(docs) }); err != nil {
		t.Fatalf("%s: build: %v", e.Name(), err)
	}
	nonEmpty := 0
	for _, q := range Mix(1) {
		var ids []string
		var total int
		err := protect(func() error {
			var err error
			if q.Kind == KindMatch {
				ids, total, err = e.Match(q.Profile)
			} else {
				ids, total, err = e.Search(q.Query)
			}
			return err
		})
		if err != nil {
			t.Errorf("%s: %s: %v", e.Name(), q.Name, err)
			continue
		}
		if len(ids) > pageSize || total >= 0 && len(ids) > total || total > 0 && len(ids) == 0 {
			t.Errorf("%s: %s: %d ids of %d", e.Name(), q.Name, len(ids), total)
		}
		if q.Kind == KindFilters {
			if want := refTotal(docs, fs, q.Query); total != want {
				t.Errorf("%s: %s: total %d, want %d", e.Name(), q.Name, total, want)
			}
		}
		if len(ids) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 60 {
		t.Errorf("%s: only %d queries of the mix found anything", e.Name(), nonEmpty)
	}
}

func TestReferenceTotals(t *testing.T) {
	// The filter-only queries must not be trivial on the smoke corpus.
	docs := smokeCorpus()
	fs := allFacts(docs)
	some := 0
	for _, q := range filterQueries(Mix(1)) {
		if n := refTotal(docs, fs, q.Query); n > 0 && n < len(docs) {
			some++
		}
	}
	if some < 25 {
		t.Errorf("only %d of 40 filter queries select a proper, non-empty subset", some)
	}
}

func TestBleve(t *testing.T) { checkEngine(t, NewBleve()) }

func TestFTS5(t *testing.T) { checkEngine(t, &FTS5{Dir: t.TempDir()}) }

// TestPostgres needs the PostgreSQL server of storetest: skipped when it
// is unreachable, failed under CI=true.
func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL engine skipped in -short mode")
	}
	checkEngine(t, NewPostgres(storetest.PostgresURL(t)))
}

// TestMeridian checks Meridian's index against the same reference (it
// needs internal/search's index).
func TestMeridian(t *testing.T) { checkEngine(t, NewMeridian()) }

// TestRun runs the whole harness on a small corpus.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("harness run skipped in -short mode")
	}
	rep, err := Run(Config{N: 2000, Seed: 1, Engines: []string{"meridian", "bleve", "fts5"}, Reps: 1, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep.WriteMarkdown(&buf)
	t.Log("\n" + buf.String())
	for _, r := range rep.Engines {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Name, r.Err)
			continue
		}
		if r.QueryErrs > 0 {
			t.Errorf("%s: %d failed queries, first: %v", r.Name, r.QueryErrs, r.FirstQueryErr)
		}
		for _, k := range Kinds {
			if ks := r.Kinds[k]; ks == nil || ks.N == 0 {
				t.Errorf("%s: no latencies for %s", r.Name, k)
			}
		}
	}
	if rows := rep.Rows(); len(rows) < 3 {
		t.Errorf("Rows: %d rows", len(rows))
	}
	if !strings.Contains(buf.String(), "| text | Bleve") {
		t.Errorf("report lacks the per-kind table:\n%s", buf.String())
	}
}

// benchN is the corpus of the testing.B benchmarks: SEARCHBENCH_N
// postings (default 20,000).
func benchN(b *testing.B) int {
	if s := os.Getenv("SEARCHBENCH_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("SEARCHBENCH_N=%q: want a positive integer", s)
		}
		return n
	}
	return 20_000
}

var (
	benchDocsMu sync.Mutex
	benchDocs   = map[int][]search.Doc{}
)

func benchCorpus(b *testing.B) []search.Doc {
	n := benchN(b)
	benchDocsMu.Lock()
	defer benchDocsMu.Unlock()
	if d, ok := benchDocs[n]; ok {
		return d
	}
	d := Corpus(n, 1)
	benchDocs[n] = d
	return d
}

func benchEngine(b *testing.B, name string) Engine {
	switch name {
	case "postgres":
		return NewPostgres(storetest.PostgresURL(b))
	case "fts5":
		return &FTS5{Dir: b.TempDir()}
	}
	e, err := NewEngine(name, Config{})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkBuild/<engine> indexes SEARCHBENCH_N postings per op.
func BenchmarkBuild(b *testing.B) {
	for _, name := range EngineNames {
		b.Run(name, func(b *testing.B) {
			docs := benchCorpus(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e := benchEngine(b, name)
				b.StartTimer()
				if err := protect(func() error { return e.Build(docs) }); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				e.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(len(docs))*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
		})
	}
}

// BenchmarkSearchMix/<engine>/<kind> runs every query of a kind of the mix
// per op, on an index of SEARCHBENCH_N postings built once per engine.
func BenchmarkSearchMix(b *testing.B) {
	mix := Mix(1)
	for _, name := range EngineNames {
		b.Run(name, func(b *testing.B) {
			docs := benchCorpus(b)
			e := benchEngine(b, name)
			defer e.Close()
			if err := protect(func() error { return e.Build(docs) }); err != nil {
				b.Fatal(err)
			}
			for _, kind := range Kinds {
				var qs []NamedQuery
				for _, q := range mix {
					if q.Kind == kind {
						qs = append(qs, q)
					}
				}
				b.Run(strings.ReplaceAll(kind, "+", "_"), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						for _, q := range qs {
							err := protect(func() error {
								var err error
								if q.Kind == KindMatch {
									_, _, err = e.Match(q.Profile)
								} else {
									_, _, err = e.Search(q.Query)
								}
								return err
							})
							if err != nil {
								b.Fatalf("%s: %v", q.Name, err)
							}
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(qs)), "ns/query")
				})
			}
		})
	}
}
