package app_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/app"
	"github.com/dashgraph/dashgraph/cache/redistest"
	"github.com/dashgraph/dashgraph/seed"
)

// limitedInstances starts n instances with rate limiting on, sharing the
// Redis at redisURL under one fresh key prefix, and believing
// X-Forwarded-For from the loopback.
func limitedInstances(t *testing.T, n int, redisURL string) []*httptest.Server {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg := testConfig(dbURL)
	cfg.RateLimit = true
	cfg.RedisURL = redisURL
	cfg.RedisKeyPrefix = "dgtest:" + hex.EncodeToString(b[:]) + ":"
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	var out []*httptest.Server
	for range n {
		a, err := app.New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(func() {
			srv.Close()
			a.Close()
		})
		out = append(out, srv)
	}
	return out
}

// call posts a GraphQL request from a client address (sent as
// X-Forwarded-For) and returns the response and its rate limit headers.
func call(t *testing.T, srv *httptest.Server, token, clientIP, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if clientIP != "" {
		req.Header.Set("X-Forwarded-For", clientIP)
	}
	r := send(t, req)
	for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
		if r.Header.Get(h) == "" {
			t.Fatalf("response without %s header", h)
		}
	}
	return r
}

func limited(t *testing.T, r response) bool {
	t.Helper()
	if r.code() != "RATE_LIMITED" {
		return false
	}
	retry, _ := r.Errors[0].Extensions["retryAfter"].(float64)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || retry <= 0 {
		t.Fatalf("a limited response: status %d, Retry-After %q, retryAfter %v", r.Status, r.Header.Get("Retry-After"), retry)
	}
	return true
}

// TestLimitHoldsAcrossInstances: one user alternating 250 requests between
// two instances that share Redis is allowed the single limit (200/min, plus
// what refills meanwhile), not twice it.
func TestLimitHoldsAcrossInstances(t *testing.T) {
	servers := limitedInstances(t, 2, "redis://127.0.0.1:6379/0")
	token := login(t, seed.AnalystEmail)
	start := time.Now()
	allowed := 0
	for i := range 250 {
		if r := call(t, servers[i%2], token, "", `{ me { email } }`, nil); !limited(t, r) {
			allowed++
		}
	}
	refill := int(time.Since(start).Seconds()*200/60) + 1
	t.Logf("%d of 250 allowed across two instances in %v", allowed, time.Since(start))
	if allowed < 200 || allowed > 200+refill {
		t.Fatalf("%d of 250 requests allowed across two instances, want 200 (+%d refill)", allowed, refill)
	}
	r := call(t, servers[0], token, "", `{ me { email } }`, nil)
	if remaining, _ := strconv.Atoi(r.Header.Get("RateLimit-Remaining")); r.Header.Get("RateLimit-Limit") != "200" || remaining > refill {
		t.Fatalf("headers after the burst: limit %s remaining %s", r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"))
	}
}

// TestLoginBurst: one address gets 20 sign-in attempts per 15 minutes.
func TestLoginBurst(t *testing.T) {
	srv := limitedInstances(t, 1, "redis://127.0.0.1:6379/0")[0]
	answered := 0
	for i := range 25 {
		email := fmt.Sprintf("burst%d@dashgraph.test", i) // a new account each time: the address limit, not the account's
		r := call(t, srv, "", "203.0.113.7", `mutation($e: String!) { login(email: $e, password: "wrong-password") { accessToken } }`,
			map[string]any{"e": email})
		if !limited(t, r) {
			answered++
		}
	}
	if answered != 20 {
		t.Fatalf("%d of 25 sign-ins from one address answered, want 20", answered)
	}
	// Another address is not affected.
	if r := call(t, srv, "", "203.0.113.8", `mutation { login(email: "x@dashgraph.test", password: "wrong-password") { accessToken } }`, nil); limited(t, r) {
		t.Fatal("another address is limited too")
	}
}

// TestLoginPerAccount: one account gets 10 sign-in attempts per 15 minutes
// however many addresses they come from, and an account that does not
// exist is limited the same way.
func TestLoginPerAccount(t *testing.T) {
	srv := limitedInstances(t, 1, "redis://127.0.0.1:6379/0")[0]
	pattern := func(email string) []bool {
		var out []bool
		for i := range 12 {
			r := call(t, srv, "", fmt.Sprintf("198.51.100.%d", i+1),
				`mutation($e: String!) { login(email: $e, password: "wrong-password") { accessToken } }`, map[string]any{"e": email})
			out = append(out, limited(t, r))
		}
		return out
	}
	existing, missing := pattern(seed.ViewerEmail), pattern("nobody-here@dashgraph.test")
	for i := range 12 {
		if existing[i] != (i >= 10) || missing[i] != existing[i] {
			t.Fatalf("attempt %d: existing account limited %v, missing account limited %v; want limited from the 11th", i+1, existing[i], missing[i])
		}
	}
}

// TestLimitingGoesOnWithoutRedis: with the shared Redis dead, each
// instance limits on its own, in memory, with the same limit.
func TestLimitingGoesOnWithoutRedis(t *testing.T) {
	redis := redistest.Start(t)
	srv := limitedInstances(t, 1, redis.URL())[0]
	redis.Kill()
	answered := 0
	for i := range 25 {
		r := call(t, srv, "", "192.0.2.1", `mutation($e: String!) { login(email: $e, password: "wrong-password") { accessToken } }`,
			map[string]any{"e": fmt.Sprintf("down%d@dashgraph.test", i)})
		if !limited(t, r) {
			answered++
		}
	}
	if answered != 20 {
		t.Fatalf("with Redis dead, %d of 25 sign-ins answered, want 20", answered)
	}
}

// TestWarmDashboardWithLimiting: with rate limiting on and a real Redis,
// the limit checks ride in the request's first round trip: a warm dashboard
// query is still no Postgres query and at most two Redis round trips.
func TestWarmDashboardWithLimiting(t *testing.T) {
	srv := limitedInstances(t, 1, "redis://127.0.0.1:6379/0")[0]
	token := login(t, seed.AnalystEmail)
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM dashboards WHERE name = $1`, seed.PracticeOverview).Scan(&id); err != nil {
		t.Fatal(err)
	}
	dashboardOn(t, srv, token, id)
	r, charts := dashboardOn(t, srv, token, id)
	if c := r.Extensions.Cost; c.DBQueries != 0 || c.RedisRoundTrips > 2 {
		t.Fatalf("warm dashboard with limiting: %+v, want 0 DB queries and at most 2 round trips", *c)
	}
	for i, c := range charts {
		if !c.FromCache {
			t.Fatalf("chart %d not from the cache", i)
		}
	}
	if r.Header.Get("RateLimit-Limit") != "200" {
		t.Fatalf("RateLimit-Limit %q", r.Header.Get("RateLimit-Limit"))
	}
}
