package fields

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/domain"
)

func win(lo, hi float64) *domain.TimeZoneRule {
	return &domain.TimeZoneRule{MinUTCOffset: &lo, MaxUTCOffset: &hi}
}

func ovl(zone string, h float64) *domain.TimeZoneRule {
	return &domain.TimeZoneRule{ReferenceZone: zone, OverlapHours: h, ReferenceStart: "09:00", ReferenceEnd: "17:00"}
}

func TestParseTimeZone(t *testing.T) {
	tests := []struct {
		in   string
		want *domain.TimeZoneRule
	}{
		{"REMOTE (all remote) | Hiring GMT-8 to GMT+2", win(-8, 2)},
		{"REMOTE (GMT-3 to GMT+4)", win(-3, 4)},
		{"Remote (UTC-1 to UTC+5)", win(-1, 5)},
		{"UTC-3 to UTC+3", win(-3, 3)},
		{"between UTC-5 and UTC+1", win(-5, 1)},
		{"UTC−5 – UTC+1", win(-5, 1)},
		{"UTC -3 to +3", win(-3, 3)},
		{"UTC+5:30 to UTC+8", win(5.5, 8)},
		{"Remote, GMT +-3/ Cyprus", win(-3, 3)},
		{"GMT+1 ± 2 hours", win(-1, 3)},
		{"CET ±3", win(-2, 4)},
		{"UTC±3", win(-3, 3)},
		{"EST +/- 2h", win(-7, -3)},
		{"EST to CET", win(-5, 1)},
		{"4h overlap with CET", ovl("Europe/Berlin", 4)},
		{"at least 4 hours of overlap with US Eastern", ovl("America/New_York", 4)},
		{"3+ hours overlap with PST", ovl("America/Los_Angeles", 3)},
		{"overlap of at least 5 hours with EST", ovl("America/New_York", 5)},
		{"must overlap with US Eastern", ovl("America/New_York", DefaultOverlapHours)},
		// Only the last zone of "West Coast/Central hours" is read.
		{"Remote (US, West Coast/Central hours)", ovl("America/Chicago", FullDayOverlapHours)},
		{"Work EST hours", ovl("America/New_York", FullDayOverlapHours)},
		{"Fully remote, US time zones.", win(-8, -5)},
		{"EST/PST hours", win(-8, -5)},
		{"Remote (EU time zone)", win(0, 2)},
		{"European time zones", win(0, 2)},
		{"LATAM time zones", win(-6, -3)},
		{"APAC timezone", win(5.5, 10)},
		{"REMOTE (UTC+12)", nil},
		{"FT/PT roles", nil},
		{"", nil},
		{"We meet at 3pm et al.", nil},
	}
	for _, tc := range tests {
		got := ParseTimeZone(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseTimeZone(%q) (-want +got):\n%s", tc.in, diff)
		}
		if got != nil {
			if got.ReferenceZone != "" && !domain.ValidTimeZone(got.ReferenceZone) {
				t.Errorf("%q: zone %q is not IANA", tc.in, got.ReferenceZone)
			}
		}
	}
}
