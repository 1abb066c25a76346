package skills

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/hnposts"
)

// The shipped taxonomy: data/taxonomy.yaml, embedded and parsed by Default.

func TestTaxonomyDefaultParses(t *testing.T) {
	tax, err := Parse(taxonomyYAML)
	if err != nil {
		t.Fatalf("data/taxonomy.yaml: %v", err)
	}
	if d := Default(); d == nil || d.Len() != tax.Len() {
		t.Fatalf("Default() disagrees with Parse of the embedded file")
	}
	// Versions are YYYY.MM.N (see data/README.md).
	if !regexp.MustCompile(`^20\d\d\.(0?[1-9]|1[0-2])\.\d+$`).MatchString(tax.Version) {
		t.Errorf("version %q is not YYYY.MM.N", tax.Version)
	}
}

func TestTaxonomySize(t *testing.T) {
	if n := Default().Len(); n < 650 {
		t.Errorf("taxonomy has %d skills, want at least 650", n)
	}
}

// categoryFloor is the least number of skills every category must hold.
// All categories share it; none is small enough to need a lower one.
const categoryFloor = 5

func TestTaxonomyCategoryFloors(t *testing.T) {
	tax := Default()
	for _, c := range Categories {
		if n := len(tax.ByCategory(c)); n < categoryFloor {
			t.Errorf("category %s has %d skills, want at least %d", c, n, categoryFloor)
		}
		if CategoryNames[c] == "" {
			t.Errorf("category %s has no display name", c)
		}
	}
}

