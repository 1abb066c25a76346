package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
)

// Job statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusClosed    = "closed"
	StatusExpired   = "expired"
)

// Job event types.
const (
	JobDrafted   = "job.drafted.v1"
	JobUpdated   = "job.updated.v1"
	JobPublished = "job.published.v1"
	JobClosed    = "job.closed.v1"
	JobExpired   = "job.expired.v1"
	JobRenewed   = "job.renewed.v1"
)

// MaxValidity is the longest a posting may stay published without renewal.
const MaxValidity = 180 * 24 * time.Hour

// DefaultValidity is used when a posting is published without validThrough.
const DefaultValidity = 60 * 24 * time.Hour

// JobDetails are a posting's editable fields.
type JobDetails struct {
	Title          string             `json:"title"`
	Description    string             `json:"description"` // Markdown
	Skills         []SkillRequirement `json:"skills"`
	Seniority      string             `json:"seniority,omitempty"`
	EmploymentType string             `json:"employmentType"`
	Salary         *Salary            `json:"salary,omitempty"`
	Eligibility    Eligibility        `json:"eligibility"`
	TimeZone       *TimeZoneRule      `json:"timeZone,omitempty"`
	ValidThrough   time.Time          `json:"validThrough,omitempty"`
	ApplyURL       string             `json:"applyUrl,omitempty"`
	// Source names where an imported posting came from ("hn:46466124").
	Source string `json:"source,omitempty"`
	// PostedAt is when the posting first appeared at its source (imports,
	// or an employer moving postings from elsewhere); zero for postings
	// written on Meridian. Market figures date a posting by it when it is
	// no later than the publication.
	PostedAt time.Time `json:"postedAt,omitzero"`
}

// JobDraftedEvent is the payload of job.drafted.v1.
type JobDraftedEvent struct {
	OrgID   string     `json:"orgId"`
	Details JobDetails `json:"details"`
	At      time.Time  `json:"at"`
}

// JobStatusEvent is the payload of the status events.
type JobStatusEvent struct {
	At           time.Time `json:"at"`
	ValidThrough time.Time `json:"validThrough,omitempty"`
	Reason       string    `json:"reason,omitempty"`
}

// Job is a job posting.
type Job struct {
	Root
	orgID        string
	details      JobDetails
	status       string
	validThrough time.Time
}

// NewJob returns an empty job aggregate.
func NewJob() *Job { return &Job{} }

// StreamType implements Aggregate.
func (j *Job) StreamType() string { return "job" }

// OrgID returns the owning organization.
func (j *Job) OrgID() string { return j.orgID }

// Status returns the current status (an expired posting whose validThrough
// has passed but whose expiry is not yet recorded reports "expired" via StatusAt).
func (j *Job) Status() string { return j.status }

// StatusAt returns the effective status at now.
func (j *Job) StatusAt(now time.Time) string {
	if j.status == StatusPublished && !j.validThrough.IsZero() && !now.Before(j.validThrough) {
		return StatusExpired
	}
	return j.status
}

// Details returns the editable fields.
func (j *Job) Details() JobDetails { return j.details }

// ValidThrough returns when the posting expires.
func (j *Job) ValidThrough() time.Time { return j.validThrough }

