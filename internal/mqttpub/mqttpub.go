// Package mqttpub publishes Meridian's public events to an MQTT broker:
// each newly published posting, once per skill it asks for, on
//
//	meridian/jobs/new/{category}/{skill}
//
// (taxonomy ids, e.g. meridian/jobs/new/language/go; a posting without
// skills on meridian/jobs/new/none/none), QoS 1, the payload the JSON of
// realtime.NewJob. Subscribers pick what they follow with wildcards:
// meridian/jobs/new/+/go, meridian/jobs/new/cloud_platform/#.
//
// One node publishes at a time (a store lease), from a cursor kept in the
// store and advanced after each batch the broker has acknowledged, so a
// broker or node restart loses nothing (a message may come twice, as QoS
// 1 allows). A first start begins at the store's head: the broker gets
// what happens from then on, not the history.
package mqttpub

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/skills"
	"github.com/meridianhq/meridian/internal/store"
)

// Cursor is the store cursor of the last event published to MQTT.
const Cursor = "mqtt"

// leaseKey identifies the publisher's lease (PostgreSQL advisory lock).
const leaseKey = 72431003

// TopicPrefix is the root of every topic.
const TopicPrefix = "meridian/jobs/new"

// Publisher bridges the event stream to an MQTT broker.
type Publisher struct {
	DB     *store.DB
	URL    string // mqtt://host:1883, tcp://, ssl://, ws://
	Broker follow.Subscriber
	Log    *slog.Logger
	// Poll bounds how late a message may be when no signal arrives.
	Poll time.Duration

	client mqtt.Client
}

// Topics returns the topics a posting is published on.
func Topics(j realtime.NewJob) []string {
	t := skills.Default()
	var out []string
	seen := map[string]bool{}
	for _, s := range j.Skills {
		cat := "none"
		if sk, ok := t.Get(s.Skill); ok {
			cat = sk.Category
		}
		topic := TopicPrefix + "/" + cat + "/" + s.Skill
		if !seen[topic] {
			seen[topic] = true
			out = append(out, topic)
		}
	}
	if len(out) == 0 {
		out = append(out, TopicPrefix+"/none/none")
	}
	return out
}

func (p *Publisher) connect(ctx context.Context) error {
	u, err := url.Parse(p.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("MERIDIAN_MQTT_URL %q: not a broker URL (mqtt://host:1883)", p.URL)
	}
	switch u.Scheme { // paho's names
	case "mqtt":
		u.Scheme = "tcp"
	case "mqtts":
		u.Scheme = "ssl"
	}
	opts := mqtt.NewClientOptions().AddBroker(u.String()).SetClientID("meridian-" + fmt.Sprint(time.Now().UnixNano())).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(false).SetOrderMatters(true).
		SetConnectTimeout(10 * time.Second).SetWriteTimeout(10 * time.Second)
	if u.User != nil {
		opts.SetUsername(u.User.Username())
		pw, _ := u.User.Password()
		opts.SetPassword(pw)
	}
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(15*time.Second) || tok.Error() != nil {
		return fmt.Errorf("connect to %s: %v", u.Host, tok.Error())
	}
	p.client = c
	return nil
}

// publish sends one message on each of its topics and waits for the
// broker's acknowledgements.
func (p *Publisher) publish(m realtime.Message) error {
	if m.Channel != realtime.ChanJobsNew {
		return nil
	}
	var j realtime.NewJob
	if err := json.Unmarshal(m.Data, &j); err != nil {
		return err
	}
	var toks []mqtt.Token
	for _, topic := range Topics(j) {
		toks = append(toks, p.client.Publish(topic, 1, false, []byte(m.Data)))
	}
	for _, t := range toks {
		if !t.WaitTimeout(30*time.Second) || t.Error() != nil {
			return fmt.Errorf("mqtt publish: %v", t.Error())
		}
	}
	return nil
}

// cursorFeed advances the store cursor after each acknowledged batch.
type cursorFeed struct {
	*realtime.Feed
	db *store.DB
}

func (c cursorFeed) Apply(ctx context.Context, evs []eventstore.Event) error {
	before := c.Feed.Position()
	err := c.Feed.Apply(ctx, evs)
	if pos := c.Feed.Position(); pos > before {
		if cerr := c.db.AdvanceCursor(ctx, Cursor, pos); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// Run publishes until ctx ends: while this node holds the lease,
// connected to the broker (retrying both every few seconds).
func (p *Publisher) Run(ctx context.Context) error {
	follow.Lead(ctx, p.DB, leaseKey, 2*time.Second, p.Log, "mqtt publisher", p.lead)
	return nil
}

func (p *Publisher) lead(ctx context.Context) error {
	if err := p.connect(ctx); err != nil {
		return err
	}
	defer p.client.Disconnect(250)
	pos, err := p.DB.Cursor(ctx, Cursor)
	if err != nil {
		return err
	}
	if pos == 0 { // first start: from now on
		if pos, err = p.DB.Head(ctx); err != nil {
			return err
		}
		if err := p.DB.AdvanceCursor(ctx, Cursor, pos); err != nil {
			return err
		}
	}
	feed := cursorFeed{realtime.NewFeedTo(p.publish, p.DB.Load, pos), p.DB}
	f := &follow.Follower{Name: "mqtt", DB: p.DB, Broker: p.Broker, Log: p.Log, Model: feed, Poll: p.Poll, Batch: 500}
	p.Log.Info("publishing public events to MQTT", "broker", redact(p.URL), "from", pos)
	return f.Run(ctx)
}

func redact(u string) string {
	if x, err := url.Parse(u); err == nil && x.User != nil {
		x.User = url.User(x.User.Username())
		return x.String()
	}
	return strings.TrimSpace(u)
}
