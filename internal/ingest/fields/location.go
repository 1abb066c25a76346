package fields

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
)

// Work modes of a Location.
const (
	ModeRemote      = "remote"
	ModeHybrid      = "hybrid"
	ModeOnsite      = "onsite"
	ModeUnspecified = "unspecified"
)

// Location is where a job is done.
type Location struct {
	// Mode is ModeRemote, ModeHybrid, ModeOnsite or ModeUnspecified. When a
	// text offers both remote and on-site work ("Remote or NYC"), Mode is
	// ModeRemote: the job can be done remotely.
	Mode string
	// Eligibility says where remote work may be done; it is empty when Mode
	// is not ModeRemote or the text does not say (a bare "Remote").
	Eligibility domain.Eligibility
	// Offices are the ISO 3166-1 alpha-2 countries of the on-site locations
	// the text names (cities, states, countries), sorted.
	Offices []string
}

var (
	remoteRE = regexp.MustCompile(`(?i)\bremote\b|\bwfh\b|\bwork(?:ing)?[- ]from[- ](?:home|anywhere)\b|\bfully[- ]distributed\b|\bdistributed[- ](?:team|company|first)\b|\btele-?commut`)
	// notRemoteRE matches "no remote", "not remote", "non-remote", "Remote: No",
	// "remote is not possible"; these are blanked before remoteRE runs.
	notRemoteRE = regexp.MustCompile(`(?i)\b(?:no|not|non)[\s-]+(?:fully\s+)?remote\b|\bremote\s*:\s*no\b|\bremote\s+(?:work\s+)?(?:is\s+)?not\s+(?:possible|available|an\s+option|offered)`)
	hybridRE    = regexp.MustCompile(`(?i)\bhybrid\b|\bremote[- ]hybrid\b`)
	// partRemoteRE reads "part remote", "partially remote", "2 days remote",
	// "1 remote day/week": some remote days are hybrid work, not remote.
	partRemoteRE = regexp.MustCompile(`(?i)\b(?:part(?:ial)?(?:ly)?|semi)[\s-]+remote\b|\b\d(?:\s*[-–]\s*\d)?\s*(?:days?|x)\s*(?:(?:a|per|/|each)\s*(?:week|wk)\s*)?(?:remote(?:ly)?|wfh|from\s+home)\b|\b\d\s+(?:remote|wfh)\s+days?\b`)
	// comboRE reads a remote option joined to an on-site one ("Remote or
	// hybrid", "HYBRID/REMOTE", "Onsite / Remote"): the job can be done
	// remotely, and the places the combination names are where.
	comboRE = regexp.MustCompile(`(?i)\b(?:remote|hybrid|on[- ]?site|in[- ]office|in[- ]person)(?:\s*(?:/|\+|&|,|\bor\b|\band\b)\s*(?:remote|hybrid|on[- ]?site|in[- ]office|in[- ]person)\b)+`)
	// tzUSRE and tzEuropeRE read time-zone phrases that name a region:
	// "PT/ET hours", "EST" (US); "CET", "EU timezones", "European
	// hours" (Europe).
	tzUSRE     = regexp.MustCompile(`\b[PMCE][SD]T\b|\b(?:P|M|C|E)[SD]?T(?:\s*(?:/|-|–|to|and|&|,)\s*(?:P|M|C|E)[SD]?T)*\s+(?i:(?:business\s+|working\s+|work\s+|core\s+)?hours|hrs|time\s*-?\s*zones?|timezones?|tz)\b`)
	tzEuropeRE = regexp.MustCompile(`(?:\b(?i:EU|Europe)\s+)?\b(?:CES?T|EES?T)\b|\b(?i:EU|Europe|European|Central\s+European)\s*(?i:[- ]friendly\s+)?(?i:(?:business\s+|working\s+|work\s+)?hours|time\s*-?\s*zones?|timezones?|tz)\b`)
	// softRE follows places that are a preference, not a restriction ("UK/EU
	// preferred").
	softRE = regexp.MustCompile(`(?i)^\s*(?:(?:is|are)\s+)?(?:preferred|ideally|a plus)\b`)
	// hybridTechRE and interviewRE follow mode words that name no work
	// mode: "hybrid cloud", "hybrid ML/rule-based system", "onsite interview".
	hybridTechRE = regexp.MustCompile(`(?i)^[\s-]+(?:ml|ai|cloud|search|apps?|mobile|approach|systems?|architectures?|vehicles?|quantum|storage|infrastructure|engines?|rules?|classical|deployments?|methods?|models? of computation)\b`)
	interviewRE  = regexp.MustCompile(`(?i)^\s+interviews?\b`)
	// anywhereInRE follows a worldwide word that a place narrows ("anywhere
	// in the US").
	anywhereInRE = regexp.MustCompile(`(?i)^\s+(?:in|within|across|inside|from)\s+(?:the\s+)?`)
	// daysRE reads "3 days in office", "2-3 days/week onsite", "in-office 4
	// days", "4x/week in person": fewer than five days is hybrid, five is onsite.
	daysRE      = regexp.MustCompile(`(?i)\b(\d)(?:\s*[-–]\s*(\d))?\s*(?:days?|x|d)\s*(?:(?:a|per|/|each)\s*(?:week|wk))?\s*(?:in|at|from|on)?\s*(?:the\s+|our\s+|an\s+)?(?:office|on[- ]?site|in[- ]person|in[- ]office|hq)\b|\b(?:in[- ]office|on[- ]?site|in[- ]person)\s*(?:\(?\s*)(\d)(?:\s*[-–]\s*(\d))?\s*(?:days?|x)\b`)
	onsiteRE    = regexp.MustCompile(`(?i)\bon[- ]?site\b|\bin[- ]office\b|\bin[- ]person\b|\boffice[- ]based\b|\bin the office\b|\bon[- ]premises?\b|\bIRL\b`)
	worldwideRE = regexp.MustCompile(`(?i)\b(?:global|globally|worldwide|world-wide|anywhere|any country|any location|any time ?zone|international(?:ly)?|everywhere)\b`)
	usStateRE   = regexp.MustCompile(`(?:,|/|\()\s*(` + usStates + `)\b`)
	// clauseSepRE separates the clauses of a location text; separators
	// inside parentheses or brackets do not count.
	clauseSepRE = regexp.MustCompile(`[|;•·\n]|\s+(?:or|OR|Or)\s+|\s+/\s+|\s+[-–—]+\s+`)
	dotted      = strings.NewReplacer("U.S.A.", "USA", "U.S.A", "USA", "U.S.", "US", "U.S", "US", "U.K.", "UK", "U.K", "UK", "D.C.", "DC", "D.C", "DC")
	negations   = map[string]bool{"no": true, "not": true, "except": true, "excluding": true, "excl": true, "non": true, "outside": true, "without": true, "ex": true}
)

