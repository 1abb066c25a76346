package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
)

// flashCookie carries a one-time message to the next page (after a form
// posted and redirected): "Saved.", "Welcome back." It holds no secret.
const flashCookie = "meridian_flash"

// signInForm is what the sign-in form needs.
type signInForm struct {
	ReturnTo  string
	Email     string
	Providers []string
}

func (h *Handler) signInForm(returnTo, email string) signInForm {
	return signInForm{ReturnTo: safeReturn(returnTo), Email: email, Providers: h.providers()}
}

// providers are the configured external sign-in providers.
func (h *Handler) providers() []string {
	if h.cfg.Auth == nil || h.cfg.Auth.OIDC == nil {
		return nil
	}
	return h.cfg.Auth.OIDC.Providers()
}

// safeReturn keeps a return address on this site: a path, never another
// host ("//evil", "https://evil", "/\evil"), and never back to the
// sign-in pages themselves.
func safeReturn(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\r\n") {
		return "/me"
	}
	u, err := url.Parse(s)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/me"
	}
	switch u.Path {
	case "/signin", "/signup", "/signout":
		return "/me"
	}
	return s
}

// problem is one message about a form, linked to its field's id.
type problem struct {
	Field   string
	Message string
}

// problemsOf turns an application error into the form's messages: one per
// offending field when the error names them, else its message.
func problemsOf(err error, fieldIDs map[string]string) []problem {
	var out []problem
	var me *meridian.Error
	if e, ok := err.(*meridian.Error); ok {
		me = e
	} else if meridian.ErrorCode(err) != meridian.EInternal {
		me = &meridian.Error{Message: meridian.ErrorMessage(err)}
	}
	if me == nil {
		return []problem{{Message: "Something went wrong on our side. Please try again."}}
	}
	for f, msg := range me.Fields {
		out = append(out, problem{Field: fieldIDs[f], Message: msg})
	}
	if len(out) == 0 {
		out = append(out, problem{Message: me.Message})
	}
	return out
}

// redirect ends a successful form post (303, so a reload does not post
// again), with a message for the next page.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", MaxAge: 60, HttpOnly: true,
			Secure: auth.CookiesSecure(r), SameSite: http.SameSiteLaxMode})
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// person is the signed-in person acting; anyone else gets the page the
// APIs' policies give them (401 with the sign-in form for visitors, 403
// for API keys), and false.
func (h *Handler) person(w http.ResponseWriter, r *http.Request) (meridian.Principal, bool) {
	p := meridian.PrincipalFrom(r.Context())
	switch p.Kind {
	case meridian.PrincipalUser:
		return p, true
	case meridian.PrincipalAnonymous:
		h.fail(w, r, meridian.Errorf(meridian.EUnauthorized, "sign in first"))
	default:
		h.fail(w, r, meridian.Errorf(meridian.EForbidden, "These pages are for people; API keys use the API."))
	}
	return p, false
}

func (h *Handler) registerSession() {
	h.route("GET /signin", "auth", h.signInPage)
	h.route("POST /signin", "auth", h.signIn)
	h.route("GET /signup", "auth", h.signUpPage)
	h.route("POST /signup", "auth", h.signUp)
	h.route("POST /signout", "session", h.signOut)
}

type signInData struct {
	layout
	signInForm
	Problems []problem
}

type signUpData struct {
	layout
	Email, Name string
	ReturnTo    string
	Providers   []string
	Problems    []problem
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	d := signInData{layout: h.layout(r, "Sign in", "Sign in to Meridian."), signInForm: h.signInForm(r.URL.Query().Get("return_to"), "")}
	h.render(w, r, http.StatusOK, "signin", d)
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if !h.readForm(w, r, formLimit) {
		return
	}
	email, pw := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	d := signInData{layout: h.layout(r, "Sign in", ""), signInForm: h.signInForm(r.PostForm.Get("return_to"), email)}
	if h.cfg.Auth == nil {
		h.errorPage(w, r, http.StatusNotFound, "Sign-in is not available", "This server does not run sign-in.")
		return
	}
	t, err := h.cfg.Auth.SignIn(r.Context(), email, pw, meridian.ClientIPFrom(r.Context()))
	if err != nil {
		status := http.StatusUnauthorized
		if meridian.ErrorCode(err) == meridian.ERateLimited {
			status = http.StatusTooManyRequests
		} else if meridian.ErrorCode(err) == meridian.EInternal {
			h.fail(w, r, err)
			return
		}
		d.Problems = []problem{{Field: "signin-email", Message: meridian.ErrorMessage(err)}}
		h.render(w, r, status, "signin", d)
		return
	}
	for _, c := range auth.SessionCookies(auth.CookiesSecure(r), t) {
		http.SetCookie(w, c)
	}
	redirect(w, r, d.ReturnTo, "Welcome back.")
}

