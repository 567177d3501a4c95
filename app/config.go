package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dashgraph/dashgraph/cache"
	"github.com/dashgraph/dashgraph/ratelimit"
)

// Config is the server's configuration, read from the environment.
type Config struct {
	DatabaseURL string
	DBMaxConns  int32
	HTTPAddr    string

	JWTSecret       string
	JWTIssuer       string
	JWTAudience     string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	BcryptCost      int

	// DevMode serves GraphiQL at / and allows introspection.
	DevMode bool
	// WebDir is the built web dashboard (examples/web/dist), served at
	// /app/ in dev mode; "" serves none.
	WebDir string
	// TimeZone is where date presets ("today", "this month") are resolved.
	TimeZone *time.Location
	// Batching computes the data of the charts of one request in one batch.
	Batching bool
	// ComplexityLimit bounds the cost of one GraphQL operation.
	ComplexityLimit int

	// RedisURL is redis://, rediss:// or memory:// (the in-process store,
	// for a single instance). RedisAddrs, several host:port, selects a
	// Cluster, or Sentinel with RedisMasterName.
	RedisURL        string
	RedisAddrs      []string
	RedisMasterName string
	RedisPassword   string
	RedisPoolSize   int
	// RedisKeyPrefix starts every cache key; instances that share a
	// cache share it.
	RedisKeyPrefix string
	Cache          cache.Flags
	// CacheWarm fills role permissions and the most viewed dashboards at start.
	CacheWarm bool

	// RateLimit turns rate limiting on (ENABLE_RATE_LIMIT).
	RateLimit      bool
	RateLimits     ratelimit.Limits
	TrustedProxies []netip.Prefix

	// PprofAddr, when set, serves net/http/pprof there: a separate,
	// private listener for profiling a running server.
	PprofAddr string

	LogLevel  slog.Level
	LogFormat string
}

// DefaultDatabaseURL is the local development database.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/dashgraph?sslmode=disable"

// ConfigFromEnv reads the configuration. It reports every problem at once.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	e := env{getenv: getenv}
	c := Config{
		DatabaseURL:     e.str("DATABASE_URL", DefaultDatabaseURL),
		DBMaxConns:      int32(e.int("DB_MAX_CONNS", 20)),
		HTTPAddr:        e.str("HTTP_ADDR", "127.0.0.1:8080"),
		JWTSecret:       e.str("JWT_SECRET", ""),
		JWTIssuer:       e.str("JWT_ISSUER", "dashgraph"),
		JWTAudience:     e.str("JWT_AUDIENCE", "dashgraph-api"),
		AccessTokenTTL:  e.duration("ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshTokenTTL: e.duration("REFRESH_TOKEN_TTL", 7*24*time.Hour),
		BcryptCost:      e.int("BCRYPT_COST", 12),
		DevMode:         e.bool("DEV_MODE", false),
		WebDir:          e.str("WEB_DIR", defaultWebDir()),
		Batching:        e.bool("ENABLE_BATCHING", true),
		ComplexityLimit: e.int("COMPLEXITY_LIMIT", 1000),
		LogFormat:       e.str("LOG_FORMAT", "json"),
		RedisURL:        e.str("REDIS_URL", "memory://"),
		RedisMasterName: e.str("REDIS_MASTER_NAME", ""),
		RedisPassword:   e.str("REDIS_PASSWORD", ""),
		RedisPoolSize:   e.int("REDIS_POOL_SIZE", 10*runtime.GOMAXPROCS(0)),
		RedisKeyPrefix:  e.str("REDIS_KEY_PREFIX", cache.DefaultPrefix),
		Cache: cache.Flags{
			Enabled:        e.bool("ENABLE_REDIS_CACHE", true),
			Token:          e.bool("ENABLE_TOKEN_CACHE", true),
			User:           e.bool("ENABLE_USER_CACHE", true),
			RBAC:           e.bool("ENABLE_RBAC_CACHE", true),
			Chart:          e.bool("ENABLE_CHART_CACHE", true),
			RolloutPercent: e.int("CACHE_ROLLOUT_PERCENT", 100),
		},
		CacheWarm: e.bool("CACHE_WARM", false),
		PprofAddr: e.str("PPROF_ADDR", ""),
		RateLimit: e.bool("ENABLE_RATE_LIMIT", true),
		RateLimits: ratelimit.Limits{
			API:     e.limit("RATE_LIMIT_API", "200/1m"),
			Auth:    e.limit("RATE_LIMIT_AUTH", "20/15m"),
			Account: e.limit("RATE_LIMIT_ACCOUNT", "10/15m"),
			MFA:     e.limit("RATE_LIMIT_MFA", "5/15m"),
			Upload:  e.limit("RATE_LIMIT_UPLOAD", "10/1m"),
		},
	}
	for _, p := range strings.Split(e.str("TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			p += "/128"
			if strings.Contains(p, ".") {
				p = strings.TrimSuffix(p, "/128") + "/32"
			}
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or CIDR", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	if addrs := e.str("REDIS_ADDRS", ""); addrs != "" {
		c.RedisAddrs = strings.Split(addrs, ",")
	}
	if p := c.Cache.RolloutPercent; p < 0 || p > 100 {
		e.errs = append(e.errs, fmt.Errorf("CACHE_ROLLOUT_PERCENT must be between 0 and 100, not %d", p))
	}
	tz := e.str("TIME_ZONE", "UTC")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("TIME_ZONE %q: %w", tz, err))
	}
	c.TimeZone = loc
	if err := c.LogLevel.UnmarshalText([]byte(e.str("LOG_LEVEL", "info"))); err != nil {
		e.errs = append(e.errs, fmt.Errorf("LOG_LEVEL: %w", err))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		e.errs = append(e.errs, fmt.Errorf("LOG_FORMAT must be json or text, not %q", c.LogFormat))
	}
	return c, errors.Join(e.errs...)
}

type env struct {
	getenv func(string) string
	errs   []error
}

func (e *env) str(key, def string) string {
	if v := strings.TrimSpace(e.getenv(key)); v != "" {
		return v
	}
	return def
}

func (e *env) int(key string, def int) int {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s must be an integer, not %q", key, v))
	}
	return n
}

func (e *env) bool(key string, def bool) bool {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s must be true or false, not %q", key, v))
	}
	return b
}

func (e *env) limit(key, def string) ratelimit.Limit {
	l, err := ratelimit.ParseLimit(e.str(key, def))
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %w", key, err))
	}
	return l
}

func (e *env) duration(key string, def time.Duration) time.Duration {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.errs = append(e.errs, fmt.Errorf("%s must be a positive duration such as 15m, not %q", key, v))
	}
	return d
}
