package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/apptest"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/export"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store/storetest"
	"github.com/meridianhq/meridian/internal/web"
)

// stack is a running application layer (internal/apptest: read models,
// saved searches, search index, market model, live feed) over SQLite, with
// the web app served over HTTP.
type stack struct {
	st     *apptest.Stack
	app    *app.App
	search *search.Follower
	market *follow.Follower // nil: no market model
	srv    *httptest.Server
	owner  context.Context
	orgID  string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	return newStackWith(t, true)
}

// newStackWith is newStack, with or without the market model.
func newStackWith(t *testing.T, withMarket bool) *stack {
	t.Helper()
	st := apptest.New(t, storetest.OpenSQLite(t))
	idx, ok := st.App.Search.(*search.Follower)
	if !ok {
		t.Fatal("apptest's search is not a *search.Follower")
	}
	mf := st.Market
	if !withMarket {
		st.App.Market, mf = nil, nil // the model still follows; the pages do not see it
	}
	srv := httptest.NewServer(asTestUser(web.New(web.Config{App: st.App, Log: st.Log})))
	t.Cleanup(srv.Close) // before the stack stops
	s := &stack{st: st, app: st.App, search: idx, market: mf, srv: srv,
		owner: meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "owner-1"})}
	res, err := st.App.CreateOrg(s.owner, domain.OrgDetails{Name: "Acme Remote", Website: "https://acme.example"}, "")
	if err != nil {
		t.Fatal(err)
	}
	s.orgID = res.ID
	return s
}

func goJob(title string) domain.JobDetails {
	minOff, maxOff := -3.0, 3.0
	return domain.JobDetails{Title: title, Description: "Build **event-sourced** services in Go.\n\n- PostgreSQL\n- NATS",
		Skills:    []domain.SkillRequirement{{Skill: "go", Level: 4, Required: true}, {Skill: "postgresql", Level: 3, Required: true}, {Skill: "kubernetes", Level: 2}},
		Seniority: "senior", EmploymentType: "full_time",
		Salary:      &domain.Salary{Min: 12000000, Max: 16000000, Currency: "USD", Period: "year"},
		Eligibility: domain.Eligibility{Regions: []string{"EU"}, Countries: []string{"GB"}},
		TimeZone:    &domain.TimeZoneRule{MinUTCOffset: &minOff, MaxUTCOffset: &maxOff}}
}

// post drafts and (when publish) publishes a job, and waits until search sees it.
func (s *stack) post(t *testing.T, d domain.JobDetails, publish bool) string {
	t.Helper()
	return s.postIn(t, s.orgID, d, publish)
}

// postIn is post for another organization of the owner.
func (s *stack) postIn(t *testing.T, orgID string, d domain.JobDetails, publish bool) string {
	t.Helper()
	res, err := s.app.DraftJob(s.owner, orgID, d)
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if res, err = s.app.PublishJob(s.owner, res.ID, res.Version); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.search.WaitFor(context.Background(), res.Position); err != nil {
		t.Fatal(err)
	}
	if s.market != nil {
		if err := s.market.WaitFor(context.Background(), res.Position); err != nil {
			t.Fatal(err)
		}
	}
	return res.ID
}

func (s *stack) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// asTestUser stands in for the API server's authentication in these unit
// tests: X-Test-User names the signed-in person (none: anonymous). The
// browser tests (e2e) sign in for real.
func asTestUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-Test-User"); u != "" {
			r = r.WithContext(meridian.WithPrincipal(r.Context(), meridian.Principal{Kind: meridian.PrincipalUser, ID: u}))
		}
		next.ServeHTTP(w, r)
	})
}

