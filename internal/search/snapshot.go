package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/meridianhq/meridian/internal/domain"
)

// The snapshot is Meridian's own binary layout (why: gob encodes large
// integer slices element by element, which made a million-posting restart
// take several seconds): a magic and version, then every structure as
// length-prefixed little-endian arrays, strings and roaring bitmaps in
// their portable format. Lookup maps are rebuilt on load.

const (
	snapshotMagic = "MERIDIAN-SEARCH"
	// 4: postings are dated as their pages show them (Follower.doc), so a
	// snapshot from 3 is rebuilt rather than keep import-time dates.
	snapshotVersion = 4
	// maxSnapshotLen bounds any one length read back, so a damaged file
	// cannot make Load allocate without limit.
	maxSnapshotLen = 1 << 31
)

// ErrStaleSnapshot is returned by Load for a snapshot written by another
// layout or taxonomy version: the caller rebuilds instead.
var ErrStaleSnapshot = errors.New("search snapshot is from another version")

// Position returns the event-store position the index reflects.
func (ix *Index) Position() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.position
}

// SetPosition records the event-store position the index reflects.
func (ix *Index) SetPosition(p int64) {
	ix.mu.Lock()
	ix.position = p
	ix.mu.Unlock()
}

type snapWriter struct {
	w   *bufio.Writer
	buf []byte
	err error
}

