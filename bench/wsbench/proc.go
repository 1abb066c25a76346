package wsbench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// child is this binary run again as a benchmark server or client
// worker (see ServeIfChild), talking through its stdin and stdout; it
// exits when its stdin closes.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // its stdout, line by line
}

func startChild(env string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe) // #nosec G204 -- this very binary, re-executed as a benchmark process
	cmd.Env = append(os.Environ(), env)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<30)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c, nil
}

// line waits for the child's next line.
func (c *child) line(ctx context.Context, timeout time.Duration) (string, error) {
	select {
	case s, ok := <-c.lines:
		if !ok {
			return "", errors.New("the child process ended")
		}
		return s, nil
	case <-time.After(timeout):
		return "", errors.New("the child process did not answer")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// stop ends the child: closing its stdin makes it exit; it is killed if
// it has not after 5 s.
func (c *child) stop() {
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// serverProc is a benchmark server in a child process.
type serverProc struct {
	*child
	kind string
	addr string
	http *http.Client
}

// startServer starts a child serving kind and waits for its address.
func startServer(ctx context.Context, kind string) (*serverProc, error) {
	c, err := startChild(serverEnv + "=" + kind)
	if err != nil {
		return nil, err
	}
	p := &serverProc{child: c, kind: kind, http: &http.Client{}}
	if p.addr, err = c.line(ctx, 30*time.Second); err != nil {
		c.stop()
		return nil, fmt.Errorf("%s server: %w", kind, err)
	}
	return p, nil
}

func (p *serverProc) wsURL() string {
	if p.kind == Centrifuge {
		return "ws://" + p.addr + centrifugeProto{}.path()
	}
	return "ws://" + p.addr + meridianProto{}.path()
}

// stats reads the server's memory after a GC.
func (p *serverProc) stats(ctx context.Context) (Stats, error) {
	var st Stats
	b, err := p.get(ctx, "/bench/stats", "GET")
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	return st, err
}

// publish publishes round's message; the server stamps it just before.
func (p *serverProc) publish(ctx context.Context, round int) error {
	_, err := p.get(ctx, "/bench/publish?round="+strconv.Itoa(round), "POST")
	return err
}

// profile saves a pprof profile of the server (path: e.g.
// "heap?gc=1", "goroutine", "profile?seconds=10") to file.
func (p *serverProc) profile(ctx context.Context, path, file string) error {
	b, err := p.get(ctx, "/debug/pprof/"+path, "GET")
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o600)
}

func (p *serverProc) get(ctx context.Context, path, method string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+p.addr+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, err
}
