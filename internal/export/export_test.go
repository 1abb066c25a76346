package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/formats"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

var (
	t0  = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	t60 = t0.Add(60 * 24 * time.Hour)
	org = readmodel.Org{ID: "org_1", Name: "Nimbus Labs", Slug: "nimbus", Website: "https://nimbus.example"}
)

func sampleJobs() []readmodel.Job {
	return []readmodel.Job{
		{ID: "job_eu", OrgID: "org_1", OrgName: "Nimbus Labs", Status: "published", Title: "Senior Backend Engineer (Go)",
			Description: "Build **ledgers**.", DescriptionHTML: "<p>Build <strong>ledgers</strong>.</p>", Seniority: "senior",
			EmploymentType: "full_time", Salary: &domain.Salary{Min: 8000000, Max: 9500050, Currency: "EUR", Period: "year"},
			Skills:      []domain.SkillRequirement{{Skill: "go", Level: 4, Required: true}, {Skill: "postgresql", Level: 3}},
			Eligibility: domain.Eligibility{Countries: []string{"GB"}, Regions: []string{"EU"}},
			PublishedAt: &t0, ValidThrough: &t60, CreatedAt: t0.Add(-time.Hour)},
		{ID: "job_ww", OrgID: "org_1", Status: "published", Title: "Platform Engineer", Description: "Run k8s & friends <here>.",
			EmploymentType: "contract", Salary: &domain.Salary{Min: 900000, Currency: "JPY", Period: "month"},
			Eligibility: domain.Eligibility{Worldwide: true}, PublishedAt: &t0, CreatedAt: t0},
		{ID: "job_draft", OrgID: "org_1", Status: "draft", Title: "Intern, Data", DescriptionHTML: "<p>Learn.</p>",
			EmploymentType: "internship", Eligibility: domain.Eligibility{Countries: []string{"PT", "BR"}},
			ApplyURL: "https://nimbus.example/apply", CreatedAt: t0},
		{ID: "job_hourly", OrgID: "org_1", Status: "published", Title: "Go Contractor", DescriptionHTML: "<p>Hourly.</p>",
			EmploymentType: "part_time", Salary: &domain.Salary{Min: 9000, Max: 9000, Currency: "USD", Period: "hour"},
			Eligibility: domain.Eligibility{Regions: []string{"NORTH_AMERICA"}}, PublishedAt: &t0, ValidThrough: &t60, CreatedAt: t0},
	}
}

func sampleProfiles() []readmodel.Profile {
	return []readmodel.Profile{
		{ID: "prof_1", OwnerID: "u1", Visibility: "public", DisplayName: "Ada Lovelace", Headline: "Staff backend engineer",
			Summary: "Engines, analytical.", TimeZone: "Europe/London", WorkStart: "09:00", WorkEnd: "17:00",
			Skills:    []domain.ProfileSkill{{Skill: "go", Level: 5, Years: 9}, {Skill: "postgresql", Level: 3, Years: 4.5}},
			Countries: []string{"GB", "PT"}, SalaryFloor: &domain.Salary{Min: 12000000, Currency: "GBP", Period: "year"},
			Seniority: "staff", UpdatedAt: t0},
		{ID: "prof_2", OwnerID: "u2", Visibility: "employers", DisplayName: "=cmd|' /C calc'!A0", TimeZone: "America/Sao_Paulo",
			WorkStart: "10:00", WorkEnd: "18:00", Countries: []string{"BR"}, UpdatedAt: t0},
		{ID: "prof_3", OwnerID: "u3", Visibility: "private", Erased: true, UpdatedAt: t0},
	}
}

func TestJobPostingPassesGoogleRules(t *testing.T) {
	for _, j := range sampleJobs() {
		t.Run(j.ID, func(t *testing.T) {
			v := JobPosting(j, org, "https://meridian.example/")
			if problems := CheckGoogleJobPosting(v); len(problems) > 0 {
				t.Errorf("violations: %q", problems)
			}
		})
	}
}