// as sends a request as the named person (X-Test-User); form, when not
// nil, is posted urlencoded. Redirects are not followed.
func (s *stack) as(t *testing.T, user, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	if form == nil {
		return s.send(t, user, method, path, "", nil)
	}
	return s.send(t, user, method, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// send sends a request with this body as the named person (none:
// anonymous), without following redirects.
func (s *stack) send(t *testing.T, user, method, path, contentType string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var ldRE = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func TestHomeSearchAndJobPage(t *testing.T) {
	s := newStack(t)
	goID := s.post(t, goJob("Senior Go Engineer"), true)
	pyID := s.post(t, domain.JobDetails{Title: "Python Data Engineer", Description: "Pipelines.", EmploymentType: "contract", Seniority: "mid",
		Skills: []domain.SkillRequirement{{Skill: "python", Level: 3, Required: true}}, Eligibility: domain.Eligibility{Worldwide: true}}, true)
	draftID := s.post(t, goJob("Secret Draft Role"), false)

	resp, body := s.get(t, "/")
	if resp.StatusCode != 200 || !strings.Contains(body, "2 postings") || !strings.Contains(body, "Senior Go Engineer") || !strings.Contains(body, "Python Data Engineer") {
		t.Fatalf("home: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "Secret Draft Role") {
		t.Error("a draft is listed")
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != web.CSP {
		t.Errorf("CSP = %q", got)
	}
	for _, want := range []string{`<html lang="en">`, `<main id="main"`, `href="#main"`, `<label for="q">`, `<label for="skills">`, `<label for="region">`,
		`<label for="seniority">`, `<label for="minSalary">`, `<label for="currency">`, `<label for="timeZone">`, `<label for="minOverlapHours">`,
		`href="/api/docs"`, `href="/graphiql"`, `USD 120,000–160,000 a year`, `href="/jobs/` + goID + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %s", want)
		}
	}
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%d h1 elements", n)
	}

	// Filters reach the results.
	cases := []struct {
		query      string
		want, not  string
		wantStatus int
	}{
		{"q=golang", "Senior Go Engineer", "Python Data Engineer", 200},
		{"skillsAll=python", "Python Data Engineer", "Senior Go Engineer", 200},
		{"skillsAll=Go,+PostgreSQL", "Senior Go Engineer", "Python Data Engineer", 200},
		{"seniority=mid", "Python Data Engineer", "Senior Go Engineer", 200},
		{"minSalary=100000&currency=USD", "Senior Go Engineer", "Python Data Engineer", 200},
		{"minSalary=200000&currency=USD", "0 postings", "Senior Go Engineer", 200},
		{"region=APAC", "Python Data Engineer", "Senior Go Engineer", 200},
		{"timeZone=Asia/Tokyo&minOverlapHours=6", "Python Data Engineer", "Senior Go Engineer", 200},
		{"timeZone=Europe/Berlin&minOverlapHours=6", "Senior Go Engineer", "0 postings", 200},
		{"minSalary=lots", "Minimum salary must be", "", 400},
		{"timeZone=Mars/Olympus", "Time zone must be", "", 400},
	}
	for _, c := range cases {
		resp, body := s.get(t, "/?"+c.query)
		if resp.StatusCode != c.wantStatus || !strings.Contains(body, c.want) || (c.not != "" && strings.Contains(body, c.not)) {
			t.Errorf("/?%s: %d, want %d with %q and without %q\n%s", c.query, resp.StatusCode, c.wantStatus, c.want, c.not, body)
		}
	}

	// Facets are links that add the filter.
	_, body = s.get(t, "/?q=engineer")
	if !strings.Contains(body, `href="/?q=engineer&amp;skillsAll=python"`) || !strings.Contains(body, `href="/?q=engineer&amp;seniority=senior"`) {
		t.Errorf("facet links missing:\n%s", body)
	}

	// The job page.
	resp, body = s.get(t, "/jobs/"+goID)
	if resp.StatusCode != 200 || !strings.Contains(body, "<h1>Senior Go Engineer</h1>") || !strings.Contains(body, "<strong>event-sourced</strong>") ||
		!strings.Contains(body, "Acme Remote") || !strings.Contains(body, "between UTC−3 and UTC&#43;3") || !strings.Contains(body, "Nice to have") {
		t.Fatalf("job page: %d\n%s", resp.StatusCode, body)
	}
	if resp.Header.Get("Content-Security-Policy") != web.CSP {
		t.Error("job page without CSP")
	}
	m := ldRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no JSON-LD:\n%s", body)
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, m[1])
	}
	if v := export.CheckGoogleJobPosting(ld); v != nil {
		t.Errorf("JSON-LD violations: %v", v)
	}
	org, _ := ld["hiringOrganization"].(map[string]any)
	sal, _ := ld["baseSalary"].(map[string]any)
	salv, _ := sal["value"].(map[string]any)
	if ld["@type"] != "JobPosting" || ld["title"] != "Senior Go Engineer" || ld["jobLocationType"] != "TELECOMMUTE" || ld["employmentType"] != "FULL_TIME" ||
		org["name"] != "Acme Remote" || sal["currency"] != "USD" || salv["minValue"] != 120000.0 || salv["maxValue"] != 160000.0 || salv["unitText"] != "YEAR" ||
		ld["datePosted"] == nil || ld["validThrough"] == nil || !strings.Contains(ld["description"].(string), "<strong>event-sourced</strong>") {
		t.Errorf("JSON-LD = %v", ld)
	}
	reqs, _ := ld["applicantLocationRequirements"].([]any)
	if len(reqs) != 28 { // the 27 EU countries and GB
		t.Errorf("applicantLocationRequirements: %d countries", len(reqs))
	}

	// Unknown, unpublished and malformed ids are a 404 page.
	for _, id := range []string{draftID, "01900000-0000-7000-8000-000000000000", "nope", url.PathEscape("../x")} {
		resp, body := s.get(t, "/jobs/"+id)
		if resp.StatusCode != 404 || !strings.Contains(body, "<h1>Page not found</h1>") || strings.Contains(body, "Secret Draft Role") {
			t.Errorf("/jobs/%s: %d\n%s", id, resp.StatusCode, body)
		}
		if resp.Header.Get("Content-Security-Policy") != web.CSP || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("/jobs/%s headers: %v", id, resp.Header)
		}
	}
	if resp, _ := s.get(t, "/no/such/page"); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	if resp, body := s.get(t, "/jobs/"+pyID); resp.StatusCode != 200 || !strings.Contains(body, "Remote, worldwide") || strings.Contains(body, "Salary</dt>") {
		t.Errorf("worldwide job without salary: %d\n%s", resp.StatusCode, body)
	}
}

