package fields

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

// SalaryMatch is one pay range found in a text.
type SalaryMatch struct {
	domain.Salary
	// Start and End are the byte span of the expression in the text given
	// to FindSalaries; Text is that expression.
	Start, End int
	Text       string
	// Range is true when two bounds were written ("$150k-$200k"); single
	// figures, "up to $X" and "$X+" are not ranges.
	Range bool
}

// The salary expression. Currency words are listed, not matched as any
// three capitals: "ALL", "TOP" and "CUP" are currency codes too.
const (
	curPat = `(?:US\$|USD\$|CA\$|CAD\$|C\$|AU\$|AUD\$|A\$|NZ\$|NZD\$|S\$|SGD\$|HK\$|R\$|MX\$|\$|€|£|₹|¥|₪|₩|₺|₱|₦|zł|` +
		`\b(?:USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|INR|SGD|JPY|CNY|KRW|ILS|BRL|MXN|ARS|CLP|COP|HKD|TWD|ZAR|NGN|KES|EGP|TRY|AED|SAR|THB|MYR|IDR|PHP|VND|PKR|UAH)\b|\bRs\.?)`
	numPat = `(\d{1,3}(?:[,.'’\x{00A0}\x{202F}]\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d+)?)`
	sfxPat = `(\s?[kK]|\s?(?:LPA|lpa|Lpa)|L|\s?(?:lakhs?|Lakhs?|lacs?|Lacs?))?`
	sepPat = `(?:\s?(?:-|–|—|~|to|and|until)\s?)`
	perPat = `(?:\s?((?i:(?:gross|net)\s?)?(?:/\s?(?i:hourly|monthly|weekly|daily|yearly|annually|hr|hour|h|yr|year|y|annum|a|mo|month|m|wk|week|w|day|d)\b|(?i:per\s+(?:hour|hr|year|yr|annum|month|mo|week|wk|day)\b)|(?i:an?\s+(?:hour|year|month|week|day))|(?i:p\.\s?a\.|p\.?h\.|\bpa\b)|(?i:hourly|annual(?:ly)?|yearly|monthly|weekly|daily)\b)))?`
)

var (
	salaryRE = regexp.MustCompile(`(` + curPat + `)?\s?~?\s?` + numPat + sfxPat +
		`(?:\s?(` + curPat + `))?` +
		`(?:` + sepPat + `(` + curPat + `)?\s?~?\s?` + numPat + sfxPat + `)?` +
		`(?:\s?(` + curPat + `))?(?:\s?(\+))?` + perPat)
	salaryBeforeRE = regexp.MustCompile(`(?i)(?:up\s?to|max(?:imum)?|until|below|under|less than|no more than|<)\s*$`)
	salaryFromRE   = regexp.MustCompile(`(?i)(?:from|starting(?:\s+at)?|starts\s+at|min(?:imum)?|at\s+least|over|above|more than|>)\s*$`)
	salaryNotBefRE = regexp.MustCompile(`(?i)(?:raised|raise|raising|funding|funded|backed|valuation|valued|\barr|\bmrr|revenue|sales|exits?|round|seed|series\s+[a-f]|bonus|stipend|budget|grant|credits?|allowance|reimbursement|worth|invested|investment|gmv|volume|spend|fund|prize|award|commission|deal|customers?|price|pricing|costs?|fees?)\W*(?:of|at|with|worth|over|more than|up to|a|an)?\W*$`)
	salaryNotAftRE = regexp.MustCompile(`(?i)^\s?(?:signing|sign-on|bonus|stipend|budget|relocation|raised?|round|funding|seed|series|pre-seed|arr\b|mrr\b|revenue|grant|credits|valuation|users|customers|companies|clients|transactions|downloads|installs|members|employees|people|engineers|in\s+(?:funding|revenue|arr|sales|assets|annual|transactions|payments|volume|loans|gmv|spend|capital)|of\s+(?:equity|funding|revenue|arr)|contract\b|million\b|billion\b|trillion\b|mm\b|bn\b|market\b|gmv\b|aum\b|in\s+equity|learning|education|home\s+office|wellness|per\s+(?:user|seat|month\s+per)|commission|referral|allowance|stock|options|tam\b|raise)`)
	thousandsRE    = regexp.MustCompile(`^\d{1,3}(?:[,.'’\x{00A0}\x{202F}]\d{3})+(?:\.\d{1,2})?$`)
)

