package auth_test

import (
	"context"
	"testing"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// FuzzAPIKeyAuthenticate: no input but the issued secret authenticates, and
// nothing panics.
func FuzzAPIKeyAuthenticate(f *testing.F) {
	db := storetest.OpenSQLite(f)
	keys := auth.NewAPIKeys(db, []string{"jobs:read"})
	_, secret, err := keys.Create(context.Background(), auth.NewKeyInput{OrgID: "org", Name: "k", Scopes: []string{"jobs:read"}, CreatedBy: "u"})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "mk_", secret[:len(secret)-1], secret + "x", "MK_" + secret[3:], "mk_\x00", secret[:11]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := keys.Authenticate(context.Background(), s, auth.KindAPIKey)
		if s == secret {
			if err != nil || p.OrgID != "org" {
				t.Fatalf("issued secret refused: %v", err)
			}
			return
		}
		if err == nil || meridian.ErrorCode(err) != meridian.EUnauthorized {
			t.Fatalf("Authenticate(%q) = %+v, %v; want unauthorized", s, p, err)
		}
	})
}
