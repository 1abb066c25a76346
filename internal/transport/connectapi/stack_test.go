package connectapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/apptest"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/gen/meridian/v1/meridianv1connect"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/store/storetest"
	"github.com/meridianhq/meridian/internal/transport/connectapi"
)

// env is the gRPC API on a real SQLite store with the projector, the
// search index, the market model and the live feed following it, served
// over HTTP/1.1 and cleartext HTTP/2 as the node serves it.
type env struct {
	t   *testing.T
	ctx context.Context
	app *app.App
	hub *realtime.Hub
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := apptest.New(t, storetest.OpenSQLite(t))
	a, hub, log, ctx := st.App, st.Hub, st.Log, st.Ctx

	mux := connectapi.Mux(connectapi.New(connectapi.Config{App: a, Hub: hub, Log: log}))
	srv := httptest.NewUnstartedServer(withTestPrincipal(mux))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close) // before the stack stops (cleanups run last-in first-out)
	// Calls end before the server closes: it waits for their connections.
	calls, endCalls := context.WithCancel(ctx)
	t.Cleanup(endCalls)
	return &env{t: t, ctx: calls, app: a, hub: hub, srv: srv}
}

// withTestPrincipal stands in for the REST server's authentication (and
// its response recorder):
// X-Test-User names a person, X-Test-Key "orgId:scope,scope" an API key of
// that organization; neither is anonymous.
func withTestPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := meridian.Anonymous
		if u := r.Header.Get("X-Test-User"); u != "" {
			p = meridian.Principal{Kind: meridian.PrincipalUser, ID: u}
		}
		if k := r.Header.Get("X-Test-Key"); k != "" {
			org, scopes, _ := strings.Cut(k, ":")
			p = meridian.Principal{Kind: meridian.PrincipalService, ID: "key:" + org, OrgID: org, Scopes: strings.Split(scopes, ",")}
		}
		// Wrapped as the REST server's middleware wraps it: no Flush method,
		// only Unwrap.
		next.ServeHTTP(recorder{w}, r.WithContext(meridian.WithPrincipal(r.Context(), p)))
	})
}

type recorder struct{ http.ResponseWriter }

