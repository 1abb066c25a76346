package market

import (
	"bytes"
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/follow"
)

// A snapshot holds what the model knows of each posting and application,
// so that a node restarts without replaying the whole event stream. The
// bitmaps are not saved: they are rebuilt from the postings on load, which
// takes a fraction of a replay (no JSON, no salary conversion).
//
// Layout: the magic "MMKTSNAP", the format version (uint32, big endian),
// the SHA-256 of the body, then the body (encoding/gob). A snapshot is
// refused, and the model rebuilt from the events, when any of these does
// not match, when it was written for another taxonomy or place table
// (skill and place numbers would mean other things), or when a number in
// it is out of range.
const (
	snapshotMagic   = "MMKTSNAP"
	snapshotVersion = 1
)

type snapPosting struct {
	ID                          string
	Day                         int32
	Published, Valid, Filled    int64
	Salary                      float64
	Skills                      []uint16
	Required                    []bool
	Places                      []uint16
	Org                         uint32
	Sen, Area                   uint8
	Open, Closed, HasSalary, BE bool
}

type snapApp struct {
	ID                              string
	Job                             uint32
	Submitted, Responded, Withdrawn int64
}

type snapDraft struct {
	ID      string
	Org     string
	Details domain.JobDetails
}

type snapBody struct {
	Taxonomy string   // version and size of the taxonomy skill numbers refer to
	Places   []string // place codes, in number order
	Areas    []string
	Position int64
	Orgs     []string
	Posts    []snapPosting
	Drafts   []snapDraft
	Apps     []snapApp
}

func (m *Model) taxonomyKey() string {
	return fmt.Sprintf("%s/%d/%d", m.tax.t.Version, len(m.tax.ids), len(m.tax.groups))
}

// Save writes the model's snapshot to w.
func (m *Model) Save(w io.Writer) error {
	m.mu.RLock()
	b := snapBody{Taxonomy: m.taxonomyKey(), Places: places.codes, Areas: Areas, Position: m.pos, Orgs: m.orgIDs,
		Posts: make([]snapPosting, len(m.posts)), Apps: make([]snapApp, len(m.appList))}
	for id, o := range m.ord {
		p := &m.posts[o]
		sp := snapPosting{ID: id, Day: p.day, Published: p.published, Valid: p.valid, Filled: p.filled, Salary: p.salary,
			Places: p.places, Org: p.org, Sen: p.sen, Area: p.area, Open: p.open, Closed: p.closed, HasSalary: p.hasSalary, BE: p.backendRole}
		for _, s := range p.skills {
			sp.Skills = append(sp.Skills, s.idx)
			sp.Required = append(sp.Required, s.required)
		}
		b.Posts[o] = sp
	}
	for id, d := range m.pending {
		b.Drafts = append(b.Drafts, snapDraft{ID: id, Org: d.org, Details: d.details})
	}
	slices.SortFunc(b.Drafts, func(x, y snapDraft) int { return cmpString(x.ID, y.ID) })
	for id, i := range m.apps {
		a := &m.appList[i]
		b.Apps[i] = snapApp{ID: id, Job: a.job, Submitted: a.submitted, Responded: a.responded, Withdrawn: a.withdrawn}
	}
	var body bytes.Buffer
	err := gob.NewEncoder(&body).Encode(&b)
	m.mu.RUnlock()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body.Bytes())
	head := make([]byte, 0, len(snapshotMagic)+4+len(sum))
	head = append(head, snapshotMagic...)
	head = binary.BigEndian.AppendUint32(head, snapshotVersion)
	head = append(head, sum[:]...)
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err = w.Write(body.Bytes())
	return err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ErrSnapshot is wrapped by every reason a snapshot is refused.
var ErrSnapshot = errors.New("market snapshot refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSnapshot, fmt.Sprintf(format, args...))
}

