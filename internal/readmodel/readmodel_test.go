package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/markdown"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

var backends = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{store.SQLite, storetest.OpenSQLite},
	{store.Postgres, storetest.OpenPostgres},
}

// TestReadModel is the read-model contract: the same events, projected on
// every database, give the same answers.
func TestReadModel(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			r := &projection.Runner{DB: db, Handler: readmodel.Projection{}, Log: slog.New(slog.DiscardHandler), Batch: 7}
			w := buildWorld(t, db, func() { catchUp(t, r) })
			catchUp(t, r)
			q := readmodel.NewQueries(db)

			// Subtests run in order: the later ones change the database.
			t.Run("Job", func(t *testing.T) { testJob(t, q, w) })
			t.Run("JobFilters", func(t *testing.T) { testJobFilters(t, q, w) })
			t.Run("JobPagination", func(t *testing.T) { testJobPagination(t, q, w) })
			t.Run("Profile", func(t *testing.T) { testProfile(t, q, w) })
			t.Run("Application", func(t *testing.T) { testApplication(t, q, w) })
			t.Run("Members", func(t *testing.T) { testMembers(t, q, w) })
			t.Run("RebuildMatchesIncremental", func(t *testing.T) { testRebuild(t, db, r) })
			t.Run("DuplicateDeliveries", func(t *testing.T) { testDuplicateDeliveries(t, db, r) })
			t.Run("ErasureAndRebuild", func(t *testing.T) { testErasure(t, db, q, w) })
		})
	}
}

// catchUp applies everything the store has, in batches, like a runner with
// no broker would.
func catchUp(t *testing.T, r *projection.Runner) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		n, err := r.Step(ctx, nil)
		if err != nil {
			t.Fatalf("Step: %v", err)
		}
		if n == 0 {
			break
		}
		if i > 10000 {
			t.Fatal("projection does not converge")
		}
	}
	head, err := r.DB.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cp, err := r.Checkpoint(ctx); err != nil || cp != head {
		t.Fatalf("checkpoint %d (%v) after catching up, head %d", cp, err, head)
	}
}

// ---- the world: realistic events made by the aggregates ----

type world struct {
	t   *testing.T
	db  *store.DB
	now time.Time

	owner, recruiter, owner2, dev1, dev2 string
	org1, org2                           string
	jobs                                 map[string]string // go, frontend, data, draft, rust → id
	manyJobs                             []string          // org2's published jobs
	profile1, profile2                   string
	app1, app2, note1                    string

	events map[string][]eventstore.Event // by stream
	// details as finally recorded, for expectations
	goDetails      domain.JobDetails
	goPublishedAt  time.Time
	goValidThrough time.Time
	profile1Detail domain.ProfileDetails
	coverLetter    string
	noteBody       string
}

func as(ctx context.Context, actor string) context.Context {
	return eventstore.WithMeta(ctx, eventstore.Meta{Actor: actor, CorrelationID: "corr-" + actor})
}

// exec loads an aggregate, runs a command on it and appends what it
// recorded, as the application layer does.
func exec[A domain.Aggregate](w *world, ctx context.Context, agg A, id string, cmd func(A) error) []eventstore.Event {
	w.t.Helper()
	loaded := load(w, agg, id)
	if err := cmd(loaded); err != nil {
		w.t.Fatalf("command on %s %s: %v", agg.StreamType(), id, err)
	}
	out, err := w.db.Append(ctx, eventstore.StreamAppend{StreamID: id, StreamType: agg.StreamType(), ExpectedVersion: agg.Version() - int64(len(agg.Pending())), Events: agg.Pending()})
	if err != nil {
		w.t.Fatalf("append to %s %s: %v", agg.StreamType(), id, err)
	}
	w.events[id] = append(w.events[id], out...)
	return out
}

func load[A domain.Aggregate](w *world, agg A, id string) A {
	w.t.Helper()
	evs, err := w.db.Load(context.Background(), id)
	if err != nil {
		w.t.Fatalf("load %s: %v", id, err)
	}
	if err := domain.Load(agg, id, evs); err != nil {
		w.t.Fatalf("fold %s: %v", id, err)
	}
	return agg
}

func (w *world) first(id string) eventstore.Event { return w.events[id][0] }
func (w *world) last(id string) eventstore.Event  { return w.events[id][len(w.events[id])-1] }

func ptr[T any](v T) *T { return &v }

