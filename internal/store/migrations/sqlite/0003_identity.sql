-- Identity, tokens, API keys and the audit log. Personal fields (e-mail,
-- name) are sealed under the user's own data key; e-mail lookups use a
-- keyed hash (blind index) so that no plaintext address is stored.
CREATE TABLE users (
    id             TEXT    PRIMARY KEY,
    email_index    TEXT    UNIQUE,
    email_sealed   BLOB,
    name_sealed    BLOB,
    platform_admin INTEGER NOT NULL DEFAULT 0,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT    NOT NULL
);
CREATE TABLE password_credentials (
    user_id    TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE login_failures (
    key          TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE TABLE external_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_user ON external_identities (user_id);
CREATE TABLE signing_keys (
    kid            TEXT    PRIMARY KEY,
    alg            TEXT    NOT NULL,
    private_sealed BLOB    NOT NULL,
    public_jwk     TEXT    NOT NULL,
    active         INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    retired_at     TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    used_at    TEXT NOT NULL DEFAULT '',
    revoked_at TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    kind         TEXT NOT NULL, -- 'key' (X-API-Key) or 'client' (OAuth2 client credentials)
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL DEFAULT '',
    revoked_at   TEXT NOT NULL DEFAULT '',
    last_used_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_keys_org ON api_keys (org_id, id);
CREATE TABLE oidc_states (
    state      TEXT PRIMARY KEY,
    provider   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    return_to  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    org_id  TEXT NOT NULL DEFAULT '',
    actor   TEXT NOT NULL DEFAULT '',
    action  TEXT NOT NULL,
    target  TEXT NOT NULL DEFAULT '',
    ip      TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
-- The audit log is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
