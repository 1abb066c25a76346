package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/ingest/formats"
)

// HNPost is one record of a Hacker News "Who is hiring?" JSON Lines file
// (the shape of the demo data set, see internal/hnposts/README.md). The
// llm_* fields of that file are machine labels: Meridian does not use them.
type HNPost struct {
	ID          int64  `json:"id"`
	Source      string `json:"source"` // who_is_hiring or direct
	ThreadID    int64  `json:"thread_id"`
	ThreadTitle string `json:"thread_title"`
	By          string `json:"by"`
	Time        int64  `json:"time"`
	PostedAt    string `json:"posted_at"`
	Text        string `json:"text"` // HN HTML
}

// Reasons an HN post yields no posting.
const (
	SkipEmpty      = "empty post"
	SkipNoCompany  = "no company name in the first line"
	SkipNoRole     = "no role found"
	SkipNoLocation = "no remote eligibility or recognizable location in the first line"
)

// SkipError says why a post produced no posting.
type SkipError struct {
	Reason string
	Detail string
}

func (e *SkipError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + clip(e.Detail, 120)
}

func skip(reason, detail string) error { return &SkipError{Reason: reason, Detail: detail} }

// MaxHNRoles bounds the postings one HN post becomes.
const MaxHNRoles = 12

// HNJobs reads one HN post: the company, website and location from its
// first line ("Company | Role | Location | Salary | URL", free form), and
// one job record per role it lists: the roles of the first line, and the
// short role lines of the body ("Senior Backend Engineer - $180k",
// "Staff Engineer, Traffic → https://..."), each with its own salary when
// its line states one. Every role carries the whole post as its
// description (Markdown; the post's author, date and link as its
// Attribution), so the pipeline's parsers and extractor see all of it. It returns a *SkipError
// for posts that are not usable job posts.
func HNJobs(p HNPost) ([]formats.Job, error) {
	if strings.TrimSpace(p.Text) == "" {
		return nil, skip(SkipEmpty, "")
	}
	firstHTML, _ := splitFirstLine(p.Text)
	first := plainText(firstHTML)
	h, err := parseHeader(first)
	if err != nil {
		return nil, err
	}
	body := plainText(p.Text)
	scan, loc := hnLocationText(headerScan(h), body[min(len(first), len(body)):])
	if _, ok := EligibilityOf(loc); !ok {
		return nil, skip(SkipNoLocation, first)
	}
	titles := roleTitles(h, body[min(len(first), len(body)):])
	if len(titles) == 0 {
		if !engRE.MatchString(body) {
			return nil, skip(SkipNoRole, first)
		}
		titles = []roleLine{{title: "Software Engineer"}}
	}
	website := h.website
	if website == "" {
		website = websiteFrom(firstHTML)
	}
	posted := hnPostedAt(p)
	desc, credit := hnToMarkdown(p.Text), hnFooter(p, posted)
	apply := hnApplyURL(p.Text)
	if apply == "" {
		apply = fmt.Sprintf("https://news.ycombinator.com/item?id=%d", p.ID)
	}
	header := blankOut(first, h.company)
	out := make([]formats.Job, 0, len(titles))
	for _, r := range titles {
		salary := header
		if r.salary != "" {
			salary = r.salary
		}
		out = append(out, formats.Job{
			Title: r.title, Company: h.company, CompanyURL: website, Description: desc, Markdown: true, Attribution: credit,
			DatePosted: posted, EmploymentType: first, LocationText: scan, SalaryText: salary,
			ApplyURL: apply, URL: fmt.Sprintf("https://news.ycombinator.com/item?id=%d", p.ID),
		})
	}
	return out, nil
}

// blankOut hides the company name in the first line: names may contain
// digits ("9 Mothers", "3ive.ai") that are no salary.
func blankOut(first, company string) string {
	if i := strings.Index(first, company); company != "" && i >= 0 {
		return first[:i] + strings.Repeat(" ", len(company)) + first[i+len(company):]
	}
	return first
}

