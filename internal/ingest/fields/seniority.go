package fields

import (
	"regexp"
	"strconv"
	"strings"
)

// seniorityWords are the level words of titles, most specific first within
// a position; ParseSeniority takes the leftmost match ("Senior Staff" is
// staff because that pattern starts at "Senior" too).
//
// anchors are words (lower case, see foldLower) one of which a match
// contains: the pattern runs only when one occurs in the title.
var seniorityWords = []struct {
	re      *regexp.Regexp
	level   string
	anchors []string
}{
	{regexp.MustCompile(`(?i)\bsenior\s+staff\b|\bsr\.?\s+staff\b`), "staff", []string{"staff"}},
	{regexp.MustCompile(`(?i)\bsenior\s+principal\b|\bsr\.?\s+principal\b|\bdistinguished\b|\bfellow\b`), "principal", []string{"principal", "distinguished", "fellow"}},
	{regexp.MustCompile(`(?i)\bprincipal\b`), "principal", []string{"principal"}},
	{regexp.MustCompile(`(?i)\bstaff\b`), "staff", []string{"staff"}},
	{regexp.MustCompile(`(?i)\bsenior\b|\bsr\b\.?|\bsnr\b`), "senior", []string{"senior", "sr", "snr"}},
	{regexp.MustCompile(`(?i)\b(?:tech|technical|team|engineering|dev|development)\s+leads?\b|\blead\b|\bleads\b|\bhead\s+of\b`), "lead", []string{"lead", "head"}},
	{regexp.MustCompile(`(?i)\bjunior\b|\bjr\b\.?|\bentry[- ]level\b|\bnew[- ]grads?\b|\bgraduate\b|\bearly[- ]career\b|\bapprentice`), "junior", []string{"junior", "jr", "entry", "grad", "early", "apprentice"}},
	{regexp.MustCompile(`(?i)\bmid(?:dle)?[- ]?(?:level|senior)?\b|\bintermediate\b`), "mid", []string{"mid", "intermediate"}},
	{regexp.MustCompile(`(?i)\bintern(?:s|ship|ships)?\b|\bco-?op\b`), "intern", []string{"intern", "co-op", "coop"}},
	// "Engineer III" is senior, "Engineer II" mid, "Engineer I" junior.
	{regexp.MustCompile(`\b(?:Engineer|Developer|SWE|SDE)\s+(?:III|3)\b`), "senior", []string{"engineer", "developer", "swe", "sde"}},
	{regexp.MustCompile(`\b(?:Engineer|Developer|SWE|SDE)\s+(?:II|2)\b`), "mid", []string{"engineer", "developer", "swe", "sde"}},
	{regexp.MustCompile(`\b(?:Engineer|Developer|SWE|SDE)\s+(?:I|1)\b`), "junior", []string{"engineer", "developer", "swe", "sde"}},
}

var (
	mtsRE = regexp.MustCompile(`(?i)members?\s+of\s+(?:the\s+)?technical\s+staff|\bstaffing\b|\bstaff\s+(?:augmentation|accountant)`)
	// levelInTextRE finds a level word next to a role in a posting's text:
	// "we're hiring a senior backend engineer", "looking for Staff SREs".
	levelInTextRE = regexp.MustCompile(`(?i)\b(?:hiring|looking\s+for|seeking|join\s+us\s+as|role\s*:|position\s*:|title\s*:)\s+(?:an?\s+|our\s+|two\s+|several\s+)?((?:senior|sr\.?|staff|principal|lead|junior|jr\.?|mid[- ]level|entry[- ]level|founding)\s+(?:[\w+#./-]+\s+){0,3}?(?:engineers?|developers?|swes?|sres?|programmers?|architects?|scientists?|interns?))\b`)
	// yearsRE reads "5+ years", "3-5 years of experience", "at least 7 yrs".
	yearsRE = regexp.MustCompile(`(?i)\b(\d{1,2})\s*(?:\+|(?:\s*[-–]\s*|\s+to\s+)(\d{1,2}))?\s*\+?\s*(?:years?|yrs?)\b(?:\s+(?:of\s+)?(?:professional\s+|relevant\s+|industry\s+|hands-on\s+|production\s+|backend\s+|software\s+|engineering\s+|work\s+)*(?:experience|exp\b|building|writing|working|in\s+(?:software|industry|backend|engineering)))`)
)

