package email_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/email"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

var backends = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{store.SQLite, storetest.OpenSQLite},
	{store.Postgres, storetest.OpenPostgres},
}

const baseURL = "https://meridian.test"

// clock is the worker's clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// world is a store with a real App over it, the SQL read models and the
// saved-search projection stepped by hand, a real SMTP server and the
// e-mail worker.
type world struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	app    *app.App
	users  *auth.Users
	runs   []*projection.Runner
	smtp   *smtpServer
	clock  *clock
	worker *email.Worker
	org    string
}

func newWorld(t *testing.T, db *store.DB, digestHour int) *world {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	w := &world{t: t, ctx: context.Background(), db: db, app: app.New(db, nil, log), users: auth.NewUsers(db),
		smtp: startSMTP(t), clock: &clock{t: time.Now().UTC()}}
	w.runs = []*projection.Runner{
		{DB: db, Handler: readmodel.Projection{}, Log: log},
		{DB: db, Handler: alerts.New(db, log), Log: log},
	}
	smtp, err := config.ParseSMTPURL(w.smtp.url())
	w.must(err)
	w.worker, err = email.NewWorker(db, email.Config{SMTP: smtp, BaseURL: baseURL, DigestHour: digestHour, Now: w.clock.Now, Log: log,
		Backoff: func(int) time.Duration { return time.Minute }, Timeout: 10 * time.Second})
	w.must(err)
	// E-mail starts now: nothing before it is sent.
	w.round()
	org, err := w.app.CreateOrg(w.as("owner"), domain.OrgDetails{Name: "Acme & Cloud"}, "")
	w.must(err)
	w.org = org.ID
	w.catchUp()
	return w
}

type testWriter struct{ t *testing.T }

func (tw *testWriter) Write(p []byte) (int, error) {
	tw.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) as(user string) context.Context {
	return meridian.WithPrincipal(w.ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: user})
}

// catchUp applies everything the store has to the read models.
func (w *world) catchUp() {
	w.t.Helper()
	for _, r := range w.runs {
		for {
			n, err := r.Step(w.ctx, nil)
			w.must(err)
			if n == 0 {
				break
			}
		}
	}
}

// round runs the worker once.
func (w *world) round() int {
	w.t.Helper()
	n, err := w.worker.RunOnce(w.ctx)
	w.must(err)
	return n
}

func (w *world) user(email, name string) auth.User {
	w.t.Helper()
	u, err := w.users.Create(w.ctx, email, name, false)
	w.must(err)
	return u
}

func (w *world) save(user, name string, skill, alert string) string {
	w.t.Helper()
	res, err := w.app.CreateSavedSearch(w.as(user), app.SavedSearchInput{Name: name, Query: search.Query{SkillsAll: []string{skill}}, Alert: alert})
	w.must(err)
	w.catchUp()
	return res.ID
}

func (w *world) publish(title, skill string) string {
	w.t.Helper()
	res, err := w.app.DraftJob(w.as("owner"), w.org, domain.JobDetails{
		Title: title, Description: "Remote work on distributed systems.",
		Skills:         []domain.SkillRequirement{{Skill: skill, Level: 3, Required: true}},
		Seniority:      "senior",
		EmploymentType: "full_time",
		Eligibility:    domain.Eligibility{Worldwide: true},
	})
	w.must(err)
	_, err = w.app.PublishJob(w.as("owner"), res.ID, -1)
	w.must(err)
	w.catchUp()
	return res.ID
}

