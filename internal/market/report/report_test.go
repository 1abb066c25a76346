package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/searchtest"
)

var (
	realOnce  sync.Once
	realM     *market.Model
	realErr   error
	realCount int
)

// realModel is a market model of the real postings Meridian ships (HN
// "Who is hiring?" posts), published as the importer would.
func realModel(t testing.TB) *market.Model {
	t.Helper()
	realOnce.Do(func() {
		docs, err := searchtest.RealDocs()
		if err != nil {
			realErr = err
			return
		}
		realCount = len(docs)
		realM, realErr = modelOf(docs, 1)
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realM
}

// modelOf publishes each doc copies times (copies > 1: for size tests).
func modelOf(docs []search.Doc, copies int) (*market.Model, error) {
	m := market.NewModel()
	var evs []eventstore.Event
	pos := int64(0)
	flush := func() error {
		err := m.Apply(context.Background(), evs)
		evs = evs[:0]
		return err
	}
	for c := range copies {
		for _, d := range docs {
			id := d.ID
			if c > 0 {
				id = fmt.Sprintf("%s-%d", d.ID, c)
			}
			draft, err := json.Marshal(domain.JobDraftedEvent{OrgID: d.OrgID, Details: domain.JobDetails{Title: d.Title, Skills: d.Skills,
				Seniority: d.Seniority, Salary: d.Salary, Eligibility: d.Eligibility, TimeZone: d.TimeZone, PostedAt: d.PublishedAt}, At: d.PublishedAt})
			if err != nil {
				return nil, err
			}
			pub, err := json.Marshal(domain.JobStatusEvent{At: d.PublishedAt, ValidThrough: d.ValidThrough})
			if err != nil {
				return nil, err
			}
			evs = append(evs,
				eventstore.Event{Position: pos + 1, StreamID: id, Type: domain.JobDrafted, Payload: draft, Time: d.PublishedAt},
				eventstore.Event{Position: pos + 2, StreamID: id, Type: domain.JobPublished, Payload: pub, Time: d.PublishedAt})
			pos += 2
			if len(evs) >= 20000 {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
	}
	return m, flush()
}

// written builds the report of the real postings and writes it into a
// temporary directory.
func written(t *testing.T, extra Extra, opt Options) (*Report, string) {
	t.Helper()
	m := realModel(t)
	if opt.Now.IsZero() {
		opt.Now = searchtest.Now
	}
	r, err := Build(context.Background(), m, extra, opt)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	return r, dir
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(read(t, path))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return recs
}

// wantCSV checks a written CSV holds exactly the figure's table.
func wantCSV(t *testing.T, dir, name string, figure any) {
	t.Helper()
	var buf bytes.Buffer
	if err := market.WriteCSV(&buf, figure); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, name)); got != buf.String() {
		t.Fatalf("%s differs from the model's figure:\n%s\nwant\n%s", name, got, buf.String())
	}
}

// walk calls fn on every node of the tree.
func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func TestReportOfRealPostings(t *testing.T) {
	r, dir := written(t, Extra{}, Options{})
	m := realModel(t)
	now := searchtest.Now
	if r.Sample.N != realCount || r.Sample.N < 500 {
		t.Fatalf("sample %d postings, %d real ones", r.Sample.N, realCount)
	}
	page := read(t, filepath.Join(dir, HTMLFile))
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("report.html does not parse: %v", err)
	}
	// Self-contained: no script, no external resource; every local link
	// resolves.
	ids := map[string]bool{}
	var links, titles []string
	var svgs []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "image", "use":
			t.Fatalf("report.html has a <%s> element", n.Data)
		case "svg":
			svgs = append(svgs, n)
		case "title":
			if n.Parent != nil && n.Parent.Data == "head" {
				titles = append(titles, textOf(n))
			}
		}
		if id, ok := attr(n, "id"); ok {
			if ids[id] {
				t.Fatalf("id %q twice", id)
			}
			ids[id] = true
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			if strings.HasPrefix(k, "on") || k == "style" && strings.Contains(a.Val, "url(") {
				t.Fatalf("<%s %s=%q>", n.Data, a.Key, a.Val)
			}
			if k == "src" || k == "href" || k == "xlink:href" || k == "srcset" || k == "action" {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.Contains(v, ":") || strings.HasPrefix(v, "//") {
					t.Fatalf("external reference <%s %s=%q>", n.Data, a.Key, a.Val)
				}
				links = append(links, a.Val)
			}
		}
	})
	if len(titles) != 1 || titles[0] != DefaultTitle {
		t.Fatalf("<title>: %q", titles)
	}
	if strings.Contains(page, "@import") || strings.Contains(page, "url(") {
		t.Fatal("the style sheet loads something")
	}
	for _, l := range links {
		if id, ok := strings.CutPrefix(l, "#"); ok {
			if !ids[id] {
				t.Fatalf("link to missing #%s", id)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, l)); err != nil {
			t.Fatalf("linked file %s: %v", l, err)
		}
	}
	// Every CSV the report writes is linked, from the page and from the
	// Markdown, and parses.
	md := read(t, filepath.Join(dir, MarkdownFile))
	csvs := r.Files()[2:]
	if len(csvs) != 14 {
		t.Fatalf("only %d CSVs: %v", len(csvs), csvs)
	}
	for _, name := range csvs {
		if !slices.Contains(links, name) {
			t.Fatalf("%s is not linked from report.html", name)
		}
		if !strings.Contains(md, "]("+name+")") {
			t.Fatalf("%s is not linked from report.md", name)
		}
		if recs := readCSV(t, filepath.Join(dir, name)); len(recs) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(r.Files()) {
		t.Fatalf("%d files written, %d listed", len(entries), len(r.Files()))
	}

	// Every SVG is well-formed XML, has a title and a description, and
	// gives its n.
	raw := regexp.MustCompile(`(?s)<svg\b.*?</svg>`).FindAllString(page, -1)
	if len(raw) != len(svgs) || len(raw) < 12 {
		t.Fatalf("%d SVG strings, %d svg elements", len(raw), len(svgs))
	}
	for _, s := range raw {
		dec := xml.NewDecoder(strings.NewReader(s))
		dec.Strict = true
		depth := 0
		var first *xml.StartElement
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("SVG is not well-formed XML: %v\n%.300s", err, s)
			}
			switch e := tok.(type) {
			case xml.StartElement:
				if depth == 1 && first == nil {
					first = &e
				}
				depth++
			case xml.EndElement:
				depth--
			}
		}
		if depth != 0 || first == nil || first.Name.Local != "title" {
			t.Fatalf("SVG does not open with its <title>: %.200s", s)
		}
	}
	for _, n := range svgs {
		var title, desc string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Data {
			case "title":
				title = textOf(c)
			case "desc":
				desc = textOf(c)
			}
		}
		role, _ := attr(n, "role")
		if title == "" || desc == "" || role != "img" {
			t.Fatalf("SVG without title, desc or role: %q %q %q", title, desc, role)
		}
		if !strings.Contains(title, "n = ") {
			t.Fatalf("chart title without its n: %q", title)
		}
		// A table follows every chart.
		fig := n.Parent
		for fig != nil && !(fig.Data == "div" && strings.Contains(classOf(fig), "pair")) {
			fig = fig.Parent
		}
		found := false
		if fig != nil {
			walk(fig, func(c *html.Node) { found = found || c.Data == "table" })
		}
		if !found {
			t.Fatalf("chart %q has no table next to it", title)
		}
	}

	// The CSVs hold the model's figures.
	f := market.Filter{}
	claims, err := m.Claims(f, now)
	if err != nil {
		t.Fatal(err)
	}
	wantCSV(t, dir, "claims.csv", claims)
	d, _ := m.Demand(f, market.KindSkill, false, TopSkills, now)
	wantCSV(t, dir, "demand-skills.csv", d)
	d, _ = m.Demand(f, market.KindGroup, false, 0, now)
	wantCSV(t, dir, "demand-groups.csv", d)
	s, _ := m.Salaries(f, market.BySeniority, "USD", 0, 0, now)
	wantCSV(t, dir, "salaries-by-seniority.csv", s)
	s, _ = m.Salaries(f, market.BySkill, "USD", 0, SalarySkills, now)
	wantCSV(t, dir, "salaries-by-skill.csv", s)
	co, _ := m.Cooccurrence(f, "", 1, TopPairs, now)
	wantCSV(t, dir, "cooccurrence.csv", co)
	p, _ := m.Premiums(f, nil, "USD", 0, PremiumSkills, now)
	wantCSV(t, dir, "premiums.csv", p)
	h, _ := m.HiringTimes(f, now)
	wantCSV(t, dir, "hiring-times.csv", h)
	if d := r.Demand.Skills; len(d.Items) != TopSkills || len(r.Monthly.Series) != 1+TrendSkills || len(r.Weekly.Series) != 1+TrendSkills {
		t.Fatalf("%d skills, %d monthly and %d weekly series", len(d.Items), len(r.Monthly.Series), len(r.Weekly.Series))
	}
	if n := len(r.Weekly.Series[0].Points); n > WeeklyWeeks || n < 2 {
		t.Fatalf("%d weekly points", n)
	}
	// The trend CSV counts add up to the sample.
	total := 0
	for _, row := range readCSV(t, filepath.Join(dir, "trends-monthly.csv"))[1:] {
		if row[2] == "" { // the all-postings series
			var n int
			fmt.Sscan(row[5], &n)
			total += n
		}
	}
	if total != r.Sample.N {
		t.Fatalf("monthly trend counts sum to %d, sample %d", total, r.Sample.N)
	}

	// The claims section, with both definitions in full, in both pages.
	if len(claims) != 2 {
		t.Fatalf("%d claims", len(claims))
	}
	claimsMD := md[strings.Index(md, "## Seed claims"):strings.Index(md, "## Demand")]
	var claimsHTML string
	walk(doc, func(n *html.Node) {
		if id, _ := attr(n, "id"); n.Data == "section" && id == "claims" {
			claimsHTML = textOf(n)
		}
	})
	for _, c := range claims {
		if !strings.Contains(claimsMD, mdText(c.Definition)) || !strings.Contains(claimsMD, "### "+mdText(c.Question)) {
			t.Fatalf("report.md lacks the definition of %s", c.ID)
		}
		if !strings.Contains(claimsHTML, c.Definition) {
			t.Fatalf("report.html lacks the definition of %s", c.ID)
		}
		for _, want := range []string{fmtInt(c.N), fmtPct(c.Share), fmtCI(c.Low, c.High)} {
			if !strings.Contains(claimsMD, want) || !strings.Contains(claimsHTML, want) {
				t.Fatalf("claim %s: %q missing", c.ID, want)
			}
		}
	}
	// Reference sections say they are absent.
	for _, want := range []string{"No baseline series", "No survey figures"} {
		if !strings.Contains(md, want) || !strings.Contains(page, want) {
			t.Fatalf("missing note %q", want)
		}
	}
}

