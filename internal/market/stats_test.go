package market

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestQuantileIsPercentileCont(t *testing.T) {
	// Values checked by hand against PostgreSQL's percentile_cont: with
	// h = (N−1)p, x[floor h] + (h − floor h)(x[floor h + 1] − x[floor h]).
	for _, tc := range []struct {
		v    []float64
		p    float64
		want float64
	}{
		{[]float64{7}, 0, 7},
		{[]float64{7}, 0.5, 7},
		{[]float64{7}, 1, 7},
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 0.1, 1.3},
		{[]float64{1, 2, 3, 4}, 0.25, 1.75},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0.75, 3.25},
		{[]float64{1, 2, 3, 4}, 0.9, 3.7},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{10, 20}, 0.25, 12.5},
		{[]float64{1, 2, 3, 4, 5}, 0.5, 3},
		{[]float64{1, 2, 3, 4, 5}, 0.9, 4.6},
		{[]float64{3, 3, 3, 8}, 0.5, 3},
		{[]float64{3, 3, 3, 8}, 0.9, 6.5},
		{[]float64{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400}, 0.1, 200},
		{[]float64{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400}, 0.25, 600},
		{[]float64{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400}, 0.75, 19200},
	} {
		if got := Quantile(sorted(tc.v), tc.p); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tc.v, tc.p, got, tc.want)
		}
	}
	if got := Quantile(sorted(nil), 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile of no values = %v, want NaN", got)
	}
	// The oracle's percentile_cont agrees on random samples.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		v := make([]float64, 1+rng.IntN(50))
		for i := range v {
			v[i] = math.Round(rng.Float64() * 1000)
		}
		slices.Sort(v)
		for _, p := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1} {
			if got, want := Quantile(sorted(v), p), oraPercentile(v, p); got != want {
				t.Fatalf("Quantile(%v, %v) = %v, oracle %v", v, p, got, want)
			}
		}
	}
}

func TestWilson(t *testing.T) {
	// Newcombe (1998), "Two-sided confidence intervals for the single
	// proportion", table I, method 3 (score interval without continuity
	// correction), and other values of the same formula to 4 decimals.
	for _, tc := range []struct {
		count, n  int
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{0, 10, 0, 0.2775},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
		{1, 1, 0.2065, 1},
		{0, 1, 0, 0.7935},
		{50, 100, 0.4038, 0.5962},
		{7, 50, 0.0695, 0.2619},
	} {
		lo, hi := Wilson(tc.count, tc.n)
		if math.Abs(lo-tc.low) > 5e-5 || math.Abs(hi-tc.high) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = [%.5f, %.5f], want [%.4f, %.4f]", tc.count, tc.n, lo, hi, tc.low, tc.high)
		}
		if lo < 0 || hi > 1 || lo > float64(tc.count)/float64(tc.n) || hi < float64(tc.count)/float64(tc.n) {
			t.Errorf("Wilson(%d, %d) = [%v, %v] does not hold the share within [0, 1]", tc.count, tc.n, lo, hi)
		}
	}
	if lo, hi := Wilson(0, 0); lo != 0 || hi != 0 {
		t.Errorf("Wilson(0, 0) = [%v, %v], want [0, 0]", lo, hi)
	}
}

// bootstrapJ is ⌈Np⌉ (at least 1) for p given in hundredths, in integers.
func bootstrapJ(n, pct int) int { return max(1, (n*pct+99)/100) }

// TestBootstrapCIMonteCarlo compares the exact bootstrap interval with
// drawn resamples: 20,000 resamples of N draws (with replacement) from
// the ranks 0..N−1, each giving the rank of its ⌈Np⌉-th smallest draw; the
// 2.5 % and 97.5 % quantiles of those ranks (the first rank whose
// empirical distribution function reaches the level) must be within one
// rank of BootstrapCI's.
func TestBootstrapCIMonteCarlo(t *testing.T) {
	const resamples = 20000
	rng := rand.New(rand.NewPCG(20000, 95))
	t.Logf("seed 20000/95, %d resamples", resamples)
	for _, n := range []int{1, 2, 3, 5, 10, 11, 23, 37, 100, 257, 400} {
		for _, pct := range []int{10, 25, 50, 75, 90} {
			j := bootstrapJ(n, pct)
			hist, counts := make([]int, n), make([]int, n)
			for range resamples {
				clear(counts)
				for range n {
					counts[rng.IntN(n)]++
				}
				c, k := 0, 0
				for ; k < n; k++ {
					if c += counts[k]; c >= j {
						break
					}
				}
				hist[k]++
			}
			first := func(level float64) int {
				c := 0
				for k, h := range hist {
					if c += h; float64(c)/resamples >= level {
						return k
					}
				}
				return n - 1
			}
			lo, hi := BootstrapCI(n, float64(pct)/100)
			mlo, mhi := first(0.025), first(0.975)
			if abs(lo-mlo) > 1 || abs(hi-mhi) > 1 {
				t.Errorf("BootstrapCI(%d, %.2f) = [%d, %d], Monte Carlo [%d, %d]", n, float64(pct)/100, lo, hi, mlo, mhi)
			}
			if lo > j-1 || hi < j-1 || lo < 0 || hi >= n {
				t.Errorf("BootstrapCI(%d, %.2f) = [%d, %d] does not hold rank %d", n, float64(pct)/100, lo, hi, j-1)
			}
		}
	}
}

