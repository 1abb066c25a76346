package gql

import "github.com/meridianhq/meridian/internal/market"

// Market is the root of the market figures: the filter every figure of
// one `market` selection applies.
type Market struct {
	Filter market.Filter
}
