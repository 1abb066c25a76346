package graphql

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// loaderOptions tunes the dataloaders: how long a batch waits for more
// keys, and how many keys it takes at most.
type loaderOptions struct {
	wait     time.Duration
	capacity int
}

var defaultLoaderOptions = loaderOptions{wait: 2 * time.Millisecond, capacity: 100}

// loaders batch the relations of one response through the App's batch
// queries, which authorize as their one-id counterparts do. They live for
// one response: a query's, or one event of a subscription (so that a
// long subscription never serves stale objects).
type loaders struct {
	job     *dataloadgen.Loader[string, readmodel.Job]
	org     *dataloadgen.Loader[string, readmodel.Org]
	profile *dataloadgen.Loader[string, readmodel.Profile]
	members *dataloadgen.Loader[string, []readmodel.Member]
}

type loadersKey struct{}

// withLoaders gives each response its own loaders (AroundResponses).
func (s *Server) withLoaders(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(context.WithValue(ctx, loadersKey{}, s.newLoaders()))
}

func (s *Server) newLoaders() *loaders {
	a := s.cfg.App
	opts := []dataloadgen.Option{dataloadgen.WithWait(s.loaders.wait), dataloadgen.WithBatchCapacity(s.loaders.capacity)}
	return &loaders{
		job:     dataloadgen.NewLoader(byID(a.JobsVisible, "job"), opts...),
		org:     dataloadgen.NewLoader(byID(a.OrgsByID, "organization"), opts...),
		profile: dataloadgen.NewLoader(byID(a.ProfilesVisible, "profile"), opts...),
		members: dataloadgen.NewLoader(byID(a.MembersOf, "organization"), opts...),
	}
}

// byID adapts a batch query returning what it found (and may show) by id
// to a loader's fetch: every other key is not found.
func byID[V any](fetch func(ctx context.Context, ids []string) (map[string]V, error), what string) func(ctx context.Context, ids []string) ([]V, []error) {
	return func(ctx context.Context, ids []string) ([]V, []error) {
		vals := make([]V, len(ids))
		errs := make([]error, len(ids))
		found, err := fetch(ctx, ids)
		for i, id := range ids {
			v, ok := found[id]
			switch {
			case err != nil:
				errs[i] = err
			case !ok:
				errs[i] = meridian.Errorf(meridian.ENotFound, "%s %s not found", what, id)
			default:
				vals[i] = v
			}
		}
		return vals, errs
	}
}

// loadersFrom returns the response's loaders (fresh ones outside a
// response, e.g. in a unit test of a resolver).
func (s *Server) loadersFrom(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return s.newLoaders()
}
