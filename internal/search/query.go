package search

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
)

// BM25 parameters.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
	// skillBonus is what having a skill the query names adds, as a
	// fraction of the unit's best text score (at least skillFloor).
	skillFloor = 2.0
	// phraseBoost multiplies the score of a posting whose title holds the
	// query's words in order.
	phraseBoost = 1.5
)

// cursor is a position in a sorted result list.
type cursor struct {
	key float64
	id  string
}

func encodeCursor(sortBy string, key float64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("s1|" + sortBy + "|" + strconv.FormatFloat(key, 'g', -1, 64) + "|" + id))
}

func decodeCursor(s, sortBy string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, invalid("cursor", "malformed")
	}
	parts := strings.SplitN(string(b), "|", 4)
	if len(parts) != 4 || parts[0] != "s1" {
		return nil, invalid("cursor", "malformed")
	}
	if parts[1] != sortBy {
		return nil, invalid("cursor", "was made for sort %q, not %q", parts[1], sortBy)
	}
	k, err := strconv.ParseFloat(parts[2], 64)
	if err != nil || math.IsNaN(k) {
		return nil, invalid("cursor", "malformed")
	}
	return &cursor{key: k, id: parts[3]}, nil
}

// after reports whether (key, id) comes after the cursor in result order
// (higher keys first, then ids ascending).
func (c *cursor) after(key float64, id string) bool {
	return c == nil || key < c.key || (key == c.key && id > c.id)
}

// Search runs q against the postings live at now.
func (ix *Index) Search(q Query, now time.Time) (Result, error) {
	c, err := Compile(q)
	if err != nil {
		return Result{}, err
	}
	return ix.Run(c, now), nil
}

// expire removes postings whose validThrough has passed.
func (ix *Index) expire(now time.Time) {
	ix.mu.RLock()
	need := ix.needsSweep(now)
	ix.mu.RUnlock()
	if need {
		ix.mu.Lock()
		ix.sweep(now)
		ix.mu.Unlock()
	}
}

// Run executes a compiled query.
func (ix *Index) Run(c *Compiled, now time.Time) Result {
	ix.expire(now)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	m := ix.filter(c, now)
	var plans []unitPlan
	if len(c.units) > 0 {
		plans = ix.plan(c)
		m = ix.textMatch(plans, m)
	}
	res := Result{Total: int(m.GetCardinality()), Hits: []Hit{}} // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
	var cands []cand
	switch c.sort {
	case SortRelevance:
		if len(c.units) == 0 {
			cands = ix.topBy(m, c, ix.newestKey, ix.dayBuckets)
		} else if allCommon(plans) {
			cands = ix.topLevels(m, c, plans)
		} else {
			cands = ix.topRelevance(m, c, plans)
		}
	case SortNewest:
		cands = ix.topBy(m, c, ix.newestKey, ix.dayBuckets)
	case SortSalary:
		cands = ix.topBy(m, c, ix.salaryKey, ix.salaryBucketsDesc)
	}
	for _, cd := range cands {
		h := Hit{ID: ix.ids[cd.ord], Salary: ix.moneyOf(cd.ord, c.q.Currency)}
		if c.sort == SortRelevance && len(c.units) > 0 {
			h.Score = math.Round(cd.key*1000) / 1000
			if allCommon(plans) {
				h.Score = math.Floor(cd.key/levelKey) * titleBonus
			}
			h.Terms = ix.explainTerms(c, cd.ord)
		}
		res.Hits = append(res.Hits, h)
	}
	if len(cands) == c.limit {
		last := cands[len(cands)-1]
		res.NextCursor = encodeCursor(c.sort, last.key, ix.ids[last.ord])
	}
	if c.q.Facets {
		res.Facets = ix.facets(m, c)
	}
	return res
}

