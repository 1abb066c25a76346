package token

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultIssuer     = "meridian"
	DefaultAudience   = "meridian-api"
	DefaultAccessTTL  = 10 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

const (
	// maxSkew is the clock skew allowed on exp, nbf and iat.
	maxSkew = 30 * time.Second
	// keyRefresh is how often the key cache is reloaded from the database.
	keyRefresh = 30 * time.Second
	// missReload is the minimum interval between reloads caused by an
	// unknown kid, so that garbage kids cannot hammer the database.
	missReload = time.Second
)

// Config configures a Service. Zero fields get the defaults above.
type Config struct {
	// Issuer is the iss claim written and required (the public base URL in
	// production; default "meridian").
	Issuer string
	// Audience is the aud claim written and required (default "meridian-api").
	Audience string
	// AccessTTL is the lifetime of access tokens (default 10 minutes).
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of each refresh token (default 30 days).
	RefreshTTL time.Duration
	// Clock returns the current time (default meridian.SystemClock).
	Clock func() time.Time
	// Logger receives, at debug level, why a token was rejected (default:
	// discard).
	Logger *slog.Logger
}

// Validate reports a configuration that cannot work, with code
// meridian.EInvalid. Zero values are valid: they select the defaults.
func (c Config) Validate() error {
	switch {
	case c.AccessTTL < 0:
		return meridian.Errorf(meridian.EInvalid, "access token lifetime must be positive, got %s", c.AccessTTL)
	case c.RefreshTTL < 0:
		return meridian.Errorf(meridian.EInvalid, "refresh token lifetime must be positive, got %s", c.RefreshTTL)
	}
	d := c.withDefaults()
	if d.RefreshTTL <= d.AccessTTL {
		return meridian.Errorf(meridian.EInvalid, "refresh token lifetime (%s) must be longer than the access token lifetime (%s)", d.RefreshTTL, d.AccessTTL)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.AccessTTL <= 0 {
		c.AccessTTL = DefaultAccessTTL
	}
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = DefaultRefreshTTL
	}
	if c.Clock == nil {
		c.Clock = meridian.SystemClock
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// Service issues and verifies access and refresh tokens. It is safe for
// concurrent use; several Services (one per node) may share a database.
type Service struct {
	db  *store.DB
	cfg Config

	// OnReuse, when set, is called after a used refresh token was presented
	// again and its family was revoked, for the audit log. Set it before the
	// Service is used.
	OnReuse func(ctx context.Context, userID, familyID string)

	keyMu      sync.Mutex
	keys       *keySet
	loadedAt   time.Time // when the last successful load started (monotonic)
	missAt     time.Time // last reload caused by an unknown kid
	missReload time.Duration
}

// New returns a Service on db. Zero Config fields get their defaults; call
// Config.Validate first to reject a bad configuration.
func New(db *store.DB, cfg Config) *Service {
	return &Service{db: db, cfg: cfg.withDefaults(), missReload: missReload}
}

// now returns the configured clock's time in UTC.
func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// retireGrace is how long a retired key keeps verifying: its last tokens
// may have been signed up to keyRefresh after the retirement by a node that
// had not reloaded yet, and live AccessTTL plus the skew allowance.
func (s *Service) retireGrace() time.Duration { return s.cfg.AccessTTL + keyRefresh + maxSkew }

const invalidTokenMessage = "invalid or expired token"

// errInvalid returns the one error every rejected token gets.
func errInvalid() error {
	return &meridian.Error{Code: meridian.EUnauthorized, Message: invalidTokenMessage}
}

// reject logs why a token was refused and returns errInvalid.
func (s *Service) reject(ctx context.Context, what, reason string, err error) error {
	if s.cfg.Logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []any{"reason", reason}
		if err != nil {
			attrs = append(attrs, "err", err)
		}
		s.cfg.Logger.DebugContext(ctx, what+" rejected", attrs...)
	}
	return errInvalid()
}
