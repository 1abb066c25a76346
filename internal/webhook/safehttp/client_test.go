package safehttp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server is an httptest server on 127.0.0.1 counting requests per path.
type server struct {
	*httptest.Server
	hits atomic.Int32
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }

func get(t *testing.T, c *http.Client, u string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, u, strings.NewReader(`{"type":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

func wantRefused(t *testing.T, err error, addr, reason string) *RefusedError {
	t.Helper()
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("error %v, want a *RefusedError", err)
	}
	if re.Addr.Addr().String() != addr || !strings.Contains(re.Reason, reason) {
		t.Fatalf("refused %v (%s), want %s (%s)", re.Addr, re.Reason, addr, reason)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Fatalf("error %q does not name %s", err, addr)
	}
	return re
}

func TestClientRefusesLoopbackByDefault(t *testing.T) {
	s := newServer(t, ok)
	_, err := get(t, NewClient(Options{}), s.URL)
	wantRefused(t, err, "127.0.0.1", "loopback")
	if n := s.hits.Load(); n != 0 {
		t.Fatalf("server saw %d requests", n)
	}
}

// A name is checked after resolution: "localhost" (which resolves to
// 127.0.0.1 or ::1) is refused like the literal: the check sees the
// address actually dialled, which is also what defeats DNS rebinding.
func TestClientRefusesNamesResolvingToLoopback(t *testing.T) {
	addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", "localhost")
	if err != nil || len(addrs) == 0 {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	s := newServer(t, ok)
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	_, err = get(t, NewClient(Options{}), "http://localhost:"+port+"/")
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "loopback" {
		t.Fatalf("error %v, want a loopback *RefusedError", err)
	}
	if re.Host != "localhost:"+port || !strings.Contains(err.Error(), `resolved from "localhost:`+port+`"`) {
		t.Fatalf("error %q does not name the host", err)
	}
	if n := s.hits.Load(); n != 0 {
		t.Fatalf("server saw %d requests", n)
	}
}

func TestClientAllowPrivate(t *testing.T) {
	s := newServer(t, ok)
	resp, err := get(t, NewClient(Options{Policy: Policy{AllowPrivate: true}}), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "ok" {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
}

func TestClientAllowList(t *testing.T) {
	s := newServer(t, ok)
	c := NewClient(Options{Policy: Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	resp, err := get(t, c, s.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("allow-listed 127.0.0.1: %v", err)
	}
	// 127.0.0.2 is loopback too but not listed; refused before dialling.
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	_, err = get(t, c, "http://127.0.0.2:"+port+"/")
	wantRefused(t, err, "127.0.0.2", "loopback")
}

func TestClientRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", ok)
	mux.HandleFunc("/to-ok", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	mux.HandleFunc("/other-loopback", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:9/", http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/", http.StatusFound)
	})
	s := newServer(t, mux.ServeHTTP)
	private := Policy{AllowPrivate: true}
	only127 := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

	t.Run("not followed by default", func(t *testing.T) {
		s.hits.Store(0)
		resp, err := get(t, NewClient(Options{Policy: private}), s.URL+"/to-ok")
		if err != nil || resp.StatusCode != http.StatusTemporaryRedirect {
			t.Fatalf("%v, %v; want the 307 itself", resp, err)
		}
		if s.hits.Load() != 1 {
			t.Fatalf("%d requests, want 1", s.hits.Load())
		}
	})
	t.Run("followed within the limit", func(t *testing.T) {
		resp, err := get(t, NewClient(Options{Policy: private, MaxRedirects: 1}), s.URL+"/to-ok")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v, %v", resp, err)
		}
	})
	t.Run("stops at the limit", func(t *testing.T) {
		s.hits.Store(0)
		resp, err := get(t, NewClient(Options{Policy: private, MaxRedirects: 3}), s.URL+"/loop")
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("%v, %v; want the last 302", resp, err)
		}
		if n := s.hits.Load(); n != 4 {
			t.Fatalf("%d requests, want 4 (the first and 3 redirects)", n)
		}
	})
	t.Run("to metadata refused even with AllowPrivate", func(t *testing.T) {
		_, err := get(t, NewClient(Options{Policy: private, MaxRedirects: 5}), s.URL+"/metadata")
		re := wantRefused(t, err, "169.254.169.254", ReasonMetadata)
		if re.Host != "169.254.169.254" {
			t.Fatalf("Host = %q", re.Host)
		}
	})
	t.Run("to an address outside the allow-list refused", func(t *testing.T) {
		_, err := get(t, NewClient(Options{Policy: only127, MaxRedirects: 5}), s.URL+"/other-loopback")
		wantRefused(t, err, "127.0.0.2", "loopback")
	})
	t.Run("redirect hop checked by the dialer too", func(t *testing.T) {
		// Without the literal-address shortcut in CheckRedirect, the
		// transport still refuses the hop when it dials.
		c := NewClient(Options{Policy: only127, MaxRedirects: 5})
		c.CheckRedirect = nil
		_, err := get(t, c, s.URL+"/other-loopback")
		wantRefused(t, err, "127.0.0.2", "loopback")
	})
	t.Run("to another scheme refused", func(t *testing.T) {
		_, err := get(t, NewClient(Options{Policy: private, MaxRedirects: 5}), s.URL+"/ftp")
		if err == nil || !strings.Contains(err.Error(), `refused redirect to scheme "ftp"`) {
			t.Fatalf("%v", err)
		}
	})
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	start := time.Now()
	_, err := get(t, NewClient(Options{Policy: Policy{AllowPrivate: true}, Timeout: 200 * time.Millisecond}), s.URL)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("error %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestClientConfiguration(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://proxy.invalid:3128")
	t.Setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
	c := NewClient(Options{})
	if c.Timeout != DefaultTimeout {
		t.Errorf("Timeout = %v", c.Timeout)
	}
	tr, isTransport := c.Transport.(*http.Transport)
	if !isTransport {
		t.Fatalf("Transport is %T", c.Transport)
	}
	if tr.Proxy != nil {
		t.Error("the transport takes a proxy (from the environment)")
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		t.Error("TLS below 1.2 allowed")
	}
	if tr.ResponseHeaderTimeout != DefaultTimeout || tr.TLSHandshakeTimeout == 0 {
		t.Errorf("timeouts: header %v, handshake %v", tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout)
	}
	if c := NewClient(Options{Timeout: 5 * time.Second}); c.Timeout != 5*time.Second {
		t.Errorf("Timeout = %v", c.Timeout)
	}
}

func TestClientKeepsItsAllowList(t *testing.T) {
	s := newServer(t, ok)
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	c := NewClient(Options{Policy: Policy{Allow: allow}})
	allow[0] = netip.MustParsePrefix("192.0.2.0/24") // the caller reuses its slice
	if _, err := get(t, c, s.URL); err != nil {
		t.Fatalf("the client's allow-list changed with the caller's slice: %v", err)
	}
}
