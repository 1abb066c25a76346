package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath is Debian's chromium (MERIDIAN_CHROMIUM overrides it).
func chromiumPath() string {
	if p := os.Getenv("MERIDIAN_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// newBrowser starts a headless chromium with a fresh profile and returns a
// chromedp context for one tab. It skips (or under CI=true fails) when
// chromium is not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath()
	requireService(t, bin != "", "chromium (apt-get install chromium)")
	profile, err := os.MkdirTemp("", "meridian-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	// A safety net for a hung browser, not a timing assertion.
	base, cancelBase := context.WithTimeout(context.Background(), 5*time.Minute)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelBase()
		// Chromium's helpers may still write to the profile for a moment
		// after it exits; a leftover temporary directory is harmless.
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}
	return ctx
}

// a11yCheck is a small automated accessibility check run in the page: it
// returns one message per problem found.
const a11yCheck = `(() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("the html element has no lang");
  if (!document.title.trim()) problems.push("the page has no title");
  const mains = document.querySelectorAll("main, [role=main]");
  if (mains.length !== 1) problems.push(mains.length + " main landmarks");
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(h1s.length + " h1 elements");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push("no label for " + el.tagName.toLowerCase() + " " + (el.id || el.name));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("image without alt: " + img.src);
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) problems.push("link or button without a name: " + (el.href || el.outerHTML));
  }
  const ids = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (ids.has(el.id)) problems.push("duplicate id " + el.id);
    ids.add(el.id);
  }
  for (const name of ["header", "nav", "footer"]) {
    if (!document.querySelector(name)) problems.push("no " + name + " landmark");
  }
  const skip = document.querySelector("a[href='#main']");
  if (!skip) problems.push("no skip link to #main");
  // Contrast of text against its effective background (WCAG AA: 4.5, 3 for large text).
  const rgb = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(",").map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = el => {
    for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    const st = getComputedStyle(el);
    if (!own || st.visibility === "hidden" || st.display === "none" || el.getClientRects().length === 0) continue;
    if (el.closest(".skip, .visually-hidden")) continue;
    const fg = rgb(st.color), bg = background(el);
    if (!fg) continue;
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const key = el.tagName + st.color + st.backgroundColor;
    if (ratio < need && !seen.has(key)) { seen.add(key); problems.push("contrast " + ratio.toFixed(2) + " < " + need + " for " + el.tagName.toLowerCase() + ": " + el.textContent.trim().slice(0, 40)); }
  }
  return problems;
})()`

func checkA11y(t *testing.T, ctx context.Context, pageName string) {
	t.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](a11yCheck))
	if err != nil {
		t.Fatalf("%s: accessibility check: %v", pageName, err)
	}
	for _, p := range problems {
		t.Errorf("%s: accessibility: %s", pageName, p)
	}
}

// layoutShift is the page's cumulative layout shift so far (the Layout
// Instability API: shifts not caused by the user's input).
const layoutShift = `new Promise(resolve => {
  let cls = 0; const what = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) {
    cls += e.value;
    for (const s of e.sources || []) { const n = s.node; what.push(n ? (n.nodeName + (n.id ? "#" + n.id : "") + (n.className ? "." + n.className : "")) : "?"); }
  } }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve({cls, what: what.join(", ")}), 300);
})`

// scriptBytes is the JavaScript the page loaded, decoded bytes.
const scriptBytes = `performance.getEntriesByType("resource").filter(e => e.initiatorType === "script").reduce((n, e) => n + e.decodedBodySize, 0)`

