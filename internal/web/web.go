// Package web is Meridian's server-rendered web app: html/template pages
// with embedded templates, one stylesheet and one small script. Every page
// works without JavaScript (forms post and redirect); the script adds live
// updates over Server-Sent Events and previews as you type.
//
// Public pages (search, job, organization, market) render their data as an
// anonymous visitor, so a member's drafts never reach a page a proxy may
// cache; the header knows who is signed in. Signed-in pages act as the
// person in the request's context, through the same application services
// and authorization decisions as the APIs: anonymous visitors get a 401
// page with the sign-in form, API keys a 403, other tenants' objects 404.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/export"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/skills"
)

//go:embed templates/*.html templates/partials/*.html assets/app.css assets/app.js
var files embed.FS

// CSP is the Content-Security-Policy of every page: scripts, styles,
// images and connections from this origin only (JSON-LD is data, not
// script; no inline script or style anywhere).
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config configures the web app.
type Config struct {
	App *app.App
	// Auth runs sign-up and sign-in (nil: the sign-in pages say it is not
	// configured on this server).
	Auth *auth.Service
	Log  *slog.Logger
}

// Route is one of the web app's routes with the access policy it is
// registered under: the name of a Policy of internal/transport/rest, whose
// authorization matrix checks every route against it.
type Route struct {
	Pattern string
	Policy  string
}

// Handler serves the web app's pages and assets.
type Handler struct {
	cfg    Config
	mux    *http.ServeMux
	routes []Route
	pages  map[string]*template.Template
	parts  *template.Template // the partials alone, for fragments
	assets map[string]asset
	tax    *skills.Taxonomy
	xorg   *http.CrossOriginProtection
}

type asset struct {
	body  []byte
	ctype string
	tag   string // content hash (ETag and URL version)
}

// New returns the web app's handler; Routes lists what it serves.
// Anything else under it is a 404 page.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), pages: map[string]*template.Template{}, assets: map[string]asset{},
		tax: skills.Default(), xorg: http.NewCrossOriginProtection()}
	for name, ctype := range map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"} {
		b, err := files.ReadFile("assets/" + name)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		sum := sha256.Sum256(b)
		h.assets[name] = asset{body: b, ctype: ctype, tag: hex.EncodeToString(sum[:8])}
	}
	pages, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		h.pages[name] = template.Must(template.New("layout.html").Funcs(h.funcs()).ParseFS(files, "templates/layout.html", "templates/partials/*.html", p))
	}
	h.parts = template.Must(template.New("parts").Funcs(h.funcs()).ParseFS(files, "templates/partials/*.html"))
	h.route("GET /{$}", "public", h.home)
	h.route("GET /jobs/{id}", "public", h.job)
	h.route("GET /market", "public", h.market)
	h.route("GET /orgs/{orgId}", "public", h.org)
	h.route("GET /assets/app.css", "public", h.asset("app.css"))
	h.route("GET /assets/app.js", "public", h.asset("app.js"))
	h.route("POST /skills/preview", "public", h.skillsPreview)
	h.registerSession()
	h.registerDeveloper()
	h.registerEmployer()
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	return h
}

// route registers a page under its access policy. Unsafe methods are
// refused to cross-origin browser requests (Sec-Fetch-Site / Origin), on
// top of the CSRF token a signed-in form carries, and their bodies are
// capped at auth.FormLimit (the cap the authenticator reads forms under;
// handlers may set a tighter one with readForm).
func (h *Handler) route(pattern, policy string, fn http.HandlerFunc) {
	h.routes = append(h.routes, Route{Pattern: pattern, Policy: policy})
	var handler http.Handler = fn
	if !strings.HasPrefix(pattern, "GET ") {
		handler = h.xorg.Handler(http.MaxBytesHandler(handler, auth.FormLimit))
	}
	h.mux.Handle(pattern, handler)
}

// formLimit is the usual cap of a form's body.
const formLimit = 256 << 10

// readForm parses a posted form, its body capped at limit bytes; when it
// cannot, it answers 400 with a page saying so and reports false.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "That did not work", "The form could not be read (it may be too long).")
		return false
	}
	return true
}

// Routes lists the web app's routes, for the server to mount.
func (h *Handler) Routes() []Route { return append([]Route(nil), h.routes...) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/assets/") {
		r = h.renew(w, r)
		h.catchUp(r)
	}
	h.mux.ServeHTTP(w, r)
}

