// Package search is Meridian's job search and matching engine: an
// in-memory index of the live postings, kept current from the event stream
// by a Follower, snapshotted to disk for fast restarts. Each node holds its
// own copy.
//
// Layout (why hand-written: search and matching are Meridian's core, and
// the issue asks for several times Bleve's speed on a 2-core machine):
//   - text: a term dictionary of Snowball stems; per term, the postings'
//     ordinals (ascending) and a weighted term frequency (title ×5,
//     company ×3, description ×1), scored with BM25;
//   - filters and facets: roaring bitmaps per skill, category, seniority,
//     employment type, organization, eligible place, region the posting is
//     open to, working-time rule, salary bucket and publication day;
//   - per-posting columns (skills with level and required flag, salary,
//     dates, places) for scoring, sorting and explanations.
//
// Postings get a new ordinal on every change; the old one is marked dead
// and dropped by a compaction once enough have accumulated.
package search

import (
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/skills"
)

// Field weights of the weighted term frequency.
const (
	titleWeight = 5
	orgWeight   = 3
	descWeight  = 1
)

// worldwideBit marks a worldwide posting in openMask (regions use the low bits).
const worldwideBit = 1 << 31

// Salary buckets: 10,000 USD a year each, the last open-ended.
const (
	salaryBucketUSD = 10000
	salaryBuckets   = 51
)

type term struct {
	text string
	docs []uint32
	tfs  []uint8
	bm   *roaring.Bitmap // docs as a bitmap, once there are bitmapMin of them
	// tdocs are the postings whose title has the term (ascending); tbm
	// the same as a bitmap once there are bitmapMin of them.
	tdocs []uint32
	tbm   *roaring.Bitmap
	// bmN and tbmN are how many of docs and tdocs the bitmaps hold: they
	// are brought up to date once per inserted chunk (AddMany of a sorted
	// run), not per posting; stamp marks the term dirty in this chunk.
	bmN, tbmN int
	stamp     uint32
}

// docSkill is one skill of a posting.
type docSkill struct {
	skill    uint16
	level    uint8
	required bool
}

// Index is the in-memory search index. It is safe for concurrent use.
type Index struct {
	mu  sync.RWMutex
	tax *taxo

	// text
	dict      *dict // stem → term id; shared with analysis workers
	lexicons  sync.Pool
	terms     []term
	deletes   map[string][]uint32 // one-deletion variants → term ids (typos)
	byFirst   map[byte][]uint32   // first letter → alphabetic term ids (2-typo scan)
	sorted    []uint32            // term ids by text (prefixes); rebuilt when stale
	sortedLen int

	// per ordinal
	ids       []string
	ordOf     map[string]uint32
	org       []uint32
	docLen    []uint16
	titleOff  []uint32
	titleToks []uint32
	skillOff  []uint32
	skillList []docSkill
	placeOff  []uint32
	places    []uint16
	seniority []uint8 // rank+1; 0 unknown
	emp       []uint8 // index+1
	published []int64 // unix seconds
	valid     []int64 // unix seconds; 0 none
	salCur    []uint8 // currency index+1; 0 no salary
	salMin    []int64 // annual, minor units of the posting's currency
	salMax    []int64
	usdMin    []float32 // annual USD (major units)
	usdMax    []float32 // the top of the range (Min when only a floor is stated)
	tz        []uint16  // rule id; 0 none
	catMask   []uint32  // skill categories, as bits (for facets)
	openMask  []uint32  // regions open to, as bits; bit 31: worldwide

	totalLen float64 // sum of docLen over live postings
	live     *roaring.Bitmap
	dead     int

	orgIDs   []string
	orgNames []string
	orgIdx   map[string]uint32
	orgDocs  []*roaring.Bitmap

	skillDocs []*roaring.Bitmap // by skill index
	catDocs   []*roaring.Bitmap // by category index
	senDocs   []*roaring.Bitmap // by seniority rank+1 (0 unknown)
	empDocs   []*roaring.Bitmap
	placeDocs []*roaring.Bitmap // by place code: listed in the eligibility
	openDocs  []*roaring.Bitmap // by region index: open to part of it
	tzRules   []domain.TimeZoneRule
	tzKey     map[string]uint16
	tzDocs    []*roaring.Bitmap // by rule id (0: no rule)
	salaried  *roaring.Bitmap
	salBucket [salaryBuckets]*roaring.Bitmap
	days      map[int32]*roaring.Bitmap
	dayList   []int32 // sorted; rebuilt when stale
	daysStale bool
	expiry    expiryHeap
	currency  []string
	position  int64 // event-store position reflected (set by the Follower)
	chunk     uint32
	dirty     []uint32
}