// buildWorld records a small but complete hiring story; between runs after
// each phase, so that incremental projection sees rows change over time.
func buildWorld(t *testing.T, db *store.DB, between func()) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{
		t: t, db: db, now: time.Now().UTC().Truncate(time.Millisecond),
		owner: meridian.NewID(), recruiter: meridian.NewID(), owner2: meridian.NewID(), dev1: meridian.NewID(), dev2: meridian.NewID(),
		org1: meridian.NewID(), org2: meridian.NewID(), profile1: meridian.NewID(), profile2: meridian.NewID(),
		jobs: map[string]string{}, events: map[string][]eventstore.Event{},
	}

	// Organizations and members.
	exec(w, as(ctx, w.owner), domain.NewOrg(), w.org1, func(o *domain.Org) error {
		return o.Create(domain.OrgDetails{Name: "Acme Remote", Website: "https://acme.example", Description: "Remote-first tools."}, w.owner, w.now)
	})
	exec(w, as(ctx, w.owner), domain.NewOrg(), w.org1, func(o *domain.Org) error { return o.AddMember(w.recruiter, domain.RoleRecruiter) })
	exec(w, as(ctx, w.owner2), domain.NewOrg(), w.org2, func(o *domain.Org) error {
		return o.Create(domain.OrgDetails{Name: "Globex Hiring"}, w.owner2, w.now)
	})
	between()

	// Jobs of the first organization.
	draft := func(name string, d domain.JobDetails, then ...func(*domain.Job) error) {
		id := meridian.NewID()
		w.jobs[name] = id
		exec(w, as(ctx, w.recruiter), domain.NewJob(), id, func(j *domain.Job) error { return j.Draft(w.org1, d, w.now) })
		for _, fn := range then {
			exec(w, as(ctx, w.recruiter), domain.NewJob(), id, fn)
		}
	}
	publish := func(j *domain.Job) error { return j.Publish(w.now) }
	goJob := domain.JobDetails{
		Title:          "Senior Go Engineer",
		Description:    "We build **Meridian**.\n\n- Go\n- PostgreSQL",
		Skills:         []domain.SkillRequirement{{Skill: "Go", Level: 4, Required: true}, {Skill: "postgresql"}},
		Seniority:      "senior",
		Salary:         &domain.Salary{Min: 9_000_000, Max: 12_000_000, Currency: "EUR", Period: "year"},
		Eligibility:    domain.Eligibility{Regions: []string{"eu"}},
		TimeZone:       &domain.TimeZoneRule{MinUTCOffset: ptr(-1.0), MaxUTCOffset: ptr(3.0)},
		ApplyURL:       "https://acme.example/jobs/go",
		EmploymentType: "full_time",
	}
	draft("go", goJob, publish)
	draft("frontend", domain.JobDetails{
		Title: "Frontend Developer", Skills: []domain.SkillRequirement{{Skill: "typescript", Required: true}, {Skill: "react"}},
		Seniority: "mid", EmploymentType: "contract", Eligibility: domain.Eligibility{Countries: []string{"us", "CA"}},
	}, publish)
	draft("data", domain.JobDetails{
		Title: "Data Engineer", Skills: []domain.SkillRequirement{{Skill: "python"}, {Skill: "go"}}, Seniority: "senior",
		Eligibility: domain.Eligibility{Worldwide: true},
	}, publish, func(j *domain.Job) error { return j.Close("position filled", w.now) })
	draft("draft", domain.JobDetails{Title: "Staff Engineer (draft)", Eligibility: domain.Eligibility{Worldwide: true}})
	draft("rust", domain.JobDetails{
		Title: "Rust Engineer", Skills: []domain.SkillRequirement{{Skill: "rust", Level: 5, Required: true}}, Seniority: "lead",
		Eligibility: domain.Eligibility{Worldwide: true}, Salary: &domain.Salary{Min: 15_000_000, Currency: "USD", Period: "year"},
	}, publish)
	between()
	// The Go job is edited after publication.
	goJob.Title = "Senior Go Engineer (Platform)"
	goJob.Description += "\n- Kubernetes"
	goJob.Skills = append(append([]domain.SkillRequirement(nil), goJob.Skills...), domain.SkillRequirement{Skill: "kubernetes", Level: 2})
	exec(w, as(ctx, w.recruiter), domain.NewJob(), w.jobs["go"], func(j *domain.Job) error { return j.Update(goJob, w.now) })
	gj := load(w, domain.NewJob(), w.jobs["go"])
	w.goDetails, w.goValidThrough = gj.Details(), gj.ValidThrough()
	w.goPublishedAt = w.now
	between()

	// Developers, their profiles and applications.
	w.profile1Detail = domain.ProfileDetails{
		DisplayName: "Ada Lovelace", Headline: "Go developer", Summary: "Ten years of backend work.",
		Skills:   []domain.ProfileSkill{{Skill: "go", Level: 5, Years: 8}, {Skill: "PostgreSQL", Level: 4, Years: 5.5}},
		TimeZone: "Europe/Berlin", WorkStart: "08:00", WorkEnd: "16:00", Countries: []string{"pt", "DE"},
		SalaryFloor: &domain.Salary{Min: 8_000_000, Currency: "EUR", Period: "year"}, Seniority: "senior",
	}
	exec(w, as(ctx, w.dev1), domain.NewProfile(), w.profile1, func(p *domain.Profile) error {
		return p.Create(w.dev1, "public", domain.ProfileDetails{DisplayName: "Ada", TimeZone: "Europe/Berlin", Countries: []string{"DE"}}, w.now)
	})
	exec(w, as(ctx, w.dev1), domain.NewProfile(), w.profile1, func(p *domain.Profile) error { return p.Update(w.profile1Detail) })
	p1 := load(w, domain.NewProfile(), w.profile1)
	w.profile1Detail = p1.Details()
	exec(w, as(ctx, w.dev2), domain.NewProfile(), w.profile2, func(p *domain.Profile) error {
		return p.Create(w.dev2, "employers", domain.ProfileDetails{DisplayName: "Grace Hopper", TimeZone: "America/New_York", Countries: []string{"US"}}, w.now)
	})
	between()

	w.coverLetter = "I would love to work on Meridian."
	w.app1 = domain.ApplicationID(w.profile1, w.jobs["go"])
	exec(w, as(ctx, w.dev1), domain.NewApplication(), w.app1, func(a *domain.Application) error {
		return a.Submit(load(w, domain.NewJob(), w.jobs["go"]), load(w, domain.NewProfile(), w.profile1), w.coverLetter, w.now)
	})
	for _, to := range []string{domain.StageScreening, domain.StageInterview, domain.StageOffer} {
		exec(w, as(ctx, w.recruiter), domain.NewApplication(), w.app1, func(a *domain.Application) error { return a.Move(to, "", w.now) })
	}
	between()
	exec(w, as(ctx, w.recruiter), domain.NewApplication(), w.app1, func(a *domain.Application) error {
		return a.Move(domain.StageHired, "offer_accepted", w.now)
	})
	w.noteBody = "Strong Go skills; references checked."
	exec(w, as(ctx, w.recruiter), domain.NewApplication(), w.app1, func(a *domain.Application) error {
		var err error
		w.note1, err = a.AddNote(w.recruiter, w.noteBody, w.now)
		return err
	})
	w.app2 = domain.ApplicationID(w.profile2, w.jobs["rust"])
	exec(w, as(ctx, w.dev2), domain.NewApplication(), w.app2, func(a *domain.Application) error {
		return a.Submit(load(w, domain.NewJob(), w.jobs["rust"]), load(w, domain.NewProfile(), w.profile2), "", w.now)
	})
	exec(w, as(ctx, w.recruiter), domain.NewApplication(), w.app2, func(a *domain.Application) error {
		return a.Move(domain.StageRejected, "skills_mismatch", w.now)
	})
	between()

	// The first organization renames itself; its jobs follow.
	exec(w, as(ctx, w.owner), domain.NewOrg(), w.org1, func(o *domain.Org) error {
		return o.Update(domain.OrgDetails{Name: "Acme Remote GmbH", Website: "https://acme.example"})
	})

	// Thirty published jobs of the second organization, in one batch.
	var batch []eventstore.StreamAppend
	for i := range 30 {
		id := meridian.NewID()
		j := domain.NewJob()
		if err := domain.Load(j, id, nil); err != nil {
			t.Fatal(err)
		}
		d := domain.JobDetails{Title: fmt.Sprintf("Backend Engineer #%02d", i), Seniority: "junior",
			Skills: []domain.SkillRequirement{{Skill: "elixir"}}, Eligibility: domain.Eligibility{Countries: []string{"BR"}}}
		if err := j.Draft(w.org2, d, w.now); err != nil {
			t.Fatal(err)
		}
		if err := j.Publish(w.now); err != nil {
			t.Fatal(err)
		}
		batch = append(batch, eventstore.StreamAppend{StreamID: id, StreamType: j.StreamType(), ExpectedVersion: eventstore.NoStream, Events: j.Pending()})
		w.manyJobs = append(w.manyJobs, id)
	}
	out, err := db.AppendBatch(as(ctx, w.owner2), batch)
	if err != nil {
		t.Fatalf("append batch: %v", err)
	}
	for _, e := range out {
		w.events[e.StreamID] = append(w.events[e.StreamID], e)
	}
	return w
}

