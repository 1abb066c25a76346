package search_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/searchtest"
)

func realIndex(t testing.TB) (*search.Index, []search.Doc) {
	t.Helper()
	docs, err := searchtest.RealDocs()
	if err != nil {
		t.Fatal(err)
	}
	ix := search.NewIndex()
	ix.PutBatch(docs)
	return ix, docs
}

// all pages through every result of q.
func all(t testing.TB, ix *search.Index, q search.Query, now time.Time) ([]string, int) {
	t.Helper()
	q.Limit = 100
	var ids []string
	total := -1
	for range 1000 {
		r, err := ix.Search(q, now)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if total >= 0 && r.Total != total {
			t.Fatalf("%+v: total changed between pages", q)
		}
		total = r.Total
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		if r.NextCursor == "" {
			return ids, total
		}
		q.Cursor = r.NextCursor
	}
	t.Fatal("pagination does not end")
	return nil, 0
}

var prepared = map[string]*search.Prepared{}

func brute(t testing.TB, docs []search.Doc, q search.Query, now time.Time) []string {
	t.Helper()
	c, err := search.Compile(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range docs {
		p := prepared[docs[i].ID+"|"+docs[i].Title]
		if p == nil {
			p = search.Prepare(&docs[i])
			prepared[docs[i].ID+"|"+docs[i].Title] = p
		}
		if c.MatchPrepared(p, now) {
			out = append(out, docs[i].ID)
		}
	}
	return out
}

// randomQueries draws queries from the real postings' vocabulary.
func randomQueries(docs []search.Doc, n int, seed uint64) []search.Query {
	r := rand.New(rand.NewPCG(seed, 1))
	var words []string
	for _, d := range docs {
		for _, w := range strings.Fields(strings.ToLower(d.Title)) {
			if w = strings.Trim(w, ".,()/-:;!|"); len(w) > 1 {
				words = append(words, w)
			}
		}
	}
	typo := func(w string) string {
		if len(w) < 5 {
			return w
		}
		i := 1 + r.IntN(len(w)-2)
		b := []byte(w)
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	}
	skillsOf := func() string {
		d := docs[r.IntN(len(docs))]
		if len(d.Skills) == 0 {
			return "python"
		}
		return d.Skills[r.IntN(len(d.Skills))].Skill
	}
	var qs []search.Query
	for range n {
		var q search.Query
		switch r.IntN(4) {
		case 0:
			q.Text = words[r.IntN(len(words))]
		case 1:
			q.Text = words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]
		case 2:
			q.Text = typo(words[r.IntN(len(words))])
		}
		if r.IntN(3) == 0 {
			s := skillsOf()
			q.Text = strings.TrimSpace(q.Text + " " + s[:min(3, len(s))])
		}
		if r.IntN(3) == 0 {
			q.SkillsAll = []string{skillsOf()}
		}
		if r.IntN(4) == 0 {
			q.SkillsAny = []string{skillsOf(), skillsOf()}
		}
		if r.IntN(4) == 0 {
			q.Country = []string{"US", "DE", "GB", "IN", "BR", "CA", "FR", "PL"}[r.IntN(8)]
		}
		if r.IntN(6) == 0 {
			q.Region = []string{"EU", "NORTH_AMERICA", "LATAM", "APAC", "EMEA"}[r.IntN(5)]
		}
		if r.IntN(4) == 0 {
			q.MinSalary = int64(50000 + r.IntN(15)*10000)
			q.Currency = []string{"USD", "EUR", "GBP"}[r.IntN(3)]
			q.IncludeNoSalary = r.IntN(2) == 0
		}
		if r.IntN(5) == 0 {
			q.Seniority = []string{[]string{"senior", "staff", "junior", "mid", "lead"}[r.IntN(5)]}
		}
		if r.IntN(6) == 0 {
			q.TimeZone = []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Los_Angeles"}[r.IntN(4)]
			q.MinOverlapHours = float64(r.IntN(7))
		}
		if r.IntN(6) == 0 {
			q.PostedSince = searchtest.Now.Add(-time.Duration(r.IntN(400)) * 24 * time.Hour)
		}
		if r.IntN(8) == 0 {
			q.EmploymentTypes = []string{"contract"}
		}
		if r.IntN(8) == 0 {
			q.Categories = []string{[]string{"language", "cloud_platform", "relational_database"}[r.IntN(3)]}
		}
		q.Sort = []string{"", "relevance", "newest", "salary"}[r.IntN(4)]
		qs = append(qs, q)
	}
	return qs
}