// requiredSkills are ids the product and its docs rely on, by category.
var requiredSkills = map[string][]string{
	CatLanguage: {"go", "rust", "python", "java", "kotlin", "scala", "c", "cpp", "csharp", "typescript",
		"javascript", "ruby", "php", "elixir", "erlang", "haskell", "ocaml", "clojure", "swift", "objective-c",
		"dart", "r", "julia", "zig", "lua", "perl", "bash", "sql", "html", "css", "solidity", "nim", "fsharp",
		"gleam", "webassembly"},
	CatFramework: {"django", "flask", "fastapi", "spring", "spring-boot", "rails", "laravel", "express",
		"nestjs", "nextjs", "gin", "echo", "fiber", "actix", "axum", "tokio", "phoenix", "aspnet-core", "dotnet",
		"quarkus", "micronaut", "ktor", "nodejs", "hibernate", "sqlalchemy", "prisma"},
	CatRelationalDB: {"postgresql", "mysql", "mariadb", "sqlite", "sql-server", "oracle-database", "cockroachdb",
		"tidb", "yugabytedb", "aws-aurora", "gcp-spanner"},
	CatNoSQLDB: {"mongodb", "cassandra", "scylladb", "aws-dynamodb", "couchbase", "neo4j", "gcp-firestore",
		"azure-cosmos-db", "pgvector", "pinecone", "weaviate", "qdrant", "milvus", "chroma"},
	CatCache:  {"redis", "memcached", "valkey", "dragonfly"},
	CatSearch: {"elasticsearch", "opensearch", "solr", "meilisearch", "typesense", "algolia", "vespa"},
	CatData: {"apache-spark", "apache-flink", "kafka-streams", "airflow", "dbt", "snowflake", "gcp-bigquery",
		"databricks", "clickhouse", "apache-druid", "trino", "presto", "hadoop", "apache-iceberg", "delta-lake",
		"duckdb", "aws-redshift"},
	CatCloudPlatform: {"aws", "azure", "gcp", "oracle-cloud", "ibm-cloud", "alibaba-cloud", "digitalocean",
		"cloudflare", "vercel", "netlify", "heroku", "fly-io", "render", "linode", "hetzner", "ovhcloud",
		"supabase", "firebase"},
	CatCloudService: {"aws-ec2", "aws-s3", "aws-lambda", "aws-ecs", "aws-eks", "aws-fargate", "aws-rds",
		"aws-sqs", "aws-sns", "aws-kinesis", "aws-eventbridge", "aws-step-functions", "aws-api-gateway",
		"aws-cloudfront", "aws-iam", "aws-route53", "aws-elasticache", "aws-sagemaker", "aws-bedrock",
		"aws-glue", "aws-athena", "gcp-gke", "gcp-cloud-run", "gcp-cloud-functions", "gcp-pubsub",
		"gcp-cloud-sql", "gcp-vertex-ai", "gcp-dataflow", "azure-aks", "azure-functions", "azure-service-bus",
		"azure-event-hubs", "azure-blob-storage", "azure-openai", "cloudflare-workers", "cloudflare-r2",
		"cloudflare-d1"},
	CatContainer:     {"docker", "podman", "containerd", "buildah", "oci-containers", "docker-compose"},
	CatOrchestration: {"kubernetes", "helm", "nomad", "openshift", "docker-swarm", "istio", "linkerd", "knative", "kustomize"},
	CatMessaging: {"kafka", "rabbitmq", "nats", "apache-pulsar", "activemq", "zeromq", "redpanda", "mqtt",
		"celery", "temporal", "sidekiq"},
	CatAPIStyle: {"rest", "graphql", "grpc", "websocket", "soap", "json-rpc", "trpc", "openapi", "protobuf",
		"server-sent-events", "webhooks", "asyncapi", "thrift", "avro", "webrtc", "http2", "http3", "quic"},
	CatSecurity: {"oauth2", "openid-connect", "jwt", "saml", "owasp", "zero-trust", "mtls", "tls", "pki", "vault",
		"keycloak", "auth0", "okta", "sso", "rbac", "penetration-testing", "sast", "dast", "siem", "snyk"},
	CatCICD: {"github-actions", "gitlab-ci", "jenkins", "circleci", "buildkite", "travis-ci", "argo-cd", "flux-cd",
		"spinnaker", "tekton", "teamcity", "azure-devops"},
	CatIaC: {"terraform", "opentofu", "pulumi", "aws-cloudformation", "aws-cdk", "ansible", "chef", "puppet",
		"saltstack", "crossplane", "packer", "bicep", "nix"},
	CatObservability: {"prometheus", "grafana", "opentelemetry", "jaeger", "zipkin", "datadog", "new-relic",
		"honeycomb", "sentry", "splunk", "elk", "loki", "tempo", "elastic-apm", "pagerduty", "dynatrace", "kibana",
		"logstash", "fluentd", "fluent-bit", "vector", "aws-cloudwatch"},
	CatAIML: {"machine-learning", "deep-learning", "llm", "rag", "nlp", "computer-vision", "reinforcement-learning",
		"mlops", "generative-ai", "pytorch", "tensorflow", "jax", "keras", "scikit-learn", "hugging-face",
		"transformers", "langchain", "llamaindex", "openai-api", "anthropic-api", "vllm", "cuda", "triton", "onnx",
		"mlflow", "kubeflow", "ray", "xgboost", "pandas", "numpy", "jupyter", "spacy", "fine-tuning", "embeddings",
		"vector-search"},
	CatPractice: {"microservices", "event-sourcing", "cqrs", "serverless", "tdd", "bdd", "ddd", "devops", "sre",
		"ci-cd", "infrastructure-as-code", "agile", "scrum", "kanban", "pair-programming", "code-review",
		"event-driven-architecture", "distributed-tracing", "chaos-engineering", "gitops", "platform-engineering",
		"finops"},
	CatCompliance: {"gdpr", "hipaa", "pci-dss", "soc2", "iso-27001", "fedramp", "ccpa", "sox", "nist", "hitrust",
		"itar", "cmmc", "dora-regulation", "finra"},
	CatTesting:  {"pytest", "junit", "jest", "cypress", "playwright", "selenium", "k6", "postman"},
	CatFrontend: {"react", "vue", "angular", "svelte", "sveltekit", "nuxt", "remix", "htmx", "tailwind", "redux", "vite", "webpack"},
	CatMobile:   {"ios", "android", "react-native", "flutter", "swiftui", "jetpack-compose", "kotlin-multiplatform"},
	CatOS: {"linux", "unix", "windows", "macos", "freebsd", "embedded-linux", "rtos", "tcp-ip", "dns", "bgp",
		"ebpf", "dpdk", "rdma", "infiniband"},
	CatTool: {"git", "github", "gitlab", "bitbucket", "jira", "bazel", "make", "cmake", "gradle", "maven", "npm",
		"vim", "figma", "nginx", "apache-http-server", "haproxy", "envoy", "traefik", "caddy", "stripe", "twilio",
		"llvm", "grpc-gateway"},
}