// filter returns the live postings that pass every non-text filter. The
// result may be an index bitmap: callers must not modify it.
func (ix *Index) filter(c *Compiled, now time.Time) *roaring.Bitmap {
	parts := []*roaring.Bitmap{ix.live}
	for _, s := range c.all {
		parts = append(parts, ix.skillDocs[s])
	}
	or := func(idx []uint16, from []*roaring.Bitmap) *roaring.Bitmap {
		bs := make([]*roaring.Bitmap, 0, len(idx))
		for _, i := range idx {
			bs = append(bs, from[i])
		}
		return roaring.FastOr(bs...)
	}
	if len(c.anyOf) > 0 {
		parts = append(parts, or(c.anyOf, ix.skillDocs))
	}
	if len(c.cats) > 0 {
		idx := make([]uint16, len(c.cats))
		for i, ci := range c.cats {
			idx[i] = uint16(ci)
		}
		parts = append(parts, or(idx, ix.catDocs))
	}
	bits := func(mask uint16, from []*roaring.Bitmap) *roaring.Bitmap {
		var idx []uint16
		for i := range from {
			if mask&(1<<i) != 0 {
				idx = append(idx, uint16(i))
			}
		}
		return or(idx, from)
	}
	if c.sen != 0 {
		parts = append(parts, bits(c.sen, ix.senDocs))
	}
	if c.emp != 0 {
		parts = append(parts, bits(c.emp, ix.empDocs))
	}
	if c.q.OrgID != "" {
		if oi, ok := ix.orgIdx[c.q.OrgID]; ok {
			parts = append(parts, ix.orgDocs[oi])
		} else {
			return roaring.New()
		}
	}
	if c.country != "" {
		idx := []uint16{places.index["WW"], places.index[c.country]}
		for i, r := range places.regions {
			if strings.Contains(" "+places.members[r]+" ", " "+c.country+" ") {
				idx = append(idx, places.index[r])
				_ = i
			}
		}
		parts = append(parts, or(idx, ix.placeDocs))
	}
	if c.region >= 0 {
		parts = append(parts, ix.openDocs[c.region])
	}
	if c.work != nil {
		idx := []uint16{0}
		for id := 1; id < len(ix.tzRules); id++ {
			ok, hours, _ := tzCheck(&ix.tzRules[id], *c.work, now)
			if ok && hours+1e-9 >= c.q.MinOverlapHours {
				idx = append(idx, uint16(id))
			}
		}
		parts = append(parts, or(idx, ix.tzDocs))
	}
	if c.minUSD > 0 {
		b := salaryBucket(c.minUSD)
		above := roaring.FastOr(ix.salBucket[b+min(1, salaryBuckets-1-b):]...)
		if b == salaryBuckets-1 {
			above = roaring.New()
		}
		ix.salBucket[b].Iterate(func(o uint32) bool {
			if ix.usdMax[o] >= c.minUSD {
				above.Add(o)
			}
			return true
		})
		if c.q.IncludeNoSalary {
			above.Or(roaring.AndNot(ix.live, ix.salaried))
		}
		parts = append(parts, above)
	}
	if c.since != 0 {
		day := int32(c.since / 86400) // #nosec G115 -- days since 1970 fit int32 for any valid time
		var bs []*roaring.Bitmap
		edge := roaring.New()
		for _, d := range ix.dayOrder() {
			switch {
			case d > day:
				bs = append(bs, ix.days[d])
			case d == day:
				ix.days[d].Iterate(func(o uint32) bool {
					if ix.published[o] >= c.since {
						edge.Add(o)
					}
					return true
				})
			}
		}
		parts = append(parts, roaring.FastOr(append(bs, edge)...))
	}
	if len(parts) == 1 {
		return ix.live
	}
	return roaring.FastAnd(parts...)
}

// source is one posting list a query word matches, with its weight.
type source struct {
	t      *term
	weight float64
	idf    float64
	factor float64 // weight·idf·(k1+1), set when scoring
	pos    int
}

// wordSources returns the terms a query word matches.
func (ix *Index) wordSources(w qword) []source {
	var out []source
	seen := map[uint32]bool{}
	add := func(id uint32, weight float64) {
		if seen[id] || weight == 0 {
			return
		}
		seen[id] = true
		t := &ix.terms[id]
		out = append(out, source{t: t, weight: weight})
	}
	if id, ok := ix.termOf(w.stem); ok {
		add(id, 1)
	}
	if w.prefix {
		st := ix.sortedTerms()
		// The typed word, not its stem, is the prefix: "apple" must not
		// complete to "application" through the stem "appl".
		p := w.word
		i := sort.Search(len(st), func(i int) bool { return ix.terms[st[i]].text >= p })
		for ; i < len(st) && strings.HasPrefix(ix.terms[st[i]].text, p); i++ {
			add(st[i], wordMatch(w, ix.terms[st[i]].text))
		}
	}
	switch w.typos {
	case 1:
		for _, v := range append(deletions(w.stem), w.stem) {
			for _, id := range ix.deletes[v] {
				add(id, wordMatch(w, ix.terms[id].text))
			}
			if id, ok := ix.termOf(v); ok {
				add(id, wordMatch(w, ix.terms[id].text))
			}
		}
	case 2:
		for _, id := range ix.byFirst[w.stem[0]] {
			if !seen[id] {
				add(id, wordMatch(w, ix.terms[id].text))
			}
		}
	}
	return out
}

