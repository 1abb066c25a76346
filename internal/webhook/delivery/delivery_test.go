package delivery_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
	"github.com/meridianhq/meridian/internal/webhook"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
	"github.com/meridianhq/meridian/internal/webhook/safehttp"
)

var _ projection.Handler = delivery.Enqueuer{}

const coverLetter = "PERSONAL-COVER-LETTER-do-not-leak"

// clock is a controllable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type world struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	clk  *clock
	eps  *delivery.Endpoints
	disp *delivery.Dispatcher
	org  string
}

// eachDB runs fn on SQLite and on PostgreSQL (skipped without a server
// unless CI=true).
func eachDB(t *testing.T, fn func(w *world)) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			var db *store.DB
			if dialect == store.SQLite {
				db = storetest.OpenSQLite(t)
			} else {
				db = storetest.OpenPostgres(t)
			}
			clk := &clock{t: time.Now().UTC()}
			w := &world{t: t, ctx: context.Background(), db: db, clk: clk, org: meridian.NewID(),
				eps: &delivery.Endpoints{DB: db, Now: clk.Now, RotationWindow: time.Hour}}
			w.disp = &delivery.Dispatcher{DB: db, Now: clk.Now, Log: slog.New(slog.DiscardHandler), Schedule: []time.Duration{0, time.Second, time.Second},
				Client: safehttp.NewClient(safehttp.Options{Policy: safehttp.Policy{AllowPrivate: true}, Timeout: 5 * time.Second})}
			fn(w)
		})
	}
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// apply appends one event and applies it with the enqueuing projection.
func (w *world) apply(streamID, streamType, typ string, payload any, subject string, personal any) {
	w.t.Helper()
	p, err := json.Marshal(payload)
	w.must(err)
	ne := eventstore.NewEvent{Type: typ, Payload: p}
	if personal != nil {
		pp, err := json.Marshal(personal)
		w.must(err)
		ne.Subject, ne.Personal = subject, pp
	}
	evs, err := w.db.Append(w.ctx, eventstore.StreamAppend{StreamID: streamID, StreamType: streamType, ExpectedVersion: eventstore.Any, Events: []eventstore.NewEvent{ne}})
	w.must(err)
	w.must(w.db.InTx(w.ctx, func(tx *store.Tx) error {
		for _, e := range evs {
			if err := (delivery.Enqueuer{}).Apply(w.ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}))
}

// publishJob drafts and publishes a job of the world's organization.
func (w *world) publishJob() string {
	job := meridian.NewID()
	now := time.Now().UTC()
	w.apply(job, "job", domain.JobDrafted, domain.JobDraftedEvent{OrgID: w.org, Details: domain.JobDetails{Title: "Go engineer"}, At: now}, "", nil)
	w.apply(job, "job", domain.JobPublished, domain.JobStatusEvent{At: now}, "", nil)
	return job
}

// applyAndAdvance submits an application to job and moves it to screening.
func (w *world) applyTo(job string) string {
	profile, candidate := meridian.NewID(), meridian.NewID()
	app := domain.ApplicationID(profile, job)
	now := time.Now().UTC()
	w.apply(app, "application", domain.ApplicationSubmitted,
		domain.ApplicationSubmittedEvent{JobID: job, OrgID: w.org, ProfileID: profile, CandidateID: candidate, At: now},
		candidate, domain.ApplicationPersonal{CoverLetter: coverLetter})
	w.apply(app, "application", domain.ApplicationStageChanged, domain.StageChangedEvent{From: domain.StageApplied, To: domain.StageScreening, At: now}, "", nil)
	return app
}

func (w *world) runOnce() int {
	w.t.Helper()
	n, err := w.disp.RunOnce(w.ctx)
	w.must(err)
	return n
}

func (w *world) deliveries(endpointID string) []delivery.Delivery {
	w.t.Helper()
	ds, err := w.eps.Deliveries(w.ctx, w.org, endpointID, 100)
	w.must(err)
	return ds
}

// receiver is an httptest server verifying signatures with secrets.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secrets  [][]byte
	respond  func(n int) int // status for the n-th (1-based) request
	requests int
	verified []string // bodies of requests that verified
	bad      int      // requests that did not verify
	ids      []string // webhook-id of every request
	sigs     []string
}

func newReceiver(w *world, secret string, respond func(n int) int) *receiver {
	key, err := webhook.ParseSecret(secret)
	w.must(err)
	r := &receiver{secrets: [][]byte{key}, respond: respond}
	r.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests++
		n := r.requests
		r.ids = append(r.ids, req.Header.Get(webhook.HeaderID))
		r.sigs = append(r.sigs, req.Header.Get(webhook.HeaderSignature))
		// A fresh Verifier per request: retries reuse the webhook-id.
		err := (&webhook.Verifier{Secrets: r.secrets, Now: w.clk.Now}).Verify(req.Header, body)
		if err != nil {
			r.bad++
			r.mu.Unlock()
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		r.verified = append(r.verified, string(body))
		r.mu.Unlock()
		rw.WriteHeader(r.respond(n))
	}))
	w.t.Cleanup(r.Close)
	return r
}

