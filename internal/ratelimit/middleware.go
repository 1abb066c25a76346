package ratelimit

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// KeyFunc derives a rule's bucket key from a request; ok is false when the
// rule does not apply (an anonymous request under a per-principal rule).
type KeyFunc func(*http.Request) (key string, ok bool)

// Rule is one limit the middleware applies: requests with the same Key
// share a bucket of the given Limit. Name separates the rules' buckets and
// names the rule in RateLimit-Policy.
type Rule struct {
	Name  string
	Key   KeyFunc
	Limit Limit
}

// ErrorHandler answers a request whose limiter returned an error.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// Middleware returns net/http middleware that applies the rules whose key
// function matches the request, in order, spending one token from each. The
// first rule that denies ends the evaluation, so the rules after it are not
// charged for a request that is rejected anyway (the ones before it are:
// list the broad per-IP rule first, so that a flood counts against it).
//
// Every response to a request that matched a rule carries the IETF RateLimit
// headers (draft-ietf-httpapi-ratelimit-headers-07) of the most restrictive
// rule — RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds
// until that bucket is full again) — and RateLimit-Policy listing every
// matched rule as "burst;w=seconds-to-refill;comment=name". When a rule
// denies the request, the middleware answers 429 with Retry-After (seconds,
// rounded up) and an RFC 9457 problem+json body with code rate_limited.
//
// When the limiter returns an error the request is not passed on: onError
// (the first one given) answers it, by default with 503 and code
// unavailable. The middleware never lets a request through unlimited.
//
// Per-principal rules need the principal in the request context, so the
// middleware goes after authentication. It panics on a rule without a name
// or key function, or with an invalid Limit: rules are static configuration.
func Middleware(l Limiter, rules []Rule, onError ...ErrorHandler) func(http.Handler) http.Handler {
	for _, rule := range rules {
		if rule.Name == "" || rule.Key == nil {
			panic("ratelimit: a rule needs a name and a key function")
		}
		if err := rule.Limit.Validate(); err != nil {
			panic(fmt.Sprintf("ratelimit: rule %q: %v", rule.Name, meridian.ErrorMessage(err)))
		}
	}
	handleErr := defaultErrorHandler
	if len(onError) > 0 && onError[0] != nil {
		handleErr = onError[0]
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var (
				worst    Result
				have     bool
				policies []string
			)
			for _, rule := range rules {
				key, ok := rule.Key(r)
				if !ok {
					continue
				}
				res, err := l.Allow(r.Context(), rule.Name+":"+key, rule.Limit)
				if err != nil {
					handleErr(w, r, err)
					return
				}
				policies = append(policies, policy(rule))
				if !have || moreRestrictive(res, worst) {
					worst, have = res, true
				}
				if !res.Allowed {
					break // later rules are not charged for a rejected request
				}
			}
			if !have {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			h.Set("RateLimit-Limit", strconv.Itoa(worst.Limit))
			h.Set("RateLimit-Remaining", strconv.Itoa(worst.Remaining))
			h.Set("RateLimit-Reset", strconv.FormatInt(ceilSeconds(worst.ResetAfter), 10))
			h.Set("RateLimit-Policy", strings.Join(policies, ", "))
			if worst.Allowed {
				next.ServeHTTP(w, r)
				return
			}
			retry := ceilSeconds(worst.RetryAfter)
			if retry < 1 {
				retry = 1
			}
			h.Set("Retry-After", strconv.FormatInt(retry, 10))
			detail := fmt.Sprintf("Too many requests; retry in %d second%s.", retry, plural(retry))
			if wantsHTML(r) {
				writePage(w, http.StatusTooManyRequests, "Too many requests", detail)
				return
			}
			writeProblem(w, http.StatusTooManyRequests, meridian.ERateLimited, detail)
		})
	}
}

