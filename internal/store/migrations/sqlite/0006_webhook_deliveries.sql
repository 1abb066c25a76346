-- Organizations' outgoing webhooks (internal/webhook/delivery): endpoints,
-- the stream → organization map the enqueuing projection keeps, one
-- delivery per (endpoint, event) and every attempt made to deliver it (the
-- delivery log). Secrets are stored as given; sealing them is a follow-up.
CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,             -- ',' between names; '' = all
    secret          TEXT NOT NULL,             -- whsec_...
    prev_secret     TEXT NOT NULL DEFAULT '',  -- still signs until prev_until
    prev_until      TEXT NOT NULL DEFAULT '',
    disabled_at     TEXT NOT NULL DEFAULT '',
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, id);
CREATE TABLE webhook_streams (
    stream_id TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL,
    job_id    TEXT NOT NULL DEFAULT '' -- applications: the job applied to
);
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    replay_id       TEXT NOT NULL DEFAULT '', -- '' for the delivery the event produced, id for replays
    replay_of       TEXT NOT NULL DEFAULT '', -- the delivery a replay repeats
    event_type      TEXT NOT NULL,            -- webhook event name, e.g. job.published
    message_id      TEXT NOT NULL,            -- webhook-id
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,            -- pending | delivered | dead | endpoint_disabled
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL DEFAULT '', -- '' = due now
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id, replay_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL,
    attempt     INTEGER NOT NULL,           -- 1-based
    at          TEXT NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0, -- 0 when no response
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
