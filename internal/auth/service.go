package auth

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/auth/oidc"
	"github.com/meridianhq/meridian/internal/auth/password"
	"github.com/meridianhq/meridian/internal/auth/token"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Tokens is what a successful sign-in returns.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in" doc:"seconds"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// Service runs the sign-in flows.
type Service struct {
	DB       *store.DB
	Users    *Users
	Keys     *APIKeys
	Audit    *Audit
	Tokens   *token.Service
	Throttle *password.Throttle
	OIDC     *oidc.Service // nil: no external providers configured
	Log      *slog.Logger
}

// NewService assembles the identity service.
func NewService(db *store.DB, tokens *token.Service, scopes []string, log *slog.Logger) *Service {
	s := &Service{
		DB: db, Users: NewUsers(db), Keys: NewAPIKeys(db, scopes), Audit: NewAudit(db), Tokens: tokens,
		Throttle: password.NewThrottle(db, password.ThrottleConfig{}), Log: log,
	}
	tokens.OnReuse = func(ctx context.Context, userID, familyID string) {
		s.audit(ctx, AuditEntry{Actor: userID, Action: AuditTokenReuse, Target: familyID, Detail: "a used refresh token was presented again; its family was revoked"})
	}
	return s
}

func (s *Service) audit(ctx context.Context, e AuditEntry) {
	if err := s.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		s.Log.Error("audit log write failed", "err", err, "action", e.Action)
	}
}

// Register creates a user with e-mail and password. Whether the address was
// free is not revealed: a taken address costs the same work and gets the
// same answer (the owner keeps their account; the newcomer's sign-in with
// it then fails like any wrong password). created says what happened, for
// the caller's logs only.
func (s *Service) Register(ctx context.Context, email, pw, name, ip string) (created bool, err error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return false, err
	}
	local, _, _ := strings.Cut(e, "@")
	if err := password.Check(pw, local, name); err != nil {
		return false, err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return false, err
	}
	u, err := s.Users.Create(ctx, e, name, false)
	if meridian.ErrorCode(err) == meridian.EConflict {
		s.audit(ctx, AuditEntry{Action: AuditRegisterTaken, IP: ip})
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.Users.SetPassword(ctx, u.ID, hash); err != nil {
		return false, err
	}
	s.audit(ctx, AuditEntry{Actor: u.ID, Action: AuditUserCreated, Target: u.ID, IP: ip})
	return true, nil
}

var errSignIn = meridian.Errorf(meridian.EUnauthorized, "wrong e-mail address or password")

// SignIn checks an e-mail address and password. Unknown addresses cost the
// same as wrong passwords and get the same answer; repeated failures per
// account and per address slow down.
func (s *Service) SignIn(ctx context.Context, email, pw, ip string) (Tokens, error) {
	e, _ := NormalizeEmail(email)
	acct := "acct:" + s.DB.Keyring().BlindIndex("email", e)
	keys := []string{acct, "ip:" + ip}
	if err := s.Throttle.Guard(ctx, keys...); err != nil {
		return Tokens{}, err
	}
	fail := func(actor string) (Tokens, error) {
		for _, k := range keys {
			_ = s.Throttle.Fail(ctx, k)
		}
		s.audit(ctx, AuditEntry{Actor: actor, Action: AuditSignInFailed, IP: ip})
		return Tokens{}, errSignIn
	}
	u, err := s.Users.ByEmail(ctx, e)
	if err != nil {
		if meridian.ErrorCode(err) != meridian.ENotFound {
			return Tokens{}, err
		}
		password.DummyVerify(pw)
		return fail("")
	}
	hash, err := s.Users.PasswordHash(ctx, u.ID)
	if err != nil {
		return Tokens{}, err
	}
	if hash == "" {
		password.DummyVerify(pw)
		return fail(u.ID)
	}
	ok, err := password.Verify(pw, hash)
	if err != nil || !ok || u.Disabled {
		return fail(u.ID)
	}
	if password.NeedsRehash(hash) {
		if h, err := password.Hash(pw); err == nil {
			_ = s.Users.SetPassword(ctx, u.ID, h)
		}
	}
	for _, k := range keys {
		_ = s.Throttle.Succeed(ctx, k)
	}
	s.audit(ctx, AuditEntry{Actor: u.ID, Action: AuditSignIn, IP: ip, Detail: "password"})
	return s.issue(ctx, u)
}

