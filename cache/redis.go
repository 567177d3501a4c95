package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// RedisConfig says how to reach Redis. URL is a redis:// or rediss:// URL
// for a single node; Addrs lists several nodes, which make a Cluster unless
// MasterName names a Sentinel master.
type RedisConfig struct {
	URL        string
	Addrs      []string
	MasterName string
	Password   string
	PoolSize   int
}

// The client's timeouts are short and it never retries: a Redis that does
// not answer must cost a request at most a few hundred milliseconds, after
// which the breaker keeps every other request from waiting at all.
const (
	dialTimeout = 200 * time.Millisecond
	ioTimeout   = 100 * time.Millisecond
	poolTimeout = 200 * time.Millisecond
)

// redisLogger sends go-redis's own messages (failed dials, mostly) to the
// structured log at debug level: the breaker and the caches report failures.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// SetRedisLogger routes go-redis's process-wide logger to log.
func SetRedisLogger(log *slog.Logger) { redis.SetLogger(redisLogger{log}) }

// NewRedisClient builds the Redis client: single node, Cluster or Sentinel.
func NewRedisClient(cfg RedisConfig) (redis.UniversalClient, error) {
	opts := &redis.UniversalOptions{
		Addrs:                 cfg.Addrs,
		MasterName:            cfg.MasterName,
		Password:              cfg.Password,
		DialTimeout:           dialTimeout,
		DialerRetries:         1, // one dial attempt: the client's default is 5, 100 ms apart
		ReadTimeout:           ioTimeout,
		WriteTimeout:          ioTimeout,
		PoolTimeout:           poolTimeout,
		PoolSize:              cfg.PoolSize,
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
	}
	if cfg.URL != "" {
		u, err := redis.ParseURL(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("parse REDIS_URL: %w", err)
		}
		opts.Addrs = []string{u.Addr}
		opts.DB = u.DB
		opts.Username = u.Username
		if u.Password != "" {
			opts.Password = u.Password
		}
		opts.TLSConfig = u.TLSConfig
	}
	if len(opts.Addrs) == 0 {
		return nil, errors.New("no Redis address configured")
	}
	return redis.NewUniversalClient(opts), nil
}

