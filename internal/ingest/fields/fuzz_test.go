package fields

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

var fuzzSeeds = []string{
	"",
	"Acme | Senior Backend Engineer | REMOTE (US/Canada) | Full-time | $150k-$200k",
	`OpenSanctions | Customer Engineer | REMOTE (EU&#x2F;Asia&#x2F;Americas -- no US) or HYBRID Berlin | €~55k-€~75k`,
	"<p>We&amp;#x27;re hiring <a href=\"x\">Go</a> devs</p><ul><li>CafÃ©</li></ul>",
	"USD 150,000 - 200,000 | CHF 120'000 | ₹25 LPA | $80/hr | $8,000/month | up to £60k | €70.000+",
	"Remote (UTC-3 to UTC+3), 4h overlap with CET, GMT+1 ± 2 hours, EST/PST hours",
	"Founding Engineer (Staff level) | 5+ years of experience | contract-to-hire | part-time",
	"Hybrid, 3 days in office, London / NYC or Remote (EMEA) except UK",
	"\x00\xff\xfe<p\x80>&#xD800;&#0;",
	"$1-$2-$3-$4 k k K 1,000,000,000,000,000,000 USD",
	"Ã©Ã©Ã©â€™â€™ðŸš€",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func FuzzCleanText(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if len(out) > 4*len(s)+16 {
			t.Fatalf("output %d bytes from %d", len(out), len(s))
		}
		if strings.Contains(out, "\n\n\n") || strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") {
			t.Fatalf("whitespace not normalized: %q", out)
		}
		for _, r := range out {
			if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)) {
				t.Fatalf("control %U in output %q", r, out)
			}
		}
		_ = CheckText(s)
	})
}

func FuzzFindSalaries(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		last := -1
		for _, m := range FindSalaries(s) {
			if m.Start < last || m.Start > m.End || m.End > len(s) || s[m.Start:m.End] != m.Text {
				t.Fatalf("bad span %+v in %q", m, s)
			}
			last = m.End
			if !meridian.ValidCurrency(m.Currency) || m.Min < 0 || m.Max < 0 || m.Min == 0 && m.Max == 0 || m.Max > 0 && m.Min > m.Max {
				t.Fatalf("invalid salary %+v from %q", m.Salary, s)
			}
			if _, _, err := Annual(m.Salary, "USD", nil); err != nil {
				if _, ok := DefaultRates().rate(m.Currency); ok {
					t.Fatalf("Annual(%+v): %v", m.Salary, err)
				}
			}
		}
		if sal, ok := ParseSalary(s); ok && !meridian.ValidCurrency(sal.Currency) {
			t.Fatalf("ParseSalary(%q) = %+v", s, sal)
		}
	})
}

func FuzzParseLocation(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		loc := ParseLocation(s)
		switch loc.Mode {
		case ModeRemote, ModeHybrid, ModeOnsite, ModeUnspecified:
		default:
			t.Fatalf("mode %q", loc.Mode)
		}
		e := loc.Eligibility
		if loc.Mode != ModeRemote && (e.Worldwide || len(e.Countries)+len(e.Regions) > 0) {
			t.Fatalf("eligibility %+v without remote mode from %q", e, s)
		}
		for _, c := range append(append([]string{}, e.Countries...), loc.Offices...) {
			if !domain.IsCountry(c) {
				t.Fatalf("country %q from %q", c, s)
			}
		}
		for _, r := range e.Regions {
			if !domain.IsRegion(r) {
				t.Fatalf("region %q from %q", r, s)
			}
		}
		_ = OnlyPlaces(s)
	})
}

func FuzzParseTimeZone(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		r := ParseTimeZone(s)
		if r == nil {
			return
		}
		window := r.MinUTCOffset != nil || r.MaxUTCOffset != nil
		overlap := r.ReferenceZone != "" || r.OverlapHours != 0
		switch {
		case window == overlap:
			t.Fatalf("rule %+v from %q: want a window or an overlap", r, s)
		case window && (r.MinUTCOffset == nil || r.MaxUTCOffset == nil || *r.MinUTCOffset < -12 || *r.MaxUTCOffset > 14 || *r.MinUTCOffset > *r.MaxUTCOffset):
			t.Fatalf("bad window %v..%v from %q", r.MinUTCOffset, r.MaxUTCOffset, s)
		case overlap && (!domain.ValidTimeZone(r.ReferenceZone) || r.OverlapHours <= 0 || r.OverlapHours > 12):
			t.Fatalf("bad overlap %+v from %q", r, s)
		}
	})
}

func FuzzParseSeniority(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		title, text, _ := strings.Cut(s, "|")
		if l := ParseSeniority(title, text); l != "" && domain.SeniorityRank(l) < 0 {
			t.Fatalf("level %q from %q", l, s)
		}
	})
}

func FuzzParseEmploymentType(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		et := ParseEmploymentType(s)
		if et == "" {
			return
		}
		for _, v := range domain.EmploymentTypes {
			if v == et {
				return
			}
		}
		t.Fatalf("type %q from %q", et, s)
	})
}
