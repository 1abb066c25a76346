package ingest

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/ingest/formats"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// skillLevels maps JSON Resume's free-text skill levels to Meridian's 1..5.
var skillLevels = map[string]int{
	"beginner": 1, "novice": 1, "basic": 1, "aware": 1,
	"elementary": 2, "junior": 2, "familiar": 2,
	"intermediate": 3, "competent": 3, "proficient": 3, "working": 3,
	"advanced": 4, "senior": 4, "strong": 4, "experienced": 4,
	"expert": 5, "master": 5, "guru": 5,
}

func level(raw string) int {
	if l, ok := skillLevels[strings.ToLower(strings.TrimSpace(raw))]; ok {
		return l
	}
	return 3
}

// NormalizeProfile turns a decoded résumé into profile details: skills
// from the résumé's skill list and keywords (through the taxonomy) and
// from its summary and work history (the extractor), with years counted
// from the positions that mention them; seniority from the headline; the
// country from the location; the time zone from Meridian's own field
// when the résumé came from Meridian, else the country's main zone.
func (im *Importer) NormalizeProfile(p *formats.Profile) (domain.ProfileDetails, error) {
	name := oneLine(fields.CleanText(p.Name))
	if name == "" {
		return domain.ProfileDetails{}, recordError("basics.name", "missing")
	}
	if utf8.RuneCountInString(name) > 120 {
		return domain.ProfileDetails{}, recordError("basics.name", "longer than 120 characters")
	}
	d := domain.ProfileDetails{
		DisplayName: name,
		Headline:    clip(oneLine(fields.CleanText(p.Label)), 190),
		Summary:     fields.CleanText(p.Summary),
		TimeZone:    strings.TrimSpace(p.TimeZone),
		WorkStart:   p.WorkStart,
		WorkEnd:     p.WorkEnd,
		Seniority:   p.Seniority,
	}
	if len(d.Summary) > 20000 {
		return d, recordError("basics.summary", "longer than 20000 characters")
	}
	if d.Seniority == "" {
		d.Seniority = fields.ParseSeniority(d.Headline, "")
	}
	for _, c := range append([]string{p.Location.CountryCode}, p.Countries...) {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			d.Countries = append(d.Countries, c)
		}
	}
	d.Countries = dedupe(d.Countries)
	for _, c := range d.Countries {
		if !domain.IsCountry(c) {
			return d, recordError("basics.location.countryCode", "%q is not an ISO 3166-1 alpha-2 country code", c)
		}
	}
	if len(d.Countries) == 0 {
		return d, recordError("basics.location.countryCode", "missing: Meridian needs a country to match eligibility")
	}
	if d.TimeZone == "" {
		d.TimeZone = MainZone(d.Countries[0])
	}
	if !domain.ValidTimeZone(d.TimeZone) {
		return d, recordError("meta.meridian.timeZone", "%q is not an IANA time zone", d.TimeZone)
	}
	if s := p.SalaryFloor; s != nil && s.Min > 0 {
		cur := strings.ToUpper(s.Currency)
		if !meridian.ValidCurrency(cur) {
			return d, recordError("meta.meridian.salaryFloor.currency", "%q is not an ISO 4217 code", s.Currency)
		}
		period, ok := salaryUnits[strings.ToLower(s.Unit)]
		if !ok {
			period = "year"
		}
		d.SalaryFloor = &domain.Salary{Min: int64(math.Round(s.Min * math.Pow10(meridian.MinorUnits(cur)))), Currency: cur, Period: period}
	}
	d.Skills = im.profileSkills(p)
	return d, nil
}

