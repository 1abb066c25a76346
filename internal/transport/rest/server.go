// Package rest is Meridian's REST transport under /api/v1: a thin adapter
// over the application layer built with huma, which derives the OpenAPI 3.1
// document from the handlers' types. It adds request ids, structured access
// logs, Prometheus metrics, request timeouts, body limits, RFC 9457 problem
// responses for every error, ETag/If-Match concurrency and Idempotency-Key
// replay for POST.
package rest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/ratelimit"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/transport/connectapi"
	"github.com/meridianhq/meridian/internal/transport/graphql"
	"github.com/meridianhq/meridian/internal/web"
)

// Pinger is something /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config configures the REST server.
type Config struct {
	App *app.App
	DB  *store.DB
	// Hub serves the live event channels at /events (nil: 503 there).
	Hub *realtime.Hub
	// Auth runs sign-in and reads requests' credentials. Nil: only the
	// development principal (DevAuth) or anonymous access.
	Auth *auth.Service
	// Limiter enforces the rate limits (nil: none, e.g. in unit tests):
	// PerIP requests per second per client address (bursts of 6x) and
	// PerPrincipal per user or credential (bursts of 10x; API keys get
	// 2.5 times that).
	Limiter      ratelimit.Limiter
	PerIP        float64
	PerPrincipal float64
	Broker       Pinger
	Log          *slog.Logger
	Registry     *prometheus.Registry
	// DevAuth lets requests act as a development principal (embedded mode
	// only, until real identity lands): X-Dev-User names the user (default
	// "dev-user"; "anonymous" acts signed out), X-Dev-Admin: true makes them
	// a platform admin.
	DevAuth bool
	// Version is the build's version, reported by /healthz.
	Version string
	// PublicURL is the server's public base URL, for absolute links in
	// feeds ("": links relative to the server's root).
	PublicURL string
	// BodyLimit caps request bodies (default 256 KiB).
	BodyLimit int64
	// RequestTimeout bounds each request (default 30s).
	RequestTimeout time.Duration
	// RPC are the gRPC / Connect services (internal/transport/connectapi),
	// served on the same port behind the same authentication and limits.
	RPC []connectapi.Route
	// Streams ends the live connections that outlive their request
	// (WebSockets) when it is done: the node's shutdown (nil: never).
	Streams context.Context
}

// Server is the HTTP handler.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	api     huma.API
	handler http.Handler

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	authn *auth.Authenticator // from cfg.Auth
	web   *web.Handler        // the web app, when the server has one

	// plain lists the routes registered on the mux outside huma (handle).
	plain []OperationInfo
}

// handle registers a route outside huma (pattern "METHOD /path") with its
// access policy, so that Operations lists it too.
func (s *Server) handle(pattern string, p Policy, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.plain = append(s.plain, OperationInfo{Method: method, Path: path, OperationID: "plain:" + pattern, Policy: p})
	s.mux.HandleFunc(pattern, h)
}

