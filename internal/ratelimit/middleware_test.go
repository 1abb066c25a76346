package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/meridian"
)

// testServer wraps the middleware with a stand-in for authentication: the
// X-Test-Principal header ("user:alice", "service:key-1") becomes the
// principal. It counts the requests that reached the handler.
func testServer(t *testing.T, l Limiter, rules []Rule, onError ...ErrorHandler) (http.Handler, *int) {
	t.Helper()
	reached := new(int)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*reached++
		w.WriteHeader(http.StatusNoContent)
	})
	limited := Middleware(l, rules, onError...)(app)
	authn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("X-Test-Principal"); v != "" {
			kind, id, _ := strings.Cut(v, ":")
			p := meridian.Principal{Kind: meridian.PrincipalKind(kind), ID: id}
			if p.Kind == meridian.PrincipalService {
				p.ID, p.TokenID = "client-of-"+id, id
			}
			r = r.WithContext(meridian.WithPrincipal(r.Context(), p))
		}
		limited.ServeHTTP(w, r)
	})
	return authn, reached
}

func do(h http.Handler, remoteAddr, principal string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/api/jobs", nil)
	r.RemoteAddr = remoteAddr
	if principal != "" {
		r.Header.Set("X-Test-Principal", principal)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func rateHeaders(w *httptest.ResponseRecorder) map[string]string {
	m := map[string]string{}
	for _, k := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", "Retry-After"} {
		if v := w.Header().Get(k); v != "" {
			m[k] = v
		}
	}
	return m
}

func TestMiddlewareHeadersAnd429(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	h, reached := testServer(t, NewMemory(100, WithClock(clock.Now)), []Rule{
		{Name: "ip", Key: ClientIP(), Limit: Limit{Rate: 1, Burst: 3}},
	})
	for i, remaining := range []string{"2", "1", "0"} {
		w := do(h, "192.0.2.1:1234", "")
		if w.Code != http.StatusNoContent {
			t.Fatalf("request %d: status %d", i+1, w.Code)
		}
		want := map[string]string{
			"RateLimit-Limit":     "3",
			"RateLimit-Remaining": remaining,
			"RateLimit-Reset":     []string{"1", "2", "3"}[i],
			"RateLimit-Policy":    `3;w=3;comment="ip"`,
		}
		if diff := cmp.Diff(want, rateHeaders(w)); diff != "" {
			t.Fatalf("request %d headers (-want +got):\n%s", i+1, diff)
		}
	}
	w := do(h, "192.0.2.1:5678", "") // another connection, same IP
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request: status %d, want 429", w.Code)
	}
	if *reached != 3 {
		t.Fatalf("handler reached %d times, want 3", *reached)
	}
	if diff := cmp.Diff(map[string]string{
		"RateLimit-Limit":     "3",
		"RateLimit-Remaining": "0",
		"RateLimit-Reset":     "3",
		"RateLimit-Policy":    `3;w=3;comment="ip"`,
		"Retry-After":         "1",
	}, rateHeaders(w)); diff != "" {
		t.Fatalf("429 headers (-want +got):\n%s", diff)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	want := map[string]any{
		"type":   "/api/docs#problem-rate_limited",
		"title":  "Too Many Requests",
		"status": float64(429),
		"detail": "Too many requests; retry in 1 second.",
		"code":   "rate_limited",
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Fatalf("429 body (-want +got):\n%s", diff)
	}
	// A browser (a page load or a form) gets the same answer as a page.
	w = do(h, "192.0.2.1:5679", "", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" ||
		w.Header().Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(w.Body.String(), "<p>Too many requests; retry in 1 second.</p>") {
		t.Fatalf("429 to a browser: %d %q\n%s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	// Another IP has its own bucket; after a refill the first IP is served.
	if w := do(h, "192.0.2.2:1", ""); w.Code != http.StatusNoContent {
		t.Fatalf("other IP: status %d", w.Code)
	}
	clock.Advance(1e9)
	if w := do(h, "192.0.2.1:1", ""); w.Code != http.StatusNoContent {
		t.Fatalf("after a refill: status %d", w.Code)
	}
}

func TestMiddlewareRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	h, _ := testServer(t, NewMemory(100, WithClock(newFakeClock().Now)), []Rule{
		{Name: "ip", Key: ClientIP(), Limit: Limit{Rate: 0.4, Burst: 1}}, // a token every 2.5s
	})
	do(h, "192.0.2.1:1", "")
	w := do(h, "192.0.2.1:1", "")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "3" {
		t.Fatalf("status %d, Retry-After %q; want 429 and 3 (2.5s rounded up)", w.Code, w.Header().Get("Retry-After"))
	}
	if !strings.Contains(w.Body.String(), "retry in 3 seconds") {
		t.Fatalf("body %s", w.Body.String())
	}
}

func TestMiddlewarePerIPAndPerPrincipal(t *testing.T) {
	t.Parallel()
	slowly := func(burst int) Limit { return Limit{Rate: 1.0 / 3600, Burst: burst} }
	h, _ := testServer(t, NewMemory(100, WithClock(newFakeClock().Now)), []Rule{
		{Name: "ip", Key: ClientIP(), Limit: slowly(4)},
		{Name: "principal", Key: Principal(), Limit: slowly(2)},
	})
	steps := []struct {
		name, addr, principal string
		status                int
		limit, remaining      string
	}{
		{"alice 1: the principal rule is the tighter", "198.51.100.1:1", "user:alice", 204, "2", "1"},
		{"alice 2", "198.51.100.1:1", "user:alice", 204, "2", "0"},
		{"alice 3: her own bucket is empty", "198.51.100.1:1", "user:alice", 429, "2", "0"},
		{"alice from another IP: still her bucket", "198.51.100.9:1", "user:alice", 429, "2", "0"},
		{"bob from alice's IP: 1 left for the IP", "198.51.100.1:1", "user:bob", 204, "4", "0"},
		{"bob again: the IP is spent", "198.51.100.1:1", "user:bob", 429, "4", "0"},
		{"bob from elsewhere", "198.51.100.2:1", "user:bob", 204, "2", "0"},
		{"anonymous: the IP rule only", "198.51.100.3:1", "", 204, "4", "3"},
	}
	for _, s := range steps {
		w := do(h, s.addr, s.principal)
		got := rateHeaders(w)
		if w.Code != s.status || got["RateLimit-Limit"] != s.limit || got["RateLimit-Remaining"] != s.remaining {
			t.Fatalf("%s: status %d, headers %v; want %d, limit %s, remaining %s", s.name, w.Code, got, s.status, s.limit, s.remaining)
		}
	}
	w := do(h, "198.51.100.4:1", "user:carol")
	if got, want := w.Header().Get("RateLimit-Policy"), `4;w=14400;comment="ip", 2;w=7200;comment="principal"`; got != want {
		t.Fatalf("RateLimit-Policy %q, want %q", got, want)
	}
	w = do(h, "198.51.100.5:1", "")
	if got, want := w.Header().Get("RateLimit-Policy"), `4;w=14400;comment="ip"`; got != want {
		t.Fatalf("anonymous RateLimit-Policy %q, want %q", got, want)
	}
}

func TestMiddlewarePerAPIKey(t *testing.T) {
	t.Parallel()
	h, _ := testServer(t, NewMemory(100, WithClock(newFakeClock().Now)), []Rule{
		{Name: "apikey", Key: APIKey(), Limit: Limit{Rate: 1.0 / 3600, Burst: 1}},
	})
	if w := do(h, "203.0.113.1:1", "service:key-1"); w.Code != 204 || w.Header().Get("RateLimit-Limit") != "1" {
		t.Fatalf("key-1: %d %v", w.Code, rateHeaders(w))
	}
	if w := do(h, "203.0.113.2:1", "service:key-1"); w.Code != 429 {
		t.Fatalf("key-1 again, from another IP: %d, want 429", w.Code)
	}
	if w := do(h, "203.0.113.1:1", "service:key-2"); w.Code != 204 {
		t.Fatalf("key-2: %d", w.Code)
	}
	// Users and anonymous requests do not match an API key rule.
	for _, p := range []string{"user:alice", ""} {
		for i := 0; i < 3; i++ {
			if w := do(h, "203.0.113.1:1", p); w.Code != 204 || len(rateHeaders(w)) != 0 {
				t.Fatalf("%q: %d %v, want 204 without RateLimit headers", p, w.Code, rateHeaders(w))
			}
		}
	}
}

func TestMiddlewareIgnoresForwardedForUnlessTrusted(t *testing.T) {
	t.Parallel()
	lim := Limit{Rate: 1.0 / 3600, Burst: 1}
	untrusting, _ := testServer(t, NewMemory(100), []Rule{{Name: "ip", Key: ClientIP(), Limit: lim}})
	do(untrusting, "10.0.0.1:1", "", "X-Forwarded-For", "203.0.113.1")
	if w := do(untrusting, "10.0.0.1:1", "", "X-Forwarded-For", "203.0.113.2"); w.Code != 429 {
		t.Fatalf("a spoofed X-Forwarded-For escaped the limit: %d", w.Code)
	}
	trusting, _ := testServer(t, NewMemory(100), []Rule{{Name: "ip", Key: ClientIP(netip.MustParsePrefix("10.0.0.0/8")), Limit: lim}})
	do(trusting, "10.0.0.1:1", "", "X-Forwarded-For", "203.0.113.1")
	if w := do(trusting, "10.0.0.1:1", "", "X-Forwarded-For", "203.0.113.2"); w.Code != 204 {
		t.Fatalf("behind a trusted proxy, another client was limited: %d", w.Code)
	}
	// A client cannot escape by prepending addresses of its own.
	if w := do(trusting, "10.0.0.1:1", "", "X-Forwarded-For", "192.0.2.77, 203.0.113.1"); w.Code != 429 {
		t.Fatalf("a prepended address escaped the limit: %d", w.Code)
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name, remote string
		xff          []string
		trusted      bool
		want         string
	}{
		{"ipv4", "192.0.2.1:443", nil, false, "192.0.2.1"},
		{"ipv6 keyed by its /64", "[2001:db8:1:2:3:4:5:6]:443", nil, false, "2001:db8:1:2::/64"},
		{"ipv4-mapped ipv6", "[::ffff:192.0.2.1]:443", nil, false, "192.0.2.1"},
		{"zone dropped", "[fe80::1%eth0]:443", nil, false, "fe80::/64"},
		{"no port", "192.0.2.1", nil, false, "192.0.2.1"},
		{"unix socket", "@", nil, false, "@"},
		{"empty", "", nil, false, "unknown"},
		{"xff ignored without trusted proxies", "10.0.0.1:1", []string{"203.0.113.9"}, false, "10.0.0.1"},
		{"xff ignored from an untrusted peer", "192.0.2.1:1", []string{"203.0.113.9"}, true, "192.0.2.1"},
		{"xff from a trusted peer", "10.0.0.1:1", []string{"203.0.113.9"}, true, "203.0.113.9"},
		{"xff skips trusted hops", "10.0.0.1:1", []string{"198.51.100.1, 203.0.113.9, 10.1.1.1"}, true, "203.0.113.9"},
		{"xff across header lines", "10.0.0.1:1", []string{"198.51.100.1", "203.0.113.9, 10.1.1.1"}, true, "203.0.113.9"},
		{"xff all trusted", "10.0.0.1:1", []string{"10.2.2.2, 10.1.1.1"}, true, "10.2.2.2"},
		{"xff garbage stops the walk", "10.0.0.1:1", []string{"203.0.113.9, nonsense"}, true, "10.0.0.1"},
		{"xff with port", "10.0.0.1:1", []string{"203.0.113.9:5555"}, true, "203.0.113.9"},
		{"xff ipv6", "[fd00::1]:1", []string{"2001:db8::1"}, true, "2001:db8::/64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			var key KeyFunc
			if tc.trusted {
				key = ClientIP(proxies...)
			} else {
				key = ClientIP()
			}
			got, ok := key(r)
			if !ok || got != tc.want {
				t.Fatalf("ClientIP = %q, %v; want %q, true", got, ok, tc.want)
			}
		})
	}
}

func TestPrincipalAndAPIKeyKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		p              *meridian.Principal
		principal, key string
	}{
		{"none", nil, "", ""},
		{"anonymous", &meridian.Anonymous, "", ""},
		{"user", &meridian.Principal{Kind: meridian.PrincipalUser, ID: "u1", TokenID: "jti"}, "user:u1", ""},
		{"service", &meridian.Principal{Kind: meridian.PrincipalService, ID: "c1", TokenID: "k1"}, "service:c1", "k1"},
		{"service without token id", &meridian.Principal{Kind: meridian.PrincipalService, ID: "c1"}, "service:c1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.p != nil {
				r = r.WithContext(meridian.WithPrincipal(context.Background(), *tc.p))
			}
			if got, ok := Principal()(r); got != tc.principal || ok != (tc.principal != "") {
				t.Errorf("Principal() = %q, %v; want %q", got, ok, tc.principal)
			}
			if got, ok := APIKey()(r); got != tc.key || ok != (tc.key != "") {
				t.Errorf("APIKey() = %q, %v; want %q", got, ok, tc.key)
			}
		})
	}
}

