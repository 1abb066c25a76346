package skills

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// extractGoldenHash is the SHA-256 of Extract's JSON output over every
// post of the real corpus (internal/hnposts, HTML stripped as the benchmarks
// do), with the Default() taxonomy. It guards optimizations: a faster
// Extract must give byte-identical results.
//
// When behaviour changes on purpose (new rules, taxonomy or corpus edits),
// re-record: run
//
//	go test -run=TestExtractGolden -v ./internal/skills/
//
// copy the "got" hash from the failure message into extractGoldenHash,
// and say in the change why the output moved.
const extractGoldenHash = "f7842292a6fd997d8cb51c47a5792708c9dd3baffb92296e07abb6f37784c714"

func TestExtractGolden(t *testing.T) {
	posts := loadHN(t, true)
	e := DefaultExtractor()
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, p := range posts {
		if err := enc.Encode(struct {
			ID      int64   `json:"id"`
			Matches []Match `json:"matches"`
		}{p.ID, e.Extract(p.Text)}); err != nil {
			t.Fatal(err)
		}
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != extractGoldenHash {
		t.Fatalf("Extract output over %d posts changed: got hash %s, want %s (re-record only if the change is intended; see extractGoldenHash)", len(posts), got, extractGoldenHash)
	}
}