func (r *receiver) counts() (requests, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.bad
}

func always(code int) func(int) int { return func(int) int { return code } }

func TestRetriedUntilDelivered(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", []string{delivery.EventJobPublished})
		w.must(err)
		rcv := newReceiver(w, secret, func(n int) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		setURL(w, ep.ID, rcv.URL)
		w.applyTo(w.publishJob()) // only job.published is subscribed
		if n := w.runOnce(); n != 1 {
			t.Fatalf("first run attempted %d, want 1", n)
		}
		if n := w.runOnce(); n != 0 {
			t.Fatalf("retry sent before its time: %d", n)
		}
		for i := 0; i < 2; i++ {
			w.clk.Advance(2 * time.Second)
			if n := w.runOnce(); n != 1 {
				t.Fatalf("retry %d attempted %d, want 1", i+1, n)
			}
		}
		w.clk.Advance(time.Hour)
		if n := w.runOnce(); n != 0 {
			t.Fatalf("delivered delivery attempted again: %d", n)
		}
		ds := w.deliveries(ep.ID)
		if len(ds) != 1 || ds[0].Status != delivery.StatusDelivered || ds[0].Type != delivery.EventJobPublished {
			t.Fatalf("deliveries = %+v", ds)
		}
		var codes []int
		for _, a := range ds[0].Attempts {
			codes = append(codes, a.StatusCode)
		}
		if len(codes) != 3 || codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
			t.Fatalf("attempt codes = %v, want [500 500 200]", codes)
		}
		if req, bad := rcv.counts(); req != 3 || bad != 0 {
			t.Fatalf("receiver saw %d requests, %d unverified", req, bad)
		}
		if rcv.ids[0] != ds[0].MessageID || rcv.ids[1] != rcv.ids[0] || rcv.ids[2] != rcv.ids[0] {
			t.Fatalf("webhook-ids %v, want the stable %s", rcv.ids, ds[0].MessageID)
		}
	})
}

