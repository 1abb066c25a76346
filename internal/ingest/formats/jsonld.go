package formats

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ldNode holds the schema.org properties the JSON-LD decoder reads, for any
// node type (JobPosting, Organization, Place, PostalAddress, MonetaryAmount,
// QuantitativeValue, PropertyValue...). Values stay raw so that each can be
// read leniently: schema.org allows text, objects or arrays almost anywhere.
type ldNode struct {
	ID                            json.RawMessage `json:"@id"`
	Type                          json.RawMessage `json:"@type"`
	Graph                         json.RawMessage `json:"@graph"`
	Title                         json.RawMessage `json:"title"`
	Name                          json.RawMessage `json:"name"`
	Description                   json.RawMessage `json:"description"`
	DatePosted                    json.RawMessage `json:"datePosted"`
	ValidThrough                  json.RawMessage `json:"validThrough"`
	EmploymentType                json.RawMessage `json:"employmentType"`
	HiringOrganization            json.RawMessage `json:"hiringOrganization"`
	JobLocation                   json.RawMessage `json:"jobLocation"`
	JobLocationType               json.RawMessage `json:"jobLocationType"`
	ApplicantLocationRequirements json.RawMessage `json:"applicantLocationRequirements"`
	BaseSalary                    json.RawMessage `json:"baseSalary"`
	Skills                        json.RawMessage `json:"skills"`
	Identifier                    json.RawMessage `json:"identifier"`
	URL                           json.RawMessage `json:"url"`
	SameAs                        json.RawMessage `json:"sameAs"`
	Logo                          json.RawMessage `json:"logo"`
	DirectApply                   json.RawMessage `json:"directApply"`
	ExperienceRequirements        json.RawMessage `json:"experienceRequirements"`
	Address                       json.RawMessage `json:"address"`
	AddressLocality               json.RawMessage `json:"addressLocality"`
	AddressRegion                 json.RawMessage `json:"addressRegion"`
	AddressCountry                json.RawMessage `json:"addressCountry"`
	Currency                      json.RawMessage `json:"currency"`
	Value                         json.RawMessage `json:"value"`
	MinValue                      json.RawMessage `json:"minValue"`
	MaxValue                      json.RawMessage `json:"maxValue"`
	UnitText                      json.RawMessage `json:"unitText"`
}

// ldOrg is an Organization node remembered for @id references.
type ldOrg struct{ name, url, logo string }

type jsonldH struct{}

func jsonldHandler() handler { return jsonldH{} }

func (jsonldH) streamGraph() bool { return true }

func (h jsonldH) records(item []byte, sc *scope, out []Record) []Record {
	return h.item(item, sc, out, 0)
}

func (h jsonldH) item(item []byte, sc *scope, out []Record, depth int) []Record {
	switch kindOf(item) {
	case '{':
	case '[':
		if depth > 2 {
			return append(out, Record{Err: fmt.Errorf("arrays nested too deeply")})
		}
		var arr []json.RawMessage
		json.Unmarshal(item, &arr)
		for _, el := range arr {
			out = h.item(el, sc, out, depth+1)
		}
		return out
	default:
		return append(out, Record{Err: fmt.Errorf("expected a JSON-LD object, got %s", kindName(item))})
	}
	var n ldNode
	if err := json.Unmarshal(item, &n); err != nil {
		return append(out, Record{Err: fmt.Errorf("invalid JSON-LD object: %v", err)})
	}
	if kindOf(n.Graph) != 0 && depth < 3 {
		return h.item(n.Graph, sc, out, depth+1)
	}
	var e fieldErrs
	types := e.texts(n.Type, "@type", false)
	if len(e.msgs) > 0 {
		return append(out, Record{Err: e.err()})
	}
	if len(types) == 0 {
		return append(out, Record{Err: fmt.Errorf("@type: missing (expected JobPosting)")})
	}
	if !hasType(types, "JobPosting") {
		if isOrgType(types) {
			sc.remember(&n)
		}
		return out
	}
	return append(out, jobFromLD(&n, sc))
}

func schemaName(t string) string {
	t = strings.TrimSpace(t)
	for _, p := range []string{"http://schema.org/", "https://schema.org/", "schema:"} {
		t = strings.TrimPrefix(t, p)
	}
	return t
}

