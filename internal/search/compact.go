package search

import "github.com/RoaringBitmap/roaring/v2"

// maybeCompact drops dead ordinals once they are a fifth of all (and at
// least 1,000), renumbering the live postings in order (caller holds the
// write lock).
func (ix *Index) maybeCompact() {
	if ix.dead < 1000 || ix.dead*5 < len(ix.ids) {
		return
	}
	ix.compact()
}

func (ix *Index) compact() {
	n := len(ix.ids)
	remap := make([]int32, n)
	next := int32(0)
	for o := 0; o < n; o++ {
		if ix.live.Contains(uint32(o)) {
			remap[o] = next
			next++
		} else {
			remap[o] = -1
		}
	}
	mapBitmap := func(b *roaring.Bitmap) *roaring.Bitmap {
		out := roaring.New()
		buf := make([]uint32, 0, 256)
		b.Iterate(func(o uint32) bool {
			if r := remap[o]; r >= 0 {
				buf = append(buf, uint32(r))
				if len(buf) == cap(buf) {
					out.AddMany(buf)
					buf = buf[:0]
				}
			}
			return true
		})
		out.AddMany(buf)
		return out
	}
	mapAll := func(bs []*roaring.Bitmap) {
		for i, b := range bs {
			bs[i] = mapBitmap(b)
		}
	}
	for i := range ix.terms {
		t := &ix.terms[i]
		k := 0
		for j, o := range t.docs {
			if r := remap[o]; r >= 0 {
				t.docs[k], t.tfs[k] = uint32(r), t.tfs[j]
				k++
			}
		}
		t.docs, t.tfs = append([]uint32(nil), t.docs[:k]...), append([]uint8(nil), t.tfs[:k]...)
		t.bm = nil
		if k >= bitmapMin {
			t.bm = roaring.New()
			t.bm.AddMany(t.docs)
		}
		t.bmN = len(t.docs)
		k = 0
		for _, o := range t.tdocs {
			if r := remap[o]; r >= 0 {
				t.tdocs[k] = uint32(r)
				k++
			}
		}
		t.tdocs = append([]uint32(nil), t.tdocs[:k]...)
		t.tbm = nil
		if k >= bitmapMin {
			t.tbm = roaring.New()
			t.tbm.AddMany(t.tdocs)
		}
		t.tbmN = len(t.tdocs)
	}
	mapAll(ix.orgDocs)
	mapAll(ix.skillDocs)
	mapAll(ix.catDocs)
	mapAll(ix.senDocs)
	mapAll(ix.empDocs)
	mapAll(ix.placeDocs)
	mapAll(ix.openDocs)
	mapAll(ix.tzDocs)
	mapAll(ix.salBucket[:])
	ix.salaried = mapBitmap(ix.salaried)
	for d, b := range ix.days {
		nb := mapBitmap(b)
		if nb.IsEmpty() {
			delete(ix.days, d)
			ix.daysStale = true
			continue
		}
		ix.days[d] = nb
	}
	ix.live = mapBitmap(ix.live)

	// per-ordinal columns
	var (
		titleOff  = []uint32{0}
		titleToks []uint32
		skillOff  = []uint32{0}
		skillList []docSkill
		placeOff  = []uint32{0}
		plc       []uint16
	)
	keep := func(o int) bool { return remap[o] >= 0 }
	for o := 0; o < n; o++ {
		if !keep(o) {
			continue
		}
		titleToks = append(titleToks, ix.titleToks[ix.titleOff[o]:ix.titleOff[o+1]]...)
		titleOff = append(titleOff, uint32(len(titleToks))) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
		skillList = append(skillList, ix.skillList[ix.skillOff[o]:ix.skillOff[o+1]]...)
		skillOff = append(skillOff, uint32(len(skillList))) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
		plc = append(plc, ix.places[ix.placeOff[o]:ix.placeOff[o+1]]...)
		placeOff = append(placeOff, uint32(len(plc))) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
	}
	ix.titleOff, ix.titleToks, ix.skillOff, ix.skillList, ix.placeOff, ix.places = titleOff, titleToks, skillOff, skillList, placeOff, plc
	ix.ids = compactCol(ix.ids, keep)
	ix.org = compactCol(ix.org, keep)
	ix.docLen = compactCol(ix.docLen, keep)
	ix.seniority = compactCol(ix.seniority, keep)
	ix.emp = compactCol(ix.emp, keep)
	ix.published = compactCol(ix.published, keep)
	ix.valid = compactCol(ix.valid, keep)
	ix.salCur = compactCol(ix.salCur, keep)
	ix.salMin = compactCol(ix.salMin, keep)
	ix.salMax = compactCol(ix.salMax, keep)
	ix.usdMin = compactCol(ix.usdMin, keep)
	ix.usdMax = compactCol(ix.usdMax, keep)
	ix.tz = compactCol(ix.tz, keep)
	ix.catMask = compactCol(ix.catMask, keep)
	ix.openMask = compactCol(ix.openMask, keep)
	for id := range ix.ordOf {
		ix.ordOf[id] = uint32(remap[ix.ordOf[id]]) // #nosec G115 -- remap entries used here are non-negative ordinals
	}
	var items []expiryItem
	for _, it := range ix.expiry.items {
		if r := remap[it.ord]; r >= 0 {
			items = append(items, expiryItem{at: it.at, ord: uint32(r)})
		}
	}
	ix.expiry = expiryHeap{}
	for _, it := range items {
		ix.expiry.push(it)
	}
	ix.dead = 0
}

func compactCol[T any](col []T, keep func(int) bool) []T {
	out := make([]T, 0, len(col))
	for i, v := range col {
		if keep(i) {
			out = append(out, v)
		}
	}
	return out
}