func TestDeadLetterThenReplay(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", []string{"*"})
		w.must(err)
		var mu sync.Mutex
		healthy := false
		rcv := newReceiver(w, secret, func(int) int {
			mu.Lock()
			defer mu.Unlock()
			if healthy {
				return http.StatusNoContent
			}
			return http.StatusInternalServerError
		})
		setURL(w, ep.ID, rcv.URL)
		w.applyTo(w.publishJob())
		total := 0
		for range 5 {
			total += w.runOnce()
			w.clk.Advance(2 * time.Second)
		}
		if total != 3*3 {
			t.Fatalf("%d attempts, want 3 deliveries x 3 scheduled attempts", total)
		}
		ds := w.deliveries(ep.ID)
		if len(ds) != 3 {
			t.Fatalf("%d deliveries, want 3", len(ds))
		}
		for _, d := range ds {
			if d.Status != delivery.StatusDead || len(d.Attempts) != 3 {
				t.Fatalf("delivery %s: status %s, %d attempts; want dead after 3", d.Type, d.Status, len(d.Attempts))
			}
		}
		mu.Lock()
		healthy = true
		mu.Unlock()
		for _, d := range ds {
			r, err := w.eps.Replay(w.ctx, w.org, d.ID)
			w.must(err)
			if r.ID == d.ID || r.MessageID == d.MessageID || string(r.Payload) != string(d.Payload) || r.Status != delivery.StatusPending || r.ReplayOf != d.ID {
				t.Fatalf("replay %+v of %+v", r, d)
			}
		}
		if n := w.runOnce(); n != 3 {
			t.Fatalf("replays attempted %d, want 3", n)
		}
		got := map[string]bool{}
		for _, d := range w.deliveries(ep.ID) {
			if d.ReplayOf != "" {
				if d.Status != delivery.StatusDelivered {
					t.Fatalf("replay %s status %s", d.ID, d.Status)
				}
				got[d.Type] = true
			}
		}
		if len(got) != 3 {
			t.Fatalf("delivered after replay: %v; want all 3 event kinds (none lost)", got)
		}
		// Only dead or delivered deliveries can be replayed; unknown ids are not found.
		if _, err := w.eps.Replay(w.ctx, meridian.NewID(), ds[0].ID); !isCode(err, meridian.ENotFound) {
			t.Fatalf("replay from another org: %v", err)
		}
	})
}

func TestGoneDisablesEndpoint(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", nil)
		w.must(err)
		rcv := newReceiver(w, secret, always(http.StatusGone))
		setURL(w, ep.ID, rcv.URL)
		job := w.publishJob()
		if n := w.runOnce(); n != 1 {
			t.Fatalf("attempted %d", n)
		}
		got, err := w.eps.Get(w.ctx, w.org, ep.ID)
		w.must(err)
		if !got.Disabled() || got.DisabledReason == "" {
			t.Fatalf("endpoint not disabled: %+v", got)
		}
		w.applyTo(job)
		w.clk.Advance(time.Hour)
		if n := w.runOnce(); n != 0 {
			t.Fatalf("disabled endpoint attempted %d", n)
		}
		ds := w.deliveries(ep.ID)
		if len(ds) != 1 || ds[0].Status != delivery.StatusEndpointDisabled {
			t.Fatalf("deliveries = %+v", ds)
		}
		if req, _ := rcv.counts(); req != 1 {
			t.Fatalf("receiver saw %d requests", req)
		}
		if _, err := w.eps.Replay(w.ctx, w.org, ds[0].ID); !isCode(err, meridian.ERule) {
			t.Fatalf("replay to a disabled endpoint: %v", err)
		}
	})
}

func TestTimeoutIsAFailedAttempt(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		w.disp.Client = safehttp.NewClient(safehttp.Options{Policy: safehttp.Policy{AllowPrivate: true}, Timeout: 200 * time.Millisecond})
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", []string{delivery.EventJobPublished})
		w.must(err)
		rcv := newReceiver(w, secret, func(n int) int {
			if n == 1 {
				time.Sleep(time.Second) // past the client's timeout
			}
			return http.StatusOK
		})
		setURL(w, ep.ID, rcv.URL)
		w.publishJob()
		w.runOnce()
		w.clk.Advance(2 * time.Second)
		w.runOnce()
		ds := w.deliveries(ep.ID)
		if len(ds) != 1 || ds[0].Status != delivery.StatusDelivered || len(ds[0].Attempts) != 2 {
			t.Fatalf("deliveries = %+v", ds)
		}
		if a := ds[0].Attempts[0]; a.StatusCode != 0 || a.Error == "" {
			t.Fatalf("timed-out attempt recorded as %+v", a)
		}
	})
}

