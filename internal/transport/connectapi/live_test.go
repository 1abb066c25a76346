package connectapi_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	v1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/search"
)

// watch opens a Watch stream as w and waits until the server has
// subscribed (its response headers), so that what happens next reaches it.
func (e *env) watch(w who, channels ...string) *connect.ServerStreamForClient[v1.LiveEvent] {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	e.t.Cleanup(cancel)
	st, err := e.grpc(w).live.Watch(ctx, connect.NewRequest(&v1.WatchRequest{Channels: channels}))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = st.Close() })
	st.ResponseHeader() // blocks until the server answered
	return st
}

// next returns the stream's next message.
func next(t *testing.T, st interface {
	Receive() bool
	Msg() *v1.LiveEvent
	Err() error
}) *v1.LiveMessage {
	t.Helper()
	if !st.Receive() {
		t.Fatalf("stream ended: %v", st.Err())
	}
	m := st.Msg().GetMessage()
	if m == nil {
		t.Fatalf("not a message: %v", st.Msg())
	}
	return m
}

func field(m *v1.LiveMessage, name string) string {
	return m.GetData().GetFields()[name].GetStringValue()
}

// Watch streams a person's matches and application updates, and only
// theirs: another person watching the same channel names sees their own.
func TestWatch(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.must(e.app.CreateSavedSearch(e.as(carol), app.SavedSearchInput{Name: "Go", Query: search.Query{SkillsAll: []string{"go"}}, Alert: "instant"}))
	carolSt := e.watch(carol)
	mallorySt := e.watch(mallory)
	public := e.watch(anonymous, "jobs.new")

	newJob := e.publishedJob(alice, w.acme, "Go Backend Engineer")
	e.must(e.app.MoveApplication(e.as(alice), w.carolApplication, -1, domain.StageScreening, ""))

	m := next(t, public)
	if m.GetChannel() != "jobs.new" || field(m, "id") != newJob || m.GetId() == 0 {
		t.Fatalf("jobs.new: %v", m)
	}
	m = next(t, carolSt)
	if m.GetChannel() != "me.matches" || field(m, "jobId") != newJob {
		t.Fatalf("carol's match: %v", m)
	}
	m = next(t, carolSt)
	if m.GetChannel() != "me.applications" || field(m, "id") != w.carolApplication || field(m, "stage") != domain.StageScreening {
		t.Fatalf("carol's application update: %v", m)
	}
	// Mallory's first message is her own application: nothing of carol's
	// came before it (the hub delivers in event order).
	mine := e.apply(mallory, newJob, w.malloryProfile)
	m = next(t, mallorySt)
	if m.GetChannel() != "me.applications" || field(m, "id") != mine {
		t.Fatalf("mallory received %v before her own application", m)
	}

	// A channel the caller may not follow fails the call.
	for _, tc := range []struct {
		who      who
		channels []string
		want     connect.Code
	}{
		{anonymous, nil, connect.CodeUnauthenticated},
		{anonymous, []string{"me.applications"}, connect.CodeUnauthenticated},
		{mallory, []string{"org." + w.acme + ".applications"}, connect.CodeNotFound},
		{apiKey(w.globex), []string{"org." + w.acme + ".applications"}, connect.CodeNotFound},
		{apiKey(w.acme), []string{"me.matches"}, connect.CodePermissionDenied},
		{alice, []string{"user:carol:applications"}, connect.CodeInvalidArgument},
	} {
		st, err := e.grpc(tc.who).live.Watch(e.ctx, connect.NewRequest(&v1.WatchRequest{Channels: tc.channels}))
		if err == nil {
			for st.Receive() {
				t.Errorf("%s %v: received %v", tc.who, tc.channels, st.Msg())
			}
			err = st.Err()
		}
		if code(err) != tc.want {
			t.Errorf("%s watching %v: %v, want %v", tc.who, tc.channels, err, tc.want)
		}
	}
}

