package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/meridianhq/meridian/internal/market"
)

// MarketTick is the message of market.ticks: the live market at a
// position of the event stream. Every node computes it from its own
// market model, so every node says the same at the same position.
type MarketTick struct {
	At       time.Time `json:"at"`
	Position int64     `json:"position"`
	// OpenPostings: postings open now.
	OpenPostings int `json:"openPostings"`
	// TopSkills: the skills most asked for by the open postings, with
	// their share of them.
	TopSkills []market.Share `json:"topSkills"`
}

// TickEvery is how often market ticks are considered; one is sent only
// when the market changed since the last.
const TickEvery = 10 * time.Second

// Tick computes the market tick of m now.
func Tick(m *market.Model, now time.Time) (MarketTick, error) {
	d, err := m.Demand(market.Filter{Open: true}, "skill", false, 10, now)
	if err != nil {
		return MarketTick{}, err
	}
	return MarketTick{At: now, Position: m.Position(), OpenPostings: d.N, TopSkills: d.Items}, nil
}

// RunMarketTicks publishes a market tick on hub every interval in which
// m changed, until ctx ends. Ticks are ephemeral messages (ID 0): a
// subscriber that misses one gets the next.
func RunMarketTicks(ctx context.Context, hub *Hub, m *market.Model, every time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	last := int64(-1)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if pos := m.Position(); pos == last {
			continue
		}
		tick, err := Tick(m, time.Now().UTC())
		if err != nil {
			log.Warn("market tick", "err", err)
			continue
		}
		b, err := json.Marshal(tick)
		if err != nil {
			return err
		}
		last = tick.Position
		hub.Publish(Message{Channel: ChanMarketTicks, Data: b})
	}
}