func (s *snapWriter) write(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

func (s *snapWriter) uint(v uint64) {
	s.buf = binary.AppendUvarint(s.buf[:0], v)
	s.write(s.buf)
}

func (s *snapWriter) str(v string) {
	s.uint(uint64(len(v)))
	if s.err == nil {
		_, s.err = s.w.WriteString(v)
	}
}

func (s *snapWriter) strs(v []string) {
	s.uint(uint64(len(v)))
	for _, x := range v {
		s.str(x)
	}
}

// array writes a slice of fixed-size numbers as raw little-endian bytes,
// in chunks.
func array[T uint8 | uint16 | uint32 | int64 | float32](s *snapWriter, v []T) {
	s.uint(uint64(len(v)))
	const chunk = 1 << 14
	for lo := 0; lo < len(v) && s.err == nil; lo += chunk {
		b := s.buf[:0]
		for _, x := range v[lo:min(lo+chunk, len(v))] {
			switch x := any(x).(type) {
			case uint8:
				b = append(b, x)
			case uint16:
				b = binary.LittleEndian.AppendUint16(b, x)
			case uint32:
				b = binary.LittleEndian.AppendUint32(b, x)
			case int64:
				b = binary.LittleEndian.AppendUint64(b, uint64(x)) // #nosec G115 -- bit-pattern round trip of an int64 column
			case float32:
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
			}
		}
		s.buf = b
		s.write(b)
	}
}

func (s *snapWriter) bitmap(b *roaring.Bitmap) {
	data, err := b.ToBytes()
	if err != nil && s.err == nil {
		s.err = err
	}
	s.uint(uint64(len(data)))
	s.write(data)
}

func (s *snapWriter) bitmaps(bs []*roaring.Bitmap) {
	s.uint(uint64(len(bs)))
	for _, b := range bs {
		s.bitmap(b)
	}
}

// Save writes a snapshot of the index (with its position).
func (ix *Index) Save(w io.Writer) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := &snapWriter{w: bufio.NewWriterSize(w, 1<<20)}
	s.str(snapshotMagic)
	s.uint(snapshotVersion)
	s.str(ix.tax.t.Version)
	s.uint(uint64(ix.position)) // #nosec G115 -- non-negative counters round-tripped through the snapshot
	s.uint(uint64(ix.dead))     // #nosec G115 -- non-negative counters round-tripped through the snapshot
	s.uint(math.Float64bits(ix.totalLen))
	s.uint(uint64(len(ix.terms)))
	for i := range ix.terms {
		t := &ix.terms[i]
		s.str(t.text)
		array(s, t.docs)
		array(s, t.tfs)
		array(s, t.tdocs)
	}
	s.strs(ix.ids)
	array(s, ix.org)
	array(s, ix.docLen)
	array(s, ix.titleOff)
	array(s, ix.titleToks)
	array(s, ix.skillOff)
	packed := make([]uint32, len(ix.skillList))
	for i, ds := range ix.skillList {
		v := uint32(ds.skill)<<16 | uint32(ds.level)<<8
		if ds.required {
			v |= 1
		}
		packed[i] = v
	}
	array(s, packed)
	array(s, ix.placeOff)
	array(s, ix.places)
	array(s, ix.seniority)
	array(s, ix.emp)
	array(s, ix.published)
	array(s, ix.valid)
	array(s, ix.salCur)
	array(s, ix.salMin)
	array(s, ix.salMax)
	array(s, ix.usdMin)
	array(s, ix.usdMax)
	array(s, ix.tz)
	array(s, ix.catMask)
	array(s, ix.openMask)
	s.bitmap(ix.live)
	s.strs(ix.orgIDs)
	s.strs(ix.orgNames)
	s.bitmaps(ix.orgDocs)
	s.bitmaps(ix.skillDocs)
	s.bitmaps(ix.catDocs)
	s.bitmaps(ix.senDocs)
	s.bitmaps(ix.empDocs)
	s.bitmaps(ix.placeDocs)
	s.bitmaps(ix.openDocs)
	rules := make([]string, len(ix.tzRules))
	for i, r := range ix.tzRules {
		b, err := json.Marshal(r) // pointers to a zero offset must survive
		if err != nil {
			return err
		}
		rules[i] = string(b)
	}
	s.strs(rules)
	s.bitmaps(ix.tzDocs)
	s.bitmap(ix.salaried)
	s.bitmaps(ix.salBucket[:])
	days := make([]int32, 0, len(ix.days))
	for d := range ix.days {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	s.uint(uint64(len(days)))
	for _, d := range days {
		s.uint(uint64(uint32(d))) // #nosec G115 -- day numbers round-tripped through their uint32 bit pattern
		s.bitmap(ix.days[d])
	}
	s.strs(ix.currency)
	s.str(snapshotMagic) // trailer: a truncated file is detected
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

type snapReader struct {
	r   *bufio.Reader
	buf []byte
	err error
}

func (s *snapReader) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

func (s *snapReader) uint() uint64 {
	if s.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(s.r)
	s.fail(err)
	return v
}

func (s *snapReader) length() int {
	n := s.uint()
	if n > maxSnapshotLen {
		s.fail(errors.New("length out of range"))
		return 0
	}
	return int(n)
}

func (s *snapReader) bytes(n int) []byte {
	if s.err != nil {
		return nil
	}
	if n > 1<<20 {
		// A large length is only believed as the data arrives: a damaged
		// length must not allocate gigabytes up front.
		var bb bytes.Buffer
		_, err := io.CopyN(&bb, s.r, int64(n))
		s.fail(err)
		return bb.Bytes()
	}
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	b := s.buf[:n]
	_, err := io.ReadFull(s.r, b)
	s.fail(err)
	return b
}

func (s *snapReader) str() string { return string(s.bytes(s.length())) }

func (s *snapReader) strs() []string {
	n := s.length()
	if s.err != nil {
		return nil
	}
	out := make([]string, 0, min(n, 1<<12))
	for i := 0; i < n && s.err == nil; i++ {
		out = append(out, s.str())
	}
	return out
}

func readArray[T uint8 | uint16 | uint32 | int64 | float32](s *snapReader) []T {
	n := s.length()
	if s.err != nil {
		return nil
	}
	var zero T
	size := 0
	switch any(zero).(type) {
	case uint8:
		size = 1
	case uint16:
		size = 2
	case uint32, float32:
		size = 4
	case int64:
		size = 8
	}
	out := make([]T, 0, min(n, 1<<16))
	const chunk = 1 << 14
	for lo := 0; lo < n && s.err == nil; lo += chunk {
		m := min(chunk, n-lo)
		b := s.bytes(m * size)
		if s.err != nil {
			break
		}
		for i := 0; i < m; i++ {
			var v T
			switch p := any(&v).(type) {
			case *uint8:
				*p = b[i]
			case *uint16:
				*p = binary.LittleEndian.Uint16(b[2*i:])
			case *uint32:
				*p = binary.LittleEndian.Uint32(b[4*i:])
			case *int64:
				*p = int64(binary.LittleEndian.Uint64(b[8*i:])) // #nosec G115 -- bit-pattern round trip of an int64 column
			case *float32:
				*p = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
			out = append(out, v)
		}
	}
	return out
}

func (s *snapReader) bitmap() *roaring.Bitmap {
	b := roaring.New()
	data := s.bytes(s.length())
	if s.err == nil {
		s.fail(b.UnmarshalBinary(data))
	}
	return b
}

func (s *snapReader) bitmaps(want int) []*roaring.Bitmap {
	n := s.length()
	if s.err == nil && want >= 0 && n != want {
		s.fail(ErrStaleSnapshot)
	}
	out := make([]*roaring.Bitmap, 0, min(n, 1<<12))
	for i := 0; i < n && s.err == nil; i++ {
		out = append(out, s.bitmap())
	}
	return out
}

// Load reads a snapshot written by Save.
func Load(r io.Reader) (*Index, error) {
	s := &snapReader{r: bufio.NewReaderSize(r, 1<<20)}
	ix := NewIndex()
	if s.str() != snapshotMagic || s.err != nil {
		return nil, fmt.Errorf("read search snapshot: not a Meridian search snapshot")
	}
	if v := s.uint(); v != snapshotVersion || s.str() != ix.tax.t.Version {
		return nil, ErrStaleSnapshot
	}
	ix.position = int64(s.uint()) // #nosec G115 -- non-negative counters round-tripped through the snapshot
	ix.dead = int(s.uint())       // #nosec G115 -- non-negative counters round-tripped through the snapshot
	ix.totalLen = math.Float64frombits(s.uint())
	nterms := s.length()
	for i := 0; i < nterms && s.err == nil; i++ {
		text := s.str()
		if text == "" || ix.dict.id(text) != uint32(i) {
			s.fail(errors.New("empty or repeated term"))
			break
		}
		id := ix.termID(text)
		t := &ix.terms[id]
		t.docs, t.tfs, t.tdocs = readArray[uint32](s), readArray[uint8](s), readArray[uint32](s)
		if len(t.docs) >= bitmapMin {
			t.bm = roaring.New()
			t.bm.AddMany(t.docs)
		}
		t.bmN = len(t.docs)
		if len(t.tdocs) >= bitmapMin {
			t.tbm = roaring.New()
			t.tbm.AddMany(t.tdocs)
		}
		t.tbmN = len(t.tdocs)
	}
	ix.ids = s.strs()
	ix.org, ix.docLen = readArray[uint32](s), readArray[uint16](s)
	ix.titleOff, ix.titleToks, ix.skillOff = readArray[uint32](s), readArray[uint32](s), readArray[uint32](s)
	packed := readArray[uint32](s)
	ix.placeOff, ix.places = readArray[uint32](s), readArray[uint16](s)
	ix.seniority, ix.emp = readArray[uint8](s), readArray[uint8](s)
	ix.published, ix.valid = readArray[int64](s), readArray[int64](s)
	ix.salCur, ix.salMin, ix.salMax = readArray[uint8](s), readArray[int64](s), readArray[int64](s)
	ix.usdMin, ix.usdMax = readArray[float32](s), readArray[float32](s)
	ix.tz = readArray[uint16](s)
	ix.catMask, ix.openMask = readArray[uint32](s), readArray[uint32](s)
	ix.live = s.bitmap()
	ix.orgIDs, ix.orgNames = s.strs(), s.strs()
	ix.orgDocs = s.bitmaps(len(ix.orgIDs))
	ix.skillDocs = s.bitmaps(len(ix.skillDocs))
	ix.catDocs = s.bitmaps(len(ix.catDocs))
	ix.senDocs = s.bitmaps(len(ix.senDocs))
	ix.empDocs = s.bitmaps(len(ix.empDocs))
	ix.placeDocs = s.bitmaps(len(ix.placeDocs))
	ix.openDocs = s.bitmaps(len(ix.openDocs))
	rules := s.strs()
	ix.tzDocs = s.bitmaps(len(rules))
	ix.salaried = s.bitmap()
	copy(ix.salBucket[:], s.bitmaps(salaryBuckets))
	ndays := s.length()
	ix.days = map[int32]*roaring.Bitmap{}
	for i := 0; i < ndays && s.err == nil; i++ {
		d := int32(uint32(s.uint())) // #nosec G115 -- day numbers round-tripped through their uint32 bit pattern
		ix.days[d] = s.bitmap()
	}
	ix.currency = s.strs()
	if s.str() != snapshotMagic && s.err == nil {
		s.fail(errors.New("truncated"))
	}
	if s.err != nil {
		if errors.Is(s.err, ErrStaleSnapshot) {
			return nil, ErrStaleSnapshot
		}
		return nil, fmt.Errorf("read search snapshot: %w", s.err)
	}
	n := len(ix.ids)
	for _, c := range []int{len(ix.org), len(ix.docLen), len(ix.titleOff) - 1, len(ix.skillOff) - 1, len(ix.placeOff) - 1, len(ix.seniority),
		len(ix.emp), len(ix.published), len(ix.valid), len(ix.salCur), len(ix.salMin), len(ix.salMax), len(ix.usdMin), len(ix.usdMax), len(ix.tz), len(ix.catMask), len(ix.openMask)} {
		if c != n && !(n == 0 && c <= 0) {
			return nil, fmt.Errorf("read search snapshot: inconsistent columns")
		}
	}
	ix.tzRules = make([]domain.TimeZoneRule, len(rules))
	for i, r := range rules {
		if err := json.Unmarshal([]byte(r), &ix.tzRules[i]); err != nil {
			return nil, fmt.Errorf("read search snapshot: %w", err)
		}
	}
	ix.skillList = make([]docSkill, len(packed))
	for i, v := range packed {
		ix.skillList[i] = docSkill{skill: uint16(v >> 16), level: uint8(v >> 8), required: v&1 == 1} // #nosec G115 -- unpacking a value packed from uint16 and uint8 fields
	}
	for i, id := range ix.orgIDs {
		ix.orgIdx[id] = uint32(i)
	}
	ix.tzKey = map[string]uint16{"": 0}
	for i := 1; i < len(ix.tzRules); i++ {
		ix.tzKey[ruleKey(&ix.tzRules[i])] = uint16(i)
	}
	if err := ix.validate(); err != nil {
		return nil, fmt.Errorf("read search snapshot: %w", err)
	}
	ix.daysStale = true
	var bad error
	ix.live.Iterate(func(o uint32) bool {
		if int(o) >= n {
			bad = fmt.Errorf("read search snapshot: posting %d out of range", o)
			return false
		}
		ix.ordOf[ix.ids[o]] = o
		if v := ix.valid[o]; v != 0 {
			ix.expiry.push(expiryItem{at: v, ord: o})
		}
		return true
	})
	if bad != nil {
		return nil, bad
	}
	return ix, nil
}

// validate checks the invariants queries rely on, so that a damaged
// snapshot is refused (and the index rebuilt) instead of failing later.
func (ix *Index) validate() error {
	n := uint32(len(ix.ids)) // #nosec G115 -- ordinals and offsets: the index refuses more than 2^32-1 postings (insert)
	offsets := func(name string, off []uint32, size int) error {
		for i := 1; i < len(off); i++ {
			if off[i] < off[i-1] {
				return fmt.Errorf("%s offsets decrease", name)
			}
		}
		if len(off) > 0 && (off[0] != 0 || int(off[len(off)-1]) != size) {
			return fmt.Errorf("%s offsets do not cover the data", name)
		}
		return nil
	}
	if err := offsets("title", ix.titleOff, len(ix.titleToks)); err != nil {
		return err
	}
	if err := offsets("skill", ix.skillOff, len(ix.skillList)); err != nil {
		return err
	}
	if err := offsets("place", ix.placeOff, len(ix.places)); err != nil {
		return err
	}
	// Every bitmap must stay within the postings (a damaged one could
	// claim billions of members).
	bms := []*roaring.Bitmap{ix.live, ix.salaried}
	for _, group := range [][]*roaring.Bitmap{ix.orgDocs, ix.skillDocs, ix.catDocs, ix.senDocs, ix.empDocs, ix.placeDocs, ix.openDocs, ix.tzDocs, ix.salBucket[:]} {
		bms = append(bms, group...)
	}
	for _, b := range ix.days {
		bms = append(bms, b)
	}
	for _, b := range bms {
		if b == nil {
			return errors.New("missing bitmap")
		}
		if !b.IsEmpty() && b.Maximum() >= n {
			return errors.New("bitmap out of range")
		}
	}
	for _, t := range ix.titleToks {
		if int(t) >= len(ix.terms) {
			return errors.New("title term out of range")
		}
	}
	for _, ds := range ix.skillList {
		if int(ds.skill) >= len(ix.tax.ids) {
			return errors.New("skill out of range")
		}
	}
	for _, p := range ix.places {
		if int(p) >= len(places.codes) {
			return errors.New("place out of range")
		}
	}
	catBits := uint32(1)<<len(ix.tax.categories) - 1
	openBits := uint32(1)<<len(places.regions) - 1 | worldwideBit
	for o := range ix.ids {
		if ix.catMask[o]&^catBits != 0 || ix.openMask[o]&^openBits != 0 {
			return fmt.Errorf("posting %d has a mask out of range", o)
		}
		if int(ix.org[o]) >= len(ix.orgIDs) || int(ix.tz[o]) >= len(ix.tzRules) || int(ix.salCur[o]) > len(ix.currency) ||
			int(ix.seniority[o]) >= len(ix.senDocs) || int(ix.emp[o]) >= len(ix.empDocs) {
			return fmt.Errorf("posting %d has an attribute out of range", o)
		}
	}
	for i := range ix.terms {
		t := &ix.terms[i]
		if len(t.tfs) != len(t.docs) {
			return errors.New("term frequencies do not match postings")
		}
		for j, o := range t.docs {
			if o >= n || (j > 0 && o <= t.docs[j-1]) {
				return fmt.Errorf("term %q: postings out of order or range", t.text)
			}
		}
		for j, o := range t.tdocs {
			if o >= n || (j > 0 && o <= t.tdocs[j-1]) {
				return fmt.Errorf("term %q: title postings out of order or range", t.text)
			}
		}
	}
	return nil
}
