package rest

import (
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/app"
)

// Policy names who may call an operation. Every operation declares one
// where it is registered, in huma.Operation.Metadata under "policy" (with
// the API-key scope it admits under "scope"; see access), or, for routes
// outside huma, as the argument of Server.handle. The decisions are
// made by the application layer (internal/app), deny by default, so that
// every transport gives the same answers; the declarations document them
// and are what the authorization matrix test (authz_matrix_test.go) checks
// the application layer against, with real credentials, for every
// operation × role, API-key scope and tenant. An operation without a
// declared policy fails that test.
//
// Rules common to every policy:
//   - Bad credentials (unknown, expired or revoked) are 401 on every
//     operation, public ones included: never a silent downgrade to anonymous.
//   - Platform admins pass every organization and ownership check (except
//     PolicySavedSearchOwner's: a saved search is its owner's alone).
//   - Another tenant's objects are indistinguishable from missing ones: 404,
//     never 403, with the same answer whether or not the object exists.
//   - 403 is for callers who may see the object but whose role or scope does
//     not allow the action.
type Policy string

// The policies.
const (
	// PolicyPublic: anyone, including anonymous callers.
	PolicyPublic Policy = "public"
	// PolicyPostings: job postings.
	PolicyPostings Policy = "postings"
	// PolicyProfiles: reading developer profiles.
	PolicyProfiles Policy = "profiles"
	// PolicySignedIn: any signed-in person.
	PolicySignedIn Policy = "signed-in"
	// PolicyProfileOwner: the owner of the profile.
	PolicyProfileOwner Policy = "profile-owner"
	// PolicyCandidateOrOrg: an application's candidate or its organization.
	PolicyCandidateOrOrg Policy = "candidate-or-org"
	// PolicyOrgViewer: the organization's members (viewer or above) and keys with the scope.
	PolicyOrgViewer Policy = "org-viewer"
	// PolicyOrgRecruiter: the organization's recruiters and above, and keys with the scope.
	PolicyOrgRecruiter Policy = "org-recruiter"
	// PolicyOrgAdmin: the organization's admins and owners (people only).
	PolicyOrgAdmin Policy = "org-admin"
	// PolicyOrgAdminOrSelf: as PolicyOrgAdmin, or a member acting on themselves.
	PolicyOrgAdminOrSelf Policy = "org-admin-or-self"
	// PolicyOrgSecurity: credentials and the audit log (admins and owners, people only).
	PolicyOrgSecurity Policy = "org-security"
	// PolicyAuth: sign-in endpoints (public, rate-limited).
	PolicyAuth Policy = "auth"
	// PolicySession: the signed-in person's own session.
	PolicySession Policy = "session"
	// PolicyOperational: health, readiness, metrics and the API reference (anyone).
	PolicyOperational Policy = "operational"
	// PolicySavedSearchOwner: the person who saved the search, only.
	PolicySavedSearchOwner Policy = "saved-search-owner"
	// PolicyFeedToken: anyone presenting the saved search's feed token.
	PolicyFeedToken Policy = "feed-token"
)

