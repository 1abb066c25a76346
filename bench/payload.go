package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

var (
	titles = []string{"Senior Go engineer", "Backend developer (Go, PostgreSQL)", "Site reliability engineer",
		"Staff platform engineer", "Data engineer", "Full-stack developer (TypeScript, Go)"}
	skillSets = [][]string{{"go", "postgresql", "nats"}, {"go", "sqlite", "grpc"},
		{"typescript", "react", "go"}, {"python", "kafka", "sql"}, {"rust", "linux", "ebpf"}}
	countrySets = [][]string{{"DE", "NL", "FR"}, {"US", "CA"}, {"GB", "IE"}, {"PL", "CZ", "SK", "HU"}}
	seniorities = []string{"mid", "senior", "lead", "staff"}
)

// JobDetails returns varied, valid job details whose JSON is about 500 bytes.
func JobDetails(i int) domain.JobDetails {
	skills := skillSets[i%len(skillSets)]
	req := make([]domain.SkillRequirement, len(skills))
	for k, s := range skills {
		req[k] = domain.SkillRequirement{Skill: s, Level: 2 + (i+k)%4, Required: k < 2}
	}
	lo, hi := -2.0, 3.0
	return domain.JobDetails{
		Title:          fmt.Sprintf("%s #%d", titles[i%len(titles)], i),
		Description:    "Own the Go services of a **remote-first** hiring platform. Revision " + fmt.Sprint(i) + ".",
		Skills:         req,
		Seniority:      seniorities[i%len(seniorities)],
		EmploymentType: "full_time",
		Salary:         &domain.Salary{Min: int64(70000 + i%50*1000), Max: int64(110000 + i%50*1000), Currency: "EUR", Period: "year"},
		Eligibility:    domain.Eligibility{Countries: countrySets[i%len(countrySets)]},
		TimeZone:       &domain.TimeZoneRule{MinUTCOffset: &lo, MaxUTCOffset: &hi},
		ApplyURL:       "https://jobs.example.com/apply/" + fmt.Sprint(100000+i),
	}
}

// JobPayload is the JSON of JobDetails(i): a job.updated.v1 payload.
func JobPayload(i int) json.RawMessage {
	b, err := json.Marshal(JobDetails(i))
	if err != nil {
		panic(err)
	}
	return b
}

// ProfilePersonal is a profile's personal part (~430 bytes), sealed at rest.
func ProfilePersonal(i int) json.RawMessage {
	d := domain.ProfileDetails{
		DisplayName: fmt.Sprintf("Ada Lovelace %d", i),
		Headline:    "Backend engineer, event sourcing and distributed systems",
		Summary:     "Ten years of Go and PostgreSQL; built payment ledgers and search indexes. " + strings.Repeat("Open source maintainer. ", 2),
		Skills:      []domain.ProfileSkill{{Skill: "go", Level: 5, Years: 9}, {Skill: "postgresql", Level: 4, Years: 7}},
		TimeZone:    "Europe/Berlin", WorkStart: "09:00", WorkEnd: "17:00",
		Countries: []string{"DE"}, Seniority: "senior",
	}
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	return b
}

// Kind selects the events that Events makes.
type Kind int

// Event kinds.
const (
	// Plain events are job.updated.v1 with a ~500-byte public payload.
	Plain Kind = iota
	// Personal events are profile.updated.v1 with a ~130-byte public payload
	// and a ~430-byte personal part sealed under one of Subjects subject keys.
	Personal
)

func (k Kind) String() string {
	if k == Personal {
		return "personal"
	}
	return "plain"
}

// Subjects is how many data subjects Personal events rotate through.
const Subjects = 1000

// NewEvent returns the i-th benchmark event of kind k.
func NewEvent(k Kind, i int) eventstore.NewEvent {
	if k == Personal {
		return eventstore.NewEvent{
			ID:       meridian.NewID(),
			Type:     domain.ProfileUpdated,
			Payload:  json.RawMessage(fmt.Sprintf(`{"visibility":"employers","at":%q,"rev":%d,"source":"bench","note":"public part of a profile change"}`, time.Now().UTC().Format(time.RFC3339Nano), i)),
			Subject:  fmt.Sprintf("bench-person-%d", i%Subjects),
			Personal: ProfilePersonal(i),
		}
	}
	return eventstore.NewEvent{ID: meridian.NewID(), Type: domain.JobUpdated, Payload: JobPayload(i)}
}

// StreamType returns the stream type events of kind k belong to.
func (k Kind) StreamType() string {
	if k == Personal {
		return "profile"
	}
	return "job"
}

// Batch returns one AppendBatch argument holding n events of kind k, perStream
// events to each stream, streams chosen round-robin among nStreams from
// seq (so repeated batches extend existing streams). Expected versions are
// Any: the benchmark measures the store, not optimistic concurrency.
func Batch(k Kind, seq, n, perStream, nStreams int) []eventstore.StreamAppend {
	if perStream <= 0 {
		perStream = 1
	}
	perBatch := (n + perStream - 1) / perStream
	if perBatch > nStreams {
		panic(fmt.Sprintf("bench.Batch: %d streams per batch but only %d streams", perBatch, nStreams))
	}
	var out []eventstore.StreamAppend
	for i := 0; i < n; {
		m := min(perStream, n-i)
		a := eventstore.StreamAppend{
			StreamID:        fmt.Sprintf("bench-%s-%d", k.StreamType(), (seq*perBatch+len(out))%nStreams),
			StreamType:      k.StreamType(),
			ExpectedVersion: eventstore.Any,
			Events:          make([]eventstore.NewEvent, m),
		}
		for j := range a.Events {
			a.Events[j] = NewEvent(k, seq*n+i+j)
		}
		out = append(out, a)
		i += m
	}
	return out
}
