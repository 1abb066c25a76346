package skills

import (
	"math"
	"slices"
	"strings"
	"sync"
)

// Requirement levels of a Match.
const (
	// Required: the skill is asked for outright (the default).
	Required = "required"
	// NiceToHave: the skill appears only under a "nice to have", "bonus",
	// "preferred" ... cue.
	NiceToHave = "nice_to_have"
)

// MaxSpans caps Match.Spans: a skill named more often keeps its first
// MaxSpans occurrences.
const MaxSpans = 20

// Span is one occurrence of a skill in the input.
type Span struct {
	// Start and End are byte offsets in the input: Text == input[Start:End].
	Start int `json:"start"`
	End   int `json:"end"`
	// Text is the spelling as written in the input.
	Text string `json:"text"`
}

// Match is one skill found in a text.
type Match struct {
	// ID, Name and Category are the skill's, from the taxonomy.
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	// Requirement is Required or NiceToHave: nice to have only when every
	// occurrence is under a nice-to-have cue.
	Requirement string `json:"requirement"`
	// Confidence in 0..1 that the text names the skill: 0.95–1.0 for an
	// unambiguous spelling (longer spellings higher), 0.6–0.9 for an
	// ambiguous one, depending on the context that supports it, at most
	// 0.45 for a concept. The highest over the occurrences.
	Confidence float64 `json:"confidence"`
	// Spans are the occurrences, in order, at most MaxSpans.
	Spans []Span `json:"spans"`
	// Concept: the skill is a broad field or practice (Skill.Concept), so
	// Confidence is capped at 0.45, below MinConfidence: reported, but not
	// attached to postings and profiles automatically.
	Concept bool `json:"concept,omitempty"`
}

// Attachable returns the matches confident enough to be attached to a
// posting or profile automatically (Confidence >= MinConfidence), in
// order. This is what postings and profiles store; the other matches
// (concepts, weakly supported ambiguous spellings) are for display and
// review only. ms is not modified.
func Attachable(ms []Match) []Match {
	var out []Match
	for _, m := range ms {
		if m.Confidence >= MinConfidence {
			out = append(out, m)
		}
	}
	return out
}

// Extractor finds a taxonomy's skills in free text. It is immutable and
// safe for concurrent use; build it once per taxonomy (NewExtractor
// compiles an automaton over every spelling).
type Extractor struct {
	tax     *Taxonomy
	a       *automaton
	rules   []*contextRule // by skill index; nil for skills without ambiguous spellings
	support [][]int32      // by skill index: skills whose presence supports an ambiguous spelling
}

// NewExtractor compiles an extractor for t.
func NewExtractor(t *Taxonomy) *Extractor {
	skills := t.Skills()
	e := &Extractor{tax: t, a: buildAutomaton(skills), rules: make([]*contextRule, len(skills)), support: make([][]int32, len(skills))}
	index := make(map[string]int32, len(skills))
	for i, s := range skills {
		index[s.ID] = int32(i)
	}
	keyed := map[string]*contextRule{}
	for key, r := range ambiguityRules {
		s, ok := t.Get(key)
		if !ok {
			s, ok = t.Lookup(key)
		}
		if ok {
			keyed[s.ID] = r
		}
	}
	link := func(a, b string) {
		ia, oka := index[a]
		ib, okb := index[b]
		if oka && okb && ia != ib {
			e.support[ia] = append(e.support[ia], ib)
			e.support[ib] = append(e.support[ib], ia)
		}
	}
	for i, s := range skills {
		if len(s.Ambiguous) > 0 {
			if r := keyed[s.ID]; r != nil {
				e.rules[i] = r
			} else {
				e.rules[i] = &defaultRule
			}
		}
		for _, p := range s.Parents {
			link(s.ID, p)
		}
		for _, r := range s.Related {
			link(s.ID, r)
		}
	}
	return e
}

var (
	defaultExtractorOnce sync.Once
	defaultExtractor     *Extractor
)

// DefaultExtractor returns the extractor over Default(), built once.
func DefaultExtractor() *Extractor {
	defaultExtractorOnce.Do(func() { defaultExtractor = NewExtractor(Default()) })
	return defaultExtractor
}

// Taxonomy returns the taxonomy the extractor was built for.
func (e *Extractor) Taxonomy() *Taxonomy { return e.tax }

// Scan reports the raw hits in text, in order: every occurrence of a
// spelling that passes the matching rules — case (aliases in any case,
// ambiguous spellings only as written), word boundaries, not inside a URL,
// e-mail address or path — choosing leftmost-longest among overlapping
// spellings. It does not apply the context rules for ambiguous spellings
// (Extract does: Scan reports "Go" in "Go ahead"). Scan is one linear pass
// and allocates nothing per hit; fn must not retain anything beyond its
// arguments.
func (e *Extractor) Scan(text string, fn func(skill *Skill, start, end int)) {
	a := e.a
	a.scan(text, func(pat int32, start, end int) {
		fn(a.skills[a.patterns[pat].skill], start, end)
	})
}

// hit is one occurrence found by the automaton, with the extractor's
// judgement of it.
type hit struct {
	start, end int
	skill      int32
	exact      bool    // an ambiguous spelling
	conf       float64 // 0: rejected
	nice       bool
	why        evidence // for ambiguous hits: what judge saw
	mention    int8     // 1 + the index in mentionRules of the rule that dropped the hit; 0: none
	head, tail int32    // the first and last hit of the list this one is in (see mentionLists)
}

// evidence records why an ambiguous hit was kept or dropped (for reports
// and tests).
type evidence uint8

const (
	evStop    evidence = 1 << iota // a stop phrase: ordinary English
	evPlain                        // the skill is also named unambiguously
	evPhrase                       // "written in Go", "Go developer"
	evCue                          // a cue word nearby, or a stack line
	evRelated                      // a parent or related skill is named
	evList                         // in a list of technologies
	evInitial                      // opens a sentence or line (related skills do not count)
)

func (ev evidence) String() string {
	var parts []string
	for i, n := range []string{"stop", "plain", "phrase", "cue", "related", "list", "initial"} {
		if ev&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "+")
}

// Extract returns the skills named in text, in order of first occurrence,
// each with every occurrence, a confidence and whether it is required or
// nice to have. Ambiguous spellings count only with supporting context
// (see ambiguityRules); mentions that do not ask for the skill ("no
// Java", "backed by Google", "Cursor for sales", "send us your GitHub")
// do not count (see mentionRules); requirement comes from section and
// sentence cues (see requirementCues). Concept skills are reported with
// a confidence below MinConfidence (see Match.Concept); use Attachable
// for what a posting or profile should store.
func (e *Extractor) Extract(text string) []Match {
	sc := getScratch(len(e.a.skills))
	a := e.a
	a.scan(text, func(pat int32, start, end int) {
		p := &a.patterns[pat]
		sc.hits = append(sc.hits, hit{start: start, end: end, skill: p.skill, exact: p.exact})
	})
	hits := sc.hits
	if len(hits) == 0 {
		putScratch(sc)
		return nil
	}
	lower := foldASCII(text)
	e.judgeWith(sc, text, lower, hits)
	e.dropMentions(text, lower, hits)
	markNice(sc, text, lower, hits)
	out := e.matches(sc, text, hits)
	// Not deferred: after a panic the tables may not be clean.
	putScratch(sc)
	return out
}

