package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

func meAs(id string) context.Context {
	return meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: id})
}

// meProfiles is what the person's profiles are now.
func meProfiles(t *testing.T, s *stack, user string) []readmodel.Profile {
	t.Helper()
	page, err := s.app.Profiles(meAs(user), true, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// meA11y checks a page's basics: one h1, a label for every field, no
// inline style or script, the sub-navigation marking the current page.
func meA11y(t *testing.T, path, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	labels, fields := map[string]bool{}, map[string]string{}
	h1 := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			if _, ok := a["style"]; ok {
				t.Errorf("%s: inline style on <%s>", path, n.Data)
			}
			switch n.Data {
			case "h1":
				h1++
			case "label":
				labels[a["for"]] = true
			case "input", "select", "textarea":
				if a["type"] != "hidden" && a["type"] != "submit" {
					fields[a["id"]] = n.Data
				}
			case "script":
				if a["src"] == "" && a["type"] != "application/ld+json" {
					t.Errorf("%s: inline script", path)
				}
			case "button":
				if strings.TrimSpace(textOf(n)) == "" {
					t.Errorf("%s: a button without text", path)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if h1 != 1 {
		t.Errorf("%s: %d h1 elements", path, h1)
	}
	for id, tag := range fields {
		if id == "" || !labels[id] {
			t.Errorf("%s: <%s id=%q> has no label", path, tag, id)
		}
	}
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// upload posts a multipart form with one file, as the person.
func (s *stack) meUpload(t *testing.T, user, path, field, name string, content []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("json", ""); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return s.send(t, user, http.MethodPost, path, mw.FormDataContentType(), &buf)
}

// flash is the message a redirect carries to the next page.
func meFlash(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "meridian_flash" {
			v, _ := url.QueryUnescape(c.Value)
			return v
		}
	}
	return ""
}

func meWantRedirect(t *testing.T, what string, resp *http.Response, body, to string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != to {
		t.Fatalf("%s: %d to %q, want 303 to %s\n%s", what, resp.StatusCode, resp.Header.Get("Location"), to, body)
	}
}

func meProfileValues(v map[string]string) url.Values {
	f := url.Values{"displayName": {"Ada Lovelace"}, "headline": {"Senior backend engineer"}, "summary": {"I build services in Go on PostgreSQL."},
		"skills": {"Go:4:6, PostgreSQL:3"}, "countries": {"PT"}, "timeZone": {"Europe/Lisbon"}, "workStart": {"09:00"}, "workEnd": {"17:00"},
		"seniority": {"senior"}, "salaryMin": {"90,000"}, "currency": {"EUR"}, "period": {"year"}, "visibility": {"employers"}}
	for k, x := range v {
		f.Set(k, x)
	}
	return f
}

func TestDeveloperPagesNeedAPerson(t *testing.T) {
	s := newStack(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/me"}, {"GET", "/me/profile"}, {"GET", "/me/matches"}, {"GET", "/me/applications"}, {"GET", "/me/saved-searches"},
		{"GET", "/me/skills"}, {"GET", "/me/export"}, {"POST", "/me/profile"}, {"POST", "/me/profile/import"}, {"POST", "/me/saved-searches"},
		{"POST", "/jobs/" + meridian.NewID() + "/apply"}, {"POST", "/me/applications/" + meridian.NewID() + "/withdraw"},
		{"POST", "/me/saved-searches/" + meridian.NewID()}, {"POST", "/me/saved-searches/" + meridian.NewID() + "/delete"},
	} {
		var form url.Values
		if c.method == "POST" {
			form = url.Values{"x": {"1"}}
		}
		resp, body := s.as(t, "", c.method, c.path, form)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `action="/signin"`) || !strings.Contains(body, `name="return_to"`) {
			t.Errorf("anonymous %s %s: %d\n%s", c.method, c.path, resp.StatusCode, body)
		}
	}
}

func TestProfileEditor(t *testing.T) {
	s := newStack(t)
	const dev = "dev-1"

	// No profile yet: the page offers to create one, and every /me page says so.
	resp, body := s.as(t, dev, "GET", "/me/profile", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Create your profile") || !strings.Contains(body, `action="/me/profile/import"`) ||
		!strings.Contains(body, `data-preview="/skills/preview"`) || !strings.Contains(body, `href="/me/profile" aria-current="page"`) {
		t.Fatalf("empty profile page: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "/me/profile", body)
	if _, body := s.as(t, dev, "GET", "/me/matches", nil); !strings.Contains(body, "No profile yet") || !strings.Contains(body, `href="/me/profile"`) {
		t.Errorf("matches without a profile:\n%s", body)
	}

	// A bad field: 422, the message next to the field, nothing stored.
	resp, body = s.as(t, dev, "POST", "/me/profile", meProfileValues(map[string]string{"timeZone": "Mars/Olympus"}))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="profile-timezone-error"`) ||
		!strings.Contains(body, "Mars/Olympus") || !strings.Contains(body, `href="#profile-timezone"`) || !strings.Contains(body, `value="Ada Lovelace"`) {
		t.Fatalf("bad time zone: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "POST /me/profile (422)", body)
	for _, bad := range []map[string]string{{"skills": "Go:9"}, {"skills": "Klingon:3"}, {"countries": "XX"}, {"salaryMin": "lots"}} {
		resp, body := s.as(t, dev, "POST", "/me/profile", meProfileValues(bad))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="me-error"`) {
			t.Errorf("%v: %d\n%s", bad, resp.StatusCode, body)
		}
	}
	if got := meProfiles(t, s, dev); len(got) != 0 {
		t.Fatalf("a refused form stored a profile: %+v", got)
	}

	// Create.
	resp, body = s.as(t, dev, "POST", "/me/profile", meProfileValues(nil))
	meWantRedirect(t, "create", resp, body, "/me/matches")
	got := meProfiles(t, s, dev)
	if len(got) != 1 {
		t.Fatalf("%d profiles", len(got))
	}
	p := got[0]
	if p.DisplayName != "Ada Lovelace" || p.Visibility != "employers" || len(p.Skills) != 2 || p.Skills[0].Skill != "go" || p.Skills[0].Level != 4 ||
		p.Skills[0].Years != 6 || p.SalaryFloor == nil || p.SalaryFloor.Min != 9000000 || p.SalaryFloor.Currency != "EUR" || p.TimeZone != "Europe/Lisbon" {
		t.Fatalf("stored profile: %+v", p)
	}
	_, body = s.as(t, dev, "GET", "/me/profile", nil)
	for _, want := range []string{`value="Ada Lovelace"`, "Go:4:6, PostgreSQL:3", `value="90000"`, `value="EUR" selected`, `value="senior" selected`,
		`name="version" value="` + strconv.FormatInt(p.Version, 10) + `"`, "Save your profile"} {
		if !strings.Contains(body, want) {
			t.Errorf("profile page lacks %s", want)
		}
	}

	// Update with the version, making it public.
	form := meProfileValues(map[string]string{"headline": "Staff engineer", "visibility": "public", "version": strconv.FormatInt(p.Version, 10)})
	resp, body = s.as(t, dev, "POST", "/me/profile", form)
	meWantRedirect(t, "update", resp, body, "/me/profile")
	if f := meFlash(resp); f != "Your profile is saved." {
		t.Errorf("flash %q", f)
	}
	p2 := meProfiles(t, s, dev)[0]
	if p2.ID != p.ID || p2.Headline != "Staff engineer" || p2.Visibility != "public" {
		t.Fatalf("updated: %+v", p2)
	}

	// A bad update changes nothing; a stale version is a conflict.
	resp, body = s.as(t, dev, "POST", "/me/profile", meProfileValues(map[string]string{"headline": "Changed", "countries": "XX", "visibility": "private", "version": strconv.FormatInt(p2.Version, 10)}))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Countries:") {
		t.Errorf("bad update: %d\n%s", resp.StatusCode, body)
	}
	resp, body = s.as(t, dev, "POST", "/me/profile", meProfileValues(map[string]string{"headline": "Changed", "version": strconv.FormatInt(p.Version, 10)}))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "changed elsewhere") {
		t.Errorf("stale update: %d\n%s", resp.StatusCode, body)
	}
	if p3 := meProfiles(t, s, dev)[0]; p3.Version != p2.Version || p3.Headline != "Staff engineer" || p3.Visibility != "public" {
		t.Errorf("refused updates changed the profile: %+v", p3)
	}
	// Someone else has their own (empty) profile page.
	if _, body := s.as(t, "dev-2", "GET", "/me/profile", nil); strings.Contains(body, "Staff engineer") {
		t.Error("another person sees the profile in their editor")
	}
}

func TestImportMatchApplyWithdraw(t *testing.T) {
	s := newStack(t)
	const dev = "dev-1"
	// A posting the sample résumé (US; HTML, CSS, JavaScript) matches, and one it does not.
	jsJob := s.post(t, domain.JobDetails{Title: "Frontend Platform Engineer", Description: "JavaScript, HTML and CSS at scale.", EmploymentType: "full_time",
		Skills:      []domain.SkillRequirement{{Skill: "javascript", Level: 3, Required: true}, {Skill: "css", Level: 2, Required: true}},
		Eligibility: domain.Eligibility{Worldwide: true}, Salary: &domain.Salary{Min: 9000000, Max: 12000000, Currency: "USD", Period: "year"}}, true)
	s.post(t, goJob("Senior Go Engineer"), true) // EU and GB only

	resume, err := os.ReadFile("../ingest/formats/testdata/jsonresume/sample.resume.json")
	if err != nil {
		t.Fatal(err)
	}
	// A bad file: 422 with the reason, nothing stored.
	resp, body := s.meUpload(t, dev, "/me/profile/import", "resume", "resume.json", []byte(`{"basics": {"label": "no name"}}`))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "basics.name") || !strings.Contains(body, `<h1>Your profile</h1>`) {
		t.Fatalf("bad résumé: %d\n%s", resp.StatusCode, body)
	}
	resp, body = s.as(t, dev, "POST", "/me/profile/import", url.Values{"json": {"this is not JSON"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "this is not JSON") {
		t.Fatalf("pasted garbage: %d\n%s", resp.StatusCode, body)
	}
	if got := meProfiles(t, s, dev); len(got) != 0 {
		t.Fatalf("a bad résumé stored a profile: %+v", got)
	}

	// The real file.
	resp, body = s.meUpload(t, dev, "/me/profile/import", "resume", "sample.resume.json", resume)
	meWantRedirect(t, "import", resp, body, "/me/matches")
	if f := meFlash(resp); !regexp.MustCompile(`imported: \d+ skills? found`).MatchString(f) {
		t.Errorf("flash %q", f)
	}
	got := meProfiles(t, s, dev)
	if len(got) != 1 || got[0].DisplayName != "Richard Hendriks" || !slices.Contains(got[0].Countries, "US") || got[0].TimeZone != "America/New_York" {
		t.Fatalf("imported profile: %+v", got)
	}
	prof := got[0]

	// Matches: the JavaScript posting, explained; not the EU-only one.
	resp, body = s.as(t, dev, "GET", "/me/matches", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `<section id="matches" data-live="jobs.new,me.matches"`) ||
		!strings.Contains(body, `href="/jobs/`+jsJob+`"`) || !strings.Contains(body, "% match") || !strings.Contains(body, "You are eligible") ||
		!strings.Contains(body, "Skills you have") || strings.Contains(body, "Senior Go Engineer") {
		t.Fatalf("matches: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "/me/matches", body)

	// Re-importing the same résumé keeps the one profile.
	resp, body = s.as(t, dev, "POST", "/me/profile/import", url.Values{"json": {string(resume)}})
	meWantRedirect(t, "re-import", resp, body, "/me/matches")
	if got := meProfiles(t, s, dev); len(got) != 1 || got[0].ID != prof.ID {
		t.Fatalf("re-import: %+v", got)
	}

	// The job page offers the apply form to people, sign-in to visitors.
	_, body = s.as(t, dev, "GET", "/jobs/"+jsJob, nil)
	if !strings.Contains(body, `action="/jobs/`+jsJob+`/apply"`) || !strings.Contains(body, `<label for="apply-cover">`) {
		t.Fatalf("job page without the apply form:\n%s", body)
	}
	meA11y(t, "/jobs/{id}", body)
	if _, body := s.get(t, "/jobs/"+jsJob); !strings.Contains(body, "Sign in to apply") || strings.Contains(body, `/apply"`) {
		t.Errorf("visitors' job page:\n%s", body)
	}
	// Without a profile there is nothing to apply with.
	if resp, body := s.as(t, "dev-2", "POST", "/jobs/"+jsJob+"/apply", url.Values{}); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Create your profile first") {
		t.Errorf("apply without a profile: %d\n%s", resp.StatusCode, body)
	}

	resp, body = s.as(t, dev, "POST", "/jobs/"+jsJob+"/apply", url.Values{"coverLetter": {"Hello!"}})
	meWantRedirect(t, "apply", resp, body, "/me/applications")
	if resp, _ := s.as(t, dev, "POST", "/jobs/"+jsJob+"/apply", url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second application: %d", resp.StatusCode)
	}
	resp, body = s.as(t, dev, "GET", "/me/applications", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `<section id="applications" data-live="me.applications"`) ||
		!strings.Contains(body, "Frontend Platform Engineer") || !strings.Contains(body, "Acme Remote") || !strings.Contains(body, `<span class="badge">Applied</span>`) {
		t.Fatalf("applications: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "/me/applications", body)
	apps, err := s.app.Applications(meAs(dev), readmodel.ApplicationFilter{})
	if err != nil || len(apps.Items) != 1 || apps.Items[0].CoverLetter != "Hello!" || apps.Items[0].ProfileID != prof.ID {
		t.Fatalf("stored applications: %+v %v", apps.Items, err)
	}
	appID := apps.Items[0].ID
	if !strings.Contains(body, `action="/me/applications/`+appID+`/withdraw"`) {
		t.Fatalf("no withdraw form:\n%s", body)
	}

	// Someone else cannot withdraw it (it does not exist for them).
	resp, body = s.as(t, "dev-2", "POST", "/me/applications/"+appID+"/withdraw", url.Values{"reason": {"other"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another person's withdrawal: %d\n%s", resp.StatusCode, body)
	}
	// The organization cannot withdraw it either.
	if resp, _ := s.as(t, "owner-1", "POST", "/me/applications/"+appID+"/withdraw", url.Values{"reason": {"other"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the organization's withdrawal: %d", resp.StatusCode)
	}
	resp, body = s.as(t, dev, "POST", "/me/applications/"+appID+"/withdraw", url.Values{"reason": {"no_longer_interested"}, "version": {strconv.FormatInt(apps.Items[0].Version, 10)}})
	meWantRedirect(t, "withdraw", resp, body, "/me/applications")
	_, body = s.as(t, dev, "GET", "/me/applications", nil)
	if !strings.Contains(body, `<span class="badge final">Withdrawn</span>`) || !strings.Contains(body, "You withdrew: you are no longer interested.") ||
		strings.Contains(body, "/withdraw\"") {
		t.Errorf("after withdrawing:\n%s", body)
	}

	// The overview counts it and links the pages; the export holds it all.
	resp, body = s.as(t, dev, "GET", "/me", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Richard Hendriks") || !strings.Contains(body, `href="/me/export"`) ||
		!strings.Contains(body, "Frontend Platform Engineer") || !strings.Contains(body, `href="/me" aria-current="page"`) {
		t.Fatalf("/me: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "/me", body)
	resp, body = s.as(t, dev, "GET", "/me/export", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	var ex struct {
		Account  struct{ ID string }
		Profiles []struct {
			Meridian   readmodel.Profile
			JSONResume struct {
				Basics struct{ Name string }
			}
		}
		Applications  []readmodel.Application
		SavedSearches []any
		Notifications []any
	}
	if err := json.Unmarshal([]byte(body), &ex); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, body)
	}
	if ex.Account.ID != dev || len(ex.Profiles) != 1 || ex.Profiles[0].Meridian.ID != prof.ID || ex.Profiles[0].JSONResume.Basics.Name != "Richard Hendriks" ||
		len(ex.Applications) != 1 || ex.Applications[0].ID != appID || ex.Applications[0].Stage != domain.StageWithdrawn || ex.SavedSearches == nil {
		t.Errorf("export: %s", body)
	}
	// Another person's export holds none of it.
	if _, body := s.as(t, "dev-2", "GET", "/me/export", nil); strings.Contains(body, prof.ID) || strings.Contains(body, appID) {
		t.Error("another person's export holds the profile or application")
	}
}

func TestSkillGapsPage(t *testing.T) {
	s := newStack(t)
	const dev = "dev-1"
	if _, body := s.as(t, dev, "GET", "/me/skills", nil); !strings.Contains(body, "Create your profile") {
		t.Errorf("skills without a profile:\n%s", body)
	}
	for i := 0; i < 3; i++ {
		s.post(t, goJob("Go Engineer "+string(rune('A'+i))), true) // go + postgresql required, EU/GB
	}
	resp, body := s.as(t, dev, "POST", "/me/profile", meProfileValues(map[string]string{"skills": "Go:4"}))
	meWantRedirect(t, "create", resp, body, "/me/matches")
	resp, body = s.as(t, dev, "GET", "/me/skills", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "<h1>Skills to learn next</h1>") || !strings.Contains(body, "PostgreSQL") ||
		!strings.Contains(body, "Postings it opens") || !strings.Contains(body, `href="/me/skills" aria-current="page"`) {
		t.Fatalf("skills: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "/me/skills", body)
}

func TestSavedSearchPages(t *testing.T) {
	s := newStack(t)
	st := s.st
	const dev = "dev-1"

	// The search page offers to save a search to people who searched.
	_, body := s.as(t, dev, "GET", "/?skillsAll=go&region=EU", nil)
	if !strings.Contains(body, `action="/me/saved-searches"`) || !strings.Contains(body, `<input type="hidden" name="region" value="EU">`) {
		t.Fatalf("home without the save form:\n%s", body)
	}
	meA11y(t, "/?skillsAll=go&region=EU", body)
	if _, body := s.get(t, "/?skillsAll=go"); strings.Contains(body, `action="/me/saved-searches"`) {
		t.Error("visitors are offered to save a search")
	}

	// A name is needed; bad fields are 422.
	resp, body := s.as(t, dev, "POST", "/me/saved-searches", url.Values{"skillsAll": {"go"}, "region": {"EU"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="search-name-error"`) {
		t.Fatalf("no name: %d\n%s", resp.StatusCode, body)
	}
	resp, body = s.as(t, dev, "POST", "/me/saved-searches", url.Values{"name": {"Mars"}, "timeZone": {"Mars/Olympus"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Time zone must be") {
		t.Fatalf("bad time zone: %d\n%s", resp.StatusCode, body)
	}

	resp, body = s.as(t, dev, "POST", "/me/saved-searches", url.Values{"name": {"Go in Europe"}, "skillsAll": {"go"}, "region": {"EU"}, "currency": {"USD"}, "alert": {"daily"}})
	meWantRedirect(t, "create", resp, body, "/me/saved-searches")
	page, err := s.app.SavedSearches(meAs(dev), "", 10)
	if err != nil || len(page.Items) != 1 || page.Items[0].Alert != "daily" || page.Items[0].Query.Region != "EU" {
		t.Fatalf("saved: %+v %v", page.Items, err)
	}
	ss := page.Items[0]
	resp, body = s.as(t, dev, "GET", "/me/saved-searches", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Go in Europe") || !strings.Contains(body, `href="/?currency=USD&amp;region=EU&amp;skillsAll=go"`) ||
		!strings.Contains(body, "/api/v1/saved-searches/"+ss.ID+"/feed.atom?token=") || !strings.Contains(body, `value="daily" selected`) {
		t.Fatalf("list: %d\n%s", resp.StatusCode, body)
	}
	meA11y(t, "/me/saved-searches", body)

	// A new matching posting becomes a notification on /me (alerts are on).
	s.post(t, goJob("Staff Go Engineer"), true)
	head, err := st.DB.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Alerts.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	_, body = s.as(t, dev, "GET", "/me", nil)
	if !strings.Contains(body, "Staff Go Engineer") || !strings.Contains(body, "matched “Go in Europe”") || !strings.Contains(body, "1 new") {
		t.Errorf("no unread notification on /me:\n%s", body)
	}
	// Mark them read.
	resp, body = s.as(t, dev, "POST", "/me/notifications/read", url.Values{})
	meWantRedirect(t, "mark read", resp, body, "/me")
	if _, body = s.as(t, dev, "GET", "/me", nil); !strings.Contains(body, "Staff Go Engineer") || strings.Contains(body, "new</span>") || strings.Contains(body, "Mark all as read") {
		t.Errorf("notifications still unread on /me:\n%s", body)
	}

	// Change the alert; another person can neither change nor delete it.
	resp, body = s.as(t, dev, "POST", "/me/saved-searches/"+ss.ID, url.Values{"alert": {"off"}, "version": {strconv.FormatInt(ss.Version, 10)}})
	meWantRedirect(t, "alert", resp, body, "/me/saved-searches")
	if got, err := s.app.SavedSearch(meAs(dev), ss.ID); err != nil || got.Alert != "off" || got.Name != "Go in Europe" || got.Query.Region != "EU" {
		t.Fatalf("after the alert change: %+v %v", got, err)
	}
	for _, path := range []string{"/me/saved-searches/" + ss.ID, "/me/saved-searches/" + ss.ID + "/delete"} {
		if resp, _ := s.as(t, "dev-2", "POST", path, url.Values{"alert": {"instant"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another person's POST %s: %d", path, resp.StatusCode)
		}
	}
	resp, body = s.as(t, dev, "POST", "/me/saved-searches/"+ss.ID+"/delete", url.Values{})
	meWantRedirect(t, "delete", resp, body, "/me/saved-searches")
	if page, err := s.app.SavedSearches(meAs(dev), "", 10); err != nil || len(page.Items) != 0 {
		t.Fatalf("after delete: %+v %v", page.Items, err)
	}
	if _, body := s.as(t, dev, "GET", "/me/saved-searches", nil); strings.Contains(body, "Go in Europe</h3>") {
		t.Error("the deleted search is listed")
	}
}
