package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/markdown"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Projection builds the SQL read models. Its Apply runs inside the
// projector's transaction, which also advances its checkpoint, so each event
// is applied exactly once.
type Projection struct{}

// Name is the projection's checkpoint name.
func (Projection) Name() string { return "sql-read-models" }

// Tables lists the tables this projection owns, in deletion order.
var Tables = []string{"application_notes", "application_history", "applications", "profiles", "job_places", "job_skills", "jobs", "org_members", "orgs"}

// Reset deletes every read-model row (before a rebuild).
func (Projection) Reset(ctx context.Context, tx *store.Tx) error {
	for _, t := range Tables {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("reset %s: %w", t, err)
		}
	}
	return nil
}

func ts(e eventstore.Event) string { return meridian.FormatTime(e.Time) }

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// Apply folds one event into the read models.
func (p Projection) Apply(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	var err error
	switch e.StreamType {
	case "org":
		err = p.org(ctx, tx, e)
	case "job":
		err = p.job(ctx, tx, e)
	case "profile":
		err = p.profile(ctx, tx, e)
	case "application":
		err = p.application(ctx, tx, e)
	}
	if err != nil {
		return fmt.Errorf("project %s %s (position %d): %w", e.Type, e.StreamID, e.Position, err)
	}
	return nil
}

func (Projection) org(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	switch e.Type {
	case domain.OrgCreated:
		var c domain.OrgCreatedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO orgs (id, name, slug, website, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, e.StreamID, c.Name, c.Slug, c.Website, c.Description, c.OwnerID, ts(e), ts(e), e.Version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO org_members (org_id, user_id, role, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`,
			e.StreamID, c.OwnerID, domain.RoleOwner, ts(e))
		return err
	case domain.OrgUpdated:
		var d domain.OrgDetails
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE orgs SET name = ?, website = ?, description = ?, updated_at = ?, version = ? WHERE id = ?`,
			d.Name, d.Website, d.Description, ts(e), e.Version, e.StreamID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE jobs SET org_name = ? WHERE org_id = ?`, d.Name, e.StreamID)
		return err
	case domain.OrgMemberAdded, domain.OrgMemberRoleChanged, domain.OrgMemberRemoved:
		var m domain.MemberEvent
		if err := json.Unmarshal(e.Payload, &m); err != nil {
			return err
		}
		var err error
		if e.Type == domain.OrgMemberRemoved {
			_, err = tx.Exec(ctx, `DELETE FROM org_members WHERE org_id = ? AND user_id = ?`, e.StreamID, m.UserID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO org_members (org_id, user_id, role, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`,
				e.StreamID, m.UserID, m.Role, ts(e))
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE orgs SET updated_at = ?, version = ? WHERE id = ?`, ts(e), e.Version, e.StreamID)
		return err
	}
	return nil
}

func salaryCols(s *domain.Salary) (min, max any, cur, period string) {
	if s == nil {
		return nil, nil, "", ""
	}
	min, max = s.Min, s.Max
	if s.Min == 0 {
		min = nil
	}
	if s.Max == 0 {
		max = nil
	}
	return min, max, s.Currency, s.Period
}

func (Projection) writeJobDetails(ctx context.Context, tx *store.Tx, e eventstore.Event, d domain.JobDetails) error {
	smin, smax, cur, period := salaryCols(d.Salary)
	var tz any = "{}"
	if d.TimeZone != nil {
		tz = jsonText(d.TimeZone)
	}
	// An empty validThrough keeps the stored one (a published job's expiry
	// is only moved by its publish, renew and update-with-date events).
	vt := meridian.FormatTime(d.ValidThrough)
	// Most edits leave skills and eligibility alone; their index rows are
	// rewritten only when they changed (fewer round trips per event).
	skills, elig := jsonText(d.Skills), jsonText(d.Eligibility)
	const set = `title = ?, description_md = ?, description_html = ?, seniority = ?, employment_type = ?,
		salary_min = ?, salary_max = ?, salary_currency = ?, salary_period = ?, skills = ?, eligibility = ?, timezone = ?, apply_url = ?, source = ?,
		valid_through = CASE WHEN ? = '' THEN valid_through ELSE ? END, posted_at = CASE WHEN ? = '' THEN posted_at ELSE ? END, updated_at = ?, version = ?`
	var posted string
	if !d.PostedAt.IsZero() {
		posted = meridian.FormatTime(d.PostedAt)
	}
	args := []any{d.Title, d.Description, markdown.Render(d.Description), d.Seniority, d.EmploymentType, smin, smax, cur, period,
		skills, elig, tz, d.ApplyURL, d.Source, vt, vt, posted, posted, ts(e), e.Version}
	var oldSkills, oldElig string
	if tx.Dialect() == store.Postgres {
		// One round trip: the update returns the row's previous values.
		err := tx.QueryRow(ctx, `UPDATE jobs AS j SET `+set+` FROM (SELECT id, skills, eligibility FROM jobs WHERE id = ?) AS old
			WHERE j.id = old.id RETURNING old.skills, old.eligibility`, append(args[:len(args):len(args)], e.StreamID)...).Scan(&oldSkills, &oldElig)
		if err != nil {
			return err
		}
	} else {
		if err := tx.QueryRow(ctx, `SELECT skills, eligibility FROM jobs WHERE id = ?`, e.StreamID).Scan(&oldSkills, &oldElig); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE jobs SET `+set+` WHERE id = ?`, append(args, e.StreamID)...); err != nil {
			return err
		}
	}
	if skills != oldSkills {
		if err := writeJobSkills(ctx, tx, e.StreamID, d.Skills); err != nil {
			return err
		}
	}
	if elig != oldElig {
		return writeJobPlaces(ctx, tx, e.StreamID, d.Eligibility)
	}
	return nil
}

