package searchbench

import (
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/relevance"
	"github.com/meridianhq/meridian/internal/search/searchtest"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// TestQualitySmall runs the relevance suite on Meridian, Bleve and FTS5:
// every engine answers every query, every result is complete, and
// Meridian's figures are those of internal/search's TestRelevance (its
// steps repeated here: an index filled with Put, every page of each
// query), so that the two evaluations cannot drift apart.
func TestQualitySmall(t *testing.T) {
	b := NewBleve()
	b.Dir = t.TempDir()
	rs, err := Quality([]Engine{NewMeridian(), b, &FTS5{Dir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	suite, err := relevance.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		checkQuality(t, r, len(suite.Queries))
	}

	// TestRelevance's way.
	docs, err := searchtest.RealDocs()
	if err != nil {
		t.Fatal(err)
	}
	byID := relevance.ByID(docs)
	ix := search.NewIndex()
	for _, d := range docs {
		ix.Put(d)
	}
	pass, accepted := 0, 0
	m := rs[0]
	for i := range suite.Queries {
		c := &suite.Queries[i]
		o := relevance.Evaluate(c, relevance.SearchAll(ix, c.Q, searchtest.Now), byID)
		if o.Passed() {
			pass++
		}
		if o.Status() != "FAIL" {
			accepted++
		}
		if got := m.Queries[i]; got.Status() != o.Status() || got.Total != o.Total || strings.Join(got.Problems, "; ") != strings.Join(o.Problems, "; ") {
			t.Errorf("%q: Quality says %s (total %d) %v, TestRelevance's way %s (total %d) %v",
				c.Name, got.Status(), got.Total, got.Problems, o.Status(), o.Total, o.Problems)
		}
	}
	if m.Passed != pass || m.Accepted != accepted {
		t.Errorf("Meridian: Quality passes %d (accepts %d), TestRelevance's way %d (%d)", m.Passed, m.Accepted, pass, accepted)
	}
	if accepted != len(suite.Queries) {
		t.Errorf("Meridian fails %d queries that are not known misses (see internal/search TestRelevance)", len(suite.Queries)-accepted)
	}
	for _, r := range rs {
		t.Logf("%s: %d/%d pass, p@10 %.3f (of known %.3f)", r.Name, r.Passed, len(r.Queries), r.P10, r.P10Known)
	}
}

// TestQualityPostgres needs the PostgreSQL server of storetest: skipped
// when it is unreachable, failed under CI=true.
func TestQualityPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL engine skipped in -short mode")
	}
	rs, err := Quality([]Engine{NewPostgres(storetest.PostgresURL(t))})
	if err != nil {
		t.Fatal(err)
	}
	suite, err := relevance.Default()
	if err != nil {
		t.Fatal(err)
	}
	checkQuality(t, rs[0], len(suite.Queries))
	t.Logf("%s: %d/%d pass, p@10 %.3f (of known %.3f)", rs[0].Name, rs[0].Passed, len(rs[0].Queries), rs[0].P10, rs[0].P10Known)
}

// checkQuality: the engine ran, answered every query without error, and
// every result was compared in full.
func checkQuality(t *testing.T, r QualityResult, n int) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%s: %v", r.Name, r.Err)
	}
	if len(r.Queries) != n {
		t.Fatalf("%s: %d results for %d queries", r.Name, len(r.Queries), n)
	}
	if r.Errors > 0 || r.Incomplete > 0 {
		t.Errorf("%s: %d queries refused, %d incomplete", r.Name, r.Errors, r.Incomplete)
	}
	passed := 0
	for _, q := range r.Queries {
		if !q.Complete {
			t.Errorf("%s: %q: results not complete", r.Name, q.Case.Name)
		}
		if q.Passed() {
			passed++
		}
	}
	if passed != r.Passed || r.P10N == 0 {
		t.Errorf("%s: Passed %d, counted %d; %d topK queries", r.Name, r.Passed, passed, r.P10N)
	}
}
