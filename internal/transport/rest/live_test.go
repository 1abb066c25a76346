package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// TestPrivateChannelsTenantIsolation: organizations hear their own
// applications, candidates their own updates and their own saved-search
// matches, and nobody anything of another tenant; anonymous callers and
// outsiders are refused private channels with the API's answers.
func TestPrivateChannelsTenantIsolation(t *testing.T) {
	e := newEnv(t)
	orgA, jobA := e.setup() // alice's organization and posting
	orgB := e.must(201, e.do("POST", "/api/v1/orgs", "bruno", map[string]any{"name": "Bruno Systems"})).Body["id"].(string)
	jobB := e.must(201, e.do("POST", "/api/v1/orgs/"+orgB+"/jobs", "bruno", jobBody("Platform Engineer"))).Body["id"].(string)
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobB+"/publish", "bruno", nil))
	carolProf := e.must(201, e.do("POST", "/api/v1/profiles", "carol", profileBody("Carol"))).Body["id"].(string)
	daveProf := e.must(201, e.do("POST", "/api/v1/profiles", "dave", profileBody("Dave"))).Body["id"].(string)
	// carol keeps a saved search for Go postings; dave has none.
	e.must(201, e.do("POST", "/api/v1/saved-searches", "carol", map[string]any{"name": "Go", "query": map[string]any{"skillsAll": []string{"go"}}}))

	// Refusals, before any stream opens: anonymous, outsiders, unknown names.
	e.problem(e.do("GET", "/events?channels=me.applications", "anonymous", nil), 401, "unauthorized")
	e.problem(e.do("GET", "/events?channels=org."+orgA+".applications", "anonymous", nil), 401, "unauthorized")
	e.problem(e.do("GET", "/events?channels=org."+orgA+".applications", "bruno", nil), 404, "not_found")
	e.problem(e.do("GET", "/events?channels=org."+orgB+".applications", "carol", nil), 404, "not_found")
	e.problem(e.do("GET", "/events?channels=user:carol:applications", "carol", nil), 422, "invalid")
	e.problem(e.do("GET", "/events?channels=org."+orgA+".notes", "alice", nil), 422, "invalid")

	_, alice := openStream(t, e.srv.URL+"/events?channels=org."+orgA+".applications", "X-Dev-User", "alice")
	_, bruno := openStream(t, e.srv.URL+"/events?channels=org."+orgB+".applications", "X-Dev-User", "bruno")
	_, carol := openStream(t, e.srv.URL+"/events?channels=me.applications,me.matches", "X-Dev-User", "carol")
	_, dave := openStream(t, e.srv.URL+"/events?channels=me.applications,me.matches", "X-Dev-User", "dave")

	// dave applies to bruno's posting, then carol to alice's.
	daveApp := e.must(201, e.do("POST", "/api/v1/jobs/"+jobB+"/applications", "dave", map[string]any{"profileId": daveProf})).Body["id"].(string)
	carolApp := e.must(201, e.do("POST", "/api/v1/jobs/"+jobA+"/applications", "carol", map[string]any{"profileId": carolProf, "coverLetter": "secret words"})).Body["id"].(string)
	e.must(200, e.do("POST", "/api/v1/applications/"+carolApp+"/stage", "alice", map[string]any{"to": "screening"}))

	type update struct{ ID, Type, JobID, OrgID, Stage, PreviousStage string }
	decode := func(ev sseEvent) update {
		t.Helper()
		var u update
		if err := json.Unmarshal([]byte(ev.data), &u); err != nil {
			t.Fatalf("%+v: %v", ev, err)
		}
		if strings.Contains(ev.data, "secret words") {
			t.Fatalf("a cover letter on a live channel: %s", ev.data)
		}
		return u
	}
	// alice: carol's application received, then moved; never dave's.
	got := readEvents(t, alice, 2)
	for i, want := range []update{{ID: carolApp, Type: "received", JobID: jobA, OrgID: orgA, Stage: "applied"},
		{ID: carolApp, Type: "stage_changed", JobID: jobA, OrgID: orgA, Stage: "screening", PreviousStage: "applied"}} {
		if u := decode(got[i]); u != want || got[i].event != "org."+orgA+".applications" || got[i].id == "" {
			t.Fatalf("alice's event %d: %+v (%s), want %+v", i, got[i], got[i].data, want)
		}
	}
	// bruno: dave's application only.
	if u := decode(readEvents(t, bruno, 1)[0]); u.ID != daveApp || u.OrgID != orgB {
		t.Fatalf("bruno heard %+v", u)
	}
	// carol: her own application and its move, on me.applications.
	got = readEvents(t, carol, 2)
	if u := decode(got[0]); u.ID != carolApp || got[0].event != "me.applications" || u.Type != "received" {
		t.Fatalf("carol's first event: %+v", got[0])
	}
	if u := decode(got[1]); u.ID != carolApp || u.Stage != "screening" {
		t.Fatalf("carol's second event: %+v", got[1])
	}
	// dave: his own application first (never carol's).
	if ev := readEvents(t, dave, 1)[0]; decode(ev).ID != daveApp || ev.event != "me.applications" {
		t.Fatalf("dave heard %+v", ev)
	}

	// A new Go posting matches carol's saved search: on her matches channel
	// only. dave's next event is his own application's move, proving he
	// heard nothing of carol's match in between.
	jobC := e.must(201, e.do("POST", "/api/v1/orgs/"+orgA+"/jobs", "alice", jobBody("Go Developer"))).Body["id"].(string)
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobC+"/publish", "alice", nil))
	ev := readEvents(t, carol, 1)[0]
	var m struct{ JobID, SavedSearchID, Title string }
	if err := json.Unmarshal([]byte(ev.data), &m); err != nil || ev.event != "me.matches" || m.JobID != jobC || m.Title != "Go Developer" || m.SavedSearchID == "" {
		t.Fatalf("carol's match: %+v", ev)
	}
	e.must(200, e.do("POST", "/api/v1/applications/"+daveApp+"/stage", "bruno", map[string]any{"to": "rejected", "reasonCode": "skills_mismatch"}))
	if ev := readEvents(t, dave, 1)[0]; decode(ev).ID != daveApp || decode(ev).Stage != "rejected" {
		t.Fatalf("dave's next event: %+v", ev)
	}
	if ev := readEvents(t, bruno, 1)[0]; decode(ev).ID != daveApp || decode(ev).Stage != "rejected" {
		t.Fatalf("bruno's next event: %+v", ev)
	}
}

