package connectapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/meridianhq/meridian/internal/domain"
	v1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/transport/connectapi"
)

// policy is one method's authorization, checked for four callers: anonymous,
// a person of another tenant (mallory, Globex's owner), an API key of that
// tenant holding every scope, and the rightful caller.
type policy struct {
	rightful who
	// fresh creates the object the call acts on (for commands, which the
	// rightful caller's call changes); "" when the call needs none.
	fresh func(e *env, w world) string
	call  func(ctx context.Context, e *env, c clients, w world, id string) (proto.Message, error)
	// want: anonymous, other tenant's person, other tenant's key, rightful.
	want [4]connect.Code
}

const ok connect.Code = 0

func unary[Req, Res any](f func(context.Context, *connect.Request[Req]) (*connect.Response[Res], error), msg *Req) func(context.Context) (proto.Message, error) {
	return func(ctx context.Context) (proto.Message, error) {
		res, err := f(ctx, connect.NewRequest(msg))
		if err != nil {
			return nil, err
		}
		return any(res.Msg).(proto.Message), nil
	}
}

// applicationTrigger makes an event on Acme's applications channel: carol
// applies to a new posting.
func applicationTrigger(e *env, w world) {
	e.apply(carol, e.publishedJob(alice, w.acme, "Triggered"), w.carolProfile)
}

func matrix() map[string]policy {
	notFound, unauth, denied := connect.CodeNotFound, connect.CodeUnauthenticated, connect.CodePermissionDenied
	public := [4]connect.Code{ok, ok, ok, ok}
	return map[string]policy{
		"meridian.v1.JobService/GetJob": {rightful: alice, want: [4]connect.Code{notFound, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.jobs.GetJob, &v1.GetJobRequest{JobId: w.acmeDraft})(ctx)
			}},
		"meridian.v1.JobService/ListJobs": {rightful: alice, want: [4]connect.Code{denied, denied, denied, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.jobs.ListJobs, &v1.ListJobsRequest{OrgId: w.acme, Statuses: []string{domain.StatusDraft}})(ctx)
			}},
		"meridian.v1.JobService/SearchJobs": {rightful: alice, want: public,
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.jobs.SearchJobs, &v1.SearchJobsRequest{Query: "engineer", Facets: true})(ctx)
			}},
		"meridian.v1.JobService/DraftJob": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.jobs.DraftJob, &v1.DraftJobRequest{OrgId: w.acme, Details: &v1.JobDetails{Title: "Drafted", Description: "A posting.",
					Skills: []*v1.SkillRequirement{{Skill: "go", Level: 3, Required: true}}, EmploymentType: "full_time",
					Eligibility: &v1.Eligibility{Worldwide: true}}})(ctx)
			}},
		"meridian.v1.JobService/PublishJob": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			fresh: func(e *env, w world) string { return e.draftJob(alice, w.acme, "To publish") },
			call: func(ctx context.Context, e *env, c clients, w world, id string) (proto.Message, error) {
				return unary(c.jobs.PublishJob, &v1.PublishJobRequest{JobId: id})(ctx)
			}},
		"meridian.v1.JobService/CloseJob": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			fresh: func(e *env, w world) string { return e.publishedJob(alice, w.acme, "To close") },
			call: func(ctx context.Context, e *env, c clients, w world, id string) (proto.Message, error) {
				return unary(c.jobs.CloseJob, &v1.CloseJobRequest{JobId: id, Reason: "filled"})(ctx)
			}},
		"meridian.v1.ProfileService/GetProfile": {rightful: carol, want: [4]connect.Code{notFound, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.profiles.GetProfile, &v1.GetProfileRequest{ProfileId: w.carolProfile})(ctx)
			}},
		"meridian.v1.ProfileService/ListMyProfiles": {rightful: carol, want: [4]connect.Code{unauth, ok, denied, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.profiles.ListMyProfiles, &v1.ListMyProfilesRequest{})(ctx)
			}},
		"meridian.v1.ProfileService/Matches": {rightful: carol, want: [4]connect.Code{unauth, notFound, denied, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.profiles.Matches, &v1.MatchesRequest{ProfileId: w.carolProfile})(ctx)
			}},
		"meridian.v1.ApplicationService/GetApplication": {rightful: carol, want: [4]connect.Code{notFound, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.apps.GetApplication, &v1.GetApplicationRequest{ApplicationId: w.carolApplication})(ctx)
			}},
		"meridian.v1.ApplicationService/ListApplications": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.apps.ListApplications, &v1.ListApplicationsRequest{OrgId: w.acme})(ctx)
			}},
		"meridian.v1.ApplicationService/Apply": {rightful: carol, want: [4]connect.Code{unauth, notFound, denied, ok},
			fresh: func(e *env, w world) string { return e.publishedJob(alice, w.acme, "To apply to") },
			call: func(ctx context.Context, e *env, c clients, w world, id string) (proto.Message, error) {
				return unary(c.apps.Apply, &v1.ApplyRequest{JobId: id, ProfileId: w.carolProfile})(ctx)
			}},
		"meridian.v1.ApplicationService/MoveApplication": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			fresh: func(e *env, w world) string {
				return e.apply(carol, e.publishedJob(alice, w.acme, "To move"), w.carolProfile)
			},
			call: func(ctx context.Context, e *env, c clients, w world, id string) (proto.Message, error) {
				return unary(c.apps.MoveApplication, &v1.MoveApplicationRequest{ApplicationId: id, To: domain.StageScreening})(ctx)
			}},
		"meridian.v1.OrganizationService/GetOrganization": {rightful: alice, want: public,
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.orgs.GetOrganization, &v1.GetOrganizationRequest{OrgId: w.acme})(ctx)
			}},
		"meridian.v1.OrganizationService/ListMembers": {rightful: alice, want: [4]connect.Code{notFound, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.orgs.ListMembers, &v1.ListMembersRequest{OrgId: w.acme})(ctx)
			}},
		"meridian.v1.MarketService/Demand": {rightful: alice, want: public,
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.market.Demand, &v1.DemandRequest{Filter: &v1.MarketFilter{OrgId: w.acme}})(ctx)
			}},
		"meridian.v1.MarketService/Salaries": {rightful: alice, want: public,
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				return unary(c.market.Salaries, &v1.SalariesRequest{Filter: &v1.MarketFilter{OrgId: w.acme}, GroupBy: "skill"})(ctx)
			}},
		"meridian.v1.LiveService/Watch": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				st, err := c.live.Watch(ctx, connect.NewRequest(&v1.WatchRequest{Channels: []string{"org." + w.acme + ".applications"}}))
				if err != nil {
					return nil, err
				}
				defer st.Close()
				st.ResponseHeader() // subscribed (or refused)
				applicationTrigger(e, w)
				if !st.Receive() {
					return nil, st.Err()
				}
				return st.Msg(), nil
			}},
		"meridian.v1.LiveService/Subscribe": {rightful: alice, want: [4]connect.Code{unauth, notFound, notFound, ok},
			call: func(ctx context.Context, e *env, c clients, w world, _ string) (proto.Message, error) {
				st := c.live.Subscribe(ctx)
				defer func() { _ = st.CloseRequest() }()
				if err := st.Send(&v1.SubscribeRequest{Action: v1.SubscribeRequest_ACTION_SUBSCRIBE, Channels: []string{"org." + w.acme + ".applications"}}); err != nil {
					return nil, err
				}
				ev, err := st.Receive()
				if err != nil {
					return nil, err
				}
				if a := ev.GetAck(); a.GetErrorCode() != "" {
					var c connect.Code
					if err := c.UnmarshalText([]byte(a.GetErrorCode())); err != nil {
						return nil, err
					}
					return nil, connect.NewError(c, fmt.Errorf("%s", a.GetErrorMessage()))
				}
				applicationTrigger(e, w)
				return st.Receive()
			}},
	}
}

