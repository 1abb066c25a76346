// Package oidctest runs a real OpenID provider for tests: the example
// server of github.com/zitadel/oidc, built once with
//
//	GOBIN=<tmp> GOFLAGS=-mod=mod GOWORK=off go install github.com/zitadel/oidc/v3/example/server@<version>
//
// from a temporary directory (so Meridian's go.mod is not touched) and
// cached under os.TempDir() by version. It is configured by environment
// variables: PORT (issuer http://localhost:PORT/) and REDIRECT_URI (the
// redirect URIs of its example clients). Tests use its confidential client
// "web" (secret "secret", client_secret_basic, authorization code with
// PKCE S256) and its example user "test-user@localhost" / "verysecure"
// (sub "id1", e-mail test-user@zitadel.ch, verified, name "Test User").
//
// When the provider cannot be built or started the tests that need it are
// skipped, unless CI=true, where they fail.
//
// The package is for tests only.
package oidctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	Module  = "github.com/zitadel/oidc/v3/example/server"
	Version = "v3.51.17"

	User     = "test-user@localhost" // the example user's login name
	Password = "verysecure"
	Subject  = "id1" // its claims
	Email    = "test-user@zitadel.ch"
	Name     = "Test User"

	clientID     = "web"
	clientSecret = "secret"
)

// Provider is a running example provider.
type Provider struct {
	issuer       string // http://localhost:PORT/
	redirectURIs []string
	// Endpoints are those of its discovery document.
	Endpoints struct {
		Auth     string `json:"authorization_endpoint"`
		Token    string `json:"token_endpoint"`
		UserInfo string `json:"userinfo_endpoint"`
	}
	cmd    *exec.Cmd
	exited chan struct{}
	log    string // path of its output
}

// Issuer is the provider's issuer URL, http://localhost:PORT/.
func (p *Provider) Issuer() string { return p.issuer }

// ClientID is the id of the provider's confidential client "web".
func (p *Provider) ClientID() string { return clientID }

// ClientSecret is that client's secret.
func (p *Provider) ClientSecret() string { return clientSecret }

// Start starts a provider whose clients accept redirectURIs, and stops it
// when tb ends. When the provider cannot be built or started it skips tb,
// or under CI=true fails it.
func Start(tb testing.TB, redirectURIs ...string) *Provider {
	tb.Helper()
	p, err := Launch(redirectURIs...)
	if err != nil {
		Unavailable(tb, err)
	}
	tb.Cleanup(p.Close)
	return p
}

// Unavailable skips tb because the provider could not be started (err),
// or fails it under CI=true.
func Unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("OpenID provider %s@%s unavailable: %v (CI=true requires it)", Module, Version, err)
	}
	tb.Skipf("OpenID provider %s@%s unavailable: %v; set CI=true to require it", Module, Version, err)
}

