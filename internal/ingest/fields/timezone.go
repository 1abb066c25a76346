package fields

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
)

// zoneInfo is a time-zone abbreviation or name: its standard UTC offset
// and an IANA zone that observes it.
type zoneInfo struct {
	offset float64
	iana   string
}

// zones maps the abbreviations and names postings use to their standard
// (winter) offset. IST is read as India, the common meaning in postings;
// BST as British Summer Time.
var zones = map[string]zoneInfo{
	"UTC": {0, "UTC"}, "GMT": {0, "Europe/London"}, "Z": {0, "UTC"},
	"WET": {0, "Europe/Lisbon"}, "BST": {1, "Europe/London"}, "UK": {0, "Europe/London"},
	"CET": {1, "Europe/Berlin"}, "CEST": {2, "Europe/Berlin"}, "EET": {2, "Europe/Helsinki"}, "EEST": {3, "Europe/Helsinki"},
	"EST": {-5, "America/New_York"}, "EDT": {-4, "America/New_York"}, "ET": {-5, "America/New_York"},
	"CST": {-6, "America/Chicago"}, "CDT": {-5, "America/Chicago"}, "CT": {-6, "America/Chicago"},
	"MST": {-7, "America/Denver"}, "MDT": {-6, "America/Denver"}, "MT": {-7, "America/Denver"},
	"PST": {-8, "America/Los_Angeles"}, "PDT": {-7, "America/Los_Angeles"}, "PT": {-8, "America/Los_Angeles"},
	"IST": {5.5, "Asia/Kolkata"}, "JST": {9, "Asia/Tokyo"}, "KST": {9, "Asia/Seoul"}, "SGT": {8, "Asia/Singapore"},
	"AEST": {10, "Australia/Sydney"}, "AEDT": {11, "Australia/Sydney"}, "NZST": {12, "Pacific/Auckland"},
	"BRT": {-3, "America/Sao_Paulo"}, "ART": {-3, "America/Argentina/Buenos_Aires"},
	// names
	"US EASTERN": {-5, "America/New_York"}, "EASTERN": {-5, "America/New_York"}, "EAST COAST": {-5, "America/New_York"},
	"US CENTRAL": {-6, "America/Chicago"}, "CENTRAL": {-6, "America/Chicago"},
	"US MOUNTAIN": {-7, "America/Denver"}, "MOUNTAIN": {-7, "America/Denver"},
	"US PACIFIC": {-8, "America/Los_Angeles"}, "PACIFIC": {-8, "America/Los_Angeles"}, "WEST COAST": {-8, "America/Los_Angeles"},
	"CENTRAL EUROPEAN": {1, "Europe/Berlin"}, "CENTRAL EUROPE": {1, "Europe/Berlin"}, "LONDON": {0, "Europe/London"},
	"NEW YORK": {-5, "America/New_York"}, "SAN FRANCISCO": {-8, "America/Los_Angeles"}, "BERLIN": {1, "Europe/Berlin"},
	"INDIA": {5.5, "Asia/Kolkata"}, "SINGAPORE": {8, "Asia/Singapore"}, "SYDNEY": {10, "Australia/Sydney"},
}

// Named windows for phrases that name a group of zones. Offsets are
// standard time, consistent with the abbreviations above.
var (
	windowUS       = [2]float64{-8, -5}  // "US time zones", "US hours": Pacific to Eastern (Hawaii and Alaska left out)
	windowAmericas = [2]float64{-8, -3}  // "Americas time zones": Pacific to Brasília
	windowLatAm    = [2]float64{-6, -3}  // "LATAM time zones": Mexico City to Buenos Aires
	windowEurope   = [2]float64{0, 2}    // "European time zones", "EU hours", "CET-friendly": WET to EET
	windowEMEA     = [2]float64{0, 4}    // "EMEA time zones": WET to Gulf
	windowAPAC     = [2]float64{5.5, 10} // "APAC time zones": India to Sydney
)

const (
	// DefaultOverlapHours is the overlap assumed for "overlap with US
	// Eastern" when the text gives no number of hours.
	DefaultOverlapHours = 4
	// FullDayOverlapHours is the overlap of "EST hours", "working PST hours".
	FullDayOverlapHours = 8
)

