package readmodel

import (
	"time"

	"github.com/meridianhq/meridian/internal/domain"
)

// Org is the read view of an organization.
type Org struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Website     string    `json:"website,omitempty"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Version     int64     `json:"version"`
}

// Member is one organization member.
type Member struct {
	OrgID   string    `json:"orgId"`
	UserID  string    `json:"userId"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"addedAt"`
}

// Job is the read view of a job posting.
type Job struct {
	ID              string                    `json:"id"`
	OrgID           string                    `json:"orgId"`
	OrgName         string                    `json:"orgName"`
	Status          string                    `json:"status" enum:"draft,published,closed,expired"`
	Title           string                    `json:"title"`
	Description     string                    `json:"description" doc:"Markdown source"`
	DescriptionHTML string                    `json:"descriptionHtml" doc:"rendered and sanitized HTML"`
	Seniority       string                    `json:"seniority,omitempty"`
	EmploymentType  string                    `json:"employmentType"`
	Salary          *domain.Salary            `json:"salary,omitempty"`
	Skills          []domain.SkillRequirement `json:"skills"`
	Eligibility     domain.Eligibility        `json:"eligibility"`
	TimeZone        *domain.TimeZoneRule      `json:"timeZone,omitempty"`
	ApplyURL        string                    `json:"applyUrl,omitempty"`
	Source          string                    `json:"source,omitempty"`
	ValidThrough    *time.Time                `json:"validThrough,omitempty"`
	PublishedAt     *time.Time                `json:"publishedAt,omitempty"`
	PostedAt        *time.Time                `json:"postedAt,omitempty" doc:"when the posting first appeared at its source (imported postings), if known"`
	ClosedAt        *time.Time                `json:"closedAt,omitempty"`
	CloseReason     string                    `json:"closeReason,omitempty"`
	CreatedAt       time.Time                 `json:"createdAt"`
	UpdatedAt       time.Time                 `json:"updatedAt"`
	Version         int64                     `json:"version"`
}

// Posted is when the posting was first posted: at its source when it was
// imported with that date (and not after it was published here), else
// when it was published on Meridian (nil for a draft).
func (j Job) Posted() *time.Time {
	if j.PostedAt != nil && (j.PublishedAt == nil || !j.PostedAt.After(*j.PublishedAt)) {
		return j.PostedAt
	}
	return j.PublishedAt
}

// Profile is the read view of a developer profile.
type Profile struct {
	ID          string                `json:"id"`
	OwnerID     string                `json:"ownerId"`
	Visibility  string                `json:"visibility" enum:"public,employers,private"`
	DisplayName string                `json:"displayName"`
	Headline    string                `json:"headline,omitempty"`
	Summary     string                `json:"summary,omitempty"`
	Skills      []domain.ProfileSkill `json:"skills"`
	TimeZone    string                `json:"timeZone"`
	WorkStart   string                `json:"workStart"`
	WorkEnd     string                `json:"workEnd"`
	Countries   []string              `json:"countries"`
	SalaryFloor *domain.Salary        `json:"salaryFloor,omitempty"`
	Seniority   string                `json:"seniority,omitempty"`
	Erased      bool                  `json:"erased,omitempty"`
	CreatedAt   time.Time             `json:"createdAt"`
	UpdatedAt   time.Time             `json:"updatedAt"`
	Version     int64                 `json:"version"`
}

// Application is the read view of an application.
type Application struct {
	ID          string         `json:"id"`
	JobID       string         `json:"jobId"`
	OrgID       string         `json:"orgId"`
	ProfileID   string         `json:"profileId"`
	CandidateID string         `json:"candidateId"`
	Stage       string         `json:"stage"`
	ReasonCode  string         `json:"reasonCode,omitempty"`
	CoverLetter string         `json:"coverLetter,omitempty"`
	NextStages  []string       `json:"nextStages"`
	History     []StageHistory `json:"history,omitempty"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	Version     int64          `json:"version"`
}

// StageHistory is one stage change of an application.
type StageHistory struct {
	Seq        int64     `json:"seq"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	ReasonCode string    `json:"reasonCode,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	At         time.Time `json:"at"`
}

// Note is an organization-private note on an application.
type Note struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"applicationId"`
	AuthorID      string    `json:"authorId"`
	Body          string    `json:"body"`
	CreatedAt     time.Time `json:"createdAt"`
}
