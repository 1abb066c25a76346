// Package broker connects Meridian to NATS JetStream: an embedded,
// in-process server with file storage under the data directory by default,
// or an external server or cluster given by URL. It publishes committed
// events (de-duplicated by event id through Nats-Msg-Id) and delivers them
// to subscribers in each process.
package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// StreamName is the JetStream stream that carries Meridian's events.
const StreamName = "MERIDIAN_EVENTS"

// SubjectPrefix prefixes every event subject: meridian.events.<type>.
const SubjectPrefix = "meridian.events."

// Config selects the broker.
type Config struct {
	// URL of an external NATS server or cluster (nats://...). Empty starts
	// an embedded server storing under DataDir/nats.
	URL     string
	DataDir string
	// Replicas of the events stream on an external cluster (default 1).
	Replicas int
	// Stream overrides StreamName (tests use their own stream on a shared server).
	Stream string
	// SubjectPrefix overrides SubjectPrefix, for the same reason.
	SubjectPrefix string
	// DuplicateWindow is JetStream's de-duplication window (default 10 minutes).
	DuplicateWindow time.Duration
}

// Broker is a connection to JetStream with Meridian's events stream.
type Broker struct {
	cfg    Config
	log    *slog.Logger
	srv    *server.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream string
	prefix string
}

// Open connects (starting the embedded server when no URL is given) and
// makes sure the events stream exists.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Broker, error) {
	b := &Broker{cfg: cfg, log: log, stream: cfg.Stream, prefix: cfg.SubjectPrefix}
	if b.stream == "" {
		b.stream = StreamName
	}
	if b.prefix == "" {
		b.prefix = SubjectPrefix
	}
	opts := []nats.Option{
		nats.Name("meridian"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectBufSize(-1), // publishes fail fast while disconnected; the outbox retries
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("broker disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("broker reconnected") }),
	}
	var err error
	if cfg.URL == "" {
		dir := cfg.DataDir
		if dir == "" {
			dir = "data"
		}
		b.srv, err = server.NewServer(&server.Options{
			ServerName: "meridian-embedded",
			JetStream:  true,
			StoreDir:   filepath.Join(dir, "nats"),
			DontListen: true,
			NoSigs:     true,
			NoLog:      true,
		})
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		b.srv.Start()
		if !b.srv.ReadyForConnections(10 * time.Second) {
			b.srv.Shutdown()
			return nil, errors.New("embedded nats did not start within 10s")
		}
		opts = append(opts, nats.InProcessServer(b.srv))
	}
	b.nc, err = nats.Connect(cfg.URL, opts...)
	if err != nil {
		b.Close()
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: fmt.Sprintf("cannot reach NATS at %s: %v", cfg.URL, err)}
	}
	b.js, err = jetstream.New(b.nc)
	if err != nil {
		b.Close()
		return nil, err
	}
	if err := b.ensureStream(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Broker) ensureStream(ctx context.Context) error {
	dup := b.cfg.DuplicateWindow
	if dup == 0 {
		dup = 10 * time.Minute
	}
	replicas := b.cfg.Replicas
	if replicas <= 0 {
		replicas = 1
	}
	sc := jetstream.StreamConfig{
		Name:        b.stream,
		Description: "Meridian domain events, published by the outbox relay",
		Subjects:    []string{b.prefix + ">"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      7 * 24 * time.Hour,
		Duplicates:  dup,
		Replicas:    replicas,
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var err error
	for attempt := 0; attempt < 30; attempt++ {
		if _, err = b.js.CreateOrUpdateStream(ctx, sc); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("create stream %s: %w", b.stream, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("create stream %s: %w", b.stream, err)
}

// Conn returns the NATS connection (for core pub/sub by other parts).
func (b *Broker) Conn() *nats.Conn { return b.nc }

// JetStream returns the JetStream context.
func (b *Broker) JetStream() jetstream.JetStream { return b.js }

// Stream returns the events stream's name.
func (b *Broker) Stream() string { return b.stream }

// Embedded reports whether the broker runs in this process.
func (b *Broker) Embedded() bool { return b.srv != nil }

// Ping checks that the broker answers (for /readyz).
func (b *Broker) Ping(ctx context.Context) error {
	if b.nc == nil || !b.nc.IsConnected() {
		return errors.New("not connected to NATS")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := b.js.AccountInfo(ctx)
	return err
}

// Close drains the connection and stops the embedded server.
func (b *Broker) Close() {
	if b.nc != nil {
		_ = b.nc.Drain()
		b.nc.Close()
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}

// wire is the message form of an event: the envelope with the personal
// part still sealed, so that nothing readable about a person is retained by
// the broker after their key is deleted.
func encode(e eventstore.Event) ([]byte, error) {
	e.Personal = nil
	e.Erased = false
	return json.Marshal(e)
}

// Decode reads an event message. Personal parts stay sealed; open them
// with the store's keyring.
func Decode(data []byte) (eventstore.Event, error) {
	var e eventstore.Event
	err := json.Unmarshal(data, &e)
	return e, err
}

// PublishEvents publishes events in order with asynchronous acks and waits
// for all of them. Each carries its event id as Nats-Msg-Id, so a retry
// after a partial failure is de-duplicated by JetStream.
func (b *Broker) PublishEvents(ctx context.Context, evs []eventstore.Event) error {
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	for _, e := range evs {
		data, err := encode(e)
		if err != nil {
			return err
		}
		msg := &nats.Msg{Subject: b.prefix + e.Type, Data: data, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, e.ID)
		f, err := b.js.PublishMsgAsync(msg)
		if err != nil {
			return fmt.Errorf("publish event %d: %w", e.Position, err)
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("publish event %d: %w", evs[i].Position, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return fmt.Errorf("publish event %d: no ack within 10s", evs[i].Position)
		}
	}
	return nil
}

// Subscribe delivers every event published from now on to fn, in stream
// order, through an ordered (ephemeral) consumer that recreates itself
// after reconnects. Stop the subscription by cancelling ctx.
func (b *Broker) Subscribe(ctx context.Context, fn func(eventstore.Event)) error {
	cons, err := b.js.OrderedConsumer(ctx, b.stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{b.prefix + ">"},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return fmt.Errorf("subscribe to %s: %w", b.stream, err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		e, err := Decode(m.Data())
		if err != nil {
			b.log.Error("undecodable event message", "subject", m.Subject(), "err", err)
			return
		}
		fn(e)
	})
	if err != nil {
		return fmt.Errorf("consume %s: %w", b.stream, err)
	}
	go func() {
		<-ctx.Done()
		cc.Stop()
	}()
	return nil
}
