package email

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Links into the web app.
func (w *Worker) link(path string) string {
	return strings.TrimRight(w.cfg.BaseURL, "/") + path
}

func (w *Worker) jobURL(id string) string { return w.link("/jobs/" + url.PathEscape(id)) }

// savedSearchURL is the saved search on the web app's list of them.
func (w *Worker) savedSearchURL(id string) string {
	return w.link("/me/saved-searches#search-" + url.PathEscape(id))
}

// applicationURL is the application on the web app's list of the
// candidate's applications.
func (w *Worker) applicationURL(id string) string {
	return w.link("/me/applications#application-" + url.PathEscape(id))
}

// UnsubscribeURL is the link (and List-Unsubscribe target) for u.
func (w *Worker) UnsubscribeURL(u Unsubscribe) string {
	return w.link("/unsubscribe?token=" + url.QueryEscape(w.tokens.Sign(u)))
}

// MessageID is the Message-ID (without angle brackets) of an outbox
// e-mail: the same on every attempt, so that a retry after a crash can be
// recognized as the same message.
func (w *Worker) MessageID(emailID string) string { return emailID + "@" + w.host }

// savedSearchRow is a saved search as an e-mail needs it.
type savedSearchRow struct {
	id, owner, name, alert string
	version                int64
}

// match is one notification with its saved search.
type match struct {
	jobID, title, orgName string
	search                savedSearchRow
}

// loadMatch reads a notification; ok is false when it is gone (its saved
// search was deleted, or its owner erased).
func (w *Worker) loadMatch(ctx context.Context, notificationID string) (match, bool, error) {
	var m match
	err := w.db.QueryRow(ctx, `SELECT n.job_id, n.title, n.org_name, s.id, s.owner_id, s.name, s.alert, s.version
		FROM notifications n JOIN saved_searches s ON s.id = n.saved_search_id WHERE n.id = ?`, notificationID).
		Scan(&m.jobID, &m.title, &m.orgName, &m.search.id, &m.search.owner, &m.search.name, &m.search.alert, &m.search.version)
	if errors.Is(err, sql.ErrNoRows) {
		return match{}, false, nil
	}
	return m, err == nil, err
}

// wanted reports whether a match may still be e-mailed to userID: the
// saved search is theirs, its alert is on and they did not turn it off
// by e-mail.
func (w *Worker) wanted(ctx context.Context, userID string, m match) (bool, error) {
	if m.search.owner != userID || m.search.alert == domain.AlertOff {
		return false, nil
	}
	out, err := optedOut(ctx, w.db, userID, AlertTopic(m.search.id), m.search.version)
	return !out, err
}

