// Package node assembles one running Meridian node: store, broker, Redis,
// outbox relay, read-model projector, expiry scheduler and the HTTP API.
// `meridian serve` runs one; tests run several against one database and
// broker to prove that nodes are stateless.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/auth/oidc"
	"github.com/meridianhq/meridian/internal/auth/token"
	"github.com/meridianhq/meridian/internal/broker"
	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/demo"
	"github.com/meridianhq/meridian/internal/email"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/mqttpub"
	"github.com/meridianhq/meridian/internal/outbox"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/ratelimit"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/transport/connectapi"
	"github.com/meridianhq/meridian/internal/transport/rest"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
	"github.com/meridianhq/meridian/internal/webhook/safehttp"
)

// Options configure a node.
type Options struct {
	Config config.Config
	Log    *slog.Logger
	// Stdout receives the start-up banner (nil: none).
	Stdout io.Writer
	// DevAuth enables the development principal. The CLI allows it only in
	// embedded mode; tests may enable it on cluster nodes.
	DevAuth bool
	Version string
}

// Node is a running Meridian node.
type Node struct {
	opts  Options
	ln    net.Listener
	grp   *errgroup.Group
	stop  context.CancelFunc
	deps  *Deps
	App   *app.App
	Auth  *auth.Service
	Relay *outbox.Relay
	// Projector keeps the SQL read models current.
	Projector *projection.Runner
	// Search keeps the node's in-memory search index current.
	Search *search.Follower
	// Alerts keeps saved searches current and evaluates them against new
	// postings (internal/alerts).
	Alerts *projection.Runner
}

// Deps are the connections a node (or a CLI command) opens.
type Deps struct {
	Config config.Config
	Log    *slog.Logger
	DB     *store.DB
	Broker *broker.Broker
	Redis  *redis.Client
}

// OpenStore opens the configured store.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*Deps, error) {
	key, err := cfg.MasterKeyBytes()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, SQLiteSync: cfg.SQLiteSync, MasterKey: key})
	if err != nil {
		return nil, err
	}
	return &Deps{Config: cfg, Log: log, DB: db}, nil
}

// OpenBroker connects the configured broker.
func (d *Deps) OpenBroker(ctx context.Context) error {
	b, err := broker.Open(ctx, broker.Config{URL: d.Config.NATSURL, DataDir: d.Config.DataDir, Replicas: d.Config.NATSReplicas}, d.Log)
	if err != nil {
		return err
	}
	d.Broker = b
	return nil
}

// OpenRedis connects Redis when configured.
func (d *Deps) OpenRedis(ctx context.Context) error {
	if d.Config.RedisURL == "" {
		return nil
	}
	opts, err := redis.ParseURL(d.Config.RedisURL)
	if err != nil {
		return meridian.Errorf(meridian.EInvalid, "redis URL: %v", err)
	}
	c := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return &meridian.Error{Code: meridian.EUnavailable, Message: fmt.Sprintf("cannot reach Redis: %v", err)}
	}
	d.Redis = c
	return nil
}

// Close closes every connection.
func (d *Deps) Close() {
	if d.Broker != nil {
		d.Broker.Close()
	}
	if d.Redis != nil {
		_ = d.Redis.Close()
	}
	if d.DB != nil {
		_ = d.DB.Close()
	}
}

// Ping checks the broker and Redis (for /readyz; the store is checked there too).
func (d *Deps) Ping(ctx context.Context) error {
	if d.Broker != nil {
		if err := d.Broker.Ping(ctx); err != nil {
			return fmt.Errorf("broker: %w", err)
		}
	}
	if d.Redis != nil {
		if err := d.Redis.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
	}
	return nil
}

// Projector returns the SQL read-model runner (subscribed to the broker when open).
func (d *Deps) Projector(reg prometheus.Registerer) *projection.Runner {
	return d.runner(readmodel.Projection{}, reg)
}

// AlertsProjector returns the saved-search alerts runner (subscribed to
// the broker when open).
func (d *Deps) AlertsProjector(reg prometheus.Registerer) *projection.Runner {
	return d.runner(alerts.New(d.DB, d.Log), reg)
}

// runner returns a projection runner for h, subscribed to the broker when
// open, with its metrics registered on reg (nil: none).
func (d *Deps) runner(h projection.Handler, reg prometheus.Registerer) *projection.Runner {
	run := &projection.Runner{DB: d.DB, Handler: h, Log: d.Log}
	if d.Broker != nil {
		run.Broker = d.Broker
	}
	if reg != nil {
		run.Metrics(reg)
	}
	return run
}

