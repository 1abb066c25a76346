package market

import "time"

// This file holds the few accessors the market report
// (internal/market/report) and the CSV layouts need beyond the figures.

// SampleInfo describes the postings a filter selects.
type SampleInfo struct {
	N        int // postings
	Open     int // of them open now
	Salaried int // of them with a salary
	// First and Last are the first and last days a posting of the sample
	// was posted on (zero when the sample is empty).
	First, Last time.Time
}

// Describe returns the size, open and salaried counts and posting-day
// extent of the sample f selects.
func (m *Model) Describe(f Filter, now time.Time) (out SampleInfo, err error) {
	m.read(now, func() {
		set, e := m.sample(f)
		if e != nil {
			err = e
			return
		}
		out.N = card(set)
		out.Open = andCard(set, m.open)
		out.Salaried = andCard(set, m.salaried)
		if first, last, ok := m.extent(set); ok {
			out.First, out.Last = DayTime(first), DayTime(last)
		}
	})
	return out, err
}