const (
	// upper-case abbreviations are matched case-sensitively so that "et",
	// "pt" or "mt" in prose do not count; UTC and GMT in any case.
	zoneAbbr = `(?:(?i:UTC|GMT)|CEST|CET|EEST|EET|WET|BST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|IST|JST|KST|SGT|AEST|AEDT|NZST|BRT|ART)`
	zoneAny  = `(?:` + zoneAbbr + `|ET|CT|MT|PT)`
	offPat   = `(?:[+\-−–]\s?\d{1,2}(?:[:.](?:00|30|45|5))?)`
	refName  = `(?i:(?:US\s+)?(?:eastern|central|mountain|pacific)(?:\s+(?:standard\s+)?time)?|east\s+coast|west\s+coast|central\s+europe(?:an)?(?:\s+time)?|london|new\s+york|san\s+francisco|berlin|india|singapore|sydney)`
)

var (
	// "UTC-3 to UTC+3", "between UTC-5 and UTC+1", "GMT-8 – GMT+2", "UTC -3 to +3", "EST to CET", "ET/PT"
	tzWindowRE = regexp.MustCompile(`(?i:between\s+)?\b(` + zoneAny + `)\s?(` + offPat + `)?\s*(?:to|through|until|and|-|–|—|/|\.\.\.?)\s*(?:(` + zoneAny + `)\s?(` + offPat + `)?|(` + offPat + `))(?:\b|$)`)
	// "GMT+1 ± 2 hours", "CET ±3", "UTC±3", "GMT +-3", "EST +/- 2h"
	tzPlusMinusRE = regexp.MustCompile(`\b(` + zoneAny + `)\s?(` + offPat + `)?\s*(?:±|\+\s?/?\s?[-−–]|(?i:plus\s+or\s+minus|plus/minus))\s*(\d{1,2}(?:\.5)?)\s*(?i:h|hrs?|hours?)?\b`)
	// "4h overlap with CET", "at least 4 hours of overlap with US Eastern", "overlap of 3 hours with PST"
	tzOverlapNRE  = regexp.MustCompile(`(?i)(\d{1,2}(?:\.5)?)\s*\+?\s*(?:-\s*\d{1,2}\s*)?(?:h|hrs?|hours?)\s+(?:of\s+)?(?:daily\s+|working\s+|work\s+|time\s*zone\s+|tz\s+)?overlap(?:ping)?\s+(?:with|in)\s+(?:the\s+)?(` + zoneAny + `|` + refName + `)`)
	tzOverlapN2RE = regexp.MustCompile(`(?i)overlap(?:ping)?\s+(?:of\s+)?(?:at\s+least\s+)?(\d{1,2}(?:\.5)?)\s*\+?\s*(?:h|hrs?|hours?)\s+(?:with\s+)?(?:the\s+)?(` + zoneAny + `|` + refName + `)`)
	tzOverlapRE   = regexp.MustCompile(`(?i)overlap(?:ping)?\s+(?:with|in)\s+(?:the\s+)?(` + zoneAny + `|` + refName + `)`)
	// "EST hours", "PST business hours", "US Eastern time zone", "CET working hours"
	tzHoursRE = regexp.MustCompile(`\b(` + zoneAbbr + `|` + refName + `)\s+(?i:(?:business\s+|working\s+|work\s+|core\s+)?hours|time\s*zone|tz)\b`)
	// group names
	tzGroupRE = regexp.MustCompile(`(?i)\b(US|U\.S\.|USA|American|North\s+America(?:n)?|Americas|LATAM|Latin\s+America(?:n)?|EU|Europe|European|CET[- ]friendly|EMEA|APAC|Asia[- ]Pacific)\s+(?:(?:business\s+|working\s+|friendly\s+)?hours|time\s*-?\s*zones?|timezones?|tz)\b`)
)

func parseOff(s string) (float64, bool) {
	s = strings.NewReplacer(" ", "", "−", "-", "–", "-").Replace(s)
	if s == "" {
		return 0, true
	}
	sign := 1.0
	switch s[0] {
	case '-':
		sign, s = -1, s[1:]
	case '+':
		s = s[1:]
	}
	h, frac, _ := strings.Cut(strings.ReplaceAll(s, ":", "."), ".")
	v, err := strconv.Atoi(h)
	if err != nil {
		return 0, false
	}
	f := float64(v)
	switch frac {
	case "30", "5":
		f += 0.5
	case "45":
		f += 0.75
	}
	return sign * f, true
}

