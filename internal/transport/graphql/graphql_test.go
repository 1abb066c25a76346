package graphql_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestQueriesAndMutationsEndToEnd(t *testing.T) {
	s := newStack(t, stackOptions{})
	orgID := s.org(t, "alice", "Acme Remote")
	d := s.ok(t, "alice", draftJob, map[string]any{"org": orgID, "in": jobInput("Senior Go Engineer")})
	jobID := str(d, "draftJob", "id")
	if str(d, "draftJob", "status") != "draft" || str(d, "draftJob", "orgName") != "Acme Remote" {
		t.Fatalf("draft: %v", d)
	}
	if html := str(d, "draftJob", "descriptionHtml"); strings.Contains(html, "<script") || !strings.Contains(html, "<strong>distributed</strong>") {
		t.Fatalf("description not rendered and sanitized: %q", html)
	}
	// Drafts are not there for anonymous readers and other tenants.
	s.fails(t, "", `query($id: ID!) { job(id: $id) { id } }`, map[string]any{"id": jobID}, "not_found")
	s.fails(t, "mallory", `query($id: ID!) { job(id: $id) { id } }`, map[string]any{"id": jobID}, "not_found")
	// A stale expectedVersion is a conflict; the right one publishes.
	s.fails(t, "alice", publishJob, map[string]any{"id": jobID, "v": 7}, "conflict")
	p := s.ok(t, "alice", publishJob, map[string]any{"id": jobID, "v": 1})
	if str(p, "publishJob", "status") != "published" || get(p, "publishJob", "version") != float64(2) {
		t.Fatalf("publish: %v", p)
	}
	list := s.ok(t, "", `{ jobs(filter: {skills: ["go"]}) { items { id organization { name } } nextCursor } }`, nil)
	if str(list, "jobs", "items", 0, "id") != jobID || str(list, "jobs", "items", 0, "organization", "name") != "Acme Remote" {
		t.Fatalf("jobs: %v", list)
	}
	// Members: the organization's members only.
	m := s.ok(t, "alice", `query($id: ID!) { organization(id: $id) { name members { userId role } } }`, map[string]any{"id": orgID})
	if str(m, "organization", "members", 0, "userId") != "alice" || str(m, "organization", "members", 0, "role") != "owner" {
		t.Fatalf("members: %v", m)
	}
	r := s.fails(t, "mallory", `query($id: ID!) { organization(id: $id) { name members { userId } } }`, map[string]any{"id": orgID}, "not_found")
	if str(r.Data, "organization", "name") != "Acme Remote" || get(r.Data, "organization", "members") != nil {
		t.Fatalf("an outsider sees the organization but not its members: %s", r.Raw)
	}
	// A candidate applies; the organization sees the application with its
	// profile, the candidate withdraws it.
	profID := s.profile(t, "bob", "Bob", "private")
	appID := s.apply(t, "bob", jobID, profID)
	s.fails(t, "bob", applyTo, map[string]any{"job": jobID, "prof": profID}, "conflict")
	const apps = `query($org: ID) { applications(organizationId: $org) { items { id stage candidateId job { title organization { name } } profile { displayName } } } }`
	a := s.ok(t, "alice", apps, map[string]any{"org": orgID})
	if str(a, "applications", "items", 0, "id") != appID || str(a, "applications", "items", 0, "profile", "displayName") != "Bob" ||
		str(a, "applications", "items", 0, "job", "organization", "name") != "Acme Remote" {
		t.Fatalf("organization's applications: %v", a)
	}
	s.fails(t, "mallory", apps, map[string]any{"org": orgID}, "not_found")
	mine := s.ok(t, "bob", apps, nil)
	if str(mine, "applications", "items", 0, "id") != appID {
		t.Fatalf("candidate's applications: %v", mine)
	}
	const move = `mutation($id: ID!, $to: String!, $reason: String, $v: Int) { moveApplication(id: $id, to: $to, reasonCode: $reason, expectedVersion: $v) { stage version nextStages } }`
	s.fails(t, "bob", move, map[string]any{"id": appID, "to": "screening"}, "forbidden")
	s.fails(t, "mallory", move, map[string]any{"id": appID, "to": "screening"}, "not_found")
	mv := s.ok(t, "alice", move, map[string]any{"id": appID, "to": "screening", "v": 1})
	if str(mv, "moveApplication", "stage") != "screening" {
		t.Fatalf("move: %v", mv)
	}
	s.ok(t, "bob", move, map[string]any{"id": appID, "to": "withdrawn", "reason": "accepted_other_offer"})
	// Closing, updating with a stale version, profiles.
	s.fails(t, "alice", `mutation($id: ID!, $in: JobInput!) { updateJob(id: $id, input: $in, expectedVersion: 1) { id } }`,
		map[string]any{"id": jobID, "in": jobInput("Staff Go Engineer")}, "conflict")
	u := s.ok(t, "alice", `mutation($id: ID!, $in: JobInput!) { updateJob(id: $id, input: $in, expectedVersion: 2) { title version } }`,
		map[string]any{"id": jobID, "in": jobInput("Staff Go Engineer")})
	if str(u, "updateJob", "title") != "Staff Go Engineer" {
		t.Fatalf("update: %v", u)
	}
	c := s.ok(t, "alice", `mutation($id: ID!) { closeJob(id: $id, reason: "filled") { status closeReason } }`, map[string]any{"id": jobID})
	if str(c, "closeJob", "status") != "closed" {
		t.Fatalf("close: %v", c)
	}
	pr := s.ok(t, "bob", `{ myProfiles { items { id displayName skills { skill level years } } } }`, nil)
	if str(pr, "myProfiles", "items", 0, "id") != profID {
		t.Fatalf("my profiles: %v", pr)
	}
	s.fails(t, "mallory", `query($id: ID!) { profile(id: $id) { id } }`, map[string]any{"id": profID}, "not_found")
	up := s.ok(t, "bob", `mutation($id: ID!, $in: ProfileInput!) { updateProfile(id: $id, input: $in, expectedVersion: 1) { displayName version } }`,
		map[string]any{"id": profID, "in": profileInput("Robert")})
	if str(up, "updateProfile", "displayName") != "Robert" {
		t.Fatalf("update profile: %v", up)
	}
	// Saved searches are the person's own.
	ss := s.ok(t, "bob", `mutation { createSavedSearch(input: {name: "Go", query: {text: "go", skillsAll: ["go"]}, alert: "instant"}) { id name alert query { text skillsAll } version } }`, nil)
	ssID := str(ss, "createSavedSearch", "id")
	if str(ss, "createSavedSearch", "query", "text") != "go" {
		t.Fatalf("saved search: %v", ss)
	}
	if l := s.ok(t, "mallory", `{ savedSearches { items { id } } }`, nil); len(get(l, "savedSearches", "items").([]any)) != 0 {
		t.Fatalf("another person's saved searches: %v", l)
	}
	s.fails(t, "mallory", `mutation($id: ID!) { deleteSavedSearch(id: $id) }`, map[string]any{"id": ssID}, "not_found")
	if del := s.ok(t, "bob", `mutation($id: ID!) { deleteSavedSearch(id: $id, expectedVersion: 1) }`, map[string]any{"id": ssID}); str(del, "deleteSavedSearch") != ssID {
		t.Fatalf("delete saved search: %v", del)
	}
	s.ok(t, "bob", `{ notifications { items { id } nextCursor } }`, nil)
	// Search, matching and market figures.
	j2 := s.job(t, "alice", orgID, "Go Platform Engineer", true)
	waitFor(t, func() bool {
		d := s.ok(t, "", `{ searchJobs(query: {text: "platform"}, facets: true) { total hits { job { id } score } facets { skills { value count } } } }`, nil)
		return str(d, "searchJobs", "hits", 0, "job", "id") == j2
	})
	mt := s.ok(t, "bob", `query($p: ID!) { matches(profileId: $p) { items { job { id } score explanation { eligible matched { skill } components { name value } salary { fit } } } } }`, map[string]any{"p": profID})
	_ = mt
	s.fails(t, "mallory", `query($p: ID!) { matches(profileId: $p) { items { score } } }`, map[string]any{"p": profID}, "not_found")
	mk := s.ok(t, "", `{ market(filter: {open: true}) { demand(limit: 5) { n items { key share } } salaries { currency groups { key n } } trends(skills: ["go"]) { series { key points { n } } } claims { id } hiringTimes { applications } } }`, nil)
	if get(mk, "market", "demand", "n") == nil {
		t.Fatalf("market: %v", mk)
	}
	s.fails(t, "", `{ market(filter: {period: "2026", from: "2026-01-01"}) { claims { id } } }`, nil, "invalid")
}

