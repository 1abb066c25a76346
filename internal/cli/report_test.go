package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runMain runs the command line in-process against the environment vars
// (nothing else of the process environment).
func runMain(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	old := env
	env = func(k string) string { return vars[k] }
	defer func() { env = old }()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestReportFlags(t *testing.T) {
	vars := map[string]string{"MERIDIAN_DATA_DIR": t.TempDir()}
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{}, "--out"},
		{[]string{"--out", out, "--from", "2026-13-01"}, "--from"},
		{[]string{"--out", out, "--to", "yesterday"}, "--to"},
		{[]string{"--out", out, "--from", "2026-03-01", "--to", "2026-02-01"}, "--to"},
		{[]string{"--out", out, "--country", "DE,XX"}, "--country"},
		{[]string{"--out", out, "--region", "EU,MARS"}, "--region"},
		{[]string{"--out", out, "--seniority", "senior,wizard"}, "--seniority"},
		{[]string{"--out", out, "--currency", "DOGE"}, "--currency"},
		{[]string{"--out", out, "--min-n", "3"}, "--min-n"},
		{[]string{"--out", out, "--min-n", "ten"}, "min-n"},
	} {
		stdout, stderr, code := runMain(t, vars, append([]string{"report"}, c.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, c.flag) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("report %v: exit %d, stderr %q: want exit 2 and one line naming %s", c.args, code, stderr, c.flag)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("a rejected command wrote %d files", len(entries))
	}
}

// TestReportCommand writes the report of an empty embedded store (the
// reference sources absent), then loads the demo data set (postings, the
// shipped salary survey and hiring-trends baseline) and writes it again
// with filters, checking what it printed and wrote.
func TestReportCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data set")
	}
	vars := map[string]string{"MERIDIAN_DATA_DIR": t.TempDir()}
	out := filepath.Join(t.TempDir(), "empty")
	stdout, stderr, code := runMain(t, vars, "report", "--out", out, "--currency", "eur")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	paths := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(paths) < 10 || paths[0] != filepath.Join(out, "report.html") || paths[1] != filepath.Join(out, "report.md") {
		t.Fatalf("printed paths: %q", paths)
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", p, err)
		}
	}
	md := readFile(t, filepath.Join(out, "report.md"))
	for _, want := range []string{"No posting matches the filters", "No hiring-trends baseline has been imported", "No salary survey has been imported", "salaries in EUR"} {
		if !strings.Contains(md, want) {
			t.Fatalf("report.md lacks %q:\n%s", want, md)
		}
	}
	if stderr != "" {
		t.Fatalf("absent sources are not warnings: %s", stderr)
	}

	if _, stderr, code := runMain(t, vars, "demo"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	out = filepath.Join(t.TempDir(), "demo")
	stdout, stderr, code = runMain(t, vars, "report", "--out", out, "--seniority", "senior,lead", "--region", "eu,north_america", "--to", "2030-12-31")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	md = readFile(t, filepath.Join(out, "report.md"))
	for _, want := range []string{"## Seed claims", "### Share of backend roles requiring cloud proficiency", "seniority senior or lead",
		"posted before 2031-01-01", "## Long-run baseline: Hacker News hiring trends (different source)",
		"Data: [baseline-hn-hiring-trends.csv](baseline-hn-hiring-trends.csv)", "## Salary survey (different source)",
		"Data: [survey-salaries.csv](survey-salaries.csv)", "Survey answers: remote answers only", "seniority senior, lead", "work year to 2030"} {
		if !strings.Contains(md, want) {
			t.Fatalf("report.md lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(stdout, "survey-salaries-by-seniority.csv") || !strings.Contains(stdout, "survey-salaries-by-region.csv") || strings.Contains(md, "section left out") {
		t.Fatalf("reference sections incomplete:\n%s", stdout)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
