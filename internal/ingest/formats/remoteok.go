package formats

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// remoteOKJob is one element of Remote OK's public API response.
type remoteOKJob struct {
	Legal       json.RawMessage `json:"legal"`
	Slug        json.RawMessage `json:"slug"`
	ID          json.RawMessage `json:"id"`
	Epoch       json.RawMessage `json:"epoch"`
	Date        json.RawMessage `json:"date"`
	Company     json.RawMessage `json:"company"`
	CompanyLogo json.RawMessage `json:"company_logo"`
	Position    json.RawMessage `json:"position"`
	Tags        json.RawMessage `json:"tags"`
	Description json.RawMessage `json:"description"`
	Location    json.RawMessage `json:"location"`
	SalaryMin   json.RawMessage `json:"salary_min"`
	SalaryMax   json.RawMessage `json:"salary_max"`
	ApplyURL    json.RawMessage `json:"apply_url"`
	URL         json.RawMessage `json:"url"`
}

type remoteOKH struct{}

func remoteOKHandler() handler { return remoteOKH{} }

func (remoteOKH) streamGraph() bool { return false }

func (remoteOKH) records(item []byte, _ *scope, out []Record) []Record {
	if k := kindOf(item); k != '{' {
		return append(out, Record{Err: fmt.Errorf("expected a Remote OK job object, got %s", kindName(item))})
	}
	var r remoteOKJob
	if err := json.Unmarshal(item, &r); err != nil {
		return append(out, Record{Err: fmt.Errorf("invalid Remote OK job: %v", err)})
	}
	if kindOf(r.Legal) != 0 && kindOf(r.Position) == 0 && kindOf(r.ID) == 0 {
		return out // the legal notice that opens every response
	}
	var e fieldErrs
	j := &Job{Remote: true}
	j.Title = e.text(r.Position, "position")
	if strings.TrimSpace(j.Title) == "" && len(e.msgs) == 0 {
		e.add("position", "missing")
	}
	j.Company = e.text(r.Company, "company")
	j.CompanyLogo = e.text(r.CompanyLogo, "company_logo")
	j.Description = e.text(r.Description, "description")
	j.LocationText = e.text(r.Location, "location")
	j.Skills = e.texts(r.Tags, "tags", true)
	j.ApplyURL = e.text(r.ApplyURL, "apply_url")
	j.URL = e.text(r.URL, "url")
	j.DatePosted = e.date(r.Date, "date")
	if epoch, ok := e.number(r.Epoch, "epoch"); ok && j.DatePosted.IsZero() && epoch > 0 && epoch < math.MaxInt32*4 {
		j.DatePosted = time.Unix(int64(epoch), 0).UTC()
	}
	lo, _ := e.number(r.SalaryMin, "salary_min")
	hi, _ := e.number(r.SalaryMax, "salary_max")
	if lo > 0 || hi > 0 {
		j.Salary = &StructuredSalary{Min: lo, Max: hi, Currency: "USD", Unit: "YEAR"}
	}
	id := strings.TrimSpace(e.text(r.ID, "id"))
	slug := strings.TrimSpace(e.text(r.Slug, "slug"))
	j.Identifier = id
	rec := Record{Warnings: e.warnings}
	if err := e.err(); err != nil {
		rec.Err = err
		return append(out, rec)
	}
	rec.Job = j
	switch {
	case id != "":
		rec.SourceID = "remoteok:" + id
	case slug != "":
		rec.SourceID = "remoteok:" + slug
	default:
		rec.SourceID = "remoteok:" + hashID(j.Title, j.Company, j.LocationText)
	}
	return append(out, rec)
}
