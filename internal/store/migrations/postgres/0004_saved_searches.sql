-- Saved searches, the anchors they are filed under for incremental
-- evaluation, and the notifications (matches) they produce. Built by the
-- saved-search alerts projection (internal/alerts) from the event stream.
CREATE TABLE saved_searches (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    alert      TEXT NOT NULL,
    feed_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    BIGINT NOT NULL
);
CREATE INDEX saved_searches_owner ON saved_searches (owner_id, id);
CREATE TABLE saved_search_anchors (
    anchor          TEXT NOT NULL,
    saved_search_id TEXT NOT NULL,
    PRIMARY KEY (anchor, saved_search_id)
);
CREATE INDEX saved_search_anchors_search ON saved_search_anchors (saved_search_id);
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    saved_search_id TEXT NOT NULL,
    job_id          TEXT NOT NULL,
    title           TEXT NOT NULL,
    org_name        TEXT NOT NULL DEFAULT '',
    alert           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    read_at         TEXT NOT NULL DEFAULT '',
    UNIQUE (saved_search_id, job_id)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_search ON notifications (saved_search_id, id);