func TestJobPostingFields(t *testing.T) {
	jobs := sampleJobs()
	v := JobPosting(jobs[0], org, "https://meridian.example")
	b, _ := json.Marshal(v)
	var got map[string]any
	json.Unmarshal(b, &got)
	countries := EligibleCountries(jobs[0].Eligibility)
	if len(countries) != 28 || countries[0] != "AT" {
		t.Errorf("EU + GB countries = %v", countries)
	}
	want := map[string]any{
		"title": "Senior Backend Engineer (Go)", "description": "<p>Build <strong>ledgers</strong>.</p>",
		"datePosted": "2026-03-02T09:30:00Z", "validThrough": "2026-05-01T09:30:00Z", "employmentType": "FULL_TIME",
		"jobLocationType": "TELECOMMUTE", "directApply": true, "url": "https://meridian.example/jobs/job_eu",
		"hiringOrganization": map[string]any{"@type": "Organization", "name": "Nimbus Labs", "sameAs": "https://nimbus.example"},
		"identifier":         map[string]any{"@type": "PropertyValue", "name": "Meridian", "value": "job_eu"},
		"baseSalary": map[string]any{"@type": "MonetaryAmount", "currency": "EUR",
			"value": map[string]any{"@type": "QuantitativeValue", "minValue": 80000.0, "maxValue": 95000.5, "unitText": "YEAR"}},
		"skills": []any{"go", "postgresql"},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	// worldwide: every country; JPY has no minor units; no HTML → escaped Markdown
	ww := JobPosting(jobs[1], org, "")
	if n := len(ww["applicantLocationRequirements"].([]any)); n < 240 {
		t.Errorf("worldwide lists %d countries", n)
	}
	if s := ww["baseSalary"].(map[string]any)["value"].(map[string]any); s["minValue"] != 900000.0 || s["unitText"] != "MONTH" {
		t.Errorf("JPY salary = %v", s)
	}
	if d := ww["description"]; d != "<p>Run k8s &amp; friends &lt;here&gt;.</p>" {
		t.Errorf("description = %v", d)
	}
	if ww["datePosted"] != "2026-03-02T09:30:00Z" || ww["validThrough"] != "2026-05-01T09:30:00Z" {
		t.Errorf("dates %v %v", ww["datePosted"], ww["validThrough"])
	}
	if ww["employmentType"] != "CONTRACTOR" || JobPosting(jobs[2], org, "")["employmentType"] != "INTERN" {
		t.Error("employment types")
	}
	if JobPosting(jobs[2], org, "")["directApply"] != false {
		t.Error("external apply URL must not be directApply")
	}
	if v := JobPosting(jobs[3], org, "")["baseSalary"].(map[string]any)["value"].(map[string]any); v["value"] != 90.0 {
		t.Errorf("fixed hourly salary = %v", v)
	}
}

func TestCheckGoogleJobPostingFindsViolations(t *testing.T) {
	v := map[string]any{
		"@context": "https://schema.org/", "@type": "JobPosting", "title": "<b>Go</b>", "datePosted": "yesterday",
		"validThrough": "2020-01-01", "hiringOrganization": map[string]any{"sameAs": "nimbus"},
		"jobLocationType": "TELECOMMUTE", "applicantLocationRequirements": []any{map[string]any{"@type": "City", "name": "Berlin"}},
		"employmentType": "FULLTIME",
		"baseSalary":     map[string]any{"@type": "MonetaryAmount", "currency": "EURO", "value": map[string]any{"@type": "QuantitativeValue", "minValue": 10.0, "maxValue": 5.0, "unitText": "YEARLY"}},
		"identifier":     "x", "directApply": "yes",
	}
	got := CheckGoogleJobPosting(v)
	for _, want := range []string{"title: must be plain text", "description: required", "datePosted: not an ISO 8601", "hiringOrganization.name: required",
		"hiringOrganization.sameAs: must be a URL", "applicantLocationRequirements[0].@type", "employmentType[0]", "baseSalary.currency",
		"minValue is greater", "unitText", "identifier: must be a PropertyValue", "directApply"} {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, want)
		}
		if !found {
			t.Errorf("no violation %q in %q", want, got)
		}
	}
	delete(v, "jobLocationType")
	if got := CheckGoogleJobPosting(v); !contains(got, "jobLocation: required") {
		t.Errorf("missing location not reported: %q", got)
	}
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func resumeSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/jsonresume/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("does not validate: %v\n%s", err, b)
	}
}