var policyDocs = map[Policy]string{
	PolicyPublic: "Anyone, including anonymous callers: organizations and the token signing keys (JWKS) are public.",
	PolicyPostings: "Published, unexpired postings: anyone. Drafts, closed and expired postings: members of the organization " +
		"(viewer or above) and its API keys with jobs:read; a closed or expired posting also to the people who applied to it. " +
		"To anyone else a single posting is 404, and a list asking for those statuses (status=…) is 403 whether or not the " +
		"organization exists.",
	PolicyProfiles: "A profile is visible to its owner; to anyone when public; to members of any organization when visible to " +
		"employers; to an organization it applied to (members, and API keys with applications:read); to platform admins. " +
		"To anyone else it is 404. Lists show public profiles, or with mine=true the caller's own (a signed-in person: " +
		"anonymous 401, API keys 403).",
	PolicySignedIn: "Any signed-in person; anonymous 401; API keys 403 (only people create organizations and profiles).",
	PolicyProfileOwner: "The person who owns the profile (in the path, or profileId in the body) and platform admins; " +
		"anonymous 401; API keys 403; anyone else 404. Applying also needs a posting the caller may see; a posting " +
		"that no longer accepts applications is a 409 rule.",
	PolicyCandidateOrOrg: "An application is the business of its candidate and of the organization it was made to. Reading: " +
		"the candidate, the organization's members (viewer or above) and its API keys with applications:read; anyone " +
		"else 404. Lists without orgId or jobId are the caller's own applications (an API key's: its organization's); " +
		"with orgId or jobId, the organization's (members and keys with applications:read; anyone else 404). Moving: " +
		"recruiters and above and keys with applications:write move forward or reject, 403 for lower roles and keys " +
		"without the scope; the candidate may only withdraw (403 otherwise), and only the candidate withdraws.",
	PolicyOrgViewer: "Members of the organization (viewer or above) and its API keys with the named scope; anyone else, " +
		"anonymous included, 404.",
	PolicyOrgRecruiter: "Recruiters, admins and owners of the organization and its API keys with the named scope. Members " +
		"with a lower role and the organization's keys without the scope: 403; everyone else 404; anonymous 401.",
	PolicyOrgAdmin: "Admins and owners of the organization (only owners grant, change or remove ownership). People only: " +
		"the organization's API keys 403, other keys 404. Lower roles 403; non-members 404; anonymous 401.",
	PolicyOrgAdminOrSelf: "As org-admin; in addition any member may remove themselves (the last owner cannot leave: 409 rule).",
	PolicyOrgSecurity: "API keys, OAuth2 clients and the audit log: admins and owners of the organization, people only " +
		"(every API key 403); lower roles 403; non-members 404; anonymous 401.",
	PolicyAuth: "Sign-in endpoints (password, refresh, OAuth2 token, OIDC): anyone, including anonymous callers; " +
		"what they check is the credential in the request, not the caller's; rate-limited per client address.",
	PolicySession:     "The signed-in person's own session; anyone else, API keys included, 401.",
	PolicyOperational: "Health, readiness, metrics and the API reference: anyone, including anonymous callers.",
	PolicySavedSearchOwner: "A saved search is private to the person who saved it: what someone is looking for is theirs " +
		"alone, so here platform admins do not pass the ownership check. Anyone else, a platform admin included, 404; " +
		"anonymous 401; API keys 403 (machines have no saved searches).",
	PolicyFeedToken: "The feeds of a saved search, for feed readers, which cannot send credentials: anyone, anonymous " +
		"included, who presents the saved search's secret feed token (token=…); a wrong or missing token is 404, " +
		"the same as for a missing saved search.",
}

// Doc describes the policy ("" for an unknown one).
func (p Policy) Doc() string { return policyDocs[p] }

// Policies lists every policy, sorted.
func Policies() []Policy {
	out := make([]Policy, 0, len(policyDocs))
	for p := range policyDocs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// The scopes operations admit API keys with (aliases of app's, so that the
// registering files need no extra import).
const (
	scopeJobsRead          = app.ScopeJobsRead
	scopeJobsWrite         = app.ScopeJobsWrite
	scopeApplicationsRead  = app.ScopeApplicationsRead
	scopeApplicationsWrite = app.ScopeApplicationsWrite
	scopeOrgRead           = app.ScopeOrgRead
)

// access is an operation's Metadata: its policy and the API-key scope it
// admits ("" when the policy admits no machine, or any).
func access(p Policy, scope string) map[string]any {
	return map[string]any{"policy": p, "scope": scope}
}

// OperationInfo is one REST operation with its declared access policy.
type OperationInfo struct {
	Method      string
	Path        string
	OperationID string
	// Policy is "" when the operation declares none (a bug the authorization
	// matrix test reports).
	Policy Policy
	// Scope is the API-key scope the operation admits ("": none or n/a).
	Scope string
}

// Operations lists the API's operations with their policies, sorted by
// path and method: those of the OpenAPI document and the routes registered
// outside huma (handle; OperationID "plain:METHOD /path").
func (s *Server) Operations() []OperationInfo {
	out := append([]OperationInfo(nil), s.plain...)
	for path, item := range s.OpenAPI().Paths {
		for _, mo := range []struct {
			method string
			op     *huma.Operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"DELETE", item.Delete}, {"OPTIONS", item.Options}, {"HEAD", item.Head}, {"PATCH", item.Patch}, {"TRACE", item.Trace}} {
			if mo.op == nil {
				continue
			}
			info := OperationInfo{Method: mo.method, Path: path, OperationID: mo.op.OperationID}
			info.Policy, _ = mo.op.Metadata["policy"].(Policy)
			info.Scope, _ = mo.op.Metadata["scope"].(string)
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}
