// Package cache is dashgraph's cache layer: a Redis store (or an in-process
// one for a single instance) behind a circuit breaker, leases against stale
// fills, per-process singleflight, TTLs by kind and freshness, typed caches
// that wrap the Postgres stores with the same interfaces, and the
// invalidation of cached facts by the outbox the stores write.
//
// Every cache reads through to Postgres when it is off (by flag or
// rollout), when Redis fails, and while the instance does not yet trust
// Redis again after an outage: it trusts it only once every invalidation
// written meanwhile has been applied.
package cache

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/cost"
)

// Flags select the caches: the plan's ENABLE_* flags and rollout.
type Flags struct {
	// Enabled is the master switch (ENABLE_REDIS_CACHE).
	Enabled bool
	// Token covers token revocation and session liveness (ENABLE_TOKEN_CACHE).
	Token bool
	// User covers user records (ENABLE_USER_CACHE).
	User bool
	// RBAC covers user contexts and role permissions (ENABLE_RBAC_CACHE).
	RBAC bool
	// Chart covers dashboards, chart definitions and chart data (ENABLE_CHART_CACHE).
	Chart bool
	// RolloutPercent is the share of users, 0 to 100, whose requests use
	// the caches; a user is in or out for good (CACHE_ROLLOUT_PERCENT).
	RolloutPercent int
}

// kind is one typed cache.
type kind uint8

const (
	kindRevoked kind = iota
	kindSession
	kindUser
	kindUserContext
	kindRolePermissions
	kindDashboard
	kindChartDefinition
	kindGeneration
	kindChartData
	kindCount
)

var kindNames = [kindCount]string{"revoked", "session", "user", "user_context", "role_permissions",
	"dashboard", "chart_definition", "generation", "chart_data"}

func (k kind) String() string { return kindNames[k] }

// flag reports whether the kind's flag is on.
func (f Flags) flag(k kind) bool {
	switch k {
	case kindRevoked, kindSession:
		return f.Token
	case kindUser:
		return f.User
	case kindUserContext, kindRolePermissions:
		return f.RBAC
	}
	return f.Chart
}

// leaseTTL bounds how long a reader may take to fill a key it leased; a
// reader that dies loses its lease after this.
const leaseTTL = 3 * time.Second

// Cache is the cache layer of one instance.
type Cache struct {
	store   store
	prefix  string
	db      DB
	flags   Flags
	log     *slog.Logger
	stats   *stats
	metrics *metrics
	// trusted is false while the instance may hold a stale view of the
	// store: from start, and from a Redis failure, until the relay has
	// applied every pending invalidation.
	trusted atomic.Bool
	// wake asks the relay to run now.
	wake chan struct{}
	// flights deduplicates concurrent loads of chart data in this process.
	flights flights
	// decoded spares decoding the same entry bytes twice.
	decoded *decoded
	// beforeFill, when set (by tests), runs between a load's database read
	// and its fill, with the keys about to be filled: the window where an
	// invalidation races a fill.
	beforeFill func(keys []string)
}

// Stats returns the counters of each cache of this instance.
func (c *Cache) Stats() []KindStats { return c.stats.snapshot() }

// on reports whether the cache of kind k serves this request.
func (c *Cache) on(ctx context.Context, k kind) bool {
	if !c.flags.Enabled || !c.flags.flag(k) || !c.trusted.Load() {
		return false
	}
	if c.flags.RolloutPercent >= 100 {
		return true
	}
	p, ok := auth.PrincipalFrom(ctx)
	return ok && rolloutBucket(p.UserID) < c.flags.RolloutPercent
}

// rolloutBucket places a user in one of 100 buckets, the same one every time.
func rolloutBucket(userID int64) int {
	h := fnv.New32a()
	h.Write([]byte(strconv.FormatInt(userID, 10)))
	return int(h.Sum32() % 100)
}

// request is the cache's state for one request: the token its leases are
// taken under, and the read-ahead, slots fetched in an earlier round trip
// of the same request for keys it will look up later.
type request struct {
	token string
	mu    sync.Mutex
	ahead map[string]slot
}

type requestKey struct{}

// WithRequest returns a context carrying fresh per-request cache state.
func WithRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestKey{}, &request{token: newLeaseToken(), ahead: map[string]slot{}})
}

func requestFrom(ctx context.Context) *request {
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		return r
	}
	return &request{token: newLeaseToken(), ahead: map[string]slot{}}
}

func newLeaseToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return string(leaseTag) + base64.RawURLEncoding.EncodeToString(b[:])
}

// key is a cache key and the cache it belongs to.
type key struct {
	name string
	kind kind
}

