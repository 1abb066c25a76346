package searchbench

import (
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/relevance"
)

// Meridian is the engine under test: search.Index, built with PutBatch
// (its bulk path, as a rebuild from the event store uses: analysis on
// every core, insertion in chunks), queried at Now.
type Meridian struct {
	Index *search.Index
}

// NewMeridian returns an empty Meridian engine.
func NewMeridian() *Meridian { return &Meridian{} }

func (e *Meridian) Name() string { return "Meridian" }

func (e *Meridian) Build(docs []search.Doc) error {
	e.Index = search.NewIndex()
	const batch = 2000 // the follower's batch size
	for lo := 0; lo < len(docs); lo += batch {
		e.Index.PutBatch(docs[lo:min(lo+batch, len(docs))])
	}
	return nil
}

func (e *Meridian) Search(q search.Query) ([]string, int, error) {
	q.Limit = pageSize
	res, err := e.Index.Search(q, Now)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, res.Total, nil
}

// SearchAll returns every match as full hits (with the salary in the
// viewer's currency), paging as internal/search's relevance test does
// (Quality uses it, so that both evaluate the same results).
func (e *Meridian) SearchAll(q search.Query) relevance.Results {
	return relevance.SearchAll(e.Index, q, Now)
}

func (e *Meridian) Match(p search.Profile) ([]string, int, error) {
	page, err := e.Index.MatchProfile(p, search.MatchOptions{Limit: pageSize}, Now)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]string, len(page.Items))
	for i, m := range page.Items {
		ids[i] = m.JobID
	}
	return ids, -1, nil
}

func (e *Meridian) Close() error { e.Index = nil; return nil }
