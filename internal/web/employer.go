package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// registerEmployer registers the employers' pages (organizations and
// members, postings, pipeline boards, shortlists, API keys and webhooks).
// Each route is registered under the policy of the REST operation it
// stands for, and answers as that operation does (the authorization
// matrix of internal/transport/rest checks it).
func (h *Handler) registerEmployer() {
	h.route("GET /employer", "signed-in", h.employerHome)
	h.route("POST /employer/orgs", "signed-in", h.createOrg)
	h.route("GET /employer/orgs/{orgId}", "org-viewer", h.orgDashboard)
	h.route("POST /employer/orgs/{orgId}/members", "org-admin", h.addMember)
	h.route("POST /employer/orgs/{orgId}/members/{userId}", "org-admin", h.changeMember)
	h.route("POST /employer/orgs/{orgId}/members/{userId}/remove", "org-admin-or-self", h.removeMember)

	h.route("GET /employer/orgs/{orgId}/jobs/new", "org-recruiter", h.newJobPage)
	h.route("POST /employer/orgs/{orgId}/jobs", "org-recruiter", h.createJob)
	h.route("GET /employer/jobs/{id}/edit", "org-recruiter", h.editJobPage)
	h.route("POST /employer/jobs/{id}", "org-recruiter", h.updateJob)
	h.route("POST /employer/jobs/{id}/publish", "org-recruiter", h.publishJob)
	h.route("POST /employer/jobs/{id}/close", "org-recruiter", h.closeJob)

	h.route("GET /employer/jobs/{id}/pipeline", "org-viewer", h.pipeline)
	h.route("POST /employer/applications/{id}/move", "candidate-or-org", h.moveApplication)
	h.route("POST /employer/applications/{id}/notes", "org-recruiter", h.addNote)
	h.route("GET /employer/jobs/{id}/candidates", "org-viewer", h.candidates)

	h.route("GET /employer/orgs/{orgId}/settings", "org-security", h.settings)
	h.route("POST /employer/orgs/{orgId}/api-keys", "org-security", h.createKey)
	h.route("POST /employer/orgs/{orgId}/api-keys/{keyId}/revoke", "org-security", h.revokeKey)
	h.route("POST /employer/orgs/{orgId}/webhooks", "org-security", h.createWebhook)
	h.route("POST /employer/orgs/{orgId}/webhooks/{webhookId}/delete", "org-security", h.deleteWebhook)
	h.route("POST /employer/orgs/{orgId}/webhooks/{webhookId}/enable", "org-security", h.enableWebhook)
	h.route("POST /employer/orgs/{orgId}/webhooks/{webhookId}/rotate", "org-security", h.rotateWebhook)
}

// ---- access ----

// empPolicyNeeds is the least role each organization policy admits.
var empPolicyNeeds = map[string]string{"org-viewer": domain.RoleViewer, "org-recruiter": domain.RoleRecruiter,
	"org-admin": domain.RoleAdmin, "org-admin-or-self": domain.RoleViewer, "org-security": domain.RoleAdmin}

// empRefuse answers callers other than signed-in people on an
// organization's pages as the policy does for them: no API key is admitted
// (the pages are for people), so the organization's own keys get 403
// (every key under org-security), other keys 404, and under org-viewer
// every key 404; anonymous visitors 401, or under org-viewer 404 (with
// the sign-in form, for members who are not signed in). keyOrg is the
// organization the object belongs to ("" when unknown). It reports
// whether the caller is a signed-in person.
func (h *Handler) empRefuse(w http.ResponseWriter, r *http.Request, policy, keyOrg string) (meridian.Principal, bool) {
	p := meridian.PrincipalFrom(r.Context())
	switch p.Kind {
	case meridian.PrincipalUser:
		return p, true
	case meridian.PrincipalAnonymous:
		if policy == "org-viewer" {
			h.empHidden(w, r)
		} else {
			h.fail(w, r, meridian.Errorf(meridian.EUnauthorized, "sign in first"))
		}
	default:
		switch {
		case policy == "org-security" || (policy != "org-viewer" && keyOrg != "" && keyOrg == p.OrgID):
			h.fail(w, r, meridian.Errorf(meridian.EForbidden, "These pages are for people; API keys use the API."))
		default:
			h.fail(w, r, meridian.Errorf(meridian.ENotFound, "not found"))
		}
	}
	return p, false
}

