package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/cache"
	"github.com/dashgraph/dashgraph/cost"
	"github.com/dashgraph/dashgraph/postgres"
	"github.com/dashgraph/dashgraph/postgres/pgtest"
	"github.com/dashgraph/dashgraph/rbac"
	"github.com/dashgraph/dashgraph/seed"
)

// The package's tests share one seeded database; each test has its own
// cache, under its own key prefix, on the shared Redis (127.0.0.1:6379) or
// on a redis-server of its own.
var db *postgres.DB

const sharedRedis = "redis://127.0.0.1:6379/0"

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx := context.Background()
	_, opened, done, err := pgtest.Open(ctx, 20)
	if err != nil {
		return 0, err
	}
	defer done()
	db = opened
	if err := pgtest.Seed(ctx, db); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// env is one cache with the services built on it, as the app wires them.
type env struct {
	c         *cache.Cache
	redis     redis.UniversalClient
	auth      *auth.Service
	tokens    *auth.Tokens
	admin     *admin.Service
	analytics *analytics.Service
	charts    *cache.Charts
	actor     *rbac.UserContext
}

var allOn = cache.Flags{Enabled: true, Token: true, User: true, RBAC: true, Chart: true, RolloutPercent: 100}

// newEnv builds a cache on the Redis at url with a fresh key prefix, runs
// its relay, and waits until it trusts the store.
func newEnv(t *testing.T, url string) *env {
	t.Helper()
	client, err := cache.NewRedisClient(cache.RedisConfig{URL: url, PoolSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "dgtest:" + hex.EncodeToString(b[:]) + ":"
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := cache.New(client, prefix, allOn, db, prometheus.NewRegistry(), quiet)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Relay(ctx); close(done) }()
	t.Cleanup(func() {
		stop()
		<-done
		_, _ = c.Flush(context.Background(), "")
		_ = c.Close()
	})
	waitTrusted(t, c)

	pw, _ := auth.NewPasswords(4)
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte("cache-test-secret-cache-test-secret"), Issuer: "i", Audience: "a", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{c: c, redis: client, tokens: tokens}
	e.auth = auth.NewService(c.Auth(db), tokens, pw, c, time.Hour, quiet)
	e.admin = admin.NewService(db, c, pw.Hash, quiet)
	e.analytics = analytics.NewService(c.Analytics(db), time.UTC)
	e.charts = c.Charts(e.analytics)
	var adminID int64
	if err := db.Pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = $1`, seed.AdminEmail).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	contexts, err := db.UserContexts(t.Context(), []int64{adminID})
	if err != nil {
		t.Fatal(err)
	}
	e.actor = contexts[adminID]
	return e
}

func waitTrusted(t *testing.T, c *cache.Cache) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c.Trusted() {
			return
		}
	}
	t.Fatal("the cache never became trusted")
}

// request returns a context as a request has it: cache state and a cost counter.
func request() (context.Context, *cost.Counter) {
	return cost.WithCounter(cache.WithRequest(context.Background()))
}

var userSeq int

// newUser creates a user in an organization, with the analyst role, and
// signs them in.
func (e *env) newUser(t *testing.T, org string) (int64, auth.Principal) {
	t.Helper()
	ctx := t.Context()
	userSeq++
	email := fmt.Sprintf("cache%d-%d@dashgraph.test", userSeq, time.Now().UnixNano()%1e9)
	var orgID, roleID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = $1`, org).Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM roles WHERE name = 'analyst' AND organization_id IS NULL`).Scan(&roleID); err != nil {
		t.Fatal(err)
	}
	u, err := e.admin.CreateUser(ctx, e.actor, admin.CreateUserInput{Email: email, Name: "Cache Test", Password: "long-enough-1", OrganizationIDs: []int64{orgID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.AssignRole(ctx, e.actor, admin.RoleGrant{UserID: u.ID, RoleID: roleID}); err != nil {
		t.Fatal(err)
	}
	s, err := e.auth.Login(ctx, email, "long-enough-1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.tokens.Verify(s.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, p
}

func roleID(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := db.Pool.QueryRow(t.Context(), `SELECT id FROM roles WHERE name = $1 AND organization_id IS NULL`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// unique suffixes a name, so that a test run again on the package's
// database (go test -count=2) does not collide with its earlier rows.
func unique(name string) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return name + "-" + hex.EncodeToString(b[:])
}