// Every method of every service has a policy, checked for every kind of
// caller: nobody receives another tenant's data or events.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	policies := matrix()
	var methods []string
	for _, name := range connectapi.Services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			t.Fatal(err)
		}
		ms := d.(protoreflect.ServiceDescriptor).Methods()
		for i := range ms.Len() {
			methods = append(methods, name+"/"+string(ms.Get(i).Name()))
		}
	}
	for _, m := range methods {
		if _, ok := policies[m]; !ok {
			t.Errorf("%s has no entry in the authorization matrix", m)
		}
	}
	if len(methods) != len(policies) {
		t.Errorf("the matrix has %d entries for %d methods", len(policies), len(methods))
	}
	// Private data of Acme and of carol that no one else may receive.
	private := []string{w.acmeDraft, w.carolProfile, w.carolApplication}
	for _, m := range methods {
		p, found := policies[m]
		if !found {
			continue
		}
		t.Run(m, func(t *testing.T) {
			id := ""
			if p.fresh != nil {
				id = p.fresh(e, w)
			}
			callers := [4]who{anonymous, mallory, apiKey(w.globex), p.rightful}
			for i, caller := range callers {
				ctx, cancel := context.WithCancel(e.ctx)
				res, err := p.call(ctx, e, e.grpc(caller), w, id)
				cancel()
				if got := code(err); got != p.want[i] {
					t.Errorf("%q: %v, want %v", caller, err, codeName(p.want[i]))
					continue
				}
				if err != nil || caller == p.rightful {
					continue
				}
				out, merr := protojson.Marshal(res)
				if merr != nil {
					t.Fatal(merr)
				}
				for _, secret := range append(private, id) {
					if secret != "" && strings.Contains(string(out), secret) {
						t.Errorf("%q received %s: %s", caller, secret, out)
					}
				}
			}
		})
	}
}

func codeName(c connect.Code) string {
	if c == ok {
		return "ok"
	}
	return c.String()
}
