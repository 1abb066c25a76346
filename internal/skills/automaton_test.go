package skills

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type rawHit struct {
	Skill      string
	Start, End int
}

func scanAll(a *automaton, text string) []rawHit {
	var out []rawHit
	a.scan(text, func(pat int32, start, end int) {
		out = append(out, rawHit{a.skills[a.patterns[pat].skill].ID, start, end})
	})
	return out
}

// naiveScan is the reference: at each position from left to right, the
// longest spelling that passes every check, skipping past it.
func naiveScan(a *automaton, text string) []rawHit {
	var out []rawHit
	for i := 0; i < len(text); {
		best := -1
		for pi := range a.patterns {
			p := &a.patterns[pi]
			end := i + len(p.text)
			if end > len(text) || !strings.EqualFold(text[i:end], p.text) || foldASCII(text[i:end]) != foldASCII(p.text) {
				continue
			}
			if p.exact && text[i:end] != p.text {
				continue
			}
			if !boundaryOK(text, i, end, p) {
				continue
			}
			sc := scanner{a: a, text: text}
			if sc.inURL(i, end) {
				continue
			}
			if best < 0 || len(p.text) > len(a.patterns[best].text) {
				best = pi
			}
		}
		if best < 0 {
			i++
			continue
		}
		end := i + len(a.patterns[best].text)
		out = append(out, rawHit{a.skills[a.patterns[best].skill].ID, i, end})
		i = end
	}
	return out
}

func TestAutomatonMatchesReference(t *testing.T) {
	a := testExtractor(t).a
	words := []string{
		"Go", "go", "golang", "Rust", "R", "C", "C++", "C#", "F#", ".NET", "Python", "Python3", "React", "React Native",
		"react native", "Google", "Google Cloud", "Google Cloud Platform", "Cloud", "Platform", "Spring", "Spring Boot",
		"Node.js", "node.jsx", "Vue.js", "apache kafka", "kafka", "https://", "www.", "@", "/", "-", ",", " ", " ", " ",
		"\n", "é", "\xff", "3", ".", "to", "and", "k8s", "ES6", "Kubernetes", "x", "Boot", "Native",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 3000; n++ {
		var b strings.Builder
		for k := rng.IntN(30); k >= 0; k-- {
			b.WriteString(words[rng.IntN(len(words))])
			if rng.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		text := b.String()
		if diff := cmp.Diff(naiveScan(a, text), scanAll(a, text)); diff != "" {
			t.Fatalf("scan(%q) differs from the reference (-want +got):\n%s", text, diff)
		}
	}
}

func TestAutomatonBuild(t *testing.T) {
	a := testExtractor(t).a
	// Names and ids equal to an ambiguous spelling are not
	// case-insensitive patterns; other ids are.
	ids := map[string]bool{}
	for _, p := range a.patterns {
		s := a.skills[p.skill]
		if strings.EqualFold(p.text, "go") && !p.exact {
			t.Errorf("case-insensitive pattern %q for %s", p.text, s.ID)
		}
		ids[p.text] = true
	}
	if !ids["spring-boot"] || !ids["cpp"] || ids["r"] {
		t.Error("ids: spring-boot and cpp should be spellings, r not")
	}
	if a.trans[0] != 0 && a.classes['Q'] != a.classes['q'] {
		t.Error("class map does not fold ASCII case")
	}
	// Empty taxonomy: scanning finds nothing.
	empty := buildAutomaton(nil)
	if got := scanAll(empty, "Go golang"); len(got) != 0 {
		t.Errorf("empty automaton found %v", got)
	}
}

func TestBoundaryOK(t *testing.T) {
	tests := []struct {
		text, spelling string
		exact, want    bool
	}{
		{"C++11", "C++", false, true},
		{"C++x", "C++", false, false},
		{"Python3.12,", "Python", false, true},
		{"Python3.x", "Python", false, true},
		{"Python3k", "Python", false, false},
		{"R2", "R", true, false},
		{"log4j2", "log4j", false, true}, // Log4j 2

		{"Go-to", "Go", true, false},
		{"Go-based", "Go", true, true},
		{"ES62", "ES6", false, false}, // ends with a digit: no version suffix
		{".NET8", ".NET", false, true},
		{"R&D", "R", true, false},
	}
	for _, tt := range tests {
		p := newPattern(tt.spelling, 0, tt.exact)
		end := len(tt.spelling)
		if got := boundaryOK(tt.text, 0, end, &p); got != tt.want {
			t.Errorf("boundaryOK(%q, %q) = %v, want %v", tt.text, tt.spelling, got, tt.want)
		}
	}
	// Symbol-first spellings need no boundary before.
	p := newPattern(".NET", 0, false)
	if !boundaryOK("ASP.NET", 3, 7, &p) {
		t.Error(".NET in ASP.NET")
	}
}

func TestPendingOverflow(t *testing.T) {
	// More overlapping candidates than maxPending must not panic and must
	// still give non-overlapping, ordered hits.
	a := testExtractor(t).a
	text := strings.Repeat("Google Cloud ", 200) + "Platform"
	prev := 0
	for _, h := range scanAll(a, text) {
		if h.Start < prev || h.End <= h.Start {
			t.Fatalf("bad hit order %+v after %d", h, prev)
		}
		prev = h.End
	}
}

func TestFoldASCII(t *testing.T) {
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	for _, s := range []string{"", "abc", "ABC", "Hello, World! ÀÉ ẞ", string(all), string(all[64:]) + string(all) + "XyZ"} {
		want := []byte(s)
		for i, c := range want {
			if c >= 'A' && c <= 'Z' {
				want[i] = c + 'a' - 'A'
			}
		}
		if got := foldASCII(s); got != string(want) {
			t.Errorf("foldASCII(%q) = %q, want %q", s, got, want)
		}
	}
}
