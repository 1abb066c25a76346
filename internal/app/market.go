package app

import (
	"context"

	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Market figures are open data: anyone may read them, signed in or not.
// They come from the node's market model (internal/market), fed from the
// event stream like the search index, and from the reference sources in
// SQL (internal/marketdata), which are never mixed with the postings.

func (a *App) market() (*market.Model, error) {
	if a.Market == nil {
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: "the market model is not running on this node"}
	}
	return a.Market, nil
}

// MarketDemand returns the demand shares of skills, categories or groups.
func (a *App) MarketDemand(_ context.Context, f market.Filter, kind string, required bool, limit int) (market.Demand, error) {
	m, err := a.market()
	if err != nil {
		return market.Demand{}, err
	}
	return m.Demand(f, kind, required, limit, a.now())
}

// MarketCooccurrence returns skill pairs with their lift.
func (a *App) MarketCooccurrence(_ context.Context, f market.Filter, skill string, minCount, limit int) (market.Cooccurrence, error) {
	m, err := a.market()
	if err != nil {
		return market.Cooccurrence{}, err
	}
	return m.Cooccurrence(f, skill, minCount, limit, a.now())
}

// MarketSalaries returns salary percentiles of postings.
func (a *App) MarketSalaries(_ context.Context, f market.Filter, groupBy, currency string, minN, limit int) (market.Salaries, error) {
	m, err := a.market()
	if err != nil {
		return market.Salaries{}, err
	}
	return m.Salaries(f, groupBy, currency, minN, limit, a.now())
}

// SurveySalaries returns salary percentiles of the imported survey.
func (a *App) SurveySalaries(ctx context.Context, f marketdata.SurveyFilter, groupBy, currency string, minN int) (market.Salaries, error) {
	return marketdata.SurveySalaries(ctx, a.DB, f, groupBy, currency, minN)
}

// MarketPremiums returns skill salary premiums.
func (a *App) MarketPremiums(_ context.Context, f market.Filter, skills []string, currency string, minN, limit int) (market.Premiums, error) {
	m, err := a.market()
	if err != nil {
		return market.Premiums{}, err
	}
	return m.Premiums(f, skills, currency, minN, limit, a.now())
}

// MarketTrends returns weekly, monthly or quarterly series.
func (a *App) MarketTrends(_ context.Context, f market.Filter, interval string, keys []market.SeriesKey) (market.Trends, error) {
	m, err := a.market()
	if err != nil {
		return market.Trends{}, err
	}
	return m.Trends(f, interval, keys, a.now())
}

// MarketBaseline returns the long-run hiring-trends series of terms.
func (a *App) MarketBaseline(ctx context.Context, keys []string, from, to string) (marketdata.BaselineSet, error) {
	return marketdata.Baseline(ctx, a.DB, keys, from, to)
}

// MarketHiringTimes returns time to fill and employer response times.
func (a *App) MarketHiringTimes(_ context.Context, f market.Filter) (market.HiringTimes, error) {
	m, err := a.market()
	if err != nil {
		return market.HiringTimes{}, err
	}
	return m.HiringTimes(f, a.now())
}

// MarketClaims measures the seed claims.
func (a *App) MarketClaims(_ context.Context, f market.Filter) ([]market.Claim, error) {
	m, err := a.market()
	if err != nil {
		return nil, err
	}
	return m.Claims(f, a.now())
}

// SkillGaps advises the owner of a profile which skills would open the
// most further postings to them (eligibility as matching decides it).
// Only the profile's owner (or a platform admin) may ask.
func (a *App) SkillGaps(ctx context.Context, profileID, currency string, limit int) (market.SkillGaps, error) {
	m, err := a.market()
	if err != nil {
		return market.SkillGaps{}, err
	}
	ix, err := a.index()
	if err != nil {
		return market.SkillGaps{}, err
	}
	p, err := requirePerson(ctx)
	if err != nil {
		return market.SkillGaps{}, err
	}
	prof, err := a.Q.Profile(ctx, profileID)
	if err != nil {
		return market.SkillGaps{}, err
	}
	if prof.Erased || (!p.PlatformAdmin && prof.OwnerID != p.ID) {
		return market.SkillGaps{}, meridian.Errorf(meridian.ENotFound, "profile %s not found", profileID)
	}
	if currency == "" && prof.SalaryFloor != nil {
		currency = prof.SalaryFloor.Currency
	}
	now := a.now()
	eligible, err := ix.EligibleIDs(SearchProfile(prof), now)
	if err != nil {
		return market.SkillGaps{}, err
	}
	known := make([]string, len(prof.Skills))
	for i, s := range prof.Skills {
		known[i] = s.Skill
	}
	return m.SkillGaps(known, eligible, currency, limit, now)
}
