package market

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
)

// BenchmarkPostingUpdate measures what one new posting costs the model
// (its drafted and published events, decoded and applied) and what
// re-filing an edited posting costs once decoded, against the number of
// skills it asks for, in a model already holding 100,000 postings. The
// issue asks for time proportional to the skills: compare ns/op across
// the skills=N sub-benchmarks.
func BenchmarkPostingUpdate(b *testing.B) {
	tax := defaultTaxo()
	var pool []string
	for _, id := range tax.ids {
		if len(pool) == 64 {
			break
		}
		pool = append(pool, id)
	}
	details := func(i, nskills int) domain.JobDetails {
		d := domain.JobDetails{Title: "Backend engineer", Seniority: domain.SeniorityLevels[i%7],
			Salary:      &domain.Salary{Min: int64(80000+i%50*1000) * 100, Max: int64(120000+i%50*1000) * 100, Currency: "USD", Period: "year"},
			Eligibility: domain.Eligibility{Countries: []string{"US", "CA"}}}
		for k := range nskills {
			d.Skills = append(d.Skills, domain.SkillRequirement{Skill: pool[(i+k)%len(pool)], Level: 3, Required: k%2 == 0})
		}
		return d
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	publish := func(id string, d domain.JobDetails, pos int64) []eventstore.Event {
		p1, _ := json.Marshal(domain.JobDraftedEvent{OrgID: "org", Details: d})
		p2, _ := json.Marshal(domain.JobStatusEvent{At: at})
		return []eventstore.Event{{Position: pos, StreamID: id, Type: domain.JobDrafted, Payload: p1, Time: at},
			{Position: pos + 1, StreamID: id, Type: domain.JobPublished, Payload: p2, Time: at.Add(time.Duration(pos) * time.Second)}}
	}
	ctx := context.Background()
	base := NewModel()
	var pos int64 = 1
	for i := range 100_000 {
		if err := base.Apply(ctx, publish(fmt.Sprintf("seed-%d", i), details(i, 8), pos)); err != nil {
			b.Fatal(err)
		}
		pos += 2
	}
	for _, n := range []int{1, 4, 16, 60} {
		b.Run(fmt.Sprintf("publish/skills=%d", n), func(b *testing.B) {
			evs := make([][]eventstore.Event, b.N)
			for i := range evs {
				evs[i] = publish(fmt.Sprintf("b%d-%d", n, i), details(i, n), pos+int64(2*i))
			}
			b.ResetTimer()
			for i := range b.N {
				if err := base.Apply(ctx, evs[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			pos += int64(2 * b.N)
		})
		// The model's own work for an edit, without decoding the event:
		// taking the posting out of its bitmaps and filing it anew.
		b.Run(fmt.Sprintf("refile/skills=%d", n), func(b *testing.B) {
			ds := make([]domain.JobDetails, b.N)
			for i := range ds {
				ds[i] = details(i+1, n)
			}
			b.ResetTimer()
			for i := range b.N {
				base.update(fmt.Sprintf("seed-%d", i%100_000), ds[i])
			}
		})
	}
}