// waitMessages waits until the mailbox holds n messages (and checks it
// holds no more).
func (w *world) waitMessages(n int) []received {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := w.smtp.messages()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				var subjects []string
				for _, m := range got {
					subjects = append(subjects, m.to+": "+m.subject)
				}
				w.t.Fatalf("mailbox has %d messages, want %d: %q", len(got), n, subjects)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outbox returns the status, attempts and error of the e-mails of a kind.
func (w *world) outbox(kind string) []string {
	w.t.Helper()
	rows, err := w.db.Query(w.ctx, `SELECT status, attempts, last_error FROM email_outbox WHERE kind = ? ORDER BY created_at, id`, kind)
	w.must(err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var status, lastErr string
		var attempts int
		w.must(rows.Scan(&status, &attempts, &lastErr))
		out = append(out, fmt.Sprintf("%s/%d %s", status, attempts, lastErr))
	}
	w.must(rows.Err())
	return out
}

// checkEnvelope checks what every e-mail carries.
func checkEnvelope(t *testing.T, m received, to string) (unsubscribe string) {
	t.Helper()
	if !strings.Contains(m.to, to) {
		t.Errorf("To %q, want %s", m.to, to)
	}
	if from := m.header.Get("From"); !strings.Contains(from, "notifications@meridian.test") {
		t.Errorf("From %q", from)
	}
	if id := m.header.Get("Message-Id"); !strings.HasSuffix(id, "@meridian.test>") || !strings.HasPrefix(id, "<") {
		t.Errorf("Message-ID %q", id)
	}
	lu := m.header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+baseURL+"/unsubscribe?token=v1.") || !strings.HasSuffix(lu, ">") {
		t.Errorf("List-Unsubscribe %q", lu)
	}
	if p := m.header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", p)
	}
	link := strings.TrimSuffix(strings.TrimPrefix(lu, "<"), ">")
	if m.text == "" || m.html == "" {
		t.Errorf("want a text and an HTML part; text %d bytes, html %d bytes", len(m.text), len(m.html))
	}
	if !strings.Contains(m.text, link) || !strings.Contains(m.html, strings.ReplaceAll(link, "&", "&amp;")) {
		t.Errorf("the bodies lack the unsubscribe link %s:\n%s\n%s", link, m.text, m.html)
	}
	return link
}

// unsubscribeVia follows an unsubscribe link as a mail client's one-click
// POST would, through the REST handlers.
func (w *world) unsubscribeVia(link string) {
	w.t.Helper()
	srv := w.unsubscribeServer()
	u, err := url.Parse(link)
	w.must(err)
	target := srv.URL + u.RequestURI()
	// The page first: a GET changes nothing.
	res, err := http.Get(target)
	w.must(err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	w.must(err)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page), `<form method="post" action="/unsubscribe">`) || !strings.Contains(string(page), `value="`+u.Query().Get("token")+`"`) {
		w.t.Fatalf("GET %s: %d %s\n%s", u.Path, res.StatusCode, res.Header.Get("Content-Type"), page)
	}
	// A tampered token is a problem.
	for _, bad := range []string{srv.URL + "/unsubscribe?token=" + url.QueryEscape(u.Query().Get("token")+"x"), srv.URL + "/unsubscribe"} {
		res, err = http.Get(bad)
		w.must(err)
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("Content-Type") != "application/problem+json" {
			w.t.Errorf("GET with a bad token: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		res, err = http.Post(bad, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		w.must(err)
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity {
			w.t.Errorf("POST with a bad token: %d", res.StatusCode)
		}
	}
	res, err = http.Post(target, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	w.must(err)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		w.t.Fatalf("POST %s: %d", u.Path, res.StatusCode)
	}
	w.catchUp()
}

func (w *world) apply(candidate auth.User, job string) string {
	w.t.Helper()
	prof, err := w.app.CreateProfile(w.as(candidate.ID), "", "private", domain.ProfileDetails{
		DisplayName: "Dev", Skills: []domain.ProfileSkill{{Skill: "go", Level: 4, Years: 5}}, TimeZone: "Europe/Lisbon", Countries: []string{"PT"},
	})
	w.must(err)
	res, err := w.app.Apply(w.as(candidate.ID), job, prof.ID, "Hello")
	w.must(err)
	w.catchUp()
	return res.ID
}

func forBackends(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b.open(t))
		})
	}
}