func TestTaxonomyRequiredSkills(t *testing.T) {
	tax := Default()
	for _, cat := range Categories {
		if len(requiredSkills[cat]) == 0 {
			t.Errorf("category %s: no required skills listed in this test", cat)
		}
	}
	for cat, ids := range requiredSkills {
		for _, id := range ids {
			s, ok := tax.Get(id)
			switch {
			case !ok:
				t.Errorf("required skill %q (%s) is missing", id, cat)
			case s.Category != cat:
				t.Errorf("skill %q: category %s, want %s", id, s.Category, cat)
			}
		}
	}
}

func TestTaxonomyLookup(t *testing.T) {
	tax := Default()
	for _, c := range []struct{ spelling, id string }{
		{"golang", "go"}, {"Go", "go"}, {"k8s", "kubernetes"}, {"K8S", "kubernetes"},
		{"Postgres", "postgresql"}, {"postgresql", "postgresql"}, {"  psql ", "postgresql"},
		{"GCP", "gcp"}, {"Google Cloud Platform", "gcp"}, {"google cloud", "gcp"},
		{"Amazon Web Services", "aws"}, {"NodeJS", "nodejs"}, {"Node.js", "nodejs"}, {"Node", "nodejs"},
		{"JS", "javascript"}, {"TS", "typescript"}, {"ReactJS", "react"}, {"React.js", "react"},
		{"VueJS", "vue"}, {"Vue", "vue"}, {"TailwindCSS", "tailwind"}, {"Tailwind", "tailwind"},
		{"LLMs", "llm"}, {"large language models", "llm"}, {"RAG", "rag"}, {"microservice", "microservices"},
		{"C++", "cpp"}, {"C#", "csharp"}, {"F#", "fsharp"}, {".NET", "dotnet"}, {"Next.js", "nextjs"},
		{"Spring Boot", "spring-boot"}, {"Ruby on Rails", "rails"}, {"RoR", "rails"}, {"Rails", "rails"},
		{"OpenAI API", "openai-api"}, {"OpenAI", "openai-api"}, {"Hugging Face", "hugging-face"},
		{"SQS", "aws-sqs"}, {"Lambda", "aws-lambda"}, {"EKS", "aws-eks"}, {"DynamoDB", "aws-dynamodb"},
		{"BigQuery", "gcp-bigquery"}, {"Pub/Sub", "gcp-pubsub"}, {"Cosmos DB", "azure-cosmos-db"},
		{"CI/CD", "ci-cd"}, {"SRE", "sre"}, {"TDD", "tdd"}, {"JWT", "jwt"}, {"OIDC", "openid-connect"},
		{"ArgoCD", "argo-cd"}, {"OTel", "opentelemetry"}, {"sklearn", "scikit-learn"}, {"Apache Kafka", "kafka"},
		{"HTTP/2", "http2"}, {"eBPF", "ebpf"}, {"Protobuf", "protobuf"}, {"Swagger", "openapi"},
		{"SOC2", "soc2"}, {"PCI DSS", "pci-dss"}, {"React Native", "react-native"}, {"WASM", "webassembly"},
	} {
		if got := tax.Canonical(c.spelling); got != c.id {
			t.Errorf("Lookup(%q) = %q, want %q", c.spelling, got, c.id)
		}
	}
	for _, s := range []string{"AI", "backend", "cloud", "APIs", "data", "security", "web", "mobile", "nonexistent-skill"} {
		if id := tax.Canonical(s); id != "" {
			t.Errorf("Lookup(%q) = %q, want nothing (too generic or unknown)", s, id)
		}
	}
}