func hasType(types []string, want string) bool {
	for _, t := range types {
		if strings.EqualFold(schemaName(t), want) {
			return true
		}
	}
	return false
}

func isOrgType(types []string) bool {
	for _, t := range types {
		switch strings.ToLower(schemaName(t)) {
		case "organization", "corporation", "localbusiness", "ngo", "educationalorganization", "governmentorganization":
			return true
		}
	}
	return false
}

func (s *scope) remember(n *ldNode) {
	var e fieldErrs
	id := e.text(n.ID, "@id")
	if id == "" || len(s.orgs) >= maxScopeOrgs {
		return
	}
	if s.orgs == nil {
		s.orgs = map[string]ldOrg{}
	}
	s.orgs[id] = orgFromLD(n, &e)
}

func orgFromLD(n *ldNode, e *fieldErrs) ldOrg {
	o := ldOrg{name: e.text(n.Name, "hiringOrganization.name")}
	if same := e.texts(n.SameAs, "hiringOrganization.sameAs", false); len(same) > 0 {
		o.url = same[0]
	}
	if o.url == "" {
		o.url = e.text(n.URL, "hiringOrganization.url")
	}
	if kindOf(n.Logo) == '{' {
		var l ldNode
		json.Unmarshal(n.Logo, &l)
		o.logo = e.text(l.URL, "hiringOrganization.logo.url")
	} else {
		o.logo = e.text(n.Logo, "hiringOrganization.logo")
	}
	return o
}

