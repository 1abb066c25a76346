package marketdata

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/store"
)

// surveyData is one imported survey held in memory, column by column.
type surveyData struct {
	label, importID string

	year   []int16
	sen    []uint8  // domain.SeniorityLevels index
	emp    []uint8  // EmploymentTypes index
	remote []uint8  // remoteKeys index
	res    []uint16 // countries index (employee residence)
	title  []uint16 // titles index
	usd    []float64

	minYear, maxYear int
	countries        []string // residence codes, sorted
	area             []uint8  // countries index → market.Areas index
	titles           []string // lower case
}

// surveyCache holds the surveys of one database, each valid for one
// import (market_sources.import_id).
type surveyCache struct {
	mu      sync.Mutex
	byLabel map[string]*surveyData
}

// caches maps each open database (weakly: a closed and collected DB drops
// its entry) to its survey cache.
var caches sync.Map // weak.Pointer[store.DB] → *surveyCache

func cacheOf(db *store.DB) *surveyCache {
	k := weak.Make(db)
	if c, ok := caches.Load(k); ok {
		return c.(*surveyCache)
	}
	c, loaded := caches.LoadOrStore(k, &surveyCache{byLabel: map[string]*surveyData{}})
	if !loaded {
		runtime.AddCleanup(db, func(k weak.Pointer[store.DB]) { caches.Delete(k) }, k)
	}
	return c.(*surveyCache)
}

// get returns src's answers, reading them when src was imported again
// since they were cached; it drops the surveys no longer in all.
func (c *surveyCache) get(ctx context.Context, db *store.DB, src source, all []source) (*surveyData, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for l := range c.byLabel {
		if !slices.ContainsFunc(all, func(s source) bool { return s.label == l }) {
			delete(c.byLabel, l)
		}
	}
	if d := c.byLabel[src.label]; d != nil && d.importID == src.importID {
		return d, nil
	}
	d, err := loadSurvey(ctx, db, src)
	if err != nil {
		return nil, err
	}
	c.byLabel[src.label] = d
	return d, nil
}

// loadSurvey reads one survey's answers. Rows committed by an import
// after src was read make the cached copy newer than its import id: the
// next request sees the new id and reads them again.
func loadSurvey(ctx context.Context, db *store.DB, src source) (*surveyData, error) {
	rows, err := db.Query(ctx, `SELECT work_year, seniority, employment_type, job_title, salary_in_usd, employee_residence, remote_ratio
FROM market_survey_rows WHERE source = ? ORDER BY line`, src.label)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	d := &surveyData{label: src.label, importID: src.importID}
	countries := map[string]uint16{}
	titles := map[string]uint16{}
	var (
		year, remote    int
		sen, emp, title string
		usd             float64
		res             string
	)
	for rows.Next() {
		if err := rows.Scan(&year, &sen, &emp, &title, &usd, &res, &remote); err != nil {
			return nil, err
		}
		si := slices.Index(domain.SeniorityLevels, sen)
		ei := slices.Index(EmploymentTypes, emp)
		if si < 0 || ei < 0 || year < 0 || year > 9999 {
			continue // not written by ImportSurvey
		}
		ci, ok := countries[res]
		if !ok {
			ci = uint16(len(countries)) // #nosec G115 -- at most 250 countries
			countries[res] = ci
			d.countries = append(d.countries, res)
		}
		lt := strings.ToLower(title)
		ti, ok := titles[lt]
		if !ok {
			if len(titles) == 1<<16 {
				continue // more distinct titles than a survey has
			}
			ti = uint16(len(titles)) // #nosec G115 -- checked above
			titles[lt] = ti
			d.titles = append(d.titles, lt)
		}
		if len(d.usd) == 0 || year < d.minYear {
			d.minYear = year
		}
		d.maxYear = max(d.maxYear, year)
		d.year = append(d.year, int16(year))                  // #nosec G115 -- checked above
		d.sen = append(d.sen, uint8(si))                      // #nosec G115 -- seven levels
		d.emp = append(d.emp, uint8(ei))                      // #nosec G115 -- four types
		d.remote = append(d.remote, uint8(min(remote/50, 2))) // #nosec G115 -- 0, 1 or 2
		d.res = append(d.res, ci)
		d.title = append(d.title, ti)
		d.usd = append(d.usd, usd)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Number countries in code order, so that ties sort by code.
	order := slices.Clone(d.countries)
	slices.Sort(order)
	renum := make([]uint16, len(d.countries))
	for i, c := range d.countries {
		renum[i] = uint16(slices.Index(order, c)) // #nosec G115 -- at most 250 countries
	}
	for i := range d.res {
		d.res[i] = renum[d.res[i]]
	}
	d.countries = order
	d.area = make([]uint8, len(order))
	for i, c := range order {
		d.area[i] = areaOf(c)
	}
	return d, nil
}

// areaOf is the area (market.Areas index) of a residence country: the
// partition postings' "by region" tables use.
func areaOf(country string) uint8 {
	return uint8(slices.Index(market.Areas, market.AreaOfCountry(country))) // #nosec G115 -- ten areas
}

// selector returns the predicate of the answers q selects.
func (d *surveyData) selector(q surveyQuery) func(i int) bool {
	var resOK []bool // by countries index; nil: any
	if q.countries != nil || q.regions != nil {
		resOK = make([]bool, len(d.countries))
		for i, c := range d.countries {
			ok := q.countries == nil || q.countries[c]
			if ok && q.regions != nil {
				ok = slices.ContainsFunc(q.regions, func(r string) bool { return slices.Contains(domain.Regions[r], c) })
			}
			resOK[i] = ok
		}
	}
	var titleOK []bool
	if q.title != "" {
		titleOK = make([]bool, len(d.titles))
		for i, t := range d.titles {
			titleOK[i] = strings.Contains(t, q.title)
		}
	}
	to := 9999
	if q.yearTo > 0 {
		to = q.yearTo
	}
	from, upto := int16(min(max(q.yearFrom, 0), 9999)), int16(min(to, 9999)) // #nosec G115 -- bounded
	return func(i int) bool {
		return d.year[i] >= from && d.year[i] <= upto &&
			(q.seniority == nil || q.seniority[d.sen[i]]) &&
			(q.emp == nil || q.emp[d.emp[i]]) &&
			(!q.remoteOnly || d.remote[i] == 2) &&
			(resOK == nil || resOK[d.res[i]]) &&
			(titleOK == nil || titleOK[d.title[i]])
	}
}