// currencySymbols maps symbols to ISO 4217 codes. A bare "$" is US dollars
// unless a code stands next to the figure ("$150k CAD"), which wins.
var currencySymbols = map[string]string{
	"$": "USD", "US$": "USD", "USD$": "USD", "CA$": "CAD", "CAD$": "CAD", "C$": "CAD", "AU$": "AUD", "AUD$": "AUD",
	"A$": "AUD", "NZ$": "NZD", "NZD$": "NZD", "S$": "SGD", "SGD$": "SGD", "HK$": "HKD", "R$": "BRL", "MX$": "MXN",
	"€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY", "₪": "ILS", "₩": "KRW", "₺": "TRY", "₱": "PHP", "₦": "NGN",
	"zł": "PLN", "Rs": "INR", "Rs.": "INR", "RS": "INR", "RS.": "INR",
}

// candidate is one money expression found in a text, in major units.
type candidate struct {
	min, max float64
	currency string
	period   string
	isRange  bool
	explicit bool // a currency was written
	// For figures without a currency: kNote is true when a bound was
	// written in k notation, grouped when a bound has thousands separators.
	kNote, grouped bool
	periodWritten  bool // "/mo", "per annum", "p.a."
	start, end     int
}

func currencyOf(tok string) string {
	tok = strings.TrimSpace(tok)
	if c, ok := currencySymbols[tok]; ok {
		return c
	}
	return strings.ToUpper(tok)
}

// isCode reports whether a currency token is a three-letter code.
func isCode(tok string) bool {
	return len(tok) == 3 && strings.ToUpper(tok) == tok && tok[0] >= 'A' && tok[0] <= 'Z'
}

func parseAmount(num, sfx string) (v float64, lakh, ok bool) {
	if thousandsRE.MatchString(num) {
		dec := ""
		if i := strings.LastIndexByte(num, '.'); i >= 0 && len(num)-i <= 3 && strings.ContainsAny(num[:i], ",'’\u00a0\u202f") {
			num, dec = num[:i], num[i:] // "150,000.00"
		}
		num = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, num) + dec
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, false
	}
	switch strings.ToLower(strings.TrimSpace(sfx)) {
	case "k":
		v *= 1000
	case "l", "lpa", "lakh", "lakhs", "lac", "lacs":
		v *= 100000
		lakh = true
	}
	return v, lakh, true
}

// plusMeansAnd reports whether the "+" at i joins extras ("$192k + bonus")
// rather than opening the range ("$150k+"): it has a space before it and a
// word or number after it ("$150k + 0.75% equity").
func plusMeansAnd(s string, i int) bool {
	if i <= 0 || s[i-1] != ' ' {
		return false
	}
	j := i + 1
	for j < len(s) && s[j] == ' ' {
		j++
	}
	return j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9')
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80 || b == '_'
}

