package web_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/web"
)

// charts checks that every inline SVG chart of a page is labelled (role
// img, a <title> it names) and followed by a table of its numbers, and
// returns how many there are.
func charts(t *testing.T, body string) int {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(*html.Node)
	walk = func(nd *html.Node) {
		if nd.Type == html.ElementNode && nd.Data == "svg" {
			n++
			attrs := map[string]string{}
			for _, a := range nd.Attr {
				attrs[a.Key] = a.Val
			}
			title := ""
			for c := nd.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "title" && c.FirstChild != nil {
					title = c.FirstChild.Data
				}
			}
			if attrs["role"] != "img" || !strings.Contains(attrs["aria-labelledby"], "-title") || title == "" {
				t.Errorf("chart without a label: %v, title %q", attrs, title)
			}
			// The figure is followed by a <details> holding the table.
			fig := nd.Parent
			next := fig.NextSibling
			for next != nil && next.Type != html.ElementNode {
				next = next.NextSibling
			}
			if fig.Data != "figure" || next == nil || next.Data != "details" || !strings.Contains(renderText(next), "<table>") {
				t.Errorf("chart %q is not followed by its table", title)
			}
		}
		for c := nd.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return n
}

func renderText(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return b.String()
}

func TestMarketDashboard(t *testing.T) {
	s := newStack(t)
	for i := 0; i < 12; i++ {
		d := goJob("Backend Go Engineer " + string(rune('A'+i)))
		lo := int64(100_000+5_000*i) * 100
		d.Salary = &domain.Salary{Min: lo, Max: lo + 2_000_000, Currency: "USD", Period: "year"}
		s.post(t, d, true)
	}
	py := domain.JobDetails{Title: "Python Backend Developer", Description: "REST APIs.", EmploymentType: "full_time", Seniority: "mid",
		Skills: []domain.SkillRequirement{{Skill: "python", Level: 3, Required: true}, {Skill: "aws", Level: 2, Required: true}}, Eligibility: domain.Eligibility{Worldwide: true},
		Salary: &domain.Salary{Min: 9_000_000, Max: 11_000_000, Currency: "USD", Period: "year"}}
	s.post(t, py, true)
	s.post(t, goJob("Secret Draft Role"), false)

	resp, body := s.get(t, "/market")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != web.CSP {
		t.Fatalf("market: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	for _, want := range []string{`<h1>Remote backend job market</h1>`, `Based on 13 postings.`, `href="/market"`, `<label for="period">`, `<label for="region">`,
		`id="chart-demand-title"`, `id="chart-salaries-seniority-title"`, `id="chart-salaries-skill-title"`, `id="chart-trend-title"`,
		`id="chart-claim-backend-cloud-title"`, `id="chart-claim-rest-or-graphql-title"`,
		// Go is asked for by 12 of 13 postings: 92.3 %, in the chart and the table.
		`<th scope="row">Go</th><td class="num">12</td><td class="num">92.3 %</td>`, `92.3 %</text>`,
		// 12 senior salaries, midpoints 110,000 to 165,000: p10 to p90 in the table.
		`<th scope="row">Senior</th><td class="num">12</td>`, `<th scope="row">Go</th><td class="num">12</td><td class="num">11`, `<th scope="row">Mid</th><td class="num">1</td><td class="num">fewer than 10 salaries: not shown</td>`,
		`<strong>Definition.</strong>`} {
		if !strings.Contains(body, want) {
			t.Errorf("market lacks %s\n%s", want, body)
		}
	}
	if n := charts(t, body); n != 6 {
		t.Errorf("%d charts, want 6", n)
	}
	if strings.Count(body, "<h1") != 1 || inlineScripts(body) != 0 || strings.Contains(body, "style=") {
		t.Error("one h1, no inline script and no inline style expected")
	}

	// Filters: a region narrows the sample; a period with nothing in it
	// says so; a malformed one is a 400 with a message.
	if _, body := s.get(t, "/market?region=APAC"); !strings.Contains(body, "Based on 1 posting.") || !strings.Contains(body, `<option value="APAC" selected>`) {
		t.Errorf("region filter:\n%s", body)
	}
	if resp, body := s.get(t, "/market?period=2001-Q1"); resp.StatusCode != 200 || !strings.Contains(body, "Based on 0 postings.") ||
		!strings.Contains(body, "No postings in this selection.") || !strings.Contains(body, `value="2001-Q1"`) {
		t.Errorf("empty period: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := s.get(t, "/market?period=spring"); resp.StatusCode != 400 || !strings.Contains(body, "Period must be") {
		t.Errorf("bad period: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := s.get(t, "/market?region=MOON"); resp.StatusCode != 400 || !strings.Contains(body, "Unknown region.") {
		t.Errorf("bad region: %d\n%s", resp.StatusCode, body)
	}
}

func TestMarketUnavailable(t *testing.T) {
	s := newStackWith(t, false)
	s.post(t, goJob("Senior Go Engineer"), true)
	resp, body := s.get(t, "/market")
	if resp.StatusCode != 503 || !strings.Contains(body, "Market figures are not available") || strings.Contains(body, "<svg") {
		t.Errorf("no market model: %d\n%s", resp.StatusCode, body)
	}
	// The organization page works without it, without response times.
	if resp, body := s.get(t, "/orgs/"+s.orgID); resp.StatusCode != 200 || !strings.Contains(body, "Senior Go Engineer") || strings.Contains(body, "Response times") {
		t.Errorf("org page without market: %d\n%s", resp.StatusCode, body)
	}
}

func TestOrgPage(t *testing.T) {
	s := newStack(t)
	goID := s.post(t, goJob("Senior Go Engineer"), true)
	s.post(t, goJob("Secret Draft Role"), false)
	hostile := `<script>alert(1)</script> & "Co"`
	other, err := s.app.CreateOrg(s.owner, domain.OrgDetails{Name: hostile, Website: "https://other.example", Description: "We <b>build</b> things."}, "")
	if err != nil {
		t.Fatal(err)
	}
	otherJob := s.postIn(t, other.ID, goJob("Rust Platform Engineer"), true)

	resp, body := s.get(t, "/orgs/"+s.orgID)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != web.CSP {
		t.Fatalf("org page: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`<h1>Acme Remote</h1>`, `href="https://acme.example"`, `1 open posting`, `href="/jobs/` + goID + `"`,
		`Senior Go Engineer`, `USD 120,000–160,000 a year`, `Response times`, `Not enough applications`} {
		if !strings.Contains(body, want) {
			t.Errorf("org page lacks %s", want)
		}
	}
	for _, not := range []string{"Secret Draft Role", "Rust Platform Engineer"} {
		if strings.Contains(body, not) {
			t.Errorf("org page lists %s", not)
		}
	}

	// The hostile name is escaped wherever it is shown.
	resp, body = s.get(t, "/orgs/"+other.ID)
	if resp.StatusCode != 200 || !strings.Contains(body, "Rust Platform Engineer") || strings.Contains(body, "Senior Go Engineer") {
		t.Fatalf("other org: %d\n%s", resp.StatusCode, body)
	}
	for _, path := range []string{"/orgs/" + other.ID, "/", "/jobs/" + otherJob} {
		_, body := s.get(t, path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>build") {
			t.Errorf("%s: hostile markup reached the page", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;") {
			t.Errorf("%s: org name not shown escaped:\n%s", path, body)
		}
	}

	// Job page and search results link the organization.
	if _, body := s.get(t, "/jobs/"+goID); !strings.Contains(body, `<a href="/orgs/`+s.orgID+`">Acme Remote</a>`) {
		t.Errorf("job page does not link the org:\n%s", body)
	}
	if _, body := s.get(t, "/"); !strings.Contains(body, `<a href="/orgs/`+s.orgID+`">Acme Remote</a>`) || !strings.Contains(body, `<a href="/orgs/`+other.ID+`">`) {
		t.Errorf("results do not link the orgs:\n%s", body)
	}

	for _, id := range []string{"01900000-0000-7000-8000-000000000000", "nope"} {
		resp, body := s.get(t, "/orgs/"+id)
		if resp.StatusCode != 404 || !strings.Contains(body, "<h1>Page not found</h1>") {
			t.Errorf("/orgs/%s: %d\n%s", id, resp.StatusCode, body)
		}
	}
}