func classOf(n *html.Node) string { c, _ := attr(n, "class"); return c }

// TestReportSuppression: salary groups below the minimum show as
// suppressed, without figures, in every output.
func TestReportSuppression(t *testing.T) {
	r, dir := written(t, Extra{}, Options{MinN: 25, Currency: "eur"})
	if r.Options.Currency != "EUR" || r.Options.MinN != 25 {
		t.Fatalf("options %+v", r.Options)
	}
	md := read(t, filepath.Join(dir, MarkdownFile))
	page := read(t, filepath.Join(dir, HTMLFile))
	note := "n &lt; 25, suppressed"
	small, shown := 0, 0
	for _, x := range []struct {
		file string
		s    market.Salaries
	}{{"salaries-by-seniority.csv", r.Salaries.BySeniority}, {"salaries-by-region.csv", r.Salaries.ByRegion}, {"salaries-by-skill.csv", r.Salaries.BySkill}} {
		recs := readCSV(t, filepath.Join(dir, x.file))
		for i, g := range x.s.Groups {
			row := recs[i+1]
			if g.N < 25 != g.Suppressed {
				t.Fatalf("%s: n %d, suppressed %v", g.Key, g.N, g.Suppressed)
			}
			if !g.Suppressed {
				shown++
				if row[3] != "false" || row[8] == "" {
					t.Fatalf("%s row %v", x.file, row)
				}
				continue
			}
			small++
			if row[3] != "true" || strings.Join(row[4:19], "") != "" || row[19] != "EUR" {
				t.Fatalf("%s: suppressed row %v shows figures", x.file, row)
			}
			mdRow := "| " + mdText(g.Name) + " | " + fmtInt(g.N) + " | " + mdText("n < 25, suppressed") + " |"
			if !strings.Contains(md, mdRow) {
				t.Fatalf("report.md lacks %q", mdRow)
			}
			htmlRow := fmt.Sprintf(`<tr><th scope="row">%s</th><td class="num">%d</td><td colspan="6" class="sup">%s</td></tr>`, html.EscapeString(g.Name), g.N, note)
			if !strings.Contains(page, htmlRow) {
				t.Fatalf("report.html lacks %q", htmlRow)
			}
		}
	}
	if small == 0 || shown == 0 {
		t.Fatalf("want suppressed and shown groups: %d and %d", small, shown)
	}
	if !strings.Contains(md, "salaries in EUR") && !strings.Contains(md, "Salaries in EUR") && !strings.Contains(md, "annual EUR") {
		t.Fatal("currency not named")
	}
}

