package ingest_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/skills"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

type fixture struct {
	t   *testing.T
	ctx context.Context // the CLI's system principal
	db  *store.DB
	app *app.App
	run *projection.Runner
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.OpenSQLite(t)
	a := app.New(db, nil, slog.New(slog.DiscardHandler))
	return &fixture{t: t, ctx: meridian.WithPrincipal(context.Background(), meridian.System("import-test")), db: db, app: a,
		run: &projection.Runner{DB: db, Handler: readmodel.Projection{}, Log: slog.New(slog.DiscardHandler)}}
}

func (f *fixture) importAs(ctx context.Context, format, body string, opt ingest.Options) ingest.Report {
	f.t.Helper()
	opt.Format = format
	im := &ingest.Importer{App: f.app}
	rep, err := im.Run(ctx, strings.NewReader(body), opt)
	if err != nil {
		f.t.Fatalf("import %s: %v (report %+v)", format, err, rep)
	}
	return rep
}

func (f *fixture) catchUp() {
	f.t.Helper()
	for {
		n, err := f.run.Step(context.Background(), nil)
		if err != nil {
			f.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (f *fixture) jobs(orgID string) []readmodel.Job {
	f.t.Helper()
	f.catchUp()
	var out []readmodel.Job
	flt := readmodel.JobFilter{OrgID: orgID, Limit: 100, Now: time.Now().UTC()}
	for {
		page, err := f.app.Q.Jobs(context.Background(), flt)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		flt.Cursor = page.NextCursor
	}
}

func counts(r ingest.Report) string {
	return fmt.Sprintf("records=%d created=%d updated=%d merged=%d unchanged=%d rejected=%d", r.Records, r.Created, r.Updated, r.Merged, r.Unchanged, r.Rejected)
}

// id is the taxonomy id of a skill name.
func id(name string) string { return skills.Default().Canonical(name) }

func skillIDs(j readmodel.Job) map[string]bool {
	out := map[string]bool{}
	for _, s := range j.Skills {
		out[s.Skill] = true
	}
	return out
}

const jsonLD = `{"@context": "https://schema.org", "@graph": [
 {"@type": "JobPosting", "identifier": "acme-1", "title": "Senior Backend Engineer (Go)",
  "description": "<p>We build payments APIs in <b>Go</b> on PostgreSQL and Kubernetes.</p><p><strong>Nice to have:</strong> Terraform, Kafka.</p>",
  "datePosted": "2026-11-20", "employmentType": "FULL_TIME",
  "hiringOrganization": {"@type": "Organization", "name": "Acme Payments", "sameAs": "https://acme.example"},
  "jobLocationType": "TELECOMMUTE",
  "applicantLocationRequirements": [{"@type": "Country", "name": "Germany"}, {"@type": "Country", "name": "PT"}],
  "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR", "value": {"@type": "QuantitativeValue", "minValue": 70000, "maxValue": 90000, "unitText": "YEAR"}}},
 {"@type": "JobPosting", "identifier": "acme-2", "description": "no title here",
  "hiringOrganization": {"@type": "Organization", "name": "Acme Payments"}, "jobLocationType": "TELECOMMUTE"},
 {"@type": "JobPosting", "identifier": "globex-7", "title": "Platform Engineer &amp; SRE",
  "description": "Python, AWS Lambda and Terraform. Salary $150k-$180k. Remote (US only).",
  "hiringOrganization": "Globex", "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Remote (US only)"}}}
]}`

func TestImportJSONLDIdempotentAndMerged(t *testing.T) {
	f := newFixture(t)
	rep := f.importAs(f.ctx, "jsonld", jsonLD, ingest.Options{})
	if rep.Records != 3 || rep.Created != 2 || rep.Rejected != 1 || rep.OrgsCreated != 2 {
		t.Fatalf("first import: %s orgs=%d; rejections %+v", counts(rep), rep.OrgsCreated, rep.Rejections)
	}
	if r := rep.Rejections[0]; r.Record != 2 || !strings.Contains(r.Reason, "title") {
		t.Errorf("rejection = %+v, want record 2 for its title", r)
	}
	acme := app.ImportedOrgID("Acme Payments")
	jobs := f.jobs(acme)
	if len(jobs) != 1 {
		t.Fatalf("Acme has %d postings, want 1", len(jobs))
	}
	j := jobs[0]
	if j.Title != "Senior Backend Engineer (Go)" || j.Seniority != "senior" || j.EmploymentType != "full_time" || j.Source != "jsonld:acme-1" {
		t.Errorf("posting = %q %q %q %q", j.Title, j.Seniority, j.EmploymentType, j.Source)
	}
	if s := j.Salary; s == nil || s.Min != 7000000 || s.Max != 9000000 || s.Currency != "EUR" || s.Period != "year" {
		t.Errorf("salary = %+v", j.Salary)
	}
	if e := j.Eligibility; e.Worldwide || strings.Join(e.Countries, ",") != "DE,PT" {
		t.Errorf("eligibility = %+v, want DE and PT", e)
	}
	got := skillIDs(j)
	for _, name := range []string{"Go", "PostgreSQL", "Kubernetes", "Terraform", "Kafka"} {
		if !got[id(name)] {
			t.Errorf("skill %s not extracted: %v", name, j.Skills)
		}
	}
	for _, s := range j.Skills {
		if s.Skill == id("Terraform") && s.Required {
			t.Errorf("terraform sits under 'Nice to have' but is required")
		}
		if s.Skill == "postgresql" && !s.Required {
			t.Errorf("postgresql is required")
		}
	}
	globex := f.jobs(app.ImportedOrgID("Globex"))
	if len(globex) != 1 || globex[0].Title != "Platform Engineer & SRE" {
		t.Fatalf("Globex postings = %+v", globex)
	}
	if e := globex[0].Eligibility; strings.Join(e.Countries, ",") != "US" || e.Worldwide {
		t.Errorf("Globex eligibility = %+v, want US only", e)
	}
	if s := globex[0].Salary; s == nil || s.Min != 15000000 || s.Max != 18000000 || s.Currency != "USD" {
		t.Errorf("Globex salary = %+v", s)
	}

	// Importing the same file again creates nothing new.
	head, _ := f.db.Head(context.Background())
	rep = f.importAs(f.ctx, "jsonld", jsonLD, ingest.Options{})
	if rep.Created != 0 || rep.Unchanged != 2 || rep.Rejected != 1 {
		t.Fatalf("re-import: %s", counts(rep))
	}
	if h2, _ := f.db.Head(context.Background()); h2 != head {
		t.Errorf("re-import appended %d events", h2-head)
	}

	// A repost under a new identifier with a changed text merges into the posting.
	// It carries a later posting date; the posting keeps the date it first
	// appeared (market figures date it by that).
	repost := strings.Replace(strings.Replace(jsonLD, `"acme-1"`, `"acme-1-repost"`, 1), "payments APIs", "payment APIs and ledgers", 1)
	repost = strings.Replace(repost, `"2026-11-20"`, `"2026-11-25"`, 1)
	rep = f.importAs(f.ctx, "jsonld", repost, ingest.Options{})
	if rep.Created != 0 || rep.Merged != 1 || rep.Unchanged != 1 {
		t.Fatalf("repost: %s", counts(rep))
	}
	jobs = f.jobs(acme)
	if len(jobs) != 1 || !strings.Contains(jobs[0].Description, "ledgers") || jobs[0].Source != "jsonld:acme-1-repost" {
		t.Fatalf("after the repost Acme has %d postings: %+v", len(jobs), jobs)
	}
	evs, err := f.db.Load(context.Background(), jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	agg := domain.NewJob()
	if err := domain.Load(agg, jobs[0].ID, evs); err != nil {
		t.Fatal(err)
	}
	if got := agg.Details().PostedAt; !got.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("postedAt after a later repost = %v, want the first date, 2026-11-20", got)
	}
}

func TestImportIntoOrganization(t *testing.T) {
	f := newFixture(t)
	owner := meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "owner-1"})
	org, err := f.app.CreateOrg(owner, domain.OrgDetails{Name: "Initech"}, "")
	if err != nil {
		t.Fatal(err)
	}
	csv := "Job Title,Where,Pay,Stack\n" +
		"Staff Rust Engineer,Remote (Europe),€90.000 - €110.000,\"Rust, Tokio, PostgreSQL\"\n" +
		"\"Broken \"quote\" row,Remote,,\n" +
		",Remote,,\n" +
		"Data Engineer,\"Berlin, onsite\",,Spark\n"
	rep := f.importAs(owner, "csv", csv, ingest.Options{OrgID: org.ID, CSV: map[string]string{"title": "Job Title", "location": "Where", "salary": "Pay", "skills": "Stack"}})
	if rep.Created != 2 || rep.Rejected != 2 {
		t.Fatalf("csv import: %s %+v", counts(rep), rep.Rejections)
	}
	for _, r := range rep.Rejections {
		if r.Line == 0 || r.Reason == "" {
			t.Errorf("rejection without line or reason: %+v", r)
		}
	}
	jobs := f.jobs(org.ID)
	if len(jobs) != 2 {
		t.Fatalf("Initech has %d postings", len(jobs))
	}
	for _, j := range jobs {
		switch j.Title {
		case "Staff Rust Engineer":
			if !skillIDs(j)["rust"] || !skillIDs(j)["postgresql"] || j.Seniority != "staff" {
				t.Errorf("rust posting: %+v", j)
			}
			if s := j.Salary; s == nil || s.Min != 9000000 || s.Max != 11000000 || s.Currency != "EUR" {
				t.Errorf("rust salary = %+v", s)
			}
			if e := j.Eligibility; strings.Join(e.Regions, ",") != "EUROPE" {
				t.Errorf("rust eligibility = %+v", e)
			}
		case "Data Engineer":
			if e := j.Eligibility; strings.Join(e.Countries, ",") != "DE" {
				t.Errorf("on-site Berlin posting filed under %+v, want DE", e)
			}
		default:
			t.Errorf("unexpected posting %q", j.Title)
		}
	}

	// Someone who is not a member cannot import into the organization,
	// and nobody but a platform admin imports for many employers.
	stranger := meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "stranger"})
	im := &ingest.Importer{App: f.app}
	if _, err := im.Run(stranger, strings.NewReader(csv), ingest.Options{Format: "csv", OrgID: org.ID}); meridian.ErrorCode(err) != meridian.ENotFound {
		t.Errorf("stranger import: %v, want not_found", err)
	}
	if _, err := im.Run(owner, strings.NewReader(csv), ingest.Options{Format: "csv"}); meridian.ErrorCode(err) != meridian.EForbidden {
		t.Errorf("import without an organization by a user: %v, want forbidden", err)
	}
}

