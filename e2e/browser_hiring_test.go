package e2e

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// submitAndWait runs actions that submit a form or follow a link and
// waits for the next page to load.
func submitAndWait(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Steps(actions...))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// text is the text of the first element matching sel ("" when none).
func text(ctx context.Context, sel string) string {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel)))
	if err != nil {
		return ""
	}
	return s
}

// waitText waits until the element matching sel contains want, without
// the page being loaded again (a marker set on the window must survive):
// what the live channels promise.
func waitText(t *testing.T, ctx context.Context, sel, want, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__meridianTest = 1`)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, what, func() error {
		got := text(ctx, sel)
		if !strings.Contains(got, want) {
			return fmt.Errorf("%s says %q", sel, got)
		}
		return nil
	})
	if still, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__meridianTest || 0`)); err != nil || still != 1 {
		t.Fatalf("%s: the page was loaded again instead of updated live", what)
	}
}

// liveReady waits until the page's script has opened its live channels.
func liveReady(t *testing.T, ctx context.Context, channels string) {
	t.Helper()
	eventually(t, 20*time.Second, "live channels open: "+channels, func() error {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.getAttribute("data-live-ready") || ""`))
		if err != nil || got != channels {
			return fmt.Errorf("live channels %q (%v)", got, err)
		}
		return nil
	})
}

// signUp creates an account through the sign-up form.
func signUp(t *testing.T, ctx context.Context, p *proc, name, email string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(p.URL+"/signup"), chromedp.WaitVisible(chromedp.ID("signup-email"))); err != nil {
		t.Fatal(err)
	}
	const pw = "a long and unusual passphrase"
	submitAndWait(t, ctx, "sign up "+email,
		chromedp.SendKeys(chromedp.ID("signup-name"), name),
		chromedp.SendKeys(chromedp.ID("signup-email"), email),
		chromedp.SendKeys(chromedp.ID("signup-password"), pw),
		chromedp.SendKeys(chromedp.ID("signup-password2"), pw),
		chromedp.Submit(chromedp.ID("signup-email")))
	if u := location(t, ctx); u.Path != "/me/profile" {
		t.Fatalf("after signing up, the page is %s:\n%s", u, text(ctx, "main"))
	}
	if who := text(ctx, "header .who"); who != name {
		t.Fatalf("signed in as %q, want %q", who, name)
	}
}

// browseHiring is the hiring journey across two people in two browser
// contexts: a developer signs up and imports a JSON Resume, sees matches;
// an employer signs up, creates an organization and posts a job (its
// skills read live as they type); the developer sees the posting appear
// live in a search, applies; the employer moves the application on the
// pipeline board and the developer sees each new stage live; the market
// dashboard updates live.
func browseHiring(t *testing.T, browser context.Context, p *proc, shots string) {
	dev, emp, mkt := tab(t, browser), tab(t, browser), tab(t, browser)

	// The developer: sign up, import a JSON Resume, see matches.
	signUp(t, dev, p, "Grace Backend", "grace@example.com")
	checkPage(t, dev, "new profile")
	resume, err := filepath.Abs(filepath.Join("testdata", "backend.resume.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(dev, chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{resume})); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, dev, "import the résumé", chromedp.Submit(chromedp.ID("import-file")))
	if u := location(t, dev); u.Path != "/me/matches" {
		t.Fatalf("after the import, the page is %s:\n%s", u, text(dev, "main"))
	}
	if flash := text(dev, ".flash"); !strings.Contains(flash, "skill") {
		t.Errorf("import message %q", flash)
	}
	n, err := chromedp.Run(dev, chromedp.Evaluate[int](`document.querySelectorAll("#matches .match").length`))
	if err != nil || n == 0 {
		t.Fatalf("%d matches after importing a Go/PostgreSQL résumé (%v):\n%s", n, err, text(dev, "main"))
	}
	if why := text(dev, "#matches .match .why"); !strings.Contains(why, "Skills you have") || !strings.Contains(why, "eligible") {
		t.Errorf("the first match has no explanation: %q", why)
	}
	checkPage(t, dev, "matches")
	screenshot(t, dev, shots, "matches.png")

	// The developer keeps a search open for the posting to come.
	const word = "Quokka"
	if err := chromedp.Do(dev, chromedp.Navigate(p.URL+"/?q="+word), chromedp.WaitVisible(chromedp.ID("results-heading"))); err != nil {
		t.Fatal(err)
	}
	if got := text(dev, "#results-heading"); !strings.HasPrefix(got, "0 ") {
		t.Fatalf("search for %s before it is posted: %q", word, got)
	}
	liveReady(t, dev, "jobs.new,jobs.closed")
	// And the market dashboard is open in another tab.
	if err := chromedp.Do(mkt, chromedp.Navigate(p.URL+"/market"), chromedp.WaitVisible(chromedp.ID("figures"))); err != nil {
		t.Fatal(err)
	}
	liveReady(t, mkt, "market.ticks")
	before := text(mkt, "#figures .count")

	// The employer: sign up, create an organization, post a job.
	signUp(t, emp, p, "Ellen Employer", "ellen@example.com")
	if err := chromedp.Do(emp, chromedp.Navigate(p.URL+"/employer"), chromedp.WaitVisible(chromedp.ID("org-name"))); err != nil {
		t.Fatal(err)
	}
	submitAndWait(t, emp, "create the organization", chromedp.SendKeys(chromedp.ID("org-name"), word+" Labs"), chromedp.Submit(chromedp.ID("org-name")))
	orgPage := location(t, emp)
	if !strings.HasPrefix(orgPage.Path, "/employer/orgs/") {
		t.Fatalf("after creating the organization, the page is %s:\n%s", orgPage, text(emp, "main"))
	}
	checkPage(t, emp, "organization dashboard")
	if err := chromedp.Do(emp, chromedp.Navigate(p.URL+orgPage.Path+"/jobs/new"), chromedp.WaitVisible(chromedp.ID("job-description"))); err != nil {
		t.Fatal(err)
	}
	title := word + " Backend Engineer (Go)"
	if err := chromedp.Do(emp,
		chromedp.SendKeys(chromedp.ID("job-title"), title),
		chromedp.SendKeys(chromedp.ID("job-description"), "We build event-sourced payment services.\n\nRequirements:\n- 5+ years of Go (Golang) in production\n- PostgreSQL\n- Kafka\n\nNice to have:\n- Kubernetes\n"),
	); err != nil {
		t.Fatal(err)
	}
	// The skills are read as the employer types.
	eventually(t, 20*time.Second, "live skills preview", func() error {
		if got := text(emp, "#job-skills"); !strings.Contains(got, "Go") || !strings.Contains(got, "PostgreSQL") || !strings.Contains(got, "Kubernetes") {
			return fmt.Errorf("preview says %q", got)
		}
		return nil
	})
	if err := chromedp.Do(emp,
		chromedp.Click(chromedp.ID("job-worldwide")),
		chromedp.SendKeys(chromedp.ID("job-salary-min"), "120000"),
		chromedp.SendKeys(chromedp.ID("job-salary-max"), "150000"),
	); err != nil {
		t.Fatal(err)
	}
	if on, err := chromedp.Run(emp, chromedp.Evaluate[bool](`document.getElementById("job-publish").checked`)); err != nil || !on {
		t.Fatalf("'publish now' is not ticked by default (%v)", err)
	}
	checkPage(t, emp, "job editor")
	screenshot(t, emp, shots, "post-job.png")
	submitAndWait(t, emp, "publish the job", chromedp.Submit(chromedp.ID("job-title")))

	// The developer's open search shows it, live; so does the dashboard.
	waitText(t, dev, "#results", title, "the new posting in the developer's open search")
	eventually(t, 60*time.Second, "the market dashboard updated live", func() error {
		if got := text(mkt, "#figures .count"); got == before {
			return fmt.Errorf("still %q", got)
		}
		return nil
	})

	// The developer applies from the job page.
	submitAndWait(t, dev, "open the posting", chromedp.Click(chromedp.CSS("#results .hit h3 a")))
	jobPath := location(t, dev).Path
	jobID := strings.TrimPrefix(jobPath, "/jobs/")
	submitAndWait(t, dev, "apply",
		chromedp.SendKeys(chromedp.ID("apply-cover"), "I have run Go and Kafka in production for five years."),
		chromedp.Submit(chromedp.ID("apply-cover")))
	if u := location(t, dev); u.Path != "/me/applications" {
		t.Fatalf("after applying, the page is %s:\n%s", u, text(dev, "main"))
	}
	if got := text(dev, "#applications"); !strings.Contains(got, title) || !strings.Contains(got, "Applied") {
		t.Fatalf("applications after applying: %q", got)
	}
	checkPage(t, dev, "applications")
	liveReady(t, dev, "me.applications")

	// The employer moves it on the pipeline board; the developer sees each stage live.
	if err := chromedp.Do(emp, chromedp.Navigate(p.URL+"/employer/jobs/"+jobID+"/pipeline"), chromedp.WaitVisible(chromedp.ID("board"))); err != nil {
		t.Fatal(err)
	}
	if got := text(emp, "#board"); !strings.Contains(got, "Grace Backend") {
		t.Fatalf("the board does not show the application: %q", got)
	}
	checkPage(t, emp, "pipeline board")
	screenshot(t, emp, shots, "pipeline.png")
	move := func(to, reason string) {
		t.Helper()
		sel := `#board form.emp-move`
		actions := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.CSS(sel+` select[name="to"]`), to)}
		if reason != "" {
			actions = append(actions, chromedp.SetValue(chromedp.CSS(sel+` select[name="reason"]`), reason))
		}
		actions = append(actions, chromedp.Submit(chromedp.CSS(sel)))
		submitAndWait(t, emp, "move to "+to, actions...)
	}
	move("screening", "")
	waitText(t, dev, "#applications", "Screening", "the developer sees the screening stage live")
	move("rejected", "skills_mismatch")
	waitText(t, dev, "#applications", "Not selected", "the developer sees the final answer live")
	if got := text(dev, "#applications"); !strings.Contains(got, "skills did not match") {
		t.Errorf("the final answer lacks its reason: %q", got)
	}
	checkPage(t, dev, "applications with an answer")
	screenshot(t, dev, shots, "applications.png")
}
