package rest_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/webhook"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
	"github.com/meridianhq/meridian/internal/webhook/safehttp"
)

// TestWebhooksOverREST: an organization registers a receiver; publishing
// a posting delivers a signed job.published to it; the delivery log shows
// the attempt; a replay sends it again under a new id; rotation gives a
// new secret; deletion ends it all.
func TestWebhooksOverREST(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var mu sync.Mutex
	var got []map[string]any
	var ids []string
	var verifier *webhook.Verifier
	gone := false // the receiver answers 410
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if gone {
			w.WriteHeader(http.StatusGone)
			return
		}
		if err := verifier.Verify(r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		got, ids = append(got, m), append(ids, r.Header.Get("webhook-id"))
	}))
	defer rcv.Close()

	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Hooked Inc"}))
	orgID := org.Body["id"].(string)
	created := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/webhooks", "alice", map[string]any{"url": rcv.URL + "/hook", "events": []string{"job.published"}}))
	secret := created.Body["secret"].(string)
	hookID := created.Body["endpoint"].(map[string]any)["id"].(string)
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	verifier = &webhook.Verifier{Secrets: [][]byte{key}}
	e.must(404, e.do("GET", "/api/v1/orgs/"+orgID+"/webhooks", "bob", nil)) // not a member

	job := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody("Hooked Engineer")))
	jobID := job.Body["id"].(string)
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/publish", "alice", nil))

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	enqueue := func() {
		run := &projection.Runner{DB: e.db, Handler: delivery.Enqueuer{}, Log: log}
		for {
			n, err := run.Step(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
	d := &delivery.Dispatcher{DB: e.db, Log: log, Client: safehttp.NewClient(safehttp.Options{Policy: safehttp.Policy{AllowPrivate: true}})}
	enqueue()
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 1 || got[0]["type"] != "job.published" || got[0]["data"].(map[string]any)["jobId"] != jobID {
		t.Fatalf("received %v", got)
	}
	mu.Unlock()

	log1 := e.must(200, e.do("GET", "/api/v1/orgs/"+orgID+"/webhooks/"+hookID+"/deliveries", "alice", nil))
	items := log1.Body["items"].([]any)
	dl := items[0].(map[string]any)
	attempts := dl["attempts"].([]any)
	if len(items) != 1 || dl["status"] != "delivered" || len(attempts) != 1 || attempts[0].(map[string]any)["statusCode"] != float64(200) {
		t.Fatalf("delivery log: %s", log1.Raw)
	}
	// Replay: the same payload again, under a new webhook-id.
	e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/webhook-deliveries/"+dl["id"].(string)+"/replay", "alice", nil))
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 2 || ids[0] == ids[1] || got[1]["data"].(map[string]any)["jobId"] != jobID {
		t.Fatalf("after replay: %v %v", got, ids)
	}
	mu.Unlock()

	rot := e.must(200, e.do("POST", "/api/v1/orgs/"+orgID+"/webhooks/"+hookID+"/rotate-secret", "alice", nil))
	if s := rot.Body["secret"].(string); s == secret || rot.Body["endpoint"].(map[string]any)["previousSecretUntil"] == nil {
		t.Fatalf("rotation: %s", rot.Raw)
	}
	// A 410 disables the endpoint; an admin enables it again and the next
	// event is delivered.
	publish := func(title string) string {
		id := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody(title))).Body["id"].(string)
		e.must(200, e.do("POST", "/api/v1/jobs/"+id+"/publish", "alice", nil))
		enqueue()
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		return id
	}
	mu.Lock()
	gone = true
	mu.Unlock()
	publish("Gone Engineer")
	list := e.must(200, e.do("GET", "/api/v1/orgs/"+orgID+"/webhooks", "alice", nil))
	if ep := list.Body["items"].([]any)[0].(map[string]any); ep["disabledAt"] == nil {
		t.Fatalf("after 410: %s", list.Raw)
	}
	e.must(404, e.do("POST", "/api/v1/orgs/"+orgID+"/webhooks/"+hookID+"/enable", "bob", nil))
	if en := e.must(200, e.do("POST", "/api/v1/orgs/"+orgID+"/webhooks/"+hookID+"/enable", "alice", nil)); en.Body["disabledAt"] != nil {
		t.Fatalf("enable: %s", en.Raw)
	}
	mu.Lock()
	gone = false
	mu.Unlock()
	back := publish("Welcome Back Engineer")
	mu.Lock()
	if n := len(got); n != 3 || got[2]["data"].(map[string]any)["jobId"] != back {
		t.Fatalf("after enabling: %d deliveries", n)
	}
	mu.Unlock()

	e.must(204, e.do("DELETE", "/api/v1/orgs/"+orgID+"/webhooks/"+hookID, "alice", nil))
	// Every change to the organization's webhooks is in its audit log.
	audit := e.must(200, e.do("GET", "/api/v1/orgs/"+orgID+"/audit", "alice", nil))
	for _, action := range []string{"webhook.created", "webhook.delivery_replayed", "webhook.secret_rotated", "webhook.enabled", "webhook.deleted"} {
		if !strings.Contains(string(audit.Raw), `"`+action+`"`) {
			t.Errorf("audit log lacks %s: %s", action, audit.Raw)
		}
	}
	if l := e.must(200, e.do("GET", "/api/v1/orgs/"+orgID+"/webhooks", "alice", nil)); len(l.Body["items"].([]any)) != 0 {
		t.Fatalf("after delete: %s", l.Raw)
	}
	// A URL that is not http(s) is refused with a problem naming it.
	r := e.do("POST", "/api/v1/orgs/"+orgID+"/webhooks", "alice", map[string]any{"url": "ftp://hooks.example/x"})
	if r.Status != 422 && r.Status != 400 {
		t.Errorf("ftp URL: %d %s", r.Status, r.Raw)
	}
}
