package graphql_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/transport/graphql/gql"
)

// Access policies of the API's root fields.
type policy string

const (
	public    policy = "public"     // anyone, signed in or not
	signedIn  policy = "signed-in"  // any signed-in person, who sees only their own
	owner     policy = "owner"      // the owner of the object (bob)
	orgMember policy = "org-member" // the organization's members (alice)
	orgAdmin  policy = "org-admin"  // the organization's recruiters and above (alice)
)

// world is what the matrix runs against: alice owns Acme (a published
// posting and a draft), bob has a private profile, an application to the
// posting and a saved search; mallory is another tenant with her own
// organization and profile.
type world struct {
	org, job, draft, profile, application, savedSearch string
	malloryOrg, malloryProfile                         string
}

// secrets are strings of alice's and bob's data that anonymous callers and
// mallory must never see, whatever they ask.
var secrets = []string{"Secret Draft", "Bobby Secret", "Secret Go search", "Dear Acme"}

func buildWorld(t *testing.T, s *stack) world {
	w := world{org: s.org(t, "alice", "Acme")}
	w.job = s.job(t, "alice", w.org, "Go Engineer", true)
	w.draft = s.job(t, "alice", w.org, "Secret Draft", false)
	w.profile = s.profile(t, "bob", "Bobby Secret", "private")
	w.application = str(s.ok(t, "bob", `mutation($j: ID!, $p: ID!) { apply(jobId: $j, profileId: $p, coverLetter: "Dear Acme") { id } }`,
		map[string]any{"j": w.job, "p": w.profile}), "apply", "id")
	w.savedSearch = savedSearch(t, s, "bob", "Secret Go search")
	w.malloryOrg = s.org(t, "mallory", "Mallory Inc")
	w.malloryProfile = s.profile(t, "mallory", "Mallory", "private")
	return w
}

func savedSearch(t *testing.T, s *stack, who, name string) string {
	return str(s.ok(t, who, `mutation($n: String!) { createSavedSearch(input: {name: $n, query: {skillsAll: ["go"]}}) { id } }`,
		map[string]any{"n": name}), "createSavedSearch", "id")
}

// access is one root field's matrix entry: its policy and an operation
// exercising it. vars makes the operation's variables (fresh objects for
// commands, which the rightful principal then changes).
type access struct {
	policy policy
	op     string
	vars   func(t *testing.T, s *stack, w world) map[string]any
}

func none(*testing.T, *stack, world) map[string]any { return nil }

