package app

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
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
	// TimeZone is where date presets ("today", "this month") are resolved.
	TimeZone *time.Location
	// Batching computes the data of the charts of one request in one batch.
	Batching bool
	// ComplexityLimit bounds the cost of one GraphQL operation.
	ComplexityLimit int

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
		Batching:        e.bool("ENABLE_BATCHING", true),
		ComplexityLimit: e.int("COMPLEXITY_LIMIT", 1000),
		LogFormat:       e.str("LOG_FORMAT", "json"),
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
