package skills

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Categories every skill belongs to exactly one of.
const (
	CatLanguage      = "language"
	CatFramework     = "framework"
	CatRelationalDB  = "relational_database"
	CatNoSQLDB       = "nosql_database"
	CatCache         = "cache"
	CatSearch        = "search_engine"
	CatData          = "data_platform"
	CatCloudPlatform = "cloud_platform"
	CatCloudService  = "cloud_service"
	CatContainer     = "container"
	CatOrchestration = "orchestration"
	CatMessaging     = "messaging"
	CatAPIStyle      = "api_style"
	CatSecurity      = "security"
	CatCICD          = "cicd"
	CatIaC           = "iac"
	CatObservability = "observability"
	CatAIML          = "ai_ml"
	CatPractice      = "practice"
	CatCompliance    = "compliance"
	CatTesting       = "testing"
	CatFrontend      = "frontend"
	CatMobile        = "mobile"
	CatOS            = "os"
	CatTool          = "tool"
)

// Categories lists every category, in display order.
var Categories = []string{
	CatLanguage, CatFramework, CatRelationalDB, CatNoSQLDB, CatCache, CatSearch, CatData,
	CatCloudPlatform, CatCloudService, CatContainer, CatOrchestration, CatMessaging, CatAPIStyle,
	CatSecurity, CatCICD, CatIaC, CatObservability, CatAIML, CatPractice, CatCompliance,
	CatTesting, CatFrontend, CatMobile, CatOS, CatTool,
}

// CategoryNames are the categories' display names.
var CategoryNames = map[string]string{
	CatLanguage: "Language", CatFramework: "Framework", CatRelationalDB: "Relational database",
	CatNoSQLDB: "NoSQL database", CatCache: "Cache", CatSearch: "Search engine", CatData: "Data platform",
	CatCloudPlatform: "Cloud platform", CatCloudService: "Cloud service", CatContainer: "Container",
	CatOrchestration: "Orchestration", CatMessaging: "Messaging and streaming", CatAPIStyle: "API style",
	CatSecurity: "Security", CatCICD: "CI/CD", CatIaC: "Infrastructure as code",
	CatObservability: "Observability", CatAIML: "AI/ML", CatPractice: "Practice", CatCompliance: "Compliance",
	CatTesting: "Testing", CatFrontend: "Frontend", CatMobile: "Mobile", CatOS: "Operating system", CatTool: "Tool",
}

// Skill is one technology of the taxonomy.
type Skill struct {
	// ID is stable: postings, profiles and market figures refer to it.
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name" json:"name"`
	Category string `yaml:"category" json:"category"`
	// Aliases are other spellings, matched case-insensitively on word
	// boundaries ("golang", "k8s", "Postgres").
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Ambiguous are spellings that are also ordinary words or other things
	// ("Go", "Rust", "Swift", "R", "Spring", "Chef"): the extractor accepts
	// them only with the exact case written here and supporting context.
	// The display name may be one of them.
	Ambiguous []string `yaml:"ambiguous,omitempty" json:"ambiguous,omitempty"`
	// Parents are broader skills this one partly satisfies (PostgreSQL →
	// SQL, AWS Lambda → AWS, Spring Boot → Java).
	Parents []string `yaml:"parents,omitempty" json:"parents,omitempty"`
	// Related are skills often used together or interchangeable in part.
	Related []string `yaml:"related,omitempty" json:"related,omitempty"`
	// Concept marks a broad field or practice rather than a named
	// technology ("data science", "ETL", "event-driven architecture"). The
	// extractor still reports concepts, but with a confidence below
	// MinConfidence, so they are not attached to postings and profiles
	// automatically: in free text they are too often background ("our data
	// science team") rather than a requirement.
	Concept bool `yaml:"concept,omitempty" json:"concept,omitempty"`
	// Groups this skill belongs to, from its category and the taxonomy's
	// group definitions (filled in by Parse).
	Groups []string `yaml:"-" json:"groups,omitempty"`
}

