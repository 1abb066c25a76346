package rest_test

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/transport/rest"
)

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

type rssFeed struct {
	XMLName xml.Name `xml:"rss"`
	Channel struct {
		Title string `xml:"title"`
		Items []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  string `xml:"guid"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestSavedSearchesAndFeeds(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, rest.Config{DevAuth: true, PublicURL: "https://meridian.example/"})
	e := &env{t: t, srv: srv, db: st.db}
	settle := func() {
		t.Helper()
		head, err := st.db.Head(st.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(st.ctx, 10*time.Second)
		defer cancel()
		if err := st.alerts.WaitFor(ctx, head); err != nil {
			t.Fatal(err)
		}
	}

	created := e.must(201, e.do("POST", "/api/v1/saved-searches", "dev-1", map[string]any{
		"name": "Go jobs in Europe", "query": map[string]any{"skillsAll": []string{"go"}, "region": "EU"},
	}))
	id, _ := created.Body["id"].(string)
	token, _ := created.Body["feedToken"].(string)
	atomPath, _ := created.Body["feedAtom"].(string)
	rssPath, _ := created.Body["feedRss"].(string)
	if id == "" || token == "" || created.Header.Get("ETag") != `"1"` || created.Header.Get("Location") != "/api/v1/saved-searches/"+id ||
		created.Body["alert"] != "instant" || atomPath != "/api/v1/saved-searches/"+id+"/feed.atom?token="+token || !strings.HasSuffix(rssPath, "/feed.rss?token="+token) {
		t.Fatalf("created: %v %s", created.Header, created.Raw)
	}
	e.problem(e.do("POST", "/api/v1/saved-searches", "dev-1", map[string]any{"name": "bad", "query": map[string]any{"country": "XX"}}), 422, "invalid")

	_, jobID := e.setup() // a published Go posting open to the EU
	settle()

	// The Atom feed, read without credentials.
	res := e.must(200, e.do("GET", atomPath, "", nil))
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Atom content type %q", ct)
	}
	var atom atomFeed
	if err := xml.Unmarshal(res.Raw, &atom); err != nil {
		t.Fatalf("parse Atom: %v\n%s", err, res.Raw)
	}
	if atom.Title != "Meridian: Go jobs in Europe" || len(atom.Entries) != 1 {
		t.Fatalf("Atom feed %+v", atom)
	}
	entry := atom.Entries[0]
	if entry.Link.Href != "https://meridian.example/jobs/"+jobID || entry.Title != "Senior Go Engineer at Acme Remote" || entry.ID == "" || entry.Updated == "" {
		t.Errorf("Atom entry %+v", entry)
	}

	// The RSS feed.
	res = e.must(200, e.do("GET", rssPath, "", nil))
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
		t.Errorf("RSS content type %q", ct)
	}
	var rss rssFeed
	if err := xml.Unmarshal(res.Raw, &rss); err != nil {
		t.Fatalf("parse RSS: %v\n%s", err, res.Raw)
	}
	if len(rss.Channel.Items) != 1 || rss.Channel.Items[0].Link != "https://meridian.example/jobs/"+jobID {
		t.Errorf("RSS feed %+v", rss)
	}

	// A wrong token is the not_found of a missing saved search.
	e.problem(e.do("GET", "/api/v1/saved-searches/"+id+"/feed.atom?token=nope", "", nil), 404, "not_found")
	e.problem(e.do("GET", "/api/v1/saved-searches/"+id+"/feed.rss", "", nil), 404, "not_found")

	// Notifications: listed, then marked read.
	list := e.must(200, e.do("GET", "/api/v1/notifications", "dev-1", nil))
	items, _ := list.Body["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("notifications: %s", list.Raw)
	}
	n := items[0].(map[string]any)
	if n["jobId"] != jobID || n["savedSearchId"] != id || n["savedSearchName"] != "Go jobs in Europe" || n["readAt"] != nil {
		t.Errorf("notification %v", n)
	}
	e.must(200, e.do("GET", "/api/v1/notifications", "bob", nil))
	if other := e.do("GET", "/api/v1/notifications", "bob", nil); strings.Contains(string(other.Raw), jobID) {
		t.Errorf("bob sees dev-1's notifications: %s", other.Raw)
	}
	e.must(204, e.do("POST", "/api/v1/notifications/read", "dev-1", map[string]any{"all": true}))
	list = e.must(200, e.do("GET", "/api/v1/notifications", "dev-1", nil))
	if items, _ := list.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["readAt"] == nil {
		t.Errorf("after marking read: %s", list.Raw)
	}

	// Someone else's saved search does not exist for them.
	path := "/api/v1/saved-searches/" + id
	e.problem(e.do("GET", path, "bob", nil), 404, "not_found")
	e.problem(e.do("PATCH", path, "bob", map[string]any{"name": "mine"}, "Content-Type", "application/merge-patch+json"), 404, "not_found")
	e.problem(e.do("DELETE", path, "bob", nil), 404, "not_found")
	e.problem(e.do("GET", path, "anonymous", nil), 401, "unauthorized")

	// Patch: rename and rotate the token; the old feed URL stops working.
	e.problem(e.do("PATCH", path, "dev-1", map[string]any{"name": "x"}, "Content-Type", "application/merge-patch+json", "If-Match", `"9"`), 409, "conflict")
	patched := e.must(200, e.do("PATCH", path, "dev-1", map[string]any{"name": "Go, EU", "rotateFeedToken": true}, "Content-Type", "application/merge-patch+json", "If-Match", `"1"`))
	q, _ := patched.Body["query"].(map[string]any)
	if patched.Body["name"] != "Go, EU" || patched.Body["feedToken"] == token || patched.Header.Get("ETag") != `"2"` || q["region"] != "EU" {
		t.Errorf("patched: %s", patched.Raw)
	}
	e.problem(e.do("GET", atomPath, "", nil), 404, "not_found")
	e.must(200, e.do("GET", patched.Body["feedAtom"].(string), "", nil))

	listed := e.must(200, e.do("GET", "/api/v1/saved-searches", "dev-1", nil))
	if items, _ := listed.Body["items"].([]any); len(items) != 1 {
		t.Errorf("list: %s", listed.Raw)
	}
	e.must(204, e.do("DELETE", path, "dev-1", nil))
	e.problem(e.do("GET", path, "dev-1", nil), 404, "not_found")
	e.problem(e.do("GET", patched.Body["feedAtom"].(string), "", nil), 404, "not_found")
}
