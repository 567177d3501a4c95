package cache

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
)

// DB is what the cache layer reads from Postgres.
type DB interface {
	contextsDB
	tokenStateDB
	outbox
	RoleIDs(ctx context.Context) ([]int64, error)
	MostViewedDashboards(ctx context.Context, n int) ([]int64, error)
}

// New returns the cache layer on Redis (client) or, when client is nil, on
// process memory, with every key under prefix (DefaultPrefix in production). It starts untrusted: Relay trusts it once the outbox is
// drained. Close releases it.
func New(client redis.UniversalClient, prefix string, flags Flags, db DB, reg prometheus.Registerer, log *slog.Logger) *Cache {
	c := &Cache{prefix: prefix, flags: flags, log: log, db: db, stats: &stats{}, wake: make(chan struct{}, 1), decoded: newDecoded()}
	c.metrics = newMetrics(reg, c.stats)
	c.metrics.trusted.Set(0)
	if client == nil {
		c.store = newMemoryStore()
		return c
	}
	c.store = newRedisStore(client, c.metrics, func(from, to gobreaker.State) {
		c.metrics.breakerState.Set(float64(to))
		log.Warn("redis circuit breaker", "from", from.String(), "to", to.String())
		switch to {
		case gobreaker.StateOpen:
			c.distrust()
		case gobreaker.StateClosed:
			c.Wake()
		}
	})
	return c
}

// Close releases the store.
func (c *Cache) Close() error { return c.store.close() }

// Auth wraps an auth store with the token-check caches.
func (c *Cache) Auth(store auth.Store) *Auth {
	return &Auth{Store: store, c: c, db: c.db, contexts: c.Contexts()}
}

// Contexts returns the cached builder of user contexts.
func (c *Cache) Contexts() *Contexts { return &Contexts{c: c, db: c.db} }

// Analytics wraps an analytics store with the dashboard, chart definition
// and generation caches.
func (c *Cache) Analytics(store analytics.Store) *Analytics { return &Analytics{Store: store, c: c} }

// Charts wraps the analytics service's chart computation with the
// chart-data cache.
func (c *Cache) Charts(svc chartPlanner) *Charts { return &Charts{chartPlanner: svc, c: c} }

// Trusted reports whether this instance serves from the cache.
func (c *Cache) Trusted() bool { return c.trusted.Load() }

// Flush deletes the entries of one cache ("" for all of them) and returns
// how many went.
func (c *Cache) Flush(ctx context.Context, cacheName string) (int, error) {
	p := c.prefix
	if cacheName != "" {
		p += cacheSegment[cacheName]
	}
	return c.store.deletePrefix(ctx, p)
}

// cacheSegment maps a cache's name to its keys' segment.
var cacheSegment = map[string]string{
	"revoked": segRevoked, "session": segSession, "user": segUser, "user_context": segUserContext,
	"role_permissions": segRolePermissions, "dashboard": segDashboard, "chart_definition": segChartDefinition,
	"generation": segGeneration, "chart_data": segChartData,
}

// UsedMemory reports the store's memory use in bytes.
func (c *Cache) UsedMemory(ctx context.Context) (int64, error) { return c.store.usedMemory(ctx) }

// Warm fills the caches that serve everyone: the permissions of every role
// and the definitions of the most viewed dashboards. It is an explicit
// startup step (CACHE_WARM), never a side effect.
func (c *Cache) Warm(ctx context.Context, dashboards analytics.Store, n int) error {
	ctx = WithRequest(ctx)
	if c.flags.Enabled && c.flags.RBAC {
		ids, err := c.db.RoleIDs(ctx)
		if err != nil {
			return err
		}
		if _, err := c.Contexts().rolePermissions(ctx, ids); err != nil {
			return err
		}
	}
	if c.flags.Enabled && c.flags.Chart {
		ids, err := c.db.MostViewedDashboards(ctx, n)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := loadOne(ctx, c, kindDashboard, c.keyID(segDashboard, id), dashboardTTL, func() (*analytics.Dashboard, error) {
				return dashboards.Dashboard(ctx, id)
			}); err != nil {
				return err
			}
		}
	}
	c.log.InfoContext(ctx, "cache warmed")
	return nil
}
