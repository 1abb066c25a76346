package skills

// Dense numbers a taxonomy for packages that keep skills in compact
// columns and bitmaps (the search index, the market model): skills
// 0..n-1 in taxonomy order, categories in Categories order (then any
// others, in order of first use), each skill's category number and its
// ancestors' numbers. The numbering is stable for a given taxonomy, so
// snapshots may store it.
type Dense struct {
	IDs        []string
	Index      map[string]uint16
	Category   []uint8 // by skill
	Categories []string
	CatIndex   map[string]uint8
	// Ancestors: by skill, its parents, their parents and so on (itself
	// excluded).
	Ancestors [][]uint16
}

// Dense returns the taxonomy's dense numbering (computed once).
func (t *Taxonomy) Dense() *Dense {
	t.denseOnce.Do(func() { t.dense = newDense(t) })
	return t.dense
}

func newDense(t *Taxonomy) *Dense {
	d := &Dense{Index: map[string]uint16{}, CatIndex: map[string]uint8{}}
	for _, c := range Categories {
		d.CatIndex[c] = uint8(len(d.Categories)) // #nosec G115 -- 25 categories
		d.Categories = append(d.Categories, c)
	}
	for _, s := range t.Skills() {
		d.Index[s.ID] = uint16(len(d.IDs)) // #nosec G115 -- the taxonomy has about 1,200 skills
		d.IDs = append(d.IDs, s.ID)
		c, ok := d.CatIndex[s.Category]
		if !ok {
			c = uint8(len(d.Categories)) // #nosec G115 -- categories are a short fixed list
			d.CatIndex[s.Category] = c
			d.Categories = append(d.Categories, s.Category)
		}
		d.Category = append(d.Category, c)
	}
	d.Ancestors = make([][]uint16, len(d.IDs))
	for i, id := range d.IDs {
		for _, a := range t.Ancestors(id) {
			if ai, ok := d.Index[a]; ok && int(ai) != i {
				d.Ancestors[i] = append(d.Ancestors[i], ai)
			}
		}
	}
	return d
}
