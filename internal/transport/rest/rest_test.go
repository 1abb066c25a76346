package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/apptest"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/auth/token"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// env is one API under test on a real SQLite store with the projector running.
type env struct {
	t   *testing.T
	srv *httptest.Server
	db  *store.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := newStack(t)
	srv, _ := st.serve(t, rest.Config{DevAuth: true})
	return &env{t: t, srv: srv, db: st.db}
}

// stack is what a node assembles under the API: a real SQLite store and
// the projector keeping its read models current until the test ends.
type stack struct {
	ctx context.Context
	db  *store.DB
	run *projection.Runner
	// alerts keeps the saved-search read model current (internal/alerts).
	alerts *projection.Runner
	app    *app.App
	log    *slog.Logger
	// market follows the store into a.Market.
	market *follow.Follower
	// hub has the live channels (/events).
	hub *realtime.Hub
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := apptest.New(t, storetest.OpenSQLite(t))
	return &stack{ctx: s.Ctx, db: s.DB, run: s.Projector, alerts: s.Alerts, app: s.App, log: s.Log, market: s.Market, hub: s.Hub}
}

// identity returns the sign-in services, with a signing key in place.
func (s *stack) identity(t *testing.T) *auth.Service {
	t.Helper()
	return s.identityTTL(t, 0)
}

// identityTTL is identity with access tokens living ttl (0: the default).
func (s *stack) identityTTL(t *testing.T, ttl time.Duration) *auth.Service {
	t.Helper()
	tokens := token.New(s.db, token.Config{Issuer: "http://meridian.test", Audience: "meridian-api", Logger: s.log, AccessTTL: ttl})
	if err := tokens.EnsureSigningKey(s.ctx); err != nil {
		t.Fatal(err)
	}
	return auth.NewService(s.db, tokens, app.Scopes, s.log)
}

// serve starts the API; cfg's App, DB, Log, Registry and Version are filled in.
func (s *stack) serve(t *testing.T, cfg rest.Config) (*httptest.Server, *rest.Server) {
	t.Helper()
	cfg.App, cfg.DB, cfg.Log, cfg.Registry, cfg.Version, cfg.Hub = s.app, s.db, s.log, prometheus.NewRegistry(), "test", s.hub
	api := rest.New(cfg)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close) // runs before the stack's cleanup: requests end first
	return srv, api
}

type resp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (e *env) do(method, path, user string, body any, hdr ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user == "" {
		user = "anonymous"
	}
	req.Header.Set("X-Dev-User", user)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// must checks the status and returns the response.
func (e *env) must(status int, r resp) resp {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

func (e *env) problem(r resp, status int, code string) {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		e.t.Fatalf("content type %q, want application/problem+json: %s", ct, r.Raw)
	}
	if r.Body["code"] != code || r.Body["status"] != float64(status) || r.Body["title"] == "" || r.Body["type"] == "" {
		e.t.Fatalf("problem %s, want code %q", r.Raw, code)
	}
}

func jobBody(title string) map[string]any {
	return map[string]any{
		"title":          title,
		"description":    "We build **distributed** systems.\n\n<script>alert(1)</script>",
		"skills":         []map[string]any{{"skill": "go", "level": 4, "required": true}, {"skill": "postgresql", "level": 3, "required": true}, {"skill": "kubernetes", "level": 2}},
		"seniority":      "senior",
		"employmentType": "full_time",
		"salary":         map[string]any{"min": 12000000, "max": 16000000, "currency": "EUR", "period": "year"},
		"eligibility":    map[string]any{"regions": []string{"EU"}},
		"timeZone":       map[string]any{"referenceZone": "Europe/Berlin", "overlapHours": 4},
	}
}

func profileBody(name string) map[string]any {
	return map[string]any{
		"displayName": name, "headline": "Backend engineer",
		"skills":   []map[string]any{{"skill": "go", "level": 4, "years": 6}},
		"timeZone": "Europe/Lisbon", "countries": []string{"PT"},
		"salaryFloor": map[string]any{"min": 9000000, "currency": "EUR", "period": "year"},
		"seniority":   "senior", "visibility": "private",
	}
}

// setup creates an org owned by alice with a published job.
func (e *env) setup() (orgID, jobID string) {
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Acme Remote"}))
	orgID = org.Body["id"].(string)
	job := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody("Senior Go Engineer")))
	jobID = job.Body["id"].(string)
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/publish", "alice", nil))
	return orgID, jobID
}

