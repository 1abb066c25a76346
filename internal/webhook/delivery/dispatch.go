package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/webhook"
)

// DefaultSchedule is Standard Webhooks' suggested retry schedule: the delay
// before each attempt, the first one immediate. A delivery gets
// len(Schedule) attempts; after the last failed one it is dead.
var DefaultSchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// leaseKey identifies the dispatcher's lease (PostgreSQL advisory lock).
const leaseKey = 72431006

// batchSize is the most deliveries read per query.
const batchSize = 100

// maxErrorLength bounds the error text recorded with an attempt.
const maxErrorLength = 500

// Dispatcher POSTs due deliveries.
type Dispatcher struct {
	DB *store.DB
	// Client sends the requests: a safehttp client, so that endpoint URLs
	// cannot reach private addresses. Required.
	Client *http.Client
	// Schedule is the delay before each attempt (default DefaultSchedule).
	// Delays after the first get ±10 % jitter.
	Schedule []time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
	// Parallel is how many endpoints are sent to at once (default 16):
	// a slow receiver holds up only its own deliveries, which stay in
	// order.
	Parallel int
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *Dispatcher) schedule() []time.Duration {
	if len(d.Schedule) == 0 {
		return DefaultSchedule
	}
	return d.Schedule
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

// Run dispatches until ctx ends, polling every second, on PostgreSQL only
// on the node holding the dispatcher lease.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Client == nil {
		return meridian.Errorf(meridian.EInvalid, "webhook dispatcher needs a client")
	}
	follow.Lead(ctx, d.DB, leaseKey, time.Second, d.log(), "webhook dispatcher", func(ctx context.Context) error {
		for ctx.Err() == nil {
			n, err := d.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				d.log().Warn("webhook dispatch failed; will retry", "err", err)
			}
			if n == 0 || err != nil {
				follow.Sleep(ctx, time.Second)
			}
		}
		return nil
	})
	return nil
}

// due is a delivery to attempt with what sending it needs.
type due struct {
	id, orgID, endpointID, messageID, payload, url string
	attempts                                       int
	secret, prevSecret, prevUntil                  string
}

// RunOnce attempts every delivery due now and returns how many it
// attempted: several endpoints at once (Parallel), each endpoint's
// deliveries one after the other, in order, until one answers 410. A
// delivery that failed and is due again at once (a zero delay) waits for
// the next call.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	if d.Client == nil {
		return 0, meridian.Errorf(meridian.EInvalid, "webhook dispatcher needs a client")
	}
	parallel := d.Parallel
	if parallel <= 0 {
		parallel = 16
	}
	var n atomic.Int64
	seen := map[string]bool{}
	for {
		batch, err := d.due(ctx, d.now())
		if err != nil {
			return int(n.Load()), err
		}
		fresh := 0
		var order []string
		byEndpoint := map[string][]due{}
		for _, dl := range batch {
			if seen[dl.id] {
				continue
			}
			seen[dl.id] = true
			fresh++
			if _, ok := byEndpoint[dl.endpointID]; !ok {
				order = append(order, dl.endpointID)
			}
			byEndpoint[dl.endpointID] = append(byEndpoint[dl.endpointID], dl)
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(parallel)
		for _, ep := range order {
			dls := byEndpoint[ep]
			g.Go(func() error {
				for _, dl := range dls {
					gone, err := d.attempt(gctx, dl)
					if err != nil {
						return err
					}
					n.Add(1)
					if gone {
						return nil // disabled: its other deliveries ended with it
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return int(n.Load()), err
		}
		if len(batch) < batchSize || fresh == 0 {
			return int(n.Load()), nil
		}
	}
}

func (d *Dispatcher) due(ctx context.Context, now time.Time) ([]due, error) {
	rows, err := d.DB.Query(ctx, `SELECT d.id, d.org_id, d.endpoint_id, d.message_id, d.payload, d.attempts, e.url, e.secret, e.prev_secret, e.prev_until
		FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
		WHERE d.status = ? AND d.next_attempt_at <= ? AND e.disabled_at = ''
		ORDER BY d.next_attempt_at, d.id LIMIT ?`, StatusPending, meridian.FormatTime(now), batchSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var x due
		if err := rows.Scan(&x.id, &x.orgID, &x.endpointID, &x.messageID, &x.payload, &x.attempts, &x.url, &x.secret, &x.prevSecret, &x.prevUntil); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// attempt sends one delivery and records the outcome; gone reports a 410
// (the endpoint is now disabled).
func (d *Dispatcher) attempt(ctx context.Context, dl due) (gone bool, err error) {
	now := d.now()
	code, took, sendErr := d.send(ctx, dl, now)
	if code == 0 && ctx.Err() != nil {
		return false, ctx.Err() // shutting down: the attempt does not count
	}
	// The receiver answered: record that even if shutdown began meanwhile.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	errText := ""
	if sendErr != nil {
		errText = sendErr.Error()
		if len(errText) > maxErrorLength {
			errText = strings.ToValidUTF8(errText[:maxErrorLength], "")
		}
	}
	attempts := dl.attempts + 1
	ts := meridian.FormatTime(now)
	return code == http.StatusGone, d.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)`,
			dl.id, attempts, ts, code, errText, took.Milliseconds()); err != nil {
			return err
		}
		status, next := StatusPending, ""
		switch {
		case sendErr == nil && code >= 200 && code < 300:
			status = StatusDelivered
		case code == http.StatusGone:
			status = StatusEndpointDisabled
			if err := disable(ctx, tx, dl.orgID, dl.endpointID, "the endpoint answered 410 Gone", now); err != nil {
				return err
			}
		case attempts >= len(d.schedule()):
			status = StatusDead
			d.log().Warn("webhook delivery dead", "delivery", dl.id, "endpoint", dl.endpointID, "attempts", attempts)
		default:
			next = meridian.FormatTime(now.Add(jitter(d.schedule()[attempts])))
		}
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`,
			status, attempts, next, ts, dl.id)
		return err
	})
}

// send POSTs the delivery. code is 0 when there was no response; err is
// set for no response and for a status other than 2xx.
func (d *Dispatcher) send(ctx context.Context, dl due, now time.Time) (code int, took time.Duration, err error) {
	secrets := [][]byte{}
	current, err := openSecret(d.DB, dl.endpointID, dl.secret)
	if err != nil {
		return 0, 0, err
	}
	key, err := webhook.ParseSecret(current)
	if err != nil {
		return 0, 0, err
	}
	secrets = append(secrets, key)
	if dl.prevSecret != "" {
		if until, _ := meridian.ParseTime(dl.prevUntil); now.Before(until) {
			prev, err := openSecret(d.DB, dl.endpointID, dl.prevSecret)
			if err != nil {
				return 0, 0, err
			}
			if old, err := webhook.ParseSecret(prev); err == nil {
				secrets = append(secrets, old)
			}
		}
	}
	body := []byte(dl.payload)
	h, err := webhook.Headers(secrets, dl.messageID, now, body)
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Meridian-Webhooks/1")
	start := time.Now()
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	took = time.Since(start)
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return resp.StatusCode, took, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, took, nil
}

// jitter returns d ± up to 10 %.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return d
	}
	f := float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53) // [0, 1)
	return d + time.Duration((f*0.2-0.1)*float64(d))
}
