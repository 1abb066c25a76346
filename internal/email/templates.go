package email

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/meridianhq/meridian/internal/domain"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Common is what every e-mail shows: the greeting, why the recipient gets
// it and how to stop it.
type Common struct {
	// Name is the recipient's name ("": a greeting without one).
	Name    string
	BaseURL string
	// Subject is filled in by Render (the HTML title).
	Subject string
	// Why says why the recipient gets the e-mail; UnsubscribeLabel and
	// UnsubscribeURL how to stop it.
	Why              string
	UnsubscribeLabel string
	UnsubscribeURL   string
}

func (c *Common) common() *Common { return c }

// AlertData is an instant alert: one posting matched one saved search.
type AlertData struct {
	Common
	SearchName, SearchURL     string
	JobTitle, OrgName, JobURL string
}

// DigestData is a daily digest: the day's matches of a person's saved
// searches with daily alerts.
type DigestData struct {
	Common
	Count    int
	Searches []DigestSearch
}

// DigestSearch is one saved search in a digest, with its own link to
// turn its alert off.
type DigestSearch struct {
	Name, URL, UnsubscribeURL string
	Jobs                      []DigestJob
}

// DigestJob is one matching posting in a digest.
type DigestJob struct{ Title, OrgName, URL string }

// ApplicationData is a change of stage of the recipient's application.
type ApplicationData struct {
	Common
	JobTitle, OrgName, ApplicationURL string
	From, To                          string // stages
}

// FromLabel is the previous stage as people read it.
func (d ApplicationData) FromLabel() string { return StageLabel(d.From) }

// ToLabel is the new stage as people read it.
func (d ApplicationData) ToLabel() string { return StageLabel(d.To) }

// Final reports whether the new stage ends the application.
func (d ApplicationData) Final() bool { return domain.IsFinal(d.To) }

// Message is the sentence announcing the change.
func (d ApplicationData) Message() string {
	switch d.To {
	case domain.StageScreening:
		return "Good news: your application is being screened."
	case domain.StageInterview:
		return "Good news: the team would like to interview you."
	case domain.StageOffer:
		return "Great news: you have an offer."
	case domain.StageHired:
		return "Congratulations: you are hired."
	case domain.StageRejected:
		return "Thank you for applying. The team decided not to move forward with your application."
	case domain.StageWithdrawn:
		return "Your application was withdrawn."
	}
	return "Your application moved to a new stage."
}

// StageLabel is an application stage as people read it.
func StageLabel(stage string) string {
	switch stage {
	case domain.StageApplied:
		return "Applied"
	case domain.StageScreening:
		return "Screening"
	case domain.StageInterview:
		return "Interview"
	case domain.StageOffer:
		return "Offer"
	case domain.StageHired:
		return "Hired"
	case domain.StageRejected:
		return "Not selected"
	case domain.StageWithdrawn:
		return "Withdrawn"
	}
	return stage
}

// Rendered is an e-mail's subject and its two bodies.
type Rendered struct {
	Subject, Text, HTML string
}

type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates holds one set per kind, parsed once.
var templates = mustParse(KindAlert, KindDigest, KindApplication)

func mustParse(kinds ...string) map[string]templateSet {
	out := map[string]templateSet{}
	for _, k := range kinds {
		t := texttemplate.Must(texttemplate.New(k).Option("missingkey=error").ParseFS(templateFS, "templates/common.txt.tmpl", "templates/"+k+".txt.tmpl"))
		h := htmltemplate.Must(htmltemplate.New(k).Option("missingkey=error").ParseFS(templateFS, "templates/common.html.tmpl", "templates/"+k+".html.tmpl"))
		out[k] = templateSet{text: t, html: h}
	}
	return out
}

// renderable is one of the *Data types.
type renderable interface{ common() *Common }

func kindOf(d renderable) string {
	switch d.(type) {
	case *AlertData:
		return KindAlert
	case *DigestData:
		return KindDigest
	case *ApplicationData:
		return KindApplication
	}
	return ""
}

// Render renders an e-mail from d (*AlertData, *DigestData or
// *ApplicationData): the subject and text body with text/template, the
// HTML body with html/template (contextual escaping of every value).
func Render(d renderable) (Rendered, error) {
	set, ok := templates[kindOf(d)]
	if !ok {
		return Rendered{}, fmt.Errorf("no templates for %T", d)
	}
	var subject, text, html bytes.Buffer
	if err := set.text.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Rendered{}, fmt.Errorf("render subject: %w", err)
	}
	// One line, whatever the values held.
	d.common().Subject = strings.Join(strings.Fields(subject.String()), " ")
	if err := set.text.ExecuteTemplate(&text, "text", d); err != nil {
		return Rendered{}, fmt.Errorf("render text: %w", err)
	}
	if err := set.html.ExecuteTemplate(&html, "html", d); err != nil {
		return Rendered{}, fmt.Errorf("render html: %w", err)
	}
	return Rendered{Subject: d.common().Subject, Text: strings.TrimLeft(text.String(), "\n"), HTML: html.String()}, nil
}
