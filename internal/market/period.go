package market

import (
	"strconv"
	"strings"
	"time"
)

// ParsePeriod turns a period name into its [from, to) range: a year
// ("2026"), quarter ("2026-Q1"), month ("2026-03") or ISO week
// ("2026-W10"), UTC.
func ParsePeriod(s string) (from, to time.Time, err error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := func() (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, invalid("period", "%q is not a year (2026), quarter (2026-Q1), month (2026-03) or ISO week (2026-W10)", s)
	}
	year, rest, _ := strings.Cut(s, "-")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 {
		return bad()
	}
	switch {
	case rest == "":
		from = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(1, 0, 0), nil
	case strings.HasPrefix(rest, "Q"):
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return bad()
		}
		from = time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, 3, 0), nil
	case strings.HasPrefix(rest, "W"):
		w, err := strconv.Atoi(rest[1:])
		if err != nil || w < 1 || w > 53 {
			return bad()
		}
		// ISO week 1 holds January 4th; weeks start on Monday.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		from = PeriodStart(Week, jan4).AddDate(0, 0, 7*(w-1))
		if _, iw := from.ISOWeek(); iw != w {
			return bad()
		}
		return from, from.AddDate(0, 0, 7), nil
	default:
		mo, err := strconv.Atoi(rest)
		if err != nil || mo < 1 || mo > 12 || len(rest) != 2 {
			return bad()
		}
		from = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, 1, 0), nil
	}
}

// ParseDate reads a date (2026-03-01) or an RFC 3339 time; "" is zero.
func ParseDate(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid(field, "%q is not a date (2026-03-01) or RFC 3339 time", s)
	}
	return t.UTC(), nil
}