func TestHostileTitleIsEscaped(t *testing.T) {
	s := newStack(t)
	hostile := `</script><script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"`
	d := goJob(hostile)
	d.Description = "Hello <script>alert(3)</script> world </script>"
	id := s.post(t, d, true)
	for _, path := range []string{"/", "/jobs/" + id} {
		resp, body := s.get(t, path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: hostile markup reached the page:\n%s", path, body)
		}
		if !strings.Contains(body, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: title not shown escaped:\n%s", path, body)
		}
	}
	_, body := s.get(t, "/jobs/"+id)
	// Exactly one inline script element, the JSON-LD, and it parses back to the title.
	if n := inlineScripts(body); n != 1 {
		t.Errorf("%d inline script elements", n)
	}
	m := ldRE.FindStringSubmatch(body)
	var ld map[string]any
	if m == nil || json.Unmarshal([]byte(m[1]), &ld) != nil || ld["title"] != hostile {
		t.Fatalf("JSON-LD with a hostile title: %v", m)
	}
}

func TestPaginationAndStylesheet(t *testing.T) {
	s := newStack(t)
	for i := 0; i < 23; i++ {
		s.post(t, goJob("Go Engineer "+string(rune('A'+i))), true)
	}
	_, body := s.get(t, "/?skillsAll=go")
	if !strings.Contains(body, "23 postings") || strings.Count(body, `class="hit"`) != 20 {
		t.Fatalf("first page:\n%s", body)
	}
	m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no next link:\n%s", body)
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	_, body = s.get(t, next)
	if strings.Count(body, `class="hit"`) != 3 || strings.Contains(body, `rel="next"`) || !strings.Contains(body, "First page") {
		t.Errorf("second page (%s):\n%s", next, body)
	}
	// A broken cursor falls back to the first page.
	if resp, body := s.get(t, "/?skillsAll=go&cursor=garbage"); resp.StatusCode != 200 || strings.Count(body, `class="hit"`) != 20 {
		t.Errorf("bad cursor: %d", resp.StatusCode)
	}

	// The stylesheet: linked with its hash, cacheable for long, revalidated by ETag.
	css := regexp.MustCompile(`<link rel="stylesheet" href="(/assets/app\.css\?v=[0-9a-f]+)">`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("no stylesheet link")
	}
	resp, sheet := s.get(t, css[1])
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("ETag") == "" || !strings.Contains(sheet, ":focus-visible") {
		t.Fatalf("stylesheet: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := http.NewRequest("GET", s.srv.URL+"/assets/app.css", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional request: %d", resp2.StatusCode)
	}
}

