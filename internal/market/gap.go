package market

import (
	"cmp"
	"slices"
	"time"
)

// MaxGaps is the most skills advised at once.
const MaxGaps = 3

// SkillGaps advises a developer which skills to learn next. eligible are
// the ids of the open postings they may apply to (country and working
// time, as matching decides); known their skills. A posting is reachable
// when the developer has each of its required skills, or a narrower one
// (PostgreSQL covers SQL). Up to limit (at most MaxGaps) skills are
// picked one after the other, each the one that makes the most further
// postings reachable given the ones picked before (ties: the larger
// salary uplift), with the counts and median salaries behind it.
func (m *Model) SkillGaps(known, eligible []string, currency string, limit int, now time.Time) (out SkillGaps, err error) {
	conv, err := newConverter(currency)
	if err != nil {
		return out, err
	}
	if limit <= 0 || limit > MaxGaps {
		limit = MaxGaps
	}
	out = SkillGaps{Currency: conv.currency, Items: []Gap{}}
	m.read(now, func() {
		have := map[uint16]bool{}
		learn := func(i uint16) {
			have[i] = true
			for _, a := range m.tax.ancestors[i] {
				have[a] = true
			}
		}
		for _, id := range known {
			if i, e := m.skillIndex(id); e == nil {
				learn(i)
			}
		}
		// The eligible open postings, each with its required skills.
		type cand struct {
			req    []uint16
			salary float64
			has    bool
		}
		var cands []cand
		for _, id := range eligible {
			o, ok := m.ord[id]
			if !ok || !m.posts[o].open {
				continue
			}
			p := &m.posts[o]
			c := cand{salary: p.salary, has: p.hasSalary}
			for _, s := range p.skills {
				if s.required {
					c.req = append(c.req, s.idx)
				}
			}
			cands = append(cands, c)
		}
		out.Eligible = len(cands)
		reach := make([]bool, len(cands))
		var reachSal []float64
		for ci, c := range cands {
			reach[ci] = true
			for _, r := range c.req {
				if !have[r] {
					reach[ci] = false
					break
				}
			}
			if reach[ci] {
				out.Reachable++
				if c.has {
					reachSal = append(reachSal, c.salary)
				}
			}
		}
		median := func(v []float64) (*float64, int) {
			if len(v) < DefaultMinN {
				return nil, len(v)
			}
			x := conv.of(Quantile(sortedOf(slices.Clone(v)), 0.5))
			return &x, len(v)
		}
		for range limit {
			// Postings one skill away: learning one skill the developer
			// lacks and some posting requires, with the broader skills it
			// covers, gives them every required skill they lack (so
			// PostgreSQL also unlocks the postings asking only for SQL).
			missing := make([][]uint16, len(cands))
			lacked := map[uint16]bool{}
			for ci, c := range cands {
				if reach[ci] {
					continue
				}
				for _, r := range c.req {
					if !have[r] {
						missing[ci] = append(missing[ci], r)
						lacked[r] = true
					}
				}
			}
			coveredBy := map[uint16][]uint16{} // lacked skill → the lacked skills covering it
			for s := range lacked {
				coveredBy[s] = append(coveredBy[s], s)
				for _, a := range m.tax.ancestors[s] {
					if lacked[a] {
						coveredBy[a] = append(coveredBy[a], s)
					}
				}
			}
			unlock := map[uint16][]int{}
			for ci, miss := range missing {
				if len(miss) == 0 {
					continue
				}
				for _, s := range coveredBy[miss[0]] {
					covers := true
					for _, r := range miss[1:] {
						if r != s && !slices.Contains(m.tax.ancestors[s], r) {
							covers = false
							break
						}
					}
					if covers {
						unlock[s] = append(unlock[s], ci)
					}
				}
			}
			if len(unlock) == 0 {
				break
			}
			before, nb := median(reachSal)
			// Only the skills unlocking the most postings can win; the
			// salary uplift (a median each) only breaks their ties.
			most := 0
			for _, adds := range unlock {
				most = max(most, len(adds))
			}
			var best *Gap
			var bestAdds []int
			for s, adds := range unlock {
				if len(adds) < most {
					continue
				}
				after := slices.Clone(reachSal)
				for _, ci := range adds {
					if cands[ci].has {
						after = append(after, cands[ci].salary)
					}
				}
				g := Gap{Skill: m.tax.ids[s], Name: m.tax.name(s), Unlocks: len(adds), Before: countTrue(reach), After: countTrue(reach) + len(adds),
					MedianBefore: before, NBefore: nb}
				g.MedianAfter, g.NAfter = median(after)
				if g.MedianBefore != nil && g.MedianAfter != nil {
					u := *g.MedianAfter - *g.MedianBefore
					g.Uplift = &u
				}
				if best == nil || better(g, *best) {
					best, bestAdds = &g, adds
				}
			}
			out.Items = append(out.Items, *best)
			learn(m.tax.index[best.Skill])
			for _, ci := range bestAdds {
				reach[ci] = true
				if cands[ci].has {
					reachSal = append(reachSal, cands[ci].salary)
				}
			}
		}
	})
	return out, err
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// better ranks advice: more postings unlocked, then a larger uplift, then
// the id.
func better(a, b Gap) bool {
	ua, ub := -1e18, -1e18
	if a.Uplift != nil {
		ua = *a.Uplift
	}
	if b.Uplift != nil {
		ub = *b.Uplift
	}
	return cmp.Or(cmp.Compare(a.Unlocks, b.Unlocks), cmp.Compare(ua, ub), cmp.Compare(b.Skill, a.Skill)) > 0
}