// matches groups the accepted hits by skill, in order of first
// occurrence. It counts first, so the matches and all their spans take
// two allocations.
func (e *Extractor) matches(sc *scratch, text string, hits []hit) []Match {
	at := sc.at // by skill: 1 + the match's index; 0: none yet
	nm, nspans := 0, 0
	counts := sc.counts[:0]
	for i := range hits {
		h := &hits[i]
		if h.conf == 0 {
			continue
		}
		k := at[h.skill]
		if k == 0 {
			nm++
			k = int32(nm)
			at[h.skill] = k
			counts = append(counts, 0)
		}
		if counts[k-1] < MaxSpans {
			counts[k-1]++
			nspans++
		}
	}
	sc.counts = counts
	if nm == 0 {
		return nil
	}
	out := make([]Match, nm)
	spans := make([]Span, nspans)
	off := 0
	for k, n := range counts {
		out[k].Spans = spans[off : off : off+int(n)]
		off += int(n)
	}
	for i := range hits {
		h := &hits[i]
		if h.conf == 0 {
			continue
		}
		m := &out[at[h.skill]-1]
		if m.Requirement == "" { // first occurrence
			s := e.a.skills[h.skill]
			m.ID, m.Name, m.Category, m.Requirement, m.Concept = s.ID, s.Name, s.Category, NiceToHave, s.Concept
		}
		if !h.nice {
			m.Requirement = Required
		}
		c := h.conf
		if m.Concept {
			c = min(c, confConceptMax)
		}
		if c > m.Confidence {
			m.Confidence = c
		}
		if len(m.Spans) < MaxSpans {
			m.Spans = append(m.Spans, Span{Start: h.start, End: h.end, Text: text[h.start:h.end]})
		}
	}
	for i := range hits {
		at[hits[i].skill] = 0
	}
	return out
}