func (d *JobDetails) normalize(now time.Time) error {
	p := problems{}
	d.Title = strings.TrimSpace(d.Title)
	if n := len([]rune(d.Title)); n < 3 || n > 200 {
		p.add("title", "must be 3 to 200 characters")
	}
	if len(d.Description) > 100000 {
		p.add("description", "must be at most 100000 characters")
	}
	if d.Seniority != "" && !oneOf(d.Seniority, SeniorityLevels) {
		p.add("seniority", "must be one of %s", strings.Join(SeniorityLevels, ", "))
	}
	if d.EmploymentType == "" {
		d.EmploymentType = "full_time"
	}
	if !d.PostedAt.IsZero() {
		d.PostedAt = d.PostedAt.UTC()
		if d.PostedAt.After(now.Add(24 * time.Hour)) {
			p.add("postedAt", "must not be in the future")
		}
	}
	if !oneOf(d.EmploymentType, EmploymentTypes) {
		p.add("employmentType", "must be one of %s", strings.Join(EmploymentTypes, ", "))
	}
	if len(d.Skills) > 60 {
		p.add("skills", "at most 60 skills")
	}
	seen := map[string]bool{}
	for i := range d.Skills {
		validateSkill(p, i, &d.Skills[i].Skill, &d.Skills[i].Level, seen)
	}
	validateSalary(p, "salary", d.Salary, true)
	d.Eligibility.Countries = validateCountries(p, "eligibility.countries", d.Eligibility.Countries)
	regions := d.Eligibility.Regions[:0:0]
	for _, r := range d.Eligibility.Regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if !IsRegion(r) {
			p.add("eligibility.regions", "%q is not a known region (EU, EEA, EUROPE, EMEA, AMERICAS, NORTH_AMERICA, LATAM, APAC, MENA, AFRICA, OCEANIA)", r)
			continue
		}
		regions = append(regions, r)
	}
	d.Eligibility.Regions = regions
	if !d.Eligibility.Worldwide && len(d.Eligibility.Countries) == 0 && len(d.Eligibility.Regions) == 0 {
		p.add("eligibility", "say where the job may be done from: worldwide, countries or regions")
	}
	if tz := d.TimeZone; tz != nil {
		window := tz.MinUTCOffset != nil || tz.MaxUTCOffset != nil
		overlap := tz.ReferenceZone != "" || tz.OverlapHours != 0
		switch {
		case window && overlap:
			p.add("timeZone", "give either a UTC offset window or an overlap with a reference zone, not both")
		case window:
			if tz.MinUTCOffset == nil || tz.MaxUTCOffset == nil {
				p.add("timeZone", "a window needs both minUtcOffset and maxUtcOffset")
			} else if *tz.MinUTCOffset < -12 || *tz.MaxUTCOffset > 14 || *tz.MinUTCOffset > *tz.MaxUTCOffset {
				p.add("timeZone", "window must satisfy -12 <= minUtcOffset <= maxUtcOffset <= 14")
			}
		case overlap:
			if !ValidTimeZone(tz.ReferenceZone) {
				p.add("timeZone.referenceZone", "%q is not an IANA time zone", tz.ReferenceZone)
			}
			if tz.OverlapHours <= 0 || tz.OverlapHours > 12 {
				p.add("timeZone.overlapHours", "must be more than 0 and at most 12")
			}
			if tz.ReferenceStart == "" {
				tz.ReferenceStart = "09:00"
			}
			if tz.ReferenceEnd == "" {
				tz.ReferenceEnd = "17:00"
			}
			if !validHHMM(tz.ReferenceStart) || !validHHMM(tz.ReferenceEnd) {
				p.add("timeZone", "referenceStart and referenceEnd must be HH:MM")
			}
		default:
			d.TimeZone = nil
		}
	}
	if !d.ValidThrough.IsZero() {
		d.ValidThrough = d.ValidThrough.UTC()
		if d.ValidThrough.Sub(now) > MaxValidity {
			p.add("validThrough", "must be within %d days", int(MaxValidity.Hours()/24))
		}
	}
	if d.ApplyURL != "" && !strings.HasPrefix(d.ApplyURL, "https://") && !strings.HasPrefix(d.ApplyURL, "http://") && !strings.HasPrefix(d.ApplyURL, "mailto:") {
		p.add("applyUrl", "must be an http(s) or mailto URL")
	}
	return p.err("job")
}

// Draft records a new draft posting for an organization.
func (j *Job) Draft(orgID string, d JobDetails, now time.Time) error {
	if j.Exists() {
		return ruleErr("job already exists")
	}
	if err := d.normalize(now); err != nil {
		return err
	}
	return record(j, JobDrafted, JobDraftedEvent{OrgID: orgID, Details: d, At: now}, "", nil)
}

