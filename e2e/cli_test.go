package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestServeDemoAndCommands starts Meridian with no configuration but a
// data directory, waits for the demo data, and exercises the other commands
// on the same store while the server runs.
func TestServeDemoAndCommands(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, nil, "--data-dir", dir)
	var total int
	eventually(t, 3*time.Minute, "demo postings listed", func() error {
		m := mustCall(t, 200, "GET", p.URL+"/api/v1/jobs?limit=100", "", nil)
		total = len(m["items"].([]any))
		if total < 100 {
			return fmt.Errorf("%d postings", total)
		}
		return nil
	})
	// Writes need --dev-auth.
	code, m, _ := call("POST", p.URL+"/api/v1/orgs", "alice", map[string]any{"name": "Nope"})
	if code != 401 || m["code"] != "unauthorized" {
		t.Fatalf("write without --dev-auth: %d %v", code, m)
	}
	env := []string{"MERIDIAN_DATA_DIR=" + dir}
	out, err := runCLI(t, env, "demo")
	if err != nil || !strings.Contains(out, "lready") {
		t.Fatalf("second demo load: %v\n%s", err, out)
	}
	out, err = runCLI(t, env, "migrate", "status")
	if err != nil || !strings.Contains(out, "0001_event_store") || strings.Contains(out, "pending") {
		t.Fatalf("migrate status: %v\n%s", err, out)
	}
	out, err = runCLI(t, env, "projections", "rebuild")
	if err != nil || !strings.Contains(out, "rebuilt") {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	m = mustCall(t, 200, "GET", p.URL+"/api/v1/jobs?limit=100", "", nil)
	if n := len(m["items"].([]any)); n != total {
		t.Fatalf("after rebuild %d postings, before %d", n, total)
	}
	out, err = runCLI(t, []string{"MERIDIAN_DATABASE_URL=postgres://u:hunter2@db.example:5432/x", "MERIDIAN_MASTER_KEY=" + strings.Repeat("A", 43) + "="}, "config")
	if err != nil || strings.Contains(out, "hunter2") || !strings.Contains(out, "db.example") {
		t.Fatalf("config must redact secrets: %v\n%s", err, out)
	}
	out, err = runCLI(t, nil, "serve", "--addr", "nonsense")
	if err == nil || !strings.Contains(out, "addr") {
		t.Fatalf("bad --addr accepted: %s", out)
	}
	out, err = runCLI(t, []string{"MERIDIAN_DATABASE_URL=postgres://x@127.0.0.1:1/x"}, "serve", "--dev-auth")
	if err == nil || !strings.Contains(out, "dev_auth") {
		t.Fatalf("--dev-auth accepted in cluster mode: %s", out)
	}
	out, err = runCLI(t, nil, "--help")
	for _, c := range []string{"serve", "migrate", "demo", "projections", "config", "version"} {
		if !strings.Contains(out, c) {
			t.Fatalf("--help lacks %s: %v\n%s", c, err, out)
		}
	}
	if err := p.stop(); err != nil {
		t.Fatalf("Ctrl-C did not stop the server cleanly: %v", err)
	}
}