func TestTaxonomyGroups(t *testing.T) {
	tax := Default()
	for _, g := range []string{"cloud", "containers", "api", "databases", "ai_ml", "rest_or_graphql", "security_compliance", "devops"} {
		if len(tax.Group(g)) == 0 {
			t.Errorf("group %q is missing or empty", g)
		}
	}
	for _, c := range []struct {
		skill, group string
		want         bool
	}{
		{"aws-lambda", "cloud", true}, {"postgresql", "cloud", false}, {"aws", "cloud", true},
		{"aws-dynamodb", "cloud", true}, {"gcp-bigquery", "cloud", true}, {"aws-cloudformation", "cloud", true},
		{"kubernetes", "cloud", false}, {"kubernetes", "containers", true}, {"docker", "containers", true},
		{"grpc", "api", true}, {"postgresql", "databases", true}, {"redis", "databases", true},
		{"elasticsearch", "databases", true}, {"aws-rds", "databases", true}, {"kafka", "databases", false},
		{"pytorch", "ai_ml", true}, {"pinecone", "ai_ml", true}, {"rest", "rest_or_graphql", true},
		{"graphql", "rest_or_graphql", true}, {"grpc", "rest_or_graphql", false}, {"gdpr", "security_compliance", true},
		{"oauth2", "security_compliance", true}, {"terraform", "devops", true}, {"prometheus", "devops", true},
		{"github-actions", "devops", true}, {"helm", "devops", true}, {"react", "devops", false},
		{"no-such-skill", "cloud", false}, {"aws-lambda", "no-such-group", false},
	} {
		if got := tax.InGroup(c.skill, c.group); got != c.want {
			t.Errorf("InGroup(%q, %q) = %v, want %v", c.skill, c.group, got, c.want)
		}
	}
	// Rule (data/README.md): every skill whose parents lead to a cloud
	// platform is in the cloud group, whatever its category.
	for _, s := range tax.Skills() {
		for _, a := range tax.Ancestors(s.ID) {
			if p, _ := tax.Get(a); p.Category == CatCloudPlatform && !tax.InGroup(s.ID, "cloud") {
				t.Errorf("skill %q descends from cloud platform %q but is not in group cloud", s.ID, a)
			}
		}
	}
}

func TestTaxonomyAncestors(t *testing.T) {
	tax := Default()
	for _, c := range []struct {
		id   string
		want []string // must be included
	}{
		{"spring-boot", []string{"spring", "java"}},
		{"express", []string{"nodejs", "javascript"}},
		{"nestjs", []string{"nodejs", "javascript"}},
		{"nextjs", []string{"react", "javascript"}},
		{"typescript", []string{"javascript"}},
		{"django", []string{"python"}},
		{"rails", []string{"ruby"}},
		{"postgresql", []string{"sql"}},
		{"aws-eks", []string{"aws", "kubernetes"}},
		{"gcp-gke", []string{"gcp", "kubernetes"}},
		{"azure-aks", []string{"azure", "kubernetes"}},
		{"helm", []string{"kubernetes"}},
		{"aws-aurora", []string{"aws", "sql"}},
		{"pgvector", []string{"postgresql", "sql", "vector-database"}},
	} {
		got := tax.Ancestors(c.id)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Ancestors(%q) = %v, want it to include %q", c.id, got, w)
			}
		}
		if slices.Contains(got, c.id) {
			t.Errorf("Ancestors(%q) includes the skill itself", c.id)
		}
	}
	if got := tax.Ancestors("spring-boot"); len(got) < 2 || got[0] != "spring" {
		t.Errorf("Ancestors(spring-boot) = %v, want nearest (spring) first", got)
	}
	if got := tax.Ancestors("no-such-skill"); len(got) != 0 {
		t.Errorf("Ancestors(unknown) = %v, want none", got)
	}
	// Rules (data/README.md): relational databases lead to sql, cloud
	// services to a cloud platform.
	for _, s := range tax.Skills() {
		anc := tax.Ancestors(s.ID)
		switch s.Category {
		case CatRelationalDB:
			if !slices.Contains(anc, "sql") {
				t.Errorf("relational database %q does not lead to sql", s.ID)
			}
		case CatCloudService:
			if !slices.ContainsFunc(anc, func(a string) bool { p, _ := tax.Get(a); return p.Category == CatCloudPlatform }) {
				t.Errorf("cloud service %q does not lead to a cloud platform", s.ID)
			}
		}
	}
}