var matrix = map[string]access{
	// queries
	"Query.job":           {orgMember, `query($id: ID!) { job(id: $id) { id title } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.draft} }},
	"Query.jobs":          {public, `{ jobs { items { id title } } }`, none},
	"Query.searchJobs":    {public, `{ searchJobs(query: {text: "engineer"}) { total hits { job { id title } } } }`, none},
	"Query.organization":  {public, `query($id: ID!) { organization(id: $id) { id name } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.org} }},
	"Query.organizations": {public, `{ organizations { items { id name } } }`, none},
	"Query.profile":       {owner, `query($id: ID!) { profile(id: $id) { id displayName } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.profile} }},
	"Query.myProfiles":    {signedIn, `{ myProfiles { items { id displayName } } }`, none},
	"Query.application":   {owner, `query($id: ID!) { application(id: $id) { id coverLetter job { title } profile { displayName } } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.application} }},
	"Query.applications":  {signedIn, `{ applications { items { id coverLetter profile { displayName } } } }`, none},
	"Query.matches":       {owner, `query($id: ID!) { matches(profileId: $id) { items { score job { id } } } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.profile} }},
	"Query.candidates":    {orgMember, `query($id: ID!) { candidates(jobId: $id) { items { score profile { id } } } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.job} }},
	"Query.savedSearches": {signedIn, `{ savedSearches { items { id name feedToken } } }`, none},
	"Query.notifications": {signedIn, `{ notifications { items { id title savedSearchName } } }`, none},
	"Query.market":        {public, `{ market { demand(limit: 3) { n } claims { id } } }`, none},
	"Query.skillGaps":     {owner, `query($id: ID!) { skillGaps(profileId: $id) { eligible items { skill } } }`, func(_ *testing.T, _ *stack, w world) map[string]any { return map[string]any{"id": w.profile} }},
	// mutations
	"Mutation.createOrganization": {signedIn, `mutation { createOrganization(input: {name: "New Co"}) { id } }`, none},
	"Mutation.draftJob": {orgAdmin, `mutation($org: ID!, $in: JobInput!) { draftJob(organizationId: $org, input: $in) { id } }`, func(_ *testing.T, _ *stack, w world) map[string]any {
		return map[string]any{"org": w.org, "in": jobInput("Another")}
	}},
	"Mutation.updateJob": {orgAdmin, `mutation($id: ID!, $in: JobInput!) { updateJob(id: $id, input: $in) { id } }`, func(t *testing.T, s *stack, w world) map[string]any {
		return map[string]any{"id": s.job(t, "alice", w.org, "Fresh draft", false), "in": jobInput("Changed")}
	}},
	"Mutation.publishJob": {orgAdmin, `mutation($id: ID!) { publishJob(id: $id) { id status } }`, func(t *testing.T, s *stack, w world) map[string]any {
		return map[string]any{"id": s.job(t, "alice", w.org, "Fresh draft", false)}
	}},
	"Mutation.closeJob": {orgAdmin, `mutation($id: ID!) { closeJob(id: $id) { id status } }`, func(t *testing.T, s *stack, w world) map[string]any {
		return map[string]any{"id": s.job(t, "alice", w.org, "To close", true)}
	}},
	"Mutation.createProfile": {signedIn, `mutation($in: ProfileInput!) { createProfile(input: $in) { id } }`, func(*testing.T, *stack, world) map[string]any {
		return map[string]any{"in": profileInput("Someone")}
	}},
	"Mutation.updateProfile": {owner, `mutation($id: ID!, $in: ProfileInput!) { updateProfile(id: $id, input: $in) { id } }`, func(_ *testing.T, _ *stack, w world) map[string]any {
		return map[string]any{"id": w.profile, "in": profileInput("Bobby Secret")}
	}},
	"Mutation.apply": {owner, `mutation($j: ID!, $p: ID!) { apply(jobId: $j, profileId: $p) { id } }`, func(t *testing.T, s *stack, w world) map[string]any {
		return map[string]any{"j": s.job(t, "alice", w.org, "Open role", true), "p": w.profile}
	}},
	"Mutation.moveApplication": {orgAdmin, `mutation($id: ID!) { moveApplication(id: $id, to: "screening") { id stage } }`, func(t *testing.T, s *stack, w world) map[string]any {
		return map[string]any{"id": s.apply(t, "bob", s.job(t, "alice", w.org, "Open role", true), w.profile)}
	}},
	"Mutation.createSavedSearch": {signedIn, `mutation { createSavedSearch(input: {name: "Mine", query: {text: "rust"}}) { id } }`, none},
	"Mutation.deleteSavedSearch": {owner, `mutation($id: ID!) { deleteSavedSearch(id: $id) }`, func(t *testing.T, s *stack, _ world) map[string]any {
		return map[string]any{"id": savedSearch(t, s, "bob", "Secret Go search")}
	}},
	// subscriptions
	"Subscription.jobPublished":        {public, `subscription { jobPublished { id } }`, none},
	"Subscription.marketTicks":         {public, `subscription { marketTicks { openPostings } }`, none},
	"Subscription.newMatchingPostings": {signedIn, `subscription { newMatchingPostings { jobId } }`, none},
	"Subscription.applicationUpdates": {orgMember, `subscription($org: ID) { applicationUpdates(organizationId: $org) { id } }`, func(_ *testing.T, _ *stack, w world) map[string]any {
		return map[string]any{"org": w.org}
	}},
}