// lookup returns a slot for each key: from the request's read-ahead, or
// else from one round trip for all of them. When the store fails, every
// slot it should have answered is busy, so the caller reads the database
// and fills nothing.
func (c *Cache) lookup(ctx context.Context, keys []key) []slot {
	req := requestFrom(ctx)
	out := make([]slot, len(keys))
	var ask []string
	var at []int
	req.mu.Lock()
	for i, k := range keys {
		if s, ok := req.ahead[k.name]; ok {
			out[i] = s
			delete(req.ahead, k.name)
			continue
		}
		ask = append(ask, k.name)
		at = append(at, i)
	}
	req.mu.Unlock()
	if len(ask) > 0 {
		slots, trips, err := c.store.getOrLease(ctx, ask, req.token, leaseTTL)
		c.countTrips(ctx, trips)
		if err != nil {
			c.log.DebugContext(ctx, "cache lookup failed; reading through", "err", err)
		}
		for j, i := range at {
			if err != nil {
				out[i] = slot{state: busy}
				c.stats.errors(keys[i].kind)
				continue
			}
			out[i] = slots[j]
		}
	}
	hits := 0
	for i, s := range out {
		c.stats.lookup(keys[i].kind, s.state)
		if s.state == hit {
			hits++
		}
	}
	cost.From(ctx).CacheHits(hits)
	cost.From(ctx).CacheMisses(len(out) - hits)
	return out
}

// Prefetch reads keys in one round trip for the request's later lookups,
// with whatever commands also adds to the same Redis pipeline (the rate
// limiter's checks). It reports whether those ran on Redis. Keys found are
// kept for the lookups of the request; absent ones are looked up (and
// leased) again when needed.
func (c *Cache) Prefetch(ctx context.Context, keys []string, also func(redis.Pipeliner)) bool {
	if len(keys) == 0 && also == nil {
		return false
	}
	req := requestFrom(ctx)
	values, ran, err := c.store.peek(ctx, keys, also)
	if ran || len(keys) > 0 {
		c.countTrips(ctx, 1)
	}
	if err != nil {
		return false
	}
	req.mu.Lock()
	defer req.mu.Unlock()
	for i, v := range values {
		if v != nil {
			req.ahead[keys[i]] = classify(v, req.token)
		}
	}
	return ran
}

// PrefetchKeys are the keys a request of p reads first: its token check's
// and, with a dashboard id (0 for none), the dashboard's. With them read by
// Prefetch, and the dashboard's chart data in one more round trip, a warm
// dashboard query makes two.
func (c *Cache) PrefetchKeys(ctx context.Context, p auth.Principal, dashboardID int64) []string {
	var names []string
	for _, k := range c.viewerKeys(ctx, p) {
		names = append(names, k.name)
	}
	if dashboardID > 0 && c.on(ctx, kindDashboard) {
		names = append(names, c.keyID(segDashboard, dashboardID))
	}
	return names
}

// countTrips adds round trips to the request's cost; a failed round trip
// still counts once.
func (c *Cache) countTrips(ctx context.Context, n int) {
	for range max(n, 1) {
		cost.From(ctx).RedisRoundTrip()
	}
}

// fill stores the entries whose keys the request leased, in one round trip.
func (c *Cache) fill(ctx context.Context, entries []entry) {
	if len(entries) == 0 {
		return
	}
	if c.beforeFill != nil {
		keys := make([]string, len(entries))
		for i, e := range entries {
			keys[i] = e.name
		}
		c.beforeFill(keys)
	}
	cost.From(ctx).RedisRoundTrip()
	if err := c.store.fill(ctx, entries, requestFrom(ctx).token); err != nil {
		c.log.DebugContext(ctx, "cache fill failed", "err", err)
		for _, e := range entries {
			c.stats.errors(e.kind)
		}
		return
	}
	for _, e := range entries {
		c.stats.fill(e.kind, len(e.value))
	}
}

// DefaultPrefix starts every key. It holds a schema version, so that a
// deploy that changes what an entry holds orphans the old entries instead
// of misreading them.
const DefaultPrefix = "dg:v1:"

// Key segments, one per cache.
const (
	segRevoked         = "revoked:"
	segSession         = "session:"
	segUser            = "user:"
	segUserContext     = "uctx:"
	segRolePermissions = "roleperms:"
	segDashboard       = "dash:"
	segChartDefinition = "chartdef:"
	segGeneration      = "gen:"
	segChartData       = "chart:"
)

func (c *Cache) keyID(seg string, id int64) string { return c.prefix + seg + strconv.FormatInt(id, 10) }
func (c *Cache) keyOf(seg, id string) string       { return c.prefix + seg + id }

// Time to live by kind: DESIGN.md's catalogue. Chart data lives by how
// fresh its date range is (analytics.Plan.TTL); a revoked token until it expires.
const (
	notRevokedTTL      = 60 * time.Second
	sessionTTL         = 60 * time.Second
	userTTL            = 5 * time.Minute
	userContextTTL     = 5 * time.Minute
	rolePermissionsTTL = 24 * time.Hour
	dashboardTTL       = 5 * time.Minute
)
