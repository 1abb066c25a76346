package app

import (
	"fmt"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// extractor is the skill extractor commands use (the shipped taxonomy's).
func (a *App) extractor() *skills.Extractor {
	if a.Skills != nil {
		return a.Skills
	}
	return skills.DefaultExtractor()
}

// canonicalSkill maps a skill id or any spelling of it ("golang",
// "Postgres") to the taxonomy's id; it reports false for unknown skills.
func (a *App) canonicalSkill(name string) (string, bool) {
	t := a.extractor().Taxonomy()
	if s, ok := t.Lookup(name); ok {
		return s.ID, true
	}
	return "", false
}

func unknownSkill(field, name string, t *skills.Taxonomy) error {
	return &meridian.Error{Code: meridian.EInvalid,
		Message: fmt.Sprintf("invalid skills: %s: %q is not in Meridian's skills taxonomy (version %s; GET /api/v1/skills lists it)", field, name, t.Version),
		Fields:  map[string]string{field: fmt.Sprintf("%q is not a known skill", name)}}
}

// canonicalSkills maps the skill ids of items to the taxonomy's ids,
// merging entries that name the same skill with merge. An id of the wrong
// shape is left for the domain to report; an unknown one is refused.
func canonicalSkills[T any](a *App, items []T, id func(*T) *string, merge func(into *T, from T)) ([]T, error) {
	out := make([]T, 0, len(items))
	at := map[string]int{}
	for i, it := range items {
		ref := id(&it)
		canon, ok := a.canonicalSkill(*ref)
		if !ok {
			if !skills.IDPattern.MatchString(domain.NormalizeSkillID(*ref)) {
				out = append(out, it)
				continue
			}
			return nil, unknownSkill(fmt.Sprintf("skills[%d].skill", i), *ref, a.extractor().Taxonomy())
		}
		*ref = canon
		if k, dup := at[canon]; dup {
			merge(&out[k], it)
			continue
		}
		at[canon] = len(out)
		out = append(out, it)
	}
	return out, nil
}

// attachable returns the ids of the skills text names that a posting or
// profile stores (confidence at least skills.MinConfidence), with whether
// each reads as required.
func (a *App) attachable(text string, limit int) (ids []string, required []bool) {
	for _, m := range skills.Attachable(a.extractor().Extract(text)) {
		if len(ids) == limit {
			break
		}
		ids = append(ids, m.ID)
		required = append(required, m.Requirement != skills.NiceToHave)
	}
	return ids, required
}

// jobSkills gives a posting taxonomy skill ids: the ones it lists,
// canonicalized (spellings merged, the stronger requirement kept), or,
// when it lists none, the skills its title and description name, found by
// the extractor (required unless they sit under a nice-to-have cue).
func (a *App) jobSkills(d domain.JobDetails) (domain.JobDetails, error) {
	if len(d.Skills) == 0 {
		ids, req := a.attachable(d.Title+"\n\n"+d.Description, 60)
		for i, id := range ids {
			d.Skills = append(d.Skills, domain.SkillRequirement{Skill: id, Level: 3, Required: req[i]})
		}
		return d, nil
	}
	var err error
	d.Skills, err = canonicalSkills(a, d.Skills, func(s *domain.SkillRequirement) *string { return &s.Skill },
		func(into *domain.SkillRequirement, from domain.SkillRequirement) {
			into.Required = into.Required || from.Required
			into.Level = max(into.Level, from.Level)
		})
	return d, err
}

// profileSkills does for a profile what jobSkills does for a posting; a
// profile that lists no skills gets those its headline and summary name.
func (a *App) profileSkills(d domain.ProfileDetails) (domain.ProfileDetails, error) {
	if len(d.Skills) == 0 {
		ids, _ := a.attachable(d.Headline+"\n\n"+d.Summary, 100)
		for _, id := range ids {
			d.Skills = append(d.Skills, domain.ProfileSkill{Skill: id, Level: 3})
		}
		return d, nil
	}
	var err error
	d.Skills, err = canonicalSkills(a, d.Skills, func(s *domain.ProfileSkill) *string { return &s.Skill },
		func(into *domain.ProfileSkill, from domain.ProfileSkill) {
			into.Level = max(into.Level, from.Level)
			into.Years = max(into.Years, from.Years)
		})
	return d, err
}