// placeKeys holds every place name under its token form (see words),
// with its codes and kind.
type placeEntry struct {
	codes []string
	kind  int
}

var placeKeys = func() map[string]placeEntry {
	m := map[string]placeEntry{}
	add := func(names map[string][]string, kind int) {
		for k, v := range names {
			var key []string
			for _, w := range words(k) {
				key = append(key, strings.ToLower(w.text(k)))
			}
			m[strings.Join(key, " ")] = placeEntry{codes: v, kind: kind}
		}
	}
	// Later tables win on a clash: a country name beats a city of that name.
	add(cityNames, kindCity)
	add(subdivisionNames, kindSubdivision)
	add(countryNames, kindCountry)
	add(regionNames, kindRegion)
	return m
}()

const maxPlaceWords = 4

// maxFinds bounds the keywords, separators and places read from one text,
// and so the allocation of ParseLocation on adversarial input: a location
// text names a handful of each.
const maxFinds = 1024

// word is one token of a text: its byte span (int32 keeps the slice of
// words of a MaxInput text small).
type word struct{ start, end int32 }

func (w word) text(s string) string { return s[w.start:w.end] }

// words splits s into runs of letters, digits, apostrophes and inner dots
// ("st." loses its trailing dot), at most maxWords of them.
func words(s string) []word {
	var out []word
	start := -1
	emit := func(end int) {
		w := s[start:end]
		// Trim leading and trailing dots and apostrophes.
		for len(w) > 0 && (w[0] == '.' || w[0] == '\'') {
			w, start = w[1:], start+1
		}
		for len(w) > 0 {
			r, size := utf8.DecodeLastRuneInString(w)
			if r != '.' && r != '\'' && r != '’' {
				break
			}
			w = w[:len(w)-size]
		}
		if w != "" {
			out = append(out, word{start: int32(start), end: int32(start + len(w))}) // #nosec G115 -- inputs are capped at MaxInput (1 MiB), far below 2^31
		}
	}
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '\'' || r == '’'
		if in && start < 0 {
			start = i
		} else if !in && start >= 0 {
			emit(i)
			start = -1
			if len(out) >= maxWords {
				return out
			}
		}
	}
	if start >= 0 {
		emit(len(s))
	}
	return out
}