// checkPage runs the accessibility check and measures what the issue's
// figures name: no layout shift, under 100 KB of JavaScript.
func checkPage(t *testing.T, ctx context.Context, pageName string) {
	t.Helper()
	checkA11y(t, ctx, pageName)
	shift, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		CLS  float64 `json:"cls"`
		What string  `json:"what"`
	}](layoutShift, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: layout shift: %v", pageName, err)
	}
	cls := shift.CLS
	if cls > 0.01 {
		t.Errorf("%s: cumulative layout shift %.4f, want none perceptible, ≤ 0.01 (moved: %s)", pageName, cls, shift.What)
	}
	js, err := chromedp.Run(ctx, chromedp.Evaluate[float64](scriptBytes))
	if err != nil {
		t.Fatalf("%s: scripts: %v", pageName, err)
	}
	if js > 100<<10 {
		t.Errorf("%s: %.0f bytes of JavaScript, want under 100 KB", pageName, js)
	}
	t.Logf("%s: layout shift %.4f %s, JavaScript %.0f bytes", pageName, cls, shift.What, js)
}

// screenshot saves a full-page PNG: to docs/screenshots/ with
// MERIDIAN_SCREENSHOTS=1, else to a temporary directory.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser drives the web app in headless chromium against the real
// server (`meridian serve` with the demo data): each subtest is a user's
// journey, with an accessibility check of every page it sees and
// screenshots of the main pages.
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	shots := t.TempDir()
	if os.Getenv("MERIDIAN_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	p := startServe(t, nil, "--data-dir", t.TempDir())
	// Wait for the whole demo, and for the read model to hold what the
	// search index finds (the index may run a little ahead of it).
	eventually(t, 3*time.Minute, "demo data loaded", func() error {
		if !strings.Contains(p.Logs(), "demo data loaded") {
			return fmt.Errorf("demo still loading")
		}
		for _, q := range []string{"", "q=" + searchQuery} {
			m := mustCall(t, 200, "GET", p.URL+"/api/v1/jobs/search?limit=20&"+q, "", nil)
			if hits, _ := m["hits"].([]any); len(hits) < 20 {
				return fmt.Errorf("search %q: %d hits of %v", q, len(hits), m["total"])
			}
		}
		return nil
	})
	t.Run("search to job page", func(t *testing.T) { browseSearchToJobPage(t, ctx, p, shots) })
	t.Run("phone", func(t *testing.T) { browsePhone(t, tab(t, ctx), p, shots) })
	t.Run("hiring", func(t *testing.T) { browseHiring(t, ctx, p, shots) })
}