// TestReportDeterministic: the same model and options give the same
// bytes, whatever map order the run draws.
func TestReportDeterministic(t *testing.T) {
	extra := sampleExtra()
	_, a := written(t, extra, Options{Title: "Twice"})
	_, b := written(t, extra, Options{Title: "Twice"})
	ea, _ := os.ReadDir(a)
	eb, _ := os.ReadDir(b)
	if len(ea) != len(eb) {
		t.Fatalf("%d and %d files", len(ea), len(eb))
	}
	for _, e := range ea {
		if read(t, filepath.Join(a, e.Name())) != read(t, filepath.Join(b, e.Name())) {
			t.Fatalf("%s differs between two runs", e.Name())
		}
	}
}

func sampleExtra() Extra {
	pts := func(base int) []marketdata.BaselinePoint {
		var out []marketdata.BaselinePoint
		for i := range 30 {
			posts := 400 + 10*i
			c := base + i%7
			out = append(out, marketdata.BaselinePoint{Month: time.Date(2022, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"),
				Posts: posts, Count: c, Share: float64(c) / float64(posts)})
		}
		return out
	}
	g := func(key, name string, n int, v float64) market.SalaryGroup {
		e := func(x float64) *market.Estimate { return &market.Estimate{Value: x, Low: x - 1000, High: x + 1000} }
		if n < 10 {
			return market.SalaryGroup{Key: key, Name: name, N: n, Suppressed: true}
		}
		return market.SalaryGroup{Key: key, Name: name, N: n, P10: e(v * 0.6), P25: e(v * 0.8), P50: e(v), P75: e(v * 1.2), P90: e(v * 1.5)}
	}
	return Extra{
		Baseline: []marketdata.BaselineSeries{
			{Source: marketdata.SourceHNTrends, Label: "hn", Term: "Go", Skill: "go", Name: "Go", Points: pts(40)},
			{Source: marketdata.SourceHNTrends, Label: "hn", Term: "AWS", Skill: "aws", Name: "AWS <cloud> & co", Points: pts(90)},
		},
		Survey: []market.Salaries{
			{Source: market.SourceSurvey, Currency: "USD", Basis: "one answer of the salary survey \"s\"", MinN: 10, N: 1234, Groups: []market.SalaryGroup{g("all", "All survey answers", 1234, 150000)}},
			{Source: market.SourceSurvey, Currency: "USD", Basis: "one answer", GroupBy: market.BySeniority, MinN: 10, N: 1234,
				Groups: []market.SalaryGroup{g("junior", "junior", 300, 90000), g("senior", "senior", 930, 170000), g("principal", "principal", 4, 0)}},
		},
		SurveyNote: "Survey answers: remote answers only.",
	}
}

// TestReportReferenceSections: the baseline and the survey get sections
// of their own, labelled as different sources, with their CSVs, and
// never enter the postings tables.
func TestReportReferenceSections(t *testing.T) {
	extra := sampleExtra()
	r, dir := written(t, extra, Options{})
	md := read(t, filepath.Join(dir, MarkdownFile))
	page := read(t, filepath.Join(dir, HTMLFile))
	for _, want := range []string{"## Long-run baseline: Hacker News hiring trends (different source)", "## Salary survey (different source)",
		"> **Different source", "Survey answers: remote answers only."} {
		if !strings.Contains(md, want) {
			t.Fatalf("report.md lacks %q", want)
		}
	}
	if !strings.Contains(page, `<section id="baseline" aria-labelledby="baseline-h" class="foreign">`) ||
		!strings.Contains(page, `<section id="survey" aria-labelledby="survey-h" class="foreign">`) {
		t.Fatal("reference sections are not marked as such")
	}
	if !strings.Contains(page, "AWS &lt;cloud&gt; &amp; co") || strings.Contains(page, "AWS <cloud>") {
		t.Fatal("a series name is not escaped")
	}
	recs := readCSV(t, filepath.Join(dir, "baseline-hn-hiring-trends.csv"))
	if len(recs) != 1+60 || recs[0][0] != "source" || recs[1][0] != marketdata.SourceHNTrends {
		t.Fatalf("baseline CSV: %d rows, %v", len(recs), recs[0])
	}
	wantCSV(t, dir, "survey-salaries.csv", extra.Survey[0])
	wantCSV(t, dir, "survey-salaries-by-seniority.csv", extra.Survey[1])
	for _, name := range []string{"salaries-overall.csv", "salaries-by-seniority.csv"} {
		for _, row := range readCSV(t, filepath.Join(dir, name))[1:] {
			if row[len(row)-1] != market.SourcePostings {
				t.Fatalf("%s holds a %s row", name, row[len(row)-1])
			}
		}
	}
	if r.Salaries.Overall.N == extra.Survey[0].N {
		t.Fatal("survey merged into postings")
	}
	for _, m := range regexp.MustCompile(`<title id="[^"]*-title">([^<]*)</title>`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "n = ") {
			t.Fatalf("chart title without its n: %q", m[1])
		}
	}
}