func zoneOf(name string) (zoneInfo, bool) {
	n := strings.ToUpper(strings.Join(strings.Fields(name), " "))
	n = strings.TrimSuffix(strings.TrimSuffix(n, " TIME"), " STANDARD")
	if z, ok := zones[n]; ok {
		return z, true
	}
	n = strings.TrimPrefix(n, "US ")
	z, ok := zones[n]
	if !ok {
		z, ok = zones[strings.TrimSuffix(n, "AN")] // "CENTRAL EUROPEAN"
	}
	return z, ok
}

func window(lo, hi float64) *domain.TimeZoneRule {
	if lo > hi {
		lo, hi = hi, lo
	}
	if lo < -12 || hi > 14 {
		return nil
	}
	return &domain.TimeZoneRule{MinUTCOffset: &lo, MaxUTCOffset: &hi}
}

func overlap(name string, hours float64) *domain.TimeZoneRule {
	z, ok := zoneOf(name)
	if !ok || hours <= 0 || hours > 12 {
		return nil
	}
	return &domain.TimeZoneRule{ReferenceZone: z.iana, OverlapHours: hours, ReferenceStart: "09:00", ReferenceEnd: "17:00"}
}

// ParseTimeZone reads a posting's working-time requirement, or returns nil
// when the text states none. In order of precedence:
//
//   - an explicit window: "UTC-3 to UTC+3", "between UTC-5 and UTC+1",
//     "GMT-8 – GMT+2", "EST to CET", "ET/PT" (abbreviations at their
//     standard offsets; a window of one offset, "UTC+12", is too vague and
//     gives nil);
//   - a centre and a tolerance: "GMT+1 ± 2 hours", "CET ±3", "UTC +/- 3";
//   - an overlap: "4h overlap with CET", "at least 4 hours overlap with US
//     Eastern" (ReferenceZone an IANA zone, OverlapHours the number, a
//     09:00–17:00 reference day); without a number ("overlap with US
//     Eastern") OverlapHours is DefaultOverlapHours; "EST hours" and "PST
//     business hours" are a FullDayOverlapHours overlap;
//   - a group of zones, as a window of standard offsets: "US time zones",
//     "US hours", "EST/PST hours" (UTC-8..-5), "Americas" (-8..-3), "LATAM"
//     (-6..-3), "European time zones", "EU hours", "CET-friendly" (0..+2),
//     "EMEA" (0..+4), "APAC" (+5.5..+10).
func ParseTimeZone(text string) *domain.TimeZoneRule {
	s := tzLines(capInput(text))
	if s == "" {
		return nil
	}
	// Each pattern runs only when a word it needs occurs in s (lower is
	// for the case-insensitive words, s for the upper-case abbreviations).
	lower := foldLower(s)
	zoneWord := containsAny(lower, "utc", "gmt") || containsAny(s, "ET", "CT", "MT", "PT", "ST", "DT", "GT", "RT")
	if !zoneWord {
		// no zoneAny: only the overlap patterns with a place name and
		// tzHoursRE and tzGroupRE can match
	} else if m := tzWindowRE.FindStringSubmatch(s); m != nil {
		a, aok := zoneOf(m[1])
		lo, ok1 := parseOff(m[2])
		var hi float64
		var ok2 bool
		switch {
		case m[3] != "":
			b, bok := zoneOf(m[3])
			hi, ok2 = parseOff(m[4])
			hi += b.offset
			ok2 = ok2 && bok
		default:
			hi, ok2 = parseOff(m[5])
			hi += a.offset // "UTC -3 to +3"
		}
		lo += a.offset
		if aok && ok1 && ok2 && lo != hi {
			if r := window(lo, hi); r != nil {
				return r
			}
		}
	}
	if !zoneWord || !strings.Contains(s, "±") && !strings.Contains(s, "+") && !strings.Contains(lower, "plus") {
		// no zone or no "±", "+/-", "plus or minus"
	} else if m := tzPlusMinusRE.FindStringSubmatch(s); m != nil {
		z, zok := zoneOf(m[1])
		c, ok := parseOff(m[2])
		d, err := strconv.ParseFloat(m[3], 64)
		if zok && ok && err == nil && d > 0 {
			c += z.offset
			if r := window(c-d, c+d); r != nil {
				return r
			}
		}
	}
	hasOverlap := strings.Contains(lower, "overlap")
	for _, re := range []*regexp.Regexp{tzOverlapNRE, tzOverlapN2RE} {
		if !hasOverlap {
			break
		}
		if m := re.FindStringSubmatch(s); m != nil {
			h, _ := strconv.ParseFloat(m[1], 64)
			if r := overlap(m[2], h); r != nil {
				return r
			}
		}
	}
	if !hasOverlap {
		// no overlap statement
	} else if m := tzOverlapRE.FindStringSubmatch(s); m != nil {
		if r := overlap(m[1], DefaultOverlapHours); r != nil {
			return r
		}
	}
	if !containsAny(lower, "hour", "zone", "tz") {
		return nil // tzGroupRE and tzHoursRE need one of these
	}
	if m := tzGroupRE.FindStringSubmatch(s); m != nil {
		g := strings.ToUpper(strings.Join(strings.Fields(m[1]), " "))
		var w [2]float64
		switch {
		case strings.HasPrefix(g, "LAT"):
			w = windowLatAm
		case g == "AMERICAS":
			w = windowAmericas
		case strings.HasPrefix(g, "U") || strings.HasPrefix(g, "AMERICAN") || strings.HasPrefix(g, "NORTH"):
			w = windowUS
		case g == "EMEA":
			w = windowEMEA
		case g == "APAC" || strings.HasPrefix(g, "ASIA"):
			w = windowAPAC
		default:
			w = windowEurope
		}
		return window(w[0], w[1])
	}
	if m := tzHoursRE.FindStringSubmatch(s); m != nil {
		if r := overlap(m[1], FullDayOverlapHours); r != nil {
			return r
		}
	}
	return nil
}

