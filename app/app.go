// Package app wires dashgraph together: it builds the stores, caches and
// services from the configuration and serves them over HTTP. server.go
// calls it; the end-to-end tests start it in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/cache"
	"github.com/dashgraph/dashgraph/loaders"
	"github.com/dashgraph/dashgraph/postgres"
	"github.com/dashgraph/dashgraph/ratelimit"
	"github.com/dashgraph/dashgraph/resolvers"
)

// App is a configured server.
type App struct {
	cfg       Config
	log       *slog.Logger
	db        *postgres.DB
	registry  *prometheus.Registry
	cache     *cache.Cache
	tokens    *auth.Tokens
	auth      *auth.Service
	analytics *analytics.Service
	charts    *cache.Charts
	limiter   *ratelimit.Limiter
	admin     *admin.Service
	handler   http.Handler

	// queries holds the GraphQL documents the handler has parsed and
	// validated, by their text. The first round trip reads them too.
	queries graphql.Cache[*ast.QueryDocument]

	// Background work (outbox relay, LISTEN, purges) runs until Close.
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// New connects to the stores, builds the server and starts its background
// work. Close releases it.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	tokens, err := auth.NewTokens(auth.TokenConfig{
		Secret: []byte(cfg.JWTSecret), Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, TTL: cfg.AccessTokenTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("JWT_SECRET: %w", err)
	}
	passwords, err := auth.NewPasswords(cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("BCRYPT_COST: %w", err)
	}
	var client redis.UniversalClient
	if !strings.HasPrefix(cfg.RedisURL, "memory://") || len(cfg.RedisAddrs) > 0 {
		url := cfg.RedisURL
		if len(cfg.RedisAddrs) > 0 {
			url = ""
		}
		client, err = cache.NewRedisClient(cache.RedisConfig{URL: url, Addrs: cfg.RedisAddrs,
			MasterName: cfg.RedisMasterName, Password: cfg.RedisPassword, PoolSize: cfg.RedisPoolSize})
		if err != nil {
			return nil, err
		}
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return nil, err
	}

	a := &App{cfg: cfg, log: log, db: db, tokens: tokens, registry: prometheus.NewRegistry()}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		httpDuration, graphqlDuration)
	a.registry.MustRegister(postgres.Collectors()...)
	a.cache = cache.New(client, cfg.RedisKeyPrefix, cfg.Cache, db, a.registry, log)
	if cfg.RateLimit {
		a.limiter = ratelimit.NewLimiter(cfg.RedisKeyPrefix+"rl:", client != nil, a.registry)
	}
	audit := log.With("log", "audit")
	a.auth = auth.NewService(a.cache.Auth(db), tokens, passwords, a.cache, cfg.RefreshTokenTTL, audit)
	a.analytics = analytics.NewService(a.cache.Analytics(db), cfg.TimeZone)
	a.charts = a.cache.Charts(a.analytics)
	a.admin = admin.NewService(db, a.cache, passwords.Hash, audit)
	a.handler = a.routes()
	a.start()
	return a, nil
}

// start runs the background work, waits briefly for the cache to be
// trusted (the relay's first pass over the outbox), and warms it when asked.
func (a *App) start() {
	ctx, stop := context.WithCancel(context.Background())
	a.stop = stop
	for _, run := range []func(context.Context){
		a.cache.Relay,
		func(ctx context.Context) { a.db.ListenInvalidations(ctx, a.cache.Wake) },
		func(ctx context.Context) { a.auth.PurgeExpired(ctx, time.Hour, a.log) },
		func(ctx context.Context) { a.analytics.RecordViews(ctx, 30*time.Second, a.log) },
	} {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			run(ctx)
		}()
	}
	deadline := time.Now().Add(2 * time.Second)
	for !a.cache.Trusted() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if a.cfg.CacheWarm && a.cache.Trusted() {
		if err := a.cache.Warm(ctx, a.db, 20); err != nil {
			a.log.Warn("cache warming failed", "err", err)
		}
	}
}

// Close stops the background work and releases the connections.
func (a *App) Close() {
	a.stop()
	a.wg.Wait()
	_ = a.cache.Close()
	a.db.Close()
}

// Handler is the app's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Serve listens on the configured address until ctx is done, then shuts
// down gracefully: in-flight requests get up to 15 s to finish.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return err
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener serves on ln until ctx is done.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if a.cfg.PprofAddr != "" {
		go a.servePprof(ctx)
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "dev_mode", a.cfg.DevMode, "cache_trusted", a.cache.Trusted())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (a *App) routes() http.Handler {
	loaderCfg := loaders.Config{
		Auth: a.auth, Charts: a.charts, Contexts: a.cache.Contexts(), Dashboards: a.analytics,
		Batching: a.cfg.Batching,
	}
	withUser := func(h http.Handler) http.Handler {
		h = loaders.Middleware(loaderCfg)(h)
		return auth.Middleware(a.tokens, !a.cfg.DevMode, writeError)(noteUser(h))
	}

	a.queries = lru.New[*ast.QueryDocument](1000)
	gql := newGraphQL(a.cfg, a.log, a.queries, &resolvers.Resolver{Auth: a.auth, Analytics: a.analytics, Admin: a.admin, Cache: a.cache})

	mux := http.NewServeMux()
	route(mux, "POST /graphql", withUser(graphQLRequest(a.firstTrip(gql))))
	route(mux, "GET /api/charts/{id}/data", withUser(a.firstTrip(http.HandlerFunc(a.chartData))))
	route(mux, "GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeText(w, "ok") }))
	route(mux, "GET /readyz", http.HandlerFunc(a.ready))
	route(mux, "GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{Registry: a.registry}))
	if a.cfg.DevMode {
		route(mux, "GET /{$}", graphiQL())
		if a.cfg.WebDir != "" {
			route(mux, "GET /app/", webHandler(a.cfg.WebDir))
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, notFound(r))
	})
	return requestContext(a.log, recoverPanics(a.log, cacheScope(mux)))
}

// cacheScope gives every request its own cache state (lease token and
// read-ahead).
func cacheScope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(cache.WithRequest(r.Context())))
	})
}

// ready answers 200 when Postgres answers within a second. Redis is not
// required: without it the API serves from Postgres.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		a.log.WarnContext(ctx, "not ready", "err", err)
		http.Error(w, "postgres unavailable", http.StatusServiceUnavailable)
		return
	}
	writeText(w, "ok")
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(s + "\n"))
}

// CacheTrusted reports whether the instance serves from the cache.
func (a *App) CacheTrusted() bool { return a.cache.Trusted() }

// servePprof serves the runtime profiles on their own listener until ctx
// is done. They are never on the API's listener.
func (a *App) servePprof(ctx context.Context) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: a.cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	a.log.Info("pprof listening", "addr", a.cfg.PprofAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		a.log.Warn("pprof", "err", err)
	}
}