// ParseSeniority returns the level (one of domain.SeniorityLevels) a
// posting asks for, or "" when it says nothing usable. The title wins over
// the text. In a title, the leftmost level word decides: "Senior Staff"
// and "Staff" → staff, "Principal", "Distinguished" → principal, "Senior",
// "Sr." → senior, "Lead", "Tech Lead", "Head of" → lead, "Junior", "Jr",
// "Entry-level", "New Grad" → junior, "Mid-level", "Intermediate" → mid,
// "Intern", "Co-op" → intern, "Engineer III/II/I" → senior/mid/junior.
// "Founding Engineer" is senior: founding engineers work without a team
// to lean on, which postings describe as senior work. "Member of Technical
// Staff" names no level. In the text, a level word in front of a role after
// "hiring", "looking for" or "seeking" counts first, then the required
// years of experience: under 2 → junior, 2–4 → mid, 5 or more → senior
// (years alone never make staff or principal).
func ParseSeniority(title, text string) string {
	if l := levelOf(capInput(title)); l != "" {
		return l
	}
	text = capInput(text)
	// The patterns below are costly over long prose: each runs only when
	// its anchor words occur at all.
	lower := strings.ToLower(text)
	if containsAny(lower, "hiring", "looking", "seeking", "join", "role", "position", "title") &&
		containsAny(lower, "senior", "sr", "staff", "principal", "lead", "junior", "jr", "mid", "entry", "founding") {
		if m := levelInTextRE.FindStringSubmatch(text[levelInTextFrom(text):]); m != nil {
			if l := levelOf(m[1]); l != "" {
				return l
			}
		}
	}
	if !containsAny(lower, "year", "yr") {
		return ""
	}
	if m := yearsRE.FindStringSubmatch(text[yearsFrom(text):]); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 40 {
			return ""
		}
		switch {
		case n < 2:
			return "junior"
		case n < 5:
			return "mid"
		default:
			return "senior"
		}
	}
	return ""
}

func levelOf(title string) string {
	// Blanking only removes letters: words absent from the title are
	// absent from t, and a pattern needing one cannot match.
	lower := foldLower(title)
	t := title
	if strings.Contains(lower, "staff") {
		t = mtsRE.ReplaceAllStringFunc(title, func(m string) string { return strings.Repeat(" ", len(m)) })
	}
	best, at := "", len(t)+1
	for _, s := range seniorityWords {
		if !containsAny(lower, s.anchors...) {
			continue
		}
		if loc := s.re.FindStringIndex(t); loc != nil && loc[0] < at {
			best, at = s.level, loc[0]
		}
	}
	if best == "" && strings.Contains(lower, "founding") && foundingRE.MatchString(t) {
		best = "senior"
	}
	return best
}

// foundingRE reads "Founding Engineer": senior unless the title names a level.
var foundingRE = regexp.MustCompile(`(?i)\bfounding\s+(?:\w+\s+){0,2}?(?:engineers?|developers?|swes?|programmers?|hires?|team\s+members?)\b`)

var (
	fullTimeRE    = regexp.MustCompile(`(?i)\bfull[- ]?time\b|\bfulltime\b|\bFT\b|\bpermanent\b|\bsalaried\b|\bfull[- ]time[- ]employee\b|\bW-?2\b`)
	contractRE    = regexp.MustCompile(`(?i)\bcontract(?:or|ors|ing)?\b|\bfreelance(?:r|rs)?\b|\b1099\b|\bB2B\b|\bconsult(?:ant|ing)\s+(?:role|basis|position)\b`)
	partTimeRE    = regexp.MustCompile(`(?i)\bpart[- ]?time\b|\bpartime\b|\b\d{1,2}\s*(?:-\s*\d{1,2}\s*)?(?:hrs?|hours?)\s*(?:/|per|a)\s*(?:week|wk)\b`)
	internRE      = regexp.MustCompile(`(?i)\bintern(?:s|ship|ships)?\b|\bco-?op\b`)
	temporaryRE   = regexp.MustCompile(`(?i)\btemporary\b|\btemp\b|\bseasonal\b|\bfixed[- ]term\b|\b\d{1,2}[- ]month\s+(?:contract|engagement|project|role)\b`)
	ftThenCtRE    = regexp.MustCompile(`(?i)\bfull[- ]?time\s+(?:b2b\s+|remote\s+)?contract`)
	ctToHireRE    = regexp.MustCompile(`(?i)contract[- ]to[- ](?:hire|perm|full)|temp[- ]to[- ](?:hire|perm)`)
	notContractRE = regexp.MustCompile(`(?i)\bno\s+(?:contractors?|contracts?|freelancers?|agencies)\b|\bnot\s+(?:a\s+)?contract(?:or)?\b|\bsmart\s+contracts?\b|\bcontract\s+(?:law|management|lifecycle|review|analysis|data|negotiation)`)
	notTempRE     = regexp.MustCompile(`(?i)\btemp(?:oral|late|orary\s+(?:tables?|files?|credentials?))`)
)

