package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
)

// Profile event types. Everything a developer writes about themselves is
// personal data: it travels in the events' sealed part under the owner's key.
const (
	ProfileCreated           = "profile.created.v1"
	ProfileUpdated           = "profile.updated.v1"
	ProfileVisibilityChanged = "profile.visibility_changed.v1"
)

// ProfileDetails are a developer profile's editable, personal fields.
type ProfileDetails struct {
	DisplayName string         `json:"displayName"`
	Headline    string         `json:"headline,omitempty"`
	Summary     string         `json:"summary,omitempty"`
	Skills      []ProfileSkill `json:"skills"`
	TimeZone    string         `json:"timeZone"`              // IANA
	WorkStart   string         `json:"workStart,omitempty"`   // "09:00" local
	WorkEnd     string         `json:"workEnd,omitempty"`     // "17:00" local
	Countries   []string       `json:"countries"`             // may work from
	SalaryFloor *Salary        `json:"salaryFloor,omitempty"` // Min is the floor
	Seniority   string         `json:"seniority,omitempty"`
}

// ProfileCreatedEvent is the public payload of profile.created.v1.
type ProfileCreatedEvent struct {
	OwnerID    string    `json:"ownerId"`
	Visibility string    `json:"visibility"`
	At         time.Time `json:"at"`
}

// VisibilityEvent is the payload of profile.visibility_changed.v1.
type VisibilityEvent struct {
	Visibility string `json:"visibility"`
}

// Profile is a developer profile.
type Profile struct {
	Root
	ownerID    string
	visibility string
	details    ProfileDetails
	erased     bool
}

// NewProfile returns an empty profile aggregate.
func NewProfile() *Profile { return &Profile{} }

// StreamType implements Aggregate.
func (p *Profile) StreamType() string { return "profile" }

// OwnerID returns the developer (user id) who owns the profile; it is also
// the data subject whose key seals the profile's personal data.
func (p *Profile) OwnerID() string { return p.ownerID }

// Visibility returns public, employers or private.
func (p *Profile) Visibility() string { return p.visibility }

// Details returns the personal fields (zero when erased).
func (p *Profile) Details() ProfileDetails { return p.details }

// Erased reports whether the owner's personal data has been erased.
func (p *Profile) Erased() bool { return p.erased }

func (d *ProfileDetails) normalize() error {
	p := problems{}
	d.DisplayName = strings.TrimSpace(d.DisplayName)
	if n := len([]rune(d.DisplayName)); n < 1 || n > 120 {
		p.add("displayName", "must be 1 to 120 characters")
	}
	if len(d.Headline) > 200 {
		p.add("headline", "must be at most 200 characters")
	}
	if len(d.Summary) > 20000 {
		p.add("summary", "must be at most 20000 characters")
	}
	if !ValidTimeZone(d.TimeZone) {
		p.add("timeZone", "%q is not an IANA time zone such as Europe/Berlin", d.TimeZone)
	}
	if d.WorkStart == "" {
		d.WorkStart = "09:00"
	}
	if d.WorkEnd == "" {
		d.WorkEnd = "17:00"
	}
	if !validHHMM(d.WorkStart) || !validHHMM(d.WorkEnd) {
		p.add("workStart", "working hours must be HH:MM")
	}
	d.Countries = validateCountries(p, "countries", d.Countries)
	if len(d.Countries) == 0 {
		p.add("countries", "name at least one country you may work from")
	}
	if d.Seniority != "" && !oneOf(d.Seniority, SeniorityLevels) {
		p.add("seniority", "must be one of %s", strings.Join(SeniorityLevels, ", "))
	}
	validateSalary(p, "salaryFloor", d.SalaryFloor, false)
	if d.SalaryFloor != nil {
		d.SalaryFloor.Max = 0
	}
	if len(d.Skills) > 100 {
		p.add("skills", "at most 100 skills")
	}
	seen := map[string]bool{}
	for i := range d.Skills {
		validateSkill(p, i, &d.Skills[i].Skill, &d.Skills[i].Level, seen)
		if y := d.Skills[i].Years; y < 0 || y > 60 {
			p.add(fmt.Sprintf("skills[%d].years", i), "must be 0 to 60")
		}
	}
	return p.err("profile")
}

func validVisibility(v string) error {
	if !oneOf(v, Visibilities) {
		return (problems{"visibility": "must be public, employers or private"}).err("profile")
	}
	return nil
}

// Create records a new profile owned by ownerID.
func (p *Profile) Create(ownerID, visibility string, d ProfileDetails, now time.Time) error {
	if p.Exists() {
		return ruleErr("profile already exists")
	}
	if visibility == "" {
		visibility = "employers"
	}
	if err := validVisibility(visibility); err != nil {
		return err
	}
	if err := d.normalize(); err != nil {
		return err
	}
	return record(p, ProfileCreated, ProfileCreatedEvent{OwnerID: ownerID, Visibility: visibility, At: now}, ownerID, d)
}

// Update replaces the personal fields.
func (p *Profile) Update(d ProfileDetails) error {
	if p.erased {
		return ruleErr("this profile has been erased")
	}
	if err := d.normalize(); err != nil {
		return err
	}
	return record(p, ProfileUpdated, struct{}{}, p.ownerID, d)
}

// SetVisibility changes who may see the profile.
func (p *Profile) SetVisibility(v string) error {
	if err := validVisibility(v); err != nil {
		return err
	}
	if v == p.visibility {
		return nil
	}
	return record(p, ProfileVisibilityChanged, VisibilityEvent{Visibility: v}, "", nil)
}

// Apply implements Aggregate.
func (p *Profile) Apply(e eventstore.Event) error {
	switch e.Type {
	case ProfileCreated:
		var c ProfileCreatedEvent
		if err := decode(e, e.Payload, &c); err != nil {
			return err
		}
		p.ownerID, p.visibility = c.OwnerID, c.Visibility
		fallthrough
	case ProfileUpdated:
		if e.Erased {
			p.erased, p.details = true, ProfileDetails{}
			return nil
		}
		var d ProfileDetails
		if err := decode(e, e.Personal, &d); err != nil {
			return err
		}
		p.details = d
	case ProfileVisibilityChanged:
		var v VisibilityEvent
		if err := decode(e, e.Payload, &v); err != nil {
			return err
		}
		p.visibility = v.Visibility
	}
	return nil
}

// NormalizeProfileDetails validates and normalizes profile details the way
// Create and Update do, without recording anything.
func NormalizeProfileDetails(d ProfileDetails) (ProfileDetails, error) {
	d.Skills = append([]ProfileSkill(nil), d.Skills...)
	d.Countries = append([]string(nil), d.Countries...)
	if d.SalaryFloor != nil {
		s := *d.SalaryFloor
		d.SalaryFloor = &s
	}
	err := d.normalize()
	return d, err
}
