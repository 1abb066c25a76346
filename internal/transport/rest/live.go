package rest

import (
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// liveRecheck is how often a live connection's credentials and channels are
// authorized again: a revoked key, a signed-out token or a member removed
// from an organization stops receiving within this time.
var liveRecheck = time.Minute

// spread shortens a connection's first period d by up to half, at random,
// so that connections opened together (a deploy, a reconnect storm, a
// benchmark) do not all ping or re-authorize in the same instant: each
// keeps its own phase afterwards.
func spread(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	return d - rand.N(d/2) // #nosec G404 -- timing jitter, not a secret
}

// liveSession is who is listening on a live connection and what they may
// hear. Its principal comes from the request (header or session cookie,
// via the authentication middleware) or, on a WebSocket, from an auth
// message carrying a token.
type liveSession struct {
	s *Server
	// hdr are the request's credentials headers, for authenticating again
	// (the request itself is not kept: connections outlive it).
	hdr   http.Header
	p     meridian.Principal
	token string // from an auth message; "" when the request authenticated
	// names are the channels as the client named them, hub their hub
	// names (same order).
	names, hub []string
}

func (s *Server) newLiveSession(r *http.Request) *liveSession {
	ls := &liveSession{s: s, p: meridian.PrincipalFrom(r.Context())}
	if ls.p.Authenticated() {
		ls.hdr = http.Header{}
		for _, k := range []string{"Authorization", "X-Api-Key", "Cookie"} {
			if v := r.Header.Values(k); len(v) > 0 {
				ls.hdr[k] = slices.Clone(v)
			}
		}
	}
	return ls
}

func (ls *liveSession) ctx(ctx context.Context) context.Context {
	return meridian.WithPrincipal(ctx, ls.p)
}

// authenticate replaces the principal with the one of token (a JWT access
// token or an API key) and authorizes the current channels for it.
func (ls *liveSession) authenticate(ctx context.Context, token string) error {
	if ls.s.authn == nil {
		return meridian.Errorf(meridian.EUnavailable, "token sign-in is not configured on this node")
	}
	p, err := ls.s.authn.Token(ctx, token)
	if err != nil {
		return err
	}
	prev, prevToken := ls.p, ls.token
	ls.p, ls.token = p, token
	if err := ls.set(ctx, ls.names); err != nil {
		ls.p, ls.token = prev, prevToken
		return err
	}
	return nil
}

// set authorizes names and makes them the session's channels.
func (ls *liveSession) set(ctx context.Context, names []string) error {
	hub, err := ls.s.cfg.App.LiveChannels(ls.ctx(ctx), names)
	if err != nil {
		return err
	}
	ls.names, ls.hub = names, hub
	return nil
}

// recheck authenticates the credential again (revoked, expired) and
// authorizes the channels again (membership removed).
func (ls *liveSession) recheck(ctx context.Context) error {
	if !ls.p.Authenticated() {
		return nil // public channels only
	}
	if !ls.p.Expires.IsZero() && !time.Now().Before(ls.p.Expires) {
		return meridian.Errorf(meridian.EUnauthorized, "credentials expired: reconnect with a fresh token (lastEventId resumes)")
	}
	if ls.s.authn != nil && (ls.token != "" || !ls.s.cfg.DevAuth) {
		var p meridian.Principal
		var err error
		if ls.token != "" {
			p, err = ls.s.authn.Token(ctx, ls.token)
		} else {
			req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
			if rerr != nil {
				return rerr
			}
			req.Header = ls.hdr
			p, err = ls.s.authn.Authenticate(req)
		}
		if err != nil {
			return meridian.Errorf(meridian.EUnauthorized, "credentials no longer valid: %s", meridian.ErrorMessage(err))
		}
		ls.p = p
	}
	_, err := ls.s.cfg.App.LiveChannels(ls.ctx(ctx), ls.names)
	return err
}

// due is when the session must be checked next: at nextCheck, or when its
// credential expires if that is sooner.
func (ls *liveSession) due(nextCheck time.Time) time.Time {
	if !ls.p.Expires.IsZero() && ls.p.Expires.Before(nextCheck) {
		return ls.p.Expires
	}
	return nextCheck
}

// client is the channel name the client knows m's channel by.
func (ls *liveSession) client(m realtime.Message) string {
	return realtime.ClientChannel(m.Channel, ls.p.ID)
}

func splitChannels(v string) []string {
	var out []string
	for _, c := range strings.Split(v, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
