package email_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/email"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

func mustTokens(t *testing.T, keys map[int][]byte, current int) *email.Tokens {
	t.Helper()
	tk, err := email.NewTokens(keys, current)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestTokenSignVerify(t *testing.T) {
	key1, key2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	tk := mustTokens(t, map[int][]byte{1: key1}, 1)
	for _, u := range []email.Unsubscribe{
		{Scope: email.ScopeAlert, UserID: "0190b1d2-0000-7000-8000-000000000001", Target: "0190b1d2-0000-7000-8000-000000000002"},
		{Scope: email.ScopeCategory, UserID: "dev-1", Target: email.CategoryApplications},
		{Scope: email.ScopeCategory, UserID: "dev-1", Target: email.CategoryDigest},
	} {
		tok := tk.Sign(u)
		if !strings.HasPrefix(tok, "v1.") || strings.ContainsAny(tok, "+/=&?# ") {
			t.Errorf("token %q is not a versioned, URL-safe token", tok)
		}
		got, err := tk.Verify(tok)
		if err != nil || got != u {
			t.Errorf("Verify(Sign(%+v)) = %+v, %v", u, got, err)
		}
	}

	u := email.Unsubscribe{Scope: email.ScopeAlert, UserID: "user-a", Target: "search-a"}
	tok := tk.Sign(u)
	parts := strings.Split(tok, ".")
	other := base64.RawURLEncoding.EncodeToString([]byte(email.ScopeAlert + "\x00user-b\x00search-a"))
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)/2] == 'A' {
			b[len(b)/2] = 'B'
		} else {
			b[len(b)/2] = 'A'
		}
		return string(b)
	}
	rotated := mustTokens(t, map[int][]byte{1: key1, 2: key2}, 2)
	onlyNew := mustTokens(t, map[int][]byte{2: key2}, 2)
	bad := map[string]string{
		"empty":              "",
		"garbage":            "hello",
		"another person":     parts[0] + "." + other + "." + parts[2],
		"tampered MAC":       parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"truncated MAC":      parts[0] + "." + parts[1] + "." + parts[2][:20],
		"unknown version":    "v9." + parts[1] + "." + parts[2],
		"version spelled 01": "v01." + parts[1] + "." + parts[2],
		"extra part":         tok + ".x",
		"unknown category": func() string {
			return tk.Sign(email.Unsubscribe{Scope: email.ScopeCategory, UserID: "u", Target: "everything"})
		}(),
		"unknown scope": tk.Sign(email.Unsubscribe{Scope: "account", UserID: "u", Target: "x"}),
		"no target":     tk.Sign(email.Unsubscribe{Scope: email.ScopeAlert, UserID: "u"}),
		"too long":      tok + strings.Repeat("A", 2000),
	}
	for name, b := range bad {
		if got, err := tk.Verify(b); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("%s: Verify = %+v, %v; want EInvalid", name, got, err)
		}
	}
	// Rotation: a new key signs, old tokens still verify until the old key is dropped.
	if got, err := rotated.Verify(tok); err != nil || got != u {
		t.Errorf("a v1 token after rotation: %+v, %v", got, err)
	}
	if tok2 := rotated.Sign(u); !strings.HasPrefix(tok2, "v2.") {
		t.Errorf("rotated token %q is not v2", tok2)
	} else if _, err := tk.Verify(tok2); err == nil {
		t.Errorf("a v2 token verified with v1 keys only")
	}
	if _, err := onlyNew.Verify(tok); err == nil {
		t.Errorf("a v1 token verified after its key was dropped")
	}
	if _, err := email.NewTokens(map[int][]byte{1: []byte("short")}, 1); err == nil {
		t.Errorf("a short key was accepted")
	}
}

// TestKeyringTokens: tokens derive from the master key: the same store
// (every node of a cluster) verifies them; another master key does not.
func TestKeyringTokens(t *testing.T) {
	db, other := storetest.OpenSQLite(t), storetest.OpenSQLite(t)
	u := email.Unsubscribe{Scope: email.ScopeCategory, UserID: "u1", Target: email.CategoryDigest}
	tok := email.KeyringTokens(db).Sign(u)
	if got, err := email.KeyringTokens(db).Verify(tok); err != nil || got != u {
		t.Errorf("same store: %+v, %v", got, err)
	}
	if _, err := email.KeyringTokens(other).Verify(tok); err == nil {
		t.Errorf("a token verified under another master key")
	}
}