// NewIndex returns an empty index over the shipped skills taxonomy.
func NewIndex() *Index {
	t := defaultTaxo()
	ix := &Index{
		tax:      t,
		dict:     &dict{ids: map[string]uint32{}},
		deletes:  map[string][]uint32{},
		byFirst:  map[byte][]uint32{},
		ordOf:    map[string]uint32{},
		live:     roaring.New(),
		orgIdx:   map[string]uint32{},
		tzKey:    map[string]uint16{"": 0},
		tzRules:  []domain.TimeZoneRule{{}},
		tzDocs:   []*roaring.Bitmap{roaring.New()},
		salaried: roaring.New(),
		days:     map[int32]*roaring.Bitmap{},
	}
	ix.skillDocs = newBitmaps(len(t.ids))
	ix.catDocs = newBitmaps(len(t.categories))
	ix.senDocs = newBitmaps(len(domain.SeniorityLevels) + 1)
	ix.empDocs = newBitmaps(len(domain.EmploymentTypes) + 1)
	ix.placeDocs = newBitmaps(len(places.codes))
	ix.openDocs = newBitmaps(len(places.regions))
	for i := range ix.salBucket {
		ix.salBucket[i] = roaring.New()
	}
	return ix
}

func newBitmaps(n int) []*roaring.Bitmap {
	out := make([]*roaring.Bitmap, n)
	for i := range out {
		out[i] = roaring.New()
	}
	return out
}

// Len returns the number of live postings.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return int(ix.live.GetCardinality()) // #nosec G115 -- a cardinality is at most the number of ordinals, which fits uint32
}

// analyzed is a posting prepared for insertion (outside the lock): its
// terms as dictionary ids with weighted frequencies, its title's terms.
type analyzed struct {
	d     Doc
	terms []uint32
	tfs   []uint16
	title []uint32
	dlen  int
	sal   salaryCols
}

// dict numbers the index's terms. Analysis workers add terms without the
// index lock; the postings for an id appear in Index.terms at insert.
type dict struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	texts []string
}

func (d *dict) lookup(stem string) (uint32, bool) {
	d.mu.RLock()
	id, ok := d.ids[stem]
	d.mu.RUnlock()
	return id, ok
}

func (d *dict) id(stem string) uint32 {
	if id, ok := d.lookup(stem); ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[stem]; ok {
		return id
	}
	id := uint32(len(d.texts)) // #nosec G115 -- term ids: a vocabulary stays far below 2^32
	stem = strings.Clone(stem)
	d.texts = append(d.texts, stem)
	d.ids[stem] = id
	return id
}

func (d *dict) text(id uint32) string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.texts[id]
}

// idLexicon is one analysis worker's cache: surface word → term id (-1
// for a stop word), with a scratch array of counts by term id.
type idLexicon struct {
	m       map[string]int32
	counts  []uint16
	touched []uint32
}

func (ix *Index) lexicon() *idLexicon {
	if l, ok := ix.lexicons.Get().(*idLexicon); ok {
		return l
	}
	return &idLexicon{m: make(map[string]int32, 8192)}
}

func (lx *idLexicon) id(ix *Index, word []byte) int32 {
	if id, ok := lx.m[string(word)]; ok {
		return id
	}
	w := string(word)
	id := int32(-1)
	if !stopWords[w] {
		id = int32(ix.dict.id(stem(w))) // #nosec G115 -- term ids stay far below 2^31 (a vocabulary, not postings)
	}
	if len(lx.m) < 1<<20 {
		lx.m[w] = id
	}
	return id
}

func (lx *idLexicon) add(id uint32, weight uint16) {
	if int(id) >= len(lx.counts) {
		lx.counts = append(lx.counts, make([]uint16, int(id)+1-len(lx.counts)+4096)...)
	}
	if lx.counts[id] == 0 {
		lx.touched = append(lx.touched, id)
	}
	lx.counts[id] = min(lx.counts[id]+weight, math.MaxUint16-titleWeight)
}