func TestRotationSignsWithBothSecrets(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, oldSecret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", []string{delivery.EventJobPublished})
		w.must(err)
		rcv := newReceiver(w, oldSecret, always(http.StatusOK)) // knows the old secret only
		setURL(w, ep.ID, rcv.URL)
		newSecret, err := w.eps.RotateSecret(w.ctx, w.org, ep.ID)
		w.must(err)
		if newSecret == oldSecret {
			t.Fatal("rotation kept the secret")
		}
		// Both secrets are sealed at rest, bound to the endpoint.
		var stored, prev string
		w.must(w.db.QueryRow(w.ctx, `SELECT secret, prev_secret FROM webhook_endpoints WHERE id = ?`, ep.ID).Scan(&stored, &prev))
		for _, sec := range []string{newSecret, oldSecret} {
			raw := strings.TrimPrefix(sec, "whsec_")
			if strings.Contains(stored+prev, raw) || !strings.HasPrefix(stored, "sealed:") || !strings.HasPrefix(prev, "sealed:") {
				t.Fatalf("secrets stored in the clear: %q / %q", stored, prev)
			}
		}
		w.publishJob()
		w.runOnce()
		if req, bad := rcv.counts(); req != 1 || bad != 0 {
			t.Fatalf("within the window: %d requests, %d unverified", req, bad)
		}
		if n := len(strings.Fields(rcv.sigs[0])); n != 2 {
			t.Fatalf("%d signatures within the window, want 2", n)
		}
		// After the window only the new secret signs.
		w.clk.Advance(2 * time.Hour)
		w.publishJob()
		w.runOnce()
		if req, bad := rcv.counts(); req != 2 || bad != 1 {
			t.Fatalf("after the window: %d requests, %d unverified; want the old secret refused", req, bad)
		}
		key, err := webhook.ParseSecret(newSecret)
		w.must(err)
		rcv.mu.Lock()
		rcv.secrets = [][]byte{key}
		rcv.mu.Unlock()
		w.clk.Advance(2 * time.Second)
		w.runOnce()
		if req, bad := rcv.counts(); req != 3 || bad != 1 {
			t.Fatalf("with the new secret: %d requests, %d unverified", req, bad)
		}
	})
}

func TestStrictClientRefusesLoopback(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		w.disp.Client = safehttp.NewClient(safehttp.Options{})
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", nil)
		w.must(err)
		rcv := newReceiver(w, secret, always(http.StatusOK))
		setURL(w, ep.ID, rcv.URL)
		w.publishJob()
		if n := w.runOnce(); n != 1 {
			t.Fatalf("attempted %d", n)
		}
		if req, _ := rcv.counts(); req != 0 {
			t.Fatalf("loopback receiver reached %d times", req)
		}
		ds := w.deliveries(ep.ID)
		if len(ds) != 1 || ds[0].Status != delivery.StatusPending || len(ds[0].Attempts) != 1 {
			t.Fatalf("deliveries = %+v", ds)
		}
		if a := ds[0].Attempts[0]; a.StatusCode != 0 || !strings.Contains(a.Error, "refused") {
			t.Fatalf("refusal recorded as %+v", a)
		}
	})
}

