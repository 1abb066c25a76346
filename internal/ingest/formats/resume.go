package formats

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// resumeDoc is the part of a JSON Resume document Meridian reads.
type resumeDoc struct {
	Basics *struct {
		Name     string `json:"name"`
		Label    string `json:"label"`
		Email    string `json:"email"`
		URL      string `json:"url"`
		Summary  string `json:"summary"`
		Location *struct {
			City        string `json:"city"`
			Region      string `json:"region"`
			CountryCode string `json:"countryCode"`
		} `json:"location"`
	} `json:"basics"`
	Work []struct {
		Name       string   `json:"name"`
		Company    string   `json:"company"` // before schema 1.0
		Position   string   `json:"position"`
		StartDate  string   `json:"startDate"`
		EndDate    string   `json:"endDate"`
		Summary    string   `json:"summary"`
		Highlights []string `json:"highlights"`
	} `json:"work"`
	Skills []struct {
		Name     string   `json:"name"`
		Level    string   `json:"level"`
		Keywords []string `json:"keywords"`
	} `json:"skills"`
	Languages []struct {
		Language string `json:"language"`
		Fluency  string `json:"fluency"`
	} `json:"languages"`
	Meta map[string]any `json:"meta"`
}

// meridianMeta is what Meridian's exporter writes under meta.meridian.
type meridianMeta struct {
	TimeZone    string   `json:"timeZone"`
	WorkStart   string   `json:"workStart"`
	WorkEnd     string   `json:"workEnd"`
	Countries   []string `json:"countries"`
	Seniority   string   `json:"seniority"`
	SalaryFloor *struct {
		Amount   float64 `json:"amount"`
		Currency string  `json:"currency"`
		Period   string  `json:"period"`
	} `json:"salaryFloor"`
	Skills []struct {
		Skill string  `json:"skill"`
		Years float64 `json:"years"`
	} `json:"skills"`
}

type resumeH struct{}

func resumeHandler() handler { return resumeH{} }

func (resumeH) streamGraph() bool { return false }

func (resumeH) records(item []byte, _ *scope, out []Record) []Record {
	if k := kindOf(item); k != '{' {
		return append(out, Record{Err: fmt.Errorf("expected a JSON Resume object, got %s", kindName(item))})
	}
	var doc resumeDoc
	if err := json.Unmarshal(item, &doc); err != nil {
		return append(out, Record{Err: typeErr(err)})
	}
	var e fieldErrs
	p := &Profile{Meta: doc.Meta}
	if b := doc.Basics; b != nil {
		p.Name, p.Label, p.Email, p.URL, p.Summary = b.Name, b.Label, b.Email, b.URL, b.Summary
		if l := b.Location; l != nil {
			p.Location = Location{City: l.City, Region: l.Region, CountryCode: l.CountryCode}
		}
	}
	if strings.TrimSpace(p.Name) == "" {
		e.add("basics.name", "missing")
	}
	for _, w := range doc.Work {
		p.Work = append(p.Work, Work{Company: cmpOr(w.Name, w.Company), Position: w.Position, StartDate: w.StartDate,
			EndDate: w.EndDate, Summary: w.Summary, Highlights: w.Highlights})
	}
	for _, s := range doc.Skills {
		p.Skills = append(p.Skills, Skill{Name: s.Name, Level: s.Level, Keywords: s.Keywords})
	}
	for _, l := range doc.Languages {
		p.Languages = append(p.Languages, Language(l))
	}
	if raw, ok := doc.Meta["meridian"]; ok {
		readMeridianMeta(raw, p, &e)
	}
	rec := Record{Warnings: e.warnings}
	if err := e.err(); err != nil {
		rec.Err = err
		return append(out, rec)
	}
	rec.Profile = p
	switch {
	case strings.TrimSpace(p.Email) != "":
		rec.SourceID = "jsonresume:" + hashID(p.Email)
	case strings.TrimSpace(p.URL) != "":
		rec.SourceID = "jsonresume:" + hashID(p.URL)
	default:
		rec.SourceID = "jsonresume:" + hashID(p.Name, p.Label, p.Location.CountryCode)
	}
	return append(out, rec)
}

func readMeridianMeta(raw any, p *Profile, e *fieldErrs) {
	b, _ := json.Marshal(raw)
	var m meridianMeta
	if err := json.Unmarshal(b, &m); err != nil {
		e.warn("meta.meridian", "ignored: %v", typeErr(err))
		return
	}
	p.TimeZone, p.WorkStart, p.WorkEnd, p.Countries, p.Seniority = m.TimeZone, m.WorkStart, m.WorkEnd, m.Countries, m.Seniority
	if f := m.SalaryFloor; f != nil {
		p.SalaryFloor = &StructuredSalary{Min: f.Amount, Currency: f.Currency, Unit: f.Period}
	}
	years := map[string]float64{}
	for _, s := range m.Skills {
		years[strings.ToLower(s.Skill)] = s.Years
	}
	for i := range p.Skills {
		p.Skills[i].Years = years[strings.ToLower(p.Skills[i].Name)]
	}
}

// typeErr turns a json.UnmarshalTypeError into "field: expected X, got Y".
func typeErr(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "document"
		}
		return fmt.Errorf("%s: expected %s, got %s", field, jsonTypeName(te.Type.String()), te.Value)
	}
	return err
}

func jsonTypeName(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map[") || strings.HasPrefix(goType, "struct") || strings.HasPrefix(goType, "*struct") || strings.HasPrefix(goType, "formats."):
		return "an object"
	case strings.HasPrefix(goType, "float") || strings.HasPrefix(goType, "int"):
		return "a number"
	}
	return goType
}