// waitFor polls cond until it holds (the search index and market model
// follow the store asynchronously); it fails the test after 10s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestErrorsCarryCodes(t *testing.T) {
	s := newStack(t, stackOptions{})
	s.fails(t, "", createOrg, map[string]any{"in": map[string]any{"name": "Acme"}}, "unauthorized")
	s.fails(t, "alice", createOrg, map[string]any{"in": map[string]any{"name": ""}}, "invalid")
	s.fails(t, "", `{ job(id: "0190aaaa-0000-7000-8000-000000000000") { id } }`, nil, "not_found")
	s.fails(t, "", `{ jobs(after: "nonsense") { items { id } } }`, nil, "invalid")
	// gqlgen's own errors get a code too.
	r := s.fails(t, "", `{ nope }`, nil, "GRAPHQL_VALIDATION_FAILED")
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("validation error status %d", r.Status)
	}
	s.fails(t, "", `{ job(id: 5 }`, nil, "GRAPHQL_PARSE_FAILED")
	// Internal details never leak.
	for _, e := range r.Errors {
		if strings.Contains(e.Message, "sqlite") {
			t.Fatalf("leaked: %v", e)
		}
	}
}

func TestGETRunsQueriesOnly(t *testing.T) {
	s := newStack(t, stackOptions{})
	q := url.Values{"query": {`{ organizations { items { id } } }`}}
	res, err := http.Get(s.srv.URL + "/graphql?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET query: %d", res.StatusCode)
	}
	m := url.Values{"query": {`mutation { createOrganization(input: {name: "X"}) { id } }`}}
	req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/graphql?"+m.Encode(), nil)
	req.Header.Set("X-Test-User", "alice")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Fatal("a mutation ran over GET")
	}
	gi, err := http.Get(s.srv.URL + "/graphiql")
	if err != nil {
		t.Fatal(err)
	}
	gi.Body.Close()
	if gi.StatusCode != http.StatusOK || !strings.HasPrefix(gi.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("graphiql: %d %s", gi.StatusCode, gi.Header.Get("Content-Type"))
	}
}

