package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

type jobOut struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     readmodel.Job
}

type JobPath struct {
	JobID string `path:"jobId" format:"uuid"`
}

type jobPageOut struct {
	Body readmodel.Page[readmodel.Job]
}

type JobFilterIn struct {
	Paging
	Q              string    `query:"q" maxLength:"200" doc:"words in the title"`
	Skill          []string  `query:"skill" doc:"skill ids the posting must all ask for (repeat the parameter)"`
	Seniority      string    `query:"seniority" enum:"intern,junior,mid,senior,lead,staff,principal"`
	EmploymentType string    `query:"employmentType" enum:"full_time,part_time,contract,temporary,internship"`
	Country        string    `query:"country" pattern:"^[A-Z]{2}$" doc:"only postings a person in this ISO 3166-1 country may work"`
	Region         string    `query:"region" doc:"only postings open to this region (or worldwide)"`
	Status         []string  `query:"status" doc:"members of orgId may list draft, closed and expired postings too"`
	PostedSince    time.Time `query:"postedSince" doc:"RFC 3339 time"`
}

type listJobsIn struct {
	JobFilterIn
	OrgID string `query:"orgId" doc:"only this organization's postings"`
}

type draftJobIn struct {
	OrgPath
	IdempotencyKey
	Body domain.JobDetails
}

type patchJobIn struct {
	JobPath
	IfMatch
	Body    domain.JobDetails `contentType:"application/merge-patch+json"`
	RawBody []byte
}

type closeJobIn struct {
	JobPath
	IfMatch
	IdempotencyKey
	Body *struct {
		Reason string `json:"reason,omitempty" maxLength:"500"`
	}
}

type renewJobIn struct {
	JobPath
	IfMatch
	IdempotencyKey
	Body *struct {
		ValidThrough time.Time `json:"validThrough,omitempty" doc:"default: 60 days from now"`
	}
}

type actionJobIn struct {
	JobPath
	IfMatch
	IdempotencyKey
}

