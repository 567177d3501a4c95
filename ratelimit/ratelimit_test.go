package ratelimit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dashgraph/dashgraph/cache"
	"github.com/dashgraph/dashgraph/cache/redistest"
	"github.com/dashgraph/dashgraph/ratelimit"
)

// limiter decides checks on the Redis at url, under a fresh key prefix,
// each in a pipeline of its own, as a request's first round trip does.
type limiter struct {
	*ratelimit.Limiter
	client redis.UniversalClient
}

func newLimiter(t *testing.T, url string) limiter {
	t.Helper()
	client, err := cache.NewRedisClient(cache.RedisConfig{URL: url, PoolSize: 60})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	return limiter{ratelimit.NewLimiter("rltest:"+hex.EncodeToString(b[:])+":", true, prometheus.NewRegistry()), client}
}

func (l limiter) Allow(ctx context.Context, kind ratelimit.Kind, limit ratelimit.Limit, key string) ratelimit.Decision {
	return l.Decide(ctx, []ratelimit.Check{{Kind: kind, Limit: limit, Key: key}}, func(queue func(redis.Pipeliner)) bool {
		pipe := l.client.Pipeline()
		queue(pipe)
		_, err := pipe.Exec(ctx)
		return err == nil
	})[0]
}

func TestParseLimit(t *testing.T) {
	l, err := ratelimit.ParseLimit("20/15m")
	if err != nil || l.Rate != 20 || l.Period != 15*time.Minute {
		t.Fatalf("20/15m = %+v, %v", l, err)
	}
	for _, bad := range []string{"", "200", "0/1m", "-1/1m", "200/", "200/0s", "x/1m", "200/forever"} {
		if _, err := ratelimit.ParseLimit(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestConcurrentRequestsNeverExceedTheLimit: 50 goroutines on one key, in
// Redis, are allowed exactly the limit between them.
func TestConcurrentRequestsNeverExceedTheLimit(t *testing.T) {
	l := newLimiter(t, "redis://127.0.0.1:6379/0")
	limit := ratelimit.Limit{Rate: 20, Period: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 4 {
				if l.Allow(context.Background(), ratelimit.API, limit, "one-key").Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 20 {
		t.Fatalf("200 concurrent requests: %d allowed, want exactly 20", n)
	}
}

func TestDecisionReportsWhatIsLeft(t *testing.T) {
	l := newLimiter(t, "redis://127.0.0.1:6379/0")
	limit := ratelimit.Limit{Rate: 3, Period: time.Minute}
	for i, want := range []int{2, 1, 0} {
		d := l.Allow(context.Background(), ratelimit.API, limit, "k")
		if !d.Allowed || d.Remaining != want || d.Limit != 3 {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i, d, want)
		}
	}
	d := l.Allow(context.Background(), ratelimit.API, limit, "k")
	// One slot frees every 20 s.
	if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > 20*time.Second || d.ResetAfter <= 0 {
		t.Fatalf("over the limit: %+v", d)
	}
}

// TestMemoryFallbackWhenRedisDies: with Redis dead, limiting goes on in
// process memory, with the same limit, without waiting on Redis.
func TestMemoryFallbackWhenRedisDies(t *testing.T) {
	srv := redistest.Start(t)
	l := newLimiter(t, srv.URL())
	limit := ratelimit.Limit{Rate: 5, Period: time.Hour}
	if !l.Allow(context.Background(), ratelimit.API, limit, "k").Allowed {
		t.Fatal("first request denied")
	}
	srv.Kill()
	allowed := 0
	start := time.Now()
	for range 20 {
		if l.Allow(context.Background(), ratelimit.API, limit, "k").Allowed {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("with Redis dead, %d of 20 allowed, want the limit, 5", allowed)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("20 decisions took %v with Redis dead", took)
	}
}
