package search

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// Limits of a query.
const (
	MaxLimit     = 100
	DefaultLimit = 20
	maxWords     = 12
	maxTextLen   = 500
	maxFilterLen = 50
)

// qword is one analyzed query word.
type qword struct {
	stem, word string
	typos      int  // edits allowed: 0, 1 (stem of 5–7 letters) or 2 (8+, first letter kept)
	prefix     bool // the last word, 3+ letters: also matches as a prefix
}

// unit is a query part every matching posting must satisfy: all its words
// match its text, or the posting has the skill the words name.
type unit struct {
	words []qword
	skill int // taxonomy index, -1 none
}

// Compiled is a validated, analyzed query: what Index.Search executes and
// the predicate saved searches are evaluated with when a posting is
// published.
type Compiled struct {
	q       Query
	units   []unit
	phrase  []string // stems in order, for title phrase boosts
	all     []uint16
	anyOf   []uint16
	cats    []uint8
	sen     uint16 // bitmask of seniority rank+1
	emp     uint16
	country string
	region  int // -1 none
	work    *workDay
	// minUSD is the salary floor in annual USD (0: none), as float32 like
	// the index's salaries, so a posting at exactly the floor qualifies.
	minUSD float32
	since  int64
	sort   string
	limit  int
	cursor *cursor
}

func invalid(field, format string, args ...any) error {
	return meridian.Errorf(meridian.EInvalid, "%s: %s", field, fmt.Sprintf(format, args...))
}

