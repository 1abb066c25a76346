package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"plural":      plural,
		"salary":      salaryText,
		"eligibility": eligibilityText,
		"timezone":    timeZoneText,
		"date":        func(t *time.Time) string { return dateText(t) },
		"isodate": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"title":      titleCase,
		"employment": employmentText,
		"pct":        pct,
		"interval":   interval,
		// html marks the read model's description HTML as safe: it was
		// rendered from Markdown and sanitized when projected.
		"html": func(s string) template.HTML { return template.HTML(s) }, // #nosec G203 -- readmodel.Job.DescriptionHTML is sanitized (bluemonday) by the projection
	}
}

// english prints numbers with English digit grouping (x/text's number
// formatting, as the rest of the page is English).
var english = message.NewPrinter(language.English)

// thousands formats n with comma separators (120000 → "120,000").
func thousands(n int64) string { return english.Sprintf("%d", n) }

// moneyRange formats a range in major units ("USD 120,000–160,000").
func moneyRange(lo, hi int64, cur string) string {
	switch {
	case hi == 0 || lo == hi:
		return cur + " " + thousands(lo)
	case lo == 0:
		return "up to " + cur + " " + thousands(hi)
	}
	return cur + " " + thousands(lo) + "–" + thousands(hi)
}

// major converts minor units to whole major units.
func major(minor int64, cur string) int64 {
	return int64(math.Round(float64(minor) / math.Pow10(meridian.MinorUnits(cur))))
}

var periods = map[string]string{"hour": "an hour", "day": "a day", "week": "a week", "month": "a month", "year": "a year"}

// salaryText is a posting's own salary ("EUR 70,000–90,000 a year"), or "".
func salaryText(s *domain.Salary) string {
	if s == nil || (s.Min == 0 && s.Max == 0) {
		return ""
	}
	out := moneyRange(major(s.Min, s.Currency), major(s.Max, s.Currency), s.Currency)
	if p, ok := periods[s.Period]; ok {
		out += " " + p
	}
	return out
}

// eligibilityText says from where a posting may be done.
func eligibilityText(j readmodel.Job) string {
	e := j.Eligibility
	if e.Worldwide {
		return "worldwide"
	}
	var parts []string
	for _, r := range e.Regions {
		parts = append(parts, regionName(r))
	}
	parts = append(parts, e.Countries...)
	if len(parts) == 0 {
		return "location not stated"
	}
	return "from " + strings.Join(parts, ", ")
}

// utc formats an offset in hours ("UTC−3", "UTC+5:30", "UTC").
func utc(h float64) string {
	if h == 0 {
		return "UTC"
	}
	sign := "+"
	if h < 0 {
		sign, h = "−", -h
	}
	whole := math.Floor(h)
	mins := math.Round((h - whole) * 60)
	if mins == 0 {
		return fmt.Sprintf("UTC%s%g", sign, whole)
	}
	return fmt.Sprintf("UTC%s%g:%02g", sign, whole, mins)
}

// timeZoneText describes a posting's working-time rule, or "".
func timeZoneText(tz *domain.TimeZoneRule) string {
	switch {
	case tz == nil:
		return ""
	case tz.MinUTCOffset != nil && tz.MaxUTCOffset != nil:
		return "Work from a time zone between " + utc(*tz.MinUTCOffset) + " and " + utc(*tz.MaxUTCOffset) + "."
	case tz.ReferenceZone != "":
		start, end := tz.ReferenceStart, tz.ReferenceEnd
		if start == "" {
			start = "09:00"
		}
		if end == "" {
			end = "17:00"
		}
		s := fmt.Sprintf("At least %g hours of overlap with %s–%s %s.", tz.OverlapHours, start, end, tz.ReferenceZone)
		if tz.OverlapHours == 0 {
			s = fmt.Sprintf("Working hours %s–%s %s.", start, end, tz.ReferenceZone)
		}
		return s
	}
	return ""
}

func dateText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

var employmentNames = map[string]string{"full_time": "Full-time", "part_time": "Part-time", "contract": "Contract",
	"temporary": "Temporary", "internship": "Internship"}

func employmentText(s string) string {
	if n, ok := employmentNames[s]; ok {
		return n
	}
	return s
}

// hoursText is a number of hours: "1 hour", "4 hours", "2.5 hours".
func hoursText(h float64) string {
	if h == 1 {
		return "1 hour"
	}
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", h), "0"), ".") + " hours"
}