func TestResumeValidatesAgainstSchema(t *testing.T) {
	s := resumeSchema(t)
	for _, p := range sampleProfiles() {
		t.Run(p.ID, func(t *testing.T) { validate(t, s, Resume(p)) })
	}
	// the schema check itself rejects what it should
	bad := Resume(sampleProfiles()[0])
	bad["basics"].(map[string]any)["email"] = 5
	b, _ := json.Marshal(bad)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if s.Validate(inst) == nil {
		t.Error("schema accepted a numeric email")
	}
	r := Resume(sampleProfiles()[0])
	meta := r["meta"].(map[string]any)["meridian"].(map[string]any)
	if meta["timeZone"] != "Europe/London" || meta["salaryFloor"].(map[string]any)["amount"] != 120000.0 {
		t.Errorf("meta.meridian = %v", meta)
	}
	if l := r["skills"].([]any)[0].(map[string]any)["level"]; l != "Expert" {
		t.Errorf("level 5 = %v", l)
	}
	if e := Resume(sampleProfiles()[2]); len(e["basics"].(map[string]any)) != 0 {
		t.Errorf("erased profile exports personal data: %v", e)
	}
}

func TestRoundTripJSONLD(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "jsonld", WithBaseURL("https://meridian.example"))
	if err != nil {
		t.Fatal(err)
	}
	jobs := sampleJobs()
	for _, j := range jobs {
		if err := w.WriteJob(j, org); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var all []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &all); err != nil || len(all) != len(jobs) {
		t.Fatalf("not a JSON array of %d: %v", len(jobs), err)
	}
	for _, v := range all {
		if p := CheckGoogleJobPosting(v); len(p) > 0 {
			t.Errorf("exported posting violates: %q", p)
		}
	}
	d, _ := formats.NewDecoder("jsonld", &buf, formats.Options{})
	for i, j := range jobs {
		r, err := d.Next()
		if err != nil || r.Err != nil {
			t.Fatalf("decode %d: %v %v", i, err, r.Err)
		}
		if r.SourceID != "jsonld:"+j.ID || r.Job.Title != j.Title || r.Job.Company != org.Name || !r.Job.Remote {
			t.Errorf("job %d: %+v", i, r.Job)
		}
		if diff := cmp.Diff(EligibleCountries(j.Eligibility), r.Job.ApplicantCountries); diff != "" {
			t.Errorf("job %d countries (-want +got):\n%s", i, diff)
		}
		var want *formats.StructuredSalary
		if s := j.Salary; s != nil {
			want = &formats.StructuredSalary{Min: MajorUnits(s.Min, s.Currency), Max: MajorUnits(s.Max, s.Currency),
				Currency: s.Currency, Unit: strings.ToUpper(s.Period)}
		}
		if diff := cmp.Diff(want, r.Job.Salary); diff != "" {
			t.Errorf("job %d salary (-want +got):\n%s", i, diff)
		}
	}
}