// SignInExternal signs in the user linked to an identity verified by an
// external provider, creating one on first sign-in. Identities are never
// linked to existing accounts by e-mail address alone (that would let a
// provider that does not verify addresses take accounts over).
func (s *Service) SignInExternal(ctx context.Context, id oidc.Identity, ip string) (Tokens, error) {
	u, err := s.Users.ByExternal(ctx, id.Issuer, id.Subject)
	if meridian.ErrorCode(err) == meridian.ENotFound {
		email := ""
		if id.EmailVerified {
			email = id.Email
		}
		u, err = s.Users.Create(ctx, email, id.Name, false)
		if meridian.ErrorCode(err) == meridian.EConflict {
			u, err = s.Users.Create(ctx, "", id.Name, false) // the address belongs to another account
		}
		if err == nil {
			err = s.Users.Link(ctx, id.Issuer, id.Subject, u.ID)
			s.audit(ctx, AuditEntry{Actor: u.ID, Action: AuditUserCreated, Target: u.ID, IP: ip, Detail: "via " + id.Provider})
		}
	}
	if err != nil {
		return Tokens{}, err
	}
	if u.Disabled {
		return Tokens{}, errSignIn
	}
	s.audit(ctx, AuditEntry{Actor: u.ID, Action: AuditSignIn, IP: ip, Detail: id.Provider})
	return s.issue(ctx, u)
}

func (s *Service) issue(ctx context.Context, u User) (Tokens, error) {
	access, exp, err := s.Tokens.IssueAccess(ctx, u.Principal())
	if err != nil {
		return Tokens{}, err
	}
	refresh, err := s.Tokens.IssueRefresh(ctx, u.ID)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(time.Until(exp).Seconds()), RefreshToken: refresh}, nil
}

// Refresh rotates a refresh token.
func (s *Service) Refresh(ctx context.Context, refresh string) (Tokens, error) {
	access, exp, next, err := s.Tokens.Refresh(ctx, refresh, func(userID string) (meridian.Principal, error) {
		u, err := s.Users.Get(ctx, userID)
		if err != nil {
			return meridian.Principal{}, err
		}
		if u.Disabled {
			return meridian.Principal{}, errSignIn
		}
		return u.Principal(), nil
	})
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(time.Until(exp).Seconds()), RefreshToken: next}, nil
}

// SignOut revokes the access token in use and the refresh token's family.
func (s *Service) SignOut(ctx context.Context, p meridian.Principal, accessExp time.Time, refresh, ip string) error {
	if err := s.Tokens.Revoke(ctx, p.TokenID, accessExp, refresh); err != nil {
		return err
	}
	s.audit(ctx, AuditEntry{Actor: p.ID, Action: AuditSignOut, IP: ip})
	return nil
}

// ClientCredentials is the OAuth2 client-credentials grant: an
// organization's client exchanges its id and secret for an access token
// carrying the requested subset of its scopes.
func (s *Service) ClientCredentials(ctx context.Context, clientID, secret, scope string) (Tokens, error) {
	p, err := s.Keys.Authenticate(ctx, secret, KindClient)
	if err != nil || p.TokenID != clientID {
		return Tokens{}, meridian.Errorf(meridian.EUnauthorized, "invalid client")
	}
	if scope != "" {
		granted := map[string]bool{}
		for _, sc := range p.Scopes {
			granted[sc] = true
		}
		var want []string
		for _, sc := range strings.Fields(scope) {
			if !granted[sc] {
				return Tokens{}, meridian.Errorf(meridian.EInvalid, "scope %q was not granted to this client", sc)
			}
			want = append(want, sc)
		}
		p.Scopes = want
	}
	access, exp, err := s.Tokens.IssueAccess(ctx, p)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(time.Until(exp).Seconds()), Scope: strings.Join(p.Scopes, " ")}, nil
}