// EligibilityOf turns a parsed location into a posting's eligibility. A
// remote job is open where its remote clauses say; when they say nothing,
// in the countries of its offices ("Austin, TX | Remote": a US-based
// remote role), else worldwide. Other jobs are filed under the countries
// of their offices. ok is false when nothing usable was found: Meridian
// never guesses eligibility.
func EligibilityOf(loc fields.Location) (e domain.Eligibility, ok bool) {
	e = loc.Eligibility
	if loc.Mode == fields.ModeRemote && (e.Worldwide || len(e.Countries)+len(e.Regions) > 0) {
		return e, true
	}
	if len(loc.Offices) > 0 {
		return domain.Eligibility{Countries: append([]string(nil), loc.Offices...)}, true
	}
	if loc.Mode == fields.ModeRemote {
		return domain.Eligibility{Worldwide: true}, true
	}
	return domain.Eligibility{}, false
}

// HNClassification is how the HN importer reads a post's work mode,
// eligibility and salary (what the labelled evaluation set measures).
type HNClassification struct {
	Mode        string
	Eligibility domain.Eligibility // as stated: empty for a remote post that names no restriction
	Salary      *domain.Salary
}

// ClassifyHN reads a post's first line for its work mode and remote
// eligibility, and its first role's salary, as HNJobs and the pipeline do.
func ClassifyHN(text string) HNClassification {
	var c HNClassification
	firstHTML, _ := splitFirstLine(text)
	first := plainText(firstHTML)
	scan := first
	if h, err := parseHeader(first); err == nil {
		scan = headerScan(h)
	}
	body := plainText(text)
	_, loc := hnLocationText(scan, body[min(len(first), len(body)):])
	c.Mode, c.Eligibility = loc.Mode, loc.Eligibility
	if jobs, err := HNJobs(HNPost{ID: 1, Text: text}); err == nil {
		e, _ := EligibilityOf(loc)
		c.Salary, _ = (&Importer{}).salary(&jobs[0], jobs[0].Title, jobs[0].Description, localCurrency(e))
	} else if s, ok := fields.ParseSalary(plainText(text)); ok {
		c.Salary = &s
	}
	return c
}

// headerScan is the location text of a first line: its segments after the
// company name, without URLs.
func headerScan(h header) string {
	return urlRE.ReplaceAllString(strings.Join(append(append([]string{}, h.extra...), h.segments...), " | "), " ")
}

// maxModeLines bounds the body lines hnLocationText reads for a work mode.
const maxModeLines = 40

// hnLocationText is the location text of a post: its first line's, and,
// when the first line names no work mode, the first body line that does
// ("Location: Remote (US)", a second header line after a preamble, "This
// is an in-office role in the Bay Area", "Senior Backend Engineer (Remote
// Europe / LATAM)"), joined as a clause of its own. HNJobs passes it on as
// the record's location text, so the pipeline reads the same. It returns
// the text and its parsed location.
func hnLocationText(scan, body string) (string, fields.Location) {
	loc := fields.ParseLocation(scan)
	if loc.Mode != fields.ModeUnspecified {
		return scan, loc
	}
	n := 0
	for line := range strings.SplitSeq(body, "\n") {
		if n++; n > maxModeLines {
			break
		}
		line = strings.TrimSpace(urlRE.ReplaceAllString(line, " "))
		if line == "" || len(line) > 600 {
			continue
		}
		if fields.ParseLocation(line).Mode != fields.ModeUnspecified {
			text := scan + "\n" + line
			return text, fields.ParseLocation(text)
		}
	}
	return scan, loc
}

func hnPostedAt(p HNPost) time.Time {
	if t, err := time.Parse(time.RFC3339, p.PostedAt); err == nil {
		return t.UTC()
	}
	return time.Unix(p.Time, 0).UTC()
}

