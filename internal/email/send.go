package email

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/meridian"
)

// maxErrorLength bounds the error text kept with an e-mail.
const maxErrorLength = 500

// due is an outbox row to attempt.
type due struct {
	id, kind, userID, ref string
	attempts              int
}

// sendDue attempts the e-mails due now, over one SMTP connection per
// batch, and returns how many it attempted.
func (w *Worker) sendDue(ctx context.Context) (int, error) {
	n := 0
	seen := map[string]bool{}
	for {
		batch, err := w.due(ctx)
		if err != nil {
			return n, err
		}
		var fresh []due
		for _, d := range batch {
			if !seen[d.id] {
				seen[d.id] = true
				fresh = append(fresh, d)
			}
		}
		if len(fresh) == 0 {
			return n, nil
		}
		k, err := w.sendBatch(ctx, fresh)
		n += k
		if err != nil || len(batch) < batchSize {
			return n, err
		}
	}
}

func (w *Worker) due(ctx context.Context) ([]due, error) {
	rows, err := w.db.Query(ctx, `SELECT id, kind, user_id, ref, attempts FROM email_outbox
		WHERE status = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		StatusPending, meridian.FormatTime(w.now()), batchSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.kind, &d.userID, &d.ref, &d.attempts); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// outcome is the result of one attempt.
type outcome struct {
	status string // StatusSent, StatusFailed, StatusSkipped, or StatusPending (retry)
	err    string
}

// sendBatch builds and sends each e-mail of batch and records each
// outcome. A connection that fails (the server is down, refuses us, or
// breaks) fails the attempt of every e-mail still to send in the batch:
// each is retried after its backoff.
func (w *Worker) sendBatch(ctx context.Context, batch []due) (int, error) {
	var conn *connection
	defer func() {
		if conn != nil {
			conn.close()
		}
	}()
	n := 0
	for i, d := range batch {
		msg, skip, err := w.build(ctx, d)
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			// A lookup failed (the database): try again later.
			w.log.Warn("e-mail not built; will retry", "email", d.id, "kind", d.kind, "err", err)
			if err := w.record(ctx, d, outcome{status: StatusPending, err: "build: " + err.Error()}); err != nil {
				return n, err
			}
			n++
			continue
		}
		if skip != "" {
			if err := w.record(ctx, d, outcome{status: StatusSkipped, err: skip}); err != nil {
				return n, err
			}
			continue
		}
		if conn == nil {
			conn, err = w.dial(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return n, ctx.Err() // shutting down: the attempt does not count
				}
				w.log.Warn("SMTP server unreachable; e-mails will be retried", "smtp", w.cfg.SMTP.Addr(), "pending", len(batch)-i, "err", err)
				for _, rest := range batch[i:] {
					if err := w.record(ctx, rest, outcome{status: StatusPending, err: "connect: " + err.Error()}); err != nil {
						return n, err
					}
					n++
				}
				return n, nil
			}
		}
		sendErr := conn.send(msg)
		if sendErr != nil && ctx.Err() != nil && !isSMTPReply(sendErr) {
			return n, ctx.Err()
		}
		n++
		o := w.classify(d, sendErr)
		if err := w.record(ctx, d, o); err != nil {
			return n, err
		}
		if sendErr != nil {
			// Start the next e-mail on a fresh connection.
			conn.close()
			conn = nil
		}
	}
	return n, nil
}

// classify turns a send result into an outcome: sent; failed when the
// server rejected this message permanently (a 5xx reply to RCPT or DATA,
// or an unusable address); retried otherwise (4xx replies, connection
// errors, and 5xx replies to the sender's MAIL FROM, which are about the
// server's setup rather than this message).
func (w *Worker) classify(d due, err error) outcome {
	if err == nil {
		return outcome{status: StatusSent}
	}
	text := err.Error()
	var se *mail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			w.log.Warn("e-mail failed permanently", "email", d.id, "kind", d.kind, "err", text)
			return outcome{status: StatusFailed, err: text}
		case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose:
			if !se.IsTemp() && se.ErrorCode() >= 500 {
				w.log.Warn("e-mail rejected permanently by the SMTP server", "email", d.id, "kind", d.kind, "code", se.ErrorCode(), "err", text)
				return outcome{status: StatusFailed, err: text}
			}
		}
	}
	w.log.Warn("e-mail not sent; will retry", "email", d.id, "kind", d.kind, "attempt", d.attempts+1, "err", text)
	return outcome{status: StatusPending, err: text}
}

func isSMTPReply(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.ErrorCode() != 0
}

// record stores an attempt's outcome: a retry gets its backoff, or fails
// when out of attempts.
func (w *Worker) record(ctx context.Context, d due, o outcome) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := w.now()
	attempts := d.attempts
	if o.status != StatusSkipped {
		attempts++
	}
	next, sentAt := "", ""
	switch o.status {
	case StatusSent:
		sentAt = meridian.FormatTime(now)
	case StatusPending:
		if attempts >= w.cfg.MaxAttempts {
			o.status = StatusFailed
			w.log.Error("e-mail failed: out of attempts", "email", d.id, "kind", d.kind, "attempts", attempts, "err", o.err)
		} else {
			next = meridian.FormatTime(now.Add(w.cfg.Backoff(attempts)))
		}
	}
	if len(o.err) > maxErrorLength {
		o.err = strings.ToValidUTF8(o.err[:maxErrorLength], "")
	}
	_, err := w.db.Exec(ctx, `UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?, sent_at = ?
		WHERE id = ? AND status = ?`, o.status, attempts, next, o.err, meridian.FormatTime(now), sentAt, d.id, StatusPending)
	return err
}

// defaultBackoff is 30s doubling up to an hour, ±10 %.
func defaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return d
	}
	f := float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53) // [0, 1)
	return d + time.Duration((f*0.2-0.1)*float64(d))
}

// connection is one SMTP session.
type connection struct {
	c  *mail.Client
	sc *smtp.Client
}

func (c *connection) close() { _ = c.c.CloseWithSMTPClient(c.sc) }

func (c *connection) send(m *mail.Msg) error { return c.c.SendWithSMTPClient(c.sc, m) }

// dial opens an SMTP session with the configured server.
func (w *Worker) dial(ctx context.Context) (*connection, error) {
	s := w.cfg.SMTP
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(w.cfg.Timeout), mail.WithHELO(w.host)}
	switch s.TLS {
	case config.SMTPTLS:
		opts = append(opts, mail.WithSSL())
	case config.SMTPTLSNone:
		opts = append(opts, mail.WithTLSPortPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	sc, err := c.DialToSMTPClientWithContext(dctx)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.Addr(), err)
	}
	return &connection{c: c, sc: sc}, nil
}