// fillScript stores ARGV[2] for ARGV[3] milliseconds only if the key still
// holds the caller's lease ARGV[1].
var fillScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`)

// redisStore is the store on Redis, behind a circuit breaker.
type redisStore struct {
	client  redis.UniversalClient
	breaker *gobreaker.CircuitBreaker[any]
	m       *metrics
}

// breakerSettings: trip after 3 consecutive failures; stay open 1 s, then
// let one request probe.
func breakerSettings(onChange func(from, to gobreaker.State)) gobreaker.Settings {
	return gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1,
		Timeout:     time.Second,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		IsSuccessful: func(err error) bool {
			// A canceled request says nothing about Redis.
			return err == nil || errors.Is(err, context.Canceled)
		},
		OnStateChange: func(_ string, from, to gobreaker.State) { onChange(from, to) },
	}
}

func newRedisStore(client redis.UniversalClient, m *metrics, onChange func(from, to gobreaker.State)) *redisStore {
	return &redisStore{client: client, m: m, breaker: gobreaker.NewCircuitBreaker[any](breakerSettings(onChange))}
}

// do runs one round trip through the breaker. An open breaker fails at
// once, without touching the network.
func (s *redisStore) do(ctx context.Context, op string, fn func() error) error {
	start := time.Now()
	_, err := s.breaker.Execute(func() (any, error) { return nil, fn() })
	s.m.redisLatency.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil {
		s.m.redisErrors.WithLabelValues(op).Inc()
		return fmt.Errorf("redis %s: %w", op, err)
	}
	return nil
}

// evalPipeline runs a script once per key in one pipeline. Scripts are
// loaded on first use and again after a Redis restart (NOSCRIPT).
func (s *redisStore) evalPipeline(ctx context.Context, script *redis.Script, keys []string, args func(i int) []any) ([]*redis.Cmd, error) {
	run := func() ([]*redis.Cmd, error) {
		pipe := s.client.Pipeline()
		cmds := make([]*redis.Cmd, len(keys))
		for i, k := range keys {
			cmds[i] = script.EvalSha(ctx, pipe, []string{k}, args(i)...)
		}
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := run()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err := script.Load(ctx, s.client).Err(); err != nil {
			return nil, err
		}
		cmds, err = run()
	}
	return cmds, err
}

// gets reads keys with plain GETs in one pipeline, with whatever commands
// also adds to it; absent keys are nil.
func (s *redisStore) gets(ctx context.Context, op string, keys []string, also func(redis.Pipeliner)) ([][]byte, error) {
	out := make([][]byte, len(keys))
	err := s.do(ctx, op, func() error {
		pipe := s.client.Pipeline()
		cmds := make([]*redis.StringCmd, len(keys))
		for i, k := range keys {
			cmds[i] = pipe.Get(ctx, k)
		}
		if also != nil {
			also(pipe)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for i, c := range cmds {
			raw, err := c.Bytes()
			switch {
			case errors.Is(err, redis.Nil):
			case err != nil:
				return err
			default:
				out[i] = raw
			}
		}
		return nil
	})
	return out, err
}

// getOrLease reads every key with plain GETs in one pipeline, the whole of
// a warm lookup; only when some are absent does a second pipeline lease
// them with SET NX. A lease that another reader took in between is busy.
func (s *redisStore) getOrLease(ctx context.Context, keys []string, token string, leaseTTL time.Duration) ([]slot, int, error) {
	raws, err := s.gets(ctx, "get", keys, nil)
	if err != nil {
		return nil, 1, err
	}
	out := make([]slot, len(keys))
	var absent []int
	for i, raw := range raws {
		if raw == nil {
			absent = append(absent, i)
			continue
		}
		out[i] = classify(raw, token)
	}
	if len(absent) == 0 {
		return out, 1, nil
	}
	err = s.do(ctx, "lease", func() error {
		pipe := s.client.Pipeline()
		cmds := make([]*redis.BoolCmd, len(absent))
		for j, i := range absent {
			cmds[j] = pipe.SetNX(ctx, keys[i], token, leaseTTL)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		for j, i := range absent {
			out[i] = slot{state: busy}
			if cmds[j].Val() {
				out[i] = slot{state: leased}
			}
		}
		return nil
	})
	return out, 2, err
}

func (s *redisStore) peek(ctx context.Context, keys []string, also func(redis.Pipeliner)) ([][]byte, bool, error) {
	out, err := s.gets(ctx, "prefetch", keys, also)
	return out, err == nil, err
}

func (s *redisStore) fill(ctx context.Context, entries []entry, token string) error {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.name
	}
	return s.do(ctx, "fill", func() error {
		_, err := s.evalPipeline(ctx, fillScript, keys, func(i int) []any {
			return []any{token, tagValue(entries[i].value), entries[i].ttl.Milliseconds()}
		})
		return err
	})
}

func (s *redisStore) apply(ctx context.Context, deletes []string, sets []entry) error {
	return s.do(ctx, "apply", func() error {
		pipe := s.client.Pipeline()
		for _, k := range deletes {
			pipe.Del(ctx, k)
		}
		for _, e := range sets {
			pipe.Set(ctx, e.name, tagValue(e.value), e.ttl)
		}
		_, err := pipe.Exec(ctx)
		return err
	})
}

// deletePrefix scans every master (all of them on a Cluster) and deletes
// the prefix's keys in pipelines of single-key DELs.
func (s *redisStore) deletePrefix(ctx context.Context, prefix string) (int, error) {
	n := 0
	scan := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		pipe := c.Pipeline()
		for iter.Next(ctx) {
			pipe.Del(ctx, iter.Val())
			n++
			if pipe.Len() >= 500 {
				if _, err := pipe.Exec(ctx); err != nil {
					return err
				}
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	// Scanning a large keyspace takes longer than one command's timeout.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var err error
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, scan)
	case *redis.Client:
		err = scan(ctx, c)
	default:
		err = errors.New("deleting by prefix needs a single-node or Cluster client")
	}
	return n, err
}

func (s *redisStore) usedMemory(ctx context.Context) (int64, error) {
	info, err := s.client.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("INFO memory has no used_memory")
}

func (s *redisStore) ping(ctx context.Context) error {
	return s.do(ctx, "ping", func() error { return s.client.Ping(ctx).Err() })
}

func (s *redisStore) close() error { return s.client.Close() }
