// Package app wires dashgraph together: it builds the stores and services
// from the configuration and serves them over HTTP. server.go calls it; the
// end-to-end tests start it in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/loaders"
	"github.com/dashgraph/dashgraph/postgres"
	"github.com/dashgraph/dashgraph/resolvers"
)

// App is a configured server.
type App struct {
	cfg       Config
	log       *slog.Logger
	db        *postgres.DB
	tokens    *auth.Tokens
	auth      *auth.Service
	analytics *analytics.Service
	admin     *admin.Service
	handler   http.Handler
}

// noCache applies invalidations when there is no cache to apply them to.
type noCache struct{}

func (noCache) Invalidate(context.Context, []invalidation.Event) {}

// New connects to the stores and builds the server. Close releases it.
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
	db, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: db, tokens: tokens}
	audit := log.With("log", "audit")
	var inv invalidation.Invalidator = noCache{}
	a.auth = auth.NewService(db, tokens, passwords, inv, cfg.RefreshTokenTTL, audit)
	a.analytics = analytics.NewService(db, cfg.TimeZone)
	a.admin = admin.NewService(db, inv, passwords.Hash, audit)
	a.handler = a.routes()
	return a, nil
}

// Close releases the app's connections.
func (a *App) Close() { a.db.Close() }

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
	go a.auth.PurgeExpired(ctx, time.Hour, a.log)
	a.log.Info("listening", "addr", ln.Addr().String(), "dev_mode", a.cfg.DevMode)
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
	withUser := func(h http.Handler) http.Handler {
		h = loaders.Middleware(loaders.Config{Auth: a.auth, Charts: a.analytics, Contexts: a.db, Batching: a.cfg.Batching})(h)
		return auth.Middleware(a.tokens, !a.cfg.DevMode, writeError)(noteUser(h))
	}
	gql := newGraphQL(a.cfg, a.log, &resolvers.Resolver{Auth: a.auth, Analytics: a.analytics, Admin: a.admin})

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", withUser(jsonBody(gql)))
	mux.Handle("GET /api/charts/{id}/data", withUser(http.HandlerFunc(a.chartData)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeText(w, "ok") })
	mux.HandleFunc("GET /readyz", a.ready)
	if a.cfg.DevMode {
		mux.Handle("GET /{$}", graphiQL())
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, notFound(r))
	})
	return requestContext(a.log, recoverPanics(a.log, mux))
}

// ready answers 200 when Postgres answers within a second.
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
