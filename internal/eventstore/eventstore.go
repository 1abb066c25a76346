package eventstore

import (
	"context"
	"encoding/json"
	"time"
)

// Expected-version sentinels for Append.
const (
	// Any skips the optimistic concurrency check.
	Any int64 = -1
	// NoStream requires that the stream does not exist yet.
	NoStream int64 = 0
)

// Event is a recorded event: the envelope plus its payload.
type Event struct {
	ID            string          `json:"id"` // UUIDv7
	StreamID      string          `json:"streamId"`
	StreamType    string          `json:"streamType"`
	Version       int64           `json:"version"`  // 1-based position within the stream
	Position      int64           `json:"position"` // 1-based, gapless, global commit order
	Type          string          `json:"type"`     // stable, versioned name, e.g. job.published.v1
	Time          time.Time       `json:"time"`
	Actor         string          `json:"actor,omitempty"`
	CorrelationID string          `json:"correlationId,omitempty"`
	CausationID   string          `json:"causationId,omitempty"`
	Payload       json.RawMessage `json:"payload"`
	// Subject is the data subject (a person) whose key encrypts Personal.
	Subject string `json:"subject,omitempty"`
	// Personal is the decrypted personal part of the payload. It is nil when
	// the event has none, and also when the subject has been erased (Erased).
	Personal json.RawMessage `json:"personal,omitempty"`
	// Sealed is the ciphertext of Personal as stored and as published on the
	// broker. Consumers open it with a Keyring.
	Sealed []byte `json:"sealed,omitempty"`
	// Erased is true when the event had personal data whose key was deleted.
	Erased bool `json:"erased,omitempty"`
}

// NewEvent is an event to be appended.
type NewEvent struct {
	ID       string // optional; a UUIDv7 is assigned when empty
	Type     string
	Payload  json.RawMessage
	Subject  string          // required when Personal is set
	Personal json.RawMessage // encrypted at rest with the subject's data key
}

// StreamAppend is one stream's part of a batched append.
type StreamAppend struct {
	StreamID        string
	StreamType      string
	ExpectedVersion int64
	Events          []NewEvent
}

// Store is the event store port.
type Store interface {
	// Append appends events to one stream in one transaction if the stream's
	// current version equals expectedVersion (or expectedVersion is Any). A
	// stale expectation fails with a meridian.EConflict error and writes nothing.
	Append(ctx context.Context, a StreamAppend) ([]Event, error)
	// AppendBatch appends to several streams in one transaction, all or nothing.
	AppendBatch(ctx context.Context, batch []StreamAppend) ([]Event, error)
	// Load returns the events of one stream in version order, personal parts opened.
	Load(ctx context.Context, streamID string) ([]Event, error)
	// ReadAll returns up to limit events with position > after, in position
	// order, personal parts opened.
	ReadAll(ctx context.Context, after int64, limit int) ([]Event, error)
	// ReadSealed is ReadAll without opening personal parts (for the outbox relay).
	ReadSealed(ctx context.Context, after int64, limit int) ([]Event, error)
	// Head returns the position of the last committed event (0 when empty).
	Head(ctx context.Context) (int64, error)
}

// Keyring seals and opens personal data with per-subject data keys.
type Keyring interface {
	// Open fills e.Personal from e.Sealed, or sets e.Erased when the subject's
	// key is gone.
	Open(ctx context.Context, e *Event) error
	// Forget deletes the subject's key: every sealed part for it becomes unreadable.
	Forget(ctx context.Context, subject string) error
}

type metaKey struct{}

// Meta is the context metadata recorded with appended events.
type Meta struct {
	Actor         string
	CorrelationID string
	CausationID   string
}

// WithMeta returns a context whose appends record m.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the metadata in ctx.
func MetaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}