// bitmapMin is the posting-list length from which a term keeps a bitmap
// of its postings (shorter lists are turned into one per query).
const bitmapMin = 4096

func docsBitmap(t *term) *roaring.Bitmap {
	if t.bm != nil {
		return t.bm
	}
	b := roaring.New()
	b.AddMany(t.docs)
	return b
}

func amount(v int64) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unitPlan is a unit resolved against the index.
type unitPlan struct {
	words [][]source // per word
	skill int
	// common: every word of the unit is on at least commonShare of the
	// postings (and the unit names no skill). Such a word cannot tell
	// postings apart, so it filters, and only counts when in the title.
	common bool
}

// commonShare and commonMin: a word on this share of the postings (of an
// index of at least commonMin) is common.
const (
	commonShare = 0.25
	commonMin   = 100
	// titleBonus is what a common word in the title adds.
	titleBonus = 2.0
	// levelKey separates the title-hit levels of an all-common query in
	// its sort key (above any Unix time).
	levelKey = 1e10
)

// titleHits returns the postings whose title has the unit's words (each
// word through any of its sources).
func (ix *Index) titleHits(u *unitPlan) *roaring.Bitmap {
	var words []*roaring.Bitmap
	for _, srcs := range u.words {
		bs := make([]*roaring.Bitmap, 0, len(srcs))
		for _, s := range srcs {
			if s.t.tbm != nil {
				bs = append(bs, s.t.tbm)
			} else {
				b := roaring.New()
				b.AddMany(s.t.tdocs)
				bs = append(bs, b)
			}
		}
		words = append(words, roaring.FastOr(bs...))
	}
	if len(words) == 1 {
		return words[0]
	}
	return roaring.FastAnd(words...)
}

func (ix *Index) plan(c *Compiled) []unitPlan {
	out := make([]unitPlan, len(c.units))
	n := float64(ix.live.GetCardinality())
	for i, u := range c.units {
		out[i].skill = u.skill
		common := true
		for _, w := range u.words {
			srcs := ix.wordSources(w)
			// One idf per word, from its most frequent expansion: a rare
			// misspelling or prefix completion must not outrank the word
			// itself (the blended scoring of fuzzy queries).
			df := 0.0
			for j := range srcs {
				df = max(df, float64(len(srcs[j].t.docs)))
			}
			for j := range srcs {
				srcs[j].idf = math.Log(1 + (n-df+0.5)/(df+0.5))
			}
			out[i].words = append(out[i].words, srcs)
			if df < commonShare*n || n < commonMin {
				common = false
			}
		}
		out[i].common = common && u.skill < 0
	}
	return out
}

// textMatch narrows m to the postings that satisfy every text unit.
func (ix *Index) textMatch(plans []unitPlan, m *roaring.Bitmap) *roaring.Bitmap {
	parts := []*roaring.Bitmap{m}
	for _, u := range plans {
		var words []*roaring.Bitmap
		for _, srcs := range u.words {
			bs := make([]*roaring.Bitmap, 0, len(srcs))
			for _, s := range srcs {
				bs = append(bs, docsBitmap(s.t))
			}
			words = append(words, roaring.FastOr(bs...))
		}
		ub := roaring.FastAnd(words...)
		if len(words) == 1 {
			ub = words[0]
		}
		if u.skill >= 0 {
			ub = roaring.Or(ub, ix.skillDocs[u.skill])
		}
		parts = append(parts, ub)
	}
	return roaring.FastAnd(parts...)
}

type cand struct {
	ord uint32
	key float64
}

// topHeap keeps the best limit candidates (higher key, then lower id).
type topHeap struct {
	ix    *Index
	items []cand
	limit int
}

func (h *topHeap) worse(a, b cand) bool { // a ranks below b
	if a.key != b.key {
		return a.key < b.key
	}
	return h.ix.ids[a.ord] > h.ix.ids[b.ord]
}

