package fields

// Place tables. They started as the demo loader's tables for Hacker News
// first lines and are Meridian's own curated data: which names are
// unambiguous enough to count as a place is a product decision, so no
// gazetteer library is used.

// Kinds of place name: a region (or group of countries), a country, a
// subdivision of a country (a US state) or a city.
const (
	kindRegion = iota
	kindCountry
	kindSubdivision
	kindCity
)

// regionNames, countryNames, subdivisionNames and cityNames map lower-case
// place names to the eligibility codes they stand for: ISO 3166-1 alpha-2
// countries, or region keys of domain.Regions (upper-case with an
// underscore, e.g. NORTH_AMERICA). Only unambiguous names are listed:
// "Georgia", "Jordan", "Cambridge", "Santiago", "Phoenix" (also a web
// framework) or cities that are common first names are left out rather
// than guessed.
var regionNames = map[string][]string{
	"european union":          {"EU"},
	"europe":                  {"EUROPE"},
	"european":                {"EUROPE"},
	"eastern europe":          {"EUROPE"},
	"western europe":          {"EUROPE"},
	"central europe":          {"EUROPE"},
	"north america":           {"NORTH_AMERICA"},
	"north american":          {"NORTH_AMERICA"},
	"n america":               {"NORTH_AMERICA"},
	"s america":               {"LATAM"},
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

	"eu":                           {"EU"},
	"eea":                          {"EEA"},
	"asia pac":                     {"APAC"},
	"mena":                         {"MENA"},
	"middle east and north africa": {"MENA"},
	"central america":              {"LATAM"},
	"anz":                          {"AU", "NZ"},
}

var countryNames = map[string][]string{
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

	"usa": {"US"}, "u.s.a": {"US"}, "uk": {"GB"}, "uae": {"AE"}, "czech": {"CZ"},
	"serbia and montenegro": {"RS", "ME"}, "slovak republic": {"SK"},
	"bosnia and herzegovina": {"BA"}, "macedonia": {"MK"}, "belarus": {"BY"}, "kazakhstan": {"KZ"},
	"uzbekistan": {"UZ"}, "azerbaijan": {"AZ"}, "lebanon": {"LB"}, "kuwait": {"KW"}, "bahrain": {"BH"},
	"oman": {"OM"}, "algeria": {"DZ"}, "senegal": {"SN"}, "cameroon": {"CM"}, "tanzania": {"TZ"},
	"zimbabwe": {"ZW"}, "zambia": {"ZM"}, "botswana": {"BW"}, "namibia": {"NA"}, "mauritius": {"MU"},
	"cambodia": {"KH"}, "myanmar": {"MM"}, "mongolia": {"MN"}, "cuba": {"CU"},
	"jamaica": {"JM"}, "trinidad and tobago": {"TT"}, "nicaragua": {"NI"}, "andorra": {"AD"},
	"liechtenstein": {"LI"}, "monaco": {"MC"}, "san marino": {"SM"},
	// demonyms that cannot be confused with a language or another word
	"canadian": {"CA"}, "british": {"GB"}, "brazilian": {"BR"}, "mexican": {"MX"},
	"argentinian": {"AR"}, "argentine": {"AR"}, "colombian": {"CO"}, "chilean": {"CL"},
	"australian": {"AU"}, "irish": {"IE"}, "swiss": {"CH"}, "austrian": {"AT"}, "belgian": {"BE"},
	"ukrainian": {"UA"}, "romanian": {"RO"}, "nigerian": {"NG"}, "kenyan": {"KE"},
	"singaporean": {"SG"}, "filipino": {"PH"}, "israeli": {"IL"}, "new zealander": {"NZ"},
}

var subdivisionNames = map[string][]string{
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
	"socal": {"US"}, "norcal": {"US"}, "ontario": {"CA"}, "british columbia": {"CA"}, "alberta": {"CA"},
	"bavaria": {"DE"}, "catalonia": {"ES"},
}

