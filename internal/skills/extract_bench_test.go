package skills

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/meridianhq/meridian/internal/hnposts"

	bobu "github.com/BobuSumisu/aho-corasick"
	anknown "github.com/anknown/ahocorasick"
	cloudflare "github.com/cloudflare/ahocorasick"
	coregx "github.com/coregx/ahocorasick"
	petar "github.com/petar-dambovaliev/aho-corasick"
)

// The benchmarks run over the real corpus: every HN post of
// internal/hnposts, HTML stripped, concatenated (about 2 MB), with the
// Default() taxonomy. The BenchmarkPeer* benchmarks give other maintained
// Aho–Corasick packages the same spellings and text, lower-cased, asking
// only for raw matches: no case rules, no word boundaries, no URL checks —
// less work than Scan does.

var (
	benchOnce      sync.Once
	benchText      string
	benchLower     string
	benchSpellings []string
)

func benchSetup(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		benchText = hnCorpus(b)
		benchLower = strings.ToLower(benchText)
		seen := map[string]bool{}
		for _, p := range DefaultExtractor().a.patterns {
			l := strings.ToLower(p.text)
			if !seen[l] {
				seen[l] = true
				benchSpellings = append(benchSpellings, l)
			}
		}
	})
	if benchText == "" {
		b.Fatal("empty corpus")
	}
}

func reportMBs(b *testing.B, n int) {
	b.SetBytes(int64(n))
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}

// BenchmarkScan is the extractor's hot loop: raw hits over the corpus.
func BenchmarkScan(b *testing.B) {
	benchSetup(b)
	e := DefaultExtractor()
	hits := 0
	fn := func(_ *Skill, _, _ int) { hits++ }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Scan(benchText, fn)
	}
	b.StopTimer()
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
	reportMBs(b, len(benchText))
}

// BenchmarkExtract is the full extraction, post by post: scan, context
// rules, sections, grouping.
func BenchmarkExtract(b *testing.B) {
	benchSetup(b)
	e := DefaultExtractor()
	posts := loadHN(b, true)
	n := 0
	for _, p := range posts {
		n += len(p.Text)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range posts {
			e.Extract(p.Text)
		}
	}
	b.StopTimer()
	reportMBs(b, n)
}

func BenchmarkPeerCoregx(b *testing.B) {
	benchSetup(b)
	ac, err := coregx.NewBuilder().AddStrings(benchSpellings).SetMatchKind(coregx.LeftmostLongest).Build()
	if err != nil {
		b.Fatal(err)
	}
	hay := []byte(benchLower)
	hits := 0
	b.ResetTimer()
	for b.Loop() {
		// FindAll, not Count: in v0.3.1, Count with LeftmostLongest
		// stops early on this input (25 against FindAll's ~190k).
		hits = len(ac.FindAll(hay, -1))
	}
	b.StopTimer()
	b.ReportMetric(float64(hits), "hits/op")
	reportMBs(b, len(hay))
}

func BenchmarkPeerPetarDFA(b *testing.B) {
	benchSetup(b)
	bl := petar.NewAhoCorasickBuilder(petar.Opts{MatchKind: petar.LeftMostLongestMatch, DFA: true})
	ac := bl.Build(benchSpellings)
	hits := 0
	b.ResetTimer()
	for b.Loop() {
		hits = 0
		it := ac.Iter(benchLower)
		for m := it.Next(); m != nil; m = it.Next() {
			hits++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(hits), "hits/op")
	reportMBs(b, len(benchLower))
}

func BenchmarkPeerCloudflare(b *testing.B) {
	benchSetup(b)
	m := cloudflare.NewStringMatcher(benchSpellings)
	hay := []byte(benchLower)
	hits := 0
	b.ResetTimer()
	for b.Loop() {
		hits = len(m.MatchThreadSafe(hay)) // distinct patterns found
	}
	b.StopTimer()
	b.ReportMetric(float64(hits), "patterns/op")
	reportMBs(b, len(hay))
}

func BenchmarkPeerBobuSumisu(b *testing.B) {
	benchSetup(b)
	tr := bobu.NewTrieBuilder().AddStrings(benchSpellings).Build()
	hay := []byte(benchLower)
	hits := 0
	b.ResetTimer()
	for b.Loop() {
		hits = 0
		tr.Walk(hay, func(end, n, pattern int64) bool { hits++; return true })
	}
	b.StopTimer()
	b.ReportMetric(float64(hits), "hits/op")
	reportMBs(b, len(hay))
}

// BenchmarkPeerAnknown searches runes (the package's only input); the
// conversion is done once, outside the timed loop.
func BenchmarkPeerAnknown(b *testing.B) {
	benchSetup(b)
	var m anknown.Machine
	kw := make([][]rune, len(benchSpellings))
	for i, s := range benchSpellings {
		kw[i] = []rune(s)
	}
	if err := m.Build(kw); err != nil {
		b.Fatal(err)
	}
	hay := []rune(benchLower)
	hits := 0
	b.ResetTimer()
	for b.Loop() {
		hits = len(m.MultiPatternSearch(hay, false))
	}
	b.StopTimer()
	b.ReportMetric(float64(hits), "hits/op")
	reportMBs(b, len(benchLower))
}

type hnPost struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
}

var (
	hnOnce  sync.Once
	hnPosts []hnPost
	hnErr   error

	reParagraph = regexp.MustCompile(`(?i)<\s*(p|br|/p|li|/li|/pre|pre)\s*/?>`)
	reTag       = regexp.MustCompile(`<[^>]*>`)
)

// htmlToText turns HN HTML into plain text: paragraphs become blank-line
// separated lines, other tags go, entities are unescaped.
func htmlToText(s string) string {
	s = reParagraph.ReplaceAllString(s, "\n\n")
	s = reTag.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

// loadHN returns the posts as plain text. Posts with id % 10 == 3 are the
// held-out evaluation set: heldOut false leaves them out.
func loadHN(tb testing.TB, heldOut bool) []hnPost {
	tb.Helper()
	hnOnce.Do(func() {
		hnErr = hnposts.Each(func(line []byte) error {
			var p hnPost
			if err := json.Unmarshal(line, &p); err != nil {
				return err
			}
			p.Text = htmlToText(p.Text)
			hnPosts = append(hnPosts, p)
			return nil
		})
	})
	if hnErr != nil {
		tb.Fatalf("HN corpus: %v", hnErr)
	}
	if heldOut {
		return hnPosts
	}
	var out []hnPost
	for _, p := range hnPosts {
		if p.ID%10 != 3 {
			out = append(out, p)
		}
	}
	return out
}

// hnCorpus is every post's text, concatenated with blank lines.
func hnCorpus(tb testing.TB) string {
	var b strings.Builder
	for _, p := range loadHN(tb, true) {
		b.WriteString(p.Text)
		b.WriteString("\n\n")
	}
	return b.String()
}