func (s *Server) jobResponse(ctx context.Context, id string, status int) (*jobOut, error) {
	j, err := s.cfg.App.Job(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &jobOut{ETag: etag(j.Version), Body: j}
	if status == http.StatusCreated {
		out.Location = "/api/v1/jobs/" + id
	}
	return out, nil
}

// detailsOf turns the read view back into the command's input, so that a
// merge patch can be applied to it.
func detailsOf(j readmodel.Job) domain.JobDetails {
	d := domain.JobDetails{
		Title: j.Title, Description: j.Description, Skills: j.Skills, Seniority: j.Seniority, EmploymentType: j.EmploymentType,
		Salary: j.Salary, Eligibility: j.Eligibility, TimeZone: j.TimeZone, ApplyURL: j.ApplyURL, Source: j.Source,
	}
	if j.ValidThrough != nil && j.Status == domain.StatusDraft {
		d.ValidThrough = *j.ValidThrough
	}
	return d
}

func (s *Server) registerJobs() {
	tags := []string{"Jobs"}
	list := func(ctx context.Context, in *JobFilterIn, orgID string) (*jobPageOut, error) {
		f := readmodel.JobFilter{
			OrgID: orgID, Statuses: in.Status, Skills: in.Skill, Seniority: in.Seniority, EmploymentType: in.EmploymentType,
			Country: in.Country, Region: in.Region, Q: in.Q, PostedSince: in.PostedSince, Cursor: in.Cursor, Limit: in.Limit,
		}
		page, err := s.cfg.App.Jobs(ctx, f)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		return &jobPageOut{Body: page}, nil
	}
	huma.Register(s.api, huma.Operation{OperationID: "listJobs", Method: http.MethodGet, Path: "/api/v1/jobs", Summary: "List job postings",
		Description: "Published, unexpired postings, newest first, readable without signing in. Members of an organization may pass orgId and status to see its drafts and closed postings.", Tags: tags, Metadata: access(PolicyPostings, scopeJobsRead)},
		func(ctx context.Context, in *listJobsIn) (*jobPageOut, error) {
			return list(ctx, &in.JobFilterIn, in.OrgID)
		})
	huma.Register(s.api, huma.Operation{OperationID: "listOrgJobs", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}/jobs", Summary: "List an organization's postings", Tags: tags, Metadata: access(PolicyPostings, scopeJobsRead)},
		func(ctx context.Context, in *struct {
			OrgPath
			JobFilterIn
		}) (*jobPageOut, error) {
			return list(ctx, &in.JobFilterIn, in.OrgID)
		})
	huma.Register(s.api, huma.Operation{OperationID: "draftJob", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/jobs", Summary: "Create a draft posting", Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgRecruiter, scopeJobsWrite)},
		func(ctx context.Context, in *draftJobIn) (*jobOut, error) {
			res, err := s.cfg.App.DraftJob(ctx, in.OrgID, in.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.jobResponse(ctx, res.ID, http.StatusCreated)
		})
	huma.Register(s.api, huma.Operation{OperationID: "getJob", Method: http.MethodGet, Path: "/api/v1/jobs/{jobId}", Summary: "Get a posting", Tags: tags, Metadata: access(PolicyPostings, scopeJobsRead)},
		func(ctx context.Context, in *JobPath) (*jobOut, error) {
			return s.jobResponse(ctx, in.JobID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "updateJob", Method: http.MethodPatch, Path: "/api/v1/jobs/{jobId}", Summary: "Change a posting",
		Description: "JSON merge patch (RFC 7396) over the posting's details: fields left out stay as they are; null removes an optional field.", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgRecruiter, scopeJobsWrite)},
		func(ctx context.Context, in *patchJobIn) (*jobOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			cur, err := s.cfg.App.Job(ctx, in.JobID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if exp < 0 {
				// Without If-Match the patch still applies only to the version it was merged onto.
				exp = cur.Version
			}
			d, err := mergeDetails(detailsOf(cur), in.RawBody)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.UpdateJob(ctx, in.JobID, exp, d); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.jobResponse(ctx, in.JobID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "publishJob", Method: http.MethodPost, Path: "/api/v1/jobs/{jobId}/publish", Summary: "Publish a draft", Tags: tags, Metadata: access(PolicyOrgRecruiter, scopeJobsWrite)},
		func(ctx context.Context, in *actionJobIn) (*jobOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.PublishJob(ctx, in.JobID, exp); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.jobResponse(ctx, in.JobID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "closeJob", Method: http.MethodPost, Path: "/api/v1/jobs/{jobId}/close", Summary: "Close a posting", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgRecruiter, scopeJobsWrite)},
		func(ctx context.Context, in *closeJobIn) (*jobOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			reason := ""
			if in.Body != nil {
				reason = in.Body.Reason
			}
			if _, err := s.cfg.App.CloseJob(ctx, in.JobID, exp, reason); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.jobResponse(ctx, in.JobID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "renewJob", Method: http.MethodPost, Path: "/api/v1/jobs/{jobId}/renew", Summary: "Re-confirm a posting", Description: "Extends validThrough of a published or expired posting.", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyOrgRecruiter, scopeJobsWrite)},
		func(ctx context.Context, in *renewJobIn) (*jobOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			var vt time.Time
			if in.Body != nil {
				vt = in.Body.ValidThrough
			}
			if _, err := s.cfg.App.RenewJob(ctx, in.JobID, exp, vt); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.jobResponse(ctx, in.JobID, http.StatusOK)
		})
}

// mergeDetails applies an RFC 7396 merge patch to job details.
func mergeDetails(cur domain.JobDetails, patch []byte) (domain.JobDetails, error) {
	base, err := json.Marshal(cur)
	if err != nil {
		return cur, err
	}
	merged, err := jsonpatch.MergePatch(base, patch)
	if err != nil {
		return cur, meridian.Errorf(meridian.EInvalid, "the body is not a JSON merge patch: %v", err)
	}
	var out domain.JobDetails
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return cur, meridian.Errorf(meridian.EInvalid, "the patched posting is not valid: %v", err)
	}
	return out, nil
}