// TestSearchAgreesWithPredicate: for random queries the index returns
// exactly the postings the standalone predicate (used for saved searches)
// accepts, each once, in sort order, across pages.
func TestSearchAgreesWithPredicate(t *testing.T) {
	ix, docs := realIndex(t)
	byID := map[string]*search.Doc{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	n := 300
	if testing.Short() {
		n = 60
	}
	nonEmpty := 0
	for _, q := range randomQueries(docs, n, 7) {
		got, total := all(t, ix, q, searchtest.Now)
		want := brute(t, docs, q, searchtest.Now)
		if total != len(want) {
			t.Errorf("%+v: total %d, predicate accepts %d", q, total, len(want))
		}
		g := slices.Clone(got)
		sort.Strings(g)
		if !slices.Equal(g, want) {
			t.Errorf("%+v: index and predicate disagree: %d vs %d results", q, len(got), len(want))
			continue
		}
		if len(want) > 0 {
			nonEmpty++
		}
		c, _ := search.Compile(q)
		sortBy := c.Query().Sort
		if sortBy == "" {
			sortBy = "newest"
			if q.Text != "" {
				sortBy = "relevance"
			}
		}
		for i := 1; i < len(got); i++ {
			a, b := byID[got[i-1]], byID[got[i]]
			switch sortBy {
			case "newest":
				if a.PublishedAt.Before(b.PublishedAt) {
					t.Errorf("%+v: not newest first at %d", q, i)
				}
			}
		}
	}
	if nonEmpty < n/4 {
		t.Errorf("only %d of %d random queries had results: the generator is too narrow to test anything", nonEmpty, n)
	}
}

func TestFacetsCountMatches(t *testing.T) {
	t.Run("scan", func(t *testing.T) { testFacets(t) })
	t.Run("bitmaps", func(t *testing.T) {
		defer search.SetScanFacetsMax(0)()
		testFacets(t)
	})
}

func testFacets(t *testing.T) {
	ix, docs := realIndex(t)
	for _, q := range []search.Query{{Text: "python"}, {Country: "DE"}, {Text: "backend", MinSalary: 100000, IncludeNoSalary: true}, {}} {
		q.Facets = true
		r, err := ix.Search(q, searchtest.Now)
		if err != nil {
			t.Fatal(err)
		}
		want := brute(t, docs, q, searchtest.Now)
		skills, seniority, bands := map[string]int{}, map[string]int{}, 0
		for _, id := range want {
			i := slices.IndexFunc(docs, func(d search.Doc) bool { return d.ID == id })
			for _, s := range docs[i].Skills {
				skills[s.Skill]++
			}
			sen := docs[i].Seniority
			if sen == "" {
				sen = "unstated"
			}
			seniority[sen]++
		}
		for _, f := range r.Facets.Skills {
			if skills[f.Value] != f.Count {
				t.Errorf("%+v: skill %s counted %d, want %d", q, f.Value, f.Count, skills[f.Value])
			}
		}
		// The skills facet lists the most frequent ones.
		counts := make([]int, 0, len(skills))
		for _, c := range skills {
			counts = append(counts, c)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(counts)))
		if len(r.Facets.Skills) > 0 && len(counts) >= len(r.Facets.Skills) && r.Facets.Skills[len(r.Facets.Skills)-1].Count != counts[len(r.Facets.Skills)-1] {
			t.Errorf("%+v: skills facet is not the top %d", q, len(r.Facets.Skills))
		}
		for _, f := range r.Facets.Seniority {
			if seniority[f.Value] != f.Count {
				t.Errorf("%+v: seniority %s counted %d, want %d", q, f.Value, f.Count, seniority[f.Value])
			}
		}
		for _, f := range r.Facets.SalaryBands {
			bands += f.Count
		}
		// Both ways of counting give the same facets.
		restore := search.SetScanFacetsMax(1 << 40)
		r2, _ := ix.Search(q, searchtest.Now)
		restore()
		restore = search.SetScanFacetsMax(0)
		r3, _ := ix.Search(q, searchtest.Now)
		restore()
		j2, _ := json.Marshal(r2.Facets)
		j3, _ := json.Marshal(r3.Facets)
		if !bytes.Equal(j2, j3) {
			t.Errorf("%+v: facets by scan and by bitmaps differ:\n%s\n%s", q, j2, j3)
		}
		if bands != len(want) {
			t.Errorf("%+v: salary bands sum to %d, want %d", q, bands, len(want))
		}
	}
}

