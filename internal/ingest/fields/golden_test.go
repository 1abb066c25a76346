package fields

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/hnposts"
)

// goldenHash is the SHA-256 of every exported parser's output over every
// post of the demo data set (and each post's first line). It guards
// performance work: a faster parser must give the same answers.
//
// Re-record it (go test -run TestGoldenOutputs -v prints the new value)
// ONLY for an intended behaviour change, never to make a speed-up pass.
const goldenHash = "31c04048a17de28baaa25f4f5c22201d3aebc524d268ca3124b4b8275a4c3d2c"

func TestGoldenOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	emit := func(v any) {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	type salaryOut struct {
		S  any
		OK bool
	}
	run := func(raw string) {
		text := CleanText(raw)
		emit(text)
		first := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			first = text[:i]
		}
		for _, in := range []string{text, first} {
			emit(FindSalaries(in))
			emit(FindSalariesIn(in, "USD"))
			emit(FindSalariesIn(in, "GBP"))
			s, ok := ParseSalary(in)
			emit(salaryOut{s, ok})
			s, ok = ParseSalaryIn(in, "USD")
			emit(salaryOut{s, ok})
			s, ok = ParseSalaryIn(in, "GBP")
			emit(salaryOut{s, ok})
			emit(ParseLocation(in))
			emit(ParseTimeZone(in))
			emit(ParseSeniority(first, in))
			emit(ParseSeniority("", in))
			emit(ParseEmploymentType(in))
		}
		// Each line on its own too: the salary scan's windows and the
		// per-line pre-checks see different contexts there.
		for line := range strings.SplitSeq(text, "\n") {
			emit(FindSalariesIn(line, "USD"))
			emit(ParseLocation(line))
			emit(ParseEmploymentType(line))
		}
	}
	n := 0
	err := hnposts.Each(func(line []byte) error {
		var p struct {
			ID   int64  `json:"id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(line, &p); err != nil {
			return err
		}
		emit(p.ID)
		run(p.Text)
		n++
		return nil
	})
	if err != nil || n != hnposts.Count {
		t.Fatalf("read %d posts: %v", n, err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	t.Logf("%d posts, hash %s", n, got)
	if got != goldenHash {
		t.Errorf("parser outputs changed: hash %s, want %s (re-record only for an intended behaviour change)", got, goldenHash)
	}
}

// TestMoneyHintsMatchRE checks the byte scan moneyHints against the
// patterns it stands in for, over random texts of the bytes that matter.
func TestMoneyHintsMatchRE(t *testing.T) {
	alphabet := []string{"$", "€", "£", "¥", "zł", "z", "ł", "USD", "Rs", "lakh", "Lakhs", "lacs", "LPA", "1", "2", "0", "12345", " ", "\t", "\n",
		"L", "k", "K", "_", "a", "S", "D", ",", ".", "'", "’", "\u00a0", "\u202f", "\xe2", "\x82", "\xac", "é", "-", "x"}
	check := func(s string) {
		t.Helper()
		for _, bare := range []bool{false, true} {
			re := moneyHintRE
			if bare {
				re = bareHintRE
			}
			want := re.FindAllStringIndex(s, maxMoneyMatches)
			got := moneyHints(s, bare)
			if len(got) != len(want) {
				t.Fatalf("%q bare=%v: got %v, want %v", s, bare, got, want)
			}
			for i := range got {
				if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
					t.Fatalf("%q bare=%v: got %v, want %v", s, bare, got, want)
				}
			}
		}
	}
	seed := uint64(1)
	next := func() int {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed >> 1)
	}
	for range 50000 {
		var b strings.Builder
		for n := next() % 12; n >= 0; n-- {
			b.WriteString(alphabet[next()%len(alphabet)])
		}
		check(b.String())
	}
	check(strings.Repeat("1", maxMoneyMatches*6))
	for _, p := range devPosts(t) {
		check(CleanText(p.Text))
	}
}
