package market

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// TestDamagedSnapshotsAreRefused: a snapshot with any byte changed, cut
// short, or of another format version is refused (and the node rebuilds
// the model from the events), never loaded wrong.
func TestDamagedSnapshotsAreRefused(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	g := genScenario(rng)
	m := NewModel()
	if err := m.Apply(t.Context(), g.events); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, err := Load(bytes.NewReader(good)); err != nil {
		t.Fatalf("the intact snapshot: %v", err)
	}
	cases := map[string][]byte{"empty": nil, "cut short": good[:len(good)/2], "header only": good[:len(snapshotMagic)+4+32]}
	v2 := bytes.Clone(good)
	v2[len(snapshotMagic)+3]++
	cases["another version"] = v2
	for i := range 200 {
		b := bytes.Clone(good)
		at := rng.IntN(len(b))
		b[at] ^= byte(1 + rng.IntN(255))
		cases["byte "+string(rune('a'+i%26))+string(rune('0'+i/26))] = b
	}
	for name, b := range cases {
		if _, err := Load(bytes.NewReader(b)); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: err = %v, want ErrSnapshot", name, err)
		}
	}
}
