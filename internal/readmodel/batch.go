package readmodel

import (
	"context"
	"strings"
)

// Batch reads for per-request loaders (GraphQL dataloaders): each runs one
// query whatever the number of ids, so that resolving a relation over a
// list costs the same for 2 rows as for 100. Callers bound the number of
// ids (a loader's batch capacity).

// inArgs returns "?,?,?" and the arguments for ids.
func inArgs(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// OrgsByID returns the organizations with these ids, by id; ids not found
// are absent.
func (q *Queries) OrgsByID(ctx context.Context, ids []string) (map[string]Org, error) {
	out := make(map[string]Org, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	marks, args := inArgs(ids)
	rows, err := q.db.Query(ctx, `SELECT `+orgCols+` FROM orgs WHERE id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

// ProfilesByID returns the profiles with these ids (erased ones included,
// flagged), by id; ids not found are absent.
func (q *Queries) ProfilesByID(ctx context.Context, ids []string) (map[string]Profile, error) {
	out := make(map[string]Profile, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	marks, args := inArgs(ids)
	rows, err := q.db.Query(ctx, `SELECT `+profileCols+` FROM profiles WHERE id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

// RolesIn returns a user's roles in these organizations, by organization
// id; organizations the user is not a member of are absent.
func (q *Queries) RolesIn(ctx context.Context, userID string, orgIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(orgIDs))
	if len(orgIDs) == 0 {
		return out, nil
	}
	marks, args := inArgs(orgIDs)
	rows, err := q.db.Query(ctx, `SELECT org_id, role FROM org_members WHERE user_id = ? AND org_id IN (`+marks+`)`, append([]any{userID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org, role string
		if err := rows.Scan(&org, &role); err != nil {
			return nil, err
		}
		out[org] = role
	}
	return out, rows.Err()
}

// AppliedTo returns which of these postings the person has applied to.
func (q *Queries) AppliedTo(ctx context.Context, candidateID string, jobIDs []string) (map[string]bool, error) {
	if len(jobIDs) == 0 {
		return map[string]bool{}, nil
	}
	marks, args := inArgs(jobIDs)
	return q.idSet(ctx, `SELECT DISTINCT job_id FROM applications WHERE candidate_id = ? AND job_id IN (`+marks+`)`, append([]any{candidateID}, args...)...)
}

// idSet runs a query of one id column and returns the ids as a set.
func (q *Queries) idSet(ctx context.Context, query string, args ...any) (map[string]bool, error) {
	rows, err := q.db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// MembersOfOrgs lists the members of these organizations, by organization
// id, in the order of Members; every id has an entry (empty when none).
func (q *Queries) MembersOfOrgs(ctx context.Context, orgIDs []string) (map[string][]Member, error) {
	out := make(map[string][]Member, len(orgIDs))
	for _, id := range orgIDs {
		out[id] = []Member{}
	}
	if len(orgIDs) == 0 {
		return out, nil
	}
	marks, args := inArgs(orgIDs)
	rows, err := q.db.Query(ctx, `SELECT org_id, user_id, role, added_at FROM org_members WHERE org_id IN (`+marks+`) ORDER BY org_id, added_at, user_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m Member
		var at string
		if err := rows.Scan(&m.OrgID, &m.UserID, &m.Role, &at); err != nil {
			return nil, err
		}
		m.AddedAt = parseTS(at)
		out[m.OrgID] = append(out[m.OrgID], m)
	}
	return out, rows.Err()
}

// ApplicantsAmong returns which of these profiles applied to any job of
// any of these organizations.
func (q *Queries) ApplicantsAmong(ctx context.Context, orgIDs, profileIDs []string) (map[string]bool, error) {
	if len(orgIDs) == 0 || len(profileIDs) == 0 {
		return map[string]bool{}, nil
	}
	orgMarks, orgArgs := inArgs(orgIDs)
	profMarks, profArgs := inArgs(profileIDs)
	return q.idSet(ctx, `SELECT DISTINCT profile_id FROM applications WHERE org_id IN (`+orgMarks+`) AND profile_id IN (`+profMarks+`)`,
		append(orgArgs, profArgs...)...)
}

// NotesOf lists the notes of these applications of one organization, by
// application id, oldest first (an id of another organization's
// application gets none: org_id is part of the condition).
func (q *Queries) NotesOf(ctx context.Context, orgID string, applicationIDs []string) (map[string][]Note, error) {
	out := map[string][]Note{}
	if len(applicationIDs) == 0 {
		return out, nil
	}
	marks, args := inArgs(applicationIDs)
	rows, err := q.db.Query(ctx, `SELECT `+noteCols+` FROM application_notes
		WHERE org_id = ? AND application_id IN (`+marks+`) ORDER BY application_id, id`, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, err
		}
		out[n.ApplicationID] = append(out[n.ApplicationID], n)
	}
	return out, rows.Err()
}
