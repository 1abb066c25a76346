// Package eventstoretest is the contract suite every eventstore.Store
// adapter must pass. An adapter's tests call Run with a function that opens
// a fresh, empty store:
//
//	func TestEventStore(t *testing.T) {
//		eventstoretest.Run(t, func(t *testing.T) (eventstore.Store, eventstore.Keyring) {
//			db := storetest.OpenSQLite(t)
//			return db, db.Keyring()
//		})
//	}
package eventstoretest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Open returns a fresh, empty store and its keyring. It is called once per
// subtest, from parallel subtests, and must release what it opens through
// t.Cleanup.
type Open func(t *testing.T) (eventstore.Store, eventstore.Keyring)

// Run runs the event store contract suite against the stores open returns.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.Store, k eventstore.Keyring)
	}{
		{"Empty", testEmpty},
		{"AppendToNewStream", testAppendToNewStream},
		{"LoadReturnsEnvelope", testLoadReturnsEnvelope},
		{"VersionsAndPositions", testVersionsAndPositions},
		{"StaleExpectedVersion", testStaleExpectedVersion},
		{"ExpectedVersionAny", testExpectedVersionAny},
		{"NoStreamOnExistingStream", testNoStreamOnExistingStream},
		{"DuplicateEventID", testDuplicateEventID},
		{"InvalidAppend", testInvalidAppend},
		{"AppendBatch", testAppendBatch},
		{"AppendBatchIsAtomic", testAppendBatchIsAtomic},
		{"ReadAllPaging", testReadAllPaging},
		{"PersonalData", testPersonalData},
		{"Forget", testForget},
		{"ConcurrentSameStream", testConcurrentSameStream},
		{"ConcurrentDifferentStreams", testConcurrentDifferentStreams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, k := open(t)
			tc.fn(t, s, k)
		})
	}
}

// ---- helpers ----

// cmpEvents compares events; nil and empty byte slices are equal, times are
// compared as instants.
var cmpEvents = cmpopts.EquateEmpty()

