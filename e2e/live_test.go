package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLiveEventsAcrossBrokerRestart publishes postings before, while and
// after the broker is down: a live subscriber (SSE) receives every one of
// them, each once. The node's feed reads the event store, which the
// broker only signals, so an outage delays live events but loses none.
func TestLiveEventsAcrossBrokerRestart(t *testing.T) {
	ns := startNATS(t)
	p := startServe(t, []string{"MERIDIAN_NATS_URL=" + ns.URL()}, "--data-dir", t.TempDir(), "--no-demo", "--dev-auth", "--rate-limit-ip", "0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/events?channels=jobs.new", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("open /events: %v %v", err, res)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				if i := strings.Index(line, `"id":"`); i >= 0 {
					id := line[i+6 : i+6+36]
					mu.Lock()
					seen[id]++
					mu.Unlock()
				}
			}
		}
	}()
	org := mustCall(t, 201, "POST", p.URL+"/api/v1/orgs", "alice", map[string]any{"name": "Live Inc"})
	var published []string
	publish := func(n int, phase string) {
		for i := range n {
			job := mustCall(t, 201, "POST", p.URL+"/api/v1/orgs/"+idOf(org)+"/jobs", "alice", jobBody(fmt.Sprintf("Backend Engineer %s %d", phase, i)))
			mustCall(t, 200, "POST", p.URL+"/api/v1/jobs/"+idOf(job)+"/publish", "alice", nil)
			published = append(published, idOf(job))
		}
	}
	publish(10, "before")
	ns.kill()
	publish(10, "during")
	ns.start()
	publish(10, "after")
	eventually(t, 30*time.Second, "every posting live once", func() error {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range published {
			if seen[id] != 1 {
				return fmt.Errorf("posting %s seen %d times (%d postings, %d seen)", id, seen[id], len(published), len(seen))
			}
		}
		if len(seen) != len(published) {
			return fmt.Errorf("%d events for %d postings", len(seen), len(published))
		}
		return nil
	})
}
