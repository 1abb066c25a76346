package oidc

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

// The end-to-end tests run against a real OpenID provider: the example
// server of github.com/zitadel/oidc, built once with
//
//	GOBIN=<tmp> GOFLAGS=-mod=mod GOWORK=off go install github.com/zitadel/oidc/v3/example/server@<version>
//
// from a temporary directory (so Meridian's go.mod is not touched) and
// cached under os.TempDir() by version. It is configured by environment
// variables: PORT (issuer http://localhost:PORT/) and REDIRECT_URI (the
// redirect URIs of its example clients). We use its confidential client
// "web" (secret "secret", client_secret_basic, authorization code with
// PKCE S256) and its example user "test-user@localhost" / "verysecure"
// (sub "id1", e-mail test-user@zitadel.ch, verified, name "Test User").
//
// When the provider cannot be built or started the tests that need it are
// skipped, unless CI=true, where they fail.
const (
	providerModule  = "github.com/zitadel/oidc/v3/example/server"
	providerVersion = "v3.51.17"

	providerClientID     = "web"
	providerClientSecret = "secret"
	providerUser         = "test-user@localhost"
	providerPassword     = "verysecure"
	providerSubject      = "id1"
	providerEmail        = "test-user@zitadel.ch"
	providerName         = "Test User"
)

// testProvider is a running example provider.
type testProvider struct {
	issuer       string // http://localhost:PORT/
	redirectBase string // our callback URLs are redirectBase + provider name
	endpoints    struct {
		Auth     string `json:"authorization_endpoint"`
		Token    string `json:"token_endpoint"`
		UserInfo string `json:"userinfo_endpoint"`
	}
	cmd    *exec.Cmd
	exited chan struct{}
	log    string // path of its output
}

var (
	providerOnce   sync.Once
	sharedProvider *testProvider
	sharedStartErr error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedProvider != nil {
		sharedProvider.stop()
	}
	os.Exit(code)
}

// mustProvider returns the package's provider, starting it on first use.
func mustProvider(tb testing.TB) *testProvider {
	tb.Helper()
	providerOnce.Do(func() { sharedProvider, sharedStartErr = startProvider() })
	if sharedStartErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("OpenID provider %s@%s unavailable: %v (CI=true requires it)", providerModule, providerVersion, sharedStartErr)
		}
		tb.Skipf("OpenID provider %s@%s unavailable: %v; set CI=true to require it", providerModule, providerVersion, sharedStartErr)
	}
	return sharedProvider
}

// buildProvider returns the path of the provider binary, building it into
// the cache directory when missing.
func buildProvider() (string, error) {
	exe := "server"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	dir := filepath.Join(os.TempDir(), "meridian-test-zitadel-oidc-"+providerVersion)
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
	cmd := exec.CommandContext(ctx, goTool, "install", providerModule+"@"+providerVersion)
	cmd.Dir = tmp // outside Meridian's module: its go.mod stays as it is
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", providerModule, providerVersion, err, out)
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

func startProvider() (*testProvider, error) {
	bin, err := buildProvider()
	if err != nil {
		return nil, err
	}
	var errs []error
	for range 3 { // a port picked as free may be taken by the time it listens
		p, err := launchProvider(bin)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func launchProvider(bin string) (*testProvider, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cbPort, err := freePort() // our redirect URLs: never served, the tests read the Location
	if err != nil {
		return nil, err
	}
	p := &testProvider{
		issuer:       fmt.Sprintf("http://localhost:%d/", port),
		redirectBase: fmt.Sprintf("http://127.0.0.1:%d/auth/callback/", cbPort),
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
		"REDIRECT_URI=" + p.redirectBase + "zitadel," + p.redirectBase + "zitadel-oauth2",
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
			err = json.NewDecoder(resp.Body).Decode(&p.endpoints)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && err == nil {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(p.log)
			p.stop()
			return nil, fmt.Errorf("provider on port %d did not answer its discovery document in time:\n%s", port, tail(out))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop kills the provider process (by its process id) and waits for it.
func (p *testProvider) stop() {
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

// oidcConfig configures the provider as an OpenID Connect provider.
func (p *testProvider) oidcConfig() ProviderConfig {
	return ProviderConfig{Name: "zitadel", Kind: KindOIDC, Issuer: p.issuer,
		ClientID: providerClientID, ClientSecret: providerClientSecret, RedirectURL: p.redirectBase + "zitadel"}
}

// oauth2Config configures the same provider as a plain OAuth 2.0 provider
// (identity from its user-info endpoint, ID token ignored).
func (p *testProvider) oauth2Config() ProviderConfig {
	return ProviderConfig{Name: "zitadel-oauth2", Kind: KindOAuth2,
		ClientID: providerClientID, ClientSecret: providerClientSecret, RedirectURL: p.redirectBase + "zitadel-oauth2",
		Scopes:  []string{"openid", "email", "profile"},
		AuthURL: p.endpoints.Auth, TokenURL: p.endpoints.Token, UserInfoURL: p.endpoints.UserInfo,
		UserIDField: "sub", EmailField: "email", NameField: "name"}
}

var (
	formActionRE = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	formIDRE     = regexp.MustCompile(`name="id" value="([^"]*)"`)
)

// login plays the browser: it follows authURL to the provider's login
// form, submits the example user's credentials, and follows redirects
// until the provider sends the browser to our redirect URL, whose code and
// state it returns.
func (p *testProvider) login(tb testing.TB, authURL string) (code, state string) {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), p.redirectBase) {
				return http.ErrUseLastResponse // back at Meridian: stop here
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
		"username": {providerUser},
		"password": {providerPassword},
	})
	if err != nil {
		tb.Fatalf("submit login form: %v", err)
	}
	body := readBody(tb, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, p.redirectBase) {
		tb.Fatalf("login did not redirect to %s: %s Location=%q\n%s", p.redirectBase, resp.Status, loc, body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		tb.Fatalf("provider returned error %q: %s", e, q.Get("error_description"))
	}
	return q.Get("code"), q.Get("state")
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