// Launch starts a provider whose clients accept redirectURIs; the caller
// must Close it. Most tests want Start.
func Launch(redirectURIs ...string) (*Provider, error) {
	if len(redirectURIs) == 0 {
		return nil, errors.New("oidctest: no redirect URIs")
	}
	bin, err := build()
	if err != nil {
		return nil, err
	}
	var errs []error
	for range 3 { // a port picked as free may be taken by the time it listens
		p, err := launch(bin, redirectURIs)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

func build() (string, error) {
	buildOnce.Do(func() { buildBin, buildErr = buildProvider() })
	return buildBin, buildErr
}

// buildProvider returns the path of the provider binary, building it into
// the cache directory when missing.
func buildProvider() (string, error) {
	exe := "server"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	dir := filepath.Join(os.TempDir(), "meridian-test-zitadel-oidc-"+Version)
	bin := filepath.Join(dir, exe)
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		root := os.Getenv("GOROOT")
		if root == "" {
			return "", fmt.Errorf("no go tool on PATH and GOROOT is unset: %w", err)
		}
		goTool = filepath.Join(root, "bin", "go")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The go tool from PATH or $GOROOT, on a pinned module: no outside input.
	cmd := exec.CommandContext(ctx, goTool, "install", Module+"@"+Version) // #nosec G702 -- see above
	// Outside Meridian's module, so that its go.mod stays as it is.
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", Module, Version, err, out)
	}
	// Rename is atomic: concurrent test runs never see half a binary.
	if err := os.Rename(filepath.Join(tmp, exe), bin); err != nil {
		return "", err
	}
	return bin, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(bin string, redirectURIs []string) (*Provider, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &Provider{
		issuer:       fmt.Sprintf("http://localhost:%d/", port),
		redirectURIs: append([]string(nil), redirectURIs...),
		exited:       make(chan struct{}),
	}
	logf, err := os.CreateTemp("", "meridian-zitadel-oidc-*.log")
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	p.log = logf.Name()
	p.cmd = exec.Command(bin)
	p.cmd.Env = []string{
		"PORT=" + fmt.Sprint(port),
		"REDIRECT_URI=" + strings.Join(redirectURIs, ","),
	}
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		os.Remove(p.log)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()

	// Wait for the discovery document.
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-p.exited:
			out, _ := os.ReadFile(p.log)
			os.Remove(p.log)
			return nil, fmt.Errorf("provider exited on port %d:\n%s", port, tail(out))
		default:
		}
		if resp, err := c.Get(p.issuer + ".well-known/openid-configuration"); err == nil {
			err = json.NewDecoder(resp.Body).Decode(&p.Endpoints)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && err == nil {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(p.log)
			p.Close()
			return nil, fmt.Errorf("provider on port %d did not answer its discovery document in time:\n%s", port, tail(out))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Close kills the provider process (by its process id) and waits for it.
func (p *Provider) Close() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	os.Remove(p.log)
}

func tail(b []byte) string {
	const n = 4000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

var (
	formActionRE = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	formIDRE     = regexp.MustCompile(`name="id" value="([^"]*)"`)
)

// Login plays the browser: it follows authURL to the provider's login
// form, submits the example user's credentials (with its own cookie jar),
// and follows redirects until the provider sends the browser to a URL
// starting with one of the redirect URIs, which it returns without
// requesting it. The URL carries the provider's answer as is (code and
// state, or error): Login does not interpret it.
func (p *Provider) Login(tb testing.TB, authURL string) (callbackURL *url.URL) {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if p.isRedirectURI(req.URL.String()) {
				return http.ErrUseLastResponse // back at the relying party: stop here
			}
			if len(via) >= 10 {
				return errors.New("too many redirects")
			}
			return nil
		}}
	resp, err := browser.Get(authURL)
	if err != nil {
		tb.Fatalf("open authorization URL: %v", err)
	}
	page := readBody(tb, resp)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("authorization URL: %s\n%s", resp.Status, page)
	}
	action, id := formActionRE.FindStringSubmatch(page), formIDRE.FindStringSubmatch(page)
	if action == nil || id == nil {
		tb.Fatalf("no login form at %s:\n%s", resp.Request.URL, page)
	}
	target, err := resp.Request.URL.Parse(html.UnescapeString(action[1]))
	if err != nil {
		tb.Fatal(err)
	}
	resp, err = browser.PostForm(target.String(), url.Values{
		"id":       {html.UnescapeString(id[1])},
		"username": {User},
		"password": {Password},
	})
	if err != nil {
		tb.Fatalf("submit login form: %v", err)
	}
	body := readBody(tb, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || !p.isRedirectURI(loc) {
		tb.Fatalf("login did not redirect to one of %q: %s Location=%q\n%s", p.redirectURIs, resp.Status, loc, body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func (p *Provider) isRedirectURI(u string) bool {
	for _, r := range p.redirectURIs {
		if strings.HasPrefix(u, r) {
			return true
		}
	}
	return false
}

func readBody(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		tb.Fatalf("read %s: %v", resp.Request.URL, err)
	}
	return string(b)
}