func (h *topHeap) offer(c cand) {
	if len(h.items) < h.limit {
		h.items = append(h.items, c)
		for i := len(h.items) - 1; i > 0; {
			p := (i - 1) / 2
			if !h.worse(h.items[i], h.items[p]) {
				break
			}
			h.items[i], h.items[p] = h.items[p], h.items[i]
			i = p
		}
		return
	}
	if !h.worse(h.items[0], c) {
		return
	}
	h.items[0] = c
	for i := 0; ; {
		l, r, s := 2*i+1, 2*i+2, i
		if l < len(h.items) && h.worse(h.items[l], h.items[s]) {
			s = l
		}
		if r < len(h.items) && h.worse(h.items[r], h.items[s]) {
			s = r
		}
		if s == i {
			break
		}
		h.items[i], h.items[s] = h.items[s], h.items[i]
		i = s
	}
}

func (h *topHeap) full() bool { return len(h.items) == h.limit }

func (h *topHeap) sorted() []cand {
	out := append([]cand(nil), h.items...)
	sort.Slice(out, func(i, j int) bool { return h.worse(out[j], out[i]) })
	return out
}

func (ix *Index) newestKey(o uint32) float64 { return float64(ix.published[o]) }

func (ix *Index) salaryKey(o uint32) float64 {
	if ix.salCur[o] == 0 {
		return -1
	}
	return float64(ix.usdMax[o])
}

// dayBuckets yields the publication-day bitmaps, newest first.
func (ix *Index) dayBuckets(yield func(*roaring.Bitmap) bool) {
	days := ix.dayOrder()
	for i := len(days) - 1; i >= 0; i-- {
		if !yield(ix.days[days[i]]) {
			return
		}
	}
}

// salaryBucketsDesc yields salary buckets, highest first, then the
// postings without a salary.
func (ix *Index) salaryBucketsDesc(yield func(*roaring.Bitmap) bool) {
	for i := salaryBuckets - 1; i >= 0; i-- {
		if !yield(ix.salBucket[i]) {
			return
		}
	}
	yield(roaring.AndNot(ix.live, ix.salaried))
}

// topBy returns a page of m ordered by key, walking buckets that are
// already in key order so only the first few need looking at.
func (ix *Index) topBy(m *roaring.Bitmap, c *Compiled, key func(uint32) float64, buckets func(func(*roaring.Bitmap) bool)) []cand {
	h := &topHeap{ix: ix, limit: c.limit}
	buckets(func(b *roaring.Bitmap) bool {
		if !b.Intersects(m) {
			return true
		}
		roaring.And(b, m).Iterate(func(o uint32) bool {
			k := key(o)
			if c.cursor.after(k, ix.ids[o]) {
				h.offer(cand{o, k})
			}
			return true
		})
		return !h.full()
	})
	return h.sorted()
}

