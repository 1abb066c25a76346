package oidc

import (
	"fmt"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/meridianhq/meridian/internal/auth/oidc/oidctest"
)

// The end-to-end tests run against a real OpenID provider: the example
// server of github.com/zitadel/oidc, run by package oidctest (see there).
// When it cannot be built or started the tests that need it are skipped,
// unless CI=true, where they fail.
const (
	providerSubject = oidctest.Subject
	providerEmail   = oidctest.Email
	providerName    = oidctest.Name
)

// testProvider is the package's running provider.
type testProvider struct {
	*oidctest.Provider
	issuer       string // http://localhost:PORT/
	redirectBase string // our callback URLs are redirectBase + provider name
}

var (
	providerOnce   sync.Once
	sharedProvider *testProvider
	sharedStartErr error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedProvider != nil {
		sharedProvider.Close()
	}
	os.Exit(code)
}

// mustProvider returns the package's provider, starting it on first use.
func mustProvider(tb testing.TB) *testProvider {
	tb.Helper()
	providerOnce.Do(func() { sharedProvider, sharedStartErr = startProvider() })
	if sharedStartErr != nil {
		oidctest.Unavailable(tb, sharedStartErr)
	}
	return sharedProvider
}

func startProvider() (*testProvider, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cbPort := l.Addr().(*net.TCPAddr).Port // our redirect URLs: never served, the tests read the Location
	l.Close()
	base := fmt.Sprintf("http://127.0.0.1:%d/auth/callback/", cbPort)
	p, err := oidctest.Launch(base+"zitadel", base+"zitadel-oauth2")
	if err != nil {
		return nil, err
	}
	return &testProvider{Provider: p, issuer: p.Issuer(), redirectBase: base}, nil
}

// oidcConfig configures the provider as an OpenID Connect provider.
func (p *testProvider) oidcConfig() ProviderConfig {
	return ProviderConfig{Name: "zitadel", Kind: KindOIDC, Issuer: p.issuer,
		ClientID: p.ClientID(), ClientSecret: p.ClientSecret(), RedirectURL: p.redirectBase + "zitadel"}
}

// oauth2Config configures the same provider as a plain OAuth 2.0 provider
// (identity from its user-info endpoint, ID token ignored).
func (p *testProvider) oauth2Config() ProviderConfig {
	return ProviderConfig{Name: "zitadel-oauth2", Kind: KindOAuth2,
		ClientID: p.ClientID(), ClientSecret: p.ClientSecret(), RedirectURL: p.redirectBase + "zitadel-oauth2",
		Scopes:  []string{"openid", "email", "profile"},
		AuthURL: p.Endpoints.Auth, TokenURL: p.Endpoints.Token, UserInfoURL: p.Endpoints.UserInfo,
		UserIDField: "sub", EmailField: "email", NameField: "name"}
}

// login signs the example user in at authURL and returns the code and
// state the provider sends to our redirect URL.
func (p *testProvider) login(tb testing.TB, authURL string) (code, state string) {
	tb.Helper()
	q := p.Login(tb, authURL).Query()
	if e := q.Get("error"); e != "" {
		tb.Fatalf("provider returned error %q: %s", e, q.Get("error_description"))
	}
	return q.Get("code"), q.Get("state")
}
