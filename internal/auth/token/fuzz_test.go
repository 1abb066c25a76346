package token

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/meridian"
)

// FuzzVerifyAccess checks that VerifyAccess never panics, refuses every
// input with the generic EUnauthorized error, and accepts nothing but the
// exact tokens IssueAccess produced (one token has one spelling: no
// alternative base64, padding or white space gets through).
//
//	go test ./internal/auth/token -run '^$' -fuzz FuzzVerifyAccess -fuzztime 30s
func FuzzVerifyAccess(f *testing.F) {
	ctx := context.Background()
	clock := newClock()
	s := MustService(f, openSQLite(f), clock)
	s.missReload = missReload // garbage kids must not reload the keys every time

	issued := map[string]meridian.Principal{}
	for _, p := range []meridian.Principal{
		user,
		{Kind: meridian.PrincipalUser, ID: "admin", PlatformAdmin: true},
		{Kind: meridian.PrincipalService, ID: "key-1", OrgID: "org-1", Scopes: []string{"jobs:read", "jobs:write"}},
	} {
		tok, _ := MustIssue(f, s, p)
		p, err := s.VerifyAccess(ctx, tok)
		if err != nil {
			f.Fatal(err)
		}
		issued[tok] = p
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(b64(`{"alg":"none","typ":"at+jwt"}`) + "." + parts[1] + ".")
		f.Add(b64(`{"alg":"HS256","typ":"at+jwt","kid":"../../../../dev/null"}`) + "." + parts[1] + "." + parts[2])
		f.Add(tok + ".")
	}
	refresh, err := s.IssueRefresh(ctx, user.ID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(refresh)
	f.Add("")
	f.Add("a.b.c")
	f.Add("..")
	f.Add(`{"payload":"e30","signatures":[]}`)

	f.Fuzz(func(t *testing.T, tok string) {
		p, err := s.VerifyAccess(ctx, tok)
		if err != nil {
			wantUnauthorized(t, err)
			return
		}
		want, ok := issued[tok]
		if !ok {
			t.Fatalf("accepted a token IssueAccess did not produce: %q as %+v", tok, p)
		}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Fatalf("principal (-want +got):\n%s", diff)
		}
	})
}
