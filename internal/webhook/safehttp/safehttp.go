// Package safehttp builds HTTP clients for requests to URLs chosen by
// customers (webhook endpoints): they refuse to connect to private,
// loopback, link-local, unspecified, multicast, CGNAT, reserved and cloud
// metadata addresses, so that an endpoint URL cannot reach Meridian's own
// network (server-side request forgery).
//
// The check runs in the dialer's Control hook, on the address a connection
// is about to be made to, after DNS resolution. A host name that resolves,
// or later re-resolves (DNS rebinding), to 127.0.0.1 is therefore refused
// just like the literal address, and every redirect hop is checked the same
// way. The clients ignore HTTP_PROXY and friends: a proxy would make the
// proxy's address the only one checked.
//
// For local testing Policy.AllowPrivate lets everything but the metadata
// addresses through, and Policy.Allow lists prefixes to let through
// (metadata included, if listed).
package safehttp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// Policy decides which addresses may be connected to.
type Policy struct {
	// AllowPrivate lets through every address Classify refuses except the
	// cloud metadata ones. For tests and local development only.
	AllowPrivate bool
	// Allow lists prefixes that are let through whatever Classify says,
	// for example 127.0.0.1/32 for a receiver on the same machine.
	Allow []netip.Prefix
}

// RefusedError is the error of a connection (or redirect) the Policy
// refused. Client errors wrap it: use errors.As.
type RefusedError struct {
	// Addr is the refused address and port (port 0 when unknown).
	Addr netip.AddrPort
	// Host is the host:port that was being dialled, when known: the name
	// that resolved to Addr.
	Host string
	// Reason says what kind of address Addr is, as Classify does.
	Reason string
}

func (e *RefusedError) Error() string {
	addr := e.Addr.Addr().String()
	if e.Addr.Port() != 0 {
		addr = e.Addr.String()
	}
	msg := fmt.Sprintf("safehttp: refused to connect to %s (%s)", addr, e.Reason)
	if e.Host != "" && !isLiteral(e.Host) {
		msg += fmt.Sprintf(", resolved from %q", e.Host)
	}
	return msg
}

// isLiteral reports whether hostport's host is an IP address.
func isLiteral(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	_, err = netip.ParseAddr(host)
	return err == nil
}

// clone copies the allow-list, so that a client does not change when the
// caller's slice does.
func (p Policy) clone() Policy {
	p.Allow = slices.Clone(p.Allow)
	return p
}

// Check returns nil if the policy lets a through, else a *RefusedError.
func (p Policy) Check(a netip.Addr) error {
	return p.check(netip.AddrPortFrom(a, 0))
}

func (p Policy) check(ap netip.AddrPort) error {
	a := ap.Addr().WithZone("")
	for _, pre := range p.Allow {
		if pre.Contains(a) || (a.Is4In6() && pre.Contains(a.Unmap())) {
			return nil
		}
	}
	reason := Classify(a)
	if reason == "" || (p.AllowPrivate && reason != ReasonMetadata) {
		return nil
	}
	return &RefusedError{Addr: ap, Reason: reason}
}

// control is the net.Dialer Control hook: it sees the resolved address of
// every connection attempt.
func (p Policy) control(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp4", "tcp6":
	default:
		return fmt.Errorf("safehttp: refused %s connection to %s: only TCP is allowed", network, address)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("safehttp: refused connection to unparsable address %q: %w", address, err)
	}
	return p.check(ap)
}

// Options configures NewClient. The zero value is a strict client with the
// default timeouts that does not follow redirects.
type Options struct {
	Policy
	// Timeout bounds a whole request, from dialling to reading the body
	// (http.Client.Timeout); zero means DefaultTimeout.
	Timeout time.Duration
	// DialTimeout bounds each TCP connection attempt; zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// MaxRedirects is how many redirects are followed, each to an http or
	// https URL and each dialled through the same Policy. Zero (the
	// default) follows none: Standard Webhooks counts a 3xx answer as a
	// failed delivery. When the limit is reached the 3xx response itself is
	// returned (its body open), not an error.
	MaxRedirects int
}

// Defaults of Options. Standard Webhooks recommends a 15-30 s timeout.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultDialTimeout = 10 * time.Second
)

// NewTransport returns the transport NewClient uses: the Policy-checking
// dialer, no proxy, TLS 1.2 or later, bounded handshakes and response
// headers.
func NewTransport(o Options) *http.Transport {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialTimeout := o.DialTimeout
	if dialTimeout <= 0 {
		dialTimeout = DefaultDialTimeout
	}
	policy := o.Policy.clone()
	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Control:   policy.control,
	}
	return &http.Transport{
		Proxy: nil, // never from the environment: see the package comment
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, address)
			var refused *RefusedError
			if errors.As(err, &refused) && refused.Host == "" {
				refused.Host = address
			}
			return conn, err
		},
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// NewClient returns an *http.Client that connects only where o.Policy
// allows (see the package comment), with o's timeouts and redirect limit.
func NewClient(o Options) *http.Client {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	policy, maxRedirects := o.Policy.clone(), o.MaxRedirects
	return &http.Client{
		Transport: NewTransport(o),
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return http.ErrUseLastResponse
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("safehttp: refused redirect to scheme %q", req.URL.Scheme)
			}
			// A literal address is refused here, before any dialling; a
			// name is checked when it is dialled.
			if a, err := netip.ParseAddr(req.URL.Hostname()); err == nil {
				if err := policy.Check(a); err != nil {
					var refused *RefusedError
					if errors.As(err, &refused) {
						refused.Host = req.URL.Host
					}
					return err
				}
			}
			return nil
		},
	}
}