// profileSkills gathers a résumé's skills, most explicit first.
func (im *Importer) profileSkills(p *formats.Profile) []domain.ProfileSkill {
	tax := skills.Default()
	var out []domain.ProfileSkill
	at := map[string]int{}
	add := func(id string, lvl int, years float64) {
		if i, ok := at[id]; ok {
			out[i].Level = max(out[i].Level, lvl)
			out[i].Years = math.Max(out[i].Years, years)
			return
		}
		if len(out) >= 100 {
			return
		}
		at[id] = len(out)
		out = append(out, domain.ProfileSkill{Skill: id, Level: lvl, Years: years})
	}
	for _, s := range p.Skills {
		lvl := level(s.Level)
		years := math.Min(math.Max(s.Years, 0), 60)
		if sk, ok := tax.Lookup(s.Name); ok {
			add(sk.ID, lvl, years)
		} else {
			for _, m := range im.extractor().Extract(s.Name) {
				if m.Confidence >= skills.MinConfidence {
					add(m.ID, lvl, years)
				}
			}
		}
		for _, k := range s.Keywords {
			if sk, ok := tax.Lookup(k); ok {
				add(sk.ID, lvl, years)
			}
		}
	}
	// Work history: a skill named in a position counts the position's years.
	now := time.Now().UTC()
	for _, w := range p.Work {
		text := w.Position + "\n" + w.Summary + "\n" + strings.Join(w.Highlights, "\n")
		years := spanYears(w.StartDate, w.EndDate, now)
		for _, m := range im.extractor().Extract(fields.CleanText(text)) {
			if m.Confidence >= skills.MinConfidence {
				add(m.ID, 3, years)
			}
		}
	}
	for _, m := range im.extractor().Extract(fields.CleanText(p.Label + "\n" + p.Summary)) {
		if m.Confidence >= skills.MinConfidence {
			add(m.ID, 3, 0)
		}
	}
	return out
}

// spanYears is the length of a position in years (partial ISO dates such as
// "2019-04" accepted; an open end is now).
func spanYears(start, end string, now time.Time) float64 {
	s, ok := partialDate(start)
	if !ok {
		return 0
	}
	e, ok := partialDate(end)
	if !ok {
		e = now
	}
	if e.Before(s) {
		return 0
	}
	y := e.Sub(s).Hours() / (24 * 365.25)
	return math.Min(math.Round(y*10)/10, 60)
}

func partialDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// mainZones gives a country's most populous time zone: the starting guess
// for a résumé that states no zone (the developer can change it). Countries
// not listed fall back to UTC.
var mainZones = map[string]string{
	"US": "America/New_York", "CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
	"AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago", "CO": "America/Bogota", "PE": "America/Lima",
	"UY": "America/Montevideo", "GB": "Europe/London", "IE": "Europe/Dublin", "PT": "Europe/Lisbon", "ES": "Europe/Madrid",
	"FR": "Europe/Paris", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam", "DE": "Europe/Berlin", "CH": "Europe/Zurich",
	"AT": "Europe/Vienna", "IT": "Europe/Rome", "DK": "Europe/Copenhagen", "NO": "Europe/Oslo", "SE": "Europe/Stockholm",
	"FI": "Europe/Helsinki", "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "SK": "Europe/Bratislava", "HU": "Europe/Budapest",
	"RO": "Europe/Bucharest", "BG": "Europe/Sofia", "GR": "Europe/Athens", "UA": "Europe/Kyiv", "EE": "Europe/Tallinn",
	"LV": "Europe/Riga", "LT": "Europe/Vilnius", "HR": "Europe/Zagreb", "SI": "Europe/Ljubljana", "RS": "Europe/Belgrade",
	"TR": "Europe/Istanbul", "IL": "Asia/Jerusalem", "AE": "Asia/Dubai", "EG": "Africa/Cairo", "NG": "Africa/Lagos",
	"KE": "Africa/Nairobi", "ZA": "Africa/Johannesburg", "MA": "Africa/Casablanca", "IN": "Asia/Kolkata",
	"PK": "Asia/Karachi", "BD": "Asia/Dhaka", "SG": "Asia/Singapore", "MY": "Asia/Kuala_Lumpur", "ID": "Asia/Jakarta",
	"PH": "Asia/Manila", "VN": "Asia/Ho_Chi_Minh", "TH": "Asia/Bangkok", "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong",
	"TW": "Asia/Taipei", "KR": "Asia/Seoul", "JP": "Asia/Tokyo", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
}

// MainZone returns the country's main IANA time zone ("UTC" when unknown).
func MainZone(country string) string {
	if z, ok := mainZones[country]; ok {
		return z
	}
	return "UTC"
}