func TestJobLifecycleAndVisibility(t *testing.T) {
	e := newEnv(t)
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Acme Remote", "website": "https://acme.example"}))
	if org.Header.Get("Location") == "" || org.Header.Get("ETag") != `"1"` {
		t.Fatalf("create org headers: %v", org.Header)
	}
	orgID := org.Body["id"].(string)
	job := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody("Senior Go Engineer")))
	jobID := job.Body["id"].(string)
	if job.Body["status"] != "draft" || job.Body["orgName"] != "Acme Remote" {
		t.Fatalf("draft: %s", job.Raw)
	}
	html := job.Body["descriptionHtml"].(string)
	if strings.Contains(html, "<script") || !strings.Contains(html, "<strong>distributed</strong>") {
		t.Fatalf("description not rendered and sanitized: %q", html)
	}
	// Drafts are invisible to anonymous readers and to other tenants.
	e.problem(e.do("GET", "/api/v1/jobs/"+jobID, "", nil), 404, "not_found")
	e.problem(e.do("GET", "/api/v1/jobs/"+jobID, "mallory", nil), 404, "not_found")
	e.problem(e.do("PATCH", "/api/v1/jobs/"+jobID, "mallory", map[string]any{"title": "Pwned"}), 404, "not_found")
	list := e.must(200, e.do("GET", "/api/v1/jobs", "", nil))
	if n := len(list.Body["items"].([]any)); n != 0 {
		t.Fatalf("anonymous list shows %d drafts", n)
	}

	pub := e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/publish", "alice", nil, "If-Match", `"1"`))
	if pub.Body["status"] != "published" || pub.Header.Get("ETag") != `"2"` || pub.Body["validThrough"] == nil {
		t.Fatalf("publish: %s %v", pub.Raw, pub.Header)
	}
	e.must(200, e.do("GET", "/api/v1/jobs/"+jobID, "", nil))
	for _, q := range []string{"", "?skill=go", "?skill=go&skill=postgresql", "?country=DE", "?region=EU", "?seniority=senior", "?q=go+eng"} {
		l := e.must(200, e.do("GET", "/api/v1/jobs"+q, "", nil))
		if n := len(l.Body["items"].([]any)); n != 1 {
			t.Fatalf("GET /api/v1/jobs%s: %d items, want 1", q, n)
		}
	}
	for _, q := range []string{"?skill=rust", "?country=US", "?seniority=junior", "?q=python"} {
		l := e.must(200, e.do("GET", "/api/v1/jobs"+q, "", nil))
		if n := len(l.Body["items"].([]any)); n != 0 {
			t.Fatalf("GET /api/v1/jobs%s: %d items, want 0", q, n)
		}
	}
	// Merge patch keeps fields that are left out.
	p := e.must(200, e.do("PATCH", "/api/v1/jobs/"+jobID, "alice", map[string]any{"title": "Staff Go Engineer", "seniority": "staff"}, "If-Match", `"2"`))
	if p.Body["title"] != "Staff Go Engineer" || p.Body["salary"] == nil || len(p.Body["skills"].([]any)) != 3 {
		t.Fatalf("patch: %s", p.Raw)
	}
	// A stale If-Match is a conflict and changes nothing.
	e.problem(e.do("PATCH", "/api/v1/jobs/"+jobID, "alice", map[string]any{"title": "Old version wins?"}, "If-Match", `"2"`), 409, "conflict")
	if g := e.must(200, e.do("GET", "/api/v1/jobs/"+jobID, "", nil)); g.Body["title"] != "Staff Go Engineer" {
		t.Fatalf("stale write overwrote: %s", g.Raw)
	}
	c := e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/close", "alice", map[string]any{"reason": "filled"}))
	if c.Body["status"] != "closed" {
		t.Fatalf("close: %s", c.Raw)
	}
	e.problem(e.do("GET", "/api/v1/jobs/"+jobID, "", nil), 404, "not_found")
	e.problem(e.do("POST", "/api/v1/jobs/"+jobID+"/publish", "alice", nil), 409, "rule")
	// Members see closed postings in their organization's list.
	ol := e.must(200, e.do("GET", "/api/v1/orgs/"+orgID+"/jobs?status=closed", "alice", nil))
	if n := len(ol.Body["items"].([]any)); n != 1 {
		t.Fatalf("org list closed: %d", n)
	}
	e.problem(e.do("GET", "/api/v1/orgs/"+orgID+"/jobs?status=closed", "mallory", nil), 403, "forbidden")
}