// PositionHeader names the event-store position a page must reflect: the
// script sends the position of the live message that made it fetch the
// page again.
const PositionHeader = "X-Meridian-Position"

// catchUp waits (a little, at most) until the read models and the search
// index have applied the event at the request's PositionHeader, so that
// a live update shows what its message announced.
func (h *Handler) catchUp(r *http.Request) {
	pos, err := strconv.ParseInt(r.Header.Get(PositionHeader), 10, 64)
	if err != nil || pos <= 0 {
		return
	}
	h.cfg.App.CatchUp(r.Context(), pos)
}

// renew continues an expired web session: the browser dropped the access
// cookie when it expired, but still holds the refresh cookie, so the page
// rotates the refresh token, sets the new cookies and is served as the
// person. A refresh token that does not work any more is cleared.
func (h *Handler) renew(w http.ResponseWriter, r *http.Request) *http.Request {
	if h.cfg.Auth == nil || meridian.PrincipalFrom(r.Context()).Kind != meridian.PrincipalAnonymous {
		return r
	}
	if _, err := r.Cookie(auth.AccessCookie); err == nil {
		return r
	}
	c, err := r.Cookie(auth.RefreshCookie)
	if err != nil || c.Value == "" {
		return r
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !auth.CheckCSRF(r) {
		// A form posted after the access cookie expired acts as the
		// person only with the session's CSRF token, as it would have
		// before (the authenticator checks it when the cookie is there).
		return r
	}
	secure := auth.CookiesSecure(r)
	t, err := h.cfg.Auth.Refresh(r.Context(), c.Value)
	if err != nil {
		for _, c := range auth.ClearCookies(secure) {
			http.SetCookie(w, c)
		}
		return r
	}
	p, err := h.cfg.Auth.Tokens.VerifyAccess(r.Context(), t.AccessToken)
	if err != nil {
		return r
	}
	cookies := auth.SessionCookies(secure, t)
	if old, err := r.Cookie(auth.CSRFCookie); err == nil && old.Value != "" {
		cookies[2].Value = old.Value // open forms in other tabs keep working
	}
	for _, c := range cookies {
		http.SetCookie(w, c)
		r.AddCookie(c) // this request's forms carry the new CSRF token
	}
	return r.WithContext(meridian.WithPrincipal(r.Context(), p))
}

// anonymous is the context public pages read their data in, so that a
// page a proxy may cache never shows what only the caller may see.
func anonymous(r *http.Request) context.Context {
	return meridian.WithPrincipal(r.Context(), meridian.Anonymous)
}

// layout is what every page gives the shared layout.
type layout struct {
	Title       string
	Description string
	CSSURL      string
	JSURL       string
	Query       string // the search box's value in the header
	Path        string // the page's path (sign-in return address, nav)
	// User is the signed-in person (nil for visitors and API keys).
	User *auth.User
	// CSRF is the session's CSRF token, put in every form that posts.
	CSRF  string
	Flash string
}

func (h *Handler) layout(r *http.Request, title, desc string) layout {
	l := layout{Title: title, Description: desc, CSSURL: h.assetURL("app.css"), JSURL: h.assetURL("app.js"), Path: r.URL.RequestURI()}
	if c, err := r.Cookie(auth.CSRFCookie); err == nil {
		l.CSRF = c.Value
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		l.Flash, _ = url.QueryUnescape(c.Value)
	}
	p := meridian.PrincipalFrom(r.Context())
	if p.Kind == meridian.PrincipalUser {
		u := auth.User{ID: p.ID, PlatformAdmin: p.PlatformAdmin}
		if h.cfg.Auth != nil {
			if got, err := h.cfg.Auth.Users.Get(r.Context(), p.ID); err == nil {
				u = got
			}
		}
		l.User = &u
	}
	return l
}

func (h *Handler) assetURL(name string) string { return "/assets/" + name + "?v=" + h.assets[name].tag }

// render writes a page, buffered so a template error becomes a clean 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	t, ok := h.pages[page]
	if !ok {
		panic("web: no page " + page)
	}
	if err := t.Execute(&buf, data); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "web: render", "page", page, "err", err)
		if page != "error" {
			h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "This page could not be shown. Please try again later.")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Add("Vary", "Cookie")
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, SameSite: http.SameSiteLaxMode})
	}
	switch {
	case status != http.StatusOK || personal(r):
		hd.Set("Cache-Control", "no-store")
	case hd.Get("Cache-Control") == "": // the API server says no-store to requests with credentials
		hd.Set("Cache-Control", "public, max-age=60")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// personal reports whether the page may differ by visitor: a session
// cookie or other credentials, or a flash message.
func personal(r *http.Request) bool {
	if meridian.PrincipalFrom(r.Context()).Kind != meridian.PrincipalAnonymous {
		return true
	}
	for _, n := range []string{auth.AccessCookie, flashCookie} {
		if _, err := r.Cookie(n); err == nil {
			return true
		}
	}
	return false
}

type errorData struct {
	layout
	Heading string
	Message string
	// SignIn shows the sign-in form (a page for signed-in people, 401).
	SignIn bool
	signInForm
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	h.errorPageTo(w, r, status, heading, msg, r.URL.RequestURI())
}

// errorPageTo is errorPage whose sign-in form (401) returns to returnTo.
func (h *Handler) errorPageTo(w http.ResponseWriter, r *http.Request, status int, heading, msg, returnTo string) {
	d := errorData{layout: h.layout(r, heading, ""), Heading: heading, Message: msg}
	if status == http.StatusUnauthorized {
		d.SignIn, d.signInForm = true, h.signInForm(returnTo, "")
		w.Header().Set("WWW-Authenticate", `Cookie realm="meridian", form-action="/signin"`)
	}
	h.render(w, r, status, "error", d)
}

// Refused answers a browser whose page load or form the authenticator
// refused (the REST server calls it; API clients get problem+json): a form
// sent with another session's CSRF token, typically from a tab opened
// before signing in or out elsewhere, or a session that no longer works
// (signed out in another tab, its key retired).
func (h *Handler) Refused(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case errors.Is(err, auth.ErrCSRF):
		h.errorPage(w, r, http.StatusForbidden, "This form has expired",
			"Your session changed after this page was opened, for example by signing in or out in another tab. "+
				"Nothing was saved: go back, reload the page and send the form again.")
	case meridian.ErrorCode(err) == meridian.EUnauthorized:
		// The cookie is dropped: the next page renews the session from
		// the refresh cookie if it still can, or shows it signed out.
		http.SetCookie(w, auth.ClearAccessCookie(auth.CookiesSecure(r)))
		h.errorPageTo(w, r, http.StatusUnauthorized, "Your session has ended",
			"Nothing was saved. Sign in again to continue.", formPage(r))
	default:
		h.fail(w, r, err)
	}
}

