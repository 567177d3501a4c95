package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dashgraph/dashgraph/seed"
)

func TestMetricsAndRequestIDs(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	r := post(t, token, `{ dashboards { id } }`, nil)
	if id := r.Header.Get("X-Request-Id"); len(id) < 8 {
		t.Fatalf("response without a request id: %q", id)
	}
	req, _ := http.NewRequest(http.MethodPost, server.URL+"/graphql", strings.NewReader(`{"query":"{ me { email } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "client-chosen-id-42")
	if res := send(t, req); res.Header.Get("X-Request-Id") != "client-chosen-id-42" {
		t.Fatalf("the client's request id was not kept: %q", res.Header.Get("X-Request-Id"))
	}

	res, err := http.Get(server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`dashgraph_http_request_duration_seconds_count{code="200",method="POST",route="POST /graphql"}`,
		`dashgraph_graphql_operation_duration_seconds_count{errors="false",field="dashboards",type="query"}`,
		`dashgraph_db_query_duration_seconds_count{kind="query",result="ok"}`,
		`dashgraph_cache_hits_total{cache="user_context"}`,
		`dashgraph_cache_misses_total{cache="chart_data"}`,
		`dashgraph_redis_breaker_state`,
		`dashgraph_cache_trusted 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}

func TestCacheStats(t *testing.T) {
	analyst := login(t, seed.AnalystEmail)
	post(t, analyst, `{ dashboards { id } }`, nil)
	post(t, analyst, `{ dashboards { id } }`, nil)
	if r := post(t, analyst, `{ cacheStats { trusted } }`, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("an analyst read cacheStats: %q", r.code())
	}
	var d struct {
		CacheStats struct {
			Trusted bool
			Caches  []struct {
				Cache        string
				Hits, Misses int
				HitRate      float64
			}
		}
	}
	post(t, login(t, seed.AdminEmail), `{ cacheStats { trusted usedMemoryBytes caches { cache hits misses leaseWaits errors fills meanEntryBytes hitRate } } }`, nil).mustData(t, &d)
	if !d.CacheStats.Trusted || len(d.CacheStats.Caches) != 9 {
		t.Fatalf("cacheStats %+v", d.CacheStats)
	}
	for _, c := range d.CacheStats.Caches {
		if c.Cache == "USER_CONTEXT" && (c.Hits == 0 || c.HitRate <= 0) {
			t.Fatalf("user context cache: %+v", c)
		}
	}
}