func TestPayloadsHoldNoPersonalData(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", []string{"*"})
		w.must(err)
		rcv := newReceiver(w, secret, always(http.StatusOK))
		setURL(w, ep.ID, rcv.URL)
		other, _, err := w.eps.Create(w.ctx, meridian.NewID(), "https://example.com/hook", nil)
		w.must(err)
		job := w.publishJob()
		app := w.applyTo(job)
		if n := w.runOnce(); n != 3 {
			t.Fatalf("attempted %d, want 3", n)
		}
		if ds, err := w.eps.Deliveries(w.ctx, other.OrgID, other.ID, 10); err != nil || len(ds) != 0 {
			t.Fatalf("another organization's endpoint got %d deliveries (%v)", len(ds), err)
		}
		types := map[string]map[string]any{}
		for _, body := range rcv.verified {
			if strings.Contains(body, coverLetter) {
				t.Fatalf("cover letter in payload %s", body)
			}
			var p delivery.Payload
			w.must(json.Unmarshal([]byte(body), &p))
			if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil {
				t.Fatalf("timestamp %q: %v", p.Timestamp, err)
			}
			for k := range p.Data {
				switch k {
				case "jobId", "applicationId", "stage", "from":
				default:
					t.Fatalf("payload %s holds %q", body, k)
				}
			}
			types[p.Type] = p.Data
		}
		if len(types) != 3 || types[delivery.EventJobPublished]["jobId"] != job ||
			types[delivery.EventApplicationReceived]["applicationId"] != app ||
			types[delivery.EventApplicationStageChanged]["stage"] != domain.StageScreening ||
			types[delivery.EventApplicationStageChanged]["jobId"] != job {
			t.Fatalf("payloads = %v", types)
		}
	})
}

func TestReapplyIsIdempotent(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, _, err := w.eps.Create(w.ctx, w.org, "https://example.com/hook", nil)
		w.must(err)
		w.publishJob()
		evs, err := w.db.ReadAll(w.ctx, 0, 100)
		w.must(err)
		for range 2 {
			w.must(w.db.InTx(w.ctx, func(tx *store.Tx) error {
				for _, e := range evs {
					if err := (delivery.Enqueuer{}).Apply(w.ctx, tx, e); err != nil {
						return err
					}
				}
				return nil
			}))
		}
		if ds := w.deliveries(ep.ID); len(ds) != 1 {
			t.Fatalf("%d deliveries after re-applying, want 1", len(ds))
		}
	})
}

func TestEndpoints(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		for _, u := range []string{"", "ftp://example.com/", "example.com/hook", "https://user:pw@example.com/", "https:///path"} {
			if _, _, err := w.eps.Create(w.ctx, w.org, u, nil); !isCode(err, meridian.EInvalid) {
				t.Errorf("Create(%q) = %v, want invalid", u, err)
			}
		}
		if _, _, err := w.eps.Create(w.ctx, w.org, "https://example.com/", []string{"job.deleted"}); !isCode(err, meridian.EInvalid) {
			t.Errorf("unknown event accepted: %v", err)
		}
		a, secret, err := w.eps.Create(w.ctx, w.org, "https://example.com/a", []string{delivery.EventJobClosed, delivery.EventJobClosed})
		w.must(err)
		if _, err := webhook.ParseSecret(secret); err != nil || len(a.Events) != 1 {
			t.Fatalf("secret %v, events %v", err, a.Events)
		}
		b, _, err := w.eps.Create(w.ctx, w.org, "http://localhost:8080/b", []string{"*"})
		w.must(err)
		if len(b.Events) != 0 || !b.Subscribed(delivery.EventJobExpired) || a.Subscribed(delivery.EventJobExpired) {
			t.Fatalf("subscriptions a %v b %v", a.Events, b.Events)
		}
		list, err := w.eps.List(w.ctx, w.org)
		w.must(err)
		if len(list) != 2 {
			t.Fatalf("List = %d", len(list))
		}
		if _, err := w.eps.Get(w.ctx, meridian.NewID(), a.ID); !isCode(err, meridian.ENotFound) {
			t.Fatalf("Get from another org: %v", err)
		}
		w.must(w.eps.Disable(w.ctx, w.org, b.ID, "paused by the owner"))
		got, err := w.eps.Get(w.ctx, w.org, b.ID)
		w.must(err)
		if !got.Disabled() || got.DisabledReason != "paused by the owner" {
			t.Fatalf("after Disable: %+v", got)
		}
		w.must(w.eps.Delete(w.ctx, w.org, a.ID))
		if _, err := w.eps.Get(w.ctx, w.org, a.ID); !isCode(err, meridian.ENotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
		if err := w.eps.Delete(w.ctx, w.org, a.ID); !isCode(err, meridian.ENotFound) {
			t.Fatalf("second Delete: %v", err)
		}
	})
}