// ParseEmploymentType returns the employment type (one of
// domain.EmploymentTypes) a text states, or "" when it states none. Read
// it from a header or an employment-type field; in long prose, words such
// as "contract" may mean something else ("smart contracts" is ignored).
// Precedence: internship ("intern", "internship", "co-op"); contract
// ("contract", "contractor", "freelance", "1099", "B2B") unless full-time is
// also named, except "full-time contract" and "full-time B2B contract",
// which are contracts; "contract-to-hire" is full-time; part-time
// ("part-time", "PT", "20 hrs/week") unless full-time is also named;
// temporary ("temporary", "temp", "fixed-term", "6-month contract" counts as
// contract); full-time ("full-time", "FT", "permanent", "W2").
func ParseEmploymentType(text string) string {
	if !employmentAnchor(strings.ToLower(text)) {
		return "" // none of the patterns' words occurs: skip them
	}
	s := capInput(text)
	// Each pattern runs only when a word it needs occurs (in lower case,
	// see foldLower); blanking only removes letters, so the original text
	// is a safe place to look.
	lower := foldLower(s)
	has := func(words ...string) bool { return containsAny(lower, words...) }
	if has("contract", "freelancer", "agenc") {
		s = notContractRE.ReplaceAllStringFunc(s, blank)
	}
	hasTemp := has("temp")
	if hasTemp {
		s = notTempRE.ReplaceAllStringFunc(s, blank)
	}
	ft := has("full", "ft", "permanent", "salaried", "w2", "w-2") && fullTimeRE.MatchString(s)
	ct := has("contract", "freelance", "1099", "b2b", "consult") && contractRE.MatchString(s)
	pt := has("part", "hr", "hour") && partTimeRE.MatchString(s)
	cth := (hasTemp || has("contract")) && ctToHireRE.MatchString(s)
	switch {
	case !ft && has("intern", "co-op", "coop") && internRE.MatchString(s):
		return "internship"
	case ct && ftThenCtRE.MatchString(s):
		return "contract"
	case cth:
		return "full_time"
	case ct && !ft:
		return "contract"
	case pt && !ft:
		return "part_time"
	case !ft && has("temp", "seasonal", "fixed", "month") && temporaryRE.MatchString(s):
		return "temporary"
	case ft:
		return "full_time"
	}
	return ""
}

// foldLower is strings.ToLower that also folds "ſ" to "s", as (?i) does
// ("K", the Kelvin sign, ToLower already makes "k"): a word that a
// case-insensitive pattern matches occurs in foldLower(s). It is for
// containment tests only (byte offsets may differ from s).
func foldLower(s string) string {
	l := strings.ToLower(s)
	if strings.Contains(l, "ſ") {
		l = strings.ReplaceAll(l, "ſ", "s")
	}
	return l
}

func blank(m string) string { return strings.Repeat(" ", len(m)) }

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// employmentAnchor reports whether s (lower case) holds a word that one of
// ParseEmploymentType's patterns needs.
func employmentAnchor(s string) bool {
	return containsAny(s, "full", "permanent", "salaried", "contract", "freelanc", "1099", "b2b", "consult",
		"part", "hr", "hour", "intern", "co-op", "coop", "temp", "seasonal", "fixed", "w2", "w-2") ||
		containsWord(s, "ft")
}

// asciiLower lower-cases the ASCII letters of s only, so that byte offsets
// into it are offsets into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// hasExoticFold reports whether s holds a rune that (?i) matches with an
// ASCII letter: "ſ" (s) or "K" (the Kelvin sign, k). Offsets found in
// asciiLower(s) may then miss a match.
func hasExoticFold(s string) bool {
	return strings.Contains(s, "ſ") || strings.Contains(s, "\u212a")
}

// wordStart backs i up to the start of the (regexp \w) word holding it, so
// that a search from there reads "\b" as a search of all of s does.
func wordStart(s string, i int) int {
	for i > 0 && isREWord(s[i-1]) {
		i--
	}
	return i
}

// levelInTextAnchors start every levelInTextRE match.
var levelInTextAnchors = []string{"hiring", "looking", "seeking", "join", "role", "position", "title"}

// levelInTextFrom returns where levelInTextRE can first match in s: at the
// first of its anchor words (the search from there finds the same match).
func levelInTextFrom(s string) int {
	if hasExoticFold(s) {
		return 0
	}
	l := asciiLower(s)
	first := -1
	for _, a := range levelInTextAnchors {
		if i := strings.Index(l, a); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		return len(s) // no match: search the empty tail
	}
	return wordStart(s, first)
}

// yearsFrom returns where yearsRE can first match in s. Every match reads
// a number, then only digits, spaces, "+", "-", "–" and "to", then "year"
// or "yr" (no "ſ" or Kelvin sign can stand for those letters): the
// leftmost match starts in the run of such bytes before the first "year"
// or "yr", or later.
func yearsFrom(s string) int {
	l := asciiLower(s)
	first := -1
	for _, a := range []string{"year", "yr"} {
		if i := strings.Index(l, a); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		return len(s)
	}
	i := first
	for i > 0 && strings.IndexByte("0123456789 \t\n\f\r+-toTO\xe2\x80\x93", s[i-1]) >= 0 {
		i--
	}
	return wordStart(s, i)
}