func TestDepthAndCostLimits(t *testing.T) {
	s := newStack(t, stackOptions{})
	deep := `{ applications { items { job { organization { members { userId } } } } } }` // depth 6
	s.ok(t, "alice", deep, nil)
	tooDeep := "{ applications { items { job { organization { name } } } } }"
	// Fragments count where they are spread.
	nested := `fragment J on Job { organization { members { orgId } } }
		query { jobs { items { ...J } } applications { items { job { ...J } } } }`
	s.ok(t, "alice", nested, nil)
	lim := newStack(t, stackOptions{cfg: graphqlConfig(4, 0)})
	r := lim.fails(t, "alice", tooDeep, nil, "DEPTH_LIMIT_EXCEEDED")
	if !strings.Contains(r.Errors[0].Message, "depth 5") || r.Data != nil {
		t.Fatalf("too deep: %d %s", r.Status, r.Raw)
	}
	lim.fails(t, "alice", nested, nil, "DEPTH_LIMIT_EXCEEDED")
	// Lists cost their first times their items.
	cheap := `{ jobs(first: 10) { items { id title } } }`
	costly := `{ jobs(first: 100) { items { id title organization { name members { userId role } } } } }`
	s.ok(t, "", cheap, nil)
	r = s.fails(t, "", costly, nil, "COMPLEXITY_LIMIT_EXCEEDED")
	if !strings.Contains(r.Errors[0].Message, "exceeds the limit of 2000") {
		t.Fatalf("cost: %s", r.Raw)
	}
	// Aliases do not escape the cost.
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		fmt.Fprintf(&b, " a%d: jobs(first: 20) { items { id title } }", i)
	}
	b.WriteString(" }")
	s.fails(t, "", b.String(), nil, "COMPLEXITY_LIMIT_EXCEEDED")
	// Introspection is allowed whatever its depth.
	intro := lim.ok(t, "", `{ __schema { types { name fields { name type { name kind ofType { name kind ofType { name kind ofType { name } } } } } } } }`, nil)
	if get(intro, "__schema", "types") == nil {
		t.Fatal("no introspection")
	}
}
