// Package relevance is the relevance suite of internal/search: queries over
// the real postings (searchtest.RealDocs, searched at searchtest.Now) with
// the results a good engine must give, in relevance.yaml (embedded; its
// header documents the format), and the evaluation of one engine's results
// against them. internal/search's TestRelevance runs it on the index;
// bench/searchbench runs it on every engine of the comparison.
package relevance

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meridianhq/meridian/internal/search"
)

// File is the suite's path in the repository (for messages).
const File = "internal/search/relevance/relevance.yaml"

// FirstPage is the default page size: mustInclude ids must be on it.
const FirstPage = 20

//go:embed relevance.yaml
var defaultYAML []byte

// Suite is a parsed relevance suite.
type Suite struct {
	Queries []Case `yaml:"queries"`

	// problems found while parsing that do not stop it (reported by
	// Validate).
	problems []string
}

// Case is one query of the suite with its expectations.
type Case struct {
	Name        string         `yaml:"name"`
	Kind        string         `yaml:"kind"`
	Query       map[string]any `yaml:"query"`
	Top1        string         `yaml:"top1"`
	TopK        *TopK          `yaml:"topK"`
	MustInclude []string       `yaml:"mustInclude"`
	MustMatch   []string       `yaml:"mustMatch"`
	MustExclude []string       `yaml:"mustExclude"`
	MinTotal    *int           `yaml:"minTotal"`
	MaxTotal    *int           `yaml:"maxTotal"`
	AllMatch    []string       `yaml:"allMatch"`
	Sorted      string         `yaml:"sorted"`
	Reason      string         `yaml:"reason"`
	KnownMiss   string         `yaml:"knownMiss"`

	// Q is Query decoded.
	Q search.Query `yaml:"-"`
	// Preds are the parsed AllMatch entries (those that parse).
	Preds []Predicate `yaml:"-"`
}

// TopK: every id must be within the first K hits.
type TopK struct {
	K   int      `yaml:"k"`
	IDs []string `yaml:"ids"`
}

// Predicate is one allMatch entry: Check returns "" when the hit satisfies
// it, else what is wrong.
type Predicate struct {
	Spec  string
	Check func(d *search.Doc, h search.Hit) string
}

// Default returns the suite shipped with the repository (relevance.yaml).
func Default() (*Suite, error) { return Parse(defaultYAML, File) }

// Parse reads a suite in the format of relevance.yaml (unknown fields are
// errors). It fails on what makes the suite unusable (YAML or a query that
// does not decode, a missing or duplicate name); the other problems are
// kept for Validate.
func Parse(data []byte, name string) (*Suite, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Suite
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	names := map[string]bool{}
	for i := range s.Queries {
		c := &s.Queries[i]
		where := fmt.Sprintf("%s: query %d (%q)", name, i+1, c.Name)
		if c.Name == "" || names[c.Name] {
			return nil, fmt.Errorf("%s: missing or duplicate name", where)
		}
		names[c.Name] = true
		// The query is written in its JSON form (the saved-search names).
		js, err := json.Marshal(c.Query)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		jd := json.NewDecoder(bytes.NewReader(js))
		jd.DisallowUnknownFields()
		if err := jd.Decode(&c.Q); err != nil {
			return nil, fmt.Errorf("%s: query: %w", where, err)
		}
		for _, spec := range c.AllMatch {
			p, err := ParsePredicate(spec, c.Q)
			if err != nil {
				s.problems = append(s.problems, fmt.Sprintf("%s: allMatch %q: %v", where, spec, err))
				continue
			}
			c.Preds = append(c.Preds, p)
		}
	}
	return &s, nil
}

// Validate checks the suite against the postings (byID): every id must be
// a real posting, no id both expected and excluded, consistent bounds, a
// reason and at least one expectation per query, and every predicate
// parsed. It returns the problems (none: nil).
func (s *Suite) Validate(byID map[string]*search.Doc) []string {
	problems := slices.Clone(s.problems)
	errf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i := range s.Queries {
		c := &s.Queries[i]
		where := fmt.Sprintf("query %d (%q)", i+1, c.Name)
		if strings.TrimSpace(c.Reason) == "" {
			errf("%s: no reason", where)
		}
		var ids []string
		if c.Top1 != "" {
			ids = append(ids, c.Top1)
		}
		if c.TopK != nil {
			if c.TopK.K < len(c.TopK.IDs) || c.TopK.K <= 0 {
				errf("%s: topK k=%d smaller than its %d ids", where, c.TopK.K, len(c.TopK.IDs))
			}
			ids = append(ids, c.TopK.IDs...)
		}
		if len(c.MustInclude) > FirstPage {
			errf("%s: %d mustInclude ids cannot fit the first %d hits", where, len(c.MustInclude), FirstPage)
		}
		ids = append(ids, c.MustInclude...)
		ids = append(ids, c.MustMatch...)
		ids = append(ids, c.MustExclude...)
		for _, id := range ids {
			if byID[id] == nil {
				errf("%s: %s is not a real posting", where, id)
			}
		}
		for _, id := range c.MustExclude {
			if c.Top1 == id || slices.Contains(c.MustInclude, id) || slices.Contains(c.MustMatch, id) ||
				(c.TopK != nil && slices.Contains(c.TopK.IDs, id)) {
				errf("%s: %s is both expected and excluded", where, id)
			}
		}
		if c.MinTotal != nil && c.MaxTotal != nil && *c.MinTotal > *c.MaxTotal {
			errf("%s: minTotal > maxTotal", where)
		}
		if c.Sorted != "" && c.Sorted != search.SortNewest {
			errf("%s: sorted must be %q", where, search.SortNewest)
		}
		if c.Top1 == "" && c.TopK == nil && len(ids) == 0 && c.MinTotal == nil && c.MaxTotal == nil &&
			len(c.AllMatch) == 0 && c.Sorted == "" {
			errf("%s: no expectation", where)
		}
	}
	return problems
}

// Expected returns the ids the case expects to find (top1, topK,
// mustInclude, mustMatch), in that order, repeats included.
func (c *Case) Expected() []string {
	var want []string
	if c.Top1 != "" {
		want = append(want, c.Top1)
	}
	if c.TopK != nil {
		want = append(want, c.TopK.IDs...)
	}
	want = append(want, c.MustInclude...)
	want = append(want, c.MustMatch...)
	return want
}

// ByID indexes docs by id (the map Validate and Evaluate take); the
// pointers are into docs.
func ByID(docs []search.Doc) map[string]*search.Doc {
	byID := make(map[string]*search.Doc, len(docs))
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	return byID
}
