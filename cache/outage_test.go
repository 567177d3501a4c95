package cache_test

import (
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/cache/redistest"
	"github.com/dashgraph/dashgraph/rbac"
)

// slowest is far above a normal check (milliseconds) and far below what a
// client with default timeouts and retries takes against a dead Redis
// (seconds): the bound a request may take while Redis is failing.
const slowest = 1500 * time.Millisecond

// TestRedisKilled kills the Redis under a cache: token checks go on, from
// Postgres, without waiting on Redis; a revocation while it is dead takes
// effect; after a restart the cache is trusted again and serves nothing stale.
func TestRedisKilled(t *testing.T) {
	srv := redistest.Start(t)
	e := newEnv(t, srv.URL())
	uid, p := e.newUser(t, "bend-north")
	e.warmViewer(t, p)

	srv.Kill()
	for i := range 20 {
		start := time.Now()
		u, _, err := e.viewer(p)
		if took := time.Since(start); err != nil || took > slowest {
			t.Fatalf("check %d with Redis dead: %v after %v", i, err, took)
		}
		if !u.Has(rbac.AnalyticsReadOrganization) {
			t.Fatal("wrong context with Redis dead")
		}
	}
	if e.c.Trusted() {
		t.Fatal("the cache is still trusted with Redis dead")
	}
	// The role goes while Redis is dead: the invalidation waits in the outbox.
	if _, err := e.admin.RemoveRole(t.Context(), e.actor, uid, roleID(t, "analyst"), nil); err != nil {
		t.Fatal(err)
	}
	if u, _, err := e.viewer(p); err != nil || u.Has(rbac.AnalyticsReadOrganization) {
		t.Fatalf("with Redis dead, the removed role still counts (%v)", err)
	}

	srv.Restart()
	waitTrusted(t, e.c)
	e.warmViewer(t, p)
	if u, _, err := e.viewer(p); err != nil || u.Has(rbac.AnalyticsReadOrganization) {
		t.Fatalf("after the restart, the removed role counts again (%v)", err)
	}
}

// TestRedisPartitioned cuts the network to Redis with a user's context
// cached in it, removes the user's role meanwhile, and heals the network,
// with the stale context still in Redis: the instance must apply the missed
// invalidation before it serves from Redis again.
func TestRedisPartitioned(t *testing.T) {
	srv := redistest.Start(t)
	proxy := redistest.NewProxy(t, srv.Addr)
	e := newEnv(t, proxy.URL())
	uid, p := e.newUser(t, "bend-north")
	e.warmViewer(t, p)

	proxy.Cut()
	if _, err := e.admin.RemoveRole(t.Context(), e.actor, uid, roleID(t, "analyst"), nil); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		start := time.Now()
		u, _, err := e.viewer(p)
		if took := time.Since(start); err != nil || took > slowest {
			t.Fatalf("check %d with Redis cut off: %v after %v", i, err, took)
		}
		if u.Has(rbac.AnalyticsReadOrganization) {
			t.Fatal("with Redis cut off, the removed role still counts")
		}
	}

	proxy.Heal()
	// Every check from now on, while the cache is not yet trusted and for a
	// second after it is, must see the removal.
	var trustedAt time.Time
	for deadline := time.Now().Add(10 * time.Second); trustedAt.IsZero() || time.Since(trustedAt) < time.Second; {
		if trustedAt.IsZero() && e.c.Trusted() {
			trustedAt = time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache is not trusted again after Redis came back")
		}
		if u, _, err := e.viewer(p); err != nil || u.Has(rbac.AnalyticsReadOrganization) {
			t.Fatalf("after Redis came back (trusted: %v), a check saw the stale context (%v)", !trustedAt.IsZero(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.warmViewer(t, p) // and it is served from the cache again
}