// tab opens a tab in a fresh browser context of ctx's browser: its own
// cookies, as another person on another device.
func tab(t *testing.T, parent context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// browsePhone looks at the main pages on a phone-sized screen: nothing
// wider than the screen, screenshots for the docs.
func browsePhone(t *testing.T, ctx context.Context, p *proc, shots string) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, pg := range []struct{ path, name string }{{"/", "home"}, {"/market", "market"}, {"/signup", "signup"}} {
		if err := chromedp.Do(ctx, chromedp.Navigate(p.URL+pg.path), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const w = document.documentElement.clientWidth; const out = [];
		  for (const el of document.querySelectorAll("body *")) { const r = el.getBoundingClientRect(); if (r.right > w + 1 && !el.closest("figure, .table-scroll, details")) out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " " + Math.round(r.right)); }
		  return out.slice(0, 5).join(", "); })()`))
		if err != nil {
			t.Fatal(err)
		}
		if wide != "" {
			t.Errorf("phone %s: wider than the screen: %s", pg.name, wide)
		}
		checkPage(t, ctx, "phone "+pg.name)
		screenshot(t, ctx, shots, pg.name+"-phone.png")
	}
}

const searchQuery = "engineer"

// browseSearchToJobPage: search, open the first result, check the job
// page and its JSON-LD, the organization page and the market dashboard.
func browseSearchToJobPage(t *testing.T, ctx context.Context, p *proc, shots string) {
	const query = searchQuery

	// The web app must be mounted at / (not the redirect to /api/docs).
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(p.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s: the web app is not mounted", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// Home: the search form, accessible, styled under the page's CSP.
	if err := chromedp.Do(ctx, chromedp.Navigate(p.URL+"/"), chromedp.WaitVisible(chromedp.ID("q"))); err != nil {
		t.Fatal(err)
	}
	checkPage(t, ctx, "home")
	font, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).fontFamily`))
	if err != nil || !strings.Contains(font, "system-ui") {
		t.Errorf("the stylesheet is not applied (font %q, %v)", font, err)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("script:not([type='application/ld+json']):not([src^='/assets/app.js'])").length`))
	if err != nil || scripts != 0 {
		t.Errorf("home has %d scripts besides the app's own (%v)", scripts, err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".hit").length`)); err != nil || n != 20 {
		t.Errorf("home lists %d postings (%v), want a page of 20", n, err)
	}
	screenshot(t, ctx, shots, "home.png")
	// Keyboard: the first Tab reaches the skip link, which is then visible.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement; return a.getAttribute("href") + " " + (a.getBoundingClientRect().top >= 0); })()`))
	if err != nil || focused != "#main true" {
		t.Errorf("first Tab focuses %q (%v), want the visible skip link", focused, err)
	}

	// Search: type, submit, get results.
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Steps(
		chromedp.SendKeys(chromedp.ID("q"), query),
		chromedp.Submit(chromedp.ID("q")),
	))); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := url.Parse(loc); err != nil || u.Query().Get("q") != query {
		t.Fatalf("after submitting, the page is %s", loc)
	}
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("results-heading")))
	if err != nil || !strings.HasSuffix(strings.TrimSpace(count), "postings") || strings.HasPrefix(count, "0 ") {
		t.Fatalf("results count %q (%v)", count, err)
	}
	checkPage(t, ctx, "results")
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".hit h3 a")))
	if err != nil || strings.TrimSpace(first) == "" {
		t.Fatalf("first result: %q (%v)", first, err)
	}

	// The job page: its h1 is the result's title, its JSON-LD a JobPosting.
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(".hit h3 a")))); err != nil {
		t.Fatal(err)
	}
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/jobs/") {
		t.Fatalf("after the click, the page is %s", loc)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || strings.TrimSpace(h1) != strings.TrimSpace(first) {
		t.Errorf("job page h1 %q, want %q (%v)", h1, first, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('script[type="application/ld+json"]').textContent`))
	if err != nil {
		t.Fatalf("JSON-LD: %v", err)
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(raw), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, raw)
	}
	org, _ := ld["hiringOrganization"].(map[string]any)
	if ld["@type"] != "JobPosting" || ld["title"] != strings.TrimSpace(h1) || ld["jobLocationType"] != "TELECOMMUTE" ||
		ld["datePosted"] == nil || ld["validThrough"] == nil || org["name"] == nil || ld["description"] == nil {
		t.Errorf("JSON-LD = %s", raw)
	}
	checkPage(t, ctx, "job page")
	screenshot(t, ctx, shots, "job.png")

	// The organization page, linked from the job page.
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(".job-head .org a")))); err != nil {
		t.Fatal(err)
	}
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/orgs/") {
		t.Fatalf("after the organization link, the page is %s", loc)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".hit").length`)); err != nil || n == 0 {
		t.Errorf("organization page lists %d postings (%v)", n, err)
	}
	checkPage(t, ctx, "organization page")

	// The market dashboard, from the header: inline SVG charts, each
	// labelled, with the numbers in tables.
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(`header.site nav a[href="/market"]`)))); err != nil {
		t.Fatal(err)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure.chart svg[role=img] > title").length`))
	if err != nil || charts < 4 {
		t.Errorf("market dashboard has %d labelled charts (%v)", charts, err)
	}
	checkPage(t, ctx, "market")
	screenshot(t, ctx, shots, "market.png")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelectorAll("details").forEach(d => d.open = true); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	checkA11y(t, ctx, "market tables")

	// An unknown posting is a 404 page.
	res404, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.URL+"/jobs/no-such-job"))
	if err != nil || res404.Status != 404 {
		t.Errorf("unknown job: %v (%v)", res404, err)
	}
	checkA11y(t, ctx, "404 page")
}