func writeJobSkills(ctx context.Context, tx *store.Tx, jobID string, skills []domain.SkillRequirement) error {
	if _, err := tx.Exec(ctx, `DELETE FROM job_skills WHERE job_id = ?`, jobID); err != nil {
		return err
	}
	if len(skills) > 0 {
		args := make([]any, 0, 4*len(skills))
		for _, s := range skills {
			req := 0
			if s.Required {
				req = 1
			}
			args = append(args, jobID, s.Skill, req, s.Level)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO job_skills (job_id, skill, required, level) VALUES `+rows(len(skills), 4), args...); err != nil {
			return err
		}
	}
	return nil
}

func writeJobPlaces(ctx context.Context, tx *store.Tx, jobID string, elig domain.Eligibility) error {
	if _, err := tx.Exec(ctx, `DELETE FROM job_places WHERE job_id = ?`, jobID); err != nil {
		return err
	}
	if places := dedupe(elig.Places()); len(places) > 0 {
		args := make([]any, 0, 2*len(places))
		for _, code := range places {
			args = append(args, jobID, code)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO job_places (job_id, code) VALUES `+rows(len(places), 2), args...); err != nil {
			return err
		}
	}
	return nil
}

// rows returns n parenthesized groups of cols placeholders for a multi-row INSERT.
func rows(n, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (p Projection) job(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	switch e.Type {
	case domain.JobDrafted:
		var c domain.JobDraftedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO jobs (id, org_id, org_name, status, title, created_at, updated_at, version)
			VALUES (?, ?, COALESCE((SELECT name FROM orgs WHERE id = ?), ''), ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.StreamID, c.OrgID, c.OrgID, domain.StatusDraft, c.Details.Title, ts(e), ts(e), e.Version); err != nil {
			return err
		}
		return p.writeJobDetails(ctx, tx, e, c.Details)
	case domain.JobUpdated:
		var d domain.JobDetails
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			return err
		}
		return p.writeJobDetails(ctx, tx, e, d)
	case domain.JobPublished, domain.JobRenewed:
		var s domain.JobStatusEvent
		if err := json.Unmarshal(e.Payload, &s); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = ?, valid_through = ?, published_at = CASE WHEN published_at = '' THEN ? ELSE published_at END,
			updated_at = ?, version = ? WHERE id = ?`,
			domain.StatusPublished, meridian.FormatTime(s.ValidThrough), meridian.FormatTime(s.At), ts(e), e.Version, e.StreamID)
		return err
	case domain.JobClosed:
		var s domain.JobStatusEvent
		if err := json.Unmarshal(e.Payload, &s); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = ?, closed_at = ?, close_reason = ?, updated_at = ?, version = ? WHERE id = ?`,
			domain.StatusClosed, meridian.FormatTime(s.At), s.Reason, ts(e), e.Version, e.StreamID)
		return err
	case domain.JobExpired:
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = ?, updated_at = ?, version = ? WHERE id = ?`, domain.StatusExpired, ts(e), e.Version, e.StreamID)
		return err
	}
	return nil
}

func (Projection) writeProfile(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	if e.Erased {
		_, err := tx.Exec(ctx, `UPDATE profiles SET erased = 1, display_name = '', headline = '', summary = '', skills = '[]', time_zone = '', work_start = '', work_end = '',
			countries = '[]', salary_floor = NULL, salary_currency = '', salary_period = '', seniority = '', updated_at = ?, version = ? WHERE id = ?`, ts(e), e.Version, e.StreamID)
		return err
	}
	var d domain.ProfileDetails
	if err := json.Unmarshal(e.Personal, &d); err != nil {
		return err
	}
	var floor any
	var cur, period string
	if d.SalaryFloor != nil {
		floor, cur, period = d.SalaryFloor.Min, d.SalaryFloor.Currency, d.SalaryFloor.Period
	}
	_, err := tx.Exec(ctx, `UPDATE profiles SET display_name = ?, headline = ?, summary = ?, skills = ?, time_zone = ?, work_start = ?, work_end = ?, countries = ?,
		salary_floor = ?, salary_currency = ?, salary_period = ?, seniority = ?, updated_at = ?, version = ? WHERE id = ?`,
		d.DisplayName, d.Headline, d.Summary, jsonText(d.Skills), d.TimeZone, d.WorkStart, d.WorkEnd, jsonText(d.Countries),
		floor, cur, period, d.Seniority, ts(e), e.Version, e.StreamID)
	return err
}

func (p Projection) profile(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	switch e.Type {
	case domain.ProfileCreated:
		var c domain.ProfileCreatedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO profiles (id, owner_id, visibility, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.StreamID, c.OwnerID, c.Visibility, ts(e), ts(e), e.Version); err != nil {
			return err
		}
		return p.writeProfile(ctx, tx, e)
	case domain.ProfileUpdated:
		return p.writeProfile(ctx, tx, e)
	case domain.ProfileVisibilityChanged:
		var v domain.VisibilityEvent
		if err := json.Unmarshal(e.Payload, &v); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE profiles SET visibility = ?, updated_at = ?, version = ? WHERE id = ?`, v.Visibility, ts(e), e.Version, e.StreamID)
		return err
	}
	return nil
}