func TestRoundTripJSONResume(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, "jsonresume")
	profiles := sampleProfiles()[:2]
	for _, p := range profiles {
		if err := w.WriteProfile(p); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	s := resumeSchema(t)
	var all []any
	json.Unmarshal(buf.Bytes(), &all)
	for _, v := range all {
		validate(t, s, v)
	}
	d, _ := formats.NewDecoder("jsonresume", &buf, formats.Options{})
	for i, p := range profiles {
		r, err := d.Next()
		if err != nil || r.Err != nil {
			t.Fatalf("decode %d: %v %v", i, err, r.Err)
		}
		got := r.Profile
		if got.Name != p.DisplayName || got.Label != p.Headline || got.TimeZone != p.TimeZone || !cmp.Equal(got.Countries, p.Countries) {
			t.Errorf("profile %d: %+v", i, got)
		}
		for k, sk := range p.Skills {
			if got.Skills[k].Name != sk.Skill || got.Skills[k].Years != sk.Years || got.Skills[k].Level != SkillLevelName(sk.Level) {
				t.Errorf("skill %d: %+v", k, got.Skills[k])
			}
		}
		if f := p.SalaryFloor; f != nil && (got.SalaryFloor == nil || got.SalaryFloor.Min != MajorUnits(f.Min, f.Currency) || got.SalaryFloor.Currency != f.Currency) {
			t.Errorf("salary floor: %+v", got.SalaryFloor)
		}
	}
}

func TestCSVWriters(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, "csv-jobs", WithBaseURL("https://meridian.example"))
	for _, j := range sampleJobs() {
		if err := w.WriteJob(j, org); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteProfile(sampleProfiles()[0]); !isInvalid(err) {
		t.Errorf("profile into csv-jobs: %v", err)
	}
	w.Close()
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("rows=%d err=%v", len(rows), err)
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	want := map[string]string{"title": "Senior Backend Engineer (Go)", "salary_min": "80000", "salary_max": "95000.5", "currency": "EUR",
		"salary_period": "year", "skills": "go;postgresql", "countries": "GB", "regions": "EU", "url": "https://meridian.example/jobs/job_eu"}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %q, want %q", k, row[k], v)
		}
	}
	// the export imports again
	d, _ := formats.NewDecoder("csv", bytes.NewReader(buf.Bytes()), formats.Options{})
	r, err := d.Next()
	if err != nil || r.Err != nil || r.SourceID != "csv:job_eu" || r.Job.Salary.Max != 95000.5 || !cmp.Equal(r.Job.Skills, []string{"go", "postgresql"}) {
		t.Errorf("reimport: %v %+v", err, r)
	}

	buf.Reset()
	w, _ = NewWriter(&buf, "csv-profiles")
	for _, p := range sampleProfiles() {
		if err := w.WriteProfile(p); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	rows, _ = csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if len(rows) != 4 || rows[1][1] != "Ada Lovelace" || rows[1][4] != "go;postgresql" || rows[1][8] != "GB;PT" || rows[1][10] != "120000" {
		t.Errorf("profiles csv: %q", rows)
	}
	if rows[2][1] != "'=cmd|' /C calc'!A0" {
		t.Errorf("formula not neutralized: %q", rows[2][1])
	}
	if rows[3][1] != "" {
		t.Errorf("erased profile exports its name: %q", rows[3])
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, "xml"); !isInvalid(err) || !strings.Contains(err.Error(), "csv-jobs, csv-profiles, jsonld, jsonresume") {
		t.Errorf("unknown format: %v", err)
	}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, "jsonld")
	if err := w.WriteProfile(sampleProfiles()[0]); !isInvalid(err) {
		t.Errorf("profile into jsonld: %v", err)
	}
	w.Close()
	if buf.String() != "[]\n" {
		t.Errorf("empty export = %q", buf.String())
	}
	if err := w.WriteJob(sampleJobs()[0], org); !isInvalid(err) {
		t.Errorf("write after close: %v", err)
	}
}

func isInvalid(err error) bool {
	var me *meridian.Error
	return errors.As(err, &me) && me.Code == meridian.EInvalid
}