func payload(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// newEvents returns n events of type typ with distinct compact payloads.
func newEvents(typ string, n int) []eventstore.NewEvent {
	out := make([]eventstore.NewEvent, n)
	for i := range out {
		out[i] = eventstore.NewEvent{Type: typ, Payload: payload(map[string]any{"n": i + 1, "typ": typ})}
	}
	return out
}

func appendTo(stream string, expected int64, evs ...eventstore.NewEvent) eventstore.StreamAppend {
	return eventstore.StreamAppend{StreamID: stream, StreamType: "test", ExpectedVersion: expected, Events: evs}
}

func mustAppend(t *testing.T, ctx context.Context, s eventstore.Store, a eventstore.StreamAppend) []eventstore.Event {
	t.Helper()
	out, err := s.Append(ctx, a)
	if err != nil {
		t.Fatalf("Append(%s, expected %d): %v", a.StreamID, a.ExpectedVersion, err)
	}
	if len(out) != len(a.Events) {
		t.Fatalf("Append(%s) returned %d events, want %d", a.StreamID, len(out), len(a.Events))
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := meridian.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
}

func mustLoad(t *testing.T, ctx context.Context, s eventstore.Store, stream string) []eventstore.Event {
	t.Helper()
	evs, err := s.Load(ctx, stream)
	if err != nil {
		t.Fatalf("Load(%s): %v", stream, err)
	}
	return evs
}

func mustReadAll(t *testing.T, ctx context.Context, s eventstore.Store, after int64, limit int) []eventstore.Event {
	t.Helper()
	evs, err := s.ReadAll(ctx, after, limit)
	if err != nil {
		t.Fatalf("ReadAll(%d, %d): %v", after, limit, err)
	}
	return evs
}

func mustHead(t *testing.T, ctx context.Context, s eventstore.Store) int64 {
	t.Helper()
	h, err := s.Head(ctx)
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

func positions(evs []eventstore.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Position
	}
	return out
}

func versions(evs []eventstore.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Version
	}
	return out
}

func seq(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func wantSeq(t *testing.T, what string, got []int64, from, to int64) {
	t.Helper()
	if diff := cmp.Diff(seq(from, to), got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

// ---- tests ----

func testEmpty(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	if h := mustHead(t, ctx, s); h != 0 {
		t.Errorf("Head of an empty store = %d, want 0", h)
	}
	if evs := mustLoad(t, ctx, s, "nothing-here"); len(evs) != 0 {
		t.Errorf("Load of a missing stream = %d events, want 0", len(evs))
	}
	if evs := mustReadAll(t, ctx, s, 0, 10); len(evs) != 0 {
		t.Errorf("ReadAll of an empty store = %d events, want 0", len(evs))
	}
}

func testAppendToNewStream(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	given := meridian.NewID()
	evs := newEvents("thing.happened.v1", 3)
	evs[0].ID = given
	before := time.Now().Add(-time.Second)
	out := mustAppend(t, ctx, s, eventstore.StreamAppend{StreamID: "job-1", StreamType: "job", ExpectedVersion: eventstore.NoStream, Events: evs})
	after := time.Now().Add(time.Second)

	wantSeq(t, "versions", versions(out), 1, 3)
	wantSeq(t, "positions", positions(out), 1, 3)
	if out[0].ID != given {
		t.Errorf("event id = %q, want the given %q", out[0].ID, given)
	}
	ids := map[string]bool{}
	for i, e := range out {
		if !meridian.ValidID(e.ID) {
			t.Errorf("event %d: id %q is not a UUID", i, e.ID)
		}
		if ids[e.ID] {
			t.Errorf("event %d: id %q assigned twice", i, e.ID)
		}
		ids[e.ID] = true
		if e.StreamID != "job-1" || e.StreamType != "job" || e.Type != "thing.happened.v1" {
			t.Errorf("event %d: stream %q type %q event type %q", i, e.StreamID, e.StreamType, e.Type)
		}
		if !bytes.Equal(e.Payload, evs[i].Payload) {
			t.Errorf("event %d: payload %s, want %s", i, e.Payload, evs[i].Payload)
		}
		if e.Time.Before(before) || e.Time.After(after) {
			t.Errorf("event %d: time %v not within [%v, %v]", i, e.Time, before, after)
		}
	}
	if h := mustHead(t, ctx, s); h != 3 {
		t.Errorf("Head = %d, want 3", h)
	}
	if diff := cmp.Diff(out, mustLoad(t, ctx, s, "job-1"), cmpEvents); diff != "" {
		t.Errorf("Load differs from what Append returned (-append +load):\n%s", diff)
	}
}

func testLoadReturnsEnvelope(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	m1 := eventstore.Meta{Actor: "user-1", CorrelationID: "corr-1", CausationID: "cause-1"}
	m2 := eventstore.Meta{Actor: "user-2", CorrelationID: "corr-2"}
	var a, b []eventstore.Event
	a = append(a, mustAppend(t, eventstore.WithMeta(ctx, m1), s, appendTo("a", eventstore.NoStream, newEvents("a.one.v1", 2)...))...)
	b = append(b, mustAppend(t, ctx, s, appendTo("b", eventstore.NoStream, newEvents("b.one.v1", 1)...))...)
	a = append(a, mustAppend(t, eventstore.WithMeta(ctx, m2), s, appendTo("a", 2, newEvents("a.two.v1", 2)...))...)

	for i, e := range a {
		want := m1
		if i >= 2 {
			want = m2
		}
		got := eventstore.Meta{Actor: e.Actor, CorrelationID: e.CorrelationID, CausationID: e.CausationID}
		if got != want {
			t.Errorf("a[%d] meta = %+v, want %+v", i, got, want)
		}
	}
	if b[0].Actor != "" || b[0].CorrelationID != "" || b[0].CausationID != "" {
		t.Errorf("event appended without meta has meta %q/%q/%q", b[0].Actor, b[0].CorrelationID, b[0].CausationID)
	}

	if diff := cmp.Diff(a, mustLoad(t, ctx, s, "a"), cmpEvents); diff != "" {
		t.Errorf("Load(a) (-appended +loaded):\n%s", diff)
	}
	if diff := cmp.Diff(b, mustLoad(t, ctx, s, "b"), cmpEvents); diff != "" {
		t.Errorf("Load(b) (-appended +loaded):\n%s", diff)
	}
	all := []eventstore.Event{a[0], a[1], b[0], a[2], a[3]}
	if diff := cmp.Diff(all, mustReadAll(t, ctx, s, 0, 100), cmpEvents); diff != "" {
		t.Errorf("ReadAll (-appended +read):\n%s", diff)
	}
}

func testVersionsAndPositions(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	streams := []string{"s1", "s2", "s3"}
	ver := map[string]int64{}
	var want []string // stream of each position
	for round := 0; round < 4; round++ {
		for i, st := range streams {
			n := 1 + (round+i)%3
			out := mustAppend(t, ctx, s, appendTo(st, ver[st], newEvents("x.v1", n)...))
			for j, e := range out {
				if e.Version != ver[st]+int64(j)+1 {
					t.Fatalf("%s: version %d, want %d", st, e.Version, ver[st]+int64(j)+1)
				}
				if e.Position != int64(len(want)+1) {
					t.Fatalf("%s: position %d, want %d", st, e.Position, len(want)+1)
				}
				want = append(want, st)
			}
			ver[st] += int64(n)
		}
	}
	all := mustReadAll(t, ctx, s, 0, 1000)
	wantSeq(t, "ReadAll positions", positions(all), 1, int64(len(want)))
	for i, e := range all {
		if e.StreamID != want[i] {
			t.Errorf("position %d belongs to %s, want %s", e.Position, e.StreamID, want[i])
		}
	}
	for _, st := range streams {
		evs := mustLoad(t, ctx, s, st)
		wantSeq(t, "Load("+st+") versions", versions(evs), 1, ver[st])
		for i := 1; i < len(evs); i++ {
			if evs[i].Position <= evs[i-1].Position {
				t.Errorf("Load(%s): positions not increasing: %v", st, positions(evs))
			}
		}
	}
	if h := mustHead(t, ctx, s); h != int64(len(want)) {
		t.Errorf("Head = %d, want %d", h, len(want))
	}
}

func testStaleExpectedVersion(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	mustAppend(t, ctx, s, appendTo("st", eventstore.NoStream, newEvents("x.v1", 2)...))
	for _, expected := range []int64{1, 3, 10} {
		_, err := s.Append(ctx, appendTo("st", expected, newEvents("y.v1", 1)...))
		wantCode(t, err, meridian.EConflict)
	}
	// A stale expectation on a stream that does not exist is a conflict too.
	_, err := s.Append(ctx, appendTo("missing", 1, newEvents("y.v1", 1)...))
	wantCode(t, err, meridian.EConflict)

	if evs := mustLoad(t, ctx, s, "st"); len(evs) != 2 {
		t.Errorf("stream has %d events after conflicts, want 2", len(evs))
	}
	if evs := mustLoad(t, ctx, s, "missing"); len(evs) != 0 {
		t.Errorf("missing stream has %d events after a conflict, want 0", len(evs))
	}
	if h := mustHead(t, ctx, s); h != 2 {
		t.Errorf("Head = %d after conflicts, want 2", h)
	}
	// The right expectation still works and continues the numbering.
	out := mustAppend(t, ctx, s, appendTo("st", 2, newEvents("z.v1", 1)...))
	if out[0].Version != 3 || out[0].Position != 3 {
		t.Errorf("after conflicts: version %d position %d, want 3 and 3", out[0].Version, out[0].Position)
	}
}

func testExpectedVersionAny(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	out := mustAppend(t, ctx, s, appendTo("st", eventstore.Any, newEvents("x.v1", 1)...))
	if out[0].Version != 1 {
		t.Errorf("Any on a new stream: version %d, want 1", out[0].Version)
	}
	out = mustAppend(t, ctx, s, appendTo("st", eventstore.Any, newEvents("x.v1", 2)...))
	wantSeq(t, "Any on an existing stream: versions", versions(out), 2, 3)
	wantSeq(t, "Load versions", versions(mustLoad(t, ctx, s, "st")), 1, 3)
}

func testNoStreamOnExistingStream(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	first := mustAppend(t, ctx, s, appendTo("st", eventstore.NoStream, newEvents("x.v1", 1)...))
	_, err := s.Append(ctx, appendTo("st", eventstore.NoStream, newEvents("x.v1", 1)...))
	wantCode(t, err, meridian.EConflict)
	if diff := cmp.Diff(first, mustLoad(t, ctx, s, "st"), cmpEvents); diff != "" {
		t.Errorf("stream changed by a conflicting append (-want +got):\n%s", diff)
	}
	if h := mustHead(t, ctx, s); h != 1 {
		t.Errorf("Head = %d, want 1", h)
	}
}

func testDuplicateEventID(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	id := meridian.NewID()
	e := eventstore.NewEvent{ID: id, Type: "x.v1", Payload: payload(map[string]int{"a": 1})}
	mustAppend(t, ctx, s, appendTo("st", eventstore.NoStream, e))
	_, err := s.Append(ctx, appendTo("other", eventstore.NoStream, newEvents("y.v1", 1)[0], e))
	wantCode(t, err, meridian.EConflict)
	if evs := mustLoad(t, ctx, s, "other"); len(evs) != 0 {
		t.Errorf("stream with a duplicate event id has %d events, want 0", len(evs))
	}
	if h := mustHead(t, ctx, s); h != 1 {
		t.Errorf("Head = %d, want 1", h)
	}
}

func testInvalidAppend(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	ok := newEvents("x.v1", 1)
	tests := []struct {
		name string
		a    eventstore.StreamAppend
	}{
		{"no stream id", eventstore.StreamAppend{StreamType: "test", Events: ok}},
		{"no stream type", eventstore.StreamAppend{StreamID: "st", Events: ok}},
		{"no events", eventstore.StreamAppend{StreamID: "st", StreamType: "test"}},
		{"event without type", appendTo("st", eventstore.NoStream, eventstore.NewEvent{Payload: payload(1)})},
		{"personal data without subject", appendTo("st", eventstore.NoStream, eventstore.NewEvent{Type: "x.v1", Personal: payload(map[string]string{"name": "Ada"})})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(ctx, tc.a)
			wantCode(t, err, meridian.EInvalid)
		})
	}
	if h := mustHead(t, ctx, s); h != 0 {
		t.Errorf("Head = %d after invalid appends, want 0", h)
	}
}

func testAppendBatch(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	mustAppend(t, ctx, s, appendTo("m", eventstore.NoStream, newEvents("x.v1", 1)...))
	// Stream ids out of order on purpose: positions follow the batch order.
	batch := []eventstore.StreamAppend{
		appendTo("z", eventstore.NoStream, newEvents("z.v1", 2)...),
		appendTo("m", 1, newEvents("m.v1", 1)...),
		appendTo("a", eventstore.Any, newEvents("a.v1", 2)...),
	}
	out, err := s.AppendBatch(ctx, batch)
	if err != nil {
		t.Fatalf("AppendBatch: %v", err)
	}
	type sv struct {
		Stream            string
		Version, Position int64
	}
	var got []sv
	for _, e := range out {
		got = append(got, sv{e.StreamID, e.Version, e.Position})
	}
	want := []sv{{"z", 1, 2}, {"z", 2, 3}, {"m", 2, 4}, {"a", 1, 5}, {"a", 2, 6}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AppendBatch result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(out, mustReadAll(t, ctx, s, 1, 100), cmpEvents); diff != "" {
		t.Errorf("ReadAll after AppendBatch (-appended +read):\n%s", diff)
	}
	if h := mustHead(t, ctx, s); h != 6 {
		t.Errorf("Head = %d, want 6", h)
	}
}

func testAppendBatchIsAtomic(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	existing := mustAppend(t, ctx, s, appendTo("m", eventstore.NoStream, newEvents("x.v1", 2)...))
	tests := []struct {
		name  string
		batch []eventstore.StreamAppend
	}{
		{"conflict last", []eventstore.StreamAppend{
			appendTo("a-new", eventstore.NoStream, newEvents("x.v1", 2)...),
			appendTo("z-new", eventstore.NoStream, eventstore.NewEvent{Type: "x.v1", Subject: "person-batch", Personal: payload(map[string]string{"name": "Batch"})}),
			appendTo("m", 1, newEvents("x.v1", 1)...), // stale
		}},
		{"conflict first", []eventstore.StreamAppend{
			appendTo("m", eventstore.NoStream, newEvents("x.v1", 1)...), // exists
			appendTo("a-new", eventstore.NoStream, newEvents("x.v1", 1)...),
			appendTo("z-new", eventstore.Any, newEvents("x.v1", 1)...),
		}},
		{"duplicate event id", []eventstore.StreamAppend{
			appendTo("a-new", eventstore.NoStream, newEvents("x.v1", 1)...),
			appendTo("z-new", eventstore.NoStream, eventstore.NewEvent{ID: existing[0].ID, Type: "x.v1"}),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AppendBatch(ctx, tc.batch)
			wantCode(t, err, meridian.EConflict)
			for _, st := range []string{"a-new", "z-new"} {
				if evs := mustLoad(t, ctx, s, st); len(evs) != 0 {
					t.Errorf("%s has %d events after a failed batch, want 0", st, len(evs))
				}
			}
			if diff := cmp.Diff(existing, mustLoad(t, ctx, s, "m"), cmpEvents); diff != "" {
				t.Errorf("m changed by a failed batch (-want +got):\n%s", diff)
			}
			if h := mustHead(t, ctx, s); h != 2 {
				t.Errorf("Head = %d after a failed batch, want 2", h)
			}
		})
	}
	// Positions given back by the failed batches are reused: still gapless.
	out := mustAppend(t, ctx, s, appendTo("a-new", eventstore.NoStream, newEvents("x.v1", 1)...))
	if out[0].Position != 3 {
		t.Errorf("position after failed batches = %d, want 3", out[0].Position)
	}
}

func testReadAllPaging(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	var appended []eventstore.Event
	for i := 0; i < 5; i++ {
		st := fmt.Sprintf("s%d", i%3)
		v := int64(0)
		for _, e := range appended {
			if e.StreamID == st {
				v = e.Version
			}
		}
		appended = append(appended, mustAppend(t, ctx, s, appendTo(st, v, newEvents("x.v1", 2)...))...)
	}
	var paged []eventstore.Event
	var sizes []int
	after := int64(0)
	for i := 0; i < 10; i++ {
		page := mustReadAll(t, ctx, s, after, 3)
		if len(page) == 0 {
			break
		}
		sizes = append(sizes, len(page))
		paged = append(paged, page...)
		after = page[len(page)-1].Position
	}
	if diff := cmp.Diff([]int{3, 3, 3, 1}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(appended, paged, cmpEvents); diff != "" {
		t.Errorf("paged ReadAll (-appended +read):\n%s", diff)
	}
	wantSeq(t, "ReadAll(4, 2) positions", positions(mustReadAll(t, ctx, s, 4, 2)), 5, 6)
	if evs := mustReadAll(t, ctx, s, 10, 5); len(evs) != 0 {
		t.Errorf("ReadAll after the head returned %d events, want 0", len(evs))
	}
	sealed, err := s.ReadSealed(ctx, 7, 100)
	if err != nil {
		t.Fatalf("ReadSealed: %v", err)
	}
	wantSeq(t, "ReadSealed(7) positions", positions(sealed), 8, 10)
}

func testPersonalData(t *testing.T, s eventstore.Store, k eventstore.Keyring) {
	ctx := t.Context()
	secret := payload(map[string]string{"displayName": "Ada Lovelace", "email": "ada@example.com"})
	evs := []eventstore.NewEvent{
		{Type: "profile.created.v1", Payload: payload(map[string]string{"ownerId": "person-1"}), Subject: "person-1", Personal: secret},
		{Type: "profile.visibility_changed.v1", Payload: payload(map[string]string{"visibility": "public"})},
		{Type: "profile.updated.v1", Payload: payload(struct{}{}), Subject: "person-1", Personal: secret},
	}
	out := mustAppend(t, ctx, s, eventstore.StreamAppend{StreamID: "profile-1", StreamType: "profile", Events: evs})
	for i, e := range out {
		if !bytes.Equal(e.Personal, evs[i].Personal) {
			t.Errorf("Append result %d: personal %s, want %s", i, e.Personal, evs[i].Personal)
		}
	}

	check := func(name string, got []eventstore.Event) {
		t.Helper()
		if len(got) != 3 {
			t.Fatalf("%s: %d events, want 3", name, len(got))
		}
		for _, i := range []int{0, 2} {
			e := got[i]
			if !bytes.Equal(e.Personal, secret) || e.Erased || e.Subject != "person-1" {
				t.Errorf("%s[%d]: personal %s erased %v subject %q; want %s, false, person-1", name, i, e.Personal, e.Erased, e.Subject, secret)
			}
			if len(e.Sealed) == 0 {
				t.Errorf("%s[%d]: no sealed part", name, i)
			}
			for _, plain := range [][]byte{secret, []byte("Ada Lovelace"), []byte("ada@example.com")} {
				if bytes.Contains(e.Sealed, plain) {
					t.Errorf("%s[%d]: sealed part contains the plaintext %q", name, i, plain)
				}
			}
		}
		if e := got[1]; e.Personal != nil || len(e.Sealed) != 0 || e.Erased {
			t.Errorf("%s[1] (no personal data): personal %s sealed %d bytes erased %v", name, e.Personal, len(e.Sealed), e.Erased)
		}
	}
	loaded := mustLoad(t, ctx, s, "profile-1")
	check("Load", loaded)
	check("ReadAll", mustReadAll(t, ctx, s, 0, 10))
	if diff := cmp.Diff(out, loaded, cmpEvents); diff != "" {
		t.Errorf("Load differs from Append (-append +load):\n%s", diff)
	}
	if bytes.Equal(loaded[0].Sealed, loaded[2].Sealed) {
		t.Errorf("the same personal data sealed twice gave the same bytes (nonce reuse?)")
	}

	sealed, err := s.ReadSealed(ctx, 0, 10)
	if err != nil {
		t.Fatalf("ReadSealed: %v", err)
	}
	if len(sealed) != 3 {
		t.Fatalf("ReadSealed: %d events, want 3", len(sealed))
	}
	for i, e := range sealed {
		if e.Personal != nil || e.Erased {
			t.Errorf("ReadSealed[%d]: personal %s erased %v, want nil and false", i, e.Personal, e.Erased)
		}
		if !bytes.Equal(e.Sealed, loaded[i].Sealed) {
			t.Errorf("ReadSealed[%d]: sealed part differs from Load's", i)
		}
	}
	// What the relay publishes can be opened by a consumer with the keyring.
	opened := sealed[0]
	if err := k.Open(ctx, &opened); err != nil {
		t.Fatalf("Keyring.Open: %v", err)
	}
	if !bytes.Equal(opened.Personal, secret) || opened.Erased {
		t.Errorf("Keyring.Open: personal %s erased %v, want %s", opened.Personal, opened.Erased, secret)
	}
	plain := sealed[1]
	if err := k.Open(ctx, &plain); err != nil || plain.Personal != nil || plain.Erased {
		t.Errorf("Keyring.Open of an event without personal data: personal %s erased %v err %v", plain.Personal, plain.Erased, err)
	}
}

func testForget(t *testing.T, s eventstore.Store, k eventstore.Keyring) {
	ctx := t.Context()
	personal := func(subject, name string) eventstore.NewEvent {
		return eventstore.NewEvent{Type: "profile.updated.v1", Payload: payload(map[string]string{"p": subject}), Subject: subject, Personal: payload(map[string]string{"name": name})}
	}
	mustAppend(t, ctx, s, appendTo("p1", eventstore.NoStream, personal("person-1", "Ada"), newEvents("x.v1", 1)[0], personal("person-1", "Ada L.")))
	mustAppend(t, ctx, s, appendTo("p2", eventstore.NoStream, personal("person-2", "Grace")))
	// person-1's data can also live in other streams (an application's cover letter).
	mustAppend(t, ctx, s, appendTo("app", eventstore.NoStream, personal("person-1", "cover letter"), personal("person-2", "note")))
	sealedBefore, err := s.ReadSealed(ctx, 0, 100)
	if err != nil {
		t.Fatalf("ReadSealed: %v", err)
	}
	// Warm any key cache before forgetting.
	mustReadAll(t, ctx, s, 0, 100)

	if err := k.Forget(ctx, "person-1"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if err := k.Forget(ctx, "person-1"); err != nil {
		t.Fatalf("Forget twice: %v", err)
	}

	check := func(name string, evs []eventstore.Event) {
		t.Helper()
		if len(evs) != len(sealedBefore) {
			t.Fatalf("%s: %d events, want %d (events must stay after erasure)", name, len(evs), len(sealedBefore))
		}
		for i, e := range evs {
			b := sealedBefore[i]
			if !bytes.Equal(e.Payload, b.Payload) || !bytes.Equal(e.Sealed, b.Sealed) || e.ID != b.ID {
				t.Errorf("%s[%d]: envelope changed by erasure", name, i)
			}
			switch {
			case e.Subject == "person-1":
				if !e.Erased || e.Personal != nil {
					t.Errorf("%s[%d] of the forgotten subject: erased %v personal %s, want true and nil", name, i, e.Erased, e.Personal)
				}
			case e.Subject == "person-2":
				if e.Erased || len(e.Personal) == 0 {
					t.Errorf("%s[%d] of another subject: erased %v personal %s, want it readable", name, i, e.Erased, e.Personal)
				}
			default:
				if e.Erased || e.Personal != nil {
					t.Errorf("%s[%d] without personal data: erased %v personal %s", name, i, e.Erased, e.Personal)
				}
			}
		}
	}
	all := mustReadAll(t, ctx, s, 0, 100)
	check("ReadAll", all)
	var loaded []eventstore.Event
	for _, st := range []string{"p1", "p2", "app"} {
		loaded = append(loaded, mustLoad(t, ctx, s, st)...)
	}
	check("Load", loaded)
	opened := sealedBefore[0]
	if err := k.Open(ctx, &opened); err != nil {
		t.Fatalf("Keyring.Open after Forget: %v", err)
	}
	if !opened.Erased || opened.Personal != nil {
		t.Errorf("Keyring.Open after Forget: erased %v personal %s", opened.Erased, opened.Personal)
	}

	head := mustHead(t, ctx, s)
	_, err = s.Append(ctx, appendTo("p1", 3, personal("person-1", "Ada again")))
	wantCode(t, err, meridian.ERule)
	_, err = s.AppendBatch(ctx, []eventstore.StreamAppend{
		appendTo("p2", 1, personal("person-2", "Grace H.")),
		appendTo("new", eventstore.NoStream, personal("person-1", "sneaky")),
	})
	wantCode(t, err, meridian.ERule)
	if h := mustHead(t, ctx, s); h != head {
		t.Errorf("Head = %d after refused appends, want %d", h, head)
	}
	// Events without personal data, and other subjects, are unaffected.
	mustAppend(t, ctx, s, appendTo("p1", 3, newEvents("x.v1", 1)...))
	mustAppend(t, ctx, s, appendTo("p2", 1, personal("person-2", "Grace H.")))

	// Forgetting a subject that never had data also prevents writing it later.
	if err := k.Forget(ctx, "person-3"); err != nil {
		t.Fatalf("Forget of an unknown subject: %v", err)
	}
	_, err = s.Append(ctx, appendTo("p3", eventstore.NoStream, personal("person-3", "Linus")))
	wantCode(t, err, meridian.ERule)
}

func testConcurrentSameStream(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	const writers = 100
	mustAppend(t, ctx, s, appendTo("existing", eventstore.NoStream, newEvents("x.v1", 1)...))
	tests := []struct {
		name     string
		stream   string
		expected int64
	}{
		{"new stream with NoStream", "fresh", eventstore.NoStream},
		{"existing stream at version 1", "existing", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headBefore := mustHead(t, ctx, s)
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = s.Append(ctx, appendTo(tc.stream, tc.expected, newEvents(fmt.Sprintf("w%d.v1", i), 2)...))
				}()
			}
			close(start)
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch meridian.ErrorCode(err) {
				case "":
					ok++
				case meridian.EConflict:
					conflicts++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if ok != 1 || conflicts != writers-1 {
				t.Fatalf("%d succeeded and %d conflicted, want 1 and %d", ok, conflicts, writers-1)
			}
			evs := mustLoad(t, ctx, s, tc.stream)
			wantSeq(t, "versions", versions(evs), 1, tc.expected+2)
			if evs[len(evs)-1].Type != evs[len(evs)-2].Type {
				t.Errorf("the stream mixes events of two writers: %s and %s", evs[len(evs)-2].Type, evs[len(evs)-1].Type)
			}
			if h := mustHead(t, ctx, s); h != headBefore+2 {
				t.Errorf("Head = %d, want %d", h, headBefore+2)
			}
			wantSeq(t, "ReadAll positions", positions(mustReadAll(t, ctx, s, 0, 1000)), 1, headBefore+2)
		})
	}
}

func testConcurrentDifferentStreams(t *testing.T, s eventstore.Store, _ eventstore.Keyring) {
	ctx := t.Context()
	const writers, per = 50, 3
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([][]eventstore.Event, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			evs := newEvents("x.v1", per)
			if i%5 == 0 { // some with personal data, creating subject keys concurrently
				evs[0].Subject, evs[0].Personal = fmt.Sprintf("person-%d", i%2), payload(map[string]int{"i": i})
			}
			results[i], errs[i] = s.Append(ctx, appendTo(fmt.Sprintf("stream-%02d", i), eventstore.NoStream, evs...))
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	const total = writers * per
	all := mustReadAll(t, ctx, s, 0, 10*total)
	wantSeq(t, "ReadAll positions", positions(all), 1, total)
	if h := mustHead(t, ctx, s); h != total {
		t.Errorf("Head = %d, want %d", h, total)
	}
	byPos := map[int64]eventstore.Event{}
	for _, e := range all {
		byPos[e.Position] = e
	}
	for i, res := range results {
		for j, e := range res {
			if e.Version != int64(j+1) {
				t.Errorf("writer %d event %d: version %d", i, j, e.Version)
			}
			if j > 0 && e.Position != res[j-1].Position+1 {
				t.Errorf("writer %d: one append got non-consecutive positions %v", i, positions(res))
			}
			if got := byPos[e.Position]; got.ID != e.ID {
				t.Errorf("writer %d: position %d holds event %s, Append returned %s", i, e.Position, got.ID, e.ID)
			}
		}
	}
}