// build renders an outbox e-mail. skip, when not empty, says why there is
// nothing to send any more.
func (w *Worker) build(ctx context.Context, d due) (msg *mail.Msg, skip string, err error) {
	user, err := w.users.Get(ctx, d.userID)
	switch {
	case meridian.ErrorCode(err) == meridian.ENotFound:
		return nil, "no such user", nil
	case err != nil:
		return nil, "", err
	case user.Disabled:
		return nil, "user disabled", nil
	case user.Email == "":
		return nil, "no e-mail address", nil
	}
	var r ref
	if err := json.Unmarshal([]byte(d.ref), &r); err != nil {
		return nil, "unreadable outbox row", nil
	}
	var data renderable
	var unsub Unsubscribe
	switch d.kind {
	case KindAlert:
		data, unsub, skip, err = w.alertData(ctx, user, r)
	case KindDigest:
		data, unsub, skip, err = w.digestData(ctx, user, r)
	case KindApplication:
		data, unsub, skip, err = w.applicationData(ctx, user, r)
	default:
		return nil, "unknown kind " + d.kind, nil
	}
	if err != nil || skip != "" {
		return nil, skip, err
	}
	c := data.common()
	c.Name, c.BaseURL = user.Name, strings.TrimRight(w.cfg.BaseURL, "/")
	c.UnsubscribeURL = w.UnsubscribeURL(unsub)
	out, err := Render(data)
	if err != nil {
		return nil, "", err
	}
	m := mail.NewMsg()
	if err := m.From(w.cfg.SMTP.From); err != nil {
		return nil, "", err
	}
	if user.Name != "" {
		err = m.AddToFormat(user.Name, user.Email)
	} else {
		err = m.AddTo(user.Email)
	}
	if err != nil {
		return nil, "unusable e-mail address", nil
	}
	m.Subject(out.Subject)
	m.SetMessageIDWithValue(w.MessageID(d.id))
	m.SetDateWithValue(w.now())
	// RFC 8058 one-click unsubscribe (RFC 2369 List-Unsubscribe).
	m.SetGenHeaderPreformatted(mail.HeaderListUnsubscribe, "<"+c.UnsubscribeURL+">")
	m.SetGenHeaderPreformatted(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(mail.Header("X-Meridian-Kind"), d.kind)
	m.SetBodyString(mail.TypeTextPlain, out.Text)
	m.AddAlternativeString(mail.TypeTextHTML, out.HTML)
	return m, "", nil
}

func (w *Worker) alertData(ctx context.Context, user auth.User, r ref) (renderable, Unsubscribe, string, error) {
	m, ok, err := w.loadMatch(ctx, r.NotificationID)
	if err != nil || !ok {
		return nil, Unsubscribe{}, "match gone", err
	}
	if want, err := w.wanted(ctx, user.ID, m); err != nil || !want {
		return nil, Unsubscribe{}, "alert off", err
	}
	if m.search.alert != domain.AlertInstant {
		return nil, Unsubscribe{}, "alert no longer instant", nil
	}
	d := &AlertData{SearchName: m.search.name, SearchURL: w.savedSearchURL(m.search.id),
		JobTitle: m.title, OrgName: m.orgName, JobURL: w.jobURL(m.jobID)}
	d.Why = "You get this e-mail because instant alerts are on for your saved search \u201c" + m.search.name + "\u201d."
	d.UnsubscribeLabel = "Turn off this alert"
	return d, Unsubscribe{Scope: ScopeAlert, UserID: user.ID, Target: m.search.id}, "", nil
}

func (w *Worker) digestData(ctx context.Context, user auth.User, r ref) (renderable, Unsubscribe, string, error) {
	if out, err := optedOut(ctx, w.db, user.ID, CategoryDigest, 0); err != nil || out {
		return nil, Unsubscribe{}, "opted out of digests", err
	}
	d := &DigestData{}
	index := map[string]int{}
	for _, id := range r.NotificationIDs {
		m, ok, err := w.loadMatch(ctx, id)
		if err != nil {
			return nil, Unsubscribe{}, "", err
		}
		if !ok {
			continue
		}
		if want, err := w.wanted(ctx, user.ID, m); err != nil {
			return nil, Unsubscribe{}, "", err
		} else if !want {
			continue
		}
		i, seen := index[m.search.id]
		if !seen {
			i = len(d.Searches)
			index[m.search.id] = i
			d.Searches = append(d.Searches, DigestSearch{Name: m.search.name, URL: w.savedSearchURL(m.search.id),
				UnsubscribeURL: w.UnsubscribeURL(Unsubscribe{Scope: ScopeAlert, UserID: user.ID, Target: m.search.id})})
		}
		d.Searches[i].Jobs = append(d.Searches[i].Jobs, DigestJob{Title: m.title, OrgName: m.orgName, URL: w.jobURL(m.jobID)})
		d.Count++
	}
	if d.Count == 0 {
		return nil, Unsubscribe{}, "no matches left", nil
	}
	d.Why = "You get this daily digest because daily alerts are on for some of your saved searches."
	d.UnsubscribeLabel = "Stop daily digests"
	return d, Unsubscribe{Scope: ScopeCategory, UserID: user.ID, Target: CategoryDigest}, "", nil
}

func (w *Worker) applicationData(ctx context.Context, user auth.User, r ref) (renderable, Unsubscribe, string, error) {
	if out, err := optedOut(ctx, w.db, user.ID, CategoryApplications, 0); err != nil || out {
		return nil, Unsubscribe{}, "opted out of application updates", err
	}
	// The e-mail is the candidate's alone: the outbox row names them, and
	// the application must still say so.
	candidate, _, err := w.applicationOf(ctx, r.ApplicationID)
	if err != nil {
		return nil, Unsubscribe{}, "", err
	}
	if candidate != user.ID {
		return nil, Unsubscribe{}, "not the candidate", nil
	}
	title, orgName, err := w.jobInfo(ctx, r.JobID)
	if err != nil {
		return nil, Unsubscribe{}, "", err
	}
	d := &ApplicationData{JobTitle: title, OrgName: orgName, ApplicationURL: w.applicationURL(r.ApplicationID), From: r.From, To: r.To}
	d.Why = "You get this e-mail because you applied through Meridian."
	d.UnsubscribeLabel = "Stop e-mails about my applications"
	return d, Unsubscribe{Scope: ScopeCategory, UserID: user.ID, Target: CategoryApplications}, "", nil
}

// jobInfo returns a posting's current title and its organization's name.
func (w *Worker) jobInfo(ctx context.Context, jobID string) (title, orgName string, err error) {
	evs, err := w.db.Load(ctx, jobID)
	if err != nil {
		return "", "", err
	}
	job := domain.NewJob()
	if err := domain.Load(job, jobID, evs); err != nil {
		return "", "", err
	}
	if job.OrgID() != "" {
		oevs, err := w.db.Load(ctx, job.OrgID())
		if err != nil {
			return "", "", err
		}
		org := domain.NewOrg()
		if err := domain.Load(org, job.OrgID(), oevs); err != nil {
			return "", "", err
		}
		orgName = org.Details().Name
	}
	return job.Details().Title, orgName, nil
}
