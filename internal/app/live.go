package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// LiveChannel authorizes the principal in ctx for a live channel, named as
// clients name it, and returns the hub's name for it. Every transport of
// live events (SSE, WebSocket, GraphQL subscriptions, gRPC streams) asks
// here, so they all give the same answers:
//
//   - jobs.new, jobs.closed, market.ticks: anyone;
//   - me.applications (updates of the person's own applications) and
//     me.matches (new postings matching their saved searches): a signed-in
//     person, not an API key;
//   - org.<orgId>.applications (applications received and moved): the
//     organization's members, its keys with applications:read, platform
//     admins; for anyone else the organization is not found, as in the API.
func (a *App) LiveChannel(ctx context.Context, name string) (string, error) {
	if slices.Contains(realtime.Public, name) {
		return name, nil
	}
	if kind, ok := strings.CutPrefix(name, "me."); ok {
		if kind != realtime.KindApplications && kind != realtime.KindMatches {
			return "", unknownChannel(name)
		}
		p, err := requirePerson(ctx)
		if err != nil {
			return "", err
		}
		return realtime.UserChannel(p.ID, kind), nil
	}
	if rest, ok := strings.CutPrefix(name, "org."); ok {
		orgID, kind, ok := strings.Cut(rest, ".")
		if !ok || kind != realtime.KindApplications || orgID == "" || strings.ContainsAny(orgID, ":.") {
			return "", unknownChannel(name)
		}
		p, err := requireUser(ctx)
		if err != nil {
			return "", err
		}
		role, err := a.memberRole(ctx, p, orgID, ScopeApplicationsRead)
		if err != nil {
			return "", err
		}
		if role == "" {
			return "", meridian.Errorf(meridian.ENotFound, "organization %s not found", orgID)
		}
		return realtime.OrgChannel(orgID, kind), nil
	}
	return "", unknownChannel(name)
}

// LiveChannels authorizes several channels (see LiveChannel); the error
// names the first one refused.
func (a *App) LiveChannels(ctx context.Context, names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		ch, err := a.LiveChannel(ctx, n)
		if e, ok := errors.AsType[*meridian.Error](err); ok {
			return nil, meridian.Errorf(e.Code, "channel %s: %s", n, e.Message)
		} else if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

func unknownChannel(name string) error {
	return meridian.Errorf(meridian.EInvalid, "%q is not a channel: public channels are %s; private ones me.applications, me.matches and org.<organizationId>.applications",
		name, strings.Join(realtime.Public, ", "))
}