// findCandidates returns the money expressions of s that read as pay: not
// funding, revenue, equity percentages, user counts, bonuses or budgets.
// bare also reads figures without a currency (see FindSalariesIn).
func findCandidates(s string, bare bool) []candidate {
	var out []candidate
	matches := 0
	hints := moneyHintRE
	if bare {
		hints = bareHintRE
	}
	for _, w := range moneyWindows(s, hints) {
		for pos := w.start; pos < w.end && matches < maxMoneyMatches; {
			// A match holds a digit, at most salaryLead bytes after its
			// start: begin the search there (at a word boundary, so that
			// "\b" means the same), not at pos.
			d := strings.IndexAny(s[pos:w.end], "0123456789")
			if d < 0 {
				break // no match
			}
			from := max(pos, pos+d-salaryLead)
			for from > pos && isREWord(s[from-1]) {
				from--
			}
			loc := salaryRE.FindStringSubmatchIndex(s[from:w.end])
			if loc == nil {
				break
			}
			matches++
			for i := range loc {
				if loc[i] >= 0 {
					loc[i] += from
				}
			}
			if loc[1] > loc[0] {
				pos = loc[1]
			} else {
				pos++
			}
			if c, ok := readCandidate(s, loc, bare); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// salaryLead bounds the bytes before the first digit of a salaryRE match:
// a currency ("USD$", "Rs.", "€": at most 4) and "\s?~?\s?" (3), with room.
const salaryLead = 16

// maxMoneyMatches bounds the money expressions read from one text, and so
// the work and allocation of FindSalaries on adversarial input: a posting
// states a handful of figures, not thousands.
const maxMoneyMatches = 4096

// moneyHintRE finds currency signs, codes and lakh words; a salary must
// have one within its expression.
var moneyHintRE = regexp.MustCompile(`[$€£₹¥₪₩₺₱₦]|zł|\b(?:USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|INR|SGD|JPY|CNY|KRW|ILS|BRL|MXN|ARS|CLP|COP|HKD|TWD|ZAR|NGN|KES|EGP|TRY|AED|SAR|THB|MYR|IDR|PHP|VND|PKR|UAH|Rs|LPA|lpa|Lpa|[Ll]akhs?|[Ll]acs?)\b|\d\s?L\b`)

// bareHintRE adds to moneyHintRE the figures FindSalariesIn reads without
// a currency: k notation, five or more digits, thousands separators.
var bareHintRE = regexp.MustCompile(moneyHintRE.String() + `|\d\s?[kK]\b|\d{5}|\d[,.'’\x{00A0}\x{202F}]\d{3}`)

// moneyWindows returns the merged byte ranges of s around currency hints
// (64 bytes before, 64 after) in which salaryRE runs: figures far from any
// currency cannot be explicit pay, and skipping them keeps long texts cheap.
func moneyWindows(s string, hints *regexp.Regexp) []span {
	var out []span
	for _, m := range moneyHints(s, hints == bareHintRE) {
		lo, hi := max(0, m[0]-64), min(len(s), m[1]+64)
		for lo > 0 && !utf8.RuneStart(s[lo]) {
			lo--
		}
		for hi < len(s) && !utf8.RuneStart(s[hi]) {
			hi++
		}
		// Start windows at a word boundary so that "\b" means the same.
		for lo > 0 && lo > m[0]-96 && isWordByte(s[lo-1]) {
			lo--
		}
		if k := len(out) - 1; k >= 0 && lo <= out[k].end {
			out[k].end = max(out[k].end, hi)
			continue
		}
		out = append(out, span{lo, hi})
	}
	return out
}

// moneyHints returns what moneyHintRE (bareHintRE when bare) finds in s,
// as FindAllStringIndex(s, maxMoneyMatches) would: the same leftmost,
// non-overlapping matches, found by a byte scan (the patterns over long
// prose were the costliest part of FindSalaries). TestMoneyHintsMatchRE
// checks it against the patterns.
func moneyHints(s string, bare bool) [][2]int {
	var out [][2]int
	for i := 0; i < len(s) && len(out) < maxMoneyMatches; {
		if e := moneyHintAt(s, i, bare); e > i {
			out = append(out, [2]int{i, e})
			i = e
			continue
		}
		i++
	}
	return out
}

// moneySigns are the multi-byte currency signs of moneyHintRE.
var moneySigns = []string{"€", "£", "₹", "¥", "₪", "₩", "₺", "₱", "₦"}

// moneyWords are the words of moneyHintRE's "\b(?:...)\b" alternative.
var moneyWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("USD EUR GBP CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF RON BGN INR SGD JPY CNY KRW ILS BRL MXN ARS CLP COP HKD TWD ZAR NGN KES EGP TRY AED SAR THB MYR IDR PHP VND PKR UAH Rs LPA lpa Lpa lakh lakhs Lakh Lakhs lac lacs Lac Lacs") {
		m[w] = true
	}
	return m
}()

// thousandsSeps are the separators of bareHintRE's "\d[...]\d{3}".
var thousandsSeps = []string{",", ".", "'", "’", "\u00a0", "\u202f"}

// isREWord is regexp's \w (and so what \b looks at): ASCII only.
func isREWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isRESpace is regexp's \s.
func isRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// moneyHintAt returns the end of the hint match starting at s[i], or -1.
// At most one alternative of the patterns can match at a given start.
func moneyHintAt(s string, i int, bare bool) int {
	c := s[i]
	switch {
	case c == '$':
		return i + 1
	case c >= 0x80:
		for _, sign := range moneySigns {
			if strings.HasPrefix(s[i:], sign) {
				return i + len(sign)
			}
		}
	case c == 'z':
		if strings.HasPrefix(s[i:], "zł") {
			return i + len("zł")
		}
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		if i > 0 && isREWord(s[i-1]) {
			return -1
		}
		j := i + 1
		for j < len(s) && isREWord(s[j]) {
			j++
		}
		if moneyWords[s[i:j]] {
			return j
		}
	case isDigit(c):
		k := i + 1
		if k < len(s) && isRESpace(s[k]) {
			k++
		}
		if k < len(s) && (s[k] == 'L' || bare && (s[k] == 'k' || s[k] == 'K')) && (k+1 == len(s) || !isREWord(s[k+1])) {
			return k + 1 // "\d\s?L\b", "\d\s?[kK]\b"
		}
		if !bare {
			return -1
		}
		if i+5 <= len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) && isDigit(s[i+4]) {
			return i + 5 // "\d{5}"
		}
		for _, sep := range thousandsSeps {
			if strings.HasPrefix(s[i+1:], sep) {
				k := i + 1 + len(sep)
				if k+3 <= len(s) && isDigit(s[k]) && isDigit(s[k+1]) && isDigit(s[k+2]) {
					return k + 3
				}
				return -1
			}
		}
	}
	return -1
}

// readCandidate reads one salaryRE match (indexes into s).
// bare allows single figures without currency or k ("150,000"), which
// FindSalariesIn judges by their segment.
func readCandidate(s string, m []int, bare bool) (candidate, bool) {
	g := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	// groups: 1 cur-before, 2 num-a, 3 sfx-a, 4 cur-after-a, 5 cur-before-b,
	// 6 num-b, 7 sfx-b, 8 cur-after, 9 plus, 10 period
	end := m[1]
	if end < len(s) && (isWordByte(s[end]) || s[end] == '%') {
		return candidate{}, false // "$5m", "0.5%", "$2B"
	}
	if end+1 < len(s) && s[end] == ' ' && s[end+1] == '%' {
		return candidate{}, false
	}
	if m[2] < 0 && m[4] > 0 {
		if b := s[m[4]-1]; isWordByte(b) || b == '.' || b == '#' || b == ',' || b == '/' && m[4] > 1 && s[m[4]-2] >= '0' && s[m[4]-2] <= '9' {
			return candidate{}, false // "W24", "v1.5", "#3", "1,000" tails, "24/7"
		}
	}
	if g(6) == "" && (g(1) == "" && g(4) == "" && g(8) == "") {
		// A bare number: cheap reject before the context checks.
		if g(3) == "" && !bare {
			return candidate{}, false
		}
	}
	// After "+" the words are extras ("$160k + bonus"), not what the figure is.
	if salaryNotBefRE.MatchString(s[max(0, m[0]-24):m[0]]) || g(9) == "" && salaryNotAftRE.MatchString(s[end:min(len(s), end+40)]) {
		return candidate{}, false
	}
	a, lakhA, okA := parseAmount(g(2), g(3))
	if !okA {
		return candidate{}, false
	}
	c := candidate{min: a, max: a, start: m[0], end: end}
	c.kNote = strings.ContainsAny(g(3)+g(7), "kK")
	c.grouped = thousandsRE.MatchString(g(2)) || thousandsRE.MatchString(g(6))
	lakh := lakhA
	if g(6) != "" {
		b, lakhB, okB := parseAmount(g(6), g(7))
		if !okB {
			return candidate{}, false
		}
		lakh = lakh || lakhB
		// "$190–250k", "$154-190,000", "6–10 LPA": the first number shares the second's scale.
		if b >= 1000 && a < 1000 && g(3) == "" {
			if lakhB {
				a *= 100000
			} else if a*1000 <= b*5 {
				a *= 1000
			}
		}
		c.min, c.max, c.isRange = a, b, true
		sepStart, sepEnd := max(m[5], m[7], m[9]), m[12]
		if m[10] >= 0 {
			sepEnd = m[10]
		}
		sep := strings.TrimSpace(s[sepStart:sepEnd])
		if strings.HasPrefix(sep, "and") && !strings.HasSuffix(strings.ToLower(strings.TrimSpace(s[max(0, m[0]-12):m[0]])), "between") {
			return candidate{}, false // "$100k and 3 weeks": only "between X and Y" is a range
		}
	}
	var symbol, code string
	for _, tok := range []string{g(1), g(4), g(5), g(8)} {
		if tok == "" {
			continue
		}
		if isCode(tok) {
			if code == "" {
				code = currencyOf(tok)
			}
		} else if symbol == "" {
			symbol = currencyOf(tok)
		}
	}
	switch {
	case code != "" && (symbol == "" || symbol == "USD" || symbol == code):
		// "$150k CAD": the code says which dollar.
		c.currency = code
	case code != "" && symbol != "":
		c.currency = symbol // "€70k USD equivalent" is rare; trust the symbol
	case symbol != "":
		c.currency = symbol
	case lakh:
		c.currency = "INR"
	}
	c.explicit = c.currency != ""
	if lakh && c.currency != "INR" {
		return candidate{}, false
	}
	c.period = periodOf(g(10))
	c.periodWritten = g(10) != ""
	if !c.isRange {
		before := s[max(0, m[0]-16):m[0]]
		switch {
		case salaryBeforeRE.MatchString(before):
			c.min = 0
		case g(9) == "+" && !plusMeansAnd(s, m[18]) || salaryFromRE.MatchString(before):
			c.max = 0
		}
	}
	return c, true
}

// periodsPerYear is how many of each period make a working year: hour×2080,
// day×260, week×52, month×12.
var periodsPerYear = map[string]int64{"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}

// highPay lists the currencies of high-wage markets: pay in them below
// USD 15,000 a year is not a full salary. Other currencies go down to USD 2,500.
var highPay = map[string]bool{
	"USD": true, "EUR": true, "GBP": true, "CHF": true, "CAD": true, "AUD": true, "NZD": true, "SGD": true,
	"HKD": true, "DKK": true, "SEK": true, "NOK": true, "ILS": true, "JPY": true, "AED": true,
}

// plausible reports whether a candidate reads as pay for its period: the
// bounds are positive, at most five times apart, and their annual value in
// US dollars (at DefaultRates) lies between a floor (USD 15,000 for
// high-wage currencies, USD 2,500 otherwise) and USD 3,000,000.
func plausible(c candidate) bool {
	lo, hi := c.min, c.max
	if lo == 0 {
		lo = hi
	}
	if hi == 0 {
		hi = lo
	}
	if lo <= 0 || hi < lo || hi > lo*5 {
		return false
	}
	per := float64(periodsPerYear[c.period])
	rate, ok := DefaultRates().rate(c.currency)
	if !ok {
		// No rate to compare with: accept amounts that are not tiny.
		return lo*per >= 1000
	}
	f, _ := rate.Float64()
	loUSD, hiUSD := lo*per/f, hi*per/f
	floor := 2500.0
	if highPay[c.currency] {
		floor = 15000
	}
	if c.period == "hour" && lo < 5 {
		return false
	}
	return loUSD >= floor && hiUSD <= 3_000_000
}

func (c candidate) salary() (domain.Salary, bool) {
	if !meridian.ValidCurrency(c.currency) {
		return domain.Salary{}, false
	}
	f := math.Pow10(meridian.MinorUnits(c.currency))
	if c.max*f > 1e15 {
		return domain.Salary{}, false
	}
	return domain.Salary{Min: int64(math.Round(c.min * f)), Max: int64(math.Round(c.max * f)), Currency: c.currency, Period: c.period}, true
}

// FindSalaries returns every plausible pay expression of text in order:
// ranges and single figures with a currency ("$150k-$200k", "150-200k USD",
// "USD 150,000 - 200,000", "€70.000", "70.000–90.000 €", "£60k",
// "CHF 120'000", "₹25 LPA", "6-10 lakh", "$80/hr", "$8,000/month",
// "$600/day"). "up to $200k" has Min 0, "$150k+" and "from $150k" Max 0, a
// single figure Min = Max. The period is the hour, day, week, month or
// year the text states ("/hr", "per month", "p.a.", "annually"), else the
// year. Amounts are integer minor units of the ISO 4217 currency. "$" is
// US dollars unless a code stands next to the figure ("$150k CAD", "C$",
// "A$", "S$"). Funding ("$20M raised"), revenue, ARR, valuations, equity
// percentages, user counts, bonuses, budgets and stipends are left out, as
// are figures without a currency and implausible amounts (see plausible).
func FindSalaries(text string) []SalaryMatch {
	return FindSalariesIn(text, "")
}

// FindSalariesIn is FindSalaries for a posting whose pay is in
// defaultCurrency (an ISO 4217 code, see CurrencyOf) unless it says
// otherwise: it also returns figures written without a currency when they
// clearly are pay. Those are ranges in k notation ("150-200k", "75k-110k",
// "90K - 150K") and, when they stand alone in a segment of the line
// (between "|", "•", ";", brackets or line ends, with at most words such
// as "base", "TC" or "+ equity" beside them), ranges of five to seven digit
// amounts ("150,000 - 200,000") and single figures in k notation or with
// thousands separators ("| 120k |", "Salary: 150,000"). Years ("2019-2024"),
// counts ("150-200 employees", "10k+ users"), funding and "401k" are not
// pay. An empty or unknown defaultCurrency gives FindSalaries.
func FindSalariesIn(text, defaultCurrency string) []SalaryMatch {
	ms := findPay(text, defaultCurrency)
	if len(ms) == 0 {
		return nil
	}
	out := make([]SalaryMatch, len(ms))
	for i, m := range ms {
		out[i] = m.SalaryMatch
	}
	return out
}

// sharedPeriod returns cands[i] with the period written after the
// expression that follows it as an alternative in another currency ("45-70
// USD or 180-280 PLN per hour", "$60 / €55 per hour"): the period is
// written once for both. ok is false when cands[i] states its own period,
// or nothing of the kind follows it.
func sharedPeriod(text string, cands []candidate, i int) (candidate, bool) {
	c := cands[i]
	if c.periodWritten || i+1 >= len(cands) {
		return c, false
	}
	n := cands[i+1]
	if !n.periodWritten || !n.explicit || n.currency == c.currency || n.start < c.end || n.start-c.end > 12 ||
		!alternativeRE.MatchString(text[c.end:n.start]) {
		return c, false
	}
	c.period, c.periodWritten = n.period, true
	return c, true
}

// alternativeRE is what stands between a figure and the same pay in
// another currency: "or", "/".
var alternativeRE = regexp.MustCompile(`(?i)^\s*(?:\bor\b|/)\s*$`)

// payMatch is a SalaryMatch with what ParseSalaryIn needs to judge it.
type payMatch struct {
	SalaryMatch
	periodWritten bool
}

func findPay(text, defaultCurrency string) []payMatch {
	text = capInput(text)
	def := strings.ToUpper(strings.TrimSpace(defaultCurrency))
	if def != "" && !meridian.ValidCurrency(def) {
		def = ""
	}
	var out []payMatch
	cands := findCandidates(text, def != "")
	for i, c := range cands {
		if !c.explicit {
			if def == "" || !barePay(text, c) {
				continue
			}
			c.currency = def
		}
		if !plausible(c) {
			c2, ok := sharedPeriod(text, cands, i)
			if !ok || !plausible(c2) {
				continue
			}
			c = c2
		}
		if s, ok := c.salary(); ok {
			out = append(out, payMatch{SalaryMatch{Salary: s, Start: c.start, End: c.end, Text: text[c.start:c.end], Range: c.isRange}, c.periodWritten})
		}
	}
	return out
}

var (
	// bareNotAftRE rejects figures without a currency that a word other
	// than a pay word follows ("50k-100k requests", "10k+ stars").
	bareNotAftRE = regexp.MustCompile(`^\s?\+?\s?[A-Za-z]`)
	bareAftOKRE  = regexp.MustCompile(`^\s?\+?\s?(?i:base|salary|salaries|tc|ote|total|comp|compensation|gross|annual|doe|depending|based|plus|and\s+(?:equity|stock|options|bonus|benefits)|with\s+equity|equity|\+)\b`)
	// fillerRE is what may stand beside a lone figure in its segment.
	fillerRE = regexp.MustCompile(`^[\s+&/,.:~≈-]*(?:(?i:base|salary|salaries|pay|comp|compensation|range|tc|ote|total|gross|annual|annually|yearly|equity|stock|options|bonus|benefits|plus|and|doe|dep|depending\s+on\s+experience|c\.|ca\.|approx\.?)[\s+&/,.:~≈-]*)*$`)
	year4RE  = regexp.MustCompile(`^(?:19|20)\d\d$`)
)

// segmentDelims end a segment of a header line.
const segmentDelims = "|•;[]()\n"

// loneInSegment reports whether s[start:end] stands alone in its segment
// of the line, with only filler words beside it. It looks at most 80 bytes
// either way.
func loneInSegment(s string, start, end int) bool {
	lo := start
	for lo > 0 && start-lo < 80 && !strings.ContainsRune(segmentDelims, rune(s[lo-1])) && !spacedDash(s, lo) {
		lo--
	}
	if lo > 0 && start-lo >= 80 {
		return false
	}
	hi := end
	for hi < len(s) && hi-end < 80 && !strings.ContainsRune(segmentDelims, rune(s[hi])) && !spacedDash(s, hi) {
		hi++
	}
	if hi < len(s) && hi-end >= 80 {
		return false
	}
	return fillerRE.MatchString(s[lo:start]) && fillerRE.MatchString(s[end:hi])
}

// spacedDash reports whether s[i-1:] starts " - ", " – " or " — " ending
// just before i... or starting at i: a dash with spaces separates segments.
func spacedDash(s string, i int) bool {
	for _, d := range []string{" - ", " – ", " — "} {
		if strings.HasPrefix(s[i:], d) || i >= len(d) && s[i-len(d):i] == d {
			return true
		}
	}
	return false
}

// barePay reports whether a figure written without a currency is clearly
// pay (see FindSalariesIn).
func barePay(s string, c candidate) bool {
	after := s[c.end:min(len(s), c.end+24)]
	if bareNotAftRE.MatchString(after) && !bareAftOKRE.MatchString(after) {
		return false
	}
	if c.isRange {
		if c.kNote {
			return true
		}
		return c.min >= 10000 && c.max <= 9_999_999 && loneInSegment(s, c.start, c.end)
	}
	text := strings.TrimSpace(s[c.start:c.end])
	if strings.HasPrefix(text, "401") || strings.HasPrefix(text, "403") || year4RE.MatchString(text) {
		return false // 401k, 403b
	}
	return (c.kNote || c.grouped && c.min >= 10000 && c.min <= 9_999_999) && loneInSegment(s, c.start, c.end)
}

// periodOf reads a written period ("/mo", "per annum", "p.a.", "gross/month",
// "k/year" after the k); none is a year.
func periodOf(p string) string {
	p = strings.ToLower(p)
	words := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == ' ' || r == '\u00a0' })
	w := ""
	if len(words) > 0 {
		w = strings.TrimSuffix(words[len(words)-1], ".")
	}
	switch {
	case w == "":
		return "year"
	case strings.Contains(w, "hour") || w == "h" || w == "hr" || strings.HasPrefix(w, "p.h") || w == "ph":
		return "hour"
	case strings.Contains(w, "month") || w == "mo" || w == "m":
		return "month"
	case strings.Contains(w, "week") || w == "wk" || w == "w":
		return "week"
	case strings.Contains(w, "day") || w == "daily" || w == "d":
		return "day"
	}
	return "year" // yr, y, a, annum, annually, yearly, p.a.
}