func doc(id, title string, mod func(*search.Doc)) search.Doc {
	d := search.Doc{ID: id, OrgID: "org-1", OrgName: "Acme", Title: title, Description: "We build things.",
		EmploymentType: "full_time", Eligibility: domain.Eligibility{Worldwide: true}, PublishedAt: searchtest.Now.Add(-time.Hour)}
	if mod != nil {
		mod(&d)
	}
	return d
}

func ids(t *testing.T, ix *search.Index, q search.Query, now time.Time) []string {
	t.Helper()
	got, _ := all(t, ix, q, now)
	sort.Strings(got)
	return got
}

func TestChangesAreSearchableAtOnce(t *testing.T) {
	ix := search.NewIndex()
	ix.Put(doc("a", "Elixir engineer", nil))
	ix.Put(doc("b", "Haskell engineer", func(d *search.Doc) { d.ValidThrough = searchtest.Now.Add(time.Hour) }))
	if got := ids(t, ix, search.Query{Text: "elixir"}, searchtest.Now); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("elixir: %v", got)
	}
	ix.Put(doc("a", "Erlang engineer", nil)) // edited
	if got := ids(t, ix, search.Query{Text: "elixir"}, searchtest.Now); len(got) != 0 {
		t.Fatalf("the old title still matches: %v", got)
	}
	if got := ids(t, ix, search.Query{Text: "erlang"}, searchtest.Now); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("the new title does not match: %v", got)
	}
	if got := ids(t, ix, search.Query{Text: "engineer"}, searchtest.Now); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("engineer: %v", got)
	}
	// b's validThrough passes: it leaves results without any event.
	if got := ids(t, ix, search.Query{Text: "engineer"}, searchtest.Now.Add(2*time.Hour)); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("expired posting still found: %v", got)
	}
	ix.Remove("a") // closed
	if got := ids(t, ix, search.Query{}, searchtest.Now.Add(2*time.Hour)); len(got) != 0 {
		t.Fatalf("closed posting still found: %v", got)
	}
	if ix.Len() != 0 {
		t.Fatalf("Len = %d", ix.Len())
	}
}

// TestCompactionKeepsResults edits most postings many times (triggering
// compactions) and compares with an index built once from the final state.
func TestCompactionKeepsResults(t *testing.T) {
	docs, err := searchtest.RealDocs()
	if err != nil {
		t.Fatal(err)
	}
	ix := search.NewIndex()
	ix.PutBatch(docs)
	final := slices.Clone(docs)
	for round := range 3 {
		for i := range final {
			if i%3 == round%3 {
				final[i].Title = fmt.Sprintf("%s round%d", docs[i].Title, round)
				ix.Put(final[i])
			}
		}
	}
	for i := 0; i < len(final); i += 10 {
		ix.Remove(final[i].ID)
	}
	var kept []search.Doc
	for i := range final {
		if i%10 != 0 {
			kept = append(kept, final[i])
		}
	}
	fresh := search.NewIndex()
	fresh.PutBatch(kept)
	for _, q := range randomQueries(kept, 40, 3) {
		a, ta := all(t, ix, q, searchtest.Now)
		b, tb := all(t, fresh, q, searchtest.Now)
		if c, _ := search.Compile(q); c.Query().Sort == "relevance" || (q.Sort == "" && q.Text != "") {
			// Scores use document frequencies that count edited-away
			// versions until a compaction: compare sets, not order.
			sort.Strings(a)
			sort.Strings(b)
		}
		if ta != tb || !slices.Equal(a, b) {
			t.Errorf("%+v: edited index %d results, fresh %d", q, ta, tb)
		}
	}
	if got := ids(t, ix, search.Query{Text: "round2"}, searchtest.Now); len(got) == 0 {
		t.Error("the last edits are not searchable")
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	ix, docs := realIndex(t)
	ix.Remove(docs[0].ID)
	ix.SetPosition(4242)
	var buf bytes.Buffer
	if err := ix.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := search.Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if back.Position() != 4242 || back.Len() != ix.Len() {
		t.Fatalf("position %d len %d, want 4242 %d", back.Position(), back.Len(), ix.Len())
	}
	for _, q := range randomQueries(docs, 60, 11) {
		q.Facets = true
		a, _ := ix.Search(q, searchtest.Now)
		b, _ := back.Search(q, searchtest.Now)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%+v: results differ after reload", q)
		}
	}
	// The reloaded index keeps working incrementally.
	back.Put(doc("new", "Zig compiler engineer", nil))
	if got := ids(t, back, search.Query{Text: "zig compiler"}, searchtest.Now); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("after reload: %v", got)
	}
	if _, err := search.Load(strings.NewReader("not a snapshot")); err == nil {
		t.Fatal("garbage loaded")
	}
}