// inlineScripts counts the script elements other than the app's own
// script file (the CSP would block inline code anyway).
func inlineScripts(body string) int {
	lower := strings.ToLower(body)
	return strings.Count(lower, "<script") - strings.Count(lower, `<script src="/assets/app.js?v=`)
}

// An imported posting shows when it first appeared at its source, on its
// page and in its JSON-LD, not the day it was imported.
func TestPostedDateIsTheSourcesDate(t *testing.T) {
	s := newStack(t)
	d := goJob("Imported Go role")
	d.PostedAt = time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	id := s.post(t, d, true)
	_, body := s.get(t, "/jobs/"+id)
	if !strings.Contains(body, "<dt>Posted</dt><dd>3 February 2026</dd>") {
		t.Errorf("job page does not show the source's date:\n%s", body)
	}
	m := ldRE.FindStringSubmatch(body)
	var ld map[string]any
	if m == nil || json.Unmarshal([]byte(m[1]), &ld) != nil || ld["datePosted"] != "2026-02-03T10:00:00Z" {
		t.Errorf("JSON-LD datePosted = %v", ld["datePosted"])
	}
	_, body = s.get(t, "/?q=Imported")
	if !strings.Contains(body, "Posted 3 February 2026") {
		t.Errorf("search result does not show the source's date")
	}
	// A posting made on Meridian shows its publication date.
	j, err := s.app.Job(s.owner, s.post(t, goJob("Native Go role"), true))
	if err != nil || j.PostedAt != nil || j.Posted() != j.PublishedAt {
		t.Fatalf("native posting: posted %v, published %v (%v)", j.PostedAt, j.PublishedAt, err)
	}
}

// The live preview lists the skills a posting or profile would store,
// required and nice to have, as an HTML fragment.
func TestSkillsPreview(t *testing.T) {
	s := newStack(t)
	resp, body := s.as(t, "", "POST", "/skills/preview", url.Values{"text": {"Requirements:\n- Golang\n- PostgreSQL\n\nNice to have:\n- Kubernetes"}})
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || strings.Contains(body, "<html") {
		t.Fatalf("preview: %d %q\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	req, nice, ok := strings.Cut(body, "Nice to have:")
	if !ok || !strings.Contains(req, "2 skills found as required") || !strings.Contains(req, ">Go<") || !strings.Contains(req, ">PostgreSQL<") ||
		!strings.Contains(nice, ">Kubernetes<") || strings.Contains(nice, ">Go<") {
		t.Errorf("preview groups:\n%s", body)
	}
	if _, body = s.as(t, "", "POST", "/skills/preview", url.Values{"text": {"We value kindness."}}); !strings.Contains(body, "No skills recognized yet.") {
		t.Errorf("preview of a text without skills:\n%s", body)
	}
	if resp, _ = s.as(t, "", "POST", "/skills/preview", url.Values{"text": {strings.Repeat("Go ", 30000)}}); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 90 KB text: %d, want 413", resp.StatusCode)
	}
}

// Every form's body is capped: an oversized post gets a 400 page, not a
// parse of megabytes.
func TestOversizedFormsRefused(t *testing.T) {
	s := newStack(t)
	big := url.Values{"email": {strings.Repeat("x", 300<<10)}, "password": {"p"}}
	for _, c := range []struct{ user, path string }{{"", "/signin"}, {"dev-1", "/me/profile"}, {"owner-1", "/employer/orgs"}} {
		resp, body := s.as(t, c.user, "POST", c.path, big)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The form could not be read") {
			t.Errorf("POST %s with a 300 KB form: %d\n%s", c.path, resp.StatusCode, body)
		}
	}
}