func (ix *Index) analyzeDoc(d Doc) analyzed {
	a := analyzed{d: d}
	lx := ix.lexicon()
	defer ix.lexicons.Put(lx)
	field := func(text string, weight uint16, title bool) {
		scanWords(text, func(_, _, _ int, word []byte) {
			id := lx.id(ix, word)
			if id < 0 {
				return
			}
			lx.add(uint32(id), weight)
			a.dlen += int(weight)
			if title {
				a.title = append(a.title, uint32(id))
			}
		})
	}
	field(d.Title, titleWeight, true)
	field(d.OrgName, orgWeight, false)
	field(d.Description, descWeight, false)
	a.terms = make([]uint32, len(lx.touched))
	a.tfs = make([]uint16, len(lx.touched))
	for i, id := range lx.touched {
		a.terms[i], a.tfs[i] = id, lx.counts[id]
		lx.counts[id] = 0
	}
	lx.touched = lx.touched[:0]
	a.sal = salaryOf(d.Salary)
	return a
}

// Put adds a posting or replaces the one with the same ID.
func (ix *Index) Put(d Doc) { ix.PutBatch([]Doc{d}) }

// PutBatch adds or replaces several postings. Large batches are analyzed
// on every core while earlier chunks are inserted, and the write lock is
// taken per chunk so searches keep running during a bulk load.
func (ix *Index) PutBatch(docs []Doc) {
	const chunk = 512
	if len(docs) <= chunk {
		as := make([]analyzed, len(docs))
		for i := range docs {
			as[i] = ix.analyzeDoc(docs[i])
		}
		ix.insertAll(as)
		return
	}
	type job struct {
		as   []analyzed
		done chan struct{}
	}
	work := make(chan job, 4)
	queue := make(chan job, 4)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				for i := range j.as {
					j.as[i] = ix.analyzeDoc(j.as[i].d)
				}
				close(j.done)
			}
		}()
	}
	go func() {
		for lo := 0; lo < len(docs); lo += chunk {
			hi := min(lo+chunk, len(docs))
			j := job{as: make([]analyzed, hi-lo), done: make(chan struct{})}
			for i := range j.as {
				j.as[i].d = docs[lo+i]
			}
			queue <- j // in order, for the inserter
			work <- j
		}
		close(work)
		close(queue)
	}()
	for j := range queue {
		<-j.done
		ix.insertAll(j.as)
	}
	wg.Wait()
}

// maxOrdinals bounds the ordinal space (ordinals are uint32).
const maxOrdinals = math.MaxUint32 - 1

func (ix *Index) insertAll(as []analyzed) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(ix.ids)+len(as) > maxOrdinals {
		ix.compact()
		if len(ix.ids)+len(as) > maxOrdinals {
			panic("search: more than 2^32-1 postings in one index")
		}
	}
	ix.chunk++
	for i := range as {
		ix.insert(&as[i])
		as[i] = analyzed{}
	}
	ix.syncBitmaps()
	ix.maybeCompact()
}

// touch marks a term whose postings grew in this chunk.
func (ix *Index) touch(id uint32) {
	if t := &ix.terms[id]; t.stamp != ix.chunk {
		t.stamp = ix.chunk
		ix.dirty = append(ix.dirty, id)
	}
}

// syncBitmaps brings the dirty terms' bitmaps up to date (caller holds the
// write lock).
func (ix *Index) syncBitmaps() {
	for _, id := range ix.dirty {
		t := &ix.terms[id]
		switch {
		case t.bm != nil:
			t.bm.AddMany(t.docs[t.bmN:])
		case len(t.docs) >= bitmapMin:
			t.bm = roaring.New()
			t.bm.AddMany(t.docs)
		}
		t.bmN = len(t.docs)
		switch {
		case t.tbm != nil:
			t.tbm.AddMany(t.tdocs[t.tbmN:])
		case len(t.tdocs) >= bitmapMin:
			t.tbm = roaring.New()
			t.tbm.AddMany(t.tdocs)
		}
		t.tbmN = len(t.tdocs)
	}
	ix.dirty = ix.dirty[:0]
}

// Remove drops a posting (closed, expired). Unknown ids are ignored.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(id)
	ix.maybeCompact()
}

