package e2e

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/meridianhq/meridian/internal/broker"
	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/store"
)

// writer streams job drafts into an organization and records which were
// acknowledged (201).
type writer struct {
	url, orgID string
	mu         sync.Mutex
	acked      []string
	sent       atomic.Int64
}

func (w *writer) run(ctx context.Context, workers int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				w.sent.Add(1)
				code, m, err := call("POST", w.url+"/api/v1/orgs/"+w.orgID+"/jobs", "alice", jobBody(fmt.Sprintf("Backend Engineer %d-%d", i, n)))
				if err == nil && code == 201 {
					w.mu.Lock()
					w.acked = append(w.acked, idOf(m))
					w.mu.Unlock()
				}
			}
		}(i)
	}
	return &wg
}

func (w *writer) ackedIDs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.acked...)
}

// openLog opens the embedded store of a stopped server.
func openLog(t *testing.T, dataDir string) *store.DB {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = dataDir
	key, err := cfg.MasterKeyBytes()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), store.Config{DataDir: dataDir, MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkLog proves that every acknowledged job is in the event log exactly
// once and in the read model, and that the read model holds exactly what
// the log holds.
func checkLog(t *testing.T, db *store.DB, orgID string, acked []string) {
	t.Helper()
	ctx := context.Background()
	drafted := map[string]int{}
	var pos int64
	for {
		evs, err := db.ReadAll(ctx, pos, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for i, e := range evs {
			if e.Position != pos+int64(i)+1 {
				t.Fatalf("position gap: got %d after %d", e.Position, pos+int64(i))
			}
			if e.Type == "job.drafted.v1" {
				drafted[e.StreamID]++
			}
		}
		pos = evs[len(evs)-1].Position
	}
	lost := 0
	for _, id := range acked {
		if drafted[id] != 1 {
			lost++
		}
	}
	dup := 0
	for _, n := range drafted {
		if n > 1 {
			dup++
		}
	}
	var rows int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE org_id = ?`, orgID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	var distinct int
	if err := db.QueryRow(ctx, `SELECT COUNT(DISTINCT id) FROM jobs WHERE org_id = ?`, orgID).Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	t.Logf("acknowledged %d, drafted in log %d, read-model rows %d, lost %d, duplicated %d", len(acked), len(drafted), rows, lost, dup)
	if lost != 0 || dup != 0 {
		t.Fatalf("%d acknowledged writes lost, %d duplicated", lost, dup)
	}
	if rows != len(drafted) || distinct != rows {
		t.Fatalf("read model has %d rows (%d distinct), log has %d jobs", rows, distinct, len(drafted))
	}
	for _, id := range acked {
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE id = ?`, id).Scan(&n); err != nil || n != 1 {
			t.Fatalf("acknowledged job %s not in the read model (%d, %v)", id, n, err)
		}
	}
}

// waitCaughtUp waits until the server's projection has applied every event.
func waitCaughtUp(t *testing.T, url, orgID string, want int) {
	t.Helper()
	eventually(t, 30*time.Second, "read models caught up", func() error {
		n := 0
		cursor := ""
		for {
			m := mustCall(t, 200, "GET", url+"/api/v1/orgs/"+orgID+"/jobs?status=draft&limit=100&cursor="+cursor, "alice", nil)
			n += len(m["items"].([]any))
			c, _ := m["nextCursor"].(string)
			if c == "" {
				break
			}
			cursor = c
		}
		if n < want {
			return fmt.Errorf("%d of %d jobs visible", n, want)
		}
		return nil
	})
}

// TestKillServerMidWrites kills the server with SIGKILL during a stream of
// writes and proves that no acknowledged write is lost or duplicated.
func TestKillServerMidWrites(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--data-dir", dir, "--no-demo", "--dev-auth", "--rate-limit-ip", "0"} // a write storm, not a rate-limit test
	p := startServe(t, nil, args...)
	org := mustCall(t, 201, "POST", p.URL+"/api/v1/orgs", "alice", map[string]any{"name": "Durable Inc"})
	w := &writer{url: p.URL, orgID: idOf(org)}
	ctx, cancel := context.WithCancel(context.Background())
	wg := w.run(ctx, 8)
	eventually(t, 30*time.Second, "writes flowing", func() error {
		if n := len(w.ackedIDs()); n < 1000 {
			return fmt.Errorf("%d acknowledged", n)
		}
		return nil
	})
	p.kill()
	cancel()
	wg.Wait()
	acked := w.ackedIDs()

	p2 := startServe(t, nil, args...)
	waitCaughtUp(t, p2.URL, w.orgID, len(acked))
	if err := p2.stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	checkLog(t, openLog(t, dir), w.orgID, acked)
}

// TestBrokerKilledWhileWriting kills the NATS server during writes and
// restarts it: writes keep succeeding, the outbox publishes the backlog
// once, and the read models converge.
func TestBrokerKilledWhileWriting(t *testing.T) {
	ns := startNATS(t)
	dir := t.TempDir()
	env := []string{"MERIDIAN_NATS_URL=" + ns.URL()}
	p := startServe(t, env, "--data-dir", dir, "--no-demo", "--dev-auth", "--rate-limit-ip", "0")
	org := mustCall(t, 201, "POST", p.URL+"/api/v1/orgs", "alice", map[string]any{"name": "Outage Inc"})
	w := &writer{url: p.URL, orgID: idOf(org)}
	ctx, cancel := context.WithCancel(context.Background())
	wg := w.run(ctx, 4)
	waitAcked := func(n int) {
		eventually(t, 30*time.Second, "writes flowing", func() error {
			if got := len(w.ackedIDs()); got < n {
				return fmt.Errorf("%d acknowledged", got)
			}
			return nil
		})
	}
	waitAcked(100)
	ns.kill()
	before := len(w.ackedIDs())
	waitAcked(before + 100) // writes succeed with the broker down
	ns.start()
	waitAcked(len(w.ackedIDs()) + 100)
	cancel()
	wg.Wait()
	acked := w.ackedIDs()
	waitCaughtUp(t, p.URL, w.orgID, len(acked))

	// The backlog reaches the broker, each event once.
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "outbox drained", func() error {
		_, m, err := call("GET", p.URL+"/metrics", "", nil)
		if err != nil {
			return err
		}
		if raw, _ := m["raw"].(string); !contains(raw, "\nmeridian_outbox_lag_events 0\n") {
			return fmt.Errorf("outbox lag not zero yet")
		}
		return nil
	})
	if err := p.stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	db := openLog(t, dir)
	head, err := db.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := db.Cursor(context.Background(), store.CursorOutbox); cur != head {
		t.Fatalf("outbox cursor %d, head %d", cur, head)
	}
	st, err := js.Stream(context.Background(), broker.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Each event is published under its id; JetStream drops re-sends, so the
	// stream never holds more messages than there are events. (A broker
	// killed with SIGKILL may lose its own unsynced tail; the store stays the
	// truth and projections read gaps back from it.)
	t.Logf("events %d, stream messages %d", head, info.State.Msgs)
	if int64(info.State.Msgs) > head {
		t.Fatalf("stream holds %d messages for %d events: duplicates", info.State.Msgs, head)
	}
	checkLog(t, db, w.orgID, acked)
}
