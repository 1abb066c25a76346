package connectapi_test

import (
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/meridianhq/meridian/internal/transport/connectapi"
)

func TestHealthAndReflection(t *testing.T) {
	e := newEnv(t)
	health := grpchealth.NewClient(e.http(anonymous, true), e.srv.URL, connect.WithGRPC())
	for _, svc := range append([]string{""}, connectapi.Services...) {
		res, err := health.Check(e.ctx, &grpchealth.CheckRequest{Service: svc})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != grpchealth.StatusServing {
			t.Fatalf("%q: %v", svc, res.Status)
		}
	}
	if _, err := health.Check(e.ctx, &grpchealth.CheckRequest{Service: "meridian.v1.NoSuchService"}); code(err) != connect.CodeNotFound {
		t.Fatalf("unknown service: %v", err)
	}

	refl := grpcreflect.NewClient(e.http(anonymous, true), e.srv.URL)
	st := refl.NewStream(e.ctx)
	defer st.Close()
	names, err := st.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range append(slices.Clone(connectapi.Services), "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection") {
		if !slices.Contains(names, protoreflect.FullName(svc)) {
			t.Errorf("reflection lists %v, not %s", names, svc)
		}
	}
	files, err := st.FileContainingSymbol("meridian.v1.LiveService")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 || files[0].GetName() != "meridian/v1/live.proto" {
		t.Fatalf("files: %v", files)
	}
}

// grpcurlPath finds the grpcurl binary: on PATH or in ~/go/bin.
func grpcurlPath(t *testing.T) string {
	if p, err := exec.LookPath("grpcurl"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "grpcurl")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "grpcurl is not installed: go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// grpcurl, a stock gRPC client, lists and describes the services through
// reflection and calls them, with no .proto files.
func TestGrpcurl(t *testing.T) {
	bin := grpcurlPath(t)
	e := newEnv(t)
	w := e.world()
	u, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	grpcurl := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.CommandContext(e.ctx, bin, append([]string{"-plaintext"}, args...)...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	out, err := grpcurl(u.Host, "list")
	if err != nil {
		t.Fatalf("list: %v: %s", err, out)
	}
	for _, svc := range append(slices.Clone(connectapi.Services), "grpc.health.v1.Health") {
		if !strings.Contains(out, svc+"\n") {
			t.Errorf("grpcurl list: no %s in\n%s", svc, out)
		}
	}
	out, err = grpcurl(u.Host, "describe", "meridian.v1.LiveService")
	if err != nil || !strings.Contains(out, "rpc Subscribe ( stream .meridian.v1.SubscribeRequest ) returns ( stream .meridian.v1.LiveEvent )") {
		t.Fatalf("describe: %v: %s", err, out)
	}
	out, err = grpcurl("-H", "X-Test-User: alice", "-d", `{"jobId":"`+w.acmeDraft+`"}`, u.Host, "meridian.v1.JobService/GetJob")
	if err != nil || !strings.Contains(out, `"title": "Secret Staff Engineer"`) {
		t.Fatalf("GetJob: %v: %s", err, out)
	}
	out, err = grpcurl("-d", `{"jobId":"`+w.acmeDraft+`"}`, u.Host, "meridian.v1.JobService/GetJob")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(out, "Code: NotFound") {
		t.Fatalf("anonymous GetJob of a draft: %v: %s", err, out)
	}
	out, err = grpcurl(u.Host, "grpc.health.v1.Health/Check")
	if err != nil || !strings.Contains(out, "SERVING") {
		t.Fatalf("health: %v: %s", err, out)
	}
}