// topRelevance scores every posting in m and keeps the best page, on
// every core when m is large.
func (ix *Index) topRelevance(m *roaring.Bitmap, c *Compiled, plans []unitPlan) []cand {
	n := ix.live.GetCardinality()
	avg := 1.0
	if n > 0 {
		avg = ix.totalLen / float64(n)
	}
	var phrase []uint32
	var phraseCand []uint32 // postings of m whose title has the phrase's first term
	if len(c.phrase) > 1 {
		if phrase = ix.phraseIDs(c.phrase); phrase != nil {
			t := &ix.terms[phrase[0]]
			if t.tbm != nil {
				phraseCand = roaring.And(t.tbm, m).ToArray()
			} else {
				for _, o := range t.tdocs {
					if m.Contains(o) {
						phraseCand = append(phraseCand, o)
					}
				}
			}
		}
	}
	// Postings of m that have each unit's skill, ascending.
	withSkill := make([][]uint32, len(plans))
	inTitle := make([][]uint32, len(plans)) // common units: postings with a title hit
	for i := range plans {
		u := &plans[i]
		if u.skill >= 0 {
			withSkill[i] = roaring.And(ix.skillDocs[u.skill], m).ToArray()
		}
		if u.common {
			inTitle[i] = roaring.And(ix.titleHits(u), m).ToArray()
		}
	}
	parts := partition(m, 40000)
	heaps := make([]*topHeap, parts)
	inParallel(parts, func(p int) {
		h := &topHeap{ix: ix, limit: c.limit}
		heaps[p] = h
		// Each part walks its own copy of the posting-list cursors, with
		// the per-source factor weight·idf·(k1+1) precomputed.
		local := make([]unitPlan, len(plans))
		for i, u := range plans {
			local[i].skill = u.skill
			local[i].common = u.common
			for _, srcs := range u.words {
				srcs = append([]source(nil), srcs...)
				for si := range srcs {
					srcs[si].factor = srcs[si].weight * srcs[si].idf * (bm25K1 + 1)
				}
				local[i].words = append(local[i].words, srcs)
			}
		}
		skillPos := make([]int, len(plans))
		titlePos := make([]int, len(plans))
		phrasePos := 0
		// norm = k1·(1 − b + b·len/avg) = na + nb·len
		na, nb := bm25K1*(1-bm25B), bm25K1*bm25B/avg
		for batch := range rankBatches(m, p, parts) {
			for _, o := range batch {
				norm := na + nb*float64(ix.docLen[o])
				score := 0.0
				for ui := range local {
					u := &local[ui]
					if u.common {
						ts := inTitle[ui]
						k := titlePos[ui]
						for k < len(ts) && ts[k] < o {
							k++
						}
						titlePos[ui] = k
						if k < len(ts) && ts[k] == o {
							// What a saturated BM25 title hit would give.
							score += u.words[0][0].idf * (bm25K1 + 1)
						}
						continue
					}
					us := 0.0
					for wi := range u.words {
						best := 0.0
						srcs := u.words[wi]
						for si := range srcs {
							s := &srcs[si]
							if tf, ok := s.seek(o); ok {
								f := float64(tf)
								best = max(best, s.factor*f/(f+norm))
							}
						}
						us += best
					}
					if ws := withSkill[ui]; ws != nil {
						k := skillPos[ui]
						for k < len(ws) && ws[k] < o {
							k++
						}
						skillPos[ui] = k
						if k < len(ws) && ws[k] == o {
							us += max(skillFloor, us*0.5)
						}
					}
					score += us
				}
				for phrasePos < len(phraseCand) && phraseCand[phrasePos] < o {
					phrasePos++
				}
				if phrasePos < len(phraseCand) && phraseCand[phrasePos] == o && ix.titleHas(o, phrase) {
					score *= phraseBoost
				}
				if h.full() && score < h.items[0].key {
					continue // cannot enter the page
				}
				if c.cursor == nil || c.cursor.after(score, ix.ids[o]) {
					h.offer(cand{o, score})
				}
			}
		}
	})
	h := heaps[0]
	for _, o := range heaps[1:] {
		for _, cd := range o.items {
			h.offer(cd)
		}
	}
	return h.sorted()
}

func allCommon(plans []unitPlan) bool {
	for _, u := range plans {
		if !u.common {
			return false
		}
	}
	return len(plans) > 0
}

// topLevels ranks a query of common words only: postings by how many of
// the words their title has, then newest first. Each level is a bitmap,
// walked by publication day, so only the first page's worth is visited.
func (ix *Index) topLevels(m *roaring.Bitmap, c *Compiled, plans []unitPlan) []cand {
	// levels[j]: postings of m with exactly j title hits.
	levels := []*roaring.Bitmap{m}
	for i := range plans {
		t := ix.titleHits(&plans[i])
		next := make([]*roaring.Bitmap, len(levels)+1)
		for j := range next {
			var parts []*roaring.Bitmap
			if j < len(levels) {
				parts = append(parts, roaring.AndNot(levels[j], t))
			}
			if j > 0 {
				parts = append(parts, roaring.And(levels[j-1], t))
			}
			next[j] = roaring.FastOr(parts...)
		}
		levels = next
	}
	h := &topHeap{ix: ix, limit: c.limit}
	for j := len(levels) - 1; j >= 0 && !h.full(); j-- {
		lvl := float64(j) * levelKey
		ix.dayBuckets(func(b *roaring.Bitmap) bool {
			if !b.Intersects(levels[j]) {
				return true
			}
			roaring.And(b, levels[j]).Iterate(func(o uint32) bool {
				k := lvl + float64(ix.published[o])
				if c.cursor.after(k, ix.ids[o]) {
					h.offer(cand{o, k})
				}
				return true
			})
			return !h.full()
		})
	}
	return h.sorted()
}

