package search_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/searchtest"
)

// FuzzLoad: a damaged snapshot is refused with an error, never a panic,
// and one that loads answers queries without panicking.
func FuzzLoad(f *testing.F) {
	ix := search.NewIndex()
	ix.PutBatch([]search.Doc{
		doc("a", "Go engineer", func(d *search.Doc) {
			d.Skills = []domain.SkillRequirement{{Skill: "go", Level: 3, Required: true}}
			d.Salary = &domain.Salary{Min: 10000000, Max: 12000000, Currency: "EUR", Period: "year"}
			off := 0.0
			d.TimeZone = &domain.TimeZoneRule{MinUTCOffset: &off}
			d.ValidThrough = searchtest.Now.Add(1000000000000)
		}),
		doc("b", "Rust engineer", func(d *search.Doc) { d.Eligibility = domain.Eligibility{Regions: []string{"EU"}} }),
	})
	var buf bytes.Buffer
	if err := ix.Save(&buf); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("MERIDIAN-SEARCH"))
	f.Fuzz(func(t *testing.T, data []byte) {
		back, err := search.Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, q := range []search.Query{{Text: "engineer", Facets: true}, {Country: "DE", Sort: "salary"}, {SkillsAll: []string{"go"}, Sort: "newest"}} {
			if _, err := back.Search(q, searchtest.Now); err != nil {
				t.Fatal(err)
			}
		}
		back.Put(doc("c", "New engineer", nil))
	})
}

// TestDamagedSnapshots flips random bytes of a real snapshot: each damaged
// copy is refused with an error or loads into an index that answers
// queries (any panic fails the test).
func TestDamagedSnapshots(t *testing.T) {
	docs, err := searchtest.RealDocs()
	if err != nil {
		t.Fatal(err)
	}
	ix := search.NewIndex()
	ix.PutBatch(docs[:200])
	var buf bytes.Buffer
	if err := ix.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	r := rand.New(rand.NewPCG(1, 2))
	refused := 0
	for i := 0; i < 400; i++ {
		data := append([]byte(nil), good...)
		switch i % 4 {
		case 0:
			data = data[:r.IntN(len(data))] // truncated
		default:
			for k := 0; k < 1+r.IntN(4); k++ {
				data[r.IntN(len(data))] = byte(r.IntN(256))
			}
		}
		back, err := search.Load(bytes.NewReader(data))
		if err != nil {
			refused++
			continue
		}
		for _, q := range []search.Query{{Text: "engineer", Facets: true}, {Country: "DE", Sort: "salary"}, {Sort: "newest"}} {
			if _, err := back.Search(q, searchtest.Now); err != nil {
				t.Fatal(err)
			}
		}
	}
	if refused < 100 {
		t.Errorf("only %d of 400 damaged snapshots refused: the checks are too weak", refused)
	}
	t.Logf("%d of 400 damaged snapshots refused; the rest loaded and answered queries", refused)
}
