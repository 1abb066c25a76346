package rest

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/readmodel"
)

type applicationOut struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     readmodel.Application
}

type ApplicationPath struct {
	ApplicationID string `path:"applicationId" format:"uuid"`
}

type applyIn struct {
	JobPath
	IdempotencyKey
	Body struct {
		ProfileID   string `json:"profileId" format:"uuid" required:"true"`
		CoverLetter string `json:"coverLetter,omitempty" maxLength:"20000"`
	}
}

type stageIn struct {
	ApplicationPath
	IfMatch
	IdempotencyKey
	Body struct {
		To         string `json:"to" enum:"screening,interview,offer,hired,rejected,withdrawn" required:"true"`
		ReasonCode string `json:"reasonCode,omitempty" doc:"required for hired, rejected and withdrawn"`
	}
}

type noteIn struct {
	ApplicationPath
	IdempotencyKey
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"10000" required:"true"`
	}
}

type notesOut struct {
	Body struct {
		Items []readmodel.Note `json:"items"`
	}
}

type applicationPageOut struct {
	Body readmodel.Page[readmodel.Application]
}

type listApplicationsIn struct {
	Paging
	JobID     string `query:"jobId"`
	OrgID     string `query:"orgId"`
	ProfileID string `query:"profileId"`
	Stage     string `query:"stage" enum:"applied,screening,interview,offer,hired,rejected,withdrawn"`
}

func (s *Server) applicationResponse(ctx context.Context, id string, status int) (*applicationOut, error) {
	a, err := s.cfg.App.Application(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &applicationOut{ETag: etag(a.Version), Body: a}
	if status == http.StatusCreated {
		out.Location = "/api/v1/applications/" + id
	}
	return out, nil
}

func (s *Server) registerApplications() {
	tags := []string{"Applications"}
	huma.Register(s.api, huma.Operation{OperationID: "apply", Method: http.MethodPost, Path: "/api/v1/jobs/{jobId}/applications", Summary: "Apply to a posting",
		Description: "One application per profile and job: a second one is 409.", Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyProfileOwner, "")},
		func(ctx context.Context, in *applyIn) (*applicationOut, error) {
			res, err := s.cfg.App.Apply(ctx, in.JobID, in.Body.ProfileID, in.Body.CoverLetter)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.applicationResponse(ctx, res.ID, http.StatusCreated)
		})
	huma.Register(s.api, huma.Operation{OperationID: "listApplications", Method: http.MethodGet, Path: "/api/v1/applications", Summary: "List applications",
		Description: "Your own applications, or an organization's (members only) with orgId or jobId.", Tags: tags, Metadata: access(PolicyCandidateOrOrg, scopeApplicationsRead)},
		func(ctx context.Context, in *listApplicationsIn) (*applicationPageOut, error) {
			page, err := s.cfg.App.Applications(ctx, readmodel.ApplicationFilter{JobID: in.JobID, OrgID: in.OrgID, ProfileID: in.ProfileID, Stage: in.Stage, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &applicationPageOut{Body: page}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "getApplication", Method: http.MethodGet, Path: "/api/v1/applications/{applicationId}", Summary: "Get an application with its stage history", Tags: tags, Metadata: access(PolicyCandidateOrOrg, scopeApplicationsRead)},
		func(ctx context.Context, in *ApplicationPath) (*applicationOut, error) {
			return s.applicationResponse(ctx, in.ApplicationID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "moveApplication", Method: http.MethodPost, Path: "/api/v1/applications/{applicationId}/stage", Summary: "Move an application to another stage",
		Description: "applied → screening → interview → offer → hired; rejected (by the organization) or withdrawn (by the candidate) from any open stage. Final stages need a reason code.", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyCandidateOrOrg, scopeApplicationsWrite)},
		func(ctx context.Context, in *stageIn) (*applicationOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.MoveApplication(ctx, in.ApplicationID, exp, in.Body.To, in.Body.ReasonCode); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.applicationResponse(ctx, in.ApplicationID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "listNotes", Method: http.MethodGet, Path: "/api/v1/applications/{applicationId}/notes", Summary: "List the organization's private notes", Tags: tags, Metadata: access(PolicyOrgViewer, scopeApplicationsRead)},
		func(ctx context.Context, in *ApplicationPath) (*notesOut, error) {
			ns, err := s.cfg.App.Notes(ctx, in.ApplicationID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &notesOut{}
			out.Body.Items = ns
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "addNote", Method: http.MethodPost, Path: "/api/v1/applications/{applicationId}/notes", Summary: "Add a private note", Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgRecruiter, scopeApplicationsWrite)},
		func(ctx context.Context, in *noteIn) (*notesOut, error) {
			if _, _, err := s.cfg.App.AddNote(ctx, in.ApplicationID, in.Body.Body); err != nil {
				return nil, s.fail(ctx, err)
			}
			ns, err := s.cfg.App.Notes(ctx, in.ApplicationID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &notesOut{}
			out.Body.Items = ns
			return out, nil
		})
}