// rightful is who the policy admits among the world's people.
func (p policy) rightful() string {
	switch p {
	case owner, signedIn:
		return "bob"
	case orgMember, orgAdmin:
		return "alice"
	}
	return "bob"
}

// denied returns the codes a refused caller may get: unauthorized for
// anonymous callers of commands, not_found for whatever the caller may not
// see (objects of other tenants do not exist for them), forbidden for a
// signed-in caller lacking a role.
func denied(who string) []string {
	if who == "" {
		return []string{"unauthorized", "not_found"}
	}
	return []string{"not_found", "forbidden"}
}

// TestAuthorizationMatrix checks every root field of the schema, as
// anonymous, as another tenant (mallory) and as the rightful principal:
// each is admitted or refused as its policy says, and nobody ever sees
// another tenant's data. A field added to the schema without an entry
// here fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	schema := gql.NewExecutableSchema(gql.Config{}).Schema()
	var fields []string
	for _, root := range []string{"Query", "Mutation", "Subscription"} {
		for _, f := range schema.Types[root].Fields {
			if !strings.HasPrefix(f.Name, "__") {
				fields = append(fields, root+"."+f.Name)
			}
		}
	}
	for name := range matrix {
		if !slices.Contains(fields, name) {
			t.Errorf("matrix entry %s is not a field of the schema", name)
		}
	}
	sort.Strings(fields)
	s := newStack(t, stackOptions{})
	w := buildWorld(t, s)
	for _, name := range fields {
		acc, ok := matrix[name]
		if !ok {
			t.Errorf("%s has no authorization matrix entry: add one with its policy", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			vars := acc.vars(t, s, w)
			subscription := strings.HasPrefix(name, "Subscription.")
			for _, who := range []string{"", "mallory", acc.policy.rightful()} {
				var code, raw string
				if subscription {
					code = subscribeOnce(t, s, who, acc.op, vars)
				} else {
					r := s.do(t, who, acc.op, vars)
					code, raw = r.code(), r.Raw
				}
				admitted := acc.policy == public || (acc.policy == signedIn && who != "") || who == acc.policy.rightful()
				switch {
				case admitted && code != "":
					t.Errorf("as %q: refused with %s (policy %s): %s", who, code, acc.policy, raw)
				case !admitted && !slices.Contains(denied(who), code):
					t.Errorf("as %q: code %q, want one of %v (policy %s): %s", who, code, denied(who), acc.policy, raw)
				}
				if who != acc.policy.rightful() {
					for _, secret := range secrets {
						if strings.Contains(raw, secret) {
							t.Errorf("as %q: sees %q: %s", who, secret, raw)
						}
					}
				}
			}
		})
	}
}

// subscribeOnce subscribes as who and returns the refusal's code, or ""
// once the subscription is live (its stream open in the hub).
func subscribeOnce(t *testing.T, s *stack, who, op string, vars map[string]any) string {
	t.Helper()
	c, err := s.dial(t, who, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.conn.CloseNow()
	// Earlier subscriptions end asynchronously: start from none.
	waitFor(t, func() bool { return s.hub.Subscribers() == 0 })
	c.subscribe("1", op, vars)
	done := make(chan string, 1)
	go func() {
		m, err := c.read()
		if err != nil {
			return
		}
		var errs []gqlError
		switch m.Type {
		case "error":
			_ = jsonUnmarshal(m.Payload, &errs)
		case "next": // gqlgen answers a refused subscription with an event of errors
			var p struct {
				Errors []gqlError `json:"errors"`
			}
			_ = jsonUnmarshal(m.Payload, &p)
			errs = p.Errors
		default:
			return
		}
		code := "?"
		if len(errs) > 0 {
			code, _ = errs[0].Extensions["code"].(string)
		}
		done <- code
	}()
	code := ""
	waitFor(t, func() bool {
		select {
		case code = <-done:
			return true
		default:
			return s.hub.Subscribers() > 0
		}
	})
	return code
}