// formPage is where a refused request came from, to return to after
// signing in: the page that sent a form (its Referer, on this site), or the
// page itself for a page load.
func formPage(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if u, err := url.Parse(r.Referer()); err == nil && u.Host == r.Host && u.Path != "" {
		return u.RequestURI()
	}
	return "/me"
}

// fail shows the page for an application error.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch meridian.ErrorCode(err) {
	case meridian.ENotFound:
		h.errorPage(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	case meridian.EUnauthorized:
		h.errorPage(w, r, http.StatusUnauthorized, "Sign in to continue", "This page is for signed-in members.")
	case meridian.EForbidden:
		h.errorPage(w, r, http.StatusForbidden, "Not allowed", meridian.ErrorMessage(err))
	case meridian.EInvalid, meridian.ERule, meridian.EConflict:
		status := http.StatusUnprocessableEntity
		if meridian.ErrorCode(err) == meridian.EConflict {
			status = http.StatusConflict
		}
		h.errorPage(w, r, status, "That did not work", meridian.ErrorMessage(err))
	case meridian.EUnavailable:
		h.errorPage(w, r, http.StatusServiceUnavailable, "Temporarily unavailable", "This page is not available right now. Please try again in a moment.")
	case meridian.ERateLimited:
		h.errorPage(w, r, http.StatusTooManyRequests, "Too many requests", "Please wait a moment and try again.")
	default:
		h.cfg.Log.ErrorContext(r.Context(), "web: request failed", "path", r.URL.Path, "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "This page could not be shown. Please try again later.")
	}
}

