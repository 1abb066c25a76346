package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/node"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

func redisURL(t *testing.T) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	requireService(t, err == nil, "Redis at 127.0.0.1:6379")
	c.Close()
	return "redis://127.0.0.1:6379/0"
}

// startNode runs an in-process cluster node, to read its store directly.
func startNode(t *testing.T, cfg config.Config) *node.Node {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	n, err := node.Start(context.Background(), node.Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "e2e"})
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return n
}

// TestNodesShareData runs two meridian serve processes and an in-process
// node on one PostgreSQL and one NATS: a write on one is readable on the
// others within a second (tokens issued by one node verify on all), and when
// the node holding the relay lease dies another takes over.
func TestNodesShareData(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	ns := startNATS(t)
	rURL := redisURL(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.NATSURL, cfg.RedisURL = dbURL, ns.URL(), rURL
	cfg.MasterKey = base64.StdEncoding.EncodeToString(key)
	cfg.DataDir = t.TempDir() // each node keeps its own search snapshot
	env := []string{
		"MERIDIAN_DATABASE_URL=" + dbURL, "MERIDIAN_NATS_URL=" + ns.URL(), "MERIDIAN_REDIS_URL=" + rURL, "MERIDIAN_MASTER_KEY=" + cfg.MasterKey,
		"MERIDIAN_SEARCH_SNAPSHOT=off",
	}
	if out, err := runCLIInput(t, env, "correct horse battery staple\n", "users", "create", "--email", "alice@cluster.example", "--password-stdin"); err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	a := startServe(t, env)
	b := startServe(t, env)
	c := startNode(t, cfg)
	urlC := "http://" + c.Addr()

	visible := func(what, url string, hdr ...string) time.Duration {
		t.Helper()
		start := time.Now()
		eventually(t, 5*time.Second, what, func() error {
			code, m, err := call("GET", url, "", nil, hdr...)
			if err != nil || code != 200 {
				return fmt.Errorf("status %d %v %v", code, err, m)
			}
			return nil
		})
		return time.Since(start)
	}

	login := mustCall(t, 200, "POST", a.URL+"/api/v1/auth/login", "", map[string]any{"email": "alice@cluster.example", "password": "correct horse battery staple"})
	bearer := []string{"Authorization", "Bearer " + login["access_token"].(string)}
	org := mustCall(t, 201, "POST", a.URL+"/api/v1/orgs", "", map[string]any{"name": "Cluster Co"}, bearer...)
	orgID := idOf(org)
	job := mustCall(t, 201, "POST", a.URL+"/api/v1/orgs/"+orgID+"/jobs", "", jobBody("Distributed Systems Engineer"), bearer...)
	jobID := idOf(job)
	if d := visible("draft written on A, read on B with A's token", b.URL+"/api/v1/jobs/"+jobID, bearer...); d > time.Second {
		t.Errorf("write on A visible on B after %s, want within 1s", d)
	}
	// Live subscribers on A and C (SSE) before B publishes: each gets the
	// posting on jobs.new from its own node's feed.
	live := map[string]<-chan string{}
	for _, u := range []string{a.URL, urlC} {
		live[u] = sseFirst(t, u+"/events?channels=jobs.new")
	}
	mustCall(t, 200, "POST", b.URL+"/api/v1/jobs/"+jobID+"/publish", "", nil, append(bearer, "If-Match", `"1"`)...)
	published := time.Now()
	for u, ch := range live {
		select {
		case data := <-ch:
			if !strings.Contains(data, jobID) {
				t.Fatalf("live event on %s: %s", u, data)
			}
			t.Logf("published on B, live on %s %s after the publish returned", u, time.Since(published).Round(time.Millisecond))
		case <-time.After(10 * time.Second):
			t.Fatalf("no jobs.new event on %s within 10s", u)
		}
	}
	if d := visible("published on B, read anonymously on A", a.URL+"/api/v1/jobs/"+jobID); d > time.Second {
		t.Errorf("write on B visible on A after %s, want within 1s", d)
	}
	// Every node's own search index picks the posting up from the stream
	// (B wrote it; A's and C's followers are woken through NATS). The
	// times are logged for docs/BENCHMARKS.md, not asserted.
	for _, u := range []string{b.URL, a.URL, urlC} {
		deadline := time.Now().Add(5 * time.Second)
		for {
			code, m, err := call("GET", u+"/api/v1/jobs/search?q=distributed+systems", "", nil)
			if err == nil && code == 200 && m["total"] == float64(1) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("published posting not searchable on %s within 5s: %d %v %v", u, code, err, m)
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Logf("published on B, searchable on %s %s after the publish returned", u, time.Since(published).Round(time.Millisecond))
	}
	// A private channel across nodes: the organization's applications,
	// heard on C (with the owner's token) when an application is made on B.
	orgLive := sseFirst(t, urlC+"/events?channels=org."+orgID+".applications", bearer...)
	prof := mustCall(t, 201, "POST", b.URL+"/api/v1/profiles", "", map[string]any{"displayName": "Alice", "skills": []map[string]any{{"skill": "go", "level": 4}},
		"timeZone": "Europe/Berlin", "countries": []string{"DE"}, "visibility": "private"}, bearer...)
	application := mustCall(t, 201, "POST", b.URL+"/api/v1/jobs/"+jobID+"/applications", "", map[string]any{"profileId": idOf(prof)}, bearer...)
	select {
	case data := <-orgLive:
		if !strings.Contains(data, idOf(application)) || !strings.Contains(data, `"received"`) {
			t.Fatalf("org channel on C: %s", data)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no application update on C within 10s")
	}
	got := mustCall(t, 200, "GET", urlC+"/api/v1/jobs/"+jobID, "", nil)
	if got["status"] != "published" || got["version"] != float64(2) {
		t.Fatalf("C sees %v", got)
	}
	// A stale write on another node is still a conflict.
	code, _, _ := call("PATCH", urlC+"/api/v1/jobs/"+jobID, "", map[string]any{"title": "Stale"}, append(bearer, "If-Match", `"1"`)...)
	if code != 409 {
		t.Fatalf("stale write on C: %d, want 409", code)
	}

	// Kill one process (it may hold the relay lease); the others keep
	// publishing and projecting.
	a.kill()
	job2 := mustCall(t, 201, "POST", b.URL+"/api/v1/orgs/"+orgID+"/jobs", "", jobBody("SRE"), bearer...)
	visible("write on B after A died, read on C", urlC+"/api/v1/jobs/"+idOf(job2), bearer...)
	db := c.DB()
	eventually(t, 15*time.Second, "a surviving node took over the outbox", func() error {
		head, err := db.Head(context.Background())
		if err != nil {
			return err
		}
		cur, err := db.Cursor(context.Background(), store.CursorOutbox)
		if err != nil {
			return err
		}
		if cur != head {
			return fmt.Errorf("outbox at %d of %d", cur, head)
		}
		return nil
	})
}

// sseFirst opens a Server-Sent Events stream and sends the data of its
// first event on the returned channel (the stream closes with the test).
func sseFirst(t *testing.T, url string, hdr ...string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("open %s: %v %v", url, err, res)
	}
	out := make(chan string, 1)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				out <- line[6:]
				return
			}
		}
	}()
	return out
}
