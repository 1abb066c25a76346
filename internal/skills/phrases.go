package skills

// phraseSet is a small Aho–Corasick DFA over a fixed list of phrases, used
// as a prefilter in front of the exact phrase checks (containsPhrase and
// friends): one linear pass tells where any phrase occurs as a raw
// substring. The exact checks (word boundaries, which phrase) then run only
// where the prefilter found something, so results are those of the exact
// checks alone. Immutable and safe for concurrent use.
type phraseSet struct {
	class  [256]uint16 // byte -> class; 0 for bytes in no phrase
	nc     int         // number of classes
	trans  []uint16    // state*nc + class -> next state
	minLen []uint8     // by state: length of the shortest phrase ending here; 0: none
}

// newPhraseSet compiles phrases (non-empty, at most 255 bytes each).
func newPhraseSet(lists ...[]string) *phraseSet {
	ps := &phraseSet{nc: 1}
	for _, l := range lists {
		for _, p := range l {
			for i := 0; i < len(p); i++ {
				if ps.class[p[i]] == 0 {
					ps.class[p[i]] = uint16(ps.nc) // #nosec G115 -- at most 256 byte classes
					ps.nc++
				}
			}
		}
	}
	// Trie.
	type node struct {
		next   map[uint16]int
		minLen int
	}
	nodes := []node{{next: map[uint16]int{}}}
	for _, l := range lists {
		for _, p := range l {
			if p == "" || len(p) > 255 {
				panic("skills: bad phrase " + p)
			}
			s := 0
			for i := 0; i < len(p); i++ {
				c := ps.class[p[i]]
				t, ok := nodes[s].next[c]
				if !ok {
					t = len(nodes)
					nodes = append(nodes, node{next: map[uint16]int{}})
					nodes[s].next[c] = t
				}
				s = t
			}
			if nodes[s].minLen == 0 || len(p) < nodes[s].minLen {
				nodes[s].minLen = len(p)
			}
		}
	}
	if len(nodes) > 1<<16 {
		panic("skills: phrase set too large")
	}
	// Breadth-first: failure links folded into a dense table.
	nc := ps.nc
	ps.trans = make([]uint16, len(nodes)*nc)
	ps.minLen = make([]uint8, len(nodes))
	fail := make([]int, len(nodes))
	queue := []int{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s != 0 {
			m := nodes[s].minLen
			if f := ps.minLen[fail[s]]; f != 0 && (m == 0 || int(f) < m) {
				m = int(f)
			}
			ps.minLen[s] = uint8(m) // #nosec G115 -- phrases are at most 255 bytes (checked above)
		}
		for c := 0; c < nc; c++ {
			t, ok := nodes[s].next[uint16(c)]
			if !ok {
				if s != 0 {
					ps.trans[s*nc+c] = ps.trans[fail[s]*nc+c]
				}
				continue
			}
			if s != 0 {
				fail[t] = int(ps.trans[fail[s]*nc+c])
			}
			ps.trans[s*nc+c] = uint16(t) // #nosec G115 -- at most 1<<16 states (checked above)
			queue = append(queue, t)
		}
	}
	return ps
}

// any reports whether some phrase occurs in s as a substring.
func (ps *phraseSet) any(s string) bool {
	st := 0
	for i := 0; i < len(s); i++ {
		st = int(ps.trans[st*ps.nc+int(ps.class[s[i]])])
		if ps.minLen[st] != 0 {
			return true
		}
	}
	return false
}

// phraseCursor runs a phraseSet over a growing prefix of one text,
// remembering where phrases end, so that many windows of the same stretch
// (the sentences around the hits of one line) cost one pass.
type phraseCursor struct {
	ps    *phraseSet
	pos   int
	state int
	occ   []phraseOcc
	lo    int // occ[:lo] end before every window still to be asked about
}

// phraseOcc is the shortest phrase ending at end, starting at start.
type phraseOcc struct{ start, end int }

// reset starts the cursor at text[from:].
func (c *phraseCursor) reset(ps *phraseSet, from int) {
	c.ps, c.pos, c.state, c.occ, c.lo = ps, from, 0, c.occ[:0], 0
}

// within reports whether some phrase occurs inside text[ws:we], for text
// from the reset position on. Successive calls must not move ws or we
// backwards.
func (c *phraseCursor) within(text string, ws, we int) bool {
	ps := c.ps
	st := c.state
	for i := c.pos; i < we; i++ {
		st = int(ps.trans[st*ps.nc+int(ps.class[text[i]])])
		if n := int(ps.minLen[st]); n != 0 {
			c.occ = append(c.occ, phraseOcc{i + 1 - n, i + 1})
		}
	}
	if we > c.pos {
		c.pos, c.state = we, st
	}
	for c.lo < len(c.occ) && c.occ[c.lo].end <= ws {
		c.lo++
	}
	return c.seen(ws, we)
}

// byteSet is a set of ASCII bytes for trimming: strings.TrimLeft and
// TrimRight rebuild their set from the cutset on every call, which shows
// in the per-hit paths.
type byteSet [256]bool

func newByteSet(cutset string) *byteSet {
	var s byteSet
	for i := 0; i < len(cutset); i++ {
		if cutset[i] >= 0x80 {
			panic("skills: byteSet of non-ASCII " + cutset)
		}
		s[cutset[i]] = true
	}
	return &s
}

// trimLeft is strings.TrimLeft(str, cutset).
func (s *byteSet) trimLeft(str string) string {
	i := 0
	for i < len(str) && s[str[i]] {
		i++
	}
	return str[i:]
}

// trimRight is strings.TrimRight(str, cutset).
func (s *byteSet) trimRight(str string) string {
	i := len(str)
	for i > 0 && s[str[i-1]] {
		i--
	}
	return str[:i]
}

// trim is strings.Trim(str, cutset).
func (s *byteSet) trim(str string) string { return s.trimRight(s.trimLeft(str)) }

var (
	blanksSet    = newByteSet(blanks)
	listSepsSet  = newByteSet(listSeps)
	hashSpaceSet = newByteSet("# ")
	emphasisSet  = newByteSet("*_ \t")
	urlTrailSet  = newByteSet(".:!?")
	hostTrailSet = newByteSet(".!")
)

// seen reports whether a phrase found by an earlier within call lies inside
// text[ws:we], for ws and we inside that call's window. It moves nothing.
func (c *phraseCursor) seen(ws, we int) bool {
	for _, o := range c.occ[c.lo:] {
		if o.end > we {
			break
		}
		if o.start >= ws {
			return true
		}
	}
	return false
}