// empHidden is the 404 of members-only pages for visitors: the same
// answer whether or not the page exists, with the sign-in form.
func (h *Handler) empHidden(w http.ResponseWriter, r *http.Request) {
	d := errorData{layout: h.layout(r, "Page not found", ""), Heading: "Page not found",
		Message: "There is no page at this address, or it is for the members of an organization: sign in to see it.",
		SignIn:  true, signInForm: h.signInForm(r.URL.RequestURI(), "")}
	h.render(w, r, http.StatusNotFound, "error", d)
}

// member checks that the signed-in person may open an organization's page
// under policy (see empPolicyNeeds) and returns their role (platform admins:
// owner). Non-members get 404 from the application layer, lower roles 403.
func (h *Handler) empMember(w http.ResponseWriter, r *http.Request, orgID, policy string) (meridian.Principal, string, bool) {
	p, ok := h.empRefuse(w, r, policy, orgID)
	if !ok {
		return p, "", false
	}
	role, err := h.empRoleIn(r, p, orgID)
	if err != nil {
		h.fail(w, r, err)
		return p, "", false
	}
	if need := empPolicyNeeds[policy]; !app.RoleAtLeast(role, need) {
		h.fail(w, r, meridian.Errorf(meridian.EForbidden, "This page is for the organization's %ss and above; your role is %s.", need, role))
		return p, role, false
	}
	return p, role, true
}

// empRoleIn is the person's role in an organization, as its member list
// (which only members may read) says; platform admins act as owners.
func (h *Handler) empRoleIn(r *http.Request, p meridian.Principal, orgID string) (string, error) {
	members, err := h.cfg.App.Members(r.Context(), orgID)
	if err != nil {
		return "", empNotFound(err, "organization", orgID)
	}
	if p.PlatformAdmin {
		return domain.RoleOwner, nil
	}
	for _, m := range members {
		if m.UserID == p.ID {
			return m.Role, nil
		}
	}
	return "", meridian.Errorf(meridian.ENotFound, "organization %s not found", orgID)
}

// empJob is empMember for a posting's pages: the posting as the person may
// see it, and their role in its organization.
func (h *Handler) empJob(w http.ResponseWriter, r *http.Request, policy string) (readmodel.Job, string, bool) {
	id := r.PathValue("id")
	keyOrg := ""
	if p := meridian.PrincipalFrom(r.Context()); p.Kind != meridian.PrincipalUser && p.Kind != meridian.PrincipalAnonymous && policy != "org-viewer" {
		// Only to choose between 403 and 404 for an API key, which is
		// refused either way.
		if j, err := h.cfg.App.Q.Job(r.Context(), id); err == nil {
			keyOrg = j.OrgID
		}
	}
	if _, ok := h.empRefuse(w, r, policy, keyOrg); !ok {
		return readmodel.Job{}, "", false
	}
	j, err := h.cfg.App.Job(r.Context(), id)
	if err != nil {
		h.fail(w, r, empNotFound(err, "job", id))
		return j, "", false
	}
	_, role, ok := h.empMember(w, r, j.OrgID, policy)
	return j, role, ok
}

// empNotFound turns a malformed id's 422 into the 404 of a missing object.
func empNotFound(err error, what, id string) error {
	if meridian.ErrorCode(err) == meridian.EInvalid {
		return meridian.Errorf(meridian.ENotFound, "%s %s not found", what, id)
	}
	return err
}

// ---- shared views ----

// empNav is an organization's sub-navigation.
type empNav struct {
	OrgID, OrgName, Current string
	Role                    string
}

func (n empNav) CanPost() bool   { return app.RoleAtLeast(n.Role, domain.RoleRecruiter) }
func (n empNav) CanManage() bool { return app.RoleAtLeast(n.Role, domain.RoleAdmin) }

func (h *Handler) empNavOf(r *http.Request, orgID, role, current string) empNav {
	n := empNav{OrgID: orgID, OrgName: "Organization", Current: current, Role: role}
	if o, err := h.cfg.App.Org(r.Context(), orgID); err == nil {
		n.OrgName = o.Name
	}
	return n
}