// SearchFollower returns the node's search index follower (woken by the
// broker when open), not yet started.
func (d *Deps) SearchFollower(reg prometheus.Registerer) *search.Follower {
	f := &search.Follower{DB: d.DB, Log: d.Log, SnapshotPath: d.Config.SearchSnapshotPath()}
	if d.Broker != nil {
		f.Broker = d.Broker
	}
	if reg != nil {
		f.Metrics(reg)
	}
	return f
}

// MarketFollower returns the node's market model, loaded from its snapshot
// when there is a usable one, and its follower (woken by the broker when
// open; snapshotting every 5 minutes while it changes and at shutdown),
// not yet started.
func (d *Deps) MarketFollower(ctx context.Context, reg prometheus.Registerer) (*market.Model, *follow.Follower) {
	path := d.Config.MarketSnapshotPath()
	m := market.NewModel()
	if path != "" {
		loaded, err := market.LoadFile(path)
		head, herr := d.DB.Head(ctx)
		switch {
		case err != nil:
			d.Log.Warn("market snapshot unusable; rebuilding the model from the event store", "path", path, "err", err)
		case loaded != nil && herr == nil && loaded.Position() > head:
			d.Log.Warn("market snapshot is ahead of the store (another database?); rebuilding the model", "path", path, "position", loaded.Position(), "head", head)
		case loaded != nil:
			m = loaded
		}
	}
	saved := m.Position()
	save := func() {
		if path == "" || m.Position() == saved {
			return
		}
		if err := m.SaveFile(path); err != nil {
			d.Log.Error("market snapshot failed", "err", err)
			return
		}
		saved = m.Position()
	}
	f := &follow.Follower{Name: "market", DB: d.DB, Log: d.Log, Model: m, Batch: 5000, Every: 5 * time.Minute, Tick: save, Stop: save}
	if d.Broker != nil {
		f.Broker = d.Broker
	}
	if reg != nil {
		f.Metrics(reg)
		m.Metrics(reg)
	}
	return m, f
}

