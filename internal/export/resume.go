package export

import (
	"github.com/meridianhq/meridian/internal/readmodel"
)

// ResumeSchemaURL is the JSON Resume schema a Resume document names.
const ResumeSchemaURL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"

// SkillLevelNames are the JSON Resume skill level names for Meridian's
// levels 1 (aware) to 5 (expert), at index level-1.
var SkillLevelNames = []string{"Aware", "Beginner", "Intermediate", "Advanced", "Expert"}

// SkillLevelName returns the name of a Meridian skill level ("" when out of range).
func SkillLevelName(level int) string {
	if level < 1 || level > len(SkillLevelNames) {
		return ""
	}
	return SkillLevelNames[level-1]
}

// Resume returns a profile as a JSON Resume document (schema v1.0.0):
// basics.name (display name), label (headline), summary and
// location.countryCode (the first country the developer may work from);
// skills with level names (SkillLevelNames). Meridian's own fields, which
// the schema has no place for, go under meta.meridian (meta allows extra
// properties): profileId, timeZone, workStart, workEnd, countries,
// seniority, salaryFloor {amount in major units, currency, period} and
// skills [{skill, level 1-5, years}]. An erased profile yields a document
// without personal data, flagged meta.meridian.erased.
func Resume(p readmodel.Profile) map[string]any {
	meta := map[string]any{"profileId": p.ID}
	doc := map[string]any{
		"$schema": ResumeSchemaURL,
		"meta": map[string]any{
			"version":      "v1.0.0",
			"lastModified": p.UpdatedAt.UTC().Format("2006-01-02T15:04:05"),
			"meridian":     meta,
		},
	}
	if p.Erased {
		meta["erased"] = true
		doc["basics"] = map[string]any{}
		return doc
	}
	basics := map[string]any{"name": p.DisplayName}
	if p.Headline != "" {
		basics["label"] = p.Headline
	}
	if p.Summary != "" {
		basics["summary"] = p.Summary
	}
	if len(p.Countries) > 0 {
		basics["location"] = map[string]any{"countryCode": p.Countries[0]}
	}
	doc["basics"] = basics
	skills := make([]any, 0, len(p.Skills))
	metaSkills := make([]any, 0, len(p.Skills))
	for _, s := range p.Skills {
		item := map[string]any{"name": s.Skill}
		if l := SkillLevelName(s.Level); l != "" {
			item["level"] = l
		}
		skills = append(skills, item)
		metaSkills = append(metaSkills, map[string]any{"skill": s.Skill, "level": s.Level, "years": s.Years})
	}
	if len(skills) > 0 {
		doc["skills"] = skills
		meta["skills"] = metaSkills
	}
	for k, v := range map[string]string{"timeZone": p.TimeZone, "workStart": p.WorkStart, "workEnd": p.WorkEnd, "seniority": p.Seniority} {
		if v != "" {
			meta[k] = v
		}
	}
	if len(p.Countries) > 0 {
		meta["countries"] = append([]string(nil), p.Countries...)
	}
	if f := p.SalaryFloor; f != nil {
		meta["salaryFloor"] = map[string]any{"amount": MajorUnits(f.Min, f.Currency), "currency": f.Currency, "period": f.Period}
	}
	return doc
}
