package domain

import (
	"encoding/json"
	"fmt"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Aggregate is what the application layer's repository loads, changes and saves.
type Aggregate interface {
	StreamType() string
	// Apply folds a recorded event into the state.
	Apply(e eventstore.Event) error
	// ID, Version and Pending come from the embedded Root.
	ID() string
	Version() int64
	Pending() []eventstore.NewEvent
	root() *Root
}

// Root holds the bookkeeping every aggregate shares: its id, the version it
// was loaded at, and the events recorded since.
type Root struct {
	id      string
	version int64
	pending []eventstore.NewEvent
}

// ID returns the aggregate id (its stream id).
func (r *Root) ID() string { return r.id }

// Version returns the number of events applied (loaded plus pending).
func (r *Root) Version() int64 { return r.version }

// Pending returns the events recorded since loading.
func (r *Root) Pending() []eventstore.NewEvent { return r.pending }

func (r *Root) root() *Root { return r }

// Exists reports whether the aggregate has any event.
func (r *Root) Exists() bool { return r.version > 0 }

// Load folds history into a fresh aggregate.
func Load(a Aggregate, id string, history []eventstore.Event) error {
	a.root().id = id
	for _, e := range history {
		if err := a.Apply(e); err != nil {
			return fmt.Errorf("apply %s v%d to %s: %w", e.Type, e.Version, id, err)
		}
		a.root().version = e.Version
	}
	return nil
}

// record marshals an event, applies it to a and queues it for saving.
func record(a Aggregate, typ string, payload any, subject string, personal any) error {
	ne := eventstore.NewEvent{ID: meridian.NewID(), Type: typ, Subject: subject}
	var err error
	if ne.Payload, err = json.Marshal(payload); err != nil {
		return err
	}
	if personal != nil {
		if ne.Personal, err = json.Marshal(personal); err != nil {
			return err
		}
	}
	r := a.root()
	if err := a.Apply(eventstore.Event{ID: ne.ID, StreamID: r.id, Type: typ, Version: r.version + 1, Payload: ne.Payload, Subject: subject, Personal: ne.Personal}); err != nil {
		return err
	}
	r.version++
	r.pending = append(r.pending, ne)
	return nil
}

// decode unmarshals an event part, naming the event on failure.
func decode(e eventstore.Event, part json.RawMessage, v any) error {
	if len(part) == 0 {
		return nil
	}
	if err := json.Unmarshal(part, v); err != nil {
		return fmt.Errorf("decode %s %s: %w", e.Type, e.ID, err)
	}
	return nil
}

func ruleErr(format string, args ...any) error {
	return meridian.Errorf(meridian.ERule, format, args...)
}