// Group rolls skills up under one name ("cloud").
type Group struct {
	ID         string   `yaml:"id" json:"id"`
	Name       string   `yaml:"name" json:"name"`
	Categories []string `yaml:"categories,omitempty" json:"categories,omitempty"`
	Skills     []string `yaml:"skills,omitempty" json:"skills,omitempty"`
}

// Taxonomy is a parsed, validated taxonomy. It is immutable and safe for
// concurrent use.
type Taxonomy struct {
	Version string
	skills  []*Skill
	byID    map[string]*Skill
	byName  map[string]*Skill // lower-cased id, name, aliases and ambiguous spellings
	groups  []*Group
	members map[string][]string // group id → skill ids, sorted

	denseOnce sync.Once
	dense     *Dense
}

type file struct {
	Version string   `yaml:"version"`
	Groups  []*Group `yaml:"groups"`
	Skills  []*Skill `yaml:"skills"`
}

//go:embed data/taxonomy.yaml
var taxonomyYAML []byte

var (
	defaultOnce sync.Once
	defaultTax  *Taxonomy
)

// Default returns the taxonomy shipped with Meridian (parsed once). The
// embedded file is checked by the package's tests, so a failure here is a
// build defect and panics.
func Default() *Taxonomy {
	defaultOnce.Do(func() {
		t, err := Parse(taxonomyYAML)
		if err != nil {
			panic("skills: embedded taxonomy: " + err.Error())
		}
		defaultTax = t
	})
	return defaultTax
}

// MinConfidence is the confidence from which an extracted skill is
// attached to a posting or profile automatically.
const MinConfidence = 0.6

// IDPattern is the shape of a skill id (the same as the domain accepts).
var IDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9+#._-]{0,63}$`)

// Parse reads and validates a taxonomy document.
func Parse(data []byte) (*Taxonomy, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	if strings.TrimSpace(f.Version) == "" {
		return nil, fmt.Errorf("taxonomy: version is missing")
	}
	t := &Taxonomy{Version: f.Version, byID: map[string]*Skill{}, byName: map[string]*Skill{}, members: map[string][]string{}}
	cats := map[string]bool{}
	for _, c := range Categories {
		cats[c] = true
	}
	for i, s := range f.Skills {
		where := fmt.Sprintf("taxonomy: skill %d (%q)", i+1, s.ID)
		if !IDPattern.MatchString(s.ID) {
			return nil, fmt.Errorf("%s: id must match %s", where, IDPattern)
		}
		if t.byID[s.ID] != nil {
			return nil, fmt.Errorf("%s: duplicate id", where)
		}
		if strings.TrimSpace(s.Name) == "" {
			return nil, fmt.Errorf("%s: name is missing", where)
		}
		if !cats[s.Category] {
			return nil, fmt.Errorf("%s: unknown category %q", where, s.Category)
		}
		t.byID[s.ID] = s
		t.skills = append(t.skills, s)
	}
	// Spellings: the id, the name, aliases and ambiguous spellings must each
	// name one skill only.
	for _, s := range t.skills {
		spell := append([]string{s.ID, s.Name}, s.Aliases...)
		spell = append(spell, s.Ambiguous...)
		for _, n := range spell {
			k := strings.ToLower(strings.TrimSpace(n))
			if k == "" {
				return nil, fmt.Errorf("taxonomy: skill %q: empty spelling", s.ID)
			}
			if o := t.byName[k]; o != nil && o != s {
				return nil, fmt.Errorf("taxonomy: spelling %q names both %q and %q", n, o.ID, s.ID)
			}
			t.byName[k] = s
		}
		for _, p := range s.Parents {
			if t.byID[p] == nil || p == s.ID {
				return nil, fmt.Errorf("taxonomy: skill %q: parent %q is not another skill", s.ID, p)
			}
		}
		for _, r := range s.Related {
			if t.byID[r] == nil || r == s.ID {
				return nil, fmt.Errorf("taxonomy: skill %q: related %q is not another skill", s.ID, r)
			}
		}
	}
	if err := t.checkAcyclic(); err != nil {
		return nil, err
	}
	for _, g := range f.Groups {
		if !IDPattern.MatchString(g.ID) || g.Name == "" {
			return nil, fmt.Errorf("taxonomy: group %q: needs an id and a name", g.ID)
		}
		if _, dup := t.members[g.ID]; dup {
			return nil, fmt.Errorf("taxonomy: group %q: duplicate", g.ID)
		}
		in := map[string]bool{}
		for _, c := range g.Categories {
			if !cats[c] {
				return nil, fmt.Errorf("taxonomy: group %q: unknown category %q", g.ID, c)
			}
			for _, s := range t.skills {
				if s.Category == c {
					in[s.ID] = true
				}
			}
		}
		for _, id := range g.Skills {
			if t.byID[id] == nil {
				return nil, fmt.Errorf("taxonomy: group %q: unknown skill %q", g.ID, id)
			}
			in[id] = true
		}
		ids := make([]string, 0, len(in))
		for id := range in {
			ids = append(ids, id)
			t.byID[id].Groups = append(t.byID[id].Groups, g.ID)
		}
		sort.Strings(ids)
		t.members[g.ID] = ids
		t.groups = append(t.groups, g)
	}
	return t, nil
}

