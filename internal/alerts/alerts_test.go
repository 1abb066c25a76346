package alerts_test

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/search"
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

// world is a store with an application over it and the alerts projection,
// stepped by hand.
type world struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	app  *app.App
	proj *alerts.Projection
	run  *projection.Runner
	q    *alerts.Queries

	mu        sync.Mutex
	evaluated map[string][]string // job id → saved search ids evaluated against it
}

func newWorld(t *testing.T, db *store.DB) *world {
	log := slog.New(slog.DiscardHandler)
	w := &world{t: t, ctx: context.Background(), db: db, app: app.New(db, nil, log), q: alerts.NewQueries(db), evaluated: map[string][]string{}}
	w.proj = alerts.New(db, log)
	w.proj.OnEvaluate = func(ss, job string) {
		w.mu.Lock()
		w.evaluated[job] = append(w.evaluated[job], ss)
		w.mu.Unlock()
	}
	w.run = &projection.Runner{DB: db, Handler: w.proj, Log: log, Batch: 5}
	return w
}

func (w *world) as(user string) context.Context {
	return meridian.WithPrincipal(w.ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: user})
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// catchUp applies everything the store has.
func (w *world) catchUp() {
	w.t.Helper()
	for {
		n, err := w.run.Step(w.ctx, nil)
		w.must(err)
		if n == 0 {
			return
		}
	}
}

func (w *world) save(user, name string, q search.Query, alert string) string {
	w.t.Helper()
	res, err := w.app.CreateSavedSearch(w.as(user), app.SavedSearchInput{Name: name, Query: q, Alert: alert})
	w.must(err)
	return res.ID
}

func (w *world) publish(org string, d domain.JobDetails) string {
	w.t.Helper()
	res, err := w.app.DraftJob(w.as("owner"), org, d)
	w.must(err)
	_, err = w.app.PublishJob(w.as("owner"), res.ID, -1)
	w.must(err)
	return res.ID
}

func (w *world) evaluatedFor(job string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := append([]string(nil), w.evaluated[job]...)
	sort.Strings(out)
	return out
}

// matches lists "saved search → job" pairs in the notifications table.
func (w *world) matches() []string {
	w.t.Helper()
	rows, err := w.db.Query(w.ctx, `SELECT saved_search_id, job_id FROM notifications ORDER BY saved_search_id, job_id`)
	w.must(err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s, j string
		w.must(rows.Scan(&s, &j))
		out = append(out, s+"→"+j)
	}
	w.must(rows.Err())
	return out
}

func pairs(ss []string, job string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s+"→"+job)
	}
	sort.Strings(out)
	return out
}

func sorted(ss ...string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// dump reads every row of the projection's tables.
func dump(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, table := range alerts.Tables {
		rows, err := db.Query(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprint(v)
			}
			out[table] = append(out[table], strings.Join(parts, "|"))
		}
		rows.Close()
		sort.Strings(out[table])
	}
	return out
}

// docOf is the search document of a posting as the projection builds it.
func docOf(id, org string, d domain.JobDetails) *search.Doc {
	return &search.Doc{ID: id, OrgID: org, Title: d.Title, Description: d.Description, Skills: d.Skills,
		Seniority: d.Seniority, EmploymentType: d.EmploymentType, Salary: d.Salary, Eligibility: d.Eligibility}
}