// TestWebSocketTokenAuthAndExpiry: a browser-style client connects
// anonymously, is refused a private channel, signs in with a token in its
// first message, hears its own applications, and is disconnected with
// close code 4001 when the token expires.
func TestWebSocketTokenAuthAndExpiry(t *testing.T) {
	st := newStack(t)
	svc := st.identityTTL(t, 3*time.Second)
	srv, _ := st.serve(t, rest.Config{Auth: svc})
	e := &env{t: t, srv: srv, db: st.db}
	tok := signUp(e, "wes@example.com")
	bearer := "Bearer " + tok
	me := e.must(200, e.req("GET", "/api/v1/auth/me", nil, "Authorization", bearer))
	if me.Body["id"] == "" {
		t.Fatalf("me: %s", me.Raw)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, ctx, c, map[string]any{"type": "subscribe", "channels": []string{"me.applications"}})
	if m := wsRead(t, ctx, c); m.Type != "error" || !strings.Contains(m.Reason, "sign in") {
		t.Fatalf("anonymous private subscription: %+v", m)
	}
	wsSend(t, ctx, c, map[string]any{"type": "auth", "token": "not-a-token"})
	if m := wsRead(t, ctx, c); m.Type != "error" || !strings.Contains(m.Reason, "auth") {
		t.Fatalf("bad token: %+v", m)
	}
	wsSend(t, ctx, c, map[string]any{"type": "auth", "token": tok})
	var auth struct {
		Type      string
		ExpiresAt time.Time
	}
	_, b, err := c.Read(ctx)
	if err != nil || json.Unmarshal(b, &auth) != nil || auth.Type != "authenticated" || auth.ExpiresAt.IsZero() {
		t.Fatalf("auth: %s %v", b, err)
	}
	wsSend(t, ctx, c, map[string]any{"type": "subscribe", "channels": []string{"me.applications", "jobs.new"}})
	if m := wsRead(t, ctx, c); m.Type != "subscribed" || len(m.Channels) != 2 {
		t.Fatalf("subscribe: %+v", m)
	}

	// The token expires: the server says why and closes with 4001.
	var closed websocket.CloseError
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			if !asClose(err, &closed) {
				t.Fatalf("connection ended without a close frame: %v", err)
			}
			break
		}
		var m wsMsg
		_ = json.Unmarshal(b, &m)
		if m.Type == "error" && !strings.Contains(m.Reason, "expired") {
			t.Fatalf("error before expiry: %+v", m)
		}
	}
	if closed.Code != 4001 {
		t.Fatalf("close: %+v", closed)
	}
	if !time.Now().After(auth.ExpiresAt) {
		t.Fatalf("closed before the token expired (%s)", auth.ExpiresAt)
	}

	// A token in the upgrade request's header works the same way.
	tok = signIn(e, "wes@example.com")
	hdr := http.Header{"Authorization": {"Bearer " + tok}}
	c2, _, err := websocket.Dial(ctx, url+"?channels=me.matches", &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.CloseNow()
	wsSend(t, ctx, c2, map[string]any{"type": "subscribe", "channels": []string{"me.applications"}})
	if m := wsRead(t, ctx, c2); m.Type != "subscribed" || len(m.Channels) != 2 {
		t.Fatalf("subscribe with a header token: %+v", m)
	}
	// Without credentials a private channel in the URL is refused before
	// the upgrade.
	if _, res, err := websocket.Dial(ctx, url+"?channels=me.matches", nil); err == nil || res == nil || res.StatusCode != 401 {
		t.Fatalf("anonymous private channel in the URL: %v %v", res, err)
	}
}

