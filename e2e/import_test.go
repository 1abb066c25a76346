package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/hnposts"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meridianhq/meridian/internal/export"
)

const remoteOKSample = `[{"legal": "API terms of service"},
 {"slug": "caf-labs-senior-go", "id": "9001", "epoch": 1764000000, "date": "2026-11-24T10:00:00+00:00", "company": "Caf\u00c3\u00a9 Labs",
  "position": "Senior Go Developer", "tags": ["golang", "postgres", "kubernetes"],
  "description": "&lt;p&gt;Build APIs in Go &amp;amp; gRPC on PostgreSQL. We&amp;#x27;re remote-first.&lt;/p&gt;", "location": "Worldwide",
  "salary_min": 120000, "salary_max": 160000, "apply_url": "https://example.com/apply/9001", "url": "https://remoteok.example/9001"},
 {"slug": "no-title", "id": "9002", "company": "Nameless", "position": "", "location": "Remote"},
 {"slug": "eu-python", "id": "9003", "company": "Example GmbH", "position": "Python Backend Engineer", "tags": ["python", "django"],
  "description": "Django, Celery and AWS. Remote within the EU.", "location": "Remote (Europe)", "salary_min": 0, "salary_max": 0}
]`

// TestImportExportCommands drives meridian import, export and skills
// extract as an operator would, on one data directory.
func TestImportExportCommands(t *testing.T) {
	dir := t.TempDir()
	env := []string{"MERIDIAN_DATA_DIR=" + filepath.Join(dir, "data")}
	file := filepath.Join(dir, "remoteok.json")
	if err := os.WriteFile(file, []byte(remoteOKSample), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, env, "import", "--format", "remoteok", file)
	if err != nil || !contains(out, "3 records: 2 created") || !contains(out, "rejected: record 2") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !contains(out, "imported 3 records") {
		t.Errorf("no plain progress counts when not on a terminal:\n%s", out)
	}
	var rep struct {
		Created, Rejected int
		Rejections        []struct {
			Record int
			Reason string
		}
	}
	b, err := os.ReadFile(file + ".report.json")
	if err != nil || json.Unmarshal(b, &rep) != nil || rep.Rejected != 1 || !contains(rep.Rejections[0].Reason, "position: missing") {
		t.Fatalf("report: %v %s", err, b)
	}
	out, err = runCLI(t, env, "import", "--format", "remoteok", "--report", "-", file)
	if err != nil || !contains(out, "0 created") || !contains(out, "2 unchanged") {
		t.Fatalf("second import is not idempotent: %v\n%s", err, out)
	}
	// The real HN posts: one post may list several roles.
	hn := filepath.Join(dir, "hn.jsonl")
	writeHNPosts(t, hn)
	out, err = runCLI(t, env, "import", "--format", "hn", hn)
	if err != nil || !contains(out, "records:") {
		t.Fatalf("hn import: %v\n%s", err, out)
	}
	if out, err = runCLI(t, env, "import", "--format", "xml", hn); err == nil || !contains(out, "--format must be one of") {
		t.Fatalf("unknown format accepted: %s", out)
	}

	// Export: every published posting as JSON-LD that Google accepts.
	ld := filepath.Join(dir, "jobs.jsonld")
	if out, err := runCLI(t, env, "export", "--format", "jsonld", "--out", ld); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	var postings []map[string]any
	if b, err := os.ReadFile(ld); err != nil || json.Unmarshal(b, &postings) != nil || len(postings) < 900 {
		t.Fatalf("exported %d postings: %v", len(postings), err)
	}
	for _, p := range postings {
		if errs := export.CheckGoogleJobPosting(p); len(errs) > 0 {
			t.Fatalf("posting %v breaks Google's rules: %v", p["identifier"], errs)
		}
	}

	// Profiles: a JSON Resume for a real account, exported back as JSON Resume.
	if out, err := runCLI(t, env, "users", "create", "--email", "ada@example.com", "--name", "Ada"); err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}

	// The JSON-LD export imports again, from standard input, into one
	// organization: no exported posting is rejected.
	out, err = runCLI(t, env, "orgs", "create", "--name", "Re-importer", "--owner", "ada@example.com")
	if err != nil {
		t.Fatalf("orgs create: %v\n%s", err, out)
	}
	orgID := strings.Fields(out)[2]
	cmd := exec.Command(binary, "import", "--format", "jsonld", "--org", orgID, "--report", filepath.Join(dir, "again.json"), "-")
	cmd.Env = append(os.Environ(), env...)
	in, err := os.Open(ld)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd.Stdin = in
	b, err = cmd.CombinedOutput()
	// In one organization, postings of different companies with the same
	// title and eligibility are near-duplicates by design: they merge.
	if err != nil || !contains(string(b), fmt.Sprintf("%d records: ", len(postings))) || !contains(string(b), " 0 rejected") {
		t.Fatalf("re-import of the export: %v\n%s", err, b)
	}
	resume := filepath.Join(dir, "resume.json")
	_ = os.WriteFile(resume, []byte(`{"basics": {"name": "Ada Example", "label": "Senior Backend Engineer", "email": "ada@example.com",
  "summary": "Event-sourced systems in Go on PostgreSQL.", "location": {"city": "Lisbon", "countryCode": "PT"}},
 "skills": [{"name": "Golang", "level": "Expert", "keywords": ["gRPC", "Kubernetes"]}]}`), 0o600)
	if out, err := runCLI(t, env, "import", "--format", "jsonresume", resume); err == nil || !contains(out, "--owner") {
		t.Fatalf("résumé import without --owner: %v\n%s", err, out)
	}
	if out, err := runCLI(t, env, "import", "--format", "jsonresume", "--owner", "ada@example.com", resume); err != nil || !contains(out, "1 created") {
		t.Fatalf("résumé import: %v\n%s", err, out)
	}
	jr := filepath.Join(dir, "resumes.json")
	if out, err := runCLI(t, env, "export", "--format", "jsonresume", "--owner", "ada@example.com", "--out", jr); err != nil {
		t.Fatalf("export resumes: %v\n%s", err, out)
	}
	var resumes []any
	if b, err := os.ReadFile(jr); err != nil || json.Unmarshal(b, &resumes) != nil || len(resumes) != 1 {
		t.Fatalf("exported résumés: %v %d", err, len(resumes))
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile("../internal/export/testdata/jsonresume/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(resumes[0]); err != nil {
		t.Fatalf("exported résumé does not validate against the JSON Resume schema: %v", err)
	}

	// skills extract: text on standard input, JSON out.
	cmd = exec.Command(binary, "skills", "extract")
	cmd.Stdin = strings.NewReader("Requirements: Go and PostgreSQL on Kubernetes.\nNice to have: Terraform.")
	b, err = cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Skills []struct{ ID, Name, Category, Requirement string }
	}
	if err := json.Unmarshal(b, &ex); err != nil || len(ex.Skills) != 4 || ex.Skills[0].ID != "go" || ex.Skills[3].Requirement != "nice_to_have" {
		t.Fatalf("skills extract: %v\n%s", err, b)
	}
}

// writeHNPosts writes the shipped HN posts (JSON Lines) to a file, for the
// CLI to import.
func writeHNPosts(t *testing.T, to string) {
	t.Helper()
	r, err := hnposts.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := io.Copy(w, r); err != nil {
		t.Fatal(err)
	}
}

// TestImportProgressOnTerminal runs meridian import under a pseudo-terminal
// (util-linux's script): it draws a progress bar instead of printing plain
// counts.
func TestImportProgressOnTerminal(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	requireService(t, err == nil, "util-linux script(1), for a pseudo-terminal")
	dir := t.TempDir()
	hn := filepath.Join(dir, "hn.jsonl")
	writeHNPosts(t, hn)
	cmd := exec.Command(scriptBin, "-qec", binary+" import --format hn "+hn, "/dev/null")
	cmd.Env = append(os.Environ(), "MERIDIAN_DATA_DIR="+filepath.Join(dir, "data"))
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil || !contains(out, "records:") {
		t.Fatalf("import under a terminal: %v\n%s", err, out)
	}
	if !contains(out, "importing") || !contains(out, "%") || contains(out, "imported 500 records") {
		t.Fatalf("no progress bar (or plain counts) on a terminal:\n%q", out)
	}
}
