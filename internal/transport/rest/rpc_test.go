package rest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	meridianv1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/gen/meridian/v1/meridianv1connect"
	"github.com/meridianhq/meridian/internal/transport/connectapi"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// TestRPCThroughTheAPI: the gRPC services on the API's own port, behind
// its middleware (authentication, limits, request timeouts): a gRPC call
// answers, bad credentials are a gRPC Unauthenticated (not an unreadable
// problem+json), and a server stream outlives the 30 s request timeout's
// reach (it is not cut when RequestTimeout passes).
func TestRPCThroughTheAPI(t *testing.T) {
	st := newStack(t)
	cfg := rest.Config{Auth: st.identity(t), DevAuth: true, RequestTimeout: 2 * time.Second,
		RPC: connectapi.New(connectapi.Config{App: st.app, Hub: st.hub, Log: st.log})}
	cfg.App, cfg.DB, cfg.Log, cfg.Hub = st.app, st.db, st.log, st.hub
	srv := httptest.NewUnstartedServer(rest.New(cfg))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, db: st.db}
	_, jobID := e.setup()

	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	jobs := meridianv1connect.NewJobServiceClient(hc, srv.URL, connect.WithGRPC())
	req := connect.NewRequest(&meridianv1.GetJobRequest{JobId: jobID})
	req.Header().Set("X-Dev-User", "anonymous")
	res, err := jobs.GetJob(ctx, req)
	if err != nil || res.Msg.GetJob().GetTitle() != "Senior Go Engineer" {
		t.Fatalf("GetJob over gRPC: %v %v", res, err)
	}
	bad := connect.NewRequest(&meridianv1.GetJobRequest{JobId: jobID})
	bad.Header().Set("Authorization", "Bearer not-a-token")
	if _, err := jobs.GetJob(ctx, bad); connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "invalid") {
		t.Fatalf("bad credentials over gRPC: %v (code %v)", err, connect.CodeOf(err))
	}

	// A live stream lives past RequestTimeout.
	live := meridianv1connect.NewLiveServiceClient(hc, srv.URL, connect.WithGRPC())
	wreq := connect.NewRequest(&meridianv1.WatchRequest{Channels: []string{"jobs.new"}})
	wreq.Header().Set("X-Dev-User", "anonymous")
	stream, err := live.Watch(ctx, wreq)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	time.Sleep(3 * time.Second) // longer than RequestTimeout
	_, job2 := func() (string, string) {
		org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Later Inc"})).Body["id"].(string)
		j := e.must(201, e.do("POST", "/api/v1/orgs/"+org+"/jobs", "alice", jobBody("Later Engineer"))).Body["id"].(string)
		e.must(200, e.do("POST", "/api/v1/jobs/"+j+"/publish", "alice", nil))
		return org, j
	}()
	for stream.Receive() {
		if m := stream.Msg().GetMessage(); m != nil {
			if m.GetData().GetFields()["title"].GetStringValue() == "Senior Go Engineer" {
				continue // the setup's posting, when the feed reaches it after the stream opened
			}
			if !strings.Contains(m.String(), job2) {
				t.Fatalf("live message: %v", m)
			}
			return
		}
	}
	if err := stream.Err(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("stream ended: %v", err)
	}
	t.Fatal("stream ended without the posting")
}