func (r recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// who is a caller: a person ("alice"), "key:<orgId>" for an API key of
// that organization holding every scope, or "" for anonymous.
type who string

const anonymous who = ""

func apiKey(orgID string) who { return who("key:" + orgID) }

func (w who) principal() meridian.Principal {
	switch {
	case w == anonymous:
		return meridian.Anonymous
	case strings.HasPrefix(string(w), "key:"):
		org := strings.TrimPrefix(string(w), "key:")
		return meridian.Principal{Kind: meridian.PrincipalService, ID: string(w), OrgID: org, Scopes: app.Scopes}
	}
	return meridian.Principal{Kind: meridian.PrincipalUser, ID: string(w)}
}

// as returns a context acting as w (for setting up through the App).
func (e *env) as(w who) context.Context { return meridian.WithPrincipal(e.ctx, w.principal()) }

type principalTransport struct {
	who  who
	base http.RoundTripper
}

func (p principalTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	switch {
	case p.who == anonymous:
	case strings.HasPrefix(string(p.who), "key:"):
		r.Header.Set("X-Test-Key", strings.TrimPrefix(string(p.who), "key:")+":"+strings.Join(app.Scopes, ","))
	default:
		r.Header.Set("X-Test-User", string(p.who))
	}
	return p.base.RoundTrip(r)
}

// h2c is a transport speaking HTTP/2 without TLS (gRPC's transport).
func h2c() *http.Transport {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	return tr
}

// http returns an HTTP client acting as w: HTTP/2 without TLS when h2,
// HTTP/1.1 otherwise.
func (e *env) http(w who, h2 bool) *http.Client {
	var base http.RoundTripper = http.DefaultTransport
	if h2 {
		tr := h2c()
		e.t.Cleanup(tr.CloseIdleConnections)
		base = tr
	}
	return &http.Client{Transport: principalTransport{who: w, base: base}}
}

// clients are the generated clients of every service.
type clients struct {
	jobs     meridianv1connect.JobServiceClient
	profiles meridianv1connect.ProfileServiceClient
	apps     meridianv1connect.ApplicationServiceClient
	orgs     meridianv1connect.OrganizationServiceClient
	market   meridianv1connect.MarketServiceClient
	live     meridianv1connect.LiveServiceClient
}

// grpc returns clients speaking gRPC over HTTP/2, acting as w.
func (e *env) grpc(w who) clients { return e.clients(w, true, connect.WithGRPC()) }

func (e *env) clients(w who, h2 bool, opts ...connect.ClientOption) clients {
	hc, url := e.http(w, h2), e.srv.URL
	return clients{
		jobs:     meridianv1connect.NewJobServiceClient(hc, url, opts...),
		profiles: meridianv1connect.NewProfileServiceClient(hc, url, opts...),
		apps:     meridianv1connect.NewApplicationServiceClient(hc, url, opts...),
		orgs:     meridianv1connect.NewOrganizationServiceClient(hc, url, opts...),
		market:   meridianv1connect.NewMarketServiceClient(hc, url, opts...),
		live:     meridianv1connect.NewLiveServiceClient(hc, url, opts...),
	}
}

// ---- fixtures, written through the App ----

func jobDetails(title string) domain.JobDetails {
	return domain.JobDetails{
		Title: title, Description: "We build **distributed** systems.",
		Skills:    []domain.SkillRequirement{{Skill: "go", Level: 4, Required: true}, {Skill: "postgresql", Level: 3, Required: true}},
		Seniority: "senior", EmploymentType: "full_time",
		Salary:      &domain.Salary{Min: 12000000, Max: 16000000, Currency: "EUR", Period: "year"},
		Eligibility: domain.Eligibility{Regions: []string{"EU"}},
	}
}

func profileDetails(name string) domain.ProfileDetails {
	return domain.ProfileDetails{
		DisplayName: name, Headline: "Backend engineer",
		Skills:   []domain.ProfileSkill{{Skill: "go", Level: 4, Years: 6}, {Skill: "postgresql", Level: 3, Years: 4}},
		TimeZone: "Europe/Lisbon", Countries: []string{"PT"},
		SalaryFloor: &domain.Salary{Min: 9000000, Currency: "EUR", Period: "year"}, Seniority: "senior",
	}
}

func (e *env) must(res app.Result, err error) string {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return res.ID
}

func (e *env) createOrg(owner who, name string) string {
	e.t.Helper()
	return e.must(e.app.CreateOrg(e.as(owner), domain.OrgDetails{Name: name}, ""))
}

func (e *env) draftJob(owner who, orgID, title string) string {
	e.t.Helper()
	return e.must(e.app.DraftJob(e.as(owner), orgID, jobDetails(title)))
}

func (e *env) publishedJob(owner who, orgID, title string) string {
	e.t.Helper()
	id := e.draftJob(owner, orgID, title)
	e.must(e.app.PublishJob(e.as(owner), id, -1))
	return id
}

func (e *env) createProfile(owner who, name, visibility string) string {
	e.t.Helper()
	return e.must(e.app.CreateProfile(e.as(owner), "", visibility, profileDetails(name)))
}

func (e *env) apply(candidate who, jobID, profileID string) string {
	e.t.Helper()
	return e.must(e.app.Apply(e.as(candidate), jobID, profileID, "Hello"))
}

// world is two tenants: Acme (alice owns it) with a published posting and
// a draft, and Globex (mallory owns it) with a posting of its own; carol
// is a candidate who applied to Acme's posting with a private profile.
type world struct {
	acme, globex       string
	acmeJob, acmeDraft string
	globexJob          string
	carolProfile       string
	carolApplication   string
	malloryProfile     string
}

const (
	alice   who = "alice"
	mallory who = "mallory"
	carol   who = "carol"
)

func (e *env) world() world {
	e.t.Helper()
	var w world
	w.acme = e.createOrg(alice, "Acme Remote")
	w.globex = e.createOrg(mallory, "Globex")
	w.acmeJob = e.publishedJob(alice, w.acme, "Senior Go Engineer")
	w.acmeDraft = e.draftJob(alice, w.acme, "Secret Staff Engineer")
	w.globexJob = e.publishedJob(mallory, w.globex, "Platform Engineer")
	w.carolProfile = e.createProfile(carol, "Carol", "private")
	w.malloryProfile = e.createProfile(mallory, "Mallory", "private")
	w.carolApplication = e.apply(carol, w.acmeJob, w.carolProfile)
	return w
}

// code is the Connect code of err (0 for nil: OK).
func code(err error) connect.Code {
	if err == nil {
		return 0
	}
	return connect.CodeOf(err)
}