// CurrencyOf returns the ISO 4217 currency of an ISO 3166-1 alpha-2
// country ("US" → "USD", "DE" → "EUR", "GB" or "UK" → "GBP"), or "" for a
// country it does not know.
func CurrencyOf(country string) string {
	return countryCurrency[strings.ToUpper(strings.TrimSpace(country))]
}

var countryCurrency = map[string]string{
	"US": "USD", "PR": "USD", "GB": "GBP", "UK": "GBP", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "IN": "INR",
	"AT": "EUR", "BE": "EUR", "HR": "EUR", "CY": "EUR", "EE": "EUR", "FI": "EUR", "FR": "EUR", "DE": "EUR",
	"GR": "EUR", "IE": "EUR", "IT": "EUR", "LV": "EUR", "LT": "EUR", "LU": "EUR", "MT": "EUR", "NL": "EUR",
	"PT": "EUR", "SK": "EUR", "SI": "EUR", "ES": "EUR",
	"CH": "CHF", "SE": "SEK", "NO": "NOK", "DK": "DKK", "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON",
	"BG": "BGN", "SG": "SGD", "JP": "JPY", "CN": "CNY", "KR": "KRW", "IL": "ILS", "BR": "BRL", "MX": "MXN",
	"AR": "ARS", "CL": "CLP", "CO": "COP", "HK": "HKD", "TW": "TWD", "ZA": "ZAR", "NG": "NGN", "KE": "KES",
	"EG": "EGP", "TR": "TRY", "AE": "AED", "SA": "SAR", "TH": "THB", "MY": "MYR", "ID": "IDR", "PH": "PHP",
	"VN": "VND", "PK": "PKR", "UA": "UAH",
}

