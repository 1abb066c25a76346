package searchbench

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/skills"
)

// The peers index what Meridian derives at query time as plain fields, so
// that every engine answers a filter the same way. These definitions are the
// harness's reading of the documented Query semantics, in one place:
//
//   - places: "WW" for a worldwide posting; otherwise every country the
//     posting's Eligibility.Allows (its countries and its regions' members)
//     plus every region key at least one of whose countries it allows.
//     Country c filter: places ∋ "WW" or c. Region r filter: places ∋ "WW"
//     or r (a posting open to someone in the region; internal/search files
//     a country under every region containing it and a region under every
//     region it overlaps, which is the same).
//   - regions (facet): the region keys of places, or "WW".
//   - categories: the taxonomy category of each skill.
//   - salary top: the top of the range (Max, or Min for an open "from"
//     range) annualized with fields.Annual into each viewer currency, in
//     minor units; none when the posting has no salary or the currency is
//     unknown. MinSalary m qualifies a posting when top ≥ m×100.
type facts struct {
	places  []string
	regions []string
	cats    []string
	skills  []string
	// top is the salary top per viewer currency (index in viewerCurrencies);
	// -1: no salary.
	top [len(viewerCurrencies)]int64
}

// viewerCurrencies are the currencies the peers precompute salary tops in
// (the query mix uses no other).
var viewerCurrencies = [...]string{"USD", "EUR", "GBP"}

func currencyIndex(c string) int {
	if c == "" {
		c = "USD"
	}
	for i, v := range viewerCurrencies {
		if v == c {
			return i
		}
	}
	return -1
}

// regionKeys are domain.Regions' keys, sorted.
var regionKeys = func() []string {
	var ks []string
	for k := range domain.Regions {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}()

type placeSets struct{ places, regions []string }

// placeCache memoizes places by eligibility (generated postings share a
// few thousand distinct ones). Not safe for concurrent use.
type placeCache map[string]placeSets

func (pc placeCache) of(e domain.Eligibility) placeSets {
	if e.Worldwide {
		return placeSets{[]string{domain.Worldwide}, []string{domain.Worldwide}}
	}
	key := strings.Join(e.Countries, ",") + "|" + strings.Join(e.Regions, ",")
	if ps, ok := pc[key]; ok {
		return ps
	}
	set := map[string]bool{}
	for _, c := range e.Countries {
		set[c] = true
	}
	for _, r := range e.Regions {
		for _, c := range domain.Regions[r] {
			set[c] = true
		}
	}
	var ps placeSets
	for c := range set {
		ps.places = append(ps.places, c)
	}
	sort.Strings(ps.places)
	for _, r := range regionKeys {
		some := false
		for _, c := range domain.Regions[r] {
			if set[c] {
				some = true
				break
			}
		}
		if some {
			ps.places = append(ps.places, r)
			ps.regions = append(ps.regions, r)
		}
	}
	pc[key] = ps
	return ps
}

func docFacts(d *search.Doc, pc placeCache) facts {
	var f facts
	ps := pc.of(d.Eligibility)
	f.places, f.regions = ps.places, ps.regions
	tax := skills.Default()
	for _, s := range d.Skills {
		f.skills = append(f.skills, s.Skill)
		if sk, ok := tax.Get(s.Skill); ok {
			f.cats = append(f.cats, sk.Category)
		}
	}
	slices.Sort(f.cats)
	f.cats = slices.Compact(f.cats)
	for i := range f.top {
		f.top[i] = -1
	}
	if d.Salary != nil {
		for i, c := range viewerCurrencies {
			lo, hi, err := fields.Annual(*d.Salary, c, nil)
			if err != nil {
				continue
			}
			f.top[i] = max(hi, lo)
			if hi == 0 {
				f.top[i] = lo
			}
		}
	}
	return f
}

// allFacts computes the facts of every posting.
func allFacts(docs []search.Doc) []facts {
	out := make([]facts, len(docs))
	pc := placeCache{}
	for i := range docs {
		out[i] = docFacts(&docs[i], pc)
	}
	return out
}

// salaryBands are the salary facet's bands, annual major units of the
// viewer's currency: [lo, hi).
var salaryBands = []struct {
	Name   string
	Lo, Hi int64 // Hi 0: open
}{
	{"<50k", 0, 50_000}, {"50k-100k", 50_000, 100_000}, {"100k-150k", 100_000, 150_000},
	{"150k-200k", 150_000, 200_000}, {"200k+", 200_000, 0},
}

// text is a query's text split the way every peer translates it: phrases
// (quoted) and words, lower case, letters and digits only.
type text struct {
	words   []string
	phrases [][]string
	// prefixLast: the text ends with a word (not a phrase), which also
	// matches as a prefix.
	prefixLast bool
}

func (t text) empty() bool { return len(t.words) == 0 && len(t.phrases) == 0 }

func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
}

func parseText(s string) text {
	var t text
	parts := strings.Split(s, `"`)
	for i, p := range parts {
		ws := splitWords(p)
		if i%2 == 1 && len(ws) > 1 {
			t.phrases = append(t.phrases, ws)
		} else {
			t.words = append(t.words, ws...)
		}
	}
	t.prefixLast = len(parts)%2 == 1 && len(splitWords(parts[len(parts)-1])) > 0
	return t
}