// scratch is the per-call working memory of Extract, pooled so a call
// allocates little more than its result. Nothing in it outlives the call.
type scratch struct {
	hits   []hit
	v      []verdict
	plain  []bool  // by skill index: named by an unambiguous spelling
	at     []int32 // by skill index: see matches
	counts []int32
	cursor phraseCursor
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// getScratch returns a scratch whose by-skill tables cover n skills (all
// false or zero).
func getScratch(n int) *scratch {
	sc := scratchPool.Get().(*scratch)
	if len(sc.plain) < n {
		sc.plain = make([]bool, n)
		sc.at = make([]int32, n)
	}
	return sc
}

// maxPooledHits bounds the hit buffer kept in the pool (an unusually
// large text should not pin its buffers).
const maxPooledHits = 1 << 14

func putScratch(sc *scratch) {
	if cap(sc.hits) > maxPooledHits || cap(sc.cursor.occ) > maxPooledHits {
		return
	}
	sc.hits = sc.hits[:0]
	sc.cursor.occ = sc.cursor.occ[:0]
	scratchPool.Put(sc)
}

// Confidence scale.
const (
	confUnambiguousMin = 0.95
	confUnambiguousMax = 1.0
	confAmbiguousBase  = 0.55
	confStrong         = 0.2 // per kind of strong evidence
	confWeak           = 0.1
	confAmbiguousMax   = 0.9
	confConceptMax     = 0.45 // below MinConfidence: concepts are not attached automatically
	listWindow         = 40   // bytes from an ambiguous hit to a list neighbour
	cueWindow          = 160  // bytes either side searched for cue words
)

// unambiguousConf grows with the spelling's length: "K8s" 0.96,
// "Kubernetes" 1.0.
func unambiguousConf(n int) float64 {
	x := float64(min(max(n-1, 0), 9)) / 9
	return round2(confUnambiguousMin + (confUnambiguousMax-confUnambiguousMin)*x)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// judge sets each hit's confidence, 0 for ambiguous hits without support.
func (e *Extractor) judge(text, lower string, hits []hit) {
	sc := getScratch(len(e.a.skills))
	e.judgeWith(sc, text, lower, hits)
	putScratch(sc)
}

// judgeWith is judge with the caller's scratch.
func (e *Extractor) judgeWith(sc *scratch, text, lower string, hits []hit) {
	plain := sc.plain // skills named by an unambiguous spelling
	for i := range hits {
		if !hits[i].exact {
			hits[i].conf = unambiguousConf(hits[i].end - hits[i].start)
			plain[hits[i].skill] = true
		}
	}
	defer func() {
		for i := range hits {
			plain[hits[i].skill] = false
		}
	}()
	// Evidence that does not depend on other ambiguous hits.
	v := sc.verdicts(len(hits))
	for i := range hits {
		h := &hits[i]
		if !h.exact {
			continue
		}
		r := e.rules[h.skill]
		if r == nil {
			r = &defaultRule
		}
		before := lower[max(0, h.start-cueWindow):h.start]
		after := lower[h.end:min(len(lower), h.end+cueWindow)]
		before, after = blanksSet.trimRight(before), blanksSet.trimLeft(after)
		if r.stopped(before, after) {
			v[i].stopped = true
			h.why |= evStop
			continue
		}
		if v[i].initial = sentenceInitial(text, h.start); v[i].initial {
			h.why |= evInitial
		}
		if plain[h.skill] {
			v[i].strong++ // "Golang" elsewhere in the text
			h.why |= evPlain
		}
		if r.phrase(before, after) {
			v[i].strong++
			h.why |= evPhrase
		}
		if r.cue(before, after) {
			v[i].strong++
			h.why |= evCue
		}
		for _, o := range e.support[h.skill] {
			if plain[o] {
				v[i].weak++
				h.why |= evRelated
				break
			}
		}
	}
	// List evidence, to a fixed point: "Rust, Go, and TypeScript" accepts
	// Go through TypeScript, then Rust through Go.
	accepted := func(j int) bool { return hits[j].conf > 0 }
	// Each round sweeps forward then backward, so acceptance travels a
	// whole list in one round; a hit's list evidence is found once, so
	// the rounds are few.
	for changed := true; changed; {
		changed = false
		for k := 0; k < 2*len(hits); k++ {
			i := k
			if k >= len(hits) {
				i = 2*len(hits) - 1 - k
			}
			h := &hits[i]
			if !h.exact || v[i].stopped {
				continue
			}
			strong := v[i].strong
			if inList(text, hits, i, accepted) {
				strong++
				h.why |= evList
			}
			weak := v[i].weak
			if v[i].initial {
				weak = 0 // a capital at a sentence start proves nothing
			}
			if strong == 0 && weak == 0 {
				continue
			}
			if c := round2(min(confAmbiguousMax, confAmbiguousBase+confStrong*float64(strong)+confWeak*float64(weak))); c > h.conf {
				h.conf = c
				changed = true
			}
		}
	}
}

// verdict is judge's evidence on one ambiguous hit that does not depend
// on other ambiguous hits.
type verdict struct {
	strong, weak int
	initial      bool
	stopped      bool
}

// verdicts returns n zero verdicts.
func (sc *scratch) verdicts(n int) []verdict {
	if cap(sc.v) < n {
		sc.v = make([]verdict, n)
	}
	v := sc.v[:n]
	clear(v)
	return v
}

// inList reports whether hit i sits in a list of technologies: a chain of
// hits separated only by list punctuation and conjunctions reaches, within
// listWindow bytes, a hit that ok accepts.
func inList(text string, hits []hit, i int, ok func(int) bool) bool {
	for j := i - 1; j >= 0; j-- {
		if hits[i].start-hits[j].end > listWindow || !separatorGap(text[hits[j].end:hits[j+1].start]) {
			break
		}
		if ok(j) {
			return true
		}
	}
	for j := i + 1; j < len(hits); j++ {
		if hits[j].start-hits[i].end > listWindow || !separatorGap(text[hits[j-1].end:hits[j].start]) {
			break
		}
		if ok(j) {
			return true
		}
	}
	return false
}

// separatorGap reports whether the text between two hits only separates
// list items: punctuation (, / | & + ; ( ) · • - * :), white space, version
// numbers and the words and, or, plus, nor, as well as, etc.
func separatorGap(gap string) bool {
	if len(gap) > listWindow {
		return false
	}
	i := 0
	for i < len(gap) {
		c := gap[i]
		switch {
		case strings.IndexByte(" \t\r\n,/|&+;()*-:.", c) >= 0 || isDigit(c):
			i++
		case strings.HasPrefix(gap[i:], "·") || strings.HasPrefix(gap[i:], "•"):
			i += len("•")
		case isLetter(c):
			j := i
			for j < len(gap) && isLetter(gap[j]) {
				j++
			}
			switch strings.ToLower(gap[i:j]) {
			case "and", "or", "plus", "nor", "as", "well", "etc", "amp", "x":
			default:
				return false
			}
			i = j
		default:
			return false
		}
	}
	return true
}

// sentenceInitial reports whether the hit at start opens a sentence, line
// or list item, where a capital letter says nothing.
func sentenceInitial(text string, start int) bool {
	i := start
	for i > 0 {
		c := text[i-1]
		switch c {
		case ' ', '\t', '-', '*', '>', '#':
			i--
			continue
		case '\n', '.', '!', '?':
			return true
		}
		if strings.HasSuffix(text[:i], "•") {
			i -= len("•")
			continue
		}
		return false
	}
	return true
}

// contextRule says when an ambiguous spelling of one skill names the
// technology. All phrases are lower-case and match on word boundaries.
type contextRule struct {
	// Cues anywhere within cueWindow bytes support the hit ("goroutine"
	// near "Go", "Java" near "Spring").
	Cues []string
	// Before and After are phrases right before or after the spelling that
	// make it the technology ("written in Go", "Go developer"); they add to
	// genericBefore and genericAfter unless NoGeneric.
	Before, After []string
	NoGeneric     bool
	// StopBefore and StopAfter make it ordinary English whatever the other
	// evidence ("Go to market", "Spring 2026", "Executive Chef"). "<num>"
	// in StopAfter stands for any number.
	StopBefore, StopAfter []string
}

// genericBefore and genericAfter support any ambiguous spelling.
var (
	genericBefore = []string{
		"in", "with", "using", "use", "uses", "love", "know", "knows", "learn", "learning",
		"experience with", "experience in", "knowledge of", "proficiency in", "proficient in",
		"expertise in", "familiarity with", "familiar with", "fluent in", "built with", "built on",
		"based on", "written in", "migrating to", "migrate to", "moving to", "port to", "rewrite in",
		"transitioning to", "transition to", "switching to", "switch to", "from", "entirely", "mostly",
		"primarily", "exclusively", "100%", "yrs", "years of", "years", "idiomatic", "modern", "production",
		"high-performance", "performant", "async", "concurrent", "multi-threaded", "backend", "back-end",
		"engineer (", "engineers (", "developer (", "developers (", "engineer,", "engineer -", "engineer –",
	}
	// genericLineCues, earlier on the same line (within cueWindow/2
	// bytes), introduce technologies ("Stack: Go, ...", "Languages: R").
	genericLineCues = []string{"stack", "tech", "languages", "technologies", "tools", "frameworks", "skills"}
	genericAfter    = []string{
		"developer", "developers", "engineer", "engineers", "engineering", "programmer", "programmers",
		"programming", "code", "codebase", "codebases", "experience", "backend", "back-end", "backends",
		"service", "services", "microservice", "microservices", "stack", "ecosystem", "framework",
		"library", "libraries", "application", "applications", "app", "apps", "api", "apis", "server",
		"servers", "module", "modules", "toolchain", "runtime", "expertise", "skills", "knowledge",
		"proficiency", "development", "dev", "devs", "project", "projects", "language", "programs",
		"required", "a plus", "is a plus", "is a must", "preferred", "is required", "is preferred", "monolith",
		"data layer", "pipelines", "engine", "sdk", "crate", "crates", "tooling", "-based", "-powered", "-native",
		"in production", "at scale",
	}
	configManagementCues = []string{
		"configuration management", "config management", "infrastructure", "devops", "terraform",
		"ansible", "puppet", "saltstack", "chef", "provisioning", "sre", "infrastructure as code", "iac",
		"cookbook", "cookbooks", "manifests", "playbooks",
	}
)

// defaultRule applies to ambiguous spellings without an entry in
// ambiguityRules: only the generic phrases, list context and related
// skills support them.
var defaultRule = contextRule{}

// ambiguityRules holds the context rules of the well-known ambiguous
// spellings. The key is a skill id, or else any spelling of the skill
// (NewExtractor resolves it with Taxonomy.Lookup), so the table survives a
// renamed id.
var ambiguityRules = map[string]*contextRule{
	"go": {
		Cues:       []string{"golang", "goroutine", "goroutines", "gopher", "gophers", "go modules", "go.mod", "gofmt"},
		StopBefore: []string{"let's", "lets", "let’s", "ready to", "good to", "raring to", "on the", "on-the", "way to", "here we", "off we", "all systems"},
		StopAfter: []string{"to", "to-market", "live", "ahead", "back", "beyond", "further", "get", "for", "home", "out",
			"through", "above", "deep", "big", "fast", "forward", "global", "public", "hard", "into", "from", "on",
			"over", "after", "where", "see", "check", "visit", "apply", "!"},
	},
	"rust": {
		Cues:      []string{"rustlang", "cargo", "tokio", "borrow checker", "actix", "axum", "serde", "crates", "rustc", "wasm", "webassembly"},
		StopAfter: []string{"belt", "proof", "resistant", "removal", "prevention", "colored", "coloured", "bucket", "stains"},
	},
	"swift": {
		Cues: []string{"ios", "swiftui", "xcode", "cocoa", "objective-c", "uikit", "apple", "macos", "watchos", "ipados", "app store", "iphone"},
		StopAfter: []string{"growth", "response", "responses", "action", "decision", "decisions", "delivery", "execution", "progress",
			"resolution", "feedback", "payment", "payments", "transfer", "transfers", "turnaround", "and decisive", "code", "network"},
		StopBefore: []string{"taylor"},
	},
	"spring": {
		Cues:       []string{"java", "jvm", "kotlin", "boot", "hibernate", "maven", "gradle", "spring boot", "spring cloud", "j2ee", "jakarta"},
		NoGeneric:  true,
		Before:     []string{"with", "using", "experience with", "knowledge of", "proficiency in", "familiarity with"},
		After:      []string{"framework", "boot", "mvc", "cloud", "data", "security", "batch", "webflux", "developer", "developers", "engineer", "engineers"},
		StopBefore: []string{"this", "next", "last", "early", "late", "mid", "by", "the", "until", "since"},
		StopAfter:  []string{"<num>", "semester", "term", "break", "season", "internship", "internships", "cohort", "quarter", "and summer", "summer", "of", "training", "cleaning", "hiring", "start", "intake"},
	},
	"express": {
		Cues: []string{"node", "node.js", "nodejs", "javascript", "typescript", "express.js", "expressjs", "npm", "middleware", "koa", "nestjs", "fastify"},
		StopAfter: []string{"interest", "your", "yourself", "our", "their", "my", "his", "her", "an", "a", "the", "ideas", "entry",
			"delivery", "written", "consent", "themselves", "permission", "lane", "mail", "shipping", "vpn", "checkout", "interests", "gratitude"},
	},
	"rails": {
		Cues:       []string{"ruby", "ruby on rails", "activerecord", "rspec", "sidekiq", "hotwire", "erb"},
		StopBefore: []string{"guard", "safety", "off the", "on the", "hand"},
	},
	"chef": {
		Cues:       configManagementCues,
		StopBefore: []string{"executive", "head", "sous", "private", "pastry", "personal", "master", "top", "celebrity", "line", "the", "our", "a"},
	},
	"puppet": {
		Cues:       configManagementCues,
		StopAfter:  []string{"show", "shows", "theater", "theatre", "government", "regime", "state"},
		StopBefore: []string{"sock", "hand", "a"},
	},
	"salt": {
		Cues:       configManagementCues,
		StopAfter:  []string{"lake", "water", "and pepper", "mine", "mines", "flats", "marsh"},
		StopBefore: []string{"grain of", "sea", "table", "pinch of", "epsom"},
	},
	"ansible": {
		Cues: configManagementCues,
	},
	"r": {
		Cues: []string{"statistics", "statistical", "data science", "data scientist", "data scientists", "data analysis", "python",
			"stata", "rstudio", "tidyverse", "ggplot", "ggplot2", "cran", "sas", "spss", "matlab", "shiny", "bioconductor",
			"econometrics", "biostatistics", "pandas", "dplyr", "julia", "machine learning"},
		StopAfter: []string{"&d", "&b", "&amp;d", "&r"},
	},
	"c": {
		Cues: []string{"c/c++", "c and c++", "c++", "embedded", "firmware", "kernel", "microcontroller", "microcontrollers", "rtos",
			"assembly", "linux kernel", "drivers", "systems programming", "posix", "low-level", "low level", "fpga", "bare metal",
			"bare-metal", "mcu", "mcus"},
		StopAfter: []string{"corp", "corporation", "round", "suite", "level", "&c", "-"},
		StopBefore: []string{"series", "class", "vitamin", "type", "grade", "section", "plan", "tier", "option", "model", "item",
			"appendix", "level", "part", "round", "building", "floor", "suite", "room", "gate", "hall", "category", "step", "exhibit"},
	},
}

// stopped reports whether a stop phrase touches the hit. before and after
// are the lower-cased text around it.
func (r *contextRule) stopped(before, after string) bool {
	for _, p := range r.StopBefore {
		if endsWithPhrase(before, p) {
			return true
		}
	}
	for _, p := range r.StopAfter {
		if p == "<num>" {
			if after != "" && isDigit(after[0]) {
				return true
			}
			continue
		}
		if startsWithPhrase(after, p) {
			return true
		}
	}
	return false
}

// phrase reports whether a supporting phrase is right before or after.
func (r *contextRule) phrase(before, after string) bool {
	for _, p := range r.Before {
		if endsWithPhrase(before, p) {
			return true
		}
	}
	// A phrase that ends before ends with before's last byte.
	if !r.NoGeneric && before != "" {
		for _, p := range genericBeforeByLast[before[len(before)-1]] {
			if endsWithPhrase(before, p) {
				return true
			}
		}
	}
	for _, p := range r.After {
		if startsWithPhrase(after, p) {
			return true
		}
	}
	if !r.NoGeneric && after != "" {
		for _, p := range genericAfterByFirst[after[0]] {
			if startsWithPhrase(after, p) {
				return true
			}
		}
	}
	return false
}

// genericBefore by last byte and genericAfter by first byte.
var genericBeforeByLast, genericAfterByFirst = func() (b, a [256][]string) {
	for _, p := range genericBefore {
		b[p[len(p)-1]] = append(b[p[len(p)-1]], p)
	}
	for _, p := range genericAfter {
		a[p[0]] = append(a[p[0]], p)
	}
	return
}()

// Prefilters for contextRule.cue (see phraseSet).
var (
	ruleCueSets = func() map[*contextRule]*phraseSet {
		m := map[*contextRule]*phraseSet{}
		for _, r := range ambiguityRules {
			if len(r.Cues) > 0 {
				m[r] = newPhraseSet(r.Cues)
			}
		}
		return m
	}()
	lineCueSet = newPhraseSet(genericLineCues)
)

// cue reports whether a cue word is in the window around the hit, or a
// generic line cue earlier on its line.
func (r *contextRule) cue(before, after string) bool {
	if len(r.Cues) > 0 {
		if set := ruleCueSets[r]; set == nil || set.any(before) || set.any(after) {
			for _, c := range r.Cues {
				if containsPhrase(before, c) || containsPhrase(after, c) {
					return true
				}
			}
		}
	}
	line := before[max(0, len(before)-cueWindow/2):]
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	if !lineCueSet.any(line) {
		return false
	}
	for _, c := range genericLineCues {
		if containsPhrase(line, c) {
			return true
		}
	}
	return false
}

// blanks are trimmed off the text around a hit before phrases are
// compared.
const blanks = " \t\r\n"

// startsWithPhrase: s (the text after a hit, leading blanks trimmed)
// starts with p on a word boundary.
func startsWithPhrase(s, p string) bool {
	if p == "" || !strings.HasPrefix(s, p) {
		return false
	}
	return !asciiWord[p[len(p)-1]] || !wordAt(s, len(p))
}

// endsWithPhrase: s (the text before a hit, trailing blanks trimmed) ends
// with p on a word boundary.
func endsWithPhrase(s, p string) bool {
	if !strings.HasSuffix(s, p) {
		return false
	}
	return !asciiWord[p[0]] || !wordBefore(s, len(s)-len(p))
}

// containsPhrase: p occurs in s on word boundaries.
func containsPhrase(s, p string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], p)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(p)
		if (!asciiWord[p[0]] || !wordBefore(s, i)) && (!asciiWord[p[len(p)-1]] || !wordAt(s, j)) {
			return true
		}
		off = i + 1
	}
}