// TestReportEmptySample: a filter nothing matches still gives a report.
func TestReportEmptySample(t *testing.T) {
	r, dir := written(t, Extra{}, Options{Filter: market.Filter{From: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2001, 2, 1, 0, 0, 0, 0, time.UTC)}})
	if r.Sample.N != 0 {
		t.Fatalf("%d postings in 2001", r.Sample.N)
	}
	md := read(t, filepath.Join(dir, MarkdownFile))
	if !strings.Contains(md, "No posting matches the filters") || !strings.Contains(md, "posted on or after 2001-01-01; posted before 2001-02-01") {
		t.Fatalf("empty report:\n%.2000s", md)
	}
	if _, err := html.Parse(strings.NewReader(read(t, filepath.Join(dir, HTMLFile)))); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), realModel(t), Extra{}, Options{Currency: "XXX"}); err == nil {
		t.Fatal("unknown currency accepted")
	}
	if _, err := Build(context.Background(), realModel(t), Extra{}, Options{Filter: market.Filter{Countries: []string{"ZZ"}}}); err == nil {
		t.Fatal("unknown country accepted")
	}
}

// TestFormats pins the human formats.
func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{fmtInt(0), "0"}, {fmtInt(999), "999"}, {fmtInt(1000), "1,000"}, {fmtInt(-1234567), "-1,234,567"},
		{fmtPct(0.41234), "41.2 %"}, {fmtCI(0.1, 0.25), "10.0–25.0 %"}, {fmtSigned(0.123), "+12.3 %"}, {fmtSigned(-0.05), "−5.0 %"},
		{fmtShort(85000), "85k"}, {fmtShort(1250000), "1.2M"}, {fmtAmount(84999.6), "85,000"},
		{slug("Long-run baseline: Hacker News hiring trends (different source)"), "long-run-baseline-hacker-news-hiring-trends-different-source"},
		{mdText("a|b *c* <d> C#"), `a\|b \*c\* \<d\> C\#`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for _, c := range []struct{ lo, hi, from, to float64 }{
		{0, 0.308, 0, 0.4}, {0, 0.638, 0, 0.8}, {61742, 290500, 50000, 300000}, {0, 0, 0, 1}, {0, 1383, 0, 1500}, {0, 0.01, 0, 0.01},
	} {
		from, to, ts := axis(c.lo, c.hi, 5)
		if from != c.from || to != c.to || ts[0] != from || ts[len(ts)-1] != to || len(ts) < 3 || len(ts) > 11 {
			t.Errorf("axis(%v, %v) = %v, %v, %v", c.lo, c.hi, from, to, ts)
		}
	}
}

var (
	bigOnce sync.Once
	bigM    *market.Model
	bigErr  error
)

// BenchmarkBuildWrite1M measures the whole report (figures and files)
// over about a million postings: the real ones, each published 725 times.
func BenchmarkBuildWrite1M(b *testing.B) {
	bigOnce.Do(func() {
		docs, err := searchtest.RealDocs()
		if err != nil {
			bigErr = err
			return
		}
		bigM, bigErr = modelOf(docs, (1_000_000+len(docs)-1)/len(docs))
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	dir := b.TempDir()
	extra := sampleExtra()
	runtime.GC() // the model's construction garbage is not the report's
	b.ResetTimer()
	for b.Loop() {
		r, err := Build(context.Background(), bigM, extra, Options{Now: searchtest.Now})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Write(dir); err != nil {
			b.Fatal(err)
		}
	}
}