func (ix *Index) remove(id string) {
	ord, ok := ix.ordOf[id]
	if !ok {
		return
	}
	delete(ix.ordOf, id)
	ix.live.Remove(ord)
	ix.totalLen -= float64(ix.docLen[ord])
	ix.dead++
}

// termID returns the id of a term, adding it when new (caller holds the
// write lock).
func (ix *Index) termID(text string) uint32 {
	id := ix.dict.id(text)
	ix.grow(id)
	return id
}

// grow makes Index.terms cover the dictionary up to id, filing new terms
// for typo and prefix lookups (caller holds the write lock).
func (ix *Index) grow(id uint32) {
	for uint32(len(ix.terms)) <= id { // #nosec G115 -- term ids: a vocabulary stays far below 2^32
		tid := uint32(len(ix.terms)) // #nosec G115 -- term ids: a vocabulary stays far below 2^32
		text := ix.dict.text(tid)
		ix.terms = append(ix.terms, term{text: text})
		if text != "" && isAlpha(text) {
			if len(text) >= 3 {
				for _, v := range deletions(text) {
					ix.deletes[v] = append(ix.deletes[v], tid)
				}
			}
			ix.byFirst[text[0]] = append(ix.byFirst[text[0]], tid)
		}
	}
}

// termOf returns the indexed term with this stem (nil when none).
func (ix *Index) termOf(stem string) (uint32, bool) {
	id, ok := ix.dict.lookup(stem)
	if !ok || int(id) >= len(ix.terms) {
		return 0, false
	}
	return id, true
}

func (ix *Index) insert(a *analyzed) {
	d := &a.d
	ix.remove(d.ID)
	ord := uint32(len(ix.ids)) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
	ix.ids = append(ix.ids, d.ID)
	ix.ordOf[strings.Clone(d.ID)] = ord
	ix.live.Add(ord)

	for i, id := range a.terms {
		tf := a.tfs[i]
		ix.grow(id)
		t := &ix.terms[id]
		t.docs = append(t.docs, ord)
		t.tfs = append(t.tfs, uint8(min(tf, 255)))
		ix.touch(id)
	}
	dl := uint16(min(a.dlen, math.MaxUint16)) // #nosec G115 -- clamped to MaxUint16
	ix.docLen = append(ix.docLen, dl)
	ix.totalLen += float64(dl)
	if len(ix.titleOff) == 0 {
		ix.titleOff = append(ix.titleOff, 0)
		ix.skillOff = append(ix.skillOff, 0)
		ix.placeOff = append(ix.placeOff, 0)
	}
	for i, id := range a.title {
		ix.titleToks = append(ix.titleToks, id)
		if slices.Contains(a.title[:i], id) {
			continue
		}
		t := &ix.terms[id]
		t.tdocs = append(t.tdocs, ord)
		ix.touch(id)
	}
	ix.titleOff = append(ix.titleOff, uint32(len(ix.titleToks))) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)

	// organization
	oi, ok := ix.orgIdx[d.OrgID]
	if !ok {
		oi = uint32(len(ix.orgIDs)) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
		ix.orgIdx[strings.Clone(d.OrgID)] = oi
		ix.orgIDs = append(ix.orgIDs, d.OrgID)
		ix.orgNames = append(ix.orgNames, d.OrgName)
		ix.orgDocs = append(ix.orgDocs, roaring.New())
	} else if d.OrgName != "" {
		ix.orgNames[oi] = d.OrgName
	}
	ix.org = append(ix.org, oi)
	ix.orgDocs[oi].Add(ord)

	// skills and categories
	seenCat := uint32(0)
	for _, s := range d.Skills {
		si, ok := ix.tax.index[s.Skill]
		if !ok {
			continue
		}
		ix.skillList = append(ix.skillList, docSkill{skill: si, level: uint8(max(0, min(s.Level, 5))), required: s.Required})
		ix.skillDocs[si].Add(ord)
		c := ix.tax.category[si]
		if seenCat&(1<<c) == 0 {
			seenCat |= 1 << c
			ix.catDocs[c].Add(ord)
		}
	}
	ix.skillOff = append(ix.skillOff, uint32(len(ix.skillList))) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
	ix.catMask = append(ix.catMask, seenCat)

	sen := uint8(domain.SeniorityRank(d.Seniority) + 1) // #nosec G115 -- a small enum index, -1..len
	ix.seniority = append(ix.seniority, sen)
	ix.senDocs[sen].Add(ord)
	emp := uint8(indexOf(domain.EmploymentTypes, d.EmploymentType) + 1) // #nosec G115 -- a small enum index, -1..len
	ix.emp = append(ix.emp, emp)
	ix.empDocs[emp].Add(ord)

	// eligibility
	var regionsOpen uint32
	for _, code := range d.Eligibility.Places() {
		pi, ok := places.index[code]
		if !ok {
			continue
		}
		ix.places = append(ix.places, pi)
		ix.placeDocs[pi].Add(ord)
		regionsOpen |= places.opens[pi]
	}
	ix.placeOff = append(ix.placeOff, uint32(len(ix.places))) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
	om := regionsOpen
	if d.Eligibility.Worldwide {
		om |= worldwideBit
	}
	ix.openMask = append(ix.openMask, om)
	for r := range places.regions {
		if regionsOpen&(1<<r) != 0 {
			ix.openDocs[r].Add(ord)
		}
	}

	// working time
	ix.tz = append(ix.tz, ix.tzRule(d.TimeZone))
	ix.tzDocs[ix.tz[ord]].Add(ord)

	// salary
	s := a.sal
	ix.salCur = append(ix.salCur, ix.currencyIndex(s.currency))
	ix.salMin = append(ix.salMin, s.min)
	ix.salMax = append(ix.salMax, s.max)
	ix.usdMin = append(ix.usdMin, s.usdMin)
	ix.usdMax = append(ix.usdMax, s.usdMax)
	if s.currency != "" {
		ix.salaried.Add(ord)
		ix.salBucket[salaryBucket(s.usdMax)].Add(ord)
	}

	// dates
	pub := d.PublishedAt.Unix()
	if d.PublishedAt.IsZero() {
		pub = 0
	}
	ix.published = append(ix.published, pub)
	day := int32(pub / 86400)
	b := ix.days[day]
	if b == nil {
		b = roaring.New()
		ix.days[day] = b
		ix.daysStale = true
	}
	b.Add(ord)
	var vt int64
	if !d.ValidThrough.IsZero() {
		vt = d.ValidThrough.Unix()
		ix.expiry.push(expiryItem{at: vt, ord: ord})
	}
	ix.valid = append(ix.valid, vt)
}

