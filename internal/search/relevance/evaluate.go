package relevance

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/search"
)

// Results are one engine's answer to a case's query.
type Results struct {
	// Hits in rank order: every match when Complete, else the first
	// len(Hits). Hit.Salary is read by the salaryAtLeast predicate (see
	// HitsFromIDs for engines that return ids only).
	Hits []search.Hit
	// Total is the engine's count of matches.
	Total int
	// Complete: Hits are every match (all pages).
	Complete bool
	// Err is the engine's error (the other fields are then ignored).
	Err error
}

// Outcome is one case's result against its expectations.
type Outcome struct {
	Case  *Case
	Total int
	Hits  []search.Hit
	// Problems are the expectations that do not hold (none: the case
	// passes, whatever its KnownMiss).
	Problems []string
	// Notes say what could not be checked fully (results not complete).
	Notes []string
	// Precision@10 against the topK set: hits/10 and hits/min(10,|set|).
	P10, P10Known float64
	HasP10        bool
}

// Passed: every expectation holds.
func (o *Outcome) Passed() bool { return len(o.Problems) == 0 }

// Status is the report's word for the outcome: PASS, FIXED (a known miss
// that passes), MISS (a known miss that still misses) or FAIL.
func (o *Outcome) Status() string {
	switch {
	case o.Passed() && o.Case.KnownMiss != "":
		return "FIXED"
	case o.Passed():
		return "PASS"
	case o.Case.KnownMiss != "":
		return "MISS"
	default:
		return "FAIL"
	}
}

// SearchAll runs q on ix at now, paging through every result (limit 100
// and the cursor), as TestRelevance does.
func SearchAll(ix *search.Index, q search.Query, now time.Time) Results {
	q.Limit = 100
	var r Results
	for page := 0; ; page++ {
		res, err := ix.Search(q, now)
		if err != nil {
			return Results{Err: err}
		}
		if page == 0 {
			r.Total = res.Total
		}
		r.Hits = append(r.Hits, res.Hits...)
		if res.NextCursor == "" || len(res.Hits) == 0 {
			break
		}
		if page > ix.Len() {
			return Results{Err: fmt.Errorf("the cursor never ends")}
		}
		q.Cursor = res.NextCursor
	}
	r.Complete = true
	return r
}

// HitsFromIDs turns an engine's ids into hits for Evaluate, with the
// salary the way bench/searchbench's peers index it: the posting's range
// annualized with fields.Annual into the viewer's currency (USD when
// empty), in major units; none when the posting has no salary or it does
// not convert.
func HitsFromIDs(ids []string, byID map[string]*search.Doc, currency string) []search.Hit {
	if currency == "" {
		currency = "USD"
	}
	unit := int64(math.Pow10(meridian.MinorUnits(currency)))
	hits := make([]search.Hit, len(ids))
	for i, id := range ids {
		hits[i].ID = id
		d := byID[id]
		if d == nil || d.Salary == nil {
			continue
		}
		lo, hi, err := fields.Annual(*d.Salary, currency, nil)
		if err != nil {
			continue
		}
		hits[i].Salary = &search.Money{Min: lo / unit, Max: hi / unit, Currency: currency}
	}
	return hits
}

