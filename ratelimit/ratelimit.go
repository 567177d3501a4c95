// Package ratelimit limits request rates across every instance: GCRA
// (the generic cell rate algorithm) in one Redis script per decision,
// shared by all instances, and the same algorithm in process memory when
// Redis is unavailable or not configured.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dashgraph/dashgraph/cache"
)

// Limit is a rate: Rate events per Period, with a burst of Rate.
type Limit struct {
	Rate   int
	Period time.Duration
}

// ParseLimit reads a limit written N/duration, such as 200/1m or 20/15m.
func ParseLimit(s string) (Limit, error) {
	n, d, ok := strings.Cut(s, "/")
	rate, err := strconv.Atoi(n)
	if !ok || err != nil || rate <= 0 {
		return Limit{}, fmt.Errorf("limit %q: want a positive count and a period, such as 200/1m", s)
	}
	period, err := time.ParseDuration(d)
	if err != nil || period <= 0 {
		return Limit{}, fmt.Errorf("limit %q: want a positive count and a period, such as 200/1m", s)
	}
	return Limit{Rate: rate, Period: period}, nil
}

func (l Limit) String() string { return strconv.Itoa(l.Rate) + "/" + l.Period.String() }

// Kind names a limit.
type Kind string

// The limits of the seed plan, and the per-account login limit.
const (
	API     Kind = "api"
	Auth    Kind = "auth"
	Account Kind = "account"
	MFA     Kind = "mfa"
	Upload  Kind = "upload"
)

// Decision is the outcome of one request against one limit.
type Decision struct {
	Allowed bool
	Limit   int
	// Remaining is how many more requests are allowed right now.
	Remaining int
	// RetryAfter is how long until a denied request would be allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the limit is fully available again.
	ResetAfter time.Duration
}

// RedisRunner runs a Redis operation through the circuit breaker shared
// with the cache (cache.Cache implements it).
type RedisRunner interface {
	Redis(ctx context.Context, op string, fn func(redis.UniversalClient) error) error
}

// Limiter decides requests against limits.
type Limiter struct {
	redis   RedisRunner
	prefix  string
	memory  *memoryGCRA
	metrics *metrics
}

// NewLimiter returns a limiter on the shared Redis of runner, with keys
// under prefix, falling back to process memory when Redis fails.
func NewLimiter(runner RedisRunner, prefix string, reg prometheus.Registerer) *Limiter {
	return &Limiter{redis: runner, prefix: prefix, memory: newMemoryGCRA(time.Now), metrics: newMetrics(reg)}
}

// Allow counts one request of key against a limit.
func (l *Limiter) Allow(ctx context.Context, kind Kind, limit Limit, key string) Decision {
	full := l.prefix + string(kind) + ":" + key
	var res *redis_rate.Result
	err := l.redis.Redis(ctx, "ratelimit", func(c redis.UniversalClient) error {
		var err error
		res, err = redis_rate.NewLimiter(c).Allow(ctx, full, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Rate, Period: limit.Period})
		return err
	})
	var d Decision
	if err == nil {
		d = Decision{Allowed: res.Allowed > 0, Limit: limit.Rate, Remaining: res.Remaining,
			RetryAfter: max(res.RetryAfter, 0), ResetAfter: max(res.ResetAfter, 0)}
	} else {
		// Without Redis at all (REDIS_URL=memory://, one instance) memory
		// is the design; with a failing Redis it is the fallback.
		if !errors.Is(err, cache.ErrNoRedis) {
			l.metrics.fallbacks.Inc()
		}
		d = l.memory.allow(full, limit)
	}
	result := "allowed"
	if !d.Allowed {
		result = "limited"
	}
	l.metrics.decisions.WithLabelValues(string(kind), result).Inc()
	return d
}

// memoryGCRA is GCRA in process memory, with the arithmetic of
// redis_rate's script: a key's state is its theoretical arrival time (TAT).
type memoryGCRA struct {
	mu    sync.Mutex
	now   func() time.Time
	tat   map[string]time.Time
	calls int
}

func newMemoryGCRA(now func() time.Time) *memoryGCRA {
	return &memoryGCRA{now: now, tat: map[string]time.Time{}}
}

func (m *memoryGCRA) allow(key string, limit Limit) Decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if m.calls++; m.calls%4096 == 0 {
		for k, t := range m.tat {
			if t.Before(now) {
				delete(m.tat, k)
			}
		}
	}
	interval := limit.Period / time.Duration(limit.Rate)
	burstOffset := interval * time.Duration(limit.Rate)
	tat := m.tat[key]
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(interval)
	allowAt := newTAT.Add(-burstOffset)
	diff := now.Sub(allowAt)
	d := Decision{Limit: limit.Rate}
	if diff < 0 {
		d.RetryAfter, d.ResetAfter = -diff, tat.Sub(now)
		return d
	}
	m.tat[key] = newTAT
	d.Allowed = true
	d.Remaining = int(math.Floor(float64(diff) / float64(interval)))
	d.ResetAfter = newTAT.Sub(now)
	return d
}

type metrics struct {
	decisions *prometheus.CounterVec
	fallbacks prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dashgraph_ratelimit_decisions_total", Help: "Rate limit decisions, by limit and result (allowed or limited).",
		}, []string{"limit", "result"}),
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dashgraph_ratelimit_fallbacks_total", Help: "Decisions made in process memory because Redis failed.",
		}),
	}
	reg.MustRegister(m.decisions, m.fallbacks)
	return m
}
