package search_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

type followEnv struct {
	t     *testing.T
	db    *store.DB
	app   *app.App
	ctx   context.Context
	clock time.Time
	org   string
}

func newFollowEnv(t *testing.T) *followEnv {
	db := storetest.OpenSQLite(t)
	a := app.New(db, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e := &followEnv{t: t, db: db, app: a, clock: time.Now().UTC().Truncate(time.Second)}
	a.Clock = func() time.Time { return e.clock }
	e.ctx = meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "owner-1"})
	res, err := a.CreateOrg(e.ctx, domain.OrgDetails{Name: "Acme Robotics"}, "owner-1")
	if err != nil {
		t.Fatal(err)
	}
	e.org = res.ID
	return e
}

func (e *followEnv) job(title string, publish bool) string {
	e.t.Helper()
	res, err := e.app.DraftJob(e.ctx, e.org, domain.JobDetails{Title: title, Description: "Remote role.", EmploymentType: "full_time",
		Eligibility: domain.Eligibility{Worldwide: true}, Skills: []domain.SkillRequirement{{Skill: "go", Level: 3, Required: true}}})
	if err != nil {
		e.t.Fatal(err)
	}
	if publish {
		if _, err := e.app.PublishJob(e.ctx, res.ID, -1); err != nil {
			e.t.Fatal(err)
		}
	}
	return res.ID
}

func (e *followEnv) follower(path string) *search.Follower {
	e.t.Helper()
	f := &search.Follower{DB: e.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SnapshotPath: path, Poll: 10 * time.Millisecond}
	if err := f.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return f
}