// Load reads a snapshot written by Save into a new model.
func Load(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	hl := len(snapshotMagic) + 4 + sha256.Size
	if len(data) < hl || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, refuse("not a market snapshot")
	}
	if v := binary.BigEndian.Uint32(data[len(snapshotMagic):]); v != snapshotVersion {
		return nil, refuse("format version %d, this build reads %d", v, snapshotVersion)
	}
	body := data[hl:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(snapshotMagic)+4:hl]) {
		return nil, refuse("checksum mismatch (damaged)")
	}
	var b snapBody
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&b); err != nil {
		return nil, refuse("decode: %v", err)
	}
	m := NewModel()
	if b.Taxonomy != m.taxonomyKey() || !slices.Equal(b.Places, places.codes) || !slices.Equal(b.Areas, Areas) {
		return nil, refuse("written for another taxonomy (%s, this build %s) or place table", b.Taxonomy, m.taxonomyKey())
	}
	if b.Position < 0 {
		return nil, refuse("negative position")
	}
	m.pos = b.Position
	for _, id := range b.Orgs {
		m.orgIndex(id)
	}
	if len(m.orgIDs) != len(b.Orgs) {
		return nil, refuse("organizations repeat")
	}
	m.posts = make([]posting, len(b.Posts))
	for o, sp := range b.Posts {
		if _, dup := m.ord[sp.ID]; dup || sp.ID == "" {
			return nil, refuse("posting %q repeats or has no id", sp.ID)
		}
		if int(sp.Org) >= len(m.orgIDs) || int(sp.Sen) >= len(m.sen) || int(sp.Area) >= len(Areas) || len(sp.Required) != len(sp.Skills) {
			return nil, refuse("posting %s: number out of range", sp.ID)
		}
		p := posting{day: sp.Day, published: sp.Published, valid: sp.Valid, filled: sp.Filled, salary: sp.Salary,
			places: sp.Places, org: sp.Org, sen: sp.Sen, area: sp.Area, open: sp.Open, closed: sp.Closed, hasSalary: sp.HasSalary, backendRole: sp.BE}
		for i, s := range sp.Skills {
			if int(s) >= len(m.tax.ids) {
				return nil, refuse("posting %s: skill number %d out of range", sp.ID, s)
			}
			p.skills = append(p.skills, skillRef{idx: s, required: sp.Required[i]})
		}
		for _, pl := range sp.Places {
			if int(pl) >= len(places.codes) {
				return nil, refuse("posting %s: place number %d out of range", sp.ID, pl)
			}
		}
		if p.hasSalary {
			p.bucket = bucketOf(p.salary)
		}
		m.posts[o] = p
		m.ord[sp.ID] = uint32(o)             // #nosec G115 -- a snapshot holds at most the model's uint32 ordinals (checked by Apply when written)
		m.file(uint32(o), &m.posts[o], true) // #nosec G115 -- as above
		if p.open && p.valid != 0 {
			heap.Push(&m.expiry, expiryItem{at: p.valid, ord: uint32(o)}) // #nosec G115 -- as above
		}
	}
	for _, d := range b.Drafts {
		m.pending[d.ID] = &draft{org: d.Org, details: d.Details}
	}
	m.appList = make([]application, len(b.Apps))
	for i, a := range b.Apps {
		if _, dup := m.apps[a.ID]; dup || int(a.Job) >= len(m.posts) {
			return nil, refuse("application %q repeats or names no posting", a.ID)
		}
		m.apps[a.ID] = int32(i) // #nosec G115 -- fewer than 2^31 applications (as when written)
		m.appList[i] = application{job: a.Job, submitted: a.Submitted, responded: a.Responded, withdrawn: a.Withdrawn}
		m.jobApps[a.Job] = append(m.jobApps[a.Job], int32(i)) // #nosec G115 -- as above
		m.withApps.Add(a.Job)
		if a.Responded != 0 {
			m.answered++
		}
	}
	return m, nil
}

// LoadFile loads the snapshot at path (nil, nil when there is none).
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(f)
}

// SaveFile writes the snapshot to path atomically.
func (m *Model) SaveFile(path string) error { return follow.WriteFileAtomic(path, m.Save) }
