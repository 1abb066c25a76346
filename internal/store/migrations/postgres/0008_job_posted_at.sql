-- When a posting first appeared at its source (imports: the source's own
-- date), beside published_at (when it was published on Meridian). Pages
-- and JSON-LD show the source's date when there is one. Rows written
-- before this migration get it on the next projection rebuild.
ALTER TABLE jobs ADD COLUMN posted_at TEXT NOT NULL DEFAULT '';