// maxWords bounds the words findPlaces reads (a location text is short;
// 64Ki words is far more than any posting).
const maxWords = 1 << 16

// place is one place named in a text.
type place struct {
	codes      []string
	kind       int
	excluded   bool // "no US", "except UK", "outside of the EU"
	start, end int
}

// findPlaces returns the places named in s (already passed through
// dotted), in order: names (case-insensitive, up to four words, longest
// first), upper-case abbreviations (case-sensitive) and US state codes
// after a comma, slash or parenthesis.
func findPlaces(s string) []place {
	ws := words(s)
	lowerAt := func(i int) string { return strings.ToLower(ws[i].text(s)) }
	// joined reports whether words j-1 and j are separated by spaces or a
	// hyphen only: a negation does not reach across punctuation ("Remote:
	// No. Munich office").
	joined := func(j int) bool { return strings.Trim(s[ws[j-1].end:ws[j].start], " -") == "" }
	excluded := func(i int) bool {
		k := i
		if k > 1 && lowerAt(k-1) == "the" && joined(k-1) {
			k-- // "except the UK"
		}
		if k > 0 && negations[lowerAt(k-1)] && joined(k) {
			return true
		}
		return k > 1 && lowerAt(k-2) == "outside" && lowerAt(k-1) == "of" && joined(k) && joined(k-1)
	}
	var out []place
	var key []byte // reused: map lookups with string(key) do not allocate
	for i := 0; i < len(ws) && len(out) < maxFinds; {
		n := 0
		var e placeEntry
		for k := min(maxPlaceWords, len(ws)-i); k >= 1; k-- {
			key = key[:0]
			for j := i; j < i+k; j++ {
				if j > i {
					key = append(key, ' ')
				}
				key = appendLower(key, ws[j].text(s))
			}
			if pe, ok := placeKeys[string(key)]; ok {
				n, e = k, pe
				break
			}
		}
		if n == 0 {
			if c, ok := placeTokens[ws[i].text(s)]; ok {
				n, e = 1, placeEntry{codes: c, kind: tokenKind(ws[i].text(s), c)}
			}
		}
		if n == 0 {
			i++
			continue
		}
		out = append(out, place{codes: e.codes, kind: e.kind, excluded: excluded(i), start: int(ws[i].start), end: int(ws[i+n-1].end)})
		i += n
	}
	for _, m := range usStateRE.FindAllStringSubmatchIndex(s, maxFinds) {
		out = append(out, place{codes: []string{"US"}, kind: kindSubdivision, start: m[2], end: m[3]})
	}
	// Time-zone phrases that name a region replace the places inside them
	// ("EU timezones" is Europe, not the EU).
	var tzs []place
	if strings.Contains(s, "T") { // every US zone ends in T
		for _, m := range tzUSRE.FindAllStringIndex(s, maxFinds) {
			tzs = append(tzs, place{codes: []string{"US"}, kind: kindCountry, start: m[0], end: m[1]})
		}
	}
	for _, m := range tzEuropeRE.FindAllStringIndex(s, maxFinds) {
		tzs = append(tzs, place{codes: []string{"EUROPE"}, kind: kindRegion, start: m[0], end: m[1]})
	}
	if len(tzs) > 0 {
		sort.SliceStable(tzs, func(a, b int) bool { return tzs[a].start < tzs[b].start })
		kept := out[:0]
		ti := 0
		for _, p := range out {
			for ti < len(tzs) && tzs[ti].end <= p.start {
				ti++
			}
			if ti < len(tzs) && tzs[ti].start <= p.start {
				continue // inside a time-zone phrase
			}
			kept = append(kept, p)
		}
		out = append(kept, tzs...)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].start < out[b].start })
	// A state or country that follows a city after a comma is the city's
	// address ("Austin, TX", "Denver, Colorado, USA", "London, UK"): it
	// names the office, not a region of its own.
	for i := 1; i < len(out); i++ {
		if out[i-1].kind == kindCity && (out[i].kind == kindSubdivision || out[i].kind == kindCountry) &&
			out[i-1].end <= out[i].start && strings.TrimSpace(s[out[i-1].end:out[i].start]) == "," {
			out[i].kind = kindCity
		}
	}
	return out
}