// Compile validates q and analyzes its text. Bad input is a
// *meridian.Error with code EInvalid naming the field.
func Compile(q Query) (*Compiled, error) {
	t := defaultTaxo()
	c := &Compiled{q: q, region: -1}
	if utf8.RuneCountInString(q.Text) > maxTextLen {
		return nil, invalid("q", "longer than %d characters", maxTextLen)
	}
	if err := c.compileText(q.Text); err != nil {
		return nil, err
	}
	skillIdx := func(field string, ids []string) ([]uint16, error) {
		if len(ids) > maxFilterLen {
			return nil, invalid(field, "at most %d skills", maxFilterLen)
		}
		var out []uint16
		for _, id := range ids {
			canon := skills.Default().Canonical(id)
			i, ok := t.index[canon]
			if !ok {
				return nil, invalid(field, "unknown skill %q", id)
			}
			out = append(out, i)
		}
		return out, nil
	}
	var err error
	if c.all, err = skillIdx("skillsAll", q.SkillsAll); err != nil {
		return nil, err
	}
	if c.anyOf, err = skillIdx("skillsAny", q.SkillsAny); err != nil {
		return nil, err
	}
	for _, cat := range q.Categories {
		ci, ok := t.catIndex[cat]
		if !ok {
			return nil, invalid("categories", "unknown skill category %q", cat)
		}
		c.cats = append(c.cats, ci)
	}
	for _, s := range q.Seniority {
		r := domain.SeniorityRank(s)
		if r < 0 {
			return nil, invalid("seniority", "unknown level %q (one of %s)", s, strings.Join(domain.SeniorityLevels, ", "))
		}
		c.sen |= 1 << (r + 1)
	}
	for _, e := range q.EmploymentTypes {
		i := indexOf(domain.EmploymentTypes, e)
		if i < 0 {
			return nil, invalid("employmentTypes", "unknown employment type %q (one of %s)", e, strings.Join(domain.EmploymentTypes, ", "))
		}
		c.emp |= 1 << (i + 1)
	}
	cur := q.Currency
	if cur == "" {
		cur = "USD"
	}
	cur = strings.ToUpper(cur)
	if usdPerUnit(cur) == 0 {
		return nil, invalid("currency", "no exchange rate for %q", q.Currency)
	}
	c.q.Currency = cur
	if q.MinSalary < 0 {
		return nil, invalid("minSalary", "must not be negative")
	}
	if q.MinSalary > 0 {
		c.minUSD = float32(float64(q.MinSalary) * usdPerUnit(cur))
	}
	if q.Country != "" {
		c.country = strings.ToUpper(q.Country)
		if !domain.IsCountry(c.country) {
			return nil, invalid("country", "%q is not an ISO 3166-1 alpha-2 code", q.Country)
		}
	}
	if q.Region != "" {
		r, ok := places.region[strings.ToUpper(q.Region)]
		if !ok {
			return nil, invalid("region", "unknown region %q", q.Region)
		}
		c.region = r
	}
	if q.TimeZone != "" || q.MinOverlapHours > 0 {
		if q.TimeZone == "" {
			return nil, invalid("timeZone", "required with minOverlapHours")
		}
		if !domain.ValidTimeZone(q.TimeZone) {
			return nil, invalid("timeZone", "%q is not an IANA time zone", q.TimeZone)
		}
		for f, v := range map[string]string{"workStart": q.WorkStart, "workEnd": q.WorkEnd} {
			if v != "" && hhmm(v, -1) < 0 {
				return nil, invalid(f, "%q is not HH:MM", v)
			}
		}
		if q.MinOverlapHours < 0 || q.MinOverlapHours > 24 {
			return nil, invalid("minOverlapHours", "must be between 0 and 24")
		}
		w, _ := newWorkDay(q.TimeZone, q.WorkStart, q.WorkEnd)
		c.work = &w
	}
	if !q.PostedSince.IsZero() {
		c.since = q.PostedSince.Unix()
	}
	switch q.Sort {
	case "":
		c.sort = SortNewest
		if len(c.units) > 0 {
			c.sort = SortRelevance
		}
	case SortRelevance, SortNewest, SortSalary:
		c.sort = q.Sort
	default:
		return nil, invalid("sort", "must be relevance, newest or salary")
	}
	c.limit = q.Limit
	switch {
	case c.limit == 0:
		c.limit = DefaultLimit
	case c.limit < 0 || c.limit > MaxLimit:
		return nil, invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	if q.Cursor != "" {
		cur, err := decodeCursor(q.Cursor, c.sort)
		if err != nil {
			return nil, err
		}
		c.cursor = cur
	}
	return c, nil
}

// Query returns the query as compiled (currency upper-cased, defaults set).
func (c *Compiled) Query() Query { return c.q }

func (c *Compiled) compileText(text string) error {
	type w struct {
		qword
		start, end int
	}
	var words []w
	// Offsets of each analyzed word, to line skills found in the text up
	// with the words they cover.
	lower := text
	tokenizeSpans(lower, func(start, end int, t token) {
		words = append(words, w{qword: qword{stem: t.stem, word: t.word}, start: start, end: end})
	})
	if len(words) > maxWords {
		return invalid("q", "at most %d words", maxWords)
	}
	for i := range words {
		// Typos are counted on stems, so their length decides: "apple"
		// (stem "appl") gets none, or it would match "apply" ("appli").
		n := len(words[i].stem)
		switch {
		case !isAlpha(words[i].word):
		case n >= 8:
			words[i].typos = 2
		case n >= 5:
			words[i].typos = 1
		}
		c.phrase = append(c.phrase, words[i].stem)
	}
	if len(words) > 0 && len(words[len(words)-1].word) >= 3 && !endsWithSpace(text) {
		words[len(words)-1].prefix = true
	}
	// Skills named in the query (any confidence: the searcher asked).
	t := defaultTaxo()
	covered := make([]int, len(words)) // unit index+1 of a skill span
	for _, m := range skills.DefaultExtractor().Extract(text) {
		si, ok := t.index[m.ID]
		if !ok {
			continue
		}
		for _, sp := range m.Spans {
			u := unit{skill: int(si)}
			for i, wd := range words {
				if covered[i] == 0 && wd.start >= sp.Start && wd.end <= sp.End {
					u.words = append(u.words, wd.qword)
					covered[i] = len(c.units) + 1
				}
			}
			if len(u.words) > 0 {
				c.units = append(c.units, u)
			}
		}
	}
	for i, wd := range words {
		if covered[i] == 0 {
			c.units = append(c.units, unit{words: []qword{wd.qword}, skill: -1})
		}
	}
	return nil
}

func endsWithSpace(s string) bool {
	return s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '"')
}