// ParseSalary returns the one salary a posting states. text is plain text
// (see CleanText) whose first line is the header ("Acme | Engineer | Remote
// | $150k-$200k"). The first pay expression of the header wins. Otherwise
// the body is read in this order, each step giving a salary only when it
// finds exactly one distinct one:
//
//  1. lines labelled as pay ("Salary:", "Salary -", "Compensation:",
//     "Comp:", "Pay:", "Base:", "Salary range:"): the first range of the
//     line, else its first figure ("Salary: $180k");
//  2. ranges ("Base salary: $160,000 – $190,000");
//  3. single figures with a written period or a pay word beside them
//     ("₹45,000 per month", "£90k+ salary"), or alone in a segment of a
//     line formatted like a header ("Remote (US) | $150K + benefits").
//
// Other single figures in the body are too often bonuses, budgets or
// funding to trust. A body with several different ranges (one per role,
// usually) gives none: which one belongs to the posting cannot be told.
// Within a line, an expression restating the one before it ("up to
// $4,000/mo ($50,000/yr)") is skipped: the first wins.
func ParseSalary(text string) (domain.Salary, bool) {
	return ParseSalaryIn(text, "")
}

// ParseSalaryIn is ParseSalary for a posting whose pay is in
// defaultCurrency unless it says otherwise: the header and the lines
// labelled as pay may state it without a currency ("Acme | Sr Engineer |
// NYC | 150-200k", "London | 75k-110k"; see FindSalariesIn).
func ParseSalaryIn(text, defaultCurrency string) (domain.Salary, bool) {
	text = capInput(text)
	first, body := text, ""
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		first, body = text[:i], text[i+1:]
	}
	if ms := findPay(first, defaultCurrency); len(ms) > 0 {
		return ms[0].Salary, true
	}
	var labelled, ranges, singles distinctSalaries
	for line := range strings.SplitSeq(body, "\n") {
		if !strings.ContainsAny(line, "0123456789") {
			continue // no amount on this line (the cheap test before the patterns)
		}
		isLabelled := mayBeLabelled(line) && payLabelRE.MatchString(line)
		if !isLabelled && !hasCurrencyHint(line) {
			continue
		}
		def := ""
		if isLabelled {
			def = defaultCurrency
		}
		ms := dropRestatements(line, findPay(line, def))
		if len(ms) == 0 {
			continue
		}
		if isLabelled {
			pick := ms[0]
			for _, m := range ms {
				if m.Range {
					pick = m
					break
				}
			}
			labelled.add(pick.Salary)
			continue
		}
		for _, m := range ms {
			switch {
			case m.Range && m.Min > 0:
				ranges.add(m.Salary)
			case !m.Range && (m.periodWritten || payWordNear(line, m.Start, m.End) ||
				strings.Count(line, "|") >= 2 && loneInSegment(line, m.Start, m.End)):
				singles.add(m.Salary)
			}
		}
		if labelled.n > 1 {
			break
		}
	}
	for _, d := range []distinctSalaries{labelled, ranges, singles} {
		if d.n == 1 {
			return d.first, true
		}
		if d.n > 1 {
			return domain.Salary{}, false
		}
	}
	return domain.Salary{}, false
}

