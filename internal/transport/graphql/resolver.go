package graphql

import (
	"context"
	"slices"
	"strings"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/transport/graphql/gql"
)

// Resolver is the root of the resolvers: each calls the App, which
// authorizes.
type Resolver struct{ s *Server }

func (r *Resolver) app() *app.App { return r.s.cfg.App }

// Query returns the query resolvers.
func (r *Resolver) Query() gql.QueryResolver { return queryResolver{r} }

// Mutation returns the mutation resolvers.
func (r *Resolver) Mutation() gql.MutationResolver { return mutationResolver{r} }

// Subscription returns the subscription resolvers.
func (r *Resolver) Subscription() gql.SubscriptionResolver { return subscriptionResolver{r} }

// Job returns the job field resolvers.
func (r *Resolver) Job() gql.JobResolver { return jobResolver{r} }

// Application returns the application field resolvers.
func (r *Resolver) Application() gql.ApplicationResolver { return applicationResolver{r} }

// Organization returns the organization field resolvers.
func (r *Resolver) Organization() gql.OrganizationResolver { return organizationResolver{r} }

// Market returns the market field resolvers.
func (r *Resolver) Market() gql.MarketResolver { return marketResolver{r} }

// MatchExplanation returns the explanation field resolvers.
func (r *Resolver) MatchExplanation() gql.MatchExplanationResolver { return explanationResolver{r} }

// JobPublished returns the jobPublished event's field resolvers.
func (r *Resolver) JobPublished() gql.JobPublishedResolver { return jobPublishedResolver{r} }

// PostingMatch returns the newMatchingPostings event's field resolvers.
func (r *Resolver) PostingMatch() gql.PostingMatchResolver { return postingMatchResolver{r} }

// ApplicationUpdate returns the applicationUpdates event's field resolvers.
func (r *Resolver) ApplicationUpdate() gql.ApplicationUpdateResolver {
	return applicationUpdateResolver{r}
}

// ---- argument helpers ----

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// expected is an expectedVersion argument (absent: any version, -1).
func expected(v *int) int64 {
	if v == nil {
		return -1
	}
	return int64(*v)
}

func cursorOf(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

// ---- field resolvers ----

type jobResolver struct{ *Resolver }

func (r jobResolver) Organization(ctx context.Context, obj *readmodel.Job) (*readmodel.Org, error) {
	o, err := r.s.loadersFrom(ctx).org.Load(ctx, obj.OrgID)
	return &o, err
}

type applicationResolver struct{ *Resolver }

func (r applicationResolver) Job(ctx context.Context, obj *readmodel.Application) (*readmodel.Job, error) {
	j, err := r.s.loadersFrom(ctx).job.Load(ctx, obj.JobID)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

func (r applicationResolver) Profile(ctx context.Context, obj *readmodel.Application) (*readmodel.Profile, error) {
	p, err := r.s.loadersFrom(ctx).profile.Load(ctx, obj.ProfileID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

type organizationResolver struct{ *Resolver }

func (r organizationResolver) Members(ctx context.Context, obj *readmodel.Org) ([]readmodel.Member, error) {
	return r.s.loadersFrom(ctx).members.Load(ctx, obj.ID)
}

type explanationResolver struct{ *Resolver }

func (explanationResolver) Components(_ context.Context, obj *search.Explanation) ([]gql.ScoreComponent, error) {
	out := make([]gql.ScoreComponent, 0, len(obj.Components))
	for name, v := range obj.Components {
		out = append(out, gql.ScoreComponent{Name: name, Value: v})
	}
	slices.SortFunc(out, func(a, b gql.ScoreComponent) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

type jobPublishedResolver struct{ *Resolver }

func (r jobPublishedResolver) Job(ctx context.Context, obj *realtime.NewJob) (*readmodel.Job, error) {
	return r.visibleJob(ctx, obj.ID)
}

type postingMatchResolver struct{ *Resolver }

func (r postingMatchResolver) Job(ctx context.Context, obj *realtime.Match) (*readmodel.Job, error) {
	return r.visibleJob(ctx, obj.JobID)
}

// visibleJob loads a posting an event names, as the caller may see it now.
func (r *Resolver) visibleJob(ctx context.Context, id string) (*readmodel.Job, error) {
	j, err := r.s.loadersFrom(ctx).job.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

type applicationUpdateResolver struct{ *Resolver }

func (r applicationUpdateResolver) Application(ctx context.Context, obj *realtime.ApplicationUpdate) (*readmodel.Application, error) {
	a, err := r.app().Application(ctx, obj.ID)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ---- market ----

type marketResolver struct{ *Resolver }

// marketFilter reads a MarketFilter as the REST API reads its query.
func marketFilter(in *gql.MarketFilter) (market.Filter, error) {
	if in == nil {
		return market.Filter{}, nil
	}
	f := market.Filter{Countries: in.Countries, Regions: in.Regions, Seniority: in.Seniority,
		Eligibility: deref(in.Eligibility), Skills: in.Skills, Open: deref(in.Open), Org: deref(in.OrgID)}
	var err error
	if p := deref(in.Period); p != "" {
		if deref(in.From) != "" || deref(in.To) != "" {
			return f, meridian.Errorf(meridian.EInvalid, "period: give either period or from/to")
		}
		f.From, f.To, err = market.ParsePeriod(p)
		return f, err
	}
	if f.From, err = market.ParseDate("from", deref(in.From)); err != nil {
		return f, err
	}
	f.To, err = market.ParseDate("to", deref(in.To))
	return f, err
}

func (r marketResolver) Demand(ctx context.Context, obj *gql.Market, kind *string, required *bool, limit *int) (*market.Demand, error) {
	d, err := r.app().MarketDemand(ctx, obj.Filter, deref(kind), deref(required), deref(limit))
	return &d, err
}

func (r marketResolver) Salaries(ctx context.Context, obj *gql.Market, groupBy, currency *string, minN, limit *int) (*market.Salaries, error) {
	s, err := r.app().MarketSalaries(ctx, obj.Filter, deref(groupBy), deref(currency), deref(minN), deref(limit))
	return &s, err
}

func (r marketResolver) Trends(ctx context.Context, obj *gql.Market, interval *string, skills, categories, groups []string) (*market.Trends, error) {
	var keys []market.SeriesKey
	for _, k := range skills {
		keys = append(keys, market.SeriesKey{Kind: market.KindSkill, Key: k})
	}
	for _, k := range categories {
		keys = append(keys, market.SeriesKey{Kind: market.KindCategory, Key: k})
	}
	for _, k := range groups {
		keys = append(keys, market.SeriesKey{Kind: market.KindGroup, Key: k})
	}
	if len(keys) > 20 {
		return nil, meridian.Errorf(meridian.EInvalid, "skills, categories, groups: at most 20 series")
	}
	t, err := r.app().MarketTrends(ctx, obj.Filter, deref(interval), keys)
	return &t, err
}

func (r marketResolver) Claims(ctx context.Context, obj *gql.Market) ([]market.Claim, error) {
	return r.app().MarketClaims(ctx, obj.Filter)
}

func (r marketResolver) HiringTimes(ctx context.Context, obj *gql.Market) (*market.HiringTimes, error) {
	h, err := r.app().MarketHiringTimes(ctx, obj.Filter)
	return &h, err
}