// typoMatch reports whether term is within the word's allowed edits.
func typoMatch(w qword, term string) bool {
	if w.typos == 0 || len(term) < 5 || !isAlpha(term) {
		return false // short words are too often other real words
	}
	if w.typos == 2 && term[0] != w.stem[0] {
		return false
	}
	d := len(term) - len(w.stem)
	if d < -w.typos || d > w.typos {
		return false
	}
	return osa(w.stem, term, w.typos) <= w.typos
}

// wordMatch says how a document term satisfies a query word: 0 no, else
// the weight of the match (1 exact, 0.8 prefix, 0.6/0.4 one/two typos).
func wordMatch(w qword, term string) float64 {
	switch {
	case term == w.stem:
		return 1
	case w.prefix && strings.HasPrefix(term, w.word):
		return 0.8
	case typoMatch(w, term):
		if osa(w.stem, term, 2) <= 1 {
			return 0.6
		}
		return 0.4
	}
	return 0
}

// osa is the optimal-string-alignment distance of a and b (ASCII), capped
// at limit+1.
func osa(a, b string, limit int) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	if la-lb > limit || lb-la > limit {
		return limit + 1
	}
	var rows [3][64]int
	if lb >= 63 {
		return limit + 1
	}
	prev2, prev, cur := rows[0][:lb+1], rows[1][:lb+1], rows[2][:lb+1]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// docView is a posting analyzed on its own, for MatchPrepared.
type docView struct {
	d      *Doc
	stems  map[string]bool
	skills map[uint16]bool
	cats   map[uint8]bool
	sal    salaryCols
}

func viewOf(d *Doc) *docView {
	v := &docView{d: d, stems: map[string]bool{}, skills: map[uint16]bool{}, cats: map[uint8]bool{}, sal: salaryOf(d.Salary)}
	for _, text := range []string{d.Title, d.OrgName, d.Description} {
		stems(text, func(s string) { v.stems[s] = true })
	}
	t := defaultTaxo()
	for _, s := range d.Skills {
		if i, ok := t.index[s.Skill]; ok {
			v.skills[i] = true
			v.cats[t.category[i]] = true
		}
	}
	return v
}

// Prepared is a posting analyzed once, to be matched against many saved
// searches.
type Prepared struct{ v *docView }

// Prepare analyzes a posting for MatchPrepared and its Anchors.
func Prepare(d *Doc) *Prepared { return &Prepared{viewOf(d)} }