// ---- queries ----

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func testJob(t *testing.T, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	id := w.jobs["go"]
	got, err := q.Job(ctx, id)
	if err != nil {
		t.Fatalf("Job: %v", err)
	}
	d := w.goDetails
	want := readmodel.Job{
		ID: id, OrgID: w.org1, OrgName: "Acme Remote GmbH", Status: domain.StatusPublished,
		Title: "Senior Go Engineer (Platform)", Description: d.Description, DescriptionHTML: markdown.Render(d.Description),
		Seniority: "senior", EmploymentType: "full_time",
		Salary: &domain.Salary{Min: 9_000_000, Max: 12_000_000, Currency: "EUR", Period: "year"},
		Skills: []domain.SkillRequirement{
			{Skill: "go", Level: 4, Required: true}, {Skill: "postgresql", Level: 3}, {Skill: "kubernetes", Level: 2},
		},
		Eligibility:  domain.Eligibility{Regions: []string{"EU"}},
		TimeZone:     &domain.TimeZoneRule{MinUTCOffset: ptr(-1.0), MaxUTCOffset: ptr(3.0)},
		ApplyURL:     "https://acme.example/jobs/go",
		ValidThrough: &w.goValidThrough, PublishedAt: &w.goPublishedAt,
		CreatedAt: w.first(id).Time, UpdatedAt: w.last(id).Time, Version: 3,
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("Job (-want +got):\n%s", diff)
	}
	if !strings.Contains(got.DescriptionHTML, "<strong>Meridian</strong>") {
		t.Errorf("description HTML %q is not rendered Markdown", got.DescriptionHTML)
	}
	if want := w.now.Add(domain.DefaultValidity); !w.goValidThrough.Equal(want) {
		t.Errorf("valid through %v, want the default %v", w.goValidThrough, want)
	}

	closed, err := q.Job(ctx, w.jobs["data"])
	if err != nil {
		t.Fatalf("Job(closed): %v", err)
	}
	if closed.Status != domain.StatusClosed || closed.CloseReason != "position filled" || closed.ClosedAt == nil || !closed.ClosedAt.Equal(w.now) || closed.PublishedAt == nil {
		t.Errorf("closed job: status %q reason %q closed at %v published at %v", closed.Status, closed.CloseReason, closed.ClosedAt, closed.PublishedAt)
	}
	drafted, err := q.Job(ctx, w.jobs["draft"])
	if err != nil {
		t.Fatalf("Job(draft): %v", err)
	}
	if drafted.Status != domain.StatusDraft || drafted.PublishedAt != nil || drafted.ValidThrough != nil || drafted.Salary != nil || drafted.TimeZone != nil {
		t.Errorf("draft job: %+v", drafted)
	}

	_, err = q.Job(ctx, meridian.NewID())
	if code := meridian.ErrorCode(err); code != meridian.ENotFound {
		t.Errorf("Job of an unknown id: code %q (err %v), want %q", code, err, meridian.ENotFound)
	}
}

