package skills

import (
	"testing"
	"unicode/utf8"
)

// FuzzExtract: no panic; spans in bounds, on rune boundaries, equal to the
// input text they cover, never overlapping; requirement and confidence in
// range (concepts below MinConfidence, others from it). Invalid UTF-8 is
// fair input.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"", "Go", "We write our backend in Go and Python", "Go-to-market team", "Rust, Go, and TypeScript",
		"Spring Boot microservices", "Spring 2026 internship", "C++17, C#, F#, .NET 8, node.jsx, Node.js.",
		"https://golang.org jobs@rust.io /usr/lib/python3 www.kafka.com",
		"Requirements:\n- Go\n\nNice to have:\n- Rust\n", "\xff\xfeGo\xc3", "Google Cloud Platform React Native",
		"éPython—Kafka “R” in R&D", "C/C++ embedded in C", "Kafka is a plus. Bonus: Docker",
		"No Kafka, Docker or Go. Backed by AWS, ex-Google, think “Python for X”", "send your GitHub/LinkedIn, résumé, GitLab",
		"Customers include Acme, Big Co, and Kafka", "Python, Go etc is not required", ", and Kafka", "ex-", "A and B and C, Kafka",
	} {
		f.Add(s)
	}
	test := testExtractor(f)
	def := DefaultExtractor()
	f.Fuzz(func(t *testing.T, text string) {
		boundary := make([]bool, len(text)+1)
		for i := range text {
			boundary[i] = true
		}
		boundary[len(text)] = true
		for _, e := range []*Extractor{test, def} {
			type span struct{ s, e int }
			var all []span
			for _, m := range e.Extract(text) {
				if m.Requirement != Required && m.Requirement != NiceToHave {
					t.Fatalf("requirement %q", m.Requirement)
				}
				s, ok := e.Taxonomy().Get(m.ID)
				if !ok || m.Concept != s.Concept {
					t.Fatalf("match %s: concept %v, taxonomy %v", m.ID, m.Concept, s)
				}
				if lo, hi := 0.6, 1.0; m.Concept && (m.Confidence <= 0 || m.Confidence > confConceptMax) ||
					!m.Concept && (m.Confidence < lo || m.Confidence > hi) {
					t.Fatalf("%s: concept %v, confidence %v", m.ID, m.Concept, m.Confidence)
				}
				if len(m.Spans) == 0 || len(m.Spans) > MaxSpans {
					t.Fatalf("%d spans", len(m.Spans))
				}
				for _, s := range m.Spans {
					if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
						t.Fatalf("span %+v out of bounds (%d)", s, len(text))
					}
					if !boundary[s.Start] || !boundary[s.End] {
						t.Fatalf("span %+v not on rune boundaries in %q", s, text)
					}
					if text[s.Start:s.End] != s.Text || !utf8.ValidString(s.Text) {
						t.Fatalf("span %+v text mismatch", s)
					}
					all = append(all, span{s.Start, s.End})
				}
			}
			// Scan's hits are ordered and disjoint; Extract's spans are a
			// subset of them.
			prev := 0
			raw := map[span]bool{}
			e.Scan(text, func(_ *Skill, start, end int) {
				if start < prev || end <= start || end > len(text) {
					t.Fatalf("scan hit %d-%d after %d", start, end, prev)
				}
				prev = end
				raw[span{start, end}] = true
			})
			for _, s := range all {
				if !raw[s] {
					t.Fatalf("span %+v not a scan hit", s)
				}
			}
		}
	})
}