// seek advances the source to the first posting ≥ o and returns its term
// frequency if it is o. Callers visit ordinals in ascending order.
func (s *source) seek(o uint32) (uint8, bool) {
	d := s.t.docs
	if s.pos >= len(d) {
		return 0, false
	}
	if d[s.pos] < o {
		// gallop, then binary search
		step := 1
		lo := s.pos
		hi := s.pos + step
		for hi < len(d) && d[hi] < o {
			lo = hi
			step *= 2
			hi = s.pos + step
		}
		hi = min(hi, len(d))
		s.pos = lo + sort.Search(hi-lo, func(i int) bool { return d[lo+i] >= o })
	}
	if s.pos < len(d) && d[s.pos] == o {
		return s.t.tfs[s.pos], true
	}
	return 0, false
}

func (ix *Index) hasSkill(o uint32, s uint16) bool {
	for _, ds := range ix.skillList[ix.skillOff[o]:ix.skillOff[o+1]] {
		if ds.skill == s {
			return true
		}
	}
	return false
}

// phraseIDs returns the term ids of the phrase's stems (nil if one is not
// in the index: no title can hold it).
func (ix *Index) phraseIDs(phrase []string) []uint32 {
	ids := make([]uint32, len(phrase))
	for i, p := range phrase {
		id, ok := ix.termOf(p)
		if !ok {
			return nil
		}
		ids[i] = id
	}
	return ids
}