func TestImportRemoteOKMessyText(t *testing.T) {
	f := newFixture(t)
	body := `[{"legal": "API terms"},
 {"slug": "acme-go", "id": "101", "epoch": 1764000000, "date": "2026-11-24T10:00:00+00:00", "company": "Caf\u00c3\u00a9 Labs",
  "position": "Senior Go Developer", "tags": ["golang", "postgres", "senior", "remote"],
  "description": "&lt;p&gt;Build APIs in Go &amp;amp; gRPC. We&amp;#x27;re remote-first.&lt;/p&gt;", "location": "Worldwide",
  "salary_min": 120000, "salary_max": 160000, "apply_url": "https://example.com/apply", "url": "https://remoteok.example/l/101"},
 {"slug": "x", "id": "102", "company": "NoPosition Inc", "position": "", "location": "Remote"},
 {"slug": "y", "id": "103", "company": "Expired Co", "position": "Backend Engineer", "location": "USA", "description": "Node.js"}
]`
	rep := f.importAs(f.ctx, "remoteok", body, ingest.Options{})
	if rep.Records != 3 || rep.Created != 2 || rep.Rejected != 1 {
		t.Fatalf("remoteok: %s %+v", counts(rep), rep.Rejections)
	}
	jobs := f.jobs(app.ImportedOrgID("Café Labs"))
	if len(jobs) != 1 {
		t.Fatalf("Café Labs postings = %d (double-encoded company name not repaired?)", len(jobs))
	}
	j := jobs[0]
	if j.OrgName != "Café Labs" || strings.Contains(j.Description, "&amp;") || strings.Contains(j.Description, "&#x27;") {
		t.Errorf("text not cleaned: org %q, description %q", j.OrgName, j.Description)
	}
	if !j.Eligibility.Worldwide || !skillIDs(j)["go"] || !skillIDs(j)[id("gRPC")] || !skillIDs(j)["postgresql"] {
		t.Errorf("posting = eligibility %+v skills %v", j.Eligibility, j.Skills)
	}
	if s := j.Salary; s == nil || s.Min != 12000000 || s.Max != 16000000 || s.Currency != "USD" {
		t.Errorf("salary = %+v", s)
	}
}

