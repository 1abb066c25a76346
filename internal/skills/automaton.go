package skills

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the matching engine under the extractor: an Aho–Corasick
// automaton compiled to a dense DFA, plus the per-hit checks (exact case for
// ambiguous spellings, word boundaries, URLs) and the leftmost-longest,
// non-overlapping selection of hits.
//
// Why hand-written: the Go Aho–Corasick packages either lack the rules the
// extractor needs (a case rule per pattern — "golang" in any case but "Go"
// only as written —, Unicode-aware word boundaries with version suffixes,
// URL skipping) or apply them as a filter after their own leftmost match,
// which loses the shorter valid hit when the longer one fails its boundary
// ("React Nativeness" must still give React). Doing the checks inside the
// scan keeps it one linear pass, and a premultiplied dense transition table
// over byte classes is several times faster than the packages' general
// matchers on this workload: BenchmarkScan and the BenchmarkPeer*
// benchmarks in extract_bench_test.go measure both on the same text and
// spellings.

// pattern is one spelling of one skill.
type pattern struct {
	text  string // the spelling as written in the taxonomy
	skill int32  // index into automaton.skills
	// exact: an ambiguous spelling, matched with its exact case only and
	// subject to the extractor's context rules.
	exact bool
	// symStart/symEnd: the spelling begins/ends with a byte that is not a
	// word character (".NET", "C++", "C#"), which is then its own boundary.
	symStart, symEnd bool
	// lastDigit: the spelling ends with a digit (no version suffix allowed).
	lastDigit bool
}

// automaton is an immutable dense-DFA Aho–Corasick automaton over the
// ASCII-case-folded spellings of a taxonomy.
//
// States are numbered so that every state with at least one output comes
// after every state without one; state ids are premultiplied by the
// (power-of-two) stride so that the next state is trans[s+class[b]] and the
// "is there a match here?" test is a single comparison s >= outStart.
type automaton struct {
	classes  [256]uint8
	shift    uint     // log2(stride)
	trans    []uint32 // premultiplied next-state table
	outStart uint32   // premultiplied id of the first output state
	depth    []int32  // by state index: length of the state's prefix
	outOff   []int32  // by state index: outputs are outs[outOff[i]:outOff[i+1]]
	outs     []int32  // pattern indexes, longest first
	patterns []pattern
	skills   []*Skill
}

// buildAutomaton compiles the spellings of every skill: display names, ids
// and aliases case-insensitively (like Taxonomy.Lookup: the id "kafka"
// names Apache Kafka), ambiguous spellings with exact case. A name, id or
// alias that equals an ambiguous spelling of the same skill ignoring case
// is governed by the ambiguous rule ("Go" the name and "go" the id are
// "Go" the ambiguous spelling).
// maxStates is the most states whose ids, shifted by shift, fit the
// uint32 transition table.
func maxStates(shift uint) int { return int(uint32(1)<<(31-shift)) - 1 }

