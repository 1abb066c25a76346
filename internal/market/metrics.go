package market

import "github.com/prometheus/client_golang/prometheus"

// Metrics registers gauges of the model's size.
func (m *Model) Metrics(reg prometheus.Registerer) {
	gauge := func(name, help string, fn func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			m.mu.RLock()
			defer m.mu.RUnlock()
			return float64(fn())
		})
	}
	reg.MustRegister(
		gauge("meridian_market_postings", "Postings ever published, in the node's market model.", func() int { return len(m.posts) }),
		gauge("meridian_market_open_postings", "Postings open now (until the next figure closes the expired ones).", func() int { return card(m.open) }),
		gauge("meridian_market_applications", "Applications in the node's market model.", func() int { return len(m.appList) }),
		gauge("meridian_market_answered_applications", "Applications the employer has moved at least once.", func() int { return m.answered }),
	)
}
