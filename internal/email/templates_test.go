package email_test

import (
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/email"
)

func TestRenderEscapes(t *testing.T) {
	const evil = `<script>alert("x")</script> & "Co"`
	common := email.Common{Name: "Ana <Admin>", BaseURL: "https://meridian.example", Why: "Because.",
		UnsubscribeLabel: "Turn off", UnsubscribeURL: "https://meridian.example/unsubscribe?token=v1.abc.def"}
	alert := &email.AlertData{Common: common, SearchName: "Go\r\nBcc: x@evil", SearchURL: "https://meridian.example/saved-searches/s1",
		JobTitle: evil, OrgName: "Acme & Sons", JobURL: "javascript:alert(1)"}
	r, err := email.Render(alert)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") || !strings.Contains(r.Subject, "Bcc: x@evil") || !strings.HasPrefix(r.Subject, `New match for "Go`) {
		t.Errorf("subject %q: want one line with the values", r.Subject)
	}
	for _, want := range []string{"Hello Ana <Admin>,", evil, "Acme & Sons", "https://meridian.example/unsubscribe?token=v1.abc.def"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Co&#34;", "Hello Ana &lt;Admin&gt;,", "Acme &amp; Sons",
		`href="#ZgotmplZ"`, `href="https://meridian.example/unsubscribe?token=v1.abc.def"`, "<title>New match for"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("html lacks %q:\n%s", want, r.HTML)
		}
	}
	for _, bad := range []string{"<script>", "javascript:", "<Admin>"} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("html contains unescaped %q", bad)
		}
	}

	digest := &email.DigestData{Common: common, Count: 3, Searches: []email.DigestSearch{
		{Name: "Go <remote>", URL: "https://meridian.example/saved-searches/a", UnsubscribeURL: "https://meridian.example/unsubscribe?token=a",
			Jobs: []email.DigestJob{{Title: "Go dev", OrgName: "A", URL: "https://meridian.example/jobs/1"}, {Title: "Go SRE", URL: "https://meridian.example/jobs/2"}}},
		{Name: "Rust", URL: "https://meridian.example/saved-searches/b", UnsubscribeURL: "https://meridian.example/unsubscribe?token=b",
			Jobs: []email.DigestJob{{Title: "Rust dev", OrgName: "B", URL: "https://meridian.example/jobs/3"}}},
	}}
	if r, err = email.Render(digest); err != nil {
		t.Fatal(err)
	}
	if r.Subject != "3 new matches for your saved searches" {
		t.Errorf("digest subject %q", r.Subject)
	}
	for _, want := range []string{"Go <remote> (2)", "  - Go dev · A", "https://meridian.example/jobs/3", "Turn off this alert: https://meridian.example/unsubscribe?token=b"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("digest text lacks %q:\n%s", want, r.Text)
		}
	}
	if !strings.Contains(r.HTML, "Go &lt;remote&gt;") || strings.Count(r.HTML, "<li") != 3 {
		t.Errorf("digest html:\n%s", r.HTML)
	}

	app := &email.ApplicationData{Common: common, JobTitle: "Go <dev>", OrgName: "Acme", ApplicationURL: "https://meridian.example/applications/x",
		From: domain.StageApplied, To: domain.StageInterview}
	if r, err = email.Render(app); err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Your application for Go <dev>: Interview" || !strings.Contains(r.Text, "Stage: Interview (was Applied)") || !strings.Contains(r.HTML, "Go &lt;dev&gt;") {
		t.Errorf("application e-mail: %q\n%s\n%s", r.Subject, r.Text, r.HTML)
	}
	app.To = domain.StageRejected
	if r, err = email.Render(app); err != nil || r.Subject != "Update on your application for Go <dev>" || !strings.Contains(r.Text, "Not selected") {
		t.Errorf("rejection e-mail: %q %v\n%s", r.Subject, err, r.Text)
	}
}
