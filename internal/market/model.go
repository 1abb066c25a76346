package market

import (
	"container/heap"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/skills"
)

// Model holds the market aggregates of every posting ever published: a
// read model every node keeps in memory, fed from the event stream.
//
// Why bitmaps rather than counter cubes: figures must be exact for any
// combination of period, place, seniority, skills and status, and a cube
// keyed by all of them would hold millions of mostly empty cells. Instead
// each posting has an ordinal, and the model keeps one compressed bitmap
// per day, skill, category, group, place, seniority, area, organization
// and salary bucket. A change to a posting touches only the bitmaps of
// its own attributes (O(skills + places)); a figure is bitmap algebra
// and cardinalities over the sample, never a pass over the postings.
// Salary percentiles walk the salary buckets of the sample and read exact
// values only inside the one or two buckets a percentile falls in.
type Model struct {
	mu  sync.RWMutex
	pos int64 // last event applied
	tax *taxo

	ord     map[string]uint32 // posting id → ordinal (never reused)
	posts   []posting
	pending map[string]*draft // drafted, not yet published
	orgs    map[string]uint32
	orgIDs  []string

	all, open, salaried, backend, filled *roaring.Bitmap
	// singleCountry: postings open to exactly one country and nothing
	// else, the ones a "by country" salary table files under it.
	singleCountry *roaring.Bitmap

	skillAny, skillReq []*roaring.Bitmap // by taxonomy index
	catAny, catReq     []*roaring.Bitmap // by category index
	groupAny, groupReq []*roaring.Bitmap // by group index
	sen                []*roaring.Bitmap // 0 unspecified, then SeniorityLevels
	place              []*roaring.Bitmap // by placeIndex
	area               []*roaring.Bitmap // by Areas index
	byOrg              []*roaring.Bitmap
	days               map[int32]*roaring.Bitmap
	dayKeys            []int32 // sorted
	buckets            map[int16]*roaring.Bitmap
	bucketKeys         []int16 // sorted

	expiry expiryHeap

	apps     map[string]int32 // application id → index
	appList  []application
	jobApps  map[uint32][]int32
	withApps *roaring.Bitmap
	answered int // applications with a first response (metrics)
}

type draft struct {
	org     string
	details domain.JobDetails
}

// posting is what the model keeps of one posting.
type posting struct {
	day         int32 // posted day (days since 1970-01-01 UTC)
	published   int64 // first publication, unix seconds
	valid       int64 // validThrough, unix seconds (0: none)
	filled      int64 // first hire, unix seconds (0: none)
	salary      float64
	skills      []skillRef
	places      []uint16
	org         uint32
	bucket      int16
	sen         uint8
	area        uint8
	open        bool
	closed      bool // by a close or expiry event (not by time)
	hasSalary   bool
	backendRole bool
}

type skillRef struct {
	idx      uint16
	required bool
}

type application struct {
	job       uint32
	submitted int64
	responded int64 // 0: not yet
	// withdrawn: when the candidate withdrew before any answer (0: not).
	withdrawn int64
}

// NewModel returns an empty model over the default taxonomy.
func NewModel() *Model { return newModel(defaultTaxo()) }

func newModel(t *taxo) *Model {
	m := &Model{tax: t,
		ord: map[string]uint32{}, pending: map[string]*draft{}, orgs: map[string]uint32{},
		all: roaring.New(), open: roaring.New(), salaried: roaring.New(), backend: roaring.New(), filled: roaring.New(), singleCountry: roaring.New(),
		skillAny: make([]*roaring.Bitmap, len(t.ids)), skillReq: make([]*roaring.Bitmap, len(t.ids)),
		catAny: make([]*roaring.Bitmap, len(t.categories)), catReq: make([]*roaring.Bitmap, len(t.categories)),
		groupAny: make([]*roaring.Bitmap, len(t.groups)), groupReq: make([]*roaring.Bitmap, len(t.groups)),
		sen:   make([]*roaring.Bitmap, len(domain.SeniorityLevels)+1),
		place: make([]*roaring.Bitmap, len(places.codes)),
		area:  make([]*roaring.Bitmap, len(Areas)),
		days:  map[int32]*roaring.Bitmap{}, buckets: map[int16]*roaring.Bitmap{},
		apps: map[string]int32{}, jobApps: map[uint32][]int32{}, withApps: roaring.New(),
	}
	return m
}