// ordinaryWords are spellings that are ordinary words (or otherwise mean
// something else) in job-post prose. A skill may use one only as an
// ambiguous spelling, never as its plain name or alias, since the extractor
// matches those in any case with no context.
var ordinaryWords = []string{
	"go", "rust", "swift", "r", "c", "d", "dart", "spring", "express", "rails", "chef", "puppet", "salt",
	"make", "elm", "julia", "crystal", "hack", "pony", "ray", "vault", "consul", "helm", "airflow", "spark",
	"storm", "beam", "druid", "presto", "celery", "pulsar", "tempo", "loki", "vector", "jest", "mocha", "chai",
	"ember", "meteor", "backbone", "polymer", "lit", "gatsby", "remix", "astro", "solid", "next", "bun", "node",
	"render", "fly", "temporal", "dagster", "prefect", "windows", "agile", "rest", "bootstrap", "shell",
	"lambda", "aurora", "snowflake", "hive", "iceberg", "arrow", "glue", "athena", "harbor", "nomad",
	"packer", "harness", "stripe", "kong", "envoy", "caddy", "yarn", "cargo", "poetry", "maven", "safe",
	"sentry", "honeycomb", "cypress", "postman", "cucumber", "espresso", "hypothesis", "transformers",
	"torch", "cursor", "copilot", "claude", "gemini", "llama", "whisper", "ts", "oci", "pci", "dora", "sap",
	"agents", "ai", "backend", "frontend", "full-stack", "cloud", "apis", "databases", "distributed systems",
	"data", "security", "automation", "web", "mobile", "api", "play", "echo", "fiber", "gin",
	"rocket", "tornado", "pyramid", "phoenix", "unity", "electron", "boost", "modal", "railway", "neon",
	"realm", "expo", "ionic", "capacitor", "fedora", "zephyr", "confluence", "atlantis", "vagrant", "bamboo",
	"dagger", "renovate", "graphite", "prettier", "retool", "fine-tuning", "cdk", "sse", "soap", "thrift",
}

func TestTaxonomySpellingHygiene(t *testing.T) {
	tax := Default()
	words := map[string]bool{}
	for _, w := range ordinaryWords {
		words[w] = true
	}
	for _, s := range tax.Skills() {
		amb := map[string]bool{}
		for _, a := range s.Ambiguous {
			amb[strings.ToLower(a)] = true
		}
		for _, sp := range append([]string{s.Name}, s.Aliases...) {
			k := strings.ToLower(sp)
			if words[k] && !amb[k] {
				t.Errorf("skill %q: %q is an ordinary word; list it under ambiguous", s.ID, sp)
			}
		}
		for _, sp := range append(append([]string{s.Name}, s.Aliases...), s.Ambiguous...) {
			if sp != strings.TrimSpace(sp) || sp == "" {
				t.Errorf("skill %q: spelling %q has surrounding space", s.ID, sp)
			}
		}
		if s.ID != strings.ToLower(s.ID) {
			t.Errorf("skill %q: id must be lower case", s.ID)
		}
		for _, r := range s.Related {
			if slices.Contains(s.Parents, r) {
				t.Errorf("skill %q: %q is both parent and related", s.ID, r)
			}
		}
	}
}