// CatchUp applies pending events to the SQL read models and the saved-search
// alerts, for commands that write without a server (a running server does
// the same on its own).
func (d *Deps) CatchUp(ctx context.Context) error {
	for _, run := range []*projection.Runner{d.Projector(nil), d.AlertsProjector(nil)} {
		for {
			n, err := run.Step(ctx, nil)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}

// Start opens everything, starts listening and runs the node in the
// background until ctx ends or Close is called.
func Start(ctx context.Context, o Options) (*Node, error) {
	cfg, log := o.Config, o.Log
	deps, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Node, error) { deps.Close(); return nil, err }
	if err := deps.OpenBroker(ctx); err != nil {
		return fail(err)
	}
	if err := deps.OpenRedis(ctx); err != nil {
		return fail(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	n := &Node{opts: o, deps: deps}
	n.Projector = deps.Projector(reg)
	n.Relay = &outbox.Relay{DB: deps.DB, Publisher: deps.Broker, Log: log}
	n.Relay.Metrics(reg)
	n.Alerts = deps.AlertsProjector(reg)
	n.App = app.New(deps.DB, n.Projector, log)
	n.Search = deps.SearchFollower(reg)
	if err := n.Search.Start(ctx); err != nil {
		return fail(fmt.Errorf("search index: %w", err))
	}
	n.App.Search = n.Search
	n.App.Webhooks = &delivery.Endpoints{DB: deps.DB}
	var marketFollower *follow.Follower
	n.App.Market, marketFollower = deps.MarketFollower(ctx, reg)
	start := time.Now()
	if err := marketFollower.CatchUp(ctx); err != nil {
		return fail(fmt.Errorf("market model: %w", err))
	}
	log.Info("market model ready", "postings", n.App.Market.Len(), "position", n.App.Market.Position(), "took", time.Since(start).Round(time.Millisecond))
	n.App.AlertsWaiter = n.Alerts
	n.Auth, err = deps.Identity(ctx)
	if err != nil {
		return fail(err)
	}
	var limiter ratelimit.Limiter = ratelimit.NewMemory(0)
	if cfg.RateLimitIP == 0 || cfg.RateLimitPrincipal == 0 {
		limiter = nil
		log.Warn("rate limits are off")
	} else if deps.Redis != nil {
		limiter = ratelimit.NewRedis(deps.Redis, "meridian:ratelimit:", ratelimit.WithLogger(log))
	}
	head, err := deps.DB.Head(ctx)
	if err != nil {
		return fail(err)
	}
	n.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(fmt.Errorf("listen on %s: %w", cfg.Addr, err))
	}
	// Live channels: a feed from the store's head on (subscribers want what
	// happens from now), on every node.
	hub := realtime.NewHub(0)
	live := realtime.NewFeed(hub, deps.DB.Load, head)
	live.Private = true
	live.Matches = realtime.SavedSearchMatches(n.Alerts, alerts.NewQueries(deps.DB), log)
	feed := &follow.Follower{Name: "realtime", DB: deps.DB, Log: log, Model: live}
	if deps.Broker != nil {
		feed.Broker = deps.Broker
	}
	feed.Metrics(reg)
	rpc := connectapi.New(connectapi.Config{App: n.App, Hub: hub, Log: log})
	// Streams (SSE, WebSocket, gRPC) last as long as their clients: they
	// end when the node shuts down, so that Shutdown does not wait for them.
	streams, endStreams := context.WithCancel(context.Background())
	api := rest.New(rest.Config{App: n.App, DB: deps.DB, Hub: hub, RPC: rpc, Streams: streams, Broker: deps, Log: log, Registry: reg, DevAuth: o.DevAuth, Version: o.Version,
		Auth: n.Auth, PublicURL: cfg.BaseURL(),
		Limiter: limiter, PerIP: float64(cfg.RateLimitIP), PerPrincipal: float64(cfg.RateLimitPrincipal)})
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	// One port for everything: HTTP/1.1 and HTTP/2 (TLS is the proxy's job,
	// so HTTP/2 comes unencrypted, with prior knowledge, as gRPC clients
	// speak it).
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	srv.BaseContext = func(net.Listener) context.Context { return streams }
	srv.RegisterOnShutdown(endStreams)
	if o.Stdout != nil {
		mode := "embedded (SQLite, NATS and cache in " + cfg.DataDir + ")"
		if !cfg.Embedded() {
			mode = "cluster node (PostgreSQL, NATS"
			if cfg.RedisURL != "" {
				mode += ", Redis"
			}
			mode += ")"
		}
		fmt.Fprintf(o.Stdout, "Meridian %s is running at http://%s — %s\n", o.Version, n.ln.Addr(), mode)
		fmt.Fprintf(o.Stdout, "API docs: http://%s/api/docs · GraphQL: http://%s/graphiql · gRPC: grpcurl -plaintext %s list\n", n.ln.Addr(), n.ln.Addr(), n.ln.Addr())
		if o.DevAuth {
			fmt.Fprintln(o.Stdout, "Development sign-in is ON: requests act as the user named in X-Dev-User (default dev-user).")
		}
	}

	smtpCfg, err := cfg.SMTP()
	if err != nil {
		return fail(err)
	}
	mailer, err := email.NewWorker(deps.DB, email.Config{SMTP: smtpCfg, BaseURL: cfg.BaseURL(), DigestHour: cfg.EmailDigestHour, Log: log})
	if err != nil {
		return fail(err)
	}

	rctx, stop := context.WithCancel(ctx)
	n.stop = stop
	grp, gctx := errgroup.WithContext(rctx)
	n.grp = grp
	grp.Go(func() error { return n.Projector.Run(gctx) })
	grp.Go(func() error { return n.Alerts.Run(gctx) })
	grp.Go(func() error { return n.Relay.Run(gctx) })
	grp.Go(func() error { return n.Search.Run(gctx) })
	grp.Go(func() error { return marketFollower.Run(gctx) })
	grp.Go(func() error { return feed.Run(gctx) })
	grp.Go(func() error { return realtime.RunMarketTicks(gctx, hub, n.App.Market, realtime.TickEvery, log) })
	// Outgoing webhooks: the enqueuing projection on every node (exactly
	// once by its checkpoint), the dispatcher on the lease holder.
	hooks := deps.runner(delivery.Enqueuer{}, reg)
	grp.Go(func() error { return hooks.Run(gctx) })
	dispatcher := &delivery.Dispatcher{DB: deps.DB, Log: log,
		Client: safehttp.NewClient(safehttp.Options{Policy: safehttp.Policy{AllowPrivate: cfg.WebhooksAllowPrivate}})}
	grp.Go(func() error { return dispatcher.Run(gctx) })
	// Email notifications: enqueued and sent by the lease holder (off
	// without MERIDIAN_SMTP_URL).
	grp.Go(func() error { return mailer.Run(gctx) })
	if cfg.MQTTURL != "" {
		pub := &mqttpub.Publisher{DB: deps.DB, URL: cfg.MQTTURL, Log: log}
		if deps.Broker != nil {
			pub.Broker = deps.Broker
		}
		grp.Go(func() error { return pub.Run(gctx) })
	}
	grp.Go(func() error { return runExpiry(gctx, n.App) })
	grp.Go(func() error { return purge(gctx, deps, n.Auth) })
	grp.Go(func() error {
		if err := srv.Serve(n.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	grp.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		log.Info("shutting down")
		return srv.Shutdown(sctx)
	})
	if head == 0 && !cfg.NoDemo && cfg.Embedded() {
		grp.Go(func() error {
			sum, err := demo.Load(gctx, n.App, log)
			if err != nil {
				if gctx.Err() == nil {
					log.Error("demo data not loaded", "err", err)
				}
				return nil
			}
			log.Info("demo data loaded", "summary", fmt.Sprintf("%+v", sum))
			return nil
		})
	}
	return n, nil
}

// Addr returns the address the API listens on.
func (n *Node) Addr() string { return n.ln.Addr().String() }

// DB returns the node's store.
func (n *Node) DB() *store.DB { return n.deps.DB }

// Wait blocks until the node stops, then closes its connections.
func (n *Node) Wait() error {
	err := n.grp.Wait()
	n.deps.Close()
	return err
}

// Close stops the node and waits for it.
func (n *Node) Close() error {
	n.stop()
	return n.Wait()
}

// runExpiry records the expiry of postings past validThrough every 30s.
// (Readers never see them meanwhile: queries compare validThrough to now.)
func runExpiry(ctx context.Context, a *app.App) error {
	sys := meridian.WithPrincipal(ctx, meridian.System("expiry"))
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if n, err := a.ExpireDue(sys); err != nil && ctx.Err() == nil {
			a.Log.Warn("expire postings", "err", err)
		} else if n > 0 {
			a.Log.Info("postings expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// purge deletes expired Idempotency-Key records, tokens, sign-in
// throttles and sign-in states hourly.
func purge(ctx context.Context, d *Deps, a *auth.Service) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			now := time.Now()
			errs := []error{}
			if _, err := d.DB.PurgeIdempotencyKeys(ctx, now); err != nil {
				errs = append(errs, err)
			}
			errs = append(errs, a.Tokens.Purge(ctx, now))
			if _, err := a.Throttle.Purge(ctx); err != nil {
				errs = append(errs, err)
			}
			if a.OIDC != nil {
				if _, err := a.OIDC.Purge(ctx, now); err != nil {
					errs = append(errs, err)
				}
			}
			if err := errors.Join(errs...); err != nil && ctx.Err() == nil {
				d.Log.Warn("purge expired records", "err", err)
			}
		}
	}
}

// Identity assembles the sign-in service: JWT signing (creating the first
// key on first start), API keys, the audit log and the configured providers.
func (d *Deps) Identity(ctx context.Context) (*auth.Service, error) {
	tokens := token.New(d.DB, token.Config{Issuer: d.Config.BaseURL(), Audience: "meridian-api", Logger: d.Log})
	if err := tokens.EnsureSigningKey(ctx); err != nil {
		return nil, err
	}
	s := auth.NewService(d.DB, tokens, app.Scopes, d.Log)
	providers, err := d.Config.Providers()
	if err != nil {
		return nil, err
	}
	if len(providers) > 0 {
		var pcs []oidc.ProviderConfig
		for _, p := range providers {
			kind := p.Kind
			if kind == "" {
				kind = oidc.KindOIDC
			}
			pcs = append(pcs, oidc.ProviderConfig{
				Name: p.Name, Kind: kind, Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Scopes: p.Scopes,
				RedirectURL: d.Config.BaseURL() + "/auth/oidc/" + p.Name + "/callback",
				AuthURL:     p.AuthURL, TokenURL: p.TokenURL, UserInfoURL: p.UserInfoURL,
				UserIDField: p.UserIDField, EmailField: p.EmailField, NameField: p.NameField,
			})
		}
		if s.OIDC, err = oidc.New(ctx, d.DB, pcs, oidc.WithLogger(d.Log)); err != nil {
			return nil, err
		}
	}
	return s, nil
}
