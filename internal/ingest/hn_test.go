package ingest

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/hnposts"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/markdown"
)

// Post and ParsePost read one HN post the way the importer does: its
// first role, normalized by the pipeline.
type Post = HNPost

type Posting struct {
	Company, Website string
	Details          domain.JobDetails
}

func ParsePost(p Post) (Posting, error) {
	jobs, err := HNJobs(p)
	if err != nil {
		return Posting{}, err
	}
	ij, err := (&Importer{}).NormalizeJob(&jobs[0], fmt.Sprintf("hn:%d", p.ID), time.Now().UTC())
	if err != nil {
		return Posting{}, err
	}
	return Posting{Company: ij.Company, Website: ij.Website, Details: ij.Details}, nil
}

func usd(min, max int64) *domain.Salary {
	return &domain.Salary{Min: min * 100, Max: max * 100, Currency: "USD", Period: "year"}
}

func money(min, max int64, cur, period string) *domain.Salary {
	return &domain.Salary{Min: min * 100, Max: max * 100, Currency: cur, Period: period}
}

func countries(cs ...string) domain.Eligibility { return domain.Eligibility{Countries: cs} }

// TestParsePostRealFirstLines parses first lines copied byte for byte from
// hn_whoishiring_2026-01_to_2026-04.jsonl (HN HTML, entities included).
func TestParsePostRealFirstLines(t *testing.T) {
	tests := []struct {
		id          int64
		first       string
		band        string // llm_salary_band
		level       string // llm_experience_level
		company     string
		title       string
		seniority   string
		employment  string
		salary      *domain.Salary
		eligibility domain.Eligibility
	}{
		{
			id:      46469634,
			first:   "RecruitiFi | Software Engineer (Full-stack) | REMOTE (US) | Full-time | $130k\u2013$160k",
			band:    "$100k-$150k",
			level:   "Senior",
			company: "RecruitiFi", title: "Software Engineer (Full-stack)", seniority: "senior", employment: "full_time",
			salary: usd(130000, 160000), eligibility: countries("US"),
		},
		{
			id:      46469833,
			first:   `Count | Senior Software Engineer | REMOTE (UK&#x2F;Europe&#x2F;US East Coast) | Full-time | £100–140k (or local equivalent) + Equity | <a href="https:&#x2F;&#x2F;count.co" rel="nofollow">https:&#x2F;&#x2F;count.co</a>`,
			band:    "$100k-$150k",
			company: "Count", title: "Senior Software Engineer", seniority: "senior", employment: "full_time",
			salary:      money(100000, 140000, "GBP", "year"),
			eligibility: domain.Eligibility{Countries: []string{"GB", "US"}, Regions: []string{"EUROPE"}},
		},
		{
			id:      46467197,
			first:   "Stealth (legal&#x2F;fintech document automation) | Full-Stack Developer (Mid&#x2F;Senior) | ONSITE (Milan, Italy) | Full-time | €30–40k RAL",
			band:    "<$100k",
			company: "Stealth", title: "Full-Stack Developer (Mid/Senior)", seniority: "mid", employment: "full_time",
			salary: money(30000, 40000, "EUR", "year"), eligibility: countries("IT"),
		},
		{
			id:      46466961,
			first:   "Rockbot | Senior Engineers (Fullstack &amp; Ads) | Remote (US) | rockbot.com",
			company: "Rockbot", title: "Senior Engineers (Fullstack & Ads)", seniority: "senior", employment: "full_time",
			eligibility: countries("US"),
		},
		{
			id:      47604449,
			first:   "ReadWorks (YC-backed nonprofit - Imagine K12 F&#x27;14) | REMOTE (US) | Contract, part-time (~20 hrs&#x2F;week) | $70–110&#x2F;hr",
			company: "ReadWorks", title: "Software Engineer", employment: "contract",
			salary: money(70, 110, "USD", "hour"), eligibility: countries("US"),
		},
		{
			id:      46857501,
			first:   `OpenSanctions | Customer Engineer | REMOTE (EU&#x2F;Asia&#x2F;Americas -- no US) or HYBRID Berlin | €~55k-€~75k | <a href="https:&#x2F;&#x2F;www.opensanctions.org&#x2F;" rel="nofollow">https:&#x2F;&#x2F;www.opensanctions.org&#x2F;</a>`,
			company: "OpenSanctions", title: "Customer Engineer", employment: "full_time",
			salary: money(55000, 75000, "EUR", "year"),
			// checked separately below: the Americas without the US.
		},
		{
			id:      46470027,
			first:   "Pelairo Inc. | Senior Full Stack Developer | REMOTE (US Only) | Full-time | $100-150k",
			company: "Pelairo Inc.", title: "Senior Full Stack Developer", seniority: "senior", employment: "full_time",
			salary: usd(100000, 150000), eligibility: countries("US"),
		},
		{
			id:      47613424,
			first:   "BoWatt | Full-Stack Engineer (Go &#x2F; React) | Remote (Germany) | Full-Time | €70–100k + Equity",
			company: "BoWatt", title: "Full-Stack Engineer (Go / React)", employment: "full_time",
			salary: money(70000, 100000, "EUR", "year"), eligibility: countries("DE"),
		},
		{
			id:      46622835,
			first:   "Adobe | Senior Software Engineer (Behance – Graph &amp; Recommendations) | $173,500 – $331,050 base (US) | Full-time | New York, NY (onsite) &#x2F; Remote-friendly (US)",
			company: "Adobe", title: "Senior Software Engineer (Behance – Graph & Recommendations)", seniority: "senior", employment: "full_time",
			salary: usd(173500, 331050), eligibility: countries("US"),
		},
		{
			id:      46857555,
			first:   "TextQL | Senior Software Engineer (FT) | ONSITE | New York City | $200k Salary - $400k Total Compensation",
			company: "TextQL", title: "Senior Software Engineer (FT)", seniority: "senior", employment: "full_time",
			salary: usd(200000, 200000), eligibility: countries("US"),
		},
		{
			id:      46559779,
			first:   "Hightouch | Multiple Roles | Remote | Full-time | $180,000 - $320,000 USD + equity",
			company: "Hightouch", title: "Software Engineer", employment: "full_time",
			salary: usd(180000, 320000), eligibility: domain.Eligibility{Worldwide: true},
		},
		{
			id:      46480081,
			first:   "Topliner - Senior Fullstack Developer (Node.js &#x2F; Laravel &#x2F; React+TS &#x2F; AI Integrations) - Remote - $80k&#x2F;year",
			company: "Topliner", title: "Senior Fullstack Developer (Node.js / Laravel / React+TS / AI Integrations)", seniority: "senior", employment: "full_time",
			salary: usd(80000, 80000), eligibility: domain.Eligibility{Worldwide: true},
		},
		{
			id:      47614285,
			first:   "Infystrat | Full Stack Engineer (Java, Microservices) | Remote (India) | Full-Time | 6–10 LPA",
			level:   "Junior",
			company: "Infystrat", title: "Full Stack Engineer (Java, Microservices)", seniority: "junior", employment: "full_time",
			salary: money(600000, 1000000, "INR", "year"), eligibility: countries("IN"),
		},
		{
			id:      47712573,
			first:   "RDE Advisors | Senior Full-Stack Engineer | REMOTE (Europe, LatAm, India) | CONTRACT | $4K–6K USD&#x2F;mo",
			company: "RDE Advisors", title: "Senior Full-Stack Engineer", seniority: "senior", employment: "contract",
			salary:      money(4000, 6000, "USD", "month"),
			eligibility: domain.Eligibility{Countries: []string{"IN"}, Regions: []string{"EUROPE", "LATAM"}},
		},
		{
			id:      46632128,
			first:   "PayPlan | Platform Specialist (Metabase) | Grantham, UK | Remote | 50,000 GBP &#x2F; year | Full-Time",
			company: "PayPlan", title: "Platform Specialist (Metabase)", employment: "full_time",
			salary: money(50000, 50000, "GBP", "year"), eligibility: countries("GB"),
		},
		{
			id:      47605527,
			first:   `Senior Software Engineer | Ping Data Intelligence | ONSITE (Delhi, India) | Full-Time | <a href="https:&#x2F;&#x2F;www.pingintel.com" rel="nofollow">https:&#x2F;&#x2F;www.pingintel.com</a>`,
			company: "Ping Data Intelligence", title: "Senior Software Engineer", seniority: "senior", employment: "full_time",
			eligibility: countries("IN"),
		},
		{
			id:      47324120,
			first:   "Senior Data Analyst at P2P.org, the largest institutional staking provider  | Remote, GMT +-3&#x2F; Cyprus | Full-time Contractor",
			company: "P2P.org", title: "Senior Data Analyst", seniority: "senior", employment: "contract",
			eligibility: countries("CY"),
		},
		{
			id:      46499794,
			first:   "Natera | Staff SWE - EMR Platform | Austin, TX | Remote | $170-190K base + equity + bonus",
			company: "Natera", title: "Staff SWE - EMR Platform", seniority: "staff", employment: "full_time",
			salary: usd(170000, 190000), eligibility: countries("US"),
		},
		{
			id:      46469686,
			first:   "Microsoft Research is hiring Senior MLE&#x27;s in Cambridge, MA (ONSITE).",
			company: "Microsoft Research", title: "Senior MLE's", seniority: "senior", employment: "full_time",
			eligibility: countries("US"),
		},
		{
			id:      46473276,
			first:   `Artificial Analysis | <a href="https:&#x2F;&#x2F;artificialanalysis.ai" rel="nofollow">https:&#x2F;&#x2F;artificialanalysis.ai</a> | Full Stack Engineer, ML Engineer, Member of Technical Staff | Onsite in San Francisco or in Australia&#x2F;New Zealand | Competitive Salary + Equity`,
			company: "Artificial Analysis", title: "Full Stack Engineer, ML Engineer, Member of Technical Staff", employment: "full_time",
			eligibility: countries("AU", "NZ", "US"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.company, func(t *testing.T) {
			p := Post{ID: tc.id, By: "someone", PostedAt: "2026-01-02T16:04:13Z", Text: tc.first + "<p>We build things with engineers."}
			got, err := ParsePost(p)
			if err != nil {
				t.Fatalf("ParsePost: %v", err)
			}
			d := got.Details
			if got.Company != tc.company || d.Title != tc.title {
				t.Errorf("company %q, title %q; want %q, %q", got.Company, d.Title, tc.company, tc.title)
			}
			if tc.level != "" && fields.ParseSeniority(tc.title, "") == "" {
				tc.seniority = "" // the data set's experience label is a machine label: the importer does not use it
			}
			if d.Seniority != tc.seniority || d.EmploymentType != tc.employment {
				t.Errorf("seniority %q, employment %q; want %q, %q", d.Seniority, d.EmploymentType, tc.seniority, tc.employment)
			}
			if !reflect.DeepEqual(d.Salary, tc.salary) {
				t.Errorf("salary %+v, want %+v", d.Salary, tc.salary)
			}
			if tc.company != "OpenSanctions" && !reflect.DeepEqual(d.Eligibility, tc.eligibility) {
				t.Errorf("eligibility %+v, want %+v", d.Eligibility, tc.eligibility)
			}
			if d.Source != "hn:"+strconv.FormatInt(tc.id, 10) {
				t.Errorf("source %q", d.Source)
			}
		})
	}
}

func TestExcludedPlaces(t *testing.T) {
	p := Post{ID: 46857501, Text: "OpenSanctions | Customer Engineer | REMOTE (EU&#x2F;Asia&#x2F;Americas -- no US) or HYBRID Berlin | €~55k-€~75k"}
	got, err := ParsePost(p)
	if err != nil {
		t.Fatal(err)
	}
	e := got.Details.Eligibility
	if e.Worldwide || e.Allows("US") || !e.Allows("CA") || !e.Allows("BR") || !e.Allows("DE") || !e.Allows("JP") || e.Allows("NG") {
		t.Errorf("eligibility for \u201cEU/Asia/Americas -- no US\u201d = %+v", e)
	}
}

func TestParsePostEligibility(t *testing.T) {
	tests := []struct {
		first string
		want  domain.Eligibility
	}{
		{"Acme | Backend Engineer | REMOTE | Full-time", domain.Eligibility{Worldwide: true}},
		{"Acme | Backend Engineer | Remote (Global) | Full-time", domain.Eligibility{Worldwide: true}},
		{"Acme | Backend Engineer | Remote (US and EU)", domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EU"}}},
		{"Acme | Backend Engineer | REMOTE (US only)", countries("US")},
		{"Acme | Backend Engineer | Remote (North America)", domain.Eligibility{Regions: []string{"NORTH_AMERICA"}}},
		{"Acme | Backend Engineer | Remote (EMEA)", domain.Eligibility{Regions: []string{"EMEA"}}},
		{"Acme | Backend Engineer | Remote, UK only", countries("GB")},
		{"Acme | Backend Engineer | Remote (US, Canada)", countries("CA", "US")},
		{"Acme | Backend Engineer | Berlin, Germany | ONSITE", countries("DE")},
		{"Acme | Backend Engineer | Austin, TX | Onsite", countries("US")},
		{"Acme | Backend Engineer | Hybrid (London / Lisbon)", countries("GB", "PT")},
		{"Acme | Backend Engineer | NYC or REMOTE (US and EU)", domain.Eligibility{Countries: []string{"US"}, Regions: []string{"EU"}}},
		{"Acme | Backend Engineer | Remote (LATAM)", domain.Eligibility{Regions: []string{"LATAM"}}},
	}
	for _, tc := range tests {
		got, err := ParsePost(Post{ID: 1, Text: tc.first})
		if err != nil {
			t.Errorf("%q: %v", tc.first, err)
			continue
		}
		if !reflect.DeepEqual(got.Details.Eligibility, tc.want) {
			t.Errorf("%q: eligibility %+v, want %+v", tc.first, got.Details.Eligibility, tc.want)
		}
	}
}

func TestParsePostSkips(t *testing.T) {
	tests := []struct {
		text   string
		reason string
	}{
		{"", SkipEmpty},
		// Comments that are not job posts.
		{"I applied to the Frontend Engineer Role last month, but haven&#x27;t heard back yet.", SkipNoCompany},
		{"Aggregated for easier reading: https://hn-discussions.top/who-is-hiring-jan-2026/", SkipNoCompany},
		{"Senior Python Backend Engineer | REMOTE (EMEA&#x2F;APAC)", SkipNoCompany},
		// No place to work from: onsite-only posts with no known place.
		{`Trunk | <a href="https:&#x2F;&#x2F;trunk.io" rel="nofollow">https:&#x2F;&#x2F;trunk.io</a><p>We hire engineers.`, SkipNoLocation},
		{"Acme | Backend Engineer | Springfield | ONSITE", SkipNoLocation},
		// No role anywhere.
		{"Babou.ai | Remote | Full Time<p>Come sell with us.", SkipNoRole},
	}
	for _, tc := range tests {
		_, err := ParsePost(Post{ID: 2, Text: tc.text})
		var se *SkipError
		if !errors.As(err, &se) || se.Reason != tc.reason {
			t.Errorf("%q: got %v, want skip %q", tc.text, err, tc.reason)
		}
	}
}

func TestParsePostCompanyForms(t *testing.T) {
	tests := []struct{ first, company, title, website string }{
		{`OmniAI (YC W24) | <a href="https:&#x2F;&#x2F;getomni.ai">https:&#x2F;&#x2F;getomni.ai</a> | Full Stack Engineers | SF In-Person`, "OmniAI", "Full Stack Engineers", "https://getomni.ai"},
		{`CoPlane (<a href="https:&#x2F;&#x2F;coplane.com&#x2F;" rel="nofollow">https:&#x2F;&#x2F;coplane.com&#x2F;</a>) | Design Engineer | NYC or Remote (North America)`, "CoPlane", "Design Engineer", "https://coplane.com"},
		{"Splasy Sports is hiring for Senior Typescript Engineers - REMOTE (US).  We are growing.", "Splasy Sports", "Senior Typescript Engineers", ""},
		{"Founding Engineer @ Conductor (San Francisco, ONSITE)", "Conductor", "Founding Engineer", ""},
		{"Clad (YC W23) | Software Engineer | NYC | withclad.com", "Clad", "Software Engineer", "https://withclad.com"},
		{"Wolf Games — Director of Engineering, Creative Automation — Remote (US&#x2F;Canada) — Contract", "Wolf Games", "Director of Engineering, Creative Automation", ""},
		{"RECEIPTOR AI | FOUNDING GROWTH LEAD | REMOTE | FULL-TIME", "RECEIPTOR AI", "Founding Growth Lead", ""},
	}
	for _, tc := range tests {
		got, err := ParsePost(Post{ID: 3, Text: tc.first})
		if err != nil {
			t.Errorf("%q: %v", tc.first, err)
			continue
		}
		if got.Company != tc.company || got.Details.Title != tc.title || got.Website != tc.website {
			t.Errorf("%q: company %q, title %q, website %q; want %q, %q, %q", tc.first, got.Company, got.Details.Title, got.Website, tc.company, tc.title, tc.website)
		}
	}
}

func TestParseSalary(t *testing.T) {
	tests := []struct {
		in   string
		want *domain.Salary
	}{
		{"Remote | $150k-$200k", usd(150000, 200000)},
		{"Remote | $140k–$180k + equity", usd(140000, 180000)},
		{"Remote | 150-200k USD", usd(150000, 200000)},
		{"Remote | 115k - 180k USD", usd(115000, 180000)},
		{"Berlin | €70.000", money(70000, 70000, "EUR", "year")},
		{"London | £60k", money(60000, 60000, "GBP", "year")},
		{"Remote | $50/hour", money(50, 50, "USD", "hour")},
		{"Remote | $125 - $200/hr", money(125, 200, "USD", "hour")},
		{"SF | up to $220K USD", usd(0, 220000)},
		{"Remote | $200K USD+", usd(200000, 0)},
		{"Calgary | Up to $140k CAD + Generous Equity", money(0, 140000, "CAD", "year")},
		{"Vancouver | C$130K-C$150K + equity", money(130000, 150000, "CAD", "year")},
		{"Berlin | 65-95k€ + VSOP", money(65000, 95000, "EUR", "year")},
		{"Zurich | 100-200k CHF", money(100000, 200000, "CHF", "year")},
		{"Hyderabad | 35-90L INR", money(3500000, 9000000, "INR", "year")},
		{"US | Salary: $154-190,000 DOE", usd(154000, 190000)},
		{"Sydney | $300-600k AUD", money(300000, 600000, "AUD", "year")},
		// Nonsense and non-salary money.
		{"Remote | 401K, flexible PTO", nil},
		{"Remote | Raising at £5m round", nil},
		{"Remote | $125k–$175k • 0.50%–1.50%", usd(125000, 175000)},
		{"Remote | 0.50%–1.50% equity", nil},
		{"Hybrid | Visa + €10k Signing Bonus", nil},
		{"NYC | Backed by a founder with $1B+ exits", nil},
		{"Colorado Springs | 90K - 150K", nil}, // no currency: not guessed
		{"Remote | $150", nil},                 // no period, no thousands: not guessed
		{"Remote | $5-8M ARR", nil},
		{"Remote | Competitive Salary + Equity", nil},
	}
	for _, tc := range tests {
		var s domain.Salary
		ms := fields.FindSalaries(blankOut(tc.in, "Acme"))
		ok := len(ms) > 0
		if ok {
			s = ms[0].Salary
		}
		var got *domain.Salary
		if ok {
			got = &s
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FindSalaries(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestEmploymentType(t *testing.T) {
	emp := map[string]string{
		"Acme | Engineer | Remote | Full-time":                  "full_time",
		"Acme | Engineer | Remote":                              "full_time",
		"Acme | Engineer | Remote | Contract":                   "contract",
		"Acme | Engineer | Remote | Full-time B2B Contract":     "contract",
		"Acme | Engineer | Remote | Contract to hire preferred": "full_time",
		"Acme | Engineer | Remote | Part-time":                  "part_time",
		"Acme | Engineer | Remote | Freelance":                  "contract",
	}
	for in, want := range emp {
		got, err := ParsePost(Post{ID: 5, Text: in})
		if err != nil || got.Details.EmploymentType != want {
			t.Errorf("%q: employment type %q (%v), want %q", in, got.Details.EmploymentType, err, want)
		}
	}
}

func TestHNToMarkdown(t *testing.T) {
	in := `Acme | Engineer | Remote<p>We use <i>Go</i> &amp; Postgres. See <a href="https:&#x2F;&#x2F;acme.example&#x2F;jobs" rel="nofollow">https:&#x2F;&#x2F;acme.example&#x2F;jobs</a> or <a href="https:&#x2F;&#x2F;acme.example&#x2F;a-very-long-path-that-hn-truncates" rel="nofollow">https:&#x2F;&#x2F;acme.example&#x2F;a-very-long-...</a>.` +
		`<p>Email <a href="mailto:jobs@acme.example">us</a>. Use snake_case *literally* &lt;b&gt;.<p><pre><code>  func main() {&#x2F;&#x2F; hi

      fmt.Println(&quot;a &lt; b&quot;)
  }
</code></pre><p># not a heading`
	md := hnToMarkdown(in)
	for _, want := range []string{
		"Acme | Engineer | Remote\n\nWe use *Go* & Postgres.",
		"<https://acme.example/jobs>",
		"<https://acme.example/a-very-long-path-that-hn-truncates>",
		"[us](mailto:jobs@acme.example)",
		`snake\_case \*literally\* \<b\>`,
		"```\n  func main() {// hi\n\n      fmt.Println(\"a < b\")\n  }\n```",
		`\# not a heading`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	html := markdown.Render(md)
	for _, want := range []string{"<em>Go</em>", `href="https://acme.example/jobs"`, "snake_case *literally* &lt;b&gt;", "<pre><code>", "# not a heading"} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered HTML lacks %q:\n%s", want, html)
		}
	}
}

func TestParseAllPosts(t *testing.T) {
	zr, err := hnposts.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dec := NewHNDecoder(zr, 0)
	im := &Importer{}
	now := time.Now().UTC()
	posts, roles, rejected, multi := map[int]bool{}, 0, map[string]int{}, map[int]int{}
	seen := map[string]bool{}
	for {
		rec, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		posts[rec.Line] = true
		if rec.Err != nil {
			var se *SkipError
			if !errors.As(rec.Err, &se) {
				t.Errorf("line %d: %v is not a skip reason", rec.Line, rec.Err)
				continue
			}
			rejected[se.Reason]++
			continue
		}
		if seen[rec.SourceID] {
			t.Errorf("%s twice", rec.SourceID)
		}
		seen[rec.SourceID] = true
		ij, err := im.NormalizeJob(rec.Job, rec.SourceID, now)
		if err != nil {
			rejected[err.Error()[:min(40, len(err.Error()))]]++
			continue
		}
		roles++
		multi[rec.Line]++
		d := ij.Details
		if ij.Company == "" || d.Title == "" || d.Description == "" || d.EmploymentType == "" {
			t.Errorf("%s: incomplete posting %+v", d.Source, ij)
		}
		if s := d.Salary; s != nil && s.Period == "year" && s.Currency == "USD" && (s.Max > 2_000_000_00 || s.Min != 0 && s.Min < 15_000_00) {
			t.Errorf("%s: implausible salary %+v", d.Source, s)
		}
	}
	several := 0
	for _, n := range multi {
		if n > 1 {
			several++
		}
	}
	t.Logf("%d posts: %d postings (%d posts list several roles), rejected %v", len(posts), roles, several, rejected)
	if len(posts) != 1425 || roles < 900 || several < 50 {
		t.Fatalf("%d posts, %d postings, %d multi-role posts", len(posts), roles, several)
	}
}

func TestBodySalaryNeedsOneRange(t *testing.T) {
	one := "We are hiring.\nBackend Engineer: $120k-$150k USD plus equity\nApply below."
	s, ok := fields.ParseSalary("\n" + one)
	if !ok || s.Min != 120_000_00 || s.Max != 150_000_00 || s.Currency != "USD" {
		t.Fatalf("one range: %+v %v", s, ok)
	}
	// A multi-role post: which range is the posting's? None can be claimed.
	several := "Engineering Manager — $84k-$100k annual\nSenior Product Manager — $72k–96k annual\nProduct Designer — $48k–72k annual"
	if s, ok := fields.ParseSalary("\n" + several); ok {
		t.Fatalf("several ranges gave %+v", s)
	}
}

// TestRoleLinePay checks how the first role's pay is read from role lines
// in the body: long lines whose pay follows the title, hyphenated titles,
// lists without bullets, and a first line that states the pay.
func TestRoleLinePay(t *testing.T) {
	tests := []struct {
		name, text string
		want       *domain.Salary
	}{
		{"long lines, pay after the title",
			"Acme | Multiple engineering roles | Hybrid (Boston, MA) | Full-time<p>Fullstack Engineer | $120k-$140k + equity | Responsibilities: Build the core tools that our agents rely on every day to serve customers efficiently and accurately<p>Senior Data Engineer | $140k-$160k + equity | Responsibilities: Architect, build, and scale the data platform and the pipelines that power our analytics",
			usd(120000, 140000)},
		{"hyphenated title",
			"Acme | London, UK | Full-Time<p>- Lead Product Designer | Equity | 100k+ (based on experience)<p>- Senior Full-Stack Engineer | Equity | 75k-110k+ (based on experience)",
			money(100000, 0, "GBP", "year")},
		{"first listed role takes its line's pay",
			"Acme | Senior Software Engineer ; Engineering Manager | REMOTE (US)<p>- Engineering Manager ($169-265k)<p>- Senior Software Engineer, Treasury ($160-200k)",
			usd(160000, 200000)},
		{"first line pay wins",
			"Acme | Remote | $150–250K + equity | US and Canada | Full-time<p>• Staff Software Engineer ($200–250K): own the platform, lead projects across teams, mentor engineers and set direction for the whole group<p>• Senior Software Engineer, Growth ($150–200K): run experiments across the funnel and ship features that move the metrics we care about",
			usd(150000, 250000)},
	}
	for _, tc := range tests {
		got := ClassifyHN(tc.text).Salary
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: salary %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
