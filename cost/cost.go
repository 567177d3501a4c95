// Package cost counts what one request costs the backing stores: Postgres
// queries, Redis round trips, cache hits and misses. The counters travel in
// the request's context; the Postgres tracer and the cache add to them, and
// the GraphQL layer reports them as extensions.cost on every response.
package cost

import (
	"context"
	"sync/atomic"
)

// Cost is a snapshot of a request's counters, as reported to clients.
type Cost struct {
	DBQueries       int64 `json:"dbQueries"`
	RedisRoundTrips int64 `json:"redisRoundTrips"`
	CacheHits       int64 `json:"cacheHits"`
	CacheMisses     int64 `json:"cacheMisses"`
}

// Counter accumulates a request's cost. It is safe for concurrent use: the
// resolvers of one request run in parallel.
type Counter struct {
	dbQueries       atomic.Int64
	redisRoundTrips atomic.Int64
	cacheHits       atomic.Int64
	cacheMisses     atomic.Int64
}

type ctxKey struct{}

// WithCounter returns a context carrying a fresh counter, and the counter.
func WithCounter(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, ctxKey{}, c), c
}

// From returns the counter in ctx, or nil. All methods accept a nil counter,
// so work outside a request (migrations, the outbox relay) is simply not counted.
func From(ctx context.Context) *Counter {
	c, _ := ctx.Value(ctxKey{}).(*Counter)
	return c
}

// DBQuery counts one Postgres round trip (a query or a whole batch).
func (c *Counter) DBQuery() {
	if c != nil {
		c.dbQueries.Add(1)
	}
}

// RedisRoundTrip counts one Redis round trip (a command or a whole pipeline).
func (c *Counter) RedisRoundTrip() {
	if c != nil {
		c.redisRoundTrips.Add(1)
	}
}

// CacheHits counts n cache hits.
func (c *Counter) CacheHits(n int) {
	if c != nil {
		c.cacheHits.Add(int64(n))
	}
}

// CacheMisses counts n cache misses.
func (c *Counter) CacheMisses(n int) {
	if c != nil {
		c.cacheMisses.Add(int64(n))
	}
}

// Snapshot returns the counts so far. A nil counter reports zeros.
func (c *Counter) Snapshot() Cost {
	if c == nil {
		return Cost{}
	}
	return Cost{
		DBQueries:       c.dbQueries.Load(),
		RedisRoundTrips: c.redisRoundTrips.Load(),
		CacheHits:       c.cacheHits.Load(),
		CacheMisses:     c.cacheMisses.Load(),
	}
}
