package domain

import (
	"sort"
	"strings"
)

// ISO 3166-1 alpha-2 codes of current countries and territories.
const countryCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK"

var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(countryCodes) {
		m[c] = true
	}
	return m
}()

// Worldwide is the eligibility code for "anywhere".
const Worldwide = "WW"

// Regions maps each region code Meridian understands to its member countries.
var Regions = map[string][]string{
	"EU":            strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"),
	"EEA":           strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO"),
	"EUROPE":        strings.Fields("AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK"),
	"NORTH_AMERICA": strings.Fields("US CA MX"),
	"LATAM":         strings.Fields("AR BO BR CL CO CR CU DO EC GT HN MX NI PA PE PR PY SV UY VE"),
	"AMERICAS":      strings.Fields("AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY HN HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI"),
	"APAC":          strings.Fields("AU BD BN BT CN FJ HK ID IN JP KH KR LA LK MM MN MO MV MY NP NZ PG PH PK SG TH TL TW VN"),
	"MENA":          strings.Fields("AE BH DZ EG IL IQ IR JO KW LB LY MA OM PS QA SA SY TN TR YE"),
	"AFRICA":        strings.Fields("AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RW SC SD SL SN SO SS ST SZ TD TG TN TZ UG ZA ZM ZW"),
	"OCEANIA":       strings.Fields("AU FJ KI MH FM NR NZ PW PG WS SB TO TV VU"),
}

func init() {
	emea := append(append(append([]string{}, Regions["EUROPE"]...), Regions["MENA"]...), Regions["AFRICA"]...)
	Regions["EMEA"] = dedupe(emea)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Countries returns every ISO 3166-1 alpha-2 code IsCountry accepts, sorted
// (a new slice: callers may keep or change it).
func Countries() []string {
	out := make([]string, 0, len(countries))
	for c := range countries {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// IsCountry reports whether code is an ISO 3166-1 alpha-2 code.
func IsCountry(code string) bool { return countries[code] }

// IsRegion reports whether code is a region Meridian knows.
func IsRegion(code string) bool { _, ok := Regions[code]; return ok }

// RegionsOf returns the regions that contain country, sorted.
func RegionsOf(country string) []string {
	var out []string
	for r, cs := range Regions {
		for _, c := range cs {
			if c == country {
				out = append(out, r)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