func jobIDs(p readmodel.Page[readmodel.Job]) []string {
	out := []string{}
	for _, j := range p.Items {
		out = append(out, j.ID)
	}
	return out
}

func newestFirst(ids ...string) []string {
	out := append([]string{}, ids...)
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

func testJobFilters(t *testing.T, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	j := w.jobs
	now := time.Now()
	tests := []struct {
		name string
		f    readmodel.JobFilter
		want []string
	}{
		{"published (default)", readmodel.JobFilter{OrgID: w.org1}, []string{j["go"], j["frontend"], j["rust"]}},
		{"drafts", readmodel.JobFilter{OrgID: w.org1, Statuses: []string{domain.StatusDraft}}, []string{j["draft"]}},
		{"closed", readmodel.JobFilter{OrgID: w.org1, Statuses: []string{domain.StatusClosed}}, []string{j["data"]}},
		{"every status", readmodel.JobFilter{OrgID: w.org1, Statuses: []string{domain.StatusDraft, domain.StatusPublished, domain.StatusClosed}},
			[]string{j["go"], j["frontend"], j["data"], j["draft"], j["rust"]}},
		{"skill", readmodel.JobFilter{OrgID: w.org1, Skills: []string{"go"}}, []string{j["go"]}},
		{"skill added by an update", readmodel.JobFilter{OrgID: w.org1, Skills: []string{"kubernetes"}}, []string{j["go"]}},
		{"skill, any case", readmodel.JobFilter{OrgID: w.org1, Skills: []string{" Go "}}, []string{j["go"]}},
		{"all skills", readmodel.JobFilter{OrgID: w.org1, Skills: []string{"go", "postgresql"}}, []string{j["go"]}},
		{"skills no job has together", readmodel.JobFilter{OrgID: w.org1, Skills: []string{"go", "rust"}}, nil},
		{"skill of a closed job", readmodel.JobFilter{OrgID: w.org1, Skills: []string{"python"}}, nil},
		{"country in an eligible region", readmodel.JobFilter{OrgID: w.org1, Country: "DE"}, []string{j["go"], j["rust"]}},
		{"country listed by a job", readmodel.JobFilter{OrgID: w.org1, Country: "US"}, []string{j["frontend"], j["rust"]}},
		{"country only worldwide jobs allow", readmodel.JobFilter{OrgID: w.org1, Country: "JP"}, []string{j["rust"]}},
		{"country, every organization", readmodel.JobFilter{Country: "DE"}, []string{j["go"], j["rust"]}},
		{"region", readmodel.JobFilter{OrgID: w.org1, Region: "EU"}, []string{j["go"], j["rust"]}},
		{"region no job is filed under", readmodel.JobFilter{OrgID: w.org1, Region: "NORTH_AMERICA"}, []string{j["rust"]}},
		{"seniority", readmodel.JobFilter{OrgID: w.org1, Seniority: "senior"}, []string{j["go"]}},
		{"seniority lead", readmodel.JobFilter{OrgID: w.org1, Seniority: "lead"}, []string{j["rust"]}},
		{"employment type", readmodel.JobFilter{OrgID: w.org1, EmploymentType: "contract"}, []string{j["frontend"]}},
		{"q", readmodel.JobFilter{OrgID: w.org1, Q: "go eng"}, []string{j["go"]}},
		{"q is case-insensitive", readmodel.JobFilter{OrgID: w.org1, Q: "ENGINEER"}, []string{j["go"], j["rust"]}},
		{"q matches the updated title", readmodel.JobFilter{OrgID: w.org1, Q: "(platform)"}, []string{j["go"]}},
		{"q % is literal", readmodel.JobFilter{OrgID: w.org1, Q: "%"}, nil},
		{"q _ is literal", readmodel.JobFilter{OrgID: w.org1, Q: "_"}, nil},
		{"combined", readmodel.JobFilter{OrgID: w.org1, Country: "DE", Skills: []string{"go"}, Seniority: "senior", Q: "platform"}, []string{j["go"]}},
		{"combined, no match", readmodel.JobFilter{OrgID: w.org1, Country: "US", Skills: []string{"go"}}, nil},
		{"posted since", readmodel.JobFilter{OrgID: w.org1, PostedSince: w.now.Add(time.Hour)}, nil},
		{"expired at a later time", readmodel.JobFilter{OrgID: w.org1, Now: now.Add(domain.DefaultValidity + time.Hour)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.f.Now.IsZero() {
				tc.f.Now = now
			}
			tc.f.Limit = 100
			page, err := q.Jobs(ctx, tc.f)
			if err != nil {
				t.Fatalf("Jobs: %v", err)
			}
			if diff := cmp.Diff(newestFirst(tc.want...), jobIDs(page), cmpOpts...); diff != "" {
				t.Errorf("Jobs(%+v) ids (-want +got):\n%s", tc.f, diff)
			}
			if page.NextCursor != "" {
				t.Errorf("NextCursor = %q on the only page", page.NextCursor)
			}
		})
	}
}

func testJobPagination(t *testing.T, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	for _, limit := range []int{7, 10, 29, 30} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var got []string
			var sizes []int
			cursor := ""
			for range 100 {
				page, err := q.Jobs(ctx, readmodel.JobFilter{OrgID: w.org2, Now: time.Now(), Cursor: cursor, Limit: limit})
				if err != nil {
					t.Fatalf("Jobs(cursor %q): %v", cursor, err)
				}
				got = append(got, jobIDs(page)...)
				sizes = append(sizes, len(page.Items))
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if diff := cmp.Diff(newestFirst(w.manyJobs...), got); diff != "" {
				t.Errorf("paged ids (-want +got):\n%s", diff)
			}
			for i, n := range sizes {
				if n > limit || (i < len(sizes)-1 && n != limit) || n == 0 {
					t.Errorf("page sizes %v with limit %d", sizes, limit)
					break
				}
			}
		})
	}
	_, err := q.Jobs(ctx, readmodel.JobFilter{Cursor: "not-a-cursor"})
	if code := meridian.ErrorCode(err); code != meridian.EInvalid {
		t.Errorf("Jobs with a bad cursor: code %q (err %v), want %q", code, err, meridian.EInvalid)
	}
}