func (ix *Index) currencyIndex(cur string) uint8 {
	if cur == "" {
		return 0
	}
	for i, c := range ix.currency {
		if c == cur {
			return uint8(i + 1)
		}
	}
	if len(ix.currency) >= 254 {
		return 0
	}
	ix.currency = append(ix.currency, cur)
	return uint8(len(ix.currency)) // #nosec G115 -- at most 254 currencies (checked above)
}

func (ix *Index) tzRule(r *domain.TimeZoneRule) uint16 {
	if r == nil {
		return 0
	}
	k := ruleKey(r)
	if id, ok := ix.tzKey[k]; ok {
		return id
	}
	if len(ix.tzRules) >= math.MaxUint16 {
		return 0
	}
	id := uint16(len(ix.tzRules)) // #nosec G115 -- at most 65,535 rules (checked above)
	ix.tzKey[k] = id
	ix.tzRules = append(ix.tzRules, *r)
	ix.tzDocs = append(ix.tzDocs, roaring.New())
	return id
}

func salaryBucket(usd float32) int {
	return max(0, min(int(usd/salaryBucketUSD), salaryBuckets-1))
}

func indexOf(set []string, v string) int {
	for i, s := range set {
		if s == v {
			return i
		}
	}
	return -1
}

// sweep removes postings whose validThrough has passed (caller holds the
// write lock).
func (ix *Index) sweep(now time.Time) {
	t := now.Unix()
	for ix.expiry.Len() > 0 && ix.expiry.items[0].at <= t {
		it := ix.expiry.pop()
		if int(it.ord) < len(ix.ids) && ix.live.Contains(it.ord) && ix.valid[it.ord] == it.at {
			ix.remove(ix.ids[it.ord])
		}
	}
}

func (ix *Index) needsSweep(now time.Time) bool {
	return ix.expiry.Len() > 0 && ix.expiry.items[0].at <= now.Unix()
}

