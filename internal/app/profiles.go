package app

import (
	"context"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// CreateProfile creates a developer profile owned by the principal (a
// platform admin or system principal may create one for OwnerID).
func (a *App) CreateProfile(ctx context.Context, ownerID, visibility string, d domain.ProfileDetails) (Result, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return Result{}, err
	}
	if ownerID == "" || !p.PlatformAdmin {
		ownerID = p.ID
	}
	if d, err = a.profileSkills(d); err != nil {
		return Result{}, err
	}
	prof := domain.NewProfile()
	return a.execute(ctx, prof, meridian.NewID(), 0, false, func() error { return prof.Create(ownerID, visibility, d, a.now()) })
}

func (a *App) profileCommand(ctx context.Context, id string, expected int64, fn func(*domain.Profile) error) (Result, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return Result{}, err
	}
	prof := domain.NewProfile()
	return a.execute(ctx, prof, id, expected, true, func() error {
		if prof.OwnerID() != p.ID && !p.PlatformAdmin {
			return meridian.Errorf(meridian.ENotFound, "profile %s not found", id)
		}
		return fn(prof)
	})
}

// UpdateProfile replaces a profile's details (owner only).
func (a *App) UpdateProfile(ctx context.Context, id string, expected int64, d domain.ProfileDetails) (Result, error) {
	return a.profileCommand(ctx, id, expected, func(p *domain.Profile) error {
		d, err := a.profileSkills(d) // after authorization: outsiders learn nothing from a 422
		if err != nil {
			return err
		}
		return p.Update(d)
	})
}

// SetProfileVisibility changes who may see a profile (owner only).
func (a *App) SetProfileVisibility(ctx context.Context, id string, expected int64, visibility string) (Result, error) {
	return a.profileCommand(ctx, id, expected, func(p *domain.Profile) error { return p.SetVisibility(visibility) })
}

// canSeeProfile: the owner and platform admins always; anyone for public
// profiles; members of any organization for "employers" profiles; an
// organization that received an application from the profile always.
func (a *App) canSeeProfile(ctx context.Context, prof readmodel.Profile) (bool, error) {
	out, err := a.visibleProfiles(ctx, map[string]readmodel.Profile{prof.ID: prof})
	_, ok := out[prof.ID]
	return ok, err
}

// Profile returns a profile the principal may see.
func (a *App) Profile(ctx context.Context, id string) (readmodel.Profile, error) {
	prof, err := a.Q.Profile(ctx, id)
	if err != nil {
		return prof, err
	}
	ok, err := a.canSeeProfile(ctx, prof)
	if err != nil {
		return readmodel.Profile{}, err
	}
	if !ok {
		return readmodel.Profile{}, meridian.Errorf(meridian.ENotFound, "profile %s not found", id)
	}
	return prof, nil
}

// Profiles lists the principal's own profiles, or public ones.
func (a *App) Profiles(ctx context.Context, mine bool, cursor string, limit int) (readmodel.Page[readmodel.Profile], error) {
	p := meridian.PrincipalFrom(ctx)
	f := readmodel.ProfileFilter{Cursor: cursor, Limit: limit}
	if mine {
		if _, err := requirePerson(ctx); err != nil {
			return readmodel.Page[readmodel.Profile]{}, err
		}
		f.OwnerID = p.ID
	} else if !p.PlatformAdmin {
		f.Visibility = []string{"public"}
	}
	return a.Q.Profiles(ctx, f)
}
