package domain

import (
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Application stages.
const (
	StageApplied   = "applied"
	StageScreening = "screening"
	StageInterview = "interview"
	StageOffer     = "offer"
	StageHired     = "hired"
	StageRejected  = "rejected"
	StageWithdrawn = "withdrawn"
)

// Application event types. Cover letters and notes are personal data of the
// candidate and are sealed under the candidate's key.
const (
	ApplicationSubmitted    = "application.submitted.v1"
	ApplicationStageChanged = "application.stage_changed.v1"
	ApplicationNoteAdded    = "application.note_added.v1"
)

// stageEdges are the allowed forward moves; rejected and withdrawn are
// reachable from every non-final stage.
var stageEdges = map[string]string{
	StageApplied:   StageScreening,
	StageScreening: StageInterview,
	StageInterview: StageOffer,
	StageOffer:     StageHired,
}

// ReasonCodes lists the reason codes each final stage accepts.
var ReasonCodes = map[string][]string{
	StageHired:     {"offer_accepted"},
	StageRejected:  {"skills_mismatch", "experience_mismatch", "location_ineligible", "timezone_mismatch", "salary_mismatch", "position_filled", "position_closed", "not_selected", "other"},
	StageWithdrawn: {"accepted_other_offer", "no_longer_interested", "compensation", "process_too_slow", "relocation_or_eligibility", "other"},
}

// IsFinal reports whether a stage ends the application.
func IsFinal(stage string) bool { _, ok := ReasonCodes[stage]; return ok }

// NextStages returns the stages reachable from stage.
func NextStages(stage string) []string {
	if IsFinal(stage) {
		return nil
	}
	var out []string
	if n, ok := stageEdges[stage]; ok {
		out = append(out, n)
	}
	return append(out, StageRejected, StageWithdrawn)
}

// ApplicationSubmittedEvent is the public payload of application.submitted.v1.
type ApplicationSubmittedEvent struct {
	JobID       string    `json:"jobId"`
	OrgID       string    `json:"orgId"`
	ProfileID   string    `json:"profileId"`
	CandidateID string    `json:"candidateId"`
	At          time.Time `json:"at"`
}

// ApplicationPersonal is the sealed part of application.submitted.v1.
type ApplicationPersonal struct {
	CoverLetter string `json:"coverLetter,omitempty"`
}

// StageChangedEvent is the payload of application.stage_changed.v1.
type StageChangedEvent struct {
	From       string    `json:"from"`
	To         string    `json:"to"`
	ReasonCode string    `json:"reasonCode,omitempty"`
	At         time.Time `json:"at"`
}

// NoteAddedEvent is the public payload of application.note_added.v1.
type NoteAddedEvent struct {
	NoteID   string    `json:"noteId"`
	AuthorID string    `json:"authorId"`
	At       time.Time `json:"at"`
}

// NotePersonal is the sealed part of application.note_added.v1.
type NotePersonal struct {
	Body string `json:"body"`
}

// ApplicationID returns the one application id a profile can have for a job,
// so that the event store's stream uniqueness enforces "one application per
// profile and job" without a cross-aggregate lock.
func ApplicationID(profileID, jobID string) string {
	return meridian.DerivedID("application", profileID, jobID)
}

// Application is a developer's application to a job.
type Application struct {
	Root
	jobID, orgID, profileID, candidateID string
	stage                                string
}

// NewApplication returns an empty application aggregate.
func NewApplication() *Application { return &Application{} }

// StreamType implements Aggregate.
func (a *Application) StreamType() string { return "application" }

// Stage returns the current stage.
func (a *Application) Stage() string { return a.stage }

// OrgID returns the organization that owns the job.
func (a *Application) OrgID() string { return a.orgID }

// JobID returns the job applied to.
func (a *Application) JobID() string { return a.jobID }

// CandidateID returns the applicant's user id.
func (a *Application) CandidateID() string { return a.candidateID }

// Submit records an application. The caller passes the job and profile as
// loaded, so that the rules can see their state.
func (a *Application) Submit(job *Job, profile *Profile, coverLetter string, now time.Time) error {
	if a.Exists() {
		return meridian.Errorf(meridian.EConflict, "this profile has already applied to this job")
	}
	if st := job.StatusAt(now); st != StatusPublished {
		return ruleErr("applications are closed: the job is %s", st)
	}
	if profile.Erased() {
		return ruleErr("the profile has been erased")
	}
	if len(coverLetter) > 20000 {
		return (problems{"coverLetter": "must be at most 20000 characters"}).err("application")
	}
	var personal any
	if strings.TrimSpace(coverLetter) != "" {
		personal = ApplicationPersonal{CoverLetter: coverLetter}
	}
	return record(a, ApplicationSubmitted, ApplicationSubmittedEvent{
		JobID: job.ID(), OrgID: job.OrgID(), ProfileID: profile.ID(), CandidateID: profile.OwnerID(), At: now,
	}, profile.OwnerID(), personal)
}

// Move changes the stage along an allowed edge; final stages need a reason code.
func (a *Application) Move(to, reasonCode string, now time.Time) error {
	if IsFinal(a.stage) {
		return ruleErr("the application is already %s", a.stage)
	}
	allowed := NextStages(a.stage)
	ok := false
	for _, s := range allowed {
		ok = ok || s == to
	}
	if !ok {
		return ruleErr("cannot move from %s to %s; allowed: %s", a.stage, to, strings.Join(allowed, ", "))
	}
	if IsFinal(to) {
		codes := ReasonCodes[to]
		valid := false
		for _, c := range codes {
			valid = valid || c == reasonCode
		}
		if !valid {
			sorted := append([]string(nil), codes...)
			sort.Strings(sorted)
			return (problems{"reasonCode": "moving to " + to + " needs one of: " + strings.Join(sorted, ", ")}).err("stage change")
		}
	} else if reasonCode != "" {
		return (problems{"reasonCode": "only final stages take a reason code"}).err("stage change")
	}
	return record(a, ApplicationStageChanged, StageChangedEvent{From: a.stage, To: to, ReasonCode: reasonCode, At: now}, "", nil)
}

// AddNote records an organization-private note.
func (a *Application) AddNote(authorID, body string, now time.Time) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > 10000 {
		return "", (problems{"body": "must be 1 to 10000 characters"}).err("note")
	}
	id := meridian.NewID()
	return id, record(a, ApplicationNoteAdded, NoteAddedEvent{NoteID: id, AuthorID: authorID, At: now}, a.candidateID, NotePersonal{Body: body})
}

// Apply implements Aggregate.
func (a *Application) Apply(e eventstore.Event) error {
	switch e.Type {
	case ApplicationSubmitted:
		var p ApplicationSubmittedEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		a.jobID, a.orgID, a.profileID, a.candidateID, a.stage = p.JobID, p.OrgID, p.ProfileID, p.CandidateID, StageApplied
	case ApplicationStageChanged:
		var p StageChangedEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		a.stage = p.To
	}
	return nil
}