// sortedTerms returns term ids sorted by text, for prefix lookups.
func (ix *Index) sortedTerms() []uint32 {
	if ix.sortedLen == len(ix.terms) {
		return ix.sorted
	}
	s := make([]uint32, len(ix.terms))
	for i := range s {
		s[i] = uint32(i)
	}
	sort.Slice(s, func(a, b int) bool { return ix.terms[s[a]].text < ix.terms[s[b]].text })
	ix.sorted, ix.sortedLen = s, len(ix.terms)
	return s
}

func (ix *Index) dayOrder() []int32 {
	if !ix.daysStale && ix.dayList != nil {
		return ix.dayList
	}
	l := make([]int32, 0, len(ix.days))
	for d := range ix.days {
		l = append(l, d)
	}
	sort.Slice(l, func(a, b int) bool { return l[a] < l[b] })
	ix.dayList, ix.daysStale = l, false
	return l
}

// expiryHeap orders postings by validThrough.
type expiryItem struct {
	at  int64
	ord uint32
}

type expiryHeap struct{ items []expiryItem }

func (h *expiryHeap) Len() int { return len(h.items) }

func (h *expiryHeap) push(it expiryItem) {
	h.items = append(h.items, it)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.items[p].at <= h.items[i].at {
			break
		}
		h.items[p], h.items[i] = h.items[i], h.items[p]
		i = p
	}
}

func (h *expiryHeap) pop() expiryItem {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && h.items[l].at < h.items[m].at {
			m = l
		}
		if r < last && h.items[r].at < h.items[m].at {
			m = r
		}
		if m == i {
			break
		}
		h.items[m], h.items[i] = h.items[i], h.items[m]
		i = m
	}
	return top
}

// deletions returns the one-character deletions of w (ASCII letters).
func deletions(w string) []string {
	out := make([]string, 0, len(w))
	for i := 0; i < len(w); i++ {
		out = append(out, w[:i]+w[i+1:])
	}
	return out
}

// taxo is the taxonomy in the index's dense form.
type taxo struct {
	t          *skills.Taxonomy
	ids        []string
	index      map[string]uint16
	category   []uint8
	categories []string
	catIndex   map[string]uint8
	parents    [][]uint16 // ancestors, transitively
	children   [][]uint16 // descendants, transitively
	related    [][]uint16
}

var (
	taxoOnce sync.Once
	taxoVal  *taxo
)

func defaultTaxo() *taxo {
	taxoOnce.Do(func() { taxoVal = newTaxo(skills.Default()) })
	return taxoVal
}

func newTaxo(t *skills.Taxonomy) *taxo {
	d := t.Dense()
	x := &taxo{t: t, ids: d.IDs, index: d.Index, category: d.Category, categories: d.Categories, catIndex: d.CatIndex,
		parents: d.Ancestors, children: make([][]uint16, len(d.IDs)), related: make([][]uint16, len(d.IDs))}
	for i, id := range x.ids {
		for _, ai := range x.parents[i] {
			x.children[ai] = append(x.children[ai], uint16(i)) // #nosec G115 -- skill numbers are uint16 (skills.Dense)
		}
		s, _ := t.Get(id)
		for _, r := range s.Related {
			if ri, ok := x.index[r]; ok {
				x.related[i] = append(x.related[i], ri)
				x.related[ri] = append(x.related[ri], uint16(i)) // #nosec G115 -- as above
			}
		}
	}
	return x
}

func (x *taxo) name(i uint16) string {
	if s, ok := x.t.Get(x.ids[i]); ok {
		return s.Name
	}
	return x.ids[i]
}

// meta returns what the index keeps of a live posting's identity and
// dates (no text): enough to apply an edit that carries the rest.
func (ix *Index) meta(id string) (Doc, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	o, ok := ix.ordOf[id]
	if !ok {
		return Doc{}, false
	}
	d := Doc{ID: id, OrgID: ix.orgIDs[ix.org[o]], PublishedAt: time.Unix(ix.published[o], 0).UTC()}
	if v := ix.valid[o]; v != 0 {
		d.ValidThrough = time.Unix(v, 0).UTC()
	}
	return d, true
}

// idsOfOrg lists an organization's live postings.
func (ix *Index) idsOfOrg(orgID string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	oi, ok := ix.orgIdx[orgID]
	if !ok {
		return nil
	}
	var out []string
	roaring.And(ix.orgDocs[oi], ix.live).Iterate(func(o uint32) bool {
		out = append(out, ix.ids[o])
		return true
	})
	return out
}