// hnFooter credits the post's author and links the original: the text
// belongs to its HN author.
func hnFooter(p HNPost, posted time.Time) string {
	var b strings.Builder
	b.WriteString("\n\n---\n\n")
	fmt.Fprintf(&b, "*Originally posted on Hacker News by %s on %s UTC", escapeMarkdown(p.By), posted.Format("2006-01-02 15:04"))
	if p.ThreadTitle != "" {
		fmt.Fprintf(&b, " in \u201c%s\u201d", escapeMarkdown(p.ThreadTitle))
	}
	fmt.Fprintf(&b, ": <https://news.ycombinator.com/item?id=%d>. The text belongs to its author.*\n", p.ID)
	return b.String()
}

// hnDecoder reads HN JSON Lines, one post per line, into job records.
type hnDecoder struct {
	r       *bufio.Reader
	max     int
	line    int
	index   int
	pending []formats.Record
}

// NewHNDecoder returns a decoder of HN "Who is hiring?" JSON Lines: each
// post becomes one record per role (source ids "hn:<id>" for the first,
// "hn:<id>/<n>" for the others); a post that is no job post, or a line
// that is not a post, is one rejected record.
func NewHNDecoder(r io.Reader, maxRecordBytes int) formats.Decoder {
	if maxRecordBytes <= 0 {
		maxRecordBytes = formats.DefaultMaxRecordBytes
	}
	return &hnDecoder{r: bufio.NewReaderSize(r, 64<<10), max: maxRecordBytes}
}