func TestTextMatching(t *testing.T) {
	ix := search.NewIndex()
	ix.PutBatch([]search.Doc{
		doc("k8s", "Platform engineer", func(d *search.Doc) { d.Description = "You will run Kubernetes clusters." }),
		doc("go", "Backend engineer", func(d *search.Doc) {
			d.Description = "Our services are written in Go."
			d.Skills = []domain.SkillRequirement{{Skill: "go", Level: 3, Required: true}}
		}),
		doc("cpp", "C++ developer", nil),
		doc("ds", "Engineer, distributed systems", nil),
		doc("sd", "Systems engineer", func(d *search.Doc) { d.Description = "Distributed teams welcome." }),
		doc("org", "Engineer", func(d *search.Doc) { d.OrgName = "Stripe" }),
	})
	cases := []struct {
		q    string
		want []string
	}{
		{"kubernetes", []string{"k8s"}},
		{"kuberntes", []string{"k8s"}}, // one typo
		{"kube", []string{"k8s"}},      // prefix of the last word
		{"golang", []string{"go"}},     // the skill the word names
		{"c++", []string{"cpp"}},       // kept as a word
		{"stripe", []string{"org"}},    // company name
		{"clusters", []string{"k8s"}},  // stemming
		{"cluster", []string{"k8s"}},
		{"haskell", nil},
	}
	for _, c := range cases {
		got := ids(t, ix, search.Query{Text: c.q}, searchtest.Now)
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%q: got %v, want %v", c.q, got, c.want)
		}
	}
	// Phrase boost: the title with the words in order ranks first.
	r, err := ix.Search(search.Query{Text: "distributed systems"}, searchtest.Now)
	if err != nil || len(r.Hits) != 2 || r.Hits[0].ID != "ds" {
		t.Fatalf("distributed systems: %+v %v", r.Hits, err)
	}
}

func TestQueryValidation(t *testing.T) {
	ix := search.NewIndex()
	for _, q := range []search.Query{
		{Country: "XX"}, {Region: "MARS"}, {Currency: "ZZZ", MinSalary: 1}, {Sort: "random"}, {Limit: 101},
		{SkillsAll: []string{"no-such-skill"}}, {Seniority: []string{"wizard"}}, {TimeZone: "Mars/Olympus"},
		{MinOverlapHours: 3}, {Cursor: "!!"}, {MinSalary: -5}, {Text: strings.Repeat("word ", 200)},
	} {
		_, err := ix.Search(q, searchtest.Now)
		var me *meridian.Error
		if !errors.As(err, &me) || me.Code != meridian.EInvalid {
			t.Errorf("%+v: error %v, want invalid", q, err)
		}
	}
}

