-- Event store, outbox cursor, keyring, checkpoints and idempotency records.
CREATE TABLE events (
    position       INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    stream_id      TEXT    NOT NULL,
    stream_type    TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    time           TEXT    NOT NULL,
    actor          TEXT    NOT NULL DEFAULT '',
    correlation_id TEXT    NOT NULL DEFAULT '',
    causation_id   TEXT    NOT NULL DEFAULT '',
    payload        TEXT    NOT NULL,
    subject        TEXT    NOT NULL DEFAULT '',
    sealed         BLOB,
    UNIQUE (stream_id, version)
);
CREATE TABLE streams (
    id      TEXT    PRIMARY KEY,
    type    TEXT    NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE event_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
);
INSERT INTO event_head (id, position) VALUES (1, 0);
CREATE TABLE subject_keys (
    subject    TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE erased_subjects (
    subject   TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL
);
CREATE TABLE cursors (
    name       TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE TABLE idempotency (
    scope        TEXT    PRIMARY KEY,
    request_hash TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    headers      TEXT    NOT NULL DEFAULT '',
    body         BLOB,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX idempotency_expires ON idempotency (expires_at);
