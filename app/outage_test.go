package app_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/app"
	"github.com/dashgraph/dashgraph/cache/redistest"
	"github.com/dashgraph/dashgraph/seed"
)

// TestKillingRedisFailsNoRequest runs dashboard queries from several
// clients against an instance on a real Redis, kills the Redis in the
// middle, and starts it again: no request fails, none waits on the dead
// Redis, and every answer is the same data.
func TestKillingRedisFailsNoRequest(t *testing.T) {
	redis := redistest.Start(t)
	cfg := testConfig(dbURL)
	cfg.RedisURL = redis.URL()
	a, err := app.New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	token := login(t, seed.AnalystEmail)
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM dashboards WHERE name = $1`, seed.PracticeOverview).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, want := dashboardOn(t, srv, token, id)
	wantJSON := canonicalCharts(want)

	var views, fromRedis, slowest atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				r, charts := dashboardOn(t, srv, token, id)
				if took := time.Since(start); took.Nanoseconds() > slowest.Load() {
					slowest.Store(took.Nanoseconds())
				}
				if got := canonicalCharts(charts); got != wantJSON {
					t.Errorf("a dashboard answered other data:\n%s\nwant\n%s", got, wantJSON)
				}
				if r.Extensions.Cost.DBQueries == 0 {
					fromRedis.Add(1)
				}
				views.Add(1)
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	redis.Kill()
	killedAt := views.Load()
	time.Sleep(time.Second)
	redis.Restart()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("%d views, %d without Postgres, %d after the kill; slowest %v",
		views.Load(), fromRedis.Load(), views.Load()-killedAt, time.Duration(slowest.Load()))
	if views.Load() == killedAt {
		t.Fatal("no view ran after Redis was killed")
	}
	if d := time.Duration(slowest.Load()); d > 2*time.Second {
		t.Fatalf("a view took %v: it waited on the dead Redis", d)
	}
	if !a.CacheTrusted() {
		t.Fatal("the cache is not trusted again after Redis came back")
	}
}