// appendLower appends the lower case of w to b.
func appendLower(b []byte, w string) []byte {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			for _, r := range w {
				b = utf8.AppendRune(b, unicode.ToLower(r))
			}
			return b
		}
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func tokenKind(tok string, codes []string) int {
	if k, ok := tokenKinds[tok]; ok {
		return k
	}
	if len(codes) > 1 || domain.IsRegion(codes[0]) {
		return kindRegion
	}
	return kindCountry
}

// span is a byte range of a text.
type span struct{ start, end int }

// clauses splits s at separators outside parentheses and brackets.
func clauses(s string) []span {
	var out []span
	depth, pos, last := 0, 0, 0
	for _, m := range clauseSepRE.FindAllStringIndex(s, maxFinds) {
		for ; pos < m[0]; pos++ {
			switch s[pos] {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
		}
		if depth == 0 {
			out = append(out, span{last, m[0]})
			last = m[1]
		}
	}
	return append(out, span{last, len(s)})
}

// keyword is a mode keyword found in a text.
type keyword struct {
	mode       string
	start, end int
}

// ParseLocation reads the work mode, the remote eligibility and the office
// countries of a location text: a location field, a header line ("Acme |
// Engineer | Remote (US/Canada) | NYC") or a short description. It reads
// countries by name, unambiguous ISO code ("UK", "DE") and unambiguous
// demonym ("Canadian"), US states ("Austin, TX", "California") and major
// cities (as their country), and regions by name or code (EU, EEA, Europe,
// EMEA, Americas, North America, LATAM, APAC, MENA, Africa, Oceania; keys of
// domain.Regions). "worldwide", "anywhere" and "global" in a remote clause
// make the job worldwide; "no US", "except UK" and "outside the EU"
// exclude places.
//
// The text is split into clauses at "|", ";", bullets, line breaks, " or ",
// " / " and spaced dashes (not inside parentheses). A place belongs to the
// mode keyword of its clause (the nearest one when a clause has several);
// places in clauses without a keyword count towards the remote eligibility
// when the text names no on-site or hybrid work and the place is a region,
// country or state ("Grantham, UK | Remote" → GB), and are offices otherwise.
//
// Modes: "remote", "WFH", "work from anywhere", "fully distributed" make a
// text remote (unless negated: "no remote", "Remote: No"); "hybrid" and
// "N days in office" with N < 5 make it hybrid; "onsite", "on-site",
// "in-office", "in person" and "5 days in office" make it onsite. Remote wins
// over hybrid, hybrid over onsite. A text naming places but no mode is
// ModeUnspecified with those places as offices.
func ParseLocation(text string) Location {
	s := dotted.Replace(capInput(text))
	// Each pattern runs only when a word it needs occurs (see foldLower);
	// blanking only removes letters.
	lower := foldLower(s)
	scan := s
	var kws []keyword
	var combos [][]int
	if strings.Contains(lower, "remote") {
		scan = notRemoteRE.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat(" ", len(m)) })
		// "part remote", "2 days remote": hybrid work, blanked for remoteRE.
		for _, m := range partRemoteRE.FindAllStringIndex(scan, maxFinds) {
			kws = append(kws, keyword{ModeHybrid, m[0], m[1]})
		}
		if len(kws) > 0 {
			scan = partRemoteRE.ReplaceAllStringFunc(scan, func(m string) string { return strings.Repeat(" ", len(m)) })
		}
		for _, m := range comboRE.FindAllStringIndex(scan, maxFinds) {
			if strings.Contains(foldLower(scan[m[0]:m[1]]), "remote") {
				combos = append(combos, m)
			}
		}
	}
	if containsAny(lower, "remote", "wfh", "work", "distributed", "tele") {
		for _, m := range remoteRE.FindAllStringIndex(scan, maxFinds) {
			kws = append(kws, keyword{ModeRemote, m[0], m[1]})
		}
	}
	if strings.Contains(lower, "hybrid") {
		for _, m := range hybridRE.FindAllStringIndex(s, maxFinds) {
			if hybridTechRE.MatchString(s[m[1]:min(len(s), m[1]+24)]) {
				continue // "a hybrid ML/rule-based system": no work mode
			}
			kws = append(kws, keyword{ModeHybrid, m[0], m[1]})
		}
	}
	daysStart := len(kws)
	onsiteWord := containsAny(lower, "site", "office", "person", "hq", "premise", "irl")
	var daysMatches [][]int
	if onsiteWord && strings.ContainsAny(s, "0123456789") {
		daysMatches = daysRE.FindAllStringSubmatchIndex(s, maxFinds)
	}
	for _, m := range daysMatches {
		n := 0
		for _, g := range []int{4, 2, 8, 6} { // the upper bound first
			if m[g] >= 0 {
				n, _ = strconv.Atoi(s[m[g]:m[g+1]])
				break
			}
		}
		mode := ModeHybrid
		if n >= 5 {
			mode = ModeOnsite
		}
		kws = append(kws, keyword{mode, m[0], m[1]})
	}
	days := kws[daysStart:] // sorted by start, not overlapping
	di := 0
	var onsiteMatches [][]int
	if onsiteWord {
		onsiteMatches = onsiteRE.FindAllStringIndex(s, maxFinds)
	}
	for _, m := range onsiteMatches {
		for di < len(days) && days[di].end <= m[0] {
			di++
		}
		if di < len(days) && days[di].start <= m[0] {
			continue // part of "3 days onsite"
		}
		if interviewRE.MatchString(s[m[1]:min(len(s), m[1]+16)]) {
			continue // "an onsite interview": a step of the hiring process
		}
		kws = append(kws, keyword{ModeOnsite, m[0], m[1]})
	}
	if len(combos) > 0 {
		// "Remote or hybrid (US/EU/UK)", "HYBRID/REMOTE, Zurich": one remote
		// keyword; its on-site words name no on-site-only work.
		kept := kws[:0]
		for _, k := range kws {
			if k.mode == ModeRemote || !inSpans(combos, k.start) {
				kept = append(kept, k)
			}
		}
		kws = kept
	}
	sort.SliceStable(kws, func(a, b int) bool { return kws[a].start < kws[b].start })

	loc := Location{Mode: ModeUnspecified}
	has := map[string]bool{}
	for _, k := range kws {
		has[k.mode] = true
	}
	switch {
	case has[ModeRemote]:
		loc.Mode = ModeRemote
	case has[ModeHybrid]:
		loc.Mode = ModeHybrid
	case has[ModeOnsite]:
		loc.Mode = ModeOnsite
	}
	onsiteNamed := has[ModeHybrid] || has[ModeOnsite]

	places := findPlaces(s)
	cls := clauses(s)
	var remotePlaces, officePlaces []place
	worldwide := false
	ci, ki := 0, 0
	for _, c := range cls {
		// Keywords of this clause (kws and places are sorted by start, so
		// one forward walk serves all clauses).
		for ki < len(kws) && kws[ki].start < c.start {
			ki++
		}
		kj := ki
		for kj < len(kws) && kws[kj].start < c.end {
			kj++
		}
		ck := kws[ki:kj]
		firstRemote := -1
		for _, k := range ck {
			if k.mode == ModeRemote {
				firstRemote = k.start
				break
			}
		}
		if loc.Mode == ModeRemote && firstRemote >= 0 {
			// "Global Remote (almost anywhere) & Hybrid NYC": a worldwide
			// word counts when the nearest keyword is remote.
			w := 0
			for _, m := range worldwideRE.FindAllStringIndex(s[c.start:c.end], maxFinds) {
				if narrowed(s, c.start+m[1], places) {
					continue // "anywhere in the US"
				}
				if nearestFrom(ck, &w, place{start: c.start + m[0], end: c.start + m[1]}) == ModeRemote {
					worldwide = true
					break
				}
			}
		}
		if len(ck) == 0 && loc.Mode == ModeRemote && !onsiteNamed && isOnlyWorldwide(s[c.start:c.end]) {
			worldwide = true // "Remote | Worldwide"
		}
		w := 0
		// "Remote (North America), SF, NYC": cities beside the regions of a
		// remote clause are offices, as are the cities of a remote-or-onsite
		// clause ("HYBRID/REMOTE, Zurich").
		citiesAreOffices := firstRemote >= 0 && inSpans(combos, firstRemote)
		for j := ci; j < len(places) && places[j].start < c.end && !citiesAreOffices; j++ {
			if places[j].start >= c.start && places[j].kind != kindCity && !places[j].excluded && firstRemote >= 0 && places[j].start > firstRemote {
				citiesAreOffices = true
			}
		}
		for ; ci < len(places) && places[ci].start < c.end; ci++ {
			p := places[ci]
			if p.start < c.start {
				continue
			}
			if p.kind != kindCity && (softRE.MatchString(s[p.end:min(len(s), p.end+40)]) || softAfter(s, places, ci)) {
				continue // "UK/EU preferred": a preference, not a restriction
			}
			switch mode := nearestFrom(ck, &w, p); {
			case mode == ModeRemote && p.kind == kindCity && (firstRemote < 0 || p.start < firstRemote || citiesAreOffices):
				// "SF, Remote (US)": a city before the remote keyword is an office.
				officePlaces = append(officePlaces, p)
			case mode == ModeRemote:
				remotePlaces = append(remotePlaces, p)
			case mode != "":
				officePlaces = append(officePlaces, p)
			case loc.Mode == ModeRemote && !onsiteNamed && p.kind != kindCity:
				remotePlaces = append(remotePlaces, p)
			default:
				officePlaces = append(officePlaces, p)
			}
		}
		ki = kj
	}
	if loc.Mode == ModeRemote {
		loc.Eligibility = eligibility(remotePlaces, worldwide)
	}
	seen := map[string]bool{}
	for _, p := range officePlaces {
		if p.excluded {
			continue
		}
		for _, c := range p.codes {
			if domain.IsCountry(c) && !seen[c] {
				seen[c] = true
				loc.Offices = append(loc.Offices, c)
			}
		}
	}
	sort.Strings(loc.Offices)
	return loc
}