func asClose(err error, ce *websocket.CloseError) bool {
	code := websocket.CloseStatus(err)
	if code == -1 {
		return false
	}
	ce.Code = code
	return true
}

// TestLiveChannelMatrix: every channel (realtime.Public and
// realtime.Private, so a new one cannot be left out) against every kind of
// caller, with the answer /events gives before streaming: 200, or the
// API's 401 / 403 / 404 for the same caller on the same data.
func TestLiveChannelMatrix(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, rest.Config{DevAuth: true, Auth: st.identity(t)})
	e := &env{t: t, srv: srv, db: st.db}
	orgA, _ := e.setup()
	e.must(201, e.do("POST", "/api/v1/orgs/"+orgA+"/members", "alice", map[string]any{"userId": "vic", "role": "viewer"}))
	orgB := e.must(201, e.do("POST", "/api/v1/orgs", "bruno", map[string]any{"name": "Bruno Systems"})).Body["id"].(string)
	key := func(user, org string, scopes ...string) string {
		return e.must(201, e.do("POST", "/api/v1/orgs/"+org+"/api-keys", user, map[string]any{"name": "k", "scopes": scopes})).Body["secret"].(string)
	}
	callers := []struct {
		name string
		hdr  []string
	}{
		{"anonymous", []string{"X-Dev-User", "anonymous"}},
		{"owner of A", []string{"X-Dev-User", "alice"}},
		{"viewer of A", []string{"X-Dev-User", "vic"}},
		{"owner of B", []string{"X-Dev-User", "bruno"}},
		{"person outside", []string{"X-Dev-User", "carol"}},
		{"key of A, applications:read", []string{"Authorization", "Bearer " + key("alice", orgA, "applications:read")}},
		{"key of A, jobs:read", []string{"Authorization", "Bearer " + key("alice", orgA, "jobs:read")}},
		{"key of B, applications:read", []string{"Authorization", "Bearer " + key("bruno", orgB, "applications:read")}},
	}
	// Expected status per channel, in callers' order.
	want := map[string][]int{
		"me.applications":          {401, 200, 200, 200, 200, 403, 403, 403},
		"me.matches":               {401, 200, 200, 200, 200, 403, 403, 403},
		"org.{orgId}.applications": {401, 200, 200, 404, 404, 200, 404, 404},
	}
	for _, ch := range realtime.Public {
		want[ch] = []int{200, 200, 200, 200, 200, 200, 200, 200}
	}
	for _, ch := range append(append([]string{}, realtime.Public...), realtime.Private...) {
		codes, ok := want[ch]
		if !ok {
			t.Errorf("channel %s has no row in the matrix", ch)
			continue
		}
		name := strings.Replace(ch, "{orgId}", orgA, 1)
		for i, c := range callers {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events?channels="+name, nil)
			req.Header.Set(c.hdr[0], c.hdr[1])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				cancel()
				t.Fatal(err)
			}
			if res.StatusCode != codes[i] {
				t.Errorf("%s on %s: %d, want %d", c.name, ch, res.StatusCode, codes[i])
			}
			cancel()
			res.Body.Close()
		}
	}
}

// TestMarketTicks: market.ticks is public; a tick comes when the market
// changed, from the node's market model, without an id (ticks are not
// resumed: the next one supersedes a missed one).
func TestMarketTicks(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, rest.Config{DevAuth: true})
	e := &env{t: t, srv: srv, db: st.db}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = realtime.RunMarketTicks(ctx, st.hub, st.app.Market, 20*time.Millisecond, st.log) }()
	_, sc := openStream(t, srv.URL+"/events?channels=market.ticks", "X-Dev-User", "anonymous")
	e.setup() // one open posting asking for Go
	for {
		ev := readEvents(t, sc, 1)[0]
		var tick realtime.MarketTick
		if err := json.Unmarshal([]byte(ev.data), &tick); err != nil || ev.event != "market.ticks" || ev.id != "" {
			t.Fatalf("tick: %+v %v", ev, err)
		}
		if tick.OpenPostings == 0 {
			continue // a tick from before the posting reached the model
		}
		if tick.OpenPostings != 1 || len(tick.TopSkills) == 0 || tick.TopSkills[0].Count != 1 || tick.Position == 0 {
			t.Fatalf("tick: %+v", tick)
		}
		return
	}
}