func testProfile(t *testing.T, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	got, err := q.Profile(ctx, w.profile1)
	if err != nil {
		t.Fatalf("Profile: %v", err)
	}
	want := readmodel.Profile{
		ID: w.profile1, OwnerID: w.dev1, Visibility: "public",
		DisplayName: "Ada Lovelace", Headline: "Go developer", Summary: "Ten years of backend work.",
		Skills:   []domain.ProfileSkill{{Skill: "go", Level: 5, Years: 8}, {Skill: "postgresql", Level: 4, Years: 5.5}},
		TimeZone: "Europe/Berlin", WorkStart: "08:00", WorkEnd: "16:00", Countries: []string{"DE", "PT"},
		SalaryFloor: &domain.Salary{Min: 8_000_000, Currency: "EUR", Period: "year"}, Seniority: "senior",
		CreatedAt: w.first(w.profile1).Time, UpdatedAt: w.last(w.profile1).Time, Version: 2,
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("Profile (-want +got):\n%s", diff)
	}
	page, err := q.Profiles(ctx, readmodel.ProfileFilter{Visibility: []string{"employers"}})
	if err != nil {
		t.Fatalf("Profiles: %v", err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != w.profile2 || page.Items[0].DisplayName != "Grace Hopper" {
		t.Errorf("Profiles(employers) = %+v, want only %s", page.Items, w.profile2)
	}
}

func testApplication(t *testing.T, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	got, err := q.Application(ctx, w.app1)
	if err != nil {
		t.Fatalf("Application: %v", err)
	}
	evs := w.events[w.app1]
	at := func(i int) time.Time { return evs[i].Time }
	want := readmodel.Application{
		ID: w.app1, JobID: w.jobs["go"], OrgID: w.org1, ProfileID: w.profile1, CandidateID: w.dev1,
		Stage: domain.StageHired, ReasonCode: "offer_accepted", CoverLetter: w.coverLetter, NextStages: []string{},
		History: []readmodel.StageHistory{
			{Seq: 1, From: "", To: domain.StageApplied, Actor: w.dev1, At: at(0)},
			{Seq: 2, From: domain.StageApplied, To: domain.StageScreening, Actor: w.recruiter, At: at(1)},
			{Seq: 3, From: domain.StageScreening, To: domain.StageInterview, Actor: w.recruiter, At: at(2)},
			{Seq: 4, From: domain.StageInterview, To: domain.StageOffer, Actor: w.recruiter, At: at(3)},
			{Seq: 5, From: domain.StageOffer, To: domain.StageHired, ReasonCode: "offer_accepted", Actor: w.recruiter, At: at(4)},
		},
		CreatedAt: at(0), UpdatedAt: at(5), Version: 6,
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("Application (-want +got):\n%s", diff)
	}

	notes, err := q.Notes(ctx, w.app1)
	if err != nil {
		t.Fatalf("Notes: %v", err)
	}
	wantNotes := []readmodel.Note{{ID: w.note1, ApplicationID: w.app1, AuthorID: w.recruiter, Body: w.noteBody, CreatedAt: at(5)}}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("Notes (-want +got):\n%s", diff)
	}
	byApp, err := q.NotesOf(ctx, w.org1, []string{w.app1, w.app2})
	if err != nil {
		t.Fatalf("NotesOf: %v", err)
	}
	if diff := cmp.Diff(map[string][]readmodel.Note{w.app1: wantNotes}, byApp); diff != "" {
		t.Errorf("NotesOf(org1) (-want +got):\n%s", diff)
	}
	if other, err := q.NotesOf(ctx, w.org2, []string{w.app1}); err != nil || len(other) != 0 {
		t.Errorf("NotesOf(org2, an org1 application) = %v, %v; want none", other, err)
	}

	page, err := q.Applications(ctx, readmodel.ApplicationFilter{OrgID: w.org1})
	if err != nil {
		t.Fatalf("Applications: %v", err)
	}
	var ids []string
	for _, a := range page.Items {
		ids = append(ids, a.ID)
	}
	// Newest first by when they were made: application ids derive from the
	// profile and the posting and do not follow time.
	if diff := cmp.Diff([]string{w.app2, w.app1}, ids); diff != "" {
		t.Errorf("Applications(org) (-want +got):\n%s", diff)
	}
	ids = nil
	for cursor, n := "", 0; n == 0 || cursor != ""; n++ {
		page, err := q.Applications(ctx, readmodel.ApplicationFilter{OrgID: w.org1, Limit: 1, Cursor: cursor})
		if err != nil || n > 2 {
			t.Fatalf("Applications(org, page %d): %v", n, err)
		}
		for _, a := range page.Items {
			ids = append(ids, a.ID)
		}
		cursor = page.NextCursor
	}
	if diff := cmp.Diff([]string{w.app2, w.app1}, ids); diff != "" {
		t.Errorf("Applications(org) one by one (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"nonsense", readmodel.EncodeCursor(w.app1)} {
		if _, err := q.Applications(ctx, readmodel.ApplicationFilter{OrgID: w.org1, Cursor: bad}); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("Applications with cursor %q: %v, want invalid", bad, err)
		}
	}
	rejected, err := q.Applications(ctx, readmodel.ApplicationFilter{Stage: domain.StageRejected})
	if err != nil {
		t.Fatalf("Applications(rejected): %v", err)
	}
	if len(rejected.Items) != 1 || rejected.Items[0].ID != w.app2 || rejected.Items[0].ReasonCode != "skills_mismatch" || rejected.Items[0].CoverLetter != "" {
		t.Errorf("Applications(rejected) = %+v", rejected.Items)
	}
	if got, err := q.ApplicantsAmong(ctx, []string{w.org1}, []string{w.profile1}); err != nil || !got[w.profile1] {
		t.Errorf("ApplicantsAmong(org1, profile1) = %v, %v; want it", got, err)
	}
	if got, err := q.ApplicantsAmong(ctx, []string{w.org2}, []string{w.profile1}); err != nil || got[w.profile1] {
		t.Errorf("ApplicantsAmong(org2, profile1) = %v, %v; want none", got, err)
	}
}

func testMembers(t *testing.T, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	got, err := q.Members(ctx, w.org1)
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	want := []readmodel.Member{
		{OrgID: w.org1, UserID: w.owner, Role: domain.RoleOwner, AddedAt: w.events[w.org1][0].Time},
		{OrgID: w.org1, UserID: w.recruiter, Role: domain.RoleRecruiter, AddedAt: w.events[w.org1][1].Time},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Members (-want +got):\n%s", diff)
	}
	if roles, err := q.RolesIn(ctx, w.recruiter, []string{w.org1, w.org2}); err != nil || roles[w.org1] != domain.RoleRecruiter || roles[w.org2] != "" {
		t.Errorf("RolesIn = %v, %v; want recruiter in org1 only", roles, err)
	}
	org, err := q.Org(ctx, w.org1)
	if err != nil {
		t.Fatalf("Org: %v", err)
	}
	if org.Name != "Acme Remote GmbH" || org.Slug != "acme-remote" || org.Version != 3 || org.Description != "" {
		t.Errorf("Org = %+v", org)
	}
}

// ---- rebuild and idempotency ----

// primaryKeys orders each read-model table for dumping.
var primaryKeys = map[string]string{
	"orgs":                "id",
	"org_members":         "org_id, user_id",
	"jobs":                "id",
	"job_skills":          "job_id, skill",
	"job_places":          "job_id, code",
	"profiles":            "id",
	"applications":        "id",
	"application_history": "application_id, seq",
	"application_notes":   "id",
}

// dump returns every row of every read-model table, ordered by primary key.
func dump(t *testing.T, db *store.DB) map[string][][]any {
	t.Helper()
	ctx := context.Background()
	out := map[string][][]any{}
	for _, table := range readmodel.Tables {
		pk, ok := primaryKeys[table]
		if !ok {
			t.Fatalf("read-model table %s has no primary key in this test; add it to primaryKeys", table)
		}
		rows, err := db.Query(ctx, `SELECT * FROM `+table+` ORDER BY `+pk)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		rowsOut := [][]any{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("dump %s: %v", table, err)
			}
			row := []any{}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				row = append(row, fmt.Sprintf("%s=%v", cols[i], v))
			}
			rowsOut = append(rowsOut, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out[table] = rowsOut
	}
	return out
}

func testRebuild(t *testing.T, db *store.DB, r *projection.Runner) {
	ctx := context.Background()
	incremental := dump(t, db)
	for _, table := range []string{"orgs", "jobs", "profiles", "applications", "application_history", "application_notes", "job_skills", "job_places", "org_members"} {
		if len(incremental[table]) == 0 {
			t.Errorf("table %s is empty after projection", table)
		}
	}
	n, err := projection.Rebuild(ctx, db, readmodel.Projection{})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	head, _ := db.Head(ctx)
	if n != head {
		t.Errorf("Rebuild applied %d events, head is %d", n, head)
	}
	if cp, _ := r.Checkpoint(ctx); cp != head {
		t.Errorf("checkpoint after Rebuild = %d, want %d", cp, head)
	}
	if diff := cmp.Diff(incremental, dump(t, db)); diff != "" {
		t.Errorf("Rebuild differs from incremental projection (-incremental +rebuild):\n%s", diff)
	}
	// Nothing is left to apply.
	if n, err := r.Step(ctx, nil); err != nil || n != 0 {
		t.Errorf("Step after Rebuild applied %d (%v), want 0", n, err)
	}
}

func testDuplicateDeliveries(t *testing.T, db *store.DB, r *projection.Runner) {
	ctx := context.Background()
	want := dump(t, db)
	head, _ := db.Head(ctx)
	all, err := db.ReadSealed(ctx, 0, int(head)+1) // as the broker delivers them: personal parts sealed
	if err != nil {
		t.Fatal(err)
	}

	// Delivering everything again to an up-to-date projection changes nothing.
	twice := append(append([]eventstore.Event(nil), all...), all...)
	if n, err := r.Step(ctx, twice); err != nil || n != 0 {
		t.Fatalf("Step with old deliveries applied %d (%v), want 0", n, err)
	}
	if diff := cmp.Diff(want, dump(t, db)); diff != "" {
		t.Errorf("rows changed by duplicate deliveries (-before +after):\n%s", diff)
	}

	// From empty read models, deliveries that repeat and overlap apply each event once.
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := (readmodel.Projection{}).Reset(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.LockCursor(ctx, r.Handler.Name()); err != nil {
			return err
		}
		return tx.SetCursor(ctx, r.Handler.Name(), 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for from := 0; from < len(all); from += 5 {
		// Each delivery repeats the previous ones' tail and lists events twice.
		lo := max(0, from-3)
		hi := min(len(all), from+5)
		hint := append(append([]eventstore.Event(nil), all[lo:hi]...), all[lo:hi]...)
		n, err := r.Step(ctx, hint)
		if err != nil {
			t.Fatalf("Step(%d..%d): %v", lo+1, hi, err)
		}
		applied += n
	}
	if applied != len(all) {
		t.Errorf("applied %d events from overlapping deliveries, want %d", applied, len(all))
	}
	if diff := cmp.Diff(want, dump(t, db)); diff != "" {
		t.Errorf("rows from duplicated deliveries differ (-once +duplicated):\n%s", diff)
	}
	if cp, _ := r.Checkpoint(ctx); cp != head {
		t.Errorf("checkpoint = %d, want %d", cp, head)
	}
}

func testErasure(t *testing.T, db *store.DB, q *readmodel.Queries, w *world) {
	ctx := context.Background()
	if err := db.Keyring().Forget(ctx, w.dev1); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if _, err := projection.Rebuild(ctx, db, readmodel.Projection{}); err != nil {
		t.Fatalf("Rebuild after Forget: %v", err)
	}
	got, err := q.Profile(ctx, w.profile1)
	if err != nil {
		t.Fatalf("Profile: %v", err)
	}
	want := readmodel.Profile{
		ID: w.profile1, OwnerID: w.dev1, Visibility: "public", Erased: true,
		CreatedAt: w.first(w.profile1).Time, UpdatedAt: w.last(w.profile1).Time, Version: 2,
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("erased Profile (-want +got):\n%s", diff)
	}
	// No personal field is left in the row itself.
	var row string
	err = db.QueryRow(ctx, `SELECT display_name || headline || summary || skills || time_zone || work_start || work_end || countries || salary_currency || seniority FROM profiles WHERE id = ?`, w.profile1).Scan(&row)
	if err != nil {
		t.Fatal(err)
	}
	if row != "[][]" {
		t.Errorf("erased profile row still holds %q", row)
	}
	var floor *int64
	if err := db.QueryRow(ctx, `SELECT salary_floor FROM profiles WHERE id = ?`, w.profile1).Scan(&floor); err != nil || floor != nil {
		t.Errorf("erased profile salary floor = %v (%v), want NULL", floor, err)
	}
	page, err := q.Profiles(ctx, readmodel.ProfileFilter{OwnerID: w.dev1})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("Profiles of the erased owner = %+v (%v), want none", page.Items, err)
	}

	app, err := q.Application(ctx, w.app1)
	if err != nil {
		t.Fatalf("Application: %v", err)
	}
	if app.CoverLetter != "" || app.Stage != domain.StageHired || len(app.History) != 5 {
		t.Errorf("application of the erased candidate: cover letter %q stage %q history %d", app.CoverLetter, app.Stage, len(app.History))
	}
	notes, err := q.Notes(ctx, w.app1)
	if err != nil || len(notes) != 1 || strings.Contains(notes[0].Body, "Go skills") {
		t.Errorf("notes on the erased candidate = %+v (%v)", notes, err)
	}

	// Other people are unaffected.
	other, err := q.Profile(ctx, w.profile2)
	if err != nil || other.Erased || other.DisplayName != "Grace Hopper" {
		t.Errorf("other profile = %+v (%v)", other, err)
	}

	// The erased person cannot write personal data again.
	_, err = w.db.Append(ctx, eventstore.StreamAppend{StreamID: w.profile1, StreamType: "profile", ExpectedVersion: 2,
		Events: []eventstore.NewEvent{{Type: domain.ProfileUpdated, Subject: w.dev1, Personal: []byte(`{"displayName":"Ada"}`)}}})
	var me *meridian.Error
	if !errors.As(err, &me) || me.Code != meridian.ERule {
		t.Errorf("append personal data of an erased person: %v, want a %q error", err, meridian.ERule)
	}
}
