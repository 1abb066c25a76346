package connectapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/transport/connectapi"
)

// The same methods answer gRPC, gRPC-Web and the Connect protocol alike.
func TestProtocols(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	protocols := []struct {
		name string
		c    clients
	}{
		{"grpc", e.grpc(alice)},
		{"grpc-web over HTTP/1.1", e.clients(alice, false, connect.WithGRPCWeb())},
		{"grpc-web over HTTP/2", e.clients(alice, true, connect.WithGRPCWeb())},
		{"connect binary", e.clients(alice, true)},
		{"connect json", e.clients(alice, false, connect.WithProtoJSON())},
		{"connect json with GET", e.clients(alice, false, connect.WithProtoJSON(), connect.WithHTTPGet())},
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			res, err := p.c.jobs.GetJob(e.ctx, connect.NewRequest(&v1.GetJobRequest{JobId: w.acmeDraft}))
			if err != nil {
				t.Fatal(err)
			}
			j := res.Msg.GetJob()
			if j.GetId() != w.acmeDraft || j.GetStatus() != "draft" || j.GetOrgName() != "Acme Remote" || j.GetSalary().GetCurrency() != "EUR" || j.GetCreateTime() == nil {
				t.Fatalf("job: %v", j)
			}
			list, err := p.c.apps.ListApplications(e.ctx, connect.NewRequest(&v1.ListApplicationsRequest{OrgId: w.acme}))
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Msg.GetApplications()) != 1 || list.Msg.GetApplications()[0].GetId() != w.carolApplication {
				t.Fatalf("applications: %v", list.Msg)
			}
			// Errors keep their code on every protocol.
			_, err = p.c.jobs.GetJob(e.ctx, connect.NewRequest(&v1.GetJobRequest{JobId: w.globexJob + "0"}))
			if code(err) != connect.CodeNotFound {
				t.Fatalf("missing job: %v", err)
			}
		})
	}
}

// A Connect client needs no generated code: a JSON POST will do.
func TestConnectJSONOverPlainHTTP(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	post := func(user who, procedure, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+procedure, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := e.http(user, false).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %v: %s", procedure, err, raw)
		}
		return res.StatusCode, out
	}
	status, out := post(alice, "/meridian.v1.JobService/GetJob", `{"jobId":"`+w.acmeDraft+`"}`)
	if status != 200 || out["job"].(map[string]any)["title"] != "Secret Staff Engineer" {
		t.Fatalf("GetJob: %d %v", status, out)
	}
	status, out = post(carol, "/meridian.v1.JobService/GetJob", `{"jobId":"`+w.acmeDraft+`"}`)
	if status != 404 || out["code"] != "not_found" {
		t.Fatalf("GetJob of another tenant's draft: %d %v", status, out)
	}
	status, out = post(anonymous, "/meridian.v1.ApplicationService/Apply", `{"jobId":"`+w.acmeJob+`","profileId":"`+w.carolProfile+`"}`)
	if status != 401 || out["code"] != "unauthenticated" {
		t.Fatalf("anonymous Apply: %d %v", status, out)
	}
	status, out = post(alice, "/meridian.v1.JobService/DraftJob", `{"orgId":"`+w.acme+`","details":{"title":""}}`)
	if status != 400 || out["code"] != "invalid_argument" || !strings.Contains(out["message"].(string), "title") {
		t.Fatalf("invalid draft: %d %v", status, out)
	}
}

// Every error code of the application layer has its gRPC code, on real
// calls as in the table.
func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	c := e.grpc(alice)
	calls := []struct {
		name string
		call func() error
		want connect.Code
	}{
		{"invalid", func() error {
			_, err := c.jobs.DraftJob(e.ctx, connect.NewRequest(&v1.DraftJobRequest{OrgId: w.acme, Details: &v1.JobDetails{Title: "x"}}))
			return err
		}, connect.CodeInvalidArgument},
		{"rule", func() error {
			_, err := c.jobs.PublishJob(e.ctx, connect.NewRequest(&v1.PublishJobRequest{JobId: w.acmeJob}))
			return err
		}, connect.CodeFailedPrecondition},
		{"not found", func() error {
			_, err := c.profiles.GetProfile(e.ctx, connect.NewRequest(&v1.GetProfileRequest{ProfileId: w.malloryProfile}))
			return err
		}, connect.CodeNotFound},
		{"conflict", func() error {
			stale := int64(1)
			_, err := c.jobs.CloseJob(e.ctx, connect.NewRequest(&v1.CloseJobRequest{JobId: w.acmeJob, ExpectedVersion: &stale}))
			return err
		}, connect.CodeAborted},
		{"unauthorized", func() error {
			_, err := e.grpc(anonymous).profiles.ListMyProfiles(e.ctx, connect.NewRequest(&v1.ListMyProfilesRequest{}))
			return err
		}, connect.CodeUnauthenticated},
		{"forbidden", func() error {
			_, err := e.grpc(apiKey(w.acme)).profiles.ListMyProfiles(e.ctx, connect.NewRequest(&v1.ListMyProfilesRequest{}))
			return err
		}, connect.CodePermissionDenied},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); code(err) != tc.want {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	table := map[string]connect.Code{
		meridian.EInvalid: connect.CodeInvalidArgument, meridian.ERule: connect.CodeFailedPrecondition,
		meridian.ENotFound: connect.CodeNotFound, meridian.EConflict: connect.CodeAborted,
		meridian.EUnauthorized: connect.CodeUnauthenticated, meridian.EForbidden: connect.CodePermissionDenied,
		meridian.EUnavailable: connect.CodeUnavailable, meridian.EInternal: connect.CodeInternal, "something new": connect.CodeInternal,
	}
	for mc, want := range table {
		if got := connectapi.Code(mc); got != want {
			t.Errorf("Code(%q) = %v, want %v", mc, got, want)
		}
	}
}

// The market service answers anyone, and its errors are the App's.
func TestMarket(t *testing.T) {
	e := newEnv(t)
	e.world()
	c := e.grpc(anonymous)
	d, err := c.market.Demand(e.ctx, connect.NewRequest(&v1.DemandRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Msg.GetSource() != "postings" || d.Msg.GetKind() != "skill" {
		t.Fatalf("demand: %v", d.Msg)
	}
	s, err := c.market.Salaries(e.ctx, connect.NewRequest(&v1.SalariesRequest{Currency: "EUR"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Msg.GetCurrency() != "EUR" {
		t.Fatalf("salaries: %v", s.Msg)
	}
	_, err = c.market.Demand(e.ctx, connect.NewRequest(&v1.DemandRequest{Filter: &v1.MarketFilter{Period: "2026-Q9"}}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument {
		t.Fatalf("bad period: %v", err)
	}
}