// TestTaxonomyCoversDevSet checks that every technology the development
// set's machine labels name in two or more posts resolves to a skill. Posts
// whose id ends in 3 are the held-out evaluation set and are skipped unread.
func TestTaxonomyCoversDevSet(t *testing.T) {
	posts := map[string]int{}
	err := hnposts.Each(func(line []byte) error {
		var rec struct {
			ID   int64    `json:"id"`
			Tech []string `json:"llm_technologies"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			return err
		}
		if rec.ID%10 == 3 {
			return nil // held out
		}
		seen := map[string]bool{}
		for _, x := range rec.Tech {
			if !seen[x] {
				seen[x] = true
				posts[x]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tax := Default()
	for name, n := range posts {
		if _, ok := tax.Lookup(name); !ok && n >= 2 {
			t.Errorf("dev-set label %q (%d posts) does not resolve to a skill", name, n)
		}
	}
}

func TestTaxonomyParseRejects(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      []string // substrings of the error
	}{
		{"missing version", `
skills:
  - {id: go, name: Go, category: language}
`, []string{"version"}},
		{"duplicate id", `
version: "1"
skills:
  - {id: go, name: Go, category: language}
  - {id: go, name: Golang, category: language}
`, []string{`"go"`, "duplicate"}},
		{"unknown category", `
version: "1"
skills:
  - {id: go, name: Go, category: programming_language}
`, []string{`"go"`, "programming_language"}},
		{"unknown parent", `
version: "1"
skills:
  - {id: gin, name: Gin, category: framework, parents: [golang]}
`, []string{`"gin"`, `"golang"`}},
		{"unknown related", `
version: "1"
skills:
  - {id: gin, name: Gin, category: framework, related: [echo]}
`, []string{`"gin"`, `"echo"`}},
		{"cycle", `
version: "1"
skills:
  - {id: a, name: A, category: tool, parents: [b]}
  - {id: b, name: B, category: tool, parents: [c]}
  - {id: c, name: C, category: tool, parents: [a]}
`, []string{"cycle", "a", "b", "c"}},
		{"spelling names two skills", `
version: "1"
skills:
  - {id: postgresql, name: PostgreSQL, category: relational_database, aliases: [postgres]}
  - {id: postgres-pro, name: Postgres Pro, category: relational_database, aliases: [Postgres]}
`, []string{`"Postgres"`, `"postgresql"`, `"postgres-pro"`}},
		{"name clashes with another id", `
version: "1"
skills:
  - {id: go, name: Go, category: language}
  - {id: golang, name: go, category: language}
`, []string{`"go"`, `"golang"`}},
		{"bad id", `
version: "1"
skills:
  - {id: Go Lang, name: Go, category: language}
`, []string{`"Go Lang"`, "id"}},
		{"missing name", `
version: "1"
skills:
  - {id: go, category: language}
`, []string{`"go"`, "name"}},
		{"unknown group skill", `
version: "1"
groups:
  - {id: cloud, name: Cloud, skills: [aws]}
skills:
  - {id: go, name: Go, category: language}
`, []string{`"cloud"`, `"aws"`}},
		{"unknown group category", `
version: "1"
groups:
  - {id: cloud, name: Cloud, categories: [clouds]}
skills:
  - {id: go, name: Go, category: language}
`, []string{`"cloud"`, `"clouds"`}},
		{"empty spelling", `
version: "1"
skills:
  - {id: go, name: Go, category: language, aliases: [" "]}
`, []string{`"go"`, "empty"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc))
			if err == nil {
				t.Fatalf("Parse accepted a document with %s", c.name)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
	// A small valid document parses and fills in groups.
	tax, err := Parse([]byte(`
version: "1"
groups:
  - {id: langs, name: Languages, categories: [language], skills: [gin]}
skills:
  - {id: go, name: Go, category: language, aliases: [golang], ambiguous: [Go]}
  - {id: gin, name: Gin, category: framework, parents: [go], ambiguous: [Gin]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if !tax.InGroup("go", "langs") || !tax.InGroup("gin", "langs") || tax.Canonical("GOLANG") != "go" {
		t.Errorf("valid document parsed wrong: groups %v, lookup %q", tax.Group("langs"), tax.Canonical("GOLANG"))
	}
}