func (d *hnDecoder) Next() (formats.Record, error) {
	for len(d.pending) == 0 {
		line, tooLong, err := d.readLine()
		if err != nil && len(line) == 0 && !tooLong {
			return formats.Record{}, err
		}
		d.line++
		if tooLong {
			d.index++
			return formats.Record{Index: d.index, Line: d.line, Err: fmt.Errorf("record larger than %d bytes", d.max)}, nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var p HNPost
		if err := json.Unmarshal(line, &p); err != nil {
			d.index++
			return formats.Record{Index: d.index, Line: d.line, Err: fmt.Errorf("invalid JSON: %v", err)}, nil
		}
		src := fmt.Sprintf("hn:%d", p.ID)
		if p.ID <= 0 {
			d.index++
			return formats.Record{Index: d.index, Line: d.line, Err: fmt.Errorf("id: missing")}, nil
		}
		jobs, err := HNJobs(p)
		if err != nil {
			d.index++
			return formats.Record{Index: d.index, Line: d.line, SourceID: src, Err: err}, nil
		}
		for i := range jobs {
			d.index++
			id := src
			if i > 0 {
				id = fmt.Sprintf("%s/%d", src, i+1)
			}
			d.pending = append(d.pending, formats.Record{Index: d.index, Line: d.line, SourceID: id, Job: &jobs[i]})
		}
	}
	r := d.pending[0]
	d.pending = d.pending[1:]
	return r, nil
}

// readLine reads one line, discarding (and reporting) the rest of a line
// longer than the record limit without holding it.
func (d *hnDecoder) readLine() (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := d.r.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > d.max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err != nil || !isPrefix {
			if err == io.EOF && (len(line) > 0 || tooLong) {
				err = nil
			}
			return line, tooLong, err
		}
	}
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
	line     string // the whole first line
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

// plainText turns HN HTML into plain text (fields.CleanText): paragraphs
// become line breaks, entities are decoded.
func plainText(h string) string { return fields.CleanText(h) }

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
		if validCompany(c2) && !roleNounRE.MatchString(c2) && fields.PlaceCount(c2) == 0 && !bareDomainRE.MatchString(c2) {
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
	h.company, h.hint, h.extra, h.website, h.line = company, hint, extra, website, first
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
func onlyPlaces(s string) bool { return fields.OnlyPlaces(s) }

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

// roleLine is one role a post lists, with the salary its line states.
type roleLine struct {
	title  string
	salary string
}

var (
	roleSplitRE = regexp.MustCompile(`\s*(?:,|;|/|&|\band\b|\+)\s*`)
	// roleLineRE is a short body line that names a role: "Senior Backend
	// Engineer", "- Staff Engineer, Traffic → https://...", "* Founding
	// Engineer ($180k-$220k)".
	// A hyphen ends the title only after a space: "Full-Stack Engineer".
	roleLineRE = regexp.MustCompile(`^\s*(?:[-*•·–+]|\d+[.)])?\s*([^.!?:]{3,90}?)(?:(?:\s+-|\s*[–—:→|(])\s*(.*))?$`)
	// roleEndRE: a body line's title must end in a role noun ("Staff
	// Software Engineer", "Senior SREs"), ignoring a ", Team" qualifier.
	roleEndRE = regexp.MustCompile(`(?i)\b(?:engineers?|developers?|devs?|sres?|swes?|programmers?|architects?|scientists?|researchers?|designers?|managers?|leads?|analysts?|admins?|administrators?|specialists?|consultants?|interns?|hackers?|devops|mles?|sdets?|qa|account executives?)\s*$`)
	// proseStartRE: lines that start like a sentence are no role titles.
	proseStartRE = regexp.MustCompile(`(?i)^(?:we|we're|we’re|our|you|your|i|i'm|if|please|apply|experience|comfortable|strong|ability|knowledge|familiarity|must|looking|join|about|currently|hiring|now|also|the|a|an|this|these|all|every|each|some|any|two|three|several|more|other)\b`)
)

// roleTitles lists the concrete roles of a post: the first line's best
// role first, then other role segments of the first line, then short role
// lines of the body. Generic segments ("Multiple roles") do not count.
func roleTitles(h header, body string) []roleLine {
	var out []roleLine
	seen := map[string]bool{}
	add := func(title, salary string) {
		t := cleanTitle(title)
		k := strings.ToLower(t)
		// The first line's best role may be any role; further roles must
		// be engineering ones, so that prose lines do not become postings.
		if t == "" || seen[k] || (len(out) > 0 && !engRE.MatchString(t)) || isGeneric(t) || len(out) >= MaxHNRoles {
			return
		}
		seen[k] = true
		out = append(out, roleLine{title: t, salary: salary})
	}
	// Role lines of the body: "- Senior Backend Engineer | Remote | $170-225k".
	var lines []roleLine
	bulleted := 0
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(urlRE.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		long := len(line) > 140 || strings.Count(line, " ") > 14
		if long && !roleLineHintRE.MatchString(line) {
			continue // the cheap test before roleLineRE over long prose
		}
		m := roleLineRE.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		title := line[m[2]:m[3]]
		if fields.PlaceCount(title) > 0 || strings.Count(title, " ") > 7 || proseStartRE.MatchString(title) {
			continue
		}
		head, _, _ := strings.Cut(title, ",")
		if !roleEndRE.MatchString(strings.TrimRight(head, " )")) {
			continue
		}
		salary := ""
		if long {
			// "Fullstack Engineer | $120k-$140k + equity | Responsibilities:
			// ...", "- Senior AI Engineer: $160k–$220k Build real-time
			// ...": a long line is a role line only when its pay follows
			// the title; the salary is read from its start.
			if m[4] < 0 {
				continue
			}
			cut := min(len(line), m[4]+80)
			for cut < len(line) && !utf8.RuneStart(line[cut]) {
				cut++
			}
			ms := fields.FindSalariesIn(line[:cut], "USD")
			if len(ms) == 0 || ms[0].Start > m[4]+40 {
				continue
			}
			salary = line[:ms[0].End]
		} else if ms := fields.FindSalariesIn(line, "USD"); len(ms) > 0 {
			salary = line
		}
		if bulletRE.MatchString(line) {
			bulleted++
		}
		lines = append(lines, roleLine{title: title, salary: salary})
	}
	best := chooseTitle(h)
	withPay := 0
	for _, l := range lines {
		if l.salary != "" {
			withPay++
		}
	}
	switch {
	case best != "" && len(lines) >= 2 && withPay >= 2 && listTitleRE.MatchString(best) && len(fields.FindSalaries(h.line)) == 0:
		// "Staff, Fullstack & Frontend Software Engineers" in a first line
		// that states no pay, then one line per role with its pay: the
		// lines are the roles.
		best = ""
	case best == "" && bulleted < 2 && (withPay < 2 || len(fields.FindSalaries(h.line)) > 0):
		// (Role lines with pay make a list too, unless the first line
		// states the pay.)
		return nil // no role in the first line and no role list: the body is prose
	}
	if best != "" {
		add(best, "")
	}
	for _, seg := range append([]string{h.hint}, h.segments...) {
		if seg == "" || !roleNounRE.MatchString(seg) || urlRE.MatchString(seg) || fields.PlaceCount(seg) > 0 {
			continue
		}
		if parts := roleSplitRE.Split(seg, -1); len(parts) > 1 && allRoles(parts) {
			for _, p := range parts {
				add(p, "")
			}
		}
	}
	for _, l := range lines {
		add(l.title, l.salary)
	}
	if len(fields.FindSalariesIn(h.line, "USD")) > 0 {
		// The pay the first line states is the first role's ("Acme |
		// Remote | $150–250K" over "• Staff Engineer ($200–250K)").
		if len(out) > 0 {
			out[0].salary = ""
		}
		return out
	}
	// A first line that states no pay: a role it names takes the pay of
	// its line in the body.
	for i := range out {
		if out[i].salary == "" {
			out[i].salary = payOfLine(out[i].title, lines)
		}
	}
	return out
}

var (
	bulletRE = regexp.MustCompile(`^\s*(?:[-*•·–+]|\d+[.)])\s`)
	// listTitleRE: a first-line title that names several roles.
	listTitleRE = regexp.MustCompile(`(?i),|;|&|\band\b|/|\b(?:engineers|developers|roles|positions)\b`)
	// roleLineHintRE is the cheap test before roleLineRE on long lines: a
	// delimiter after a short title.
	roleLineHintRE = regexp.MustCompile(`^\s*(?:[-*•·–+]|\d+[.)])?\s*[^.!?:]{3,90}?(?:\s-|[–—:→|(])`)
)

// payOfLine returns the salary text of the first role line with pay whose
// title has every word of title ("Senior Software Engineer" and "- Senior
// Software Engineer, Treasury ($160-200k)"), or "".
func payOfLine(title string, lines []roleLine) string {
	words := strings.Fields(strings.ToLower(fillerPunctRE.ReplaceAllString(title, " ")))
	if len(words) < 2 {
		return ""
	}
	for _, l := range lines {
		if l.salary == "" {
			continue
		}
		have := map[string]bool{}
		for _, w := range strings.Fields(strings.ToLower(fillerPunctRE.ReplaceAllString(l.title, " "))) {
			have[w] = true
		}
		all := true
		for _, w := range words {
			if !have[w] {
				all = false
				break
			}
		}
		if all {
			return l.salary
		}
	}
	return ""
}

// fillerPunctRE is the punctuation between a title's words.
var fillerPunctRE = regexp.MustCompile(`[^\p{L}\p{N}+#]+`)

// allRoles reports whether every part of a split segment names a role
// ("Backend Engineer / Frontend Engineer"), not "Senior / Staff Engineer".
func allRoles(parts []string) bool {
	for _, p := range parts {
		if !engRE.MatchString(p) || len(strings.Fields(p)) < 2 {
			return false
		}
	}
	return true
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
func hnApplyURL(text string) string {
	for _, l := range links(text) {
		if jobBoardRE.MatchString(l[0]) && !strings.Contains(l[0], "news.ycombinator.com") {
			return l[0]
		}
	}
	return ""
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
