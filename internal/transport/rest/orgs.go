package rest

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/readmodel"
)

type orgOut struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     readmodel.Org
}

type OrgPath struct {
	OrgID string `path:"orgId" format:"uuid"`
}

type createOrgIn struct {
	IdempotencyKey
	Body struct {
		domain.OrgDetails
		OwnerID string `json:"ownerId,omitempty" doc:"platform admins only: create on behalf of this user"`
	}
}

type updateOrgIn struct {
	OrgPath
	IfMatch
	Body domain.OrgDetails
}

type memberIn struct {
	OrgPath
	IfMatch
	IdempotencyKey
	Body struct {
		UserID string `json:"userId" minLength:"1" maxLength:"128"`
		Role   string `json:"role" enum:"owner,admin,recruiter,viewer"`
	}
}

type MemberPathIn struct {
	OrgPath
	IfMatch
	UserID string `path:"userId"`
}

type changeRoleIn struct {
	MemberPathIn
	Body struct {
		Role string `json:"role" enum:"owner,admin,recruiter,viewer"`
	}
}

type membersOut struct {
	Body struct {
		Items []readmodel.Member `json:"items"`
	}
}

type orgPageOut struct {
	Body readmodel.Page[readmodel.Org]
}

func (s *Server) orgResponse(ctx context.Context, id string, status int) (*orgOut, error) {
	o, err := s.cfg.App.Org(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &orgOut{ETag: etag(o.Version), Body: o}
	if status == http.StatusCreated {
		out.Location = "/api/v1/orgs/" + id
	}
	return out, nil
}

func (s *Server) registerOrgs() {
	tags := []string{"Organizations"}
	huma.Register(s.api, huma.Operation{OperationID: "listOrgs", Method: http.MethodGet, Path: "/api/v1/orgs", Summary: "List organizations", Tags: tags, Metadata: access(PolicyPublic, "")},
		func(ctx context.Context, in *Paging) (*orgPageOut, error) {
			page, err := s.cfg.App.Orgs(ctx, in.Cursor, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &orgPageOut{Body: page}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "createOrg", Method: http.MethodPost, Path: "/api/v1/orgs", Summary: "Create an organization", Description: "The caller becomes its owner.", Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicySignedIn, "")},
		func(ctx context.Context, in *createOrgIn) (*orgOut, error) {
			res, err := s.cfg.App.CreateOrg(ctx, in.Body.OrgDetails, in.Body.OwnerID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.orgResponse(ctx, res.ID, http.StatusCreated)
		})
	huma.Register(s.api, huma.Operation{OperationID: "getOrg", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}", Summary: "Get an organization", Tags: tags, Metadata: access(PolicyPublic, "")},
		func(ctx context.Context, in *OrgPath) (*orgOut, error) {
			return s.orgResponse(ctx, in.OrgID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "updateOrg", Method: http.MethodPut, Path: "/api/v1/orgs/{orgId}", Summary: "Replace an organization's details", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgAdmin, "")},
		func(ctx context.Context, in *updateOrgIn) (*orgOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.UpdateOrg(ctx, in.OrgID, exp, in.Body); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.orgResponse(ctx, in.OrgID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "listMembers", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}/members", Summary: "List members", Tags: tags, Metadata: access(PolicyOrgViewer, scopeOrgRead)},
		func(ctx context.Context, in *OrgPath) (*membersOut, error) {
			ms, err := s.cfg.App.Members(ctx, in.OrgID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &membersOut{}
			out.Body.Items = ms
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "addMember", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/members", Summary: "Add a member", Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgAdmin, "")},
		func(ctx context.Context, in *memberIn) (*orgOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.AddMember(ctx, in.OrgID, exp, in.Body.UserID, in.Body.Role); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.orgResponse(ctx, in.OrgID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "changeMemberRole", Method: http.MethodPut, Path: "/api/v1/orgs/{orgId}/members/{userId}", Summary: "Change a member's role", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgAdmin, "")},
		func(ctx context.Context, in *changeRoleIn) (*orgOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.ChangeMemberRole(ctx, in.OrgID, exp, in.UserID, in.Body.Role); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.orgResponse(ctx, in.OrgID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "removeMember", Method: http.MethodDelete, Path: "/api/v1/orgs/{orgId}/members/{userId}", Summary: "Remove a member", Tags: tags, Metadata: access(PolicyOrgAdminOrSelf, "")},
		func(ctx context.Context, in *MemberPathIn) (*orgOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.RemoveMember(ctx, in.OrgID, exp, in.UserID); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.orgResponse(ctx, in.OrgID, http.StatusOK)
		})
}