func TestHostileRecordsRejectedOthersImported(t *testing.T) {
	f := newFixture(t)
	good := func(n int) string {
		return fmt.Sprintf(`{"@type":"JobPosting","identifier":"ok-%d","title":"Backend Engineer %d","description":"Go and Redis","hiringOrganization":"Good Co","jobLocationType":"TELECOMMUTE"}`, n, n)
	}
	lines := []string{
		good(1),
		`{"@type":"JobPosting","identifier":"trunc","title":"Truncated`, // truncated record
		good(2),
		`{"@type":"JobPosting","identifier":"latin1","title":"Caf` + "\xe9" + ` Engineer","hiringOrganization":"X Co","jobLocationType":"TELECOMMUTE"}`, // not UTF-8
		good(3),
		`{"@type":"JobPosting","identifier":"huge","title":"Huge","description":"` + strings.Repeat("A", 2<<20) + `","hiringOrganization":"Huge Co","jobLocationType":"TELECOMMUTE"}`,
		good(4),
		`{"@type":"JobPosting","identifier":"script","title":"<script>alert(1)</script>","hiringOrganization":"Evil Co","jobLocationType":"TELECOMMUTE"}`,
		good(5),
		`{"@type":"JobPosting","identifier":"types","title":42,"hiringOrganization":["a"],"jobLocationType":7}`,
		good(6),
		`{"@type":"JobPosting","identifier":"nowhere","title":"Backend Engineer","description":"Go","hiringOrganization":"Nowhere Co"}`,
		good(7),
		`{"@type":"JobPosting","identifier":"old","title":"Old Engineer","hiringOrganization":"Old Co","jobLocationType":"TELECOMMUTE","validThrough":"2020-01-01"}`,
		good(8),
		`{"@type":"JobPosting","identifier":"nul","title":"Null` + `\u0000` + `byte","hiringOrganization":"Nul Co","jobLocationType":"TELECOMMUTE"}`,
		good(9),
		`{"@type":"JobPosting","identifier":"entity","title":"Caf&amp;eacute; &amp;amp; Bar Engineer","hiringOrganization":"Entity Co","jobLocationType":"TELECOMMUTE"}`,
	}
	rep := f.importAs(f.ctx, "jsonld", strings.Join(lines, "\n")+"\n", ingest.Options{})
	t.Logf("%s", counts(rep))
	for _, r := range rep.Rejections {
		t.Logf("rejected: record %d line %d %s: %s", r.Record, r.Line, r.SourceID, r.Reason)
		if r.Reason == "" || r.Line == 0 {
			t.Errorf("rejection without reason or line: %+v", r)
		}
	}
	good9 := f.jobs(app.ImportedOrgID("Good Co"))
	if len(good9) != 9 {
		t.Errorf("Good Co has %d postings, want all 9 good records imported", len(good9))
	}
	if rep.Rejected < 7 {
		t.Errorf("rejected %d hostile records, want at least 7", rep.Rejected)
	}
	// The entity-encoded title is repaired; a title that is only markup is
	// no title.
	if e := f.jobs(app.ImportedOrgID("Entity Co")); len(e) != 1 || e[0].Title != "Café & Bar Engineer" {
		t.Errorf("entity posting = %+v", e)
	}
	// Control characters such as NUL are dropped by cleaning.
	if n := f.jobs(app.ImportedOrgID("Nul Co")); len(n) != 1 || n[0].Title != "Nullbyte" {
		t.Errorf("NUL posting = %+v", n)
	}
	for _, org := range []string{"Huge Co", "Nowhere Co", "Old Co", "Evil Co"} {
		if js := f.jobs(app.ImportedOrgID(org)); len(js) != 0 {
			t.Errorf("%s: hostile record stored: %+v", org, js)
		}
	}
}

