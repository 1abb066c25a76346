package graphql_test

import (
	"fmt"
	"testing"
	"time"
)

// TestRelationsAreBatched counts the SQL statements of a list with nested
// relations: the same for 5 rows as for 25, so not one per row (N+1).
func TestRelationsAreBatched(t *testing.T) {
	s := newStack(t, stackOptions{countQueries: true})
	s.gql.SetLoaderWait(50 * time.Millisecond) // no batch split by a slow machine
	prof := s.profile(t, "bob", "Bob", "private")
	for i := range 25 {
		org := s.org(t, "alice", fmt.Sprintf("Org %d", i))
		s.apply(t, "bob", s.job(t, "alice", org, fmt.Sprintf("Go Engineer %d", i), true), prof)
	}
	s.stop() // projectors and followers query too: stop them before counting

	count := func(who, q, list string, n int, check func(item any) bool) int64 {
		t.Helper()
		before := selects.Load()
		d := s.ok(t, who, q, map[string]any{"n": n})
		items, _ := get(d, list, "items").([]any)
		if len(items) != n {
			t.Fatalf("%d %s, want %d", len(items), list, n)
		}
		for i, it := range items {
			if !check(it) {
				t.Fatalf("%s item %d incomplete: %v", list, i, it)
			}
		}
		return selects.Load() - before
	}
	// A candidate's applications with their postings, organizations and profiles.
	const apps = `query($n: Int) { applications(first: $n) { items { id job { title organization { name } } profile { displayName } } } }`
	appsOK := func(it any) bool {
		return str(it, "job", "organization", "name") != "" && str(it, "profile", "displayName") == "Bob"
	}
	small, large := count("bob", apps, "applications", 5, appsOK), count("bob", apps, "applications", 25, appsOK)
	t.Logf("applications: %d SELECT statements for 5 rows, %d for 25", small, large)
	if small == 0 || small != large || large > 10 {
		t.Fatalf("applications: %d SELECT statements for 5 rows, %d for 25: not constant", small, large)
	}
	// Organizations with their members (authorized per organization).
	const orgs = `query($n: Int) { organizations(first: $n) { items { name members { userId role } } } }`
	orgsOK := func(it any) bool { return str(it, "members", 0, "userId") == "alice" }
	small, large = count("alice", orgs, "organizations", 5, orgsOK), count("alice", orgs, "organizations", 25, orgsOK)
	t.Logf("organizations: %d SELECT statements for 5 rows, %d for 25", small, large)
	if small == 0 || small != large || large > 10 {
		t.Fatalf("organizations: %d SELECT statements for 5 rows, %d for 25: not constant", small, large)
	}
}