// Subscribe changes its channels live, answering each change.
func TestSubscribe(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	st := e.grpc(alice).live.Subscribe(ctx)
	defer func() { _ = st.CloseRequest() }()
	ack := func(req *v1.SubscribeRequest) *v1.Ack {
		t.Helper()
		if err := st.Send(req); err != nil {
			t.Fatal(err)
		}
		ev, err := st.Receive()
		if err != nil {
			t.Fatal(err)
		}
		a := ev.GetAck()
		if a == nil || a.GetRequestId() != req.GetRequestId() {
			t.Fatalf("want the ack of %v, got %v", req, ev)
		}
		return a
	}
	receive := func() *v1.LiveMessage {
		t.Helper()
		ev, err := st.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetMessage() == nil {
			t.Fatalf("not a message: %v", ev)
		}
		return ev.GetMessage()
	}
	sub, unsub := v1.SubscribeRequest_ACTION_SUBSCRIBE, v1.SubscribeRequest_ACTION_UNSUBSCRIBE
	orgChannel := "org." + w.acme + ".applications"

	if a := ack(&v1.SubscribeRequest{Action: sub, Channels: []string{"jobs.new"}, RequestId: "1"}); a.GetErrorCode() != "" || len(a.GetChannels()) != 1 {
		t.Fatalf("subscribe: %v", a)
	}
	job1 := e.publishedJob(alice, w.acme, "Job one")
	if m := receive(); m.GetChannel() != "jobs.new" || field(m, "id") != job1 {
		t.Fatalf("jobs.new: %v", m)
	}
	if a := ack(&v1.SubscribeRequest{Action: sub, Channels: []string{orgChannel}, RequestId: "2"}); a.GetErrorCode() != "" || len(a.GetChannels()) != 2 {
		t.Fatalf("subscribe to the organization's applications: %v", a)
	}
	if a := ack(&v1.SubscribeRequest{Action: unsub, Channels: []string{"jobs.new"}, RequestId: "3"}); len(a.GetChannels()) != 1 || a.GetChannels()[0] != orgChannel {
		t.Fatalf("unsubscribe: %v", a)
	}
	// Refused changes leave the set as it was.
	a := ack(&v1.SubscribeRequest{Action: sub, Channels: []string{"org." + w.globex + ".applications"}, RequestId: "4"})
	if a.GetErrorCode() != connect.CodeNotFound.String() || len(a.GetChannels()) != 1 {
		t.Fatalf("another tenant's channel: %v", a)
	}
	a = ack(&v1.SubscribeRequest{Channels: []string{"jobs.new"}, RequestId: "5"})
	if a.GetErrorCode() != connect.CodeInvalidArgument.String() {
		t.Fatalf("no action: %v", a)
	}

	// jobs.new is no longer followed: the next message is the application.
	job2 := e.publishedJob(alice, w.acme, "Job two")
	appID := e.apply(carol, job2, w.carolProfile)
	if m := receive(); m.GetChannel() != orgChannel || field(m, "id") != appID || field(m, "type") != "received" {
		t.Fatalf("application received: %v", m)
	}
	// Another tenant's application never shows.
	other := e.apply(carol, w.globexJob, w.carolProfile)
	e.must(e.app.MoveApplication(e.as(alice), appID, -1, domain.StageScreening, ""))
	if m := receive(); field(m, "id") != appID || field(m, "stage") != domain.StageScreening {
		t.Fatalf("want the stage change of %s, not %s: %v", appID, other, m)
	}
}

// Anonymous callers may follow public channels only.
func TestSubscribeAnonymous(t *testing.T) {
	e := newEnv(t)
	st := e.grpc(anonymous).live.Subscribe(e.ctx)
	defer func() { _ = st.CloseRequest() }()
	if err := st.Send(&v1.SubscribeRequest{Action: v1.SubscribeRequest_ACTION_SUBSCRIBE, Channels: []string{"jobs.new", "me.applications"}}); err != nil {
		t.Fatal(err)
	}
	ev, err := st.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if a := ev.GetAck(); a.GetErrorCode() != connect.CodeUnauthenticated.String() || len(a.GetChannels()) != 0 {
		t.Fatalf("ack: %v", ev)
	}
}