func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request) {
	d := signUpData{layout: h.layout(r, "Create your account", "Sign up for Meridian: remote backend jobs you are eligible for."),
		ReturnTo: safeReturn(r.URL.Query().Get("return_to")), Providers: h.providers()}
	h.render(w, r, http.StatusOK, "signup", d)
}

// signUp registers the account and signs it in. The API answers the same
// whether or not the address was taken (so nobody learns who has an
// account); here the sign-in that follows tells the person, and only with
// the right password.
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) {
	if !h.readForm(w, r, formLimit) {
		return
	}
	f := r.PostForm
	d := signUpData{layout: h.layout(r, "Create your account", ""), Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name")),
		ReturnTo: safeReturn(f.Get("return_to")), Providers: h.providers()}
	if h.cfg.Auth == nil {
		h.errorPage(w, r, http.StatusNotFound, "Sign-up is not available", "This server does not run sign-in.")
		return
	}
	if f.Get("password") != f.Get("password2") {
		d.Problems = []problem{{Field: "signup-password2", Message: "The two passwords differ."}}
		h.render(w, r, http.StatusUnprocessableEntity, "signup", d)
		return
	}
	ctx, ip := r.Context(), meridian.ClientIPFrom(r.Context())
	if _, err := h.cfg.Auth.Register(ctx, d.Email, f.Get("password"), d.Name, ip); err != nil {
		if meridian.ErrorCode(err) == meridian.EInternal {
			h.fail(w, r, err)
			return
		}
		d.Problems = problemsOf(err, map[string]string{"email": "signup-email", "password": "signup-password", "name": "signup-name"})
		h.render(w, r, http.StatusUnprocessableEntity, "signup", d)
		return
	}
	t, err := h.cfg.Auth.SignIn(ctx, d.Email, f.Get("password"), ip)
	if err != nil {
		// The address had an account with another password (or sign-in is
		// throttled). Sign-up cannot hide that an address is taken without
		// e-mail verification; the message at least names no account.
		d.Problems = []problem{{Field: "signup-email", Message: "We could not sign you in with this address and password. If you already have an account, sign in instead, or use another address."}}
		h.render(w, r, http.StatusUnprocessableEntity, "signup", d)
		return
	}
	for _, c := range auth.SessionCookies(auth.CookiesSecure(r), t) {
		http.SetCookie(w, c)
	}
	to := d.ReturnTo
	if to == "/me" {
		to = "/me/profile"
	}
	redirect(w, r, to, "Welcome to Meridian. Start with your profile: import a JSON Resume or fill it in.")
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	p := meridian.PrincipalFrom(r.Context())
	if p.Kind != meridian.PrincipalUser {
		for _, c := range auth.ClearCookies(auth.CookiesSecure(r)) {
			http.SetCookie(w, c)
		}
		h.fail(w, r, meridian.Errorf(meridian.EUnauthorized, "sign in to sign out"))
		return
	}
	if h.cfg.Auth != nil {
		rt := ""
		if c, err := r.Cookie(auth.RefreshCookie); err == nil {
			rt = c.Value // only sent to the refresh path; usually absent here
		}
		if err := h.cfg.Auth.SignOut(r.Context(), p, p.Expires, rt, meridian.ClientIPFrom(r.Context())); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for _, c := range auth.ClearCookies(auth.CookiesSecure(r)) {
		http.SetCookie(w, c)
	}
	redirect(w, r, "/", "You are signed out.")
}