// distinctSalaries counts distinct salaries, up to two.
type distinctSalaries struct {
	first, second domain.Salary
	n             int
}

func (d *distinctSalaries) add(s domain.Salary) {
	switch {
	case d.n == 0:
		d.first, d.n = s, 1
	case d.n == 1 && s != d.first:
		d.second, d.n = s, 2
	}
}

var (
	// payLabelRE finds a line labelled as pay: "Salary:", "Salary -",
	// "Compensation:", "Comp:", "Pay:", "Base:", "Salary range:",
	// "Base salary (USD):", after bullets.
	payLabelRE = regexp.MustCompile(`(?i)^[\s*•·>#-]*(?:base\s+|annual\s+|total\s+)?(?:salary|salaries|compensation|comp|pay|base|ote)(?:\s+(?:range|band|rate))?(?:\s*\([^)\n]{0,30}\))?\s*(?::|-\s|–|—)`)
	// restateRE is what stands between an expression and its restatement:
	// "$4,000/mo ($50,000/yr)", "$150k / £110k".
	restateRE = regexp.MustCompile(`(?i)^\s*(?:base|salary|annually|a year|per year)?\s*(?:\(|/|\bor\b|=|≈)\s*(?:~|approx\.?|about|ca\.?)?\s*$`)
	// payWordBeforeRE and payWordAfterRE find a pay word beside a single
	// figure: "base salary of $180k", "£90k+ salary". "Pay is $150k plus."
	// is prose.
	payWordBeforeRE = regexp.MustCompile(`(?i)\b(?:salary|salaries|base|compensation|wage|ote)\s*(?::|-|–|of|at|is|around|about|approx\.?|up to|from|starting at|over)?\s*~?\s*$`)
	payWordAfterRE  = regexp.MustCompile(`(?i)^\s?\+?\s?(?:base|salary|(?:annual\s+|gross\s+)?(?:salary|pay|compensation)|ote|tc)\b`)
)