func TestValidationAndErrors(t *testing.T) {
	e := newEnv(t)
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Acme"}))
	orgID := org.Body["id"].(string)
	bad := jobBody("Backend Engineer")
	bad["salary"] = map[string]any{"min": 200, "max": 100, "currency": "EUR", "period": "year"}
	r := e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", bad)
	e.problem(r, 422, "invalid")
	if !strings.Contains(r.Body["detail"].(string), "minimum 200 is greater than maximum 100") {
		t.Fatalf("detail does not say what is wrong: %s", r.Raw)
	}
	bad = jobBody("Backend Engineer")
	bad["salary"] = map[string]any{"min": 1, "max": 2, "currency": "XYZ", "period": "year"}
	bad["eligibility"] = map[string]any{"countries": []string{"ZZ"}}
	e.problem(e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", bad), 422, "invalid")
	e.problem(e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", `{"title": `), 400, "invalid")
	e.problem(e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", map[string]any{"title": "x", "unknownField": 1}), 422, "invalid")
	e.problem(e.do("POST", "/api/v1/orgs", "", map[string]any{"name": "Anon Corp"}), 401, "unauthorized")
	e.problem(e.do("GET", "/api/v1/nope", "", nil), 404, "not_found")
	e.problem(e.do("GET", "/api/v1/jobs?cursor=garbage", "", nil), 422, "invalid")
	big := map[string]any{"name": "Big", "description": strings.Repeat("x", 300<<10)}
	e.problem(e.do("POST", "/api/v1/orgs", "alice", big), 413, "too_large")
	e.problem(e.do("POST", "/api/v1/orgs", "alice", big, "Idempotency-Key", "big-1"), 413, "too_large")
	e.problem(e.do("PUT", "/api/v1/orgs/"+orgID, "alice", map[string]any{"name": "Acme 2"}, "If-Match", "nonsense"), 422, "invalid")
	// Nothing stored was harmed by the failures.
	g := e.must(200, e.do("GET", "/api/v1/orgs/"+orgID, "", nil))
	if g.Body["name"] != "Acme" || g.Body["version"] != float64(1) {
		t.Fatalf("org changed by failed requests: %s", g.Raw)
	}
}

func TestApplicationPipeline(t *testing.T) {
	e := newEnv(t)
	orgID, jobID := e.setup()
	e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/members", "alice", map[string]any{"userId": "rita", "role": "recruiter"}))
	e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/members", "alice", map[string]any{"userId": "vic", "role": "viewer"}))
	prof := e.must(201, e.do("POST", "/api/v1/profiles", "bob", profileBody("Bob")))
	profID := prof.Body["id"].(string)
	// Private profiles are invisible to organizations until bob applies.
	e.problem(e.do("GET", "/api/v1/profiles/"+profID, "rita", nil), 404, "not_found")
	e.problem(e.do("POST", "/api/v1/jobs/"+jobID+"/applications", "mallory", map[string]any{"profileId": profID}), 404, "not_found")
	app := e.must(201, e.do("POST", "/api/v1/jobs/"+jobID+"/applications", "bob", map[string]any{"profileId": profID, "coverLetter": "Hello"}))
	appID := app.Body["id"].(string)
	if app.Body["stage"] != "applied" || app.Body["orgId"] != orgID {
		t.Fatalf("apply: %s", app.Raw)
	}
	e.problem(e.do("POST", "/api/v1/jobs/"+jobID+"/applications", "bob", map[string]any{"profileId": profID}), 409, "conflict")
	e.must(200, e.do("GET", "/api/v1/profiles/"+profID, "rita", nil))

	stage := func(user, to, reason string) resp {
		return e.do("POST", "/api/v1/applications/"+appID+"/stage", user, map[string]any{"to": to, "reasonCode": reason})
	}
	e.problem(stage("rita", "offer", ""), 409, "rule")
	e.problem(stage("vic", "screening", ""), 403, "forbidden")
	e.problem(stage("mallory", "screening", ""), 404, "not_found")
	e.problem(stage("bob", "screening", ""), 403, "forbidden")
	e.must(200, stage("rita", "screening", ""))
	e.must(200, stage("rita", "interview", ""))
	e.problem(stage("rita", "rejected", ""), 422, "invalid")
	e.problem(stage("rita", "rejected", "because"), 422, "invalid")
	note := e.must(201, e.do("POST", "/api/v1/applications/"+appID+"/notes", "rita", map[string]any{"body": "Strong system design"}))
	if n := note.Body["items"].([]any); len(n) != 1 {
		t.Fatalf("notes: %s", note.Raw)
	}
	e.problem(e.do("GET", "/api/v1/applications/"+appID+"/notes", "bob", nil), 404, "not_found")
	e.must(200, e.do("GET", "/api/v1/applications/"+appID+"/notes", "vic", nil))
	fin := e.must(200, stage("rita", "rejected", "position_filled"))
	hist := fin.Body["history"].([]any)
	if len(hist) != 4 || fin.Body["stage"] != "rejected" || fin.Body["reasonCode"] != "position_filled" || len(fin.Body["nextStages"].([]any)) != 0 {
		t.Fatalf("final: %s", fin.Raw)
	}
	e.problem(stage("bob", "withdrawn", "other"), 409, "rule")
	mine := e.must(200, e.do("GET", "/api/v1/applications", "bob", nil))
	if len(mine.Body["items"].([]any)) != 1 {
		t.Fatalf("bob's applications: %s", mine.Raw)
	}
	e.problem(e.do("GET", "/api/v1/applications?orgId="+orgID, "mallory", nil), 404, "not_found")
	// No applying to a closed posting.
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/close", "alice", nil))
	p2 := e.must(201, e.do("POST", "/api/v1/profiles", "carol", profileBody("Carol")))
	e.problem(e.do("POST", "/api/v1/jobs/"+jobID+"/applications", "carol", map[string]any{"profileId": p2.Body["id"]}), 409, "rule")
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"name": "Once Only Inc"}
	first := e.must(201, e.do("POST", "/api/v1/orgs", "alice", body, "Idempotency-Key", "k1"))
	again := e.must(201, e.do("POST", "/api/v1/orgs", "alice", body, "Idempotency-Key", "k1"))
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Raw) != string(first.Raw) || again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("not replayed: %v %s", again.Header, again.Raw)
	}
	e.problem(e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Other Inc"}, "Idempotency-Key", "k1"), 422, "idempotency_key")
	// Another principal's key space is separate.
	e.must(201, e.do("POST", "/api/v1/orgs", "bob", body, "Idempotency-Key", "k1"))

	// Concurrent duplicates: one side effect, everyone gets the same answer.
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.do("POST", "/api/v1/orgs", "carol", map[string]any{"name": "Race Inc"}, "Idempotency-Key", "race")
			if r.Status == 201 {
				ids[i] = r.Body["id"].(string)
			} else {
				ids[i] = fmt.Sprintf("status %d: %s", r.Status, r.Raw)
			}
		}(i)
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent duplicates diverged: %v", ids)
		}
	}
	page := e.must(200, e.do("GET", "/api/v1/orgs?limit=100", "", nil))
	n := 0
	for _, it := range page.Body["items"].([]any) {
		if it.(map[string]any)["name"] == "Race Inc" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d orgs created by 10 duplicate requests", n)
	}
}