func buildAutomaton(skills []*Skill) *automaton {
	a := &automaton{skills: skills}
	for si, s := range skills {
		amb := map[string]bool{}
		seenExact := map[string]bool{}
		for _, sp := range s.Ambiguous {
			sp = strings.TrimSpace(sp)
			if sp == "" || seenExact[sp] {
				continue
			}
			seenExact[sp] = true
			amb[foldASCII(sp)] = true
			a.patterns = append(a.patterns, newPattern(sp, si, true))
		}
		seen := map[string]bool{}
		for _, sp := range append([]string{s.Name, s.ID}, s.Aliases...) {
			sp = strings.TrimSpace(sp)
			f := foldASCII(sp)
			if sp == "" || amb[f] || seen[f] {
				continue
			}
			seen[f] = true
			a.patterns = append(a.patterns, newPattern(sp, si, false))
		}
	}

	// Byte classes: one class per distinct (folded) byte used by a
	// spelling, upper- and lower-case ASCII letters sharing one; class 0 is
	// every other byte.
	nclass := 1
	for _, p := range a.patterns {
		for i := 0; i < len(p.text); i++ {
			b := lowerASCII(p.text[i])
			if a.classes[b] == 0 {
				a.classes[b] = uint8(nclass)
				nclass++
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.classes[b] = a.classes[b+'a'-'A']
	}
	if nclass > 256 {
		// Cannot happen: there are at most 256 byte values, and folding
		// only merges classes.
		panic("skills: too many byte classes")
	}
	for (1 << a.shift) < nclass {
		a.shift++
	}
	stride := 1 << a.shift

	// Trie over folded spellings, in temporary numbering (root = 0).
	type node struct {
		next  []int32 // by class, -1 none
		fail  int32
		depth int32
		own   []int32 // patterns ending here
		label string  // the folded bytes leading here
	}
	newNode := func(depth int32) *node {
		n := &node{next: make([]int32, stride), depth: depth}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []*node{newNode(0)}
	for pi, p := range a.patterns {
		cur := int32(0)
		for i := 0; i < len(p.text); i++ {
			c := a.classes[p.text[i]]
			nx := nodes[cur].next[c]
			if nx < 0 {
				nx = int32(len(nodes)) // #nosec G115 -- states are bounded by maxStates (checked in buildAutomaton)
				n := newNode(nodes[cur].depth + 1)
				n.label = foldASCII(p.text[:i+1])
				nodes = append(nodes, n)
				nodes[cur].next[c] = nx
			}
			cur = nx
		}
		nodes[cur].own = append(nodes[cur].own, int32(pi)) // #nosec G115 -- pattern indexes are bounded by the taxonomy size
		if len(nodes) > maxStates(a.shift) {
			// A taxonomy this large (millions of spellings) is a build defect:
			// state ids must fit the 32-bit transition table.
			panic(fmt.Sprintf("skills: automaton over %d states", len(nodes)))
		}
	}

	// Breadth-first: failure links, full transitions and output lists
	// (own outputs, then the failure state's: longest first). A state
	// knows the bytes before a shorter output: when the byte before it is
	// an ASCII word character, the output can never pass its boundary
	// check and is left out of the state's list ("r" inside "for"), so
	// fewer states are output states at all.
	allOuts := make([][]int32, len(nodes))
	outsOf := make([][]int32, len(nodes))
	order := make([]int32, 0, len(nodes))
	for c := 0; c < stride; c++ {
		if nx := nodes[0].next[c]; nx >= 0 {
			nodes[nx].fail = 0
			order = append(order, nx)
		} else {
			nodes[0].next[c] = 0
		}
	}
	for q := 0; q < len(order); q++ {
		u := order[q]
		n := nodes[u]
		allOuts[u] = append(append([]int32(nil), n.own...), allOuts[n.fail]...)
		for _, pi := range allOuts[u] {
			p := &a.patterns[pi]
			if k := len(n.label) - len(p.text) - 1; k >= 0 && !p.symStart && asciiWord[n.label[k]] {
				continue
			}
			outsOf[u] = append(outsOf[u], pi)
		}
		for c := 0; c < stride; c++ {
			nx := n.next[c]
			// n.next still holds only trie edges: a node's transitions are
			// filled in when it is dequeued, after its failure state's.
			if nx >= 0 {
				nodes[nx].fail = nodes[n.fail].next[c]
				order = append(order, nx)
			} else {
				n.next[c] = nodes[n.fail].next[c]
			}
		}
	}

	// Renumber: states without outputs first (root is one of them).
	newID := make([]int32, len(nodes))
	idx := int32(0)
	for pass := 0; pass < 2; pass++ {
		for u := range nodes {
			if (len(outsOf[u]) > 0) == (pass == 1) {
				if pass == 1 && a.outStart == 0 {
					a.outStart = uint32(idx) << a.shift
				}
				newID[u] = idx
				idx++
			}
		}
	}
	if a.outStart == 0 { // no outputs at all: no state may compare >= outStart
		a.outStart = uint32(len(nodes)) << a.shift // #nosec G115 -- states are bounded by maxStates, so the shifted id fits 32 bits
	}
	a.trans = make([]uint32, len(nodes)*stride)
	a.depth = make([]int32, len(nodes))
	a.outOff = make([]int32, len(nodes)+1)
	byNew := make([]int32, len(nodes))
	for u := range nodes {
		byNew[newID[u]] = int32(u)
	}
	for ni, u := range byNew {
		n := nodes[u]
		base := ni * stride
		for c := 0; c < stride; c++ {
			a.trans[base+c] = uint32(newID[n.next[c]]) << a.shift // #nosec G115 -- state ids are bounded by maxStates, so the shifted id fits 32 bits
		}
		a.depth[ni] = n.depth
		a.outOff[ni] = int32(len(a.outs)) // #nosec G115 -- outputs are bounded by the taxonomy size (a few thousand spellings)
		a.outs = append(a.outs, outsOf[u]...)
	}
	a.outOff[len(nodes)] = int32(len(a.outs)) // #nosec G115 -- outputs are bounded by the taxonomy size (a few thousand spellings)
	return a
}

func newPattern(sp string, skill int, exact bool) pattern {
	first, _ := utf8.DecodeRuneInString(sp)
	last, _ := utf8.DecodeLastRuneInString(sp)
	return pattern{
		text:      sp,
		skill:     int32(skill), // #nosec G115 -- skill indexes are bounded by the taxonomy size
		exact:     exact,
		symStart:  !isWordRune(first),
		symEnd:    !isWordRune(last),
		lastDigit: last >= '0' && last <= '9',
	}
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// foldASCII lower-cases ASCII letters only, keeping byte offsets. It
// allocates once, and only when s has an upper-case ASCII letter.
func foldASCII(s string) string {
	i := 0
	for i < len(s) && !(s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	var buf [1024]byte
	for i < len(s) {
		n := copy(buf[:], s[i:])
		foldBytes(buf[:n])
		b.Write(buf[:n])
		i += n
	}
	return b.String()
}

// foldBytes lower-cases the ASCII letters of b in place, eight bytes at a
// time.
func foldBytes(b []byte) {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	j := 0
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		h := w &^ high                // each byte less its top bit: no carries below
		ge := h + (0x80-'A')*ones     // top bit: byte >= 'A'
		gt := h + (0x80-'Z'-1)*ones   // top bit: byte > 'Z'
		upper := ge &^ gt &^ w & high // top bit: an ASCII upper-case letter
		binary.LittleEndian.PutUint64(b[j:], w|upper>>2)
	}
	for ; j < len(b); j++ {
		b[j] = lowerASCII(b[j])
	}
}

// asciiWord marks ASCII letters, digits and '_' (identifiers count as words:
// "my_go_lib" holds no Go).
var asciiWord = func() (t [256]bool) {
	for b := 0; b < 128; b++ {
		c := byte(b)
		t[b] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordBefore reports whether the rune ending at i is a word character.
func wordBefore(text string, i int) bool {
	if i <= 0 {
		return false
	}
	if b := text[i-1]; b < utf8.RuneSelf {
		return asciiWord[b]
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isWordRune(r)
}

// wordAt reports whether the rune starting at i is a word character.
func wordAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if b := text[i]; b < utf8.RuneSelf {
		return asciiWord[b]
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return isWordRune(r)
}

// asciiLetter marks ASCII letters.
var asciiLetter = func() (t [256]bool) {
	for b := 'a'; b <= 'z'; b++ {
		t[b], t[b-'a'+'A'] = true, true
	}
	return
}()

// sameBytes is a == b for the short strings of spellings, without a call.
func sameBytes(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// hyphenOK are the words an ambiguous spelling may be hyphenated with and
// still name the technology ("Rust-based"); any other hyphen compound is
// ordinary English ("Go-to-market", "C-suite").
var hyphenOK = []string{"based", "powered", "native", "first", "only", "heavy", "centric", "backed"}

// boundaryOK applies the word-boundary rules to a candidate hit
// text[start:end] of pattern p:
//
//   - before: the preceding rune must not be a letter, digit or '_', unless
//     the spelling starts with a symbol (".NET" in "ASP.NET" counts);
//   - after: the following rune must not be a letter, digit or '_', except
//     for a version number glued to the spelling — digits and dots ending
//     on a non-word rune: "C++17", "Python3", "Vue3", "Python3.12", "Java8".
//     Version suffixes are not allowed for one-letter spellings ("R2",
//     "C4" are not R or C) nor for spellings that end with a digit;
//   - ambiguous spellings may not be part of a hyphen compound with a word
//     ("Go-to-market", "C-suite", "Objective-C"), except with hyphenOK, nor
//     of a letter&letter abbreviation ("R&D", "Q&A").
func boundaryOK(text string, start, end int, p *pattern) bool {
	if !p.symStart && wordBefore(text, start) {
		return false
	}
	if wordAt(text, end) {
		if p.lastDigit || end-start < 2 || !isDigit(text[end]) {
			return false
		}
		j := end
		for j < len(text) && (isDigit(text[j]) || text[j] == '.' && j+1 < len(text) && isDigit(text[j+1])) {
			j++
		}
		if wordAt(text, j) {
			return false
		}
	}
	if p.exact {
		if end+1 < len(text) && text[end] == '-' && isLetter(text[end+1]) {
			k := end + 1
			for k < len(text) && isLetter(text[k]) {
				k++
			}
			ok := false
			for _, w := range hyphenOK {
				if strings.EqualFold(text[end+1:k], w) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		if start >= 2 && text[start-1] == '-' && isLetter(text[start-2]) {
			return false
		}
		// Letter&letter abbreviations: "R&D", "Q&A", "M&A", "AT&T".
		if start >= 2 && text[start-1] == '&' && isLetter(text[start-2]) ||
			end+1 < len(text) && text[end] == '&' && isLetter(text[end+1]) {
			return false
		}
	}
	return true
}

// tokenDelim ends a URL-ish token.
var tokenDelim = func() (t [256]bool) {
	for _, c := range " \t\n\r\f\v<>\"'()[]{}`,;|" {
		t[c] = true
	}
	return
}()

// maxToken bounds how far the URL check looks for the ends of a token, so
// that a long run of non-space bytes keeps the scan linear.
const maxToken = 512

// urlTLDs are top-level domains that make "word.tld" a host name rather
// than a spelling ("golang.org", "kubernetes.io"). Only lower-case, so
// "ASP.NET" stays a spelling; "net" is left out for the same reason.
var urlTLDs = []string{"com", "org", "io", "dev", "ai", "co", "app", "sh", "so", "xyz", "tech", "jobs", "us", "uk", "de", "fr", "eu", "ca", "me", "info", "gov", "edu", "cloud", "page", "site"}

// urlToken classifies tok — the delimiter-bounded token around a hit — as
// a URL, e-mail address, handle or file path, whose spellings do not count.
// strong: it contains "://" or '@', starts with "www.", or starts like a
// path ("/", "~/", "./", "../") and has another '/'. host: it starts with a
// host name ending in a known top-level domain ("golang.org/x",
// "kubernetes.io"); that only counts when the hit is not the whole token
// ("Socket.io" alone is a spelling).
func urlToken(tok string) (strong, host bool) {
	if strings.Contains(tok, "://") || strings.IndexByte(tok, '@') >= 0 {
		return true, false
	}
	if len(tok) >= 4 && strings.EqualFold(tok[:4], "www.") {
		return true, false
	}
	if strings.HasPrefix(tok, "/") || strings.HasPrefix(tok, "~/") || strings.HasPrefix(tok, "./") || strings.HasPrefix(tok, "../") {
		return strings.Count(tok, "/") >= 2, false
	}
	h := tok
	if i := strings.IndexAny(h, "/:?#"); i >= 0 {
		h = h[:i]
	}
	h = hostTrailSet.trimRight(h)
	dot := strings.LastIndexByte(h, '.')
	if dot <= 0 {
		return false, false
	}
	tld := h[dot+1:]
	for _, t := range urlTLDs {
		if tld == t {
			return false, true
		}
	}
	return false, false
}

// candidate is a hit that passed its checks but may still lose to a
// leftmost or longer overlapping one.
type candidate struct {
	start, end int
	pat        int32
}

// maxPending bounds the candidates held back while a longer, earlier hit is
// still possible. Real text holds one or two; when full, the best one is
// decided early (pathological input only).
const maxPending = 32

// scanner is the state of one scan; it lives on the caller's stack so a
// scan allocates nothing.
type scanner struct {
	a       *automaton
	text    string
	lastEnd int // end of the last emitted hit
	n       int
	pending [maxPending]candidate
	// token cache for the URL check
	tokStart, tokEnd   int
	tokTrimEnd         int // tokEnd less trailing punctuation
	tokStrong, tokHost bool
	tokValid           bool
}

// scan runs the automaton over text and calls emit for each selected hit,
// in order of position. Hits are leftmost-longest and never overlap: at
// each position the longest valid spelling starting there wins, and the
// earliest start wins over later overlapping ones.
func (a *automaton) scan(text string, emit func(pat int32, start, end int)) {
	sc := scanner{a: a, text: text}
	trans := a.trans
	classes := &a.classes
	outStart := a.outStart
	s := uint32(0)
	n := len(text)
	for i := 0; i < n; i++ {
		s = trans[s+uint32(classes[text[i]])]
		// A letter right after rules out every spelling ending here (only
		// digits may follow, as a version): most short spellings ending
		// inside words stop at this test.
		if s >= outStart && (i+1 == n || !asciiLetter[text[i+1]]) {
			sc.outputs(s, i+1, emit)
		}
	}
	sc.flush(len(text)+1, emit)
}

// outputs handles the patterns ending at end in state s.
func (sc *scanner) outputs(s uint32, end int, emit func(pat int32, start, end int)) {
	a := sc.a
	si := s >> a.shift
	// No match ending later can start before end-depth: decide the pending
	// candidates that start earlier.
	if sc.n > 0 {
		sc.flush(end-int(a.depth[si]), emit)
	}
	outs := a.outs[a.outOff[si]:a.outOff[si+1]]
	for _, pi := range outs {
		p := &a.patterns[pi]
		start := end - len(p.text)
		if start < sc.lastEnd {
			break // longer ones come first; shorter ones start later, but all overlap the emitted hit
		}
		// Cheapest test first: a word character before the spelling.
		if !p.symStart && start > 0 && asciiWord[sc.text[start-1]] {
			continue
		}
		if p.exact && !sameBytes(sc.text[start:end], p.text) {
			continue
		}
		if !boundaryOK(sc.text, start, end, p) {
			continue
		}
		if sc.inURL(start, end) {
			continue
		}
		if sc.n == maxPending {
			sc.flushOne(emit)
			if start < sc.lastEnd {
				continue
			}
		}
		sc.pending[sc.n] = candidate{start: start, end: end, pat: pi}
		sc.n++
	}
}

// flush emits, in greedy order, the pending candidates that start before
// bound.
func (sc *scanner) flush(bound int, emit func(pat int32, start, end int)) {
	for sc.n > 0 {
		b := sc.best()
		if sc.pending[b].start >= bound {
			return
		}
		sc.take(b, emit)
	}
}

func (sc *scanner) flushOne(emit func(pat int32, start, end int)) {
	sc.take(sc.best(), emit)
}

// best is the pending candidate with the smallest start, the longest among
// those.
func (sc *scanner) best() int {
	b := 0
	for j := 1; j < sc.n; j++ {
		c, d := &sc.pending[j], &sc.pending[b]
		if c.start < d.start || c.start == d.start && c.end > d.end {
			b = j
		}
	}
	return b
}

// take emits pending candidate b and drops every candidate overlapping it.
func (sc *scanner) take(b int, emit func(pat int32, start, end int)) {
	c := sc.pending[b]
	emit(c.pat, c.start, c.end)
	sc.lastEnd = c.end
	k := 0
	for j := 0; j < sc.n; j++ {
		if sc.pending[j].start >= sc.lastEnd {
			sc.pending[k] = sc.pending[j]
			k++
		}
	}
	sc.n = k
}

// inURL reports whether text[start:end] sits in a URL-ish token (see
// urlToken). The last token is cached: hits arrive in order, so each byte
// is looked at a bounded number of times.
func (sc *scanner) inURL(start, end int) bool {
	text := sc.text
	if !sc.tokValid || start < sc.tokStart || start >= sc.tokEnd {
		ts := start
		for ts > 0 && start-ts < maxToken && !tokenDelim[text[ts-1]] {
			ts--
		}
		te := start
		for te < len(text) && te-start < maxToken && !tokenDelim[text[te]] {
			te++
		}
		tok := text[ts:te]
		sc.tokStart, sc.tokEnd, sc.tokValid = ts, te, true
		sc.tokTrimEnd = ts + len(urlTrailSet.trimRight(tok))
		sc.tokStrong, sc.tokHost = urlToken(tok)
	}
	if sc.tokStrong {
		return true
	}
	// A hit that is the whole token (less trailing punctuation:
	// "Socket.io.") is a spelling, not a host.
	return sc.tokHost && !(start == sc.tokStart && end >= sc.tokTrimEnd)
}
