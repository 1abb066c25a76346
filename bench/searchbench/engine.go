// Package searchbench compares Meridian's in-memory search index
// (internal/search) with Bleve v2, SQLite FTS5 and PostgreSQL full-text
// search on the same generated corpus (Corpus) and the same fixed query mix
// (Mix), in one process, one engine after another. meridian-bench
// -scenario search runs it and prints the figures the search issue asks
// for; the testing.B benchmarks here run a small corpus. Quality (-scenario
// search-quality) runs internal/search's relevance suite on every engine
// over the real postings, for result quality next to speed.
//
// Fairness rules, common to every engine:
//   - same postings, same queries, run one at a time on one goroutine after
//     a warm-up pass; every engine returns the top 20 ids and the total
//     number of matches (and facet counts when asked);
//   - the filters mean the same in every engine (see facts); filter-only
//     queries must give the same totals everywhere (tested);
//   - text: every word must match (AND) over title, company and
//     description with each engine's English stemming; the last word also
//     as a prefix; words of 5+ letters with one typo where the engine can
//     (Meridian, Bleve; FTS5 and PostgreSQL cannot), "quoted phrases" as
//     phrases;
//   - matching a profile, for the peers, is only candidate retrieval:
//     postings open to one of the profile's countries that have at least one
//     of its skills, ordered by the number of its skills they have. Meridian
//     also checks working-time overlap, scores salary and seniority and
//     explains each match, so the ratio favours the peers.
package searchbench

import (
	"github.com/meridianhq/meridian/internal/search"
)

// Engine is one search engine under test.
type Engine interface {
	Name() string
	// Build indexes docs (an empty engine; called once).
	Build(docs []search.Doc) error
	// Search returns the ids of the first page (20) and the total number
	// of matches.
	Search(q search.Query) (ids []string, total int, err error)
	// Match returns the first 20 postings for a profile and the total
	// (-1 when the engine does not count).
	Match(p search.Profile) (ids []string, total int, err error)
	Close() error
}

// pageSize is the number of hits every engine returns.
const pageSize = 20

// facetSize bounds the skills and categories facets.
const facetSize = 20
