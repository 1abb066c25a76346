package alerts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store"
)

// Name is the projection's checkpoint name.
const Name = "saved-search-alerts"

// Tables lists the tables the projection owns, in deletion order.
var Tables = []string{"notifications", "saved_search_anchors", "saved_searches"}

// Stats count the projection's work since it was created (for tests and
// metrics): how many saved-search queries it compiled (cache misses), how
// many saved searches it evaluated against a posting, and how many matched.
type Stats struct {
	Compiled  atomic.Int64
	Evaluated atomic.Int64
	Matched   atomic.Int64
}

// Projection builds the saved-search read model and evaluates saved
// searches against postings as they are published. Use New.
type Projection struct {
	db  *store.DB
	log *slog.Logger
	// Stats count compilations and evaluations.
	Stats Stats
	// OnEvaluate, when set, is called for every saved search evaluated
	// against a posting (tests prove with it which ones are).
	OnEvaluate func(savedSearchID, jobID string)

	mu    sync.Mutex
	cache map[string]cachedQuery // by saved search id
}

type cachedQuery struct {
	version int64
	c       *search.Compiled // nil: the stored query no longer compiles
}

// maxCached bounds the compiled-query cache; past it the cache starts over.
const maxCached = 50_000

// New returns the projection. db is the event store it reads postings
// from (the same database the projection writes to).
func New(db *store.DB, log *slog.Logger) *Projection {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Projection{db: db, log: log, cache: map[string]cachedQuery{}}
}

// Name implements projection.Handler.
func (p *Projection) Name() string { return Name }

// Reset implements projection.Handler.
func (p *Projection) Reset(ctx context.Context, tx *store.Tx) error {
	for _, t := range Tables {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("reset %s: %w", t, err)
		}
	}
	p.mu.Lock()
	p.cache = map[string]cachedQuery{}
	p.mu.Unlock()
	return nil
}

func ts(t time.Time) string { return meridian.FormatTime(t) }

// Apply implements projection.Handler.
func (p *Projection) Apply(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	var err error
	switch {
	case e.StreamType == "saved_searches":
		err = p.savedSearch(ctx, tx, e)
	case e.Type == domain.JobPublished || e.Type == domain.JobRenewed:
		err = p.evaluate(ctx, tx, e)
	}
	if err != nil {
		return fmt.Errorf("project %s %s (position %d): %w", e.Type, e.StreamID, e.Position, err)
	}
	return nil
}

