package rest_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestImportEndpoint(t *testing.T) {
	e := newEnv(t)
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Acme Remote"}))
	orgID := org.Body["id"].(string)
	csv := "title,location,salary,description\n" +
		"Senior Go Engineer,Remote (EU),€80k-€100k,\"Go, PostgreSQL and Kafka. Nice to have: Terraform\"\n" +
		",Remote,,missing title\n" +
		"Platform Engineer,\"Berlin, Germany (onsite)\",,Kubernetes and AWS\n"
	path := "/api/v1/imports?orgId=" + orgID + "&format=csv"
	r := e.must(200, e.do("POST", path, "alice", csv, "Content-Type", "text/csv"))
	if r.Body["created"] != float64(2) || r.Body["rejected"] != float64(1) {
		t.Fatalf("report: %s", r.Raw)
	}
	rej := r.Body["rejections"].([]any)[0].(map[string]any)
	if rej["line"] != float64(3) || !strings.Contains(rej["reason"].(string), "title") {
		t.Errorf("rejection: %v", rej)
	}
	// The postings are published, with extracted skills, straight away.
	list := e.must(200, e.do("GET", "/api/v1/jobs?orgId="+orgID+"&skill=go", "", nil))
	items := list.Body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["title"] != "Senior Go Engineer" {
		t.Fatalf("jobs with skill go: %s", list.Raw)
	}
	// Again: nothing new.
	r = e.must(200, e.do("POST", path, "alice", csv, "Content-Type", "text/csv"))
	if r.Body["created"] != float64(0) || r.Body["unchanged"] != float64(2) {
		t.Fatalf("second import: %s", r.Raw)
	}
	// A stranger gets 404 for the organization, an unknown format 422, a
	// broken file a report of what was read.
	e.problem(e.do("POST", path, "mallory", csv, "Content-Type", "text/csv"), 404, "not_found")
	e.problem(e.do("POST", "/api/v1/imports?orgId="+orgID+"&format=xml", "alice", csv), 422, "invalid")
	e.problem(e.do("POST", "/api/v1/imports?orgId="+orgID+"&format=csv&map="+url.QueryEscape("title"), "alice", csv), 422, "invalid")
}

func TestSkillsEndpoints(t *testing.T) {
	e := newEnv(t)
	r := e.must(200, e.do("POST", "/api/v1/skills/extract", "", map[string]any{
		"text": "Requirements:\n- Go and PostgreSQL\n\nNice to have:\n- Terraform\n\nGo-to-market team is separate.",
	}))
	got := map[string]string{}
	for _, s := range r.Body["skills"].([]any) {
		m := s.(map[string]any)
		got[m["id"].(string)] = m["requirement"].(string)
		spans := m["spans"].([]any)
		if len(spans) == 0 {
			t.Errorf("%v has no spans", m)
		}
	}
	if got["go"] != "required" || got["postgresql"] != "required" || got["terraform"] != "nice_to_have" || len(got) != 3 {
		t.Errorf("extracted %v", got)
	}
	tax := e.must(200, e.do("GET", "/api/v1/skills?group=cloud", "", nil))
	skills := tax.Body["skills"].([]any)
	if len(skills) < 50 {
		t.Errorf("cloud group has %d skills", len(skills))
	}
	for _, s := range skills {
		if !strings.Contains(fmtAny(s.(map[string]any)["groups"]), "cloud") {
			t.Errorf("%v listed in the cloud group", s)
		}
	}
	// Unknown skills are refused by name when a posting lists them.
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Acme"}))
	body := jobBody("Backend Engineer")
	body["skills"] = []map[string]any{{"skill": "golang"}, {"skill": "Postgres"}, {"skill": "underwater-basket-weaving"}}
	e.problem(e.do("POST", "/api/v1/orgs/"+org.Body["id"].(string)+"/jobs", "alice", body), 422, "invalid")
	body["skills"] = []map[string]any{{"skill": "golang", "required": true}, {"skill": "Postgres"}, {"skill": "go"}}
	j := e.must(201, e.do("POST", "/api/v1/orgs/"+org.Body["id"].(string)+"/jobs", "alice", body))
	ids := []string{}
	for _, s := range j.Body["skills"].([]any) {
		ids = append(ids, s.(map[string]any)["skill"].(string))
	}
	if strings.Join(ids, ",") != "go,postgresql" {
		t.Errorf("canonical skills = %v", ids)
	}
	// A posting with no skills gets those its text names.
	body["skills"] = nil
	body["description"] = "You will run Kubernetes on AWS with Terraform."
	j = e.must(201, e.do("POST", "/api/v1/orgs/"+org.Body["id"].(string)+"/jobs", "alice", body))
	if n := len(j.Body["skills"].([]any)); n < 3 {
		t.Errorf("extracted skills: %s", j.Raw)
	}
}

func fmtAny(v any) string {
	xs, _ := v.([]any)
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(x.(string) + " ")
	}
	return b.String()
}
