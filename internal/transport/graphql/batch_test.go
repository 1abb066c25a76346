package graphql_test

import (
	"context"
	"testing"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/meridian"
)

// TestBatchQueriesAgreeWithSingleOnes checks that the App's batch queries
// behind the dataloaders decide visibility exactly as Job, Profile and
// Members do, for every kind of principal.
func TestBatchQueriesAgreeWithSingleOnes(t *testing.T) {
	s := newStack(t, stackOptions{})
	w := buildWorld(t, s)
	closed := s.job(t, "alice", w.org, "Closed", true)
	s.ok(t, "alice", `mutation($id: ID!) { closeJob(id: $id) { id } }`, map[string]any{"id": closed})
	malloryDraft := s.job(t, "mallory", w.malloryOrg, "Mallory draft", false)
	public := s.profile(t, "carol", "Carol", "public")
	employers := s.profile(t, "dave", "Dave", "employers")
	jobs := []string{w.job, w.draft, closed, malloryDraft, "0190aaaa-0000-7000-8000-000000000000"}
	profiles := []string{w.profile, w.malloryProfile, public, employers}
	orgs := []string{w.org, w.malloryOrg}

	principals := map[string]meridian.Principal{
		"anonymous": meridian.Anonymous,
		"alice":     user("alice"),
		"bob":       user("bob"),
		"mallory":   user("mallory"),
		"admin":     {Kind: meridian.PrincipalUser, ID: "root", PlatformAdmin: true},
		"acme key":  {Kind: meridian.PrincipalService, ID: "key1", OrgID: w.org, Scopes: []string{app.ScopeJobsRead, app.ScopeApplicationsRead, app.ScopeOrgRead}},
		"bare key":  {Kind: meridian.PrincipalService, ID: "key2", OrgID: w.org},
		"other key": {Kind: meridian.PrincipalService, ID: "key3", OrgID: w.malloryOrg, Scopes: []string{app.ScopeJobsRead, app.ScopeApplicationsRead, app.ScopeOrgRead}},
	}
	for name, p := range principals {
		ctx := meridian.WithPrincipal(context.Background(), p)
		visibleJobs, err := s.app.JobsVisible(ctx, jobs)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range jobs {
			_, single := s.app.Job(ctx, id)
			if _, batch := visibleJobs[id]; batch != (single == nil) {
				t.Errorf("%s, job %s: batch visible %v, Job error %v", name, id, batch, single)
			}
		}
		visibleProfiles, err := s.app.ProfilesVisible(ctx, profiles)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range profiles {
			_, single := s.app.Profile(ctx, id)
			if _, batch := visibleProfiles[id]; batch != (single == nil) {
				t.Errorf("%s, profile %s: batch visible %v, Profile error %v", name, id, batch, single)
			}
		}
		members, err := s.app.MembersOf(ctx, orgs)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range orgs {
			_, single := s.app.Members(ctx, id)
			if _, batch := members[id]; batch != (single == nil) {
				t.Errorf("%s, members of %s: batch visible %v, Members error %v", name, id, batch, single)
			}
		}
	}
}
