-- Event store, outbox cursor, keyring, checkpoints and idempotency records.
CREATE TABLE events (
    position       BIGINT  PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    stream_id      TEXT    NOT NULL,
    stream_type    TEXT    NOT NULL,
    version        BIGINT  NOT NULL,
    type           TEXT    NOT NULL,
    time           TEXT    NOT NULL,
    actor          TEXT    NOT NULL DEFAULT '',
    correlation_id TEXT    NOT NULL DEFAULT '',
    causation_id   TEXT    NOT NULL DEFAULT '',
    payload        TEXT    NOT NULL,
    subject        TEXT    NOT NULL DEFAULT '',
    sealed         BYTEA,
    UNIQUE (stream_id, version)
);
CREATE TABLE streams (
    id      TEXT    PRIMARY KEY,
    type    TEXT    NOT NULL,
    version BIGINT  NOT NULL
);
CREATE TABLE event_head (
    id       BIGINT  PRIMARY KEY CHECK (id = 1),
    position BIGINT  NOT NULL
);
INSERT INTO event_head (id, position) VALUES (1, 0);
CREATE TABLE subject_keys (
    subject    TEXT PRIMARY KEY,
    wrapped    BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE erased_subjects (
    subject   TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL
);
CREATE TABLE cursors (
    name       TEXT    PRIMARY KEY,
    position   BIGINT  NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE TABLE idempotency (
    scope        TEXT    PRIMARY KEY,
    request_hash TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    status       BIGINT  NOT NULL DEFAULT 0,
    headers      TEXT    NOT NULL DEFAULT '',
    body         BYTEA,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX idempotency_expires ON idempotency (expires_at);
