// Package postgres is dashgraph's Postgres storage: the connection pool and
// its query tracer, the embedded migrations, and the queries behind the
// auth, rbac and analytics stores.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dashgraph/dashgraph/cost"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the connection pool. The stores of the other packages are
// implemented on it.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to Postgres. Every query and batch is counted in the
// request's cost, if the context carries one.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.Tracer = tracer{}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that Postgres answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// Migrate brings the schema up to date. It is idempotent, and safe to run
// from several instances at once: the migrator holds an advisory lock.
func (db *DB) Migrate(ctx context.Context) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "schema_version")
	if err != nil {
		return fmt.Errorf("create migrator: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// tracer counts Postgres round trips in the request's cost and in the
// process's metrics: a query, or a batch however many statements it holds.
type tracer struct{}

type startKey struct{}

var (
	queryDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "dashgraph_db_query_duration_seconds",
		Help:    "Postgres round trips (a batch is one), by kind (query or batch) and result.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"kind", "result"})
)

// Collectors are the Postgres metrics, for the server's registry.
func Collectors() []prometheus.Collector { return []prometheus.Collector{queryDuration} }

func (tracer) start(ctx context.Context) context.Context {
	cost.From(ctx).DBQuery()
	return context.WithValue(ctx, startKey{}, time.Now())
}

func (tracer) end(ctx context.Context, kind string, err error) {
	start, ok := ctx.Value(startKey{}).(time.Time)
	if !ok {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	queryDuration.WithLabelValues(kind, result).Observe(time.Since(start).Seconds())
}

func (t tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return t.start(ctx)
}

func (t tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	t.end(ctx, "query", d.Err)
}

func (t tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return t.start(ctx)
}

func (tracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (t tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchEndData) {
	t.end(ctx, "batch", d.Err)
}
