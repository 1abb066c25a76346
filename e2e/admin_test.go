package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func runCLIInput(t *testing.T, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestOperatorCommands sets up an employer with the admin CLI alone, then
// signs in over the API as that user and as the API key it printed.
func TestOperatorCommands(t *testing.T) {
	dir := t.TempDir()
	env := []string{"MERIDIAN_DATA_DIR=" + dir, "MERIDIAN_NO_DEMO=true"}
	must := func(out string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return out
	}
	out := must(runCLIInput(t, env, "correct horse battery staple\n", "users", "create", "--email", "owner@acme.example", "--name", "Olga Owner", "--password-stdin"))
	if !strings.Contains(out, "created user") {
		t.Fatalf("users create: %s", out)
	}
	if out, err := runCLIInput(t, env, "password\n", "users", "create", "--email", "weak@acme.example", "--password-stdin"); err == nil || !strings.Contains(out, "12") {
		t.Fatalf("weak password accepted: %s", out)
	}
	must(runCLIInput(t, env, "", "users", "create", "--email", "rita@acme.example"))
	out = must(runCLI(t, env, "orgs", "create", "--name", "Acme Remote", "--owner", "owner@acme.example"))
	orgID := regexp.MustCompile(`organization (\S+)`).FindStringSubmatch(out)[1]
	must(runCLI(t, env, "orgs", "add-member", "--org", orgID, "--user", "rita@acme.example", "--role", "recruiter"))
	if out, err := runCLI(t, env, "orgs", "add-member", "--org", orgID, "--user", "nobody@acme.example", "--role", "viewer"); err == nil {
		t.Fatalf("unknown user added: %s", out)
	}
	out = must(runCLI(t, env, "keys", "create", "--org", orgID, "--name", "ATS", "--scope", "jobs:read,jobs:write"))
	var created struct {
		Key    struct{ ID string }
		Secret string
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &created); err != nil || created.Secret == "" {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	if out := must(runCLI(t, env, "keys", "list", "--org", orgID)); !strings.Contains(out, created.Key.ID) || strings.Contains(out, created.Secret) {
		t.Fatalf("keys list: %s", out)
	}
	if out := must(runCLI(t, env, "keys", "rotate-signing")); !strings.Contains(out, "new signing key") {
		t.Fatalf("rotate-signing: %s", out)
	}

	p := startServe(t, nil, "--data-dir", dir, "--no-demo")
	login := mustCall(t, 200, "POST", p.URL+"/api/v1/auth/login", "", map[string]any{"email": "owner@acme.example", "password": "correct horse battery staple"})
	bearer := "Bearer " + login["access_token"].(string)
	members := mustCall(t, 200, "GET", p.URL+"/api/v1/orgs/"+orgID+"/members", "", nil, "Authorization", bearer)
	if n := len(members["items"].([]any)); n != 2 {
		t.Fatalf("members: %v", members)
	}
	job := mustCall(t, 201, "POST", p.URL+"/api/v1/orgs/"+orgID+"/jobs", "", jobBody("Platform Engineer"), "X-API-Key", created.Secret)
	mustCall(t, 200, "POST", p.URL+"/api/v1/jobs/"+idOf(job)+"/publish", "", nil, "X-API-Key", created.Secret)
	mustCall(t, 200, "GET", p.URL+"/api/v1/jobs/"+idOf(job), "", nil)

	must(runCLI(t, env, "keys", "revoke", "--org", orgID, "--id", created.Key.ID))
	if code, _, _ := call("GET", p.URL+"/api/v1/orgs/"+orgID+"/jobs", "", nil, "X-API-Key", created.Secret); code != 401 {
		t.Fatalf("revoked key: %d", code)
	}
	audit := mustCall(t, 200, "GET", p.URL+"/api/v1/orgs/"+orgID+"/audit", "", nil, "Authorization", bearer)
	if b, _ := json.Marshal(audit); !strings.Contains(string(b), "api_key.revoked") || !strings.Contains(string(b), "org.member_added") {
		t.Fatalf("audit: %v", audit)
	}
}
