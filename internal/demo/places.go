package demo

import (
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/meridianhq/meridian/internal/domain"
)

// placeNames maps lower-case place names found in HN first lines to the
// eligibility codes they stand for: ISO 3166-1 alpha-2 countries, or region
// keys of domain.Regions (upper-case with an underscore, e.g. NORTH_AMERICA).
// Only unambiguous names are listed: "Georgia", "Jordan", "Cambridge",
// "Santiago", "Phoenix" (also a web framework) or cities that are common
// first names are left out rather than guessed.
var placeNames = map[string][]string{
	// regions and groups
	"european union":          {"EU"},
	"europe":                  {"EUROPE"},
	"european":                {"EUROPE"},
	"eastern europe":          {"EUROPE"},
	"western europe":          {"EUROPE"},
	"central europe":          {"EUROPE"},
	"north america":           {"NORTH_AMERICA"},
	"north american":          {"NORTH_AMERICA"},
	"north/south america":     {"AMERICAS"},
	"north and south america": {"AMERICAS"},
	"the americas":            {"AMERICAS"},
	"americas":                {"AMERICAS"},
	"latin america":           {"LATAM"},
	"south america":           {"LATAM"},
	"latam":                   {"LATAM"},
	"asia-pacific":            {"APAC"},
	"asia pacific":            {"APAC"},
	"apac":                    {"APAC"},
	"asia":                    {"APAC"},
	"w asia":                  {"MENA"},
	"west asia":               {"MENA"},
	"western asia":            {"MENA"},
	"southeast asia":          {"APAC"},
	"south east asia":         {"APAC"},
	"middle east":             {"MENA"},
	"africa":                  {"AFRICA"},
	"oceania":                 {"OCEANIA"},
	"emea":                    {"EMEA"},
	"nordics":                 {"DK", "FI", "IS", "NO", "SE"},
	"nordic countries":        {"DK", "FI", "IS", "NO", "SE"},
	"scandinavia":             {"DK", "NO", "SE"},
	"benelux":                 {"BE", "LU", "NL"},
	"dach":                    {"AT", "CH", "DE"},
	"baltics":                 {"EE", "LT", "LV"},
	"nato countries":          {"AL", "BE", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IT", "LV", "LT", "LU", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "TR", "GB", "US"},

	// countries
	"united states": {"US"}, "united states of america": {"US"}, "america": {"US"},
	"canada": {"CA"}, "mexico": {"MX"}, "brazil": {"BR"}, "argentina": {"AR"}, "chile": {"CL"},
	"colombia": {"CO"}, "peru": {"PE"}, "uruguay": {"UY"}, "paraguay": {"PY"}, "bolivia": {"BO"},
	"ecuador": {"EC"}, "venezuela": {"VE"}, "costa rica": {"CR"}, "panama": {"PA"}, "guatemala": {"GT"},
	"dominican republic": {"DO"}, "puerto rico": {"PR"}, "el salvador": {"SV"}, "honduras": {"HN"},
	"united kingdom": {"GB"}, "great britain": {"GB"}, "britain": {"GB"}, "england": {"GB"},
	"scotland": {"GB"}, "wales": {"GB"}, "northern ireland": {"GB"}, "ireland": {"IE"},
	"germany": {"DE"}, "france": {"FR"}, "spain": {"ES"}, "portugal": {"PT"}, "italy": {"IT"},
	"netherlands": {"NL"}, "the netherlands": {"NL"}, "holland": {"NL"}, "belgium": {"BE"},
	"luxembourg": {"LU"}, "switzerland": {"CH"}, "austria": {"AT"}, "denmark": {"DK"},
	"sweden": {"SE"}, "norway": {"NO"}, "finland": {"FI"}, "iceland": {"IS"}, "poland": {"PL"},
	"czechia": {"CZ"}, "czech republic": {"CZ"}, "slovakia": {"SK"}, "hungary": {"HU"},
	"romania": {"RO"}, "bulgaria": {"BG"}, "greece": {"GR"}, "cyprus": {"CY"}, "malta": {"MT"},
	"croatia": {"HR"}, "slovenia": {"SI"}, "serbia": {"RS"}, "bosnia": {"BA"}, "montenegro": {"ME"},
	"albania": {"AL"}, "north macedonia": {"MK"}, "kosovo": {"XK"}, "moldova": {"MD"},
	"ukraine": {"UA"}, "estonia": {"EE"}, "latvia": {"LV"}, "lithuania": {"LT"}, "turkey": {"TR"},
	"türkiye": {"TR"}, "armenia": {"AM"}, "israel": {"IL"}, "egypt": {"EG"}, "morocco": {"MA"},
	"tunisia": {"TN"}, "nigeria": {"NG"}, "kenya": {"KE"}, "ghana": {"GH"}, "south africa": {"ZA"},
	"ethiopia": {"ET"}, "uganda": {"UG"}, "rwanda": {"RW"}, "madagascar": {"MG"},
	"united arab emirates": {"AE"}, "saudi arabia": {"SA"}, "qatar": {"QA"}, "pakistan": {"PK"},
	"india": {"IN"}, "bangladesh": {"BD"}, "sri lanka": {"LK"}, "nepal": {"NP"}, "china": {"CN"},
	"hong kong": {"HK"}, "taiwan": {"TW"}, "japan": {"JP"}, "south korea": {"KR"}, "korea": {"KR"},
	"singapore": {"SG"}, "malaysia": {"MY"}, "indonesia": {"ID"}, "philippines": {"PH"},
	"thailand": {"TH"}, "vietnam": {"VN"}, "australia": {"AU"}, "new zealand": {"NZ"},

	// US states and cities
	"alabama": {"US"}, "alaska": {"US"}, "arizona": {"US"}, "arkansas": {"US"}, "california": {"US"},
	"colorado": {"US"}, "connecticut": {"US"}, "delaware": {"US"}, "florida": {"US"}, "hawaii": {"US"},
	"idaho": {"US"}, "illinois": {"US"}, "indiana": {"US"}, "iowa": {"US"}, "kansas": {"US"},
	"kentucky": {"US"}, "louisiana": {"US"}, "maine": {"US"}, "maryland": {"US"}, "massachusetts": {"US"},
	"michigan": {"US"}, "minnesota": {"US"}, "mississippi": {"US"}, "missouri": {"US"}, "montana": {"US"},
	"nebraska": {"US"}, "nevada": {"US"}, "new hampshire": {"US"}, "new jersey": {"US"},
	"new mexico": {"US"}, "new york": {"US"}, "north carolina": {"US"}, "north dakota": {"US"},
	"ohio": {"US"}, "oklahoma": {"US"}, "oregon": {"US"}, "pennsylvania": {"US"},
	"rhode island": {"US"}, "south carolina": {"US"}, "south dakota": {"US"}, "tennessee": {"US"},
	"texas": {"US"}, "utah": {"US"}, "vermont": {"US"}, "virginia": {"US"}, "northern virginia": {"US"},
	"washington": {"US"}, "west virginia": {"US"}, "wisconsin": {"US"}, "wyoming": {"US"},
	"new york city": {"US"}, "brooklyn": {"US"}, "manhattan": {"US"}, "san francisco": {"US"},
	"bay area": {"US"}, "sf bay area": {"US"}, "silicon valley": {"US"}, "los angeles": {"US"},
	"seattle": {"US"}, "bellevue": {"US"}, "redmond": {"US"}, "boston": {"US"}, "somerville": {"US"},
	"chicago": {"US"}, "austin": {"US"}, "dallas": {"US"}, "houston": {"US"}, "denver": {"US"},
	"boulder": {"US"}, "colorado springs": {"US"}, "miami": {"US"}, "atlanta": {"US"},
	"washington dc": {"US"}, "washington, dc": {"US"}, "washington, d.c.": {"US"},
	"pittsburgh": {"US"}, "philadelphia": {"US"}, "san diego": {"US"}, "san jose": {"US"},
	"palo alto": {"US"}, "mountain view": {"US"}, "menlo park": {"US"}, "redwood city": {"US"},
	"san mateo": {"US"}, "san carlos": {"US"}, "burlingame": {"US"}, "cupertino": {"US"},
	"sunnyvale": {"US"}, "santa clara": {"US"}, "oakland": {"US"}, "berkeley": {"US"},
	"el segundo": {"US"}, "santa monica": {"US"}, "costa mesa": {"US"}, "irvine": {"US"},
	"santa cruz": {"US"}, "hawthorne": {"US"}, "fremont": {"US"}, "salt lake city": {"US"},
	"minneapolis": {"US"}, "detroit": {"US"}, "columbus": {"US"}, "nashville": {"US"},
	"raleigh": {"US"}, "tucson": {"US"}, "st. louis": {"US"},
	"st louis": {"US"}, "baltimore": {"US"}, "albuquerque": {"US"}, "tysons": {"US"}, "mclean": {"US"}, "arlington": {"US"}, "cincinnati": {"US"}, "cleveland": {"US"},
	"kansas city": {"US"}, "indianapolis": {"US"}, "las vegas": {"US"}, "sacramento": {"US"},
	"new orleans": {"US"}, "tampa": {"US"},

	// other cities
	"toronto": {"CA"}, "vancouver": {"CA"}, "montreal": {"CA"}, "montréal": {"CA"}, "ottawa": {"CA"},
	"calgary": {"CA"}, "waterloo": {"CA"}, "quebec": {"CA"},
	"london": {"GB"}, "manchester": {"GB"}, "edinburgh": {"GB"}, "bristol": {"GB"}, "oxford": {"GB"},
	"glasgow": {"GB"}, "leeds": {"GB"}, "dublin": {"IE"}, "cork": {"IE"},
	"berlin": {"DE"}, "munich": {"DE"}, "münchen": {"DE"}, "hamburg": {"DE"}, "frankfurt": {"DE"},
	"cologne": {"DE"}, "stuttgart": {"DE"}, "paris": {"FR"}, "lyon": {"FR"}, "amsterdam": {"NL"},
	"rotterdam": {"NL"}, "utrecht": {"NL"}, "delft": {"NL"}, "eindhoven": {"NL"}, "the hague": {"NL"},
	"brussels": {"BE"}, "ghent": {"BE"}, "antwerp": {"BE"}, "zurich": {"CH"}, "zürich": {"CH"},
	"geneva": {"CH"}, "lausanne": {"CH"}, "vienna": {"AT"}, "prague": {"CZ"}, "warsaw": {"PL"},
	"krakow": {"PL"}, "kraków": {"PL"}, "wroclaw": {"PL"}, "budapest": {"HU"}, "bucharest": {"RO"},
	"athens": {"GR"}, "stockholm": {"SE"}, "gothenburg": {"SE"}, "linköping": {"SE"},
	"copenhagen": {"DK"}, "oslo": {"NO"}, "trondheim": {"NO"}, "helsinki": {"FI"}, "tallinn": {"EE"},
	"riga": {"LV"}, "vilnius": {"LT"}, "lisbon": {"PT"}, "porto": {"PT"}, "madrid": {"ES"},
	"barcelona": {"ES"}, "bilbao": {"ES"}, "valencia": {"ES"}, "milan": {"IT"}, "rome": {"IT"},
	"kyiv": {"UA"}, "tel aviv": {"IL"}, "istanbul": {"TR"}, "dubai": {"AE"}, "abu dhabi": {"AE"},
	"bangalore": {"IN"}, "bengaluru": {"IN"}, "hyderabad": {"IN"}, "mumbai": {"IN"}, "delhi": {"IN"},
	"new delhi": {"IN"}, "pune": {"IN"}, "chennai": {"IN"}, "gurgaon": {"IN"}, "noida": {"IN"},
	"tokyo": {"JP"}, "seoul": {"KR"}, "shanghai": {"CN"}, "beijing": {"CN"}, "shenzhen": {"CN"},
	"taipei": {"TW"}, "sydney": {"AU"}, "melbourne": {"AU"}, "brisbane": {"AU"}, "auckland": {"NZ"},
	"são paulo": {"BR"}, "sao paulo": {"BR"}, "florianopolis": {"BR"}, "florianópolis": {"BR"},
	"rio de janeiro": {"BR"}, "buenos aires": {"AR"}, "mexico city": {"MX"}, "bogota": {"CO"},
	"bogotá": {"CO"}, "medellin": {"CO"}, "medellín": {"CO"}, "lima": {"PE"}, "montevideo": {"UY"},
	"lagos": {"NG"}, "nairobi": {"KE"}, "cape town": {"ZA"}, "kuala lumpur": {"MY"}, "jakarta": {"ID"},
	"manila": {"PH"}, "bangkok": {"TH"},
}

// placeTokens are upper-case abbreviations, matched case-sensitively as
// whole words so that ordinary words ("us", "la") do not count.
var placeTokens = map[string][]string{
	"US": {"US"}, "USA": {"US"}, "NYC": {"US"}, "SF": {"US"}, "LA": {"US"}, "DC": {"US"}, "NY": {"US"},
	"NJ": {"US"}, "SoCal": {"US"}, "UK": {"GB"}, "CAN": {"CA"}, "CZ": {"CZ"}, "NL": {"NL"}, "CH": {"CH"},
	"UAE": {"AE"}, "NZ": {"NZ"}, "EU": {"EU"}, "EEA": {"EEA"}, "EMEA": {"EMEA"}, "APAC": {"APAC"},
	"LATAM": {"LATAM"}, "LatAm": {"LATAM"}, "NA": {"NORTH_AMERICA"}, "ANZ": {"AU", "NZ"},
	"SEA": {"APAC"}, "MENA": {"MENA"}, "GER": {"DE"},
}

// usStates are the postal abbreviations recognised after a comma, slash or
// opening parenthesis ("Austin, TX", "(VA, PA, FL)"). DE, IN, ID, ME and OR
// are left out: they collide with countries and English words.
const usStates = "AL|AK|AZ|AR|CA|CO|CT|FL|GA|HI|IL|IA|KS|KY|LA|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"

var (
	usStateRE   = regexp.MustCompile(`(?:,|/|\()\s*(` + usStates + `)\b`)
	worldwideRE = regexp.MustCompile(`(?i)\b(?:global|globally|worldwide|world-wide|anywhere|all remote|any country|any location|international)\b`)
	// placeNameKeys holds placeNames under their token form (see tokenWords).
	placeNameKeys = func() map[string][]string {
		m := map[string][]string{}
		for k, v := range placeNames {
			m[strings.Join(tokenWords(k), " ")] = v
		}
		return m
	}()
	negations = map[string]bool{"no": true, "not": true, "except": true, "excluding": true, "excl": true, "non": true, "outside": true, "without": true}
	dotted    = strings.NewReplacer("U.S.A.", "USA", "U.S.A", "USA", "U.S.", "US", "U.S", "US", "U.K.", "UK", "U.K", "UK", "D.C.", "DC", "D.C", "DC")
)

// tokenWords splits s into words: runs of letters, digits, apostrophes and
// inner dots ("st." loses its trailing dot).
func tokenWords(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '\'' || r == '’')
	})
	out := f[:0]
	for _, w := range f {
		if w = strings.Trim(w, ".'’"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// placeMatch is one place found in a text.
type placeMatch struct {
	codes    []string
	excluded bool // "no US", "except UK"
}

const maxPlaceWords = 4

// findPlaces returns the places named in s: names (case-insensitive, up to
// four words, longest first), upper-case abbreviations (case-sensitive) and
// US state codes after a comma, slash or parenthesis.
func findPlaces(s string) []placeMatch {
	s = dotted.Replace(s)
	words := tokenWords(s)
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(w)
	}
	excluded := func(i int) bool {
		return i > 0 && (negations[lower[i-1]] || i > 1 && lower[i-2] == "outside" && lower[i-1] == "of")
	}
	var out []placeMatch
	for i := 0; i < len(words); {
		n := 0
		var codes []string
		for k := min(maxPlaceWords, len(words)-i); k >= 1; k-- {
			if c, ok := placeNameKeys[strings.Join(lower[i:i+k], " ")]; ok {
				n, codes = k, c
				break
			}
		}
		if n == 0 {
			if c, ok := placeTokens[words[i]]; ok {
				n, codes = 1, c
			}
		}
		if n == 0 {
			i++
			continue
		}
		out = append(out, placeMatch{codes: codes, excluded: excluded(i)})
		i += n
	}
	for range usStateRE.FindAllStringIndex(s, -1) {
		out = append(out, placeMatch{codes: []string{"US"}})
	}
	return out
}

// allCountries lists every ISO country code the domain accepts.
func allCountries() []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if c := string([]rune{a, b}); domain.IsCountry(c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// eligibilityFrom turns the places of a first line into an Eligibility.
// remote says whether the post offers remote work; worldwide whether it
// says so explicitly ("global", "anywhere"). ok is false when nothing
// usable was found.
func eligibilityFrom(places []placeMatch, remote, worldwide bool) (e domain.Eligibility, ok bool) {
	include := map[string]bool{}
	exclude := map[string]bool{}
	for _, p := range places {
		for _, c := range p.codes {
			if p.excluded {
				exclude[c] = true
			} else {
				include[c] = true
			}
		}
	}
	if remote && (worldwide || len(include) == 0) {
		if len(exclude) == 0 {
			return domain.Eligibility{Worldwide: true}, true
		}
		for _, c := range allCountries() {
			include[c] = true
		}
	}
	if len(include) == 0 {
		return e, false
	}
	if len(exclude) > 0 {
		// Expand regions into countries so the exclusions can be applied.
		expanded := map[string]bool{}
		for code := range include {
			if cs, isRegion := domain.Regions[code]; isRegion {
				for _, c := range cs {
					expanded[c] = true
				}
			} else {
				expanded[code] = true
			}
		}
		for code := range exclude {
			if cs, isRegion := domain.Regions[code]; isRegion {
				for _, c := range cs {
					delete(expanded, c)
				}
			} else {
				delete(expanded, code)
			}
		}
		include = expanded
	}
	for code := range include {
		if domain.IsRegion(code) {
			e.Regions = append(e.Regions, code)
		} else if domain.IsCountry(code) {
			e.Countries = append(e.Countries, code)
		}
	}
	sort.Strings(e.Countries)
	sort.Strings(e.Regions)
	return e, len(e.Countries)+len(e.Regions) > 0
}
