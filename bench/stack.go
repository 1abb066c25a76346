package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/broker"
	"github.com/meridianhq/meridian/internal/outbox"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/store"
)

// Stack is what `meridian serve` assembles (internal/cli/serve.go): the
// store, the broker, the outbox relay and the read-model projector. Relay and
// projector run only after Start.
type Stack struct {
	DB     *store.DB
	Broker *broker.Broker
	Relay  *outbox.Relay
	Runner *projection.Runner
	Log    *slog.Logger

	external bool
	cleanup  func()
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// StackSpec selects the database and the broker.
type StackSpec struct {
	Target Target
	// NATSURL selects an external NATS server; empty starts the embedded one
	// (in the data directory, as serve does).
	NATSURL string
}

// Name is a label such as "SQLite (synchronous=FULL) + embedded NATS".
func (s StackSpec) Name() string {
	if s.NATSURL == "" {
		return s.Target.Name() + " + embedded NATS"
	}
	return s.Target.Name() + " + external NATS"
}

// Logger returns the harness logger: warnings and errors to stderr.
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// OpenStack opens a fresh database and a broker. On an external server the
// stream and subject prefix are unique to this run, and Close deletes the
// stream.
func OpenStack(ctx context.Context, spec StackSpec) (*Stack, error) {
	log := Logger()
	db, dir, cleanup, err := OpenDB(ctx, spec.Target)
	if err != nil {
		return nil, err
	}
	cfg := broker.Config{DataDir: dir}
	if spec.NATSURL != "" {
		id := RandomHex(4)
		cfg = broker.Config{URL: spec.NATSURL, Stream: "MERIDIAN_BENCH_" + id, SubjectPrefix: "meridian.bench." + id + "."}
	}
	b, err := broker.Open(ctx, cfg, log)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("broker: %w", err)
	}
	s := &Stack{DB: db, Broker: b, Log: log, external: spec.NATSURL != "", cleanup: cleanup}
	s.Relay = &outbox.Relay{DB: db, Publisher: b, Log: log}
	s.Runner = &projection.Runner{DB: db, Broker: b, Handler: readmodel.Projection{}, Log: log}
	return s, nil
}

// Start runs the relay and, when projector is true, the projector.
func (s *Stack) Start(projector bool) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if projector {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = s.Runner.Run(ctx) }()
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = s.Relay.Run(ctx) }()
}

// Close stops the relay and projector, deletes an external stream, closes
// the broker and removes the database.
func (s *Stack) Close() {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
	if s.external {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.Broker.JetStream().DeleteStream(ctx, s.Broker.Stream()); err != nil {
			s.Log.Warn("delete bench stream", "stream", s.Broker.Stream(), "err", err)
		}
		cancel()
	}
	s.Broker.Close()
	s.cleanup()
}