// inSpans reports whether pos lies in one of spans (sorted, not overlapping).
func inSpans(spans [][]int, pos int) bool {
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > pos })
	return i < len(spans) && spans[i][0] <= pos
}

// narrowed reports whether a place follows the worldwide word ending at end
// ("anywhere in the US").
func narrowed(s string, end int, places []place) bool {
	m := anywhereInRE.FindStringIndex(s[end:min(len(s), end+24)])
	if m == nil {
		return false
	}
	at := end + m[1]
	i := sort.Search(len(places), func(i int) bool { return places[i].start >= at })
	return i < len(places) && places[i].start == at
}

// softAfter reports whether the places that follow places[i] in a list
// ("UK/EU preferred") end in a preference word.
func softAfter(s string, places []place, i int) bool {
	for j := i + 1; j < len(places) && j < i+8; j++ {
		if gap := s[min(places[j-1].end, places[j].start):places[j].start]; strings.Trim(gap, " /,&+") != "" && !isListWord(gap) {
			return false
		}
		if softRE.MatchString(s[places[j].end:min(len(s), places[j].end+40)]) {
			return true
		}
	}
	return false
}

func isListWord(s string) bool {
	t := strings.ToLower(strings.Trim(s, " /,&+"))
	return t == "or" || t == "and"
}