// Evaluate checks every expectation of c against r: top1, topK and
// mustInclude on the ranks, mustMatch, mustExclude, allMatch and sorted
// on every hit given, minTotal and maxTotal on the total. When r is not
// complete, the checks over all results see only the hits given; Notes
// say so.
func Evaluate(c *Case, r Results, byID map[string]*search.Doc) Outcome {
	o := Outcome{Case: c}
	fail := func(format string, args ...any) { o.Problems = append(o.Problems, fmt.Sprintf(format, args...)) }
	if r.Err != nil {
		fail("search: %v", r.Err)
		return o
	}
	o.Total, o.Hits = r.Total, r.Hits
	seen := map[string]bool{}
	for _, h := range o.Hits {
		if seen[h.ID] {
			fail("%s returned twice", h.ID)
		}
		seen[h.ID] = true
	}
	if r.Complete && len(o.Hits) != o.Total {
		fail("total %d but %d hits over all pages", o.Total, len(o.Hits))
	}
	if !r.Complete && len(o.Hits) < o.Total {
		var over []string
		if len(c.MustMatch) > 0 {
			over = append(over, "mustMatch")
		}
		if len(c.MustExclude) > 0 {
			over = append(over, "mustExclude")
		}
		if len(c.Preds) > 0 {
			over = append(over, "allMatch")
		}
		if c.Sorted != "" {
			over = append(over, "sorted")
		}
		if len(over) > 0 {
			o.Notes = append(o.Notes, fmt.Sprintf("%s checked on the first %d of %d hits only", strings.Join(over, ", "), len(o.Hits), o.Total))
		}
	}
	rank := map[string]int{} // 1-based
	for i, h := range o.Hits {
		if _, ok := rank[h.ID]; !ok {
			rank[h.ID] = i + 1
		}
	}
	where := func(id string) string {
		if r, ok := rank[id]; ok {
			return fmt.Sprintf("%s at %d", Short(id), r)
		}
		return Short(id) + " absent"
	}

	if c.Top1 != "" && rank[c.Top1] != 1 {
		fail("top1: %s", where(c.Top1))
	}
	if c.TopK != nil {
		var out []string
		in10 := 0
		for _, id := range c.TopK.IDs {
			if r, ok := rank[id]; !ok || r > c.TopK.K {
				out = append(out, where(id))
			}
			if r, ok := rank[id]; ok && r <= 10 {
				in10++
			}
		}
		if len(out) > 0 {
			fail("top%d: %s", c.TopK.K, strings.Join(out, ", "))
		}
		o.HasP10 = true
		o.P10 = float64(in10) / 10
		o.P10Known = float64(in10) / float64(min(10, len(c.TopK.IDs)))
	}
	if len(c.MustInclude) > 0 {
		var out []string
		for _, id := range c.MustInclude {
			if r, ok := rank[id]; !ok || r > FirstPage {
				out = append(out, where(id))
			}
		}
		if len(out) > 0 {
			fail("mustInclude (first %d): %s", FirstPage, strings.Join(out, ", "))
		}
	}
	if len(c.MustMatch) > 0 {
		var out []string
		for _, id := range c.MustMatch {
			if !seen[id] {
				out = append(out, Short(id))
			}
		}
		if len(out) > 0 {
			fail("mustMatch: %s absent", strings.Join(out, ", "))
		}
	}
	if len(c.MustExclude) > 0 {
		var out []string
		for _, id := range c.MustExclude {
			if seen[id] {
				out = append(out, where(id))
			}
		}
		if len(out) > 0 {
			fail("mustExclude: %s", strings.Join(out, ", "))
		}
	}
	if c.MinTotal != nil && o.Total < *c.MinTotal {
		fail("total %d < minTotal %d", o.Total, *c.MinTotal)
	}
	if c.MaxTotal != nil && o.Total > *c.MaxTotal {
		fail("total %d > maxTotal %d", o.Total, *c.MaxTotal)
	}
	for _, p := range c.Preds {
		bad := 0
		var first string
		for _, h := range o.Hits {
			d := byID[h.ID]
			if d == nil {
				continue
			}
			if why := p.Check(d, h); why != "" {
				if bad == 0 {
					first = fmt.Sprintf("%s at %d: %s", Short(h.ID), rank[h.ID], why)
				}
				bad++
			}
		}
		if bad > 0 {
			fail("allMatch %s: %d hits violate it, first %s", p.Spec, bad, first)
		}
	}
	for _, h := range o.Hits {
		if byID[h.ID] == nil {
			fail("unknown id %s returned", h.ID)
			break
		}
	}
	if c.Sorted == search.SortNewest {
		for i := 1; i < len(o.Hits); i++ {
			a, b := byID[o.Hits[i-1].ID], byID[o.Hits[i].ID]
			if a != nil && b != nil && b.PublishedAt.After(a.PublishedAt) {
				fail("not newest first: %s (%s) after %s (%s)", Short(b.ID), b.PublishedAt.Format(time.RFC3339),
					Short(a.ID), a.PublishedAt.Format(time.RFC3339))
				break
			}
		}
	}
	return o
}

// Short is an id's first 8 characters (the report's form).
func Short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