type failingLimiter struct{}

func (failingLimiter) Allow(context.Context, string, Limit) (Result, error) {
	return Result{}, errors.New("limiter broke")
}

func TestMiddlewareLimiterErrorDoesNotPassRequestsOn(t *testing.T) {
	t.Parallel()
	rules := []Rule{{Name: "ip", Key: ClientIP(), Limit: PerMinute(10)}}
	h, reached := testServer(t, failingLimiter{}, rules)
	w := do(h, "192.0.2.1:1", "")
	if w.Code != http.StatusServiceUnavailable || *reached != 0 {
		t.Fatalf("default error handler: status %d, handler reached %d times; want 503 and 0", w.Code, *reached)
	}
	if !strings.Contains(w.Body.String(), `"code":"unavailable"`) || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("default error body %s", w.Body.String())
	}
	var gotErr error
	h, reached = testServer(t, failingLimiter{}, rules, func(w http.ResponseWriter, r *http.Request, err error) {
		gotErr = err
		w.WriteHeader(http.StatusTeapot)
	})
	if w := do(h, "192.0.2.1:1", ""); w.Code != http.StatusTeapot || *reached != 0 || gotErr == nil {
		t.Fatalf("custom error handler: status %d, reached %d, err %v", w.Code, *reached, gotErr)
	}
}

func TestMiddlewareRejectsBadRules(t *testing.T) {
	t.Parallel()
	for name, rules := range map[string][]Rule{
		"no name":       {{Key: ClientIP(), Limit: PerSecond(1)}},
		"no key":        {{Name: "ip", Limit: PerSecond(1)}},
		"invalid limit": {{Name: "ip", Key: ClientIP()}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Middleware accepted a bad rule")
				}
			}()
			Middleware(NewMemory(10), rules)
		})
	}
}

func TestLimitHelpers(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]Limit{{Rate: 5, Burst: 5}, {Rate: 1, Burst: 60}, {Rate: 1, Burst: 3600}},
		[]Limit{PerSecond(5), PerMinute(60), PerHour(3600)}); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if w := PerMinute(30).Window(); w != 60e9 {
		t.Fatalf("Window = %v", w)
	}
}
