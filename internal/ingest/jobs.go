package ingest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/ingest/formats"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// Limits of an imported posting's fields (the domain's own limits).
const (
	maxTitle       = 200
	maxDescription = 100000
	maxSkills      = 60
)

// recordError is a per-record rejection reason naming the field.
func recordError(field, format string, args ...any) error {
	return meridian.Errorf(meridian.EInvalid, "%s: %s", field, fmt.Sprintf(format, args...))
}

// Reason is the message of an error as a report shows it: a Meridian
// error's message without its code (meridian.MessageOf).
func Reason(err error) string { return meridian.MessageOf(err) }

// NormalizeJob cleans one decoded posting and turns it into an import
// command: text cleaned (HTML, entities, double-encoded UTF-8), salary,
// eligibility, time zone, seniority and employment type parsed, skills
// extracted from the title and description (and the record's own tags
// mapped through the taxonomy). It rejects a record it cannot use with an
// error naming the field.
func (im *Importer) NormalizeJob(j *formats.Job, sourceID string, now time.Time) (app.ImportJob, error) {
	title := oneLine(fields.CleanText(j.Title))
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return app.ImportJob{}, recordError("title", "missing")
	case n < 3:
		return app.ImportJob{}, recordError("title", "%q is too short", title)
	case n > maxTitle:
		return app.ImportJob{}, recordError("title", "longer than %d characters", maxTitle)
	}
	if err := fields.CheckText(title); err != nil {
		return app.ImportJob{}, recordError("title", "%s", Reason(err))
	}
	company := oneLine(fields.CleanText(j.Company))
	desc := j.Description
	if !j.Markdown {
		desc = fields.CleanText(desc)
	}
	if strings.TrimSpace(desc) != "" {
		if err := fields.CheckText(desc); err != nil {
			return app.ImportJob{}, recordError("description", "%s", Reason(err))
		}
	}
	if len(desc)+len(j.Attribution) > maxDescription {
		return app.ImportJob{}, recordError("description", "longer than %d characters", maxDescription)
	}
	location := fields.CleanText(j.LocationText)

	d := domain.JobDetails{
		Title:       title,
		Description: desc + j.Attribution,
		Source:      sourceID,
		ApplyURL:    jobApplyURL(j),
	}
	if !j.DatePosted.IsZero() && !j.DatePosted.After(now) {
		d.PostedAt = j.DatePosted.UTC()
	}
	text := desc // what the parsers read: the posting, not the attribution
	var err error
	if d.Eligibility, err = eligibility(j, location, title, text); err != nil {
		return app.ImportJob{}, err
	}
	if d.Salary, err = im.salary(j, title, text, localCurrency(d.Eligibility)); err != nil {
		return app.ImportJob{}, err
	}
	d.TimeZone = fields.ParseTimeZone(location + "\n" + title + "\n" + text)
	d.Seniority = fields.ParseSeniority(title, j.Seniority+"\n"+text)
	d.EmploymentType = fields.ParseEmploymentType(j.EmploymentType)
	if d.EmploymentType == "" {
		d.EmploymentType = fields.ParseEmploymentType(title + "\n" + location)
	}
	if d.EmploymentType == "" {
		d.EmploymentType = "full_time"
	}
	d.Skills = im.skillsOf(title+"\n\n"+text, j.Skills)
	if !j.ValidThrough.IsZero() {
		vt := j.ValidThrough.UTC()
		if !vt.After(now) {
			return app.ImportJob{}, recordError("validThrough", "the posting expired on %s", vt.Format(time.DateOnly))
		}
		if vt.Sub(now) > domain.MaxValidity {
			vt = now.Add(domain.MaxValidity) // the longest Meridian keeps a posting up without renewal
		}
		d.ValidThrough = vt
	}
	website := strings.TrimSpace(j.CompanyURL)
	if !strings.HasPrefix(website, "https://") && !strings.HasPrefix(website, "http://") {
		website = ""
	}
	return app.ImportJob{Key: DedupKey(title, d.Eligibility), Company: company, Website: website, Details: d}, nil
}

// DedupKey is what makes two records the same posting within one
// organization: the title, lower-cased with punctuation and spacing
// folded, and the places it may be done from. A repost of the same role
// with a new description or salary merges into the earlier posting; the
// same title for a different country or region stays a separate posting.
func DedupKey(title string, e domain.Eligibility) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	places := e.Places()
	sort.Strings(places)
	return b.String() + "|" + strings.Join(places, ",")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func jobApplyURL(j *formats.Job) string {
	for _, u := range []string{j.ApplyURL, j.URL} {
		u = strings.TrimSpace(u)
		if len(u) <= 2000 && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "mailto:")) {
			return u
		}
	}
	return ""
}

var salaryUnits = map[string]string{
	"": "year", "year": "year", "yearly": "year", "annual": "year", "annually": "year", "per year": "year",
	"month": "month", "monthly": "month", "per month": "month",
	"week": "week", "weekly": "week", "per week": "week",
	"day": "day", "daily": "day", "per day": "day",
	"hour": "hour", "hourly": "hour", "per hour": "hour",
}