// empPersonName is how a member is shown: their name or e-mail address
// when the server runs accounts, else their user id.
func (h *Handler) empPersonName(r *http.Request, id string) string {
	if h.cfg.Auth != nil {
		if u, err := h.cfg.Auth.Users.Get(r.Context(), id); err == nil {
			if u.Name != "" {
				return u.Name
			}
			if u.Email != "" {
				return u.Email
			}
		}
	}
	return id
}

func empOrgPath(id string) string { return "/employer/orgs/" + url.PathEscape(id) }
func empJobPath(id string) string { return "/employer/jobs/" + url.PathEscape(id) }

// ---- GET /employer ----

type empOrgRow struct {
	ID, Name, Role string
}

type empHomeData struct {
	layout
	Orgs     []empOrgRow
	Name     string
	Website  string
	Desc     string
	Problems []problem
}

func (h *Handler) employerHome(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	d := empHomeData{layout: h.layout(r, "Employers", "Your organizations on Meridian.")}
	h.renderEmployerHome(w, r, http.StatusOK, d)
}

// renderEmployerHome lists the person's organizations.
func (h *Handler) renderEmployerHome(w http.ResponseWriter, r *http.Request, status int, d empHomeData) {
	mine, err := h.cfg.App.MyOrgs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range mine {
		d.Orgs = append(d.Orgs, empOrgRow{ID: m.Org.ID, Name: m.Org.Name, Role: m.Role})
	}
	h.render(w, r, status, "emp-home", d)
}