// checkAcyclic refuses parent cycles, so that Ancestors terminates.
func (t *Taxonomy) checkAcyclic() error {
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("taxonomy: parent cycle %s", strings.Join(append(path, id), " → "))
		case 2:
			return nil
		}
		state[id] = 1
		for _, p := range t.byID[id].Parents {
			if err := visit(p, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = 2
		return nil
	}
	for _, s := range t.skills {
		if err := visit(s.ID, nil); err != nil {
			return err
		}
	}
	return nil
}

// Skills returns every skill in file order.
func (t *Taxonomy) Skills() []*Skill { return t.skills }

// Len is the number of skills.
func (t *Taxonomy) Len() int { return len(t.skills) }

// Get returns the skill with this id.
func (t *Taxonomy) Get(id string) (*Skill, bool) {
	s, ok := t.byID[id]
	return s, ok
}

// Lookup finds a skill by id, display name or any spelling, ignoring case
// and surrounding space ("Golang", "postgres", "K8s").
func (t *Taxonomy) Lookup(name string) (*Skill, bool) {
	s, ok := t.byName[strings.ToLower(strings.TrimSpace(name))]
	return s, ok
}

// Canonical returns the id for an id or spelling, or "" when unknown.
func (t *Taxonomy) Canonical(name string) string {
	if s, ok := t.Lookup(name); ok {
		return s.ID
	}
	return ""
}

// ByCategory returns the skills of one category.
func (t *Taxonomy) ByCategory(cat string) []*Skill {
	var out []*Skill
	for _, s := range t.skills {
		if s.Category == cat {
			out = append(out, s)
		}
	}
	return out
}

// Groups returns the group definitions.
func (t *Taxonomy) Groups() []*Group { return t.groups }

// Group returns the sorted ids of a group's skills (nil when unknown).
func (t *Taxonomy) Group(id string) []string { return t.members[id] }

// InGroup reports whether a skill belongs to a group.
func (t *Taxonomy) InGroup(skillID, group string) bool {
	s, ok := t.byID[skillID]
	return ok && slices.Contains(s.Groups, group)
}

// Ancestors returns a skill's parents, their parents and so on, nearest
// first, each once.
func (t *Taxonomy) Ancestors(id string) []string {
	var out []string
	seen := map[string]bool{id: true}
	queue := []string{id}
	for len(queue) > 0 {
		s := t.byID[queue[0]]
		queue = queue[1:]
		if s == nil {
			continue
		}
		for _, p := range s.Parents {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
				queue = append(queue, p)
			}
		}
	}
	return out
}
