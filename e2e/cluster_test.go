package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
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

// startNode runs an in-process cluster node. The CLI refuses --dev-auth in
// cluster mode, so nodes that take writes in tests are started here.
func startNode(t *testing.T, cfg config.Config) *node.Node {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	n, err := node.Start(context.Background(), node.Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DevAuth: true, Version: "e2e"})
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return n
}

// TestNodesShareData runs three stateless nodes on one PostgreSQL and one
// NATS (one of them the real binary): a write on one is readable on the
// others within a second, and when the node holding the relay lease dies
// another takes over.
func TestNodesShareData(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	ns := startNATS(t)
	rURL := redisURL(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.NATSURL, cfg.RedisURL = dbURL, ns.URL(), rURL
	cfg.MasterKey = base64.StdEncoding.EncodeToString(key)

	a := startServe(t, []string{
		"MERIDIAN_DATABASE_URL=" + dbURL, "MERIDIAN_NATS_URL=" + ns.URL(), "MERIDIAN_REDIS_URL=" + rURL, "MERIDIAN_MASTER_KEY=" + cfg.MasterKey,
	})
	b := startNode(t, cfg)
	c := startNode(t, cfg)
	urlB, urlC := "http://"+b.Addr(), "http://"+c.Addr()

	visible := func(what, url, user string) time.Duration {
		t.Helper()
		start := time.Now()
		eventually(t, 5*time.Second, what, func() error {
			code, m, err := call("GET", url, user, nil)
			if err != nil || code != 200 {
				return fmt.Errorf("status %d %v %v", code, err, m)
			}
			return nil
		})
		return time.Since(start)
	}

	org := mustCall(t, 201, "POST", urlB+"/api/v1/orgs", "alice", map[string]any{"name": "Cluster Co"})
	orgID := idOf(org)
	job := mustCall(t, 201, "POST", urlB+"/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody("Distributed Systems Engineer"))
	jobID := idOf(job)
	if d := visible("draft written on B, read on C", urlC+"/api/v1/jobs/"+jobID, "alice"); d > time.Second {
		t.Errorf("write on B visible on C after %s, want within 1s", d)
	}
	mustCall(t, 200, "POST", urlC+"/api/v1/jobs/"+jobID+"/publish", "alice", nil, "If-Match", `"1"`)
	if d := visible("published on C, read anonymously on the meridian process A", a.URL+"/api/v1/jobs/"+jobID, ""); d > time.Second {
		t.Errorf("write on C visible on A after %s, want within 1s", d)
	}
	got := mustCall(t, 200, "GET", urlB+"/api/v1/jobs/"+jobID, "", nil)
	if got["status"] != "published" || got["version"] != float64(2) {
		t.Fatalf("B sees %v", got)
	}
	// A stale write on another node is still a conflict.
	code, _, _ := call("PATCH", urlB+"/api/v1/jobs/"+jobID, "alice", map[string]any{"title": "Stale"}, "If-Match", `"1"`)
	if code != 409 {
		t.Fatalf("stale write on B: %d, want 409", code)
	}

	// Kill the real process (it may hold the relay lease); the others keep
	// publishing and projecting.
	a.kill()
	job2 := mustCall(t, 201, "POST", urlC+"/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody("SRE"))
	visible("write on C after A died, read on B", urlB+"/api/v1/jobs/"+idOf(job2), "alice")
	db := b.DB()
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