// requirementCues are the section and sentence cues for Required and
// NiceToHave.
var requirementCues = struct {
	// NiceHeading and RequiredHeading classify a heading-like line (the
	// first that occurs wins, nice first: "Preferred qualifications").
	NiceHeading, RequiredHeading []string
	// NiceInline marks the sentence it occurs in ("Kafka is a plus"),
	// unless RequiredInline is in the hit's own clause ("Go required,
	// Rust a plus").
	NiceInline, RequiredInline []string
}{
	RequiredInline: []string{"required", "must", "mandatory", "essential", "need", "needed"},
	NiceHeading: []string{
		"nice to have", "nice-to-have", "nice to haves", "bonus", "plus", "preferred", "ideally", "would be great",
		"would be nice", "not required", "optional", "extra credit", "good to have", "desirable", "a plus",
	},
	RequiredHeading: []string{
		"requirements", "requirement", "required", "what you'll need", "what you will need", "what you’ll need",
		"what we're looking for", "what we’re looking for", "what we are looking for", "you have", "you bring",
		"you'll have", "must have", "must-have", "must haves", "qualifications", "tech stack", "our stack", "stack",
		"technologies", "skills", "who you are", "about you", "minimum",
	},
	NiceInline: []string{
		"nice to have", "nice-to-have", "a plus", "big plus", "huge plus", "plus if", "bonus", "preferred", "ideally",
		"would be great", "would be nice", "not required", "not a requirement", "not necessary", "not mandatory",
		"an advantage", "is helpful", "are helpful", "helpful but", "good to have", "desirable", "optional",
	},
}

