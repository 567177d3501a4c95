// Package ratelimit limits request rates across every instance: GCRA
// (the generic cell rate algorithm) in one Redis script per check, shared by
// all instances, and the same algorithm in process memory when Redis is
// unavailable or not configured.
//
// A request's checks ride in its first Redis round trip, the one that also
// fetches what the request reads first (see cache.Prefetch), so limiting
// costs no round trip of its own.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
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

// Check is one request counted against one limit, under a key.
type Check struct {
	Kind  Kind
	Limit Limit
	Key   string
}

// Decision is the outcome of a check.
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

// Limiter decides checks.
type Limiter struct {
	prefix string
	// redis says whether Redis is configured: then a decision in memory is
	// a fallback, counted; without it, memory is the design.
	redis   bool
	memory  *memoryGCRA
	metrics *metrics
}

// NewLimiter returns a limiter with keys under prefix.
func NewLimiter(prefix string, redisConfigured bool, reg prometheus.Registerer) *Limiter {
	return &Limiter{prefix: prefix, redis: redisConfigured, memory: newMemoryGCRA(time.Now), metrics: newMetrics(reg)}
}

// Decide decides checks. run must queue them (with queue) into the Redis
// pipeline of the request's first round trip and report whether that
// pipeline ran on Redis; when it did not (no Redis, or Redis failed), the
// checks are decided in process memory.
func (l *Limiter) Decide(ctx context.Context, checks []Check, run func(queue func(redis.Pipeliner)) bool) []Decision {
	if len(checks) == 0 {
		return nil
	}
	var read func() ([]Decision, error)
	ran := run(func(pipe redis.Pipeliner) { read = l.queue(ctx, pipe, checks) })
	var decisions []Decision
	if ran && read != nil {
		var err error
		if decisions, err = read(); err != nil {
			decisions = nil
		}
	}
	if decisions == nil {
		if l.redis {
			l.metrics.fallbacks.Inc()
		}
		decisions = make([]Decision, len(checks))
		for i, c := range checks {
			decisions[i] = l.memory.allow(l.key(c), c.Limit)
		}
	}
	for i, d := range decisions {
		result := "allowed"
		if !d.Allowed {
			result = "limited"
		}
		l.metrics.decisions.WithLabelValues(string(checks[i].Kind), result).Inc()
	}
	return decisions
}

func (l *Limiter) key(c Check) string { return l.prefix + string(c.Kind) + ":" + c.Key }

// gcraScript is the GCRA script of github.com/go-redis/redis_rate v10
// (allowN), Copyright (c) 2013 The github.com/go-redis/redis_rate Authors,
// BSD 2-clause; after Pavel Pravosud's redis-gcra. It is run here rather
// than through redis_rate's Limiter because that runs it at once, on its
// own round trip, and a check must ride in the request's first pipeline.
// Every key it writes expires.
var gcraScript = redis.NewScript(`
redis.replicate_commands()

local rate_limit_key = KEYS[1]
local burst = ARGV[1]
local rate = ARGV[2]
local period = ARGV[3]
local cost = tonumber(ARGV[4])

local emission_interval = period / rate
local increment = emission_interval * cost
local burst_offset = emission_interval * burst

local jan_1_2017 = 1483228800
local now = redis.call("TIME")
now = (now[1] - jan_1_2017) + (now[2] / 1000000)

local tat = redis.call("GET", rate_limit_key)

if not tat then
  tat = now
else
  tat = tonumber(tat)
end

tat = math.max(tat, now)

local new_tat = tat + increment
local allow_at = new_tat - burst_offset

local diff = now - allow_at
local remaining = diff / emission_interval

if remaining < 0 then
  local reset_after = tat - now
  local retry_after = diff * -1
  return {
    0, -- allowed
    0, -- remaining
    tostring(retry_after),
    tostring(reset_after),
  }
end

local reset_after = new_tat - now
if reset_after > 0 then
  redis.call("SET", rate_limit_key, new_tat, "EX", math.ceil(reset_after))
end
local retry_after = -1
return {cost, remaining, tostring(retry_after), tostring(reset_after)}`)

// queue adds the checks to a pipeline and returns what reads their
// decisions once it has run. The script is sent with EVAL, not EVALSHA:
// Redis caches it either way, and a pipeline has no second try for a
// NOSCRIPT after a Redis restart.
func (l *Limiter) queue(ctx context.Context, pipe redis.Pipeliner, checks []Check) func() ([]Decision, error) {
	cmds := make([]*redis.Cmd, len(checks))
	for i, c := range checks {
		cmds[i] = gcraScript.Eval(ctx, pipe, []string{l.key(c)}, c.Limit.Rate, c.Limit.Rate, c.Limit.Period.Seconds(), 1)
	}
	return func() ([]Decision, error) {
		out := make([]Decision, len(checks))
		for i, cmd := range cmds {
			v, err := cmd.Slice()
			if err != nil {
				return nil, err
			}
			d, err := decision(v, checks[i].Limit)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	}
}

// decision reads the script's reply: allowed, remaining, retry after and
// reset after, the last two in seconds.
func decision(v []any, limit Limit) (Decision, error) {
	if len(v) != 4 {
		return Decision{}, fmt.Errorf("rate limit script returned %d values", len(v))
	}
	allowed, _ := v[0].(int64)
	remaining, _ := v[1].(int64)
	retry, err1 := strconv.ParseFloat(fmt.Sprint(v[2]), 64)
	reset, err2 := strconv.ParseFloat(fmt.Sprint(v[3]), 64)
	if err1 != nil || err2 != nil {
		return Decision{}, fmt.Errorf("rate limit script returned %v", v)
	}
	seconds := func(f float64) time.Duration { return max(time.Duration(f*float64(time.Second)), 0) }
	return Decision{Allowed: allowed > 0, Limit: limit.Rate, Remaining: int(remaining),
		RetryAfter: seconds(retry), ResetAfter: seconds(reset)}, nil
}

// memoryGCRA is GCRA in process memory, with the script's arithmetic: a
// key's state is its theoretical arrival time (TAT).
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
	diff := now.Sub(newTAT.Add(-burstOffset))
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
			Name: "dashgraph_ratelimit_fallbacks_total", Help: "Requests whose limits were decided in process memory because Redis failed.",
		}),
	}
	reg.MustRegister(m.decisions, m.fallbacks)
	return m
}