func isCode(err error, code string) bool {
	var me *meridian.Error
	return errors.As(err, &me) && me.Code == code
}

// setURL points an endpoint at a test receiver (created after the endpoint,
// since the receiver needs the endpoint's secret).
func setURL(w *world, id, url string) {
	w.t.Helper()
	_, err := w.db.Exec(w.ctx, `UPDATE webhook_endpoints SET url = ? WHERE id = ?`, url, id)
	w.must(err)
}

// The enqueuer behind the projection runner, and Dispatcher.Run under its
// lease with the real clock.
func TestRunnerAndRun(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		ep, secret, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", nil)
		w.must(err)
		w.clk = &clock{t: time.Now()} // unused below; the receiver reads it
		got := make(chan struct{}, 10)
		rcv := newReceiver(w, secret, func(int) int { got <- struct{}{}; return http.StatusOK })
		setURL(w, ep.ID, rcv.URL)
		job := meridian.NewID()
		now := time.Now().UTC()
		for _, e := range []struct {
			typ string
			p   any
		}{{domain.JobDrafted, domain.JobDraftedEvent{OrgID: w.org, At: now}}, {domain.JobPublished, domain.JobStatusEvent{At: now}}} {
			p, err := json.Marshal(e.p)
			w.must(err)
			_, err = w.db.Append(w.ctx, eventstore.StreamAppend{StreamID: job, StreamType: "job", ExpectedVersion: eventstore.Any, Events: []eventstore.NewEvent{{Type: e.typ, Payload: p}}})
			w.must(err)
		}
		r := &projection.Runner{DB: w.db, Handler: delivery.Enqueuer{}, Log: slog.New(slog.DiscardHandler)}
		if _, err := r.Step(w.ctx, nil); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(w.ctx)
		done := make(chan error, 1)
		d := &delivery.Dispatcher{DB: w.db, Client: w.disp.Client, Log: slog.New(slog.DiscardHandler)}
		go func() { done <- d.Run(ctx) }()
		var ds []delivery.Delivery
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if ds = w.deliveries(ep.ID); len(ds) == 1 && ds[0].Status == delivery.StatusDelivered {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		w.must(<-done)
		if len(ds) != 1 || ds[0].Status != delivery.StatusDelivered || len(got) != 1 {
			t.Fatalf("deliveries = %+v, %d requests", ds, len(got))
		}
	})
}

// Endpoints are sent to in parallel: each of two receivers holds its
// request until the other one's has arrived. One after the other, the
// first would give up (and answer 500) before the second was sent.
func TestEndpointsSentInParallel(t *testing.T) {
	eachDB(t, func(w *world) {
		t := w.t
		var arrived sync.WaitGroup
		arrived.Add(2)
		both := make(chan struct{})
		go func() { arrived.Wait(); close(both) }()
		var mu sync.Mutex
		codes := []int{}
		for range 2 {
			ep, _, err := w.eps.Create(w.ctx, w.org, "http://placeholder.invalid/", []string{delivery.EventJobPublished})
			w.must(err)
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				arrived.Done()
				code := http.StatusOK
				select {
				case <-both:
				case <-time.After(4 * time.Second): // the other was never sent meanwhile (the client gives up at 5 s)
					code = http.StatusInternalServerError
				}
				mu.Lock()
				codes = append(codes, code)
				mu.Unlock()
				rw.WriteHeader(code)
			}))
			t.Cleanup(srv.Close)
			setURL(w, ep.ID, srv.URL)
		}
		w.publishJob()
		if n := w.runOnce(); n != 2 {
			t.Fatalf("%d attempts, want 2", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(codes) != 2 || codes[0] != 200 || codes[1] != 200 {
			t.Fatalf("receivers answered %v: sent one after the other", codes)
		}
	})
}
