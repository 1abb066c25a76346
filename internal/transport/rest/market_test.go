package rest_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/marketdata"
)

// TestMarketOverREST publishes a dozen postings and reads every market
// figure back over the API: JSON and CSV, the suppression of small
// samples, hiring times from application events, skill-gap advice and
// problem details for bad input.
func TestMarketOverREST(t *testing.T) {
	e := newEnv(t)
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Acme Remote"}))
	orgID := org.Body["id"].(string)
	var salaries []float64
	var jobIDs []string
	for i := range 12 {
		b := jobBody(fmt.Sprintf("Backend Engineer %d", i))
		lo, hi := 60000+i*5000, 80000+i*5000 // EUR a year
		b["salary"] = map[string]any{"min": lo * 100, "max": hi * 100, "currency": "EUR", "period": "year"}
		if i%3 == 0 {
			b["skills"] = []map[string]any{{"skill": "go", "level": 4, "required": true}, {"skill": "rust", "level": 3, "required": true}, {"skill": "terraform", "level": 2}}
		}
		salaries = append(salaries, float64(lo+hi)/2)
		job := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", b))
		id := job.Body["id"].(string)
		jobIDs = append(jobIDs, id)
		e.must(200, e.do("POST", "/api/v1/jobs/"+id+"/publish", "alice", nil))
	}
	get := func(q string) resp { return e.do("GET", "/api/v1/market/"+q, "", nil) }
	eventually(t, "market model catches up", func() bool {
		return e.must(200, get("demand")).Body["n"] == float64(12)
	})

	// Demand: every posting asks for Go, four for Rust.
	d := e.must(200, get("demand?limit=3"))
	items := d.Body["items"].([]any)
	first := items[0].(map[string]any)
	if first["key"] != "go" || first["count"] != float64(12) || first["share"] != float64(1) || len(items) != 3 {
		t.Errorf("demand: %s", d.Raw)
	}
	if low := first["low"].(float64); low <= 0.7 || low >= 1 {
		t.Errorf("Wilson low of 12/12 = %v", low)
	}
	// Co-occurrence: postings asking for Rust all ask for Go, none for
	// PostgreSQL.
	c := e.must(200, get("cooccurrence?skill=rust"))
	pairs := map[string]map[string]any{}
	for _, it := range c.Body["items"].([]any) {
		p := it.(map[string]any)
		pairs[p["b"].(string)] = p
	}
	if p := pairs["go"]; p == nil || p["nAB"] != float64(4) || p["confidence"] != float64(1) || p["lift"] != float64(1) || pairs["postgresql"] != nil {
		t.Errorf("rust pairs: %s", c.Raw)
	}
	// Salaries in EUR: the median is percentile_cont over the midpoints,
	// and groups under 10 are suppressed.
	s := e.must(200, get("salaries?currency=EUR"))
	g := s.Body["groups"].([]any)[0].(map[string]any)
	sort.Float64s(salaries)
	want := (salaries[5] + salaries[6]) / 2
	if p50 := g["p50"].(map[string]any)["value"].(float64); math.Abs(p50-want) > 1 || g["n"] != float64(12) {
		t.Errorf("p50 %v, want %v: %s", p50, want, s.Raw)
	}
	s = e.must(200, get("salaries?groupBy=skill&currency=EUR"))
	var rust map[string]any
	for _, it := range s.Body["groups"].([]any) {
		if g := it.(map[string]any); g["key"] == "rust" {
			rust = g
		}
	}
	if rust == nil || rust["suppressed"] != true || rust["p50"] != nil || rust["n"] != float64(4) {
		t.Errorf("the 4 Rust salaries, suppressed: %v in %s", rust, s.Raw)
	}
	// CSV, by Accept header and by format=csv.
	for _, r := range []resp{e.do("GET", "/api/v1/market/demand?kind=group", "", nil, "Accept", "text/csv"), get("demand?kind=group&format=csv")} {
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Raw)
		}
		rows, err := csv.NewReader(strings.NewReader(string(r.Raw))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("csv rows: %v %q", err, r.Raw)
		}
	}
	// Claims: both, with their definitions.
	cl := e.must(200, e.do("GET", "/api/v1/market/claims", "", nil))
	if !strings.Contains(string(cl.Raw), "backend-cloud") || !strings.Contains(string(cl.Raw), "rest-or-graphql") || !strings.Contains(string(cl.Raw), "definition") {
		t.Errorf("claims: %s", cl.Raw)
	}
	tr := e.must(200, get("trends?of=go,rust&interval=week"))
	if n := len(tr.Body["series"].([]any)); n != 2 {
		t.Errorf("trends: %s", tr.Raw)
	}

	// Hiring times: bob applies; alice answers and hires.
	pb := profileBody("Bob")
	pb["countries"] = []string{"DE"}
	pb["timeZone"] = "Europe/Berlin"
	prof := e.must(201, e.do("POST", "/api/v1/profiles", "bob", pb))
	profID := prof.Body["id"].(string)
	app := e.must(201, e.do("POST", "/api/v1/jobs/"+jobIDs[1]+"/applications", "bob", map[string]any{"profileId": profID}))
	appID := app.Body["id"].(string)
	for _, to := range []string{"screening", "interview", "offer"} {
		e.must(200, e.do("POST", "/api/v1/applications/"+appID+"/stage", "alice", map[string]any{"to": to}))
	}
	e.must(200, e.do("POST", "/api/v1/applications/"+appID+"/stage", "alice", map[string]any{"to": "hired", "reasonCode": "offer_accepted"}))
	eventually(t, "hiring times", func() bool {
		h := e.must(200, get("hiring-times?orgId="+orgID)).Body
		return h["timeToFill"].(map[string]any)["n"] == float64(1) && h["response"].(map[string]any)["n"] == float64(1) && h["unfilled"] == float64(11)
	})

	// Skill gaps: Bob knows Go; the postings also require PostgreSQL or
	// Rust. Only Bob may ask.
	gaps := e.must(200, e.do("GET", "/api/v1/profiles/"+profID+"/skill-gaps?currency=EUR", "bob", nil))
	gi := gaps.Body["items"].([]any)
	if gaps.Body["eligible"] != float64(12) || gaps.Body["reachable"] != float64(0) || len(gi) != 2 {
		t.Fatalf("skill gaps: %s", gaps.Raw)
	}
	if g := gi[0].(map[string]any); g["skill"] != "postgresql" || g["unlocks"] != float64(8) || g["after"] != float64(8) {
		t.Errorf("first gap: %v", g)
	}
	if g := gi[1].(map[string]any); g["skill"] != "rust" || g["unlocks"] != float64(4) || g["before"] != float64(8) || g["after"] != float64(12) {
		t.Errorf("second gap: %v", g)
	}
	e.must(404, e.do("GET", "/api/v1/profiles/"+profID+"/skill-gaps", "carol", nil))

	// Every table as CSV, the reference sources' too.
	base := "month,source_month_label,num_comments,points,term,full_term,count,percentage,rank\n" +
		"2024-04,Apr24,400,500,Go,Go/alias[Golang],40,10.0,12\n2024-05,May24,409,549,Go,Go/alias[Golang],45,11.0,10\n"
	if _, err := marketdata.ImportBaseline(context.Background(), e.db, strings.NewReader(base), "hn-test"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"market/demand?", "market/cooccurrence?", "market/salaries?groupBy=seniority&", "market/premiums?",
		"market/trends?of=go&", "market/baseline?of=go&", "market/hiring-times?", "market/claims?", "profiles/" + profID + "/skill-gaps?"} {
		r := e.do("GET", "/api/v1/"+q+"format=csv", "bob", nil)
		rows, err := csv.NewReader(strings.NewReader(string(r.Raw))).ReadAll()
		want := 2 // a header and data
		if strings.HasPrefix(q, "market/premiums") {
			want = 1 // 12 salaries make no stratum with 10 on each side
		}
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || err != nil || len(rows) < want {
			t.Errorf("%s as CSV: %d %s %v %q", q, r.Status, r.Header.Get("Content-Type"), err, r.Raw)
		}
	}
	if r := e.must(200, get("baseline?of=golang&format=csv")); !strings.Contains(string(r.Raw), "2024-05,409,45,0.1100") {
		t.Errorf("baseline CSV: %s", r.Raw)
	}

	// Bad input: problem details naming the parameter.
	for q, field := range map[string]string{
		"demand?country=ZZ":                    "country",
		"demand?skills=no-such-skill":          "skill",
		"salaries?currency=XXX":                "currency",
		"salaries?source=survey&open=true":     "source",
		"trends?period=2026-13":                "period",
		"demand?from=2026-05-01&to=2026-04-01": "from",
	} {
		r := get(q)
		if (r.Status != 400 && r.Status != 422) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(r.Raw), field) {
			t.Errorf("%s: %d %s %s", q, r.Status, r.Header.Get("Content-Type"), r.Raw)
		}
	}
}