// MatchPrepared reports whether the prepared posting, live at now, matches
// the query exactly as Index.Search would (same analysis, same filters).
func (c *Compiled) MatchPrepared(p *Prepared, now time.Time) bool {
	v := p.v
	d := v.d
	if !d.ValidThrough.IsZero() && !d.ValidThrough.After(now) {
		return false
	}
	for _, u := range c.units {
		if u.skill >= 0 && v.skills[uint16(u.skill)] { // #nosec G115 -- u.skill is a taxonomy index (checked >= 0, below len(ids))
			continue
		}
		for _, w := range u.words {
			ok := false
			for s := range v.stems {
				if wordMatch(w, s) > 0 {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
	}
	for _, s := range c.all {
		if !v.skills[s] {
			return false
		}
	}
	if len(c.anyOf) > 0 && !anyIn(c.anyOf, v.skills) {
		return false
	}
	if len(c.cats) > 0 {
		ok := false
		for _, ci := range c.cats {
			ok = ok || v.cats[ci]
		}
		if !ok {
			return false
		}
	}
	if c.sen != 0 && c.sen&(1<<(domain.SeniorityRank(d.Seniority)+1)) == 0 {
		return false
	}
	if c.emp != 0 && c.emp&(1<<(indexOf(domain.EmploymentTypes, d.EmploymentType)+1)) == 0 {
		return false
	}
	if c.q.OrgID != "" && d.OrgID != c.q.OrgID {
		return false
	}
	if c.country != "" && !d.Eligibility.Allows(c.country) {
		return false
	}
	if c.region >= 0 {
		var open uint32
		for _, p := range d.Eligibility.Places() {
			if pi, ok := places.index[p]; ok {
				open |= places.opens[pi]
			}
		}
		if open&(1<<c.region) == 0 {
			return false
		}
	}
	if c.work != nil {
		ok, hours, _ := tzCheck(d.TimeZone, *c.work, now)
		if !ok || (d.TimeZone != nil && hours+1e-9 < c.q.MinOverlapHours) {
			return false
		}
	}
	if c.minUSD > 0 {
		if v.sal.currency == "" {
			if !c.q.IncludeNoSalary {
				return false
			}
		} else if v.sal.usdMax < c.minUSD {
			return false
		}
	}
	if c.since != 0 && d.PublishedAt.Unix() < c.since {
		return false
	}
	return true
}

func anyIn(ids []uint16, set map[uint16]bool) bool {
	for _, s := range ids {
		if set[s] {
			return true
		}
	}
	return false
}

// Anchors are the keys under which a saved search is filed for incremental
// evaluation: a posting can only match if it has one of them
// (DocAnchors). They come from the query's most selective criterion: a
// required skill, the organization, an exact text word, categories, any-of
// skills, the country or region; "*" when nothing narrows it.
func (c *Compiled) Anchors() []string {
	t := defaultTaxo()
	switch {
	case len(c.all) > 0:
		return []string{"skill:" + t.ids[c.all[0]]}
	case c.q.OrgID != "":
		return []string{"org:" + c.q.OrgID}
	}
	for _, u := range c.units {
		if len(u.words) == 1 && u.words[0].typos == 0 && !u.words[0].prefix {
			out := []string{"term:" + u.words[0].stem}
			if u.skill >= 0 {
				out = append(out, "skill:"+t.ids[u.skill])
			}
			return out
		}
	}
	var out []string
	switch {
	case len(c.cats) > 0:
		for _, ci := range c.cats {
			out = append(out, "cat:"+t.categories[ci])
		}
	case len(c.anyOf) > 0:
		for _, s := range c.anyOf {
			out = append(out, "skill:"+t.ids[s])
		}
	case c.country != "":
		out = []string{"open:" + c.country}
	case c.region >= 0:
		out = []string{"region:" + places.regions[c.region]}
	default:
		out = []string{"*"}
	}
	return out
}

// DocAnchors lists the anchor keys a posting has: "*", its skills and their
// categories, its organization, its text's stems, every country it is open
// to ("open:XX"; all of them for a worldwide posting) and the regions it is
// open to.
func DocAnchors(d *Doc) []string { return Prepare(d).Anchors() }

// Anchors is DocAnchors for a prepared posting.
func (p *Prepared) Anchors() []string {
	v := p.v
	d := v.d
	t := defaultTaxo()
	out := []string{"*", "org:" + d.OrgID}
	for s := range v.skills {
		out = append(out, "skill:"+t.ids[s])
	}
	for ci := range v.cats {
		out = append(out, "cat:"+t.categories[ci])
	}
	for s := range v.stems {
		out = append(out, "term:"+s)
	}
	var open uint32
	countries := map[string]bool{}
	for _, p := range d.Eligibility.Places() {
		pi, ok := places.index[p]
		if !ok {
			continue
		}
		open |= places.opens[pi]
		switch {
		case p == domain.Worldwide:
			for _, cc := range domain.Countries() {
				countries[cc] = true
			}
		case domain.IsRegion(p):
			for _, cc := range domain.Regions[p] {
				countries[cc] = true
			}
		default:
			countries[p] = true
		}
	}
	for cc := range countries {
		out = append(out, "open:"+cc)
	}
	for i, r := range places.regions {
		if open&(1<<i) != 0 {
			out = append(out, "region:"+r)
		}
	}
	sort.Strings(out)
	return out
}