// TestInstantAlert: a match of an instant alert is one e-mail to the
// saved search's owner; unsubscribing through its link turns the alert
// off and nothing more is sent.
func TestInstantAlert(t *testing.T) {
	forBackends(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, 8)
		ana := w.user("ana@example.com", "Ana")
		bob := w.user("bob@example.com", "")
		ss := w.save(ana.ID, "Go <remote>", "go", domain.AlertInstant)
		w.save(bob.ID, "Rust", "rust", domain.AlertInstant)
		w.save(bob.ID, "Go daily", "go", domain.AlertDaily)

		job := w.publish(`Senior Go Engineer <b>&</b>`, "go")
		w.round()
		msgs := w.waitMessages(1)
		m := msgs[0]
		link := checkEnvelope(t, m, "ana@example.com")
		if want := `New match for "Go <remote>": Senior Go Engineer <b>&</b> at Acme & Cloud`; m.subject != want {
			t.Errorf("subject %q, want %q", m.subject, want)
		}
		if !strings.Contains(m.text, "Hello Ana,") || !strings.Contains(m.text, baseURL+"/jobs/"+job) || !strings.Contains(m.text, "Senior Go Engineer <b>&</b>") {
			t.Errorf("text:\n%s", m.text)
		}
		if !strings.Contains(m.html, "Senior Go Engineer &lt;b&gt;&amp;&lt;/b&gt;") || strings.Contains(m.html, "<b>&</b>") ||
			!strings.Contains(m.html, `href="`+baseURL+"/jobs/"+job+`"`) || !strings.Contains(m.html, "Go &lt;remote&gt;") {
			t.Errorf("html:\n%s", m.html)
		}
		// Another round sends nothing again.
		w.round()
		w.waitMessages(1)

		w.unsubscribeVia(link)
		got, err := w.app.SavedSearch(w.as(ana.ID), ss)
		w.must(err)
		if got.Alert != domain.AlertOff {
			t.Errorf("alert after unsubscribing = %q, want off", got.Alert)
		}
		// Unsubscribing twice is fine.
		if _, err := w.app.Unsubscribe(w.ctx, strings.TrimPrefix(link, baseURL+"/unsubscribe?token=")); err != nil {
			t.Errorf("second unsubscribe: %v", err)
		}
		w.publish("Go Platform Engineer", "go")
		w.round()
		w.waitMessages(1)

		// Turning the alert on again lifts the opt-out.
		_, err = w.app.UpdateSavedSearch(w.as(ana.ID), ss, -1, app.SavedSearchInput{Name: "Go <remote>", Query: search.Query{SkillsAll: []string{"go"}}, Alert: domain.AlertInstant}, false)
		w.must(err)
		w.catchUp()
		w.publish("Go SRE", "go")
		w.round()
		if msgs := w.waitMessages(2); !strings.Contains(msgs[1].subject, "Go SRE") {
			t.Errorf("after re-enabling: %q", msgs[1].subject)
		}
	})
}

// TestDailyDigest: three daily matches are one digest at the digest hour,
// and nothing before it.
func TestDailyDigest(t *testing.T) {
	forBackends(t, func(t *testing.T, db *store.DB) {
		now := time.Now().UTC()
		hour := (now.Hour() + 2) % 24
		w := newWorld(t, db, hour)
		ana := w.user("ana@example.com", "Ana")
		w.save(ana.ID, "Go daily", "go", domain.AlertDaily)
		w.save(ana.ID, "Kotlin daily", "kotlin", domain.AlertDaily)
		var titles []string
		for i, skill := range []string{"go", "go", "kotlin"} {
			titles = append(titles, fmt.Sprintf("Engineer %d (%s)", i, skill))
			w.publish(titles[i], skill)
		}
		w.round()
		w.waitMessages(0)

		// The next digest hour.
		at := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
		if !at.After(now) {
			at = at.Add(24 * time.Hour)
		}
		w.clock.Set(at.Add(-time.Minute))
		w.round()
		w.waitMessages(0)
		w.clock.Set(at.Add(time.Second))
		w.round()
		m := w.waitMessages(1)[0]
		checkEnvelope(t, m, "ana@example.com")
		if m.subject != "3 new matches for your saved searches" {
			t.Errorf("subject %q", m.subject)
		}
		for _, s := range append(titles, "Go daily (2)", "Kotlin daily (1)") {
			if !strings.Contains(m.text, s) {
				t.Errorf("digest text lacks %q:\n%s", s, m.text)
			}
		}
		if strings.Count(m.html, "<li") != 3 {
			t.Errorf("digest html:\n%s", m.html)
		}
		// Once a day.
		w.clock.Add(time.Hour)
		w.round()
		w.waitMessages(1)
	})
}

// TestApplicationUpdate: moving an application e-mails its candidate, and
// no one else; the candidate's own withdrawal sends nothing; opting out
// through the link stops the category.
func TestApplicationUpdate(t *testing.T) {
	forBackends(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, 8)
		cara := w.user("cara@example.com", "Cara")
		dan := w.user("dan@example.com", "Dan")
		job := w.publish("Backend Engineer (Go)", "go")
		appl := w.apply(cara, job)
		other := w.apply(dan, job)

		_, err := w.app.MoveApplication(w.as("owner"), appl, -1, domain.StageScreening, "")
		w.must(err)
		w.round()
		m := w.waitMessages(1)[0]
		link := checkEnvelope(t, m, "cara@example.com")
		if m.subject != "Your application for Backend Engineer (Go): Screening" {
			t.Errorf("subject %q", m.subject)
		}
		if !strings.Contains(m.text, baseURL+"/me/applications#application-"+appl) || !strings.Contains(m.text, "Acme & Cloud") || strings.Contains(m.text, "Dan") {
			t.Errorf("text:\n%s", m.text)
		}

		_, err = w.app.MoveApplication(w.as(dan.ID), other, -1, domain.StageWithdrawn, "no_longer_interested")
		w.must(err)
		w.round()
		w.waitMessages(1)

		w.unsubscribeVia(link)
		_, err = w.app.MoveApplication(w.as("owner"), appl, -1, domain.StageInterview, "")
		w.must(err)
		w.round()
		w.waitMessages(1)
		if got := w.outbox(email.KindApplication); len(got) != 2 || !containsPrefix(got, "sent/1") || !containsPrefix(got, "skipped/0 opted out of application updates") {
			t.Errorf("application outbox %q", got)
		}
	})
}