// dropRestatements removes from ms each expression that only restates the
// one before it in line.
func dropRestatements(line string, ms []payMatch) []payMatch {
	out := ms[:0]
	for i, m := range ms {
		if i > 0 && m.Start >= ms[i-1].End && m.Start-ms[i-1].End <= 24 && restateRE.MatchString(line[ms[i-1].End:m.Start]) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// payWordNear reports whether a pay word stands just before or after
// line[start:end].
func payWordNear(line string, start, end int) bool {
	lo := max(0, start-40)
	for lo > 0 && !utf8.RuneStart(line[lo]) {
		lo++
	}
	return payWordBeforeRE.MatchString(line[lo:start]) || payWordAfterRE.MatchString(line[end:min(len(line), end+32)])
}

var currencyHints = []string{"$", "€", "£", "₹", "¥", "₪", "₩", "₺", "₱", "₦", "zł", "Rs", "RS", "LPA", "lpa", "Lpa", "lakh", "Lakh", "lac", "Lac",
	"USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "INR", "SGD", "JPY", "CNY",
	"KRW", "ILS", "BRL", "MXN", "ARS", "CLP", "COP", "HKD", "TWD", "ZAR", "NGN", "KES", "EGP", "TRY", "AED", "SAR", "THB", "MYR", "IDR",
	"PHP", "VND", "PKR", "UAH"}

// hasCurrencyHint is a cheap pre-check before the salary expression runs.
func hasCurrencyHint(line string) bool {
	for _, c := range currencyHints {
		if strings.Contains(line, c) {
			return true
		}
	}
	return false
}

// mayBeLabelled is the cheap test before payLabelRE: a pay label's word
// occurs in the line's first 60 bytes.
func mayBeLabelled(line string) bool {
	head := strings.ToLower(line[:min(len(line), 60)])
	return containsAny(head, "salar", "comp", "pay", "base", "ote")
}
