package fields

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLargeInputsStayBounded runs every parser over adversarial inputs of a
// quarter of MaxInput and checks that each allocates a small multiple of
// its input. Times are logged, not asserted (shared machines are noisy);
// BenchmarkSalaries and the fuzzers watch speed.
func TestLargeInputsStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = MaxInput / 4
	inputs := map[string]string{
		"digits":    strings.Repeat("1", n),
		"dollars":   strings.Repeat("$1-", n/3),
		"places":    strings.Repeat("Remote (US) or NYC | ", n/21),
		"keywords":  strings.Repeat("remote onsite hybrid 3 days in office Berlin ", n/45),
		"parens":    strings.Repeat("(", n/2) + strings.Repeat(")", n/2),
		"tags":      strings.Repeat("<p><a href=x>", n/13),
		"mojibake":  strings.Repeat("Ã©", n/4),
		"entities":  strings.Repeat("&amp;#x27;", n/10),
		"lines":     strings.Repeat("$150k-$200k\n", n/12),
		"timezones": strings.Repeat("UTC-3 to ", n/9),
		"seniority": strings.Repeat("senior staff founding ", n/22),
		"oversized": strings.Repeat("a ", MaxInput),
	}
	fns := map[string]func(string){
		"CleanText":           func(s string) { CleanText(s) },
		"CheckText":           func(s string) { _ = CheckText(s) },
		"FindSalaries":        func(s string) { FindSalaries(s) },
		"ParseSalary":         func(s string) { ParseSalary(s) },
		"ParseLocation":       func(s string) { ParseLocation(s) },
		"OnlyPlaces":          func(s string) { OnlyPlaces(s) },
		"ParseTimeZone":       func(s string) { ParseTimeZone(s) },
		"ParseSeniority":      func(s string) { ParseSeniority(s, s) },
		"ParseEmploymentType": func(s string) { ParseEmploymentType(s) },
	}
	for name, in := range inputs {
		for fn, f := range fns {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			f(in)
			d := time.Since(start)
			runtime.ReadMemStats(&after)
			if d > 2*time.Second {
				t.Logf("slow: %s(%s) took %v", fn, name, d)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(16*min(len(in), MaxInput)+1<<20) {
				t.Errorf("%s(%s): allocated %d bytes for %d of input", fn, name, alloc, len(in))
			}
		}
	}
}

// BenchmarkSalaries parses every real HN post of the shipped data set:
// go test -run=^$ -bench=. ./internal/ingest/fields/
func BenchmarkSalaries(b *testing.B) {
	var texts []string
	n := 0
	for _, p := range devPosts(b) {
		t := CleanText(p.Text)
		texts = append(texts, t)
		n += len(t)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			ParseSalary(t)
			ParseLocation(t)
			ParseTimeZone(t)
		}
	}
}