// moreRestrictive reports whether a is closer to (or further past) its
// limit than b: a denial beats an allowance, a longer wait beats a shorter
// one, fewer remaining tokens beat more.
func moreRestrictive(a, b Result) bool {
	if a.Allowed != b.Allowed {
		return !a.Allowed
	}
	if !a.Allowed {
		return a.RetryAfter > b.RetryAfter
	}
	if a.Remaining != b.Remaining {
		return a.Remaining < b.Remaining
	}
	return a.ResetAfter > b.ResetAfter
}

func policy(rule Rule) string {
	w := int64(math.Round(rule.Limit.Window().Seconds()))
	if w < 1 {
		w = 1
	}
	return fmt.Sprintf("%d;w=%d;comment=%q", rule.Limit.Burst, w, rule.Name)
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func defaultErrorHandler(w http.ResponseWriter, _ *http.Request, _ error) {
	w.Header().Set("Retry-After", "1")
	writeProblem(w, http.StatusServiceUnavailable, meridian.EUnavailable, "Rate limiting is unavailable; retry later.")
}

// wantsHTML: a browser loading a page or posting a form (its Accept puts
// HTML first), which should see a page rather than problem+json.
func wantsHTML(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Accept"), "text/html")
}

// writePage answers a browser with a minimal page: no script, no
// stylesheet, the message in its own words.
func writePage(w http.ResponseWriter, status int, title, detail string) {
	body := "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
		" · Meridian</title>\n<main><h1>" + html.EscapeString(title) + "</h1>\n<p>" + html.EscapeString(detail) +
		"</p>\n<p><a href=\"/\">Meridian</a></p></main>\n"
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// problem is an RFC 9457 problem details object, shaped like the REST
// transport's, with Meridian's error code as an extension member.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	body, _ := json.Marshal(problem{
		Type:   "/api/docs#problem-" + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	})
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ClientIP returns a KeyFunc keyed by the client's IP address: an IPv4
// address, or the /64 network of an IPv6 address (one client usually holds
// a whole /64).
//
// The address is the connection's peer (Request.RemoteAddr). X-Forwarded-For
// is ignored unless the peer is one of trustedProxies; then the header is
// read from the right, skipping trusted proxies, and the first address that
// is not one is the client. A malformed entry stops the walk at the last
// address known good. A RemoteAddr that is not an IP address (a Unix socket)
// is used as it is, so such requests are limited together, never skipped.
func ClientIP(trustedProxies ...netip.Prefix) KeyFunc {
	return func(r *http.Request) (string, bool) {
		host := r.RemoteAddr
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			if host == "" {
				host = "unknown"
			}
			return host, true
		}
		addr = addr.Unmap().WithZone("")
		if trusted(addr, trustedProxies) {
			addr = forwardedFor(r, addr, trustedProxies)
		}
		return ipKey(addr), true
	}
}

func forwardedFor(r *http.Request, peer netip.Addr, trustedProxies []netip.Prefix) netip.Addr {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = a
		if !trusted(a, trustedProxies) {
			return a
		}
	}
	return client
}

func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func trusted(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func ipKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Principal returns a KeyFunc keyed by the authenticated principal
// (meridian.PrincipalFrom): "kind:id". Anonymous requests do not match.
func Principal() KeyFunc {
	return func(r *http.Request) (string, bool) {
		p := meridian.PrincipalFrom(r.Context())
		if !p.Authenticated() || p.ID == "" {
			return "", false
		}
		return string(p.Kind) + ":" + p.ID, true
	}
}

// APIKey returns a KeyFunc keyed by the credential of a service principal
// (Principal.TokenID: the API key or OAuth2 client). Other requests do not
// match.
func APIKey() KeyFunc {
	return func(r *http.Request) (string, bool) {
		p := meridian.PrincipalFrom(r.Context())
		if p.Kind != meridian.PrincipalService || p.TokenID == "" {
			return "", false
		}
		return p.TokenID, true
	}
}
