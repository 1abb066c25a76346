package demo_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/demo"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir(), MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// allJobs pages through the published jobs.
func allJobs(t *testing.T, q *readmodel.Queries, f readmodel.JobFilter) []readmodel.Job {
	t.Helper()
	var out []readmodel.Job
	f.Limit, f.Now = 100, time.Now().UTC()
	for {
		page, err := q.Jobs(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		f.Cursor = page.NextCursor
	}
}

func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads about a thousand postings")
	}
	ctx := context.Background()
	db := openStore(t)
	log := slog.New(slog.DiscardHandler)
	a := app.New(db, nil, log)

	start := time.Now()
	sum, err := demo.Load(ctx, a, log)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("Load took %s: %+v", took, sum)
	if sum.AlreadyLoaded {
		t.Fatal("first load reports AlreadyLoaded")
	}
	if sum.Posts != 1425 {
		t.Errorf("posts read = %d, want 1425", sum.Posts)
	}
	if sum.Jobs < 500 || sum.Orgs < 300 || sum.Jobs+sum.Merged+sum.Skipped != sum.Records || sum.Records < sum.Posts-50 {
		t.Errorf("jobs %d, merged %d, orgs %d, skipped %d of %d records from %d posts", sum.Jobs, sum.Merged, sum.Orgs, sum.Skipped, sum.Records, sum.Posts)
	}
	if sum.Profiles < 8 || sum.Profiles > 12 || sum.Applications < 15 || sum.Notes == 0 {
		t.Errorf("profiles %d, applications %d, notes %d", sum.Profiles, sum.Applications, sum.Notes)
	}
	if took > time.Minute {
		t.Errorf("Load took %s, want well under a minute", took)
	}

	if _, err := projection.Rebuild(ctx, db, readmodel.Projection{}); err != nil {
		t.Fatal(err)
	}
	q := readmodel.NewQueries(db)

	jobs := allJobs(t, q, readmodel.JobFilter{})
	if len(jobs) < 500 || len(jobs) != sum.Jobs {
		t.Fatalf("published jobs in the read model = %d, summary says %d", len(jobs), sum.Jobs)
	}
	withSkills, withSalary, worldwide := 0, 0, 0
	for _, j := range jobs {
		if len(j.Skills) > 0 {
			withSkills++
		}
		if j.Salary != nil {
			withSalary++
		}
		e := j.Eligibility
		if !e.Worldwide && len(e.Countries) == 0 && len(e.Regions) == 0 {
			t.Errorf("job %s (%s) has no eligibility", j.ID, j.Source)
		}
		if e.Worldwide {
			worldwide++
		}
		if !strings.HasPrefix(j.Source, "hn:") || !strings.Contains(j.Description, "news.ycombinator.com/item?id=") {
			t.Errorf("job %s: source %q, description without its HN link", j.ID, j.Source)
		}
		if j.ValidThrough == nil || j.ValidThrough.Before(time.Now().Add(59*24*time.Hour)) {
			t.Errorf("job %s valid through %v, want about 60 days from now", j.ID, j.ValidThrough)
		}
	}
	if withSkills < len(jobs)/2 || withSalary < len(jobs)/5 || worldwide == 0 {
		t.Errorf("of %d jobs: %d with skills, %d with salary, %d worldwide", len(jobs), withSkills, withSalary, worldwide)
	}

	// A known real posting: RecruitiFi, January 2026 (HN item 46469634):
	// "RecruitiFi | Software Engineer (Full-stack) | REMOTE (US) | Full-time | $130k–$160k".
	var found *readmodel.Job
	for i, j := range jobs {
		if j.Source == "hn:46469634" {
			found = &jobs[i]
		}
	}
	if found == nil {
		t.Fatal("posting hn:46469634 (RecruitiFi) not found")
	}
	if found.OrgName != "RecruitiFi" || found.Title != "Software Engineer (Full-stack)" {
		t.Errorf("RecruitiFi posting: org %q, title %q", found.OrgName, found.Title)
	}
	if s := found.Salary; s == nil || *s != (domain.Salary{Min: 130000_00, Max: 160000_00, Currency: "USD", Period: "year"}) {
		t.Errorf("RecruitiFi salary = %+v", found.Salary)
	}
	if e := found.Eligibility; e.Worldwide || len(e.Countries) != 1 || e.Countries[0] != "US" {
		t.Errorf("RecruitiFi eligibility = %+v", e)
	}
	if len(found.Skills) == 0 {
		t.Error("RecruitiFi posting has no skills")
	}

	// The filters work on the demo data: Go jobs open to someone in Germany.
	if goDE := allJobs(t, q, readmodel.JobFilter{Skills: []string{"go"}, Country: "DE"}); len(goDE) == 0 {
		t.Error("no Go jobs open to Germany")
	}

	profiles, err := q.Profiles(ctx, readmodel.ProfileFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(profiles.Items) != sum.Profiles {
		t.Errorf("profiles in the read model = %d, want %d", len(profiles.Items), sum.Profiles)
	}
	for _, p := range profiles.Items {
		if !strings.HasPrefix(p.DisplayName, "Demo Developer (") || !strings.HasPrefix(p.OwnerID, "demo-dev-") || len(p.Skills) < 3 {
			t.Errorf("profile %+v", p)
		}
	}
	apps, err := q.Applications(ctx, readmodel.ApplicationFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	for _, ap := range apps.Items {
		stages[ap.Stage]++
	}
	if len(apps.Items) != sum.Applications || stages[domain.StageHired] == 0 || stages[domain.StageRejected] == 0 || stages[domain.StageApplied] == 0 {
		t.Errorf("applications by stage: %v (summary %d)", stages, sum.Applications)
	}

	// Loading again finds the demo and writes nothing.
	head, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := demo.Load(ctx, a, log)
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyLoaded || again.Jobs != 0 {
		t.Errorf("second load: %+v", again)
	}
	if head2, _ := db.Head(ctx); head2 != head {
		t.Errorf("second load appended events: head %d → %d", head, head2)
	}
}

// TestLoadedWhileReadModelLags checks that a second load is refused even
// before the read model has seen the first one.
func TestLoadedWhileReadModelLags(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	a := app.New(db, nil, slog.New(slog.DiscardHandler))
	if ok, err := demo.Loaded(ctx, a); err != nil || ok {
		t.Fatalf("Loaded on an empty store = %v, %v", ok, err)
	}
	// The first batch of a load (its first organization), not yet projected.
	sys := meridian.WithPrincipal(ctx, demo.Principal)
	r, err := demo.Data()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	first, err := ingest.NewHNDecoder(r, 0).Next()
	if err != nil || first.Job == nil {
		t.Fatalf("first record: %+v %v", first, err)
	}
	if _, err := a.ImportJobs(sys, "", []app.ImportJob{{Key: "k", Company: first.Job.Company,
		Details: domain.JobDetails{Title: "Backend Engineer", Eligibility: domain.Eligibility{Worldwide: true}}}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := demo.Loaded(ctx, a); err != nil || !ok {
		t.Fatalf("Loaded after a partial load = %v, %v", ok, err)
	}
	// Another organization does not count.
	db2 := openStore(t)
	a2 := app.New(db2, nil, slog.New(slog.DiscardHandler))
	other := meridian.WithPrincipal(ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: "someone"})
	if _, err := a2.CreateOrg(other, domain.OrgDetails{Name: "Someone's Org"}, ""); err != nil {
		t.Fatal(err)
	}
	if ok, err := demo.Loaded(ctx, a2); err != nil || ok {
		t.Fatalf("Loaded with only a user's event = %v, %v", ok, err)
	}
}

func TestSummaryJSON(t *testing.T) {
	b, err := json.Marshal(demo.Summary{Jobs: 3, Duration: 2500 * time.Millisecond, SkipReasons: map[string]int{"no role found": 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"jobs":3`, `"duration":"2.5s"`, `"no role found":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}
