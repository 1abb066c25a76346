package rest_test

import (
	"net/url"
	"testing"
	"time"
)

// eventually polls fn until it returns true (the search index follows the
// store asynchronously) or fails after a generous deadline.
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSearchMatchesAndCandidatesOverREST(t *testing.T) {
	e := newEnv(t)
	orgID, jobID := e.setup()
	search := func(q string) resp { return e.do("GET", "/api/v1/jobs/search?"+q, "", nil) }

	// Anonymous search finds the published posting, through the skill the
	// word names, a typo and a prefix.
	for _, q := range []string{"q=golang", "q=distribted+systems", "q=build+distrib", "skillsAll=go,postgresql&country=DE", "region=EU&minSalary=100000&currency=EUR"} {
		eventually(t, q, func() bool {
			r := e.must(200, search(q))
			hits, _ := r.Body["hits"].([]any)
			return len(hits) == 1 && hits[0].(map[string]any)["job"].(map[string]any)["id"] == jobID
		})
	}
	// Filters that exclude it.
	for _, q := range []string{"q=haskell", "country=US", "minSalary=200000&currency=EUR", "seniority=junior", "timeZone=America/Los_Angeles&minOverlapHours=4"} {
		r := e.must(200, search(q))
		if r.Body["total"] != float64(0) {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	// Facets and the hit's salary in the viewer's currency.
	r := e.must(200, search("q=go&facets=true&currency=USD"))
	facets := r.Body["facets"].(map[string]any)
	if len(facets["skills"].([]any)) != 3 || len(facets["salaryBands"].([]any)) == 0 {
		t.Errorf("facets: %s", r.Raw)
	}
	hit := r.Body["hits"].([]any)[0].(map[string]any)
	if sal := hit["salary"].(map[string]any); sal["currency"] != "USD" || sal["max"].(float64) <= 160000 {
		t.Errorf("salary in USD: %v", sal)
	}
	// Bad input: problem+json naming the field.
	for _, q := range []string{"country=ZZ", "skillsAll=nonsense-skill", "sort=random", "cursor=%21%21", "timeZone=Mars/Base&minOverlapHours=2"} {
		res := search(q)
		if res.Status != 422 && res.Status != 400 {
			t.Errorf("%s: status %d %s", q, res.Status, res.Raw)
		}
	}

	// Closing the posting removes it from results at once.
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/close", "alice", map[string]any{"reason": "filled"}))
	eventually(t, "closed posting leaves", func() bool { return e.must(200, search("q=golang")).Body["total"] == float64(0) })

	// Matching: bob's profile against a new posting.
	job2 := e.must(201, e.do("POST", "/api/v1/orgs/"+orgID+"/jobs", "alice", jobBody("Backend Engineer (SQL)")))
	job2ID := job2.Body["id"].(string)
	e.must(200, e.do("POST", "/api/v1/jobs/"+job2ID+"/publish", "alice", nil))
	pb := profileBody("Bob")
	pb["skills"] = []map[string]any{{"skill": "go", "level": 4, "years": 6}, {"skill": "mysql", "level": 3, "years": 3}}
	pb["visibility"] = "employers"
	prof := e.must(201, e.do("POST", "/api/v1/profiles", "bob", pb))
	profID := prof.Body["id"].(string)
	var match map[string]any
	eventually(t, "profile matches", func() bool {
		r := e.must(200, e.do("GET", "/api/v1/profiles/"+profID+"/matches?currency=EUR", "bob", nil))
		items := r.Body["items"].([]any)
		if len(items) == 1 {
			match = items[0].(map[string]any)
		}
		return len(items) == 1
	})
	if match["job"].(map[string]any)["id"] != job2ID {
		t.Fatalf("match: %v", match)
	}
	x := match["explanation"].(map[string]any)
	if x["eligible"].([]any)[0] != "open to PT through EU" {
		t.Errorf("eligible: %v", x["eligible"])
	}
	missing := map[string]bool{}
	for _, m := range x["missing"].([]any) {
		missing[m.(map[string]any)["skill"].(string)] = true
	}
	if !missing["kubernetes"] || missing["go"] {
		t.Errorf("missing: %v", x["missing"])
	}
	// Lisbon 09:00–17:00 against Berlin's 09:00–17:00: 7 hours.
	if x["overlapHours"] != float64(7) {
		t.Errorf("overlap: %v", x["overlapHours"])
	}
	if s := x["salary"].(map[string]any); s["fit"] != "meets" || s["floor"].(map[string]any)["min"] != float64(90000) {
		t.Errorf("salary: %v", s)
	}
	// Paging and the viewer's currency reach the matcher.
	r2 := e.must(200, e.do("GET", "/api/v1/profiles/"+profID+"/matches?limit=1&currency=USD", "bob", nil))
	if items := r2.Body["items"].([]any); len(items) != 1 {
		t.Fatalf("limit=1: %d items", len(items))
	} else if fl := items[0].(map[string]any)["explanation"].(map[string]any)["salary"].(map[string]any)["floor"].(map[string]any); fl["currency"] != "USD" {
		t.Errorf("currency=USD: floor %v", fl)
	}
	e.problem(e.do("GET", "/api/v1/profiles/"+profID+"/matches?cursor=bm9wZQ", "bob", nil), 422, "invalid")
	// Someone else cannot see bob's matches; anonymous must sign in.
	e.problem(e.do("GET", "/api/v1/profiles/"+profID+"/matches", "mallory", nil), 404, "not_found")
	e.problem(e.do("GET", "/api/v1/profiles/"+profID+"/matches", "", nil), 401, "unauthorized")

	// The employer's shortlist for the posting explains bob.
	var cands []any
	eventually(t, "candidates", func() bool {
		r := e.must(200, e.do("GET", "/api/v1/jobs/"+job2ID+"/candidates", "alice", nil))
		cands = r.Body["items"].([]any)
		return len(cands) == 1
	})
	c := cands[0].(map[string]any)
	if c["profileId"] != profID || c["profile"].(map[string]any)["displayName"] != "Bob" {
		t.Fatalf("candidate: %v", c)
	}
	e.problem(e.do("GET", "/api/v1/jobs/"+job2ID+"/candidates", "mallory", nil), 404, "not_found")
	_ = url.QueryEscape
}