// TestSMTPFailures: a server that is down, or refuses every message for a
// while, loses nothing: each e-mail is retried and delivered once after
// it recovers. A permanent rejection of one recipient fails that e-mail
// only.
func TestSMTPFailures(t *testing.T) {
	forBackends(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, 8)
		ana := w.user("ana@example.com", "Ana")
		bounce := w.user("bounce@example.com", "")
		w.save(ana.ID, "Go", "go", domain.AlertInstant)
		w.save(bounce.ID, "Go too", "go", domain.AlertInstant)

		// Down.
		w.smtp.stop()
		w.publish("Go Engineer 1", "go")
		if n := w.round(); n != 2 {
			t.Errorf("attempted %d e-mails, want 2", n)
		}
		for _, o := range w.outbox(email.KindAlert) {
			if !strings.HasPrefix(o, "pending/1 connect") {
				t.Errorf("outbox after a failed connection: %q", w.outbox(email.KindAlert))
			}
		}
		// Not due again before the backoff.
		if n := w.round(); n != 0 {
			t.Errorf("attempted %d e-mails before their backoff", n)
		}
		w.smtp.start()
		w.clock.Add(2 * time.Minute)
		w.round()
		msgs := w.waitMessages(1)
		checkEnvelope(t, msgs[0], "ana@example.com")
		first := msgs[0].header.Get("Message-Id")
		if got := w.outbox(email.KindAlert); len(got) != 2 || !containsPrefix(got, "sent/2") || !containsPrefix(got, "failed/2 sending SMTP RCPT TO command: 550") {
			t.Errorf("outbox after recovery: %q", got)
		}

		// Refusing everything (5xx to MAIL FROM).
		w.smtp.rejectAll(true)
		w.publish("Go Engineer 2", "go")
		w.round()
		w.waitMessages(1)
		if got := w.outbox(email.KindAlert); !containsPrefix(got, "pending/1 sending SMTP MAIL FROM command: 554") {
			t.Errorf("outbox while refused: %q", got)
		}
		w.smtp.rejectAll(false)
		w.clock.Add(2 * time.Minute)
		w.round()
		msgs = w.waitMessages(2)
		if !strings.Contains(msgs[1].subject, "Go Engineer 2") || msgs[1].header.Get("Message-Id") == first {
			t.Errorf("second message %q %s", msgs[1].subject, msgs[1].header.Get("Message-Id"))
		}
		w.clock.Add(time.Hour)
		w.round()
		w.waitMessages(2)
	})
}

func containsPrefix(ss []string, prefix string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestDisabled: without SMTP the worker says so and returns.
func TestDisabled(t *testing.T) {
	db := storetest.OpenSQLite(t)
	var logs strings.Builder
	w, err := email.NewWorker(db, email.Config{BaseURL: "http://127.0.0.1:8080", Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if w.Enabled() {
		t.Fatal("enabled without SMTP")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "e-mail notifications are off") {
		t.Errorf("log: %s", logs.String())
	}
	if _, err := email.NewWorker(db, email.Config{BaseURL: ""}); meridian.ErrorCode(err) != meridian.EInvalid {
		t.Errorf("no base URL: %v", err)
	}
}

// unsubscribeServer serves the REST unsubscribe handlers (mounted here as
// server.go mounts them).
func (w *world) unsubscribeServer() *httptest.Server {
	api := rest.New(rest.Config{App: w.app, DB: w.db, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), PublicURL: baseURL})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /unsubscribe", api.UnsubscribePage)
	mux.HandleFunc("POST /unsubscribe", api.Unsubscribe)
	srv := httptest.NewServer(mux)
	w.t.Cleanup(srv.Close)
	return srv
}
