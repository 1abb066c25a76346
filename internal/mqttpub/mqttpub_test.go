package mqttpub

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

func TestTopics(t *testing.T) {
	got := Topics(realtime.NewJob{Skills: []domain.SkillRequirement{{Skill: "go"}, {Skill: "postgresql"}, {Skill: "go"}}})
	if len(got) != 2 || got[0] != "meridian/jobs/new/language/go" || got[1] != "meridian/jobs/new/relational_database/postgresql" {
		t.Errorf("topics %v", got)
	}
	if got := Topics(realtime.NewJob{}); len(got) != 1 || got[0] != "meridian/jobs/new/none/none" {
		t.Errorf("no skills: %v", got)
	}
}

func brokerURL() string {
	if u := os.Getenv("MERIDIAN_TEST_MQTT_URL"); u != "" {
		return u
	}
	return "mqtt://127.0.0.1:1883"
}

// TestPublishesNewPostingsToMosquitto runs the publisher against the
// Mosquitto service: a posting published after the cursor reaches a
// subscriber on one topic per skill, QoS 1, and the cursor moves past it.
func TestPublishesNewPostingsToMosquitto(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "127.0.0.1:1883", 2*time.Second); err != nil {
		storetest.Unavailable(t, "Mosquitto (MQTT)", "127.0.0.1:1883", err)
	} else {
		c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := storetest.OpenSQLite(t)
	appendJob := func(id, title string, skills ...string) int64 {
		d := domain.JobDetails{Title: title, Eligibility: domain.Eligibility{Worldwide: true}}
		for _, s := range skills {
			d.Skills = append(d.Skills, domain.SkillRequirement{Skill: s, Level: 3, Required: true})
		}
		p1, _ := json.Marshal(domain.JobDraftedEvent{OrgID: "org-1", Details: d})
		p2, _ := json.Marshal(domain.JobStatusEvent{At: time.Now()})
		evs, err := db.Append(ctx, eventstore.StreamAppend{StreamID: id, StreamType: "job",
			Events: []eventstore.NewEvent{{Type: domain.JobDrafted, Payload: p1}, {Type: domain.JobPublished, Payload: p2}}})
		if err != nil {
			t.Fatal(err)
		}
		return evs[len(evs)-1].Position
	}
	// History before the cursor is not published.
	start := appendJob("job-old", "Old posting", "rust")
	if err := db.AdvanceCursor(ctx, Cursor, start); err != nil {
		t.Fatal(err)
	}
	pos := appendJob("job-1", "Go and PostgreSQL engineer", "go", "postgresql")

	// A subscriber on every new-posting topic.
	var mu sync.Mutex
	got := map[string]string{}
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://127.0.0.1:1883").SetClientID("meridian-test-sub-" + t.Name()))
	if tok := sub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscriber connect: %v", tok.Error())
	}
	defer sub.Disconnect(100)
	if tok := sub.Subscribe(TopicPrefix+"/#", 1, func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		defer mu.Unlock()
		got[m.Topic()] = string(m.Payload())
	}); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}

	p := &Publisher{DB: db, URL: brokerURL(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 20 * time.Millisecond}
	pctx, pcancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = p.Run(pctx); close(done) }()
	defer func() { pcancel(); <-done }()

	want := []string{TopicPrefix + "/language/go", TopicPrefix + "/relational_database/postgresql"}
	for {
		mu.Lock()
		n := 0
		for _, w := range want {
			if _, ok := got[w]; ok {
				n++
			}
		}
		old := got[TopicPrefix+"/language/rust"]
		mu.Unlock()
		if old != "" {
			t.Fatalf("a posting before the cursor was published: %s", old)
		}
		if n == len(want) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("topics received %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var j realtime.NewJob
	mu.Lock()
	err := json.Unmarshal([]byte(got[want[0]]), &j)
	mu.Unlock()
	if err != nil || j.ID != "job-1" || j.Title != "Go and PostgreSQL engineer" {
		t.Fatalf("payload %+v: %v", j, err)
	}
	for {
		c, err := db.Cursor(ctx, Cursor)
		if err != nil {
			t.Fatal(err)
		}
		if c >= pos {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("cursor at %d, want %d", c, pos)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