// titleHas reports whether the posting's title holds the terms in order.
func (ix *Index) titleHas(o uint32, ids []uint32) bool {
	toks := ix.titleToks[ix.titleOff[o]:ix.titleOff[o+1]]
outer:
	for i := 0; i+len(ids) <= len(toks); i++ {
		for j := range ids {
			if toks[i+j] != ids[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

// explainTerms says how a hit matched each text unit.
func (ix *Index) explainTerms(c *Compiled, o uint32) []string {
	var out []string
	for _, u := range c.units {
		if u.skill >= 0 && ix.hasSkill(o, uint16(u.skill)) { // #nosec G115 -- u.skill is a taxonomy index (checked >= 0, below len(ids))
			out = append(out, fmt.Sprintf("%s (skill %s)", joinWords(u.words), ix.tax.ids[u.skill]))
			continue
		}
		for _, w := range u.words {
			for _, s := range ix.wordSources(w) {
				if _, ok := s.seek(o); ok {
					how := ""
					switch {
					case s.t.text == w.stem:
					case s.weight == 0.8:
						how = " (prefix)"
					default:
						how = " (typo)"
					}
					out = append(out, w.word+"→"+s.t.text+how)
					break
				}
			}
		}
	}
	return out
}

func joinWords(ws []qword) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.word
	}
	return strings.Join(parts, " ")
}

// facetTop is how many skills the skills facet lists.
const facetTop = 20

// scanFacetsMax: up to this many matches, facets are counted by reading
// each match's columns (cheaper than intersecting the match set with a
// thousand skill bitmaps); above it, by bitmap intersections.
var scanFacetsMax uint64 = 200000

func (ix *Index) facets(m *roaring.Bitmap, c *Compiled) *Facets {
	var f *Facets
	if m.GetCardinality() <= scanFacetsMax {
		f = ix.facetsByScan(m, c)
	} else {
		f = ix.facetsByBitmaps(m, c)
	}
	for _, l := range [][]FacetCount{f.Skills, f.Categories, f.Seniority} {
		sortFacet(l)
	}
	if len(f.Regions) > 0 && f.Regions[0].Value == domain.Worldwide {
		sortFacet(f.Regions[1:])
	} else {
		sortFacet(f.Regions)
	}
	return f
}

// sortFacet orders by count, then value.
func sortFacet(l []FacetCount) {
	sort.Slice(l, func(a, b int) bool {
		if l[a].Count != l[b].Count {
			return l[a].Count > l[b].Count
		}
		return l[a].Value < l[b].Value
	})
}

type facetCounts struct {
	skills, cats, regions []int
	sen                   [8]int
	ww                    int
	bands                 []int // by band, then unstated
}

// facetsByScan counts facets from the matches' columns, on every core for
// large sets.
func (ix *Index) facetsByScan(m *roaring.Bitmap, c *Compiled) *Facets {
	edges, usd := bandEdges(c.q.Currency)
	parts := partition(m, 30000)
	counts := make([]facetCounts, parts)
	inParallel(parts, func(p int) {
		fc := &counts[p]
		fc.skills, fc.cats, fc.regions = make([]int, len(ix.tax.ids)), make([]int, len(ix.tax.categories)), make([]int, len(places.regions))
		fc.bands = make([]int, len(edges)+2)
		for batch := range rankBatches(m, p, parts) {
			for _, o := range batch {
				for _, ds := range ix.skillList[ix.skillOff[o]:ix.skillOff[o+1]] {
					fc.skills[ds.skill]++
				}
				for cats := ix.catMask[o]; cats != 0; {
					b := bits.TrailingZeros32(cats)
					fc.cats[b]++
					cats &^= 1 << b
				}
				fc.sen[ix.seniority[o]]++
				open := ix.openMask[o]
				if open&worldwideBit != 0 {
					fc.ww++
					open &^= worldwideBit
				}
				for open != 0 {
					b := bits.TrailingZeros32(open)
					fc.regions[b]++
					open &^= 1 << b
				}
				if ix.salCur[o] == 0 {
					fc.bands[len(edges)+1]++
				} else {
					band := 0
					for band < len(usd) && ix.usdMax[o] >= float32(usd[band]) {
						band++
					}
					fc.bands[band]++
				}
			}
		}
	})
	sum := counts[0]
	for _, fc := range counts[1:] {
		for i, v := range fc.skills {
			sum.skills[i] += v
		}
		for i, v := range fc.cats {
			sum.cats[i] += v
		}
		for i, v := range fc.regions {
			sum.regions[i] += v
		}
		for i, v := range fc.sen {
			sum.sen[i] += v
		}
		for i, v := range fc.bands {
			sum.bands[i] += v
		}
		sum.ww += fc.ww
	}
	f := &Facets{Skills: []FacetCount{}, Categories: []FacetCount{}, Seniority: []FacetCount{}, Regions: []FacetCount{}, SalaryBands: []FacetCount{}}
	for i, n := range sum.skills {
		if n > 0 {
			f.Skills = append(f.Skills, FacetCount{Value: ix.tax.ids[i], Count: n})
		}
	}
	sortFacet(f.Skills)
	if len(f.Skills) > facetTop {
		f.Skills = f.Skills[:facetTop]
	}
	for i, n := range sum.cats {
		if n > 0 {
			f.Categories = append(f.Categories, FacetCount{Value: ix.tax.categories[i], Count: n})
		}
	}
	names := append([]string{"unstated"}, seniorityNames()...)
	for i, n := range sum.sen[:len(names)] {
		if n > 0 {
			f.Seniority = append(f.Seniority, FacetCount{Value: names[i], Count: n})
		}
	}
	if sum.ww > 0 {
		f.Regions = append(f.Regions, FacetCount{Value: domain.Worldwide, Count: sum.ww})
	}
	for i, n := range sum.regions {
		if n > 0 {
			f.Regions = append(f.Regions, FacetCount{Value: places.regions[i], Count: n})
		}
	}
	for i := range sum.bands[:len(edges)+1] {
		f.SalaryBands = append(f.SalaryBands, FacetCount{Value: bandLabel(edges, i, c.q.Currency), Count: sum.bands[i]})
	}
	f.SalaryBands = append(f.SalaryBands, FacetCount{Value: "unstated", Count: sum.bands[len(edges)+1]})
	return f
}

// bandEdges returns the salary band boundaries in cur and in USD.
func bandEdges(cur string) (edges, usd []float64) {
	f := usdPerUnit(cur)
	edges = make([]float64, len(bandEdgesUSD))
	usd = make([]float64, len(bandEdgesUSD))
	for i, e := range bandEdgesUSD {
		edges[i] = niceRound(e / f)
		usd[i] = edges[i] * f
	}
	return edges, usd
}

// bandLabel names band i (0: below the first edge; len(edges): above the last).
func bandLabel(edges []float64, i int, cur string) string {
	switch {
	case i == 0:
		return fmt.Sprintf("<%s %s", amount(int64(edges[0])), cur)
	case i == len(edges):
		return fmt.Sprintf("%s+ %s", amount(int64(edges[i-1])), cur)
	}
	return fmt.Sprintf("%s–%s %s", amount(int64(edges[i-1])), amount(int64(edges[i])), cur)
}

func (ix *Index) facetsByBitmaps(m *roaring.Bitmap, c *Compiled) *Facets {
	f := &Facets{Skills: []FacetCount{}, Categories: []FacetCount{}, Seniority: []FacetCount{}, Regions: []FacetCount{}, SalaryBands: []FacetCount{}}
	// Skills: visit skills by overall frequency; a skill whose overall
	// count cannot beat the current 20th best is not counted (exact).
	order := make([]int, len(ix.skillDocs))
	df := make([]uint64, len(ix.skillDocs))
	for i := range order {
		order[i] = i
		df[i] = ix.skillDocs[i].GetCardinality()
	}
	sort.Slice(order, func(a, b int) bool { return df[order[a]] > df[order[b]] })
	var counted []FacetCount
	var best []int // the facetTop highest counts, descending
	for _, s := range order {
		// A skill on fewer postings overall than the current 20th count
		// cannot enter the list (equal counts still can: ties go by id).
		if df[s] == 0 || (len(best) == facetTop && df[s] < uint64(best[facetTop-1])) { // #nosec G115 -- counts are non-negative
			break
		}
		n := int(m.AndCardinality(ix.skillDocs[s])) // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
		if n == 0 {
			continue
		}
		counted = append(counted, FacetCount{Value: ix.tax.ids[s], Count: n})
		best = append(best, n)
		sort.Sort(sort.Reverse(sort.IntSlice(best)))
		if len(best) > facetTop {
			best = best[:facetTop]
		}
	}
	sortFacet(counted)
	f.Skills = append(f.Skills, counted[:min(len(counted), facetTop)]...)
	count := func(values []string, bs []*roaring.Bitmap, offset int) []FacetCount {
		out := []FacetCount{}
		for i, b := range bs {
			if i < offset {
				continue
			}
			if n := int(m.AndCardinality(b)); n > 0 { // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
				out = append(out, FacetCount{Value: values[i-offset], Count: n})
			}
		}
		sort.SliceStable(out, func(a, b int) bool { return out[a].Count > out[b].Count })
		return out
	}
	f.Categories = count(ix.tax.categories, ix.catDocs, 0)
	f.Seniority = count(append([]string{"unstated"}, seniorityNames()...), ix.senDocs, 0)
	f.Regions = count(places.regions, ix.openDocs, 0)
	if n := int(m.AndCardinality(ix.placeDocs[places.index["WW"]])); n > 0 { // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
		f.Regions = append([]FacetCount{{Value: "WW", Count: n}}, f.Regions...)
	}
	f.SalaryBands = ix.salaryBands(m, c.q.Currency)
	return f
}

func seniorityNames() []string {
	return []string{"intern", "junior", "mid", "senior", "lead", "staff", "principal"}
}

// bandEdgesUSD are the salary band boundaries in US dollars a year; other
// currencies get the converted amounts rounded to two significant digits.
var bandEdgesUSD = []float64{50000, 100000, 150000, 200000}

func niceRound(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v))-1)
	return math.Round(v/p) * p
}

func (ix *Index) salaryBands(m *roaring.Bitmap, cur string) []FacetCount {
	var perBucket [salaryBuckets]int
	for i, b := range ix.salBucket {
		perBucket[i] = int(m.AndCardinality(b)) // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
	}
	// atLeast counts postings in m whose top of range is ≥ usd.
	atLeast := func(usd float64) int {
		b := salaryBucket(float32(usd))
		n := 0
		for i := b + 1; i < salaryBuckets; i++ {
			n += perBucket[i]
		}
		roaring.And(ix.salBucket[b], m).Iterate(func(o uint32) bool {
			if ix.usdMax[o] >= float32(usd) {
				n++
			}
			return true
		})
		return n
	}
	edges, usd := bandEdges(cur)
	total := 0
	for _, n := range perBucket {
		total += n
	}
	var out []FacetCount
	prev := total
	for i := range edges {
		n := atLeast(usd[i])
		out = append(out, FacetCount{Value: bandLabel(edges, i, cur), Count: prev - n})
		prev = n
	}
	out = append(out, FacetCount{Value: bandLabel(edges, len(edges), cur), Count: prev})
	out = append(out, FacetCount{Value: "unstated", Count: int(m.GetCardinality()) - total}) // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
	return out
}
