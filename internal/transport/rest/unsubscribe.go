package rest

import (
	"html/template"
	"net/http"

	"github.com/meridianhq/meridian/internal/email"
	"github.com/meridianhq/meridian/internal/meridian"
)

// The unsubscribe links of e-mails (internal/email): GET shows a small
// confirmation page (mail scanners follow links, so a GET changes
// nothing); POST does it, from the page's form or as an RFC 8058
// one-click POST to the List-Unsubscribe URL (body
// "List-Unsubscribe=One-Click", token in the query). The signed token is
// the authority (PolicyPublic); a bad one is an RFC 9457 problem.

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}} · Meridian</title>
</head>
<body style="margin:0;padding:24px;background:#f6f7f9;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;color:#1f2328;">
<main style="max-width:480px;margin:40px auto;background:#ffffff;border-radius:8px;padding:24px;">
<h1 style="font-size:20px;margin-top:0;">{{.Title}}</h1>
<p>{{.Text}}</p>
{{if .Token}}<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.Token}}">
<button type="submit" style="font-size:16px;padding:8px 16px;border-radius:6px;border:1px solid #0b57d0;background:#0b57d0;color:#ffffff;cursor:pointer;">{{.Button}}</button>
</form>{{end}}
</main>
</body>
</html>
`))

type unsubscribeView struct {
	Title, Text, Button, Token, Action string
}

// describe says what a token stops, without naming anything personal:
// the question the page asks and what it says once done.
func describe(u email.Unsubscribe) (ask, done string) {
	switch {
	case u.Scope == email.ScopeAlert:
		return "Stop e-mail alerts for this saved search? Its alert will be set to off; the saved search stays.",
			"You will get no more e-mail alerts for this saved search. You can turn its alert on again in Meridian."
	case u.Target == email.CategoryDigest:
		return "Stop the daily digest of your saved searches?",
			"You will get no more daily digests."
	default:
		return "Stop e-mails about your applications?",
			"You will get no more e-mails about your applications."
	}
}

func writeUnsubscribePage(w http.ResponseWriter, status int, v unsubscribeView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = unsubscribePage.Execute(w, v)
}

// UnsubscribePage serves GET /unsubscribe?token=: a confirmation page
// with a button that POSTs the token.
func (s *Server) UnsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	u, err := s.cfg.App.CheckUnsubscribe(r.Context(), token)
	if err != nil {
		writeProblem(w, s.fail(r.Context(), err))
		return
	}
	ask, _ := describe(u)
	writeUnsubscribePage(w, http.StatusOK, unsubscribeView{Title: "Unsubscribe", Text: ask, Button: "Unsubscribe", Token: token, Action: "/unsubscribe"})
}

// Unsubscribe serves POST /unsubscribe: the token from the form, or from
// the query for one-click unsubscribing (RFC 8058).
func (s *Server) Unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		writeProblem(w, newProblem(http.StatusBadRequest, meridian.EInvalid, "the body must be application/x-www-form-urlencoded"))
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	u, err := s.cfg.App.Unsubscribe(r.Context(), token)
	if err != nil {
		writeProblem(w, s.fail(r.Context(), err))
		return
	}
	_, done := describe(u)
	writeUnsubscribePage(w, http.StatusOK, unsubscribeView{Title: "You are unsubscribed", Text: done})
}
