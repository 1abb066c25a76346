package email

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Kinds of e-mail.
const (
	KindAlert       = "alert"       // one instant-alert match
	KindDigest      = "digest"      // a person's daily digest
	KindApplication = "application" // a change of stage of one's application
)

// Outbox statuses.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"  // permanently rejected, or out of attempts
	StatusSkipped = "skipped" // nothing to send any more (opted out, alert off, no address)
)

// Store cursors the worker keeps (in the store's cursors table).
const (
	// CursorApplications is the event position up to which application
	// events were turned into e-mails.
	CursorApplications = "email-applications"
	// CursorSince is when e-mail was first enabled (Unix ms): matches
	// before it are never e-mailed.
	CursorSince = "email-since"
	// CursorDigest is the last day (days since 1970-01-01) whose digests
	// were built.
	CursorDigest = "email-digest"
)

// leaseKey identifies the worker's lease (PostgreSQL advisory lock).
const leaseKey = 72431007

// Defaults.
const (
	DefaultPoll        = 2 * time.Second
	DefaultMaxAttempts = 20
	// lookback bounds how old a match may be and still be e-mailed.
	lookback = 48 * time.Hour
	// batchSize is the most rows read per query.
	batchSize = 200
)

// Config configures a Worker.
type Config struct {
	// SMTP is the server to send through; the zero value turns e-mail off.
	SMTP config.SMTP
	// BaseURL is the web app's public URL, for links (config BaseURL()).
	BaseURL string
	// DigestHour is the hour of the day (UTC) daily digests are sent at.
	DigestHour int
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
	// Poll is how often the worker looks for work (default DefaultPoll).
	Poll time.Duration
	// MaxAttempts bounds the attempts to send one e-mail (default
	// DefaultMaxAttempts); Backoff is the delay after the nth failed one
	// (default 30s doubling up to 1h, ±10 %).
	MaxAttempts int
	Backoff     func(attempt int) time.Duration
	// Tokens signs unsubscribe links (default KeyringTokens(db)).
	Tokens *Tokens
	// Timeout bounds one SMTP connection (default 30s).
	Timeout time.Duration
}

// Worker turns saved-search matches and application events into e-mails
// (the outbox) and sends them. One node sends at a time (a lease). Use
// NewWorker.
type Worker struct {
	db     *store.DB
	cfg    Config
	users  *auth.Users
	log    *slog.Logger
	tokens *Tokens
	host   string // of BaseURL: the Message-ID's domain

	started atomic.Bool
}

// NewWorker returns the worker. With cfg.SMTP not enabled, Run logs once
// that e-mail is off and returns. Errors: EInvalid (BaseURL, DigestHour).
func NewWorker(db *store.DB, cfg Config) (*Worker, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Hostname() == "" {
		return nil, meridian.Errorf(meridian.EInvalid, "e-mail needs the public URL for its links, got %q", cfg.BaseURL)
	}
	if cfg.DigestHour < 0 || cfg.DigestHour > 23 {
		return nil, meridian.Errorf(meridian.EInvalid, "digest hour must be 0 to 23")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Backoff == nil {
		cfg.Backoff = defaultBackoff
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	w := &Worker{db: db, cfg: cfg, users: auth.NewUsers(db), log: cfg.Log, tokens: cfg.Tokens, host: u.Hostname()}
	if w.tokens == nil {
		w.tokens = KeyringTokens(db)
	}
	return w, nil
}

// Enabled reports whether an SMTP server is configured.
func (w *Worker) Enabled() bool { return w.cfg.SMTP.Enabled() }

func (w *Worker) now() time.Time {
	if w.cfg.Now != nil {
		return w.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// Run enqueues and sends until ctx ends, on PostgreSQL only on the node
// holding the e-mail lease. Without SMTP it logs that once and returns.
func (w *Worker) Run(ctx context.Context) error {
	if !w.Enabled() {
		w.log.Info("e-mail notifications are off (set MERIDIAN_SMTP_URL to send them)")
		return nil
	}
	w.log.Info("e-mail notifications on", "smtp", w.cfg.SMTP.Addr(), "tls", w.cfg.SMTP.TLS, "digest_hour_utc", w.cfg.DigestHour)
	if !strings.HasPrefix(w.cfg.BaseURL, "https://") {
		w.log.Warn("the public URL is not https: mail providers ignore one-click unsubscribe (RFC 8058) at it; set MERIDIAN_PUBLIC_URL", "public_url", w.cfg.BaseURL)
	}
	follow.Lead(ctx, w.db, leaseKey, time.Second, w.log, "email worker", func(ctx context.Context) error {
		for ctx.Err() == nil {
			n, err := w.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.Warn("e-mail worker failed; will retry", "err", err)
			}
			if n == 0 || err != nil {
				follow.Sleep(ctx, w.cfg.Poll)
			}
		}
		return nil
	})
	return nil
}

// RunOnce does one round: it enqueues the e-mails of new application
// events, new instant-alert matches and, when due, the daily digests, then
// attempts every e-mail due now. It returns how many it attempted. (Run
// calls it in a loop; tests call it directly.)
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if err := w.start(ctx); err != nil {
		return 0, err
	}
	if err := w.enqueueApplications(ctx); err != nil {
		return 0, err
	}
	if err := w.enqueueAlerts(ctx); err != nil {
		return 0, err
	}
	if err := w.enqueueDigests(ctx); err != nil {
		return 0, err
	}
	if !w.Enabled() {
		return 0, nil
	}
	return w.sendDue(ctx)
}

// start records, the first time, where e-mail begins: the event store's
// head (no e-mail about earlier application events), now (no alert about
// earlier matches) and today's digest as done when its hour has passed.
func (w *Worker) start(ctx context.Context) error {
	if w.started.Load() {
		return nil
	}
	head, err := w.db.Head(ctx)
	if err != nil {
		return err
	}
	now := w.now()
	for name, v := range map[string]int64{
		CursorApplications: head,
		CursorSince:        now.UnixMilli(),
		CursorDigest:       dueDay(now, w.cfg.DigestHour),
	} {
		if _, err := w.db.Exec(ctx, `INSERT INTO cursors (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, v, meridian.FormatTime(now)); err != nil {
			return err
		}
	}
	w.started.Store(true)
	return nil
}
