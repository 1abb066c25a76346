package readmodel

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Queries reads the SQL read models.
type Queries struct{ db *store.DB }

// NewQueries returns Queries over db.
func NewQueries(db *store.DB) *Queries { return &Queries{db: db} }

// Page is a page of results with the cursor of the next page ("" at the end).
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// EncodeCursor makes an opaque cursor from the last id of a page.
func EncodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte("v1:" + id)) }

// DecodeCursor reads a cursor made by EncodeCursor.
func DecodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "v1:") || !meridian.ValidID(string(b[3:])) {
		return "", meridian.Errorf(meridian.EInvalid, "cursor is not valid; use the nextCursor of a previous page")
	}
	return string(b[3:]), nil
}

// encodeTimeCursor makes an opaque cursor from the last row of a page
// ordered by time, then id (rows whose ids do not follow time, such as
// applications, whose ids derive from the profile and the posting).
func encodeTimeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v2:" + meridian.FormatTime(at) + "|" + id))
}

// decodeTimeCursor reads a cursor made by encodeTimeCursor: the row's time
// as stored (meridian.TimeLayout) and its id.
func decodeTimeCursor(c string) (at, id string, err error) {
	if c == "" {
		return "", "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if rest, ok := strings.CutPrefix(string(b), "v2:"); err == nil && ok {
		at, id, ok = strings.Cut(rest, "|")
		if t, terr := meridian.ParseTime(at); ok && terr == nil && meridian.FormatTime(t) == at && meridian.ValidID(id) {
			return at, id, nil
		}
	}
	return "", "", meridian.Errorf(meridian.EInvalid, "cursor is not valid; use the nextCursor of a previous page")
}

func clampLimit(n int) int {
	if n <= 0 {
		return 20
	}
	if n > 100 {
		return 100
	}
	return n
}

func parseTS(s string) time.Time { t, _ := meridian.ParseTime(s); return t }

func parseTSPtr(s string) *time.Time {
	if s == "" {
		return nil
	}
	t := parseTS(s)
	return &t
}

func notFound(what, id string) error {
	return meridian.Errorf(meridian.ENotFound, "%s %s not found", what, id)
}

// where builds a conjunction of conditions with their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// ---- organizations ----

const orgCols = `id, name, slug, website, description, created_at, updated_at, version`

func scanOrg(row interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var c, u string
	err := row.Scan(&o.ID, &o.Name, &o.Slug, &o.Website, &o.Description, &c, &u, &o.Version)
	o.CreatedAt, o.UpdatedAt = parseTS(c), parseTS(u)
	return o, err
}