func (Projection) application(ctx context.Context, tx *store.Tx, e eventstore.Event) error {
	switch e.Type {
	case domain.ApplicationSubmitted:
		var c domain.ApplicationSubmittedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		var personal domain.ApplicationPersonal
		if len(e.Personal) > 0 {
			if err := json.Unmarshal(e.Personal, &personal); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO applications (id, job_id, org_id, profile_id, candidate_id, stage, cover_letter, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.StreamID, c.JobID, c.OrgID, c.ProfileID, c.CandidateID, domain.StageApplied, personal.CoverLetter, ts(e), ts(e), e.Version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO application_history (application_id, seq, from_stage, to_stage, actor, at) VALUES (?, ?, '', ?, ?, ?) ON CONFLICT DO NOTHING`,
			e.StreamID, e.Version, domain.StageApplied, e.Actor, ts(e))
		return err
	case domain.ApplicationStageChanged:
		var c domain.StageChangedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE applications SET stage = ?, reason_code = ?, updated_at = ?, version = ? WHERE id = ?`, c.To, c.ReasonCode, ts(e), e.Version, e.StreamID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO application_history (application_id, seq, from_stage, to_stage, reason_code, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			e.StreamID, e.Version, c.From, c.To, c.ReasonCode, e.Actor, ts(e))
		return err
	case domain.ApplicationNoteAdded:
		var c domain.NoteAddedEvent
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		var n domain.NotePersonal
		if e.Erased {
			n.Body = "[erased]"
		} else if err := json.Unmarshal(e.Personal, &n); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO application_notes (id, application_id, org_id, author_id, body, created_at)
			VALUES (?, ?, COALESCE((SELECT org_id FROM applications WHERE id = ?), ''), ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			c.NoteID, e.StreamID, e.StreamID, c.AuthorID, n.Body, ts(e)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE applications SET updated_at = ?, version = ? WHERE id = ?`, ts(e), e.Version, e.StreamID)
		return err
	}
	return nil
}
