// Package graphql is Meridian's GraphQL API (gqlgen, schema first:
// schema.graphqls): queries and mutations over GET and POST /graphql,
// subscriptions over WebSocket (graphql-transport-ws) at the same path,
// and GraphiQL at /graphiql.
//
// It is a thin adapter over the application service (internal/app), like
// the REST API: every resolver calls an App method, which authorizes, so
// that both APIs give a principal the same answers. Relations (a job's
// organization, an application's job and profile, an organization's
// members) go through per-request dataloaders backed by the App's batch
// queries, so a list costs a constant number of SQL queries. Operations
// deeper than Config.MaxDepth or costlier than Config.MaxComplexity are
// rejected before they run.
//
// Errors carry the application's code in extensions.code (invalid, rule,
// not_found, conflict, unauthorized, forbidden, unavailable, internal);
// internal errors are logged and shown only as a generic message.
package graphql