// TestConcurrentCommandsOneWins sends 100 commands on one aggregate at the
// same expected version: exactly one succeeds, the others get 409.
func TestConcurrentCommandsOneWins(t *testing.T) {
	e := newEnv(t)
	_, jobID := e.setup()
	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r := e.do("PATCH", "/api/v1/jobs/"+jobID, "alice", map[string]any{"title": fmt.Sprintf("Title %03d", i)}, "If-Match", `"2"`)
			statuses[i] = r.Status
		}(i)
	}
	close(start)
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("%d succeeded and %d conflicted, want 1 and %d (statuses %v)", ok, conflict, n-1, statuses)
	}
	j := e.must(200, e.do("GET", "/api/v1/jobs/"+jobID, "", nil))
	if j.Body["version"] != float64(3) {
		t.Fatalf("version %v after one successful update, want 3", j.Body["version"])
	}
}

func TestOpenAPIAndProbes(t *testing.T) {
	e := newEnv(t)
	doc := e.must(200, e.do("GET", "/api/v1/openapi.json", "", nil))
	if doc.Body["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc.Body["openapi"])
	}
	paths := doc.Body["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/jobs", "/api/v1/jobs/{jobId}", "/api/v1/orgs", "/api/v1/profiles", "/api/v1/applications/{applicationId}/stage"} {
		if paths[p] == nil {
			t.Errorf("openapi lacks %s", p)
		}
	}
	docs := e.must(200, e.do("GET", "/api/docs", "", nil))
	if !strings.Contains(string(docs.Raw), "listJobs") || !strings.Contains(string(docs.Raw), "problem-conflict") {
		t.Fatalf("docs page incomplete")
	}
	e.must(200, e.do("GET", "/healthz", "", nil))
	e.must(200, e.do("GET", "/readyz", "", nil))
	m := e.must(200, e.do("GET", "/metrics", "", nil))
	if !strings.Contains(string(m.Raw), "meridian_http_requests_total") {
		t.Fatalf("metrics lack request counter")
	}
	if e.do("GET", "/healthz", "", nil).Header.Get("X-Request-Id") == "" {
		t.Fatalf("no request id")
	}
}