func (p *Projection) savedSearch(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	switch e.Type {
	case domain.SavedSearchCreated, domain.SavedSearchUpdated:
		var s domain.SavedSearchEvent
		if err := json.Unmarshal(e.Payload, &s); err != nil {
			return err
		}
		if e.Erased {
			// The owner was erased: nothing of this saved search may stay.
			return p.purge(ctx, tx, s.SavedSearchID)
		}
		var d domain.SavedSearchPersonal
		if err := json.Unmarshal(e.Personal, &d); err != nil {
			return err
		}
		var version int64
		if e.Type == domain.SavedSearchCreated {
			version = 1
			if _, err := tx.Exec(ctx, `INSERT INTO saved_searches (id, owner_id, name, query, alert, feed_token, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				s.SavedSearchID, s.OwnerID, d.Name, string(d.Query), s.Alert, d.FeedToken, ts(e.Time), ts(e.Time), version); err != nil {
				return err
			}
		} else {
			err := tx.QueryRow(ctx, `UPDATE saved_searches SET name = ?, query = ?, alert = ?, feed_token = ?, updated_at = ?, version = version + 1
				WHERE id = ? RETURNING version`, d.Name, string(d.Query), s.Alert, d.FeedToken, ts(e.Time), s.SavedSearchID).Scan(&version)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // not in the read model (its creation was erased)
			}
			if err != nil {
				return fmt.Errorf("update saved search %s: %w", s.SavedSearchID, err)
			}
		}
		return p.file(ctx, tx, s.SavedSearchID, version, d.Query)
	case domain.SavedSearchDeleted:
		var s domain.SavedSearchDeletedEvent
		if err := json.Unmarshal(e.Payload, &s); err != nil {
			return err
		}
		return p.purge(ctx, tx, s.SavedSearchID)
	case domain.NotificationsRead:
		var r domain.NotificationsReadEvent
		if err := json.Unmarshal(e.Payload, &r); err != nil {
			return err
		}
		if r.All {
			_, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = ''`, ts(e.Time), r.OwnerID)
			return err
		}
		if len(r.IDs) == 0 {
			return nil
		}
		args := []any{ts(e.Time), r.OwnerID}
		for _, id := range r.IDs {
			args = append(args, id)
		}
		_, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = '' AND id IN (`+marks(len(r.IDs))+`)`, args...)
		return err
	}
	return nil
}

// purge deletes a saved search with its anchors and notifications.
func (p *Projection) purge(ctx context.Context, tx *store.Tx, id string) error {
	for _, q := range []string{
		`DELETE FROM notifications WHERE saved_search_id = ?`,
		`DELETE FROM saved_search_anchors WHERE saved_search_id = ?`,
		`DELETE FROM saved_searches WHERE id = ?`,
	} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return err
		}
	}
	p.mu.Lock()
	delete(p.cache, id)
	p.mu.Unlock()
	return nil
}

// file (re)files a saved search under the anchors of its query.
func (p *Projection) file(ctx context.Context, tx *store.Tx, id string, version int64, query json.RawMessage) error {
	if _, err := tx.Exec(ctx, `DELETE FROM saved_search_anchors WHERE saved_search_id = ?`, id); err != nil {
		return err
	}
	c := p.compiled(id, version, string(query))
	if c == nil {
		return nil // never evaluated; logged by compiled
	}
	anchors := dedupe(c.Anchors())
	if len(anchors) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(anchors))
	for _, a := range anchors {
		args = append(args, a, id)
	}
	_, err := tx.Exec(ctx, `INSERT INTO saved_search_anchors (anchor, saved_search_id) VALUES `+pairs(len(anchors))+` ON CONFLICT DO NOTHING`, args...)
	return err
}

// compiled returns the compiled query of a saved search version, compiling
// it on a cache miss; nil when the stored query does not compile (it was
// valid when saved; a later search engine may reject it).
func (p *Projection) compiled(id string, version int64, query string) *search.Compiled {
	p.mu.Lock()
	cq, ok := p.cache[id]
	p.mu.Unlock()
	if ok && cq.version == version {
		return cq.c
	}
	p.Stats.Compiled.Add(1)
	var q search.Query
	var c *search.Compiled
	err := json.Unmarshal([]byte(query), &q)
	if err == nil {
		c, err = search.Compile(q)
	}
	if err != nil {
		p.log.Warn("saved search no longer compiles; it is not evaluated", "saved_search", id, "version", version, "err", err)
		c = nil
	}
	p.mu.Lock()
	if len(p.cache) >= maxCached {
		p.cache = map[string]cachedQuery{}
	}
	p.cache[id] = cachedQuery{version: version, c: c}
	p.mu.Unlock()
	return c
}

// candidate is a saved search filed under one of a posting's anchors.
type candidate struct {
	id, owner, query, alert string
	version                 int64
}

// anchorBatch bounds the placeholders of one candidate query.
const anchorBatch = 400

// evaluate matches a just published or renewed posting against the saved
// searches that share an anchor with it, and records a notification per
// match (once per saved search and posting).
func (p *Projection) evaluate(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	var filed int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM saved_search_anchors LIMIT 1) AS one`).Scan(&filed); err != nil {
		return err
	}
	if filed == 0 {
		return nil // no saved search to evaluate: skip loading the posting
	}
	doc, err := p.posting(ctx, e)
	if err != nil || doc == nil {
		return err
	}
	// Analyzed once, matched against every candidate.
	prepared := search.Prepare(doc)
	anchors := dedupe(prepared.Anchors())
	var cands []candidate
	seen := map[string]bool{}
	for len(anchors) > 0 {
		n := min(len(anchors), anchorBatch)
		batch := anchors[:n]
		anchors = anchors[n:]
		args := make([]any, len(batch))
		for i, a := range batch {
			args[i] = a
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT s.id, s.owner_id, s.query, s.alert, s.version FROM saved_search_anchors a
			JOIN saved_searches s ON s.id = a.saved_search_id WHERE a.anchor IN (`+marks(n)+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c candidate
			if err := rows.Scan(&c.id, &c.owner, &c.query, &c.alert, &c.version); err != nil {
				rows.Close()
				return err
			}
			if !seen[c.id] {
				seen[c.id] = true
				cands = append(cands, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, c := range cands {
		cq := p.compiled(c.id, c.version, c.query)
		if cq == nil {
			continue
		}
		p.Stats.Evaluated.Add(1)
		if p.OnEvaluate != nil {
			p.OnEvaluate(c.id, doc.ID)
		}
		// The posting is judged as it was at its event, so that a rebuild
		// reaches the same decisions.
		if !cq.MatchPrepared(prepared, e.Time) {
			continue
		}
		p.Stats.Matched.Add(1)
		if _, err := tx.Exec(ctx, `INSERT INTO notifications (id, user_id, saved_search_id, job_id, title, org_name, alert, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			notificationID(e.Time, c.id, doc.ID), c.owner, c.id, doc.ID, doc.Title, doc.OrgName, c.alert, ts(e.Time)); err != nil {
			return err
		}
	}
	return nil
}

// posting builds the search document of the posting of a publish or renew
// event as it was at that event: its stream up to the event's version, its
// organization's name from the organization's events before it. nil when
// the posting is not published at that point.
func (p *Projection) posting(ctx context.Context, e eventstore.Event) (*search.Doc, error) {
	evs, err := p.db.Load(ctx, e.StreamID)
	if err != nil {
		return nil, err
	}
	var hist []eventstore.Event
	var publishedAt time.Time
	for _, ev := range evs {
		if ev.Version > e.Version {
			break
		}
		hist = append(hist, ev)
		if ev.Type == domain.JobPublished && publishedAt.IsZero() {
			var s domain.JobStatusEvent
			if err := json.Unmarshal(ev.Payload, &s); err != nil {
				return nil, err
			}
			publishedAt = s.At
		}
	}
	job := domain.NewJob()
	if err := domain.Load(job, e.StreamID, hist); err != nil {
		return nil, err
	}
	if job.Status() != domain.StatusPublished {
		return nil, nil
	}
	orgName, err := p.orgName(ctx, job.OrgID(), e.Position)
	if err != nil {
		return nil, err
	}
	d := job.Details()
	return &search.Doc{
		ID: e.StreamID, OrgID: job.OrgID(), OrgName: orgName,
		Title: d.Title, Description: d.Description, Skills: d.Skills,
		Seniority: d.Seniority, EmploymentType: d.EmploymentType, Salary: d.Salary,
		Eligibility: d.Eligibility, TimeZone: d.TimeZone,
		PublishedAt: search.PostedAt(d, publishedAt), ValidThrough: job.ValidThrough(),
	}, nil
}

// orgName is an organization's name as of the events before position before.
func (p *Projection) orgName(ctx context.Context, orgID string, before int64) (string, error) {
	if orgID == "" {
		return "", nil
	}
	evs, err := p.db.Load(ctx, orgID)
	if err != nil {
		return "", err
	}
	n := 0
	for n < len(evs) && evs[n].Position < before {
		n++
	}
	org := domain.NewOrg()
	if err := domain.Load(org, orgID, evs[:n]); err != nil {
		return "", err
	}
	return org.Details().Name, nil
}

// notificationID is a UUIDv7 made from the match's time and a hash of the
// saved search and posting: time-ordered like every other id (it doubles
// as the pagination cursor), and the same on every rebuild.
func notificationID(at time.Time, savedSearchID, jobID string) string {
	h := sha256.Sum256([]byte(savedSearchID + "/" + jobID))
	var u uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(u[:6], ms[2:])
	copy(u[6:], h[:10])
	// rand_a carries the sub-millisecond fraction (RFC 9562, method 3), so
	// notifications of the same millisecond still sort by time.
	frac := uint16(at.Nanosecond() % 1e6 * 4096 / 1e6) // #nosec G115 -- below 4096
	// frac < 4096, so its high byte is at most 0x0f; 0x70 marks version 7.
	u[6] = byte(frac>>8) | 0x70 // #nosec G115 -- at most 0x0f before the version bits
	u[7] = byte(frac & 0xff)
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	return u.String()
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func pairs(n int) string { return strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ") }

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