// sync waits until the follower has applied everything in the store.
func (e *followEnv) sync(f *search.Follower) {
	e.t.Helper()
	head, err := e.db.Head(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitFor(ctx, head); err != nil {
		e.t.Fatalf("index at %d, store at %d: %v", f.Index().Position(), head, err)
	}
}

func (e *followEnv) find(f *search.Follower, q string) []string {
	e.t.Helper()
	r, err := f.Index().Search(search.Query{Text: q, Limit: 100}, e.clock)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, h := range r.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestFollowerKeepsIndexCurrent(t *testing.T) {
	e := newFollowEnv(t)
	before := e.job("Robotics Engineer", true)
	e.job("Draft Engineer", false)
	f := e.follower("")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = f.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	e.sync(f)
	if got := e.find(f, "robotics"); !slices.Equal(got, []string{before}) {
		t.Fatalf("robotics: %v (drafts must not be searchable)", got)
	}
	if got := e.find(f, "draft"); len(got) != 0 {
		t.Fatalf("a draft is searchable: %v", got)
	}
	// A new posting, found by the company name too.
	id := e.job("Firmware Engineer", true)
	e.sync(f)
	if got := e.find(f, "firmware acme"); !slices.Equal(got, []string{id}) {
		t.Fatalf("firmware acme: %v", got)
	}
	// An edit replaces the old text.
	if _, err := e.app.UpdateJob(e.ctx, id, -1, domain.JobDetails{Title: "Embedded Engineer", Description: "Remote role.", EmploymentType: "full_time",
		Eligibility: domain.Eligibility{Worldwide: true}}); err != nil {
		t.Fatal(err)
	}
	e.sync(f)
	if got := e.find(f, "firmware"); len(got) != 0 {
		t.Fatalf("old title still found: %v", got)
	}
	if got := e.find(f, "embedded"); !slices.Equal(got, []string{id}) {
		t.Fatalf("new title not found: %v", got)
	}
	// Renaming the organization re-indexes its postings' company name.
	if _, err := e.app.UpdateOrg(e.ctx, e.org, -1, domain.OrgDetails{Name: "Zebra Machines"}); err != nil {
		t.Fatal(err)
	}
	e.sync(f)
	if got := e.find(f, "zebra"); len(got) != 2 {
		t.Fatalf("renamed company: %v", got)
	}
	// Closing removes it; an expired posting renewed comes back.
	if _, err := e.app.CloseJob(e.ctx, id, -1, "filled"); err != nil {
		t.Fatal(err)
	}
	e.sync(f)
	if got := e.find(f, "embedded"); len(got) != 0 {
		t.Fatalf("closed posting still found: %v", got)
	}
	e.clock = e.clock.Add(61 * 24 * time.Hour)
	if got := e.find(f, "robotics"); len(got) != 0 {
		t.Fatalf("posting past validThrough still found: %v", got)
	}
	sys := meridian.WithPrincipal(context.Background(), meridian.System("expiry"))
	if _, err := e.app.ExpireDue(sys); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.RenewJob(e.ctx, before, -1, e.clock.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.sync(f)
	if got := e.find(f, "robotics"); !slices.Equal(got, []string{before}) {
		t.Fatalf("renewed posting: %v", got)
	}
}

func TestFollowerSnapshotRestart(t *testing.T) {
	e := newFollowEnv(t)
	path := filepath.Join(t.TempDir(), "search.snapshot")
	for _, title := range []string{"Alpha Engineer", "Beta Engineer", "Gamma Engineer"} {
		e.job(title, true)
	}
	f := e.follower(path)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	saved := f.Index().Position()
	// Written after the snapshot: the restarted node catches up from it.
	delta := e.job("Delta Engineer", true)

	g := e.follower(path)
	if got := len(e.find(g, "engineer")); got != 4 {
		t.Fatalf("after restart from snapshot at %d: %d postings, want 4", saved, got)
	}
	if got := e.find(g, "delta"); !slices.Equal(got, []string{delta}) {
		t.Fatalf("delta: %v", got)
	}
	// A damaged snapshot is not trusted: the index is rebuilt from the store.
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := e.follower(path)
	if got := len(e.find(h, "engineer")); got != 4 {
		t.Fatalf("after a damaged snapshot: %d postings, want 4", got)
	}
	// Rebuild gives the same index.
	if err := h.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(e.find(h, "engineer")); got != 4 {
		t.Fatalf("after rebuild: %d postings", got)
	}
}

// BenchmarkPublishToSearchable measures the time from a publish command
// returning to the posting being found by a search on the node's index
// (SQLite store, follower woken by the local append). Reported as
// ns/op and as p50/p99 metrics.
func BenchmarkPublishToSearchable(b *testing.B) {
	db := storetest.OpenSQLite(b)
	a := app.New(db, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "owner-1"})
	org, err := a.CreateOrg(ctx, domain.OrgDetails{Name: "Bench Co"}, "owner-1")
	if err != nil {
		b.Fatal(err)
	}
	f := &search.Follower{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := f.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = f.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		word := fmt.Sprintf("zq%dx", i)
		res, err := a.DraftJob(ctx, org.ID, domain.JobDetails{Title: "Engineer " + word, Description: "Remote.", EmploymentType: "full_time",
			Eligibility: domain.Eligibility{Worldwide: true}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.PublishJob(ctx, res.ID, -1); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for {
			r, err := f.Index().Search(search.Query{Text: word + " "}, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			if r.Total == 1 {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatal("not searchable within 10s")
			}
			time.Sleep(50 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// An imported posting is as new as its source says: "newest" and
// postedSince follow the date its page shows, not the moment it was
// imported.
func TestFollowerDatesPostingsAsTheirPagesDo(t *testing.T) {
	e := newFollowEnv(t)
	post := func(title string, postedAt time.Time) string {
		res, err := e.app.DraftJob(e.ctx, e.org, domain.JobDetails{Title: title, Description: "Remote role.", EmploymentType: "full_time",
			Eligibility: domain.Eligibility{Worldwide: true}, PostedAt: postedAt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.PublishJob(e.ctx, res.ID, -1); err != nil {
			t.Fatal(err)
		}
		return res.ID
	}
	// Imported in this order, first posted in the other; the first is
	// indexed when the follower starts, the others as they come.
	newer := post("Imported from last week", e.clock.AddDate(0, 0, -7))
	f := e.follower("")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = f.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	older := post("Imported from three weeks ago", e.clock.AddDate(0, 0, -20))
	native := post("Posted here today", time.Time{})
	e.sync(f)
	r, err := f.Index().Search(search.Query{Sort: search.SortNewest, Limit: 10}, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range r.Hits {
		got = append(got, h.ID)
	}
	if want := []string{native, newer, older}; !slices.Equal(got, want) {
		t.Fatalf("newest first: %v, want %v", got, want)
	}
	r, err = f.Index().Search(search.Query{PostedSince: e.clock.AddDate(0, 0, -10), Limit: 10}, e.clock)
	if err != nil || r.Total != 2 {
		t.Fatalf("posted in the last 10 days: %d (%v), want 2", r.Total, err)
	}
}
