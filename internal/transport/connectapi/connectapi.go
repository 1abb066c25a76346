package connectapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/gen/meridian/v1/meridianv1connect"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// Config configures the gRPC/Connect services.
type Config struct {
	// App answers every method.
	App *app.App
	// Hub is the node's live channels (nil: LiveService answers UNAVAILABLE).
	Hub *realtime.Hub
	Log *slog.Logger
	// ReadMaxBytes caps request messages (default 256 KiB, as the REST
	// API's bodies).
	ReadMaxBytes int
}

// LivePrefix is the path prefix of LiveService's streams, which last as
// long as the client stays.
const LivePrefix = "/" + meridianv1connect.LiveServiceName + "/"

// Route is one handler and the path prefix it serves ("/meridian.v1.JobService/").
type Route struct {
	Path    string
	Handler http.Handler
}

// Services lists the fully-qualified names of the services New serves
// (health checking and reflection report them).
var Services = []string{
	meridianv1connect.JobServiceName,
	meridianv1connect.ProfileServiceName,
	meridianv1connect.ApplicationServiceName,
	meridianv1connect.OrganizationServiceName,
	meridianv1connect.MarketServiceName,
	meridianv1connect.LiveServiceName,
}

// New returns the handlers of every service, of gRPC health checking
// (grpc.health.v1) and of server reflection (v1 and v1alpha), by path
// prefix: mount each on the HTTP server's mux behind the authentication
// middleware.
func New(cfg Config) []Route {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ReadMaxBytes == 0 {
		cfg.ReadMaxBytes = 256 << 10
	}
	opts := []connect.HandlerOption{
		connect.WithInterceptors(errorInterceptor{log: cfg.Log}),
		connect.WithReadMaxBytes(cfg.ReadMaxBytes),
	}
	var routes []Route
	add := func(path string, h http.Handler) { routes = append(routes, Route{Path: path, Handler: flushable(h)}) }
	add(meridianv1connect.NewJobServiceHandler(&jobs{app: cfg.App}, opts...))
	add(meridianv1connect.NewProfileServiceHandler(&profiles{app: cfg.App}, opts...))
	add(meridianv1connect.NewApplicationServiceHandler(&applications{app: cfg.App}, opts...))
	add(meridianv1connect.NewOrganizationServiceHandler(&organizations{app: cfg.App}, opts...))
	add(meridianv1connect.NewMarketServiceHandler(&markets{app: cfg.App}, opts...))
	live := &live{channels: cfg.App, log: cfg.Log}
	if cfg.Hub != nil {
		live.open = hubOpener(cfg.Hub)
	}
	path, h := meridianv1connect.NewLiveServiceHandler(live, opts...)
	add(path, longLived(h))
	add(grpchealth.NewHandler(grpchealth.NewStaticChecker(Services...)))
	// Reflection describes health checking and itself too, as grpc-go's does.
	reflector := grpcreflect.NewStaticReflector(append(slices.Clone(Services),
		grpchealth.HealthV1ServiceName, grpcreflect.ReflectV1ServiceName, grpcreflect.ReflectV1AlphaServiceName)...)
	add(grpcreflect.NewHandlerV1(reflector))
	add(grpcreflect.NewHandlerV1Alpha(reflector))
	return routes
}

// Mux returns a mux serving routes (for tests and for serving the
// services alone).
func Mux(routes []Route) *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r.Path, r.Handler)
	}
	return mux
}

// ---- errors ----

// Code is the one table from Meridian's error codes to gRPC status codes.
func Code(code string) connect.Code {
	switch code {
	case meridian.EInvalid:
		return connect.CodeInvalidArgument
	case meridian.ERule:
		return connect.CodeFailedPrecondition
	case meridian.ENotFound:
		return connect.CodeNotFound
	case meridian.EConflict, meridian.EIdempotencyKey:
		return connect.CodeAborted
	case meridian.EUnauthorized:
		return connect.CodeUnauthenticated
	case meridian.EForbidden:
		return connect.CodePermissionDenied
	case meridian.EUnavailable:
		return connect.CodeUnavailable
	case meridian.ERateLimited, meridian.ETooLarge:
		return connect.CodeResourceExhausted
	}
	return connect.CodeInternal
}

// toConnect turns an error of the application layer into a Connect error
// with the table's code and the message safe to show. Connect errors
// (from the protocol or the handlers) and context ends pass unchanged.
func toConnect(err error) (out error, internal bool) {
	if err == nil {
		return nil, false
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return err, false
	}
	var me *meridian.Error
	if !errors.As(err, &me) {
		switch {
		case errors.Is(err, context.Canceled):
			return connect.NewError(connect.CodeCanceled, err), false
		case errors.Is(err, context.DeadlineExceeded):
			return connect.NewError(connect.CodeDeadlineExceeded, err), false
		}
	}
	code := meridian.ErrorCode(err)
	return connect.NewError(Code(code), errors.New(meridian.ErrorMessage(err))), code == meridian.EInternal
}

// errorInterceptor applies toConnect to every method's error, logging
// internal ones.
type errorInterceptor struct{ log *slog.Logger }

func (i errorInterceptor) convert(ctx context.Context, procedure string, err error) error {
	out, internal := toConnect(err)
	if internal {
		i.log.ErrorContext(ctx, "internal error", "err", err, "procedure", procedure)
	}
	return out
}

func (i errorInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if err != nil {
			return nil, i.convert(ctx, req.Spec().Procedure, err)
		}
		return res, nil
	}
}

func (i errorInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i errorInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return i.convert(ctx, conn.Spec().Procedure, next(ctx, conn))
	}
}

// ---- HTTP plumbing ----

// flushable makes sure the handler sees an http.Flusher, which Connect
// needs for streams: middleware that wraps the ResponseWriter without
// implementing Flush (but with Unwrap) would otherwise break them.
func flushable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			w = flushWriter{ResponseWriter: w, rc: http.NewResponseController(w)}
		}
		h.ServeHTTP(w, r)
	})
}

type flushWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (f flushWriter) Flush()                      { _ = f.rc.Flush() }
func (f flushWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// longLived lifts the server's read and write deadlines for streams,
// which last as long as the client listens (http.Server.ReadTimeout would
// otherwise end a Subscribe stream's requests after that time).
func longLived(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		h.ServeHTTP(w, r)
	})
}
