package market

import (
	"regexp"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/skills"
)

// BackendDefinition says which postings count as backend roles.
const BackendDefinition = "A posting is a backend role when its title names backend work (backend, back-end, server, API, platform, " +
	"infrastructure, distributed systems, full-stack, SRE or site reliability, DevOps, data engineering), or a backend language " +
	"(Go, Java, Kotlin, Scala, Python, Ruby, Rust, Elixir, Erlang, PHP, C#/.NET, C++, Node) as an engineer or developer; or when its " +
	"title is a general software engineering one (software/product/founding/staff/principal engineer, developer, SWE) and it asks " +
	"for at least one backend skill (one of those languages, a database, cache, search engine, message broker, API style, " +
	"container or orchestration tool, or a cloud platform or service). Titles that name only frontend, mobile, design, data " +
	"science or ML research, QA, management or non-engineering work are not backend roles."

var (
	backendTitle = regexp.MustCompile(`(?i)\b(back[- ]?end|server|apis?|platform|infra(structure)?|distributed systems?|full[- ]?stack|` +
		`site reliability|sre|devops|data engineer(ing)?)\b`)
	backendLangTitle = regexp.MustCompile(`(?i)\b(go|golang|java|kotlin|scala|python|ruby|rails|rust|elixir|erlang|php|c#|\.net|c\+\+|node(\.?js)?)\s*(/[^ ]+\s*)?(engineer|developer|dev|programmer)`)
	generalTitle     = regexp.MustCompile(`(?i)\b(software|product|founding|staff|principal|senior|lead|swe|engineer(ing)?|developer|programmer|member of technical staff)\b`)
	notBackendTitle  = regexp.MustCompile(`(?i)\b(front[- ]?end|mobile|ios|android|design(er)?|ux|ui|data scientist|research scientist|qa|test|sales|marketing|recruit(er|ing)|manager|director|vp|head of|account|support|success|analyst)\b`)
)

// backendLanguages are the language skills that make a general title a
// backend one.
var backendLanguages = map[string]bool{"go": true, "java": true, "kotlin": true, "scala": true, "python": true, "ruby": true,
	"rust": true, "elixir": true, "erlang": true, "php": true, "csharp": true, "cpp": true, "nodejs": true, "dotnet": true,
	"clojure": true, "haskell": true, "ocaml": true}

// backendCategories are the skill categories that do.
var backendCategories = map[string]bool{skills.CatRelationalDB: true, skills.CatNoSQLDB: true, skills.CatCache: true,
	skills.CatSearch: true, skills.CatMessaging: true, skills.CatAPIStyle: true, skills.CatContainer: true,
	skills.CatOrchestration: true, skills.CatCloudPlatform: true, skills.CatCloudService: true}

// BackendRole says whether a posting counts as a backend role
// (BackendDefinition).
func BackendRole(title string, reqs []domain.SkillRequirement) bool {
	if backendTitle.MatchString(title) || backendLangTitle.MatchString(title) {
		return true
	}
	if notBackendTitle.MatchString(title) || !generalTitle.MatchString(title) {
		return false
	}
	t := skills.Default()
	for _, r := range reqs {
		if backendLanguages[r.Skill] {
			return true
		}
		if s, ok := t.Get(r.Skill); ok && backendCategories[s.Category] {
			return true
		}
	}
	return false
}

// Claim ids.
const (
	ClaimBackendCloud = "backend-cloud"
	ClaimRESTGraphQL  = "rest-or-graphql"
)

// Claims measures the seed claims over the sample: the share of backend
// roles requiring cloud proficiency, and the share of listings featuring
// REST or GraphQL, each with its definition and related measures.
func (m *Model) Claims(f Filter, now time.Time) (out []Claim, err error) {
	m.read(now, func() {
		var set *roaring.Bitmap
		if set, err = m.sample(f); err != nil {
			return
		}
		cloud := m.tax.groupIndex["cloud"]
		rg := m.tax.groupIndex["rest_or_graphql"]
		back := roaring.And(set, m.backend)
		nb := card(back)
		nreq := andCard(back, orEmpty(m.groupReq[cloud]))
		nany := andCard(back, orEmpty(m.groupAny[cloud]))
		c := Claim{ID: ClaimBackendCloud,
			Question: "Share of backend roles requiring cloud proficiency",
			Definition: BackendDefinition + " Cloud proficiency: the posting requires (not merely lists as nice to have) at least one skill of the taxonomy's \"cloud\" group: " +
				"every cloud platform (AWS, Azure, Google Cloud...) and cloud service (Lambda, S3, BigQuery, DynamoDB...), and skills whose parents lead to one.",
			N: nb, Count: nreq}
		s := share(c.ID, c.Question, nreq, nb)
		c.Share, c.Low, c.High = s.Share, s.Low, s.High
		c.Also = []Share{
			share("backend-cloud-any", "Backend roles mentioning any cloud skill (required or nice to have)", nany, nb),
			share("backend-share", "Backend roles among all postings", nb, card(set)),
		}
		for _, id := range []string{"aws", "gcp", "azure"} {
			if i, ok := m.tax.index[id]; ok {
				c.Also = append(c.Also, share("backend-"+id, "Backend roles asking for "+m.tax.name(i), andCard(back, orEmpty(m.skillAny[i])), nb))
			}
		}
		out = append(out, c)

		n := card(set)
		nrg := andCard(set, orEmpty(m.groupAny[rg]))
		r := Claim{ID: ClaimRESTGraphQL,
			Question:   "Share of listings featuring REST or GraphQL",
			Definition: "Every posting in the sample (not only backend roles) counts; it features REST or GraphQL when it asks for REST or GraphQL (required or nice to have), as extracted from its text by the skills taxonomy.",
			N:          n, Count: nrg}
		s = share(r.ID, r.Question, nrg, n)
		r.Share, r.Low, r.High = s.Share, s.Low, s.High
		r.Also = []Share{share("rest-or-graphql-backend", "Backend roles featuring REST or GraphQL", andCard(back, orEmpty(m.groupAny[rg])), nb)}
		for _, id := range []string{"rest", "graphql", "grpc"} {
			if i, ok := m.tax.index[id]; ok {
				r.Also = append(r.Also, share("listings-"+id, "Listings asking for "+m.tax.name(i), andCard(set, orEmpty(m.skillAny[i])), n))
			}
		}
		out = append(out, r)
	})
	return out, err
}
