package domain

import (
	"regexp"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
)

// Organization roles, from most to least powerful.
const (
	RoleOwner     = "owner"
	RoleAdmin     = "admin"
	RoleRecruiter = "recruiter"
	RoleViewer    = "viewer"
)

// Roles lists the organization roles.
var Roles = []string{RoleOwner, RoleAdmin, RoleRecruiter, RoleViewer}

// Organization event types.
const (
	OrgCreated           = "org.created.v1"
	OrgUpdated           = "org.updated.v1"
	OrgMemberAdded       = "org.member_added.v1"
	OrgMemberRoleChanged = "org.member_role_changed.v1"
	OrgMemberRemoved     = "org.member_removed.v1"
)

// OrgDetails are an organization's editable fields.
type OrgDetails struct {
	Name        string `json:"name"`
	Website     string `json:"website,omitempty"`
	Description string `json:"description,omitempty"`
}

// OrgCreatedEvent is the payload of org.created.v1.
type OrgCreatedEvent struct {
	OrgDetails
	Slug    string    `json:"slug"`
	OwnerID string    `json:"ownerId"`
	At      time.Time `json:"at"`
}

// MemberEvent is the payload of the member events.
type MemberEvent struct {
	UserID string `json:"userId"`
	Role   string `json:"role,omitempty"`
}

// Org is an employer organization.
type Org struct {
	Root
	details OrgDetails
	slug    string
	members map[string]string // user id → role
}

// NewOrg returns an empty organization aggregate.
func NewOrg() *Org { return &Org{members: map[string]string{}} }

// StreamType implements Aggregate.
func (o *Org) StreamType() string { return "org" }

// Details returns the editable fields.
func (o *Org) Details() OrgDetails { return o.details }

// Role returns a member's role ("" when not a member).
func (o *Org) Role(userID string) string { return o.members[userID] }

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns a name into a URL slug.
func Slugify(name string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

func (d *OrgDetails) normalize() error {
	p := problems{}
	d.Name = strings.TrimSpace(d.Name)
	d.Website = strings.TrimSpace(d.Website)
	if n := len([]rune(d.Name)); n < 2 || n > 120 {
		p.add("name", "must be 2 to 120 characters")
	}
	if d.Website != "" && !strings.HasPrefix(d.Website, "https://") && !strings.HasPrefix(d.Website, "http://") {
		p.add("website", "must be an http(s) URL")
	}
	if len(d.Description) > 20000 {
		p.add("description", "must be at most 20000 characters")
	}
	return p.err("organization")
}

// Create records the creation of the organization, with ownerID as its first owner.
func (o *Org) Create(d OrgDetails, ownerID string, now time.Time) error {
	if o.Exists() {
		return ruleErr("organization already exists")
	}
	if err := d.normalize(); err != nil {
		return err
	}
	if ownerID == "" {
		return ruleErr("an organization needs an owner")
	}
	return record(o, OrgCreated, OrgCreatedEvent{OrgDetails: d, Slug: Slugify(d.Name), OwnerID: ownerID, At: now}, "", nil)
}

// Update changes the editable fields.
func (o *Org) Update(d OrgDetails) error {
	if err := d.normalize(); err != nil {
		return err
	}
	return record(o, OrgUpdated, d, "", nil)
}

// AddMember adds a user with a role.
func (o *Org) AddMember(userID, role string) error {
	if userID == "" {
		return (problems{"userId": "is required"}).err("member")
	}
	if !oneOf(role, Roles) {
		return (problems{"role": "must be one of owner, admin, recruiter, viewer"}).err("member")
	}
	if _, ok := o.members[userID]; ok {
		return ruleErr("user %s is already a member", userID)
	}
	return record(o, OrgMemberAdded, MemberEvent{UserID: userID, Role: role}, "", nil)
}

func (o *Org) owners() int {
	n := 0
	for _, r := range o.members {
		if r == RoleOwner {
			n++
		}
	}
	return n
}

// ChangeRole changes a member's role; the last owner cannot be demoted.
func (o *Org) ChangeRole(userID, role string) error {
	cur, ok := o.members[userID]
	if !ok {
		return ruleErr("user %s is not a member", userID)
	}
	if !oneOf(role, Roles) {
		return (problems{"role": "must be one of owner, admin, recruiter, viewer"}).err("member")
	}
	if cur == role {
		return nil
	}
	if cur == RoleOwner && o.owners() == 1 {
		return ruleErr("the last owner cannot be demoted; make another member owner first")
	}
	return record(o, OrgMemberRoleChanged, MemberEvent{UserID: userID, Role: role}, "", nil)
}

// RemoveMember removes a member; the last owner cannot be removed.
func (o *Org) RemoveMember(userID string) error {
	cur, ok := o.members[userID]
	if !ok {
		return ruleErr("user %s is not a member", userID)
	}
	if cur == RoleOwner && o.owners() == 1 {
		return ruleErr("the last owner cannot be removed")
	}
	return record(o, OrgMemberRemoved, MemberEvent{UserID: userID}, "", nil)
}

// Apply implements Aggregate.
func (o *Org) Apply(e eventstore.Event) error {
	switch e.Type {
	case OrgCreated:
		var p OrgCreatedEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		o.details, o.slug = p.OrgDetails, p.Slug
		o.members[p.OwnerID] = RoleOwner
	case OrgUpdated:
		return decode(e, e.Payload, &o.details)
	case OrgMemberAdded, OrgMemberRoleChanged:
		var p MemberEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		o.members[p.UserID] = p.Role
	case OrgMemberRemoved:
		var p MemberEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		delete(o.members, p.UserID)
	}
	return nil
}
