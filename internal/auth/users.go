package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// User is a person who can sign in.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email,omitempty"`
	Name          string    `json:"name,omitempty"`
	PlatformAdmin bool      `json:"platformAdmin"`
	Disabled      bool      `json:"disabled"`
	CreatedAt     time.Time `json:"createdAt"`
}

// Principal returns the user as an acting principal.
func (u User) Principal() meridian.Principal {
	return meridian.Principal{Kind: meridian.PrincipalUser, ID: u.ID, PlatformAdmin: u.PlatformAdmin}
}

// Users stores people. E-mail addresses and names are personal data,
// sealed under the user's own data key; the e-mail is found again through a
// blind index.
type Users struct{ db *store.DB }

// NewUsers returns the user store.
func NewUsers(db *store.DB) *Users { return &Users{db: db} }

// NormalizeEmail trims and lower-cases an address and checks its shape.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(e, '@')
	if len(e) > 254 || at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n<>\"") || !strings.Contains(e[at:], ".") {
		return "", meridian.Errorf(meridian.EInvalid, "that is not an e-mail address")
	}
	return e, nil
}

func (u *Users) emailIndex(email string) string { return u.db.Keyring().BlindIndex("email", email) }

// Create stores a new user. A taken e-mail address is EConflict.
func (u *Users) Create(ctx context.Context, email, name string, platformAdmin bool) (User, error) {
	user := User{ID: meridian.NewID(), Name: strings.TrimSpace(name), PlatformAdmin: platformAdmin, CreatedAt: time.Now().UTC()}
	var index any
	var emailSealed []byte
	if email != "" {
		e, err := NormalizeEmail(email)
		if err != nil {
			return User{}, err
		}
		user.Email = e
		index = u.emailIndex(e)
		if emailSealed, err = u.db.Keyring().SealFor(ctx, user.ID, []byte(e)); err != nil {
			return User{}, err
		}
	}
	if len([]rune(user.Name)) > 120 {
		return User{}, meridian.Errorf(meridian.EInvalid, "name must be at most 120 characters")
	}
	var nameSealed []byte
	if user.Name != "" {
		var err error
		if nameSealed, err = u.db.Keyring().SealFor(ctx, user.ID, []byte(user.Name)); err != nil {
			return User{}, err
		}
	}
	admin := 0
	if platformAdmin {
		admin = 1
	}
	res, err := u.db.Exec(ctx, `INSERT INTO users (id, email_index, email_sealed, name_sealed, platform_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (email_index) DO NOTHING`, user.ID, index, emailSealed, nameSealed, admin, meridian.FormatTime(user.CreatedAt))
	if err != nil {
		return User{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return User{}, meridian.Errorf(meridian.EConflict, "an account with this e-mail address already exists")
	}
	return user, nil
}

const userCols = `id, email_sealed, name_sealed, platform_admin, disabled, created_at`

func (u *Users) scan(ctx context.Context, row *sql.Row) (User, error) {
	var user User
	var email, name []byte
	var admin, disabled int
	var created string
	if err := row.Scan(&user.ID, &email, &name, &admin, &disabled, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, meridian.Errorf(meridian.ENotFound, "user not found")
		}
		return User{}, err
	}
	user.PlatformAdmin, user.Disabled = admin != 0, disabled != 0
	user.CreatedAt, _ = meridian.ParseTime(created)
	if len(email) > 0 {
		if b, ok, err := u.db.Keyring().OpenFor(ctx, user.ID, email); err != nil {
			return User{}, err
		} else if ok {
			user.Email = string(b)
		}
	}
	if len(name) > 0 {
		if b, ok, err := u.db.Keyring().OpenFor(ctx, user.ID, name); err != nil {
			return User{}, err
		} else if ok {
			user.Name = string(b)
		}
	}
	return user, nil
}

// Get returns a user by id.
func (u *Users) Get(ctx context.Context, id string) (User, error) {
	return u.scan(ctx, u.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
}

// ByEmail returns the user with an e-mail address (ENotFound when none).
func (u *Users) ByEmail(ctx context.Context, email string) (User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, meridian.Errorf(meridian.ENotFound, "user not found")
	}
	return u.scan(ctx, u.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_index = ?`, u.emailIndex(e)))
}

// SetPassword stores a password hash for a user.
func (u *Users) SetPassword(ctx context.Context, userID, hash string) error {
	_, err := u.db.Exec(ctx, `INSERT INTO password_credentials (user_id, hash, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`, userID, hash, meridian.FormatTime(time.Now()))
	return err
}

// PasswordHash returns a user's stored hash ("" when the user has none).
func (u *Users) PasswordHash(ctx context.Context, userID string) (string, error) {
	var h string
	err := u.db.QueryRow(ctx, `SELECT hash FROM password_credentials WHERE user_id = ?`, userID).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return h, err
}

// SetPlatformAdmin grants or withdraws platform administration.
func (u *Users) SetPlatformAdmin(ctx context.Context, userID string, admin bool) error {
	v := 0
	if admin {
		v = 1
	}
	res, err := u.db.Exec(ctx, `UPDATE users SET platform_admin = ? WHERE id = ?`, v, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return meridian.Errorf(meridian.ENotFound, "user %s not found", userID)
	}
	return nil
}

// ByExternal returns the user linked to an external identity.
func (u *Users) ByExternal(ctx context.Context, issuer, subject string) (User, error) {
	var id string
	err := u.db.QueryRow(ctx, `SELECT user_id FROM external_identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, meridian.Errorf(meridian.ENotFound, "user not found")
	}
	if err != nil {
		return User{}, err
	}
	return u.Get(ctx, id)
}

// Link links an external identity to a user.
func (u *Users) Link(ctx context.Context, issuer, subject, userID string) error {
	_, err := u.db.Exec(ctx, `INSERT INTO external_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING`,
		issuer, subject, userID, meridian.FormatTime(time.Now()))
	return err
}
