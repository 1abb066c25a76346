package fields

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meridianhq/meridian/internal/domain"
)

func cs(codes ...string) domain.Eligibility { return domain.Eligibility{Countries: codes} }
func rs(codes ...string) domain.Eligibility { return domain.Eligibility{Regions: codes} }

var ww = domain.Eligibility{Worldwide: true}

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in   string
		want Location
	}{
		// remote
		{"Acme | Backend Engineer | REMOTE | Full-time", Location{Mode: ModeRemote}},
		{"Remote (Global) | Full-time", Location{Mode: ModeRemote, Eligibility: ww}},
		{"Remote, worldwide", Location{Mode: ModeRemote, Eligibility: ww}},
		{"Work from anywhere", Location{Mode: ModeRemote, Eligibility: ww}},
		{"Remote | Worldwide", Location{Mode: ModeRemote, Eligibility: ww}},
		{"REMOTE (US only)", Location{Mode: ModeRemote, Eligibility: cs("US")}},
		{"US only, remote", Location{Mode: ModeRemote, Eligibility: cs("US")}},
		{"Remote (U.S.)", Location{Mode: ModeRemote, Eligibility: cs("US")}},
		{"Remote US/Canada", Location{Mode: ModeRemote, Eligibility: cs("CA", "US")}},
		{"Remote (US, Canada)", Location{Mode: ModeRemote, Eligibility: cs("CA", "US")}},
		{"Remote (US and EU)", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EU"}}}},
		{"remote (Europe)", Location{Mode: ModeRemote, Eligibility: rs("EUROPE")}},
		{"Remote (EMEA)", Location{Mode: ModeRemote, Eligibility: rs("EMEA")}},
		{"Remote (LATAM)", Location{Mode: ModeRemote, Eligibility: rs("LATAM")}},
		{"Remote (APAC)", Location{Mode: ModeRemote, Eligibility: rs("APAC")}},
		{"Remote within the EEA", Location{Mode: ModeRemote, Eligibility: rs("EEA")}},
		{"Remote (North America)", Location{Mode: ModeRemote, Eligibility: rs("NORTH_AMERICA")}},
		{"Remote — Americas", Location{Mode: ModeRemote, Eligibility: rs("AMERICAS")}},
		{"Remote (MENA or Africa)", Location{Mode: ModeRemote, Eligibility: rs("AFRICA", "MENA")}},
		{"Remote, Oceania", Location{Mode: ModeRemote, Eligibility: rs("OCEANIA")}},
		{"Remote, UK only", Location{Mode: ModeRemote, Eligibility: cs("GB")}},
		{"Remote (Germany)", Location{Mode: ModeRemote, Eligibility: cs("DE")}},
		{"Remote for Canadian residents", Location{Mode: ModeRemote, Eligibility: cs("CA")}},
		{"REMOTE (UK/Europe/US East Coast)", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"GB", "US"}, Regions: []string{"EUROPE"}}}},
		{"REMOTE (Europe, LatAm, India)", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"IN"}, Regions: []string{"EUROPE", "LATAM"}}}},
		{"Grantham, UK | Remote", Location{Mode: ModeRemote, Eligibility: cs("GB")}},
		// "TX" is Austin's address: the office, not a stated restriction.
		{"Austin, TX | Remote", Location{Mode: ModeRemote, Offices: []string{"US"}}},
		{"Michigan, USA | REMOTE", Location{Mode: ModeRemote, Eligibility: cs("US")}},
		{"Remote (North America), SF, NYC", Location{Mode: ModeRemote, Eligibility: rs("NORTH_AMERICA"), Offices: []string{"US"}}},
		{"Remote or hybrid (US/EU/UK)", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"GB", "US"}, Regions: []string{"EU"}}}},
		{"Europe+US | Remote or Hybrid | Full-time", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EUROPE"}}}},
		{"INTERNS , HYBRID/REMOTE, Zurich, Switzerland", Location{Mode: ModeRemote, Offices: []string{"CH"}}},
		{"Denver, Colorado, USA | Onsite / Remote", Location{Mode: ModeRemote, Offices: []string{"US"}}},
		{"Hybrid (2 days remote, 3 days in New York City/NYC area)", Location{Mode: ModeHybrid, Offices: []string{"US"}}},
		{"London, UK | ONSITE+PART REMOTE", Location{Mode: ModeHybrid, Offices: []string{"GB"}}},
		{"Multiple positions. ALL REMOTE", Location{Mode: ModeRemote}},
		{"Remote (anywhere in the US)", Location{Mode: ModeRemote, Eligibility: cs("US")}},
		{"Remote PT/ET Hours", Location{Mode: ModeRemote, Eligibility: cs("US")}},
		{"REMOTE (EU timezones)", Location{Mode: ModeRemote, Eligibility: rs("EUROPE")}},
		{"Remote, CET timezone +-3 hours", Location{Mode: ModeRemote, Eligibility: rs("EUROPE")}},
		{"REMOTE (working hrs must overlap w/ N America)", Location{Mode: ModeRemote, Eligibility: rs("NORTH_AMERICA")}},
		{"Founding Technical AE | REMOTE", Location{Mode: ModeRemote}},
		{"Remote, UK/EU preferred", Location{Mode: ModeRemote}},
		{"Remote (PT preferred)", Location{Mode: ModeRemote}},
		{"Remote EST / CET | Part-Time", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EUROPE"}}}},
		{"Remote( +-2 EU CET)", Location{Mode: ModeRemote, Eligibility: rs("EUROPE")}},
		{"Costa Mesa, CA ideally, (would consider remote with travel)", Location{Mode: ModeRemote, Offices: []string{"US"}}},
		{"Remote (no US)", Location{Mode: ModeRemote, Eligibility: allBut("US")}},
		// remote or on-site: remote wins, offices kept
		{"Remote or NYC", Location{Mode: ModeRemote, Offices: []string{"US"}}},
		{"NYC or REMOTE (US and EU)", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EU"}}, Offices: []string{"US"}}},
		{"SF, Remote (US, AU)", Location{Mode: ModeRemote, Eligibility: cs("AU", "US"), Offices: []string{"US"}}},
		{"New York, NY (onsite) / Remote-friendly (US)", Location{Mode: ModeRemote, Eligibility: cs("US"), Offices: []string{"US"}}},
		{"REMOTE (EU) or HYBRID (Stockholm/Gothenburg/Linköping, Sweden)", Location{Mode: ModeRemote, Eligibility: rs("EU"), Offices: []string{"SE"}}},
		{"Global Remote (almost anywhere) & Hybrid NYC", Location{Mode: ModeRemote, Eligibility: ww, Offices: []string{"US"}}},
		{"Remote (US East Coast/Europe) / ONSITE (London, NYC)", Location{Mode: ModeRemote, Eligibility: domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EUROPE"}}, Offices: []string{"GB", "US"}}},
		// hybrid and onsite
		{"Hybrid (London / Lisbon)", Location{Mode: ModeHybrid, Offices: []string{"GB", "PT"}}},
		{"Berlin, 3 days in office", Location{Mode: ModeHybrid, Offices: []string{"DE"}}},
		{"SF / NYC / DC | In-office 4 days", Location{Mode: ModeHybrid, Offices: []string{"US"}}},
		{"London, 5 days a week in the office", Location{Mode: ModeOnsite, Offices: []string{"GB"}}},
		{"Berlin, Germany | ONSITE", Location{Mode: ModeOnsite, Offices: []string{"DE"}}},
		{"ONSITE (Milan, Italy)", Location{Mode: ModeOnsite, Offices: []string{"IT"}}},
		{"Cambridge, MA (ONSITE)", Location{Mode: ModeOnsite, Offices: []string{"US"}}},
		{"Onsite in San Francisco or in Australia/New Zealand", Location{Mode: ModeOnsite, Offices: []string{"AU", "NZ", "US"}}},
		{"In-person in Toronto", Location{Mode: ModeOnsite, Offices: []string{"CA"}}},
		{"Onsite only, no remote | Tel Aviv", Location{Mode: ModeOnsite, Offices: []string{"IL"}}},
		{"Remote: No. Munich office", Location{Mode: ModeUnspecified, Offices: []string{"DE"}}},
		// nothing or places only
		{"Zurich", Location{Mode: ModeUnspecified, Offices: []string{"CH"}}},
		{"Springfield", Location{Mode: ModeUnspecified}},
		{"", Location{Mode: ModeUnspecified}},
		// not places
		{"We build distributed systems in Go", Location{Mode: ModeUnspecified}},
	}
	for _, tc := range tests {
		got := ParseLocation(tc.in)
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ParseLocation(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func allBut(c string) domain.Eligibility {
	var out []string
	for _, x := range domain.Countries() {
		if x != c {
			out = append(out, x)
		}
	}
	return domain.Eligibility{Countries: out}
}

func TestParseLocationExclusions(t *testing.T) {
	e := ParseLocation("REMOTE (EU/Asia/Americas -- no US) or HYBRID Berlin").Eligibility
	if e.Worldwide || e.Allows("US") || !e.Allows("CA") || !e.Allows("BR") || !e.Allows("DE") || !e.Allows("JP") || e.Allows("NG") {
		t.Errorf("eligibility for \u201cEU/Asia/Americas -- no US\u201d = %+v", e)
	}
	e = ParseLocation("Remote worldwide, except the UK").Eligibility
	if e.Worldwide || e.Allows("GB") || !e.Allows("FR") {
		t.Errorf("worldwide except UK = %+v", e)
	}
}

func TestOnlyPlaces(t *testing.T) {
	for s, want := range map[string]bool{"SF or Shenzhen": true, "Bay Area": true, "New York": true, "Acme": false, "": false, "Stripe London": false} {
		if got := OnlyPlaces(s); got != want {
			t.Errorf("OnlyPlaces(%q) = %v", s, got)
		}
	}
}