var onlyWorldwideRE = regexp.MustCompile(`(?i)^\W*(?:global|globally|worldwide|world-wide|anywhere|everywhere)\W*$`)

func isOnlyWorldwide(s string) bool { return len(s) < 40 && onlyWorldwideRE.MatchString(s) }

// nearestFrom returns the mode of the keyword of kws closest to p ("" if
// none). Calls must come with non-decreasing p.start; *w keeps the walk's
// position so a clause costs one pass.
func nearestFrom(kws []keyword, w *int, p place) string {
	for *w < len(kws) && kws[*w].start < p.start {
		*w++
	}
	best, dist := "", -1
	if *w > 0 {
		k := kws[*w-1] // the last keyword starting before p
		best, dist = k.mode, max(0, p.start-k.end)
	}
	if *w < len(kws) {
		k := kws[*w] // the first keyword starting at or after p
		if d := max(0, k.start-p.end); dist < 0 || d < dist {
			best = k.mode
		}
	}
	return best
}

// eligibility turns the places of remote clauses into an Eligibility.
// Exclusions remove countries: from the included places, or from the whole
// world when only exclusions or "worldwide" were given.
func eligibility(places []place, worldwide bool) domain.Eligibility {
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
	var e domain.Eligibility
	if worldwide || len(include) == 0 && len(exclude) > 0 {
		if len(exclude) == 0 {
			return domain.Eligibility{Worldwide: true}
		}
		include = map[string]bool{}
		for _, c := range domain.Countries() {
			include[c] = true
		}
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
	return e
}

// OnlyPlaces reports whether s names nothing but places and the words
// "or", "and" and "area" ("SF or Shenzhen", "Bay Area"); texts of more than
// 64 words are never only places. Importers use it
// to tell a location segment from a company name.
func OnlyPlaces(s string) bool {
	s = dotted.Replace(capInput(s))
	ws := words(s)
	if len(ws) == 0 || len(ws) > 64 {
		return false // a list of places is short
	}
	ps := findPlaces(s)
	pi := 0
	for _, w := range ws {
		for pi < len(ps) && ps[pi].end <= int(w.start) {
			pi++
		}
		if pi < len(ps) && ps[pi].start <= int(w.start) && int(w.end) <= ps[pi].end {
			continue
		}
		if t := w.text(s); strings.EqualFold(t, "or") || strings.EqualFold(t, "and") || strings.EqualFold(t, "area") {
			continue
		}
		return false
	}
	return true
}

// PlaceCount returns how many places s names (see ParseLocation for what
// counts as a place).
func PlaceCount(s string) int { return len(findPlaces(dotted.Replace(capInput(s)))) }
