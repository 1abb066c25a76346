package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/apptest"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
	"github.com/meridianhq/meridian/internal/transport/graphql"
)

// ---- counting SQL statements ----

// selects counts the SELECT statements SQLite compiles on connections of
// the databases registered in countDirs: the authorizer SQLite calls while
// it prepares a statement reports each SELECT (subqueries included), so
// the count is exact and needs no hook in internal/store.
var (
	selects   atomic.Int64
	countMu   sync.Mutex
	countDirs = map[string]bool{}
)

func init() {
	sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, dsn string) error {
		countMu.Lock()
		counted := false
		for dir := range countDirs {
			if strings.Contains(dsn, dir) {
				counted = true
			}
		}
		countMu.Unlock()
		if !counted {
			return nil
		}
		ar, ok := conn.(sqlite.AuthorizerRegisterer)
		if !ok {
			return nil
		}
		return ar.RegisterAuthorizer(func(action sqlite.AuthorizerActionCode, _, _, _, _ string) sqlite.AuthorizerReturnCode {
			if action == sqlite.AuthSelect {
				selects.Add(1)
			}
			return sqlite.AuthorizerOK
		})
	})
}

// ---- the stack under test ----

// stack is a node's parts over a real SQLite store: the projectors and
// followers keep the read models, search index, market model and live
// hub current until stop (or the test's end).
type stack struct {
	db   *store.DB
	app  *app.App
	hub  *realtime.Hub
	gql  *graphql.Server
	srv  *httptest.Server
	stop func()
}

type stackOptions struct {
	countQueries bool
	cfg          graphql.Config
}

func newStack(t *testing.T, opt stackOptions) *stack {
	t.Helper()
	dir := t.TempDir()
	if opt.countQueries {
		countMu.Lock()
		countDirs[dir] = true
		countMu.Unlock()
		t.Cleanup(func() { countMu.Lock(); delete(countDirs, dir); countMu.Unlock() })
	}
	db, err := store.Open(context.Background(), store.Config{DataDir: dir, MasterKey: storetest.MasterKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := apptest.New(t, db)
	a, hub, log, stop := st.App, st.Hub, st.Log, st.Stop

	cfg := opt.cfg
	cfg.App, cfg.Hub, cfg.Log = a, hub, log
	if cfg.Authenticate == nil {
		cfg.Authenticate = func(_ context.Context, token string) (meridian.Principal, error) {
			if user, ok := strings.CutPrefix(token, "token-"); ok {
				return meridian.Principal{Kind: meridian.PrincipalUser, ID: user}, nil
			}
			return meridian.Anonymous, meridian.Errorf(meridian.EUnauthorized, "bad token")
		}
	}
	gs := graphql.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("/graphql", gs)
	mux.Handle("GET /graphiql", gs.GraphiQL())
	srv := httptest.NewServer(testAuth(mux))
	t.Cleanup(srv.Close)
	return &stack{db: db, app: a, hub: hub, gql: gs, srv: srv, stop: stop}
}

// testAuth stands in for the REST server's authentication middleware:
// X-Test-User names the user (none: anonymous).
func testAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-Test-User"); u != "" {
			r = r.WithContext(meridian.WithPrincipal(r.Context(), user(u)))
		}
		next.ServeHTTP(w, r)
	})
}

func user(id string) meridian.Principal {
	return meridian.Principal{Kind: meridian.PrincipalUser, ID: id}
}

// ---- GraphQL over HTTP ----

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type result struct {
	Status int
	Data   map[string]any
	Errors []gqlError
	Raw    string
}

func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do runs an operation over POST as user ("": anonymous).
func (s *stack) do(t testing.TB, who, query string, vars map[string]any) result {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("X-Test-User", who)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response %d is not JSON: %s", res.StatusCode, raw)
	}
	return result{Status: res.StatusCode, Data: out.Data, Errors: out.Errors, Raw: string(raw)}
}

// ok runs an operation that must succeed and returns its data.
func (s *stack) ok(t testing.TB, who, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.do(t, who, query, vars)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("%s as %q: status %d: %s", firstLine(query), who, r.Status, r.Raw)
	}
	return r.Data
}

// fails runs an operation that must fail with code.
func (s *stack) fails(t testing.TB, who, query string, vars map[string]any, code string) result {
	t.Helper()
	r := s.do(t, who, query, vars)
	if r.code() != code {
		t.Fatalf("%s as %q: code %q, want %q: %s", firstLine(query), who, r.code(), code, r.Raw)
	}
	return r
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// get walks data by keys and indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

// ---- fixtures through the App ----

func jobInput(title string) map[string]any {
	return map[string]any{
		"title":          title,
		"description":    "We build **distributed** systems.\n\n<script>alert(1)</script>",
		"skills":         []map[string]any{{"skill": "go", "level": 4, "required": true}, {"skill": "postgresql", "level": 3, "required": true}},
		"seniority":      "senior",
		"employmentType": "full_time",
		"salary":         map[string]any{"min": 12000000, "max": 16000000, "currency": "EUR", "period": "year"},
		"eligibility":    map[string]any{"regions": []string{"EU"}},
	}
}

func profileInput(name string) map[string]any {
	return map[string]any{
		"displayName": name, "headline": "Backend engineer",
		"skills":   []map[string]any{{"skill": "go", "level": 4, "years": 6}},
		"timeZone": "Europe/Lisbon", "countries": []string{"PT"},
		"salaryFloor": map[string]any{"min": 9000000, "currency": "EUR", "period": "year"},
		"seniority":   "senior",
	}
}

const (
	createOrg     = `mutation($in: OrganizationInput!) { createOrganization(input: $in) { id name slug version } }`
	draftJob      = `mutation($org: ID!, $in: JobInput!) { draftJob(organizationId: $org, input: $in) { id status version orgName descriptionHtml } }`
	publishJob    = `mutation($id: ID!, $v: Int) { publishJob(id: $id, expectedVersion: $v) { id status version } }`
	createProfile = `mutation($in: ProfileInput!, $vis: String) { createProfile(input: $in, visibility: $vis) { id ownerId visibility } }`
	applyTo       = `mutation($job: ID!, $prof: ID!) { apply(jobId: $job, profileId: $prof, coverLetter: "Hello") { id stage job { id title } } }`
)

// org creates an organization owned by owner.
func (s *stack) org(t testing.TB, owner, name string) string {
	t.Helper()
	return str(s.ok(t, owner, createOrg, map[string]any{"in": map[string]any{"name": name}}), "createOrganization", "id")
}

// job drafts (and publishes when publish) a posting of org as who.
func (s *stack) job(t testing.TB, who, org, title string, publish bool) string {
	t.Helper()
	id := str(s.ok(t, who, draftJob, map[string]any{"org": org, "in": jobInput(title)}), "draftJob", "id")
	if publish {
		s.ok(t, who, publishJob, map[string]any{"id": id})
	}
	return id
}

// profile creates a profile of owner with visibility.
func (s *stack) profile(t testing.TB, owner, name, visibility string) string {
	t.Helper()
	return str(s.ok(t, owner, createProfile, map[string]any{"in": profileInput(name), "vis": visibility}), "createProfile", "id")
}

// apply applies to job with profile as who.
func (s *stack) apply(t testing.TB, who, job, profile string) string {
	t.Helper()
	return str(s.ok(t, who, applyTo, map[string]any{"job": job, "prof": profile}), "apply", "id")
}

func graphqlConfig(maxDepth, maxComplexity int) graphql.Config {
	return graphql.Config{MaxDepth: maxDepth, MaxComplexity: maxComplexity}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