// localCurrency is the currency of a posting's one country, for amounts
// written without one ("London | 75k-110k"): "" when it names several
// countries or regions.
func localCurrency(e domain.Eligibility) string {
	if e.Worldwide || len(e.Regions) > 0 || len(e.Countries) != 1 {
		return ""
	}
	return fields.CurrencyOf(e.Countries[0])
}

// salary takes a structured salary when the record has one, else the one
// its salary text, title or description states (amounts without a
// currency read in the posting's local currency).
func (im *Importer) salary(j *formats.Job, title, desc, currency string) (*domain.Salary, error) {
	if s := j.Salary; s != nil && (s.Min > 0 || s.Max > 0) {
		cur := strings.ToUpper(strings.TrimSpace(s.Currency))
		if cur == "" {
			cur = "USD"
		}
		if !meridian.ValidCurrency(cur) {
			return nil, recordError("salary.currency", "%q is not an ISO 4217 code", s.Currency)
		}
		period, ok := salaryUnits[strings.ToLower(strings.TrimSpace(s.Unit))]
		if !ok {
			return nil, recordError("salary.unit", "%q is not one of HOUR, DAY, WEEK, MONTH, YEAR", s.Unit)
		}
		scale := math.Pow10(meridian.MinorUnits(cur))
		lo, hi := s.Min, s.Max
		if lo < 0 || hi < 0 || math.IsNaN(lo) || math.IsNaN(hi) || lo > 1e12 || hi > 1e12 {
			return nil, recordError("salary", "amounts must be between 0 and 10^12")
		}
		if hi > 0 && lo > hi {
			return nil, recordError("salary", "minimum %.2f is greater than maximum %.2f", lo, hi)
		}
		return &domain.Salary{Min: int64(math.Round(lo * scale)), Max: int64(math.Round(hi * scale)), Currency: cur, Period: period}, nil
	}
	for _, text := range []string{fields.CleanText(j.SalaryText), title, desc} {
		if text == "" {
			continue
		}
		if s, ok := fields.ParseSalaryIn(text, currency); ok {
			return &s, nil
		}
	}
	return nil, nil
}

// eligibility says from where the job may be done (EligibilityOf over the
// record's location text, its remote flag and its applicant countries). A
// record that says nothing usable is rejected: Meridian never guesses
// eligibility.
func eligibility(j *formats.Job, location, title, desc string) (domain.Eligibility, error) {
	loc := fields.ParseLocation(location)
	if loc.Mode == fields.ModeUnspecified && strings.TrimSpace(location) == "" {
		loc = fields.ParseLocation(title + "\n" + firstLines(desc, 3))
	}
	if j.Remote {
		loc.Mode = fields.ModeRemote
	}
	for _, c := range j.ApplicantCountries {
		// A code ("PT") or a name ("Germany", "European Union").
		if code := strings.ToUpper(strings.TrimSpace(c)); len(code) == 2 && domain.IsCountry(code) {
			loc.Eligibility.Countries = append(loc.Eligibility.Countries, code)
			loc.Mode = fields.ModeRemote
			continue
		}
		l2 := fields.ParseLocation("Remote (" + c + ")")
		if len(l2.Eligibility.Countries)+len(l2.Eligibility.Regions) == 0 && !l2.Eligibility.Worldwide {
			return domain.Eligibility{}, recordError("applicantLocationRequirements", "%q is no known country or region", clip(c, 80))
		}
		loc.Mode = fields.ModeRemote
		loc.Eligibility.Countries = append(loc.Eligibility.Countries, l2.Eligibility.Countries...)
		loc.Eligibility.Regions = append(loc.Eligibility.Regions, l2.Eligibility.Regions...)
		loc.Eligibility.Worldwide = loc.Eligibility.Worldwide || l2.Eligibility.Worldwide
	}
	e, ok := EligibilityOf(loc)
	if !ok {
		return e, recordError("location", "says neither where the job may be done remotely nor where its office is (%q)", clip(location, 80))
	}
	e.Countries = dedupe(e.Countries)
	e.Regions = dedupe(e.Regions)
	return e, nil
}

func firstLines(s string, n int) string {
	for i, k := 0, 0; i < len(s); i++ {
		if s[i] == '\n' {
			k++
			if k == n {
				return s[:i]
			}
		}
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func dedupe(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// skillsOf extracts skills from text and maps the record's own tags
// through the taxonomy (unknown tags are left out: a tag such as "senior"
// or "remote" is no skill). Tags and required mentions are required; the
// rest nice to have.
func (im *Importer) skillsOf(text string, tags []string) []domain.SkillRequirement {
	var out []domain.SkillRequirement
	at := map[string]int{}
	add := func(id string, required bool) {
		if i, ok := at[id]; ok {
			out[i].Required = out[i].Required || required
			return
		}
		if len(out) >= maxSkills {
			return
		}
		at[id] = len(out)
		out = append(out, domain.SkillRequirement{Skill: id, Level: 3, Required: required})
	}
	tax := skills.Default()
	for _, t := range tags {
		if s, ok := tax.Lookup(t); ok {
			add(s.ID, true)
		}
	}
	for _, m := range im.extractor().Extract(text) {
		if m.Confidence >= skills.MinConfidence {
			add(m.ID, m.Requirement != skills.NiceToHave)
		}
	}
	return out
}