// Position is the last event position the model has applied.
func (m *Model) Position() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pos
}

// Len is the number of postings ever published.
func (m *Model) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.posts)
}

// bm returns (*slot), creating it.
func bm(slot **roaring.Bitmap) *roaring.Bitmap {
	if *slot == nil {
		*slot = roaring.New()
	}
	return *slot
}

// orNil is b, or an empty bitmap for a slot never filled.
func orEmpty(b *roaring.Bitmap) *roaring.Bitmap {
	if b == nil {
		return empty
	}
	return b
}

var empty = roaring.New()

// Day returns the day number of t (days since 1970-01-01 UTC).
func Day(t time.Time) int32 {
	return int32(math.Floor(float64(t.Unix()) / 86400)) // #nosec G115 -- dates within ±5.8 million years fit
}

// DayTime returns the start of day d.
func DayTime(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// bucketOf files an annual USD amount in a 2 %-wide bucket.
func bucketOf(usd float64) int16 {
	if usd < 1 {
		usd = 1
	}
	return int16(math.Floor(math.Log(usd) / math.Log(1.02))) // #nosec G115 -- 1.02^32767 is far beyond any salary
}

// AnnualMidUSD is the value one posting contributes to salary figures:
// the midpoint of its posted range, annualized and converted to US
// dollars with the shipped rates. A one-sided range counts at its bound.
func AnnualMidUSD(s *domain.Salary) (float64, bool) {
	if s == nil || s.Currency == "" || (s.Min == 0 && s.Max == 0) {
		return 0, false
	}
	lo, hi, err := fields.Annual(*s, "USD", nil)
	if err != nil {
		return 0, false
	}
	if hi == 0 {
		hi = lo
	}
	if lo == 0 {
		lo = hi
	}
	return float64(lo+hi) / 200, true
}

// put files posting o under its attributes (add) or takes it out of them.
func (m *Model) file(o uint32, p *posting, add bool) {
	op := func(b *roaring.Bitmap) {
		if add {
			b.Add(o)
		} else {
			b.Remove(o)
		}
	}
	op(m.all)
	if p.open {
		op(m.open)
	}
	var cats, catsReq, groups, groupsReq uint64 // 25 categories, < 64 groups
	for _, s := range p.skills {
		op(bm(&m.skillAny[s.idx]))
		c := m.tax.category[s.idx]
		cats |= 1 << c
		g := m.tax.groupMask[s.idx]
		groups |= g
		if s.required {
			op(bm(&m.skillReq[s.idx]))
			catsReq |= 1 << c
			groupsReq |= g
		}
	}
	// Categories and groups: each set bit of the masks names a bitmap.
	for _, f := range []struct {
		mask uint64
		bms  []*roaring.Bitmap
	}{{cats, m.catAny}, {catsReq, m.catReq}, {groups, m.groupAny}, {groupsReq, m.groupReq}} {
		for i := range f.bms {
			if f.mask&(1<<i) != 0 {
				op(bm(&f.bms[i]))
			}
		}
	}
	op(bm(&m.sen[p.sen]))
	for _, pl := range p.places {
		op(bm(&m.place[pl]))
	}
	op(bm(&m.area[p.area]))
	for int(p.org) >= len(m.byOrg) {
		m.byOrg = append(m.byOrg, nil)
	}
	op(bm(&m.byOrg[p.org]))
	d := m.days[p.day]
	if d == nil {
		d = roaring.New()
		m.days[p.day] = d
		i, _ := slices.BinarySearch(m.dayKeys, p.day)
		m.dayKeys = slices.Insert(m.dayKeys, i, p.day)
	}
	op(d)
	if p.hasSalary {
		op(m.salaried)
		b := m.buckets[p.bucket]
		if b == nil {
			b = roaring.New()
			m.buckets[p.bucket] = b
			i, _ := slices.BinarySearch(m.bucketKeys, p.bucket)
			m.bucketKeys = slices.Insert(m.bucketKeys, i, p.bucket)
		}
		op(b)
	}
	if p.backendRole {
		op(m.backend)
	}
	if len(p.places) == 1 && domain.IsCountry(places.codes[p.places[0]]) {
		op(m.singleCountry)
	}
	if p.filled != 0 {
		op(m.filled)
	}
}

// describe turns a posting's details into what the model keeps.
func (m *Model) describe(p *posting, org string, d *domain.JobDetails) {
	p.org = m.orgIndex(org)
	p.skills = p.skills[:0]
	seen := map[uint16]bool{}
	for _, s := range d.Skills {
		i, ok := m.tax.index[s.Skill]
		if !ok || seen[i] {
			continue
		}
		seen[i] = true
		p.skills = append(p.skills, skillRef{idx: i, required: s.Required})
	}
	p.sen = 0
	if i := slices.Index(domain.SeniorityLevels, d.Seniority); i >= 0 {
		p.sen = uint8(i + 1) // #nosec G115 -- seven levels
	}
	p.places = p.places[:0]
	for _, code := range d.Eligibility.Places() {
		if i, ok := places.index[strings.ToUpper(code)]; ok && !slices.Contains(p.places, i) {
			p.places = append(p.places, i)
		}
	}
	p.area = areaOf(d.Eligibility)
	p.salary, p.hasSalary = AnnualMidUSD(d.Salary)
	p.bucket = 0
	if p.hasSalary {
		p.bucket = bucketOf(p.salary)
	}
	p.backendRole = BackendRole(d.Title, d.Skills)
	if !d.ValidThrough.IsZero() {
		p.valid = d.ValidThrough.Unix()
	}
}

func (m *Model) orgIndex(id string) uint32 {
	if i, ok := m.orgs[id]; ok {
		return i
	}
	i := uint32(len(m.orgIDs)) // #nosec G115 -- fewer organizations than postings, and postings are bounded by uint32 ordinals
	m.orgs[id] = i
	m.orgIDs = append(m.orgIDs, id)
	return i
}

// postedDay dates a posting: by the source's posting date when it has one
// no later than the publication, else by the publication.
func postedDay(d *domain.JobDetails, published time.Time) int32 {
	if !d.PostedAt.IsZero() && !d.PostedAt.After(published) {
		return Day(d.PostedAt)
	}
	return Day(published)
}

// publish adds a drafted posting, or reopens a known one.
func (m *Model) publish(id string, at time.Time, validThrough time.Time) {
	if o, ok := m.ord[id]; ok {
		p := &m.posts[o]
		p.closed = false
		if !p.open {
			p.open = true
			m.open.Add(o)
		}
		p.valid = 0
		if !validThrough.IsZero() {
			p.valid = validThrough.Unix()
			heap.Push(&m.expiry, expiryItem{at: p.valid, ord: o})
		}
		return
	}
	dr, ok := m.pending[id]
	if !ok {
		return // published without a draft we saw: nothing to file
	}
	delete(m.pending, id)
	o := uint32(len(m.posts)) // #nosec G115 -- checked by the caller's ordinal bound
	p := posting{day: postedDay(&dr.details, at), published: at.Unix(), open: true}
	m.describe(&p, dr.org, &dr.details)
	if !validThrough.IsZero() {
		p.valid = validThrough.Unix()
	}
	m.posts = append(m.posts, p)
	m.ord[id] = o
	m.file(o, &m.posts[o], true)
	if p.valid != 0 {
		heap.Push(&m.expiry, expiryItem{at: p.valid, ord: o})
	}
}

// update re-files a published posting after an edit.
func (m *Model) update(id string, d domain.JobDetails) {
	if dr, ok := m.pending[id]; ok {
		dr.details = d
		return
	}
	o, ok := m.ord[id]
	if !ok {
		return
	}
	p := &m.posts[o]
	m.file(o, p, false)
	org := m.orgIDs[p.org]
	valid := p.valid
	m.describe(p, org, &d)
	if d.ValidThrough.IsZero() {
		p.valid = valid
	} else if p.valid != valid {
		heap.Push(&m.expiry, expiryItem{at: p.valid, ord: o})
		// A read may have expired the posting by its old validThrough
		// while the model was catching up with this earlier edit: reopen
		// it, and the next read closes it again if the new one has passed.
		p.open = !p.closed
	}
	// The posted day does not move: an edit is not a new posting.
	m.file(o, p, true)
}

// close takes a posting out of the open ones (closed or expired).
func (m *Model) close(id string) {
	delete(m.pending, id)
	if o, ok := m.ord[id]; ok {
		m.posts[o].closed = true
		if m.posts[o].open {
			m.posts[o].open = false
			m.open.Remove(o)
		}
	}
}

// expire closes postings whose validThrough has passed by now.
func (m *Model) expire(now int64) {
	for len(m.expiry) > 0 && m.expiry[0].at <= now {
		it := heap.Pop(&m.expiry).(expiryItem)
		p := &m.posts[it.ord]
		if p.open && p.valid == it.at {
			p.open = false
			m.open.Remove(it.ord)
		}
	}
}

func (m *Model) needsExpiry(now int64) bool {
	return len(m.expiry) > 0 && m.expiry[0].at <= now
}

// submit records an application.
func (m *Model) submit(appID, jobID string, at time.Time) {
	o, ok := m.ord[jobID]
	if !ok {
		return
	}
	if _, dup := m.apps[appID]; dup {
		return
	}
	i := int32(len(m.appList)) // #nosec G115 -- fewer than 2^31 applications per node
	m.apps[appID] = i
	m.appList = append(m.appList, application{job: o, submitted: at.Unix()})
	m.jobApps[o] = append(m.jobApps[o], i)
	m.withApps.Add(o)
}

// stage records an application's move: the employer's first move answers
// it; the first hire fills the posting.
func (m *Model) stage(appID, to string, at time.Time) {
	i, ok := m.apps[appID]
	if !ok {
		return
	}
	a := &m.appList[i]
	if a.responded == 0 && a.withdrawn == 0 && to == domain.StageWithdrawn {
		a.withdrawn = at.Unix()
	}
	if a.responded == 0 && a.withdrawn == 0 && to != domain.StageWithdrawn {
		a.responded = at.Unix()
		m.answered++
	}
	if to == domain.StageHired {
		p := &m.posts[a.job]
		if p.filled == 0 || at.Unix() < p.filled {
			p.filled = at.Unix()
			m.filled.Add(a.job)
		}
	}
}

// Areas partition the world for "by region" salary tables and premium
// strata: each posting falls in exactly one. MULTI: open to several areas
// but not worldwide.
var Areas = []string{domain.Worldwide, "NORTH_AMERICA", "LATAM", "EUROPE", "MENA", "AFRICA", "APAC", "OCEANIA", "MULTI", "OTHER"}

// AreaNames are the areas' display names.
var AreaNames = map[string]string{domain.Worldwide: "Worldwide", "NORTH_AMERICA": "North America (US, CA)", "LATAM": "Latin America",
	"EUROPE": "Europe", "MENA": "Middle East and North Africa", "AFRICA": "Sub-Saharan Africa", "APAC": "Asia-Pacific",
	"OCEANIA": "Oceania", "MULTI": "Several areas", "OTHER": "Elsewhere"}

// countryArea maps each country to its area: the first of these regions
// that holds it (so Mexico is Latin America, Australia Oceania, Egypt MENA).
var countryArea = func() map[string]uint8 {
	order := []string{"LATAM", "NORTH_AMERICA", "EUROPE", "MENA", "AFRICA", "OCEANIA", "APAC"}
	out := map[string]uint8{}
	for _, r := range order {
		ai := uint8(slices.Index(Areas, r)) // #nosec G115 -- ten areas
		for _, c := range domain.Regions[r] {
			if _, ok := out[c]; !ok {
				out[c] = ai
			}
		}
	}
	return out
}()

// AreaOfCountry returns the area a country is in (OTHER for codes of no
// area), for sources filed by one country, such as survey answers.
func AreaOfCountry(c string) string {
	if a, ok := countryArea[strings.ToUpper(c)]; ok {
		return Areas[a]
	}
	return "OTHER"
}

// regionArea maps region codes to an area (EU, EEA → Europe); regions
// spanning areas (EMEA, AMERICAS) count as several.
var regionArea = map[string]string{"EU": "EUROPE", "EEA": "EUROPE", "EUROPE": "EUROPE", "NORTH_AMERICA": "NORTH_AMERICA",
	"LATAM": "LATAM", "APAC": "APAC", "MENA": "MENA", "AFRICA": "AFRICA", "OCEANIA": "OCEANIA"}

func areaOf(e domain.Eligibility) uint8 {
	idx := func(a string) uint8 { return uint8(slices.Index(Areas, a)) } // #nosec G115 -- ten areas
	if e.Worldwide {
		return idx(domain.Worldwide)
	}
	found := -1
	add := func(a int) bool {
		if found >= 0 && found != a {
			return false
		}
		found = a
		return true
	}
	for _, c := range e.Countries {
		a, ok := countryArea[strings.ToUpper(c)]
		if !ok {
			a = idx("OTHER")
		}
		if !add(int(a)) {
			return idx("MULTI")
		}
	}
	for _, r := range e.Regions {
		a, ok := regionArea[strings.ToUpper(r)]
		if !ok || !add(slices.Index(Areas, a)) {
			return idx("MULTI")
		}
	}
	if found < 0 {
		return idx("OTHER")
	}
	return uint8(found) // #nosec G115 -- ten areas
}

// placeTable numbers eligibility codes (WW, countries, regions).
type placeTable struct {
	codes []string
	index map[string]uint16
	// within[r]: the places that open a posting to at least part of
	// region r (WW, its countries, regions sharing a country with it).
	within map[string][]uint16
}

var places = func() placeTable {
	p := placeTable{index: map[string]uint16{}, within: map[string][]uint16{}}
	add := func(code string) {
		p.index[code] = uint16(len(p.codes)) // #nosec G115 -- about 300 codes
		p.codes = append(p.codes, code)
	}
	add(domain.Worldwide)
	for _, c := range domain.Countries() {
		add(c)
	}
	var regions []string
	for r := range domain.Regions {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, r := range regions {
		add(r)
	}
	for _, r := range regions {
		in := map[string]bool{}
		for _, c := range domain.Regions[r] {
			in[c] = true
		}
		w := []uint16{p.index[domain.Worldwide]}
		for _, c := range domain.Regions[r] {
			if i, ok := p.index[c]; ok {
				w = append(w, i)
			}
		}
		for _, r2 := range regions {
			for _, c := range domain.Regions[r2] {
				if in[c] {
					w = append(w, p.index[r2])
					break
				}
			}
		}
		p.within[r] = w
	}
	return p
}()

// taxo is the taxonomy in the model's dense form.
type taxo struct {
	t          *skills.Taxonomy
	ids        []string
	index      map[string]uint16
	category   []uint8
	categories []string
	catIndex   map[string]uint8
	groups     []string
	groupIndex map[string]uint8
	groupMask  []uint64 // by skill: the groups it belongs to
	ancestors  [][]uint16
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
		ancestors: d.Ancestors, groupIndex: map[string]uint8{}}
	for _, g := range t.Groups() {
		x.groupIndex[g.ID] = uint8(len(x.groups)) // #nosec G115 -- a handful of groups (checked below)
		x.groups = append(x.groups, g.ID)
	}
	if len(x.groups) > 64 || len(x.categories) > 64 {
		panic("market: more than 64 skill groups or categories")
	}
	for _, id := range x.ids {
		s, _ := t.Get(id)
		var g uint64
		for _, gid := range s.Groups {
			g |= 1 << x.groupIndex[gid]
		}
		x.groupMask = append(x.groupMask, g)
	}
	return x
}

func (t *taxo) name(i uint16) string {
	if s, ok := t.t.Get(t.ids[i]); ok {
		return s.Name
	}
	return t.ids[i]
}

type expiryItem struct {
	at  int64
	ord uint32
}

// expiryHeap is a min-heap of validThrough times (container/heap).
type expiryHeap []expiryItem

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryItem)) }
func (h *expiryHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
