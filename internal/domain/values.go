package domain

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Seniority levels, in order.
var SeniorityLevels = []string{"intern", "junior", "mid", "senior", "lead", "staff", "principal"}

// EmploymentTypes follow schema.org's employmentType values, in lower case.
var EmploymentTypes = []string{"full_time", "part_time", "contract", "temporary", "internship"}

// SalaryPeriods are the periods a salary may be stated for.
var SalaryPeriods = []string{"hour", "day", "week", "month", "year"}

// Visibilities of a developer profile: public (anyone), employers (signed-in
// organizations, e.g. through matching) or private (only through the
// owner's applications).
var Visibilities = []string{"public", "employers", "private"}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// SeniorityRank returns the index of a seniority level (-1 when unknown).
func SeniorityRank(s string) int {
	for i, v := range SeniorityLevels {
		if v == s {
			return i
		}
	}
	return -1
}

var skillIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+#._-]{0,63}$`)

// NormalizeSkillID lower-cases and trims a skill id. The taxonomy that maps
// names and aliases to ids arrives with the skills work; until then any id of
// the right shape is accepted.
func NormalizeSkillID(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// SkillRequirement is one skill a job asks for.
type SkillRequirement struct {
	Skill    string `json:"skill"`
	Level    int    `json:"level"`    // 1 (aware) .. 5 (expert)
	Required bool   `json:"required"` // false: nice to have
}

// ProfileSkill is one skill a developer has.
type ProfileSkill struct {
	Skill string  `json:"skill"`
	Level int     `json:"level"` // 1..5
	Years float64 `json:"years"`
}

// Salary is a range in integer minor units of an ISO 4217 currency.
type Salary struct {
	Min      int64  `json:"min"`
	Max      int64  `json:"max"`
	Currency string `json:"currency"`
	Period   string `json:"period"`
}

// Eligibility says from where a remote job may be done.
type Eligibility struct {
	Worldwide bool     `json:"worldwide"`
	Countries []string `json:"countries,omitempty"` // ISO 3166-1 alpha-2
	Regions   []string `json:"regions,omitempty"`   // keys of Regions
}

// Places returns the codes under which a job is filed for eligibility
// lookups: WW, each country and each region.
func (e Eligibility) Places() []string {
	var out []string
	if e.Worldwide {
		out = append(out, Worldwide)
	}
	out = append(out, e.Countries...)
	out = append(out, e.Regions...)
	return out
}

// Allows reports whether someone in country may work the job.
func (e Eligibility) Allows(country string) bool {
	if e.Worldwide {
		return true
	}
	for _, c := range e.Countries {
		if c == country {
			return true
		}
	}
	for _, r := range e.Regions {
		for _, c := range Regions[r] {
			if c == country {
				return true
			}
		}
	}
	return false
}

// TimeZoneRule is a job's working-time requirement: either a window of UTC
// offsets the candidate must live in, or a minimum number of overlapping
// hours with a reference zone's working day.
type TimeZoneRule struct {
	MinUTCOffset   *float64 `json:"minUtcOffset,omitempty"` // hours, e.g. -3
	MaxUTCOffset   *float64 `json:"maxUtcOffset,omitempty"` // hours, e.g. 3
	ReferenceZone  string   `json:"referenceZone,omitempty"`
	ReferenceStart string   `json:"referenceStart,omitempty"` // "09:00"
	ReferenceEnd   string   `json:"referenceEnd,omitempty"`   // "17:00"
	OverlapHours   float64  `json:"overlapHours,omitempty"`
}

var hhmmRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func validHHMM(s string) bool { return hhmmRE.MatchString(s) }

// ValidTimeZone reports whether name is an IANA time zone.
func ValidTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

type problems map[string]string

func (p problems) add(field, format string, args ...any) { p[field] = fmt.Sprintf(format, args...) }

func (p problems) err(what string) error {
	if len(p) == 0 {
		return nil
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + p[k]
	}
	return &meridian.Error{Code: meridian.EInvalid, Message: "invalid " + what + ": " + strings.Join(parts, "; "), Fields: p}
}

func validateSalary(p problems, field string, s *Salary, isRange bool) {
	if s == nil {
		return
	}
	if !meridian.ValidCurrency(s.Currency) {
		p.add(field+".currency", "must be an ISO 4217 code such as USD or EUR, got %q", s.Currency)
	}
	if !oneOf(s.Period, SalaryPeriods) {
		p.add(field+".period", "must be one of %s, got %q", strings.Join(SalaryPeriods, ", "), s.Period)
	}
	if s.Min < 0 || s.Max < 0 {
		p.add(field, "amounts must not be negative")
	}
	if isRange {
		if s.Min == 0 && s.Max == 0 {
			p.add(field, "give at least a minimum or a maximum")
		}
		if s.Max > 0 && s.Min > s.Max {
			p.add(field, "minimum %d is greater than maximum %d", s.Min, s.Max)
		}
	}
}

func validateCountries(p problems, field string, cs []string) []string {
	out := make([]string, 0, len(cs))
	seen := map[string]bool{}
	for _, c := range cs {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !IsCountry(c) {
			p.add(field, "%q is not an ISO 3166-1 alpha-2 country code", c)
			continue
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// validateSkill normalizes one skill entry and records what is wrong with it.
func validateSkill(p problems, i int, id *string, level *int, seen map[string]bool) {
	*id = NormalizeSkillID(*id)
	field := fmt.Sprintf("skills[%d]", i)
	if !skillIDRE.MatchString(*id) {
		p.add(field+".skill", "%q is not a skill id (lower-case letters, digits, + # . _ -)", *id)
	}
	if *level == 0 {
		*level = 3
	}
	if *level < 1 || *level > 5 {
		p.add(field+".level", "must be 1 to 5")
	}
	if seen[*id] {
		p.add(field+".skill", "%q is listed twice", *id)
	}
	seen[*id] = true
}
