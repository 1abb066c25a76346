// Package e2e drives the real meridian binary (and in-process nodes) end to
// end: process kills, broker outages, several nodes on one database.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "meridian-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "meridian")
	build := exec.Command("go", "build", "-o", binary, "../cmd/meridian")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build meridian:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireService skips (or under CI=true fails) when a service is missing.
func requireService(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true", what)
	}
	t.Skipf("%s not available; set CI=true to require it", what)
}

// proc is a running meridian process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	URL  string
	logs *bytes.Buffer
	mu   *sync.Mutex
	done chan error
}

var runningRE = regexp.MustCompile(`is running at (http://\S+)`)

// startServe runs `meridian serve` with args and env and waits for its URL.
func startServe(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	return startServeAt(t, "127.0.0.1:0", env, args...)
}

// startServeAt is startServe listening on addr.
func startServeAt(t *testing.T, addr string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	cmd.Stderr = lockedWriter{p.logs, p.mu}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			if m := runningRE.FindStringSubmatch(line); m != nil {
				urlCh <- m[1]
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("meridian output:\n%s", p.Logs())
		}
	})
	select {
	case p.URL = <-urlCh:
	case err := <-p.done:
		t.Fatalf("meridian exited before listening: %v\n%s", err, p.Logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("meridian did not start within 60s:\n%s", p.Logs())
	}
	return p
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// kill sends SIGKILL and waits.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGINT and returns the exit error.
func (p *proc) stop() error {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("did not stop within 30s")
	}
}

// runCLI runs a meridian command to completion.
func runCLI(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var client = &http.Client{Timeout: 30 * time.Second}

// call sends a JSON request as user and decodes the JSON answer.
func call(method, url, user string, body any, hdr ...string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-Dev-User", user)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{"raw": string(raw)}
	}
	return res.StatusCode, m, nil
}

func mustCall(t *testing.T, status int, method, url, user string, body any, hdr ...string) map[string]any {
	t.Helper()
	code, m, err := call(method, url, user, body, hdr...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if code != status {
		t.Fatalf("%s %s: status %d, want %d: %v", method, url, code, status, m)
	}
	return m
}

// eventually polls fn until it returns nil or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	var err error
	for time.Now().Before(deadline) {
		if err = fn(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %v", what, d, err)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

const natsServerBin = "/usr/sbin/nats-server"

// natsServer is a nats-server process this test owns (it may kill it).
type natsServer struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
	done chan error
}

func startNATS(t *testing.T) *natsServer {
	t.Helper()
	_, err := os.Stat(natsServerBin)
	requireService(t, err == nil, natsServerBin)
	n := &natsServer{t: t, port: freePort(t), dir: t.TempDir()}
	n.start()
	t.Cleanup(func() { n.kill() })
	return n
}

func (n *natsServer) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

func (n *natsServer) start() {
	n.t.Helper()
	n.cmd = exec.Command(natsServerBin, "-a", "127.0.0.1", "-p", fmt.Sprint(n.port), "-js", "-sd", n.dir)
	n.done = make(chan error, 1)
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(n.cmd, n.done)
	eventually(n.t, 15*time.Second, "nats-server listening", func() error {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", n.port), time.Second)
		if err == nil {
			c.Close()
		}
		return err
	})
}

func (n *natsServer) kill() {
	if n.cmd == nil || n.cmd.ProcessState != nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

func jobBody(title string) map[string]any {
	return map[string]any{
		"title": title, "description": "Build **reliable** backends.",
		"skills":      []map[string]any{{"skill": "go", "level": 4, "required": true}},
		"eligibility": map[string]any{"worldwide": true},
		"salary":      map[string]any{"min": 10000000, "max": 15000000, "currency": "USD", "period": "year"},
	}
}

func idOf(m map[string]any) string { s, _ := m["id"].(string); return s }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

var _ = context.Background