func jobFromLD(n *ldNode, sc *scope) Record {
	var e fieldErrs
	j := &Job{}
	j.Title = e.text(n.Title, "title")
	if strings.TrimSpace(j.Title) == "" && kindOf(n.Title) == 0 {
		j.Title = e.text(n.Name, "name")
	}
	if strings.TrimSpace(j.Title) == "" && len(e.msgs) == 0 {
		e.add("title", "missing")
	}
	j.Description = e.text(n.Description, "description")
	j.DatePosted = e.date(n.DatePosted, "datePosted")
	j.ValidThrough = e.date(n.ValidThrough, "validThrough")
	j.EmploymentType = strings.Join(e.texts(n.EmploymentType, "employmentType", false), ",")
	j.URL = e.text(n.URL, "url")
	j.DirectApply = e.boolean(n.DirectApply, "directApply")
	j.Seniority = e.text(n.ExperienceRequirements, "experienceRequirements")
	if kindOf(n.ExperienceRequirements) == '{' {
		j.Seniority = ""
	}
	j.Skills = e.texts(n.Skills, "skills", true)

	// hiringOrganization: a name, an Organization, or a reference to one.
	org := n.HiringOrganization
	if kindOf(org) == '[' {
		var arr []json.RawMessage
		json.Unmarshal(org, &arr)
		org = nil
		if len(arr) > 0 {
			org = arr[0]
		}
	}
	switch kindOf(org) {
	case 0:
	case '{':
		var on ldNode
		json.Unmarshal(org, &on)
		o := orgFromLD(&on, &e)
		if id := e.text(on.ID, "hiringOrganization.@id"); id != "" {
			if ref, ok := sc.orgs[id]; ok {
				o.name = cmpOr(o.name, ref.name)
				o.url = cmpOr(o.url, ref.url)
				o.logo = cmpOr(o.logo, ref.logo)
			}
		}
		j.Company, j.CompanyURL, j.CompanyLogo = o.name, o.url, o.logo
	default:
		j.Company = e.text(org, "hiringOrganization")
	}

	// where
	for _, t := range e.texts(n.JobLocationType, "jobLocationType", false) {
		if strings.EqualFold(strings.TrimSpace(t), "TELECOMMUTE") {
			j.Remote = true
		}
	}
	j.LocationText = locationText(n.JobLocation, &e)
	j.ApplicantCountries = e.texts(n.ApplicantLocationRequirements, "applicantLocationRequirements", false)

	// pay
	salaryFromLD(n.BaseSalary, j, &e)

	// identity
	if kindOf(n.Identifier) == '{' {
		var id ldNode
		json.Unmarshal(n.Identifier, &id)
		j.Identifier = e.text(id.Value, "identifier.value")
		if j.Identifier == "" {
			j.Identifier = e.text(id.Name, "identifier.name")
		}
	} else {
		j.Identifier = e.text(n.Identifier, "identifier")
	}
	rec := Record{Warnings: e.warnings}
	if err := e.err(); err != nil {
		rec.Err = err
		return rec
	}
	rec.Job = j
	switch {
	case strings.TrimSpace(j.Identifier) != "":
		rec.SourceID = "jsonld:" + strings.TrimSpace(j.Identifier)
	case strings.TrimSpace(j.URL) != "":
		rec.SourceID = "jsonld:" + strings.TrimSpace(j.URL)
	default:
		rec.SourceID = "jsonld:" + hashID(j.Title, j.Company, j.LocationText)
	}
	return rec
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// locationText renders jobLocation (a Place, PostalAddress, text, or a list
// of those) as "Locality, Region, Country; ...".
func locationText(r json.RawMessage, e *fieldErrs) string {
	var places []json.RawMessage
	switch kindOf(r) {
	case 0:
		return ""
	case '[':
		json.Unmarshal(r, &places)
	default:
		places = []json.RawMessage{r}
	}
	var out []string
	for i, p := range places {
		field := "jobLocation"
		if kindOf(r) == '[' {
			field = fmt.Sprintf("jobLocation[%d]", i)
		}
		if s := placeText(p, field, e); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

func placeText(r json.RawMessage, field string, e *fieldErrs) string {
	if kindOf(r) != '{' {
		return e.text(r, field)
	}
	var p ldNode
	json.Unmarshal(r, &p)
	addr := &p
	if k := kindOf(p.Address); k == '{' {
		var a ldNode
		json.Unmarshal(p.Address, &a)
		addr = &a
		field += ".address"
	} else if k != 0 {
		return e.text(p.Address, field+".address")
	}
	var parts []string
	for _, s := range []string{
		e.text(addr.AddressLocality, field+".addressLocality"),
		e.text(addr.AddressRegion, field+".addressRegion"),
		e.name(addr.AddressCountry, field+".addressCountry"),
	} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return e.text(p.Name, field+".name")
	}
	return strings.Join(parts, ", ")
}

// salaryFromLD reads baseSalary: a MonetaryAmount whose value is a
// QuantitativeValue or a number, a plain number, or free text.
func salaryFromLD(r json.RawMessage, j *Job, e *fieldErrs) {
	switch kindOf(r) {
	case 0:
		return
	case '"':
		s := e.text(r, "baseSalary")
		var probe fieldErrs
		if v, ok := probe.number(r, "baseSalary"); ok && len(probe.msgs) == 0 {
			j.Salary = &StructuredSalary{Min: v, Max: v}
			return
		}
		j.SalaryText = s
		return
	case '{':
	case '[', 't', 'f':
		e.add("baseSalary", "expected a MonetaryAmount or a number, got %s", kindName(r))
		return
	default:
		if v, ok := e.number(r, "baseSalary"); ok {
			j.Salary = &StructuredSalary{Min: v, Max: v}
		}
		return
	}
	var m ldNode
	json.Unmarshal(r, &m)
	s := &StructuredSalary{Currency: e.text(m.Currency, "baseSalary.currency")}
	q, field := &m, "baseSalary"
	switch kindOf(m.Value) {
	case '{':
		q = &ldNode{}
		json.Unmarshal(m.Value, q)
		field = "baseSalary.value"
	case 0:
	default:
		if v, ok := e.number(m.Value, "baseSalary.value"); ok {
			s.Min, s.Max = v, v
		}
		q = nil
	}
	if q != nil {
		if q != &m {
			if v, ok := e.number(q.Value, field+".value"); ok {
				s.Min, s.Max = v, v
			}
		}
		if v, ok := e.number(q.MinValue, field+".minValue"); ok {
			s.Min = v
		}
		if v, ok := e.number(q.MaxValue, field+".maxValue"); ok {
			s.Max = v
		}
		s.Unit = e.text(q.UnitText, field+".unitText")
	}
	if s.Unit == "" {
		s.Unit = e.text(m.UnitText, "baseSalary.unitText")
	}
	if s.Min == 0 && s.Max == 0 {
		return
	}
	j.Salary = s
}
