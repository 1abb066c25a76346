package search_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/relevance"
	"github.com/meridianhq/meridian/internal/search/searchtest"
)

// The relevance suite: internal/search/relevance/relevance.yaml holds
// queries over the real postings with the results a good engine must give,
// written by reading the data before the engine existed. The file's header
// documents the format; package relevance parses it and evaluates results
// (bench/searchbench runs the same suite on the peer engines).

// loadRelevanceSuite reads and validates the suite against the real
// postings: every id must exist, every query and predicate must parse.
func loadRelevanceSuite(t *testing.T) ([]relevance.Case, map[string]*search.Doc, []search.Doc) {
	t.Helper()
	docs, err := searchtest.RealDocs()
	if err != nil {
		t.Fatal(err)
	}
	byID := relevance.ByID(docs)
	suite, err := relevance.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range suite.Validate(byID) {
		t.Errorf("%s: %s", relevance.File, p)
	}
	return suite.Queries, byID, docs
}

// TestRelevanceSuiteWellFormed checks the suite itself (no engine needed):
// at least 30 queries, known ids, parseable queries and predicates, and
// that each expectation is consistent with the data where the data alone
// decides it (allMatch predicates hold for the expected ids).
func TestRelevanceSuiteWellFormed(t *testing.T) {
	cases, byID, _ := loadRelevanceSuite(t)
	if len(cases) < 30 {
		t.Errorf("%d queries, want at least 30", len(cases))
	}
	for _, c := range cases {
		for _, id := range c.Expected() {
			d := byID[id]
			if d == nil {
				continue
			}
			for _, p := range c.Preds {
				if strings.HasPrefix(p.Spec, "salaryAtLeast:") {
					continue // needs the hit's converted salary
				}
				if why := p.Check(d, search.Hit{ID: id}); why != "" {
					t.Errorf("%q: expected %s fails its own allMatch %s: %s", c.Name, id, p.Spec, why)
				}
			}
		}
	}
}

func TestRelevance(t *testing.T) {
	cases, byID, docs := loadRelevanceSuite(t)
	if t.Failed() {
		t.FailNow()
	}
	ix := search.NewIndex()
	for _, d := range docs {
		ix.Put(d)
	}
	var outs []relevance.Outcome
	for i := range cases {
		c := &cases[i]
		outs = append(outs, relevance.Evaluate(c, relevance.SearchAll(ix, c.Q, searchtest.Now), byID))
	}

	pass, misses, fixed := 0, 0, 0
	var p10Sum, p10KnownSum float64
	p10N := 0
	t.Logf("%-6s %-36s %-12s %6s  %s", "RESULT", "QUERY", "KIND", "TOTAL", "DETAIL")
	for _, o := range outs {
		c := o.Case
		status, detail := o.Status(), ""
		switch status {
		case "FIXED":
			detail = "known miss now passes: remove its knownMiss"
			fixed++
			pass++
		case "PASS":
			pass++
		case "MISS":
			detail = "known miss (" + c.KnownMiss + "): " + strings.Join(o.Problems, "; ")
			misses++
		default:
			detail = strings.Join(o.Problems, "; ")
		}
		if o.HasP10 {
			p10Sum += o.P10
			p10KnownSum += o.P10Known
			p10N++
			detail = strings.TrimSpace(fmt.Sprintf("p@10=%.2f (of known %.2f) %s", o.P10, o.P10Known, detail))
		}
		t.Logf("%-6s %-36s %-12s %6d  %s", status, truncate(c.Name, 36), c.Kind, o.Total, detail)
		if status == "FAIL" {
			t.Errorf("relevance: %q failed: %s\n  query: %+v\n  reason: %s\n  first hits: %s",
				c.Name, strings.Join(o.Problems, "; "), c.Query, c.Reason, describeHits(o.Hits, byID, 10))
		}
	}
	if p10N > 0 {
		t.Logf("precision@10 over %d topK queries: mean %.3f (hits/10), %.3f (hits/min(10, |topK ids|))",
			p10N, p10Sum/float64(p10N), p10KnownSum/float64(p10N))
	}
	t.Logf("relevance: %d/%d queries pass (%d known misses, %d known misses now passing)", pass, len(outs), misses, fixed)
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func describeHits(hits []search.Hit, byID map[string]*search.Doc, n int) string {
	var b strings.Builder
	for i, h := range hits {
		if i == n {
			break
		}
		d := byID[h.ID]
		if d == nil {
			fmt.Fprintf(&b, "\n    %2d. %s (unknown)", i+1, h.ID)
			continue
		}
		fmt.Fprintf(&b, "\n    %2d. %s %.3f %s — %s %v", i+1, relevance.Short(h.ID), h.Score, d.OrgName, truncate(d.Title, 60), h.Terms)
	}
	return b.String()
}
