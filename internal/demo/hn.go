package demo

import (
	"fmt"
	"html"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Post is one record of the Hacker News "Who is hiring?" data file (see
// data/README.md). The llm_* fields are rough machine labels.
type Post struct {
	ID                 int64    `json:"id"`
	Source             string   `json:"source"` // who_is_hiring or direct
	ThreadID           int64    `json:"thread_id"`
	ThreadTitle        string   `json:"thread_title"`
	RunDate            string   `json:"run_date"`
	By                 string   `json:"by"`
	Time               int64    `json:"time"`
	PostedAt           string   `json:"posted_at"`
	Text               string   `json:"text"` // HN HTML
	LLMTechnologies    []string `json:"llm_technologies"`
	LLMRole            string   `json:"llm_role"`
	LLMExperienceLevel string   `json:"llm_experience_level"`
	LLMRemote          string   `json:"llm_remote"`
	LLMSalaryMentioned bool     `json:"llm_salary_mentioned"`
	LLMSalaryBand      string   `json:"llm_salary_band"`
	LLMEquityMentioned bool     `json:"llm_equity_mentioned"`
	LLMAIMLMentioned   bool     `json:"llm_ai_ml_mentioned"`
}

// Posting is what a post becomes: the organization's name and website and
// the job's details, ready for app.DraftJob.
type Posting struct {
	HNID     int64
	Company  string
	Website  string
	PostedAt time.Time
	Details  domain.JobDetails
	// SalaryFrom says where Details.Salary came from: "post" (parsed from
	// the text), "label" (the llm_salary_band fallback) or "" (none).
	SalaryFrom string
}

// Reasons a post is skipped.
const (
	SkipEmpty      = "empty post"
	SkipNoCompany  = "no company name in the first line"
	SkipNoRole     = "no role found"
	SkipNoLocation = "no remote eligibility or recognizable location in the first line"
	SkipInvalid    = "invalid posting"
	SkipDuplicate  = "repost of an identical posting"
)

// SkipError says why a post produced no posting.
type SkipError struct {
	Reason string
	Detail string
}

func (e *SkipError) Error() string {
	if e.Detail == "" {
		return "skipped: " + e.Reason
	}
	return "skipped: " + e.Reason + ": " + e.Detail
}

func skip(reason, detail string) error { return &SkipError{Reason: reason, Detail: detail} }

// ParsePost turns one HN post into a Meridian posting, or returns a
// *SkipError. It only uses what the post says: the first line's company,
// role, location and salary, the text as the description, and the post's
// technology labels as skills; the salary band label is used only when the
// text has no salary the parser can read.
func ParsePost(p Post) (Posting, error) {
	if strings.TrimSpace(p.Text) == "" {
		return Posting{}, skip(SkipEmpty, "")
	}
	firstHTML, _ := splitFirstLine(p.Text)
	first := plainText(firstHTML)
	h, err := parseHeader(first)
	if err != nil {
		return Posting{}, err
	}
	body := plainText(p.Text)

	title := chooseTitle(h)
	if title == "" {
		if !engRE.MatchString(body) {
			return Posting{}, skip(SkipNoRole, first)
		}
		title = "Software Engineer"
	}

	scan := urlRE.ReplaceAllString(strings.Join(append(append([]string{}, h.extra...), h.segments...), " | "), " ")
	elig, ok := eligibilityFrom(findPlaces(scan), isRemote(scan), worldwideRE.MatchString(scan))
	if !ok {
		return Posting{}, skip(SkipNoLocation, first)
	}

	d := domain.JobDetails{
		Title:          title,
		Seniority:      seniority(title, p.LLMExperienceLevel),
		EmploymentType: employmentType(first),
		Eligibility:    elig,
		TimeZone:       timeZoneWindow(scan),
		Skills:         skillRequirements(p.LLMTechnologies),
		Source:         fmt.Sprintf("hn:%d", p.ID),
	}
	out := Posting{HNID: p.ID, Company: h.company, Website: h.website}
	if out.Website == "" {
		out.Website = websiteFrom(firstHTML)
	}
	d.ApplyURL = applyURL(p.Text)
	if s, ok := parseSalary(first, h.company); ok {
		d.Salary, out.SalaryFrom = &s, "post"
	} else if s, ok := bodySalary(body[min(len(first), len(body)):]); ok {
		d.Salary, out.SalaryFrom = &s, "post"
	} else if s, ok := bandSalary(p.LLMSalaryBand); ok && dollarRE.MatchString(body) {
		// The band is in US dollars; only trust it for posts that state
		// pay in dollars somewhere.
		d.Salary, out.SalaryFrom = &s, "label"
	}
	out.PostedAt = postedAt(p)
	d.Description = hnToMarkdown(p.Text) + footer(p, out)
	if err := check(d); err != nil {
		return Posting{}, err
	}
	out.Details = d
	return out, nil
}

func postedAt(p Post) time.Time {
	if t, err := time.Parse(time.RFC3339, p.PostedAt); err == nil {
		return t.UTC()
	}
	return time.Unix(p.Time, 0).UTC()
}

func footer(p Post, out Posting) string {
	var b strings.Builder
	b.WriteString("\n\n---\n\n")
	fmt.Fprintf(&b, "*Originally posted on Hacker News by %s on %s UTC", escapeMarkdown(p.By), out.PostedAt.Format("2006-01-02 15:04"))
	if p.ThreadTitle != "" {
		fmt.Fprintf(&b, " in \u201c%s\u201d", escapeMarkdown(p.ThreadTitle))
	}
	fmt.Fprintf(&b, ": <https://news.ycombinator.com/item?id=%d>. The text belongs to its author; Meridian shows it as demo data.", p.ID)
	if out.SalaryFrom == "label" {
		b.WriteString(" The salary range is the data set's coarse salary band for this post, not a figure stated in this form.")
	}
	b.WriteString("*\n")
	return b.String()
}

// check mirrors the domain's validation of the fields the parser fills, so
// that unusable posts are counted as skipped before any command runs.
func check(d domain.JobDetails) error {
	if n := utf8.RuneCountInString(d.Title); n < 3 || n > 200 {
		return skip(SkipInvalid, "title length")
	}
	if s := d.Salary; s != nil {
		if !meridian.ValidCurrency(s.Currency) || s.Min < 0 || s.Max < 0 || (s.Min == 0 && s.Max == 0) || (s.Max > 0 && s.Min > s.Max) {
			return skip(SkipInvalid, "salary")
		}
	}
	if len(d.Description) > 100000 {
		return skip(SkipInvalid, "description too long")
	}
	return nil
}

// ---- first line ----

var (
	urlRE          = regexp.MustCompile(`(?i)\bhttps?://\S+|\bwww\.\S+`)
	bareDomainRE   = regexp.MustCompile(`(?i)^(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|io|ai|co|dev|app|org|net|xyz|tech|so|sh|run|bio|health|inc|pro|tv|ag|us|eu|uk|de|fr|nl|ch|ca)(?:/\S*)?$`)
	spaceRE        = regexp.MustCompile(`\s+`)
	pipeSplitRE    = regexp.MustCompile(`\s*\|\s*`)
	dashSplitRE    = regexp.MustCompile(`\s+[-–—]+\s+`)
	slashSplitRE   = regexp.MustCompile(`\s*/\s+`)
	proseRE        = regexp.MustCompile(`[.!?]\s+(?:We|We're|We’re|Our|The|This|At|Join|I|I'm|Founded|Backed)\b|\s(?:We|We're|We’re|Our|Join us)\s`)
	isHiringRE     = regexp.MustCompile(`(?i)^(.+?)\s+(?:is|are)\s+(?:now\s+|also\s+|currently\s+)?(?:hiring|looking)\b(.*)$`)
	roleAtRE       = regexp.MustCompile(`^(.+?)\s+(?:at\s+|@\s*)(.+)$`)
	companyLabelRE = regexp.MustCompile(`(?i)^company\s*[:-]\s*`)
	companyCutRE   = regexp.MustCompile(`\s*(?:\(|\[|\s[-–—]+\s|,\s|\s/\s)`)
	companyBadRE   = regexp.MustCompile(`(?i)\b(?:engineers?|developers?|interns?|senior|sr|staff|principal|junior|roles?|positions?|openings?|multiple|various|hiring|looking for|seeking|we are|we're|i'm|i am|remote|onsite|on-site|hybrid|full[- ]?time|part[- ]?time|contract|contractor|location|closed|filled|volunteer|head of|director|manager|analyst|cto|sre|devops|founding|co-?founders?|wanted|needed|ask hn|who is hiring)\b|:|^\W|\$|@`)
)

// header is the structured reading of a post's first line.
type header struct {
	company string
	website string
	// hint is a role named in the company segment ("X is hiring <role>",
	// "<role> at X", or a first segment that was a role).
	hint string
	// extra holds what followed the company name in its segment
	// (parentheticals such as "(Remote US)" or "(Stockholm)").
	extra    []string
	segments []string
}

// splitFirstLine returns the HTML before the first paragraph or line break,
// and the rest.
func splitFirstLine(text string) (string, string) {
	i := strings.Index(text, "<p>")
	if j := strings.IndexByte(text, '\n'); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return text, ""
	}
	return text[:i], text[i:]
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plainText strips tags and decodes entities, turning paragraphs into
// newlines and collapsing other whitespace.
func plainText(h string) string {
	h = strings.ReplaceAll(h, "<p>", "\n")
	h = tagRE.ReplaceAllString(h, "")
	h = html.UnescapeString(h)
	lines := strings.Split(h, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(spaceRE.ReplaceAllString(l, " ")); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// cutProse shortens a segment that runs on into prose.
func cutProse(s string) string {
	if len(s) <= 90 {
		return s
	}
	if loc := proseRE.FindStringIndex(s); loc != nil && loc[0] > 2 {
		s = s[:loc[0]+1]
	}
	if len(s) > 160 {
		cut := strings.LastIndexByte(s[:160], ' ')
		if cut < 40 {
			cut = 160
		}
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.TrimSpace(s)
}

func parseHeader(first string) (header, error) {
	var h header
	var segs []string
	switch {
	case strings.Contains(first, "|"):
		segs = pipeSplitRE.Split(first, -1)
	case isHiringRE.MatchString(first):
		segs = []string{first}
	case len(dashSplitRE.Split(first, -1)) >= 2:
		segs = dashSplitRE.Split(first, -1)
	case len(slashSplitRE.Split(first, -1)) >= 3:
		segs = slashSplitRE.Split(first, -1)
	case strings.Count(first, ";") >= 2:
		segs = strings.Split(first, ";")
	default:
		segs = []string{first}
	}
	var clean []string
	for _, s := range segs {
		s = strings.TrimSpace(strings.Trim(cutProse(s), "[]*_ \t"))
		if s != "" {
			clean = append(clean, s)
		}
	}
	if len(clean) == 0 {
		return h, skip(SkipNoCompany, first)
	}
	company, hint, extra, website := splitCompany(clean[0])
	rest := clean[1:]
	if !validCompany(company) && hint == "" && len(rest) > 0 && (roleNounRE.MatchString(clean[0]) || onlyPlaces(company)) {
		// "Senior Software Engineer | Ping Data Intelligence | ONSITE ...",
		// "Cologne, Germany | UMH | Product Engineer | ..."
		c2, _, extra2, web2 := splitCompany(rest[0])
		if validCompany(c2) && !roleNounRE.MatchString(c2) && len(findPlaces(c2)) == 0 && !bareDomainRE.MatchString(c2) {
			if onlyPlaces(company) {
				extra2 = append(extra2, clean[0])
			} else {
				hint = clean[0]
			}
			company, extra, website, rest = c2, extra2, web2, rest[1:]
		}
	}
	if !validCompany(company) {
		return h, skip(SkipNoCompany, first)
	}
	h.company, h.hint, h.extra, h.website = company, hint, extra, website
	for _, s := range rest {
		if h.website == "" && bareDomainRE.MatchString(s) && !strings.Contains(s, "/") {
			h.website = "https://" + strings.ToLower(s)
		}
		h.segments = append(h.segments, s)
	}
	if h.hint != "" {
		h.extra = append(h.extra, h.hint)
	}
	return h, nil
}

// splitCompany reads a first segment: "Acme (YC W24)", "Acme is hiring X in
// Y", "Senior Engineer at Acme, the ...".
func splitCompany(seg string) (company, hint string, extra []string, website string) {
	seg = companyLabelRE.ReplaceAllString(strings.TrimSpace(seg), "")
	if u := urlRE.FindString(seg); u != "" && urlRE.ReplaceAllString(seg, "") != "" {
		// "Clutch https://www.clutchapp.io - building ..."
		u = strings.TrimRight(u, ".,;:)")
		if !strings.HasPrefix(strings.ToLower(u), "http") {
			u = "https://" + u
		}
		if pu, err := url.Parse(u); err == nil && pu.Host != "" && !jobBoardRE.MatchString(u) {
			website = pu.Scheme + "://" + pu.Host
		}
		seg = strings.TrimSpace(spaceRE.ReplaceAllString(urlRE.ReplaceAllString(seg, " "), " "))
	}
	if m := isHiringRE.FindStringSubmatch(seg); m != nil {
		seg, hint = m[1], hiringHint(m[2])
		extra = append(extra, m[2])
	} else if m := roleAtRE.FindStringSubmatch(seg); m != nil && roleNounRE.MatchString(m[1]) && !roleNounRE.MatchString(m[2]) {
		// "Senior Data Analyst at P2P.org, ...", "Engineers @Artemis in NYC"
		seg, hint = m[2], m[1]
		if i := strings.Index(seg, " in "); i > 0 {
			extra = append(extra, seg[i:])
			seg = seg[:i]
		}
	}
	if loc := companyCutRE.FindStringIndex(seg); loc != nil && loc[0] > 0 {
		extra = append(extra, seg[loc[0]:])
		seg = seg[:loc[0]]
	}
	company = strings.TrimSpace(strings.Trim(seg, "*_\"'“”‘’ ,;-–—[]"))
	return company, hint, extra, website
}

// hiringHint extracts the role from the words after "is hiring".
func hiringHint(s string) string {
	s = strings.TrimSpace(strings.TrimLeft(s, " -–—:!"))
	for _, p := range []string{"for ", "a ", "an ", "across ", "again "} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
		}
	}
	cut := len(s)
	for _, sep := range []string{" in ", " to ", " – ", " - ", " — ", ". ", " [", " who ", " with ", " that ", " at ", " based ", "!"} {
		if i := strings.Index(s, sep); i >= 0 && i < cut {
			cut = i
		}
	}
	s = strings.TrimSpace(s[:cut])
	if !roleNounRE.MatchString(s) {
		return ""
	}
	return s
}

func validCompany(c string) bool {
	n := utf8.RuneCountInString(c)
	if n < 2 || n > 60 || len(strings.Fields(c)) > 6 {
		return false
	}
	return !companyBadRE.MatchString(c) && !urlRE.MatchString(c) && !onlyPlaces(c)
}

// onlyPlaces reports whether s names nothing but places ("SF or Shenzhen").
func onlyPlaces(s string) bool {
	words := tokenWords(dotted.Replace(s))
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		lw := strings.ToLower(w)
		if _, ok := placeNameKeys[lw]; ok {
			continue
		}
		if _, ok := placeTokens[w]; ok {
			continue
		}
		if lw == "or" || lw == "and" || lw == "area" {
			continue
		}
		return false
	}
	return true
}

// ---- title ----

var (
	roleNounRE = regexp.MustCompile(`(?i)\b(?:engineers?|engineering|eng|developers?|devs?|devops|sres?|swes?|programmers?|architects?|scientists?|researchers?|designers?|managers?|ems|leads?|leader|director|head of|vp|cto|cmo|mts|members? of technical staff|mles?|qa|sdets?|hackers?|analysts?|marketers?|account executives?|sdrs?|recruiters?|interns?|internship|consultants?|advocates?|devrel|experts?|specialists?|associates?|writers?|administrators?|admins?|executives?|execs?|representatives?|technicians?|physicists?|mathematicians?|quants?|forecasters?|biologists?|co-?founders?|founding)\b`)
	engRE      = regexp.MustCompile(`(?i)engineer|developer|\bdevs?\b|devops|\bsres?\b|\bswes?\b|programmer|architect|scientist|\bcto\b|\bmts\b|member of technical staff|\bmles?\b|\bqa\b|sdet|hacker|researcher|tech lead|technical lead|\bquant`)
	fillerRE   = regexp.MustCompile(`(?i)\b(?:multiple|various|several|many|other|others|open|all|and|more|the|of|in|across|for|our|eng|engineering|tech|technical|research|product|software|hardware|design|data|support|gtm|sales|marketing|management|ic|growth|roles?|positions?|openings?|opportunities|jobs|team|hires|levels?|seniority|locations?|us|remote|onsite|hybrid|\d+x?)\b|[^\p{L}]`)
	employRE   = regexp.MustCompile(`(?i)^(?:full|part)[- ]?time|^fulltime|^contract|^freelance|^ft\b|^permanent`)
	titlePreRE = regexp.MustCompile(`(?i)^(?:we(?:'re| are)\s+)?(?:now\s+)?hiring(?:\s+for)?\s*:?\s*|^(?:multiple\s+)?(?:roles|openings|positions)\s*:\s*`)
)

// isGeneric reports whether a role segment names no concrete role
// ("Multiple Roles", "Engineering", "12+ technical roles").
func isGeneric(s string) bool {
	return strings.TrimSpace(fillerRE.ReplaceAllString(s, "")) == ""
}

// chooseTitle picks the segment that names the role: an engineering role
// first, then any other role; generic segments ("Multiple Roles") do not count.
func chooseTitle(h header) string {
	cands := []string{}
	if h.hint != "" {
		cands = append(cands, h.hint)
	}
	for _, s := range h.segments {
		if bareDomainRE.MatchString(s) || urlRE.MatchString(strings.TrimSpace(s)) && len(urlRE.ReplaceAllString(s, "")) < 3 {
			continue
		}
		if employRE.MatchString(s) && !engRE.MatchString(s) {
			continue
		}
		cands = append(cands, s)
	}
	best, bestScore := "", 0
	for _, c := range cands {
		c = cleanTitle(c)
		if c == "" || !roleNounRE.MatchString(c) || isGeneric(c) {
			continue
		}
		score := 1
		if engRE.MatchString(c) {
			score = 2
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

func cleanTitle(s string) string {
	s = urlRE.ReplaceAllString(s, "")
	s = strings.NewReplacer("[", "", "]", "").Replace(s)
	s = titlePreRE.ReplaceAllString(strings.TrimSpace(s), "")
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	s = strings.Trim(s, " ,;:-–—|*_")
	if n := utf8.RuneCountInString(s); n > 150 {
		r := []rune(s)[:150]
		cut := strings.LastIndex(string(r), " ")
		if cut < 60 {
			cut = len(string(r))
		}
		s = strings.TrimRight(string(r)[:cut], " ,;:-–—(") + "…"
	}
	if strings.ToUpper(s) == s && strings.ToLower(s) != s {
		// "FOUNDING GROWTH LEAD" → "Founding Growth Lead"; short words
		// ("AI", "SRE") keep their capitals.
		words := strings.Fields(s)
		for i, w := range words {
			if utf8.RuneCountInString(w) > 3 {
				r, size := utf8.DecodeRuneInString(w)
				words[i] = string(r) + strings.ToLower(w[size:])
			}
		}
		s = strings.Join(words, " ")
	}
	if r, size := utf8.DecodeRuneInString(s); unicode.IsLower(r) {
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// ---- seniority, employment type, skills ----

var seniorityRE = []struct {
	re    *regexp.Regexp
	level string
}{
	{regexp.MustCompile(`(?i)\bsenior\s+staff\b|\bsr\.?\s+staff\b`), "staff"},
	{regexp.MustCompile(`(?i)\bsenior\s+principal\b`), "principal"},
	{regexp.MustCompile(`(?i)\bprincipal\b`), "principal"},
	{regexp.MustCompile(`(?i)\bstaff\b`), "staff"},
	{regexp.MustCompile(`(?i)\bsenior\b|\bsr\b\.?`), "senior"},
	{regexp.MustCompile(`(?i)\blead\b|\bleads\b`), "lead"},
	{regexp.MustCompile(`(?i)\bjunior\b|\bjr\b\.?|\bentry[- ]level\b|\bnew grads?\b`), "junior"},
	{regexp.MustCompile(`(?i)\bmid\b(?:[- ]level)?`), "mid"},
	{regexp.MustCompile(`(?i)\bintern(?:s|ship)?\b`), "intern"},
}

var mtsRE = regexp.MustCompile(`(?i)members?\s+of\s+(?:the\s+)?technical\s+staff`)

// seniority takes the first level the title names ("Senior Staff" is
// staff), else the post's experience label.
func seniority(title, label string) string {
	t := mtsRE.ReplaceAllString(title, "")
	best, at := "", len(t)+1
	for _, s := range seniorityRE {
		if loc := s.re.FindStringIndex(t); loc != nil && loc[0] < at {
			best, at = s.level, loc[0]
		}
	}
	if best != "" {
		return best
	}
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "senior":
		return "senior"
	case "mid":
		return "mid"
	case "junior":
		return "junior"
	}
	return ""
}

var (
	fullTimeRE = regexp.MustCompile(`(?i)\bfull[- ]?time\b|\bfulltime\b|\bFT\b`)
	contractRE = regexp.MustCompile(`(?i)\bcontract(?:or|ors)?\b|\bfreelance\b|\b1099\b|\bB2B\b`)
	partTimeRE = regexp.MustCompile(`(?i)\bpart[- ]?time\b|\bpartime\b`)
	ftThenCtRE = regexp.MustCompile(`(?i)\bfull[- ]?time\s+(?:b2b\s+)?contract`)
	ctToHireRE = regexp.MustCompile(`(?i)contract[- ]to[- ](?:hire|full)`)
)

// employmentType reads full-time (the default), contract or part-time.
func employmentType(first string) string {
	ft, ct, pt := fullTimeRE.MatchString(first), contractRE.MatchString(first), partTimeRE.MatchString(first)
	switch {
	case ct && ftThenCtRE.MatchString(first):
		return "contract"
	case ct && !ft && !ctToHireRE.MatchString(first):
		return "contract"
	case pt && !ft:
		return "part_time"
	}
	return "full_time"
}

// skillAliases maps normalized technology names to Meridian skill ids.
var skillAliases = map[string]string{
	"golang": "go", "go": "go",
	"node": "nodejs", "nodejs": "nodejs", "node.js": "nodejs",
	"postgres": "postgresql", "postgresql": "postgresql", "psql": "postgresql",
	"js": "javascript", "ts": "typescript",
	"k8s":               "kubernetes",
	"amazonwebservices": "aws", "googlecloud": "gcp", "googlecloudplatform": "gcp", "microsoftazure": "azure",
	"nextjs": "nextjs", "vuejs": "vue", "vue": "vue", "reactjs": "react", "angularjs": "angular",
	"reactnative": "react-native", "githubactions": "github-actions",
	"tailwindcss": "tailwind", "tailwind": "tailwind",
	"rubyonrails": "rails", "ror": "rails",
	"openaiapi": "openai", "huggingface": "huggingface",
	"elastic": "elasticsearch", "elasticsearch": "elasticsearch",
	"net": "dotnet", "dotnet": "dotnet", "aspnet": "dotnet",
	"csharp": "c#", "cpp": "c++", "objectivec": "objective-c",
	"springboot": "spring", "expressjs": "express", "sveltekit": "svelte",
	"apachekafka": "kafka", "rabbit": "rabbitmq", "mongo": "mongodb",
	"tensorflow": "tensorflow", "pytorch": "pytorch", "scikitlearn": "scikit-learn",
}

var skillStripRE = regexp.MustCompile(`[^a-z0-9+#-]`)

// NormalizeSkill maps a technology name to a skill id: lower case, spaces,
// dots and other punctuation removed except "+" and "#" (and "-"), then
// common aliases ("Golang" → go, "Node.js" → nodejs, "Postgres" →
// postgresql). It returns "" for names that leave nothing.
func NormalizeSkill(name string) string {
	s := strings.ToLower(strings.TrimSpace(name))
	if s == ".net" {
		return "dotnet"
	}
	s = skillStripRE.ReplaceAllString(s, "")
	if a, ok := skillAliases[s]; ok {
		return a
	}
	s = strings.Trim(s, "-")
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// MaxSkills is the most skills a demo posting lists; RequiredSkills of them
// (the first ones) are required, the rest nice to have.
const (
	MaxSkills      = 25
	RequiredSkills = 6
)

func skillRequirements(names []string) []domain.SkillRequirement {
	out := []domain.SkillRequirement{}
	seen := map[string]bool{}
	for _, n := range names {
		id := NormalizeSkill(n)
		if id == "" || seen[id] || !skillIDRE.MatchString(id) {
			continue
		}
		seen[id] = true
		req := domain.SkillRequirement{Skill: id, Level: 3, Required: true}
		if len(out) >= RequiredSkills {
			req.Level, req.Required = 2, false
		}
		out = append(out, req)
		if len(out) == MaxSkills {
			break
		}
	}
	return out
}

var skillIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+#._-]{0,63}$`)

// ---- remote and time zones ----

var (
	remoteRE    = regexp.MustCompile(`(?i)\bremote\b|\bwfh\b|work from home|work-from-home|\bdistributed team\b|\banywhere\b|\btelecommute`)
	notRemoteRE = regexp.MustCompile(`(?i)\b(?:no|not|non)[\s-]+remote\b|\bremote\s*:\s*no\b`)
	tzWindowRE  = regexp.MustCompile(`(?i)\b(?:GMT|UTC)\s*([+\-−–]\s*\d{1,2})?\s*(?:to|-|–|—)\s*(?:GMT|UTC)\s*([+\-−–]\s*\d{1,2})?`)
	tzPlusMinus = regexp.MustCompile(`(?i)\b(?:GMT|UTC)\s*(?:±|\+/?-|\+-)\s*(\d{1,2})\b`)
)

func isRemote(s string) bool {
	return remoteRE.MatchString(notRemoteRE.ReplaceAllString(s, ""))
}

func parseOffset(s string) float64 {
	s = strings.NewReplacer(" ", "", "−", "-", "–", "-").Replace(s)
	if s == "" {
		return 0
	}
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// timeZoneWindow reads an explicit UTC offset window ("GMT-8 to GMT+2",
// "UTC±3"); anything vaguer is left out.
func timeZoneWindow(s string) *domain.TimeZoneRule {
	var lo, hi float64
	if m := tzWindowRE.FindStringSubmatch(s); m != nil {
		lo, hi = parseOffset(m[1]), parseOffset(m[2])
	} else if m := tzPlusMinus.FindStringSubmatch(s); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		lo, hi = -v, v
	} else {
		return nil
	}
	if lo > hi || lo < -12 || hi > 14 || lo == hi {
		return nil
	}
	return &domain.TimeZoneRule{MinUTCOffset: &lo, MaxUTCOffset: &hi}
}

// ---- salary ----

const (
	curPat = `(?:US\$|CA\$|C\$|AU\$|A\$|NZ\$|S\$|\$|€|£|₹|\b(?:USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|INR|SGD|JPY|ILS|BRL|MXN|HKD|ZAR|RON|HUF)\b)`
	numPat = `(\d{1,3}(?:[.,]\d{3})+|\d+(?:\.\d+)?)`
	sfxPat = `(k|K|\s?LPA|L|\s?lakhs?)?`
)

var (
	salaryRE = regexp.MustCompile(`(` + curPat + `)?\s?~?\s?` + numPat + sfxPat +
		`(?:\s?(` + curPat + `))?` +
		`(?:\s?(?:-|–|—|to)\s?(` + curPat + `)?\s?~?\s?` + numPat + sfxPat + `)?` +
		`(?:\s?(` + curPat + `))?(?:\s?(\+))?` +
		`(?:\s?(/\s?(?:hr|hour|h|yr|year|y|annum|mo|month|day)\b|(?i:per\s+(?:hour|year|annum|month|day))|(?i:an?\s+(?:hour|year))|(?i:hourly|annual(?:ly)?|yearly|monthly)))?`)
	salaryBeforeRE = regexp.MustCompile(`(?i)(?:up\s?to|max(?:imum)?|until)\s*$`)
	salaryFromRE   = regexp.MustCompile(`(?i)(?:from|starting(?:\s+at)?|min(?:imum)?|at\s+least)\s*$`)
	salaryNotBefRE = regexp.MustCompile(`(?i)(?:raised|raising|funding|funded|backed|valuation|\barr|revenue|exits?|round|bonus|stipend|budget|grant|credits?)\W*(?:of|at|with|worth)?\W*$`)
	salaryNotAftRE = regexp.MustCompile(`(?i)^\s?(?:signing|sign-on|bonus|stipend|budget|relocation|raised?|round|funding|seed|series|arr\b|revenue|grant|credits|valuation|mrr|users|customers|companies|in\s+(?:funding|revenue|arr)|of\s+equity|contract\b)`)
	thousandsRE    = regexp.MustCompile(`^\d{1,3}(?:[.,]\d{3})+$`)
)

var currencySymbols = map[string]string{
	"$": "USD", "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "S$": "SGD",
	"€": "EUR", "£": "GBP", "₹": "INR",
}

// salaryCandidate is one money expression found in a text.
type salaryCandidate struct {
	min, max float64 // major units, per period
	currency string
	period   string
	isRange  bool
	explicit bool // a currency was written
	start    int
}

func currencyOf(tok string) string {
	tok = strings.TrimSpace(tok)
	if c, ok := currencySymbols[tok]; ok {
		return c
	}
	return strings.ToUpper(tok)
}

func parseAmount(num, sfx string) (v float64, lakh, ok bool) {
	if thousandsRE.MatchString(num) {
		num = strings.NewReplacer(".", "", ",", "").Replace(num)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false, false
	}
	switch strings.ToLower(strings.TrimSpace(sfx)) {
	case "k":
		v *= 1000
	case "l", "lpa", "lakh", "lakhs":
		v *= 100000
		lakh = true
	}
	return v, lakh, true
}

// findSalaries returns the money expressions of s that read as pay.
func findSalaries(s string) []salaryCandidate {
	var out []salaryCandidate
	for _, m := range salaryRE.FindAllStringSubmatchIndex(s, -1) {
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return s[m[2*i]:m[2*i+1]]
		}
		// groups: 1 cur-before, 2 num-a, 3 sfx-a, 4 cur-after-a, 5 cur-before-b, 6 num-b, 7 sfx-b, 8 cur-after, 9 plus, 10 period
		curs := []string{g(1), g(4), g(5), g(8)}
		var symbol, code string
		for _, c := range curs {
			if c == "" {
				continue
			}
			if cc := currencyOf(c); len(c) == 3 && c == strings.ToUpper(c) {
				code = cc
			} else if symbol == "" {
				symbol = cc
			}
		}
		end := m[1]
		if end < len(s) && (isWordByte(s[end]) || s[end] == '%') {
			continue // "$5m", "0.5%"
		}
		if m[4] > 0 && m[2] < 0 && (isWordByte(s[m[4]-1]) || s[m[4]-1] == '.') {
			continue // "W24", "S3"
		}
		if salaryNotBefRE.MatchString(s[max(0, m[0]-20):m[0]]) || salaryNotAftRE.MatchString(s[end:]) {
			continue
		}
		a, lakhA, okA := parseAmount(g(2), g(3))
		if !okA {
			continue
		}
		c := salaryCandidate{min: a, max: a, start: m[0]}
		lakh := lakhA
		if g(6) != "" {
			b, lakhB, okB := parseAmount(g(6), g(7))
			if !okB {
				continue
			}
			lakh = lakh || lakhB
			// "$190–250k", "$154-190,000": the first number shares the second's scale.
			if b >= 1000 && a < 1000 && g(3) == "" {
				if lakhB {
					a *= 100000
				} else {
					a *= 1000
				}
			}
			c.min, c.max, c.isRange = a, b, true
		}
		switch {
		case code != "":
			c.currency = code
		case symbol != "":
			c.currency = symbol
		case lakh:
			c.currency = "INR"
		}
		c.explicit = c.currency != ""
		if lakh && c.currency != "INR" {
			continue
		}
		period := strings.ToLower(strings.Trim(g(10), "/ "))
		switch {
		case period == "":
			c.period = "year"
		case strings.HasPrefix(period, "h") || strings.Contains(period, "hour"):
			c.period = "hour"
		case strings.HasPrefix(period, "mo") || strings.Contains(period, "month"):
			c.period = "month"
		case strings.Contains(period, "day"):
			c.period = "day"
		default:
			c.period = "year"
		}
		if !c.isRange {
			before := s[max(0, m[0]-16):m[0]]
			switch {
			case salaryBeforeRE.MatchString(before):
				c.min = 0
			case g(9) == "+" || salaryFromRE.MatchString(before):
				c.max = 0
			}
		}
		out = append(out, c)
	}
	return out
}

// plausible reports whether a candidate reads as pay for its period.
func plausible(c salaryCandidate) bool {
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
	floor, ceil := 15000.0, 2000000.0
	switch c.currency {
	case "INR", "JPY", "HUF":
		floor, ceil = 200000, 200000000
	case "SEK", "NOK", "DKK", "CZK", "MXN", "ZAR", "HKD":
		floor, ceil = 100000, 20000000
	}
	switch c.period {
	case "hour":
		floor, ceil = floor/2000, ceil/1000
	case "day":
		floor, ceil = floor/250, ceil/100
	case "month":
		floor, ceil = floor/12, ceil/10
	}
	return lo >= floor && hi <= ceil
}

func (c salaryCandidate) salary() (domain.Salary, bool) {
	if !meridian.ValidCurrency(c.currency) {
		return domain.Salary{}, false
	}
	f := math.Pow10(meridian.MinorUnits(c.currency))
	return domain.Salary{Min: int64(math.Round(c.min * f)), Max: int64(math.Round(c.max * f)), Currency: c.currency, Period: c.period}, true
}

// parseSalary reads the first plausible salary with a currency in the
// first line ("$150k-$200k", "150-200k USD", "€70.000", "£60k", "$70–110/hr").
func parseSalary(first, company string) (domain.Salary, bool) {
	// The company name may contain digits ("9 Mothers", "3ive.ai").
	if i := strings.Index(first, company); i >= 0 {
		first = first[:i] + strings.Repeat(" ", len(company)) + first[i+len(company):]
	}
	for _, c := range findSalaries(first) {
		if c.explicit && plausible(c) {
			if s, ok := c.salary(); ok {
				return s, true
			}
		}
	}
	return domain.Salary{}, false
}

// hasCurrencyHint is a cheap pre-check before the salary expression runs.
func hasCurrencyHint(line string) bool {
	if strings.ContainsAny(line, "$€£₹") {
		return true
	}
	for _, c := range []string{"USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "INR", "SGD", "JPY", "ILS", "BRL", "MXN", "HKD", "ZAR", "RON", "HUF", "LPA", "lakh"} {
		if strings.Contains(line, c) {
			return true
		}
	}
	return false
}

// bodySalary reads a salary range with a currency from the rest of the
// post; single amounts there are too often funding or bonuses to trust.
// A post that states several different ranges (one per role, usually) gets
// none: the posting's title cannot say which range is its own.
func bodySalary(body string) (domain.Salary, bool) {
	var found []domain.Salary
	for _, line := range strings.Split(body, "\n") {
		if !hasCurrencyHint(line) {
			continue
		}
		for _, c := range findSalaries(line) {
			if c.explicit && c.isRange && c.min > 0 && plausible(c) {
				if s, ok := c.salary(); ok && (len(found) == 0 || found[0] != s) {
					found = append(found, s)
				}
			}
		}
	}
	if len(found) != 1 {
		return domain.Salary{}, false
	}
	return found[0], true
}

var (
	bandRE   = regexp.MustCompile(`^(<)?\$(\d+)k(?:-\$(\d+)k|(\+))?$`)
	dollarRE = regexp.MustCompile(`\$\s?\d|\d\s?USD\b|\bUSD\s?\d`)
)

// bandSalary reads an llm_salary_band label ("$150k-$200k", "$200k+",
// "<$100k") as a USD yearly range; anything else is ignored.
func bandSalary(band string) (domain.Salary, bool) {
	m := bandRE.FindStringSubmatch(strings.TrimSpace(band))
	if m == nil {
		return domain.Salary{}, false
	}
	a, _ := strconv.ParseInt(m[2], 10, 64)
	s := domain.Salary{Currency: "USD", Period: "year"}
	switch {
	case m[1] == "<":
		s.Max = a * 1000 * 100
	case m[4] == "+":
		s.Min = a * 1000 * 100
	case m[3] != "":
		b, _ := strconv.ParseInt(m[3], 10, 64)
		s.Min, s.Max = a*1000*100, b*1000*100
	default:
		return s, false
	}
	return s, true
}

// ---- links ----

var (
	hrefRE    = regexp.MustCompile(`(?i)<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>`)
	hrefAttRE = regexp.MustCompile(`(?i)href="([^"]*)"`)
)

var jobBoardRE = regexp.MustCompile(`(?i)greenhouse\.io|grnh\.se|lever\.co|ashbyhq\.com|workable\.com|wellfound\.com|ycombinator\.com|news\.ycombinator|workatastartup|linkedin\.com|notion\.site|docs\.google|forms\.gle|typeform|breezy\.hr|recruitee|bamboohr|smartrecruiters|rippling|jobs\.|/jobs|/careers|careers\.|apply`)

func links(h string) [][2]string {
	var out [][2]string
	for _, m := range hrefRE.FindAllStringSubmatch(h, -1) {
		u := html.UnescapeString(m[1])
		if pu, err := url.Parse(u); err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "" {
			out = append(out, [2]string{u, html.UnescapeString(tagRE.ReplaceAllString(m[2], ""))})
		}
	}
	return out
}

// websiteFrom returns the company site linked in the first line (not a
// job board), as scheme and host.
func websiteFrom(firstHTML string) string {
	for _, l := range links(firstHTML) {
		if jobBoardRE.MatchString(l[0]) {
			continue
		}
		pu, _ := url.Parse(l[0])
		return pu.Scheme + "://" + pu.Host
	}
	return ""
}

// applyURL picks the link a candidate should follow: the first careers or
// job-board link of the post ("" when it has none).
func applyURL(text string) string {
	for _, l := range links(text) {
		if jobBoardRE.MatchString(l[0]) && !strings.Contains(l[0], "news.ycombinator.com") {
			return l[0]
		}
	}
	return ""
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// ---- HTML to Markdown ----

var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`)

var entityLikeRE = regexp.MustCompile(`&([A-Za-z#][A-Za-z0-9]*;)`)

// escapeMarkdown escapes text so that Markdown shows it literally.
func escapeMarkdown(s string) string {
	return entityLikeRE.ReplaceAllString(mdEscaper.Replace(s), `\&$1`)
}

// hnToMarkdown converts HN's comment HTML (<p>, <a href>, <i>, <pre><code>,
// entities) into Markdown.
func hnToMarkdown(h string) string {
	type frame struct {
		tag  string
		href string
		b    strings.Builder
	}
	stack := []*frame{{}}
	top := func() *frame { return stack[len(stack)-1] }
	inPre := false
	var pre strings.Builder
	var blocks []string
	// codeBlock stores a fenced block and returns a placeholder paragraph,
	// so that blank lines inside code survive the paragraph tidying below.
	codeBlock := func(raw string) string {
		code := strings.Trim(raw, "\n")
		fence := "```"
		for strings.Contains(code, fence) {
			fence += "`"
		}
		blocks = append(blocks, fence+"\n"+code+"\n"+fence)
		return fmt.Sprintf("\n\n\x00code%d\x00\n\n", len(blocks)-1)
	}
	writeText := func(raw string) {
		t := html.UnescapeString(raw)
		if inPre {
			pre.WriteString(t)
			return
		}
		t = strings.ReplaceAll(t, "\r", "")
		if len(stack) > 1 {
			t = strings.ReplaceAll(t, "\n", " ")
		} else {
			t = strings.ReplaceAll(t, "\n", "\n\n")
		}
		top().b.WriteString(escapeMarkdown(t))
	}
	closeFrame := func() {
		f := top()
		stack = stack[:len(stack)-1]
		inner := f.b.String()
		var out string
		switch f.tag {
		case "a":
			text := html.UnescapeString(strings.NewReplacer(`\`, "").Replace(inner))
			switch {
			case f.href == "":
				out = inner
			case text == f.href || strings.HasSuffix(text, "...") && strings.HasPrefix(f.href, strings.TrimSuffix(text, "...")) || strings.TrimSpace(inner) == "":
				out = "<" + f.href + ">"
			default:
				out = "[" + strings.TrimSpace(inner) + "](" + f.href + ")"
			}
		case "i", "em":
			if t := strings.TrimSpace(inner); t != "" {
				lead := inner[:len(inner)-len(strings.TrimLeft(inner, " "))]
				trail := inner[len(strings.TrimRight(inner, " ")):]
				out = lead + "*" + t + "*" + trail
			} else {
				out = inner
			}
		case "b", "strong":
			if t := strings.TrimSpace(inner); t != "" {
				out = "**" + t + "**"
			}
		default:
			out = inner
		}
		top().b.WriteString(out)
	}
	for len(h) > 0 {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			writeText(h)
			break
		}
		writeText(h[:i])
		h = h[i:]
		j := strings.IndexByte(h, '>')
		if j < 0 {
			writeText(h)
			break
		}
		tag := h[1:j]
		h = h[j+1:]
		fields := strings.Fields(strings.TrimSuffix(tag, "/"))
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		switch name {
		case "p", "br", "p/", "br/":
			if inPre {
				pre.WriteString("\n")
			} else if len(stack) == 1 {
				top().b.WriteString("\n\n")
			} else {
				top().b.WriteString(" ")
			}
		case "pre":
			for len(stack) > 1 {
				closeFrame()
			}
			inPre = true
			pre.Reset()
		case "/pre":
			if inPre {
				inPre = false
				top().b.WriteString(codeBlock(pre.String()))
			}
		case "code", "/code":
			if !inPre {
				top().b.WriteString("`")
			}
		case "a":
			if inPre {
				continue
			}
			href := ""
			if m := hrefAttRE.FindStringSubmatch(tag); m != nil {
				u := html.UnescapeString(m[1])
				if pu, err := url.Parse(u); err == nil && (pu.Scheme == "http" || pu.Scheme == "https" || pu.Scheme == "mailto") {
					href = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(u)
				}
			}
			stack = append(stack, &frame{tag: "a", href: href})
		case "i", "em", "b", "strong":
			if !inPre {
				stack = append(stack, &frame{tag: name})
			}
		case "/a", "/i", "/em", "/b", "/strong":
			if !inPre {
				for k := len(stack) - 1; k > 0; k-- {
					if "/"+stack[k].tag == name {
						for len(stack) > k {
							closeFrame()
						}
						break
					}
				}
			}
		}
	}
	if inPre {
		top().b.WriteString(codeBlock(pre.String()))
	}
	for len(stack) > 1 {
		closeFrame()
	}
	// Tidy paragraphs: trim each, drop empty ones, escape a leading "#".
	paras := strings.Split(top().b.String(), "\n\n")
	out := paras[:0]
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, "#") {
			p = `\` + p
		}
		out = append(out, p)
	}
	md := strings.Join(out, "\n\n")
	for i, c := range blocks {
		md = strings.Replace(md, fmt.Sprintf("\x00code%d\x00", i), c, 1)
	}
	return md
}