// New builds the server.
func New(cfg Config) *Server {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 256 << 10
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	if cfg.Auth != nil {
		s.authn = &auth.Authenticator{Tokens: cfg.Auth.Tokens, Keys: cfg.Auth.Keys}
	}
	hc := huma.DefaultConfig("Meridian API", "v1") // the API's version, not the build's
	hc.Info.Description = "Remote-first hiring for backend engineers: organizations, job postings, developer profiles and applications. " +
		"Errors are RFC 9457 problem details. Updates take If-Match with the ETag of the resource; POST takes Idempotency-Key."
	hc.OpenAPIPath = "/api/v1/openapi"
	hc.DocsPath = ""
	hc.FieldsOptionalByDefault = true // the domain reports missing fields with clearer messages
	hc.SchemasPath = "/api/v1/schemas"
	hc.CreateHooks = nil // no $schema links in bodies: keep payloads plain
	hc.Formats = maps.Clone(huma.DefaultFormats)
	hc.Formats["text/csv"] = csvFormat // market tables
	hc.Formats["csv"] = csvFormat
	s.api = humago.New(s.mux, hc)
	s.registerOrgs()
	s.registerJobs()
	s.registerSearch()
	s.registerProfiles()
	s.registerApplications()
	s.registerAuth()
	s.registerImports()
	s.registerSavedSearches()
	s.registerMarket()
	s.registerWebhooks()

	s.handle("GET /healthz", PolicyOperational, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": s.cfg.Version})
	})
	s.handle("GET /readyz", PolicyOperational, s.readyz)
	s.handle("GET /events", PolicyPublic, s.events)
	s.handle("GET /ws", PolicyPublic, s.ws)
	if cfg.App != nil {
		// GraphQL: the same application services; each field authorizes
		// through them (PolicyPublic here: anonymous callers get public data).
		gq := graphql.New(graphql.Config{App: cfg.App, Hub: cfg.Hub, Log: cfg.Log, Authenticate: s.tokenPrincipal})
		s.handle("GET /graphql", PolicyPublic, gq.ServeHTTP)
		s.handle("POST /graphql", PolicyPublic, gq.ServeHTTP)
		graphiql := gq.GraphiQL()
		s.handle("GET /graphiql", PolicyOperational, func(w http.ResponseWriter, r *http.Request) {
			// The IDE loads GraphiQL and React from the CDN (with
			// subresource integrity) and runs inline bootstrapping code.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "+
				"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; connect-src 'self' ws: wss:; img-src 'self' data:; "+
				"font-src 'self' data: https://cdn.jsdelivr.net; frame-ancestors 'none'")
			graphiql.ServeHTTP(w, r)
		})
	}
	if cfg.App != nil {
		// The web app (server-rendered pages, internal/web).
		wh := web.New(web.Config{App: cfg.App, Auth: cfg.Auth, Log: cfg.Log})
		s.web = wh
		for _, rt := range wh.Routes() {
			s.handle(rt.Pattern, Policy(rt.Policy), wh.ServeHTTP)
		}
	}
	s.handle("GET /unsubscribe", PolicyPublic, s.UnsubscribePage)
	s.handle("POST /unsubscribe", PolicyPublic, s.Unsubscribe)
	s.handle("GET /api/docs", PolicyOperational, s.docs)
	if cfg.Registry != nil {
		s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_http_requests_total", Help: "HTTP requests by route and status."}, []string{"method", "route", "status"})
		s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "meridian_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"method", "route"})
		cfg.Registry.MustRegister(s.requests, s.latency)
		s.handle("GET /metrics", PolicyOperational, promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}).ServeHTTP)
	}
	for _, r := range cfg.RPC {
		s.mux.Handle(r.Path, r.Handler)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, newProblem(http.StatusNotFound, meridian.ENotFound, "no such endpoint: "+r.Method+" "+r.URL.Path))
	})
	h := s.idempotency(acceptCSV(s.mux))
	if cfg.Limiter != nil {
		// Per-IP limits come before authentication, so that guessing
		// credentials is limited too; per-principal and per-key limits after.
		h = ratelimit.Middleware(cfg.Limiter, []ratelimit.Rule{
			{Name: "principal", Key: ratelimit.Principal(), Limit: ratelimit.Limit{Rate: cfg.PerPrincipal, Burst: int(cfg.PerPrincipal * 10)}},
			{Name: "api-key", Key: ratelimit.APIKey(), Limit: ratelimit.Limit{Rate: cfg.PerPrincipal * 2.5, Burst: int(cfg.PerPrincipal * 25)}},
		})(h)
		h = s.authenticate(h)
		h = ratelimit.Middleware(cfg.Limiter, []ratelimit.Rule{
			{Name: "ip", Key: ratelimit.ClientIP(), Limit: ratelimit.Limit{Rate: cfg.PerIP, Burst: int(cfg.PerIP * 6)}},
			{Name: "sign-in", Key: signInKey, Limit: ratelimit.Limit{Rate: 0.2, Burst: 10}},
		})(h)
	} else {
		h = s.authenticate(h)
	}
	s.handler = s.recoverer(s.observe(securityHeaders(h)))
	return s
}