// Org returns one organization.
func (q *Queries) Org(ctx context.Context, id string) (Org, error) {
	o, err := scanOrg(q.db.QueryRow(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, notFound("organization", id)
	}
	return o, err
}

// Orgs lists organizations by id.
func (q *Queries) Orgs(ctx context.Context, cursor string, limit int) (Page[Org], error) {
	var page Page[Org]
	after, err := DecodeCursor(cursor)
	if err != nil {
		return page, err
	}
	limit = clampLimit(limit)
	w := &where{}
	if after != "" {
		w.add("id < ?", after)
	}
	rows, err := q.db.Query(ctx, `SELECT `+orgCols+` FROM orgs`+w.sql()+` ORDER BY id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, o)
	}
	return finishPage(page, limit, func(o Org) string { return o.ID }), rows.Err()
}

func finishPage[T any](p Page[T], limit int, id func(T) string) Page[T] {
	return finishPageCursor(p, limit, func(t T) string { return EncodeCursor(id(t)) })
}

// finishPageCursor is finishPage with the cursor made by cursor.
func finishPageCursor[T any](p Page[T], limit int, cursor func(T) string) Page[T] {
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.NextCursor = cursor(p.Items[limit-1])
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

// Members lists an organization's members.
func (q *Queries) Members(ctx context.Context, orgID string) ([]Member, error) {
	rows, err := q.db.Query(ctx, `SELECT org_id, user_id, role, added_at FROM org_members WHERE org_id = ? ORDER BY added_at, user_id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var at string
		if err := rows.Scan(&m.OrgID, &m.UserID, &m.Role, &at); err != nil {
			return nil, err
		}
		m.AddedAt = parseTS(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// ---- jobs ----

const jobCols = `id, org_id, org_name, status, title, description_md, description_html, seniority, employment_type, salary_min, salary_max, salary_currency, salary_period,
	skills, eligibility, timezone, apply_url, source, valid_through, published_at, posted_at, closed_at, close_reason, created_at, updated_at, version`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var smin, smax sql.NullInt64
	var cur, period, skills, elig, tz, vt, pub, posted, closed, c, u string
	err := row.Scan(&j.ID, &j.OrgID, &j.OrgName, &j.Status, &j.Title, &j.Description, &j.DescriptionHTML, &j.Seniority, &j.EmploymentType,
		&smin, &smax, &cur, &period, &skills, &elig, &tz, &j.ApplyURL, &j.Source, &vt, &pub, &posted, &closed, &j.CloseReason, &c, &u, &j.Version)
	if err != nil {
		return j, err
	}
	if cur != "" {
		j.Salary = &domain.Salary{Min: smin.Int64, Max: smax.Int64, Currency: cur, Period: period}
	}
	_ = json.Unmarshal([]byte(skills), &j.Skills)
	if j.Skills == nil {
		j.Skills = []domain.SkillRequirement{}
	}
	_ = json.Unmarshal([]byte(elig), &j.Eligibility)
	if tz != "{}" && tz != "" {
		j.TimeZone = &domain.TimeZoneRule{}
		_ = json.Unmarshal([]byte(tz), j.TimeZone)
	}
	j.ValidThrough, j.PublishedAt, j.PostedAt, j.ClosedAt = parseTSPtr(vt), parseTSPtr(pub), parseTSPtr(posted), parseTSPtr(closed)
	j.CreatedAt, j.UpdatedAt = parseTS(c), parseTS(u)
	return j, nil
}

// EffectiveStatus is a job's status at now: a published posting past its
// validThrough is expired even before its expiry event is recorded.
func (j *Job) EffectiveStatus(now time.Time) string {
	if j.Status == domain.StatusPublished && j.ValidThrough != nil && !now.Before(*j.ValidThrough) {
		return domain.StatusExpired
	}
	return j.Status
}

// Job returns one job posting in any status.
func (q *Queries) Job(ctx context.Context, id string) (Job, error) {
	j, err := scanJob(q.db.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, notFound("job", id)
	}
	return j, err
}

// JobsByID returns the postings with these ids (any status) by id; ids
// not found are absent.
func (q *Queries) JobsByID(ctx context.Context, ids []string) (map[string]Job, error) {
	out := make(map[string]Job, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	marks, args := inArgs(ids)
	rows, err := q.db.Query(ctx, `SELECT `+jobCols+` FROM jobs WHERE id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out[j.ID] = j
	}
	return out, rows.Err()
}

// JobFilter selects job postings.
type JobFilter struct {
	// OrgID limits to one organization.
	OrgID string
	// Statuses limits to these statuses; empty means published and not
	// expired at Now (what anonymous readers see).
	Statuses       []string
	Skills         []string // all of
	Seniority      string
	EmploymentType string
	// Country limits to postings a person in that country may work.
	Country string
	// Region limits to postings filed under that region code (or worldwide).
	Region      string
	Q           string // substring of the title
	PostedSince time.Time
	Now         time.Time
	Cursor      string
	Limit       int
}

// Jobs lists job postings, newest first (by when they were created:
// imported postings have ids derived from their source, which do not
// follow time).
func (q *Queries) Jobs(ctx context.Context, f JobFilter) (Page[Job], error) {
	var page Page[Job]
	at, after, err := decodeTimeCursor(f.Cursor)
	if err != nil {
		return page, err
	}
	limit := clampLimit(f.Limit)
	w := &where{}
	if len(f.Statuses) == 0 {
		w.add("status = ? AND valid_through > ?", domain.StatusPublished, meridian.FormatTime(f.Now))
	} else {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",")
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			args[i] = s
		}
		w.add("status IN ("+ph+")", args...)
	}
	if f.OrgID != "" {
		w.add("org_id = ?", f.OrgID)
	}
	if f.Seniority != "" {
		w.add("seniority = ?", f.Seniority)
	}
	if f.EmploymentType != "" {
		w.add("employment_type = ?", f.EmploymentType)
	}
	for _, s := range f.Skills {
		w.add("EXISTS (SELECT 1 FROM job_skills s WHERE s.job_id = jobs.id AND s.skill = ?)", domain.NormalizeSkillID(s))
	}
	if f.Country != "" {
		codes := append([]string{domain.Worldwide, f.Country}, domain.RegionsOf(f.Country)...)
		ph := strings.TrimSuffix(strings.Repeat("?,", len(codes)), ",")
		args := make([]any, len(codes))
		for i, c := range codes {
			args[i] = c
		}
		w.add("EXISTS (SELECT 1 FROM job_places p WHERE p.job_id = jobs.id AND p.code IN ("+ph+"))", args...)
	}
	if f.Region != "" {
		w.add("EXISTS (SELECT 1 FROM job_places p WHERE p.job_id = jobs.id AND p.code IN (?, ?))", domain.Worldwide, f.Region)
	}
	if f.Q != "" {
		w.add("LOWER(title) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(f.Q))+"%")
	}
	if !f.PostedSince.IsZero() {
		w.add("published_at >= ?", meridian.FormatTime(f.PostedSince))
	}
	if after != "" {
		w.add("(created_at < ? OR (created_at = ? AND id < ?))", at, at, after)
	}
	rows, err := q.db.Query(ctx, `SELECT `+jobCols+` FROM jobs`+w.sql()+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, j)
	}
	return finishPageCursor(page, limit, func(j Job) string { return encodeTimeCursor(j.CreatedAt, j.ID) }), rows.Err()
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// DueForExpiry returns published jobs whose validThrough has passed.
func (q *Queries) DueForExpiry(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT id FROM jobs WHERE status = ? AND valid_through <> '' AND valid_through <= ? ORDER BY valid_through LIMIT ?`,
		domain.StatusPublished, meridian.FormatTime(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ---- profiles ----

const profileCols = `id, owner_id, visibility, display_name, headline, summary, skills, time_zone, work_start, work_end, countries,
	salary_floor, salary_currency, salary_period, seniority, erased, created_at, updated_at, version`

func scanProfile(row interface{ Scan(...any) error }) (Profile, error) {
	var p Profile
	var skills, countries, cur, period, c, u string
	var floor sql.NullInt64
	var erased int
	err := row.Scan(&p.ID, &p.OwnerID, &p.Visibility, &p.DisplayName, &p.Headline, &p.Summary, &skills, &p.TimeZone, &p.WorkStart, &p.WorkEnd,
		&countries, &floor, &cur, &period, &p.Seniority, &erased, &c, &u, &p.Version)
	if err != nil {
		return p, err
	}
	_ = json.Unmarshal([]byte(skills), &p.Skills)
	_ = json.Unmarshal([]byte(countries), &p.Countries)
	if p.Skills == nil {
		p.Skills = []domain.ProfileSkill{}
	}
	if p.Countries == nil {
		p.Countries = []string{}
	}
	if cur != "" {
		p.SalaryFloor = &domain.Salary{Min: floor.Int64, Currency: cur, Period: period}
	}
	p.Erased = erased != 0
	p.CreatedAt, p.UpdatedAt = parseTS(c), parseTS(u)
	return p, nil
}

// Profile returns one profile.
func (q *Queries) Profile(ctx context.Context, id string) (Profile, error) {
	p, err := scanProfile(q.db.QueryRow(ctx, `SELECT `+profileCols+` FROM profiles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("profile", id)
	}
	return p, err
}

// ProfileFilter selects profiles.
type ProfileFilter struct {
	OwnerID    string
	Visibility []string
	Cursor     string
	Limit      int
}

// Profiles lists profiles, newest first (by when they were created:
// profiles imported from a résumé have ids derived from it).
func (q *Queries) Profiles(ctx context.Context, f ProfileFilter) (Page[Profile], error) {
	var page Page[Profile]
	at, after, err := decodeTimeCursor(f.Cursor)
	if err != nil {
		return page, err
	}
	limit := clampLimit(f.Limit)
	w := &where{}
	w.add("erased = 0")
	if f.OwnerID != "" {
		w.add("owner_id = ?", f.OwnerID)
	}
	if len(f.Visibility) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.Visibility)), ",")
		args := make([]any, len(f.Visibility))
		for i, v := range f.Visibility {
			args[i] = v
		}
		w.add("visibility IN ("+ph+")", args...)
	}
	if after != "" {
		w.add("(created_at < ? OR (created_at = ? AND id < ?))", at, at, after)
	}
	rows, err := q.db.Query(ctx, `SELECT `+profileCols+` FROM profiles`+w.sql()+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, p)
	}
	return finishPageCursor(page, limit, func(p Profile) string { return encodeTimeCursor(p.CreatedAt, p.ID) }), rows.Err()
}

// ---- applications ----

const appCols = `id, job_id, org_id, profile_id, candidate_id, stage, reason_code, cover_letter, created_at, updated_at, version`

func scanApp(row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var c, u string
	err := row.Scan(&a.ID, &a.JobID, &a.OrgID, &a.ProfileID, &a.CandidateID, &a.Stage, &a.ReasonCode, &a.CoverLetter, &c, &u, &a.Version)
	a.CreatedAt, a.UpdatedAt = parseTS(c), parseTS(u)
	a.NextStages = domain.NextStages(a.Stage)
	if a.NextStages == nil {
		a.NextStages = []string{}
	}
	return a, err
}

// Application returns one application with its stage history.
func (q *Queries) Application(ctx context.Context, id string) (Application, error) {
	a, err := scanApp(q.db.QueryRow(ctx, `SELECT `+appCols+` FROM applications WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("application", id)
	}
	if err != nil {
		return a, err
	}
	rows, err := q.db.Query(ctx, `SELECT seq, from_stage, to_stage, reason_code, actor, at FROM application_history WHERE application_id = ? ORDER BY seq`, id)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var h StageHistory
		var at string
		if err := rows.Scan(&h.Seq, &h.From, &h.To, &h.ReasonCode, &h.Actor, &at); err != nil {
			return a, err
		}
		h.At = parseTS(at)
		a.History = append(a.History, h)
	}
	return a, rows.Err()
}

// ApplicationFilter selects applications.
type ApplicationFilter struct {
	JobID, OrgID, ProfileID, CandidateID, Stage string
	Cursor                                      string
	Limit                                       int
}

// Applications lists applications, newest first (by when they were
// made: their ids derive from the profile and the posting, and do not
// follow time).
func (q *Queries) Applications(ctx context.Context, f ApplicationFilter) (Page[Application], error) {
	var page Page[Application]
	at, after, err := decodeTimeCursor(f.Cursor)
	if err != nil {
		return page, err
	}
	limit := clampLimit(f.Limit)
	w := appWhere(f)
	if after != "" {
		w.add("(created_at < ? OR (created_at = ? AND id < ?))", at, at, after)
	}
	rows, err := q.db.Query(ctx, `SELECT `+appCols+` FROM applications`+w.sql()+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, a)
	}
	return finishPageCursor(page, limit, func(a Application) string { return encodeTimeCursor(a.CreatedAt, a.ID) }), rows.Err()
}

// appWhere is the condition of f's fields (the cursor and limit aside).
func appWhere(f ApplicationFilter) *where {
	w := &where{}
	for col, v := range map[string]string{"job_id": f.JobID, "org_id": f.OrgID, "profile_id": f.ProfileID, "candidate_id": f.CandidateID, "stage": f.Stage} {
		if v != "" {
			w.add(col+" = ?", v)
		}
	}
	return w
}

// ApplicationStages counts the applications f selects, by stage (the
// cursor and limit are ignored).
func (q *Queries) ApplicationStages(ctx context.Context, f ApplicationFilter) (map[string]int, error) {
	w := appWhere(f)
	rows, err := q.db.Query(ctx, `SELECT stage, COUNT(*) FROM applications`+w.sql()+` GROUP BY stage`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var stage string
		var n int
		if err := rows.Scan(&stage, &n); err != nil {
			return nil, err
		}
		out[stage] = n
	}
	return out, rows.Err()
}

// Notes lists an application's notes, oldest first.
func (q *Queries) Notes(ctx context.Context, applicationID string) ([]Note, error) {
	rows, err := q.db.Query(ctx, `SELECT `+noteCols+` FROM application_notes WHERE application_id = ? ORDER BY id`, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

const noteCols = `id, application_id, author_id, body, created_at`

func scanNote(row interface{ Scan(...any) error }) (Note, error) {
	var n Note
	var at string
	err := row.Scan(&n.ID, &n.ApplicationID, &n.AuthorID, &n.Body, &at)
	n.CreatedAt = parseTS(at)
	return n, err
}

// OrgsOf returns the organizations a user is a member of.
func (q *Queries) OrgsOf(ctx context.Context, userID string) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT org_id FROM org_members WHERE user_id = ? ORDER BY org_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
