package token

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// principalOK is a Refresh callback that knows every user.
func principalOK(userID string) (meridian.Principal, error) {
	return meridian.Principal{Kind: meridian.PrincipalUser, ID: userID}, nil
}

// reuseLog records OnReuse calls.
type reuseLog struct {
	mu    sync.Mutex
	calls [][2]string
}

func (l *reuseLog) hook(_ context.Context, userID, familyID string) {
	l.mu.Lock()
	l.calls = append(l.calls, [2]string{userID, familyID})
	l.mu.Unlock()
}

func (l *reuseLog) get() [][2]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][2]string(nil), l.calls...)
}

func MustRefresh(tb testing.TB, s *Service, rt string) (access, refresh string) {
	tb.Helper()
	access, _, refresh, err := s.Refresh(context.Background(), rt, principalOK)
	if err != nil {
		tb.Fatalf("Refresh: %v", err)
	}
	return access, refresh
}

func familyOf(tb testing.TB, db *store.DB, rt string) string {
	tb.Helper()
	var f string
	if err := db.QueryRow(context.Background(), `SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, hashRefresh(rt)).Scan(&f); err != nil {
		tb.Fatalf("family of refresh token: %v", err)
	}
	return f
}

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		s := MustService(t, db, clock)
		rt1, err := s.IssueRefresh(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(rt1, "mrt_") || len(rt1) != 4+43 {
			t.Fatalf("refresh token %q: want mrt_ and 256 bits in base64url", rt1)
		}
		var stored int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ? OR token_hash = ?`, rt1, rt1[4:]).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("the refresh token is stored in the clear (%d rows, %v)", stored, err)
		}

		clock.Add(time.Hour)
		access, exp, rt2, err := s.Refresh(ctx, rt1, principalOK)
		if err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		if want := clock.Now().Add(DefaultAccessTTL); !exp.Equal(want) {
			t.Errorf("access expires %v, want %v", exp, want)
		}
		p, err := s.VerifyAccess(ctx, access)
		if err != nil || p.ID != user.ID || p.Kind != meridian.PrincipalUser {
			t.Fatalf("VerifyAccess(refreshed) = %+v, %v", p, err)
		}
		if rt2 == rt1 || familyOf(t, db, rt2) != familyOf(t, db, rt1) {
			t.Fatal("the new refresh token is not a new member of the same family")
		}
		_, rt3 := MustRefresh(t, s, rt2)
		_, _ = MustRefresh(t, s, rt3)

		// A second family for the same user is independent.
		other, err := s.IssueRefresh(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if familyOf(t, db, other) == familyOf(t, db, rt1) {
			t.Fatal("IssueRefresh reused a family")
		}
	})
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := MustService(t, db, newClock())
		var log reuseLog
		s.OnReuse = log.hook
		rt1, _ := s.IssueRefresh(ctx, user.ID)
		other, _ := s.IssueRefresh(ctx, user.ID) // another session of the same user
		family := familyOf(t, db, rt1)
		_, rt2 := MustRefresh(t, s, rt1)
		_, rt3 := MustRefresh(t, s, rt2)

		// The thief (or the victim) presents rt1 again.
		_, _, _, err := s.Refresh(ctx, rt1, principalOK)
		wantUnauthorized(t, err)
		if got := log.get(); len(got) != 1 || got[0] != [2]string{user.ID, family} {
			t.Fatalf("OnReuse calls = %v, want one for %s/%s", got, user.ID, family)
		}
		// The newest token of the family is dead too.
		_, _, _, err = s.Refresh(ctx, rt3, principalOK)
		wantUnauthorized(t, err)
		// Replaying a revoked (not used) token is refused, but is no new reuse.
		if got := log.get(); len(got) != 1 {
			t.Errorf("OnReuse calls = %v, want still one", got)
		}
		// The user's other session is untouched.
		if _, _, _, err := s.Refresh(ctx, other, principalOK); err != nil {
			t.Fatalf("other family: %v", err)
		}
	})
}

func TestConcurrentRefresh(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := MustService(t, db, newClock())
		var log reuseLog
		s.OnReuse = log.hook
		for round := range 5 {
			rt, err := s.IssueRefresh(ctx, user.ID)
			if err != nil {
				t.Fatal(err)
			}
			const n = 8
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, n)
			news := make([]string, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, _, news[i], errs[i] = s.Refresh(ctx, rt, principalOK)
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			var winner string
			for i, err := range errs {
				switch {
				case err == nil:
					ok++
					winner = news[i]
				case meridian.ErrorCode(err) != meridian.EUnauthorized:
					t.Fatalf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d of %d concurrent refreshes succeeded, want exactly 1", round, ok, n)
			}
			// The losers presented a used token: the family is revoked, the
			// winner's new token included (RFC 9700 §4.14.2 without a grace).
			_, _, _, err = s.Refresh(ctx, winner, principalOK)
			wantUnauthorized(t, err)
		}
		if got := log.get(); len(got) == 0 {
			t.Error("OnReuse was not called for the losing refreshes")
		}
	})
}

