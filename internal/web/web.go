// Package web is Meridian's server-rendered web app: html/template pages
// with embedded templates and one stylesheet, no JavaScript required.
//
// Pages are rendered for an anonymous visitor (there is no sign-in on the
// web app yet), so what they show is public and may be cached by proxies
// for a short while.
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
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/export"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/skills"
)

//go:embed templates/*.html assets/app.css
var files embed.FS

// CSP is the Content-Security-Policy of every page: no scripts at all
// (JSON-LD is data, not script), styles and images from this origin only.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config configures the web app.
type Config struct {
	App *app.App
	Log *slog.Logger
}

// Handler serves the web app's pages and assets.
type Handler struct {
	cfg    Config
	mux    *http.ServeMux
	pages  map[string]*template.Template
	css    []byte
	cssTag string // content hash of the stylesheet (ETag and URL version)
	tax    *skills.Taxonomy
}

// New returns the web app's handler. It serves GET /, GET /jobs/{id},
// GET /market, GET /orgs/{orgId} and GET /assets/app.css; anything else
// under it is a 404 page.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	css, err := files.ReadFile("assets/app.css")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	sum := sha256.Sum256(css)
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), pages: map[string]*template.Template{}, css: css,
		cssTag: hex.EncodeToString(sum[:8]), tax: skills.Default()}
	for _, name := range []string{"home", "job", "market", "org", "error"} {
		h.pages[name] = template.Must(template.New("layout.html").Funcs(h.funcs()).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	h.mux.HandleFunc("GET /{$}", h.home)
	h.mux.HandleFunc("GET /jobs/{id}", h.job)
	h.mux.HandleFunc("GET /market", h.market)
	h.mux.HandleFunc("GET /orgs/{orgId}", h.org)
	h.mux.HandleFunc("GET /assets/app.css", h.stylesheet)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// anonymous is the context pages are rendered in: the web app has no
// sign-in yet, so a caller's credentials must not reveal private data on
// a page that may be cached.
func anonymous(r *http.Request) context.Context {
	return meridian.WithPrincipal(r.Context(), meridian.Anonymous)
}

// layout is what every page gives the shared layout.
type layout struct {
	Title       string
	Description string
	CSSURL      string
	Query       string // the search box's value in the header
}

func (h *Handler) layout(title, desc string) layout {
	return layout{Title: title, Description: desc, CSSURL: "/assets/app.css?v=" + h.cssTag}
}

// render writes a page, buffered so a template error becomes a clean 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := h.pages[page].Execute(&buf, data); err != nil {
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
	hd.Set("Referrer-Policy", "no-referrer")
	switch {
	case status != http.StatusOK:
		hd.Set("Cache-Control", "no-store")
	case hd.Get("Cache-Control") == "": // the API server says no-store to requests with credentials
		hd.Set("Cache-Control", "public, max-age=60")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

type errorData struct {
	layout
	Heading string
	Message string
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	h.render(w, r, status, "error", errorData{layout: h.layout(heading, ""), Heading: heading, Message: msg})
}

// fail shows the page for an application error.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch meridian.ErrorCode(err) {
	case meridian.ENotFound:
		h.errorPage(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	case meridian.EUnavailable:
		h.errorPage(w, r, http.StatusServiceUnavailable, "Temporarily unavailable", "This page is not available right now. Please try again in a moment.")
	default:
		h.cfg.Log.ErrorContext(r.Context(), "web: request failed", "path", r.URL.Path, "err", err)
		h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "This page could not be shown. Please try again later.")
	}
}

// stylesheet serves the embedded CSS. A request carrying the current
// content hash (?v=, as the pages link it) may be cached for a year; any
// other is revalidated by ETag.
func (h *Handler) stylesheet(w http.ResponseWriter, r *http.Request) {
	etag := `"` + h.cssTag + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == h.cssTag {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "text/css; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(h.css)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(h.css)
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
	d := jobData{layout: h.layout(j.Title+" at "+j.OrgName, summary(j)), Job: j, Org: org, JSONLD: ld}
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