// sharingAnchors lists the saved searches filed under one of the
// document's anchors: those incremental evaluation must evaluate, and no
// others.
func sharingAnchors(t *testing.T, d *search.Doc, queries map[string]search.Query) []string {
	t.Helper()
	has := map[string]bool{}
	for _, a := range search.DocAnchors(d) {
		has[a] = true
	}
	var out []string
	for id, q := range queries {
		c, err := search.Compile(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range c.Anchors() {
			if has[a] {
				out = append(out, id)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func goJob(title, description string) domain.JobDetails {
	return domain.JobDetails{
		Title: title, Description: description,
		Skills:         []domain.SkillRequirement{{Skill: "go", Level: 4, Required: true}},
		Seniority:      "senior",
		EmploymentType: "full_time",
		Salary:         &domain.Salary{Min: 90_000_00, Max: 120_000_00, Currency: "EUR", Period: "year"},
		Eligibility:    domain.Eligibility{Regions: []string{"EU"}},
	}
}

// TestIncrementalEvaluation: publishing a posting notifies exactly the
// matching saved searches, evaluating only those filed under one of the
// posting's anchors; re-deliveries do not duplicate; a rebuild gives the
// same rows; erasing an owner removes their saved searches.
func TestIncrementalEvaluation(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			w := newWorld(t, db)
			ctx := w.ctx

			org, err := w.app.CreateOrg(w.as("owner"), domain.OrgDetails{Name: "Acme Cloud"}, "")
			w.must(err)

			goAll := w.save("dev-1", "Go", search.Query{SkillsAll: []string{"go"}}, "")
			kube := w.save("dev-1", "Kubernetes", search.Query{Text: "kubernetes"}, domain.AlertDaily)
			rust := w.save("dev-1", "Rust", search.Query{SkillsAll: []string{"rust"}}, "")
			goUS := w.save("dev-1", "Go from the US", search.Query{SkillsAll: []string{"go"}, Country: "US"}, "")
			goOff := w.save("dev-1", "Go, feed only", search.Query{SkillsAll: []string{"go"}}, domain.AlertOff)
			other := w.save("dev-2", "Go too", search.Query{SkillsAll: []string{"go"}}, "")
			w.catchUp()

			// Saved searches are filed under their anchors.
			for _, id := range []string{goAll, kube, rust, goUS, goOff, other} {
				var n int
				w.must(db.QueryRow(ctx, `SELECT COUNT(*) FROM saved_search_anchors WHERE saved_search_id = ?`, id).Scan(&n))
				if n == 0 {
					t.Errorf("saved search %s is filed under no anchor", id)
				}
			}
			var rustAnchors []string
			rows, err := db.Query(ctx, `SELECT anchor FROM saved_search_anchors WHERE saved_search_id = ?`, rust)
			w.must(err)
			for rows.Next() {
				var a string
				w.must(rows.Scan(&a))
				rustAnchors = append(rustAnchors, a)
			}
			rows.Close()
			if fmt.Sprint(rustAnchors) != "[skill:rust]" {
				t.Errorf("rust saved search anchors = %v, want [skill:rust]", rustAnchors)
			}

			job1 := w.publish(org.ID, goJob("Senior Go Engineer", "We run Kubernetes clusters for fintech customers."))
			// Change the posting after publishing: the notification keeps what was published.
			_, err = w.app.UpdateJob(w.as("owner"), job1, -1, goJob("Staff Go Engineer", "We run Kubernetes clusters for fintech customers."))
			w.must(err)
			w.catchUp()

			queries := map[string]search.Query{
				goAll: {SkillsAll: []string{"go"}}, kube: {Text: "kubernetes"}, rust: {SkillsAll: []string{"rust"}},
				goUS: {SkillsAll: []string{"go"}, Country: "US"}, goOff: {SkillsAll: []string{"go"}}, other: {SkillsAll: []string{"go"}},
			}
			doc1 := docOf(job1, org.ID, goJob("Senior Go Engineer", "We run Kubernetes clusters for fintech customers."))
			if got, want := w.evaluatedFor(job1), sharingAnchors(t, doc1, queries); !cmp.Equal(got, want) {
				t.Errorf("evaluated against the posting %v, want those sharing an anchor with it %v", got, want)
			}
			for _, id := range w.evaluatedFor(job1) {
				if id == rust {
					t.Errorf("the Rust saved search was evaluated against a Go posting")
				}
			}
			if got, want := w.matches(), pairs([]string{goAll, kube, goOff, other}, job1); !cmp.Equal(got, want) {
				t.Errorf("notifications (-want +got):\n%s", cmp.Diff(want, got))
			}

			// The inbox: dev-1 sees instant and daily alerts, not "off" ones.
			page, err := w.app.Notifications(w.as("dev-1"), "", 10)
			w.must(err)
			var inbox []string
			for _, n := range page.Items {
				inbox = append(inbox, n.SavedSearchID)
				if n.JobID != job1 || n.Title != "Senior Go Engineer" || n.OrgName != "Acme Cloud" || n.ReadAt != nil || n.CreatedAt.IsZero() {
					t.Errorf("notification %+v", n)
				}
			}
			sort.Strings(inbox)
			if want := sorted(goAll, kube); !cmp.Equal(inbox, want) {
				t.Errorf("dev-1's inbox has %v, want %v", inbox, want)
			}
			if page, err := w.app.Notifications(w.as("dev-2"), "", 10); err != nil || len(page.Items) != 1 || page.Items[0].SavedSearchID != other {
				t.Errorf("dev-2's inbox = %+v (%v)", page.Items, err)
			}

			// A posting sharing no anchor with a saved search is never evaluated against it.
			rustJob := domain.JobDetails{
				Title: "Rust systems engineer", Description: "Embedded firmware in Rust.",
				Skills:         []domain.SkillRequirement{{Skill: "rust", Level: 4, Required: true}},
				EmploymentType: "full_time",
				Eligibility:    domain.Eligibility{Worldwide: true},
			}
			job2 := w.publish(org.ID, rustJob)
			w.catchUp()
			for _, id := range w.evaluatedFor(job2) {
				if id == goAll || id == goUS || id == goOff || id == other {
					t.Errorf("the Go saved search %s was evaluated against the Rust posting", id)
				}
			}
			if got, want := w.evaluatedFor(job2), sharingAnchors(t, docOf(job2, org.ID, rustJob), queries); !cmp.Equal(got, want) {
				t.Errorf("evaluated against the Rust posting: %v, want %v", got, want)
			}
			if len(w.evaluatedFor(job2)) >= len(queries) {
				t.Errorf("every saved search was evaluated against the Rust posting")
			}

			// Re-delivery: the same events again change nothing.
			before := dump(t, db)
			all, err := db.ReadAll(ctx, 0, 10000)
			w.must(err)
			if n, err := w.run.Step(ctx, all); err != nil || n != 0 {
				t.Errorf("re-delivered events applied: %d (%v)", n, err)
			}
			// Even applied again without the checkpoint (a handler retried).
			w.must(db.InTx(ctx, func(tx *store.Tx) error {
				for _, e := range all {
					if e.Type == domain.JobPublished {
						if err := w.proj.Apply(ctx, tx, e); err != nil {
							return err
						}
					}
				}
				return nil
			}))
			if diff := cmp.Diff(before, dump(t, db)); diff != "" {
				t.Errorf("re-applying publish events changed rows (-before +after):\n%s", diff)
			}

			// A renewal notifies saved searches created since the publication, once.
			late := w.save("dev-2", "Kubernetes late", search.Query{Text: "kubernetes"}, "")
			_, err = w.app.RenewJob(w.as("owner"), job1, -1, time.Time{})
			w.must(err)
			_, err = w.app.RenewJob(w.as("owner"), job1, -1, time.Time{})
			w.must(err)
			w.catchUp()
			if got, want := w.matches(), sorted(append(pairs([]string{goAll, kube, goOff, other, late}, job1), pairs([]string{rust}, job2)...)...); !cmp.Equal(got, want) {
				t.Errorf("after renewals (-want +got):\n%s", cmp.Diff(want, got))
			}

			// Updating a saved search refiles it; reading marks are events.
			_, err = w.app.UpdateSavedSearch(w.as("dev-1"), rust, -1, app.SavedSearchInput{Name: "Rust or Go", Query: search.Query{SkillsAny: []string{"rust", "go"}}}, true)
			w.must(err)
			_, err = w.app.MarkNotificationsRead(w.as("dev-1"), nil, true)
			w.must(err)
			w.catchUp()
			got, err := w.app.SavedSearch(w.as("dev-1"), rust)
			w.must(err)
			if got.Name != "Rust or Go" || got.Version != 2 || len(got.Query.SkillsAny) != 2 {
				t.Errorf("updated saved search = %+v", got)
			}
			page, err = w.app.Notifications(w.as("dev-1"), "", 10)
			w.must(err)
			for _, n := range page.Items {
				if n.ReadAt == nil {
					t.Errorf("notification %s unread after marking all read", n.ID)
				}
			}

			// Rebuild gives the same rows, read marks included.
			want := dump(t, db)
			if _, err := projection.Rebuild(ctx, db, alerts.New(db, nil)); err != nil {
				t.Fatalf("Rebuild: %v", err)
			}
			if diff := cmp.Diff(want, dump(t, db)); diff != "" {
				t.Errorf("rebuilt rows differ (-incremental +rebuilt):\n%s", diff)
			}

			// Deleting a saved search removes its notifications.
			_, err = w.app.DeleteSavedSearch(w.as("dev-1"), goAll, -1)
			w.must(err)
			w.catchUp()
			for _, m := range w.matches() {
				if strings.HasPrefix(m, goAll) {
					t.Errorf("notification %s of a deleted saved search", m)
				}
			}

			// Erasing dev-1 removes their saved searches and notifications.
			w.must(db.Keyring().Forget(ctx, "dev-1"))
			if _, err := projection.Rebuild(ctx, db, alerts.New(db, nil)); err != nil {
				t.Fatalf("Rebuild after erasure: %v", err)
			}
			var n int
			w.must(db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM saved_searches WHERE owner_id = ?) + (SELECT COUNT(*) FROM notifications WHERE user_id = ?)`, "dev-1", "dev-1").Scan(&n))
			if n != 0 {
				t.Errorf("%d rows of the erased owner remain", n)
			}
			if _, err := w.q.SavedSearch(ctx, kube); meridian.ErrorCode(err) != meridian.ENotFound {
				t.Errorf("erased owner's saved search: %v, want not found", err)
			}
			if got := w.matches(); !cmp.Equal(got, pairs([]string{other, late}, job1)) {
				t.Errorf("after erasure: %v", got)
			}
		})
	}
}

// TestNotificationIDsAreStable: the id of a notification depends only on
// the match, so a rebuild keeps cursors valid.
func TestNotificationIDsAreStable(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := newWorld(t, db)
	org, err := w.app.CreateOrg(w.as("owner"), domain.OrgDetails{Name: "Acme"}, "")
	w.must(err)
	w.save("dev-1", "Go", search.Query{SkillsAll: []string{"go"}}, "")
	for i := range 3 {
		w.publish(org.ID, goJob(fmt.Sprintf("Go engineer %d", i), ""))
	}
	w.catchUp()
	first, err := w.app.Notifications(w.as("dev-1"), "", 2)
	w.must(err)
	if len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("first page: %+v", first)
	}
	if _, err := projection.Rebuild(w.ctx, db, alerts.New(db, nil)); err != nil {
		t.Fatal(err)
	}
	again, err := w.app.Notifications(w.as("dev-1"), "", 2)
	w.must(err)
	if !cmp.Equal(first, again) {
		t.Errorf("pages differ after rebuild:\n%s", cmp.Diff(first, again))
	}
	rest, err := w.app.Notifications(w.as("dev-1"), first.NextCursor, 2)
	w.must(err)
	if len(rest.Items) != 1 || rest.NextCursor != "" || rest.Items[0].Title != "Go engineer 0" {
		t.Errorf("second page: %+v", rest)
	}
	if !meridian.ValidID(first.Items[0].ID) || first.Items[0].Title != "Go engineer 2" {
		t.Errorf("newest first with UUID ids: %+v", first.Items)
	}
}