// tzTriggers are the words without which no pattern of ParseTimeZone can
// match a line (matched in lower case).
var tzTriggers = []string{"utc", "gmt", "overlap", "time zone", "timezone", "time-zone", "±", "+/-", "plus or minus", "plus/minus"}

// tzGroupWords with "hour" or "tz" make a line a candidate ("US hours",
// "EMEA tz"); "hours" alone ("40 hours a week") does not.
var tzGroupWords = []string{"us ", "u.s.", "usa", "america", "latam", "latin", "eu ", "europe", "emea", "apac", "asia", "cet",
	"eastern", "central", "mountain", "pacific", "east coast", "west coast", "london", "new york", "san francisco", "berlin", "india", "singapore", "sydney"}

// tzLines keeps the lines of s that can hold a time-zone statement: those
// with a trigger word or an upper-case zone abbreviation. Running the
// patterns over these lines only gives the same answers on real postings
// (the statements never span lines) at a fraction of the cost: most of a
// posting's text names no time zone.
func tzLines(s string) string {
	var b strings.Builder
	// ToLower maps rune by rune and no rune lowers to or from '\n': the
	// lines of the lowered text are the lowered lines.
	lower := strings.ToLower(s)
	for len(s) > 0 {
		line, lline := s, lower
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
			j := strings.IndexByte(lower, '\n')
			lline, lower = lower[:j], lower[j+1:]
		} else {
			s = ""
		}
		if tzCandidate(line, lline) {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// tzCandidate reports whether line (lower: strings.ToLower(line)) can hold
// a time-zone statement.
func tzCandidate(line, lower string) bool {
	for _, t := range tzTriggers {
		if strings.Contains(lower, t) {
			return true
		}
	}
	if strings.Contains(lower, "hour") || strings.Contains(lower, "tz") {
		for _, g := range tzGroupWords {
			if containsWord(lower, g) {
				return true
			}
		}
	}
	// Upper-case abbreviations (EST, CET, PT...), matched case-sensitively
	// by the patterns.
	for i := 0; i < len(line); {
		if line[i] < 'A' || line[i] > 'Z' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] >= 'A' && line[j] <= 'Z' {
			j++
		}
		if _, ok := zones[line[i:j]]; ok && j-i >= 2 {
			return true
		}
		i = j
	}
	return false
}

// containsWord reports whether w occurs in s starting at a word boundary
// ("us " in "US hours", not in "focus hours").
func containsWord(s, w string) bool {
	for i := 0; ; {
		k := strings.Index(s[i:], w)
		if k < 0 {
			return false
		}
		at := i + k
		if at == 0 || !isASCIIAlnum(s[at-1]) {
			return true
		}
		i = at + 1
	}
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
