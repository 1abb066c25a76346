package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/web"
)

func userCtx(id string) context.Context {
	return meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: id})
}

// orgJobs lists an organization's postings of every status, as its owner.
func (s *stack) orgJobs(t *testing.T, owner, orgID string) []readmodel.Job {
	t.Helper()
	page, err := s.app.Jobs(userCtx(owner), readmodel.JobFilter{OrgID: orgID, Limit: 100,
		Statuses: []string{domain.StatusDraft, domain.StatusPublished, domain.StatusClosed, domain.StatusExpired}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func jobFormValues(title string) url.Values {
	return url.Values{"title": {title}, "description": {"We build event-sourced services in Golang on PostgreSQL.\n\nNice to have: Kubernetes."},
		"seniority": {"senior"}, "employmentType": {"full_time"}, "salaryMin": {"100,000"}, "salaryMax": {"130000"}, "currency": {"EUR"},
		"period": {"year"}, "region": {"EU"}, "countries": {"gb, ch"}, "tzMin": {"-1"}, "tzMax": {"3"}, "publish": {"1"}}
}

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestEmployerOrgAndPostings(t *testing.T) {
	s := newStack(t)
	const boss = "boss-1"

	resp, body := s.as(t, boss, "GET", "/employer", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "not a member of any organization") || strings.Count(body, "<h1") != 1 ||
		!strings.Contains(body, `<label for="org-name">`) {
		t.Fatalf("/employer: %d\n%s", resp.StatusCode, body)
	}
	// A bad website re-renders the form with the message.
	resp, body = s.as(t, boss, "POST", "/employer/orgs", url.Values{"name": {"Globex"}, "website": {"ftp://globex"}})
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#org-website"`) || !strings.Contains(body, `value="Globex"`) {
		t.Fatalf("bad org: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = s.as(t, boss, "POST", "/employer/orgs", url.Values{"name": {"Globex"}, "website": {"https://globex.example"}, "description": {"Remote since 1999."}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/employer/orgs/") {
		t.Fatalf("create org: %d %s", resp.StatusCode, loc)
	}
	orgID := strings.TrimPrefix(loc, "/employer/orgs/")
	resp, body = s.as(t, boss, "GET", loc, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "<h1>Globex</h1>") || !strings.Contains(body, `<span class="badge">owner</span>`) ||
		!strings.Contains(body, `aria-current="page">Dashboard`) || !strings.Contains(body, `<label for="member-new">`) {
		t.Fatalf("dashboard: %d\n%s", resp.StatusCode, body)
	}
	if _, body = s.as(t, boss, "GET", "/employer", nil); !strings.Contains(body, `href="/employer/orgs/`+orgID+`">Globex</a>`) {
		t.Errorf("/employer does not list the new organization:\n%s", body)
	}

	// Post a job through the form: skills come from the description.
	resp, body = s.as(t, boss, "GET", "/employer/orgs/"+orgID+"/jobs/new", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-preview="/skills/preview"`) || !strings.Contains(body, `<label for="job-salary-min">`) {
		t.Fatalf("new job form: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/jobs", jobFormValues("Senior Platform Engineer"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/employer/orgs/"+orgID {
		t.Fatalf("post job: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	jobs := s.orgJobs(t, boss, orgID)
	if len(jobs) != 1 {
		t.Fatalf("%d postings", len(jobs))
	}
	j := jobs[0]
	skills := map[string]bool{}
	for _, sk := range j.Skills {
		skills[sk.Skill] = sk.Required
	}
	if j.Status != domain.StatusPublished || !skills["go"] || !skills["postgresql"] || j.Salary == nil || j.Salary.Min != 10000000 ||
		j.Salary.Currency != "EUR" || j.TimeZone == nil || *j.TimeZone.MaxUTCOffset != 3 || strings.Join(j.Eligibility.Countries, ",") != "CH,GB" {
		t.Fatalf("stored posting: %+v", j)
	}
	if req, ok := skills["kubernetes"]; !ok || req {
		t.Errorf("kubernetes should be nice to have: %v", j.Skills)
	}
	if resp, body := s.get(t, "/jobs/"+j.ID); resp.StatusCode != 200 || !strings.Contains(body, "<h1>Senior Platform Engineer</h1>") {
		t.Errorf("public job page: %d\n%s", resp.StatusCode, body)
	}

	// Bad salaries re-render the form with a message; nothing is stored.
	bad := jobFormValues("Another Engineer")
	bad.Set("salaryMin", "lots")
	resp, body = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/jobs", bad)
	if resp.StatusCode != 422 || !strings.Contains(body, `href="#job-salary-min"`) || !strings.Contains(body, "Minimum salary must be a whole") ||
		!strings.Contains(body, `value="Another Engineer"`) {
		t.Fatalf("bad salary: %d\n%s", resp.StatusCode, body)
	}
	bad.Set("salaryMin", "200000") // above the maximum: the domain says no
	resp, body = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/jobs", bad)
	if resp.StatusCode != 422 || !strings.Contains(body, "greater than maximum") {
		t.Fatalf("min > max: %d\n%s", resp.StatusCode, body)
	}
	if n := len(s.orgJobs(t, boss, orgID)); n != 1 {
		t.Errorf("a refused form stored a posting: %d postings", n)
	}

	// Edit: the form carries the version; a stale one is a 409.
	resp, body = s.as(t, boss, "GET", "/employer/jobs/"+j.ID+"/edit", nil)
	m := versionRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `value="Senior Platform Engineer"`) || !strings.Contains(body, `value="100000"`) {
		t.Fatalf("edit form: %d\n%s", resp.StatusCode, body)
	}
	edit := jobFormValues("Staff Platform Engineer")
	edit.Set("version", "1")
	resp, body = s.as(t, boss, "POST", "/employer/jobs/"+j.ID, edit)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone changed this posting") {
		t.Fatalf("stale edit: %d\n%s", resp.StatusCode, body)
	}
	edit.Set("version", m[1])
	if resp, body = s.as(t, boss, "POST", "/employer/jobs/"+j.ID, edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", resp.StatusCode, body)
	}
	if got, _ := s.app.Job(userCtx(boss), j.ID); got.Title != "Staff Platform Engineer" || got.Status != domain.StatusPublished {
		t.Errorf("after the edit: %q %s", got.Title, got.Status)
	}

	// A draft, published from the dashboard; then closed with a reason.
	draft := jobFormValues("Draft Engineer")
	draft.Del("publish")
	if resp, _ = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/jobs", draft); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("draft: %d", resp.StatusCode)
	}
	var draftID string
	for _, x := range s.orgJobs(t, boss, orgID) {
		if x.Title == "Draft Engineer" && x.Status == domain.StatusDraft {
			draftID = x.ID
		}
	}
	if _, body = s.as(t, boss, "GET", "/employer/orgs/"+orgID, nil); draftID == "" || !strings.Contains(body, `action="/employer/jobs/`+draftID+`/publish"`) {
		t.Fatalf("dashboard without the draft's publish button:\n%s", body)
	}
	if resp, _ = s.as(t, boss, "POST", "/employer/jobs/"+draftID+"/publish", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	if resp, _ = s.as(t, boss, "POST", "/employer/jobs/"+draftID+"/close", url.Values{"reason": {"filled"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	if got, _ := s.app.Job(userCtx(boss), draftID); got.Status != domain.StatusClosed || got.CloseReason != "filled" {
		t.Errorf("closed: %s %q", got.Status, got.CloseReason)
	}

	// Members: add by id, change the role, remove.
	if resp, _ = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/members", url.Values{"member": {"colleague-1"}, "role": {"viewer"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add member: %d", resp.StatusCode)
	}
	if resp, _ = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/members/colleague-1", url.Values{"role": {"recruiter"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role: %d", resp.StatusCode)
	}
	if resp, body = s.as(t, "colleague-1", "GET", "/employer/orgs/"+orgID+"/jobs/new", nil); resp.StatusCode != 200 {
		t.Fatalf("recruiter's job form: %d\n%s", resp.StatusCode, body)
	}
	resp, body = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/members/"+boss+"/remove", url.Values{})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "last owner") {
		t.Errorf("the last owner left: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ = s.as(t, boss, "POST", "/employer/orgs/"+orgID+"/members/colleague-1/remove", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}

	// Outsiders: every organization page is 404 to a non-member; visitors
	// get 401 where the policy says so (404 on members-only pages).
	pages := []struct{ method, path string }{
		{"GET", "/employer/orgs/" + orgID}, {"GET", "/employer/orgs/" + orgID + "/jobs/new"}, {"POST", "/employer/orgs/" + orgID + "/jobs"},
		{"GET", "/employer/jobs/" + j.ID + "/edit"}, {"POST", "/employer/jobs/" + j.ID}, {"POST", "/employer/jobs/" + j.ID + "/close"},
		{"GET", "/employer/jobs/" + j.ID + "/pipeline"}, {"GET", "/employer/jobs/" + j.ID + "/candidates"},
		{"GET", "/employer/orgs/" + orgID + "/settings"}, {"POST", "/employer/orgs/" + orgID + "/api-keys"},
		{"POST", "/employer/orgs/" + orgID + "/members"},
	}
	for _, p := range pages {
		var form url.Values
		if p.method == "POST" {
			form = jobFormValues("Intruder")
		}
		if resp, _ := s.as(t, "stranger", p.method, p.path, form); resp.StatusCode != 404 {
			t.Errorf("stranger %s %s: %d", p.method, p.path, resp.StatusCode)
		}
		want := 401
		if strings.HasSuffix(p.path, "/pipeline") || strings.HasSuffix(p.path, "/candidates") || p.path == "/employer/orgs/"+orgID {
			want = 404 // org-viewer: anyone but members, visitors included
		}
		resp, body := s.as(t, "", p.method, p.path, form)
		if resp.StatusCode != want || !strings.Contains(body, `action="/signin"`) {
			t.Errorf("visitor %s %s: %d, want %d with the sign-in form", p.method, p.path, resp.StatusCode, want)
		}
	}
	if resp, _ := s.as(t, "", "GET", "/employer", nil); resp.StatusCode != 401 {
		t.Errorf("visitor /employer: %d", resp.StatusCode)
	}
	if n := len(s.orgJobs(t, boss, orgID)); n != 2 {
		t.Errorf("outsiders changed the postings: %d", n)
	}
}

func TestEmployerPipelineAndCandidates(t *testing.T) {
	s := newStack(t)
	jobID := s.post(t, goJob("Senior Go Engineer"), true)
	dev := userCtx("dev-1")
	prof, err := s.app.CreateProfile(dev, "", "public", domain.ProfileDetails{DisplayName: "Ada Lovelace", Headline: "Backend engineer, Go and PostgreSQL",
		Skills:   []domain.ProfileSkill{{Skill: "go", Level: 5, Years: 8}, {Skill: "postgresql", Level: 4, Years: 6}},
		TimeZone: "Europe/Berlin", Countries: []string{"DE"}, Seniority: "senior",
		SalaryFloor: &domain.Salary{Min: 10000000, Currency: "USD", Period: "year"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.app.Apply(dev, jobID, prof.ID, "Hello")
	if err != nil {
		t.Fatal(err)
	}
	appID := res.ID
	if _, err := s.app.AddMember(s.owner, s.orgID, -1, "viewer-1", domain.RoleViewer); err != nil {
		t.Fatal(err)
	}

	board := "/employer/jobs/" + jobID + "/pipeline"
	resp, body := s.as(t, "owner-1", "GET", board, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `<section id="board" data-live="org.`+s.orgID+`.applications"`) ||
		!strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, `id="app-`+appID+`"`) ||
		!strings.Contains(body, `action="/employer/applications/`+appID+`/move"`) || !strings.Contains(body, `<label for="move-to-`+appID+`">`) {
		t.Fatalf("board: %d\n%s", resp.StatusCode, body)
	}
	if strings.Count(body, "<h1") != 1 || strings.Contains(body, " style=") {
		t.Error("board: one h1 and no inline styles")
	}
	move := "/employer/applications/" + appID + "/move"
	if resp, _ := s.as(t, "owner-1", "POST", move, url.Values{"to": {"screening"}, "reason": {""}}); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), board) {
		t.Fatalf("move to screening: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A final stage needs a reason: refused with the domain's message.
	resp, body = s.as(t, "owner-1", "POST", move, url.Values{"to": {"rejected"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "Give a reason") || !strings.Contains(body, "skills_mismatch") || !strings.Contains(body, `href="#move-`+appID+`"`) {
		t.Fatalf("reject without a reason: %d\n%s", resp.StatusCode, body)
	}
	if a, _ := s.app.Application(s.owner, appID); a.Stage != domain.StageScreening {
		t.Fatalf("stage after the refused move: %s", a.Stage)
	}
	// The viewer sees the board but may not move.
	resp, body = s.as(t, "viewer-1", "GET", board, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Ada Lovelace") || strings.Contains(body, `/move"`) {
		t.Errorf("viewer's board: %d", resp.StatusCode)
	}
	if resp, _ := s.as(t, "viewer-1", "POST", move, url.Values{"to": {"rejected"}, "reason": {"skills_mismatch"}}); resp.StatusCode != 403 {
		t.Errorf("viewer moved: %d", resp.StatusCode)
	}
	if resp, _ := s.as(t, "stranger", "POST", move, url.Values{"to": {"rejected"}, "reason": {"skills_mismatch"}}); resp.StatusCode != 404 {
		t.Errorf("stranger moved: %d", resp.StatusCode)
	}
	if resp, _ := s.as(t, "owner-1", "POST", move, url.Values{"to": {"rejected"}, "reason": {"skills_mismatch"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	if _, body = s.as(t, "owner-1", "GET", board, nil); !strings.Contains(body, "Reason: Skills do not match") {
		t.Errorf("rejected card:\n%s", body)
	}

	// Private notes on a card: recruiters and above add them, members read
	// them; the candidate never sees them.
	notes := "/employer/applications/" + appID + "/notes"
	if resp, _ := s.as(t, "owner-1", "POST", notes, url.Values{"body": {"Strong <b>Go</b> skills; call back Tuesday."}}); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasSuffix(resp.Header.Get("Location"), "#app-"+appID) {
		t.Fatalf("add a note: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = s.as(t, "owner-1", "POST", notes, url.Values{"body": {"   "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#note-`+appID+`"`) {
		t.Fatalf("an empty note: %d\n%s", resp.StatusCode, body)
	}
	_, body = s.as(t, "viewer-1", "GET", board, nil)
	if !strings.Contains(body, "Notes (1)") || !strings.Contains(body, "Strong &lt;b&gt;Go&lt;/b&gt; skills; call back Tuesday.") || strings.Contains(body, `action="`+notes+`"`) {
		t.Errorf("viewer's board: the note, escaped, and no note form:\n%s", body)
	}
	if resp, _ := s.as(t, "viewer-1", "POST", notes, url.Values{"body": {"Viewer's note"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer added a note: %d", resp.StatusCode)
	}
	for _, who := range []string{"stranger", "dev-1"} {
		if resp, _ := s.as(t, who, "POST", notes, url.Values{"body": {"Hello"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s added a note: %d", who, resp.StatusCode)
		}
	}
	if ns, err := s.app.Notes(s.owner, appID); err != nil || len(ns) != 1 {
		t.Errorf("notes stored: %v %v", ns, err)
	}
	if _, body = s.as(t, "dev-1", "GET", "/me/applications", nil); strings.Contains(body, "call back Tuesday") {
		t.Error("the candidate sees the organization's note")
	}

	// The shortlist explains each match.
	resp, body = s.as(t, "viewer-1", "GET", "/employer/jobs/"+jobID+"/candidates", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, "Has: Go") || !strings.Contains(body, "Missing: Kubernetes (nice to have)") ||
		!strings.Contains(body, "Eligible:") || !strings.Contains(body, "Salary fits") || !strings.Contains(body, "Seniority matches.") {
		t.Fatalf("candidates: %d\n%s", resp.StatusCode, body)
	}

	// Settings are for admins: a viewer gets 403.
	if resp, _ := s.as(t, "viewer-1", "GET", "/employer/orgs/"+s.orgID+"/settings", nil); resp.StatusCode != 403 {
		t.Errorf("viewer's settings: %d", resp.StatusCode)
	}
}

var secretRE = regexp.MustCompile(`id="secret-value" class="emp-secret" readonly value="([^"]+)"`)

func TestEmployerAPIKeys(t *testing.T) {
	s := newStack(t)
	s.app.Webhooks = nil // a node without webhook delivery: the page says so
	settings := "/employer/orgs/" + s.orgID + "/settings"
	resp, body := s.as(t, "owner-1", "GET", settings, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "No API keys yet") || !strings.Contains(body, `<label for="key-name">`) ||
		!strings.Contains(body, "webhooks are not configured") {
		t.Fatalf("settings: %d\n%s", resp.StatusCode, body)
	}
	// Invalid: no scope.
	resp, body = s.as(t, "owner-1", "POST", "/employer/orgs/"+s.orgID+"/api-keys", url.Values{"name": {"ci"}, "kind": {"key"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "grant at least one scope") {
		t.Fatalf("no scope: %d\n%s", resp.StatusCode, body)
	}
	resp, body = s.as(t, "owner-1", "POST", "/employer/orgs/"+s.orgID+"/api-keys", url.Values{"name": {"ci"}, "kind": {"key"}, "scope": {"jobs:read", "org:read"}, "expires": {"2099-12-31"}})
	m := secretRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, "shown this once") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("new key: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	secret := m[1]
	resp, body = s.as(t, "owner-1", "GET", settings, nil)
	if resp.StatusCode != 200 || strings.Contains(body, secret) || !strings.Contains(body, "ci") || !strings.Contains(body, "jobs:read, org:read") ||
		!strings.Contains(body, secret[:11]+"…") {
		t.Fatalf("settings after: %d (secret shown: %v)\n%s", resp.StatusCode, strings.Contains(body, secret), body)
	}
	keys, err := s.app.APIKeys(s.owner, s.orgID)
	if err != nil || len(keys) != 1 || keys[0].ExpiresAt == nil {
		t.Fatalf("keys: %v %v", keys, err)
	}
	if resp, _ := s.as(t, "owner-1", "POST", "/employer/orgs/"+s.orgID+"/api-keys/"+keys[0].ID+"/revoke", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if _, body = s.as(t, "owner-1", "GET", settings, nil); !strings.Contains(body, "Revoked") || strings.Contains(body, keys[0].ID+"/revoke") {
		t.Errorf("revoked key:\n%s", body)
	}
	if resp, _ := s.as(t, "stranger", "GET", settings, nil); resp.StatusCode != 404 {
		t.Errorf("stranger's settings: %d", resp.StatusCode)
	}
	if resp, _ := s.as(t, "", "GET", settings, nil); resp.StatusCode != 401 {
		t.Errorf("visitor's settings: %d", resp.StatusCode)
	}
}

// A pipeline column shows its newest applications and pages through the
// rest; the counts are the posting's, not the page's.
func TestEmployerBoardPages(t *testing.T) {
	s := newStack(t)
	jobID := s.post(t, goJob("Platform Engineer"), true)
	const n = web.BoardPage + 2
	var first []string // the two oldest applications
	for i := range n {
		dev := userCtx(fmt.Sprintf("dev-%02d", i))
		prof, err := s.app.CreateProfile(dev, "", "public", domain.ProfileDetails{DisplayName: fmt.Sprintf("Developer %02d", i),
			Skills: []domain.ProfileSkill{{Skill: "go", Level: 4, Years: 5}}, TimeZone: "Europe/Berlin", Countries: []string{"DE"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.app.Apply(dev, jobID, prof.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			first = append(first, res.ID)
		}
	}
	if _, err := s.app.MoveApplication(s.owner, first[0], -1, domain.StageScreening, ""); err != nil {
		t.Fatal(err)
	}
	board := "/employer/jobs/" + jobID + "/pipeline"
	_, body := s.as(t, "owner-1", "GET", board, nil)
	older := board + "?stage=applied&amp;after="
	if !strings.Contains(body, fmt.Sprintf(">%d applications<", n)) || !strings.Contains(body, fmt.Sprintf("Applied <span class=\"n\">(%d)</span>", n-1)) ||
		!strings.Contains(body, "Screening <span class=\"n\">(1)</span>") || strings.Count(body, `<li class="emp-card`) != web.BoardPage+1 ||
		strings.Contains(body, `id="app-`+first[1]+`"`) || !strings.Contains(body, `id="app-`+first[0]+`"`) || !strings.Contains(body, older) {
		t.Fatalf("first page of the board:\n%s", body)
	}
	i := strings.Index(body, older)
	next := html.UnescapeString(body[i : i+strings.IndexByte(body[i:], '"')])
	resp, body := s.as(t, "owner-1", "GET", next, nil)
	if resp.StatusCode != 200 || strings.Count(body, `<li class="emp-card`) != n-1-web.BoardPage+1 || !strings.Contains(body, `id="app-`+first[1]+`"`) ||
		!strings.Contains(body, "Back to the newest") || strings.Contains(body, older) {
		t.Fatalf("older applied cards (%s): %d\n%s", next, resp.StatusCode, body)
	}
	if resp, _ := s.as(t, "owner-1", "GET", board+"?stage=applied&after=not-a-cursor", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a made-up cursor: %d", resp.StatusCode)
	}
}