// TestBootstrapCIBinomial checks the exact interval against the binomial
// sums it stands for: P(statistic ≤ x₍ᵢ₎) = P(Binomial(N, i/N) ≥ j).
func TestBootstrapCIBinomial(t *testing.T) {
	for n := 1; n <= 60; n++ {
		for _, pct := range []int{10, 25, 50, 75, 90} {
			j := bootstrapJ(n, pct)
			cdf := func(i int) float64 { // i 1-based
				q := float64(i) / float64(n)
				s := 0.0
				for k := j; k <= n; k++ {
					s += math.Exp(lgammaf(n+1)-lgammaf(k+1)-lgammaf(n-k+1)) * math.Pow(q, float64(k)) * math.Pow(1-q, float64(n-k))
				}
				return s
			}
			first := func(level float64) int {
				for k := range n {
					if cdf(k+1) >= level-1e-12 {
						return k
					}
				}
				return n - 1
			}
			lo, hi := BootstrapCI(n, float64(pct)/100)
			if wl, wh := first(0.025), first(0.975); lo != wl || hi != wh {
				t.Errorf("BootstrapCI(%d, %.2f) = [%d, %d], binomial sums [%d, %d]", n, float64(pct)/100, lo, hi, wl, wh)
			}
		}
	}
	if lo, hi := BootstrapCI(0, 0.5); lo != -1 || hi != -1 {
		t.Errorf("BootstrapCI(0, 0.5) = [%d, %d], want [-1, -1]", lo, hi)
	}
	// Extreme p: the smallest and the largest value.
	if lo, hi := BootstrapCI(20, 0); lo != 0 || hi > 3 {
		t.Errorf("BootstrapCI(20, 0) = [%d, %d]", lo, hi)
	}
	if lo, hi := BootstrapCI(20, 1); lo < 16 || hi != 19 {
		t.Errorf("BootstrapCI(20, 1) = [%d, %d]", lo, hi)
	}
}

func lgammaf(x int) float64 { v, _ := math.Lgamma(float64(x)); return v }

func abs(x int) int { return max(x, -x) }

// SalaryGroupOf builds the same row as the oracle from raw values, and
// suppresses samples below the minimum.
func TestSalaryGroupOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 100 {
		v := make([]float64, rng.IntN(40))
		for i := range v {
			v[i] = float64(20000 + 500*rng.IntN(400))
		}
		cur := currencies[rng.IntN(len(currencies))]
		minN := rng.IntN(20)
		want := oraConv(oraRate(oraCurrency(cur))).group("k", "name", v, max(minN, DefaultMinN))
		got, err := SalaryGroupOf("k", "name", slices.Clone(v), cur, minN)
		if err != nil {
			t.Fatal(err)
		}
		if d := approxDiff(got, want, nil); len(d) > 0 {
			t.Fatalf("SalaryGroupOf(%d values, %q, minN %d): %v", len(v), cur, minN, d)
		}
		if got.Suppressed != (len(v) < max(minN, DefaultMinN)) || got.Suppressed != (got.P50 == nil) {
			t.Fatalf("SalaryGroupOf(%d values, minN %d): suppressed %v", len(v), minN, got.Suppressed)
		}
	}
}

func TestPeriods(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		interval, t, start, next string
	}{
		{Week, "2025-03-09T23:59:59Z", "2025-03-03T00:00:00Z", "2025-03-10T00:00:00Z"}, // a Sunday
		{Week, "2025-03-10T00:00:00Z", "2025-03-10T00:00:00Z", "2025-03-17T00:00:00Z"}, // a Monday
		{Week, "2025-03-10T01:00:00+02:00", "2025-03-03T00:00:00Z", "2025-03-10T00:00:00Z"},
		{Week, "2024-12-31T12:00:00Z", "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"},
		{Month, "2024-02-29T12:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{Month, "2024-12-31T23:00:00Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{Quarter, "2025-11-15T00:00:00Z", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z"},
		{Quarter, "2025-03-31T23:59:59Z", "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z"},
		{Quarter, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z"},
	} {
		s := PeriodStart(tc.interval, at(tc.t))
		if !s.Equal(at(tc.start)) || !NextPeriod(tc.interval, s).Equal(at(tc.next)) {
			t.Errorf("%s of %s: [%s, %s), want [%s, %s)", tc.interval, tc.t, s, NextPeriod(tc.interval, s), tc.start, tc.next)
		}
		os, on := oraPeriod(tc.interval, at(tc.t))
		if !os.Equal(at(tc.start)) || !on.Equal(at(tc.next)) {
			t.Errorf("oracle %s of %s: [%s, %s)", tc.interval, tc.t, os, on)
		}
	}
	for _, tc := range []struct {
		t   string
		day int32
	}{{"1970-01-01T00:00:00Z", 0}, {"1970-01-01T23:59:59Z", 0}, {"1969-12-31T23:59:59Z", -1}, {"2025-03-03T09:00:00Z", 20150}} {
		if d := Day(at(tc.t)); d != tc.day || d >= 0 && !DayTime(d).Equal(at(tc.t).Truncate(24*time.Hour)) {
			t.Errorf("Day(%s) = %d (%s), want %d", tc.t, d, DayTime(d), tc.day)
		}
	}
}
