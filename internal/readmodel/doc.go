// Package readmodel holds Meridian's SQL read models: the projection that
// builds them from events (Projection) and the queries that read them
// (Queries). Rows are derived data; `meridian projections rebuild` deletes
// and rebuilds them from position 0.
package readmodel