var cityNames = map[string][]string{
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
	"nyc": {"US"}, "sf": {"US"}, "boca raton": {"US"}, "scottsdale": {"US"}, "portland": {"US"},
	"charlotte": {"US"}, "durham": {"US"}, "ann arbor": {"US"}, "madison": {"US"}, "richmond": {"US"},
	"reston": {"US"}, "herndon": {"US"}, "jersey city": {"US"}, "hoboken": {"US"}, "stamford": {"US"},
	"new haven": {"US"}, "providence": {"US"}, "orlando": {"US"}, "fort lauderdale": {"US"},
	"san antonio": {"US"}, "fort worth": {"US"}, "plano": {"US"}, "omaha": {"US"}, "milwaukee": {"US"},
	"lehi": {"US"}, "provo": {"US"}, "long beach": {"US"}, "pasadena": {"US"}, "south san francisco": {"US"},
	"emeryville": {"US"}, "san rafael": {"US"}, "walnut creek": {"US"}, "los gatos": {"US"}, "bozeman": {"US"},
	"edmonton": {"CA"}, "victoria, bc": {"CA"}, "halifax": {"CA"}, "kitchener": {"CA"},
	"cambridge, uk": {"GB"}, "cambridge, ma": {"US"}, "belfast": {"GB"}, "birmingham, uk": {"GB"},
	"düsseldorf": {"DE"}, "dusseldorf": {"DE"}, "leipzig": {"DE"}, "dresden": {"DE"}, "karlsruhe": {"DE"},
	"heidelberg": {"DE"}, "nuremberg": {"DE"}, "potsdam": {"DE"}, "marseille": {"FR"}, "toulouse": {"FR"},
	"bordeaux": {"FR"}, "nantes": {"FR"}, "grenoble": {"FR"}, "turin": {"IT"}, "bologna": {"IT"},
	"florence": {"IT"}, "naples": {"IT"}, "seville": {"ES"}, "malaga": {"ES"}, "málaga": {"ES"},
	"basel": {"CH"}, "bern": {"CH"}, "graz": {"AT"}, "brno": {"CZ"}, "gdansk": {"PL"}, "gdańsk": {"PL"},
	"poznan": {"PL"}, "wrocław": {"PL"}, "lodz": {"PL"}, "aarhus": {"DK"}, "malmö": {"SE"}, "malmo": {"SE"},
	"uppsala": {"SE"}, "espoo": {"FI"}, "tampere": {"FI"}, "tartu": {"EE"}, "cluj": {"RO"}, "cluj-napoca": {"RO"},
	"sofia": {"BG"}, "belgrade": {"RS"}, "zagreb": {"HR"}, "ljubljana": {"SI"}, "bratislava": {"SK"},
	"lviv": {"UA"}, "thessaloniki": {"GR"}, "limassol": {"CY"}, "nicosia": {"CY"}, "valletta": {"MT"},
	"haifa": {"IL"}, "jerusalem": {"IL"}, "herzliya": {"IL"}, "ankara": {"TR"}, "cairo": {"EG"},
	"casablanca": {"MA"}, "accra": {"GH"}, "kigali": {"RW"}, "johannesburg": {"ZA"}, "riyadh": {"SA"},
	"doha": {"QA"}, "karachi": {"PK"}, "lahore": {"PK"}, "islamabad": {"PK"}, "dhaka": {"BD"},
	"colombo": {"LK"}, "kathmandu": {"NP"}, "kolkata": {"IN"}, "ahmedabad": {"IN"}, "gurugram": {"IN"},
	"osaka": {"JP"}, "kyoto": {"JP"}, "busan": {"KR"}, "hangzhou": {"CN"}, "guangzhou": {"CN"},
	"ho chi minh city": {"VN"}, "hanoi": {"VN"}, "perth": {"AU"}, "adelaide": {"AU"}, "canberra": {"AU"},
	"wellington": {"NZ"}, "christchurch": {"NZ"}, "guadalajara": {"MX"}, "monterrey": {"MX"},
	"santiago de chile": {"CL"}, "córdoba, argentina": {"AR"}, "quito": {"EC"}, "san josé, costa rica": {"CR"},
	"belo horizonte": {"BR"}, "porto alegre": {"BR"}, "curitiba": {"BR"}, "recife": {"BR"},
}

// placeTokens are upper-case abbreviations, matched case-sensitively as
// whole words so that ordinary words ("us", "la") do not count.
var placeTokens = map[string][]string{
	"US": {"US"}, "USA": {"US"}, "NYC": {"US"}, "SF": {"US"}, "LA": {"US"}, "DC": {"US"}, "NY": {"US"},
	"NJ": {"US"}, "SoCal": {"US"}, "UK": {"GB"}, "CAN": {"CA"}, "CZ": {"CZ"}, "NL": {"NL"}, "CH": {"CH"},
	"UAE": {"AE"}, "NZ": {"NZ"}, "EU": {"EU"}, "EEA": {"EEA"}, "EMEA": {"EMEA"}, "APAC": {"APAC"},
	"LATAM": {"LATAM"}, "LatAm": {"LATAM"}, "NA": {"NORTH_AMERICA"}, "ANZ": {"AU", "NZ"},
	"SEA": {"APAC"}, "MENA": {"MENA"}, "GER": {"DE"}, "AMER": {"AMERICAS"}, "NORAM": {"NORTH_AMERICA"},
	// ISO codes that are not also common upper-case words or US states
	// (IN, IT, ME, NO, OR, AT, BE, CA and the like are left out; AE is an
	// account executive in hiring posts).
	"GB": {"GB"}, "DE": {"DE"}, "FR": {"FR"}, "ES": {"ES"}, "PL": {"PL"}, "SE": {"SE"},
	"DK": {"DK"}, "FI": {"FI"}, "IE": {"IE"}, "GR": {"GR"}, "RO": {"RO"}, "HU": {"HU"}, "BR": {"BR"},
	"MX": {"MX"}, "CL": {"CL"}, "JP": {"JP"}, "SG": {"SG"}, "AU": {"AU"}, "ZA": {"ZA"},
	"KR": {"KR"}, "UA": {"UA"},
}

// tokenKinds says which placeTokens are cities or subdivisions; the others
// are countries, or regions when their code is a region or a group.
var tokenKinds = map[string]int{
	"NYC": kindCity, "SF": kindCity, "LA": kindCity,
	"DC": kindSubdivision, "NY": kindSubdivision, "NJ": kindSubdivision, "SoCal": kindSubdivision,
}

// usStates are the postal abbreviations recognised after a comma, slash or
// opening parenthesis ("Austin, TX", "(VA, PA, FL)"). DE, IN, ID, ME and OR
// are left out: they collide with countries and English words.
const usStates = "AL|AK|AZ|AR|CA|CO|CT|FL|GA|HI|IL|IA|KS|KY|LA|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