// Update replaces the editable fields of a draft or published posting.
func (j *Job) Update(d JobDetails, now time.Time) error {
	if s := j.StatusAt(now); s != StatusDraft && s != StatusPublished {
		return ruleErr("a %s job cannot be edited", s)
	}
	if err := d.normalize(now); err != nil {
		return err
	}
	if j.status == StatusPublished && !d.ValidThrough.IsZero() && !d.ValidThrough.After(now) {
		return ruleErr("validThrough of a published job must be in the future")
	}
	return record(j, JobUpdated, d, "", nil)
}

// Publish makes a draft visible until its validThrough (default 60 days).
func (j *Job) Publish(now time.Time) error {
	if j.status != StatusDraft {
		return ruleErr("only a draft can be published; this job is %s", j.StatusAt(now))
	}
	vt := j.details.ValidThrough
	if vt.IsZero() {
		vt = now.Add(DefaultValidity)
	}
	if !vt.After(now) {
		return ruleErr("validThrough %s is in the past", vt.Format(time.RFC3339))
	}
	return record(j, JobPublished, JobStatusEvent{At: now, ValidThrough: vt}, "", nil)
}

// Close ends a published (or draft) posting.
func (j *Job) Close(reason string, now time.Time) error {
	if j.status != StatusPublished && j.status != StatusDraft {
		return ruleErr("a %s job cannot be closed", j.status)
	}
	if len(reason) > 500 {
		return (problems{"reason": "must be at most 500 characters"}).err("close")
	}
	return record(j, JobClosed, JobStatusEvent{At: now, Reason: reason}, "", nil)
}

// Expire records that a published posting reached its validThrough.
func (j *Job) Expire(now time.Time) error {
	if j.status != StatusPublished {
		return ruleErr("only a published job can expire; this job is %s", j.status)
	}
	if now.Before(j.validThrough) {
		return ruleErr("job is valid until %s", j.validThrough.Format(time.RFC3339))
	}
	return record(j, JobExpired, JobStatusEvent{At: now, ValidThrough: j.validThrough}, "", nil)
}

// Renew re-confirms a published or expired posting until validThrough.
func (j *Job) Renew(validThrough, now time.Time) error {
	if j.status != StatusPublished && j.status != StatusExpired {
		return ruleErr("a %s job cannot be renewed", j.status)
	}
	if validThrough.IsZero() {
		validThrough = now.Add(DefaultValidity)
	}
	if !validThrough.After(now) || validThrough.Sub(now) > MaxValidity {
		return (problems{"validThrough": fmt.Sprintf("must be in the future and within %d days", int(MaxValidity.Hours()/24))}).err("renewal")
	}
	return record(j, JobRenewed, JobStatusEvent{At: now, ValidThrough: validThrough.UTC()}, "", nil)
}

// Apply implements Aggregate.
func (j *Job) Apply(e eventstore.Event) error {
	switch e.Type {
	case JobDrafted:
		var p JobDraftedEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		j.orgID, j.details, j.status = p.OrgID, p.Details, StatusDraft
	case JobUpdated:
		var d JobDetails
		if err := decode(e, e.Payload, &d); err != nil {
			return err
		}
		j.details = d
		if j.status == StatusPublished && !d.ValidThrough.IsZero() {
			j.validThrough = d.ValidThrough
		}
	case JobPublished, JobRenewed:
		var p JobStatusEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		j.status, j.validThrough = StatusPublished, p.ValidThrough
	case JobClosed:
		j.status = StatusClosed
	case JobExpired:
		j.status = StatusExpired
	}
	return nil
}

// NormalizeJobDetails validates and normalizes details the way Draft and
// Update do, without recording anything: bulk importers use it to compare
// an incoming posting with the stored one.
func NormalizeJobDetails(d JobDetails, now time.Time) (JobDetails, error) {
	d.Skills = append([]SkillRequirement(nil), d.Skills...)
	if d.TimeZone != nil {
		tz := *d.TimeZone
		d.TimeZone = &tz
	}
	err := d.normalize(now)
	return d, err
}