func TestImportJSONResume(t *testing.T) {
	f := newFixture(t)
	resume := `{"basics": {"name": "Ada Example", "label": "Senior Backend Engineer", "email": "ada@example.com",
   "summary": "I build event-sourced systems in Go and Rust on PostgreSQL.",
   "location": {"city": "Lisbon", "countryCode": "PT"}},
 "work": [{"name": "Acme", "position": "Backend Engineer", "startDate": "2019-01-01", "endDate": "2023-01-01",
   "highlights": ["Moved billing to Kafka and Kubernetes"]}],
 "skills": [{"name": "Golang", "level": "Master", "keywords": ["gRPC", "Postgres"]}, {"name": "Underwater basket weaving"}]}`
	user := meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "ada"})
	rep := f.importAs(user, "jsonresume", resume, ingest.Options{})
	if rep.Created != 1 {
		t.Fatalf("resume import: %s %+v", counts(rep), rep.Rejections)
	}
	f.catchUp()
	page, err := f.app.Q.Profiles(context.Background(), readmodel.ProfileFilter{OwnerID: "ada"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ada's profiles: %v %+v", err, page.Items)
	}
	p := page.Items[0]
	if p.DisplayName != "Ada Example" || p.Seniority != "senior" || p.TimeZone != "Europe/Lisbon" || strings.Join(p.Countries, ",") != "PT" {
		t.Errorf("profile = %+v", p)
	}
	lv := map[string]domain.ProfileSkill{}
	for _, s := range p.Skills {
		lv[s.Skill] = s
	}
	if lv["go"].Level != 5 || lv[id("gRPC")].Level != 5 || lv["postgresql"].Level == 0 || lv[id("Kafka")].Years < 3.9 || lv["rust"].Skill == "" {
		t.Errorf("skills = %+v", p.Skills)
	}
	rep = f.importAs(user, "jsonresume", resume, ingest.Options{})
	if rep.Unchanged != 1 || rep.Created != 0 {
		t.Errorf("re-import: %s", counts(rep))
	}
	// A résumé without a country is rejected with the field named.
	rep = f.importAs(user, "jsonresume", `{"basics": {"name": "No Where"}}`, ingest.Options{})
	if rep.Rejected != 1 || !strings.Contains(rep.Rejections[0].Reason, "countryCode") {
		t.Errorf("résumé without country: %s %+v", counts(rep), rep.Rejections)
	}
}