// fragment writes a part of a page (a live preview), not cached.
func (h *Handler) fragment(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := h.parts.ExecuteTemplate(&buf, name, data); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "web: render", "fragment", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// skillsFound is the skills preview's view.
type skillsFound struct {
	Required, Nice []skills.Match
}

// extractSkills reads the skills a text names (posting descriptions,
// résumé summaries) that a posting or profile would store: the
// extractor's attachable matches, as the application layer keeps them.
func extractSkills(text string) skillsFound {
	var d skillsFound
	for _, m := range skills.Attachable(skills.DefaultExtractor().Extract(text)) {
		if m.Requirement == skills.NiceToHave {
			d.Nice = append(d.Nice, m)
		} else {
			d.Required = append(d.Required, m)
		}
	}
	return d
}

// skillsPreview answers POST /skills/preview (form field text, at most
// 64 KiB) with the skills found, for the editors' live previews.
func (h *Handler) skillsPreview(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the text is too long to preview (64 KiB at most)", http.StatusRequestEntityTooLarge)
		return
	}
	h.fragment(w, r, "skills-preview", extractSkills(r.PostForm.Get("text")))
}

// asset serves an embedded asset. A request carrying the current content
// hash (?v=, as the pages link it) may be cached for a year; any other is
// revalidated by ETag.
func (h *Handler) asset(name string) http.HandlerFunc {
	a := h.assets[name]
	return func(w http.ResponseWriter, r *http.Request) {
		etag := `"` + a.tag + `"`
		hd := w.Header()
		hd.Set("ETag", etag)
		hd.Set("Content-Security-Policy", CSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		if r.URL.Query().Get("v") == a.tag {
			hd.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			hd.Set("Cache-Control", "public, max-age=300")
		}
		if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		hd.Set("Content-Type", a.ctype)
		hd.Set("Content-Length", strconv.Itoa(len(a.body)))
		if r.Method != http.MethodHead {
			_, _ = w.Write(a.body)
		}
	}
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// jobData is the job page's view.
type jobData struct {
	layout
	Job      readmodel.Job
	Org      readmodel.Org
	Required []skillView
	Nice     []skillView
	JSONLD   template.JS
}

type skillView struct {
	ID, Name string
	Level    int
}

func (h *Handler) job(w http.ResponseWriter, r *http.Request) {
	ctx := anonymous(r)
	id := r.PathValue("id")
	j, err := h.cfg.App.Job(ctx, id)
	if err != nil {
		if meridian.ErrorCode(err) == meridian.EInvalid {
			err = meridian.Errorf(meridian.ENotFound, "job %s not found", id)
		}
		h.fail(w, r, err)
		return
	}
	org, err := h.cfg.App.Org(ctx, j.OrgID)
	if err != nil && meridian.ErrorCode(err) != meridian.ENotFound {
		h.fail(w, r, err)
		return
	}
	ld, err := jsonLD(export.JobPosting(j, org, ""))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := jobData{layout: h.layout(r, j.Title+" at "+j.OrgName, summary(j)), Job: j, Org: org, JSONLD: ld}
	for _, s := range j.Skills {
		v := skillView{ID: s.Skill, Name: h.skillName(s.Skill), Level: s.Level}
		if s.Required {
			d.Required = append(d.Required, v)
		} else {
			d.Nice = append(d.Nice, v)
		}
	}
	h.render(w, r, http.StatusOK, "job", d)
}

// jsonLD encodes v for a <script type="application/ld+json"> element.
// encoding/json escapes <, > and & (and U+2028/U+2029), so no value can
// close the element or open a comment: the bytes are safe as they are.
func jsonLD(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if bytes.ContainsAny(b, "<>") {
		return "", errors.New("web: JSON-LD not escaped") // cannot happen with encoding/json
	}
	return template.JS(b), nil // #nosec G203 -- json.Marshal escapes < > &, checked above
}

// summary is a job page's meta description.
func summary(j readmodel.Job) string {
	s := j.OrgName + " is hiring"
	if j.Seniority != "" {
		s += " a " + j.Seniority
	}
	s += ": " + j.Title + ". Remote, " + eligibilityText(j) + "."
	return s
}

func (h *Handler) skillName(id string) string {
	if s, ok := h.tax.Get(id); ok {
		return s.Name
	}
	return id
}