func TestMatchExplains(t *testing.T) {
	ix := search.NewIndex()
	salary := &domain.Salary{Min: 9000000, Max: 11000000, Currency: "EUR", Period: "year"}
	ix.PutBatch([]search.Doc{
		doc("sql-eu", "Data engineer", func(d *search.Doc) {
			d.Skills = []domain.SkillRequirement{{Skill: "sql", Level: 3, Required: true}, {Skill: "python", Level: 3, Required: true}, {Skill: "kafka", Level: 2}}
			d.Eligibility = domain.Eligibility{Regions: []string{"EU"}}
			d.Salary = salary
			d.Seniority = "senior"
			ref := 3.0
			d.TimeZone = &domain.TimeZoneRule{ReferenceZone: "America/New_York", ReferenceStart: "09:00", ReferenceEnd: "17:00", OverlapHours: ref}
		}),
		doc("us-only", "Data engineer", func(d *search.Doc) {
			d.Skills = []domain.SkillRequirement{{Skill: "sql", Required: true}}
			d.Eligibility = domain.Eligibility{Countries: []string{"US"}}
		}),
		doc("unrelated", "Designer", func(d *search.Doc) {
			d.Skills = []domain.SkillRequirement{{Skill: "figma", Required: true}}
		}),
	})
	p := search.Profile{ID: "p", Skills: []domain.ProfileSkill{{Skill: "postgresql", Level: 4}, {Skill: "python", Level: 2}},
		Countries: []string{"DE"}, TimeZone: "Europe/Berlin", WorkStart: "10:00", WorkEnd: "18:00",
		SalaryFloor: &domain.Salary{Min: 8000000, Currency: "EUR", Period: "year"}, Seniority: "senior"}
	page, err := ix.MatchProfile(p, search.MatchOptions{}, searchtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].JobID != "sql-eu" {
		t.Fatalf("matches: %+v", page.Items)
	}
	x := page.Items[0].Explanation
	if !slices.Contains(x.Eligible, "open to DE through EU") {
		t.Errorf("eligible: %v", x.Eligible)
	}
	var sql *search.SkillMatch
	for i := range x.Matched {
		if x.Matched[i].Skill == "sql" {
			sql = &x.Matched[i]
		}
	}
	if sql == nil || sql.Via != "postgresql" || sql.Credit >= 1 || sql.Credit <= 0 || !strings.Contains(sql.How, "PostgreSQL is a kind of SQL") {
		t.Errorf("sql through postgresql: %+v", sql)
	}
	if len(x.Missing) != 1 || x.Missing[0].Skill != "kafka" || x.Missing[0].Required {
		t.Errorf("missing: %+v", x.Missing)
	}
	// Berlin 10–18 against New York 9–17 on 30 Nov (UTC+1, UTC-5): 2 hours,
	// below the 3 required: not eligible. Berlin 13–21 overlaps 5 hours.
	if x.OverlapHours == nil {
		t.Fatal("no overlap hours")
	}
	if x.Salary.Fit != "meets" || x.Salary.Floor == nil || x.Salary.Floor.Min != 80000 || x.Salary.Posting == nil || x.Salary.Posting.Max != 110000 || x.Salary.Posting.Currency != "EUR" {
		t.Errorf("salary: %+v %+v %+v", x.Salary, x.Salary.Floor, x.Salary.Posting)
	}
	if x.Seniority != "match" {
		t.Errorf("seniority %q", x.Seniority)
	}
	sum := 0.0
	for _, v := range x.Components {
		sum += v
	}
	if d := sum - page.Items[0].Score; d > 1e-6 || d < -1e-6 {
		t.Errorf("components sum to %v, score %v", sum, page.Items[0].Score)
	}
	// Same profile viewed in USD.
	page2, _ := ix.MatchProfile(p, search.MatchOptions{Currency: "USD"}, searchtest.Now)
	if s := page2.Items[0].Explanation.Salary; s.Posting.Currency != "USD" || s.Floor.Currency != "USD" || s.Posting.Max <= 110000 {
		t.Errorf("in USD: %+v %+v", s.Posting, s.Floor)
	}
}

func TestMatchOverlapIsHard(t *testing.T) {
	ix := search.NewIndex()
	ix.Put(doc("ny", "Data engineer", func(d *search.Doc) {
		d.Skills = []domain.SkillRequirement{{Skill: "python", Required: true}}
		d.TimeZone = &domain.TimeZoneRule{ReferenceZone: "America/New_York", ReferenceStart: "09:00", ReferenceEnd: "17:00", OverlapHours: 4}
	}))
	p := search.Profile{Skills: []domain.ProfileSkill{{Skill: "python", Level: 3}}, Countries: []string{"DE"}, TimeZone: "Europe/Berlin", WorkStart: "09:00", WorkEnd: "17:00"}
	page, _ := ix.MatchProfile(p, search.MatchOptions{}, searchtest.Now)
	if len(page.Items) != 0 {
		t.Fatalf("Berlin 9–17 has 2 h with New York 9–17, 4 required: %+v", page.Items)
	}
	p.WorkStart, p.WorkEnd = "13:00", "21:00"
	page, _ = ix.MatchProfile(p, search.MatchOptions{}, searchtest.Now)
	if len(page.Items) != 1 || *page.Items[0].Explanation.OverlapHours != 6 {
		t.Fatalf("Berlin 13–21 has 6 h with New York 9–17: %+v", page.Items)
	}
}
