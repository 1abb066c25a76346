package skills

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// conceptTaxonomyYAML has concepts next to named technologies.
const conceptTaxonomyYAML = `
version: "concepts"
skills:
  - {id: python, name: Python, category: language}
  - {id: go, name: Go, category: language, aliases: [golang], ambiguous: [Go]}
  - {id: data-science, name: Data science, category: ai_ml, concept: true}
  - {id: etl, name: ETL, category: data_platform, concept: true}
  - {id: eda, name: Event-driven architecture, category: practice, aliases: [event-driven], ambiguous: [EDA], concept: true}
  - {id: kafka, name: Kafka, category: messaging}
`

func TestExtractConcepts(t *testing.T) {
	tax, err := Parse([]byte(conceptTaxonomyYAML))
	if err != nil {
		t.Fatal(err)
	}
	e := NewExtractor(tax)
	text := "Our data science team builds ETL pipelines in Python and Go, with Kafka and EDA (event-driven)."
	ms := e.Extract(text)
	got := map[string]Match{}
	for _, m := range ms {
		got[m.ID] = m
	}
	for _, id := range []string{"data-science", "etl", "eda"} {
		m, ok := got[id]
		if !ok {
			t.Fatalf("concept %s not reported (got %v)", id, ids(ms))
		}
		if !m.Concept || m.Confidence <= 0 || m.Confidence > 0.45 || m.Confidence >= MinConfidence {
			t.Errorf("%s: concept %v confidence %v, want concept with 0 < confidence <= 0.45", id, m.Concept, m.Confidence)
		}
	}
	for _, id := range []string{"python", "go", "kafka"} {
		if m := got[id]; m.Concept || m.Confidence < MinConfidence {
			t.Errorf("%s: concept %v confidence %v", id, m.Concept, m.Confidence)
		}
	}
	if diff := cmp.Diff([]string{"python", "go", "kafka"}, ids(Attachable(ms))); diff != "" {
		t.Errorf("Attachable (-want +got):\n%s", diff)
	}
	if len(ms) != 6 {
		t.Errorf("Attachable changed its input: %v", ids(ms))
	}
	if Attachable(nil) != nil {
		t.Error("Attachable(nil) != nil")
	}
	b, err := json.Marshal(got["etl"])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"concept":true`) {
		t.Errorf("JSON %s lacks concept", b)
	}
	if b, _ := json.Marshal(got["python"]); strings.Contains(string(b), "concept") {
		t.Errorf("JSON %s has concept", b)
	}
}

func TestAttachable(t *testing.T) {
	ms := []Match{{ID: "a", Confidence: 1}, {ID: "b", Confidence: 0.59}, {ID: "c", Confidence: MinConfidence}, {ID: "d", Confidence: 0.45, Concept: true}}
	if diff := cmp.Diff([]string{"a", "c"}, ids(Attachable(ms))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// mentionTaxonomyYAML adds companies and tools to the test taxonomy.
const mentionTaxonomyYAML = testTaxonomyYAML + `
  - {id: github, name: GitHub, category: tool}
  - {id: gitlab, name: GitLab, category: tool}
  - {id: cloudflare, name: Cloudflare, category: cloud_platform}
  - {id: vercel, name: Vercel, category: cloud_platform}
  - {id: databricks, name: Databricks, category: data_platform}
  - {id: stripe, name: Stripe, category: tool}
  - {id: figma, name: Figma, category: tool}
  - {id: cursor, name: Cursor, category: tool}
  - {id: jira, name: Jira, category: tool}
  - {id: scrum, name: Scrum, category: practice}
  - {id: android, name: Android, category: mobile}
  - {id: ios, name: iOS, category: mobile}
  - {id: dart, name: Dart, category: language}
  - {id: redis, name: Redis, category: cache}
`

func mentionExtractor(t *testing.T) *Extractor {
	t.Helper()
	tax, err := Parse([]byte(mentionTaxonomyYAML))
	if err != nil {
		t.Fatal(err)
	}
	return NewExtractor(tax)
}

func TestExtractMentions(t *testing.T) {
	e := mentionExtractor(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		// Negation.
		{"no X", "Culture: No Jira. No PMs. Just code and shipping.", nil},
		{"no X list", "No Kafka, Kubernetes or Docker: a Python monolith.", []string{"python@Python"}},
		{"no X in a row", "No mockups, no Figma, no roadmap. You write TypeScript.", []string{"typescript@TypeScript"}},
		{"not an X role", "This is not a Java role; we write Kotlin.", []string{"kotlin@Kotlin"}},
		{"not X", "We are a Python shop, not Java.", []string{"python@Python"}},
		{"zero lines of X", "Zero lines of React, almost zero dependencies. Plain TypeScript.", []string{"typescript@TypeScript"}},
		{"without X", "Infrastructure for AI without Docker containers, on Kubernetes.", []string{"kubernetes@Kubernetes"}},
		{"without a X", "You can build beautiful UIs without a Figma file.", nil},
		{"X is not required", "Previous Dart experience is not required. We use Python.", []string{"python@Python"}},
		{"X list not required", "Kafka and Docker are not required.", nil},
		{"etc not needed", "Expertise in Kafka, Docker, etc is not needed for this role.", nil},
		{"no X experience needed", "No Rust experience needed, we will teach you.", nil},
		{"don't need X", "You don't need Swift experience specifically.", nil},
		{"we don't use X", "We don't use Kubernetes; everything runs on Docker.", []string{"docker@Docker"}},
		{"don't know X", "It's ok if you don't know Java, but our controllers are written in Java.", []string{"java@Java"}},
		{"instead of X", "We chose Python instead of C++ for safety.", []string{"python@Python"}},
		{"unlike X", "Unlike React, Vue keeps templates in HTML.", []string{"vue@Vue"}},
		{"differs from X", "Our approach differs from Kafka in that logs are local.", nil},
		{"rather than X", "We write Python rather than Java.", []string{"python@Python"}},
		{"faster than X", "10x faster than PostgreSQL, written in Rust.", []string{"rust@Rust"}},
		{"two items, comma only, no list", "We don't use Java, Kotlin is our language.", []string{"kotlin@Kotlin"}},

		// Investors, customers, former employers, analogies.
		{"backed by", "The Redis fork backed by AWS, Google, and Oracle.", []string{"redis@Redis"}},
		{"backed by storage stays", "A Django API backed by PostgreSQL.", []string{"postgresql@PostgreSQL"}},
		{"investors include", "Our investors include Stripe and Cloudflare.", nil},
		{"funded by", "Funded by Databricks Ventures.", nil},
		{"customers include", "Customers include CoreWeave, Groq, Cloudflare and PayPal.", nil},
		{"customers with names", "Used by engineers at companies like Linear, Vercel, Notion and Stripe.", nil},
		{"trusted by", "Trusted by teams at Cloudflare, Vercel and Mozilla.", nil},
		{"used by", "Our SDK is used by Stripe.", nil},
		{"alumni of", "Founders are alumni of Databricks and Stripe.", nil},
		{"ex-X", "Founded by ex-Stripe and ex-Databricks engineers. We write Python.", []string{"python@Python"}},
		{"former", "Former leaders from Cloudflare and Segment.", nil},
		{"X alumni", "A team of Stripe alumni building in TypeScript.", []string{"typescript@TypeScript"}},
		{"like X for Y", "Like Cursor for sales teams.", nil},
		{"think X for Y", "Think Databricks for content.", nil},
		{"think quoted", `A game hosting platform - think "Vercel for game servers."`, nil},
		{"the X for Y", "Sim has been called the Figma for AI agents.", nil},
		{"the X of Y", "We are building the Stripe of healthcare.", nil},

		// Application instructions.
		{"send your GitHub", "Send us your GitHub and a short note.", nil},
		{"link to your", "Include a link to your GitHub/GitLab.", nil},
		{"with your GitHub", "Apply: email jobs@example.com with your GitHub, a note and a CV.", nil},
		{"GitHub link", "Write with 2-3 favorite projects, GitHub/GitLab link, and LinkedIn profile.", nil},
		{"resume, GitHub", "Include LinkedIn, resume, GitHub and highlights.", nil},
		{"GitHub/LinkedIn", "Email us with GitHub/LinkedIn/portfolio and a short note.", nil},
		{"apply via", "Apply via Stripe's job board.", nil},

		// Ordinary asks stay.
		{"experience with", "Experience with Kafka and Docker.", []string{"kafka@Kafka", "docker@Docker"}},
		{"we use", "We use Python, Go and Kubernetes.", []string{"python@Python", "go@Go", "kubernetes@Kubernetes"}},
		{"list", "Python, Kafka and Docker", []string{"python@Python", "kafka@Kafka", "docker@Docker"}},
		{"tools like X for Y", "Experience with tools like Kafka for streaming.", []string{"kafka@Kafka"}},
		{"not only", "Not only Python but also Kafka.", []string{"python@Python", "kafka@Kafka"}},
		{"GitHub Actions", "CI/CD on GitHub and GitLab pipelines.", []string{"github@GitHub", "gitlab@GitLab"}},
		{"stack then apply", "Stack: Python, React, Kubernetes\n\nApply here: https://example.com", []string{"python@Python", "react@React", "kubernetes@Kubernetes"}},
		{"flattened form", "Technologies: Python, React, LLMs Résumé/CV: https://x.io", []string{"python@Python", "react@React"}},
		{"no-code", "Bonus: SaaS, no-code tools, Stripe", []string{"stripe@Stripe"}},
		{"used by our team", "Tools used by our team: Python and Docker.", []string{"python@Python", "docker@Docker"}},
		{"a Python for", "Python for data pipelines.", []string{"python@Python"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, found(e, tt.text)); diff != "" {
				t.Errorf("Extract(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestExtractMentionsRequirement: the mention rules leave the requirement
// of the asks around them alone.
func TestExtractMentionsRequirement(t *testing.T) {
	e := mentionExtractor(t)
	tests := []struct {
		text string
		want map[string]string
	}{
		{"Kafka is a plus.", map[string]string{"kafka": NiceToHave}},
		{"Experience with Kafka is a plus, not required.", map[string]string{"kafka": NiceToHave}},
		{"We use Python, not Java. Docker is a plus.", map[string]string{"python": Required, "docker": NiceToHave}},
		{"Backed by Stripe. Requirements:\n- Go\n- Redis\n\nNice to have:\n- Kafka\n",
			map[string]string{"go": Required, "redis": Required, "kafka": NiceToHave}},
	}
	for _, tt := range tests {
		got := map[string]string{}
		for _, m := range e.Extract(tt.text) {
			got[m.ID] = m.Requirement
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Extract(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

// TestMentionRulesWellFormed: phrases are lower-case, trimmed and not
// empty; every rule has a Before or an After.
func TestMentionRulesWellFormed(t *testing.T) {
	for _, r := range mentionRules {
		if len(r.Before) == 0 && len(r.After) == 0 {
			t.Errorf("%s: no phrases", r.Name)
		}
		for _, p := range append(append([]string{}, r.Before...), r.After...) {
			if p == "" || p != strings.ToLower(p) || p != strings.TrimSpace(p) || p == "^" {
				t.Errorf("%s: bad phrase %q", r.Name, p)
			}
		}
	}
}

// TestHNMentionReport prints, for the posts outside the held-out set,
// every hit a mention rule drops, by rule. Run with SKILLS_REPORT=1 -v.
func TestHNMentionReport(t *testing.T) {
	if os.Getenv("SKILLS_REPORT") == "" {
		t.Skip("set SKILLS_REPORT=1")
	}
	e := DefaultExtractor()
	a := e.a
	byRule := map[string][]string{}
	var gone []string // post:skill no longer reported at all
	total := 0
	for _, p := range loadHN(t, false) {
		var hits []hit
		a.scan(p.Text, func(pat int32, start, end int) {
			pp := &a.patterns[pat]
			hits = append(hits, hit{start: start, end: end, skill: pp.skill, exact: pp.exact})
		})
		if len(hits) == 0 {
			continue
		}
		lower := foldASCII(p.Text)
		e.judge(p.Text, lower, hits)
		total += len(hits)
		had := map[int32]bool{}
		for _, h := range hits {
			if h.conf > 0 {
				had[h.skill] = true
			}
		}
		e.dropMentions(p.Text, lower, hits)
		for _, h := range hits {
			if h.conf > 0 {
				delete(had, h.skill)
			}
		}
		for k := range had {
			gone = append(gone, fmt.Sprintf("%d:%s", p.ID, a.skills[k].ID))
		}
		for _, h := range hits {
			if h.mention == 0 {
				continue
			}
			r := mentionRules[h.mention-1].Name
			ctx := strings.ReplaceAll(p.Text[max(0, h.start-50):h.start]+"[["+p.Text[h.start:h.end]+"]]"+p.Text[h.end:min(len(p.Text), h.end+40)], "\n", "⏎")
			byRule[r] = append(byRule[r], a.skills[h.skill].ID+"\t"+ctx)
		}
	}
	n := 0
	for _, r := range mentionRules {
		for _, l := range byRule[r.Name] {
			t.Logf("%-28s %d:%s", r.Name, n, l)
			n++
		}
	}
	for _, r := range mentionRules {
		t.Logf("%-28s %d", r.Name, len(byRule[r.Name]))
	}
	t.Logf("dropped %d of %d hits; skills no longer reported: %d %v", n, total, len(gone), gone)
}
