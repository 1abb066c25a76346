package rest

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/readmodel"
)

type profileOut struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     readmodel.Profile
}

type ProfilePath struct {
	ProfileID string `path:"profileId" format:"uuid"`
}

type createProfileIn struct {
	IdempotencyKey
	Body struct {
		domain.ProfileDetails
		Visibility string `json:"visibility,omitempty" enum:"public,employers,private" doc:"default: employers"`
		OwnerID    string `json:"ownerId,omitempty" doc:"platform admins only: create on behalf of this user"`
	}
}

type updateProfileIn struct {
	ProfilePath
	IfMatch
	Body domain.ProfileDetails
}

type visibilityIn struct {
	ProfilePath
	IfMatch
	Body struct {
		Visibility string `json:"visibility" enum:"public,employers,private" required:"true"`
	}
}

type profilePageOut struct {
	Body readmodel.Page[readmodel.Profile]
}

type listProfilesIn struct {
	Paging
	Mine bool `query:"mine" doc:"list your own profiles (otherwise public ones)"`
}

func (s *Server) profileResponse(ctx context.Context, id string, status int) (*profileOut, error) {
	p, err := s.cfg.App.Profile(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &profileOut{ETag: etag(p.Version), Body: p}
	if status == http.StatusCreated {
		out.Location = "/api/v1/profiles/" + id
	}
	return out, nil
}

func (s *Server) registerProfiles() {
	tags := []string{"Profiles"}
	huma.Register(s.api, huma.Operation{OperationID: "listProfiles", Method: http.MethodGet, Path: "/api/v1/profiles", Summary: "List profiles", Tags: tags, Metadata: access(PolicyProfiles, scopeApplicationsRead)},
		func(ctx context.Context, in *listProfilesIn) (*profilePageOut, error) {
			page, err := s.cfg.App.Profiles(ctx, in.Mine, in.Cursor, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &profilePageOut{Body: page}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "createProfile", Method: http.MethodPost, Path: "/api/v1/profiles", Summary: "Create a developer profile",
		Description: "The caller owns it. Everything in it is personal data, encrypted at rest under the owner's own key.", Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicySignedIn, "")},
		func(ctx context.Context, in *createProfileIn) (*profileOut, error) {
			res, err := s.cfg.App.CreateProfile(ctx, in.Body.OwnerID, in.Body.Visibility, in.Body.ProfileDetails)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.profileResponse(ctx, res.ID, http.StatusCreated)
		})
	huma.Register(s.api, huma.Operation{OperationID: "getProfile", Method: http.MethodGet, Path: "/api/v1/profiles/{profileId}", Summary: "Get a profile", Tags: tags, Metadata: access(PolicyProfiles, scopeApplicationsRead)},
		func(ctx context.Context, in *ProfilePath) (*profileOut, error) {
			return s.profileResponse(ctx, in.ProfileID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "updateProfile", Method: http.MethodPut, Path: "/api/v1/profiles/{profileId}", Summary: "Replace a profile's details", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicyProfileOwner, "")},
		func(ctx context.Context, in *updateProfileIn) (*profileOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.UpdateProfile(ctx, in.ProfileID, exp, in.Body); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.profileResponse(ctx, in.ProfileID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "setProfileVisibility", Method: http.MethodPut, Path: "/api/v1/profiles/{profileId}/visibility", Summary: "Change who may see a profile", Tags: tags, Metadata: access(PolicyProfileOwner, "")},
		func(ctx context.Context, in *visibilityIn) (*profileOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.SetProfileVisibility(ctx, in.ProfileID, exp, in.Body.Visibility); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.profileResponse(ctx, in.ProfileID, http.StatusOK)
		})
}