// Prefilters for the cue lists (see phraseSet).
var (
	niceInlineSet = newPhraseSet(requirementCues.NiceInline)
	headingCueSet = newPhraseSet(requirementCues.NiceHeading, requirementCues.RequiredHeading)
)

const (
	modeDefault = iota
	modeRequired
	modeNice
)

// markNice sets hit.nice from the section and sentence cues:
//
//   - a heading-like line (a markdown heading, a line ending with ':', a
//     short capitalised line without a skill or final punctuation, an
//     all-caps line) opens a section, nice to have or required by its cue;
//     a heading without a cue closes the section;
//   - a section also ends at a blank line after its content, unless a
//     list item follows;
//   - a line that starts with a cue and a colon ("Nice to have: Kafka")
//     sets its own line;
//   - a nice-to-have phrase in a sentence ("Kafka is a plus", "bonus if
//     you know Rust") marks that sentence.
func markNice(sc *scratch, text, lower string, hits []hit) {
	cur := &sc.cursor
	mode := modeDefault
	content, pendingBlank := false, false
	h := 0
	for ls := 0; ls < len(text) && h < len(hits); {
		le := strings.IndexByte(text[ls:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += ls
		}
		// Hits on this line: [h, hEnd).
		hEnd := h
		for hEnd < len(hits) && hits[hEnd].start < le {
			hEnd++
		}
		line := lower[ls:le]
		body, bullet, markdownHeading := stripLine(line)
		switch {
		case body == "":
			if mode != modeDefault && content {
				pendingBlank = true
			}
		default:
			if pendingBlank && !bullet {
				mode = modeDefault
			}
			pendingBlank = false
			lineMode := mode
			if markdownHeading || headingLike(text[ls:le], body, bullet, hEnd > h) {
				mode = classifyHeading(body)
				lineMode = mode
				content = false
			} else {
				content = true
				if m := cueWithColon(body); m != modeDefault {
					lineMode = m
				}
			}
			cur.reset(niceInlineSet, ls)
			for k := h; k < hEnd; k++ {
				hits[k].nice = lineMode == modeNice || niceSentenceCur(cur, lower, ls, le, hits[k].start, hits[k].end)
			}
		}
		h = hEnd
		ls = le + 1
	}
}

// stripLine trims blanks, markdown emphasis and list markers.
func stripLine(line string) (body string, bullet, heading bool) {
	s := strings.TrimSpace(line)
	if strings.HasPrefix(s, "#") {
		heading = true
		s = hashSpaceSet.trimLeft(s)
	}
	for _, b := range []string{"- ", "* ", "• ", "· ", "– ", "+ "} {
		if strings.HasPrefix(s, b) {
			bullet = true
			s = s[len(b):]
			break
		}
	}
	if !bullet {
		i := 0
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && i+1 < len(s) && s[i+1] == ' ' {
			bullet = true
			s = s[i+2:]
		}
	}
	s = emphasisSet.trim(s)
	return s, bullet, heading
}

// headingLike: see markNice.
func headingLike(raw, body string, bullet, hasHits bool) bool {
	if len(body) > 80 {
		return false
	}
	if strings.HasSuffix(body, ":") {
		return true
	}
	if hasHits || bullet {
		return false
	}
	// All caps (raw, lower is lower-cased).
	letters, upper := 0, 0
	for i := 0; i < len(raw); i++ {
		if isLetter(raw[i]) {
			letters++
			if raw[i] >= 'A' && raw[i] <= 'Z' {
				upper++
			}
		}
	}
	if letters >= 4 && upper == letters {
		return true
	}
	if len(body) > 50 || strings.Count(body, " ") > 5 {
		return false
	}
	last := body[len(body)-1]
	if strings.IndexByte(".,;!?)", last) >= 0 {
		return false
	}
	first := strings.TrimLeft(strings.TrimSpace(raw), "#*-•·+_ \t")
	return first != "" && first[0] >= 'A' && first[0] <= 'Z'
}

func classifyHeading(body string) int {
	if !headingCueSet.any(body) {
		return modeDefault
	}
	for _, c := range requirementCues.NiceHeading {
		if containsPhrase(body, c) {
			return modeNice
		}
	}
	for _, c := range requirementCues.RequiredHeading {
		if containsPhrase(body, c) {
			return modeRequired
		}
	}
	return modeDefault
}

// cueWithColon: the line starts with a cue phrase followed by ':' ("Nice
// to have: Kafka", "Bonus points: Rust", "Requirements: Go").
func cueWithColon(body string) int {
	colon := strings.IndexByte(body, ':')
	if colon <= 0 || colon > 40 {
		return modeDefault
	}
	return classifyHeading(body[:colon])
}

// maxSentence bounds the sentence looked at around a hit.
const maxSentence = 300

// niceSentenceCur reports whether the sentence around the hit [start,end)
// of the line [ls,le) carries an inline nice-to-have cue ("X is a plus");
// cur caches where the line's cue phrases occur.
func niceSentenceCur(cur *phraseCursor, lower string, ls, le, start, end int) bool {
	// The sentence lies within maxSentence bytes of the hit: most hits
	// have no cue that near, and need no sentence bounds.
	if !cur.within(lower, max(ls, start-maxSentence), min(le, end+maxSentence)) {
		return false
	}
	ss, se := sentenceBounds(lower, ls, le, start, end)
	if !cur.seen(ss, se) {
		return false
	}
	return niceIn(lower, ss, se, start, end)
}

// sentenceBounds returns the sentence holding [start, end) within line
// [ls, le), at most maxSentence bytes either side of it. Both bounds grow
// with start and end.
func sentenceBounds(lower string, ls, le, start, end int) (ss, se int) {
	ss = start
	for ss > ls && start-ss < maxSentence && !sentenceEnd(lower, ss-1, le) {
		ss--
	}
	se = end
	for se < le && se-end < maxSentence && !sentenceEnd(lower, se, le) {
		se++
	}
	return ss, se
}

// niceIn: sentence lower[ss:se], holding [start, end), carries an inline
// nice-to-have cue that a required cue in the hit's clause does not
// override.
func niceIn(lower string, ss, se, start, end int) bool {
	sentence := lower[ss:se]
	nice := false
	for _, c := range requirementCues.NiceInline {
		if containsPhrase(sentence, c) {
			nice = true
			break
		}
	}
	if !nice {
		return false
	}
	// "Go required, Rust a plus": a required cue in the hit's own clause
	// wins over the sentence's nice-to-have cue.
	cs, ce := start-ss, end-ss
	for cs > 0 && sentence[cs-1] != ',' && sentence[cs-1] != ';' {
		cs--
	}
	for ce < len(sentence) && sentence[ce] != ',' && sentence[ce] != ';' {
		ce++
	}
	for _, c := range requirementCues.RequiredInline {
		if containsPhrase(sentence[cs:ce], c) {
			return false
		}
	}
	return true
}

// sentenceEnd: lower[i] ends a sentence ('.', '!', '?', ';' before a blank
// or the line's end).
func sentenceEnd(lower string, i, le int) bool {
	switch lower[i] {
	case '.', '!', '?', ';':
		return i+1 >= le || lower[i+1] == ' ' || lower[i+1] == '\t' || lower[i+1] == '\r'
	}
	return false
}

// mentionRule is a cue that a hit names a technology without asking for it
// or using it: a negation ("no Java", "Kafka is not required"), an
// investor, customer or former employer ("backed by Google", "ex-Stripe"),
// an analogy ("Cursor for sales", "the Stripe of healthcare") or an
// application instruction ("send us your GitHub"). A rule drops the hit,
// as Extract drops an ambiguous spelling without support: such a mention
// is no evidence of the skill at any confidence, so it is not reported at
// all. The skill is still reported when another occurrence asks for it.
// The rules apply to every hit, ambiguous or not, and look only at a
// bounded window around the hit or its list (mentionWindow), so Extract
// stays linear. All phrases are lower-case and match on word boundaries,
// with only blanks and opening quotes or brackets between the phrase and
// the hit.
type mentionRule struct {
	Name string
	// Before are phrases that end right before the hit. A leading '^'
	// means the phrase must also open its clause ("Like Cursor for
	// sales", but not "tools like Kafka for streaming").
	Before []string
	// After are phrases that start right after the hit. With Before, both
	// must hold.
	After []string
	// Filler lets one of fillerWords stand between the hit and an After
	// phrase ("Go experience is not required").
	Filler bool
	// Sep: list separators (, / | & + and or) must stand between the
	// phrase and the hit ("résumé, GitHub", "GitHub/LinkedIn"); blanks
	// alone do not do ("... GCP, LLMs Résumé/CV: ...").
	Sep bool
	// Names lets a List rule's list also hold names that are not skills
	// (capitalised words): "customers include Linear, Vercel and Notion".
	Names bool
	// NotIn are categories the rule does not apply to ("backed by" is
	// funding before a company, storage before a database).
	NotIn []string
	// List extends the rule over a list the hit is in ("no Java, Scala or
	// Kotlin", "Python, Go and Rust are not required"): Before is looked
	// for before the list's first item, After after its last. A list here
	// is items joined by commas, slashes and the like, with a conjunction
	// or at least three items (see mentionLists).
	List bool
}

// mentionRules are the mention cues, applied in Extract after the context
// rules (ambiguityRules) and before the requirement cues. TestHNMentionReport
// prints what they drop on the development set.
var mentionRules = []mentionRule{
	{
		Name: "negation",
		Before: []string{
			"no", "not", "not a", "not an", "not in", "not on", "not with", "not using", "isn't", "isn’t",
			"aren't", "aren’t", "without", "zero lines of", "no prior", "no previous", "no professional",
			"don't use", "don’t use", "do not use", "doesn't use", "doesn’t use", "does not use", "never use",
			"won't use", "won’t use", "will not use", "not use", "don't need", "don’t need", "do not need",
			"don't need to know", "don’t need to know", "do not need to know", "no need to know", "no need for",
			"don't write", "don’t write", "do not write", "no more", "without a", "without an", "without the",
			"without any", "don't know", "don’t know", "do not know", "don't have to know", "don’t have to know",
		},
		List: true,
	},
	{
		Name: "not required",
		After: []string{
			"not required", "not needed", "not necessary", "not mandatory", "not a requirement", "not a must", "not expected",
			"is not required", "is not needed", "is not necessary", "is not mandatory", "is not a requirement", "is not a must",
			"is not expected", "isn't required", "isn’t required", "isn't needed", "isn’t needed", "isn't necessary",
			"isn’t necessary", "are not required", "are not needed", "are not necessary", "aren't required",
			"aren’t required",
		},
		Filler: true,
		List:   true,
	},
	{
		Name: "comparison",
		Before: []string{
			"faster than", "better than", "cheaper than", "simpler than", "easier than", "slower than", "more accurate than",
			"more reliable than", "smaller than", "larger than", "lighter than",
		},
		List: true,
	},
	{
		Name: "contrast",
		Before: []string{
			"instead of", "unlike", "differs from", "different from", "rather than", "as opposed to",
			"in contrast to", "contrary to", "not like",
		},
	},
	{
		Name:   "backed by",
		Before: []string{"backed by"},
		NotIn:  []string{CatRelationalDB, CatNoSQLDB, CatCache, CatSearch, CatData, CatCloudService, CatMessaging},
		List:   true,
		Names:  true,
	},
	{
		Name: "investors and customers",
		Before: []string{
			"funded by", "financed by", "investors include", "investors including", "investors like", "investors such as",
			"investors are", "investment from", "funding from", "backers include", "backers like", "angels include",
			"customers include", "customers including", "customers like", "customers such as", "customers are",
			"clients include", "clients including", "clients like", "clients such as", "partners include",
			"partners including", "partners like", "used by", "trusted by", "acquired by", "loved by", "relied on by",
			"companies like", "companies such as", "companies including", "brands like", "organizations like",
			"organisations like", "teams at", "engineers at",
		},
		List:  true,
		Names: true,
	},
	{
		Name: "former employer",
		Before: []string{
			"ex-", "ex", "former", "formerly", "formerly at", "formerly of", "previously at", "previously", "alumni of",
			"alumni from", "alums of", "alums from", "veterans of", "founders from", "engineers from", "team from",
			"people from", "folks from", "leaders from", "founded by ex-", "came from", "worked at", "spent years at", "years at",
		},
		List:  true,
		Names: true,
	},
	{
		Name:  "alumni",
		After: []string{"alumni", "alums", "alum", "alumnus", "veterans"},
		List:  true,
	},
	{
		Name:   "analogy",
		Before: []string{"^like", "^like a", "^like an", "^like the", "^think", "think of us as", "think of it as", "think:", "imagine", "it's like", "it’s like", "we're like", "we’re like", "is like", "are like", "the", "a", "an", "basically"},
		After:  []string{"for"},
	},
	{
		Name:   "the x of y",
		Before: []string{"the"},
		After:  []string{"of"},
	},
	{
		Name: "application",
		Before: []string{
			"send your", "send us your", "send me your", "send a link to your", "link to your", "links to your",
			"share your", "include your", "attach your", "with your", "and your", "or your", "plus your",
			"apply via", "apply through", "apply on", "apply at", "apply using", "apply with", "applications via",
			"submit via", "reach out on", "reach out via", "message me on", "message us on", "dm me on", "dm us on",
			"find us on", "follow us on", "contact us on", "contact us via", "contact me on",
		},
		List: true,
	},
	{
		Name:  "profile link",
		After: []string{"link", "links", "profile", "profiles", "handle", "username", "repos link", "stars"},
		List:  true,
	},
	{
		Name:   "application (listed with)",
		Before: []string{"resume", "résumé", "cv/", "portfolio", "linkedin", "cover letter", "personal website"},
		Sep:    true,
	},
	{
		Name:  "application (listed before)",
		After: []string{"resume", "résumé", "/cv", "portfolio", "linkedin", "cover letter", "personal website"},
		Sep:   true,
	},
}

// fillerWords may stand between a hit and a Filler rule's After phrase.
var fillerWords = []string{"experience", "knowledge", "skills", "expertise", "background", "familiarity", "proficiency"}

// fillerByFirst is fillerWords by first byte (the order kept).
var fillerByFirst = func() (t [256][]string) {
	for _, f := range fillerWords {
		t[f[0]] = append(t[f[0]], f)
	}
	return
}()

// firstByte is s[0], or 0 for "" (no phrase starts with 0).
func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// mentionWindow bounds the text looked at before and after a hit.
const mentionWindow = 48

// mentionMatcher is a compiled mentionRule: phrases by their last
// (Before) or first (After) byte, so a hit costs a table look-up per
// rule and only the few phrases that can match are compared.
type mentionMatcher struct {
	before, after [256][]string
	needBefore    bool
	needAfter     bool
	filler        bool
	sep           bool
	list          bool
	names         bool
	notIn         []string
}

var mentionMatchers = func() []mentionMatcher {
	ms := make([]mentionMatcher, len(mentionRules))
	for i, r := range mentionRules {
		m := &ms[i]
		m.needBefore, m.needAfter, m.filler, m.sep, m.list, m.names, m.notIn = len(r.Before) > 0, len(r.After) > 0, r.Filler, r.Sep, r.List, r.Names, r.NotIn
		for _, p := range r.Before {
			m.before[p[len(p)-1]] = append(m.before[p[len(p)-1]], p)
		}
		for _, p := range r.After {
			m.after[p[0]] = append(m.after[p[0]], p)
		}
	}
	return ms
}()

// openers are trimmed off the text before a hit: blanks and opening
// quotes and brackets (think “Vercel for game servers”).
const openers = blanks + "\"'(“‘"

// matchBeforeNames: a Before phrase ends right before lower[start:] or
// before a list of names that leads to it (see mentionRule.Names).
func (m *mentionMatcher) matchBeforeNames(text, lower string, start int) bool {
	for range maxNames {
		if start = prevName(text, start); start < 0 {
			return false
		}
		if m.matchBefore(lower, beforeWindow(lower, start)) {
			return true
		}
	}
	return false
}

// maxNames bounds the names a Names rule walks back over.
const maxNames = 12

// prevName returns the start of the name before text[start:], joined to
// it by a comma, "&", "and" or "or" — one to three words, each opening
// with a capital or a digit ("Mistral AI", "T-Mobile", "Monday.com") —,
// or -1.
func prevName(text string, start int) int {
	i := start
	for i > 0 && start-i < 4 && (text[i-1] == ' ' || text[i-1] == '\t') {
		i--
	}
	sep := false
	if i > 0 && (text[i-1] == ',' || text[i-1] == '&') {
		i--
		sep = true
	} else if i >= 4 && (text[i-4:i] == " and") {
		i -= 4
		sep = true
	} else if i >= 3 && text[i-3:i] == " or" {
		i -= 3
		sep = true
	}
	if !sep {
		return -1
	}
	if i >= 4 && text[i-4:i] == " and" { // ", and"
		i -= 4
	}
	first := -1
	for words := 0; words < 3; words++ {
		if i > 0 && text[i-1] == ' ' {
			i--
		}
		j := i
		for j > 0 && i-j < 24 && text[j-1] != ' ' && text[j-1] != ',' && text[j-1] != '\n' && text[j-1] != '(' {
			j--
		}
		if j == i || !(text[j] >= 'A' && text[j] <= 'Z' || isDigit(text[j])) {
			break
		}
		first, i = j, j
	}
	return first
}

// window is the text on one side of a position, blanks trimmed off the
// side that touches it.
type window struct {
	ws int    // where w starts in lower
	w  string // lower[ws:ws+len(w)]
}

// beforeWindow is the text before lower[start:], at most mentionWindow
// bytes, openers trimmed.
func beforeWindow(lower string, start int) window {
	ws := max(0, start-mentionWindow)
	e := start
	for e > ws && isOpener[lower[e-1]] {
		e--
	}
	return window{ws, lower[ws:e]}
}

// afterWindow is the text after lower[:end], at most mentionWindow bytes,
// blanks trimmed.
func afterWindow(lower string, end int) window {
	we := min(len(lower), end+mentionWindow)
	s := end
	for s < we && (lower[s] == ' ' || lower[s] == '\t' || lower[s] == '\r' || lower[s] == '\n') {
		s++
	}
	return window{s, lower[s:we]}
}

var isOpener = func() (t [256]bool) {
	for i := 0; i < len(openers); i++ {
		t[openers[i]] = true
	}
	return t
}()

// matchBefore: a Before phrase ends right before the window's end.
func (m *mentionMatcher) matchBefore(lower string, bw window) bool {
	ws, w := bw.ws, bw.w
	if m.sep {
		n := len(w)
		if w = trimSepRight(w); len(w) == n {
			return false
		}
	}
	if w == "" {
		return false
	}
	for _, p := range m.before[w[len(w)-1]] {
		opens := p[0] == '^'
		if opens {
			p = p[1:]
		}
		if !endsWithPhrase(w, p) {
			continue
		}
		if !opens || clauseOpens(lower, ws+len(w)-len(p)) {
			return true
		}
	}
	return false
}

// matchAfter: an After phrase starts the window, after a filler word if
// the rule allows one.
func (m *mentionMatcher) matchAfter(aw window) bool {
	w := aw.w
	if m.sep {
		n := len(w)
		if w = trimSepLeft(w); len(w) == n {
			return false
		}
	}
	if m.filler {
		w = strings.TrimPrefix(strings.TrimPrefix(w, ","), " etc")
		w = blanksSet.trimLeft(strings.TrimPrefix(w, "."))
		for _, f := range fillerByFirst[firstByte(w)] {
			if startsWithPhrase(w, f) {
				w = blanksSet.trimLeft(w[len(f):])
				break
			}
		}
	}
	if w == "" {
		return false
	}
	for _, p := range m.after[w[0]] {
		if startsWithPhrase(w, p) {
			return true
		}
	}
	return false
}

// listSeps are the separators Sep rules skip.
const listSeps = " \t\r\n,/|&+"

// trimSepRight trims list separators and a final "and" or "or" off the
// text before a hit (its trailing blanks already trimmed).
func trimSepRight(w string) string {
	w = listSepsSet.trimRight(w)
	for _, c := range []string{"and", "or"} {
		if endsWithPhrase(w, c) {
			return listSepsSet.trimRight(w[:len(w)-len(c)])
		}
	}
	return w
}

// trimSepLeft trims list separators and a leading "and" or "or" off the
// text after a hit (its leading blanks already trimmed).
func trimSepLeft(w string) string {
	w = listSepsSet.trimLeft(w)
	for _, c := range []string{"and", "or"} {
		if startsWithPhrase(w, c) {
			return listSepsSet.trimLeft(w[len(c):])
		}
	}
	return w
}

// clauseOpens: lower[i:] opens a clause — only blanks (at most a few)
// between it and the text's start, a line break, sentence or clause
// punctuation, an opening bracket or quote, or a dash.
func clauseOpens(lower string, i int) bool {
	for j := i; j > 0 && i-j < 8; j-- {
		c := lower[j-1]
		switch {
		case c == ' ' || c == '\t':
			continue
		case strings.IndexByte("\r\n.!?;:,([\"'-*•", c) >= 0:
			return true
		}
		s := lower[:j]
		return strings.HasSuffix(s, "—") || strings.HasSuffix(s, "–") || strings.HasSuffix(s, "“") || strings.HasSuffix(s, "•")
	}
	return i < 8
}

// mentionLists sets, for each hit, the first and the last item of the list
// it is in (itself when it is in none): hits joined by listGap, with a
// conjunction, a slash or at least three items — "Java, Go" alone is not a
// list ("We don't use Java, Go is our language"). One linear pass each
// way.
func mentionLists(text string, hits []hit) {
	n := len(hits)
	for i := 0; i < n; {
		j, conj := i, false
		for j+1 < n {
			ok, c := listGap(text[hits[j].end:hits[j+1].start])
			if !ok {
				break
			}
			conj = conj || c
			j++
		}
		if !conj && j > i {
			after := text[hits[j].end:min(len(text), hits[j].end+6)]
			conj = strings.HasPrefix(after, ", etc") || strings.HasPrefix(after, " etc")
		}
		listy := j > i && (conj || j-i >= 2)
		for k := i; k <= j; k++ {
			if listy {
				hits[k].head, hits[k].tail = int32(i), int32(j)
			} else {
				hits[k].head, hits[k].tail = int32(k), int32(k)
			}
		}
		i = j + 1
	}
}

// listGap reports whether the text between two hits joins list items on
// one line — blanks, , / | & + ( ), version numbers, "and", "or", "nor",
// "plus" — and whether it holds a conjunction or a slash.
func listGap(gap string) (ok, conj bool) {
	if len(gap) > listWindow {
		return false, false
	}
	for i := 0; i < len(gap); {
		c := gap[i]
		switch {
		case strings.IndexByte(" \t,|()", c) >= 0 || isDigit(c):
			i++
		case c == '/' || c == '&' || c == '+':
			conj = true
			i++
		case c == '.' && i+1 < len(gap) && isDigit(gap[i+1]):
			i++
		case isLetter(c):
			j := i
			for j < len(gap) && isLetter(gap[j]) {
				j++
			}
			switch strings.ToLower(gap[i:j]) {
			case "and", "or", "nor", "plus":
				conj = true
			default:
				return false, false
			}
			i = j
		default:
			return false, false
		}
	}
	return true, conj
}

// dropMentions applies mentionRules: it sets the confidence of a hit that
// names a technology without asking for it to 0 and records the rule.
func (e *Extractor) dropMentions(text, lower string, hits []hit) {
	mentionLists(text, hits)
	for i := range hits {
		h := &hits[i]
		if h.conf == 0 {
			continue
		}
		// The windows around the hit and around its list, shared by the rules.
		before, after := beforeWindow(lower, h.start), afterWindow(lower, h.end)
		listBefore, listAfter := before, after
		if int(h.head) != i {
			listBefore = beforeWindow(lower, hits[h.head].start)
		}
		if int(h.tail) != i {
			listAfter = afterWindow(lower, hits[h.tail].end)
		}
		cat := e.a.skills[h.skill].Category
		for r := range mentionMatchers {
			m := &mentionMatchers[r]
			if m.notIn != nil && slices.Contains(m.notIn, cat) {
				continue
			}
			bw, aw, bs := before, after, h.start
			if m.list {
				bw, aw, bs = listBefore, listAfter, hits[h.head].start
			}
			if m.needBefore && !m.matchBefore(lower, bw) && !(m.names && m.matchBeforeNames(text, lower, bs)) {
				continue
			}
			if m.needAfter && !m.matchAfter(aw) {
				continue
			}
			h.conf, h.mention = 0, int8(r+1)
			break
		}
	}
}