func TestRefreshRefusals(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		s := MustService(t, db, clock)

		t.Run("expired", func(t *testing.T) {
			rt, _ := s.IssueRefresh(ctx, user.ID)
			clock.Add(DefaultRefreshTTL)
			defer clock.Add(-DefaultRefreshTTL)
			_, _, _, err := s.Refresh(ctx, rt, principalOK)
			wantUnauthorized(t, err)
		})
		t.Run("sliding lifetime", func(t *testing.T) {
			rt, _ := s.IssueRefresh(ctx, user.ID)
			clock.Add(DefaultRefreshTTL - time.Hour)
			defer clock.Add(-(DefaultRefreshTTL - time.Hour))
			if _, _, _, err := s.Refresh(ctx, rt, principalOK); err != nil {
				t.Fatalf("just before expiry: %v", err)
			}
		})
		for name, rt := range map[string]string{
			"unknown":      "mrt_" + strings.Repeat("A", 43),
			"empty":        "",
			"no prefix":    strings.Repeat("A", 47),
			"too long":     "mrt_" + strings.Repeat("A", 44),
			"non-base64":   "mrt_" + strings.Repeat("*", 43),
			"access token": "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
		} {
			t.Run(name, func(t *testing.T) {
				_, _, _, err := s.Refresh(ctx, rt, principalOK)
				wantUnauthorized(t, err)
			})
		}
		t.Run("principal refuses", func(t *testing.T) {
			rt, _ := s.IssueRefresh(ctx, user.ID)
			disabled := meridian.Errorf(meridian.EForbidden, "user disabled")
			_, _, _, err := s.Refresh(ctx, rt, func(string) (meridian.Principal, error) { return meridian.Principal{}, disabled })
			if !errors.Is(err, disabled) {
				t.Fatalf("err = %v, want the callback's", err)
			}
			// The refusal did not use the token up.
			if _, _, _, err := s.Refresh(ctx, rt, principalOK); err != nil {
				t.Fatalf("after a refusal: %v", err)
			}
		})
		t.Run("principal of another user", func(t *testing.T) {
			rt, _ := s.IssueRefresh(ctx, user.ID)
			_, _, _, err := s.Refresh(ctx, rt, func(string) (meridian.Principal, error) { return principalOK("someone-else") })
			if err == nil || meridian.ErrorCode(err) != meridian.EInternal {
				t.Fatalf("err = %v, want an internal error", err)
			}
		})
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		s := MustService(t, db, clock)
		rt, _ := s.IssueRefresh(ctx, user.ID)
		access, exp, rt2, err := s.Refresh(ctx, rt, principalOK)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.VerifyAccess(ctx, access)
		if err != nil {
			t.Fatal(err)
		}
		otherAccess, _ := MustIssue(t, s, user) // another access token of the same user

		if err := s.Revoke(ctx, p.TokenID, exp, rt2); err != nil {
			t.Fatalf("Revoke: %v", err)
		}
		_, err = s.VerifyAccess(ctx, access)
		wantUnauthorized(t, err)
		_, _, _, err = s.Refresh(ctx, rt2, principalOK)
		wantUnauthorized(t, err)
		if _, err := s.VerifyAccess(ctx, otherAccess); err != nil {
			t.Fatalf("another token of the user: %v", err)
		}
		// Signing out twice, or with unknown tokens, succeeds.
		if err := s.Revoke(ctx, p.TokenID, exp, rt2); err != nil {
			t.Fatalf("second Revoke: %v", err)
		}
		if err := s.Revoke(ctx, "", time.Time{}, "mrt_unknown"); err != nil {
			t.Fatalf("Revoke unknown: %v", err)
		}

		// The revocation row outlives the token, then Purge removes it.
		if err := s.Purge(ctx, exp); err != nil {
			t.Fatal(err)
		}
		countRows(t, db, `SELECT COUNT(*) FROM revoked_tokens`, 1)
		if err := s.Purge(ctx, exp.Add(maxSkew+time.Second)); err != nil {
			t.Fatal(err)
		}
		countRows(t, db, `SELECT COUNT(*) FROM revoked_tokens`, 0)
	})
}

func TestRevokeUser(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		s := MustService(t, db, clock)
		a, _ := s.IssueRefresh(ctx, user.ID)
		b, _ := s.IssueRefresh(ctx, user.ID)
		_, b2 := MustRefresh(t, s, b)
		stranger, _ := s.IssueRefresh(ctx, "another-user")
		if err := s.RevokeUser(ctx, user.ID); err != nil {
			t.Fatal(err)
		}
		for _, rt := range []string{a, b2} {
			_, _, _, err := s.Refresh(ctx, rt, principalOK)
			wantUnauthorized(t, err)
		}
		if _, _, _, err := s.Refresh(ctx, stranger, principalOK); err != nil {
			t.Fatalf("another user's token: %v", err)
		}

		// Purge removes refresh tokens once expired, and only then.
		countRows(t, db, `SELECT COUNT(*) FROM refresh_tokens`, 5)
		if err := s.Purge(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		countRows(t, db, `SELECT COUNT(*) FROM refresh_tokens`, 5)
		if err := s.Purge(ctx, clock.Now().Add(DefaultRefreshTTL+time.Second)); err != nil {
			t.Fatal(err)
		}
		countRows(t, db, `SELECT COUNT(*) FROM refresh_tokens`, 0)
	})
}

func countRows(tb testing.TB, db *store.DB, q string, want int) {
	tb.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	if n != want {
		tb.Fatalf("%s = %d, want %d", q, n, want)
	}
}
