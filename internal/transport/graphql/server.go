package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/transport/graphql/gql"
)

// Defaults of Config's limits.
const (
	DefaultMaxDepth      = 12
	DefaultMaxComplexity = 2000
	// bodyLimit caps POST bodies.
	bodyLimit = 256 << 10
)

// Config configures the GraphQL server.
type Config struct {
	App *app.App
	// Hub has the live channels subscriptions read (nil: subscriptions
	// answer unavailable).
	Hub *realtime.Hub
	// Authenticate turns the bearer token of a WebSocket's connection_init
	// payload ({"authorization": "Bearer <token>"}) into a principal (nil:
	// such tokens are refused; the upgrade request's principal stays).
	Authenticate func(ctx context.Context, token string) (meridian.Principal, error)
	Log          *slog.Logger
	// MaxDepth bounds the nesting of selections (default 12) and
	// MaxComplexity the cost of an operation (default 2000): a field costs
	// 1 plus its selections, times its `first` or `limit` for lists.
	// Introspection is not counted.
	MaxDepth, MaxComplexity int
}

// Server serves GraphQL over HTTP and WebSocket.
type Server struct {
	cfg        Config
	exec       *executor.Executor
	transports []graphql.Transport
	loaders    loaderOptions
}

// New builds the server.
func New(cfg Config) *Server {
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = DefaultMaxDepth
	}
	if cfg.MaxComplexity <= 0 {
		cfg.MaxComplexity = DefaultMaxComplexity
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, loaders: defaultLoaderOptions}
	es := gql.NewExecutableSchema(gql.Config{Resolvers: &Resolver{s: s}})
	// gqlgen's handler package is not used (it pulls in modules this one
	// does not otherwise need): the executor and the transports are.
	exec := executor.New(costSchema{es})
	exec.SetQueryCache(newQueryCache[*ast.QueryDocument](500))
	exec.Use(&limits{maxDepth: cfg.MaxDepth, maxCost: cfg.MaxComplexity})
	exec.AroundResponses(s.withLoaders)
	exec.SetErrorPresenter(s.presentError)
	exec.SetRecoverFunc(func(ctx context.Context, v any) error {
		s.cfg.Log.ErrorContext(ctx, "graphql resolver panic", "err", v)
		return errors.New("panic in a resolver")
	})
	s.exec = exec
	s.transports = []graphql.Transport{
		transport.Websocket{
			// Zero accept options: a browser's Origin must be this server's
			// host (requests without an Origin, from non-browsers, pass), as
			// on the REST API's /ws.
			Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{}},
			InitFunc:              s.wsInit,
			InitTimeout:           10 * time.Second,
			KeepAlivePingInterval: 25 * time.Second,
		},
		transport.Options{AllowedMethods: []string{http.MethodGet, http.MethodPost}},
		transport.GET{}, // queries only: GET never mutates
		transport.POST{},
	}
	return s
}

// ServeHTTP serves /graphql: GET and POST operations, and WebSocket
// subscriptions. The principal is in the request's context (the REST
// server's authentication middleware wraps this handler).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, bodyLimit)
	}
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Log.ErrorContext(r.Context(), "graphql handler panic", "err", v)
			writeError(w, http.StatusInternalServerError, meridian.EInternal, "An internal error has occurred.")
		}
	}()
	r = r.WithContext(graphql.StartOperationTrace(r.Context()))
	for _, t := range s.transports {
		if t.Supports(r) {
			t.Do(w, r, s.exec)
			return
		}
	}
	writeError(w, http.StatusBadRequest, meridian.EInvalid, "GraphQL takes GET (queries), POST with a JSON body, or a graphql-transport-ws WebSocket")
}

// writeError answers a request no operation came from.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}})
}

// GraphiQL serves the GraphiQL IDE for /graphql (GET /graphiql). The page
// loads GraphiQL from cdn.jsdelivr.net (with subresource integrity).
func (s *Server) GraphiQL() http.Handler {
	return playground.Handler("Meridian GraphQL", "/graphql")
}

// wsInit authenticates a WebSocket from its connection_init payload:
// {"authorization": "Bearer <token>"} acts as that token's principal;
// without it, the upgrade request's principal (cookie, header) stays. A
// refused token closes the connection with 4403 (graphql-transport-ws).
func (s *Server) wsInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	authz := payload.Authorization()
	if authz == "" {
		return untilExpiry(ctx), nil, nil
	}
	refuse := func(msg string) (context.Context, *transport.InitPayload, error) {
		ctx := transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4403), "Forbidden: "+msg)
		return ctx, nil, meridian.Errorf(meridian.EUnauthorized, "%s", msg)
	}
	scheme, token, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return refuse("authorization must be \"Bearer <token>\"")
	}
	if s.cfg.Authenticate == nil {
		return refuse("bearer tokens are not accepted here")
	}
	p, err := s.cfg.Authenticate(ctx, token)
	if err != nil {
		if meridian.ErrorCode(err) == meridian.EInternal {
			s.cfg.Log.ErrorContext(ctx, "graphql websocket authentication", "err", err)
		}
		return refuse("the token is not valid")
	}
	return untilExpiry(meridian.WithPrincipal(ctx, p)), nil, nil
}

// untilExpiry ends a WebSocket's context when its principal's credentials
// expire: its subscriptions stop and the connection closes; the client
// reconnects with a fresh token.
func untilExpiry(ctx context.Context) context.Context {
	exp := meridian.PrincipalFrom(ctx).Expires
	if exp.IsZero() {
		return ctx
	}
	ctx, cancel := context.WithDeadline(ctx, exp)
	context.AfterFunc(ctx, cancel) // releases the timer once it fires or the connection ends
	return ctx
}

// presentError gives every error its code in extensions.code and hides the
// detail of internal ones.
func (s *Server) presentError(ctx context.Context, err error) *gqlerror.Error {
	var me *meridian.Error
	if errors.As(err, &me) {
		gerr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		gerr.Message = me.Message
		gerr.Extensions = map[string]any{"code": me.Code}
		if len(me.Fields) > 0 {
			gerr.Extensions["fields"] = me.Fields
		}
		if me.Code == meridian.EInternal {
			s.cfg.Log.ErrorContext(ctx, "graphql", "err", err)
		}
		return gerr
	}
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Err == nil {
		// gqlgen's own: parse, validation, limits, input coercion.
		if gerr.Extensions == nil {
			gerr.Extensions = map[string]any{}
		}
		if _, ok := gerr.Extensions["code"]; !ok {
			gerr.Extensions["code"] = meridian.EInvalid
		}
		return gerr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		out := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		out.Message = "the request was canceled or timed out"
		out.Extensions = map[string]any{"code": meridian.EUnavailable}
		return out
	}
	s.cfg.Log.ErrorContext(ctx, "graphql", "err", err)
	out := gqlerror.WrapPath(graphql.GetPath(ctx), err)
	out.Message = meridian.ErrorMessage(err)
	out.Extensions = map[string]any{"code": meridian.EInternal}
	return out
}
