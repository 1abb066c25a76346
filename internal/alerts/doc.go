// Package alerts keeps people's saved searches and the notifications they
// produce. Its Projection (checkpoint "saved-search-alerts") runs next to
// the SQL read models and owns the tables saved_searches,
// saved_search_anchors and notifications.
//
// Saved searches are evaluated incrementally: each is filed under the
// anchor keys of its compiled query (search.Compiled.Anchors), and when a
// posting is published (or renewed) only the saved searches filed under one
// of the posting's own keys (search.DocAnchors) are compiled and matched
// against it (search.Compiled.MatchPrepared), never the whole set. Each match is
// one notifications row, unique per saved search and posting: it is the
// saved search's feed entry and, unless the alert frequency is "off", a
// notification for its owner (delivered over live channels elsewhere;
// "daily" ones in a digest). The projection evaluates postings at the time
// of their event, from the event store, so that a rebuild reproduces the
// same notifications.
//
// Name, query and feed token of a saved search are personal data of its
// owner (sealed in the events under the owner's key): when the owner is
// erased, replaying their events (a rebuild, or a projector catching up
// after the erasure) removes their saved searches and notifications.
package alerts