// POST /employer/orgs
func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.person(w, r); !ok {
		return
	}
	if !h.readForm(w, r, formLimit) {
		return
	}
	f := r.PostForm
	det := domain.OrgDetails{Name: strings.TrimSpace(f.Get("name")), Website: strings.TrimSpace(f.Get("website")), Description: strings.TrimSpace(f.Get("description"))}
	res, err := h.cfg.App.CreateOrg(r.Context(), det, "")
	if err != nil {
		if c := meridian.ErrorCode(err); c != meridian.EInvalid && c != meridian.ERule {
			h.fail(w, r, err)
			return
		}
		d := empHomeData{layout: h.layout(r, "Employers", ""), Name: det.Name, Website: det.Website, Desc: det.Description,
			Problems: problemsOf(err, map[string]string{"name": "org-name", "website": "org-website", "description": "org-description"})}
		h.renderEmployerHome(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	redirect(w, r, empOrgPath(res.ID), "Your organization is ready. Post your first job.")
}

// ---- GET /employer/orgs/{orgId} ----

type empJobRow struct {
	readmodel.Job
	Salary string
}

func (j empJobRow) Editable() bool {
	return j.Status == domain.StatusDraft || j.Status == domain.StatusPublished
}

type empMemberRow struct {
	readmodel.Member
	Name string
	Self bool
}

type empDashboardData struct {
	layout
	Nav      empNav
	Org      readmodel.Org
	Jobs     []empJobRow
	More     bool
	Counts   map[string]int
	Members  []empMemberRow
	Roles    []string
	Problems []problem
	// Member is the add-member form's value.
	Member, MemberRole string
	ByEmail            bool
}

func (h *Handler) orgDashboard(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-viewer")
	if !ok {
		return
	}
	h.renderDashboard(w, r, http.StatusOK, orgID, role, nil, "", domain.RoleViewer)
}

func (h *Handler) renderDashboard(w http.ResponseWriter, r *http.Request, status int, orgID, role string, problems []problem, memberIn, memberRole string) {
	ctx := r.Context()
	p := meridian.PrincipalFrom(ctx)
	o, err := h.cfg.App.Org(ctx, orgID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := empDashboardData{layout: h.layout(r, o.Name+" · Employer", ""), Nav: h.empNavOf(r, orgID, role, "dashboard"), Org: o,
		Counts: map[string]int{}, Roles: domain.Roles, Problems: problems, Member: memberIn, MemberRole: memberRole, ByEmail: h.cfg.Auth != nil}
	d.Nav.OrgName = o.Name
	page, err := h.cfg.App.Jobs(ctx, readmodel.JobFilter{OrgID: orgID, Limit: 100,
		Statuses: []string{domain.StatusDraft, domain.StatusPublished, domain.StatusClosed, domain.StatusExpired}})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.More = page.NextCursor != ""
	for _, j := range page.Items {
		d.Jobs = append(d.Jobs, empJobRow{Job: j, Salary: salaryText(j.Salary)})
		d.Counts[j.Status]++
	}
	members, err := h.cfg.App.Members(ctx, orgID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range members {
		d.Members = append(d.Members, empMemberRow{Member: m, Name: h.empPersonName(r, m.UserID), Self: m.UserID == p.ID})
	}
	h.render(w, r, status, "emp-org", d)
}

// POST /employer/orgs/{orgId}/members: member (an e-mail address when the
// server runs accounts, or a user id) and role.
func (h *Handler) addMember(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	_, role, ok := h.empMember(w, r, orgID, "org-admin")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	in, newRole := strings.TrimSpace(r.PostForm.Get("member")), r.PostForm.Get("role")
	userID := in
	if strings.Contains(in, "@") {
		if h.cfg.Auth == nil {
			h.renderDashboard(w, r, http.StatusUnprocessableEntity, orgID, role, []problem{{Field: "member-new", Message: "This server runs no accounts: give the person's user id."}}, in, newRole)
			return
		}
		u, err := h.cfg.Auth.Users.ByEmail(r.Context(), in)
		if err != nil {
			if meridian.ErrorCode(err) != meridian.ENotFound {
				h.fail(w, r, err)
				return
			}
			h.renderDashboard(w, r, http.StatusUnprocessableEntity, orgID, role, []problem{{Field: "member-new", Message: "Nobody has a Meridian account with this address yet: ask them to sign up first."}}, in, newRole)
			return
		}
		userID = u.ID
	}
	if _, err := h.cfg.App.AddMember(r.Context(), orgID, -1, userID, newRole); err != nil {
		h.memberFailed(w, r, err, orgID, role, in, newRole)
		return
	}
	redirect(w, r, empOrgPath(orgID)+"#members", "Member added.")
}

// memberFailed shows a refused member change on the dashboard (invalid
// input 422, a rule such as "the last owner" 409), or the error page.
func (h *Handler) memberFailed(w http.ResponseWriter, r *http.Request, err error, orgID, role, in, newRole string) {
	status := http.StatusUnprocessableEntity
	switch meridian.ErrorCode(err) {
	case meridian.EInvalid:
	case meridian.ERule, meridian.EConflict:
		status = http.StatusConflict
	default:
		h.fail(w, r, err)
		return
	}
	h.renderDashboard(w, r, status, orgID, role, problemsOf(err, map[string]string{"userId": "member-new", "role": "member-role"}), in, newRole)
}

// POST /employer/orgs/{orgId}/members/{userId}: role.
func (h *Handler) changeMember(w http.ResponseWriter, r *http.Request) {
	orgID, userID := r.PathValue("orgId"), r.PathValue("userId")
	_, role, ok := h.empMember(w, r, orgID, "org-admin")
	if !ok || !h.readForm(w, r, formLimit) {
		return
	}
	if _, err := h.cfg.App.ChangeMemberRole(r.Context(), orgID, -1, userID, r.PostForm.Get("role")); err != nil {
		h.memberFailed(w, r, err, orgID, role, "", domain.RoleViewer)
		return
	}
	redirect(w, r, empOrgPath(orgID)+"#members", "Role changed.")
}

// POST /employer/orgs/{orgId}/members/{userId}/remove (a member may leave).
func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) {
	orgID, userID := r.PathValue("orgId"), r.PathValue("userId")
	p, role, ok := h.empMember(w, r, orgID, "org-admin-or-self")
	if !ok {
		return
	}
	if _, err := h.cfg.App.RemoveMember(r.Context(), orgID, -1, userID); err != nil {
		h.memberFailed(w, r, err, orgID, role, "", domain.RoleViewer)
		return
	}
	if userID == p.ID {
		redirect(w, r, "/employer", "You left the organization.")
		return
	}
	redirect(w, r, empOrgPath(orgID)+"#members", "Member removed.")
}

// Created is when the posting was first saved.
func (j empJobRow) Created() string { t := j.CreatedAt; return dateText(&t) }
