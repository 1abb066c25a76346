package skills

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// found is a compact view of Extract's result: "id@text" per span.
func found(e *Extractor, text string) []string {
	var out []string
	for _, m := range e.Extract(text) {
		for _, s := range m.Spans {
			out = append(out, m.ID+"@"+s.Text)
		}
	}
	return out
}

func ids(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestExtractRules(t *testing.T) {
	e := testExtractor(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		// Case rules.
		{"alias any case", "golang, GOLANG and GoLang", []string{"go@golang", "go@GOLANG", "go@GoLang"}},
		{"ambiguous lower case", "let's go and GO now", nil},
		{"Rust exact", "Rust, Go, and TypeScript", []string{"rust@Rust", "go@Go", "typescript@TypeScript"}},
		{"rust lower", "rust, go, and TypeScript", []string{"typescript@TypeScript"}},
		{"R exact", "Statistics in R and Python", []string{"r@R", "python@Python"}},
		{"r lower", "statistics in r and Python", []string{"python@Python"}},

		// Boundaries.
		{"inside word", "Django, Gopher? Cargo-cult. Kafkaesque. Pythonic", nil},
		{"C++ version", "C++17 and C++", []string{"cpp@C++", "cpp@C++"}},
		{"versions", "Python3, Vue3, ES6, Python3.12 and Java 17", []string{"python@Python", "python@Python", "vue@Vue", "es6@ES6", "java@Java"}},
		{"no version on letters", "Python3k Vue3x", nil},
		{"C#, F#, .NET", "C#, F# and .NET 8 on ASP.NET", []string{"csharp@C#", "fsharp@F#", "dotnet@.NET", "dotnet@.NET"}},
		{"node.jsx", "a node.jsx file, Node.js itself", []string{"nodejs@Node.js"}},
		{"Go-to-market", "Go-to-market team", nil},
		{"hyphen allowed", "Rust-based services written in Rust", []string{"rust@Rust", "rust@Rust"}},
		{"C-suite and Objective-C", "C-suite access, Objective-C, C/C++ firmware", []string{"c@C", "cpp@C++"}},
		{"R2 not R", "R2 storage with Python", []string{"python@Python"}},
		{"unicode letter before", "éPython Pythonä", nil},
		{"unicode punctuation", "—Python—and “Kafka”", []string{"python@Python", "kafka@Kafka"}},
		{"identifier", "my_python_lib and python_requires", nil},

		// Leftmost-longest.
		{"React Native", "React Native and React", []string{"react-native@React Native", "react@React"}},
		{"Spring Boot", "Spring Boot microservices", []string{"spring-boot@Spring Boot"}},
		{"GCP", "Google Cloud Platform or Google Cloud", []string{"gcp@Google Cloud Platform", "google-cloud@Google Cloud"}},
		{"longer fails boundary", "React Nativeness", []string{"react@React"}},
		{"multi-space alias", "apache kafka", []string{"kafka@apache kafka"}},

		// URLs, e-mail addresses, paths.
		{"url", "see https://golang.org/doc and http://kafka.example/x", nil},
		{"www", "www.python.org", nil},
		{"email", "write to python@kafka.com", nil},
		{"host", "golang.org/x/tools and kubernetes.io", nil},
		{"path", "/opt/python/bin and ~/src/kafka/x", nil},
		{"whole token host-like", "Vue.js. Node.js!", []string{"vue@Vue.js", "nodejs@Node.js"}},
		{"after url", "https://x.io/go Python", []string{"python@Python"}},

		// Ambiguous spellings with and without context.
		{"Go in backend", "We write our backend in Go and Python", []string{"go@Go", "python@Python"}},
		{"Go developer", "Hiring a Go developer.", []string{"go@Go"}},
		{"Go in production, list item", "Requirements:\n- Go in production\n- On-call experience", []string{"go@Go"}},
		{"Go at scale", "Go at scale, since 2019.", []string{"go@Go"}},
		{"Go cue", "Go is our language; goroutines everywhere.", []string{"go@Go"}},
		{"Go to market", "Go to market strategy with Python", []string{"python@Python"}},
		{"let's Go", "Ready to Go? Let's Go!", nil},
		{"Go ahead", "Go ahead and apply.", nil},
		{"on the Go", "Python on the Go", []string{"python@Python"}},
		{"Go live", "We Go live in May", nil},
		{"Go alone", "We Go far.", nil},
		{"Spring Boot", "Spring Boot microservices", []string{"spring-boot@Spring Boot"}},
		{"Spring with Java", "Java with Spring and Hibernate", []string{"java@Java", "spring@Spring"}},
		{"Spring 2026", "Spring 2026 internship", nil},
		{"Spring semester with Java", "Java course, Spring semester", []string{"java@Java"}},
		{"Swift growth", "Swift growth ahead. We build iOS apps.", nil},
		{"Swift iOS", "iOS apps in Swift", []string{"swift@Swift"}},
		{"Rust belt", "Rust belt city", nil},
		{"Rust tokio", "Rust with tokio", []string{"rust@Rust"}},
		{"Express interest", "Express interest via e-mail. We use Node.js", []string{"nodejs@Node.js"}},
		{"Express with Node", "Node.js and Express", []string{"nodejs@Node.js", "express@Express"}},
		{"Rails with Ruby", "Ruby and Rails", []string{"ruby@Ruby", "rails@Rails"}},
		{"guard Rails", "guard Rails for AI", nil},
		{"Chef cook", "Executive Chef wanted", nil},
		{"Chef infra", "Chef and Puppet for configuration management", []string{"chef@Chef", "puppet@Puppet"}},
		{"Salt Lake", "Salt Lake City", nil},
		{"R&D", "R&D team in Python", []string{"python@Python"}},
		{"R stats", "Statistical modelling in R", []string{"r@R"}},
		{"C embedded", "embedded firmware in C", []string{"c@C"}},
		{"C series", "Series C startup using Python", []string{"python@Python"}},
		{"stack line", "Stack: Go, Rust", []string{"go@Go", "rust@Rust"}},
		{"list bullets", "- Go\n- PostgreSQL\n", []string{"go@Go", "postgresql@PostgreSQL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, found(e, tt.text)); diff != "" {
				t.Errorf("Extract(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestExtractSections(t *testing.T) {
	e := testExtractor(t)
	tests := []struct {
		name, text string
		want       map[string]string // id → requirement
	}{
		{"default required", "We use Python and Kafka.", map[string]string{"python": Required, "kafka": Required}},
		{"sections", "Requirements:\n- Python\n- PostgreSQL\n\nNice to have:\n- Kafka\n- Docker\n",
			map[string]string{"python": Required, "postgresql": Required, "kafka": NiceToHave, "docker": NiceToHave}},
		{"section ends at heading", "Nice to have\n- Kafka\nAbout us\nWe run Docker.",
			map[string]string{"kafka": NiceToHave, "docker": Required}},
		{"section ends at blank line", "Bonus points:\nKafka and Docker.\n\nOur office runs Python.",
			map[string]string{"kafka": NiceToHave, "docker": NiceToHave, "python": Required}},
		{"list across blank lines", "Nice to have:\n\n- Kafka\n\n- Docker\n\nWe love Python.",
			map[string]string{"kafka": NiceToHave, "docker": NiceToHave, "python": Required}},
		{"inline is a plus", "You know Python. Experience with Kafka is a plus. Docker daily.",
			map[string]string{"python": Required, "kafka": NiceToHave, "docker": Required}},
		{"inline bonus", "Bonus if you know Terraform.", map[string]string{"terraform": NiceToHave}},
		{"line cue", "Tech stack: Python, Docker\nNice to have: Kafka, Terraform",
			map[string]string{"python": Required, "docker": Required, "kafka": NiceToHave, "terraform": NiceToHave}},
		{"preferred heading", "Preferred qualifications:\n- Kafka\n", map[string]string{"kafka": NiceToHave}},
		{"both is required", "Must have: Python\nNice to have: Python, Kafka",
			map[string]string{"python": Required, "kafka": NiceToHave}},
		{"markdown heading", "## Ideally\n* Kafka\n\n## Our stack\n* Docker\n",
			map[string]string{"kafka": NiceToHave, "docker": Required}},
		{"Go required Rust a plus", "Go required, Rust a plus.", map[string]string{"go": Required, "rust": NiceToHave}},
		{"separate sentences", "Go required. Rust is a plus.", map[string]string{"go": Required, "rust": NiceToHave}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, m := range e.Extract(tt.text) {
				got[m.ID] = m.Requirement
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Extract(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestExtractConfidence(t *testing.T) {
	e := testExtractor(t)
	conf := func(text, id string) float64 {
		t.Helper()
		for _, m := range e.Extract(text) {
			if m.ID == id {
				return m.Confidence
			}
		}
		t.Fatalf("%s not found in %q", id, text)
		return 0
	}
	kube, k8s := conf("Kubernetes", "kubernetes"), conf("k8s", "kubernetes")
	golang := conf("golang", "go")
	goStrong := conf("Go developer, goroutines, in a list: Go, Python", "go")
	goList := conf("Rust, Go, and TypeScript", "go")
	goRelatedOnly := conf("Spring and Java", "spring")
	for _, c := range []struct {
		name string
		hi   float64
		lo   float64
	}{
		{"long alias > short alias", kube, k8s},
		{"unambiguous > ambiguous", golang, goStrong},
		{"more evidence > less", goStrong, goList},
	} {
		if !(c.hi > c.lo) {
			t.Errorf("%s: %v !> %v", c.name, c.hi, c.lo)
		}
	}
	for name, c := range map[string]float64{"k8s": k8s, "Kubernetes": kube, "golang": golang} {
		if c < 0.95 || c > 1 {
			t.Errorf("%s: unambiguous confidence %v outside 0.95..1", name, c)
		}
	}
	for name, c := range map[string]float64{"strong": goStrong, "list": goList, "related": goRelatedOnly} {
		if c < 0.6 || c > 0.9 {
			t.Errorf("%s: ambiguous confidence %v outside 0.6..0.9", name, c)
		}
	}
}

func TestExtractMatchFields(t *testing.T) {
	e := testExtractor(t)
	text := "Kafka. We use PostgreSQL, postgres and Kafka."
	got := e.Extract(text)
	want := []Match{
		{ID: "kafka", Name: "Kafka", Category: CatMessaging, Requirement: Required, Confidence: unambiguousConf(5),
			Spans: []Span{{0, 5, "Kafka"}, {39, 44, "Kafka"}}},
		{ID: "postgresql", Name: "PostgreSQL", Category: CatRelationalDB, Requirement: Required, Confidence: 1,
			Spans: []Span{{14, 24, "PostgreSQL"}, {26, 34, "postgres"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"id":"kafka","name":"Kafka","category":"messaging","requirement":"required","confidence":0.97,"spans":[{"start":0,"end":5,"text":"Kafka"},{"start":39,"end":44,"text":"Kafka"}]}`
	if string(b) != wantJSON {
		t.Errorf("JSON\n got %s\nwant %s", b, wantJSON)
	}
	if e.Extract("") != nil || e.Extract("nothing here") != nil {
		t.Error("no skills should give nil")
	}
}

func TestExtractSpansCapped(t *testing.T) {
	e := testExtractor(t)
	ms := e.Extract(strings.Repeat("Python ", 50))
	if len(ms) != 1 || len(ms[0].Spans) != MaxSpans {
		t.Fatalf("got %d matches, spans %d; want 1, %d", len(ms), len(ms[0].Spans), MaxSpans)
	}
}

func TestExtractOrder(t *testing.T) {
	e := testExtractor(t)
	got := ids(e.Extract("Docker then Kafka then Docker then Python and Go"))
	want := []string{"docker", "kafka", "python", "go"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExtractInvalidUTF8(t *testing.T) {
	e := testExtractor(t)
	text := "\xffPython\xfe and \xc3Kafka\x80 Go\xe2\x82"
	for _, m := range e.Extract(text) {
		for _, s := range m.Spans {
			if text[s.Start:s.End] != s.Text {
				t.Errorf("span %+v does not match input", s)
			}
		}
	}
	if got := found(e, text); !cmp.Equal(got, []string{"python@Python", "kafka@Kafka"}) {
		t.Errorf("got %v", got)
	}
}

func TestExtractConcurrent(t *testing.T) {
	e := testExtractor(t)
	text := "Requirements: Go, PostgreSQL, Kubernetes. Nice to have: Rust."
	want := e.Extract(text)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if got := e.Extract(text); !cmp.Equal(want, got) {
					t.Error("concurrent Extract differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestScanRaw(t *testing.T) {
	e := testExtractor(t)
	var got []string
	e.Scan("Go ahead, golang and https://python.org and Kafka", func(s *Skill, start, end int) {
		got = append(got, fmt.Sprintf("%s %d-%d", s.ID, start, end))
	})
	// Scan reports the ambiguous "Go" (context rules are Extract's).
	want := []string{"go 0-2", "go 10-16", "kafka 44-49"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestScanLinear: Scan allocates nothing, and doubling the input doubles
// the hits.
func TestScanLinear(t *testing.T) {
	e := testExtractor(t)
	unit := "We build services in Go and Python on Kubernetes (k8s), with PostgreSQL, Kafka and React Native. " +
		"See https://golang.org or mail jobs@python.org. Café—Docker; C++17, .NET 8. "
	count := func(text string) int {
		n := 0
		e.Scan(text, func(*Skill, int, int) { n++ })
		return n
	}
	one := count(unit)
	if one == 0 {
		t.Fatal("no hits")
	}
	big := strings.Repeat(unit, 1<<12)
	n := count(big)
	if n2 := count(big + big); n2 != 2*n || n != one<<12 {
		t.Errorf("hits: unit %d, big %d, double %d", one, n, n2)
	}
	fn := func(*Skill, int, int) {}
	if allocs := testing.AllocsPerRun(5, func() { e.Scan(big, fn) }); allocs != 0 {
		t.Errorf("Scan allocates %v times per run", allocs)
	}
}

func TestDefaultExtractor(t *testing.T) {
	e := DefaultExtractor()
	if e != DefaultExtractor() || e.Taxonomy() != Default() {
		t.Fatal("DefaultExtractor is not built once over Default()")
	}
	text := "Backend engineer: Golang services on Kubernetes (k8s) and AWS, Postgres, RESTful and GraphQL APIs. We write Go daily."
	got := map[string]bool{}
	for _, m := range e.Extract(text) {
		got[m.ID] = true
	}
	for _, id := range []string{"go", "kubernetes", "aws", "postgresql", "rest", "graphql"} {
		if !got[id] {
			t.Errorf("%s not found in %q (got %v)", id, text, got)
		}
	}
	if ms := e.Extract("Go-to-market lead. Let's go!"); len(ms) != 0 {
		t.Errorf("ordinary English gave %v", ids(ms))
	}
}

// TestHNAmbiguousReport prints, for the posts outside the held-out set,
// every ambiguous spelling with the verdict and the evidence behind it.
// Run with SKILLS_REPORT=1 -v.
func TestHNAmbiguousReport(t *testing.T) {
	if os.Getenv("SKILLS_REPORT") == "" {
		t.Skip("set SKILLS_REPORT=1")
	}
	e := DefaultExtractor()
	a := e.a
	kept, dropped := map[string]int{}, map[string]int{}
	for _, p := range loadHN(t, false) {
		var hits []hit
		a.scan(p.Text, func(pat int32, start, end int) {
			pp := &a.patterns[pat]
			hits = append(hits, hit{start: start, end: end, skill: pp.skill, exact: pp.exact})
		})
		e.judge(p.Text, foldASCII(p.Text), hits)
		for _, h := range hits {
			if !h.exact {
				continue
			}
			sp := p.Text[h.start:h.end]
			verdict := "DROP"
			if h.conf > 0 {
				verdict = "KEEP"
				kept[sp]++
			} else {
				dropped[sp]++
			}
			ctx := strings.ReplaceAll(p.Text[max(0, h.start-40):min(len(p.Text), h.end+40)], "\n", "⏎")
			t.Logf("%s %.2f %-10s %-22s %s", verdict, h.conf, sp, h.why, ctx)
		}
	}
	t.Logf("kept %v", kept)
	t.Logf("dropped %v", dropped)
}

// testTaxonomyYAML is a small taxonomy with the hard cases: ambiguous
// spellings, symbol spellings, nested spellings (leftmost-longest).
const testTaxonomyYAML = `
version: "test"
skills:
  - {id: go, name: Go, category: language, aliases: [golang], ambiguous: [Go]}
  - {id: rust, name: Rust, category: language, ambiguous: [Rust]}
  - {id: swift, name: Swift, category: language, ambiguous: [Swift]}
  - {id: r, name: R, category: language, ambiguous: [R]}
  - {id: c, name: C, category: language, ambiguous: [C]}
  - {id: cpp, name: C++, category: language, aliases: [cpp]}
  - {id: csharp, name: C#, category: language}
  - {id: fsharp, name: F#, category: language}
  - {id: dotnet, name: .NET, category: framework, aliases: [dotnet]}
  - {id: python, name: Python, category: language}
  - {id: java, name: Java, category: language}
  - {id: kotlin, name: Kotlin, category: language}
  - {id: javascript, name: JavaScript, category: language, aliases: [js]}
  - {id: typescript, name: TypeScript, category: language, aliases: [ts]}
  - {id: ruby, name: Ruby, category: language}
  - {id: nodejs, name: Node.js, category: framework, aliases: [nodejs], ambiguous: [Node]}
  - {id: express, name: Express, category: framework, aliases: [express.js, expressjs], ambiguous: [Express], parents: [nodejs]}
  - {id: spring, name: Spring, category: framework, ambiguous: [Spring], parents: [java]}
  - {id: spring-boot, name: Spring Boot, category: framework, parents: [spring]}
  - {id: rails, name: Ruby on Rails, category: framework, aliases: [ror], ambiguous: [Rails], parents: [ruby]}
  - {id: react, name: React, category: frontend, aliases: [react.js, reactjs]}
  - {id: react-native, name: React Native, category: mobile}
  - {id: vue, name: Vue, category: frontend, aliases: [vue.js, vuejs]}
  - {id: gcp, name: Google Cloud Platform, category: cloud_platform, aliases: [GCP]}
  - {id: google-cloud, name: Google Cloud, category: cloud_platform}
  - {id: aws, name: AWS, category: cloud_platform, aliases: [amazon web services]}
  - {id: postgresql, name: PostgreSQL, category: relational_database, aliases: [postgres]}
  - {id: kubernetes, name: Kubernetes, category: orchestration, aliases: [k8s]}
  - {id: docker, name: Docker, category: container}
  - {id: kafka, name: Kafka, category: messaging, aliases: [apache kafka]}
  - {id: terraform, name: Terraform, category: iac}
  - {id: chef, name: Chef, category: iac, ambiguous: [Chef]}
  - {id: puppet, name: Puppet, category: iac, ambiguous: [Puppet]}
  - {id: salt, name: SaltStack, category: iac, ambiguous: [Salt]}
  - {id: es6, name: ES6, category: language, parents: [javascript]}
  - {id: grpc, name: gRPC, category: api_style}
  - {id: rest, name: REST, category: api_style, aliases: [restful]}
`

var (
	testTaxOnce sync.Once
	testTax     *Taxonomy
	testExt     *Extractor
)

// testExtractor is the extractor over testTaxonomyYAML.
func testExtractor(tb testing.TB) *Extractor {
	tb.Helper()
	testTaxOnce.Do(func() {
		t, err := Parse([]byte(testTaxonomyYAML))
		if err != nil {
			panic(err)
		}
		testTax, testExt = t, NewExtractor(t)
	})
	return testExt
}
