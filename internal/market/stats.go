package market

import (
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"gonum.org/v1/gonum/mathext"
)

// z95 is the standard normal quantile for a two-sided 95 % interval.
const z95 = 1.959963984540054

// Wilson returns the 95 % Wilson score interval of count/n (0, 0 for n 0).
func Wilson(count, n int) (low, high float64) {
	if n <= 0 {
		return 0, 0
	}
	nf := float64(n)
	p := float64(count) / nf
	z2 := z95 * z95
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return math.Max(0, center-half), math.Min(1, center+half)
}

// share builds a Share with its interval.
func share(key, name string, count, n int) Share {
	s := Share{Key: key, Name: name, Count: count, N: n}
	if n > 0 {
		s.Share = float64(count) / float64(n)
	}
	s.Low, s.High = Wilson(count, n)
	return s
}

// sample gives the i-th smallest value (0-based) of a sample of N values.
type sample interface {
	Len() int
	At(i int) float64
}

// sorted is a sample held as a sorted slice.
type sorted []float64

func (s sorted) Len() int         { return len(s) }
func (s sorted) At(i int) float64 { return s[i] }
func sortedOf(v []float64) sorted { sort.Float64s(v); return sorted(v) }

// Quantile is the p-quantile by linear interpolation between closest
// ranks, PostgreSQL's percentile_cont: with h = (N−1)p, the value at
// floor(h) plus the fraction of h towards the next one.
func Quantile(s sample, p float64) float64 {
	n := s.Len()
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return s.At(n - 1)
	}
	a := s.At(lo)
	return a + (h-float64(lo))*(s.At(lo+1)-a)
}

// BootstrapCI returns the 95 % bootstrap percentile interval of the
// p-quantile of the sample, as the ranks (0-based) of its ends.
//
// It is computed exactly rather than by drawing resamples: the statistic
// of a resample is its j-th smallest value, j = ⌈Np⌉ (at least 1), and
// that value is at most the i-th smallest of the sample exactly when at
// least j of the N draws land on the i smallest values, a Binomial(N, i/N)
// event. So P(statistic ≤ x₍ᵢ₎) = I_{i/N}(j, N−j+1) (the regularized
// incomplete beta function), and the interval's ends are the smallest
// ranks where that probability reaches 2.5 % and 97.5 %: what an infinite
// number of resamples would give, without the Monte Carlo noise and in
// O(log N) evaluations (Hutson and Ernst, "The exact bootstrap mean and
// variance of an L-estimator", 2000). The test compares it with drawn
// resamples.
func BootstrapCI(n int, p float64) (lo, hi int) {
	if n <= 0 {
		return -1, -1
	}
	j := int(math.Ceil(float64(n)*p - 1e-9))
	if j < 1 {
		j = 1
	}
	if j > n {
		j = n
	}
	cdf := func(i int) float64 { // P(statistic ≤ x₍ᵢ₎), i 1-based
		if i >= n {
			return 1
		}
		return mathext.RegIncBeta(float64(j), float64(n-j+1), float64(i)/float64(n))
	}
	first := func(level float64) int {
		return sort.Search(n, func(k int) bool { return cdf(k+1) >= level })
	}
	return first(0.025), first(0.975)
}

// estimate is the p-quantile of s with its bootstrap interval.
func estimate(s sample, p float64) Estimate {
	lo, hi := BootstrapCI(s.Len(), p)
	return Estimate{Value: Quantile(s, p), Low: s.At(lo), High: s.At(hi)}
}

// card is b's cardinality as an int, andCard that of a ∩ b. Ordinals are
// uint32, so a cardinality never exceeds 2^32, which an int holds on the
// 64-bit platforms Meridian is built for.
func card(b *roaring.Bitmap) int { return int(b.GetCardinality()) } // #nosec G115 -- at most 2^32 (uint32 ordinals), 64-bit int

func andCard(a, b *roaring.Bitmap) int { return int(a.AndCardinality(b)) } // #nosec G115 -- at most 2^32 (uint32 ordinals), 64-bit int
