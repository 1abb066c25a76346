-- E-mail notifications (internal/email): the outbox of e-mails to send
-- (one row per alert, digest or application update, unique by source),
-- which daily-alert notifications went into which digest, and people's
-- opt-outs. Rows hold ids only; addresses and content are looked up and
-- rendered when the e-mail is sent, so erasing a person leaves nothing
-- personal here.
CREATE TABLE email_outbox (
    id              TEXT PRIMARY KEY,          -- also the Message-ID's local part
    source          TEXT NOT NULL UNIQUE,      -- alert:<notification> | digest:<user>:<day> | application:<event>
    kind            TEXT NOT NULL,             -- alert | digest | application
    user_id         TEXT NOT NULL,             -- the recipient
    ref             TEXT NOT NULL,             -- JSON of the ids the e-mail is about
    status          TEXT NOT NULL,             -- pending | sent | failed | skipped
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL DEFAULT '',  -- '' = due now
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_user ON email_outbox (user_id, created_at);
CREATE TABLE email_digest_items (
    notification_id TEXT PRIMARY KEY,
    email_id        TEXT NOT NULL
);
CREATE TABLE email_optouts (
    user_id    TEXT NOT NULL,
    topic      TEXT NOT NULL,             -- applications | digest | alert:<saved search>
    version    INTEGER NOT NULL DEFAULT 0, -- alert:<id>: the saved search's version it turned off
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, topic)
);
