package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

func TestUsersSealPersonalData(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	users := auth.NewUsers(db)
	u, err := users.Create(ctx, " Grace@Example.COM ", "Grace Hopper", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.Create(ctx, "grace@example.com", "Impostor", false); meridian.ErrorCode(err) != meridian.EConflict {
		t.Fatalf("duplicate address: %v", err)
	}
	got, err := users.ByEmail(ctx, "GRACE@example.com")
	if err != nil || got.ID != u.ID || got.Email != "grace@example.com" || got.Name != "Grace Hopper" {
		t.Fatalf("by email: %+v %v", got, err)
	}
	// Nothing readable about the person is stored in the clear.
	var idx string
	var email, name []byte
	if err := db.QueryRow(ctx, `SELECT email_index, email_sealed, name_sealed FROM users WHERE id = ?`, u.ID).Scan(&idx, &email, &name); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{[]byte(idx), email, name} {
		if strings.Contains(strings.ToLower(string(b)), "grace") {
			t.Fatalf("plaintext stored: %q", b)
		}
	}
	// Erasing the person (deleting their key) makes the address unreadable.
	if err := db.Keyring().Forget(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	gone, err := users.Get(ctx, u.ID)
	if err != nil || gone.Email != "" || gone.Name != "" {
		t.Fatalf("after erasure: %+v %v", gone, err)
	}
	for _, bad := range []string{"", "no-at", "a@b", "a b@c.de", "<x>@y.z"} {
		if _, err := auth.NormalizeEmail(bad); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("NormalizeEmail(%q): %v", bad, err)
		}
	}
}