// ServeHTTP implements http.Handler.
// longLived reports whether r opens a stream that lasts as long as the
// client stays: live events over SSE, WebSocket (REST and GraphQL
// subscriptions) and gRPC streams.
func longLived(r *http.Request) bool {
	switch p := r.URL.Path; {
	case p == "/events", p == "/ws":
		return true
	case p == "/graphql":
		return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	default:
		return strings.HasPrefix(p, connectapi.LivePrefix)
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// OpenAPI returns the generated OpenAPI document.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// fail turns an application error into a problem, logging internal ones.
func (s *Server) fail(ctx context.Context, err error) *Problem {
	p := problemFor(err)
	if p.Code == meridian.EInternal {
		s.cfg.Log.ErrorContext(ctx, "internal error", "err", err, "request_id", requestID(ctx))
	}
	return p
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	if err := s.cfg.DB.Ping(ctx); err != nil {
		checks["store"], ok = err.Error(), false
	} else {
		checks["store"] = "ok"
	}
	if s.cfg.Broker != nil {
		if err := s.cfg.Broker.Ping(ctx); err != nil {
			checks["broker"], ok = err.Error(), false
		} else {
			checks["broker"] = "ok"
		}
	}
	if !ok {
		p := newProblem(http.StatusServiceUnavailable, meridian.EUnavailable, "not ready")
		p.Fields = checks
		writeProblem(w, p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "ready", "checks": checks})
}

// ---- middleware ----

type ctxKey int

const requestIDKey ctxKey = 1

func requestID(ctx context.Context) string { s, _ := ctx.Value(requestIDKey).(string); return s }

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe assigns the request id, applies the timeout, and logs and counts
// every request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		timeout := s.cfg.RequestTimeout
		if longLived(r) {
			timeout = 24 * time.Hour // a stream: it ends when the client leaves or the node stops
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		ctx = context.WithValue(ctx, requestIDKey, id)
		ctx = eventstore.WithMeta(ctx, eventstore.Meta{CorrelationID: id})
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		if s.requests != nil {
			s.requests.WithLabelValues(r.Method, route, strconv.Itoa(rec.status)).Inc()
			s.latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" {
			s.cfg.Log.LogAttrs(ctx, level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Duration("duration", d), slog.Int("bytes", rec.bytes), slog.String("request_id", id))
		}
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Log.Error("panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()), "path", r.URL.Path)
				writeProblem(w, newProblem(http.StatusInternalServerError, meridian.EInternal, "An internal error has occurred."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// authenticate puts the acting principal in the context: from the
// request's credentials (bearer token, API key or session cookie), or, with
// DevAuth in embedded mode, the development user named in X-Dev-User.
// Bad credentials are a 401, never a silent downgrade to anonymous.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), requestInfoKey{}, requestInfo{secure: auth.CookiesSecure(r), ip: clientIP(r)})
		ctx = meridian.WithClientIP(ctx, clientIP(r))
		r = r.WithContext(ctx)
		p := meridian.Anonymous
		hasCredentials := r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != ""
		if _, err := r.Cookie(auth.AccessCookie); err == nil {
			hasCredentials = true
		}
		switch {
		case s.authn != nil && (hasCredentials || !s.cfg.DevAuth):
			var err error
			if p, err = s.authn.Authenticate(r); err != nil {
				if staleSessionPage(r, err) {
					// A browser's session cookie that no longer works (the
					// token expired a moment before the cookie, the signing
					// key changed): drop it and load the page again, which
					// renews the session from the refresh cookie or shows it
					// signed out.
					http.SetCookie(w, auth.ClearAccessCookie(auth.CookiesSecure(r)))
					w.Header().Set("Cache-Control", "no-store")
					http.Redirect(w, r, r.URL.RequestURI(), http.StatusSeeOther)
					return
				}
				if s.web != nil && browserPage(r) {
					s.web.Refused(w, r, err) // a page or a form: the browser shows a page, not JSON
					return
				}
				pr := problemFor(err)
				if pr.Status == http.StatusUnauthorized {
					w.Header().Set("WWW-Authenticate", `Bearer realm="meridian"`)
				}
				if grpcStatus(w, r, pr) {
					return
				}
				writeProblem(w, pr)
				return
			}
		case s.cfg.DevAuth:
			user := strings.TrimSpace(r.Header.Get("X-Dev-User"))
			if user == "" {
				user = "dev-user"
			}
			if len(user) > 128 {
				writeProblem(w, newProblem(http.StatusBadRequest, meridian.EInvalid, "X-Dev-User is too long"))
				return
			}
			if user != "anonymous" {
				p = meridian.Principal{Kind: meridian.PrincipalUser, ID: user, PlatformAdmin: r.Header.Get("X-Dev-Admin") == "true"}
			}
		}
		next.ServeHTTP(w, r.WithContext(meridian.WithPrincipal(ctx, p)))
	})
}

// staleSessionPage: a page load (GET of HTML) whose only credential is the
// session cookie, and that cookie is not valid.
func staleSessionPage(r *http.Request, err error) bool {
	return r.Method == http.MethodGet && meridian.ErrorCode(err) == meridian.EUnauthorized && browserPage(r)
}

// browserPage: a browser loading a page or sending a form of the web app
// with its session cookie (no API credentials, not an API path).
func browserPage(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html") && !strings.HasPrefix(r.URL.Path, "/api/")
}

// tokenPrincipal authenticates a bare token (a GraphQL WebSocket's
// connection_init payload).
func (s *Server) tokenPrincipal(ctx context.Context, token string) (meridian.Principal, error) {
	if s.authn == nil {
		return meridian.Anonymous, meridian.Errorf(meridian.EUnavailable, "token sign-in is not configured on this node")
	}
	return s.authn.Token(ctx, token)
}

// grpcStatus answers a gRPC or gRPC-Web request refused before it reached
// its service with a trailers-only gRPC error (a problem+json body would
// be an unreadable answer to those clients); false for other requests.
// Connect clients read the HTTP status of a problem+json answer.
func grpcStatus(w http.ResponseWriter, r *http.Request, p *Problem) bool {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/grpc") {
		return false
	}
	code := "13" // internal
	switch p.Status {
	case http.StatusUnauthorized:
		code = "16" // unauthenticated
	case http.StatusForbidden:
		code = "7" // permission denied
	case http.StatusTooManyRequests:
		code = "8" // resource exhausted
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		code = "3" // invalid argument
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Grpc-Status", code)
	h.Set("Grpc-Message", url.PathEscape(p.Detail))
	w.WriteHeader(http.StatusOK)
	return true
}

// signInKey limits sign-in and token endpoints per client address: 10 at
// once, then one every 5 seconds.
func signInKey(r *http.Request) (string, bool) {
	if r.Method != http.MethodPost {
		return "", false
	}
	switch r.URL.Path {
	case "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh", "/oauth/token", "/signin", "/signup":
		return clientIP(r), true
	}
	return "", false
}

// securityHeaders sets the headers every response carries. API responses
// are data, never documents: nothing may be framed, scripted or sniffed.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" || len(r.Cookies()) > 0 {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// ---- shared parameter types ----

// IfMatch is the optimistic-concurrency precondition of updates.
type IfMatch struct {
	IfMatch string `header:"If-Match" doc:"ETag of the version being changed (e.g. \"3\"); a stale one gets 409 Conflict"`
}

// Expected returns the version in If-Match, or -1 when absent or "*".
func (m IfMatch) Expected() (int64, error) {
	v := strings.TrimSpace(m.IfMatch)
	if v == "" || v == "*" {
		return -1, nil
	}
	v = strings.TrimPrefix(v, "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, meridian.Errorf(meridian.EInvalid, "If-Match must be an ETag returned by this API, like \"3\"")
	}
	return n, nil
}

// IdempotencyKey documents the header handled by the idempotency middleware.
type IdempotencyKey struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes the POST safe to retry: the same key and body replay the first response; the same key with another body is 422"`
}

// Paging is the cursor pagination of list endpoints.
type Paging struct {
	Cursor string `query:"cursor" doc:"nextCursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }
